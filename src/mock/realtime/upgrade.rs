//! The realtime endpoint `/transcribe-websocket`: HTTP-level faults, the upgrade checks, the key
//! given with the upgrade, and the `101` answer. The session itself is in
//! [`super::session`], the protocol rules in [`super::protocol`].
//!
//! The upgrade request is read by async-h1 like any other request, so it may be the first
//! request on its connection or come after any number of REST requests on a kept-alive one (as
//! Node's undici does). The `101` is written here by hand and the socket is handed to the
//! session; async-h1 is then told to let the connection go.

use std::sync::Arc;

use async_tungstenite::tungstenite::handshake::derive_accept_key;
use async_tungstenite::tungstenite::protocol::Role;
use async_tungstenite::WebSocketStream;
use futures_lite::io::AsyncWriteExt;
use http_types::Request;

use super::session::{self, check_key, Auth};
use crate::mock::faults::FaultAction;
use crate::mock::http::conn::Conn;
use crate::mock::http::errors::ApiError;
use crate::mock::http::reply::Reply;
use crate::mock::state::shared::{bearer_key, sleep_unless_shutdown, Shared};
use crate::mock::state::stats::Stats;

/// Longest a [`FaultAction::Hang`] may hold a request.
const MAX_HANG: std::time::Duration = std::time::Duration::from_secs(600);

/// The sub-protocol that carries the key (`Sec-WebSocket-Protocol: soniox-api-key, <key>`).
pub(crate) const API_KEY_PROTOCOL: &str = "soniox-api-key";

/// The key offered on the upgrade request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct HeaderAuth {
    /// A key was offered (`Authorization`, or the `soniox-api-key` sub-protocol).
    pub(crate) given: bool,
    /// The key, when the offer was well formed (`Bearer <key>`, or a protocol after
    /// `soniox-api-key`).
    pub(crate) key: Option<String>,
    /// The client offered `soniox-api-key`: the response must select it.
    pub(crate) select_protocol: bool,
}

impl HeaderAuth {
    /// Reads `Authorization` (preferred) and `Sec-WebSocket-Protocol`.
    fn from_request(req: &Request) -> HeaderAuth {
        let protocols: Vec<&str> = req
            .header("sec-websocket-protocol")
            .into_iter()
            .flat_map(|values| values.iter())
            .flat_map(|v| v.as_str().split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let offered = protocols.iter().position(|p| *p == API_KEY_PROTOCOL);
        let mut auth = HeaderAuth {
            select_protocol: offered.is_some(),
            ..HeaderAuth::default()
        };
        if let Some(values) = req.header("authorization") {
            auth.given = true;
            auth.key = bearer_key(values.last().as_str()).map(str::to_owned);
        } else if let Some(i) = offered {
            auth.given = true;
            auth.key = protocols.get(i + 1).map(|k| k.to_string());
        }
        auth
    }
}

/// Serves `GET /transcribe-websocket` once async-h1 has read its head: the fault picked for
/// it, the upgrade checks, the key offered with it, then the `101` and the session on the
/// same socket. Returns when the connection is done with (answered and closed, or the session
/// over).
pub(crate) async fn upgrade(shared: &Arc<Shared>, conn: &Conn, request: &Request, fault: Option<FaultAction>) {
    let mut session_fault = None;
    match fault {
        None => {}
        Some(FaultAction::Status { status, retry_after }) => {
            let e = ApiError::for_status(status).with_retry_after(retry_after);
            return refuse(shared, conn, request, &e).await;
        }
        Some(FaultAction::StatusAfterProcessing { status }) => {
            return refuse(shared, conn, request, &ApiError::for_status(status)).await;
        }
        Some(FaultAction::DropConnection | FaultAction::TruncatedBody | FaultAction::TruncatedJson) => {
            return conn.close()
        }
        Some(FaultAction::Hang(d)) => {
            sleep_unless_shutdown(shared, d.min(MAX_HANG)).await;
            return conn.close();
        }
        Some(FaultAction::Latency(_)) => unreachable!("latency faults accumulate"),
        // `MalformedBody` and the realtime faults act on the session.
        Some(other) => session_fault = Some(other),
    }
    let accept = match check_upgrade(request) {
        Ok(accept) => accept,
        Err(e) => return refuse(shared, conn, request, &e).await,
    };

    let offered = HeaderAuth::from_request(request);
    let auth = match (offered.given, offered.key.as_deref().and_then(|k| check_key(shared, k))) {
        (false, _) => Auth::InStartMessage,
        (true, Some(grant)) => Auth::Granted(grant),
        (true, None) if shared.config.ws_refuse_bad_header_key => {
            // The API's answer to a bad key on the upgrade: no socket opens.
            Stats::add(&shared.stats.ws_auth_failures, 1);
            Stats::add(&shared.stats.unauthorized, 1);
            return refuse(shared, conn, request, &ApiError::unauthenticated()).await;
        }
        (true, None) => Auth::Refused,
    };

    // Counted before the 101 goes out, so sessions are counted (and limited) in the order
    // their clients see them open.
    let opened = Stats::ws_session(&shared.stats);
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
         sec-websocket-accept: {accept}\r\n"
    );
    if offered.select_protocol {
        head.push_str(&format!("sec-websocket-protocol: {API_KEY_PROTOCOL}\r\n"));
    }
    head.push_str("\r\n");
    let mut io = conn.io.clone();
    if io.write_all(head.as_bytes()).await.is_err() || io.flush().await.is_err() {
        return conn.close();
    }
    let ws = WebSocketStream::from_raw_socket(conn.io.clone(), Role::Server, None).await;
    session::run(shared, ws, conn.tcp.clone(), auth, opened, session_fault).await;
}

