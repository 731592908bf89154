//! The body of `POST /tts`, checked in the order soniox-api-more.md §2.5 gives: JSON,
//! required fields (model, language, voice, audio_format, text), lengths, the model, its
//! language and voice, then format, rate, bitrate, speed and silence reduction.

use serde_json::{Map, Value};

use crate::mock::http::errors::ApiError;
use crate::mock::models::is_language;
use crate::mock::tts_models::speaks;

/// A request the mock will speak.
#[derive(Debug)]
pub(super) struct SpeechRequest {
    pub(super) format: String,
    pub(super) text_chars: usize,
    pub(super) sample_rate: u32,
    pub(super) bitrate: u32,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "invalid_request", message)
}

/// Checks `body`; the first problem is the answer.
pub(super) fn parse(body: &[u8]) -> Result<SpeechRequest, ApiError> {
    let map: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => m,
        _ => return Err(invalid("Invalid JSON body")),
    };
    let mut fields = Vec::new();
    for name in ["model", "language", "voice", "audio_format", "text"] {
        match map.get(name).and_then(Value::as_str) {
            Some(v) => fields.push(v),
            None => return Err(invalid(format!("Missing required field: {name}"))),
        }
    }
    let [model, language, voice, format, text] = [fields[0], fields[1], fields[2], fields[3], fields[4]];
    for (label, v) in [
        ("Model name", model),
        ("Language", language),
        ("Voice", voice),
        ("Audio format", format),
    ] {
        if v.chars().count() > 50 {
            return Err(invalid(format!("{label} is too long (max length 50).")));
        }
    }
    let chars = text.chars().count();
    if chars > 5000 {
        return Err(invalid("Text is too long (max length 5000)."));
    }
    if text.trim().is_empty() {
        return Err(invalid("Text must not be empty."));
    }
    if let Some(id) = map.get("client_reference_id").and_then(Value::as_str) {
        if id.chars().count() > 256 {
            return Err(invalid("Client reference ID is too long (max length 256)."));
        }
    }
    let Some((known_voice, silence)) = speaks(model, voice) else {
        return Err(ApiError::new(
            400,
            "model_not_available",
            "The requested model is not available. See https://soniox.com/docs/tts/models for the list of supported TTS models.",
        ));
    };
    if !is_language(language) {
        return Err(invalid(format!("Invalid language '{language}' for model '{model}'.")));
    }
    if !known_voice {
        return Err(invalid(format!("Invalid voice '{voice}' for model '{model}'.")));
    }
    let (rates, bitrates, default_rate): (&[u32], &[u32], u32) = match format {
        "pcm_f32le" | "pcm_s16le" | "wav" => (&[8000, 16000, 24000, 44100, 48000], &[], 24000),
        "pcm_mulaw" | "pcm_alaw" => (&[8000], &[], 8000),
        "flac" => (&[16000, 24000, 44100, 48000], &[], 24000),
        "mp3" => (
            &[16000, 24000, 32000, 44100, 48000],
            &[32000, 64000, 96000, 128000, 192000, 256000, 320000],
            24000,
        ),
        "opus" => (
            &[8000, 16000, 24000, 48000],
            &[16000, 32000, 64000, 96000, 128000, 256000],
            24000,
        ),
        "aac" => (
            &[16000, 24000, 44100, 48000],
            &[32000, 64000, 96000, 128000, 192000, 256000, 320000],
            24000,
        ),
        _ => return Err(invalid(format!("Invalid audio format '{format}'."))),
    };
    let number = |name: &str| map.get(name).filter(|v| !v.is_null());
    let sample_rate = match number("sample_rate") {
        None => default_rate,
        Some(v) => match v.as_u64().and_then(|r| u32::try_from(r).ok()) {
            Some(r) if rates.contains(&r) => r,
            _ => return Err(invalid(format!("Invalid sample rate {v} for audio format '{format}'."))),
        },
    };
    let bitrate = match number("bitrate") {
        None => bitrates.get(3).copied().unwrap_or(0),
        Some(v) => match v.as_u64().and_then(|r| u32::try_from(r).ok()) {
            Some(b) if bitrates.contains(&b) => b,
            _ => return Err(invalid(format!("Invalid bitrate {v} for audio format '{format}'."))),
        },
    };
    if let Some(v) = number("speed") {
        if !v.as_f64().is_some_and(|s| (0.7..=1.3).contains(&s)) {
            return Err(invalid(format!("Invalid speed {v}: it must be between 0.7 and 1.3.")));
        }
    }
    if number("reduce_silence").and_then(Value::as_bool) == Some(true) && !silence {
        return Err(invalid(format!("Model '{model}' does not support silence reduction.")));
    }
    Ok(SpeechRequest {
        format: format.to_owned(),
        text_chars: chars,
        sample_rate,
        bitrate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        let e = parse(body.as_bytes()).unwrap_err();
        format!("{} {} {}", e.status, e.error_type, e.message)
    }

    #[test]
    fn checks_come_in_the_documented_order() {
        let ok = r#"{"model":"tts-rt-v2","language":"en","voice":"Adrian","audio_format":"mp3","text":"Hi there","sample_rate":48000,"bitrate":320000,"speed":1.1}"#;
        let r = parse(ok.as_bytes()).unwrap();
        assert_eq!(
            (r.format.as_str(), r.text_chars, r.sample_rate, r.bitrate),
            ("mp3", 8, 48000, 320000)
        );
        assert_eq!(err("[1]"), "400 invalid_request Invalid JSON body");
        assert_eq!(
            err(r#"{"text":"x"}"#),
            "400 invalid_request Missing required field: model"
        );
        assert_eq!(
            err(r#"{"model":"tts-rt-v0","language":"en","voice":"Adrian","audio_format":"wav","text":"x"}"#),
            "400 model_not_available The requested model is not available. See https://soniox.com/docs/tts/models for the list of supported TTS models."
        );
        assert!(
            err(r#"{"model":"tts-rt-v1","language":"en","voice":"Isla","audio_format":"wav","text":"x"}"#)
                .ends_with("Invalid voice 'Isla' for model 'tts-rt-v1'.")
        );
        assert!(err(r#"{"model":"tts-rt-v1","language":"en","voice":"Adrian","audio_format":"wav","text":"x","reduce_silence":true}"#)
            .contains("silence"));
        assert!(err(r#"{"model":"tts-rt-v2","language":"en","voice":"Adrian","audio_format":"pcm_mulaw","text":"x","sample_rate":16000}"#)
            .contains("Invalid sample rate"));
    }
}
