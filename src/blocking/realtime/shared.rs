//! The state every handle of one stream shares: the socket and the session behind one
//! `Mutex` (held only for non-blocking work, never while waiting), each role's wait
//! (outside that lock), and the counters.
//!
//! ```text
//! caller's recv    lock: poll_event, else read what it received → unlock → recv(2) (parked)
//! send_audio       lock: room? audio_sent + write + flush        → unlock (full: wait writable)
//! keeper thread    wakes at the keepalive deadline (or when told): lock → handle_timeout → write
//! ```
//!
//! A blocked writer or the keeper may read events off the socket into the session while the
//! reader is not parked (the reader finds them on its next pass); while it is parked, its
//! bytes are its own (see the [socket module](super::socket)). Whoever leaves bytes in the
//! WebSocket's buffer wakes the keeper, which then flushes them once the socket takes them.
//! The session ending shuts the socket down, which wakes every waiter, the parked reader
//! included.

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::socket::Inbox;
use super::sys::Waker;
use super::waiter::Waiter;
use super::ws::{Incoming, WsConn};
use crate::core::realtime::RealtimeSession;
use crate::driver::realtime::StreamCounters;
use crate::error::Result;

/// The socket and the session: what the lock guards.
#[derive(Debug)]
pub(super) struct Io {
    pub(super) conn: WsConn,
    pub(super) session: RealtimeSession,
    /// Frames in the WebSocket's buffer that the socket has not fully taken (0: flushed).
    pub(super) buffered: usize,
    /// A write failed: the connection is gone (reported after reading what arrived first).
    broken: Option<String>,
    /// The socket was closed (the session ended, or the user closed the stream).
    pub(super) closed: bool,
    /// The keeper is (or is about to be) watching the socket for buffered bytes: no need
    /// to wake it again.
    pub(super) keeper_watching: bool,
}

impl Io {
    /// Writes the session's queued text frames (start, keepalive, finalize, end of audio).
    pub(super) fn write_transmit(&mut self) {
        while let Some(frame) = self.session.poll_transmit() {
            let sent = self.conn.send_text(frame.as_str());
            self.settle(sent);
        }
    }

    /// Writes one audio frame after the session agreed (`audio_sent`).
    pub(super) fn write_audio(&mut self, chunk: &[u8]) -> Result<()> {
        self.session.audio_sent(Instant::now(), chunk.len())?;
        let sent = self.conn.send_binary(chunk.to_vec());
        self.settle(sent);
        Ok(())
    }

    /// Pushes out what the WebSocket holds, if anything.
    pub(super) fn flush(&mut self) {
        if self.buffered > 0 && self.broken.is_none() {
            let flushed = self.conn.flush().map(|done| if done { 0 } else { self.buffered });
            match flushed {
                Ok(n) => self.buffered = n,
                Err(e) => self.broken = Some(e),
            }
        }
    }

    /// Records a write: `Ok(true)` flushed everything, `Ok(false)` left this frame (and
    /// any before it) in the WebSocket's buffer.
    fn settle(&mut self, result: std::result::Result<bool, String>) {
        match result {
            Ok(true) => self.buffered = 0,
            Ok(false) => self.buffered += 1,
            Err(e) => {
                self.broken.get_or_insert(e);
            }
        }
    }

    /// Reads messages into the session until the socket would block, or (with
    /// `until_event`) until one message was handled. A write failure is
    /// reported as a lost connection only after that, so a server error message that
    /// arrived first wins; while the reader is parked (it owns the socket's bytes), the
    /// socket's read side is shut down instead, which wakes it to read them.
    pub(super) fn read(&mut self, until_event: bool) {
        while !self.closed {
            match self.conn.read() {
                Incoming::Text(text) => {
                    // Every message handled while the session runs yields an event.
                    self.session.handle_message(Instant::now(), &text);
                    if until_event {
                        break;
                    }
                }
                Incoming::Idle => break,
                Incoming::Closed(code, reason) => {
                    // A write that failed first says better why the connection is gone.
                    let reason = match code {
                        None => self.broken.take().unwrap_or(reason),
                        Some(_) => reason,
                    };
                    self.session.handle_close(Instant::now(), code, &reason);
                    break;
                }
            }
        }
        if self.broken.is_some() {
            if self.conn.socket().is_parked() {
                let _ = self.conn.tcp().shutdown(Shutdown::Read);
            } else if let Some(reason) = self.broken.take() {
                self.session.handle_close(Instant::now(), None, &reason);
            }
        }
    }

