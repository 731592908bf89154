//! The realtime endpoint `/transcribe-websocket`: recognising the request, HTTP-level faults,
//! the WebSocket upgrade (async-tungstenite) and the key given with it. The session itself is
//! in [`super::ws_session`], the protocol rules in [`super::ws_protocol`].
//!
//! A connection whose first request line is `GET /transcribe-websocket` is recognised by
//! peeking, before async-h1 reads anything, so the untouched stream goes to the WebSocket
//! handshake. A realtime request that is not the first on its connection is answered by the
//! REST router with [`not_available`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use async_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use async_tungstenite::tungstenite::http::HeaderValue;
use futures_lite::future;
use futures_lite::io::AsyncReadExt;

use super::errors::ApiError;
use super::faults::FaultAction;
use super::reply::Reply;
use super::routes::{method_index, Route};
use super::server::{sleep_unless_shutdown, Conn};
use super::stats::Stats;
use super::{ws_session, Shared};

const PREFIX: &[u8] = b"GET /transcribe-websocket";
/// Longest wait for the first bytes of a request (as async-h1's header timeout).
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for the rest of the request head, and for the handshake.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HEAD: usize = 8 * 1024;
/// Longest a [`FaultAction::Hang`] may hold a request.
const MAX_HANG: Duration = Duration::from_secs(600);

/// The sub-protocol that carries the key (`Sec-WebSocket-Protocol: soniox-api-key, <key>`).
pub(crate) const API_KEY_PROTOCOL: &str = "soniox-api-key";

/// Whether the first request on `tcp` is a GET of the realtime path (peeks, consumes nothing).
pub(crate) async fn is_realtime_request(tcp: &TcpStream) -> bool {
    let mut buf = [0u8; 32];
    for attempt in 0..100 {
        let peek = if attempt == 0 {
            async_std::io::timeout(FIRST_BYTES_TIMEOUT, tcp.peek(&mut buf)).await
        } else {
            // A request line split over packets: give the rest a moment to arrive.
            async_std::task::sleep(Duration::from_millis(2)).await;
            tcp.peek(&mut buf).await
        };
        let n = match peek {
            Ok(n) if n > 0 => n,
            _ => return false,
        };
        let seen = &buf[..n];
        if n > PREFIX.len() {
            return seen.starts_with(PREFIX) && matches!(seen[PREFIX.len()], b' ' | b'?');
        }
        if !PREFIX.starts_with(seen) {
            return false;
        }
    }
    false
}

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
        let headers = req.headers();
        let protocols: Vec<&str> = headers
            .get_all("sec-websocket-protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let offered = protocols.iter().position(|p| *p == API_KEY_PROTOCOL);
        let mut auth = HeaderAuth {
            select_protocol: offered.is_some(),
            ..HeaderAuth::default()
        };
        if let Some(value) = headers.get_all("authorization").iter().next_back() {
            auth.given = true;
            auth.key = value.to_str().ok().and_then(|v| {
                let (scheme, key) = v.trim().split_once(' ')?;
                let key = key.trim();
                (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then(|| key.to_string())
            });
        } else if let Some(i) = offered {
            auth.given = true;
            auth.key = protocols.get(i + 1).map(|k| k.to_string());
        }
        auth
    }
}

