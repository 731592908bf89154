//! The driver task: the one owner of the socket and the session (the blocking client does
//! the same I/O on its callers' threads instead). Each time it is polled it asks the core, does I/O, feeds
//! the results back, and returns `Pending` with its waker registered where something can
//! happen next: the socket (readable, or writable while unflushed), the command queue
//! (while flushed and streaming), the keepalive timer and the close signal.
//!
//! ```text
//! until the session ends or the user closes the stream (a few rounds per poll):
//!   handle_timeout(now)   the core decides whether a keepalive is due
//!   write                 poll_transmit frames, then queued commands, while flushed
//!   read                  until Pending: handle_message / handle_close
//!   deliver               counters, the end, poll_event → the user's channel
//!   timer                 armed at poll_timeout; firing means another round
//! then: a close frame, at most CLOSE_BOUND, and the task ends (dropping the socket).
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use crate::core::realtime::StreamCounters;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use futures::task::AtomicWaker;
use futures::Stream;
use log::debug;

use super::ws::{Incoming, Timer, WsConn};
use crate::core::realtime::{Phase, RealtimeEvent, RealtimeSession};
use crate::error::{Error, RealtimeError, Result};

/// Frames written (or messages read) per round before the other side gets a turn.
const BATCH: usize = 32;
/// Rounds per poll before the task yields to its executor (and wakes itself).
const ROUNDS: usize = 8;
/// Longest wait for the close frame to go out once the driver stops.
const CLOSE_BOUND: Duration = Duration::from_secs(1);

/// What a sender asks of the driver, in order, through one bounded channel.
#[derive(Debug)]
pub(super) enum Command {
    /// One non-empty binary audio frame.
    Audio(Vec<u8>),
    /// `{"type":"finalize"}`.
    Finalize,
    /// `{"type":"keepalive"}`.
    Keepalive,
    /// The end-of-audio frame.
    Finish,
}

/// How the session ended, for senders that come too late.
#[derive(Debug, Clone)]
pub(super) enum Ended {
    Finished,
    Failed(RealtimeError),
    Closed,
}

/// State shared by the stream, its senders and the driver.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// The driver's waker, for the close signal.
    waker: AtomicWaker,
    /// The user closed (or dropped) the stream: stop now.
    pub(super) closing: AtomicBool,
    /// `finish()` was called: no more audio.
    pub(super) finishing: AtomicBool,
    pub(super) ended: Mutex<Option<Ended>>,
    pub(super) counters: StreamCounters,
}

impl Shared {
    /// Asks the driver to stop now, without waiting for the server. Never blocks.
    pub(super) fn close(&self) {
        self.closing.store(true, Relaxed);
        self.waker.wake();
    }

    pub(super) fn ended(&self) -> Option<Ended> {
        self.ended.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// `Ok` while commands can still be queued; else why not (the same words as the core).
    pub(super) fn check_open(&self, what: &str) -> Result<()> {
        let why = match self.ended() {
            None if self.closing.load(Relaxed) => "the stream was closed",
            None if self.finishing.load(Relaxed) => "finish() was already called",
            None => return Ok(()),
            Some(Ended::Failed(e)) => return Err(Error::Realtime(e)),
            Some(Ended::Finished) => "the session has finished",
            Some(Ended::Closed) => "the stream was closed",
        };
        Err(Error::invalid(format!("cannot {what}: {why}")))
    }

    fn set_ended(&self, ended: Ended) {
        let mut slot = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(ended);
        }
    }
}

