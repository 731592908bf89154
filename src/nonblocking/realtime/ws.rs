//! The async client's realtime socket, the only file of it that names async-tungstenite:
//! opens the WebSocket (a TCP (+ TLS) stream from [`net`], then
//! `async_tungstenite::client_async` with the upgrade request of [`crate::driver::ws_upgrade`], all
//! within the connect timeout) and offers the stream's handles six poll-style moves (read
//! one message, ready, start a frame, flush, close, shut down), plus the re-armable timer
//! they need.
//! No protocol decisions here: frames in, frames out.
//!
//! The stream is opened here, not by `async_tungstenite::async_std::connect_async`
//! (deprecated, and it cannot do wss with futures-rustls). Sockets and timers come from
//! async-std's runtime-independent reactor (async-io), so the caller's executor does not
//! matter; nothing here spawns a task.

use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use async_tungstenite::tungstenite::{Message, Utf8Bytes};
use async_tungstenite::WebSocketStream;
use futures::{Sink, Stream};

use crate::error::{Error, Result, TimeoutError};

use crate::nonblocking::net::{self, Endpoint, Socket};

/// What one [`WsConn::poll_read`] found.
#[derive(Debug)]
pub(super) enum Incoming {
    /// A text frame (tungstenite's own buffer, not copied).
    Text(Utf8Bytes),
    /// A binary, ping or pong frame: nothing for the session (pings are answered by
    /// tungstenite).
    Skipped,
    /// The connection ended: the close frame's code and reason, or (code `None`) the
    /// transport error that broke it.
    Closed(Option<u16>, String),
}

/// An open WebSocket.
pub(super) struct WsConn {
    ws: WebSocketStream<Socket>,
}

impl std::fmt::Debug for WsConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsConn").finish_non_exhaustive()
    }
}

impl WsConn {
    /// Opens the socket and performs the upgrade, all within `timeout`.
    pub(super) async fn connect(
        config: &crate::Config,
        key: &str,
        tls_config: &crate::driver::tls::ClientTls,
    ) -> Result<WsConn> {
        let (timeout, proxies) = (config.connect_timeout(), config.proxies());
        let upgrade = crate::driver::ws_upgrade::upgrade(config.ws_url(), key, config.user_agent())?;
        let context = upgrade.context.clone();
        let to = Endpoint {
            tls: upgrade.tls,
            host: upgrade.host,
            port: upgrade.port,
        };
        let request = upgrade.request;

        let open = async {
            let proxy = proxies.for_target(to.tls, &to.host, to.port);
            let socket = net::open(&to, tls_config, proxy)
                .await
                .map_err(|e| transport(&context, e))?;
            let config = WebSocketConfig::default().max_message_size(Some(16 << 20));
            match async_tungstenite::client_async_with_config(request, socket, Some(config)).await {
                Ok((ws, _response)) => Ok(WsConn { ws }),
                Err(e) => Err(crate::driver::ws_upgrade::handshake_error(&context, e)),
            }
        };
        match within(timeout, open).await {
            Some(result) => result,
            None => Err(Error::Timeout(TimeoutError {
                context,
                after: timeout,
            })),
        }
    }

    /// The next message, once one is complete.
    pub(super) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Incoming> {
        Poll::Ready(match ready!(Pin::new(&mut self.ws).poll_next(cx)) {
            Some(Ok(Message::Text(text))) => Incoming::Text(text),
            Some(Ok(Message::Close(Some(frame)))) => {
                Incoming::Closed(Some(frame.code.into()), frame.reason.to_string())
            }
            Some(Ok(Message::Close(None))) => Incoming::Closed(Some(1005), String::new()),
            Some(Ok(_)) => Incoming::Skipped,
            Some(Err(e)) => Incoming::Closed(None, e.to_string()),
            None => Incoming::Closed(None, "the connection ended".to_owned()),
        })
    }

    /// Ready to take one more frame ([`start_text`](Self::start_text) or
    /// [`start_binary`](Self::start_binary)).
    pub(super) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Pin::new(&mut self.ws).poll_ready(cx).map_err(|e| e.to_string())
    }

    /// Buffers one text frame (after [`poll_ready`](Self::poll_ready)); then flush.
    pub(super) fn start_text(&mut self, text: String) -> Result<(), String> {
        Pin::new(&mut self.ws)
            .start_send(Message::text(text))
            .map_err(|e| e.to_string())
    }

    /// Buffers one binary frame (after [`poll_ready`](Self::poll_ready)); then flush.
    pub(super) fn start_binary(&mut self, data: Vec<u8>) -> Result<(), String> {
        Pin::new(&mut self.ws)
            .start_send(Message::binary(data))
            .map_err(|e| e.to_string())
    }

    /// Writes what is buffered; `Pending` while the socket does not take it all.
    pub(super) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Pin::new(&mut self.ws).poll_flush(cx).map_err(|e| e.to_string())
    }

    /// Sends a normal close frame (1000) and flushes it; `Ready` once written or when the
    /// connection is already gone.
    pub(super) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.ws).poll_close(cx).map(|_| ())
    }

    /// Shuts the TCP connection down both ways (under TLS too): the peer sees the end of
    /// the stream after what was written, and every wait on the socket ends. Never blocks.
    pub(super) fn shutdown(&self) {
        let _ = self.ws.get_ref().tcp().shutdown(Shutdown::Both);
    }
}

pub(super) use crate::nonblocking::net::{sleep, within, Timer};

// ---- errors -------------------------------------------------------------------------

fn transport(context: &str, e: io::Error) -> Error {
    crate::driver::proxy::connection_error(context.to_owned(), false, Box::new(e))
}
