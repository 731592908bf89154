//! Retry decisions and backoff: pure functions of the attempt, the outcome and the time.
//!
//! | outcome | GET / DELETE | POST |
//! |---|---|---|
//! | 429, 503, 408 | retry, honouring `Retry-After` | retry (the server refused it: nothing was done) |
//! | 500, 502, 504 | retry | **never** (the job may exist: no duplicate work) |
//! | connection refused / failed before the request was sent | retry | retry |
//! | connection lost or timed out after the request was sent | retry | **never**; the error says the request may have been processed |
//! | any other status (400, 401, 402, 403, 404, 409, ...) | never | never |
//!
//! Delays: `Retry-After` (seconds or an HTTP date) when the server sent one, capped at
//! [`RetryPolicy::max_retry_after`]; otherwise exponential backoff with full jitter:
//! a uniform delay in `0..=min(max_delay, base_delay * 2^attempt)`, drawn from a
//! seeded [`SplitMix64`]. Uploads from a path are re-opened for every attempt by the
//! drivers.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use soniox::core::http::Method;
//! use soniox::core::retry::{Decision, Outcome, Retry, RetryPolicy};
//!
//! let mut retry = Retry::new(RetryPolicy::default(), 42);
//! let now = SystemTime::UNIX_EPOCH;
//! // A 500 on GET is retried; on POST it is not.
//! assert!(matches!(retry.decide(Method::Get, &Outcome::Status { status: 500, retry_after: None }, now), Decision::RetryAfter(_)));
//! assert_eq!(retry.decide(Method::Post, &Outcome::Status { status: 500, retry_after: None }, now), Decision::GiveUp);
//! ```

use std::time::{Duration, SystemTime};

use super::http::Method;
use super::rng::SplitMix64;

pub use crate::error::RetryAfter;
pub use crate::types::retry::RetryPolicy;

/// The backoff before retry number `attempt` (0-based), without jitter:
/// `min(max_delay, base_delay * 2^attempt)`.
pub fn exponential_backoff(attempt: u32, policy: &RetryPolicy) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
    policy.base_delay.saturating_mul(factor).min(policy.max_delay)
}

/// What happened to one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this (non-2xx) status.
    Status {
        /// The status.
        status: u16,
        /// Its `Retry-After`, if any.
        retry_after: Option<RetryAfter>,
    },
    /// The connection failed before any of the request was sent.
    NotSent,
    /// The connection failed or timed out after the request (or part of it) was sent.
    Sent,
}

impl Outcome {
    /// The outcome of a response: `None` for 2xx (nothing to retry).
    pub fn from_response(resp: &super::http::RawResponse) -> Option<Outcome> {
        (!resp.is_success()).then(|| Outcome::Status {
            status: resp.status,
            retry_after: resp.header("retry-after").and_then(RetryAfter::parse),
        })
    }
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Surface the error.
    GiveUp,
}

/// The retry loop's state for one logical request.
#[derive(Clone, Debug)]
pub struct Retry {
    policy: RetryPolicy,
    rng: SplitMix64,
    retries: u32,
}

impl Retry {
    /// A fresh loop; `seed` drives the jitter.
    pub fn new(policy: RetryPolicy, seed: u64) -> Retry {
        Retry {
            policy,
            rng: SplitMix64::new(seed),
            retries: 0,
        }
    }

    /// Retries granted so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// Whether the outcome may be retried for this method, by the table above
    /// (ignoring the attempt budget).
    pub fn is_retryable(method: Method, outcome: &Outcome) -> bool {
        match *outcome {
            Outcome::Status {
                status: 408 | 429 | 503,
                ..
            } => true,
            Outcome::Status {
                status: 500 | 502 | 504,
                ..
            } => method.is_idempotent(),
            Outcome::Status { .. } => false,
            Outcome::NotSent => true,
            Outcome::Sent => method.is_idempotent(),
        }
    }

