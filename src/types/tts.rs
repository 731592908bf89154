//! Text-to-speech catalogues: TTS models (`GET /v1/tts-models`) and the shared voices of
//! a model (`GET /v1/shared-voices`), with the query that filters them.
//!
//! Response types tolerate absent capability fields (older servers omit them) and
//! unknown fields; tags such as `gender` and `age` stay strings, so a value the service
//! adds later still parses.

use serde::{Deserialize, Serialize};

use super::Language;

/// A text-to-speech model as listed by `GET /v1/tts-models`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TtsModel {
    /// e.g. `tts-rt-v2`.
    pub id: String,
    /// The model this id is an alias of, if any.
    #[serde(default)]
    pub aliased_model_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Languages it speaks (`language` of a request must be one of these codes).
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Its built-in voices.
    #[serde(default)]
    pub voices: Vec<TtsVoice>,
    /// Whether the realtime stream can return word timestamps.
    #[serde(default)]
    pub supports_timestamps: bool,
    /// Whether cloned voices can be used with it.
    #[serde(default)]
    pub supports_voice_cloning: bool,
    /// The longest reference clip a cloned voice may have, in ms.
    #[serde(default)]
    pub voice_cloning_max_audio_duration_ms: Option<u64>,
    /// Whether `speed` is honoured.
    #[serde(default)]
    pub supports_speed_adjustment: bool,
    /// The slowest speed accepted.
    #[serde(default)]
    pub speed_min: Option<f64>,
    /// The fastest speed accepted.
    #[serde(default)]
    pub speed_max: Option<f64>,
    /// Whether `reduce_silence` is honoured.
    #[serde(default)]
    pub supports_silence_reduction: bool,
}

/// A built-in voice of a [`TtsModel`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TtsVoice {
    /// The voice id to send (`voice`), e.g. `Adrian`.
    pub id: String,
    /// What it sounds like.
    #[serde(default)]
    pub description: String,
    /// `male`, `female` or `neutral`.
    #[serde(default)]
    pub gender: String,
}

/// A shared (built-in) voice with its tags, from `GET /v1/shared-voices`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SharedVoice {
    /// The voice id to send (`voice`).
    pub id: String,
    /// What it sounds like.
    #[serde(default)]
    pub description: String,
    /// `male`, `female` or `neutral`.
    #[serde(default)]
    pub gender: String,
    /// `young`, `middle_aged` or `old`.
    #[serde(default)]
    pub age: String,
    /// e.g. `american`, `british`.
    #[serde(default)]
    pub accent: String,
    /// e.g. `narration`, `conversational`.
    #[serde(default)]
    pub use_case: Vec<String>,
    /// e.g. `calm`, `confident`.
    #[serde(default)]
    pub style: Vec<String>,
}

/// Which shared voices to list: one model's, narrowed by filters that must all match (a
/// voice must carry every `use_case` and `style` asked for). Filters go with every page's
/// request; checked by the core before anything is sent.
///
/// ```
/// use soniox::types::SharedVoiceQuery;
/// let q = SharedVoiceQuery::new("tts-rt-v2").gender("female").accent("british").use_case("narration");
/// # let _ = q;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct SharedVoiceQuery {
    pub(crate) model: String,
    pub(crate) gender: Option<String>,
    pub(crate) age: Option<String>,
    pub(crate) accent: Option<String>,
    pub(crate) use_case: Vec<String>,
    pub(crate) style: Vec<String>,
}

impl SharedVoiceQuery {
    /// The voices of `model` (required, at most 64 characters).
    pub fn new(model: impl Into<String>) -> SharedVoiceQuery {
        SharedVoiceQuery {
            model: model.into(),
            gender: None,
            age: None,
            accent: None,
            use_case: Vec::new(),
            style: Vec::new(),
        }
    }
    /// Only `male`, `female` or `neutral` voices.
    pub fn gender(mut self, gender: impl Into<String>) -> Self {
        self.gender = Some(gender.into());
        self
    }
    /// Only `young`, `middle_aged` or `old` voices.
    pub fn age(mut self, age: impl Into<String>) -> Self {
        self.age = Some(age.into());
        self
    }
    /// Only voices with this accent (at most 40 characters), e.g. `british`.
    pub fn accent(mut self, accent: impl Into<String>) -> Self {
        self.accent = Some(accent.into());
        self
    }
    /// Only voices tagged with this use case too (at most 10, each at most 40 characters).
    pub fn use_case(mut self, use_case: impl Into<String>) -> Self {
        self.use_case.push(use_case.into());
        self
    }
    /// Only voices tagged with this style too (at most 10, each at most 40 characters).
    pub fn style(mut self, style: impl Into<String>) -> Self {
        self.style.push(style.into());
        self
    }
    /// The model.
    pub fn model(&self) -> &str {
        &self.model
    }
}