    /// The reader's pass: reads what it already received (see [`Socket`](super::socket)),
    /// never the socket itself, up to one message.
    pub(super) fn read_received(&mut self) {
        self.conn.socket_mut().set_inbox_only(true);
        self.read(true);
        self.conn.socket_mut().set_inbox_only(false);
    }

    /// A write failed and the session does not know yet (it learns on the next read).
    pub(super) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// The keepalive, if due, and any frame waiting to go.
    pub(super) fn tick(&mut self) {
        self.session.handle_timeout(Instant::now());
        self.write_transmit();
        self.flush();
    }

    /// Closes the socket: a close frame if it can still go, then a shutdown (which
    /// wakes every wait on it), and records the session's end into `span`. Idempotent.
    pub(super) fn close(&mut self, tcp: &TcpStream, span: &tracing::Span) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.conn.close();
        let _ = tcp.shutdown(Shutdown::Both);
        crate::driver::realtime::record_end(span, &self.session);
    }

    /// Why `what` cannot be done now, if it cannot ([`RealtimeSession::check_open`]).
    pub(super) fn check_open(&self, what: &str, closing: bool) -> Result<()> {
        self.session.check_open(what, closing, self.closed)
    }
}

/// What the stream, its senders and its keeper thread share.
#[derive(Debug)]
pub(super) struct Shared {
    io: Mutex<Io>,
    /// A second handle on the socket, to watch it, park on it and shut it down outside
    /// the lock.
    pub(super) tcp: TcpStream,
    /// The writers' wait; `writer_gate` lets one writer wait on it at a time.
    writer: Waiter,
    writer_gate: Mutex<()>,
    /// The keeper thread's wait.
    pub(super) keeper: Waiter,
    /// Ends the parked reader's wait where a shutdown may not (see [`sys`](super::sys)).
    pub(super) reader: Waker,
    /// The user closed (or dropped) the stream.
    pub(super) closing: AtomicBool,
    /// Frames the WebSocket may hold unsent before a writer waits.
    pub(super) capacity: usize,
    pub(super) counters: StreamCounters,
    /// `soniox.realtime`, entered around every I/O step.
    pub(super) span: tracing::Span,
}

impl Shared {
    /// Sets up the three waits; the session gets `handle_connected`
    /// and its start message goes out.
    pub(super) fn new(
        conn: WsConn,
        mut session: RealtimeSession,
        capacity: usize,
        span: tracing::Span,
    ) -> std::io::Result<Shared> {
        let tcp = conn.tcp().try_clone()?;
        let (writer, keeper) = (Waiter::new()?, Waiter::new()?);
        session.handle_connected(Instant::now());
        let mut io = Io {
            conn,
            session,
            buffered: 0,
            broken: None,
            closed: false,
            keeper_watching: false,
        };
        io.write_transmit();
        let shared = Shared {
            io: Mutex::new(io),
            tcp,
            writer,
            writer_gate: Mutex::new(()),
            keeper,
            reader: Waker::new()?,
            closing: AtomicBool::new(false),
            capacity,
            counters: StreamCounters::default(),
            span,
        };
        Ok(shared)
    }

    /// The lock (never held while blocking, so this waits only for short work).
    pub(super) fn lock(&self) -> MutexGuard<'_, Io> {
        self.io.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// After work under the lock: publishes the counters; closes the socket once the
    /// session ended; wakes the keeper if bytes were left in the WebSocket's buffer.
    pub(super) fn settle(&self, io: &mut Io) {
        self.counters.publish(&io.session);
        if io.is_broken() && io.conn.socket().is_parked() {
            // A write failed while the reader waits: `read` shut the socket's read side,
            // which may not end a `WSAPoll` (see `sys`); the reader's own wake-up does.
            self.reader.wake();
        }
        if io.session.phase().is_terminal() && !io.closed {
            io.close(&self.tcp, &self.span);
            self.wake_all();
        } else if io.buffered > 0 && !io.keeper_watching {
            io.keeper_watching = true;
            self.wake(&self.keeper);
        }
    }

