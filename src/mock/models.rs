//! The model catalogue of `GET /v1/models` (soniox-api.md §3.3).

use serde_json::{json, Value};

/// Whether a model transcribes files (`async`) or streams (`real_time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Async,
    RealTime,
}

const RT: &str = "stt-rt-v5";
const ASYNC: &str = "stt-async-v5";

/// `(id, aliased_model_id, name)` of every listed model.
const MODELS: [(&str, Option<&str>, &str); 11] = [
    (RT, None, "Speech-to-Text Real-time v5"),
    (ASYNC, None, "Speech-to-Text Async v5"),
    ("stt-rt-v4", Some(RT), "Speech-to-Text Real-time v4"),
    ("stt-async-v4", Some(ASYNC), "Speech-to-Text Async v4"),
    ("stt-rt-preview", Some(RT), "Speech-to-Text Real-time Preview"),
    ("stt-rt-v3", Some(RT), "Speech-to-Text Real-time v3"),
    ("stt-rt-v3-preview", Some(RT), "Speech-to-Text Real-time v3 Preview"),
    ("stt-rt-preview-v2", Some(RT), "Speech-to-Text Real-time Preview v2"),
    ("stt-async-preview", Some(ASYNC), "Speech-to-Text Async Preview"),
    ("stt-async-v3", Some(ASYNC), "Speech-to-Text Async v3"),
    ("stt-async-preview-v1", Some(ASYNC), "Speech-to-Text Async Preview v1"),
];

const LANGUAGES: [(&str, &str); 10] = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("nl", "Dutch"),
    ("sl", "Slovenian"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
];

/// Resolves a model id or alias to the model used and its mode.
pub(crate) fn resolve(id: &str) -> Option<(&'static str, Mode)> {
    let (own, alias, _) = MODELS.iter().find(|m| m.0 == id)?;
    let target = alias.unwrap_or(own);
    let mode = if target == RT { Mode::RealTime } else { Mode::Async };
    Some((target, mode))
}

/// Whether `code` is a language the mock's models list.
pub(crate) fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

/// The languages every model of the mock lists (speech-to-text and text-to-speech).
pub(crate) fn languages_json() -> Vec<Value> {
    LANGUAGES
        .iter()
        .map(|(code, name)| json!({"code": code, "name": name}))
        .collect()
}

/// The `{"models": [...]}` body.
pub(crate) fn models_json() -> Value {
    let languages = languages_json();
    let models: Vec<Value> = MODELS
        .iter()
        .map(|(id, alias, name)| {
            let rt = resolve(id).map(|r| r.1) == Some(Mode::RealTime);
            json!({
                "id": id,
                "aliased_model_id": alias,
                "name": name,
                "context_version": 2,
                "transcription_mode": if rt { "real_time" } else { "async" },
                "languages": languages,
                "supports_language_hints_strict": true,
                "supports_max_endpoint_delay": rt,
                "supports_endpoint_sensitivity": rt,
                "supports_endpoint_latency_adjustment": rt,
                "endpoint_latency_adjustment_max_level": if rt { 3 } else { 0 },
                "translation_targets": [],
                "two_way_translation_pairs": [],
                "one_way_translation": "all_languages",
                "two_way_translation": "all_languages",
            })
        })
        .collect();
    json!({ "models": models })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(resolve("stt-async-v5"), Some((ASYNC, Mode::Async)));
        assert_eq!(resolve("stt-async-v4"), Some((ASYNC, Mode::Async)));
        assert_eq!(resolve("stt-rt-preview"), Some((RT, Mode::RealTime)));
        assert_eq!(resolve("whisper"), None);
        let v = models_json();
        let list = v["models"].as_array().unwrap();
        assert_eq!(list.len(), MODELS.len());
        let v4 = list.iter().find(|m| m["id"] == "stt-rt-v4").unwrap();
        assert_eq!(v4["aliased_model_id"], RT);
        assert_eq!(v4["transcription_mode"], "real_time");
        assert_eq!(list[1]["transcription_mode"], "async");
        assert_eq!(list[1]["aliased_model_id"], Value::Null);
    }
}
