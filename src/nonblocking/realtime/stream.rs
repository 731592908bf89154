//! [`RealtimeStream`]: events in (a [`futures::Stream`]), audio out (through its
//! [`AudioSender`]), the end-of-audio handshake, a bounded close.

use std::fmt;
use std::path::Path;
use std::pin::{pin, Pin};
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use futures::future::{self, Either};
use futures::stream::FusedStream;
use futures::{AsyncRead, Stream, StreamExt};
use log::{debug, warn};

use super::driver::Ended;
use super::pace;
use super::sender::AudioSender;
use super::ws::{sleep, within};
use crate::core::realtime::{deliver, finish_timed_out, RealtimeEvent, RealtimeTranscript};
use crate::core::realtime::{Pace, RealtimeStats};
use crate::error::{Error, Result, TimeoutError};

/// Longest wait for the driver to stop on [`RealtimeStream::close`]; it normally stops
/// within microseconds, plus at most a second to get its close frame out.
const JOIN_BOUND: Duration = Duration::from_secs(2);

/// An open realtime stream. Send audio with [`send_audio`](Self::send_audio) (or from
/// other tasks through a [`sender`](Self::sender)); read events as a [`Stream`] (or with
/// [`recv`](Self::recv)); end with [`finish`](Self::finish).
///
/// One background task owns the socket; dropping the stream (or
/// [`close`](Self::close)) stops it without waiting for the server. `Send`, `Unpin`.
pub struct RealtimeStream {
    sender: AudioSender,
    events: mpsc::UnboundedReceiver<Result<RealtimeEvent>>,
    /// Canceled when the driver task ends.
    done: Option<oneshot::Receiver<()>>,
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
        events: mpsc::UnboundedReceiver<Result<RealtimeEvent>>,
        done: oneshot::Receiver<()>,
        finish_timeout: Duration,
    ) -> RealtimeStream {
        RealtimeStream {
            sender,
            events,
            done: Some(done),
            ended: false,
            transcript: RealtimeTranscript::new(),
            finish_timeout,
        }
    }

    /// See [`AudioSender::send_audio`]: queues one audio frame, waiting while the queue
    /// is full (back-pressure).
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
    /// meanwhile. See [`stream_audio`](super::stream_audio).
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
    /// again to keep waiting.
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
            if let Err(Error::Timeout(_)) = self.sender.queue_finish(Some(self.finish_timeout)).await {
                return Err(self.finish_timed_out());
            }
        }
        let mut timer = pin!(sleep(deadline.saturating_duration_since(Instant::now())));
        let mut out = Vec::new();
        // Bounded by the deadline: each turn takes one event or ends.
        loop {
            let event = match future::select(self.events.next(), timer.as_mut()).await {
                Either::Left((event, _)) => event,
                Either::Right(((), _)) => return Err(self.finish_timed_out()),
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

    /// Stops the stream now, without waiting for the server: the driver task sends a
    /// close frame, closes the socket and ends. Audio not sent yet is dropped (call
    /// [`finish`](Self::finish) first to get every result). Never hangs: errors with
    /// [`Error::Timeout`] if the driver did not stop within 2 s (it is then left to end
    /// on its own). Dropping the stream asks the same without waiting.
    pub async fn close(mut self) -> Result<()> {
        self.sender.shared.close();
        let Some(done) = self.done.take() else {
            return Ok(());
        };
        match within(JOIN_BOUND, done).await {
            Some(_) => Ok(()),
            None => {
                warn!("realtime: the driver did not stop within {JOIN_BOUND:?}; detaching it");
                Err(Error::Timeout(TimeoutError {
                    context: "stopping the realtime driver".to_owned(),
                    after: JOIN_BOUND,
                }))
            }
        }
    }

    /// Records an event handed to the user; the driver stopping without a last event
    /// becomes a `connection_closed` error, never a silent end.
    fn take(&mut self, event: Option<Result<RealtimeEvent>>) -> Result<RealtimeEvent> {
        deliver(
            event,
            "the realtime driver stopped before the session ended",
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
    /// ended the session.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        this.events.poll_next_unpin(cx).map(|event| Some(this.take(event)))
    }
}

impl FusedStream for RealtimeStream {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl Drop for RealtimeStream {
    /// Asks the driver to stop (a close frame, then the socket closes); never waits.
    fn drop(&mut self) {
        if self.done.is_some() {
            debug!("realtime: stream dropped; stopping its driver");
        }
        self.sender.shared.close();
    }
}
