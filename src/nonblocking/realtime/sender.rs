//! [`AudioSender`]: audio and commands into the stream from any task, written to the socket
//! by the sending task itself; also a [`Sink`] of audio chunks.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures::Sink;

use super::io::Io;
use super::shared::Shared;
use super::ws::within;
use crate::core::realtime::RealtimeSession;
use crate::error::{Error, Result, TimeoutError};

/// Sends audio and commands into a stream from any task: `Clone + Send + Sync`. Get one
/// with [`RealtimeStream::sender`]. The sending task writes the frame to the socket itself
/// (under the stream's lock, never held across an await), so order is kept across audio,
/// `finalize`, `keepalive` and `finish`, whichever task sends them.
///
/// It is also a [`Sink`] of audio chunks (`Vec<u8>`, taken without a copy): `poll_ready`
/// waits for room as [`send_audio`](Self::send_audio) does, `poll_flush` until the
/// WebSocket's buffer has gone to the socket, and `poll_close` sends the end-of-audio frame
/// ([`finish`](Self::finish)) and flushes it. A chunk the sink accepted but could not write
/// yet waits in that sender alone (a clone starts empty) until its next `poll_ready`,
/// `poll_flush` or `poll_close`: as with any `Sink`, flush or close before dropping it.
///
/// [`RealtimeStream::sender`]: super::RealtimeStream::sender
pub struct AudioSender {
    pub(super) shared: Arc<Shared>,
    /// The [`Sink`]'s state: this handle's own.
    sink: SinkState,
}

/// A chunk accepted by `start_send` and not written yet, and whether `poll_close` has
/// already queued the end of audio.
#[derive(Debug, Default)]
struct SinkState {
    pending: Option<Vec<u8>>,
    finished: bool,
}

impl Clone for AudioSender {
    /// Another handle on the same stream; its [`Sink`] state starts empty.
    fn clone(&self) -> Self {
        AudioSender::new(self.shared.clone())
    }
}

impl fmt::Debug for AudioSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioSender")
            .field("queued", &self.queued())
            .field("sink_pending", &self.sink.pending.is_some())
            .finish_non_exhaustive()
    }
}

impl AudioSender {
    pub(super) fn new(shared: Arc<Shared>) -> AudioSender {
        AudioSender {
            shared,
            sink: SinkState::default(),
        }
    }

