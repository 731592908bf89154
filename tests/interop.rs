//! Interop: the mock driven by clients this project did not write — Python's `websockets`
//! and `requests`, Node's built-in `fetch` and `WebSocket` (undici). Each test starts the mock
//! in-process, runs a script from `tests/interop/` as a child process (killed after
//! [`SCRIPT_LIMIT`]), and asserts on the one JSON object of observations the script prints,
//! together with the mock's own counters.
//!
//! A missing runtime (python3, its modules from `tests/interop/requirements.txt`, node with a
//! `WebSocket` global) skips the test with one `interop: SKIPPED <test>: <reason>` line on
//! stderr, unless `CI` is set: then it fails the test. No assertion involves timing.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use soniox::mock::{JobTiming, MockConfig, MockServer, MockStats};

/// Longest a script may run before it is killed and the test fails.
const SCRIPT_LIMIT: Duration = Duration::from_secs(60);

// ----------------------------------------------------------------------------------------
// Realtime (Python websockets)
// ----------------------------------------------------------------------------------------

#[test]
fn realtime_session_with_finalize() {
    let Some(py) = python("realtime_session_with_finalize", &["websockets"]) else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(py, "realtime.py", &[mock.ws_url(), mock.api_key()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "the session failed: {ctx}");
    assert_eq!(obs["errors"], Value::Array(vec![]), "error messages: {ctx}");
    assert_eq!(obs["fin_seen"], true, "no <fin> after finalize: {ctx}");
    let finished = &obs["finished"];
    assert_eq!(finished["finished"], true, "no `finished: true` message: {ctx}");
    assert_eq!(finished["total_audio_proc_ms"], 2500, "{ctx}");
    assert_eq!(
        finished["final_audio_proc_ms"], 2500,
        "the finished message must have finalized all audio: {ctx}"
    );
    assert_eq!(obs["final_repeated"], false, "a final token was delivered twice: {ctx}");
    let starts: Vec<u64> = array(&obs["final_starts"]).iter().filter_map(Value::as_u64).collect();
    assert!(!starts.is_empty(), "no final words: {ctx}");
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "finals' start_ms not strictly increasing: {ctx}"
    );
    assert_clean_close(&obs["close"], &ctx);
    assert_eq!((s.ws_sessions, s.ws_finalizes, s.ws_finished), (1, 1, 1), "{ctx}");
    assert_eq!(
        (s.ws_audio_bytes, s.ws_audio_frames, s.ws_auth_failures),
        (80_000, 10, 0),
        "{ctx}"
    );
}

#[test]
fn wrong_key_in_header_refused_at_upgrade() {
    refused_at_upgrade("wrong_key_in_header_refused_at_upgrade", "header");
}

#[test]
fn wrong_key_in_subprotocol_refused_at_upgrade() {
    refused_at_upgrade("wrong_key_in_subprotocol_refused_at_upgrade", "subprotocol");
}

