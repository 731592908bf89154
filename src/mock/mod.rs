//! A faithful local mock of the Soniox REST API and realtime WebSocket.
//!
//! [`MockServer`] serves every `/v1` route of `soniox-api.md` and the realtime endpoint
//! `/transcribe-websocket` (same port, [`MockServer::ws_url`]) on a loopback port from a
//! background async-std executor, so it is usable from plain synchronous `#[test]`s and from
//! any HTTP or WebSocket client, this crate's or a third party's. It keeps files and jobs in memory
//! (uploaded content is only counted and checksummed, never stored), drives jobs through
//! `queued → processing → completed | error` per [`JobTiming`], produces deterministic
//! transcripts ([`transcript_text`]), counts what it sees ([`MockStats`]) and injects
//! [`Fault`]s on demand.
//!
//! ```
//! use soniox::mock::{Fault, FaultAction, MockServer};
//!
//! let mock = MockServer::start();
//! let url = format!("{}/v1/models", mock.base_url()); // http://127.0.0.1:PORT/v1/models
//! // ... point a client at `mock.base_url()` with `mock.api_key()` ...
//! mock.add_fault(
//!     Fault::new(FaultAction::Status { status: 503, retry_after: Some("1".into()) })
//!         .on("GET", "/v1/models")
//!         .times(1),
//! );
//! assert_eq!(mock.stats().requests, 0);
//! # let _ = url;
//! mock.shutdown();
//! ```
//!
//! Behaviour worth knowing:
//! * A job fails (`status: "error"`, `invalid_audio_file`) when its file's content is no known
//!   audio container (decided from the first bytes: RIFF/WAVE, AIFF, FLAC, Ogg, MP3, AAC,
//!   MP4/M4A, WebM/Matroska, ASF, AMR; see [`MockFile::container`]) or its name contains
//!   `corrupt`; a job from an `audio_url` containing `unreachable` fails with
//!   `file_download_error`.
//! * Audio duration comes from the WAV header of an upload, else `size / 32` ms (16 kHz
//!   16-bit mono); jobs from a URL get a deterministic 5–65 s derived from the URL.
//! * Integer fields of JSON bodies are read as the API's validation (pydantic, lax mode) reads
//!   them: `189`, `189.0` and `"189"` are the same; `189.5` is `int_from_float`.
//! * Every HTTP method gets an answer: one no route serves (`PUT`, or one async-h1 cannot even
//!   parse, such as `QUERY`) gets `405 method_not_allowed` with the error body.
//! * Temporary keys minted by `POST /v1/auth/temporary-api-key` are refused on REST (401).
//! * Realtime (`/transcribe-websocket`): the upgrade may be the first request on its
//!   connection or follow REST requests on a kept-alive one. The key comes from
//!   `Authorization: Bearer`, the `soniox-api-key` sub-protocol (selected in the response) or
//!   the start message's `api_key`; regular keys and unexpired, unused (if single-use)
//!   `transcribe_websocket` temporary keys are accepted.
//!   - A bad key offered with the upgrade refuses the upgrade with HTTP `401` and the API's
//!     JSON error body: no socket opens ([`MockConfig::ws_refuse_bad_header_key`] switches to
//!     an in-band `401` after the start message instead).
//!   - Other refusals are in-band, answering the start message: an error message
//!     (`{"tokens": [], "error_code", "error_type", "error_message", "more_info",
//!     "request_id"}`) then a close frame with code 1000 (401 for a bad or missing key in the
//!     start message; 429 beyond [`MockConfig::max_concurrent_streams`]; 400
//!     `model_not_available` / `invalid_request`; 408 after [`MockConfig::ws_idle_timeout`]
//!     without audio or keepalive).
//!   - Every close the server starts is graceful: the last message, a close frame, then the
//!     client's audio is read and discarded until its close frame (at most 2 s) before the
//!     TCP connection is shut, so no client gets a reset instead of the last message. Only the
//!     deliberate faults (`WsDropAfter`, `DropConnection`, a stall) close abruptly.
//! * Each audio frame gets one result message: the transcript words of [`transcript_text`]
//!   (one per 480 ms of audio), non-final while fresh, final (once) when 480 ms of audio follow
//!   their end. `finalize` answers with every pending word final plus `<fin>`; with endpoint
//!   detection an `<end>` follows every 8th final word; the empty frame (binary or text) gets
//!   the remaining words final with `finished: true` and `final_audio_proc_ms ==
//!   total_audio_proc_ms` (the books are closed), then a close (1000). Raw PCM is timed by
//!   its declared format, `auto`/`wav` by the WAV header, other containers at 32 000 bytes/s.
//! * Faults are matched (method, path prefix) before routing and authentication, in insertion
//!   order; `Latency` faults add up and let the request go on, the first other fault decides.
//!   A realtime connection is matched once, as `GET /transcribe-websocket`, before the upgrade:
//!   `Status`/`StatusAfterProcessing` answer the upgrade with that HTTP error, `DropConnection`
//!   and `TruncatedBody` close it unanswered, `Hang` holds it, `MalformedBody` replaces the
//!   session's first message by a non-JSON text frame, and the `Ws*` faults act on the session
//!   (on REST routes they do nothing). `TrickleBody` and `NonAsciiHeader` do nothing on the
//!   realtime endpoint; `TruncatedJson` closes the upgrade unanswered.
//! * [`MockServer::request_log`] timestamps every request with the fault it got, and
//!   [`MockServer::restart`] brings the server back on the same port (stale pooled connections).
//! * TLS: [`MockServer::start_tls`] (or [`MockConfig::tls`] with a [`MockTls`]) serves the same
//!   API as https and wss, with a CA and a leaf certificate made at start (rcgen, ring); a
//!   client trusts [`MockServer::ca_pem`]. [`MockTls`] makes the leaves a client must refuse:
//!   one for another host name, an expired one. Failed handshakes are counted
//!   ([`MockStats::tls_handshake_failures`]), and a connection that fails its handshake never
//!   reaches the router.
//! * Proxies: [`ConnectProxy`] is a loopback HTTP `CONNECT` proxy (optionally demanding Basic
//!   credentials, `407` otherwise) that counts its tunnels and the bytes it relays, for
//!   testing clients behind a proxy; [`RequestRecord::host`] shows the `Host` header each
//!   request came with.
//!

