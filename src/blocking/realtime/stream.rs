//! [`RealtimeStream`]: events in, audio out (through its [`AudioSender`]), the
//! end-of-audio handshake, a bounded close.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use log::{debug, warn};

use super::io_thread::Ended;
use super::pace;
use super::sender::AudioSender;
use crate::core::realtime::{Pace, RealtimeStats};
use crate::core::realtime::{RealtimeEvent, RealtimeTranscript, CONNECTION_CLOSED_ERROR_TYPE};
use crate::error::{Error, RealtimeError, Result, TimeoutError};

/// Longest wait for the I/O thread to stop on [`RealtimeStream::close`] or drop; it
/// normally stops within microseconds (it never blocks on anything but its poller).
const JOIN_BOUND: Duration = Duration::from_secs(2);

/// An open realtime stream. Send audio with [`send_audio`](Self::send_audio) (or from
/// other threads through a [`sender`](Self::sender)); read events with
/// [`recv`](Self::recv) or by iterating; end with [`finish`](Self::finish).
///
/// One background thread owns the socket; dropping the stream (or
/// [`close`](Self::close)) stops it without waiting for the server.
pub struct RealtimeStream {
    sender: AudioSender,
    events: Receiver<Result<RealtimeEvent>>,
    done: Receiver<()>,
    thread: Option<JoinHandle<()>>,
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
        events: Receiver<Result<RealtimeEvent>>,
        done: Receiver<()>,
        thread: JoinHandle<()>,
        finish_timeout: Duration,
    ) -> RealtimeStream {
        RealtimeStream {
            sender,
            events,
            done,
            thread: Some(thread),
            ended: false,
            transcript: RealtimeTranscript::new(),
            finish_timeout,
        }
    }

    /// See [`AudioSender::send_audio`]: queues one audio frame, blocking while the queue
    /// is full.
    pub fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        self.sender.send_audio(chunk)
    }
    /// See [`AudioSender::try_send_audio`]: `Ok(false)` when the queue is full.
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
    /// (events wait in the stream). See [`stream_audio`](super::stream_audio).
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
        let event = self.events.recv().ok();
        Some(self.take(event))
    }

    /// As [`recv`](Self::recv), waiting at most `timeout`. On timeout it returns
    /// `Some(Err(Error::Timeout))`, the one error that does **not** end the stream: call
    /// again to keep waiting.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Result<RealtimeEvent>> {
        if self.ended {
            return None;
        }
        match self.events.recv_timeout(timeout) {
            Ok(event) => Some(self.take(Some(event))),
            Err(RecvTimeoutError::Timeout) => Some(Err(Error::Timeout(TimeoutError {
                context: "waiting for a realtime event".to_owned(),
                after: timeout,
            }))),
            Err(RecvTimeoutError::Disconnected) => Some(self.take(None)),
        }
    }

    /// Ends the audio (the empty frame), then reads until [`RealtimeEvent::Finished`] and
    /// returns every event not read yet, in order, `Finished` last. Errors with the
    /// server's error, a lost connection, or [`Error::Timeout`] after the finish timeout
    /// ([`Realtime::finish_timeout`](super::Realtime::finish_timeout), default 30 s; then
    /// close the stream). Called after the stream ended, it returns `Ok` with no events
    /// after `Finished`, or that session's error.
    pub fn finish(&mut self) -> Result<Vec<RealtimeEvent>> {
        let deadline = Instant::now() + self.finish_timeout;
        if self.ended {
            return match self.sender.shared.ended() {
                Some(Ended::Failed(e)) => Err(Error::Realtime(e)),
                _ => Ok(Vec::new()),
            };
        }
        let shared = &self.sender.shared;
        if !shared.finishing.load(Relaxed) && shared.ended().is_none() {
            // Any other error: the session already ended; its last events are still queued.
            if let Err(Error::Timeout(_)) = self.sender.queue_finish(Some(deadline)) {
                return Err(self.finish_timed_out());
            }
        }
        let mut out = Vec::new();
        loop {
            let event = match self.events.recv_deadline(deadline) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => return Err(self.finish_timed_out()),
                Err(RecvTimeoutError::Disconnected) => None,
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

    /// Stops the stream now, without waiting for the server: the I/O thread sends a close
    /// frame, closes the socket and exits. Audio not sent yet is dropped (call
    /// [`finish`](Self::finish) first to get every result). Never hangs: errors with
    /// [`Error::Timeout`] if the thread did not stop within 2 s (it is then left to end
    /// on its own). Dropping the stream does the same.
    pub fn close(mut self) -> Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        self.sender.shared.closing.store(true, Relaxed);
        self.sender.shared.wake();
        match self.done.recv_timeout(JOIN_BOUND) {
            Err(RecvTimeoutError::Timeout) => {
                warn!("realtime: the I/O thread did not stop within {JOIN_BOUND:?}; detaching it");
                Err(Error::Timeout(TimeoutError {
                    context: "stopping the realtime I/O thread".to_owned(),
                    after: JOIN_BOUND,
                }))
            }
            _ => {
                if thread.join().is_err() {
                    debug!("realtime: the I/O thread panicked");
                }
                Ok(())
            }
        }
    }

    /// Records an event handed to the user; the I/O thread stopping without a last event
    /// (it panicked) becomes a `connection_closed` error, never a silent end.
    fn take(&mut self, event: Option<Result<RealtimeEvent>>) -> Result<RealtimeEvent> {
        let event = event.unwrap_or_else(|| {
            Err(Error::Realtime(RealtimeError {
                code: None,
                error_type: CONNECTION_CLOSED_ERROR_TYPE.to_owned(),
                message: "the realtime I/O thread stopped before the session ended".to_owned(),
                request_id: None,
            }))
        });
        match &event {
            Ok(RealtimeEvent::Finished) | Err(_) => self.ended = true,
            Ok(e) => self.transcript.apply_event(e),
        }
        event
    }

    fn finish_timed_out(&self) -> Error {
        Error::Timeout(TimeoutError {
            context: "waiting for the realtime session to finish".to_owned(),
            after: self.finish_timeout,
        })
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
