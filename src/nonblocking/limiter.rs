//! An async counting semaphore: at most `n` requests hold a connection at once; the
//! others wait (without blocking a thread, and without a timeout: waiting for a turn
//! never fails) until one is released. The permit is held until the response body was
//! read and the connection went back to the pool, and the pool opens a connection only
//! when no idle one is left, so the connections open at once never exceed `n`.

use async_lock::{Semaphore, SemaphoreGuard};

#[derive(Debug)]
pub(crate) struct Limiter {
    permits: Semaphore,
}

/// Held while a request uses a connection; released on drop.
pub(crate) type Permit<'a> = SemaphoreGuard<'a>;

impl Limiter {
    pub(crate) fn new(n: usize) -> Limiter {
        Limiter {
            permits: Semaphore::new(n),
        }
    }

    /// Waits until a permit is free.
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        self.permits.acquire().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::future::join_all;

    use super::*;

    #[test]
    fn never_more_than_n_holders_and_everyone_gets_through() {
        let limiter = Limiter::new(3);
        let (now, peak, done) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        let task = || async {
            for _ in 0..50 {
                let _p = limiter.acquire().await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                yield_now().await; // let the other tasks run while the permit is held
                now.fetch_sub(1, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            }
        };
        futures::executor::block_on(join_all((0..12).map(|_| task())));
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(done.load(Ordering::SeqCst), 600);
    }

    /// Returns `Pending` once, waking itself so the executor polls the others first.
    async fn yield_now() {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if std::mem::replace(&mut yielded, true) {
                std::task::Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }
}
