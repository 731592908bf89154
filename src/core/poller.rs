//! Waiting for a transcription: a [`Poller`] schedule and the [`TranscriptionWait`]
//! machine on top of it. Time is passed in; nothing here sleeps.
//!
//! ```text
//!            ┌────────── pending: next check after interval (× growth, ≤ max_interval)
//!            ▼                │
//!   new ──▶ Check ──send GET──┴──▶ completed ─▶ Done(Ok)
//!            │                     error      ─▶ Done(Err(TranscriptionFailed))
//!            └── deadline passed ──────────────▶ Done(Err(Timeout))
//! ```
//!
//! Driver loop (the blocking client's `wait` is exactly this):
//! ```
//! use std::time::{Duration, Instant};
//! use soniox::core::http::RawResponse;
//! use soniox::core::poller::{TranscriptionWait, WaitOptions, WaitStep};
//! let mut now = Instant::now();
//! let mut wait = TranscriptionWait::new("job-1", WaitOptions::default(), now);
//! let mut replies = vec![r#"{"id":"job-1","status":"completed"}"#, r#"{"id":"job-1","status":"queued"}"#];
//! let job = loop {
//!     match wait.poll_step(now) {
//!         WaitStep::Send(_request) => {
//!             let body = replies.pop().unwrap();
//!             wait.handle_response(now, Ok(RawResponse::new(200, body)));
//!         }
//!         WaitStep::WaitUntil(t) => now = t, // a real driver sleeps until t
//!         WaitStep::Done(result) => break result.unwrap(),
//!     }
//! };
//! assert_eq!(job.status.as_str(), "completed");
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use super::http::{HttpRequest, RawResponse};
use crate::config::time::{deadline, later};
use crate::error::{Error, Result, TimeoutError};
use crate::types::{Transcription, TranscriptionStatus};

use crate::types::wait::is_cancelled;
pub use crate::types::wait::{CancelHook, PollPolicy, StatusCallback, WaitOptions, CANCEL_CHECK_INTERVAL};

/// What the schedule says to do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PollStep {
    /// Check the status now.
    Check,
    /// Nothing to do before this instant.
    WaitUntil(Instant),
    /// The overall timeout passed.
    TimedOut,
}

/// A check schedule: immediate first check, then growing intervals, bounded overall.
#[derive(Clone, Debug)]
pub struct Poller {
    policy: PollPolicy,
    deadline: Option<Instant>,
    next_at: Instant,
    interval: Duration,
    checks: u32,
    in_flight: bool,
}

/// The shortest delay between checks: a zero interval would poll in a busy loop.
const MIN_INTERVAL: Duration = Duration::from_millis(1);

impl Poller {
    /// Starts the schedule at `now`. Intervals below 1 ms count as 1 ms; a huge interval
    /// saturates (the next check is [far off](crate::config::time::later)); a huge timeout
    /// (`Duration::MAX`) never passes ([`crate::config::time::deadline`]).
    pub fn new(policy: PollPolicy, now: Instant) -> Poller {
        Poller {
            // A timeout too large for an `Instant` never passes (found by fuzzing).
            deadline: policy.timeout.and_then(|t| deadline(now, t)),
            next_at: now,
            interval: policy.interval.max(MIN_INTERVAL),
            checks: 0,
            in_flight: false,
            policy,
        }
    }

    /// What to do at `now`. After [`PollStep::Check`], call [`Poller::handle_pending`]
    /// (or stop) before polling again.
    #[must_use]
    pub fn poll_step(&mut self, now: Instant) -> PollStep {
        if self.deadline.is_some_and(|d| now >= d) {
            return PollStep::TimedOut;
        }
        if now >= self.next_at && !self.in_flight {
            self.in_flight = true;
            self.checks = self.checks.saturating_add(1);
            return PollStep::Check;
        }
        let wake = match self.deadline {
            Some(d) => self.next_at.min(d),
            None => self.next_at,
        };
        PollStep::WaitUntil(wake)
    }