/// A wrong key given with the upgrade (`mode`: `header` or `subprotocol`) gets HTTP 401 with
/// the REST error body, and no session is opened.
fn refused_at_upgrade(test: &str, mode: &str) {
    let Some(py) = python(test, &["websockets"]) else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(py, "refused_upgrade.py", &[mock.ws_url(), "wrong".into(), mode.into()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "unexpected failure: {ctx}");
    assert_eq!(obs["upgraded"], false, "the upgrade was accepted: {ctx}");
    assert_eq!(obs["status"], 401, "{ctx}");
    let body = &obs["body_json"];
    assert_eq!(body["error_type"], "unauthenticated", "{ctx}");
    assert_eq!(body["status_code"], 401, "{ctx}");
    assert_eq!(s.route("GET /transcribe-websocket"), 1, "{ctx}");
    assert_eq!(
        (s.ws_sessions, s.ws_open_sessions),
        (0, 0),
        "a session was opened: {ctx}"
    );
}

#[test]
fn wrong_key_in_start_message_reported_in_band() {
    const ROUNDS: u64 = 10;
    let test = "wrong_key_in_start_message_reported_in_band";
    let Some(py) = python(test, &["websockets"]) else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        py,
        "inband_auth.py",
        &[mock.ws_url(), "wrong".into(), ROUNDS.to_string()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    let rounds = array(&obs["rounds"]);
    assert_eq!(rounds.len() as u64, ROUNDS, "{ctx}");
    for (i, r) in rounds.iter().enumerate() {
        let what = format!("round {i}: {r}");
        assert!(r["error"].is_null(), "{what}");
        let messages = array(&r["messages"]);
        assert_eq!(messages.len(), 1, "expected exactly the error message: {what}");
        assert_eq!(messages[0]["error_code"], 401, "{what}");
        assert_eq!(messages[0]["error_type"], "unauthenticated", "{what}");
        if !r["send_closed"].is_null() {
            // The server closed while audio was still being sent: fine, if cleanly.
            assert_eq!(r["send_closed"]["exception"], "ConnectionClosedOK", "{what}");
        }
        assert_clean_close(&r["close"], &what);
    }
    assert_eq!(s.ws_sessions, ROUNDS, "{ctx}");
    assert_eq!((s.ws_auth_failures, s.ws_finished), (ROUNDS, 0), "{ctx}");
}

// ----------------------------------------------------------------------------------------
// Node: fetch, then a WebSocket upgrade over the same kept-alive connection
// ----------------------------------------------------------------------------------------

#[test]
fn rest_then_stream_on_one_connection() {
    let Some(node) = node("rest_then_stream_on_one_connection") else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(
        node,
        "keepalive_upgrade.mjs",
        &[mock.base_url(), mock.ws_url(), mock.api_key()],
    );
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert_eq!(obs["models_status"], 200, "{ctx}");
    assert!(obs["models_count"].as_u64().unwrap_or(0) > 0, "{ctx}");
    assert_eq!(obs["opened"], true, "the WebSocket did not open: {ctx}");
    assert_eq!(obs["errors"], Value::Array(vec![]), "{ctx}");
    assert_eq!(obs["finished"], true, "no `finished: true` message: {ctx}");
    assert_eq!(obs["close"]["code"], 1000, "{ctx}");
    assert_eq!(obs["close"]["clean"], true, "{ctx}");
    assert_eq!(
        (s.ws_sessions, s.ws_finished, s.ws_audio_bytes),
        (1, 1, 32_000),
        "{ctx}"
    );
    // Otherwise undici dialed a second connection and this test proves nothing.
    assert_eq!(
        s.connections_accepted, 1,
        "the upgrade did not go over the fetch's kept-alive connection: {ctx}"
    );
}

// ----------------------------------------------------------------------------------------
// REST (Python requests)
// ----------------------------------------------------------------------------------------

#[test]
fn requests_rest_roundtrip() {
    let Some(py) = python("requests_rest_roundtrip", &["requests"]) else {
        return;
    };
    // Terminal at once, so that the DELETE never meets a `processing` job (409).
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Immediate)).expect("mock starts");
    let obs = run_script(py, "rest_requests.py", &[mock.base_url(), mock.api_key()]);
    let s = mock.stats();
    let ctx = context(&obs, &s);
    assert!(obs["error"].is_null(), "{ctx}");
    let status = &obs["status"];
    for (step, want) in [
        ("models", 200),
        ("upload", 201),
        ("create", 201),
        ("get", 200),
        ("delete_job", 204),
        ("delete_file", 204),
    ] {
        assert_eq!(status[step], want, "{step}: {ctx}");
    }
    assert_eq!(obs["job_file_id_matches"], true, "{ctx}");
    assert_eq!((s.uploads, s.unauthorized), (1, 0), "{ctx}");
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty(), "{ctx}");
    assert_eq!(
        s.connections_accepted, 1,
        "requests.Session did not keep its connection: {ctx}"
    );
}

// ----------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------

