//! The raw floors: what a user of the same stack without the SDK does for the same result,
//! in one place, shared by `soniox-perf` (this module) and the benches (which include this
//! file with `#[path]`: a bench cannot import from a binary crate).
//!
//! A fair floor is the best a raw user can do with the SDK's own stack:
//!
//! - **the SDK's configuration of that stack**: the same tungstenite read buffer (4 KiB; at
//!   the 128 KiB default tungstenite zero-fills 128 KiB before every read), the same ureq
//!   buffers, pool and per-phase timeouts, `TCP_NODELAY`, one connection reused for every
//!   call, as the SDK does. The ratio then measures the SDK's own code, not a setting any
//!   user could copy;
//! - **the same result**: where the SDK hands out typed values, the raw side decodes into the
//!   same public types with serde (`Vec<Model>`; realtime tokens as [`Token`]s) and, where the
//!   SDK keeps state for the user (the realtime transcript), keeps the same state, with the
//!   least work a raw user needs (it owns the decoded message, so it moves tokens where the
//!   SDK, which also hands the event to its caller, clones them).
//!
//! The async REST floor is the HTTP/1.1 exchange itself, without surf or a pool: async-h1's
//! client (`async_h1::connect`) over one kept-alive async-std `TcpStream` with `TCP_NODELAY`
//! (a clone of the stream per request, as async-h1 takes it by value), sending the headers
//! the SDK sends (`authorization`, `user-agent`, `accept`), reading the body to its end (so
//! the connection can carry the next request) and decoding it as the other floors do; no
//! timer (async-h1 has no timeouts of its own). The async SDK's surf layer, connection pool,
//! timeout timers and retry bookkeeping are then all in the ratio: they are the SDK's cost
//! over a raw user of the same transport. The async upload floor is the same exchange with
//! the SDK's multipart body of exact length, streamed from disk.
//!
//! The decode is a serde struct of the raw user's own ([`RawResult`]), not the SDK's
//! `decode_message`: the floor must not contain SDK code, or any cost in that code would be
//! in both sides and cancel out. It reads the same fields into the same public [`Token`]
//! type and rejects an error message, which is the work that matters; the SDK's extra
//! leniency (an `error_code` as number or string, the error's type and request id) is SDK
//! overhead the ratio should show.
//!
//! The `*_defaults` variants are the stack out of the box (tungstenite's 128 KiB read buffer
//! and no `TCP_NODELAY`, ureq's 128 KiB buffers and pool of 3 per host; for async REST, what
//! async-h1's own example does: a fresh TCP connection per request, Nagle on): informational
//! figures that show what the SDK's configuration buys (or costs) over a user who does not
//! tune the stack. They are never gated.
//!
//! Kept in step with the SDK by hand (the SDK's settings are private): `src/blocking/transport.rs`
//! (ureq agent), `src/blocking/realtime/ws.rs` (tungstenite), `src/nonblocking/transport.rs`
//! (the headers of an async request) and `src/nonblocking/realtime/ws.rs` (async-tungstenite).

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use serde::de::IgnoredAny;
use serde::Deserialize;
use soniox::core::multipart::Multipart;
use soniox::types::{Model, RealtimeConfig, Token};
use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// The SDK's tungstenite read buffer (`READ_BUFFER_BYTES`, src/blocking/realtime/ws.rs).
pub const SDK_WS_READ_BUFFER: usize = 4 * 1024;
/// The SDK's largest accepted server message (both realtime clients).
pub const SDK_WS_MAX_MESSAGE: usize = 16 << 20;
/// The SDK's ureq input buffer per connection (`INPUT_BUFFER`, src/blocking/transport.rs).
pub const SDK_HTTP_INPUT_BUFFER: usize = 80 * 1024;
/// The SDK's ureq output buffer per connection (`OUTPUT_BUFFER`).
pub const SDK_HTTP_OUTPUT_BUFFER: usize = 32 * 1024;
/// The request timeout the perf clients are built with (also the SDK's default).
pub const SDK_TIMEOUT: Duration = Duration::from_secs(30);
/// The SDK's default connect timeout.
pub const SDK_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The SDK's default idle pool (`max_idle_connections`).
pub const SDK_MAX_IDLE: usize = 20;
/// The SDK's default `User-Agent` (`src/config/mod.rs`), sent by the raw async-h1 floor too.
pub const SDK_USER_AGENT: &str = concat!("soniox-rust/", env!("CARGO_PKG_VERSION"));
/// The async SDK's upload chunk (`CHUNK`, src/nonblocking/transport.rs): the raw async
/// upload reads the file in blocks of this size.
pub const SDK_UPLOAD_CHUNK: usize = 64 * 1024;
/// A bound on every raw blocking read (the SDK side is bounded by its own timeouts).
const READ_GUARD: Duration = Duration::from_secs(10);

