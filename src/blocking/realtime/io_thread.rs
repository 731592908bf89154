//! The I/O thread: the one owner of the socket and the session. Each round it asks the
//! core, does I/O, feeds the results back, and sleeps in `polling` until the socket is
//! ready, a sender calls `notify`, or the session's keepalive deadline comes.
//!
//! ```text
//! until the session ends or the user closes the stream:
//!   handle_timeout(now)   the core decides whether a keepalive is due
//!   write                 poll_transmit frames, then queued commands, while flushed
//!   read                  until WouldBlock: handle_message / handle_close
//!   deliver               counters, the end, poll_event → the user's channel
//!   wait                  readable (+ writable while unflushed) | notify | poll_timeout
//! ```

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use crate::core::realtime::StreamCounters;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use log::debug;
use polling::{Event, Poller};

use super::ws::{Incoming, WsConn};
use crate::core::realtime::{Phase, RealtimeEvent, RealtimeSession};
use crate::error::{Error, RealtimeError, Result};

/// Frames written (or messages read) per round before the other side gets a turn.
const BATCH: usize = 32;
/// The poller key of the socket.
const SOCKET: usize = 0;

/// What a sender asks of the I/O thread, in order, through one bounded channel.
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

/// State shared by the stream, its senders and the I/O thread.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) poller: Poller,
    /// The user closed (or dropped) the stream: stop now.
    pub(super) closing: AtomicBool,
    /// `finish()` was called: no more audio.
    pub(super) finishing: AtomicBool,
    pub(super) ended: Mutex<Option<Ended>>,
    pub(super) counters: StreamCounters,
}

impl Shared {
    pub(super) fn new() -> std::io::Result<Shared> {
        Ok(Shared {
            poller: Poller::new()?,
            closing: AtomicBool::new(false),
            finishing: AtomicBool::new(false),
            ended: Mutex::new(None),
            counters: StreamCounters::default(),
        })
    }

    /// Wakes the I/O thread (a no-op syscall-wise while a wake-up is already pending).
    pub(super) fn wake(&self) {
        if let Err(e) = self.poller.notify() {
            debug!("realtime: poller notify failed: {e}");
        }
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
}

/// The thread's state: the socket, the session, both channels.
pub(super) struct Driver {
    conn: WsConn,
    session: RealtimeSession,
    shared: Arc<Shared>,
    commands: Receiver<Command>,
    events: Sender<Result<RealtimeEvent>>,
    /// Held until the thread ends: its disconnection tells `close` the thread is done.
    _done: Sender<()>,
    /// tungstenite holds bytes the socket did not take yet: wait for writable, take no
    /// new command.
    unflushed: bool,
    /// A write failed: the connection is gone (reported after the next read).
    broken: Option<String>,
}

impl Driver {
    /// Registers the socket with the poller and starts the thread.
    pub(super) fn spawn(
        conn: WsConn,
        session: RealtimeSession,
        shared: Arc<Shared>,
        commands: Receiver<Command>,
        events: Sender<Result<RealtimeEvent>>,
        done: Sender<()>,
    ) -> std::io::Result<JoinHandle<()>> {
        shared.poller.add(conn.tcp(), Event::readable(SOCKET))?;
        let driver = Driver {
            conn,
            session,
            shared,
            commands,
            events,
            _done: done,
            unflushed: false,
            broken: None,
        };
        thread::Builder::new()
            .name("soniox-realtime".into())
            .spawn(move || driver.run())
    }

    /// The loop; returns when the session ended or the user closed the stream.
    fn run(mut self) {
        let mut ready = Vec::new();
        self.session.handle_connected(Instant::now());
        while !self.shared.closing.load(Relaxed) {
            self.session.handle_timeout(Instant::now());
            let busy_writing = self.write();
            let busy_reading = self.read();
            self.deliver();
            if self.session.phase().is_terminal() {
                break;
            }
            if !(busy_writing || busy_reading) {
                self.wait(&mut ready);
            }
        }
        self.end();
    }

    /// Writes the session's frames, then queued commands, while tungstenite is flushed.
    /// True when it stopped at the batch limit with the socket still accepting.
    fn write(&mut self) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if self.unflushed {
            let flushed = self.conn.flush();
            if !self.settle(flushed) {
                return false;
            }
        }
        for _ in 0..BATCH {
            let result = if let Some(frame) = self.session.poll_transmit() {
                self.conn.send_text(frame.as_str())
            } else if self.session.phase() != Phase::Streaming {
                return false;
            } else {
                match self.commands.try_recv() {
                    Ok(command) => self.apply(command),
                    Err(_) => return false,
                }
            };
            if !self.settle(result) {
                return false;
            }
        }
        true
    }