/// Answers the upgrade request with an HTTP error instead of upgrading, and closes (reading
/// what the client still sends for a moment, so it gets the answer rather than a reset).
async fn refuse(shared: &Shared, conn: &Conn, request: &Request, e: &ApiError) {
    let mut reply = Reply::error(e, &shared.rng.uuid());
    if e.status == 426 {
        reply = reply
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13");
    }
    shared.record_response(request.method().as_ref(), request.url().path(), &reply);
    conn.reply_and_close(&reply, true).await;
}

/// The `Sec-WebSocket-Accept` value for a valid upgrade request, or the HTTP error for one the
/// WebSocket handshake would reject: `426` when the request is no upgrade to `websocket` or
/// asks for another version than 13, `400` when it lacks `Sec-WebSocket-Version` or
/// `Sec-WebSocket-Key`.
fn check_upgrade(request: &Request) -> Result<String, ApiError> {
    let header = |name: &str| request.header(name).map(|v| v.last().as_str().trim());
    let upgrade = header("upgrade").is_some_and(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("websocket")));
    if !upgrade {
        return Err(ApiError::new(
            426,
            "invalid_request",
            "This endpoint only accepts WebSocket upgrade requests.",
        ));
    }
    let version = header("sec-websocket-version");
    if version.is_some_and(|v| v != "13") {
        return Err(ApiError::new(
            426,
            "invalid_request",
            "Unsupported WebSocket version: Sec-WebSocket-Version must be 13.",
        ));
    }
    match (version, header("sec-websocket-key")) {
        (Some(_), Some(key)) if !key.is_empty() => Ok(derive_accept_key(key.as_bytes())),
        _ => Err(ApiError::new(
            400,
            "invalid_request",
            "Invalid WebSocket upgrade request: Sec-WebSocket-Version and Sec-WebSocket-Key are required.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_types::{Method, Url};

    fn request(headers: &[(&str, &str)]) -> Request {
        let url = Url::parse("http://127.0.0.1/transcribe-websocket?x=1").unwrap();
        let mut r = Request::new(Method::Get, url);
        for (k, v) in headers {
            r.append_header(*k, *v);
        }
        r
    }

    fn auth(headers: &[(&str, &str)]) -> HeaderAuth {
        HeaderAuth::from_request(&request(headers))
    }

    #[test]
    fn keys_from_the_upgrade() {
        assert_eq!(auth(&[]), HeaderAuth::default());
        let a = auth(&[("Authorization", "Bearer k1")]);
        assert_eq!(
            (a.given, a.key.as_deref(), a.select_protocol),
            (true, Some("k1"), false)
        );
        let a = auth(&[("Authorization", "Basic k1")]);
        assert_eq!((a.given, a.key), (true, None));
        let a = auth(&[("Authorization", "Bearer")]);
        assert_eq!((a.given, a.key), (true, None));
        let a = auth(&[("Sec-WebSocket-Protocol", "soniox-api-key, k2")]);
        assert_eq!((a.given, a.key.as_deref(), a.select_protocol), (true, Some("k2"), true));
        let a = auth(&[("Sec-WebSocket-Protocol", "soniox-api-key")]);
        assert_eq!((a.given, a.key, a.select_protocol), (true, None, true));
        let a = auth(&[("Sec-WebSocket-Protocol", "chat")]);
        assert_eq!(a, HeaderAuth::default());
        let a = auth(&[
            ("Authorization", "Bearer k1"),
            ("Sec-WebSocket-Protocol", "soniox-api-key, k2"),
        ]);
        assert_eq!((a.key.as_deref(), a.select_protocol), (Some("k1"), true));
    }

    #[test]
    fn upgrade_checks() {
        // RFC 6455 §1.3's example key and accept value.
        let ok = request(&[
            ("Upgrade", "WebSocket"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ]);
        assert_eq!(check_upgrade(&ok), Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".to_string()));
        assert_eq!(check_upgrade(&request(&[("Host", "x")])).unwrap_err().status, 426);
        let old = request(&[("Upgrade", "websocket"), ("Sec-WebSocket-Version", "8")]);
        assert_eq!(check_upgrade(&old).unwrap_err().status, 426);
        let keyless = request(&[("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")]);
        assert_eq!(check_upgrade(&keyless).unwrap_err().status, 400);
    }
}
