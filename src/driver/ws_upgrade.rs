//! The realtime WebSocket's opening, one copy for both clients: the checks before a socket
//! opens, the upgrade request (the key as a sensitive `Authorization: Bearer`, the user
//! agent), the endpoint it names, and what a refused handshake becomes. The clients differ only in how they move the bytes
//! (`blocking/realtime/ws.rs`, `nonblocking/realtime/ws.rs`).
//!
//! Both clients' tungstenite is the same crate (0.30): the blocking client names it
//! directly, the async one through async-tungstenite's re-export.

#[cfg(all(feature = "async", not(feature = "blocking")))]
use async_tungstenite::tungstenite;

use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::client::Request;
use tungstenite::http::header::{AUTHORIZATION, USER_AGENT};
use tungstenite::http::HeaderValue;

use std::time::{Duration, Instant};

use crate::config::ApiKey;
use crate::core::http::{api_error, RawResponse};
use crate::core::realtime::RealtimeSession;
use crate::error::{Error, Result, TransportError};
use crate::types::api_key::bearer;
use crate::types::RealtimeConfig;

/// An upgrade request and where it goes.
#[derive(Debug)]
pub(crate) struct Upgrade {
    pub(crate) request: Request,
    /// What errors of the opening say it was (`WebSocket upgrade <url>`).
    pub(crate) context: String,
    /// `wss`.
    pub(crate) tls: bool,
    /// The host, without an IPv6 address's brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
}

/// The upgrade request for `url` with the key and the user agent; a URL that is no
/// WebSocket URL or a key that cannot be a header value is [`Error::InvalidArgument`].
pub(crate) fn upgrade(url: &str, key: &str, user_agent: &str) -> Result<Upgrade> {
    let mut request = url
        .into_client_request()
        .map_err(|e| Error::invalid(format!("WebSocket URL {url:?}: {e}")))?;
    let mut auth = HeaderValue::from_str(&bearer(key))
        .map_err(|_| Error::invalid("the API key contains characters not allowed in a header"))?;
    auth.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, auth);
    if let Ok(ua) = HeaderValue::from_str(user_agent) {
        request.headers_mut().insert(USER_AGENT, ua);
    }
    let uri = request.uri();
    let tls = uri.scheme_str() == Some("wss");
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']).to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    Ok(Upgrade {
        request,
        context: format!("WebSocket upgrade {url}"),
        tls,
        host,
        port,
    })
}

/// The checks both clients make before a socket opens (the finish timeout, the key, the
/// realtime configuration), and the session they then drive.
pub(crate) fn session(config: RealtimeConfig, key: &ApiKey, finish_timeout: Duration) -> Result<RealtimeSession> {
    crate::config::time::nonzero("finish_timeout", finish_timeout)?;
    crate::config::check_stream_key(key)?;
    RealtimeSession::new(config, Instant::now())
}

/// A failed handshake: the server's HTTP refusal as the API error it carries, anything else a
/// transport error (a refused certificate explained).
pub(crate) fn handshake_error(context: &str, e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Http(response) => {
            let mut raw = RawResponse::new(response.status().as_u16(), response.body().clone().unwrap_or_default());
            for (name, value) in response.headers() {
                if let Ok(v) = value.to_str() {
                    raw = raw.with_header(name.as_str(), v);
                }
            }
            Error::Api(Box::new(api_error(&raw)))
        }
        other => Error::Transport(TransportError {
            context: context.to_owned(),
            maybe_processed: false,
            source: crate::driver::tls::explain(Box::new(other)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_carries_the_key_hidden_and_names_its_endpoint() {
        let u = upgrade("wss://[::1]:8443/transcribe-websocket", "k-1", "ua/1").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (true, "::1", 8443));
        let auth = &u.request.headers()[AUTHORIZATION];
        assert_eq!(auth.to_str().unwrap(), "Bearer k-1");
        assert!(auth.is_sensitive() && !format!("{auth:?}").contains("k-1"));
        assert_eq!(u.request.headers()[USER_AGENT], "ua/1");
        let u = upgrade("ws://127.0.0.1/x", "k", "ua").unwrap();
        assert_eq!((u.tls, u.port), (false, 80));
        assert!(matches!(
            upgrade("not a url", "k", "ua"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            upgrade("ws://h/x", "k\n", "ua"),
            Err(Error::InvalidArgument(_))
        ));
    }
}
