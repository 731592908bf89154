//! Interop with the official Soniox SDKs, unchanged: Python `soniox` (PyPI) and Node
//! `@soniox/node` (npm), at the versions pinned in `tests/interop/sdk/requirements.txt` and
//! `tests/interop/sdk/package.json`. Each test starts the mock in-process, runs a script from
//! `tests/interop/sdk/` as a child process (killed after
//! [`SCRIPT_LIMIT`](common_interop::SCRIPT_LIMIT)) and asserts on the one JSON object of
//! observations it prints, together with the mock's own counters.
//!
//! Where the SDKs live (`.ci/run` installs both, idempotently):
//! * Python: a venv at `target/interop-venv` (`$CARGO_TARGET_DIR/interop-venv` when that is
//!   set; a relative one is taken from the package root, as `.ci/run` does); the variable
//!   `SONIOX_INTEROP_PYTHON` names another interpreter instead.
//! * Node: `tests/interop/sdk/node_modules` (`npm ci` there), run by `node`
//!   (`--experimental-websocket` on Node 20: the SDK uses the global `WebSocket`).
//!
//! A missing or differently versioned SDK skips the test with one
//! `interop: SKIPPED <test>: <reason>` line on stderr, unless `CI` is set: then it fails the
//! test. No assertion involves timing.

mod common_interop;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common_interop::{array, context, node, run_script, unavailable};
use serde_json::Value;
use soniox::audio::{wav_bytes, WavSpec};
use soniox::mock::{transcript_text, JobTiming, MockConfig, MockServer};

// ----------------------------------------------------------------------------------------
// Python SDK
// ----------------------------------------------------------------------------------------

#[test]
fn python_sdk_rest_lifecycle() {
    let Some(py) = python_sdk("python_sdk_rest_lifecycle") else {
        return;
    };
    // One `queued` and one `processing` answer: the SDK's `wait` polls through both.
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    }))
    .expect("mock starts");
    let wav = WavFile::new(2000);
    let obs = run_script(py, "sdk/python_rest.py", &[mock.base_url(), mock.api_key(), wav.path()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "the SDK raised: {ctx}");
    assert!(obs["models"].as_u64().unwrap_or(0) > 0, "{ctx}");
    // `queued`, `processing`, `completed`: `wait` stopped at the first terminal answer.
    assert_rest_lifecycle(&obs, &mock, wav.len, 3, &ctx);
}

