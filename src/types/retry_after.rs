//! A server's `Retry-After`: data and its parsing, below the core and the error type that
//! carries it (`core::retry` re-exports it).

use std::time::{Duration, SystemTime};

/// A server's `Retry-After` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 2`
    Seconds(u64),
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`
    Date(SystemTime),
}

impl RetryAfter {
    /// Parses either form; `None` for anything else.
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let v = value.trim();
        if let Ok(s) = v.parse::<u64>() {
            return Some(RetryAfter::Seconds(s));
        }
        httpdate::parse_http_date(v).ok().map(RetryAfter::Date)
    }
    /// How long to wait from `now` (zero for a date in the past).
    pub fn delay(&self, now: SystemTime) -> Duration {
        match *self {
            RetryAfter::Seconds(s) => Duration::from_secs(s),
            RetryAfter::Date(t) => t.duration_since(now).unwrap_or(Duration::ZERO),
        }
    }
}
