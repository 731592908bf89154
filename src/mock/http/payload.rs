//! Bodies of `POST /v1/transcriptions` and `POST /v1/auth/temporary-api-key`, validated
//! with the limits of soniox-api.md §3.2, §3.4 and §7.

use serde_json::{Map, Value};

use super::errors::ApiError;
use super::validate::Fields;
use crate::mock::models::{resolve, Mode};
use crate::mock::util::is_uuid;

/// A valid create-transcription request.
#[derive(Debug, Clone)]
pub(crate) struct CreateJob {
    /// The model used (alias resolved).
    pub(crate) model: &'static str,
    pub(crate) audio_url: Option<String>,
    pub(crate) file_id: Option<String>,
    pub(crate) language_hints: Value,
    pub(crate) diarization: bool,
    pub(crate) language_identification: bool,
    pub(crate) context: Value,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_auth_header_name: Option<String>,
    pub(crate) webhook_auth_header_set: bool,
    pub(crate) client_reference_id: Option<String>,
}

pub(crate) fn parse_create(map: &Map<String, Value>) -> Result<CreateJob, ApiError> {
    let mut f = Fields::new(map);
    let model = f.string("model", true, 32).and_then(|m| match resolve(m) {
        Some((id, Mode::Async)) => Some(id),
        _ => {
            f.error("value_error", "model", "Invalid model");
            None
        }
    });
    let audio_url = f.url("audio_url", 4096);
    let file_id = f.string("file_id", false, 64);
    if file_id.is_some_and(|id| !is_uuid(id)) {
        f.error("uuid_parsing", "file_id", "Input should be a valid UUID");
    }
    let language_hints = string_list(&mut f, "language_hints", 100, 10);
    f.boolean("language_hints_strict");
    let diarization = f.boolean("enable_speaker_diarization").unwrap_or(false);
    let language_identification = f.boolean("enable_language_identification").unwrap_or(false);
    translation(&mut f);
    let context = context(&mut f);
    let webhook_url = f.url("webhook_url", 256);
    let header_name = f.string("webhook_auth_header_name", false, 256);
    let header_value = f.string("webhook_auth_header_value", false, 256);
    let client_reference_id = f.string("client_reference_id", false, 256);
    if !f.has_errors() {
        if f.value("audio_url").is_some() == f.value("file_id").is_some() {
            f.error(
                "value_error",
                "",
                "Value error, exactly one of audio_url or file_id must be provided.",
            );
        }
        if header_name.is_some() != header_value.is_some() {
            f.error(
                "value_error",
                "",
                "Value error, webhook_auth_header_name and webhook_auth_header_value must be provided together.",
            );
        }
    }
    f.finish()?;
    Ok(CreateJob {
        model: model.expect("validated"),
        audio_url: audio_url.map(str::to_string),
        file_id: file_id.map(str::to_string),
        language_hints,
        diarization,
        language_identification,
        context,
        webhook_url: webhook_url.map(str::to_string),
        webhook_auth_header_name: header_name.map(str::to_string),
        webhook_auth_header_set: header_value.is_some(),
        client_reference_id: client_reference_id.map(str::to_string),
    })
}

/// An optional list of at most `max_items` strings of at most `max_len` characters.
fn string_list(f: &mut Fields<'_>, key: &str, max_items: usize, max_len: usize) -> Value {
    let Some(v) = f.value(key) else {
        return Value::Null;
    };
    let Some(items) = v.as_array() else {
        f.error("list_type", key, "Input should be a valid list");
        return Value::Null;
    };
    if items.len() > max_items {
        f.error(
            "too_long",
            key,
            format!("List should have at most {max_items} items after validation"),
        );
    }
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            None => f.error("string_type", &format!("{key}.{i}"), "Input should be a valid string"),
            Some(s) if s.chars().count() > max_len => f.error(
                "string_too_long",
                &format!("{key}.{i}"),
                format!("String should have at most {max_len} characters"),
            ),
            Some(_) => {}
        }
    }
    v.clone()
}

/// Checks `translation` (one_way needs `target_language`, two_way `language_a`/`language_b`).
fn translation(f: &mut Fields<'_>) {
    let Some(v) = f.value("translation") else {
        return;
    };
    let Some(obj) = v.as_object() else {
        f.error("model_type", "translation", "Input should be a valid dictionary");
        return;
    };
    let mut t = f.nested("translation", obj);
    match t.string("type", true, 16) {
        Some("one_way") => {
            t.string("target_language", true, 10);
        }
        Some("two_way") => {
            t.string("language_a", true, 10);
            t.string("language_b", true, 10);
        }
        Some(_) => t.error("literal_error", "type", "Input should be 'one_way' or 'two_way'"),
        None => {}
    }
    f.absorb(t);
}

/// Checks `context`: a legacy string (≤ 20 000 characters) or a StructuredContext object.
fn context(f: &mut Fields<'_>) -> Value {
    let Some(v) = f.value("context") else {
        return Value::Null;
    };
    if v.is_string() {
        f.string("context", false, 20_000);
        return v.clone();
    }
    let Some(obj) = v.as_object() else {
        f.error("model_type", "context", "Input should be a valid dictionary or string");
        return Value::Null;
    };
    let mut c = f.nested("context", obj);
    c.string("text", false, 20_000);
    string_list(&mut c, "terms", 10_000, 1_000);
    for (key, a, b) in [("general", "key", "value"), ("translation_terms", "source", "target")] {
        let Some(list) = c.value(key) else { continue };
        let Some(items) = list.as_array() else {
            c.error("list_type", key, "Input should be a valid list");
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let ok = item
                .as_object()
                .is_some_and(|o| o.get(a).is_some_and(Value::is_string) && o.get(b).is_some_and(Value::is_string));
            if !ok {
                c.error(
                    "model_type",
                    &format!("{key}.{i}"),
                    format!("Input should be an object with string '{a}' and '{b}'"),
                );
            }
        }
    }
    f.absorb(c);
    v.clone()
}

/// A valid temporary-key request.
#[derive(Debug, Clone)]
pub(crate) struct CreateTempKey {
    pub(crate) usage_type: String,
    pub(crate) expires_in_seconds: u64,
    pub(crate) client_reference_id: Option<String>,
    pub(crate) single_use: bool,
    pub(crate) max_session_duration_seconds: Option<u64>,
}

pub(crate) fn parse_temp_key(map: &Map<String, Value>) -> Result<CreateTempKey, ApiError> {
    let mut f = Fields::new(map);
    let usage_type = f.string("usage_type", true, 64);
    if usage_type.is_some_and(|u| u != "transcribe_websocket" && u != "tts_rt") {
        f.error(
            "enum",
            "usage_type",
            "Input should be 'transcribe_websocket' or 'tts_rt'",
        );
    }
    let expires = f.int("expires_in_seconds", true, 1, 3600);
    let client_reference_id = f.string("client_reference_id", false, 256);
    let single_use = f.boolean("single_use").unwrap_or(false);
    let max_session = f.int("max_session_duration_seconds", false, 1, 18_000);
    f.finish()?;
    Ok(CreateTempKey {
        usage_type: usage_type.expect("validated").to_string(),
        expires_in_seconds: expires.expect("validated") as u64,
        client_reference_id: client_reference_id.map(str::to_string),
        single_use,
        max_session_duration_seconds: max_session.map(|n| n as u64),
    })
}

#[cfg(test)]
#[path = "payload_tests.rs"]
mod tests;
