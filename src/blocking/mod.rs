//! The blocking client: ureq for REST, a crossbeam semaphore for the connection limit.
//!
//! ```no_run
//! use soniox::blocking::Client;
//! use soniox::types::{CreateTranscription, Transcribe};
//!
//! let client = Client::builder().api_key("...").build()?;
//! // One call: upload, create, wait, fetch, clean up.
//! let done = client.transcribe(Transcribe::path("call.wav"))?;
//! println!("{}", done.transcript.text);
//!
//! // Or step by step.
//! let file = client.files().upload("call.wav")?;
//! let job = client.transcriptions().create(CreateTranscription::file_id(&file.id))?;
//! let job = client.transcriptions().wait(&job.id, Default::default())?;
//! let transcript = client.transcriptions().transcript(&job.id)?;
//! # Ok::<(), soniox::Error>(())
//! ```
//!
//! Every method blocks the calling thread. The client is `Clone + Send + Sync`; at
//! most `max_connections` requests are on the wire at once and the rest queue.

mod client;
mod connect;
mod files;
mod limiter;
mod models;
mod pages;
mod poll;
mod proxy;
mod realtime;
mod speech;
mod tls;
mod transcribe;
mod transcriptions;
mod transport;
mod tts;

pub use self::client::Client;
pub use self::files::Files;
pub use self::models::{Auth, Models};
pub use self::pages::{FileList, List, PageIter, SharedVoiceList, TranscriptionList};
pub use self::poll::poll_until_complete;
pub use self::realtime::{
    stream_audio, AudioSender, Pace, Realtime, RealtimeEvent, RealtimeResponse, RealtimeStats, RealtimeStream,
    RealtimeTranscript, DEFAULT_FINISH_TIMEOUT, DEFAULT_QUEUE_CAPACITY,
};
pub use self::transcriptions::Transcriptions;
pub use self::tts::{Tts, Voices};
pub use crate::core::retry::exponential_backoff;