mod config;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod models;
mod net;
mod realtime;
mod speech;
mod state;
mod transcript;
mod tts_models;
mod util;

pub use config::{JobTiming, MockConfig};
pub use faults::{Fault, FaultAction};
pub use net::proxy::{ConnectProxy, ConnectRecord, ProxyStats};
pub use net::tls::MockTls;
pub use state::checksum::{checksum, Checksum};
pub use state::log::{RequestRecord, ResponseRecord};
pub use state::stats::MockStats;
pub use state::{MockFile, MockJob};
pub use transcript::transcript_text;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::server;
use net::listen::{self, AcceptLoop};
use net::tls;
use state::shared::Shared;

/// A running mock Soniox server on a loopback port; shuts down when dropped.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    tts_addr: SocketAddr,
    shared: Arc<Shared>,
    accepting: AcceptLoop,
    tts_accepting: AcceptLoop,
}

impl MockServer {
    /// Starts a server with [`MockConfig::default`] on `127.0.0.1` and an ephemeral port.
    ///
    /// # Panics
    /// When the port cannot be bound.
    pub fn start() -> MockServer {
        MockServer::start_with(MockConfig::default())
            .unwrap_or_else(|e| panic!("soniox mock: cannot bind 127.0.0.1:0: {e}"))
    }

