//! [`RealtimeStream`]: events in, audio out (through its [`AudioSender`]), the
//! end-of-audio handshake, a bounded close.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use tracing::{debug, warn};

use super::pace;
use super::sender::AudioSender;
use super::socket;
use crate::config::time::deadline;
use crate::core::realtime::{Pace, Phase, RealtimeStats};
use crate::core::realtime::{RealtimeEvent, RealtimeTranscript};
use crate::driver::realtime::{deliver, finish_timed_out};
use crate::error::{Error, Result, TimeoutError};

/// Longest wait for the keeper thread to stop on [`RealtimeStream::close`] or drop; it
/// normally stops within microseconds (it never blocks on anything but its `poll`).
const JOIN_BOUND: Duration = Duration::from_secs(2);

/// An open realtime stream. Send audio with [`send_audio`](Self::send_audio) (or from
/// other threads through a [`sender`](Self::sender)); read events with
/// [`recv`](Self::recv) or by iterating; end with [`finish`](Self::finish).
///
/// The calling threads do the I/O themselves (a light background thread only sends
/// keepalives while the caller is idle); dropping the stream (or [`close`](Self::close))
/// closes the socket without waiting for the server.
pub struct RealtimeStream {
    sender: AudioSender,
    done: Receiver<()>,
    keeper: Option<JoinHandle<()>>,
    ended: bool,
    transcript: RealtimeTranscript,
    finish_timeout: Duration,
}

