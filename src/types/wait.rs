//! How to wait for a transcription: the polling schedule, the status callback and the
//! cancellation hook. Data and builders, below the core (`core::poller` runs the schedule,
//! and re-exports these).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::Transcription;

/// The polling schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct PollPolicy {
    /// Delay before the second check (the first is immediate). Default 1 s.
    pub interval: Duration,
    /// Each delay is the previous × this (≥ 1.0). Default 1.5.
    pub growth: f64,
    /// Upper bound of the delay. Default 10 s.
    pub max_interval: Duration,
    /// Give up after this long (`None`: never). Default 1 hour.
    pub timeout: Option<Duration>,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            interval: Duration::from_secs(1),
            growth: 1.5,
            max_interval: Duration::from_secs(10),
            timeout: Some(Duration::from_secs(3600)),
        }
    }
}

impl PollPolicy {
    /// Sets the first delay.
    #[must_use]
    pub fn with_interval(mut self, d: Duration) -> Self {
        self.interval = d;
        self
    }
    /// Sets the growth factor.
    #[must_use]
    pub fn with_growth(mut self, g: f64) -> Self {
        self.growth = g;
        self
    }
    /// Sets the longest delay.
    #[must_use]
    pub fn with_max_interval(mut self, d: Duration) -> Self {
        self.max_interval = d;
        self
    }
    /// Sets the overall limit.
    #[must_use]
    pub fn with_timeout(mut self, t: Option<Duration>) -> Self {
        self.timeout = t;
        self
    }
}

/// A status-change callback: called with each new status and the job.
pub type StatusCallback = Box<dyn FnMut(&Transcription) + Send>;

/// A cancellation hook: asked between steps and while waiting; `true` means stop.
pub type CancelHook = Arc<dyn Fn() -> bool + Send + Sync>;

/// Options for waiting on a transcription. Build with `WaitOptions::default()` and the
/// setters (fields may be added).
#[must_use]
#[derive(Default)]
#[non_exhaustive]
pub struct WaitOptions {
    /// The schedule.
    pub policy: PollPolicy,
    /// Called whenever the status differs from the previous check's.
    pub on_status_change: Option<StatusCallback>,
    /// Asked before each check and at least every [`CANCEL_CHECK_INTERVAL`] while waiting:
    /// `true` ends the wait with [`Error::Cancelled`](crate::Error::Cancelled).
    pub cancel: Option<CancelHook>,
}

/// How often a wait with a [`cancel`](WaitOptions::cancel) hook asks it while it sleeps:
/// the longest a cancelled wait goes on.
pub const CANCEL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("policy", &self.policy)
            .field("on_status_change", &self.on_status_change.is_some())
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// First delay between checks. Default 1 s. Extremes never panic: below 1 ms counts
    /// as 1 ms; a huge one (`Duration::MAX`) saturates, so no second check comes before
    /// the timeout.
    pub fn interval(mut self, d: Duration) -> Self {
        self.policy.interval = d;
        self
    }
    /// Growth factor of the delay. Default 1.5. Below 1.0 (or NaN) counts as 1.0; a huge
    /// or infinite factor saturates at `max_interval`.
    pub fn growth(mut self, g: f64) -> Self {
        self.policy.growth = g;
        self
    }
    /// Longest delay. Default 10 s (below `interval` it counts as `interval`).
    pub fn max_interval(mut self, d: Duration) -> Self {
        self.policy.max_interval = d;
        self
    }
    /// Overall limit (`None`: wait forever). Default 1 hour. A limit too large for an
    /// `Instant` (`Some(Duration::MAX)`) is the same as `None`.
    pub fn timeout(mut self, t: Option<Duration>) -> Self {
        self.policy.timeout = t;
        self
    }
    /// Called with the job whenever its status changes.
    pub fn on_status_change(mut self, f: impl FnMut(&Transcription) + Send + 'static) -> Self {
        self.on_status_change = Some(Box::new(f));
        self
    }
    /// Stops the wait (and [`transcribe`](crate::blocking::Client::transcribe), between
    /// its steps, cleaning up as on any other error) as soon as `f` returns `true`:
    /// asked before each status check and at least every [`CANCEL_CHECK_INTERVAL`]
    /// while waiting. The wait then ends with [`Error::Cancelled`](crate::Error::Cancelled);
    /// `transcribe`'s cleanup still runs (deleting a job that is still processing may take
    /// up to `core::transcribe::PROCESSING_WAIT`, 30 s).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// let stop = Arc::new(AtomicBool::new(false));
    /// let flag = stop.clone();
    /// let opts = soniox::WaitOptions::default().cancel_if(move || flag.load(Ordering::Relaxed));
    /// stop.store(true, Ordering::Relaxed); // e.g. from a Ctrl-C handler
    /// # drop(opts);
    /// ```
    pub fn cancel_if(mut self, f: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        self.cancel = Some(Arc::new(f));
        self
    }
}

/// `true` when a hook is set and says stop.
pub(crate) fn is_cancelled(hook: Option<&CancelHook>) -> bool {
    hook.is_some_and(|f| f())
}
