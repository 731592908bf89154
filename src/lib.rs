//! # soniox — the Rust SDK for the Soniox speech API
//!
//! Blocking and async clients over one sans-IO core: speech-to-text (files,
//! transcriptions, models, temporary keys, realtime streaming), text-to-speech over REST
//! with its models and shared voices, and a faithful mock Soniox server for your tests.
//!
//! ## Quick start (blocking)
//!
//! ```no_run
//! use soniox::blocking::Client;
//! use soniox::types::Transcribe;
//!
//! let client = Client::from_env()?; // SONIOX_API_KEY
//! let done = client.transcribe(Transcribe::path("meeting.wav"))?; // upload, wait, fetch, clean up
//! println!("{}", done.transcript.text);
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! ## Quick start (async, any executor; feature `async`)
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # async fn run() -> soniox::Result<()> {
//! let client = soniox::nonblocking::Client::from_env()?;
//! let done = client.transcribe(soniox::types::Transcribe::path("meeting.wav")).await?;
//! println!("{}", done.transcript.text);
//! # Ok(()) }
//! ```
//!
//! ## Realtime (blocking; the async stream has the same methods)
//!
//! ```no_run
//! use soniox::blocking::{Client, Pace};
//! use soniox::types::RealtimeConfig;
//!
//! let client = Client::from_env()?;
//! let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))?;
//! stream.send_file("call.raw", 3_200, Pace::RealTime { bytes_per_second: 32_000 })?;
//! stream.finish()?; // end of audio, then wait for `finished`
//! println!("{}", stream.transcript().final_text());
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! ## Testing against the mock server (feature `mock`)
//!
//! ```
//! # #[cfg(all(feature = "mock", feature = "blocking"))] {
//! let mock = soniox::mock::MockServer::start();
//! let client = soniox::blocking::Client::builder()
//!     .api_key(mock.api_key())
//!     .base_url(mock.base_url())
//!     .build()?;
//! assert!(client.models().list()?.iter().any(|m| m.id == "stt-async-v5"));
//! assert_eq!(mock.stats().route("GET /v1/models"), 1);
//! # }
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! ## TLS and trust
//!
//! Both clients speak TLS through rustls with the ring provider, and one
//! [`ConfigBuilder`] setting decides trust for everything a client opens: REST and the
//! realtime WebSocket, blocking and async alike. By default the Mozilla roots bundled into
//! the binary are trusted ([`TlsRoots::Bundled`]); [`ConfigBuilder::tls_roots`] adds or
//! swaps in the operating system's store ([`TlsRoots::Os`], [`TlsRoots::BundledAndOs`]),
//! and [`ConfigBuilder::add_root_certificates_pem`] (any number of times) or
//! `SONIOX_CA_FILE` (read by [`Config::from_env`], see [`config::CA_FILE_VAR`]) add a
//! private or corporate CA. A bad PEM is [`Error::InvalidArgument`] from `build()`; a
//! certificate the client refuses is an [`Error::Transport`] whose message says what was
//! wrong and whose [`error::TransportError::is_certificate_error`] is true (never retried).
//!
//! ```no_run
//! use soniox::TlsRoots;
//! let client = soniox::blocking::Client::builder()
//!     .api_key("...")
//!     .tls_roots(TlsRoots::BundledAndOs)                 // a TLS-inspecting proxy's CA from the OS
//!     .add_root_certificates_pem(std::fs::read("corp-ca.pem")?) // and/or a CA of your own
//!     .build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The mock serves https and wss too ([`mock::MockServer::start_tls`], its CA from
//! [`mock::MockServer::ca_pem`]).
//!
//! ## Proxies
//!
//! [`ConfigBuilder::proxy`] sends REST and realtime, in both clients, through an HTTP
//! `CONNECT` proxy (`http://[user:password@]host:port`; TLS runs inside the tunnel, end to
//! end), except the hosts of [`ConfigBuilder::no_proxy`]; [`Config::from_env`] reads
//! `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` ([`ConfigBuilder::proxy_from_env`]). The
//! rules live once: which proxy and `NO_PROXY` in [`config::proxy`], the `CONNECT`
//! exchange in [`core::proxy`]. Proxy credentials never appear in `Debug` output or
//! errors; a proxy that is down or refuses the tunnel (`407` for credentials) is
//! [`Error::Proxy`]. The mock ships a loopback proxy for tests (`mock::ConnectProxy`).
//!
//! ```no_run
//! let client = soniox::blocking::Client::builder()
//!     .api_key("...")
//!     .proxy("http://proxy.corp:3128")
//!     .no_proxy("localhost, 127.0.0.1, .internal.corp")
//!     .build()?;
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! ## Features
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `blocking` | yes | [`blocking::Client`]: ureq (REST), tungstenite + `poll(2)` via rustix (realtime), rustls with ring, crossbeam |
//! | `async` | no | `nonblocking::Client`, pure Rust: surf over our own HTTP/1.1 backend (ureq-proto, async-io sockets, futures-rustls), an async connection limit; spawns no task; futures traits only |
//! | `mock` | no | [`mock::MockServer`] and the `soniox-mock` binary (async-std + async-h1 + async-tungstenite) |
//! | `load` | no | the `soniox-load` load generator and the `soniox-perf` report (both clients, the mock; clap, hdrhistogram) |
//! | `cli` | no | the `soniox` command-line tool (blocking client, the mock for `--mock`; clap, indicatif, ctrlc) |
//!
//! With no features at all, the crate is the sans-IO [`core`] plus [`types`]: drive it
//! with any HTTP stack.
//!
//! ## Modules
//!
//! - [`config`]: [`Config`], its builder and validation, and the rules for its values:
//!   [`config::url`] (base URLs), [`config::proxy`] (proxy URLs, `NO_PROXY`) and
//!   [`config::time`] (a very large limit means none); the API key is redacted everywhere.
//! - [`error`]: [`Error`], shared by every client: API errors with `error_type` and
//!   `request_id`, transport and proxy errors, timeouts, decode errors that keep the raw body.
//! - [`types`]: request and response models, and the policies a client is configured with
//!   (retry, wait), shared by every client.
//! - [`core`]: the sans-IO API, public for any driver (ours are two of them): request
//!   builders, response classification, retry/backoff, polling, pagination, multipart
//!   framing, the realtime session, the one-call `transcribe` flow, the proxy `CONNECT`
//!   exchange. No sockets, threads, sleeps, clocks or feature gates.
//! - [`blocking`]: the blocking client (feature `blocking`).
//! - `nonblocking`: the async client (feature `async`), same names with `.await`.
//! - [`mock`]: the mock Soniox server (feature `mock`).
//! - [`audio`]: WAV and PCM test-audio generation.
//! - [`webhook`]: webhook payloads and their auth header, checked in constant time.
//! - [`subtitles`]: SRT, WebVTT, plain text and JSON from transcript tokens.
//!
//! Layers, each importing only those below it: `blocking`/`nonblocking` → the crate-private
//! driver support (`driver`) → `core` → `config` → `types` → `error` (and `audio`,
//! `subtitles`, `webhook` beside them).
//!
//! ## Where each rule lives
//!
//! Both clients run the same rules; each is written once, and the clients keep only what
//! differs by `async`/`.await` (their loops, sleeps and I/O):
//!
//! | rule | home |
//! |---|---|
//! | what a request looks like, what a response means | `core::{files, transcriptions, models, auth, http}` (`build_*`/`parse_*`) |
//! | when to retry, how long to wait ([`RetryPolicy`], `Retry-After`) | [`core::retry::Retry`]; the step after each attempt: `driver::attempt` |
//! | polling a job; `wait`'s cancellation hook | [`core::poller::TranscriptionWait`], [`WaitOptions::cancel_if`] |
//! | `poll_until_complete`'s schedule and verdict | [`core::poller::Poller`] (`handle_status`, `timed_out`) |
//! | `transcribe`: the steps, the cleanup after an error or a cancel, a job still processing | [`core::transcribe::TranscribeFlow`], [`core::transcribe::JobDelete`] |
//! | pages and cursors | [`core::paginator::Paginator`]; each client's `List` shell |
//! | an upload's framing, size and name | [`core::multipart`], [`core::files::build_upload_with`], [`core::files::local_upload`] |
//! | the realtime protocol (start, keepalive, finalize, end) | [`core::realtime::RealtimeSession`] |
//! | realtime pacing | [`core::realtime::Pace`] |
//! | realtime upgrade request, its refusal, the stream's defaults, counters, span and last event | `driver::{ws_upgrade, realtime}` |
//! | what a client holds (config, TLS, seeds for jitter and boundaries) | `driver::attempt::{Common, Seeds}` |
//! | TLS roots and the rustls config | `driver::tls` (from [`TlsRoots`]) |
//! | which proxy, `NO_PROXY` | [`config::proxy::Proxies::for_target`] |
//! | the `CONNECT` exchange and its errors | [`core::proxy::ConnectTunnel`], `driver::proxy` |
//! | text-to-speech: the request, reading the response (trailers included) | [`core::speech`] (`build_generate`, `SpeechReader`) |
//! | text-to-speech: where it goes, the request bytes, no retry after audio, the partial file | `driver::speech` |
//! | a very large time limit means none | [`config::time`] |
//! | the `Authorization: Bearer` header, a key never printed | [`ApiKey`] (`types::api_key`) |
//! | the `soniox.request` span | `driver::observe` |
//!
//! ## Logging
//!
//! The crate logs through [`tracing`](https://docs.rs/tracing) alone (spans below, and
//! `debug`/`warn` events). An application that uses the `log` crate instead gets the events
//! by enabling `tracing`'s `log` feature in its own `Cargo.toml`.
//!
//! ## Observability
//!
//! The clients emit [`tracing`](https://docs.rs/tracing) spans (the `tracing` crate with
//! `default-features = false`, features `std` + `attributes`; the library installs no
//! subscriber, so without one they cost next to nothing):
//!
//! | span | where | fields |
//! |---|---|---|
//! | `soniox.request` (INFO) | one per HTTP attempt, both clients | `method`, `route` (the template, e.g. `/v1/files/{id}`: ids are not in it), `attempt` (from 1), then when known `status`, `request_id` (`x-request-id`, else an error body's `request_id`), `duration_ms`, `error` (the [`Error`] variant: `timeout`, `transport`, ...) |
//! | `soniox.realtime` (INFO) | one per realtime session, both clients | `model`; at the end `audio_bytes`, `messages`, `phase`, with a DEBUG event `realtime session ended` |
//!
//! Inside them: an INFO event `retrying` (`delay_ms`) when the retry table decides to try
//! again, `attempt failed` / `error response` at INFO, `response` at DEBUG. No field ever
//! holds a key, a header value or a body (tested by `tests/secrets.rs` at TRACE level).
//!
//! [`webhook`] parses webhook deliveries and checks their auth header in constant time.
//!
//! ## Reliability in one paragraph
//!
//! Retries follow one table ([`core::retry`]): 408/429/503 are retried for every
//! method honouring `Retry-After`; 500/502/504 and lost connections only for GET and
//! DELETE, so a POST that may have been processed is never repeated (no duplicate jobs).
//! Bad input fails with [`Error::InvalidArgument`] or [`Error::Io`] before any request
//! is sent; a malformed reply is [`Error::Decode`], never a panic. No setting panics
//! either: an extreme value is refused with [`Error::InvalidArgument`] or saturates, and a
//! time limit of [`config::time::NO_LIMIT`] or more (`Duration::MAX`) means no limit, by one
//! rule for both clients ([`config::time`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod audio;
pub mod config;
pub mod core;
#[cfg(any(feature = "blocking", feature = "async"))]
mod driver;
pub mod error;
pub mod subtitles;
pub mod types;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "async")]
pub mod nonblocking;
pub mod webhook;

pub use crate::config::{ApiKey, Config, ConfigBuilder, TlsRoots};
pub use crate::core::poller::{PollPolicy, WaitOptions};
pub use crate::error::{ApiError, Error, ProxyError, RealtimeError, Result};
pub use crate::types::retry::RetryPolicy;
