//! The state every handle of one stream shares: the socket and the session behind one
//! `Mutex` (held only for non-blocking work, never across an await), the wakers of the
//! parties that wait, and the counters. Each handle's pass does the I/O itself, on the
//! caller's task:
//!
//! ```text
//! the stream's poll_next   lock: an event queued? else keepalive due → write, flush, read one
//!                          message → unlock; Pending with the socket and the keepalive timer
//!                          registered
//! a sender's send          lock: room? the frame → flush → unlock; full: read what arrived
//!                          (the server may wait for us to), keepalive, Pending until room
//! close / drop             lock: the close frame if the socket takes it, shutdown → unlock
//! ```
//!
//! Whoever reads events that another party waits for wakes it (a sender reading for the
//! reader); whoever ends the session or closes the stream wakes everyone.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::io::Io;
use super::wake::Wakers;
use super::ws::WsConn;
use crate::core::realtime::{Phase, RealtimeEvent, RealtimeSession};
use crate::driver::realtime::StreamCounters;
use crate::error::{Error, Result};

/// Rounds of one pass before it yields to its executor (and wakes itself).
const ROUNDS: usize = 8;
/// Messages a waiting sender reads per round.
const BATCH: usize = 32;

/// What the stream and its senders share.
#[derive(Debug)]
pub(super) struct Shared {
    io: Mutex<Io>,
    wakers: Arc<Wakers>,
    /// The one waker of every socket and timer call: wakes [`wakers`](Self::wakers).
    socket_waker: Waker,
    /// The user closed (or dropped) the stream.
    closing: AtomicBool,
    /// Frames the WebSocket may hold unflushed before a sender waits.
    capacity: usize,
    pub(super) counters: StreamCounters,
    /// `soniox.realtime{model}`: entered around every pass; the end is recorded into it.
    pub(super) span: tracing::Span,
}

impl Shared {
    /// The shared state of a freshly opened connection; its start message goes out.
    pub(super) fn new(conn: WsConn, session: RealtimeSession, capacity: usize, span: tracing::Span) -> Shared {
        let wakers = Arc::new(Wakers::default());
        let socket_waker = wakers.socket_waker();
        let io = Io::new(conn, session, &mut Context::from_waker(&socket_waker));
        let shared = Shared {
            io: Mutex::new(io),
            wakers,
            socket_waker,
            closing: AtomicBool::new(false),
            capacity,
            counters: StreamCounters::default(),
            span,
        };
        shared.counters.publish(&shared.lock().session);
        shared
    }

    /// The lock (never held while waiting, so this waits only for short work).
    pub(super) fn lock(&self) -> MutexGuard<'_, Io> {
        self.io.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_closing(&self) -> bool {
        self.closing.load(Relaxed)
    }

