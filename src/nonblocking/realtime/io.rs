//! [`Io`]: the socket and the session as one value, behind the stream's lock, with the
//! non-blocking moves every handle makes with them: write frames, flush, read messages into
//! the session, keep the keepalive timer armed, close. Each move polls the socket once with
//! the context it is given (the stream's fixed socket waker, see [`wake`](super::wake))
//! and never waits; the session makes every protocol decision.

use std::task::{Context, Poll};
use std::time::Instant;

use super::ws::{Incoming, Timer, WsConn};
use crate::core::realtime::{Outgoing, RealtimeSession};
use crate::error::Result;

/// The socket and the session: what the stream's lock guards.
#[derive(Debug)]
pub(super) struct Io {
    pub(super) conn: WsConn,
    pub(super) session: RealtimeSession,
    /// Frames started since the WebSocket's buffer was last fully flushed (0: flushed).
    pub(super) buffered: usize,
    /// A write failed: the connection is gone (reported after reading what arrived first).
    broken: Option<String>,
    /// The socket was closed (the session ended, or the user closed the stream).
    pub(super) closed: bool,
    /// The keepalive timer, armed at (or before) the session's `poll_timeout`.
    keepalive: Option<Timer>,
}

impl Io {
    /// A freshly opened connection: the session learns it is connected and its start
    /// message is written.
    pub(super) fn new(conn: WsConn, mut session: RealtimeSession, cx: &mut Context<'_>) -> Io {
        session.handle_connected(Instant::now());
        let mut io = Io {
            conn,
            session,
            buffered: 0,
            broken: None,
            closed: false,
            keepalive: None,
        };
        io.write_transmit(cx);
        io
    }

    /// Room for one more frame: after flushing what waits, fewer than `capacity` frames
    /// are still unflushed and tungstenite takes another. A broken connection has room
    /// (the next read reports it).
    pub(super) fn has_room(&mut self, capacity: usize, cx: &mut Context<'_>) -> bool {
        self.flush(cx);
        if self.broken.is_some() {
            return true;
        }
        if self.buffered >= capacity {
            return false;
        }
        match self.conn.poll_ready(cx) {
            Poll::Ready(Ok(())) => true,
            Poll::Pending => false,
            Poll::Ready(Err(e)) => {
                self.broken = Some(e);
                true
            }
        }
    }

    /// Pushes what the WebSocket holds to the socket, as far as it takes it.
    pub(super) fn flush(&mut self, cx: &mut Context<'_>) {
        if self.buffered == 0 || self.broken.is_some() {
            return;
        }
        match self.conn.poll_flush(cx) {
            Poll::Ready(Ok(())) => self.buffered = 0,
            Poll::Pending => {}
            Poll::Ready(Err(e)) => self.broken = Some(e),
        }
    }

    /// Writes the session's queued text frames (start, keepalive, finalize, end of audio).
    pub(super) fn write_transmit(&mut self, cx: &mut Context<'_>) {
        while let Some(frame) = self.session.poll_transmit() {
            let Outgoing::Text(text) = frame;
            let started = self.conn.start_text(text);
            self.started(started, cx);
        }
    }

    /// Writes one audio frame (copied) after the session agreed (`audio_sent`).
    pub(super) fn write_audio(&mut self, chunk: &[u8], cx: &mut Context<'_>) -> Result<()> {
        self.session.audio_sent(Instant::now(), chunk.len())?;
        let started = self.conn.start_binary(chunk.to_vec());
        self.started(started, cx);
        Ok(())
    }

    /// Writes the audio frame in `chunk` (taken, not copied) after the session agreed; on
    /// `Err` the chunk stays where it was.
    pub(super) fn write_audio_owned(&mut self, chunk: &mut Option<Vec<u8>>, cx: &mut Context<'_>) -> Result<()> {
        let len = chunk.as_ref().map_or(0, Vec::len);
        self.session.audio_sent(Instant::now(), len)?;
        let started = self.conn.start_binary(chunk.take().unwrap_or_default());
        self.started(started, cx);
        Ok(())
    }

