//! `soniox files|jobs|models|key` and the error paths (missing key, refused key) against the mock.

mod common_cli;

use common_cli::{bare, mock, run, soniox, wav};

fn client(mock: &soniox::mock::MockServer) -> soniox::blocking::Client {
    soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

#[test]
fn files_and_jobs_are_listed_and_deleted() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let c = client(&mock);
    let ids: Vec<String> = (0..3)
        .map(|i| c.files().upload(wav(dir.path(), &format!("f{i}.wav"), 500)).unwrap().id)
        .collect();
    let job = c
        .transcriptions()
        .create(soniox::types::CreateTranscription::file_id(&ids[0]))
        .unwrap();

    let r = run(soniox(&mock), &["--json", "files", "list"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    let mut listed: Vec<&str> = v.iter().map(|f| f["id"].as_str().unwrap()).collect();
    listed.sort();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(listed, expected);

    let r = run(soniox(&mock), &["jobs", "list"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with(&job.id), "{}", r.stdout);
    assert!(r.stderr.contains("1 job"), "{}", r.stderr);

    let r = run(soniox(&mock), &["files", "delete", &ids[1], "no-such-id"], None);
    assert_eq!(
        r.code,
        Some(1),
        "a missing id is reported, not taken for success: {r:?}"
    );
    assert!(r.stderr.contains("file no-such-id not found"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 file deleted, 1 not found, 0 failed"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("deleted file no-such-id"), "{}", r.stderr);
    assert_eq!(mock.files().len(), 2);
    let r = run(soniox(&mock), &["--json", "jobs", "delete", "nope"], None);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (
            v[0]["deleted"].as_bool(),
            v[0]["found"].as_bool(),
            v[0]["error"].as_str()
        ),
        (Some(false), Some(false), Some("job nope not found"))
    );
    assert_eq!(mock.transcriptions().len(), 1, "the real job is untouched");

    // Wait for the job to end (jobs that are processing cannot be deleted), then delete all.
    c.transcriptions().wait(&job.id, Default::default()).unwrap();
    let r = run(soniox(&mock), &["--json", "jobs", "delete", "--all"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v.len(), v[0]["id"].as_str(), v[0]["deleted"].as_bool()),
        (1, Some(job.id.as_str()), Some(true))
    );
    let r = run(soniox(&mock), &["files", "delete", "--all"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("2 files deleted, 0 not found, 0 failed"),
        "{}",
        r.stderr
    );
    assert_eq!((mock.files().len(), mock.transcriptions().len()), (0, 0));
}

#[test]
fn models_and_temporary_keys() {
    let mock = mock();
    let r = run(soniox(&mock), &["--json", "models"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.iter().any(|m| m["id"] == "stt-async-v5"));
    let r = run(soniox(&mock), &["models"], None);
    assert!(r.stdout.lines().any(|l| l.starts_with("stt-rt-v5 ")), "{}", r.stdout);

    let r = run(soniox(&mock), &["key", "--temporary", "--expires", "60"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.starts_with("temp:") && r.stdout.ends_with('\n'),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(&mock.api_key()) && !r.stderr.contains(&mock.api_key()));
    let r = run(soniox(&mock), &["--json", "key", "--temporary"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["api_key"].as_str().unwrap().starts_with("temp:") && v["expires_at"].is_string());
    assert_eq!(mock.stats().route("POST /v1/auth/temporary-api-key"), 2);
}

#[test]
fn text_to_speech_models_and_filtered_shared_voices() {
    let mock = mock();
    let r = run(soniox(&mock), &["--json", "models", "--tts"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v.iter().map(|m| m["id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["tts-rt-v2", "tts-rt-v1", "tts-rt-v1-preview"]
    );
    let r = run(soniox(&mock), &["models", "--tts"], None);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("tts-rt-v2 ") && l.ends_with("8 voices]")),
        "{}",
        r.stdout
    );

    let r = run(
        soniox(&mock),
        &[
            "--json",
            "voices",
            "--shared",
            "--gender",
            "female",
            "--use-case",
            "narration,conversational",
        ],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.len(), 1, "{}", r.stdout);
    assert_eq!(
        (v[0]["id"].as_str(), v[0]["accent"].as_str()),
        (Some("Victoria"), Some("british"))
    );
    let r = run(soniox(&mock), &["voices", "--shared", "--model", "tts-rt-v1"], None);
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stdout);
    // The service's refusal, as the tool reports every API error: type and message, exit 1.
    let r = run(soniox(&mock), &["voices", "--shared", "--model", "tts-rt-v0"], None);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("invalid_request") && r.stderr.contains("tts-rt-v0"),
        "{}",
        r.stderr
    );
    assert_eq!(mock.stats().route("GET /v1/shared-voices"), 3);
}

#[test]
fn speak_writes_the_audio_to_a_file_or_standard_output_and_leaves_no_file_on_failure() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hello.wav");
    let r = run(
        soniox(&mock),
        &["speak", "Hello from Soniox.", "-o", out.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let wav = std::fs::read(&out).unwrap();
    // 18 characters at 60 ms, 24 kHz 16-bit mono, behind the 44-byte header.
    assert_eq!(
        (&wav[..4], &wav[8..12], wav.len()),
        (&b"RIFF"[..], &b"WAVE"[..], 44 + 24_000 * 1080 / 1000 * 2)
    );
    // From standard input, MP3 to standard output.
    let r = run(
        soniox(&mock),
        &["speak", "--format", "mp3", "--voice", "Maya"],
        Some(b"Hi there".to_vec()),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("ID3"), "{:?}", &r.stdout[..r.stdout.len().min(8)]);
    // A voice the service refuses: its message, exit 1, and no file.
    let bad = dir.path().join("bad.wav");
    let r = run(
        soniox(&mock),
        &["speak", "Hi", "--voice", "Nobody", "-o", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("Invalid voice 'Nobody'"), "{}", r.stderr);
    assert!(!bad.exists());
    let r = run(
        soniox(&mock),
        &["speak", "Hi", "--format", "ogg", "-o", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(mock.stats().route("POST /tts"), 3);
}

#[test]
fn the_embedded_mock_needs_no_key() {
    let r = run(bare(), &["--mock", "--json", "models"], None);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("stt-async-v5"));
    let dir = tempfile::tempdir().unwrap();
    let a = wav(dir.path(), "a.wav", 1_000);
    let r = run(bare(), &["--mock", "transcribe", a.to_str().unwrap()], None);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "the quick\n"), "{r:?}");
}

#[test]
fn a_missing_key_is_a_clear_usage_error() {
    let r = run(bare(), &["models"], None);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("SONIOX_API_KEY is not set"), "{}", r.stderr);
    assert!(r.stderr.contains("--mock"), "{}", r.stderr);
}

#[test]
fn a_refused_key_shows_type_message_and_request_id_but_never_the_key() {
    let mock = mock();
    let secret = "sk-wrong-key-0123456789";
    let mut cmd = soniox(&mock);
    cmd.env("SONIOX_API_KEY", secret);
    let r = run(cmd, &["files", "list"], None);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("listing files: API error 401 unauthenticated"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(request id "), "{}", r.stderr);
    assert!(r.stderr.contains("check SONIOX_API_KEY"), "{}", r.stderr);
    assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret));

    let dir = tempfile::tempdir().unwrap();
    let a = wav(dir.path(), "a.wav", 1_000);
    let mut cmd = soniox(&mock);
    cmd.env("SONIOX_API_KEY", secret);
    let r = run(cmd, &["transcribe", a.to_str().unwrap()], None);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("upload: API error 401 unauthenticated"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(secret));
}
