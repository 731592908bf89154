//! Per-task counters and latency histograms, shared by every user behind one mutex.
//!
//! Latencies go into HdrHistograms (microseconds, 3 significant digits, 1 µs..1 h): no raw
//! samples are kept or sorted. Failed requests are timed too, as Locust does.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::histogram::new_histogram;
use soniox::Error;

use crate::tasks::TaskKind;
use crate::timeline::Timeline;

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// HTTP 429 (rate or concurrency limit).
    RateLimited,
    /// Any other HTTP error status.
    Http(u16),
    /// The SDK's time limit was reached.
    Timeout,
    /// The connection failed (refused, reset, TLS).
    Transport,
    /// Anything else (an undecodable reply, a refused argument).
    Other,
}

impl FailureKind {
    /// Classifies an SDK error.
    pub(crate) fn of(e: &Error) -> FailureKind {
        match e {
            Error::Api(a) if a.status == 429 => FailureKind::RateLimited,
            Error::Api(a) => FailureKind::Http(a.status),
            Error::Timeout(_) => FailureKind::Timeout,
            Error::Transport(_) | Error::Proxy(_) => FailureKind::Transport,
            _ => FailureKind::Other,
        }
    }
}

/// Failures of one task, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Failures {
    pub(crate) rate_limited: u64,
    pub(crate) http: u64,
    pub(crate) timeout: u64,
    pub(crate) transport: u64,
    pub(crate) other: u64,
    /// Every failing HTTP status (429 included) and its count.
    pub(crate) statuses: BTreeMap<u16, u64>,
}

impl Failures {
    /// All failures.
    pub(crate) fn total(&self) -> u64 {
        self.rate_limited + self.http + self.timeout + self.transport + self.other
    }

    fn add(&mut self, kind: FailureKind) {
        match kind {
            FailureKind::RateLimited => {
                self.rate_limited += 1;
                *self.statuses.entry(429).or_default() += 1;
            }
            FailureKind::Http(s) => {
                self.http += 1;
                *self.statuses.entry(s).or_default() += 1;
            }
            FailureKind::Timeout => self.timeout += 1,
            FailureKind::Transport => self.transport += 1,
            FailureKind::Other => self.other += 1,
        }
    }
}

/// Counters and the latency histogram of one task.
#[derive(Clone, Debug)]
pub(crate) struct TaskStats {
    pub(crate) kind: TaskKind,
    pub(crate) requests: u64,
    pub(crate) failures: Failures,
    pub(crate) latency_us: Histogram<u64>,
}

impl TaskStats {
    fn new(kind: TaskKind) -> TaskStats {
        TaskStats {
            kind,
            requests: 0,
            failures: Failures::default(),
            latency_us: new_histogram(),
        }
    }
}

/// Everything recorded so far.
#[derive(Debug)]
pub(crate) struct Recorded {
    pub(crate) tasks: Vec<TaskStats>,
    pub(crate) timeline: Timeline,
}

/// The shared recorder: users call [`Collector::record`]; the progress line and the
/// report read snapshots.
#[derive(Debug)]
pub(crate) struct Collector {
    start: Instant,
    users: AtomicU32,
    inner: Mutex<Recorded>,
}

impl Collector {
    /// An empty recorder whose clock starts now.
    pub(crate) fn new() -> Collector {
        Collector {
            start: Instant::now(),
            users: AtomicU32::new(0),
            inner: Mutex::new(Recorded {
                tasks: TaskKind::ALL.into_iter().map(TaskStats::new).collect(),
                timeline: Timeline::default(),
            }),
        }
    }

    /// When the run started.
    pub(crate) fn start(&self) -> Instant {
        self.start
    }

    /// Counts one more running user.
    pub(crate) fn user_started(&self) {
        self.users.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one user less.
    pub(crate) fn user_stopped(&self) {
        self.users.fetch_sub(1, Ordering::Relaxed);
    }

    /// Users running now.
    pub(crate) fn users(&self) -> u32 {
        self.users.load(Ordering::Relaxed)
    }

    /// Records one finished request.
    pub(crate) fn record(&self, kind: TaskKind, latency: Duration, outcome: Result<(), FailureKind>) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).max(1);
        let users = self.users();
        let mut g = self.lock();
        let now = self.start.elapsed();
        let t = &mut g.tasks[kind.index()];
        t.requests += 1;
        t.latency_us.saturating_record(us);
        if let Err(f) = outcome {
            t.failures.add(f);
        }
        g.timeline.record(now, users, us, outcome.is_err());
    }

    /// Closes the time-series seconds that have fully passed (called once a second).
    pub(crate) fn tick(&self) {
        let users = self.users();
        let now = self.start.elapsed();
        self.lock().timeline.advance(now, users);
    }

    /// A locked view of the records.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Recorded> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soniox::ApiError;

    fn api(status: u16) -> Error {
        Error::Api(Box::new(ApiError {
            status,
            error_type: "x".into(),
            message: String::new(),
            validation_errors: Vec::new(),
            request_id: None,
            more_info: None,
            retry_after: None,
            raw_body: None,
        }))
    }

    #[test]
    fn errors_are_classified_by_kind() {
        assert_eq!(FailureKind::of(&api(429)), FailureKind::RateLimited);
        assert_eq!(FailureKind::of(&api(503)), FailureKind::Http(503));
        assert_eq!(FailureKind::of(&Error::InvalidArgument("x".into())), FailureKind::Other);
    }

    #[test]
    fn records_count_requests_failures_and_statuses() {
        let c = Collector::new();
        c.record(TaskKind::ListFiles, Duration::from_micros(250), Ok(()));
        c.record(
            TaskKind::ListFiles,
            Duration::from_micros(750),
            Err(FailureKind::RateLimited),
        );
        c.record(
            TaskKind::ListModels,
            Duration::from_millis(2),
            Err(FailureKind::Http(500)),
        );
        c.record(
            TaskKind::ListModels,
            Duration::from_millis(2),
            Err(FailureKind::Transport),
        );
        let g = c.lock();
        let files = &g.tasks[0];
        assert_eq!(
            (files.requests, files.failures.rate_limited, files.failures.total()),
            (2, 1, 1)
        );
        assert_eq!(files.latency_us.len(), 2);
        assert_eq!(files.latency_us.max(), 750);
        let models = &g.tasks[2];
        assert_eq!((models.failures.http, models.failures.transport), (1, 1));
        assert_eq!(models.failures.statuses, BTreeMap::from([(500, 1)]));
        assert_eq!(g.tasks[1].requests, 0);
    }
}
