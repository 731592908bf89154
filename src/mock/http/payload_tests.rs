use super::*;
use serde_json::json;

fn create(v: Value) -> Result<CreateJob, ApiError> {
    parse_create(v.as_object().unwrap())
}

fn locations(e: &ApiError) -> Vec<(&'static str, &str)> {
    e.validation_errors
        .iter()
        .map(|v| (v.error_type, v.location.as_str()))
        .collect()
}

const FILE: &str = "84c32fc6-4fb5-4e7a-b656-b5ec70493753";

#[test]
fn valid_create_resolves_aliases() {
    let j = create(
        json!({"model": "stt-async-v4", "file_id": FILE, "language_hints": ["en"],
        "enable_speaker_diarization": true, "context": {"terms": ["x"], "general": [{"key": "a", "value": "b"}]},
        "webhook_url": "https://example.com/hook", "webhook_auth_header_name": "A",
        "webhook_auth_header_value": "B", "translation": {"type": "one_way", "target_language": "fr"}}),
    )
    .unwrap();
    assert_eq!(j.model, "stt-async-v5");
    assert!(j.diarization && !j.language_identification && j.webhook_auth_header_set);
    assert_eq!(j.language_hints, json!(["en"]));
}

#[test]
fn invalid_model_and_fields() {
    let e = create(json!({"model": "stt-rt-v5", "file_id": FILE})).unwrap_err();
    assert_eq!(locations(&e), [("value_error", "body.payload.model")]);
    assert_eq!(e.validation_errors[0].message, "Invalid model");
    let e = create(json!({"file_id": "nope", "language_hints": ["toolonglanguage"],
        "client_reference_id": "x".repeat(257), "audio_url": "ftp://a", "translation": {"type": "one_way"}}))
    .unwrap_err();
    assert_eq!(
        locations(&e),
        [
            ("missing", "body.payload.model"),
            ("string_pattern_mismatch", "body.payload.audio_url"),
            ("uuid_parsing", "body.payload.file_id"),
            ("string_too_long", "body.payload.language_hints.0"),
            ("missing", "body.payload.translation.target_language"),
            ("string_too_long", "body.payload.client_reference_id"),
        ]
    );
}

#[test]
fn exactly_one_source() {
    for v in [
        json!({"model": "stt-async-v5"}),
        json!({"model": "stt-async-v5", "file_id": FILE, "audio_url": "https://a/b.mp3"}),
    ] {
        let e = create(v).unwrap_err();
        assert_eq!(locations(&e), [("value_error", "body.payload")]);
    }
    let e = create(json!({"model": "stt-async-v5", "file_id": FILE, "webhook_auth_header_name": "A"})).unwrap_err();
    assert_eq!(e.status, 400);
}

#[test]
fn temp_keys() {
    let k = parse_temp_key(
        json!({"usage_type": "transcribe_websocket", "expires_in_seconds": 60})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (k.usage_type.as_str(), k.expires_in_seconds),
        ("transcribe_websocket", 60)
    );
    let e = parse_temp_key(
        json!({"usage_type": "x", "expires_in_seconds": 3601, "max_session_duration_seconds": 0})
            .as_object()
            .unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        locations(&e),
        [
            ("enum", "body.payload.usage_type"),
            ("less_than_equal", "body.payload.expires_in_seconds"),
            ("greater_than_equal", "body.payload.max_session_duration_seconds"),
        ]
    );
    assert_eq!(
        e.validation_errors[1].message,
        "Input should be less than or equal to 3600"
    );
}