    /// Records a frame handed to tungstenite and pushes it out at once if the socket takes it.
    fn started(&mut self, started: std::result::Result<(), String>, cx: &mut Context<'_>) {
        match started {
            Ok(()) => {
                self.buffered += 1;
                self.flush(cx);
            }
            Err(e) => {
                self.broken.get_or_insert(e);
            }
        }
    }

    /// Reads up to `limit` messages into the session, until the socket has nothing more or
    /// the session ended; returns how many were handled (a close counts). A write failure
    /// is reported as a lost connection only after that, so a server error message that
    /// arrived first wins.
    pub(super) fn read(&mut self, cx: &mut Context<'_>, limit: usize) -> usize {
        let mut handled = 0;
        // Pings, pongs and binary frames are skipped; bounded all the same.
        for _ in 0..limit.saturating_mul(4) {
            if self.closed || handled == limit || self.session.phase().is_terminal() {
                break;
            }
            match self.conn.poll_read(cx) {
                Poll::Pending => break,
                Poll::Ready(Incoming::Skipped) => {}
                Poll::Ready(Incoming::Text(text)) => {
                    self.session.handle_message(Instant::now(), &text);
                    handled += 1;
                }
                Poll::Ready(Incoming::Closed(code, reason)) => {
                    // A write that failed first says better why the connection is gone.
                    let reason = match code {
                        None => self.broken.take().unwrap_or(reason),
                        Some(_) => reason,
                    };
                    self.session.handle_close(Instant::now(), code, &reason);
                    return handled + 1;
                }
            }
        }
        if let Some(reason) = self.broken.take() {
            self.session.handle_close(Instant::now(), None, &reason);
            handled += 1;
        }
        handled
    }

    /// A write failed and the session does not know yet (it learns on the next read).
    pub(super) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// What whoever polls does for the session's clock: a keepalive if one is due, any
    /// frame waiting to go, and a flush.
    pub(super) fn tick(&mut self, cx: &mut Context<'_>) {
        self.session.handle_timeout(Instant::now());
        self.write_transmit(cx);
        self.flush(cx);
    }

    /// Keeps the keepalive timer armed at the session's deadline (its waker is `cx`'s);
    /// true when it fired (then [`tick`](Self::tick) again).
    pub(super) fn poll_keepalive(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(due) = self.session.poll_timeout().filter(|_| !self.closed) else {
            self.keepalive = None;
            return false;
        };
        // The deadline only moves later while streaming: a timer armed earlier fires, the
        // core finds nothing due yet, and the timer is re-armed at the new deadline (one
        // timer per keepalive interval, not one per chunk).
        let timer = match &mut self.keepalive {
            Some(t) if t.deadline() <= due => t,
            slot => slot.insert(Timer::at(due)),
        };
        if timer.poll_fire(cx).is_ready() {
            self.keepalive = None;
            return true;
        }
        false
    }

    /// Puts the close frame out (as far as the socket takes it); `Ready` once written or
    /// when the connection is gone.
    pub(super) fn poll_close_frame(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.closed {
            return Poll::Ready(());
        }
        self.conn.poll_close(cx)
    }

    /// Closes the socket: the close frame if the socket takes it now, then a shutdown.
    /// True the first time.
    pub(super) fn close(&mut self, cx: &mut Context<'_>) -> bool {
        if self.closed {
            return false;
        }
        let _ = self.poll_close_frame(cx);
        self.closed = true;
        self.keepalive = None;
        self.conn.shutdown();
        true
    }

    /// Why `what` cannot be done now, if it cannot ([`RealtimeSession::check_open`]).
    pub(super) fn check_open(&self, what: &str, closing: bool) -> Result<()> {
        self.session.check_open(what, closing, self.closed)
    }
}