    /// The check found the work still pending: schedule the next one.
    pub fn handle_pending(&mut self, now: Instant) {
        self.in_flight = false;
        self.next_at = later(now, self.interval);
        let cap = self.policy.max_interval.max(self.interval);
        // Any growth a caller may set (huge, infinite, NaN) saturates at the cap instead of
        // panicking in `Duration::mul_f64` (found by fuzzing).
        let grown = Duration::try_from_secs_f64(self.interval.as_secs_f64() * self.policy.growth.max(1.0));
        self.interval = grown.unwrap_or(cap).min(cap);
    }

    /// Judges one checked status for [`poll_until_complete`](crate::blocking::poll_until_complete)
    /// (either client): `Some(Ok(status))` when `is_complete`, `Some(Err(`[`Error::TranscriptionFailed`]`))`
    /// with `get_error`'s message and an empty id when `is_failed`, else `None` with the
    /// next check scheduled from `now`.
    pub fn handle_status<S>(
        &mut self,
        now: Instant,
        status: S,
        is_complete: impl Fn(&S) -> bool,
        is_failed: impl Fn(&S) -> bool,
        get_error: impl Fn(&S) -> String,
    ) -> Option<Result<S>> {
        if is_complete(&status) {
            return Some(Ok(status));
        }
        if is_failed(&status) {
            return Some(Err(Error::TranscriptionFailed {
                id: String::new(),
                error_type: "failed".into(),
                message: get_error(&status),
            }));
        }
        self.handle_pending(now);
        None
    }

    /// The error after [`PollStep::TimedOut`].
    pub fn timed_out(&self) -> Error {
        Error::Timeout(TimeoutError {
            context: format!("polling (after {} checks)", self.checks()),
            after: self.timeout().unwrap_or_default(),
        })
    }

    /// Checks made so far.
    pub fn checks(&self) -> u32 {
        self.checks
    }
    /// The configured timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.policy.timeout
    }
}

/// What the wait machine asks of the driver.
// A step is a short-lived value moved once per poll; boxing the large variant would
// cost an allocation per step for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum WaitStep {
    /// Send this request and feed the result to [`TranscriptionWait::handle_response`].
    Send(HttpRequest),
    /// Sleep until this instant, then poll again.
    WaitUntil(Instant),
    /// Finished: the completed job, or why not.
    Done(Result<Transcription>),
}

/// Waits for one job to reach `completed` or `error`.
pub struct TranscriptionWait {
    id: String,
    poller: Poller,
    on_change: Option<StatusCallback>,
    cancel: Option<CancelHook>,
    last_status: Option<TranscriptionStatus>,
    outcome: Option<Result<Transcription>>,
}

impl fmt::Debug for TranscriptionWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptionWait")
            .field("id", &self.id)
            .field("poller", &self.poller)
            .field("last_status", &self.last_status)
            .finish_non_exhaustive()
    }
}

impl TranscriptionWait {
    /// Starts waiting at `now`.
    pub fn new(id: impl Into<String>, opts: WaitOptions, now: Instant) -> TranscriptionWait {
        TranscriptionWait {
            id: id.into(),
            poller: Poller::new(opts.policy, now),
            on_change: opts.on_status_change,
            cancel: opts.cancel,
            last_status: None,
            outcome: None,
        }
    }

    /// The next step at `now`. With a cancellation hook, it is asked first, and no
    /// `WaitUntil` lies more than [`CANCEL_CHECK_INTERVAL`] ahead.
    #[must_use]
    pub fn poll_step(&mut self, now: Instant) -> WaitStep {
        if let Some(done) = self.outcome.take() {
            return WaitStep::Done(done);
        }
        if is_cancelled(self.cancel.as_ref()) {
            return WaitStep::Done(Err(Error::Cancelled(format!(
                "waiting for transcription {} (last status {})",
                self.id,
                self.last_status_str()
            ))));
        }
        match self.poller.poll_step(now) {
            PollStep::Check => match super::transcriptions::build_get(&self.id) {
                Ok(req) => WaitStep::Send(req),
                Err(e) => WaitStep::Done(Err(e)),
            },
            PollStep::WaitUntil(t) if self.cancel.is_some() => {
                WaitStep::WaitUntil(t.min(crate::config::time::later(now, CANCEL_CHECK_INTERVAL)))
            }
            PollStep::WaitUntil(t) => WaitStep::WaitUntil(t),
            PollStep::TimedOut => WaitStep::Done(Err(Error::Timeout(TimeoutError {
                context: format!(
                    "waiting for transcription {} (last status {})",
                    self.id,
                    self.last_status_str()
                ),
                after: self.poller.timeout().unwrap_or_default(),
            }))),
        }
    }

