//! `TranscriptionWait` (and the `Poller` schedule under it) driven by arbitrary
//! response sequences, policies and clock jumps.
//!
//! Invariants: no panic; the wait ends within a bounded number of steps: by the
//! replies (`completed`, `error`, an unknown status, an error reply, a bad body) or by
//! the timeout, after at most `timeout / min_interval + 2` checks; checks never happen
//! twice at the same instant; a `WaitUntil` is always in the future; the result
//! matches the reply that ended it; the status callback fires once per change.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use soniox::core::http::RawResponse;
use soniox::core::poller::{TranscriptionWait, WaitStep};
use soniox::types::TranscriptionStatus;
use soniox::{Error, WaitOptions};

#[derive(Arbitrary, Debug, Clone)]
enum Reply {
    Queued,
    Processing,
    Completed,
    Failed(Option<String>),
    Unknown(String),
    Status(u16, Vec<u8>),
    Garbage(Vec<u8>),
    Transport,
}

#[derive(Arbitrary, Debug)]
enum Limit {
    None,
    /// Milliseconds, at most 10 s: with 1 ms checks a run stays under ~10 000 steps.
    Ms(u16),
    /// Seconds, up to far beyond what an `Instant` can hold.
    Huge(u64),
}

#[derive(Arbitrary, Debug)]
enum Span {
    Ms(u32),
    Huge(u64),
}

fn span(s: &Span) -> Duration {
    match s {
        Span::Ms(ms) => Duration::from_millis(u64::from(*ms)),
        Span::Huge(secs) => Duration::from_secs(*secs),
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    interval: Span,
    growth: f64,
    max_interval: Span,
    timeout: Limit,
    /// Extra time the driver oversleeps at each wait (a loaded machine).
    oversleep_ms: Vec<u16>,
    replies: Vec<Reply>,
}

fn reply(r: &Reply) -> soniox::Result<RawResponse> {
    let job = |status: &str, extra: &str| {
        Ok(RawResponse::new(
            200,
            format!(r#"{{"id":"job","status":{}{extra}}}"#, serde_json::json!(status)),
        ))
    };
    match r {
        Reply::Queued => job("queued", ""),
        Reply::Processing => job("processing", ""),
        Reply::Completed => job("completed", ""),
        Reply::Failed(t) => job("error", &format!(r#","error_type":{}"#, serde_json::json!(t))),
        Reply::Unknown(s) => job(s, ""),
        Reply::Status(code, body) => Ok(RawResponse::new(*code, body.clone())),
        Reply::Garbage(b) => Ok(RawResponse::new(200, b.clone())),
        Reply::Transport => Err(Error::Timeout(soniox::error::TimeoutError {
            context: "fuzz".into(),
            after: Duration::from_secs(1),
        })),
    }
}

/// The status this reply carries, if it is a valid job.
fn status_of(r: &Reply) -> Option<TranscriptionStatus> {
    let resp = reply(r).ok()?;
    soniox::core::transcriptions::parse_get(&resp).ok().map(|j| j.status)
}

/// Does this reply keep the wait going?
fn pending(r: &Reply) -> bool {
    matches!(
        status_of(r),
        Some(TranscriptionStatus::Queued | TranscriptionStatus::Processing)
    )
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    // Cap the schedule so a run stays short: checks are bounded by timeout / interval.
    let interval = span(&input.interval);
    let max_interval = span(&input.max_interval);
    let timeout = match input.timeout {
        Limit::None => None,
        Limit::Ms(ms) => Some(Duration::from_millis(u64::from(ms) % 10_001)),
        Limit::Huge(secs) => Some(Duration::from_secs(secs)),
    };
    // The replies end an unbounded wait: once they run out the job completes.
    let bounded = matches!(input.timeout, Limit::Ms(_));
    let mut opts = WaitOptions::default()
        .interval(interval)
        .growth(input.growth)
        .max_interval(max_interval)
        .timeout(timeout);
    let changes = Arc::new(Mutex::new(Vec::<String>::new()));
    let c2 = changes.clone();
    opts = opts.on_status_change(move |j| c2.lock().unwrap().push(j.status.as_str().to_owned()));

    let t0 = Instant::now();
    let mut now = t0;
    let mut wait = TranscriptionWait::new("job", opts, now);
    let mut replies = input.replies.iter();
    let mut oversleep = input.oversleep_ms.iter().cycle();
    let mut last_check: Option<Instant> = None;
    let mut last_reply: Option<Reply> = None;
    let mut expected_changes = Vec::<String>::new();
    // Growth is at least 1 and the cap is at least the first interval: no delay is shorter.
    let min_interval = interval.max(Duration::from_millis(1));
    let max_checks: u64 = match timeout {
        Some(t) if bounded => (t.as_nanos() / min_interval.as_nanos()) as u64 + 2 + input.replies.len() as u64,
        _ => input.replies.len() as u64 + 2,
    };
    let mut checks = 0u64;
    for _ in 0..(2 * max_checks + 16) {
        match wait.poll_step(now) {
            WaitStep::Send(req) => {
                assert_eq!(req.path, "/v1/transcriptions/job");
                if let Some(prev) = last_check {
                    assert!(now > prev, "two checks at the same instant");
                }
                last_check = Some(now);
                checks += 1;
                assert!(checks <= max_checks, "{checks} checks, over the bound {max_checks}");
                let r = match replies.next() {
                    Some(r) => r.clone(),
                    None if bounded => Reply::Queued,
                    None => Reply::Completed,
                };
                if let Some(status) = status_of(&r) {
                    let s = status.as_str().to_owned();
                    if expected_changes.last() != Some(&s) {
                        expected_changes.push(s);
                    }
                }
                wait.handle_response(now, reply(&r));
                last_reply = Some(r);
            }
            WaitStep::WaitUntil(t) => {
                assert!(t > now, "WaitUntil({:?}) is not in the future", t - t0);
                let extra = Duration::from_millis(u64::from(*oversleep.next().unwrap_or(&0)));
                // A far-future wake-up (a huge interval) is where the driver would sleep
                // forever: treat it as the end of this run.
                let Some(next) = t.checked_add(extra).filter(|n| *n < t0 + Duration::from_secs(1 << 40)) else {
                    return;
                };
                now = next;
            }
            WaitStep::Done(result) => {
                assert_eq!(*changes.lock().unwrap(), expected_changes, "status callbacks");
                match (&result, &last_reply) {
                    (Ok(job), Some(r)) => {
                        assert_eq!(job.status, TranscriptionStatus::Completed);
                        assert_eq!(status_of(r), Some(TranscriptionStatus::Completed), "{r:?}");
                    }
                    (Ok(_), None) => panic!("completed without a check"),
                    (Err(Error::Timeout(_)), Some(Reply::Transport)) => {}
                    (Err(Error::Timeout(_)), r) => {
                        assert!(
                            timeout.is_some_and(|t| t0.checked_add(t).is_some_and(|d| now >= d)),
                            "timed out early"
                        );
                        assert!(r.as_ref().is_none_or(pending), "timed out after a final reply {r:?}");
                    }
                    (Err(_), Some(r)) => assert!(!pending(r), "failed after a pending reply {r:?}"),
                    (Err(e), None) => panic!("failed before any check: {e:?}"),
                }
                return;
            }
        }
    }
    panic!(
        "the wait did not end within {} steps ({checks} checks)",
        2 * max_checks + 16
    );
}
