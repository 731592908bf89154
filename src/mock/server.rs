//! The accept loop and per-connection handling: every request, the realtime upgrade included,
//! is read by async-h1 (after the TLS handshake, on a TLS mock).

use std::net::Shutdown;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_std::net::{TcpListener, TcpStream};
use futures_lite::future;
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};

use super::errors::ApiError;
use super::head_guard::Refusal;
use super::reply::Reply;
use super::routes::METHODS;
use super::stats::Stats;
use super::tls::Io;
use super::{router, Shared};

/// Longest a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

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
                let registration = shared.register(&tcp); // counts it open until dropped
                let shared = shared.clone();
                async_std::task::spawn(async move {
                    serve(shared, tcp).await;
                    drop(registration);
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

/// Serves one connection with async-h1 until it closes (or is upgraded to a realtime session,
/// see [`ws::upgrade`](super::ws::upgrade)).
async fn serve(shared: Arc<Shared>, tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let io = match &shared.tls {
        None => Io::plain(tcp.clone()),
        Some(identity) => {
            let handshake = future::or(
                async { Some(Io::accept(tcp.clone(), &identity.acceptor).await) },
                async {
                    sleep_unless_shutdown(&shared, TLS_HANDSHAKE_LIMIT).await;
                    None
                },
            );
            match handshake.await {
                Some(Ok(io)) => {
                    Stats::add(&shared.stats.tls_handshakes, 1);
                    io
                }
                // The client refused our certificate (or was no TLS client at all).
                failed => {
                    if let Some(Err(e)) = failed {
                        log::debug!("soniox mock: TLS handshake failed: {e}");
                    }
                    Stats::add(&shared.stats.tls_handshake_failures, 1);
                    let _ = tcp.shutdown(Shutdown::Both);
                    return;
                }
            }
        }
    };
    let conn = Conn {
        tcp: tcp.clone(),
        io: io.clone(),
    };
    let handler = conn.clone();
    let endpoint = shared.clone();
    let result = async_h1::accept(io, move |req| router::handle(endpoint.clone(), handler.clone(), req)).await;
    if let Err(e) = result {
        if let Some(refusal) = guard_refusal(&e) {
            // A head async-h1 must not parse (see `head_guard`): the API's error body, then close.
            let e = ApiError::new(refusal.status(), "invalid_request", format!("Bad request: {refusal}."));
            let reply = Reply::error(&e, &shared.rng.uuid());
            shared.stats.request(METHODS.len() - 1, None);
            conn.reply_and_close(&reply, true).await;
        } else if is_unknown_method(&e) {
            // async-h1 parses only the methods `http_types::Method` knows (`QUERY` is not one)
            // and would close without a word: answer as the API does any unsupported method.
            let e = ApiError::new(405, "method_not_allowed", "Method Not Allowed");
            let reply = Reply::error(&e, &shared.rng.uuid());
            shared.stats.request(METHODS.len() - 1, None);
            conn.reply_and_close(&reply, true).await;
        }
        log::debug!("soniox mock: connection ended: {e}");
    }
}

/// The [`head_guard`](super::head_guard) refusal async-h1 stopped on, if it came while a
/// head was being read (see [`Refusal::in_head`]): then no response went out for it.
fn guard_refusal(e: &http_types::Error) -> Option<Refusal> {
    let refusal = e
        .downcast_ref::<std::io::Error>()?
        .get_ref()?
        .downcast_ref::<Refusal>()?;
    refusal.in_head.then_some(*refusal)
}

/// Whether async-h1 gave up on a request line whose method `http_types` does not know.
fn is_unknown_method(e: &http_types::Error) -> bool {
    e.to_string() == UNKNOWN_METHOD
}

/// `http_types::Method::from_str`'s error message (checked by a test in `mock_server.rs`).
const UNKNOWN_METHOD: &str = "Invalid HTTP method";

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

/// Waits `d`, or less when the server shuts down first.
pub(crate) async fn sleep_unless_shutdown(shared: &Shared, d: Duration) {
    let stop = shared.shutdown.clone();
    future::or(async_std::task::sleep(d), async move {
        let _ = stop.recv().await;
    })
    .await;
}
