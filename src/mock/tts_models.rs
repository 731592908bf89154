//! The text-to-speech catalogue of `GET /v1/tts-models` and `GET /v1/shared-voices`
//! (soniox-api-more.md §4): two models, their built-in voices and each voice's tags. The
//! capability values are illustrative (§4.1 marks them so).

use serde_json::{json, Value};

/// `(id, description, gender, age, accent, use_case, style)` of a shared voice.
type Voice = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const VOICES: [Voice; 8] = [
    (
        "Adrian",
        "A deep, focused male voice with crisp articulation and a composed tone.",
        "male",
        "middle_aged",
        "american",
        &["narration", "educational"],
        &["deep", "confident", "formal"],
    ),
    (
        "Maya",
        "A steady, clear voice with a natural presence and measured delivery.",
        "female",
        "middle_aged",
        "british",
        &["conversational"],
        &["smooth", "confident", "neutral"],
    ),
    (
        "Victoria",
        "A poised female voice with a refined British accent and smooth pacing.",
        "female",
        "middle_aged",
        "british",
        &["educational", "narration", "conversational"],
        &["formal", "bright", "confident", "neutral", "calm"],
    ),
    (
        "Noah",
        "A relaxed young male voice, warm and friendly.",
        "male",
        "young",
        "american",
        &["conversational", "advertising"],
        &["warm", "casual"],
    ),
    (
        "Nina",
        "A bright young female voice with an upbeat delivery.",
        "female",
        "young",
        "american",
        &["advertising", "conversational"],
        &["bright", "energetic"],
    ),
    (
        "Arthur",
        "An older male voice, calm and reassuring.",
        "male",
        "old",
        "british",
        &["narration", "audiobook"],
        &["calm", "warm"],
    ),
    (
        "Isla",
        "A soft female voice with a gentle Scottish lilt.",
        "female",
        "young",
        "scottish",
        &["audiobook", "narration"],
        &["soft", "calm"],
    ),
    (
        "Rowan",
        "An even, neutral voice for announcements.",
        "neutral",
        "middle_aged",
        "american",
        &["announcements", "educational"],
        &["neutral", "clear"],
    ),
];

/// `(id, aliased_model_id, name, how many of VOICES it has, supports_silence_reduction)`.
const MODELS: [(&str, Option<&str>, &str, usize, bool); 3] = [
    ("tts-rt-v2", None, "TTS v2", VOICES.len(), true),
    ("tts-rt-v1", None, "TTS v1", 4, false),
    ("tts-rt-v1-preview", Some("tts-rt-v1"), "TTS v1 Preview", 4, false),
];

/// Whether `voice` is a built-in voice of model `id`, and whether the model reduces
/// silence: `None` for an unknown model.
pub(crate) fn speaks(id: &str, voice: &str) -> Option<(bool, bool)> {
    let m = MODELS.iter().find(|m| m.0 == id)?;
    Some((VOICES[..m.3].iter().any(|v| v.0 == voice), m.4))
}

/// The built-in voices of model `id` (an alias has its target's), or `None` for an
/// unknown model.
fn voices_of(id: &str) -> Option<&'static [Voice]> {
    MODELS.iter().find(|m| m.0 == id).map(|m| &VOICES[..m.3])
}

/// The `{"models": [...]}` body.
pub(crate) fn tts_models_json() -> Value {
    let languages: Vec<Value> = crate::mock::models::languages_json();
    let models: Vec<Value> = MODELS
        .iter()
        .map(|(id, alias, name, n, silence)| {
            let voices: Vec<Value> = VOICES[..*n]
                .iter()
                .map(|v| json!({"id": v.0, "description": v.1, "gender": v.2}))
                .collect();
            json!({
                "id": id, "aliased_model_id": alias, "name": name,
                "languages": languages, "voices": voices,
                "supports_timestamps": true, "supports_voice_cloning": true,
                "voice_cloning_max_audio_duration_ms": 20_000,
                "supports_speed_adjustment": true, "speed_min": 0.7, "speed_max": 1.3,
                "supports_silence_reduction": silence,
            })
        })
        .collect();
    json!({ "models": models })
}

/// What `GET /v1/shared-voices` filters on; list filters need every value.
#[derive(Debug, Default)]
pub(crate) struct VoiceFilter {
    pub(crate) gender: Option<String>,
    pub(crate) age: Option<String>,
    pub(crate) accent: Option<String>,
    pub(crate) use_case: Vec<String>,
    pub(crate) style: Vec<String>,
}

/// The shared voices of `model` that match `filter`, as JSON, in catalogue order; `None`
/// for an unknown model.
pub(crate) fn shared_voices(model: &str, filter: &VoiceFilter) -> Option<Vec<Value>> {
    let matches = |v: &Voice| {
        filter.gender.as_deref().is_none_or(|g| g == v.2)
            && filter.age.as_deref().is_none_or(|a| a == v.3)
            && filter.accent.as_deref().is_none_or(|a| a.eq_ignore_ascii_case(v.4))
            && filter.use_case.iter().all(|u| v.5.contains(&u.as_str()))
            && filter.style.iter().all(|s| v.6.contains(&s.as_str()))
    };
    let voices = voices_of(model)?;
    Some(
        voices
            .iter()
            .filter(|v| matches(v))
            .map(|v| {
                json!({"id": v.0, "description": v.1, "gender": v.2, "age": v.3, "accent": v.4,
                       "use_case": v.5, "style": v.6})
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_need_every_value_and_aliases_share_their_targets_voices() {
        let ids = |model, f: &VoiceFilter| -> Vec<String> {
            shared_voices(model, f)
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let all = VoiceFilter::default();
        assert_eq!(ids("tts-rt-v2", &all).len(), 8);
        assert_eq!(ids("tts-rt-v1-preview", &all), ids("tts-rt-v1", &all));
        let f = VoiceFilter {
            gender: Some("female".into()),
            use_case: vec!["narration".into(), "conversational".into()],
            ..VoiceFilter::default()
        };
        assert_eq!(ids("tts-rt-v2", &f), ["Victoria"]);
        assert!(shared_voices("tts-rt-v0", &all).is_none());
        assert_eq!(tts_models_json()["models"].as_array().unwrap().len(), 3);
    }
}
