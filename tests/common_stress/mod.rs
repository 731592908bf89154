//! Shared helpers for the stress tests (`tests/stress_*.rs`): a mock, clients pointed at it,
//! audio files and bounded waits. Independent of the other suites' helpers on purpose.
#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use soniox::audio::{write_wav_file, WavSpec};
use soniox::config::FromConfig;
use soniox::mock::{Checksum, JobTiming, MockConfig, MockServer, MockStats};
use soniox::{ConfigBuilder, RetryPolicy};

/// A mock whose jobs finish after a few polls (no timing involved), with room for many
/// pending jobs, with `f` applied to its config.
pub fn mock_with(f: impl FnOnce(MockConfig) -> MockConfig) -> MockServer {
    let config = MockConfig::default()
        .job_timing(JobTiming::Polls {
            queued: 1,
            processing: 1,
        })
        .max_pending_jobs(10_000);
    MockServer::start_with(f(config)).expect("mock server starts")
}

/// [`mock_with`] with nothing changed.
pub fn mock() -> MockServer {
    mock_with(|c| c)
}

/// The settings every stress client shares: the mock's URLs and key, fast deterministic retries.
fn base<C: FromConfig>(mock: &MockServer, b: ConfigBuilder<C>) -> ConfigBuilder<C> {
    b.api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

/// A blocking client for the mock with extra settings.
pub fn client_with(
    mock: &MockServer,
    f: impl FnOnce(ConfigBuilder<soniox::blocking::Client>) -> ConfigBuilder<soniox::blocking::Client>,
) -> soniox::blocking::Client {
    f(base(mock, soniox::blocking::Client::builder()))
        .build()
        .expect("client builds")
}

/// An async client for the mock with extra settings.
#[cfg(feature = "async")]
pub fn async_client_with(
    mock: &MockServer,
    f: impl FnOnce(ConfigBuilder<soniox::nonblocking::Client>) -> ConfigBuilder<soniox::nonblocking::Client>,
) -> soniox::nonblocking::Client {
    f(base(mock, soniox::nonblocking::Client::builder()))
        .build()
        .expect("client builds")
}

/// Writes a WAV of `ms` milliseconds of tone into `dir`.
pub fn wav_ms(dir: &Path, name: &str, ms: u64) -> PathBuf {
    let p = dir.join(name);
    write_wav_file(&p, WavSpec::default(), Duration::from_millis(ms)).expect("wav written");
    p
}

/// The mock's checksum of a file's content, read in 1 MiB blocks (fit for any size).
pub fn file_checksum(path: &Path) -> u64 {
    let mut file = File::open(path).expect("file opens");
    let mut sum = Checksum::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("file reads");
        if n == 0 {
            return sum.finish();
        }
        sum.update(&buf[..n]);
    }
}

/// Polls the mock's stats until `done` holds (at most 20 s); returns the last snapshot.
pub fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    let mut stats = mock.stats();
    for _ in 0..4_000 {
        if done(&stats) {
            break;
        }
        thread::sleep(Duration::from_millis(5));
        stats = mock.stats();
    }
    stats
}
