//! Shared helpers of `chaos_blocking.rs` and `chaos_async.rs`: the mock, the fault mixes,
//! the retry policy and the checks read from the mock's stats and request log.
#![allow(dead_code, unreachable_pub)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use soniox::mock::{Fault, FaultAction, JobTiming, MockConfig, MockServer, MockStats, RequestRecord};
use soniox::RetryPolicy;

/// Calls made in the storm tests.
pub const STORM_CALLS: u64 = 1_000;
/// The realtime path.
pub const WS: &str = "/transcribe-websocket";
/// An `audio_url` job source (no upload needed).
pub const AUDIO_URL: &str = "https://example.com/chaos.mp3";

/// A mock with a fixed seed (so the fault sequence of a sequential run is reproducible) and
/// jobs that finish after a couple of polls.
pub fn mock() -> MockServer {
    MockServer::start_with(MockConfig::default().seed(0xC4A0_5EED).job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    }))
    .expect("mock server starts")
}

/// Enough retries that a 30% refusal rate cannot exhaust them (0.3^13 per call), with
/// backoff delays of at most 2 ms so that only `Retry-After` decides the waits.
pub fn storm_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(12)
        .delays(Duration::from_millis(1), Duration::from_millis(2))
}

/// A refusal with the given status and `Retry-After`.
pub fn refuse(status: u16, retry_after: &str) -> FaultAction {
    FaultAction::Status {
        status,
        retry_after: Some(retry_after.into()),
    }
}

/// 30% of the GETs on `path` refused: 15% with 503, 15% with 429, both `Retry-After: 0`
/// (the second rule sees only the 85% the first let through: 0.15 / 0.85).
pub fn storm(mock: &MockServer, path: &str) {
    mock.add_fault(Fault::new(refuse(503, "0")).on("GET", path).rate(0.15));
    mock.add_fault(Fault::new(refuse(429, "0")).on("GET", path).rate(0.15 / 0.85));
}

/// Checks the storm's bookkeeping: every refused GET was followed by another GET on the
/// same path, and exactly `calls` were answered normally.
pub fn assert_storm_accounting(mock: &MockServer, route: &str, path: &str, calls: u64) -> MockStats {
    let stats = mock.stats();
    let refused = stats.faults_injected;
    assert_eq!(stats.route(route), calls + refused, "{stats:?}");
    // 30% of ~1430 attempts: far from 0 (the seeded mock makes it exact for a given order).
    assert!(
        refused > calls / 10,
        "only {refused} refusals in {} attempts",
        calls + refused
    );
    let log: Vec<RequestRecord> = mock.request_log().into_iter().filter(|r| r.path == path).collect();
    assert_eq!(log.len() as u64, calls + refused);
    assert_eq!(log.iter().filter(|r| r.fault.is_none()).count() as u64, calls);
    assert!(
        log.last().is_some_and(|r| r.fault.is_none()),
        "the last attempt was refused"
    );
    stats
}

/// For every request on `path` refused with `Retry-After: secs`, the gap between the mock's
/// refusal and the next request on that path, as the mock recorded them.
pub fn retry_gaps(mock: &MockServer, path: &str, secs: &str) -> Vec<Duration> {
    let log: Vec<RequestRecord> = mock.request_log().into_iter().filter(|r| r.path == path).collect();
    log.windows(2)
        .filter(|w| matches!(&w[0].fault, Some(FaultAction::Status { retry_after: Some(r), .. }) if r == secs))
        .map(|w| w[1].at.duration_since(w[0].at))
        .collect()
}

/// Runs `f` on its own thread; `None` if it has not returned within `bound` (the thread is
/// then left to finish by itself). The bound is generous: it only catches a hang.
pub fn within<T: Send + 'static>(bound: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(bound).ok()
}

/// Polls the mock's stats until `done` holds (at most 10 s); returns the last snapshot.
pub fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    let mut stats = mock.stats();
    for _ in 0..2_000 {
        if done(&stats) {
            break;
        }
        thread::sleep(Duration::from_millis(5));
        stats = mock.stats();
    }
    stats
}

/// `ms` of 16 kHz mono PCM.
pub fn pcm(ms: u64) -> Vec<u8> {
    use soniox::audio::{pcm_chunks, WavSpec};
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

/// How a broken realtime session must end: `Some((code, error_type))` for an
/// `Error::Realtime`, `None` for a timeout of `finish`.
pub type Expected = Option<(Option<u16>, &'static str)>;

/// The faults of the realtime chaos sequence, one per session, with how each must end.
/// Each fires only after the server's first message or at the end of audio: the tests'
/// first audio frame is always sent before it (and they assert so).
pub fn realtime_faults() -> Vec<(FaultAction, Expected)> {
    vec![
        (
            FaultAction::WsDropAfter { messages: 1 },
            Some((None, "connection_closed")),
        ),
        (
            FaultAction::WsErrorAfter {
                messages: 1,
                code: 503,
                error_type: "service_unavailable".into(),
            },
            Some((Some(503), "service_unavailable")),
        ),
        (FaultAction::WsNeverFinish, None),
    ]
}
