//! The counters of one realtime stream, as the user reads them (the drivers keep the
//! live ones, written by the socket's owner and by audio senders).

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