    /// Sends one binary audio frame (copied), waiting while the socket does not take frames
    /// (the [queue capacity](super::Realtime::queue_capacity) of frames already waits in the
    /// WebSocket's buffer): a server that reads slowly slows the caller down, and memory
    /// stays bounded. While it waits it also reads what the server sent (the events wait in
    /// the stream) and sends keepalives when due. Errors once the session failed (the
    /// server's [`Error::Realtime`]), finished, was closed or `finish()` was called, and for
    /// an empty chunk (an empty frame would end the stream: use [`finish`](Self::finish)).
    /// While a server reads nothing at all, it waits until the session ends or the stream
    /// is closed: use [`try_send_audio`](Self::try_send_audio) to never wait.
    pub async fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        non_empty(chunk)?;
        poll_fn(|cx| {
            self.shared
                .poll_write(Some(cx.waker()), "send audio", |io, sx| self.audio(io, chunk, sx))
        })
        .await
    }

    /// As [`send_audio`](Self::send_audio) but never waits: `Ok(false)` when the queue
    /// is full (nothing was sent; try again later).
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        non_empty(chunk)?;
        match self
            .shared
            .poll_write(None, "send audio", |io, sx| self.audio(io, chunk, sx))
        {
            Poll::Ready(sent) => sent.map(|()| true),
            Poll::Pending => Ok(false),
        }
    }

    /// Asks the server to finalize everything sent so far; a [`Finalized`] event
    /// follows the results. Sent after earlier audio.
    ///
    /// [`Finalized`]: crate::core::realtime::RealtimeEvent::Finalized
    pub async fn finalize(&self) -> Result<()> {
        self.command("finalize", |s, now| s.finalize(now, None)).await
    }

    /// Sends a keepalive now. Rarely needed: the stream sends one by itself when no audio
    /// went out for the config's `keepalive_interval` (while the stream or a sender is
    /// being polled: no background task exists).
    pub async fn keepalive(&self) -> Result<()> {
        self.command("send a keepalive", |s, now| s.keepalive(now)).await
    }

    /// Sends the end-of-audio frame and returns: no more audio after it; the stream's
    /// events then run on to [`Finished`]. For a feeder task while another reads the
    /// stream; from the stream itself, [`RealtimeStream::finish`] also collects the
    /// remaining events.
    ///
    /// [`Finished`]: crate::core::realtime::RealtimeEvent::Finished
    /// [`RealtimeStream::finish`]: super::RealtimeStream::finish
    pub async fn finish(&self) -> Result<()> {
        self.queue_finish(None).await
    }

    /// Frames in the WebSocket's buffer that the socket has not taken yet.
    pub fn queued(&self) -> usize {
        self.shared.lock().buffered
    }

    /// Sends the end of audio once, waiting `limit` at most for room.
    pub(super) async fn queue_finish(&self, limit: Option<Duration>) -> Result<()> {
        let finish = self.command("finish", |s, now| s.finish(now));
        match limit {
            None => finish.await,
            Some(limit) => within(limit, finish).await.unwrap_or_else(|| {
                Err(Error::Timeout(TimeoutError {
                    context: "queueing the end of audio".to_owned(),
                    after: limit,
                }))
            }),
        }
    }

    /// One session operation, its frame written as soon as there is room.
    async fn command(&self, what: &str, op: impl Fn(&mut RealtimeSession, Instant) -> Result<()>) -> Result<()> {
        poll_fn(|cx| {
            self.shared
                .poll_write(Some(cx.waker()), what, |io, sx| command(io, &op, sx))
        })
        .await
    }

    /// Writes `chunk` (room permitting) and counts it as accepted.
    fn audio(&self, io: &mut Io, chunk: &[u8], sx: &mut Context<'_>) -> Result<()> {
        io.write_audio(chunk, sx)?;
        self.shared.counters.queued(chunk.len());
        Ok(())
    }

    /// The sink's pending chunk written (waiting for room with `waker`, or not at all).
    fn poll_pending(&mut self, waker: Option<&Waker>) -> Poll<Result<()>> {
        let Some(len) = self.sink.pending.as_ref().map(Vec::len) else {
            return Poll::Ready(Ok(()));
        };
        let (shared, pending) = (&self.shared, &mut self.sink.pending);
        let written = ready!(shared.poll_write(waker, "send audio", |io, sx| io.write_audio_owned(pending, sx)));
        // Written, or refused for good: either way the chunk is no longer this sender's.
        self.sink.pending = None;
        if written.is_ok() {
            self.shared.counters.queued(len);
        }
        Poll::Ready(written)
    }
}

/// A command's frame: the session queues it, then it is written with any frame before it.
fn command(io: &mut Io, op: impl Fn(&mut RealtimeSession, Instant) -> Result<()>, sx: &mut Context<'_>) -> Result<()> {
    op(&mut io.session, Instant::now())?;
    io.write_transmit(sx);
    Ok(())
}

impl Sink<Vec<u8>> for AudioSender {
    type Error = Error;

    /// Ready once this sender's pending chunk (if any) is written: waits for room.
    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_pending(Some(cx.waker()))
    }

    /// Takes the chunk and writes it now if there is room (else on the next `poll_ready`,
    /// `poll_flush` or `poll_close`). Errors as [`send_audio`](AudioSender::send_audio) does.
    fn start_send(self: Pin<&mut Self>, chunk: Vec<u8>) -> Result<()> {
        let this = self.get_mut();
        non_empty(&chunk)?;
        if this.sink.pending.is_some() {
            return Err(Error::invalid("start_send before poll_ready returned Ready"));
        }
        this.sink.pending = Some(chunk);
        match this.poll_pending(None) {
            Poll::Ready(written) => written,
            Poll::Pending => Ok(()),
        }
    }

    /// Ready once the pending chunk is written and the WebSocket's buffer has gone to the
    /// socket.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(Some(cx.waker())))?;
        this.shared.poll_flushed(cx.waker())
    }

    /// The pending chunk, then the end-of-audio frame ([`finish`](AudioSender::finish),
    /// once per sender), flushed. Errors as `finish` does (for example when another handle
    /// already finished the stream).
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(Some(cx.waker())))?;
        if !this.sink.finished {
            let finish = |io: &mut Io, sx: &mut Context<'_>| command(io, |s, now| s.finish(now), sx);
            ready!(this.shared.poll_write(Some(cx.waker()), "finish", finish))?;
            this.sink.finished = true;
        }
        this.shared.poll_flushed(cx.waker())
    }
}

fn non_empty(chunk: &[u8]) -> Result<()> {
    if chunk.is_empty() {
        return Err(Error::invalid(
            "an empty audio chunk would end the stream; call finish() instead",
        ));
    }
    Ok(())
}
