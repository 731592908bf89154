//! [`AudioSender`]: audio and commands into the stream's one bounded queue, from any task.

use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use async_channel::{Sender, TrySendError};

use super::driver::{Command, Shared};
use super::ws::within;
use crate::error::{Error, Result, TimeoutError};

/// Sends audio and commands into a stream from any task: `Clone + Send + Sync`. Get one
/// with [`RealtimeStream::sender`]. Everything goes through the stream's one bounded
/// queue, so order is kept across audio, `finalize`, `keepalive` and `finish`.
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
    /// Queues one binary audio frame (copied), waiting while the queue is full: a server
    /// that reads slowly slows the caller down, and memory stays bounded. Errors once the
    /// session failed (the server's [`Error::Realtime`]), finished, was closed or
    /// `finish()` was called, and for an empty chunk (an empty frame would end the
    /// stream: use [`finish`](Self::finish)). While a server reads nothing at all, it
    /// waits until the session ends or the stream is closed: use
    /// [`try_send_audio`](Self::try_send_audio) to never wait.
    pub async fn send_audio(&self, chunk: &[u8]) -> Result<()> {
        non_empty(chunk)?;
        self.push(Command::Audio(chunk.to_vec())).await?;
        self.shared.counters.queued(chunk.len());
        Ok(())
    }

    /// As [`send_audio`](Self::send_audio) but never waits: `Ok(false)` when the queue
    /// is full (nothing was queued; try again later).
    pub fn try_send_audio(&self, chunk: &[u8]) -> Result<bool> {
        non_empty(chunk)?;
        self.shared.check_open("send audio")?;
        match self.commands.try_send(Command::Audio(chunk.to_vec())) {
            Ok(()) => {
                self.shared.counters.queued(chunk.len());
                Ok(true)
            }
            Err(TrySendError::Full(_)) => Ok(false),
            Err(TrySendError::Closed(_)) => Err(self.gone("send audio")),
        }
    }

    /// Asks the server to finalize everything sent so far; a [`Finalized`] event
    /// follows the results. Queued behind earlier audio.
    ///
    /// [`Finalized`]: crate::core::realtime::RealtimeEvent::Finalized
    pub async fn finalize(&self) -> Result<()> {
        self.push(Command::Finalize).await
    }

    /// Sends a keepalive now. Rarely needed: the stream sends one by itself when no audio
    /// went out for the config's `keepalive_interval`.
    pub async fn keepalive(&self) -> Result<()> {
        self.push(Command::Keepalive).await
    }

    /// Queues the end-of-audio frame and returns: no more audio after it; the stream's
    /// events then run on to [`Finished`]. For a feeder task while another reads the
    /// stream; from the stream itself, [`RealtimeStream::finish`] also collects the
    /// remaining events.
    ///
    /// [`Finished`]: crate::core::realtime::RealtimeEvent::Finished
    /// [`RealtimeStream::finish`]: super::RealtimeStream::finish
    pub async fn finish(&self) -> Result<()> {
        self.queue_finish(None).await
    }

    /// Queued commands not yet taken by the driver.
    pub fn queued(&self) -> usize {
        self.commands.len()
    }

    async fn push(&self, command: Command) -> Result<()> {
        let what = match command {
            Command::Audio(_) => "send audio",
            Command::Finalize => "finalize",
            Command::Keepalive => "send a keepalive",
            Command::Finish => "finish",
        };
        self.shared.check_open(what)?;
        self.commands.send(command).await.map_err(|_| self.gone(what))
    }

    /// Queues `Finish` once (waiting `limit` at most while the queue is full).
    pub(super) async fn queue_finish(&self, limit: Option<Duration>) -> Result<()> {
        self.shared.check_open("finish")?;
        if self.shared.finishing.swap(true, Relaxed) {
            return Err(Error::invalid("cannot finish: finish() was already called"));
        }
        let sent = match limit {
            Some(limit) => within(limit, self.commands.send(Command::Finish)).await,
            None => Some(self.commands.send(Command::Finish).await),
        };
        match sent {
            Some(Ok(())) => Ok(()),
            Some(Err(_)) => Err(self.gone("finish")),
            None => {
                // Not queued: a later finish() may try again.
                self.shared.finishing.store(false, Relaxed);
                Err(Error::Timeout(TimeoutError {
                    context: "queueing the end of audio".to_owned(),
                    after: limit.unwrap_or_default(),
                }))
            }
        }
    }

    /// The error for a queue whose driver has stopped.
    fn gone(&self, what: &str) -> Error {
        self.shared
            .check_open(what)
            .err()
            .unwrap_or_else(|| Error::invalid(format!("cannot {what}: the stream's driver has stopped")))
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