/// The task's state: the socket, the session, both channels, the timers.
pub(super) struct Driver {
    conn: WsConn,
    session: RealtimeSession,
    shared: Arc<Shared>,
    commands: Pin<Box<async_channel::Receiver<Command>>>,
    events: mpsc::UnboundedSender<Result<RealtimeEvent>>,
    /// Held until the task ends: its cancellation tells `close` the driver is done.
    _done: oneshot::Sender<()>,
    /// The keepalive timer, armed at (or before) the session's `poll_timeout`.
    keepalive: Option<Timer>,
    /// Set once the driver stops: the close frame goes out until then.
    closing: Option<Timer>,
    /// tungstenite holds bytes the socket did not take yet: wait for writable, take no
    /// new command.
    unflushed: bool,
    /// A write failed: the connection is gone (reported after the next read).
    broken: Option<String>,
    /// `soniox.realtime{model}`: entered on every poll; the end is recorded into it.
    span: tracing::Span,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("phase", &self.session.phase())
            .field("unflushed", &self.unflushed)
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// The driver of a freshly opened connection; the start message goes first.
    pub(super) fn new(
        conn: WsConn,
        mut session: RealtimeSession,
        shared: Arc<Shared>,
        commands: async_channel::Receiver<Command>,
        events: mpsc::UnboundedSender<Result<RealtimeEvent>>,
        done: oneshot::Sender<()>,
    ) -> Driver {
        session.handle_connected(Instant::now());
        let span = tracing::info_span!(
            "soniox.realtime",
            model = session.config().model.as_str(),
            audio_bytes = tracing::field::Empty,
            messages = tracing::field::Empty,
            phase = tracing::field::Empty,
        );
        span.in_scope(|| tracing::debug!("realtime session started"));
        Driver {
            conn,
            session,
            shared,
            commands: Box::pin(commands),
            events,
            _done: done,
            keepalive: None,
            closing: None,
            unflushed: false,
            broken: None,
            span,
        }
    }

    /// Up to [`ROUNDS`] rounds, until nothing moves; true once the driver should stop.
    fn rounds(&mut self, cx: &mut Context<'_>) -> bool {
        for _ in 0..ROUNDS {
            if self.shared.closing.load(Relaxed) {
                return true;
            }
            self.session.handle_timeout(Instant::now());
            let wrote = self.write(cx);
            let read = self.read(cx);
            self.deliver();
            if self.session.phase().is_terminal() {
                return true;
            }
            let fired = self.poll_keepalive(cx);
            if !(wrote || read || fired) {
                return false;
            }
        }
        // Still busy: let other tasks run, then carry on.
        cx.waker().wake_by_ref();
        false
    }