#[test]
fn python_sdk_reads_the_tts_models_and_the_shared_voices() {
    let Some(py) = python_sdk("python_sdk_reads_the_tts_models_and_the_shared_voices") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(py, "sdk/python_voices.py", &[mock.base_url(), mock.api_key()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "the SDK raised: {ctx}");
    let models = array(&obs["models"]);
    let ids: Vec<&str> = models.iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(ids, ["tts-rt-v2", "tts-rt-v1", "tts-rt-v1-preview"], "{ctx}");
    assert_eq!(array(&models[0]["voices"]).len(), 8, "{ctx}");
    assert_eq!(
        obs["first_page"]["ids"],
        serde_json::json!(["Adrian", "Maya", "Victoria"]),
        "{ctx}"
    );
    assert_eq!(obs["first_page"]["next"], true, "{ctx}");
    // Four female voices over pages of 3: the filter went with the cursor.
    assert_eq!(
        obs["female"],
        serde_json::json!(["Maya", "Victoria", "Nina", "Isla"]),
        "{ctx}"
    );
    assert_eq!(
        obs["narration_and_conversational"],
        serde_json::json!([{"id": "Victoria", "age": "middle_aged", "accent": "british",
                            "use_case": ["educational", "narration", "conversational"]}]),
        "{ctx}"
    );
    assert_eq!(obs["unknown_model"]["status"], 404, "{ctx}");
    assert_eq!(obs["unknown_model"]["class"], "SonioxNotFoundError", "{ctx}");
    assert_eq!(obs["unknown_model"]["error_type"], "invalid_request", "{ctx}");
    assert_eq!(
        obs["unknown_model"]["message"], "TTS model 'tts-rt-v0' not found.",
        "{ctx}"
    );
    // 1 + 1 + 2 (female: 3 + 1) + 1 (one match, one page) + 1 (unknown model).
    assert_eq!(
        (s.route("GET /v1/tts-models"), s.route("GET /v1/shared-voices")),
        (1, 5),
        "{ctx}"
    );
}

#[test]
fn python_sdk_generates_speech_from_the_mocks_tts_port() {
    let Some(py) = python_sdk("python_sdk_generates_speech_from_the_mocks_tts_port") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(py, "sdk/python_tts.py", &[mock.tts_url(), mock.api_key()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "the SDK raised: {ctx}");
    // 33 characters at 60 ms each, 24 kHz 16-bit mono, behind a 44-byte header.
    assert_eq!(obs["wav"]["len"], 44 + 24_000 * 1980 / 1000 * 2, "{ctx}");
    assert_eq!(
        (&obs["wav"]["riff"], &obs["wav"]["wave"]),
        (&"RIFF".into(), &"WAVE".into()),
        "{ctx}"
    );
    // 2 characters: 120 ms at 128 kbps, behind the ID3 magic.
    assert_eq!(obs["mp3"]["len"], 10 + 16_000 * 120 / 1000, "{ctx}");
    assert_eq!(obs["mp3"]["magic"], "ID3", "{ctx}");
    assert_eq!(obs["bad_voice"]["status"], 400, "{ctx}");
    assert_eq!(obs["bad_voice"]["error_type"], "invalid_request", "{ctx}");
    assert_eq!(
        obs["bad_voice"]["message"], "Invalid voice 'Nobody' for model 'tts-rt-v2'.",
        "{ctx}"
    );
    assert_eq!(s.route("POST /tts"), 3, "{ctx}");
}

#[test]
fn python_sdk_realtime_session() {
    let Some(py) = python_sdk("python_sdk_realtime_session") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        py,
        "sdk/python_realtime.py",
        &[mock.base_url(), mock.ws_url(), mock.api_key()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "the SDK raised: {ctx}");
    assert_eq!(obs["errors"], Value::Array(vec![]), "error messages: {ctx}");
    assert_eq!(obs["fin_seen"], true, "no <fin> after finalize: {ctx}");
    assert_eq!(obs["final_text"], transcript_text(2000), "{ctx}");
    assert_eq!(obs["final_repeated"], false, "a final word was delivered twice: {ctx}");
    let last = &obs["last"];
    assert_eq!(last["finished"], true, "the last event is not `finished`: {ctx}");
    assert_eq!(
        (&last["final_audio_proc_ms"], &last["total_audio_proc_ms"]),
        (&2000.into(), &2000.into()),
        "{ctx}"
    );
    assert_eq!(obs["ended"], true, "the SDK did not see the connection close: {ctx}");
    assert_eq!(obs["close_code"], 1000, "not a normal closure: {ctx}");
    assert_eq!(
        (s.ws_sessions, s.ws_finalizes, s.ws_finished, s.ws_auth_failures),
        (1, 1, 1, 0),
        "{ctx}"
    );
    assert_eq!((s.ws_audio_bytes, s.ws_audio_frames), (64_000, 8), "{ctx}");
}

#[test]
fn python_sdk_bad_realtime_key() {
    let Some(py) = python_sdk("python_sdk_bad_realtime_key") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        py,
        "sdk/python_bad_key.py",
        &[mock.base_url(), mock.ws_url(), "wrong".into()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert_eq!(obs["connected"], false, "the upgrade was accepted: {ctx}");
    // The SDK's realtime error, with no `response` of its own; the refused upgrade is its
    // `__cause__`: websockets' InvalidStatus, whose response carries the 401 and the body.
    let rt = &obs["realtime"];
    assert_eq!(rt["exception"], "soniox.errors.SonioxRealtimeError", "{ctx}");
    assert_eq!(rt["message"], "Failed to start realtime session", "{ctx}");
    assert!(rt["response_attr"].is_null(), "{ctx}");
    assert_eq!(rt["cause_type"], "websockets.exceptions.InvalidStatus", "{ctx}");
    let resp = &rt["cause_response"];
    assert_eq!(resp["status_code"], 401, "{ctx}");
    assert_eq!(resp["content_type"], "application/json", "{ctx}");
    assert_eq!(resp["body_json"]["error_type"], "unauthenticated", "{ctx}");
    assert_eq!(resp["body_json"]["status_code"], 401, "{ctx}");
    // The same key on REST: the SDK's authentication error, parsed from the same body shape.
    let rest = &obs["rest"];
    assert_eq!(rest["exception"], "soniox.errors.SonioxAuthenticationError", "{ctx}");
    assert_eq!(
        (&rest["status_code"], &rest["error_type"]),
        (&401.into(), &"unauthenticated".into()),
        "{ctx}"
    );
    assert_eq!(s.route("GET /transcribe-websocket"), 1, "{ctx}");
    assert_eq!(
        (s.ws_sessions, s.ws_open_sessions),
        (0, 0),
        "a session was opened: {ctx}"
    );
    assert_eq!(s.unauthorized, 2, "{ctx}");
}

// ----------------------------------------------------------------------------------------
// Node SDK
// ----------------------------------------------------------------------------------------

#[test]
fn node_sdk_rest_then_realtime_on_one_connection() {
    let Some(node) = node_sdk("node_sdk_rest_then_realtime_on_one_connection") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        node,
        "sdk/node_rest_then_realtime.mjs",
        &[mock.base_url(), mock.ws_url(), mock.api_key()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["thrown"].is_null(), "the SDK threw: {ctx}");
    assert_eq!(obs["errors"], Value::Array(vec![]), "error events: {ctx}");
    assert!(obs["models"].as_u64().unwrap_or(0) > 0, "{ctx}");
    assert_eq!(obs["connected"], true, "{ctx}");
    assert_eq!(obs["finished"], true, "no `finished` event: {ctx}");
    assert_eq!(obs["state"], "finished", "{ctx}");
    assert_eq!(obs["final_text"], transcript_text(1000), "{ctx}");
    let last = &obs["last"];
    assert_eq!(last["finished"], true, "{ctx}");
    assert_eq!(
        (&last["final_audio_proc_ms"], &last["total_audio_proc_ms"]),
        (&1000.into(), &1000.into()),
        "{ctx}"
    );
    assert_eq!(
        (s.ws_sessions, s.ws_finished, s.ws_audio_bytes, s.ws_auth_failures),
        (1, 1, 32_000, 0),
        "{ctx}"
    );
    // The script gives undici the event-loop turns it needs to return the fetch's connection
    // to its pool (see tests/interop/keepalive_upgrade.mjs): the upgrade then reuses it.
    assert_eq!(
        s.connections_accepted, 1,
        "the SDK's upgrade did not go over its fetch's kept-alive connection: {ctx}"
    );
}

#[test]
fn node_sdk_bad_key_in_start_message() {
    const ROUNDS: u64 = 5;
    let Some(node) = node_sdk("node_sdk_bad_key_in_start_message") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        node,
        "sdk/node_bad_key.mjs",
        &[mock.base_url(), mock.ws_url(), "wrong".into(), ROUNDS.to_string()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    let rounds = array(&obs["rounds"]);
    assert_eq!(rounds.len() as u64, ROUNDS, "{ctx}");
    for (i, r) in rounds.iter().enumerate() {
        let what = format!("round {i}: {r:#}\nmock stats: {s:#?}");
        // The key travels in the start message, so the upgrade itself succeeds.
        assert_eq!(r["connected"], true, "{what}");
        assert_eq!(
            r["finish_resolved"], false,
            "finish() resolved despite the wrong key: {what}"
        );
        let thrown = &r["thrown"];
        assert_eq!(thrown["name"], "AuthError", "not the SDK's AuthError: {what}");
        assert_eq!(
            (&thrown["code"], &thrown["statusCode"]),
            (&"auth_error".into(), &401.into()),
            "{what}"
        );
        assert_eq!(thrown["raw"]["error_type"], "unauthenticated", "{what}");
        let errors = array(&r["errors"]);
        assert_eq!(errors.len(), 1, "exactly one `error` event expected: {what}");
        assert_eq!(errors[0]["name"], "AuthError", "{what}");
        assert_eq!(r["state"], "error", "{what}");
    }
    assert_eq!(s.ws_sessions, ROUNDS, "{ctx}");
    assert_eq!((s.ws_auth_failures, s.ws_finished), (ROUNDS, 0), "{ctx}");
}

#[test]
fn node_sdk_rest_lifecycle() {
    let Some(node) = node_sdk("node_sdk_rest_lifecycle") else {
        return;
    };
    // One `queued` answer, then terminal: `wait()` polls twice, with one sleep of its 1 s
    // minimum interval between (`Polls { 0, 0 }` would make the created job terminal already,
    // and `wait()` would return without a request).
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 0,
    }))
    .expect("mock starts");
    let wav = WavFile::new(2000);
    let obs = run_script(
        node,
        "sdk/node_rest.mjs",
        &[mock.base_url(), mock.api_key(), wav.path()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["thrown"].is_null(), "the SDK threw: {ctx}");
    assert_eq!(obs["file"]["filename"], "interop.wav", "{ctx}");
    // `queued`, then `completed`: `wait()` stopped at the first terminal answer.
    assert_rest_lifecycle(&obs, &mock, wav.len, 2, &ctx);
}

// ----------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------

/// A WAV file of tone in a temporary directory (removed on drop).
struct WavFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
    len: u64,
}

impl WavFile {
    fn new(ms: u64) -> WavFile {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("interop.wav");
        let bytes = wav_bytes(WavSpec::default(), Duration::from_millis(ms));
        std::fs::write(&path, &bytes).expect("write the WAV file");
        WavFile {
            _dir: dir,
            path,
            len: bytes.len() as u64,
        }
    }

    fn path(&self) -> String {
        self.path.to_str().expect("a UTF-8 temp path").to_string()
    }
}

/// What both SDKs' REST lifecycle scripts report and leave behind: one 2 s upload, a job that
/// completed with its transcript after `polls` status checks, both deleted.
fn assert_rest_lifecycle(obs: &Value, mock: &MockServer, wav_len: u64, polls: u64, ctx: &str) {
    let s = mock.stats();
    assert_eq!(obs["step"], "done", "{ctx}");
    assert_eq!(obs["file"]["size"], wav_len, "{ctx}");
    assert_eq!(obs["created"]["file_id"], obs["file"]["id"], "{ctx}");
    assert_eq!(obs["created"]["status"], "queued", "{ctx}");
    assert_eq!(obs["waited"]["status"], "completed", "{ctx}");
    assert_eq!(obs["waited"]["audio_duration_ms"], 2000, "{ctx}");
    assert_eq!(obs["transcript"]["id"], obs["created"]["id"], "{ctx}");
    assert_eq!(obs["transcript"]["text"], transcript_text(2000), "{ctx}");
    assert_eq!(
        (&obs["files_after"], &obs["transcriptions_after"]),
        (&0.into(), &0.into()),
        "{ctx}"
    );
    assert!(
        mock.files().is_empty() && mock.transcriptions().is_empty(),
        "the mock still holds files or jobs: {ctx}"
    );
    assert_eq!((s.uploads, s.upload_bytes, s.unauthorized), (1, wav_len, 0), "{ctx}");
    assert_eq!(s.route("GET /v1/transcriptions/{id}"), polls, "{ctx}");
    assert_eq!(
        (
            s.route("DELETE /v1/transcriptions/{id}"),
            s.route("DELETE /v1/files/{id}")
        ),
        (1, 1),
        "{ctx}"
    );
}

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/sdk")
}

