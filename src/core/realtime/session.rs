//! The session machine. The diagram and the driver contract are in the
//! [module map](super).

use std::collections::VecDeque;
use std::time::Instant;

use tracing::debug;

use super::messages::{self, Special};
use super::outgoing::{self, Outgoing, END_OF_AUDIO_MESSAGE, KEEPALIVE_MESSAGE};
use super::{Phase, RealtimeEvent};
use crate::config::time::later;
use crate::error::{Error, RealtimeError, Result};
use crate::types::RealtimeConfig;

/// The `error_type` of a connection that ended before the server sent `finished`.
pub const CONNECTION_CLOSED_ERROR_TYPE: &str = RealtimeError::CONNECTION_CLOSED;

/// One realtime stream, without I/O: inputs through `handle_*` and the operations,
/// outputs through `poll_*`. See the [module map](super) for the order of calls.
#[derive(Debug)]
pub struct RealtimeSession {
    config: RealtimeConfig,
    phase: Phase,
    created_at: Instant,
    start_message: Option<String>,
    keepalive_at: Option<Instant>,
    transmit: VecDeque<Outgoing>,
    events: VecDeque<Result<RealtimeEvent>>,
    failure: Option<RealtimeError>,
    audio_bytes_sent: u64,
    audio_frames_sent: u64,
    messages_received: u64,
}

impl RealtimeSession {
    /// A session in [`Phase::Connecting`]. Validates the config
    /// ([`RealtimeConfig::validate`]) and encodes the start message, so a bad config
    /// fails here, before a connection is opened.
    pub fn new(config: RealtimeConfig, now: Instant) -> Result<RealtimeSession> {
        config.validate()?;
        let start = outgoing::start_message(&config)?;
        Ok(RealtimeSession {
            config,
            phase: Phase::Connecting,
            created_at: now,
            start_message: Some(start),
            keepalive_at: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            failure: None,
            audio_bytes_sent: 0,
            audio_frames_sent: 0,
            messages_received: 0,
        })
    }

    // ---- inputs -------------------------------------------------------------------

    /// The WebSocket is open: queues the start message and enters
    /// [`Phase::Streaming`]; the first keepalive falls due one interval from `now`.
    /// Ignored in any other phase than `Connecting`.
    pub fn handle_connected(&mut self, now: Instant) {
        let Some(start) = self.start_message.take().filter(|_| self.phase == Phase::Connecting) else {
            debug!("realtime: handle_connected ignored in phase {}", self.phase);
            return;
        };
        self.transmit.push_back(Outgoing::Text(start));
        self.keepalive_at = Some(later(now, self.config.keepalive_interval));
        self.enter(Phase::Streaming);
        debug!(
            "realtime: connected after {:?}",
            now.saturating_duration_since(self.created_at)
        );
    }

    /// One text frame from the server: results become [`RealtimeEvent::Result`]
    /// (then `Endpoint`/`Finalized` for the special tokens it carried, in order);
    /// `finished: true` ends the session with [`RealtimeEvent::Finished`]; an error
    /// message or an undecodable frame fails it ([`Phase::Failed`], the error
    /// surfaced once through [`poll_event`](Self::poll_event)). Ignored once the
    /// session has ended.
    pub fn handle_message(&mut self, now: Instant, text: &str) {
        let _ = now;
        self.messages_received += 1;
        if self.phase.is_terminal() {
            debug!("realtime: message ignored in phase {}", self.phase);
            return;
        }
        let decoded = match messages::decode(text) {
            Ok(d) => d,
            Err(e) => return self.fail(e),
        };
        let finished = decoded.response.finished;
        self.events.push_back(Ok(RealtimeEvent::Result(decoded.response)));
        for special in decoded.specials {
            self.events.push_back(Ok(match special {
                Special::Endpoint => RealtimeEvent::Endpoint,
                Special::Finalized => RealtimeEvent::Finalized,
            }));
        }
        if finished {
            self.keepalive_at = None;
            self.transmit.clear();
            self.enter(Phase::Finished);
            self.events.push_back(Ok(RealtimeEvent::Finished));
        }
    }

    /// The connection ended: a close frame (`code`, `reason`), or a lost connection
    /// (`code` `None`, the transport's error as `reason`). Before `finished` this fails
    /// the session with `error_type` `"connection_closed"`, never a silent end; after
    /// `Finished` (or `Failed`) it changes nothing.
    pub fn handle_close(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        let _ = now;
        if self.phase.is_terminal() {
            return;
        }
        let how = match code {
            Some(c) => format!("close code {c}"),
            None => "no close frame".to_owned(),
        };
        let sep = if reason.is_empty() { "" } else { ": " };
        self.fail(RealtimeError::connection_closed(format!(
            "the connection closed before the session finished ({how}{sep}{reason})"
        )));
    }

