//! The mock's handling of what a realtime client sends first and after: the start
//! message (any text, or a JSON object built from the start message's own keys with any
//! values), the control frames, and the audio the session meters.
//!
//! Invariants: no panic; a start message is accepted only as a JSON object naming a
//! real-time model, and every refusal is a 400 with a snake_case error type; a control
//! frame is accepted exactly when it is empty or a JSON object whose `type` is
//! `keepalive` or `finalize`, and refused with a 400 otherwise; the metered audio
//! duration never decreases as frames arrive.

use super::Val;
use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};
use soniox::mock::fuzzing::{audio_durations, realtime_control, realtime_start};

/// The start message's keys (and a few that are not).
const KEYS: &[&str] = &[
    "api_key",
    "model",
    "audio_format",
    "sample_rate",
    "num_channels",
    "language_hints",
    "enable_speaker_diarization",
    "enable_language_identification",
    "enable_endpoint_detection",
    "context",
    "client_reference_id",
    "translation",
    "unknown",
];
/// Values worth trying for them.
const WORDS: &[&str] = &[
    "stt-rt-v5",
    "stt-rt-preview",
    "stt-async-v5",
    "auto",
    "wav",
    "pcm_s16le",
    "pcm_f32be",
    "pcm_s24",
    "mulaw",
    "ogg",
    "mp3",
    "en",
    "",
    "keepalive",
    "finalize",
];

#[derive(Arbitrary, Debug)]
enum Input {
    StartText(String),
    Start(Vec<(u8, Val)>),
    Control(String),
    ControlType(Val),
    Audio {
        start: Vec<(u8, Val)>,
        frames: Vec<Vec<u8>>,
    },
}

fn object(fields: &[(u8, Val)]) -> Value {
    let mut map = Map::new();
    for (k, v) in fields {
        map.insert(KEYS[usize::from(*k) % KEYS.len()].to_owned(), v.json(WORDS));
    }
    Value::Object(map)
}

fn start(text: &str) {
    match realtime_start(text) {
        Ok((model, _key)) => {
            assert!(model.starts_with("stt-rt"), "accepted a start message for {model:?}");
            assert!(
                serde_json::from_str::<Value>(text).is_ok_and(|v| v.is_object()),
                "accepted a start message that is not a JSON object"
            );
        }
        Err((code, error_type)) => {
            assert_eq!(code, 400, "{error_type}");
            assert!(
                !error_type.is_empty() && error_type.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "error type {error_type:?}"
            );
        }
    }
}

fn control(text: &str) {
    let expected = text.is_empty()
        || serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
            .is_some_and(|t| t == "keepalive" || t == "finalize");
    match realtime_control(text) {
        Ok(kind) => assert!(expected, "accepted {text:?} as {kind}"),
        Err((code, _)) => {
            assert!(!expected, "refused {text:?}");
            assert_eq!(code, 400);
        }
    }
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    match input {
        Input::StartText(text) => start(&text),
        Input::Start(fields) => start(&object(&fields).to_string()),
        Input::Control(text) => control(&text),
        Input::ControlType(v) => control(&json!({ "type": v.json(WORDS) }).to_string()),
        Input::Audio { start, frames } => {
            let frames: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
            if let Some(totals) = audio_durations(&object(&start), &frames) {
                assert_eq!(totals.len(), frames.len());
                assert!(
                    totals.windows(2).all(|w| w[0] <= w[1]),
                    "the metered duration went back: {totals:?}"
                );
            }
        }
    }
}
