//! `poll_until_complete`: the performance plan's polling helper, over async closures.

use std::time::Instant;

use super::net;
use crate::core::poller::{PollPolicy, PollStep, Poller};
use crate::error::Result;

/// Awaits `get_status` on the [`PollPolicy`] schedule until `is_complete` (→ `Ok(status)`)
/// or `is_failed` (→ [`Error::TranscriptionFailed`](crate::Error::TranscriptionFailed) with `get_error`'s message and an
/// empty id), or the policy's timeout (→ [`Error::Timeout`](crate::Error::Timeout)). An error from
/// `get_status` ends the wait. Sleeps between checks without blocking a thread.
///
/// `get_status` is an async closure (`async || ...`) or a closure returning a future
/// (`|| async { ... }`).
///
/// ```
/// use std::time::Duration;
/// use soniox::nonblocking::poll_until_complete;
/// # futures::executor::block_on(async {
/// let mut n = 0;
/// let done = poll_until_complete(
///     async || { n += 1; Ok(n) },
///     |s| *s >= 3,
///     |_| false,
///     |_| String::new(),
///     soniox::PollPolicy::default().with_interval(Duration::from_millis(1)),
/// )
/// .await?;
/// assert_eq!(done, 3);
/// # Ok::<(), soniox::Error>(()) }).unwrap();
/// ```
pub async fn poll_until_complete<S>(
    mut get_status: impl AsyncFnMut() -> Result<S>,
    is_complete: impl Fn(&S) -> bool,
    is_failed: impl Fn(&S) -> bool,
    get_error: impl Fn(&S) -> String,
    policy: PollPolicy,
) -> Result<S> {
    let mut poller = Poller::new(policy, Instant::now());
    loop {
        match poller.poll_step(Instant::now()) {
            PollStep::Check => {
                let status = get_status().await?;
                if let Some(done) = poller.handle_status(Instant::now(), status, &is_complete, &is_failed, &get_error) {
                    return done;
                }
            }
            PollStep::WaitUntil(t) => net::sleep(t.saturating_duration_since(Instant::now())).await,
            PollStep::TimedOut => return Err(poller.timed_out()),
        }
    }
}
