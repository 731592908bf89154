//! TLS for the mock: a CA and a leaf certificate made at start (rcgen, ring), a rustls
//! server config over them, and [`Io`], the connection as every handler sees it: plain TCP,
//! or TLS over TCP behind a lock so that async-h1 and the realtime session can hold clones.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use async_std::net::TcpStream;
use futures_lite::io::{AsyncRead, AsyncWrite};
use futures_rustls::server::TlsStream;
use futures_rustls::TlsAcceptor;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

use super::head_guard::HeadGuard;

/// How a TLS mock's certificates are made (see
/// [`MockServer::start_tls`](crate::mock::MockServer::start_tls) and
/// [`MockConfig::tls`](crate::mock::MockConfig::tls)).
///
/// At start the server makes a fresh CA (its certificate is
/// [`MockServer::ca_pem`](crate::mock::MockServer::ca_pem)) and a leaf certificate signed by it
/// for `hosts`. The defaults give a leaf any client trusting the CA accepts for
/// `https://127.0.0.1:PORT` and `https://localhost:PORT`; the setters make the leaves a
/// client must refuse:
///
/// ```
/// use soniox::mock::{MockConfig, MockServer, MockTls};
/// // A certificate for another host: a client trusting the CA still refuses it.
/// let wrong_host = MockServer::start_with(MockConfig::default().tls(MockTls::new().hosts(["wrong.example"])))?;
/// // An expired certificate (valid 2000-01-01 to 2001-01-01).
/// let expired = MockServer::start_with(MockConfig::default().tls(MockTls::new().expired(true)))?;
/// assert!(wrong_host.base_url().starts_with("https://127.0.0.1:"));
/// assert!(expired.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockTls {
    /// The leaf's subject alternative names: DNS names or IP addresses (default
    /// `["localhost", "127.0.0.1"]`).
    pub hosts: Vec<String>,
    /// Whether the leaf expired long ago (default `false`: valid from 1975 to 4096).
    pub expired: bool,
}

impl Default for MockTls {
    fn default() -> Self {
        MockTls {
            hosts: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            expired: false,
        }
    }
}

impl MockTls {
    /// A leaf for `localhost` and `127.0.0.1`, valid now.
    pub fn new() -> MockTls {
        MockTls::default()
    }

    /// The leaf's host names and IP addresses (replaces the defaults).
    pub fn hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Makes the leaf expired (`true`) or valid (`false`).
    pub fn expired(mut self, expired: bool) -> Self {
        self.expired = expired;
        self
    }
}

/// What a TLS mock made at start: the CA (for clients) and the server's rustls config. Kept
/// across [`MockServer::restart`](crate::mock::MockServer::restart), so clients keep trusting it.
pub(crate) struct Identity {
    pub(crate) ca_pem: String,
    pub(crate) acceptor: TlsAcceptor,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity").finish_non_exhaustive()
    }
}