    /// Feeds the result of the last `Send` (the driver has already applied its retry policy).
    pub fn handle_response(&mut self, now: Instant, resp: Result<RawResponse>) {
        let job = match resp.and_then(|r| super::transcriptions::parse_get(&r)) {
            Ok(job) => job,
            Err(e) => {
                self.outcome = Some(Err(e));
                return;
            }
        };
        if self.last_status.as_ref() != Some(&job.status) {
            self.last_status = Some(job.status.clone());
            if let Some(cb) = self.on_change.as_mut() {
                cb(&job);
            }
        }
        self.outcome = match &job.status {
            TranscriptionStatus::Queued | TranscriptionStatus::Processing => {
                self.poller.handle_pending(now);
                None
            }
            TranscriptionStatus::Completed => Some(Ok(job)),
            TranscriptionStatus::Error => Some(Err(Error::TranscriptionFailed {
                error_type: job.error_type.clone().unwrap_or_else(|| "unknown".into()),
                message: job.error_message.clone().unwrap_or_default(),
                id: job.id,
            })),
            TranscriptionStatus::Other(s) => Some(Err(Error::TranscriptionFailed {
                id: job.id.clone(),
                error_type: "unknown_status".into(),
                message: format!("the job reached a status this SDK does not know: {s:?}"),
            })),
        };
    }

    /// Status checks made so far.
    pub fn checks(&self) -> u32 {
        self.poller.checks()
    }

