//! The per-second time series: requests, failures, users and latency percentiles of
//! each second of the run (by completion time). Only the open second keeps a histogram;
//! closed seconds keep their three percentiles.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::histogram::new_histogram;

/// One closed second.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Second {
    /// Seconds since the start (this bucket covers `t..t+1`).
    pub(crate) t: u64,
    pub(crate) users: u32,
    pub(crate) requests: u64,
    pub(crate) failures: u64,
    pub(crate) p50_ms: f64,
    pub(crate) p95_ms: f64,
    pub(crate) p99_ms: f64,
}

/// Closed seconds plus the open one.
#[derive(Debug)]
pub(crate) struct Timeline {
    closed: Vec<Second>,
    open_t: u64,
    open_requests: u64,
    open_failures: u64,
    /// Most users seen running during the open second.
    open_users: u32,
    open_hist: Histogram<u64>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            closed: Vec::new(),
            open_t: 0,
            open_requests: 0,
            open_failures: 0,
            open_users: 0,
            open_hist: new_histogram(),
        }
    }
}

/// Microseconds to milliseconds.
pub(crate) fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl Timeline {
    /// Adds a request finished at `now` (since the start).
    pub(crate) fn record(&mut self, now: Duration, users: u32, latency_us: u64, failed: bool) {
        self.advance(now, users);
        self.open_requests += 1;
        self.open_failures += u64::from(failed);
        self.open_hist.saturating_record(latency_us);
    }

    /// Closes every second before the one holding `now`, empty ones included.
    pub(crate) fn advance(&mut self, now: Duration, users: u32) {
        let sec = now.as_secs();
        while self.open_t < sec {
            self.close();
            self.open_users = users;
        }
        self.open_users = self.open_users.max(users);
    }

    /// Closes the open second even if it has not fully passed (at the end of the run);
    /// `users` counts as seen in it.
    pub(crate) fn finish(&mut self, users: u32) {
        self.open_users = self.open_users.max(users);
        if self.open_requests > 0 || self.closed.is_empty() {
            self.close();
        }
    }

    fn close(&mut self) {
        let h = &self.open_hist;
        let q = |q: f64| if h.is_empty() { 0.0 } else { ms(h.value_at_quantile(q)) };
        self.closed.push(Second {
            t: self.open_t,
            users: self.open_users,
            requests: self.open_requests,
            failures: self.open_failures,
            p50_ms: q(0.5),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
        });
        self.open_t += 1;
        self.open_requests = 0;
        self.open_failures = 0;
        self.open_hist.reset();
    }

    /// The closed seconds.
    pub(crate) fn seconds(&self) -> &[Second] {
        &self.closed
    }

    /// Requests in the last closed second (the live rate).
    pub(crate) fn last_rate(&self) -> u64 {
        self.closed.last().map_or(0, |s| s.requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_their_second_and_gaps_are_filled() {
        let mut t = Timeline::default();
        t.record(Duration::from_millis(100), 1, 1000, false);
        t.record(Duration::from_millis(900), 1, 3000, true);
        t.record(Duration::from_millis(3200), 2, 500, false);
        t.finish(2);
        let s = t.seconds();
        assert_eq!(s.len(), 4);
        assert_eq!((s[0].requests, s[0].failures, s[0].users), (2, 1, 1));
        assert_eq!((s[1].requests, s[2].requests, s[3].requests), (0, 0, 1));
        assert_eq!((s[1].users, s[3].users), (2, 2));
        assert_eq!(s[1].p99_ms, 0.0);
        assert_eq!(s[3].t, 3);
        assert!((s[0].p99_ms - 3.0).abs() < 0.01, "{}", s[0].p99_ms);
    }
}