/// The realtime configuration every comparison streams with.
pub fn realtime_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

// ---------------------------------------------------------------------------------------
// REST, blocking: ureq.

/// A ureq agent configured as the SDK configures its own (`Transport::new`): statuses as
/// values, `TCP_NODELAY`, per-phase timeouts, an idle pool of `max_idle`, 80 KiB in and
/// 32 KiB out per connection, rustls with the webpki roots (the SDK also pins its own ring
/// provider; unused over the mock's plain HTTP, and built lazily by ureq either way).
pub fn ureq_agent(max_idle: usize) -> ureq::Agent {
    ureq_agent_with(max_idle, ureq::tls::RootCerts::WebPki, None)
}

/// [`ureq_agent`] over TLS to a server whose certificate `ca_pem` signed (the TLS mock): the
/// same agent settings, ureq's own rustls connector with the ring provider (the SDK's
/// provider), trusting that CA alone. What a raw ureq + rustls user writes; the SDK's
/// blocking client runs its own connector over the same rustls, with the same buffers.
pub fn ureq_agent_tls(max_idle: usize, ca_pem: &str) -> Result<ureq::Agent, String> {
    let ca = ureq::tls::Certificate::from_pem(ca_pem.as_bytes()).map_err(|e| format!("the mock's CA: {e}"))?;
    let ring = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(ureq_agent_with(
        max_idle,
        ureq::tls::RootCerts::new_with_certs(&[ca]),
        Some(ring),
    ))
}

fn ureq_agent_with(
    max_idle: usize,
    roots: ureq::tls::RootCerts,
    provider: Option<std::sync::Arc<rustls::crypto::CryptoProvider>>,
) -> ureq::Agent {
    use ureq::tls::{TlsConfig, TlsProvider};
    let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls).root_certs(roots);
    if let Some(provider) = provider {
        tls = tls.unversioned_rustls_crypto_provider(provider);
    }
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .no_delay(true)
        .timeout_connect(Some(SDK_CONNECT_TIMEOUT))
        .timeout_send_request(Some(SDK_TIMEOUT))
        .timeout_send_body(Some(SDK_TIMEOUT))
        .timeout_recv_response(Some(SDK_TIMEOUT))
        .timeout_recv_body(Some(SDK_TIMEOUT))
        .max_idle_connections(max_idle)
        .max_idle_connections_per_host(max_idle)
        .input_buffer_size(SDK_HTTP_INPUT_BUFFER)
        .output_buffer_size(SDK_HTTP_OUTPUT_BUFFER)
        .tls_config(tls.build())
        .build()
        .into()
}

/// ureq out of the box (statuses as values, so that a reply is read the same way).
pub fn ureq_defaults() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// `GET /v1/models`' body, as the SDK's `models().list()` decodes it.
#[derive(Deserialize)]
pub struct Models {
    /// The models.
    pub models: Vec<Model>,
}

