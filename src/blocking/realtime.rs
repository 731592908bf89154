//! Realtime transcription over a WebSocket: `client.realtime().connect(config)`.
//!
//! ```no_run
//! use soniox::blocking::{stream_audio, Client, Pace, RealtimeEvent};
//! use soniox::types::RealtimeConfig;
//!
//! let client = Client::from_env()?;
//! let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))?;
//!
//! // Feed audio from another thread (raw PCM from stdin, at real-time pace) ...
//! let sender = stream.sender();
//! let feeder = std::thread::spawn(move || -> soniox::Result<u64> {
//!     let sent = stream_audio(&sender, std::io::stdin(), 3_200, Pace::RealTime { bytes_per_second: 32_000 })?;
//!     sender.finish()?; // the end-of-audio frame: the events run on to `Finished`
//!     Ok(sent)
//! });
//! // ... while this one prints results as they come.
//! while let Some(event) = stream.recv() {
//!     match event? {
//!         RealtimeEvent::Result(_) => println!("{}", stream.transcript().text()),
//!         RealtimeEvent::Endpoint => println!("--"),
//!         _ => {}
//!     }
//! }
//! feeder.join().expect("the feeder panicked")?;
//! println!("{}", stream.transcript().final_text());
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! Or from one thread: [`RealtimeStream::send_file`] (or `send_audio` in a loop), then
//! [`RealtimeStream::finish`], which returns the events not read yet.
//!
//! How it works: no thread hand-off on the common path. The socket (non-blocking) and the
//! [`RealtimeSession`](crate::core::realtime::RealtimeSession), which makes every protocol decision (start message, keepalives, end
//! of audio, errors), live behind one lock that is held only for non-blocking work. The
//! thread that calls `send_audio` writes its frame to the socket itself; the thread that
//! reads events reads the socket itself, waiting (outside the lock, in one `poll(2)`) for it
//! to be readable. A light background thread only wakes at the keepalive deadline, to send
//! a keepalive while the caller is idle, or to flush bytes the socket could not take.
//! Back-pressure: at most [`Realtime::queue_capacity`] frames (default 16) wait in the
//! WebSocket's buffer beyond what the socket took; then `send_audio` blocks until the
//! socket takes more: a stalled server blocks `send_audio` instead of growing memory.
//! Events read but not handed out yet wait in the session: read them.

mod keeper;
mod pace;
mod sender;
mod shared;
mod socket;
mod stream;
mod sys;
mod waiter;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::bounded;

pub use self::pace::stream_audio;
pub use self::sender::AudioSender;
use self::shared::Shared;
pub use self::stream::RealtimeStream;
use self::ws::WsConn;
use super::client::Client;
use crate::config::ApiKey;
pub use crate::core::realtime::{Pace, RealtimeEvent, RealtimeResponse, RealtimeStats, RealtimeTranscript};
use crate::error::{Error, Result, TransportError};
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
    /// took before `send_audio` blocks (at least 1: 0 counts as 1). Default 16. Memory held
    /// by a stalled stream is at most this many chunks plus the kernel's socket buffers
    /// (`usize::MAX`: no back-pressure at all, memory grows with a stalled server).
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue_capacity = n.max(1);
        self
    }

    /// Opens a stream authenticated with the client's API key. The config is validated
    /// first (a bad one is [`Error::InvalidArgument`], no connection opened); the
    /// connection and upgrade are bounded by the client's `connect_timeout`. A refused
    /// upgrade is [`Error::Api`]; a key or model the server refuses after the upgrade
    /// arrives as the stream's first event, an [`Error::Realtime`].
    pub fn connect(&self, config: RealtimeConfig) -> Result<RealtimeStream> {
        self.connect_with_key(config, self.client.config().api_key())
    }

    /// As [`connect`](Self::connect), with another key, for example a temporary key
    /// minted by [`Auth::temporary_api_key`](super::Auth::temporary_api_key).
    pub fn connect_with_key(&self, config: RealtimeConfig, key: &ApiKey) -> Result<RealtimeStream> {
        let session = crate::driver::ws_upgrade::session(config, key, self.finish_timeout)?;
        let span = crate::driver::realtime::session_span(&session);
        let entered = span.enter();
        let cfg = self.client.config();
        let tls = self.client.tls_config();
        let conn = WsConn::connect(cfg, key.expose(), tls)?;
        crate::driver::realtime::record_start(&span, cfg.ws_url());
        let os_error = |e: std::io::Error| {
            Error::Transport(TransportError {
                context: "setting up the realtime stream".to_owned(),
                maybe_processed: false,
                source: Box::new(e),
            })
        };
        let shared = Arc::new(Shared::new(conn, session, self.queue_capacity, span.clone()).map_err(os_error)?);
        drop(entered);
        let (done_tx, done) = bounded(0);
        let keeper = keeper::spawn(shared.clone(), done_tx).map_err(os_error)?;
        let sender = AudioSender { shared };
        Ok(RealtimeStream::new(sender, done, keeper, self.finish_timeout))
    }
}
