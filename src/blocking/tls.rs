//! The TLS step of the blocking REST client's ureq connector chain, with the client's own
//! rustls `ClientConfig` ([`crate::tls::ClientTls`]): the same `Arc` the realtime
//! stream hands to tungstenite, so REST and realtime trust the same roots. (ureq's own
//! `RustlsConnector` builds a `ClientConfig` of its own from ureq's `TlsConfig`, which
//! cannot hold the OS store and added roots at once.)
//!
//! The chain mirrors ureq's default one without SOCKS: a CONNECT proxy (when ureq's config
//! has one), TCP, then this TLS step for `https`.

use std::fmt;
use std::io::{self, Read, Write};

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};
use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, TcpConnector,
    Transport, TransportAdapter,
};

use crate::tls::ClientTls;

/// The connector chain of the blocking REST client: CONNECT proxy, TCP, TLS with `config`.
pub(crate) fn connector(config: ClientTls) -> impl Connector {
    ().chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(RustlsConnector { config })
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

/// What is left of the connect budget (`details.timeout` counts from `details.now`).
fn remaining(details: &ConnectionDetails) -> NextTimeout {
    let mut timeout = details.timeout;
    if let (UDuration::Exact(limit), UInstant::Exact(start), UInstant::Exact(now)) =
        (timeout.after, details.now, (details.current_time)())
    {
        timeout.after = UDuration::Exact(limit.saturating_sub(now.saturating_duration_since(start)));
    }
    timeout
}

/// A handshake failure: rustls' own error when there is one (a refused certificate), so
/// that the transport can say what was wrong; else ureq's reading of the I/O error (a
/// timeout stays a timeout).
fn tls_error(e: io::Error) -> ureq::Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(tls) => ureq::Error::Rustls(tls.clone()),
        None => ureq::Error::from(e),
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