    /// Time passed: while streaming, queues a keepalive once `now` reaches the
    /// deadline of [`poll_timeout`](Self::poll_timeout) (not before).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Streaming && self.keepalive_at.is_some_and(|at| now >= at) {
            debug!(
                "realtime: idle for {:?}, sending a keepalive",
                self.config.keepalive_interval
            );
            self.queue_keepalive(now);
        }
    }

    // ---- operations ---------------------------------------------------------------

    /// The driver is about to write one binary audio frame of `bytes` bytes (it writes
    /// the audio itself; nothing is copied through the machine). Counts it and pushes
    /// the keepalive deadline. Call it *before* writing: on `Err`, do not write. Errors
    /// when not streaming, for an empty frame (the server would read it as the end of
    /// audio; use [`finish`](Self::finish)), and while frames from
    /// [`poll_transmit`](Self::poll_transmit) are still unsent (they go first).
    pub fn audio_sent(&mut self, now: Instant, bytes: usize) -> Result<()> {
        self.require_streaming("send audio")?;
        if bytes == 0 {
            return Err(Error::invalid(
                "an empty audio frame would end the stream; call finish() instead",
            ));
        }
        if !self.transmit.is_empty() {
            return Err(Error::invalid(
                "send the frames from poll_transmit() before more audio: they must stay in order",
            ));
        }
        self.audio_bytes_sent += bytes as u64;
        self.audio_frames_sent += 1;
        self.keepalive_at = Some(later(now, self.config.keepalive_interval));
        Ok(())
    }

    /// Queues `{"type":"keepalive"}` now and pushes the keepalive deadline.
    pub fn keepalive(&mut self, now: Instant) -> Result<()> {
        self.require_streaming("send a keepalive")?;
        self.queue_keepalive(now);
        Ok(())
    }

    /// Queues `{"type":"finalize"}` (with `trailing_silence_ms` when given): the server
    /// finalizes everything so far and answers with a [`RealtimeEvent::Finalized`];
    /// the stream continues. It does not count as activity for the keepalive.
    pub fn finalize(&mut self, now: Instant, trailing_silence_ms: Option<u32>) -> Result<()> {
        let _ = now;
        self.require_streaming("finalize")?;
        self.transmit
            .push_back(Outgoing::Text(outgoing::finalize_message(trailing_silence_ms)));
        Ok(())
    }

    /// Queues the end-of-audio frame (an empty text frame) and enters
    /// [`Phase::Finishing`]: keep reading until [`RealtimeEvent::Finished`]. No more
    /// audio, keepalives or finalizes after this.
    pub fn finish(&mut self, now: Instant) -> Result<()> {
        let _ = now;
        self.require_streaming("finish")?;
        self.transmit.push_back(Outgoing::Text(END_OF_AUDIO_MESSAGE.to_owned()));
        self.keepalive_at = None;
        self.enter(Phase::Finishing);
        Ok(())
    }

    // ---- outputs ------------------------------------------------------------------

    /// The next text frame to write, in order. Re-poll after `handle_connected`,
    /// `handle_timeout`, `keepalive`, `finalize` and `finish`; drain it before writing
    /// any audio.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Outgoing> {
        self.transmit.pop_front()
    }

    /// The next event for the user: results, endpoints, finalizations, `Finished`, or
    /// the one error that failed the session. Re-poll after `handle_message` and
    /// `handle_close`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Result<RealtimeEvent>> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next (the
    /// keepalive deadline), or `None` when nothing is timed (not streaming). Re-poll
    /// after every call except the `poll_*` ones.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.keepalive_at.filter(|_| self.phase == Phase::Streaming)
    }

    // ---- state --------------------------------------------------------------------

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// The configuration the session was started with.
    pub fn config(&self) -> &RealtimeConfig {
        &self.config
    }
    /// The error that failed the session, once it has.
    pub fn failure(&self) -> Option<&RealtimeError> {
        self.failure.as_ref()
    }
    /// Why a caller cannot `what` (send audio, finalize, ...) now, if it cannot: the user
    /// is closing the stream (`closing`), the driver closed its socket (`closed`) while the
    /// session had not ended, or the session's own answer (its error once it failed, else
    /// the phase it is in). Both clients ask this one rule.
    pub fn check_open(&self, what: &str, closing: bool, closed: bool) -> Result<()> {
        if closing || (closed && !self.phase.is_terminal()) {
            return Err(Error::invalid(format!("cannot {what}: the stream was closed")));
        }
        let why = match self.phase {
            Phase::Streaming => return Ok(()),
            Phase::Connecting => "the session is not connected yet",
            Phase::Finishing => "finish() was already called",
            Phase::Finished => "the session has finished",
            Phase::Failed => match &self.failure {
                Some(e) => return Err(Error::Realtime(e.clone())),
                None => "the session has failed",
            },
        };
        Err(Error::invalid(format!("cannot {what}: {why}")))
    }
    /// Audio bytes reported through [`audio_sent`](Self::audio_sent).
    pub fn audio_bytes_sent(&self) -> u64 {
        self.audio_bytes_sent
    }
    /// Audio frames reported through [`audio_sent`](Self::audio_sent).
    pub fn audio_frames_sent(&self) -> u64 {
        self.audio_frames_sent
    }
    /// Text frames received from the server (including any ignored after the end).
    pub fn messages_received(&self) -> u64 {
        self.messages_received
    }

    fn queue_keepalive(&mut self, now: Instant) {
        self.transmit.push_back(Outgoing::Text(KEEPALIVE_MESSAGE.to_owned()));
        self.keepalive_at = Some(later(now, self.config.keepalive_interval));
    }

    fn require_streaming(&self, what: &str) -> Result<()> {
        let why = match self.phase {
            Phase::Streaming => return Ok(()),
            Phase::Connecting => "the session is not connected yet",
            Phase::Finishing => "finish() was already called",
            Phase::Finished => "the session has finished",
            Phase::Failed => match &self.failure {
                Some(e) => return Err(Error::Realtime(e.clone())),
                None => "the session has failed",
            },
        };
        Err(Error::invalid(format!("cannot {what}: {why}")))
    }

    fn fail(&mut self, error: RealtimeError) {
        debug!(
            "realtime: failed in phase {}: {} {}",
            self.phase, error.error_type, error.message
        );
        self.keepalive_at = None;
        self.transmit.clear();
        self.enter(Phase::Failed);
        self.events.push_back(Err(Error::Realtime(error.clone())));
        self.failure = Some(error);
    }

    fn enter(&mut self, phase: Phase) {
        debug!("realtime: {} -> {}", self.phase, phase);
        self.phase = phase;
    }
}
