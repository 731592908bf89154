//! Answers for the chaos faults that async-h1 cannot write: a trickled body and a header
//! value that is not ASCII.

use std::time::Duration;

use futures_lite::io::AsyncWriteExt;

use super::conn::Conn;
use super::reply::Reply;
use crate::mock::state::shared::{sleep_unless_shutdown, Shared};

/// The value of the `x-mock-note` header sent by
/// [`FaultAction::NonAsciiHeader`](crate::mock::FaultAction::NonAsciiHeader).
pub(crate) const NON_ASCII_NOTE: &str = "café ☕";

/// Writes `reply`'s head, then its body one byte per `interval`, then closes. Stops early
/// when a write fails (the client went away) or the server shuts down.
pub(crate) async fn trickle(shared: &Shared, conn: &Conn, reply: &Reply, interval: Duration) {
    let head = reply.raw(reply.body.len(), &[], true);
    let mut tcp = conn.io.clone();
    if tcp.write_all(&head).await.is_err() {
        return conn.close();
    }
    for byte in &reply.body {
        if tcp.flush().await.is_err() {
            break;
        }
        sleep_unless_shutdown(shared, interval).await;
        if shared.shutdown.is_closed() || tcp.write_all(std::slice::from_ref(byte)).await.is_err() {
            break;
        }
    }
    let _ = tcp.flush().await;
    conn.close();
}

/// Inserts `x-mock-note: café ☕` as the first header of a raw response.
pub(crate) fn with_non_ascii_header(raw: Vec<u8>) -> Vec<u8> {
    let line_end = raw.windows(2).position(|w| w == b"\r\n").map_or(raw.len(), |i| i + 2);
    let mut out = Vec::with_capacity(raw.len() + 32);
    out.extend_from_slice(&raw[..line_end]);
    out.extend_from_slice(format!("x-mock-note: {NON_ASCII_NOTE}\r\n").as_bytes());
    out.extend_from_slice(&raw[line_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_non_ascii_header_follows_the_status_line() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec();
        let out = with_non_ascii_header(raw);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\nx-mock-note: café ☕\r\ncontent-length: 2\r\n\r\n{}"
        );
        assert!(!NON_ASCII_NOTE.is_ascii());
    }
}