impl Identity {
    /// Makes a CA and a leaf per `tls`, and the server config that presents the leaf.
    pub(crate) fn generate(tls: &MockTls) -> io::Result<Identity> {
        let fail = |what: &str, e: rcgen::Error| io::Error::other(format!("soniox mock TLS: {what}: {e}"));
        let ca_key = KeyPair::generate().map_err(|e| fail("CA key", e))?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name = rcgen::DistinguishedName::new();
        // A name of its own: two mocks' CAs must not look alike to a client that trusts
        // one of them (it would pick the wrong one and report a bad signature).
        ca.distinguished_name
            .push(DnType::CommonName, format!("soniox mock CA {}", unique_id()));
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(|e| fail("CA certificate", e))?;
        let issuer = Issuer::new(ca, ca_key);

        let leaf_key = KeyPair::generate().map_err(|e| fail("leaf key", e))?;
        let mut leaf = CertificateParams::new(tls.hosts.clone()).map_err(|e| fail("leaf host names", e))?;
        leaf.distinguished_name = rcgen::DistinguishedName::new();
        leaf.distinguished_name.push(
            DnType::CommonName,
            tls.hosts.first().map_or("soniox mock", String::as_str),
        );
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        leaf.use_authority_key_identifier_extension = true;
        if tls.expired {
            leaf.not_before = rcgen::date_time_ymd(2000, 1, 1);
            leaf.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let leaf_cert = leaf
            .signed_by(&leaf_key, &issuer)
            .map_err(|e| fail("leaf certificate", e))?;

        let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(io::Error::other)?;
        Ok(Identity {
            ca_pem: ca_cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// An id no other mock CA of this process, or (most likely) of another, has.
fn unique_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A served connection: plain TCP, or TLS over it. Clones share the connection (async-h1
/// and the realtime session hold several); under TLS a lock is taken for each poll only,
/// never across a wait.
///
/// Every read passes the connection's [`HeadGuard`]: a head async-h1 would panic on is
/// refused with a read error before async-h1 sees it.
#[derive(Clone)]
pub(crate) struct Io {
    tcp: TcpStream,
    tls: Option<Arc<Mutex<TlsStream<TcpStream>>>>,
    guard: Arc<Mutex<Guarded>>,
}

/// The guard and the byte it keeps back for the next read.
#[derive(Debug, Default)]
struct Guarded {
    guard: HeadGuard,
    held: Option<u8>,
}

impl fmt::Debug for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.tls.is_some() { "Io::Tls" } else { "Io::Plain" })
    }
}

impl Io {
    /// Plain TCP.
    pub(crate) fn plain(tcp: TcpStream) -> Io {
        Io {
            tcp,
            tls: None,
            guard: Arc::default(),
        }
    }

    /// The server side of a TLS handshake over `tcp`.
    pub(crate) async fn accept(tcp: TcpStream, acceptor: &TlsAcceptor) -> io::Result<Io> {
        let tls = acceptor.accept(tcp.clone()).await?;
        Ok(Io {
            tcp,
            tls: Some(Arc::new(Mutex::new(tls))),
            guard: Arc::default(),
        })
    }

    /// Ends our direction of the connection: `close_notify` under TLS, then a FIN.
    pub(crate) async fn shutdown_write(&self) {
        match &self.tls {
            None => {
                let _ = self.tcp.shutdown(std::net::Shutdown::Write);
            }
            Some(tls) => {
                let _ = futures_lite::future::poll_fn(|cx| Pin::new(&mut *lock(tls)).poll_close(cx)).await;
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Io {
    /// Lets every further byte through unchecked (the connection is being drained and
    /// closed, or is no longer HTTP).
    pub(crate) fn stop_guarding(&self) {
        let mut g = lock(&self.guard);
        g.guard = HeadGuard::through();
    }

    /// A read from the connection itself, unguarded.
    fn poll_read_raw(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match &self.tls {
            None => Pin::new(&mut &self.tcp).poll_read(cx, buf),
            Some(tls) => Pin::new(&mut *lock(tls)).poll_read(cx, buf),
        }
    }
}

impl AsyncRead for Io {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut g = lock(&this.guard);
        loop {
            // A kept-back CR goes first, with what follows it (it is never delivered alone
            // unless the caller reads one byte at a time).
            let start = match g.held {
                Some(cr) if buf.len() > 1 => {
                    buf[0] = cr;
                    1
                }
                Some(cr) if buf.len() == 1 => {
                    buf[0] = cr;
                    g.held = None;
                    return Poll::Ready(Ok(1));
                }
                _ => 0,
            };
            let n = match this.poll_read_raw(cx, &mut buf[start..]) {
                Poll::Ready(Ok(0)) if start == 1 => {
                    g.held = None;
                    let e = io::Error::new(io::ErrorKind::UnexpectedEof, "a chunked request body cut short");
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(n)) => n,
                other => return other,
            };
            if n == 0 {
                return Poll::Ready(Ok(0));
            }
            match g.guard.feed(&buf[start..start + n]) {
                Ok(k) => {
                    g.held = (k < n).then(|| buf[start + k]);
                    if start + k > 0 {
                        return Poll::Ready(Ok(start + k));
                    }
                    // The read was the kept-back CR alone: read on.
                }
                Err(refusal) => {
                    g.guard = HeadGuard::through();
                    g.held = None;
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, refusal)));
                }
            }
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match &this.tls {
            None => Pin::new(&mut &this.tcp).poll_write(cx, buf),
            Some(tls) => Pin::new(&mut *lock(tls)).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match &this.tls {
            None => Pin::new(&mut &this.tcp).poll_flush(cx),
            Some(tls) => Pin::new(&mut *lock(tls)).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match &this.tls {
            None => Pin::new(&mut &this.tcp).poll_close(cx),
            Some(tls) => Pin::new(&mut *lock(tls)).poll_close(cx),
        }
    }
}
