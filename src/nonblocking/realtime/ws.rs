//! The only file of the async realtime client that names async-tungstenite, futures-rustls,
//! rustls and async-std: opens the WebSocket (TCP with `TCP_NODELAY`, TLS over one cached
//! ring-based rustls config, then `async_tungstenite::client_async` with
//! `Authorization: Bearer`, all within the connect timeout), offers the driver five
//! poll-style moves (read one message, ready, start a frame, flush, close), and the two
//! runtime services the driver needs: a task spawner and a re-armable timer.
//! No protocol decisions here: frames in, frames out.
//!
//! The stream is opened here, not by `async_tungstenite::async_std::connect_async`
//! (deprecated, and it cannot do wss with futures-rustls). TCP, DNS, timers and the
//! spawned driver task use async-std's runtime-independent reactor and global executor,
//! so the caller's executor does not matter.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::http::header::{AUTHORIZATION, USER_AGENT};
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use async_tungstenite::tungstenite::{self, Message};
use async_tungstenite::WebSocketStream;
use futures::future::{self, Either};
use futures::{Sink, Stream};
use futures_rustls::client::TlsStream;
use futures_rustls::TlsConnector;
use rustls::pki_types::ServerName;

use crate::core::http::{api_error, RawResponse};
use crate::error::{Error, Result, TimeoutError, TransportError};

/// Plain TCP for `ws://`, TLS over TCP for `wss://`.
type Socket = Either<TcpStream, TlsStream<TcpStream>>;

/// What one [`WsConn::poll_read`] found.
#[derive(Debug)]
pub(super) enum Incoming {
    /// A text frame.
    Text(String),
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
    pub(super) async fn connect(url: &str, key: &str, user_agent: &str, timeout: Duration) -> Result<WsConn> {
        let context = format!("WebSocket upgrade {url}");
        let mut request = url
            .into_client_request()
            .map_err(|e| Error::invalid(format!("WebSocket URL {url:?}: {e}")))?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}"))
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
        let server_name = match tls {
            true => Some(
                ServerName::try_from(host.clone())
                    .map_err(|e| Error::invalid(format!("WebSocket host {host:?}: {e}")))?,
            ),
            false => None,
        };
        let connector = match tls {
            true => Some(TlsConnector::from(crate::tls::client_config()?)),
            false => None,
        };

        let open = async {
            let io = |e: io::Error| transport(&context, e);
            let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(io)?;
            tcp.set_nodelay(true).map_err(io)?;
            let socket = match (connector, server_name) {
                (Some(connector), Some(name)) => Either::Right(connector.connect(name, tcp).await.map_err(io)?),
                _ => Either::Left(tcp),
            };
            let config = WebSocketConfig::default().max_message_size(Some(16 << 20));
            match async_tungstenite::client_async_with_config(request, socket, Some(config)).await {
                Ok((ws, _response)) => Ok(WsConn { ws }),
                Err(e) => Err(handshake_error(&context, e)),
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
            Some(Ok(Message::Text(text))) => Incoming::Text(text.as_str().to_owned()),
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
}

// ---- runtime services --------------------------------------------------------------

/// Runs the driver on async-std's global executor (its own threads), detached: it ends
/// by itself when the session ends or the stream is closed or dropped.
pub(super) fn spawn(driver: impl Future<Output = ()> + Send + 'static) {
    drop(async_std::task::spawn(driver));
}

/// A one-shot timer that can be re-armed; polled by the driver.
pub(super) struct Timer {
    at: Instant,
    sleep: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer").field("at", &self.at).finish_non_exhaustive()
    }
}

impl Timer {
    /// A timer that fires at `at` (at once if `at` has passed).
    pub(super) fn at(at: Instant) -> Timer {
        let left = at.saturating_duration_since(Instant::now());
        Timer {
            at,
            sleep: Box::pin(async_std::task::sleep(left)),
        }
    }
    /// When it fires.
    pub(super) fn deadline(&self) -> Instant {
        self.at
    }
    /// `Ready` once the deadline has passed.
    pub(super) fn poll_fire(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.sleep.as_mut().poll(cx)
    }
}

/// Sleeps for `d`.
pub(super) async fn sleep(d: Duration) {
    async_std::task::sleep(d).await;
}

/// `fut`'s output if it completes within `limit`, else `None` (and `fut` is dropped).
pub(super) async fn within<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    let timer = std::pin::pin!(sleep(limit));
    match future::select(std::pin::pin!(fut), timer).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

// ---- errors -------------------------------------------------------------------------

fn handshake_error(context: &str, e: tungstenite::Error) -> Error {
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
            source: Box::new(other),
        }),
    }
}

fn transport(context: &str, e: io::Error) -> Error {
    Error::Transport(TransportError {
        context: context.to_owned(),
        maybe_processed: false,
        source: Box::new(e),
    })
}