    /// Starts a server over TLS (https and wss) with [`MockConfig::default`] and
    /// [`MockTls::new`]: a fresh CA ([`ca_pem`](Self::ca_pem)) and a leaf for `localhost`
    /// and `127.0.0.1`, on `127.0.0.1` and an ephemeral port.
    ///
    /// ```
    /// # #[cfg(feature = "blocking")] {
    /// let mock = soniox::mock::MockServer::start_tls();
    /// let client = soniox::blocking::Client::builder()
    ///     .api_key(mock.api_key())
    ///     .base_url(mock.base_url()) // https://127.0.0.1:PORT
    ///     .ws_url(mock.ws_url())     // wss://127.0.0.1:PORT/transcribe-websocket
    ///     .add_root_certificates_pem(mock.ca_pem())
    ///     .build()?;
    /// assert!(!client.models().list()?.is_empty());
    /// # }
    /// # Ok::<(), soniox::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the port cannot be bound.
    pub fn start_tls() -> MockServer {
        MockServer::start_with(MockConfig::default().tls(MockTls::new()))
            .unwrap_or_else(|e| panic!("soniox mock: cannot start over TLS on 127.0.0.1:0: {e}"))
    }

    /// Starts a server with `config`, bound to `config.addr` (over TLS when `config.tls`
    /// is set).
    pub fn start_with(config: MockConfig) -> io::Result<MockServer> {
        let identity = match &config.tls {
            Some(tls) => Some(Arc::new(tls::Identity::generate(tls)?)),
            None => None,
        };
        MockServer::start_inner(config, identity)
    }

