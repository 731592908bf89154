//! The accept loop and per-connection handling (HTTP via async-h1, realtime peeked first).

use std::net::Shutdown;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_std::net::{TcpListener, TcpStream};
use futures_lite::future;
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};

use super::reply::Reply;
use super::stats::Stats;
use super::{router, ws, Shared};

/// Accepts connections until the server's shutdown channel closes, then drops the listener.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stopped: mpsc::Sender<()>) {
    let stop = shared.shutdown.clone();
    loop {
        let accepted = future::or(async { Some(listener.accept().await) }, async {
            let _ = stop.recv().await;
            None
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((tcp, _))) => {
                let open = Stats::connection(&shared);
                let registration = shared.register(&tcp);
                let shared = shared.clone();
                async_std::task::spawn(async move {
                    serve(shared, tcp).await;
                    drop((open, registration));
                });
            }
            // Out of descriptors or a reset during the handshake: back off a little.
            Some(Err(e)) => {
                log::debug!("soniox mock: accept failed: {e}");
                async_std::task::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    drop(listener);
    let _ = stopped.send(());
}

/// Serves one connection: the realtime endpoint is detected by peeking at the request line
/// (so its stream can be handed over untouched); everything else goes to async-h1.
async fn serve(shared: Arc<Shared>, tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    if ws::is_realtime_request(&tcp).await {
        ws::serve(&shared, Conn { tcp }).await;
        return;
    }
    let conn = Conn { tcp: tcp.clone() };
    let result = async_h1::accept(tcp, move |req| router::handle(shared.clone(), conn.clone(), req)).await;
    if let Err(e) = result {
        log::debug!("soniox mock: connection ended: {e}");
    }
}

/// A handle on a connection's socket, for the answers async-h1 cannot give (faults, aborts).
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub(crate) tcp: TcpStream,
}

impl Conn {
    /// Closes the connection without a word.
    pub(crate) fn close(&self) {
        let _ = self.tcp.shutdown(Shutdown::Both);
    }

    /// Writes `bytes` and closes. With `linger`, unread request bytes are drained (for at most
    /// a second) after our FIN, so the peer sees the response rather than a reset.
    pub(crate) async fn write_and_close(&self, bytes: &[u8], linger: bool) {
        let mut tcp = &self.tcp;
        if tcp.write_all(bytes).await.is_ok() && tcp.flush().await.is_ok() && linger {
            let _ = self.tcp.shutdown(Shutdown::Write);
            let deadline = Instant::now() + Duration::from_secs(1);
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

/// Waits `d`, or less when the server shuts down first.
pub(crate) async fn sleep_unless_shutdown(shared: &Shared, d: Duration) {
    let stop = shared.shutdown.clone();
    future::or(async_std::task::sleep(d), async move {
        let _ = stop.recv().await;
    })
    .await;
}
