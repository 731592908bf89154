//! [`RealtimeStream`]: events in (a [`futures::Stream`]), audio out (through its
//! [`AudioSender`]), the end-of-audio handshake, a bounded close.

use std::fmt;
use std::future::poll_fn;
use std::path::Path;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use futures::future::{self, Either};
use futures::stream::FusedStream;
use futures::{AsyncRead, Stream, StreamExt};
use tracing::debug;

use super::pace;
use super::sender::AudioSender;
use super::shared::Shared;
use super::ws::{sleep, within};
use crate::core::realtime::{Pace, RealtimeStats};
use crate::core::realtime::{Phase, RealtimeEvent, RealtimeTranscript};
use crate::driver::realtime::{deliver, finish_timed_out};
use crate::error::{Error, Result, TimeoutError};

/// Longest wait for the close frame to go out on [`RealtimeStream::close`].
const CLOSE_BOUND: Duration = Duration::from_secs(1);

/// An open realtime stream. Send audio with [`send_audio`](Self::send_audio) (or from
/// other tasks through a [`sender`](Self::sender)); read events as a [`Stream`] (or with
/// [`recv`](Self::recv)); end with [`finish`](Self::finish).
///
/// No task runs behind it: polling the stream (and awaiting a sender's futures) does the
/// I/O, keepalives included, on the caller's task. Dropping the stream (or
/// [`close`](Self::close)) closes the socket without waiting for the server. `Send`,
/// `Unpin`.
pub struct RealtimeStream {
    sender: AudioSender,
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
    pub(super) fn new(shared: Arc<Shared>, finish_timeout: Duration) -> RealtimeStream {
        RealtimeStream {
            sender: AudioSender::new(shared),
            ended: false,
            transcript: RealtimeTranscript::new(),
            finish_timeout,
        }
    }

    /// See [`AudioSender::send_audio`]: sends one audio frame, waiting while the queue is
    /// full (back-pressure).
    pub async fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        self.sender.send_audio(chunk).await
    }
    /// See [`AudioSender::try_send_audio`]: `Ok(false)` when the queue is full.
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        self.sender.try_send_audio(chunk)
    }
    /// See [`AudioSender::finalize`].
    pub async fn finalize(&self) -> Result<()> {
        self.sender.finalize().await
    }
    /// See [`AudioSender::keepalive`].
    pub async fn keepalive(&self) -> Result<()> {
        self.sender.keepalive().await
    }

    /// A handle that sends audio and commands from another task while this one reads
    /// events.
    pub fn sender(&self) -> AudioSender {
        self.sender.clone()
    }

    /// Reads `reader` to its end in chunks of `chunk_bytes` (the last may be shorter) and
    /// sends each, paced by `pace`; returns the bytes sent. Events wait in the stream
    /// meanwhile (read from the socket while a send waits for room). See [`stream_audio`](super::stream_audio).
    pub async fn send_reader(&self, reader: impl AsyncRead + Unpin, chunk_bytes: usize, pace: Pace) -> Result<u64> {
        pace::stream_audio(&self.sender, reader, chunk_bytes, pace).await
    }

    /// Sends a whole file as [`send_reader`](Self::send_reader) does, header included
    /// (for a WAV file, use a config with `AudioFormat::Auto` or `Wav`).
    pub async fn send_file(&self, path: impl AsRef<Path>, chunk_bytes: usize, pace: Pace) -> Result<u64> {
        pace::send_file(&self.sender, path.as_ref(), chunk_bytes, pace).await
    }

    /// The next event. `None` after [`RealtimeEvent::Finished`] or after the error that
    /// ended the session was returned. The same as `StreamExt::next`.
    pub async fn recv(&mut self) -> Option<Result<RealtimeEvent>> {
        self.next().await
    }

    /// As [`recv`](Self::recv), waiting at most `timeout`. On timeout it returns
    /// `Some(Err(Error::Timeout))`, the one error that does **not** end the stream: call
    /// again to keep waiting. A timeout of [`NO_LIMIT`](crate::config::time::NO_LIMIT) or
    /// more (`Duration::MAX`) waits as [`recv`](Self::recv) does; zero returns at once
    /// (an event already received, or the timeout).
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Option<Result<RealtimeEvent>> {
        match within(timeout, self.next()).await {
            Some(event) => event,
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
    pub async fn finish(&mut self) -> Result<Vec<RealtimeEvent>> {
        // `None`: no limit (a finish timeout of `NO_LIMIT` or more).
        let deadline = crate::config::time::deadline(Instant::now(), self.finish_timeout);
        if self.ended {
            return match self.sender.shared.lock().session.failure() {
                Some(e) => Err(Error::Realtime(e.clone())),
                None => Ok(Vec::new()),
            };
        }
        let streaming = self.sender.shared.lock().session.phase() == Phase::Streaming;
        if streaming {
            // Any other error: the session already ended; its last events are still to read.
            let limit = deadline.map(|_| self.finish_timeout);
            if let Err(Error::Timeout(_)) = self.sender.queue_finish(limit).await {
                return Err(self.finish_timed_out());
            }
        }
        let left = deadline.map_or(Duration::MAX, |at| at.saturating_duration_since(Instant::now()));
        let mut timer = pin!(sleep(left));
        let mut out = Vec::new();
        // Bounded by the deadline: each turn takes one event or ends.
        loop {
            let event = match future::select(self.next(), timer.as_mut()).await {
                Either::Left((Some(event), _)) => event,
                // Only after the last event, which returns below.
                Either::Left((None, _)) => return Ok(out),
                Either::Right(((), _)) => return Err(self.finish_timed_out()),
            };
            let event = event?;
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

    /// Stops the stream now, without waiting for the server: sends a close frame (waiting
    /// at most a second for the socket to take it) and closes the socket. Audio not sent
    /// yet is dropped (call [`finish`](Self::finish) first to get every result); senders
    /// waiting for room return an error. Never hangs. Dropping the stream does the same
    /// without waiting: the close frame goes only if the socket takes it at once.
    pub async fn close(self) -> Result<()> {
        let shared = self.sender.shared.clone();
        shared.begin_close();
        let _ = within(CLOSE_BOUND, poll_fn(|cx| shared.poll_close_frame(cx.waker()))).await;
        shared.close();
        Ok(())
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

impl Stream for RealtimeStream {
    type Item = Result<RealtimeEvent>;

    /// The next event; ends (`None`) after [`RealtimeEvent::Finished`] or the error that
    /// ended the session. Polling it does the stream's I/O: reads the socket, writes what
    /// waits (a due keepalive, frames the socket did not take yet) and arms the keepalive
    /// timer.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let event = ready!(this.sender.shared.poll_event(cx));
        Poll::Ready(Some(this.take(event)))
    }
}

impl FusedStream for RealtimeStream {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl Drop for RealtimeStream {
    /// Closes the socket (a close frame if the socket takes it at once); never waits.
    fn drop(&mut self) {
        if !self.ended {
            debug!("realtime: stream dropped before the session ended; closing it");
        }
        self.sender.shared.close();
    }
}