/// Asserts a Python `closed_info`: `ConnectionClosedOK` with a received close code 1000.
fn assert_clean_close(close: &Value, ctx: &str) {
    assert!(!close.is_null(), "the connection did not close: {ctx}");
    assert_eq!(close["exception"], "ConnectionClosedOK", "not a clean close: {ctx}");
    assert_eq!(close["rcvd_code"], 1000, "{ctx}");
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The observations and the mock's counters, for assertion messages.
fn context(obs: &Value, stats: &MockStats) -> String {
    format!("\nobservations: {obs:#}\nmock stats: {stats:#?}")
}

/// Whether `CI` is set (to anything but empty, `0` or `false`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A runtime is missing: one SKIPPED line (on the real stderr, so it is seen even when the
/// harness captures output), or a failure under CI.
fn unavailable(test: &str, reason: &str) {
    if in_ci() {
        panic!("interop {test}: {reason} (CI is set: a missing runtime is a failure)");
    }
    let _ = writeln!(std::io::stderr(), "interop: SKIPPED {test}: {reason}");
}

/// `python3` with `modules` importable (websockets >= 14.1 when asked for), or `None` after
/// [`unavailable`].
fn python(test: &str, modules: &[&str]) -> Option<Command> {
    let check = format!(
        "import re, sys\nimport {m}\nif 'websockets' in sys.modules:\n    v = websockets.__version__\n    \
         if tuple(map(int, re.findall(r'\\d+', v)[:2])) < (14, 1):\n        \
         sys.exit('websockets ' + v + ' < 14.1, whose sync client drops a message that came just before the close')",
        m = modules.join(", ")
    );
    match Command::new("python3").args(["-c", &check]).output() {
        Err(e) => unavailable(test, &format!("cannot run python3 (is it on PATH?): {e}")),
        Ok(out) if !out.status.success() => {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err.lines().last().unwrap_or("").trim();
            unavailable(
                test,
                &format!("python3 has no usable {modules:?} ({last}); pip install -r tests/interop/requirements.txt"),
            );
        }
        Ok(_) => return Some(Command::new("python3")),
    }
    None
}

/// `node` (with `--experimental-websocket` where needed, Node 20) with global `WebSocket` and
/// `fetch`, or `None` after [`unavailable`].
fn node(test: &str) -> Option<Command> {
    static FLAGS: OnceLock<Result<Vec<&'static str>, String>> = OnceLock::new();
    let flags = FLAGS.get_or_init(|| {
        let probe = "process.exit(typeof WebSocket === 'function' && typeof fetch === 'function' ? 0 : 1)";
        let mut last = String::new();
        for flags in [vec![], vec!["--experimental-websocket"]] {
            match Command::new("node").args(&flags).args(["-e", probe]).output() {
                Err(e) => return Err(format!("cannot run node (is it on PATH?): {e}")),
                Ok(out) if out.status.success() => return Ok(flags),
                Ok(out) => last = String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }
        }
        Err(format!(
            "node has no global WebSocket and fetch (Node >= 20 needed): {last}"
        ))
    });
    match flags {
        Ok(flags) => {
            let mut cmd = Command::new("node");
            cmd.args(flags);
            Some(cmd)
        }
        Err(reason) => {
            unavailable(test, reason);
            None
        }
    }
}

/// Runs `tests/interop/<script>` with `args` under `cmd`, killing it after [`SCRIPT_LIMIT`];
/// asserts it exited 0 and returns the JSON object on the last line of its stdout.
fn run_script(mut cmd: Command, script: &str, args: &[String]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(script);
    cmd.arg(&path)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{script}: cannot start: {e}"));
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = read_all(Box::new(child.stdout.take().expect("stdout piped")));
    let err = read_all(Box::new(child.stderr.take().expect("stderr piped")));
    let deadline = Instant::now() + SCRIPT_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    let Some(status) = status else {
        panic!("{script}: killed after {SCRIPT_LIMIT:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    };
    assert!(
        status.success(),
        "{script}: {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let obs: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{script}: no JSON on stdout ({e})\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    println!("{script}: {obs}");
    obs
}
