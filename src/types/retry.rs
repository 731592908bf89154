//! The retry policy a client is configured with: data and its own check, below the core
//! (`core::retry` decides with it, and re-exports it).

use std::time::Duration;

use crate::error::{Error, Result};

/// How often and how long to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default 3; 0 turns retries off.
    pub max_retries: u32,
    /// Backoff for the first retry, doubled for each next one. Default 200 ms.
    pub base_delay: Duration,
    /// Upper bound of the exponential backoff. Default 10 s.
    pub max_delay: Duration,
    /// Upper bound on a server's `Retry-After`. Default 60 s.
    pub max_retry_after: Duration,
    /// Full jitter on the backoff. Default true.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
    /// Sets `max_retries`.
    #[must_use]
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Sets `base_delay` and `max_delay`.
    #[must_use]
    pub fn delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }
    /// Sets `max_retry_after`.
    #[must_use]
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }
    /// Sets `jitter`.
    #[must_use]
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }
    /// Refuses `base_delay > max_delay` and more than 100 retries.
    pub fn validate(&self) -> Result<()> {
        if self.base_delay > self.max_delay {
            return Err(Error::invalid("retry base_delay must not exceed max_delay"));
        }
        if self.max_retries > 100 {
            return Err(Error::invalid("retry max_retries must be at most 100"));
        }
        Ok(())
    }
}
