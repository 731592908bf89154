//! Who to wake when something may have changed: the stream's reader and the senders waiting
//! for room. Every socket and timer call of the stream is made with one fixed waker, the
//! [`Wakers`] set itself, so the reactor (and async-tungstenite's own waker slots) always
//! hold the same waker, and a readiness event reaches every party that waits, whichever of
//! them polled the socket last.
//!
//! ```text
//! socket readable/writable, keepalive timer ──▶ Wakers ──▶ the reader's waker (AtomicWaker)
//!                                                    └──▶ each waiting sender's waker
//! a sender read events into the session ────────────────▶ the reader's waker
//! the session ended, the stream was closed ─────────────▶ everyone
//! ```
//!
//! A party registers its own waker *before* it looks at the socket (under the stream's
//! lock), so an event that comes after that look wakes it: no lost wake-ups. A sender that
//! gave up waiting may leave its waker behind: it is woken once more, for nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Waker;

use futures::task::{ArcWake, AtomicWaker};

/// The wakers of one stream's parties.
#[derive(Debug, Default)]
pub(super) struct Wakers {
    /// The task polling the stream for events.
    reader: AtomicWaker,
    /// Senders waiting for room (or for the WebSocket's buffer to drain, or the close frame).
    writers: Mutex<Vec<Waker>>,
    /// `writers` may be non-empty: lets a wake skip the lock when nobody waits.
    writers_waiting: AtomicBool,
}

impl Wakers {
    /// The fixed waker for every socket and timer call of the stream.
    pub(super) fn socket_waker(self: &Arc<Self>) -> Waker {
        futures::task::waker(self.clone())
    }

    /// The reader is about to look for an event: wake it when one may have arrived.
    pub(super) fn register_reader(&self, waker: &Waker) {
        self.reader.register(waker);
    }

    /// A sender is about to look for room again: wake it when some may have appeared.
    pub(super) fn register_writer(&self, waker: &Waker) {
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        if !writers.iter().any(|w| w.will_wake(waker)) {
            writers.push(waker.clone());
        }
        self.writers_waiting.store(true, Ordering::Release);
    }

    /// Events were queued by someone else than the reader.
    pub(super) fn wake_reader(&self) {
        self.reader.wake();
    }

    /// Room may have appeared: every waiting sender looks again.
    pub(super) fn wake_writers(&self) {
        if !self.writers_waiting.swap(false, Ordering::AcqRel) {
            return;
        }
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        for waker in writers.drain(..) {
            waker.wake();
        }
    }

    /// Everyone looks again.
    pub(super) fn wake_all(&self) {
        self.wake_reader();
        self.wake_writers();
    }
}

impl ArcWake for Wakers {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// A waker that counts its wake-ups.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl ArcWake for Count {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        let waker = futures::task::waker(count.clone());
        (count, waker)
    }

    fn woken(count: &Count) -> usize {
        count.0.load(Ordering::SeqCst)
    }

    #[test]
    fn a_socket_event_wakes_the_reader_and_every_waiting_writer_once() {
        let wakers = Arc::new(Wakers::default());
        let socket = wakers.socket_waker();
        let (reader, reader_waker) = counter();
        let (w1, w1_waker) = counter();
        let (w2, w2_waker) = counter();
        wakers.register_reader(&reader_waker);
        wakers.register_writer(&w1_waker);
        wakers.register_writer(&w1_waker); // the same task again: registered once
        wakers.register_writer(&w2_waker);
        socket.wake_by_ref();
        assert_eq!((woken(&reader), woken(&w1), woken(&w2)), (1, 1, 1));
        // Woken wakers are used up: a second event wakes nobody until they register again.
        socket.wake_by_ref();
        assert_eq!((woken(&reader), woken(&w1), woken(&w2)), (1, 1, 1));
        wakers.register_writer(&w2_waker);
        socket.wake();
        assert_eq!((woken(&reader), woken(&w1), woken(&w2)), (1, 1, 2));
    }

    #[test]
    fn events_queued_by_a_sender_wake_only_the_reader() {
        let wakers = Arc::new(Wakers::default());
        let (reader, reader_waker) = counter();
        let (writer, writer_waker) = counter();
        wakers.register_reader(&reader_waker);
        wakers.register_writer(&writer_waker);
        wakers.wake_reader();
        assert_eq!((woken(&reader), woken(&writer)), (1, 0));
        wakers.wake_writers();
        assert_eq!((woken(&reader), woken(&writer)), (1, 1));
    }
}
