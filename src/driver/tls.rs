//! The one TLS setup of the crate: rustls with the ring crypto provider and the roots
//! the [`Config`] chose ([`TlsRoots`]: the bundled webpki (Mozilla) roots by default, the
//! OS store, or both, plus any added PEM roots). Each client builds its `ClientConfig`
//! once ([`ClientTls`]; the default one is built once per process, on first use) and hands
//! that same `Arc` to every TLS user — ureq (REST, blocking, through [`crate::blocking`]'s own
//! connector), tungstenite (realtime, blocking) and futures-rustls (REST and realtime,
//! async) — so REST and realtime always make the same trust decision.
//! The process-wide default provider is never read or installed, so an application
//! that links aws-lc-rs elsewhere cannot make these clients panic.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};

use crate::config::{Config, TlsRoots};
use crate::error::{CertificateError, Error, Result};

/// The ring provider, built once.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The client configuration: ring, webpki roots, TLS 1.2 and 1.3. Built once.
pub(crate) fn client_config() -> Result<Arc<ClientConfig>> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = build(roots)?;
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}

/// The rustls config of one client, shared by all its connections (REST and realtime):
/// the process-wide default one ([`client_config`], built on the first TLS connection of
/// the process, as ureq and tungstenite would) for the bundled roots alone, else the
/// client's own, built with the client ([`ClientTls::for_config`]).
#[derive(Clone, Debug)]
pub(crate) struct ClientTls(Option<Arc<ClientConfig>>);

impl ClientTls {
    /// The TLS setup for `config`: nothing built yet for the default roots; for any other
    /// choice the client's own config, built now (the OS store is read now, so an unusable
    /// one fails the client's build, not a later call).
    pub(crate) fn for_config(config: &Config) -> Result<ClientTls> {
        let roots = config.tls_roots();
        if roots == TlsRoots::Bundled && config.root_certificates.is_empty() {
            return Ok(ClientTls(None));
        }
        Ok(ClientTls(Some(client_config_for(config)?)))
    }

    /// The rustls config to connect with.
    pub(crate) fn get(&self) -> Result<Arc<ClientConfig>> {
        match &self.0 {
            Some(config) => Ok(config.clone()),
            None => client_config(),
        }
    }
}

/// A new client configuration for `config`'s roots (reads the OS store when asked to).
fn client_config_for(config: &Config) -> Result<Arc<ClientConfig>> {
    let roots = config.tls_roots();
    let mut store = RootCertStore::empty();
    if matches!(roots, TlsRoots::Bundled | TlsRoots::BundledAndOs) {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if matches!(roots, TlsRoots::Os | TlsRoots::BundledAndOs) {
        let found = rustls_native_certs::load_native_certs();
        let (added, _ignored) = store.add_parsable_certificates(found.certs);
        if added == 0 {
            let why = found
                .errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::invalid(format!(
                "TlsRoots::{roots:?}: no usable root certificate in the operating system's trust store{}",
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                }
            )));
        }
        for e in &found.errors {
            tracing::debug!("OS trust store: {e}");
        }
    }
    for cert in &config.root_certificates {
        store
            .add(cert.clone())
            .map_err(|e| Error::invalid(format!("added root certificate: {e}")))?;
    }
    Ok(Arc::new(build(store)?))
}

/// Encrypted bytes a connection holds before the socket takes them: one full TLS record
/// (16 KiB of plaintext). rustls' default, 64 KiB, lets a connection hold four records when
/// the socket is slower than the writer; the clients' writers wait for the socket anyway, so
/// one record is all they need, and an upload's heap stays bounded by it. (With this and
/// [`RESUMED_SERVERS`], the blocking upload over https peaks at 215.7 KB, 246 KB before.)
const SEND_BUFFER: usize = 16 * 1024;

