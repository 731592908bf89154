use std::fmt;

use serde::{Deserialize, Serialize};

/// The default model for async transcription.
pub const DEFAULT_ASYNC_MODEL: &str = "stt-async-v5";

/// A job's status.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptionStatus {
    /// Accepted, waiting.
    Queued,
    /// Being transcribed.
    Processing,
    /// Transcript available.
    Completed,
    /// Failed; see `error_type` / `error_message`.
    Error,
    /// A status this SDK does not know yet.
    #[serde(untagged)]
    Other(String),
}

impl TranscriptionStatus {
    /// `completed` or `error` (or an unknown status, which is never waited on forever).
    pub fn is_terminal(&self) -> bool {
        !matches!(self, TranscriptionStatus::Queued | TranscriptionStatus::Processing)
    }
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            TranscriptionStatus::Queued => "queued",
            TranscriptionStatus::Processing => "processing",
            TranscriptionStatus::Completed => "completed",
            TranscriptionStatus::Error => "error",
            TranscriptionStatus::Other(s) => s,
        }
    }
}

/// An async transcription job.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Transcription {
    /// Job id.
    pub id: String,
    /// Lifecycle status.
    pub status: TranscriptionStatus,
    /// ISO-8601 UTC creation time.
    #[serde(default)]
    pub created_at: String,
    /// The model used.
    #[serde(default)]
    pub model: String,
    /// Source URL, for URL jobs.
    #[serde(default)]
    pub audio_url: Option<String>,
    /// Source file, for file jobs.
    #[serde(default)]
    pub file_id: Option<String>,
    /// The file name (or last URL segment).
    #[serde(default)]
    pub filename: String,
    /// Language hints given at creation.
    #[serde(default)]
    pub language_hints: Option<Vec<String>>,
    /// Whether tokens carry `speaker`.
    #[serde(default)]
    pub enable_speaker_diarization: bool,
    /// Whether tokens carry `language`.
    #[serde(default)]
    pub enable_language_identification: bool,
    /// Audio length, once known.
    #[serde(default)]
    pub audio_duration_ms: Option<u64>,
    /// Set when `status` is `error`.
    #[serde(default)]
    pub error_type: Option<String>,
    /// Set when `status` is `error`.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Completion callback URL.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Callback auth header name.
    #[serde(default)]
    pub webhook_auth_header_name: Option<String>,
    /// Always masked by the server.
    #[serde(default)]
    pub webhook_auth_header_value: Option<String>,
    /// What the webhook returned.
    #[serde(default)]
    pub webhook_status_code: Option<u16>,
    /// Your tracking id.
    #[serde(default)]
    pub client_reference_id: Option<String>,
    /// The context given at creation.
    #[serde(default)]
    pub context: Option<serde_json::Value>,
}

/// A completed job's transcript.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Transcript {
    /// The job id.
    pub id: String,
    /// All token texts concatenated.
    pub text: String,
    /// The tokens (sub-word pieces; a leading space is part of the text).
    #[serde(default)]
    pub tokens: Vec<Token>,
}

/// A transcript token (async and realtime).
#[derive(Clone, Debug, PartialEq, Default, Deserialize, Serialize)]
pub struct Token {
    /// Text, including any leading space.
    pub text: String,
    /// Start in ms from the audio start (absent on translation tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<u64>,
    /// End in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
    /// 0..1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Speaker label (`"1"`, `"2"`, ...) with diarization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Language code with language identification or translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Source language of a translation token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_language: Option<String>,
    /// `none`, `original` or `translation` when translation is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_status: Option<TranslationStatus>,
    /// Marks a non-speech event (music, laughter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_audio_event: Option<bool>,
    /// Realtime only: final (never changes) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_final: Option<bool>,
}

/// A token's role in a translated transcript.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TranslationStatus {
    /// Not part of a translation.
    None,
    /// Original speech.
    Original,
    /// Translated text (no timestamps).
    Translation,
    /// Unknown value.
    #[serde(untagged)]
    Other(String),
}

/// Translation settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Translation {
    /// Translate everything into one language.
    OneWay {
        /// Target language code.
        target_language: String,
    },
    /// Translate between two languages in both directions.
    TwoWay {
        /// First language.
        language_a: String,
        /// Second language.
        language_b: String,
    },
}

/// Context that improves recognition: a legacy string or the structured form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Context {
    /// Free text (legacy form).
    Text(String),
    /// The structured form.
    Structured(StructuredContext),
}

/// Structured context; every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StructuredContext {
    /// Key/value facts such as domain or topic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub general: Vec<ContextEntry>,
    /// Free-form background text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Words and names to recognise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    /// Fixed translations of terms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub translation_terms: Vec<TranslationTerm>,
}

/// One `general` context entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// e.g. `domain`.
    pub key: String,
    /// e.g. `Healthcare`.
    pub value: String,
}

/// One fixed term translation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TranslationTerm {
    /// Source term.
    pub source: String,
    /// Its translation.
    pub target: String,
}