    /// The reader's pass: the next event, reading the socket on the caller's task.
    /// `Ready(None)`: the socket closed with no event left (never after a last event).
    pub(super) fn poll_event(&self, cx: &mut Context<'_>) -> Poll<Option<Result<RealtimeEvent>>> {
        // Registered first: an event after the look below wakes this task.
        self.wakers.register_reader(cx.waker());
        let _span = self.span.enter();
        let sx = &mut Context::from_waker(&self.socket_waker);
        let mut io = self.lock();
        for _ in 0..ROUNDS {
            if let Some(event) = io.session.poll_event() {
                return Poll::Ready(Some(event));
            }
            if io.closed {
                return Poll::Ready(None);
            }
            io.tick(sx);
            let read = io.read(sx, 1);
            self.settle(&mut io, false);
            if read > 0 || io.closed || io.poll_keepalive(sx) {
                continue;
            }
            return Poll::Pending;
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// A sender's pass: runs `act` under the lock once the WebSocket has room for another
    /// frame; `act`'s result. While there is none it reads what arrived (a server blocked on
    /// writing results never stalls the sender), sends a due keepalive and, with a `waker`,
    /// returns `Pending` until room may have appeared; without one (`try_*`) it returns
    /// `Pending` at once.
    pub(super) fn poll_write<T>(
        &self,
        waker: Option<&Waker>,
        what: &str,
        mut act: impl FnMut(&mut Io, &mut Context<'_>) -> Result<T>,
    ) -> Poll<Result<T>> {
        let _span = self.span.enter();
        let sx = &mut Context::from_waker(&self.socket_waker);
        let mut io = self.lock();
        let mut registered = false;
        for _ in 0..ROUNDS {
            if let Err(e) = io.check_open(what, self.is_closing()) {
                return Poll::Ready(Err(e));
            }
            if io.has_room(self.capacity, sx) {
                io.write_transmit(sx);
                let done = act(&mut io, sx);
                let read = match io.is_broken() {
                    true => io.read(sx, BATCH),
                    false => 0,
                };
                self.settle(&mut io, read > 0);
                return Poll::Ready(done);
            }
            if self.wait_round(&mut io, sx, waker, &mut registered) {
                continue;
            }
            return Poll::Pending;
        }
        if let Some(waker) = waker {
            waker.wake_by_ref();
        }
        Poll::Pending
    }

    /// Waits until the WebSocket's buffer has gone to the socket (reading and keeping the
    /// session alive meanwhile, as [`poll_write`](Self::poll_write) does).
    pub(super) fn poll_flushed(&self, waker: &Waker) -> Poll<Result<()>> {
        let _span = self.span.enter();
        let sx = &mut Context::from_waker(&self.socket_waker);
        let mut io = self.lock();
        let mut registered = false;
        for _ in 0..ROUNDS {
            io.flush(sx);
            // After `finished`, everything sent has reached the server.
            if io.buffered == 0 || io.session.phase() == Phase::Finished {
                return Poll::Ready(Ok(()));
            }
            if io.closed || io.is_broken() || self.is_closing() {
                io.read(sx, BATCH);
                self.settle(&mut io, true);
                let unsent = Error::invalid("cannot flush: the connection closed with audio unsent");
                return Poll::Ready(Err(io.check_open("flush", self.is_closing()).err().unwrap_or(unsent)));
            }
            if self.wait_round(&mut io, sx, Some(waker), &mut registered) {
                continue;
            }
            return Poll::Pending;
        }
        waker.wake_by_ref();
        Poll::Pending
    }

    /// One round of a sender that has no room: reads what arrived, registers `waker` (once,
    /// then looks again), sends a due keepalive and arms the keepalive timer. True to look
    /// again now; false to wait (or, without a waker, to give up).
    fn wait_round(&self, io: &mut Io, sx: &mut Context<'_>, waker: Option<&Waker>, registered: &mut bool) -> bool {
        // The server may be blocked on writing to us: take what it sent (for the reader).
        let read = io.read(sx, BATCH);
        self.settle(io, read > 0);
        if read > 0 {
            return true;
        }
        let Some(waker) = waker else {
            return false;
        };
        if !*registered {
            // From now on a change wakes this task: look once more before waiting.
            self.wakers.register_writer(waker);
            *registered = true;
            return true;
        }
        io.tick(sx);
        io.poll_keepalive(sx)
    }

    /// The close frame, for [`RealtimeStream::close`](super::RealtimeStream::close):
    /// `Ready` once written, or when the socket is closed.
    pub(super) fn poll_close_frame(&self, waker: &Waker) -> Poll<()> {
        self.wakers.register_writer(waker);
        let _span = self.span.enter();
        let sx = &mut Context::from_waker(&self.socket_waker);
        self.lock().poll_close_frame(sx)
    }

    /// The user closes (or drops) the stream: no more sending; wakes waiting senders.
    pub(super) fn begin_close(&self) {
        self.closing.store(true, Relaxed);
        self.wakers.wake_writers();
    }

    /// Closes the socket now (the close frame only if the socket takes it at once). Never
    /// waits but for the lock.
    pub(super) fn close(&self) {
        self.closing.store(true, Relaxed);
        let _span = self.span.enter();
        let mut io = self.lock();
        self.shut(&mut io);
        drop(io);
        self.wakers.wake_all();
    }

    /// After a pass: publishes the counters; once the session ended, closes the socket and
    /// wakes everyone; else wakes the reader if `for_reader` (someone else read messages
    /// into the session) and waiting senders once the WebSocket's buffer is flushed (a
    /// sender waits only while it is not, so this never wakes one for nothing).
    fn settle(&self, io: &mut Io, for_reader: bool) {
        self.counters.publish(&io.session);
        if io.session.phase().is_terminal() && !io.closed {
            self.shut(io);
            self.wakers.wake_all();
            return;
        }
        if for_reader {
            self.wakers.wake_reader();
        }
        if io.buffered == 0 {
            self.wakers.wake_writers();
        }
    }

    /// Closes the socket once and records how the session ended into the span.
    fn shut(&self, io: &mut Io) {
        if !io.close(&mut Context::from_waker(&self.socket_waker)) {
            return;
        }
        self.counters.publish(&io.session);
        crate::driver::realtime::record_end(&self.span, &io.session);
    }
}
