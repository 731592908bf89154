//! The realtime (WebSocket) session, without I/O: [`RealtimeSession`] takes what
//! happened (`handle_*`, the operations) and says what to do (`poll_*`). The
//! WebSocket library owns frames, masking and ping/pong; this module owns the
//! protocol above them: the start message, keepalive deadlines, finalize, the
//! end-of-audio handshake, decoding server messages and errors.
//!
//! ```text
//!                  handle_connected                    finish()
//!   Connecting ──(queues the start)──▶ Streaming ──(queues "")──▶ Finishing
//!       │                              │  ▲    │                      │
//!       │       audio_sent, keepalive, └──┘    │ "finished": true     │ "finished": true
//!       │       finalize, handle_timeout       │ (server-side end)    │
//!       │                                      ▼                      │
//!       │                                  Finished ◀─────────────────┘
//!       │                          (Finished event; a close after it is fine)
//!       │
//!       └─ from Connecting, Streaming or Finishing ─▶ Failed (the error, once, via poll_event):
//!          an error message, an undecodable frame, or handle_close before "finished"
//! ```
//!
//! # Driver contract
//!
//! The driver owns the socket and the clock; the session owns every decision.
//!
//! 1. [`RealtimeSession::new`] (validates the config) → open the WebSocket with the
//!    `Authorization: Bearer <key>` header → [`RealtimeSession::handle_connected`].
//! 2. After **every** input or operation, in this order:
//!    - drain [`poll_transmit`](RealtimeSession::poll_transmit) and write each
//!      [`Outgoing::Text`] as a text frame (the empty string is the end-of-audio frame);
//!      new frames appear after `handle_connected`, `handle_timeout`, `keepalive`,
//!      `finalize` and `finish`;
//!    - drain [`poll_event`](RealtimeSession::poll_event) to the user; new events
//!      appear after `handle_message` and `handle_close`;
//!    - re-read [`poll_timeout`](RealtimeSession::poll_timeout) and wake up at that
//!      instant to call [`handle_timeout`](RealtimeSession::handle_timeout); it moves
//!      after `handle_connected`, `audio_sent`, `keepalive`, `finish`,
//!      `handle_timeout`, and whenever the session ends.
//! 3. Audio: call [`audio_sent`](RealtimeSession::audio_sent)`(now, len)` right before
//!    writing a non-empty binary frame, and write it only if that returned `Ok` (the
//!    queued text frames must have been written first: the start message precedes all
//!    audio, a finalize stays where it was asked).
//! 4. Each text frame read → [`handle_message`](RealtimeSession::handle_message); a
//!    close frame or a lost connection → [`handle_close`](RealtimeSession::handle_close).
//! 5. Stop after [`RealtimeEvent::Finished`] or an `Err` event (then close the socket).
//!
//! The happy path, with a fake clock moved by hand:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use soniox::core::realtime::{Outgoing, Phase, RealtimeEvent, RealtimeSession, RealtimeTranscript};
//! use soniox::types::RealtimeConfig;
//!
//! let mut now = Instant::now(); // the fake clock: only this code moves it
//! let config = RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1);
//! let mut session = RealtimeSession::new(config, now)?;
//!
//! // The socket is open: the start message is the first frame.
//! session.handle_connected(now);
//! let start = session.poll_transmit().unwrap();
//! assert!(start.as_str().starts_with(r#"{"model":"stt-rt-v5","audio_format":"pcm_s16le""#));
//!
//! // 100 ms of audio: the driver writes the frame itself and reports it.
//! session.audio_sent(now, 3_200)?;
//! assert_eq!(session.poll_timeout(), Some(now + Duration::from_secs(5)));
//!
//! // The user pauses for 5 s: the keepalive falls due, exactly at the deadline.
//! now = session.poll_timeout().unwrap();
//! session.handle_timeout(now);
//! assert_eq!(session.poll_transmit(), Some(Outgoing::Text(r#"{"type":"keepalive"}"#.into())));
//!
//! // Results arrive; the transcript assembles them.
//! let mut transcript = RealtimeTranscript::new();
//! session.handle_message(now, r#"{"tokens":[{"text":"Hel","is_final":true},{"text":"lo","is_final":false}]}"#);
//! while let Some(event) = session.poll_event() {
//!     transcript.apply_event(&event?);
//! }
//! assert_eq!(transcript.text(), "Hello");
//!
//! // End of audio: the empty frame, then drain until `finished`.
//! session.finish(now)?;
//! assert_eq!(session.poll_transmit(), Some(Outgoing::Text(String::new())));
//! assert_eq!(session.poll_timeout(), None);
//! session.handle_message(now, r#"{"tokens":[{"text":"lo","is_final":true}],"finished":true}"#);
//! let mut finished = false;
//! while let Some(event) = session.poll_event() {
//!     let event = event?;
//!     transcript.apply_event(&event);
//!     finished |= event == RealtimeEvent::Finished;
//! }
//! assert!(finished && session.phase() == Phase::Finished);
//! assert_eq!(transcript.final_text(), "Hello");
//!
//! // The server's normal close after `finished` is not an error.
//! session.handle_close(now, Some(1000), "");
//! assert!(session.poll_event().is_none());
//! assert_eq!((session.audio_bytes_sent(), session.messages_received()), (3_200, 2));
//! # Ok::<(), soniox::Error>(())
//! ```

use std::fmt;

mod messages;
mod outgoing;
mod pace;
mod session;
mod stats;
#[cfg(test)]
mod tests;
mod transcript;

pub use messages::{
    decode_message, is_special_token, RealtimeResponse, ENDPOINT_TOKEN, FINALIZED_TOKEN, INVALID_MESSAGE_ERROR_TYPE,
    UNKNOWN_ERROR_TYPE,
};
pub use outgoing::{finalize_message, start_message, Outgoing, END_OF_AUDIO_MESSAGE, KEEPALIVE_MESSAGE};
pub use pace::{Pace, MAX_CHUNK_BYTES};
pub use session::{RealtimeSession, CONNECTION_CLOSED_ERROR_TYPE};
pub use stats::RealtimeStats;
pub use transcript::RealtimeTranscript;

// ---- the values the session exchanges with its driver -----------------------------

/// Where a session is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Created; the socket is not open yet.
    Connecting,
    /// The start message is queued or sent; audio, keepalives and finalizes may go.
    Streaming,
    /// The end-of-audio frame is queued or sent; waiting for `finished`.
    Finishing,
    /// The server sent `finished`: every token has arrived.
    Finished,
    /// An error message, an undecodable frame or an early close ended the session.
    Failed,
}

impl Phase {
    /// `Finished` or `Failed`: the session will neither send nor emit anything more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Finished | Phase::Failed)
    }
    /// Lowercase name, for logs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Connecting => "connecting",
            Phase::Streaming => "streaming",
            Phase::Finishing => "finishing",
            Phase::Finished => "finished",
            Phase::Failed => "failed",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the session reports to the user.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RealtimeEvent {
    /// A result message, special tokens removed. Feed it to a [`RealtimeTranscript`].
    Result(RealtimeResponse),
    /// An `<end>` token: the speaker stopped, every token before it is final. Follows
    /// the `Result` of the same message.
    Endpoint,
    /// A `<fin>` token: a [`finalize`](RealtimeSession::finalize) request completed.
    /// Follows the `Result` of the same message.
    Finalized,
    /// The server sent `finished: true`: the stream is complete. Always the last event.
    Finished,
}