/// The body of `POST /v1/transcriptions`. Required: the audio (a file id or a URL);
/// everything else is optional with the service's defaults.
///
/// ```
/// use soniox::types::CreateTranscription;
/// let req = CreateTranscription::file_id("f-1").language_hints(["en"]).diarization(true);
/// assert_eq!(serde_json::to_string(&req).unwrap(),
///   r#"{"model":"stt-async-v5","file_id":"f-1","language_hints":["en"],"enable_speaker_diarization":true}"#);
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[must_use]
pub struct CreateTranscription {
    pub(crate) model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) audio_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language_hints: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language_hints_strict: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enable_speaker_diarization: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enable_language_identification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) translation: Option<Translation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<Context>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) webhook_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) webhook_auth_header_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) webhook_auth_header_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_reference_id: Option<String>,
}

/// The webhook auth header value is a secret: `Debug` shows only whether it is set.
impl fmt::Debug for CreateTranscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateTranscription")
            .field("model", &self.model)
            .field("audio_url", &self.audio_url)
            .field("file_id", &self.file_id)
            .field("language_hints", &self.language_hints)
            .field("language_hints_strict", &self.language_hints_strict)
            .field("enable_speaker_diarization", &self.enable_speaker_diarization)
            .field("enable_language_identification", &self.enable_language_identification)
            .field("translation", &self.translation)
            .field("context", &self.context)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_auth_header_name", &self.webhook_auth_header_name)
            .field(
                "webhook_auth_header_value",
                &self.webhook_auth_header_value.as_ref().map(|_| "[redacted]"),
            )
            .field("client_reference_id", &self.client_reference_id)
            .finish()
    }
}

impl Default for CreateTranscription {
    fn default() -> Self {
        Self::base()
    }
}

impl CreateTranscription {
    fn base() -> CreateTranscription {
        CreateTranscription {
            model: DEFAULT_ASYNC_MODEL.to_owned(),
            audio_url: None,
            file_id: None,
            language_hints: None,
            language_hints_strict: None,
            enable_speaker_diarization: None,
            enable_language_identification: None,
            translation: None,
            context: None,
            webhook_url: None,
            webhook_auth_header_name: None,
            webhook_auth_header_value: None,
            client_reference_id: None,
        }
    }
    /// Options without an audio source yet (for `Transcribe::options`, or set one with
    /// [`source_file_id`](Self::source_file_id) / [`source_audio_url`](Self::source_audio_url)).
    pub fn new() -> CreateTranscription {
        Self::base()
    }
    /// Transcribe an uploaded file.
    pub fn file_id(id: impl Into<String>) -> CreateTranscription {
        CreateTranscription {
            file_id: Some(id.into()),
            ..Self::base()
        }
    }
    /// Transcribe a public `http(s)` URL.
    pub fn audio_url(url: impl Into<String>) -> CreateTranscription {
        CreateTranscription {
            audio_url: Some(url.into()),
            ..Self::base()
        }
    }
    /// The model. Default `stt-async-v5`.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }
    /// Bias toward these languages (ISO-639-1 codes).
    pub fn language_hints<I, S>(mut self, hints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.language_hints = Some(hints.into_iter().map(Into::into).collect());
        self
    }
    /// Rely more heavily on the hints.
    pub fn language_hints_strict(mut self, on: bool) -> Self {
        self.language_hints_strict = Some(on);
        self
    }
    /// Per-token `speaker` labels.
    pub fn diarization(mut self, on: bool) -> Self {
        self.enable_speaker_diarization = Some(on);
        self
    }
    /// Per-token `language`.
    pub fn language_identification(mut self, on: bool) -> Self {
        self.enable_language_identification = Some(on);
        self
    }
    /// Translation.
    pub fn translation(mut self, t: Translation) -> Self {
        self.translation = Some(t);
        self
    }
    /// Context (text or structured).
    pub fn context(mut self, c: Context) -> Self {
        self.context = Some(c);
        self
    }
    /// Completion callback URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }
    /// Header sent with the webhook (name and value go together).
    pub fn webhook_auth_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.webhook_auth_header_name = Some(name.into());
        self.webhook_auth_header_value = Some(value.into());
        self
    }
    /// Your tracking id (≤ 256 chars).
    pub fn client_reference_id(mut self, id: impl Into<String>) -> Self {
        self.client_reference_id = Some(id.into());
        self
    }
    /// Sets (adds) the file id. Exactly one of file id and URL must be set when sent.
    pub fn source_file_id(mut self, id: impl Into<String>) -> Self {
        self.file_id = Some(id.into());
        self
    }
    /// Sets (adds) the audio URL. Exactly one of file id and URL must be set when sent.
    pub fn source_audio_url(mut self, url: impl Into<String>) -> Self {
        self.audio_url = Some(url.into());
        self
    }
    /// Replaces the audio source: the uploaded file id when given, else the source's
    /// file id or URL (a path source without an upload leaves none, which `create` refuses).
    pub fn with_source(mut self, source: &super::AudioSource, uploaded: Option<&str>) -> Self {
        use super::AudioSource;
        self.file_id = None;
        self.audio_url = None;
        match (source, uploaded) {
            (_, Some(id)) => self.file_id = Some(id.to_owned()),
            (AudioSource::FileId(id), None) => self.file_id = Some(id.clone()),
            (AudioSource::AudioUrl(u), None) => self.audio_url = Some(u.clone()),
            (AudioSource::Path(_), None) => {}
        }
        self
    }
}
