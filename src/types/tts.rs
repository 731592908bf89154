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

/// The audio encoding of generated speech (`audio_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TtsFormat {
    /// A complete WAV file (16-bit PCM). The default.
    Wav,
    /// Raw 16-bit little-endian PCM.
    PcmS16le,
    /// Raw 32-bit float little-endian PCM.
    PcmF32le,
    /// Raw 8-bit μ-law (8 kHz).
    PcmMulaw,
    /// Raw 8-bit A-law (8 kHz).
    PcmAlaw,
    /// MP3.
    Mp3,
    /// AAC.
    Aac,
    /// Opus.
    Opus,
    /// FLAC.
    Flac,
}

impl TtsFormat {
    /// Every format, in the API's order.
    pub const ALL: [TtsFormat; 9] = [
        TtsFormat::PcmF32le,
        TtsFormat::PcmS16le,
        TtsFormat::PcmMulaw,
        TtsFormat::PcmAlaw,
        TtsFormat::Wav,
        TtsFormat::Mp3,
        TtsFormat::Aac,
        TtsFormat::Opus,
        TtsFormat::Flac,
    ];
    /// The wire name, e.g. `pcm_s16le`.
    pub fn as_str(self) -> &'static str {
        match self {
            TtsFormat::Wav => "wav",
            TtsFormat::PcmS16le => "pcm_s16le",
            TtsFormat::PcmF32le => "pcm_f32le",
            TtsFormat::PcmMulaw => "pcm_mulaw",
            TtsFormat::PcmAlaw => "pcm_alaw",
            TtsFormat::Mp3 => "mp3",
            TtsFormat::Aac => "aac",
            TtsFormat::Opus => "opus",
            TtsFormat::Flac => "flac",
        }
    }
    /// The format of a wire name.
    pub fn parse(name: &str) -> Option<TtsFormat> {
        TtsFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl Serialize for TtsFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The default text-to-speech model (as the official SDKs default it).
pub const DEFAULT_TTS_MODEL: &str = "tts-rt-v2";

/// What to say, and how: the body of `POST /tts` (and, later, of a realtime stream's
/// config). Only `text` and `voice` are needed; the model defaults to
/// [`DEFAULT_TTS_MODEL`], the language to `en`, the format to WAV.
///
/// ```
/// use soniox::types::{Speech, TtsFormat};
/// let speech = Speech::new("Hello from Soniox.", "Adrian").format(TtsFormat::Mp3).sample_rate(24_000).speed(1.1);
/// # let _ = speech;
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[must_use]
pub struct Speech {
    pub(crate) model: String,
    pub(crate) language: String,
    pub(crate) voice: String,
    pub(crate) audio_format: TtsFormat,
    pub(crate) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sample_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bitrate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) speed: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reduce_silence: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_reference_id: Option<String>,
}

impl Speech {
    /// `text` (1 to 5000 characters) in `voice` (a built-in voice id, or a cloned
    /// voice's id).
    pub fn new(text: impl Into<String>, voice: impl Into<String>) -> Speech {
        Speech {
            model: DEFAULT_TTS_MODEL.to_owned(),
            language: "en".to_owned(),
            voice: voice.into(),
            audio_format: TtsFormat::Wav,
            text: text.into(),
            sample_rate: None,
            bitrate: None,
            speed: None,
            reduce_silence: None,
            client_reference_id: None,
        }
    }
    /// The model. Default [`DEFAULT_TTS_MODEL`].
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }
    /// The language of the text (one of the model's language codes). Default `en`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }
    /// The audio encoding. Default [`TtsFormat::Wav`].
    pub fn format(mut self, format: TtsFormat) -> Self {
        self.audio_format = format;
        self
    }
    /// Samples per second (which ones a format takes is the service's to check).
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.sample_rate = Some(hz);
        self
    }
    /// Bits per second of a compressed format.
    pub fn bitrate(mut self, bps: u32) -> Self {
        self.bitrate = Some(bps);
        self
    }
    /// Speaking rate, 0.7 to 1.3 (1.0 is normal).
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = Some(speed);
        self
    }
    /// Shorter pauses between words (models with `supports_silence_reduction`).
    pub fn reduce_silence(mut self, on: bool) -> Self {
        self.reduce_silence = Some(on);
        self
    }
    /// Your id for usage logs (at most 256 characters; ignored with a temporary key).
    pub fn client_reference_id(mut self, id: impl Into<String>) -> Self {
        self.client_reference_id = Some(id.into());
        self
    }
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The format.
    pub fn audio_format(&self) -> TtsFormat {
        self.audio_format
    }
}
