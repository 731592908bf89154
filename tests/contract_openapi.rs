//! Contract test against the official OpenAPI 3.1 document (tests/fixtures/soniox-openapi.json,
//! from the official Python SDK 2.10.0).
//!
//! Every speech-to-text operation (tags Files, Transcriptions, Models, Auth) and the
//! text-to-speech (tags TTS Models, TTS) are driven through
//! both clients against a recording mock, for its success status and each documented error
//! status; every response body the mock wrote is validated (JSON Schema 2020-12, formats as
//! annotations) against the schema the document gives for that operation and status.
#![cfg(all(feature = "async", feature = "blocking"))]

mod common_contract;
mod common_parity;

use std::collections::BTreeSet;

use common_contract::cases::{self, How};
use common_contract::client::Kind;
use common_contract::harness::run_all;
use common_contract::spec::{Checked, Spec};
use serde_json::json;
use soniox::mock::ResponseRecord;

/// Every speech-to-text operation of the document and the client call covering it (the
/// same method on both clients).
const COVERAGE: &[(&str, &str)] = &[
    ("get_files", "files().list().send()"),
    ("upload_file", "files().upload_reader() / upload_reader_with()"),
    ("get_files_count", "files().count()"),
    ("get_file", "files().get()"),
    ("delete_file", "files().delete()"),
    ("get_transcriptions", "transcriptions().list().send()"),
    ("create_transcription", "transcriptions().create()"),
    ("get_transcriptions_count", "transcriptions().count()"),
    ("get_transcription", "transcriptions().get()"),
    ("delete_transcription", "transcriptions().delete()"),
    ("get_transcription_transcript", "transcriptions().transcript()"),
    ("get_models", "models().list()"),
    ("create_temporary_api_key", "auth().temporary_api_key()"),
    ("get_tts_models", "tts().models()"),
    ("get_shared_voices", "voices().list_shared().send()"),
    ("generate_tts", "tts().generate_to()"),
];

/// Documented statuses without a case, each with its reason. None: every one is reached.
const EXEMPT: &[(&str, u16, &str)] = &[];

/// Rows of the case table; per client, responses with a JSON body and empty 204s.
const CASES: usize = 90;
const BODIES: usize = 88;
const EMPTY: usize = 2;
/// Rows reached through an injected fault (16 × 500, 2 × 402, 400 on the temporary key,
/// and generate_tts' 403, 408, 503).
const INJECTED: usize = 22;

#[test]
fn coverage_table_is_exactly_the_documents_covered_operations() {
    let spec = Spec::load();
    let documented: BTreeSet<&str> = spec.ops.iter().map(|o| o.id.as_str()).collect();
    let covered: BTreeSet<&str> = COVERAGE.iter().map(|(id, _)| *id).collect();
    assert_eq!(covered.len(), COVERAGE.len(), "duplicate rows in COVERAGE");
    let uncovered: Vec<_> = documented.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(
        uncovered.is_empty(),
        "documented but not covered by a client method: {uncovered:?}"
    );
    assert!(unknown.is_empty(), "covered but not in the document: {unknown:?}");
    assert_eq!(documented.len(), 16);
}

#[test]
fn every_documented_status_has_a_case() {
    let spec = Spec::load();
    let table = cases::all();
    assert_eq!(table.len(), CASES);
    let rows: BTreeSet<(&str, u16)> = table.iter().map(|c| (c.op, c.status)).collect();
    let mut missing = Vec::new();
    let mut documented = BTreeSet::new();
    for op in &spec.ops {
        for &status in &op.statuses {
            documented.insert((op.id.as_str(), status));
            let exempt = EXEMPT.iter().any(|(id, s, _)| *id == op.id && *s == status);
            if !rows.contains(&(op.id.as_str(), status)) && !exempt {
                missing.push(format!("{} {status}", op.id));
            }
        }
    }
    assert!(missing.is_empty(), "documented statuses without a case: {missing:?}");
    let undocumented: Vec<_> = rows.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "cases for undocumented statuses: {undocumented:?}"
    );
    for (id, status, why) in EXEMPT {
        assert!(documented.contains(&(*id, *status)), "stale exemption {id} {status}");
        assert!(!rows.contains(&(*id, *status)), "exemption {id} {status} has a case");
        assert!(!why.is_empty(), "exemption {id} {status} needs a reason");
    }
    for case in &table {
        assert!(
            COVERAGE.iter().any(|(id, _)| *id == case.op),
            "{} is not in COVERAGE",
            case.op
        );
    }
    // 16 successes and 67 documented errors over the 16 operations.
    assert_eq!(documented.len(), 83);
    let injected = table.iter().filter(|c| matches!(c.how, How::Injected(_))).count();
    assert_eq!(injected, INJECTED);
}

