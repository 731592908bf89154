//! Client frames: the start message, keepalive, finalize and the end of audio.
//! Audio itself never passes through here: the driver writes binary frames directly.

use crate::error::{Error, Result};
use crate::types::RealtimeConfig;

/// The keepalive text frame.
pub const KEEPALIVE_MESSAGE: &str = r#"{"type":"keepalive"}"#;
/// The end-of-audio frame: an empty text frame.
pub const END_OF_AUDIO_MESSAGE: &str = "";

/// A frame for the driver to write. (Audio is not here: the driver writes it directly.)
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outgoing {
    /// A text frame: the start message, a keepalive, a finalize, or the empty
    /// end-of-audio frame (`Text(String::new())`).
    Text(String),
}

impl Outgoing {
    /// The frame's text.
    pub fn as_str(&self) -> &str {
        match self {
            Outgoing::Text(t) => t,
        }
    }
    /// True for the end-of-audio frame.
    pub fn is_end_of_audio(&self) -> bool {
        self.as_str().is_empty()
    }
}

/// The start message: the configuration as JSON (no API key: that goes in the
/// `Authorization` header of the upgrade).
pub fn start_message(config: &RealtimeConfig) -> Result<String> {
    serde_json::to_string(config).map_err(|e| Error::invalid(format!("the realtime config could not be encoded: {e}")))
}

/// `{"type":"finalize"}`, with `trailing_silence_ms` when given.
pub fn finalize_message(trailing_silence_ms: Option<u32>) -> String {
    match trailing_silence_ms {
        Some(ms) => format!(r#"{{"type":"finalize","trailing_silence_ms":{ms}}}"#),
        None => r#"{"type":"finalize"}"#.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{AudioFormat, Context, ContextEntry, StructuredContext, Translation};

    #[test]
    fn a_minimal_start_message_has_only_the_model_and_the_format() {
        let json = start_message(&RealtimeConfig::new("stt-rt-v5")).unwrap();
        assert_eq!(json, r#"{"model":"stt-rt-v5","audio_format":"auto"}"#);
    }

    #[test]
    fn a_full_start_message_matches_the_protocol_field_for_field() {
        let context = StructuredContext {
            general: vec![ContextEntry {
                key: "domain".into(),
                value: "Healthcare".into(),
            }],
            terms: vec!["Celebrex".into()],
            ..StructuredContext::default()
        };
        let config = RealtimeConfig::new("stt-rt-v5")
            .audio_format(AudioFormat::pcm_s16le(16_000, 2))
            .language_hints(["en", "es"])
            .language_hints_strict(false)
            .context(Context::Structured(context))
            .diarization(true)
            .language_identification(true)
            .endpoint_detection(true)
            .max_endpoint_delay_ms(2000)
            .endpoint_sensitivity(0.5)
            .endpoint_latency_adjustment_level(1)
            .client_reference_id("my-session-1")
            .translation(Translation::TwoWay {
                language_a: "en".into(),
                language_b: "es".into(),
            })
            .keepalive_interval(std::time::Duration::from_secs(3));
        let expected = concat!(
            r#"{"model":"stt-rt-v5","audio_format":"pcm_s16le","sample_rate":16000,"num_channels":2,"#,
            r#""language_hints":["en","es"],"language_hints_strict":false,"#,
            r#""context":{"general":[{"key":"domain","value":"Healthcare"}],"terms":["Celebrex"]},"#,
            r#""enable_speaker_diarization":true,"enable_language_identification":true,"#,
            r#""enable_endpoint_detection":true,"max_endpoint_delay_ms":2000,"#,
            r#""endpoint_sensitivity":0.5,"endpoint_latency_adjustment_level":1,"#,
            r#""client_reference_id":"my-session-1","#,
            r#""translation":{"type":"two_way","language_a":"en","language_b":"es"}}"#
        );
        assert_eq!(start_message(&config).unwrap(), expected);
    }

    #[test]
    fn the_start_message_never_carries_a_key_or_the_keepalive_interval() {
        let json =
            start_message(&RealtimeConfig::default().keepalive_interval(std::time::Duration::from_secs(1))).unwrap();
        assert!(!json.contains("api_key") && !json.contains("keepalive"), "{json}");
    }

    #[test]
    fn a_container_format_has_no_rate_or_channels() {
        let json = start_message(&RealtimeConfig::default().audio_format(AudioFormat::Wav)).unwrap();
        assert_eq!(json, r#"{"model":"stt-rt-v5","audio_format":"wav"}"#);
    }

    #[test]
    fn client_frames_are_exactly_the_documented_text() {
        assert_eq!(KEEPALIVE_MESSAGE, r#"{"type":"keepalive"}"#);
        assert_eq!(finalize_message(None), r#"{"type":"finalize"}"#);
        assert_eq!(
            finalize_message(Some(300)),
            r#"{"type":"finalize","trailing_silence_ms":300}"#
        );
        assert!(Outgoing::Text(END_OF_AUDIO_MESSAGE.to_owned()).is_end_of_audio());
        assert!(!Outgoing::Text(KEEPALIVE_MESSAGE.to_owned()).is_end_of_audio());
    }
}
