use serde::{Deserialize, Serialize};

/// A speech-to-text model as listed by `GET /v1/models`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Model {
    /// e.g. `stt-async-v5`.
    pub id: String,
    /// The model this id is an alias of, if any.
    #[serde(default)]
    pub aliased_model_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// `real_time` or `async`.
    #[serde(default)]
    pub transcription_mode: Option<String>,
    /// Context format version.
    #[serde(default)]
    pub context_version: Option<u32>,
    /// Languages the model understands.
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Whether `language_hints_strict` is honoured.
    #[serde(default)]
    pub supports_language_hints_strict: bool,
    /// Whether `max_endpoint_delay_ms` is honoured.
    #[serde(default)]
    pub supports_max_endpoint_delay: bool,
    /// One-way translation targets.
    #[serde(default)]
    pub translation_targets: Vec<TranslationTarget>,
    /// Two-way translation pairs such as `en:es`.
    #[serde(default)]
    pub two_way_translation_pairs: Vec<String>,
    /// `all_languages` when any listed language can be a one-way target.
    #[serde(default)]
    pub one_way_translation: Option<String>,
    /// `all_languages` when any pair works two-way.
    #[serde(default)]
    pub two_way_translation: Option<String>,
}

impl Model {
    /// True for realtime (WebSocket) models.
    pub fn is_real_time(&self) -> bool {
        self.transcription_mode.as_deref() == Some("real_time")
    }
}

/// A language of a model.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Language {
    /// ISO-639-1 code.
    pub code: String,
    /// English name.
    #[serde(default)]
    pub name: String,
}

/// A one-way translation target.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct TranslationTarget {
    /// The target language.
    pub target_language: String,
    /// Source languages allowed (empty: all).
    #[serde(default)]
    pub source_languages: Vec<String>,
    /// Source languages excluded.
    #[serde(default)]
    pub exclude_source_languages: Vec<String>,
}
