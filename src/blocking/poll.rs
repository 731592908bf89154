//! `poll_until_complete`: the performance plan's polling helper, over closures.

use std::time::Instant;

use crate::core::poller::{PollPolicy, PollStep, Poller};
use crate::error::Result;

/// Calls `get_status` on the [`PollPolicy`] schedule until `is_complete` (→ `Ok(status)`)
/// or `is_failed` (→ [`Error::TranscriptionFailed`](crate::Error::TranscriptionFailed) with `get_error`'s message and an
/// empty id), or the policy's timeout (→ [`Error::Timeout`](crate::Error::Timeout)). An error from
/// `get_status` ends the wait.
///
/// ```
/// use std::time::Duration;
/// use soniox::blocking::poll_until_complete;
/// let mut n = 0;
/// let done = poll_until_complete(
///     || { n += 1; Ok(n) },
///     |s| *s >= 3,
///     |_| false,
///     |_| String::new(),
///     soniox::PollPolicy::default().with_interval(Duration::from_millis(1)),
/// )?;
/// assert_eq!(done, 3);
/// # Ok::<(), soniox::Error>(())
/// ```
pub fn poll_until_complete<S>(
    mut get_status: impl FnMut() -> Result<S>,
    is_complete: impl Fn(&S) -> bool,
    is_failed: impl Fn(&S) -> bool,
    get_error: impl Fn(&S) -> String,
    policy: PollPolicy,
) -> Result<S> {
    let mut poller = Poller::new(policy, Instant::now());
    loop {
        match poller.poll_step(Instant::now()) {
            PollStep::Check => {
                let status = get_status()?;
                if let Some(done) = poller.handle_status(Instant::now(), status, &is_complete, &is_failed, &get_error) {
                    return done;
                }
            }
            PollStep::WaitUntil(t) => std::thread::sleep(t.saturating_duration_since(Instant::now())),
            PollStep::TimedOut => return Err(poller.timed_out()),
        }
    }
}