    /// Closes the socket now (the user's `close`/drop).
    pub(super) fn close(&self) {
        self.closing.store(true, Relaxed);
        let mut io = self.lock();
        io.close(&self.tcp, &self.span);
        self.counters.publish(&io.session);
        drop(io);
        self.wake_all();
    }

    pub(super) fn is_closing(&self) -> bool {
        self.closing.load(Relaxed)
    }

    /// Waits with `waiter` until the socket is readable (`read`), writable (`write`),
    /// a wake-up, or `timeout`. Errors only when `poll` itself fails.
    pub(super) fn wait(
        &self,
        waiter: &Waiter,
        read: bool,
        write: bool,
        timeout: Option<Duration>,
    ) -> std::io::Result<()> {
        waiter.wait(&self.tcp, read, write, timeout)
    }

    /// Runs `act` under the lock once the WebSocket has room for another frame (fewer
    /// than `capacity` unsent), waiting for the socket while it has none; `act`'s result.
    /// Gives up at `deadline` with `Ok(None)`. While waiting it reads what arrives (so a
    /// server blocked on writing results never stalls the writer), unless the reader is
    /// parked and takes it itself.
    pub(super) fn with_room<T>(
        &self,
        what: &str,
        deadline: Option<Instant>,
        mut act: impl FnMut(&mut Io) -> Result<T>,
    ) -> Result<Option<T>> {
        let _span = self.span.enter();
        loop {
            let mut io = self.lock();
            io.check_open(what, self.is_closing())?;
            io.flush();
            if io.buffered < self.capacity {
                io.write_transmit();
                let done = act(&mut io);
                self.after_write(&mut io);
                return done.map(Some);
            }
            // Full: take what the server sent (it may be waiting for us to), then wait.
            if self.read_for_reader(&mut io) {
                continue;
            }
            drop(io);
            let left = deadline.map(|at| at.saturating_duration_since(Instant::now()));
            if left.is_some_and(|d| d.is_zero()) {
                return Ok(None);
            }
            let _gate = self.writer_gate.lock().unwrap_or_else(PoisonError::into_inner);
            let parked = {
                let mut io = self.lock();
                io.check_open(what, self.is_closing())?;
                io.flush();
                if io.buffered < self.capacity {
                    continue;
                }
                io.conn.socket().is_parked()
            };
            // A parked reader takes what arrives (and wakes this wait when it returns).
            if let Err(e) = self.wait(&self.writer, !parked, true, left) {
                let mut io = self.lock();
                io.session
                    .handle_close(Instant::now(), None, &format!("poll failed: {e}"));
                self.settle(&mut io);
            }
        }
    }

    /// After a write: a failed write fails the session (after reading what arrived
    /// first; see [`Io::read`]); then `settle`.
    fn after_write(&self, io: &mut Io) {
        if io.broken.is_some() {
            io.read(false);
        }
        self.settle(io);
    }

    /// Reads for the reader (a writer or the keeper doing it; nothing while the reader is
    /// parked). True when the session moved (events, or it ended).
    pub(super) fn read_for_reader(&self, io: &mut Io) -> bool {
        let before = io.session.messages_received();
        io.read(false);
        let moved = io.session.messages_received() != before || io.session.phase().is_terminal();
        self.settle(io);
        moved
    }

    /// The reader is back from `recv(2)` with `inbox`: hands it to the socket, and wakes
    /// the writers and the keeper if they wait for the socket meanwhile (they watched
    /// it only for room while the reader owned its bytes; now they may read too).
    pub(super) fn unpark(&self, io: &mut Io, inbox: Inbox) {
        io.conn.socket_mut().unpark(inbox);
        if io.buffered >= self.capacity {
            self.wake(&self.writer);
        }
        if io.keeper_watching {
            self.wake(&self.keeper);
        }
    }

    /// Wakes a role's waiter (a no-op while a wake-up is already pending).
    pub(super) fn wake(&self, waiter: &Waiter) {
        waiter.wake();
    }

    fn wake_all(&self) {
        for waiter in [&self.writer, &self.keeper] {
            waiter.wake();
        }
        self.reader.wake();
    }
}
