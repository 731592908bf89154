//! The async client: surf over our own pure-Rust HTTP/1.1 backend for REST, an async
//! semaphore for the connection limit, a realtime stream driven by the caller's task.
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
//! Executors: the client needs none of its own and spawns no task. Its futures do
//! their own I/O when polled: sockets and timers come from async-std's
//! runtime-independent reactor (async-io, one thread per process, started on first
//! use), file reads from async-std's blocking pool, so it runs under async-std, smol,
//! `futures::executor::block_on` or tokio alike. Public signatures use only [`futures`] traits
//! ([`Stream`](futures::Stream), [`AsyncRead`](futures::AsyncRead)).

mod client;
mod deadlines;
mod files;
mod h1;
mod limiter;
mod models;
mod net;
mod pages;
mod poll;
mod pool;
mod realtime;
mod speech;
mod transcribe;
mod transcriptions;
mod transport;
mod tts;

pub use self::client::Client;
pub use self::files::Files;
pub use self::models::{Auth, Models};
pub use self::pages::{FileList, List, PageStream, SharedVoiceList, TranscriptionList};
pub use self::poll::poll_until_complete;
pub use self::realtime::{
    stream_audio, AudioSender, Pace, Realtime, RealtimeEvent, RealtimeResponse, RealtimeStats, RealtimeStream,
    RealtimeTranscript, DEFAULT_FINISH_TIMEOUT, DEFAULT_QUEUE_CAPACITY,
};
pub use self::transcriptions::Transcriptions;
pub use self::tts::{Tts, Voices};
pub use crate::core::retry::exponential_backoff;