#[test]
fn validators_reject_what_the_document_forbids() {
    let spec = Spec::load();
    // One validator per documented JSON response: 83 statuses less the two 204s and
    // generate_tts' audio.
    assert_eq!(spec.validator_count(), 80);
    let error = json!({"status_code": 404, "error_type": "file_not_found", "message": "m",
        "validation_errors": [], "request_id": "r", "more_info": null});
    spec.validate("get_file", 404, &error).unwrap();
    let mut no_request_id = error.clone();
    no_request_id.as_object_mut().unwrap().remove("request_id");
    assert!(spec.validate("get_file", 404, &no_request_id).is_err());
    let file = json!({"id": "84c32fc6-4fb5-4e7a-b656-b5ec70493753", "filename": "a.mp3",
        "size": 1, "created_at": "2024-11-26T00:00:00Z", "client_reference_id": null});
    spec.validate("get_file", 200, &file).unwrap();
    assert!(spec.validate("get_file", 200, &json!({"id": "x"})).is_err());
    let mut string_size = file.clone();
    string_size["size"] = json!("1");
    assert!(spec.validate("upload_file", 201, &string_size).is_err());
    // `$ref` into a nested component (TranscriptionStatus) is followed.
    let job = json!({"id": "x", "status": "done", "created_at": "t", "model": "m", "filename": "f",
        "enable_speaker_diarization": false, "enable_language_identification": false});
    let err = spec.validate("get_transcription", 200, &job).unwrap_err();
    assert!(err.contains("status"), "{err}");
    // Formats are annotations only (2020-12 default): a non-UUID id is accepted.
    let mut job = job;
    job["status"] = json!("queued");
    spec.validate("get_transcription", 200, &job).unwrap();
}

#[test]
fn recorded_responses_are_checked_for_content_type_and_empty_204s() {
    let spec = Spec::load();
    let record = |method: &str, path: &str, status, content_type: Option<&str>, body: &[u8]| ResponseRecord {
        method: method.into(),
        path: path.into(),
        status,
        content_type: content_type.map(Into::into),
        body: body.to_vec(),
    };
    let counts = br#"{"total": 1, "public_api": 1, "playground": 0}"#;
    let op = spec.route("GET", "/v1/files/count").unwrap();
    assert_eq!(op.id, "get_files_count");
    let ok = record(
        "GET",
        "/v1/files/count",
        200,
        Some("application/json; charset=utf-8"),
        counts,
    );
    assert_eq!(spec.check(op, &ok), Ok(Checked::Body));
    let text = record("GET", "/v1/files/count", 200, Some("text/plain"), counts);
    assert!(spec.check(op, &text).is_err());
    let undocumented = record("GET", "/v1/files/count", 404, Some("application/json"), counts);
    assert!(spec.check(op, &undocumented).is_err());
    let delete = spec.route("DELETE", "/v1/files/some-id").unwrap();
    assert_eq!(delete.id, "delete_file");
    let empty = record("DELETE", "/v1/files/some-id", 204, None, b"");
    assert_eq!(spec.check(delete, &empty), Ok(Checked::Empty));
    let with_body = record("DELETE", "/v1/files/some-id", 204, Some("application/json"), b"{}");
    assert!(spec.check(delete, &with_body).is_err());
}

fn client_conforms(kind: Kind) {
    let spec = Spec::load();
    let table = cases::all();
    let tally = run_all(&spec, &table, kind);
    println!(
        "[{}] {} cases: {} JSON bodies validated, {} empty 204s; {} real, {} injected",
        kind.name(),
        table.len(),
        tally.bodies,
        tally.empty,
        tally.real,
        tally.injected
    );
    assert!(
        tally.problems.is_empty(),
        "{} problem(s):\n{}",
        tally.problems.len(),
        tally.problems.join("\n")
    );
    assert_eq!((tally.bodies, tally.empty), (BODIES, EMPTY));
    assert_eq!((tally.real, tally.injected), (CASES - INJECTED, INJECTED));
}

#[test]
fn blocking_client_responses_conform() {
    client_conforms(Kind::Blocking);
}

#[test]
fn async_client_responses_conform() {
    client_conforms(Kind::Async);
}
