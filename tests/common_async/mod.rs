//! Shared helpers for the async integration tests: a mock server, a client pointed at it,
//! and the executors the suite runs under.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use soniox::audio::{write_wav_file, WavSpec};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::nonblocking::Client;
use soniox::{ConfigBuilder, RetryPolicy, WaitOptions};

/// Runs a test body under async-std's executor (the whole suite runs there).
pub fn run<T>(fut: impl Future<Output = T>) -> T {
    async_std::task::block_on(fut)
}

/// A mock whose jobs finish after a few polls (no timing involved).
pub fn mock() -> MockServer {
    MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    }))
    .expect("mock server starts")
}

/// A client for the mock, with fast, deterministic retries.
pub fn client(mock: &MockServer) -> Client {
    client_with(mock, |b| b)
}

/// A client for the mock with extra settings.
pub fn client_with(mock: &MockServer, f: impl FnOnce(ConfigBuilder<Client>) -> ConfigBuilder<Client>) -> Client {
    let b = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(10))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)));
    f(b).build().expect("client builds")
}

/// Polls quickly.
pub fn fast_wait() -> WaitOptions {
    WaitOptions::default()
        .interval(Duration::from_millis(2))
        .growth(1.0)
        .timeout(Some(Duration::from_secs(30)))
}

/// Writes a WAV of `secs` seconds into `dir`.
pub fn wav(dir: &Path, name: &str, secs: u64) -> PathBuf {
    let p = dir.join(name);
    write_wav_file(&p, WavSpec::default(), Duration::from_secs(secs)).expect("wav written");
    p
}

/// Compiles only if the future is `Send` (and so can be spawned on a work-stealing executor).
pub fn assert_send<F: Future + Send>(f: F) -> F {
    f
}
pub mod realtime;
