//! The TLS step of the blocking REST client's ureq connector chain, with the client's own
//! rustls `ClientConfig` ([`crate::driver::tls::ClientTls`]): the same `Arc` the realtime
//! stream hands to tungstenite, so REST and realtime trust the same roots. (ureq's own
//! `RustlsConnector` builds a `ClientConfig` of its own from ureq's `TlsConfig`, which
//! cannot hold the OS store and added roots at once.)
//!
//! The chain mirrors ureq's default one without SOCKS: our CONNECT proxy step
//! ([`super::proxy::ProxyConnector`], when the client's base URL goes through a proxy), TCP,
//! then this TLS step for `https` (inside the tunnel, when there is one).

use std::fmt;
use std::io::{self, Read, Write};

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, TcpConnector, Transport, TransportAdapter,
};

use super::proxy::remaining;
use crate::driver::tls::ClientTls;

/// The connector chain of the blocking REST client: a tunnel through `proxy` (if any),
/// TCP, TLS with `config`.
pub(crate) fn connector(
    config: ClientTls,
    proxy: Option<crate::config::proxy::Proxy>,
    tcp_under_tls: ureq::config::Config,
) -> impl Connector {
    ().chain(super::proxy::ProxyConnector { proxy })
        .chain(Tcp {
            under_tls: tcp_under_tls,
        })
        .chain(RustlsConnector { config })
}

/// ureq's TCP step, with `under_tls`'s (small) buffers when TLS will wrap the connection:
/// rustls holds the HTTP layer's buffers above it, so the TCP transport only ever carries
/// a record or so each way (112 KiB less per idle TLS connection).
struct Tcp {
    under_tls: ureq::config::Config,
}

impl fmt::Debug for Tcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tcp").finish_non_exhaustive()
    }
}

impl<In: Transport> Connector<In> for Tcp {
    type Out = <TcpConnector as Connector<In>>::Out;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() || !details.needs_tls() {
            return TcpConnector::default().connect(details, chained);
        }
        let small = ConnectionDetails {
            uri: details.uri,
            addrs: details.addrs.clone(),
            config: &self.under_tls,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        TcpConnector::default().connect(&small, chained)
    }
}

/// Wraps the chained transport in TLS for `https` URLs.
struct RustlsConnector {
    config: ClientTls,
}

impl fmt::Debug for RustlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustlsConnector").finish_non_exhaustive()
    }
}

impl<In: Transport> Connector<In> for RustlsConnector {
    type Out = Either<In, RustlsTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details.uri.host().unwrap_or_default().trim_matches(['[', ']']);
        let name = ServerName::try_from(host.to_owned()).map_err(|_| ureq::Error::Tls("invalid TLS server name"))?;
        let config = self.config.get().map_err(|e| ureq::Error::Other(Box::new(e)))?;
        let mut conn = ClientConnection::new(config, name)?;
        crate::driver::tls::limit_buffers(&mut conn);
        let inner: Box<dyn Transport> = Box::new(transport);
        let mut sock = TransportAdapter::new(inner, details.current_time.clone());
        // The handshake shares the connect budget with the TCP connect before it.
        sock.set_timeout(remaining(details));
        conn.complete_io(&mut sock).map_err(tls_error)?;
        let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        Ok(Some(Either::B(RustlsTransport {
            buffers,
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// A handshake failure: rustls' own error when there is one (a refused certificate), so
/// that the transport can say what was wrong; else ureq's reading of the I/O error (a
/// timeout stays a timeout).
fn tls_error(e: io::Error) -> ureq::Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(tls) => ureq::Error::Rustls(tls.clone()),
        // ureq's reading first (its own errors, a timeout among them, travel as I/O
        // errors); a plain I/O failure mid-handshake (a reset, an end of stream: an
        // intercepting proxy, a server that is not TLS) is marked, so the transport knows
        // no request byte went out.
        None => match ureq::Error::from(e) {
            ureq::Error::Io(io) => ureq::Error::Other(Box::new(HandshakeFailed(io))),
            other => other,
        },
    }
}

/// The TLS handshake failed on I/O before any request byte was sent.
#[derive(Debug)]
pub(crate) struct HandshakeFailed(pub(crate) io::Error);

impl fmt::Display for HandshakeFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the TLS handshake failed: {}", self.0)
    }
}

impl std::error::Error for HandshakeFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// An HTTP/1.1 transport over TLS.
pub(crate) struct RustlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for RustlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustlsTransport")
            .field("chained", &self.stream.sock.inner())
            .finish()
    }
}

impl Transport for RustlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    // The timeouts go to the adapter unchanged: the TCP transport under it applies the
    // per-read and per-write limits (a TLS write may read, and a read may write).
    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
