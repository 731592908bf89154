//! A handle on a connection's socket ([`Conn`]), for the answers async-h1 cannot give.

use std::net::Shutdown;
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use futures_lite::future;
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};

use super::reply::Reply;
use crate::mock::net::tls::Io;

/// A handle on a connection's socket, for the answers async-h1 cannot give (faults, aborts).
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    /// The TCP socket, to close (abruptly, under TLS too).
    pub(crate) tcp: TcpStream,
    /// The connection as the client sees it (TLS on a TLS mock): every answer is written here.
    pub(crate) io: Io,
}

impl Conn {
    /// Closes the connection without a word.
    pub(crate) fn close(&self) {
        let _ = self.tcp.shutdown(Shutdown::Both);
    }

    /// Writes `bytes` and closes. With `linger`, unread request bytes are drained (for at most
    /// a second) after our FIN, so the peer sees the response rather than a reset.
    pub(crate) async fn write_and_close(&self, bytes: &[u8], linger: bool) {
        let mut tcp = self.io.clone();
        // What is drained is not parsed: the guard must not cut the drain short.
        self.io.stop_guarding();
        if tcp.write_all(bytes).await.is_ok() && tcp.flush().await.is_ok() && linger {
            let deadline = Instant::now() + Duration::from_secs(1);
            // Under TLS the shutdown writes and flushes a close_notify: bounded as well.
            let _ = async_std::future::timeout(Duration::from_secs(1), self.io.shutdown_write()).await;
            let mut sink = vec![0u8; 64 * 1024];
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let read = future::or(async { Some(tcp.read(&mut sink).await) }, async {
                    async_std::task::sleep(left).await;
                    None
                });
                match read.await {
                    Some(Ok(n)) if n > 0 => continue,
                    _ => break,
                }
            }
        }
        self.close();
    }

    /// Writes a complete reply (with `Connection: close`) and closes.
    pub(crate) async fn reply_and_close(&self, reply: &Reply, linger: bool) {
        let raw = reply.raw(reply.body.len(), &reply.body, true);
        self.write_and_close(&raw, linger).await;
    }
}
