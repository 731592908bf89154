//! Time limits for many futures over one reactor timer.
//!
//! A fresh async-io timer per request costs a reactor round each time it is armed (the
//! reactor is notified, wakes, recomputes its wait): measured at 60–80 µs of CPU per REST
//! call, a third of the call. The exchanges of one client share one timer instead: it is
//! armed at the earliest deadline anyone waits for, and re-armed only when a waiter needs
//! an earlier one or after it fired. Sequential calls with the same limit (every call of
//! a client) arm it once per `limit`, not once per call.
//!
//! The timer is polled with one fixed waker, which wakes every waiter; each then checks
//! its own deadline, and whoever still waits re-arms the timer. No task, no thread.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use async_io::Timer;
use futures::future::{self, Either};

/// The shared timer of one client.
#[derive(Debug)]
pub(crate) struct Deadlines {
    state: Mutex<State>,
    /// The waker the timer is polled with: wakes every waiter.
    wake_all: Waker,
    waiters: Arc<Waiters>,
}

#[derive(Debug)]
struct State {
    timer: Timer,
    /// When the timer fires, if armed.
    armed: Option<Instant>,
}

/// The waiters' wakers, by slot.
#[derive(Debug, Default)]
struct Waiters {
    slots: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl Wake for Waiters {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        // Woken outside the lock: a waker may run (or drop) a future inline, whose
        // `Expiry` then takes this lock to unregister.
        let wakers: Vec<Waker> = {
            let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            slots.wakers.iter().flatten().cloned().collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

impl Default for Deadlines {
    fn default() -> Deadlines {
        let waiters = Arc::new(Waiters::default());
        Deadlines {
            state: Mutex::new(State {
                timer: Timer::never(),
                armed: None,
            }),
            wake_all: Waker::from(waiters.clone()),
            waiters,
        }
    }
}

impl Deadlines {
    /// `fut`'s output if it completes within `limit`, else `None` (and `fut` is dropped).
    /// A limit of [`NO_LIMIT`](crate::config::time::NO_LIMIT) or more (`Duration::MAX`)
    /// never expires.
    pub(crate) async fn within<T>(&self, limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
        let Some(at) = crate::config::time::deadline(Instant::now(), limit) else {
            return Some(fut.await);
        };
        let expiry = Expiry {
            deadlines: self,
            at,
            slot: None,
        };
        match future::select(pin!(fut), expiry).await {
            Either::Left((out, _)) => Some(out),
            Either::Right(((), _)) => None,
        }
    }

    /// Makes sure the timer fires no later than `at`; `true` if `at` has passed.
    fn arm(&self, at: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut cx = Context::from_waker(&self.wake_all);
        // At most twice: a timer found fired (everyone was or is being woken) is re-armed
        // for this waiter, and polled again to register it.
        for _ in 0..2 {
            if state.armed.is_none_or(|armed| armed > at) {
                state.timer.set_at(at);
                state.armed = Some(at);
            }
            if Pin::new(&mut state.timer).poll(&mut cx).is_pending() {
                return false;
            }
            state.armed = None;
            state.timer = Timer::never();
            if Instant::now() >= at {
                return true;
            }
        }
        false
    }

    fn register(&self, slot: &mut Option<usize>, waker: &Waker) {
        let mut slots = self.waiters.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match *slot {
            Some(i) => match &mut slots.wakers[i] {
                Some(w) if w.will_wake(waker) => {}
                place => *place = Some(waker.clone()),
            },
            None => {
                let i = match slots.free.pop() {
                    Some(i) => {
                        slots.wakers[i] = Some(waker.clone());
                        i
                    }
                    None => {
                        slots.wakers.push(Some(waker.clone()));
                        slots.wakers.len() - 1
                    }
                };
                *slot = Some(i);
            }
        }
    }

    fn unregister(&self, slot: usize) {
        let mut slots = self.waiters.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.wakers[slot] = None;
        slots.free.push(slot);
    }
}

/// Ready once `at` has passed.
struct Expiry<'a> {
    deadlines: &'a Deadlines,
    at: Instant,
    slot: Option<usize>,
}

impl Future for Expiry<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if Instant::now() >= this.at {
            return Poll::Ready(());
        }
        this.deadlines.register(&mut this.slot, cx.waker());
        if this.deadlines.arm(this.at) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Expiry<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.deadlines.unregister(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn a_limit_expires_and_a_quick_future_does_not() {
        let d = Deadlines::default();
        futures::executor::block_on(async {
            assert_eq!(d.within(Duration::from_secs(5), async { 7 }).await, Some(7));
            let never = future::pending::<()>();
            assert_eq!(d.within(Duration::from_millis(20), never).await, None);
            assert_eq!(d.within(Duration::MAX, async { 8 }).await, Some(8));
        });
    }

    #[test]
    fn waiters_with_different_limits_each_expire_at_their_own() {
        let d = Deadlines::default();
        let expired = AtomicUsize::new(0);
        futures::executor::block_on(async {
            // A long limit arms first; shorter ones must re-arm the timer earlier.
            let long = d.within(Duration::from_secs(60), future::pending::<()>());
            let short = async {
                let r = d.within(Duration::from_millis(30), future::pending::<()>()).await;
                expired.fetch_add(usize::from(r.is_none()), Ordering::SeqCst);
                let r = d.within(Duration::from_millis(10), future::pending::<()>()).await;
                expired.fetch_add(usize::from(r.is_none()), Ordering::SeqCst);
            };
            match future::select(pin!(long), pin!(short)).await {
                Either::Left(_) => panic!("the 60 s limit expired first"),
                Either::Right(_) => {}
            }
        });
        assert_eq!(expired.load(Ordering::SeqCst), 2);
        let slots = d.waiters.slots.lock().unwrap();
        assert!(slots.wakers.iter().all(Option::is_none), "every waiter unregistered");
    }

    #[test]
    fn a_waiter_behind_a_fired_earlier_deadline_re_arms_the_timer() {
        let d = Deadlines::default();
        futures::executor::block_on(async {
            // The first limit arms the timer at +20 ms and ends early; the second waits
            // for +60 ms and finds the timer fired at +20 ms: it must re-arm, not hang.
            let quick = d.within(Duration::from_millis(20), pending_once()).await;
            assert_eq!(quick, Some(()));
            let second = d.within(Duration::from_millis(60), future::pending::<()>());
            let guard = net_sleep(Duration::from_secs(5));
            // The guard is polled first: if both are due, the hang is what counts.
            match future::select(pin!(guard), pin!(second)).await {
                Either::Left(_) => panic!("the 60 ms limit never expired"),
                Either::Right((r, _)) => assert_eq!(r, None),
            }
        });
    }

    /// Pending on its first poll (waking itself), ready on the second.
    async fn pending_once() {
        let mut first = true;
        future::poll_fn(|cx| {
            if std::mem::take(&mut first) {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await
    }

    async fn net_sleep(d: Duration) {
        Timer::after(d).await;
    }

    #[test]
    fn sequential_waits_with_one_limit_arm_the_timer_once() {
        let d = Deadlines::default();
        futures::executor::block_on(async {
            let mut arms = std::collections::HashSet::new();
            for _ in 0..100 {
                assert_eq!(d.within(Duration::from_secs(30), pending_once()).await, Some(()));
                arms.insert(d.state.lock().unwrap().armed);
            }
            assert_eq!(arms.len(), 1, "armed once, at the first call's deadline");
        });
    }
}
