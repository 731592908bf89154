//! Realtime transcription over a WebSocket: `client.realtime().connect(config).await`.
//!
//! ```no_run
//! # async fn run() -> soniox::Result<()> {
//! use futures::StreamExt;
//! use soniox::nonblocking::{stream_audio, Client, Pace, RealtimeEvent};
//! use soniox::types::RealtimeConfig;
//!
//! let client = Client::from_env()?;
//! let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)).await?;
//!
//! // Feed audio from one future (any `AsyncRead`, at real-time pace) ...
//! let sender = stream.sender();
//! let audio: &[u8] = &[0u8; 64_000];
//! let feeder = async move {
//!     let sent = stream_audio(&sender, audio, 3_200, Pace::RealTime { bytes_per_second: 32_000 }).await?;
//!     sender.finish().await?; // the end-of-audio frame: the events run on to `Finished`
//!     Ok::<_, soniox::Error>(sent)
//! };
//! // ... while another prints results as they come.
//! let printer = async {
//!     while let Some(event) = stream.next().await {
//!         match event? {
//!             RealtimeEvent::Result(_) => println!("{}", stream.transcript().text()),
//!             RealtimeEvent::Endpoint => println!("--"),
//!             _ => {}
//!         }
//!     }
//!     Ok::<_, soniox::Error>(())
//! };
//! let (sent, printed) = futures::join!(feeder, printer);
//! sent?;
//! printed?;
//! println!("{}", stream.transcript().final_text());
//! # Ok(()) }
//! ```
//!
//! Or from one task: [`RealtimeStream::send_reader`] (or `send_audio` in a loop), then
//! [`RealtimeStream::finish`], which returns the events not read yet.
//!
//! How it works: no task runs behind a stream, and the library spawns none. The socket and
//! the [`RealtimeSession`](crate::core::realtime::RealtimeSession), which makes every protocol decision (start message, keepalives,
//! end of audio, errors), live behind one lock that is held only for non-blocking work,
//! never across an await. The task that awaits `send_audio` writes its frame to the socket
//! itself; the task that polls the stream reads the socket itself. Whoever waits registers
//! its waker with the socket (async-io's reactor, which works under any executor: async-std,
//! smol, `futures::executor::block_on`, tokio), and whoever reads events another party waits
//! for wakes it. So **the stream moves only while it or a sender is being polled**: the
//! automatic keepalive (when no audio went out for the config's `keepalive_interval`) goes
//! out while the stream is polled (a `next().await` waiting for events, `finish`) or a send
//! waits for room, and frames the socket could not take at once go out on the next poll.
//! Keep reading the stream while a session is open (as the examples above do).
//! Back-pressure: at most [`Realtime::queue_capacity`] frames (default 16) wait in the
//! WebSocket's buffer beyond what the socket took; then `send_audio` waits until the socket
//! takes more, reading what the server sends meanwhile (a server blocked on writing results
//! never stalls the sender): a stalled server makes `send_audio` wait instead of growing
//! memory. Events read but not handed out yet wait in the session: read them.
//!
//! Threads: none of the stream's own. The async-io reactor thread (`async-io`, started by
//! that crate on first use of a socket or timer) delivers readiness when no task is blocked
//! driving it.

mod io;
mod pace;
mod sender;
mod shared;
mod stream;
mod wake;
mod ws;

use std::sync::Arc;
use std::time::Duration;

pub use self::pace::stream_audio;
pub use self::sender::AudioSender;
use self::shared::Shared;
pub use self::stream::RealtimeStream;
use self::ws::WsConn;
use super::client::Client;
use crate::config::ApiKey;
pub use crate::core::realtime::{Pace, RealtimeEvent, RealtimeResponse, RealtimeStats, RealtimeTranscript};
use crate::error::Result;
use crate::types::RealtimeConfig;

pub use crate::driver::realtime::{DEFAULT_FINISH_TIMEOUT, DEFAULT_QUEUE_CAPACITY};

/// The realtime resource. Get one with [`Client::realtime`]; optional settings are
/// by-value setters, then [`connect`](Self::connect).
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Realtime<'c> {
    client: &'c Client,
    finish_timeout: Duration,
    queue_capacity: usize,
}

impl<'c> Realtime<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Realtime {
            client,
            finish_timeout: DEFAULT_FINISH_TIMEOUT,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
        }
    }

    /// How long [`RealtimeStream::finish`] waits for `finished`. Default 30 s.
    /// [`NO_LIMIT`](crate::config::time::NO_LIMIT) or more (`Duration::MAX`): no limit.
    /// Zero is refused by [`connect`](Self::connect) with `Error::InvalidArgument` (it
    /// could only time out).
    pub fn finish_timeout(mut self, timeout: Duration) -> Self {
        self.finish_timeout = timeout;
        self
    }

    /// Audio chunks and commands the WebSocket's buffer may hold beyond what the socket
    /// took before `send_audio` waits (at least 1: 0 counts as 1). Default 16. Memory held
    /// by a stalled stream is at most this many chunks plus the kernel's socket buffers
    /// (`usize::MAX`: no back-pressure at all, memory grows with a stalled server).
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue_capacity = n.max(1);
        self
    }

    /// Opens a stream authenticated with the client's API key. The config is validated
    /// first (a bad one is [`Error::InvalidArgument`](crate::Error::InvalidArgument), no
    /// connection opened); the connection and upgrade are bounded by the client's
    /// `connect_timeout`. A refused upgrade is [`Error::Api`](crate::Error::Api); a key
    /// or model the server refuses after the upgrade arrives as the stream's first
    /// event, an [`Error::Realtime`](crate::Error::Realtime).
    pub async fn connect(&self, config: RealtimeConfig) -> Result<RealtimeStream> {
        self.connect_with_key(config, self.client.config().api_key()).await
    }

    /// As [`connect`](Self::connect), with another key, for example a temporary key
    /// minted by [`Auth::temporary_api_key`](super::Auth::temporary_api_key).
    pub async fn connect_with_key(&self, config: RealtimeConfig, key: &ApiKey) -> Result<RealtimeStream> {
        let session = crate::driver::ws_upgrade::session(config, key, self.finish_timeout)?;
        let cfg = self.client.config();
        let tls = self.client.tls_config();
        let conn = WsConn::connect(cfg, key.expose(), tls).await?;
        let span = crate::driver::realtime::session_span(&session);
        crate::driver::realtime::record_start(&span, cfg.ws_url());
        let shared = Arc::new(Shared::new(conn, session, self.queue_capacity, span));
        Ok(RealtimeStream::new(shared, self.finish_timeout))
    }
}
