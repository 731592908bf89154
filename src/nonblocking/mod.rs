//! The async client: surf over libcurl for REST, an async semaphore for the connection limit.
//!
//! ```no_run
//! # async fn run() -> soniox::Result<()> {
//! use soniox::nonblocking::Client;
//! use soniox::types::{CreateTranscription, Transcribe};
//!
//! let client = Client::builder().api_key("...").build()?;
//! // One call: upload, create, wait, fetch, clean up.
//! let done = client.transcribe(Transcribe::path("call.wav")).await?;
//! println!("{}", done.transcript.text);
//!
//! // Or step by step.
//! let file = client.files().upload("call.wav").await?;
//! let job = client.transcriptions().create(CreateTranscription::file_id(&file.id)).await?;
//! let job = client.transcriptions().wait(&job.id, Default::default()).await?;
//! let transcript = client.transcriptions().transcript(&job.id).await?;
//! # Ok(()) }
//! ```
//!
//! Same resources and method names as [`crate::blocking`]; every method is `async`.
//! The client is `Clone + Send + Sync` and its futures are `Send`. At most
//! `max_connections` requests are on the wire at once and the rest wait their turn.
//!
//! Executors: the client needs none of its own. libcurl runs on a background thread per
//! client, timers and file reads use async-std's runtime-independent reactor and
//! blocking pool, so it runs under async-std, smol, `futures::executor::block_on` or
//! tokio alike. Public signatures use only [`futures`] traits
//! ([`Stream`](futures::Stream), [`AsyncRead`](futures::AsyncRead)).

mod client;
mod files;
mod limiter;
mod models;
mod pages;
mod poll;
mod realtime;
mod transcribe;
mod transcriptions;
mod transport;

pub use self::client::Client;
pub use self::files::{FileList, Files};
pub use self::models::{Auth, Models};
pub use self::pages::PageStream;
pub use self::poll::poll_until_complete;
pub use self::realtime::{
    stream_audio, AudioSender, Pace, Realtime, RealtimeStats, RealtimeStream, DEFAULT_FINISH_TIMEOUT,
    DEFAULT_QUEUE_CAPACITY,
};
pub use self::transcriptions::{TranscriptionList, Transcriptions};
pub use crate::core::retry::exponential_backoff;
