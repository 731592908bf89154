//! Realtime transcription over a WebSocket: `client.realtime().connect(config).await`.
//!
//! ```no_run
//! # async fn run() -> soniox::Result<()> {
//! use futures::StreamExt;
//! use soniox::core::realtime::RealtimeEvent;
//! use soniox::nonblocking::{stream_audio, Client, Pace};
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
//! How it works: one driver task owns the socket and the [`RealtimeSession`], which
//! makes every protocol decision (start message, keepalives, end of audio, errors). It runs on async-std's global
//! executor (its own threads, started on first use), so it keeps the session alive —
//! automatic keepalives included — whether or not the caller is polling anything, and
//! whatever executor the caller uses (async-std, smol, `futures::executor::block_on`,
//! tokio). Audio and commands reach it through one bounded queue
//! ([`Realtime::queue_capacity`], default 16), taken only while the socket keeps up: a
//! stalled server makes `send_audio` wait instead of growing memory. Events come back
//! through an unbounded queue: read them.

mod driver;
mod pace;
mod sender;
mod stream;
mod ws;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::channel::{mpsc, oneshot};
use log::debug;

use self::driver::{Driver, Shared};
pub use self::pace::stream_audio;
pub use self::sender::AudioSender;
pub use self::stream::RealtimeStream;
use self::ws::WsConn;
use super::client::Client;
use crate::config::ApiKey;
pub use crate::core::realtime::Pace;
use crate::core::realtime::RealtimeSession;
pub use crate::core::realtime::RealtimeStats;
use crate::error::Result;
use crate::types::RealtimeConfig;

/// Default [`Realtime::queue_capacity`].
pub const DEFAULT_QUEUE_CAPACITY: usize = 16;
/// Default [`Realtime::finish_timeout`].
pub const DEFAULT_FINISH_TIMEOUT: Duration = Duration::from_secs(30);

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
    pub fn finish_timeout(mut self, timeout: Duration) -> Self {
        self.finish_timeout = timeout;
        self
    }

    /// Audio chunks and commands queued before `send_audio` waits (at least 1). Default
    /// 16. Memory held by a stalled stream is about this many chunks, plus one in the
    /// WebSocket's buffer, plus the kernel's socket buffers.
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
        let session = RealtimeSession::new(config, Instant::now())?;
        let cfg = self.client.config();
        let conn = WsConn::connect(cfg.ws_url(), key.expose(), cfg.user_agent(), cfg.connect_timeout()).await?;
        debug!("realtime: connected to {}", cfg.ws_url());
        let shared = Arc::new(Shared::default());
        let (commands, commands_rx) = async_channel::bounded(self.queue_capacity);
        let (events_tx, events) = mpsc::unbounded();
        let (done_tx, done) = oneshot::channel();
        ws::spawn(Driver::new(
            conn,
            session,
            shared.clone(),
            commands_rx,
            events_tx,
            done_tx,
        ));
        let sender = AudioSender { commands, shared };
        Ok(RealtimeStream::new(sender, events, done, self.finish_timeout))
    }
}
