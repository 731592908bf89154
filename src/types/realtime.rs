//! The realtime start message ([`RealtimeConfig`]) and its audio formats.

use std::time::Duration;

use serde::{Serialize, Serializer};

use super::{Context, Translation};
use crate::error::{Error, Result};

mod format;
pub use format::{AudioFormat, RawEncoding};

/// The longest accepted [`RealtimeConfig::keepalive_interval`].
const MAX_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(3600);
/// The shortest accepted [`RealtimeConfig::keepalive_interval`] (shorter would flood the
/// socket with keepalives).
const MIN_KEEPALIVE_INTERVAL: Duration = Duration::from_millis(1);

/// The default model for realtime transcription.
pub const DEFAULT_REALTIME_MODEL: &str = "stt-rt-v5";

/// The start message of a realtime stream: the first text frame on the socket.
///
/// Required: the model (in the constructor); everything else is optional and absent
/// from the JSON unless set. The API key is never part of it: drivers authenticate
/// the WebSocket upgrade with an `Authorization: Bearer` header.
///
/// ```
/// use soniox::types::RealtimeConfig;
/// let config = RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1).language_hints(["en"]);
/// assert_eq!(serde_json::to_string(&config).unwrap(),
///   r#"{"model":"stt-rt-v5","audio_format":"pcm_s16le","sample_rate":16000,"num_channels":1,"language_hints":["en"]}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct RealtimeConfig {
    pub(crate) model: String,
    pub(crate) audio_format: AudioFormat,
    pub(crate) language_hints: Option<Vec<String>>,
    pub(crate) language_hints_strict: Option<bool>,
    pub(crate) context: Option<Context>,
    pub(crate) enable_speaker_diarization: Option<bool>,
    pub(crate) enable_language_identification: Option<bool>,
    pub(crate) enable_endpoint_detection: Option<bool>,
    pub(crate) max_endpoint_delay_ms: Option<u32>,
    pub(crate) endpoint_sensitivity: Option<f32>,
    pub(crate) endpoint_latency_adjustment_level: Option<u8>,
    pub(crate) client_reference_id: Option<String>,
    pub(crate) translation: Option<Translation>,
    pub(crate) keepalive_interval: Duration,
}

/// The start message as it goes on the wire (the format flattened to three fields).
#[derive(Serialize)]
struct Wire<'a> {
    model: &'a str,
    audio_format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_channels: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language_hints: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language_hints_strict: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a Context>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_speaker_diarization: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_language_identification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_endpoint_detection: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_endpoint_delay_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_sensitivity: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_latency_adjustment_level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_reference_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    translation: Option<&'a Translation>,
}

impl Serialize for RealtimeConfig {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (sample_rate, num_channels) = match self.audio_format {
            AudioFormat::Raw {
                sample_rate,
                num_channels,
                ..
            } => (Some(sample_rate), Some(num_channels)),
            _ => (None, None),
        };
        Wire {
            model: &self.model,
            audio_format: self.audio_format.as_str(),
            sample_rate,
            num_channels,
            language_hints: self.language_hints.as_deref(),
            language_hints_strict: self.language_hints_strict,
            context: self.context.as_ref(),
            enable_speaker_diarization: self.enable_speaker_diarization,
            enable_language_identification: self.enable_language_identification,
            enable_endpoint_detection: self.enable_endpoint_detection,
            max_endpoint_delay_ms: self.max_endpoint_delay_ms,
            endpoint_sensitivity: self.endpoint_sensitivity,
            endpoint_latency_adjustment_level: self.endpoint_latency_adjustment_level,
            client_reference_id: self.client_reference_id.as_deref(),
            translation: self.translation.as_ref(),
        }
        .serialize(s)
    }
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig::new(DEFAULT_REALTIME_MODEL)
    }
}

