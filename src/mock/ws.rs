//! The realtime endpoint `/transcribe-websocket`.
//!
//! A connection whose first request line is `GET /transcribe-websocket` is recognised by
//! peeking, before async-h1 reads anything, so the untouched stream can be handed to a
//! WebSocket implementation (async-tungstenite) by [`serve`]. Until the realtime mock exists,
//! [`serve`] reads the upgrade request and answers `501` with a JSON error body.

use std::time::Duration;

use async_std::net::TcpStream;
use futures_lite::io::AsyncReadExt;

use super::errors::ApiError;
use super::reply::Reply;
use super::routes::{method_index, Route};
use super::server::Conn;
use super::Shared;

const PREFIX: &[u8] = b"GET /transcribe-websocket";
/// Longest wait for the first bytes of a request (as async-h1's header timeout).
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_HEAD: usize = 8 * 1024;

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

/// Serves a realtime connection: for now, reads the request head and answers 501 (or 426
/// when it is not a WebSocket upgrade), then closes.
pub(crate) async fn serve(shared: &Shared, conn: Conn) {
    shared
        .stats
        .request(method_index(http_types::Method::Get), Some(Route::Websocket));
    let Some(head) = read_head(&conn.tcp).await else {
        conn.close();
        return;
    };
    let upgrade = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("upgrade") && v.trim().eq_ignore_ascii_case("websocket")
        })
    });
    let reply = not_available(&shared.rng.uuid(), upgrade);
    conn.reply_and_close(&reply, false).await;
}

/// The answer of the realtime path while it is not implemented.
pub(crate) fn not_available(request_id: &str, upgrade: bool) -> Reply {
    let e = if upgrade {
        ApiError::new(
            501,
            "not_implemented",
            "The realtime WebSocket endpoint is not implemented by this mock yet.",
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
        let n = async_std::io::timeout(Duration::from_secs(10), tcp.peek(&mut byte))
            .await
            .ok()?;
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
