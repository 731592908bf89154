//! The scenarios: each measures the SDK next to the fair raw floor of the same stack in the
//! same run, against the mock child process, and returns its metrics. The floors live in
//! [`floors`] (shared with the benches): the SDK's own settings of the stack, the same typed
//! decode; the stack out of the box runs in the same rounds as the informational "raw,
//! defaults" figure.
//!
//! | scenario | SDK | fair raw floor |
//! |---|---|---|
//! | `construction` | `Client::builder()..build()` (both clients) | a ureq agent with the SDK's settings / (async) the blocking client |
//! | `rest` | `models().list()` (both clients) | ureq with the SDK's settings / async-h1 over one kept-alive TCP stream with `TCP_NODELAY`: GET + the same typed decode; the async rounds also run the blocking client |
//! | `upload` | `files().upload(path)` (both clients) | the SDK's multipart framing streamed by ureq with the SDK's settings / by async-h1 over one kept-alive TCP stream |
//! | `realtime` | `send_audio` + read until the result (both clients) | tungstenite (4 KiB read buffer) / async-tungstenite: typed decode + transcript |
//! | `heap` | 1000 `models().list()` | — |
//! | `concurrency` | 100 concurrent `models().list()` over 20 connections | — |
//! | `tls` | over https (a second mock child serving TLS): `models().list()` (both clients) and `files().upload(path)` (blocking) | a ureq agent with the SDK's settings and rustls (ring) trusting the mock's CA: the same GET and decode / the same streamed multipart body; the async client's calls in the same rounds, beside the blocking client's |

mod concurrency;
mod construction;
pub mod floors;
mod heap;
pub mod realtime;
mod rest;
mod tls;
mod upload;

use std::time::Duration;

use crate::metric::Metric;
use crate::mock_proc::{MockProcess, API_KEY};

/// How much each scenario does.
#[derive(Clone, Debug)]
pub struct Plan {
    /// `quick` or `full`.
    pub mode: &'static str,
    /// Interleaved rounds and operations per batch for REST comparisons.
    pub rest: (usize, usize),
    /// The same for realtime round trips.
    pub realtime: (usize, usize),
    /// The same for paced realtime round trips (an idle millisecond before each).
    pub realtime_paced: (usize, usize),
    /// The same for client construction (blocking; the async client builds 1/5 as many).
    pub construction: (usize, usize),
    /// Size of the large upload, bytes.
    pub upload_bytes: u64,
    /// Interleaved rounds of the large upload.
    pub upload_rounds: usize,
    /// Size of the large upload over TLS (the `tls` scenario), bytes.
    pub tls_upload_bytes: u64,
    /// Requests of the heap-growth check.
    pub leak_requests: usize,
    /// Time budget of one comparison (at least 3 rounds always run).
    pub budget: Duration,
}

impl Plan {
    /// `--quick`: about half a minute of measuring.
    pub fn quick() -> Plan {
        Plan {
            mode: "quick",
            rest: (40, 50),
            realtime: (40, 200),
            realtime_paced: (10, 50),
            construction: (10, 50),
            upload_bytes: 10_000_000,
            upload_rounds: 9,
            tls_upload_bytes: 20_000_000,
            leak_requests: 1000,
            budget: Duration::from_secs(10),
        }
    }

    /// The default: a few minutes.
    pub fn full() -> Plan {
        Plan {
            mode: "full",
            rest: (100, 100),
            realtime: (100, 500),
            realtime_paced: (20, 100),
            construction: (30, 100),
            upload_bytes: 100_000_000,
            upload_rounds: 7,
            tls_upload_bytes: 100_000_000,
            leak_requests: 1000,
            budget: Duration::from_secs(60),
        }
    }
}

/// A scenario: runs against the mock child process.
pub type Scenario = fn(&Plan, &mut MockProcess) -> Result<Vec<Metric>, String>;

/// Every scenario, in report order.
pub const ALL: [(&str, Scenario); 7] = [
    ("construction", construction::run),
    ("rest", rest::run),
    ("upload", upload::run),
    ("realtime", realtime::run),
    ("heap", heap::run),
    ("concurrency", concurrency::run),
    ("tls", tls::run),
];

/// A blocking client for the mock (trusting its CA when it serves TLS).
fn blocking(mock: &MockProcess, max_connections: usize) -> Result<soniox::blocking::Client, String> {
    let mut builder = soniox::blocking::Client::builder()
        .api_key(API_KEY)
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .timeout(Duration::from_secs(30))
        .max_connections(max_connections);
    if let Some(pem) = mock.ca_pem() {
        builder = builder.add_root_certificates_pem(pem);
    }
    builder.build().map_err(|e| format!("blocking client: {e}"))
}

/// An async client for the mock (trusting its CA when it serves TLS).
fn nonblocking(mock: &MockProcess, max_connections: usize) -> Result<soniox::nonblocking::Client, String> {
    let mut builder = soniox::nonblocking::Client::builder()
        .api_key(API_KEY)
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .timeout(Duration::from_secs(30))
        .max_connections(max_connections);
    if let Some(pem) = mock.ca_pem() {
        builder = builder.add_root_certificates_pem(pem);
    }
    builder.build().map_err(|e| format!("async client: {e}"))
}

/// `Bearer KEY` for the raw baselines.
fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

/// Formats an SDK error for a scenario failure.
fn sdk(what: &str) -> impl Fn(soniox::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}