impl RealtimeConfig {
    /// A stream with `model` (a `real_time` model such as [`DEFAULT_REALTIME_MODEL`]),
    /// audio format `auto` and the service's defaults for everything else.
    pub fn new(model: impl Into<String>) -> RealtimeConfig {
        RealtimeConfig {
            model: model.into(),
            audio_format: AudioFormat::Auto,
            language_hints: None,
            language_hints_strict: None,
            context: None,
            enable_speaker_diarization: None,
            enable_language_identification: None,
            enable_endpoint_detection: None,
            max_endpoint_delay_ms: None,
            endpoint_sensitivity: None,
            endpoint_latency_adjustment_level: None,
            client_reference_id: None,
            translation: None,
            keepalive_interval: Duration::from_secs(5),
        }
    }
    /// The audio format. Default [`AudioFormat::Auto`].
    pub fn audio_format(mut self, format: AudioFormat) -> Self {
        self.audio_format = format;
        self
    }
    /// Raw signed 16-bit little-endian audio at `sample_rate` Hz with `num_channels` channels.
    pub fn pcm_s16le(self, sample_rate: u32, num_channels: u32) -> Self {
        self.audio_format(AudioFormat::pcm_s16le(sample_rate, num_channels))
    }
    /// Bias toward these languages (≤ 100 codes of ≤ 10 characters). Default none.
    pub fn language_hints<I, S>(mut self, hints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.language_hints = Some(hints.into_iter().map(Into::into).collect());
        self
    }
    /// Rely more heavily on the hints. Default false.
    pub fn language_hints_strict(mut self, on: bool) -> Self {
        self.language_hints_strict = Some(on);
        self
    }
    /// Context (text or structured) that improves recognition. Default none.
    pub fn context(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }
    /// Per-token `speaker` labels. Default off.
    pub fn diarization(mut self, on: bool) -> Self {
        self.enable_speaker_diarization = Some(on);
        self
    }
    /// Per-token `language`. Default off.
    pub fn language_identification(mut self, on: bool) -> Self {
        self.enable_language_identification = Some(on);
        self
    }
    /// Emit `<end>` tokens (surfaced as endpoint events) when a speaker stops. Default off.
    pub fn endpoint_detection(mut self, on: bool) -> Self {
        self.enable_endpoint_detection = Some(on);
        self
    }
    /// Longest wait before an endpoint, 500..=3000 ms. Service default 2000 ms.
    pub fn max_endpoint_delay_ms(mut self, ms: u32) -> Self {
        self.max_endpoint_delay_ms = Some(ms);
        self
    }
    /// Endpoint sensitivity, -1.0..=1.0 (higher: endpoints sooner). Service default 0.0.
    pub fn endpoint_sensitivity(mut self, value: f32) -> Self {
        self.endpoint_sensitivity = Some(value);
        self
    }
    /// Endpoint latency adjustment level, 0..=3. Service default 0.
    pub fn endpoint_latency_adjustment_level(mut self, level: u8) -> Self {
        self.endpoint_latency_adjustment_level = Some(level);
        self
    }
    /// Your tracking id (≤ 256 characters; ignored with a temporary key).
    pub fn client_reference_id(mut self, id: impl Into<String>) -> Self {
        self.client_reference_id = Some(id.into());
        self
    }
    /// Translation (one-way or two-way). Default none.
    pub fn translation(mut self, translation: Translation) -> Self {
        self.translation = Some(translation);
        self
    }
    /// Send a keepalive when no audio or keepalive went out for this long. Default 5 s;
    /// must be 1 ms..=1 hour (the service closes a stream idle for about 20 s): zero,
    /// anything shorter and anything longer (`Duration::MAX` included) are refused with
    /// [`Error::InvalidArgument`] when the stream opens. Not sent to the server: the
    /// session uses it.
    pub fn keepalive_interval(mut self, interval: Duration) -> Self {
        self.keepalive_interval = interval;
        self
    }

    /// Refuses what the service would refuse, before anything is sent: an empty model,
    /// a raw format with a zero rate or channel count, out-of-range endpoint settings,
    /// more than 100 language hints or one longer than 10 characters, a reference id
    /// over 256 characters, a text context over 10 000 characters and a
    /// keepalive interval under 1 ms or over 1 hour. All as [`Error::InvalidArgument`].
    pub fn validate(&self) -> Result<()> {
        if self.model.trim().is_empty() {
            return Err(Error::invalid("the realtime model must not be empty"));
        }
        if let AudioFormat::Raw {
            encoding,
            sample_rate,
            num_channels,
        } = self.audio_format
        {
            if sample_rate == 0 || num_channels == 0 {
                return Err(Error::invalid(format!(
                    "raw audio ({}) needs a sample rate and a channel count above zero, got {sample_rate} Hz and {num_channels} channels",
                    encoding.as_str()
                )));
            }
        }
        if let Some(hints) = &self.language_hints {
            if hints.len() > 100 {
                return Err(Error::invalid(format!(
                    "{} language hints given; the maximum is 100",
                    hints.len()
                )));
            }
            if let Some(bad) = hints.iter().find(|h| h.is_empty() || h.chars().count() > 10) {
                return Err(Error::invalid(format!(
                    "language hint {bad:?} must be 1 to 10 characters long"
                )));
            }
        }
        if let Some(ms) = self.max_endpoint_delay_ms {
            if !(500..=3000).contains(&ms) {
                return Err(Error::invalid(format!(
                    "max_endpoint_delay_ms must be 500..=3000, got {ms}"
                )));
            }
        }
        if let Some(s) = self.endpoint_sensitivity {
            if !(-1.0..=1.0).contains(&s) {
                return Err(Error::invalid(format!(
                    "endpoint_sensitivity must be -1.0..=1.0, got {s}"
                )));
            }
        }
        if let Some(level) = self.endpoint_latency_adjustment_level {
            if level > 3 {
                return Err(Error::invalid(format!(
                    "endpoint_latency_adjustment_level must be 0..=3, got {level}"
                )));
            }
        }
        max_chars("client_reference_id", self.client_reference_id.as_deref(), 256)?;
        if let Some(Context::Text(text)) = &self.context {
            max_chars("the context text", Some(text), 10_000)?;
        }
        // Capped so `now + interval` cannot overflow an `Instant` (found by fuzzing).
        if !(MIN_KEEPALIVE_INTERVAL..=MAX_KEEPALIVE_INTERVAL).contains(&self.keepalive_interval) {
            return Err(Error::invalid(format!(
                "keepalive_interval must be at least 1 ms and at most 1 hour, got {:?}",
                self.keepalive_interval
            )));
        }
        Ok(())
    }
}

