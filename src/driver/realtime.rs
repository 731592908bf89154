//! What both clients' realtime streams share beyond the core's session: the live
//! counters behind [`RealtimeStats`], what a stream does with each event it hands to the
//! user, and the error for a slow `finished`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::core::realtime::{RealtimeEvent, RealtimeSession, RealtimeStats, RealtimeTranscript};
use crate::error::{Error, RealtimeError, Result, TimeoutError};

/// Default `Realtime::queue_capacity` (both clients).
pub const DEFAULT_QUEUE_CAPACITY: usize = 16;
/// Default `Realtime::finish_timeout` (both clients).
pub const DEFAULT_FINISH_TIMEOUT: Duration = Duration::from_secs(30);

/// The live counters behind [`RealtimeStats`]: written by the thread or task that owns
/// the socket and by audio senders, read by the user at any time.
#[derive(Debug, Default)]
pub(crate) struct StreamCounters {
    audio_bytes_queued: AtomicU64,
    audio_bytes_sent: AtomicU64,
    audio_frames_sent: AtomicU64,
    messages_received: AtomicU64,
}

impl StreamCounters {
    /// A sender accepted `bytes` of audio into the queue.
    pub(crate) fn queued(&self, bytes: usize) {
        self.audio_bytes_queued.fetch_add(bytes as u64, Relaxed);
    }

    /// Copies the session's own counters (called by the socket owner).
    pub(crate) fn publish(&self, session: &RealtimeSession) {
        self.audio_bytes_sent.store(session.audio_bytes_sent(), Relaxed);
        self.audio_frames_sent.store(session.audio_frames_sent(), Relaxed);
        self.messages_received.store(session.messages_received(), Relaxed);
    }

    /// A snapshot for the user.
    pub(crate) fn snapshot(&self) -> RealtimeStats {
        RealtimeStats {
            audio_bytes_queued: self.audio_bytes_queued.load(Relaxed),
            audio_bytes_sent: self.audio_bytes_sent.load(Relaxed),
            audio_frames_sent: self.audio_frames_sent.load(Relaxed),
            messages_received: self.messages_received.load(Relaxed),
        }
    }
}

/// Records an event handed to the user: `None` (the I/O side stopped without a last
/// event) becomes a `connection_closed` error with `closed`, never a silent end; the
/// end (`Finished` or an error) sets `ended`; anything else goes into the transcript.
pub(crate) fn deliver(
    event: Option<Result<RealtimeEvent>>,
    closed: &str,
    ended: &mut bool,
    transcript: &mut RealtimeTranscript,
) -> Result<RealtimeEvent> {
    let event = event.unwrap_or_else(|| Err(Error::Realtime(RealtimeError::connection_closed(closed.to_owned()))));
    match &event {
        Ok(RealtimeEvent::Finished) | Err(_) => *ended = true,
        Ok(e) => transcript.apply_event(e),
    }
    event
}

/// `finish()` waited `after` for `finished`.
pub(crate) fn finish_timed_out(after: Duration) -> Error {
    Error::Timeout(TimeoutError {
        context: "waiting for the realtime session to finish".to_owned(),
        after,
    })
}

/// The `soniox.realtime` span of one stream (both clients): the model now; a `debug`
/// event once connected ([`record_start`]); the counters and the phase recorded at the end
/// ([`record_end`]).
pub(crate) fn session_span(session: &RealtimeSession) -> tracing::Span {
    tracing::info_span!(
        "soniox.realtime",
        model = session.config().model.as_str(),
        audio_bytes = tracing::field::Empty,
        messages = tracing::field::Empty,
        phase = tracing::field::Empty,
    )
}

/// The socket is open: one `debug` event in the span.
pub(crate) fn record_start(span: &tracing::Span, ws_url: &str) {
    tracing::debug!(parent: span, ws_url, "realtime session started");
}

/// Records how a session ended into its span, with one `debug` event.
pub(crate) fn record_end(span: &tracing::Span, s: &RealtimeSession) {
    span.record("audio_bytes", s.audio_bytes_sent());
    span.record("messages", s.messages_received());
    span.record("phase", tracing::field::display(s.phase()));
    tracing::debug!(
        parent: span,
        phase = %s.phase(),
        audio_bytes = s.audio_bytes_sent(),
        audio_frames = s.audio_frames_sent(),
        messages = s.messages_received(),
        "realtime session ended"
    );
}