    /// Records a write's outcome; true when the socket took everything.
    fn settle(&mut self, result: Result<bool, String>) -> bool {
        match result {
            Ok(flushed) => {
                self.unflushed = !flushed;
                flushed
            }
            Err(e) => {
                self.broken = Some(e);
                false
            }
        }
    }

    /// Hands one command to the session; audio goes on the wire if the session agrees.
    fn apply(&mut self, command: Command) -> Result<bool, String> {
        let now = Instant::now();
        let refused = match command {
            Command::Audio(data) => match self.session.audio_sent(now, data.len()) {
                Ok(()) => return self.conn.send_binary(data),
                Err(e) => e,
            },
            Command::Finalize => match self.session.finalize(now, None) {
                Ok(()) => return Ok(true),
                Err(e) => e,
            },
            Command::Keepalive => match self.session.keepalive(now) {
                Ok(()) => return Ok(true),
                Err(e) => e,
            },
            Command::Finish => match self.session.finish(now) {
                Ok(()) => return Ok(true),
                Err(e) => e,
            },
        };
        debug!("realtime: command dropped: {refused}");
        Ok(true)
    }

    /// Reads until the socket would block (or the batch limit); a write failure is
    /// reported as a lost connection only after reading, so a server's error message
    /// that arrived first wins. True when it stopped at the batch limit.
    fn read(&mut self) -> bool {
        let mut busy = true;
        for _ in 0..BATCH {
            match self.conn.read() {
                Incoming::Text(text) => self.session.handle_message(Instant::now(), &text),
                Incoming::Idle => {
                    busy = false;
                    break;
                }
                Incoming::Closed(code, reason) => {
                    self.session.handle_close(Instant::now(), code, &reason);
                    busy = false;
                    break;
                }
            }
        }
        if let Some(reason) = self.broken.take() {
            self.session.handle_close(Instant::now(), None, &reason);
        }
        busy && !self.session.phase().is_terminal()
    }

    /// Publishes the counters and the end (before the last event, so a sender that sees
    /// the event also sees the end), then the events.
    fn deliver(&mut self) {
        let s = &self.session;
        self.shared.counters.publish(s);
        let ended = match s.phase() {
            Phase::Finished => Some(Ended::Finished),
            Phase::Failed => Some(s.failure().cloned().map_or(Ended::Closed, Ended::Failed)),
            _ => None,
        };
        if ended.is_some() {
            *self.shared.ended.lock().unwrap_or_else(PoisonError::into_inner) = ended;
        }
        while let Some(event) = self.session.poll_event() {
            // The user may have dropped the receiver; the loop then ends via `closing`.
            let _ = self.events.send(event);
        }
    }

    /// Sleeps until the socket is readable (or writable, while unflushed), a sender
    /// wakes us, or the keepalive deadline.
    fn wait(&mut self, ready: &mut Vec<Event>) {
        let interest = Event {
            key: SOCKET,
            readable: true,
            writable: self.unflushed,
        };
        let timeout = self
            .session
            .poll_timeout()
            .map(|at| at.saturating_duration_since(Instant::now()));
        ready.clear();
        let poller = &self.shared.poller;
        let waited = match poller.modify(self.conn.tcp(), interest) {
            Ok(()) => poller.wait(ready, timeout),
            Err(e) => Err(e),
        };
        match waited {
            Err(e) if e.kind() != std::io::ErrorKind::Interrupted => {
                let reason = format!("poller failed: {e}");
                self.session.handle_close(Instant::now(), None, &reason);
            }
            _ => {}
        }
    }

    /// Closes the socket (a close frame if the session did not end by itself).
    fn end(mut self) {
        let mut ended = self.shared.ended.lock().unwrap_or_else(PoisonError::into_inner);
        if ended.is_none() {
            *ended = Some(Ended::Closed);
        }
        drop(ended);
        self.conn.close();
        let _ = self.shared.poller.delete(self.conn.tcp());
        debug!(
            "realtime: I/O thread done ({}, {} audio bytes, {} messages)",
            self.session.phase(),
            self.session.audio_bytes_sent(),
            self.session.messages_received()
        );
    }
}