fn max_chars(what: &str, value: Option<&str>, max: usize) -> Result<()> {
    let n = value.map_or(0, |v| v.chars().count());
    if n > max {
        return Err(Error::invalid(format!(
            "{what} is {n} characters long; the maximum is {max}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(config: RealtimeConfig) -> String {
        match config.validate() {
            Err(Error::InvalidArgument(m)) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn a_default_config_is_valid_and_keeps_alive_every_five_seconds() {
        let config = RealtimeConfig::default();
        assert!(config.validate().is_ok());
        assert_eq!(config.model, DEFAULT_REALTIME_MODEL);
        assert_eq!(config.keepalive_interval, Duration::from_secs(5));
    }

    #[test]
    fn every_client_side_limit_is_refused_with_a_clear_message() {
        let c = RealtimeConfig::default;
        assert!(refused(RealtimeConfig::new(" ")).contains("model"));
        assert!(refused(c().pcm_s16le(0, 1)).contains("pcm_s16le"));
        assert!(refused(c().audio_format(AudioFormat::raw(RawEncoding::Mulaw, 8000, 0))).contains("0 channels"));
        assert!(refused(c().max_endpoint_delay_ms(499)).contains("500..=3000"));
        assert!(refused(c().max_endpoint_delay_ms(3001)).contains("500..=3000"));
        assert!(refused(c().endpoint_sensitivity(1.5)).contains("endpoint_sensitivity"));
        assert!(refused(c().endpoint_sensitivity(f32::NAN)).contains("endpoint_sensitivity"));
        assert!(refused(c().endpoint_latency_adjustment_level(4)).contains("0..=3"));
        assert!(refused(c().client_reference_id("r".repeat(257))).contains("256"));
        assert!(refused(c().language_hints(vec!["en"; 101])).contains("100"));
        assert!(refused(c().language_hints(["english-usa"])).contains("english-usa"));
        assert!(refused(c().language_hints([""])).contains("1 to 10"));
        assert!(refused(c().context(Context::Text("x".repeat(10_001)))).contains("10000"));
        assert!(refused(c().keepalive_interval(Duration::ZERO)).contains("keepalive_interval"));
        assert!(refused(c().keepalive_interval(Duration::MAX)).contains("at most 1 hour"));
        assert!(refused(c().keepalive_interval(Duration::from_nanos(999_999))).contains("at least 1 ms"));
    }

    #[test]
    fn values_at_the_limits_are_accepted() {
        let config = RealtimeConfig::default()
            .max_endpoint_delay_ms(500)
            .endpoint_sensitivity(-1.0)
            .endpoint_latency_adjustment_level(3)
            .client_reference_id("r".repeat(256))
            .language_hints(vec!["abcdefghij"; 100])
            .audio_format(AudioFormat::raw(RawEncoding::PcmF64be, 48_000, 2));
        assert!(config.validate().is_ok());
        assert!(RealtimeConfig::default().max_endpoint_delay_ms(3000).validate().is_ok());
        for keepalive in [MIN_KEEPALIVE_INTERVAL, MAX_KEEPALIVE_INTERVAL] {
            assert!(RealtimeConfig::default()
                .keepalive_interval(keepalive)
                .validate()
                .is_ok());
        }
    }
}
