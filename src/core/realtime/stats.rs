//! The counters of one realtime stream, shared by both drivers: written by the thread or
//! task that owns the socket and by audio senders, read by the user at any time.

#[cfg(any(feature = "blocking", feature = "async"))]
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[cfg(any(feature = "blocking", feature = "async"))]
use super::RealtimeSession;

/// Counters of one stream (see `RealtimeStream::stats` in either client).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RealtimeStats {
    /// Audio bytes accepted by `send_audio`/`try_send_audio` (queued or sent).
    pub audio_bytes_queued: u64,
    /// Audio bytes handed to the socket.
    pub audio_bytes_sent: u64,
    /// Audio frames handed to the socket.
    pub audio_frames_sent: u64,
    /// Text messages received from the server.
    pub messages_received: u64,
}

/// The live counters behind [`RealtimeStats`].
#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug, Default)]
pub(crate) struct StreamCounters {
    audio_bytes_queued: AtomicU64,
    audio_bytes_sent: AtomicU64,
    audio_frames_sent: AtomicU64,
    messages_received: AtomicU64,
}

#[cfg(any(feature = "blocking", feature = "async"))]
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