/// The raw `models().list()`: the GET, the status checked, the body decoded into the same
/// typed [`Model`]s.
pub fn ureq_models(agent: &ureq::Agent, url: &str, auth: &str) -> Result<Vec<Model>, String> {
    let mut resp = agent
        .get(url)
        .header("authorization", auth)
        .call()
        .map_err(|e| format!("raw ureq: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| format!("raw ureq body: {e}"))?;
    models(status, &body)
}

fn models(status: u16, body: &[u8]) -> Result<Vec<Model>, String> {
    if status != 200 {
        return Err(format!("raw GET /v1/models: status {status}"));
    }
    serde_json::from_slice::<Models>(body)
        .map(|m| m.models)
        .map_err(|e| format!("raw decode: {e}"))
}

/// The raw `files().upload(path)`: the SDK's own multipart framing (head, the file streamed
/// from disk, tail) with an exact `Content-Length`. With `sdk_limits`, the upload has the
/// SDK's per-upload limits (no overall send budget, a stall limit per write).
pub fn ureq_upload(
    agent: &ureq::Agent,
    url: &str,
    auth: &str,
    path: &Path,
    seed: u64,
    sdk_limits: bool,
) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let len = file.metadata().map_err(|e| format!("{}: {e}", path.display()))?.len();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("upload.wav");
    let m = Multipart::new(seed, name, len, &[]);
    let mut body = m.head().chain(file.take(m.file_len())).chain(m.tail());
    let mut req = agent
        .post(url)
        .header("authorization", auth)
        .header("content-type", m.content_type())
        .header("content-length", m.content_length());
    if sdk_limits {
        req = req
            .config()
            .timeout_send_body(None)
            .timeout_per_write(Some(SDK_TIMEOUT))
            .build();
    }
    let mut resp = req
        .send(ureq::SendBody::from_reader(&mut body))
        .map_err(|e| format!("raw upload: {e}"))?;
    let status = resp.status().as_u16();
    let reply = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| format!("raw upload reply: {e}"))?;
    if status != 201 {
        return Err(format!(
            "raw upload: status {status}: {}",
            String::from_utf8_lossy(&reply)
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Realtime: the typed decode and the transcript.

/// A server message as a raw user decodes it: the result fields into the public [`Token`]
/// type, and enough of an error message to refuse it.
#[derive(Deserialize)]
pub struct RawResult {
    /// Final tokens first, then the non-final tail.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// Audio (ms) finalized so far.
    #[serde(default)]
    pub final_audio_proc_ms: Option<u64>,
    /// Audio (ms) processed so far.
    #[serde(default)]
    pub total_audio_proc_ms: Option<u64>,
    /// The last message.
    #[serde(default)]
    pub finished: Option<bool>,
    /// Present on an error message.
    #[serde(default)]
    pub error_code: Option<IgnoredAny>,
    /// Present on an error message.
    #[serde(default)]
    pub error_message: Option<String>,
}

/// The transcript a raw user keeps: the final text and tokens, the current non-final tail,
/// the audio progress; the special tokens (`<end>`, `<fin>`) left out, as the SDK's
/// `RealtimeTranscript` does.
#[derive(Debug, Default)]
pub struct RawTranscript {
    /// Every final token's text.
    pub final_text: String,
    /// Every final token.
    pub final_tokens: Vec<Token>,
    /// The current non-final tail.
    pub non_final: Vec<Token>,
    /// Largest `final_audio_proc_ms` so far.
    pub final_audio_proc_ms: u64,
    /// Largest `total_audio_proc_ms` so far.
    pub total_audio_proc_ms: u64,
    /// The `finished` message arrived.
    pub finished: bool,
    /// Messages applied.
    pub messages: u64,
}

impl RawTranscript {
    /// Decodes one text frame and applies it; an error message (or an undecodable frame)
    /// is an `Err`.
    pub fn apply(&mut self, text: &str) -> Result<(), String> {
        let r: RawResult = serde_json::from_str(text).map_err(|e| format!("raw decode: {e}"))?;
        if r.error_code.is_some() || r.error_message.is_some() {
            return Err(format!("server error: {}", r.error_message.unwrap_or_default()));
        }
        self.messages += 1;
        if let Some(ms) = r.final_audio_proc_ms {
            self.final_audio_proc_ms = self.final_audio_proc_ms.max(ms);
        }
        if let Some(ms) = r.total_audio_proc_ms {
            self.total_audio_proc_ms = self.total_audio_proc_ms.max(ms);
        }
        self.finished |= r.finished == Some(true);
        self.non_final.clear();
        for token in r.tokens {
            if token.text == "<end>" || token.text == "<fin>" {
                continue;
            }
            if token.is_final == Some(true) {
                self.final_text.push_str(&token.text);
                self.final_tokens.push(token);
            } else {
                self.non_final.push(token);
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Realtime, blocking: tungstenite, one thread, a blocking socket.

/// How a raw WebSocket is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ws {
    /// As the SDK's blocking stream: 4 KiB read buffer, 16 MiB message limit, `TCP_NODELAY`.
    Sdk,
    /// tungstenite out of the box (`tungstenite::connect`): 128 KiB read buffer, Nagle on.
    Defaults,
}

/// A raw tungstenite WebSocket to `ws_url` (plain `ws://`), upgraded with `auth` as the
/// `Authorization` header and the start message sent.
pub fn tungstenite_socket(ws_url: &str, auth: &str, setup: Ws) -> Result<WebSocket<TcpStream>, String> {
    let mut req = ws_url.into_client_request().map_err(|e| format!("ws request: {e}"))?;
    let value = auth.parse().map_err(|e| format!("auth header: {e}"))?;
    req.headers_mut().insert("authorization", value);
    let host = req.uri().host().unwrap_or("127.0.0.1").to_owned();
    let port = req.uri().port_u16().unwrap_or(80);
    let tcp = TcpStream::connect((host.as_str(), port)).map_err(|e| format!("raw connect: {e}"))?;
    tcp.set_read_timeout(Some(READ_GUARD))
        .map_err(|e| format!("read timeout: {e}"))?;
    let config = match setup {
        Ws::Sdk => {
            tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
            Some(
                WebSocketConfig::default()
                    .max_message_size(Some(SDK_WS_MAX_MESSAGE))
                    .read_buffer_size(SDK_WS_READ_BUFFER),
            )
        }
        Ws::Defaults => None,
    };
    let (mut ws, _) =
        tungstenite::client::client_with_config(req, tcp, config).map_err(|e| format!("raw handshake: {e}"))?;
    ws.send(start_message()?).map_err(|e| format!("raw start: {e}"))?;
    Ok(ws)
}

/// The start message of [`realtime_config`].
pub fn start_message() -> Result<Message, String> {
    serde_json::to_string(&realtime_config())
        .map(Message::text)
        .map_err(|e| format!("start message: {e}"))
}

/// One raw round trip: the frame sent, the next text message read, decoded and applied.
pub fn tungstenite_trip(
    ws: &mut WebSocket<TcpStream>,
    chunk: &[u8],
    transcript: &mut RawTranscript,
) -> Result<(), String> {
    ws.send(Message::binary(chunk.to_vec()))
        .map_err(|e| format!("raw send: {e}"))?;
    loop {
        match ws.read().map_err(|e| format!("raw read: {e}"))? {
            Message::Text(text) => return transcript.apply(text.as_str()),
            _ => continue,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Async: async-tungstenite on async-std (realtime); raw async-h1 (REST, below).

#[cfg(feature = "async")]
pub use self::nonblocking::*;

#[cfg(feature = "async")]
mod nonblocking {
    use async_tungstenite::tungstenite::client::IntoClientRequest;
    use async_tungstenite::tungstenite::protocol::WebSocketConfig;
    use async_tungstenite::tungstenite::Message;
    use async_tungstenite::WebSocketStream;
    use futures::StreamExt;

    use super::{start_message, RawTranscript, SDK_WS_MAX_MESSAGE};

    /// A raw async-tungstenite WebSocket set up as the SDK's async stream sets up its own
    /// (async-std TCP with `TCP_NODELAY`, tungstenite's default buffers, the 16 MiB message
    /// limit), with the start message sent.
    pub async fn async_socket(ws_url: &str, auth: &str) -> Result<WebSocketStream<async_std::net::TcpStream>, String> {
        let mut req = ws_url.into_client_request().map_err(|e| format!("ws request: {e}"))?;
        let value = auth.parse().map_err(|e| format!("auth header: {e}"))?;
        req.headers_mut().insert("authorization", value);
        let host = req.uri().host().unwrap_or("127.0.0.1").to_owned();
        let port = req.uri().port_u16().unwrap_or(80);
        let tcp = async_std::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("raw async connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let config = WebSocketConfig::default().max_message_size(Some(SDK_WS_MAX_MESSAGE));
        let (mut ws, _) = async_tungstenite::client_async_with_config(req, tcp, Some(config))
            .await
            .map_err(|e| format!("raw async handshake: {e}"))?;
        ws.send(start_message()?)
            .await
            .map_err(|e| format!("raw async start: {e}"))?;
        Ok(ws)
    }

    /// One raw async round trip: the frame sent, the next text message read, decoded and
    /// applied.
    pub async fn async_trip(
        ws: &mut WebSocketStream<async_std::net::TcpStream>,
        chunk: &[u8],
        transcript: &mut RawTranscript,
    ) -> Result<(), String> {
        ws.send(Message::binary(chunk.to_vec()))
            .await
            .map_err(|e| format!("raw async send: {e}"))?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => return transcript.apply(text.as_str()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("raw async read: {e}")),
                None => return Err("the raw async socket closed".into()),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Async REST: raw async-h1 over one kept-alive async-std TCP stream (async-h1 and http-types
// come with the `mock` feature; the futures traits with `async`).

#[cfg(all(feature = "async", feature = "mock"))]
pub use self::h1::*;

#[cfg(all(feature = "async", feature = "mock"))]
mod h1 {
    use std::path::Path;

    use async_std::net::TcpStream;
    use futures::io::{AsyncReadExt, BufReader, Cursor};
    use http_types::{Method, Request};
    use soniox::core::multipart::Multipart;
    use soniox::types::Model;

    use super::{models, SDK_UPLOAD_CHUNK, SDK_USER_AGENT};

    /// A parsed URL, as async-h1's requests take it.
    pub use http_types::Url;

    /// One HTTP/1.1 connection, reused for every request (async-std's `TcpStream` is a
    /// shared handle: async-h1 gets a clone per request).
    #[derive(Debug)]
    pub struct H1Conn {
        stream: TcpStream,
    }

    /// How a raw async-h1 connection is set up.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum H1 {
        /// As the SDK's async client: `TCP_NODELAY`.
        Sdk,
        /// async-std's TCP out of the box: Nagle on.
        Defaults,
    }

    /// `url` parsed once (a raw user keeps the parsed URL of an endpoint it calls again and
    /// again; each request clones it).
    pub fn h1_url(url: &str) -> Result<Url, String> {
        Url::parse(url).map_err(|e| format!("{url:?}: {e}"))
    }

    impl H1Conn {
        /// Opens a plain TCP connection to `url`'s host and port.
        pub async fn open(url: &Url, setup: H1) -> Result<H1Conn, String> {
            let host = url.host_str().ok_or_else(|| format!("{url}: no host"))?;
            let port = url.port_or_known_default().unwrap_or(80);
            let stream = TcpStream::connect((host, port))
                .await
                .map_err(|e| format!("raw async-h1 connect: {e}"))?;
            if setup == H1::Sdk {
                stream.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
            }
            Ok(H1Conn { stream })
        }
    }

    /// A request with the headers every request of the async SDK carries.
    fn request(method: Method, url: &Url, auth: &str) -> Request {
        let mut req = Request::new(method, url.clone());
        req.insert_header("authorization", auth);
        req.insert_header("user-agent", SDK_USER_AGENT);
        req.insert_header("accept", "application/json");
        req
    }

    /// The raw async `models().list()` over `conn`: the GET, the body read to its end (the
    /// connection stays usable), the status checked, the typed decode.
    pub async fn h1_models(conn: &H1Conn, url: &Url, auth: &str) -> Result<Vec<Model>, String> {
        let mut resp = async_h1::connect(conn.stream.clone(), request(Method::Get, url, auth))
            .await
            .map_err(|e| format!("raw async-h1: {e}"))?;
        let status = u16::from(resp.status());
        let body = resp.body_bytes().await.map_err(|e| format!("raw async-h1 body: {e}"))?;
        models(status, &body)
    }

    /// The naive async-h1 `models().list()` (async-h1's own example): a fresh TCP connection
    /// per request, async-std's defaults (Nagle on), closed afterwards.
    pub async fn h1_models_fresh(url: &Url, auth: &str) -> Result<Vec<Model>, String> {
        let conn = H1Conn::open(url, H1::Defaults).await?;
        h1_models(&conn, url, auth).await
    }

    /// The raw async `files().upload(path)` over `conn`: the SDK's own multipart framing
    /// (head, the file streamed from disk in [`SDK_UPLOAD_CHUNK`] reads, tail) as a body of
    /// exact length, so async-h1 sends a `Content-Length` and no chunked encoding; the reply
    /// read to its end.
    pub async fn h1_upload(conn: &H1Conn, url: &Url, auth: &str, path: &Path, seed: u64) -> Result<(), String> {
        let file = async_std::fs::File::open(path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let len = file
            .metadata()
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("upload.wav");
        let m = Multipart::new(seed, name, len, &[]);
        let body = Cursor::new(m.head().to_vec())
            .chain(file.take(m.file_len()))
            .chain(Cursor::new(m.tail().to_vec()));
        let length = usize::try_from(m.content_length()).map_err(|_| "the upload is too large".to_owned())?;
        let mut req = request(Method::Post, url, auth);
        req.insert_header("content-type", m.content_type().as_str());
        req.set_body(http_types::Body::from_reader(
            BufReader::with_capacity(SDK_UPLOAD_CHUNK, body),
            Some(length),
        ));
        let mut resp = async_h1::connect(conn.stream.clone(), req)
            .await
            .map_err(|e| format!("raw async-h1 upload: {e}"))?;
        let status = u16::from(resp.status());
        let reply = resp
            .body_bytes()
            .await
            .map_err(|e| format!("raw async-h1 upload reply: {e}"))?;
        if status != 201 {
            return Err(format!(
                "raw async-h1 upload: status {status}: {}",
                String::from_utf8_lossy(&reply)
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_transcript_keeps_what_the_sdk_keeps() {
        let mut t = RawTranscript::default();
        t.apply(r#"{"tokens":[{"text":"He","is_final":true},{"text":"l","is_final":false}],"final_audio_proc_ms":10,"total_audio_proc_ms":20}"#)
            .unwrap();
        t.apply(r#"{"tokens":[{"text":"llo","is_final":true},{"text":"<end>","is_final":true},{"text":" w"}],"total_audio_proc_ms":30}"#)
            .unwrap();
        assert_eq!(t.final_text, "Hello");
        assert_eq!(t.final_tokens.len(), 2);
        assert_eq!(t.non_final.len(), 1, "the tail is replaced, the special token dropped");
        assert_eq!((t.final_audio_proc_ms, t.total_audio_proc_ms, t.messages), (10, 30, 2));
        assert!(!t.finished);
        t.apply(r#"{"tokens":[],"finished":true}"#).unwrap();
        assert!(t.finished && t.non_final.is_empty());
    }

    #[test]
    fn the_raw_decode_refuses_errors_and_garbage() {
        let mut t = RawTranscript::default();
        let e = t.apply(r#"{"error_code":401,"error_message":"Bad key"}"#).unwrap_err();
        assert!(e.contains("Bad key"), "{e}");
        assert!(t.apply(r#"{"error_code":"503"}"#).is_err());
        assert!(t.apply("not json").is_err());
        assert_eq!(t.messages, 0);
    }

    #[test]
    fn the_models_decode_checks_the_status() {
        assert!(models(500, b"{}").is_err());
        assert_eq!(models(200, br#"{"models":[]}"#).unwrap().len(), 0);
        assert!(models(200, b"[]").is_err());
    }
}
