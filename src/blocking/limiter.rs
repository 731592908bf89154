//! A counting semaphore over a crossbeam channel: at most `n` requests hold a
//! connection at once; the others block (queue) until one is released.
//! (ureq caps only idle connections, not concurrent ones.)

use crossbeam_channel::{bounded, Receiver, Sender};

#[derive(Debug)]
pub(crate) struct Limiter {
    give: Sender<()>,
    take: Receiver<()>,
}

/// Held while a request uses a connection; released on drop.
#[derive(Debug)]
pub(crate) struct Permit<'a>(&'a Limiter);

impl Limiter {
    pub(crate) fn new(n: usize) -> Limiter {
        let (give, take) = bounded(n);
        for _ in 0..n {
            give.send(()).expect("capacity n holds n permits");
        }
        Limiter { give, take }
    }

    /// Blocks until a permit is free.
    pub(crate) fn acquire(&self) -> Permit<'_> {
        // Both ends live in `self`, so the channel cannot be disconnected.
        self.take.recv().expect("limiter channel is never disconnected");
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        // Never full here: every permit in flight was taken from the channel.
        let _ = self.0.give.try_send(());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[test]
    fn never_more_than_n_holders_and_everyone_gets_through() {
        let limiter = Arc::new(Limiter::new(3));
        let (now, peak, done) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let threads: Vec<_> = (0..12)
            .map(|_| {
                let (l, now, peak, done) = (limiter.clone(), now.clone(), peak.clone(), done.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _p = l.acquire();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::yield_now();
                        now.fetch_sub(1, Ordering::SeqCst);
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(done.load(Ordering::SeqCst), 600);
    }
}
