//! [`AudioSender`]: audio and commands into the stream's one bounded queue, from any
//! thread.

use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{SendTimeoutError, Sender, TrySendError};

use super::io_thread::{Command, Shared};
use crate::error::{Error, Result, TimeoutError};

/// Sends audio and commands into a stream from any thread: `Clone + Send + Sync`. Get
/// one with [`RealtimeStream::sender`]. Everything goes through the stream's one
/// bounded queue, so order is kept across audio, `finalize`, `keepalive` and `finish`.
///
/// [`RealtimeStream::sender`]: super::RealtimeStream::sender
#[derive(Clone)]
pub struct AudioSender {
    pub(super) commands: Sender<Command>,
    pub(super) shared: Arc<Shared>,
}

impl fmt::Debug for AudioSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioSender")
            .field("queued", &self.commands.len())
            .finish_non_exhaustive()
    }
}

impl AudioSender {
    /// Queues one binary audio frame (copied), blocking while the queue is full: a server
    /// that reads slowly slows the caller down, and memory stays bounded. Errors once the
    /// session failed (the server's [`Error::Realtime`]), finished, was closed or
    /// `finish()` was called, and for an empty chunk (an empty frame would end the
    /// stream: use [`finish`](Self::finish)). While a server reads nothing at all, it
    /// blocks until the session ends or the stream is closed: use
    /// [`try_send_audio`](Self::try_send_audio) to never block.
    pub fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        non_empty(chunk)?;
        self.push(Command::Audio(chunk.to_vec()))?;
        self.shared.counters.queued(chunk.len());
        Ok(())
    }

    /// As [`send_audio`](Self::send_audio) but never blocks: `Ok(false)` when the queue
    /// is full (nothing was queued; try again later).
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        non_empty(chunk)?;
        self.shared.check_open("send audio")?;
        match self.commands.try_send(Command::Audio(chunk.to_vec())) {
            Ok(()) => {
                self.shared.counters.queued(chunk.len());
                self.shared.wake();
                Ok(true)
            }
            Err(TrySendError::Full(_)) => Ok(false),
            Err(TrySendError::Disconnected(_)) => Err(self.gone("send audio")),
        }
    }

    /// Asks the server to finalize everything sent so far; a [`Finalized`] event
    /// follows the results. Queued behind earlier audio.
    ///
    /// [`Finalized`]: crate::core::realtime::RealtimeEvent::Finalized
    pub fn finalize(&self) -> Result<()> {
        self.push(Command::Finalize)
    }

    /// Sends a keepalive now. Rarely needed: the stream sends one by itself when no audio
    /// went out for the config's `keepalive_interval`.
    pub fn keepalive(&self) -> Result<()> {
        self.push(Command::Keepalive)
    }

    /// Queues the end-of-audio frame and returns: no more audio after it; the stream's
    /// events then run on to [`Finished`]. For a feeder thread while another iterates the
    /// stream; from the stream itself, [`RealtimeStream::finish`] also collects the
    /// remaining events.
    ///
    /// [`Finished`]: crate::core::realtime::RealtimeEvent::Finished
    /// [`RealtimeStream::finish`]: super::RealtimeStream::finish
    pub fn finish(&self) -> Result<()> {
        self.queue_finish(None)
    }

    /// Queued commands not yet taken by the I/O thread.
    pub fn queued(&self) -> usize {
        self.commands.len()
    }

    fn push(&self, command: Command) -> Result<()> {
        let what = match command {
            Command::Audio(_) => "send audio",
            Command::Finalize => "finalize",
            Command::Keepalive => "send a keepalive",
            Command::Finish => "finish",
        };
        self.shared.check_open(what)?;
        self.commands.send(command).map_err(|_| self.gone(what))?;
        self.shared.wake();
        Ok(())
    }

    /// Queues `Finish` once (blocking until `deadline` at most while the queue is full).
    pub(super) fn queue_finish(&self, deadline: Option<Instant>) -> Result<()> {
        self.shared.check_open("finish")?;
        if self.shared.finishing.swap(true, Relaxed) {
            return Err(Error::invalid("cannot finish: finish() was already called"));
        }
        let sent = match deadline {
            Some(at) => self.commands.send_deadline(Command::Finish, at),
            None => self
                .commands
                .send(Command::Finish)
                .map_err(|e| SendTimeoutError::Disconnected(e.0)),
        };
        match sent {
            Ok(()) => {
                self.shared.wake();
                Ok(())
            }
            Err(SendTimeoutError::Timeout(_)) => {
                // Not queued: a later finish() may try again.
                self.shared.finishing.store(false, Relaxed);
                Err(Error::Timeout(TimeoutError {
                    context: "queueing the end of audio".to_owned(),
                    after: deadline.map_or(Duration::ZERO, |at| at.saturating_duration_since(Instant::now())),
                }))
            }
            Err(SendTimeoutError::Disconnected(_)) => Err(self.gone("finish")),
        }
    }

    /// The error for a queue whose I/O thread has stopped.
    fn gone(&self, what: &str) -> Error {
        self.shared
            .check_open(what)
            .err()
            .unwrap_or_else(|| Error::invalid(format!("cannot {what}: the stream's I/O thread has stopped")))
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