/// Applies the per-connection limits of every TLS connection the clients open (REST and
/// realtime, both clients): before the handshake, or right after it for the blocking
/// realtime socket, which tungstenite opens.
pub(crate) fn limit_buffers(conn: &mut rustls::ClientConnection) {
    conn.set_buffer_limit(Some(SEND_BUFFER));
}

/// Servers whose TLS sessions a client keeps for resumption. A client talks to a handful
/// (the API host, the realtime host); rustls' default of 256 preallocates a 14 KB map that
/// counted against an upload's 256 KiB heap over TLS.
const RESUMED_SERVERS: usize = 8;

/// The client configuration over `roots`: ring, TLS 1.2 and 1.3, no client certificate.
fn build(roots: RootCertStore) -> Result<ClientConfig> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::in_memory_sessions(RESUMED_SERVERS);
    Ok(config)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A transport error's source, with a refused server certificate anywhere in its chain
/// replaced by a [`CertificateError`] that says so in plain words (and makes the error
/// non-retryable: retrying cannot fix trust).
pub(crate) fn explain(source: BoxError) -> BoxError {
    let found = find_rustls_error(&*source).and_then(|e| problem(e).map(|p| (p, e.clone())));
    match found {
        Some((problem, e)) => Box::new(CertificateError {
            problem,
            source: Box::new(e),
        }),
        None => source,
    }
}

/// The rustls error under `e` ([`crate::error::causes`]), or inside a ureq error under it.
fn find_rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    crate::error::causes(e).find_map(|e| {
        #[cfg(feature = "blocking")]
        if let Some(ureq::Error::Rustls(found)) = e.downcast_ref::<ureq::Error>() {
            return Some(found);
        }
        e.downcast_ref::<rustls::Error>()
    })
}

/// What was wrong with the server's certificate, in words, when `e` is about that.
fn problem(e: &rustls::Error) -> Option<&'static str> {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => Some(match c {
            C::UnknownIssuer => "is issued by a certificate authority this client does not trust",
            C::NotValidForName | C::NotValidForNameContext { .. } => "is not valid for this host name",
            C::Expired | C::ExpiredContext { .. } => "has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => "is not valid yet",
            C::Revoked => "has been revoked",
            C::BadSignature | C::BadEncoding => "is malformed or badly signed",
            _ => "was refused",
        }),
        rustls::Error::NoCertificatesPresented => Some("was not presented"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_built_once_and_shared() {
        let (a, b) = (client_config().unwrap(), client_config().unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(Arc::ptr_eq(&provider(), &provider()));
    }

    #[test]
    fn the_default_roots_share_the_process_config_and_others_get_their_own() {
        let default = Config::builder().api_key("k").build().unwrap();
        let tls = ClientTls::for_config(&default).unwrap();
        assert!(tls.0.is_none(), "nothing is built for the default roots until used");
        assert!(Arc::ptr_eq(&tls.get().unwrap(), &client_config().unwrap()));
        let both = Config::builder()
            .api_key("k")
            .tls_roots(TlsRoots::BundledAndOs)
            .build()
            .unwrap();
        let tls = ClientTls::for_config(&both).unwrap();
        let own = tls.get().unwrap();
        assert!(Arc::ptr_eq(&own, &tls.get().unwrap()), "one config per client");
        assert!(!Arc::ptr_eq(&own, &client_config().unwrap()));
        assert!(
            !Arc::ptr_eq(&own, &client_config_for(&both).unwrap()),
            "built per call (per client)"
        );
    }

    #[test]
    fn certificate_errors_are_found_inside_io_and_transport_errors() {
        let refused = rustls::Error::InvalidCertificate(rustls::CertificateError::Expired);
        let wrapped: BoxError = Box::new(std::io::Error::new(std::io::ErrorKind::InvalidData, refused));
        let explained = explain(wrapped);
        assert!(explained.is::<CertificateError>());
        assert!(explained.to_string().contains("has expired"), "{explained}");
        let other: BoxError = Box::new(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        assert!(!explain(other).is::<CertificateError>());
    }
}