    /// Decides after a failed attempt; `now` is the wall clock (for HTTP-date `Retry-After`).
    pub fn decide(&mut self, method: Method, outcome: &Outcome, now: SystemTime) -> Decision {
        if self.retries >= self.policy.max_retries || !Self::is_retryable(method, outcome) {
            return Decision::GiveUp;
        }
        let delay = match outcome {
            Outcome::Status {
                retry_after: Some(ra), ..
            } => ra.delay(now).min(self.policy.max_retry_after),
            _ => {
                let max = exponential_backoff(self.retries, &self.policy);
                if self.policy.jitter {
                    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
                    Duration::from_nanos(self.rng.up_to(nanos))
                } else {
                    max
                }
            }
        };
        self.retries += 1;
        Decision::RetryAfter(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;

    fn status(s: u16) -> Outcome {
        Outcome::Status {
            status: s,
            retry_after: None,
        }
    }

    #[test]
    fn the_table_holds_for_every_status_and_method() {
        for (outcome, get, post) in [
            (status(408), true, true),
            (status(429), true, true),
            (status(503), true, true),
            (status(500), true, false),
            (status(502), true, false),
            (status(504), true, false),
            (status(400), false, false),
            (status(401), false, false),
            (status(404), false, false),
            (status(409), false, false),
            (Outcome::NotSent, true, true),
            (Outcome::Sent, true, false),
        ] {
            assert_eq!(Retry::is_retryable(Method::Get, &outcome), get, "{outcome:?}");
            assert_eq!(Retry::is_retryable(Method::Delete, &outcome), get, "{outcome:?}");
            assert_eq!(Retry::is_retryable(Method::Post, &outcome), post, "{outcome:?}");
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default().delays(Duration::from_millis(100), Duration::from_secs(1));
        let got: Vec<u128> = (0..10).map(|a| exponential_backoff(a, &p).as_millis()).collect();
        assert_eq!(got, [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000]);
        assert_eq!(exponential_backoff(u32::MAX, &p), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_the_backoff_and_is_seeded() {
        let p = RetryPolicy::default()
            .max_retries(10)
            .delays(Duration::from_millis(100), Duration::from_secs(5));
        let run = |seed| {
            let mut r = Retry::new(p.clone(), seed);
            (0..10)
                .map(|i| match r.decide(Method::Get, &status(503), NOW) {
                    Decision::RetryAfter(d) => {
                        assert!(d <= exponential_backoff(i, &p));
                        d
                    }
                    Decision::GiveUp => panic!("gave up early"),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn retry_after_seconds_and_dates_are_honoured_and_capped() {
        let mut r = Retry::new(RetryPolicy::default().max_retry_after(Duration::from_secs(30)), 0);
        let ra = |v: &str| Outcome::Status {
            status: 429,
            retry_after: RetryAfter::parse(v),
        };
        assert_eq!(
            r.decide(Method::Post, &ra("2"), NOW),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            r.decide(Method::Get, &ra("Wed, 21 Oct 2015 07:28:05 GMT"), now),
            Decision::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(
            r.decide(Method::Get, &ra("3600"), NOW),
            Decision::RetryAfter(Duration::from_secs(30))
        );
        assert_eq!(RetryAfter::parse("soon"), None);
        assert_eq!(
            RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT")
                .unwrap()
                .delay(now + Duration::from_secs(9)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_budget_is_respected() {
        let mut r = Retry::new(RetryPolicy::default().max_retries(2), 0);
        assert!(matches!(
            r.decide(Method::Get, &Outcome::NotSent, NOW),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            r.decide(Method::Get, &Outcome::NotSent, NOW),
            Decision::RetryAfter(_)
        ));
        assert_eq!(r.decide(Method::Get, &Outcome::NotSent, NOW), Decision::GiveUp);
        assert_eq!(r.retries(), 2);
        let mut none = Retry::new(RetryPolicy::none(), 0);
        assert_eq!(none.decide(Method::Get, &status(503), NOW), Decision::GiveUp);
    }

    #[test]
    fn invalid_policies_are_refused() {
        assert!(RetryPolicy::default()
            .delays(Duration::from_secs(2), Duration::from_secs(1))
            .validate()
            .is_err());
        assert!(RetryPolicy::default().max_retries(101).validate().is_err());
    }
}