    fn start_inner(config: MockConfig, identity: Option<Arc<tls::Identity>>) -> io::Result<MockServer> {
        let (listener, addr) = listen::bind(config.addr)?;
        let (stop, stop_rx) = async_std::channel::bounded(1);
        let mut shared = Shared::new(config, stop_rx.clone());
        shared.tls = identity;
        let shared = Arc::new(shared);
        let accepting = AcceptLoop::spawn(listener, stop, stop_rx.clone(), "soniox mock", {
            let shared = shared.clone();
            move |tcp| server::accept(&shared, tcp)
        });
        // The text-to-speech host: the same address, a port of its own.
        let (tts_listener, tts_addr) = listen::bind(SocketAddr::new(addr.ip(), 0))?;
        let (tts_stop, tts_stop_rx) = async_std::channel::bounded(1);
        let tts_accepting = AcceptLoop::spawn(tts_listener, tts_stop, tts_stop_rx, "soniox mock (tts)", {
            let shared = shared.clone();
            move |tcp| speech::accept(&shared, tcp)
        });
        Ok(MockServer {
            addr,
            tts_addr,
            shared,
            accepting,
            tts_accepting,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` on a TLS mock): the REST base URL (clients
    /// append `/v1/...`).
    pub fn base_url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://{}", self.public_addr())
    }

    /// `ws://127.0.0.1:PORT/transcribe-websocket` (`wss://` on a TLS mock): the realtime URL.
    pub fn ws_url(&self) -> String {
        let scheme = if self.is_tls() { "wss" } else { "ws" };
        format!("{scheme}://{}/transcribe-websocket", self.public_addr())
    }

    /// `http://127.0.0.1:PORT2` (`https://` on a TLS mock): the text-to-speech REST base URL
    /// (`POST /tts`), on a port of its own, as the service has a host of its own.
    pub fn tts_url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://{}", reachable(self.tts_addr))
    }

    /// Whether this server speaks TLS (started with [`start_tls`](Self::start_tls) or
    /// [`MockConfig::tls`]).
    pub fn is_tls(&self) -> bool {
        self.shared.tls.is_some()
    }

    /// The PEM of the CA that signed this TLS server's certificate: what a client adds to
    /// its trusted roots (`ConfigBuilder::add_root_certificates_pem`, `curl --cacert`,
    /// Python `requests`' `verify=`). Made at start; kept by [`restart`](Self::restart).
    ///
    /// # Panics
    /// When the server serves plain HTTP (see [`is_tls`](Self::is_tls)).
    pub fn ca_pem(&self) -> String {
        match &self.shared.tls {
            Some(identity) => identity.ca_pem.clone(),
            None => panic!("soniox mock: ca_pem() on a plain-HTTP server (start it with start_tls or MockConfig::tls)"),
        }
    }

    /// The first accepted API key.
    pub fn api_key(&self) -> String {
        self.shared.config.api_keys.first().cloned().unwrap_or_default()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> MockStats {
        self.shared.stats.snapshot()
    }

    /// Zeroes the counters (open-connection and open-upload gauges stay as they are).
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// Installs a fault; faults are checked in insertion order.
    pub fn add_fault(&self, fault: Fault) {
        self.shared.faults.add(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Every request answered so far (at most the last 100 000), in arrival order, with when
    /// the mock answered it and the fault applied. Lets a test prove the order and spacing of
    /// retries, e.g. that a retry came at least `Retry-After` after the refusal.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }

    /// Empties the request log.
    pub fn clear_request_log(&self) {
        self.shared.log.clear();
    }

    /// The REST responses written so far (at most the last 10 000), in the order they were
    /// written, when the server was started with
    /// [`MockConfig::record_responses`]; empty otherwise. Lets a test check the exact bytes a
    /// client was given, e.g. against the official OpenAPI schemas.
    ///
    /// ```
    /// use soniox::mock::{MockConfig, MockServer};
    /// let mock = MockServer::start_with(MockConfig::default().record_responses(true)).unwrap();
    /// // ... requests ...
    /// for r in mock.response_log() {
    ///     println!("{} {} -> {} ({} bytes)", r.method, r.path, r.status, r.body.len());
    /// }
    /// ```
    pub fn response_log(&self) -> Vec<ResponseRecord> {
        self.shared.responses.snapshot()
    }

    /// Empties the response log.
    pub fn clear_response_log(&self) {
        self.shared.responses.clear();
    }

    /// Shuts this server down (closing every open connection, so clients' pooled connections
    /// go stale) and starts a fresh one on the same address with the same configuration. The
    /// new server starts empty: no files, jobs, faults, stats or log. Binding is retried for up
    /// to 2 s while the port is still held by the old listener. A TLS server keeps its
    /// certificates (and so its [`ca_pem`](Self::ca_pem)).
    pub fn restart(self) -> io::Result<MockServer> {
        let config = self.shared.config.clone().addr(self.addr);
        let identity = self.shared.tls.clone();
        drop(self);
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match MockServer::start_inner(config.clone(), identity.clone()) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    /// The files stored now, in upload order.
    pub fn files(&self) -> Vec<MockFile> {
        let files = self.shared.state.files();
        files.iter().map(|f| f.file.clone()).collect()
    }

    /// The transcription jobs stored now, in creation order, with their current status.
    pub fn transcriptions(&self) -> Vec<MockJob> {
        let now = Instant::now();
        let timing = self.shared.config.job_timing;
        let jobs = self.shared.state.jobs();
        jobs.store
            .iter()
            .map(|j| MockJob {
                id: j.id.clone(),
                status: j.status(timing, now).as_str().to_string(),
                file_id: j.file_id.clone(),
                audio_url: j.audio_url.clone(),
                model: j.model.clone(),
            })
            .collect()
    }

    /// Stops accepting, closes the listener and every open connection.
    pub fn shutdown(self) {
        drop(self);
    }

    fn public_addr(&self) -> SocketAddr {
        reachable(self.addr)
    }
}

/// A bound address a client can connect to: loopback for an unspecified (`0.0.0.0`) one.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
    } else {
        addr
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // Closing the channel wakes the accept loop (and any hanging fault) at once.
        self.accepting.stop();
        self.tts_accepting.stop();
        self.shared.close_connections();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::MockServer>();
    }
}