    /// Writes the session's frames, then queued commands, while tungstenite is flushed.
    /// True when anything was written or taken.
    fn write(&mut self, cx: &mut Context<'_>) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if self.unflushed {
            match self.conn.poll_flush(cx) {
                Poll::Pending => return false,
                Poll::Ready(Ok(())) => self.unflushed = false,
                Poll::Ready(Err(e)) => return self.broke(e),
            }
        }
        let mut progress = false;
        for _ in 0..BATCH {
            match self.conn.poll_ready(cx) {
                Poll::Pending => {
                    self.unflushed = true;
                    return progress;
                }
                Poll::Ready(Err(e)) => return self.broke(e),
                Poll::Ready(Ok(())) => {}
            }
            let started = if let Some(frame) = self.session.poll_transmit() {
                self.conn.start_text(frame.as_str().to_owned())
            } else if self.session.phase() != Phase::Streaming {
                return progress;
            } else {
                match self.commands.as_mut().poll_next(cx) {
                    Poll::Ready(Some(command)) => {
                        progress = true;
                        match self.apply(command) {
                            Some(audio) => self.conn.start_binary(audio),
                            None => continue,
                        }
                    }
                    Poll::Ready(None) | Poll::Pending => return progress,
                }
            };
            if let Err(e) = started {
                return self.broke(e);
            }
            progress = true;
            match self.conn.poll_flush(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Pending => {
                    self.unflushed = true;
                    return true;
                }
                Poll::Ready(Err(e)) => return self.broke(e),
            }
        }
        progress
    }

    fn broke(&mut self, reason: String) -> bool {
        self.broken = Some(reason);
        true
    }

    /// Hands one command to the session; the audio to write if the session agrees.
    fn apply(&mut self, command: Command) -> Option<Vec<u8>> {
        let now = Instant::now();
        let refused = match command {
            Command::Audio(data) => match self.session.audio_sent(now, data.len()) {
                Ok(()) => return Some(data),
                Err(e) => e,
            },
            Command::Finalize => self.session.finalize(now, None).err()?,
            Command::Keepalive => self.session.keepalive(now).err()?,
            Command::Finish => self.session.finish(now).err()?,
        };
        debug!("realtime: command dropped: {refused}");
        None
    }

    /// Reads until the socket has nothing more (or the batch limit); a write failure is
    /// reported as a lost connection only after reading, so a server's error message
    /// that arrived first wins. True when anything was read.
    fn read(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progress = false;
        for _ in 0..BATCH {
            match self.conn.poll_read(cx) {
                Poll::Pending => break,
                Poll::Ready(Incoming::Text(text)) => self.session.handle_message(Instant::now(), &text),
                Poll::Ready(Incoming::Skipped) => {}
                Poll::Ready(Incoming::Closed(code, reason)) => {
                    self.session.handle_close(Instant::now(), code, &reason);
                    return true;
                }
            }
            progress = true;
        }
        if let Some(reason) = self.broken.take() {
            self.session.handle_close(Instant::now(), None, &reason);
            progress = true;
        }
        progress
    }

    /// Publishes the counters and the end (before the last event, so a sender that sees
    /// the event also sees the end), then the events.
    fn deliver(&mut self) {
        let s = &self.session;
        self.shared.counters.publish(s);
        match s.phase() {
            Phase::Finished => self.shared.set_ended(Ended::Finished),
            Phase::Failed => self
                .shared
                .set_ended(s.failure().cloned().map_or(Ended::Closed, Ended::Failed)),
            _ => {}
        }
        while let Some(event) = self.session.poll_event() {
            // The user may have dropped the stream; the driver then stops via `closing`.
            let _ = self.events.unbounded_send(event);
        }
    }

    /// Keeps the keepalive timer armed at the session's deadline; true when it fired
    /// (another round then calls `handle_timeout`).
    fn poll_keepalive(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(due) = self.session.poll_timeout() else {
            self.keepalive = None;
            return false;
        };
        // The deadline only moves later while streaming: a timer armed earlier fires, the
        // core finds nothing due yet, and the timer is re-armed at the new deadline.
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

    /// Sends the close frame, bounded by [`CLOSE_BOUND`]; `Ready` when done.
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.closing.is_none() {
            self.shared.set_ended(Ended::Closed);
            self.commands.close();
            self.closing = Some(Timer::at(Instant::now() + CLOSE_BOUND));
            debug!(
                "realtime: driver stopping ({}, {} audio bytes, {} messages)",
                self.session.phase(),
                self.session.audio_bytes_sent(),
                self.session.messages_received()
            );
            self.span.record("audio_bytes", self.session.audio_bytes_sent());
            self.span.record("messages", self.session.messages_received());
            self.span.record("phase", tracing::field::display(self.session.phase()));
            tracing::debug!("realtime session ending");
        }
        if self.conn.poll_close(cx).is_ready() {
            return Poll::Ready(());
        }
        match self.closing.as_mut().map(|t| t.poll_fire(cx)) {
            Some(Poll::Ready(())) => {
                debug!("realtime: the close frame did not go out within {CLOSE_BOUND:?}");
                Poll::Ready(())
            }
            _ => Poll::Pending,
        }
    }
}

impl Future for Driver {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let _entered = this.span.clone().entered();
        this.shared.waker.register(cx.waker());
        if this.closing.is_none() && !this.rounds(cx) {
            return Poll::Pending;
        }
        this.poll_shutdown(cx)
    }
}