/// Serves a realtime connection: faults, the upgrade, then the session.
pub(crate) async fn serve(shared: &Arc<Shared>, conn: Conn) {
    shared
        .stats
        .request(method_index(http_types::Method::Get), Some(Route::Websocket));
    let Some(head) = peek_head(&conn.tcp).await else {
        conn.close();
        return;
    };
    let picked = shared.faults.pick("GET", request_path(&head), &shared.rng);
    Stats::add(&shared.stats.faults_injected, picked.fired);
    if !picked.latency.is_zero() {
        sleep_unless_shutdown(shared, picked.latency).await;
    }
    shared.log.record("GET", request_path(&head), picked.action.as_ref());
    let mut session_fault = None;
    match picked.action {
        None => {}
        Some(FaultAction::Status { status, retry_after }) => {
            let e = ApiError::for_status(status).with_retry_after(retry_after);
            return http_reply(shared, &conn, &e).await;
        }
        Some(FaultAction::StatusAfterProcessing { status }) => {
            return http_reply(shared, &conn, &ApiError::for_status(status)).await;
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
    if let Err(e) = check_upgrade(&head) {
        return http_reply(shared, &conn, &e).await;
    }

    let mut auth = HeaderAuth::default();
    let mut opened = None;
    // The error type is tungstenite's (never returned here).
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, mut res: Response| {
        // Counted before the 101 goes out, so sessions are counted (and limited) in the
        // order their clients see them open.
        opened = Some(Stats::ws_session(shared));
        auth = HeaderAuth::from_request(req);
        if auth.select_protocol {
            res.headers_mut()
                .insert("sec-websocket-protocol", HeaderValue::from_static(API_KEY_PROTOCOL));
        }
        Ok::<Response, ErrorResponse>(res)
    };
    let handshake = async_tungstenite::accept_hdr_async(conn.tcp.clone(), callback);
    let stop = shared.shutdown.clone();
    let ws = future::or(async { Some(handshake.await) }, async {
        future::or(async_std::task::sleep(HEAD_TIMEOUT), async {
            let _ = stop.recv().await;
        })
        .await;
        None
    })
    .await;
    match (ws, opened) {
        (Some(Ok(ws)), Some(opened)) => {
            ws_session::run(shared, ws, conn.tcp.clone(), auth, opened, session_fault).await
        }
        (Some(Err(e)), _) => {
            log::debug!("soniox mock: websocket handshake failed: {e}");
            conn.close();
        }
        _ => conn.close(),
    }
}

/// Answers the upgrade request with an HTTP error instead of upgrading, and closes.
async fn http_reply(shared: &Shared, conn: &Conn, e: &ApiError) {
    if read_head(&conn.tcp).await.is_none() {
        return conn.close();
    }
    let mut reply = Reply::error(e, &shared.rng.uuid());
    if e.status == 426 {
        reply = reply
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13");
    }
    conn.reply_and_close(&reply, false).await;
}

/// The answer of the REST router to a realtime request that is not the first on its
/// connection (426 when it is not a WebSocket upgrade at all).
pub(crate) fn not_available(request_id: &str, upgrade: bool) -> Reply {
    let e = if upgrade {
        ApiError::new(
            400,
            "invalid_request",
            "The WebSocket upgrade must be the first request on its connection.",
        )
    } else {
        ApiError::new(
            426,
            "invalid_request",
            "This endpoint only accepts WebSocket upgrade requests.",
        )
    };
    Reply::error(&e, request_id)
}

/// Refuses, as HTTP errors, what the WebSocket handshake would reject without an answer:
/// `426` when the request is no upgrade to `websocket` or asks for another version than 13,
/// `400` when it lacks `Sec-WebSocket-Version` or `Sec-WebSocket-Key`.
fn check_upgrade(head: &str) -> Result<(), ApiError> {
    let upgrade =
        header(head, "upgrade").is_some_and(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("websocket")));
    if !upgrade {
        return Err(ApiError::new(
            426,
            "invalid_request",
            "This endpoint only accepts WebSocket upgrade requests.",
        ));
    }
    let version = header(head, "sec-websocket-version");
    if version.is_some_and(|v| v != "13") {
        return Err(ApiError::new(
            426,
            "invalid_request",
            "Unsupported WebSocket version: Sec-WebSocket-Version must be 13.",
        ));
    }
    if version.is_none() || header(head, "sec-websocket-key").is_none_or(str::is_empty) {
        return Err(ApiError::new(
            400,
            "invalid_request",
            "Invalid WebSocket upgrade request: Sec-WebSocket-Version and Sec-WebSocket-Key are required.",
        ));
    }
    Ok(())
}

/// The (first) value of header `name` in a request head, trimmed.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The path of the request line, without the query.
fn request_path(head: &str) -> &str {
    let target = head.split(' ').nth(1).unwrap_or("/transcribe-websocket");
    target.split('?').next().unwrap_or(target)
}

/// The request head (through `CRLF CRLF`, at most 8 KiB), peeked: nothing is consumed.
async fn peek_head(tcp: &TcpStream) -> Option<String> {
    let mut buf = vec![0u8; MAX_HEAD];
    let deadline = Instant::now() + HEAD_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let n = async_std::io::timeout(left, tcp.peek(&mut buf)).await.ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(String::from_utf8_lossy(&buf[..i + 4]).into_owned());
        }
        if n == MAX_HEAD || left.is_zero() {
            return None;
        }
        // The head is split over packets: give the rest a moment to arrive.
        async_std::task::sleep(Duration::from_millis(2)).await;
    }
}

/// Reads bytes up to the end of the request head (`CRLF CRLF`), at most 8 KiB.
async fn read_head(tcp: &TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    let mut tcp = tcp;
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return None;
        }
        // Peek, then consume only up to the end of the head: the rest belongs to the socket.
        let n = async_std::io::timeout(HEAD_TIMEOUT, tcp.peek(&mut byte)).await.ok()?;
        if n == 0 {
            return None;
        }
        let mut take = n;
        let mut joined = head.clone();
        joined.extend_from_slice(&byte[..n]);
        if let Some(i) = joined.windows(4).position(|w| w == b"\r\n\r\n") {
            take = i + 4 - head.len();
        }
        tcp.read_exact(&mut byte[..take]).await.ok()?;
        head.extend_from_slice(&byte[..take]);
    }
    String::from_utf8(head).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(headers: &[(&str, &str)]) -> HeaderAuth {
        let mut b = Request::builder().uri("/transcribe-websocket");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        HeaderAuth::from_request(&b.body(()).unwrap())
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
    fn head_helpers() {
        let ok = "GET /transcribe-websocket?x=1 HTTP/1.1\r\nUpgrade: WebSocket\r\n\
                  Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: a2V5\r\n\r\n";
        assert_eq!(check_upgrade(ok), Ok(()));
        assert_eq!(request_path(ok), "/transcribe-websocket");
        assert_eq!(header(ok, "sec-websocket-key"), Some("a2V5"));
        let plain = "GET /transcribe-websocket HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(check_upgrade(plain).unwrap_err().status, 426);
        let old = "GET /transcribe-websocket HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\n\r\n";
        assert_eq!(check_upgrade(old).unwrap_err().status, 426);
        let keyless = "GET /transcribe-websocket HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n";
        assert_eq!(check_upgrade(keyless).unwrap_err().status, 400);
    }
}