/// The Python SDK version pinned in `tests/interop/sdk/requirements.txt` (`soniox==X`).
fn pinned_python_sdk() -> String {
    let path = sdk_dir().join("requirements.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .find_map(|l| l.trim().strip_prefix("soniox=="))
        .unwrap_or_else(|| panic!("{}: no `soniox==VERSION` line", path.display()))
        .trim()
        .to_string()
}

/// The `@soniox/node` version pinned (exactly) in `tests/interop/sdk/package.json`.
fn pinned_node_sdk() -> String {
    let path = sdk_dir().join("package.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json["dependencies"]["@soniox/node"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no dependencies.@soniox/node", path.display()))
        .to_string()
}

/// The interpreter of the SDK venv: `SONIOX_INTEROP_PYTHON`, else
/// `<target dir>/interop-venv/bin/python` (the target dir is `CARGO_TARGET_DIR` or `target`,
/// relative to the package root).
fn venv_python() -> PathBuf {
    if let Some(p) = std::env::var_os("SONIOX_INTEROP_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|p| !p.is_empty())
        .map_or_else(|| root.join("target"), |p| root.join(p));
    target.join("interop-venv/bin/python")
}

/// The venv's python with the pinned `soniox` importable, or `None` after [`unavailable`].
fn python_sdk(test: &str) -> Option<Command> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let py = venv_python();
        let want = pinned_python_sdk();
        let install = "run .ci/run, or: python3 -m venv target/interop-venv && \
                       target/interop-venv/bin/pip install -r tests/interop/sdk/requirements.txt \
                       (SONIOX_INTEROP_PYTHON names another interpreter)";
        let probe = "import importlib.metadata as m, soniox; print(m.version('soniox'))";
        match Command::new(&py).args(["-c", probe]).output() {
            Err(e) => Err(format!("cannot run {} ({e}); {install}", py.display())),
            Ok(out) if !out.status.success() => {
                let err = String::from_utf8_lossy(&out.stderr);
                let last = err.lines().last().unwrap_or("").trim().to_string();
                Err(format!("{} cannot import soniox ({last}); {install}", py.display()))
            }
            Ok(out) => {
                let have = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if have == want {
                    Ok(py)
                } else {
                    Err(format!("{} has soniox {have}, not {want}; {install}", py.display()))
                }
            }
        }
    });
    match found {
        Ok(py) => Some(Command::new(py)),
        Err(reason) => {
            unavailable(test, reason);
            None
        }
    }
}

/// `node` (see [`node`]) with the pinned `@soniox/node` in `tests/interop/sdk/node_modules`,
/// or `None` after [`unavailable`].
fn node_sdk(test: &str) -> Option<Command> {
    let cmd = node(test)?;
    let want = pinned_node_sdk();
    let manifest = sdk_dir().join("node_modules/@soniox/node/package.json");
    let have = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|j| j["version"].as_str().map(str::to_string));
    match have {
        Some(have) if have == want => Some(cmd),
        have => {
            let have = have.map_or_else(|| "not installed".to_string(), |v| format!("version {v}"));
            unavailable(
                test,
                &format!(
                    "@soniox/node {want} is needed in tests/interop/sdk/node_modules ({have}); \
                     run .ci/run, or: (cd tests/interop/sdk && npm ci)"
                ),
            );
            None
        }
    }
}
