//! Time limits from user-supplied durations: the one rule both clients, the core and the
//! mock follow, so that no duration a caller passes can panic the process.
//!
//! A limit of [`NO_LIMIT`] or more (`Duration::MAX` is how many callers write "no limit")
//! means **no deadline**: [`limit`] is `None`, [`deadline`] is `None` ("never"). A
//! smaller limit whose deadline an [`Instant`] cannot hold is "never" too
//! ([`Instant::checked_add`]), never an overflow panic. Where an `Instant` is required
//! (a schedule, a timer), [`later`] saturates at [`NO_LIMIT`] from now instead.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use soniox::config::time::{deadline, later, limit, NO_LIMIT};
//! let now = Instant::now();
//! assert_eq!(limit(Duration::from_secs(30)), Some(Duration::from_secs(30)));
//! assert_eq!(limit(Duration::MAX), None);
//! assert_eq!(deadline(now, Duration::MAX), None);
//! assert_eq!(deadline(now, Duration::from_secs(1)), Some(now + Duration::from_secs(1)));
//! assert_eq!(later(now, Duration::MAX), now + NO_LIMIT);
//! ```

use std::time::{Duration, Instant};

/// Durations at or beyond this (2³² − 1 s, about 136 years) are "no limit". Every
/// platform's [`Instant`] holds `now + NO_LIMIT`, so a limit below it always has a deadline.
pub const NO_LIMIT: Duration = Duration::from_secs(u32::MAX as u64);

/// A time limit as the drivers apply it: `None` ("no limit") for [`NO_LIMIT`] or more.
pub fn limit(d: Duration) -> Option<Duration> {
    (d < NO_LIMIT).then_some(d)
}

/// The instant `d` after `now`: `None` ("never") for a duration that is [no limit](limit)
/// or a sum an [`Instant`] cannot hold.
pub fn deadline(now: Instant, d: Duration) -> Option<Instant> {
    limit(d).and_then(|d| now.checked_add(d))
}

/// `now + d`, saturating at `now +` [`NO_LIMIT`] (for a schedule that needs an instant).
/// Should a platform's `Instant` not hold that, the farthest of a year or an hour from now
/// that it holds: far, never "at once" (a due-at-once keepalive would spin).
pub fn later(now: Instant, d: Duration) -> Instant {
    [
        d.min(NO_LIMIT),
        Duration::from_secs(365 * 86_400),
        Duration::from_secs(3_600),
    ]
    .into_iter()
    .find_map(|d| now.checked_add(d))
    .unwrap_or(now)
}

/// Refuses a zero `what` with [`Error::InvalidArgument`](crate::Error::InvalidArgument):
/// for the limits where zero can only be a mistake (often meant as "no limit", which is
/// `Duration::MAX` here).
pub(crate) fn nonzero(what: &str, d: Duration) -> crate::error::Result<()> {
    if d.is_zero() {
        return Err(crate::error::Error::invalid(format!(
            "{what} must be greater than zero (Duration::MAX for no limit)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_durations_mean_no_limit_and_never_panic() {
        let now = Instant::now();
        for d in [
            NO_LIMIT,
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            NO_LIMIT + Duration::from_nanos(1),
        ] {
            assert_eq!(limit(d), None, "{d:?}");
            assert_eq!(deadline(now, d), None, "{d:?}");
            assert_eq!(later(now, d), now + NO_LIMIT, "{d:?}");
        }
        let just_below = NO_LIMIT - Duration::from_nanos(1);
        assert_eq!(limit(just_below), Some(just_below));
        assert_eq!(deadline(now, just_below), Some(now + just_below));
        for d in [Duration::ZERO, Duration::from_nanos(1), Duration::from_secs(1)] {
            assert_eq!(limit(d), Some(d));
            assert_eq!(deadline(now, d), Some(now + d));
            assert_eq!(later(now, d), now + d);
        }
    }
}
