//! Request and response models, one file per resource, shared by both clients; and the
//! policies a client is configured with (`retry`, `wait`: data and their own
//! checks, re-exported where the core uses them) and the API key (`api_key`, re-exported
//! by `config`).
//!
//! Response types ignore unknown fields and tolerate absent optional ones, so a newer
//! server does not break an older SDK.

pub(crate) mod api_key;
mod auth;
mod files;
mod models;
pub(crate) mod page;
mod realtime;
pub(crate) mod retry;
mod transcriptions;
mod tts;
mod upload;
pub(crate) mod wait;

pub use auth::{TemporaryApiKey, TemporaryKey, UsageType};
pub use files::{Counts, File};
pub use models::{Language, Model, TranslationTarget};
pub use page::Page;
pub use realtime::{AudioFormat, RawEncoding, RealtimeConfig, DEFAULT_REALTIME_MODEL};
pub use transcriptions::{
    Context, ContextEntry, CreateTranscription, StructuredContext, Token, Transcript, Transcription,
    TranscriptionStatus, Translation, TranslationStatus, TranslationTerm, DEFAULT_ASYNC_MODEL,
};
pub use tts::{SharedVoice, SharedVoiceQuery, Speech, TtsFormat, TtsModel, TtsVoice, DEFAULT_TTS_MODEL};
pub use upload::{AudioSource, Cleanup, ProgressCallback, Transcribe, Transcribed, UploadOptions};