impl fmt::Debug for RealtimeStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealtimeStream")
            .field("ended", &self.ended)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl RealtimeStream {
    pub(super) fn new(
        sender: AudioSender,
        done: Receiver<()>,
        keeper: JoinHandle<()>,
        finish_timeout: Duration,
    ) -> RealtimeStream {
        RealtimeStream {
            sender,
            done,
            keeper: Some(keeper),
            ended: false,
            transcript: RealtimeTranscript::new(),
            finish_timeout,
        }
    }

    /// See [`AudioSender::send_audio`]: sends one audio frame, blocking while the
    /// WebSocket's buffer is full.
    pub fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        self.sender.send_audio(chunk)
    }
    /// See [`AudioSender::try_send_audio`]: `Ok(false)` when the buffer is full.
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        self.sender.try_send_audio(chunk)
    }
    /// See [`AudioSender::finalize`].
    pub fn finalize(&self) -> Result<()> {
        self.sender.finalize()
    }
    /// See [`AudioSender::keepalive`].
    pub fn keepalive(&self) -> Result<()> {
        self.sender.keepalive()
    }

    /// A handle that sends audio and commands from another thread while this one reads
    /// events.
    pub fn sender(&self) -> AudioSender {
        self.sender.clone()
    }

    /// Reads `reader` to its end in chunks of `chunk_bytes` (the last may be shorter) and
    /// sends each, paced by `pace`; returns the bytes sent. Blocks this thread meanwhile
    /// (events wait in the socket and the stream). See [`stream_audio`](super::stream_audio).
    pub fn send_reader(&self, reader: impl Read, chunk_bytes: usize, pace: Pace) -> Result<u64> {
        pace::stream_audio(&self.sender, reader, chunk_bytes, pace)
    }

    /// Sends a whole file as [`send_reader`](Self::send_reader) does, header included
    /// (for a WAV file, use a config with `AudioFormat::Auto` or `Wav`).
    pub fn send_file(&self, path: impl AsRef<Path>, chunk_bytes: usize, pace: Pace) -> Result<u64> {
        pace::send_file(&self.sender, path.as_ref(), chunk_bytes, pace)
    }

    /// The next event, blocking until one arrives. `None` after
    /// [`RealtimeEvent::Finished`] or after the error that ended the session was returned.
    pub fn recv(&mut self) -> Option<Result<RealtimeEvent>> {
        if self.ended {
            return None;
        }
        let event = self.next_event(None)?;
        Some(self.take(event))
    }

    /// As [`recv`](Self::recv), waiting at most `timeout`. On timeout it returns
    /// `Some(Err(Error::Timeout))`, the one error that does **not** end the stream: call
    /// again to keep waiting. A timeout of [`NO_LIMIT`](crate::config::time::NO_LIMIT) or
    /// more (`Duration::MAX`) waits as [`recv`](Self::recv) does; zero returns at once
    /// (an event already received, or the timeout).
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Result<RealtimeEvent>> {
        if self.ended {
            return None;
        }
        let Some(deadline) = deadline(Instant::now(), timeout) else {
            return self.recv();
        };
        match self.next_event(Some(deadline)) {
            Some(event) => Some(self.take(event)),
            None => Some(Err(Error::Timeout(TimeoutError {
                context: "waiting for a realtime event".to_owned(),
                after: timeout,
            }))),
        }
    }

    /// Ends the audio (the empty frame), then reads until [`RealtimeEvent::Finished`] and
    /// returns every event not read yet, in order, `Finished` last. Errors with the
    /// server's error, a lost connection, or [`Error::Timeout`] after the finish timeout
    /// ([`Realtime::finish_timeout`](super::Realtime::finish_timeout), default 30 s; then
    /// close the stream). Called after the stream ended, it returns `Ok` with no events
    /// after `Finished`, or that session's error.
    pub fn finish(&mut self) -> Result<Vec<RealtimeEvent>> {
        // `None`: no limit (a finish timeout of `NO_LIMIT` or more).
        let deadline = deadline(Instant::now(), self.finish_timeout);
        if self.ended {
            return match self.sender.shared.lock().session.failure() {
                Some(e) => Err(Error::Realtime(e.clone())),
                None => Ok(Vec::new()),
            };
        }
        let streaming = self.sender.shared.lock().session.phase() == Phase::Streaming;
        if streaming {
            // Any other error: the session already ended; its last events are still to read.
            if let Err(Error::Timeout(_)) = self.sender.queue_finish(deadline) {
                return Err(self.finish_timed_out());
            }
        }
        let mut out = Vec::new();
        loop {
            let Some(event) = self.next_event(deadline) else {
                return Err(self.finish_timed_out());
            };
            let event = self.take(event)?;
            let finished = matches!(event, RealtimeEvent::Finished);
            out.push(event);
            if finished {
                return Ok(out);
            }
        }
    }

    /// The transcript assembled from the events this stream has handed out so far.
    pub fn transcript(&self) -> &RealtimeTranscript {
        &self.transcript
    }

    /// The stream's counters.
    pub fn stats(&self) -> RealtimeStats {
        self.sender.shared.counters.snapshot()
    }

    /// True once the stream returned `Finished` or its error.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Stops the stream now, without waiting for the server: sends a close frame if the
    /// socket takes it, closes the socket and stops the keeper thread. Audio not sent
    /// yet is dropped (call [`finish`](Self::finish) first to get every result). Never
    /// hangs: errors with [`Error::Timeout`] if the keeper thread did not stop within 2 s
    /// (it is then left to end on its own). Dropping the stream does the same.
    pub fn close(mut self) -> Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> Result<()> {
        let Some(keeper) = self.keeper.take() else {
            return Ok(());
        };
        {
            let _span = self.sender.shared.span.enter();
            self.sender.shared.close();
        }
        match self.done.recv_timeout(JOIN_BOUND) {
            Err(RecvTimeoutError::Timeout) => {
                warn!("realtime: the keeper thread did not stop within {JOIN_BOUND:?}; detaching it");
                Err(Error::Timeout(TimeoutError {
                    context: "stopping the realtime keeper thread".to_owned(),
                    after: JOIN_BOUND,
                }))
            }
            _ => {
                if keeper.join().is_err() {
                    debug!("realtime: the keeper thread panicked");
                }
                Ok(())
            }
        }
    }

    /// The next event from the session, reading the socket on this thread: `None` when
    /// `deadline` passed first. Waits outside the lock (so senders keep sending), parked
    /// in a blocking `recv(2)` until bytes arrive, the socket is shut down (the session
    /// ended or the stream was closed), or the deadline (see the [socket module](super::socket)).
    /// Keepalives and flushing meanwhile are the keeper's.
    fn next_event(&mut self, deadline: Option<Instant>) -> Option<Option<Result<RealtimeEvent>>> {
        let shared = &*self.sender.shared;
        let _span = shared.span.enter();
        // Back from recv(2), the lock taken to hand the bytes over serves the next pass.
        let mut held = None;
        loop {
            let mut inbox = {
                let mut io = held.take().unwrap_or_else(|| shared.lock());
                if let Some(event) = io.session.poll_event() {
                    return Some(Some(event));
                }
                io.read_received();
                io.tick();
                shared.settle(&mut io);
                if let Some(event) = io.session.poll_event() {
                    return Some(Some(event));
                }
                if io.closed {
                    // Ended with no event left (cannot happen while `ended` is false).
                    return Some(None);
                }
                let timeout = match deadline {
                    Some(at) => match at.saturating_duration_since(Instant::now()) {
                        left if left.is_zero() => return None,
                        left => Some(left),
                    },
                    None => None,
                };
                match io.conn.socket_mut().park(timeout) {
                    Ok(Some(inbox)) => inbox,
                    // Bytes received earlier are still to read: another pass.
                    Ok(None) => continue,
                    Err(e) => {
                        let reason = format!("setting the receive timeout failed: {e}");
                        io.session.handle_close(Instant::now(), None, &reason);
                        shared.settle(&mut io);
                        continue;
                    }
                }
            };
            socket::receive(&shared.tcp, &mut inbox, &shared.reader);
            let mut io = shared.lock();
            shared.unpark(&mut io, inbox);
            held = Some(io);
        }
    }

    /// Records an event handed to the user; the socket closing without a last event
    /// becomes a `connection_closed` error, never a silent end.
    fn take(&mut self, event: Option<Result<RealtimeEvent>>) -> Result<RealtimeEvent> {
        deliver(
            event,
            "the realtime connection closed before the session ended",
            &mut self.ended,
            &mut self.transcript,
        )
    }

    fn finish_timed_out(&self) -> Error {
        finish_timed_out(self.finish_timeout)
    }
}

impl Iterator for RealtimeStream {
    type Item = Result<RealtimeEvent>;
    /// [`recv`](RealtimeStream::recv): blocks for the next event.
    fn next(&mut self) -> Option<Self::Item> {
        self.recv()
    }
}

impl Drop for RealtimeStream {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