    fn last_status_str(&self) -> &str {
        self.last_status.as_ref().map_or("unknown", |s| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn job(status: &str) -> Result<RawResponse> {
        Ok(RawResponse::new(
            200,
            format!(r#"{{"id":"j","status":"{status}","error_type":"invalid_audio_file","error_message":"bad"}}"#),
        ))
    }

    /// Runs the machine against scripted replies with a fake clock; returns the result,
    /// the instants at which GETs were sent (ms since start) and the status changes seen.
    fn run(opts: WaitOptions, replies: &[&str]) -> (Result<Transcription>, Vec<u128>, Vec<String>) {
        let t0 = Instant::now();
        let mut now = t0;
        let changes = Arc::new(Mutex::new(Vec::new()));
        let c2 = changes.clone();
        let opts = opts.on_status_change(move |j| c2.lock().unwrap().push(j.status.as_str().to_owned()));
        let mut w = TranscriptionWait::new("j", opts, now);
        let mut sent = Vec::new();
        let mut replies = replies.iter();
        for _ in 0..10_000 {
            match w.poll_step(now) {
                WaitStep::Send(req) => {
                    assert_eq!(req.path, "/v1/transcriptions/j");
                    sent.push((now - t0).as_millis());
                    w.handle_response(now, job(replies.next().unwrap_or(&"queued")));
                }
                WaitStep::WaitUntil(t) => {
                    assert!(t > now, "a wait must move time forward");
                    now = t;
                }
                WaitStep::Done(r) => {
                    let c = changes.lock().unwrap().clone();
                    return (r, sent, c);
                }
            }
        }
        panic!("the wait never ended");
    }

    #[test]
    fn a_cancel_hook_keeps_the_schedule_and_ends_the_wait_within_one_interval() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let sched = || {
            WaitOptions::default()
                .interval(Duration::from_millis(400))
                .growth(1.0)
                .timeout(None)
        };
        // A hook that never fires changes nothing the server sees.
        let (_, plain, _) = run(sched(), &["queued", "processing", "completed"]);
        let (r, hooked, _) = run(sched().cancel_if(|| false), &["queued", "processing", "completed"]);
        assert_eq!((r.unwrap().status, &hooked), (TranscriptionStatus::Completed, &plain));
        assert_eq!(plain, vec![0, 400, 800]);

        // Cancelled before the first check: no request at all.
        let (r, sent, _) = run(sched().cancel_if(|| true), &[]);
        assert!(
            matches!(r, Err(Error::Cancelled(ref m)) if m.contains("transcription j")),
            "{r:?}"
        );
        assert!(sent.is_empty());

        // The hook is asked at least every CANCEL_CHECK_INTERVAL while the wait sleeps:
        // asked at 0 (then the check), 0 (after it), 50, 100, ..., 350, it fires on its 10th
        // asking, at 400 ms: before the check due then, which is never sent.
        let asked = Arc::new(AtomicU32::new(0));
        let a = asked.clone();
        let t0 = Instant::now();
        let mut now = t0;
        let mut w = TranscriptionWait::new(
            "j",
            sched().cancel_if(move || a.fetch_add(1, Ordering::SeqCst) >= 9),
            now,
        );
        let mut sent = Vec::new();
        let end = loop {
            match w.poll_step(now) {
                WaitStep::Send(_) => {
                    sent.push((now - t0).as_millis());
                    w.handle_response(now, job("queued"));
                }
                WaitStep::WaitUntil(t) => {
                    assert!(t > now && t - now <= CANCEL_CHECK_INTERVAL, "{:?}", t - now);
                    now = t;
                }
                WaitStep::Done(r) => break r,
            }
        };
        assert!(
            matches!(end, Err(Error::Cancelled(ref m)) if m.contains("last status queued")),
            "{end:?}"
        );
        assert_eq!(
            (sent, asked.load(Ordering::SeqCst), (now - t0).as_millis()),
            (vec![0], 10, 400)
        );
    }

    #[test]
    fn checks_back_off_geometrically_up_to_the_cap() {
        let opts = WaitOptions::default()
            .interval(Duration::from_millis(100))
            .growth(2.0)
            .max_interval(Duration::from_millis(500));
        let (r, sent, changes) = run(
            opts,
            &[
                "queued",
                "queued",
                "processing",
                "processing",
                "processing",
                "processing",
                "completed",
            ],
        );
        assert_eq!(r.unwrap().status, TranscriptionStatus::Completed);
        assert_eq!(sent, [0, 100, 300, 700, 1200, 1700, 2200]);
        assert_eq!(changes, ["queued", "processing", "completed"]);
    }

    #[test]
    fn a_failed_job_is_an_error_with_its_type() {
        let (r, _, _) = run(WaitOptions::default(), &["processing", "error"]);
        match r {
            Err(Error::TranscriptionFailed {
                id,
                error_type,
                message,
            }) => {
                assert_eq!(
                    (id.as_str(), error_type.as_str(), message.as_str()),
                    ("j", "invalid_audio_file", "bad")
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_overall_timeout_ends_the_wait_exactly_at_the_deadline() {
        let opts = WaitOptions::default()
            .interval(Duration::from_millis(300))
            .growth(1.0)
            .timeout(Some(Duration::from_secs(1)));
        let (r, sent, _) = run(opts, &[]);
        assert!(
            matches!(r, Err(Error::Timeout(ref t)) if t.after == Duration::from_secs(1)),
            "{r:?}"
        );
        assert_eq!(sent, [0, 300, 600, 900]);
    }

    #[test]
    fn transport_errors_and_bad_bodies_end_the_wait() {
        let mut w = TranscriptionWait::new("j", WaitOptions::default(), Instant::now());
        let now = Instant::now();
        assert!(matches!(w.poll_step(now), WaitStep::Send(_)));
        w.handle_response(now, Ok(RawResponse::new(200, "not json")));
        assert!(matches!(w.poll_step(now), WaitStep::Done(Err(Error::Decode(_)))));
    }

    #[test]
    fn a_check_in_flight_is_not_duplicated() {
        let now = Instant::now();
        let mut p = Poller::new(PollPolicy::default(), now);
        assert_eq!(p.poll_step(now), PollStep::Check);
        assert!(matches!(p.poll_step(now), PollStep::WaitUntil(_)));
        assert_eq!(p.checks(), 1);
    }
}
