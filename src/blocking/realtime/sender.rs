//! [`AudioSender`]: audio and commands into the stream from any thread, written straight
//! to the socket by the calling thread.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::shared::Shared;
use crate::error::{Error, Result, TimeoutError};

/// Sends audio and commands into a stream from any thread: `Clone + Send + Sync`. Get
/// one with [`RealtimeStream::sender`]. The calling thread writes the frame to the
/// socket itself (under the stream's lock, never blocking while holding it), so order is
/// kept across audio, `finalize`, `keepalive` and `finish`, whichever thread sends them.
///
/// [`RealtimeStream::sender`]: super::RealtimeStream::sender
#[derive(Clone)]
pub struct AudioSender {
    pub(super) shared: Arc<Shared>,
}

impl fmt::Debug for AudioSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioSender")
            .field("queued", &self.queued())
            .finish_non_exhaustive()
    }
}

impl AudioSender {
    /// Sends one binary audio frame (copied). While the socket does not take frames
    /// (the [queue capacity](super::Realtime::queue_capacity) of frames is already waiting
    /// in the WebSocket's buffer), it blocks: a server that reads slowly slows the caller
    /// down, and memory stays bounded. Errors once the session failed (the server's
    /// [`Error::Realtime`]), finished, was closed or `finish()` was called, and for an
    /// empty chunk (an empty frame would end the stream: use [`finish`](Self::finish)).
    /// While a server reads nothing at all, it blocks until the session ends or the stream
    /// is closed: use [`try_send_audio`](Self::try_send_audio) to never block.
    pub fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        non_empty(chunk)?;
        self.shared.with_room("send audio", None, |io| io.write_audio(chunk))?;
        self.shared.counters.queued(chunk.len());
        Ok(())
    }

    /// As [`send_audio`](Self::send_audio) but never blocks: `Ok(false)` when the
    /// WebSocket's buffer is full (nothing was sent; try again later).
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        non_empty(chunk)?;
        let sent = self
            .shared
            .with_room("send audio", Some(Instant::now()), |io| io.write_audio(chunk))?;
        if sent.is_some() {
            self.shared.counters.queued(chunk.len());
        }
        Ok(sent.is_some())
    }

    /// Asks the server to finalize everything sent so far; a [`Finalized`] event
    /// follows the results. Sent after earlier audio.
    ///
    /// [`Finalized`]: crate::core::realtime::RealtimeEvent::Finalized
    pub fn finalize(&self) -> Result<()> {
        self.command("finalize", None, |io| io.session.finalize(Instant::now(), None))
    }

    /// Sends a keepalive now. Rarely needed: the stream sends one by itself when no audio
    /// went out for the config's `keepalive_interval`.
    pub fn keepalive(&self) -> Result<()> {
        self.command("send a keepalive", None, |io| io.session.keepalive(Instant::now()))
    }

    /// Sends the end-of-audio frame and returns: no more audio after it; the stream's
    /// events then run on to [`Finished`]. For a feeder thread while another iterates the
    /// stream; from the stream itself, [`RealtimeStream::finish`] also collects the
    /// remaining events.
    ///
    /// [`Finished`]: crate::core::realtime::RealtimeEvent::Finished
    /// [`RealtimeStream::finish`]: super::RealtimeStream::finish
    pub fn finish(&self) -> Result<()> {
        self.queue_finish(None)
    }

    /// Frames in the WebSocket's buffer that the socket has not taken yet.
    pub fn queued(&self) -> usize {
        self.shared.lock().buffered
    }

    /// Sends the end of audio once, waiting until `deadline` at most for room.
    pub(super) fn queue_finish(&self, deadline: Option<Instant>) -> Result<()> {
        self.command("finish", deadline, |io| io.session.finish(Instant::now()))
    }

    /// One session operation, its frame written as soon as there is room.
    fn command(
        &self,
        what: &str,
        deadline: Option<Instant>,
        op: impl FnMut(&mut super::shared::Io) -> Result<()>,
    ) -> Result<()> {
        let mut op = op;
        let done = self.shared.with_room(what, deadline, |io| {
            op(io)?;
            io.write_transmit();
            Ok(())
        })?;
        done.ok_or_else(|| {
            Error::Timeout(TimeoutError {
                context: format!("waiting to {what}"),
                after: deadline.map_or(Duration::ZERO, |at| at.saturating_duration_since(Instant::now())),
            })
        })
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
