//! The blocking client's realtime socket, the only file of it that names tungstenite (and
//! rustls): opens the WebSocket (TCP with a connect timeout, `TCP_NODELAY`, a `CONNECT`
//! tunnel when a proxy is configured for the URL ([`crate::driver::proxy`]), TLS over the client's
//! rustls config, the upgrade request of [`crate::driver::ws_upgrade`]) over a [`Socket`] whose
//! reads and writes then never block, and offers the threads that drive it four moves: read
//! one message, write one frame, flush, close.
//! No protocol decisions here: frames in, frames out.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, HandshakeError, Message, WebSocket};

use super::socket::Socket;
use crate::error::{Error, Result};

/// Bytes tungstenite reads at a time (it zero-fills that much before each read).
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// What one [`WsConn::read`] found.
#[derive(Debug)]
pub(super) enum Incoming {
    /// A text frame (tungstenite's own buffer, not copied).
    Text(tungstenite::Utf8Bytes),
    /// Nothing more to read right now (the socket would block).
    Idle,
    /// The connection ended: the close frame's code and reason, or (code `None`) the
    /// transport error that broke it.
    Closed(Option<u16>, String),
}

/// An open WebSocket whose reads and writes never block (see [`Socket`]).
#[derive(Debug)]
pub(super) struct WsConn {
    ws: WebSocket<MaybeTlsStream<Socket>>,
}

impl WsConn {
    /// Opens the socket and performs the upgrade, all within `timeout` (no limit for
    /// [`NO_LIMIT`](crate::config::time::NO_LIMIT) or more); then makes the socket's reads
    /// and writes non-blocking (no timeout is left on it).
    pub(super) fn connect(
        config: &crate::Config,
        key: &str,
        tls_config: &crate::driver::tls::ClientTls,
    ) -> Result<WsConn> {
        let timeout = config.connect_timeout();
        let upgrade = crate::driver::ws_upgrade::upgrade(config.ws_url(), key, config.user_agent())?;
        let context = upgrade.context.clone();
        let (tls, host, port) = (upgrade.tls, upgrade.host.as_str(), upgrade.port);
        let tcp = crate::blocking::connect::open(config, tls, host, port, &context)?;
        let connector = if tls {
            Connector::Rustls(tls_config.get()?)
        } else {
            Connector::Plain
        };
        // tungstenite zero-fills `read_buffer_size` bytes before every read from the socket
        // (128 KiB by default: 92% of the client's instructions per round trip, measured
        // with callgrind). Server messages are small; larger ones grow the buffer as needed.
        let config = WebSocketConfig::default()
            .max_message_size(Some(16 << 20))
            .read_buffer_size(READ_BUFFER_BYTES);
        let socket = Socket::new(tcp);
        let ws = match tungstenite::client_tls_with_config(upgrade.request, socket, Some(config), Some(connector)) {
            Ok((ws, _response)) => ws,
            Err(HandshakeError::Interrupted(_)) => return Err(crate::blocking::connect::timed_out(&context, timeout)),
            Err(HandshakeError::Failure(e)) => return Err(handshake_error(&context, timeout, e)),
        };
        let mut conn = WsConn { ws };
        if let MaybeTlsStream::Rustls(tls) = conn.ws.get_mut() {
            // tungstenite made the connection: the clients' per-connection TLS limits, set
            // once its handshake is done (audio goes out after it).
            crate::driver::tls::limit_buffers(&mut tls.conn);
        }
        conn.socket_mut()
            .opened()
            .map_err(|e| crate::blocking::connect::transport(&context, e))?;
        Ok(conn)
    }

    /// The TCP socket under the (TLS and) WebSocket layers, to wait on with `poll`.
    pub(super) fn tcp(&self) -> &TcpStream {
        self.socket().tcp()
    }

    pub(super) fn socket(&self) -> &Socket {
        match self.ws.get_ref() {
            MaybeTlsStream::Rustls(tls) => tls.get_ref(),
            MaybeTlsStream::Plain(socket) => socket,
            _ => unreachable!("only the plain and rustls connectors are used"),
        }
    }

    pub(super) fn socket_mut(&mut self) -> &mut Socket {
        match self.ws.get_mut() {
            MaybeTlsStream::Rustls(tls) => tls.get_mut(),
            MaybeTlsStream::Plain(socket) => socket,
            _ => unreachable!("only the plain and rustls connectors are used"),
        }
    }

    /// Reads the next message, if one is complete. Pings are answered by tungstenite;
    /// binary, ping and pong frames are skipped.
    pub(super) fn read(&mut self) -> Incoming {
        if !self.socket().may_have_input() {
            // Nothing arrived since tungstenite last ran dry: skip its buffer set-up.
            return Incoming::Idle;
        }
        loop {
            return match self.ws.read() {
                Ok(Message::Text(text)) => Incoming::Text(text),
                Ok(Message::Close(frame)) => match frame {
                    Some(f) => Incoming::Closed(Some(f.code.into()), f.reason.as_str().to_owned()),
                    None => Incoming::Closed(Some(1005), String::new()),
                },
                Ok(_) => continue,
                Err(e) if would_block(&e) => Incoming::Idle,
                Err(e) => Incoming::Closed(None, e.to_string()),
            };
        }
    }

    /// Writes one text frame and flushes: `Ok(true)` when everything went out,
    /// `Ok(false)` when the socket is full (the rest stays buffered: wait for writable,
    /// then [`flush`](Self::flush)).
    pub(super) fn send_text(&mut self, text: &str) -> Result<bool, String> {
        self.send(Message::text(text))
    }

    /// Writes one binary frame and flushes, as [`send_text`](Self::send_text).
    pub(super) fn send_binary(&mut self, data: Vec<u8>) -> Result<bool, String> {
        self.send(Message::binary(data))
    }

    /// Writes what is buffered: `Ok(true)` when nothing is left.
    pub(super) fn flush(&mut self) -> Result<bool, String> {
        match self.ws.flush() {
            Ok(()) => Ok(true),
            Err(e) if would_block(&e) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Queues a normal close frame (1000) and tries once to write it; never waits.
    pub(super) fn close(&mut self) {
        if self.ws.can_write() {
            let _ = self.ws.close(None);
        }
        let _ = self.ws.flush();
    }

    fn send(&mut self, message: Message) -> Result<bool, String> {
        match self.ws.write(message) {
            Ok(()) => self.flush(),
            // The frame is in tungstenite's buffer; the socket is full.
            Err(e) if would_block(&e) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }
}

fn handshake_error(context: &str, timeout: Duration, e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Io(io) if matches!(io.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
            crate::blocking::connect::timed_out(context, timeout)
        }
        other => crate::driver::ws_upgrade::handshake_error(context, other),
    }
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if io.kind() == io::ErrorKind::WouldBlock)
}
