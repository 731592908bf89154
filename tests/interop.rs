//! Interop: the mock driven by clients this project did not write — Python's `websockets`
//! and `requests`, Node's built-in `fetch` and `WebSocket` (undici). Each test starts the mock
//! in-process, runs a script from `tests/interop/` as a child process (killed after
//! [`SCRIPT_LIMIT`](common_interop::SCRIPT_LIMIT)), and asserts on the one JSON object of
//! observations the script prints, together with the mock's own counters (the helpers are
//! shared with `tests/interop_sdk.rs` in `tests/common_interop/`).
//!
//! A missing runtime (python3, its modules from `tests/interop/requirements.txt`, node with a
//! `WebSocket` global) skips the test with one `interop: SKIPPED <test>: <reason>` line on
//! stderr, unless `CI` is set: then it fails the test. No assertion involves timing.

mod common_interop;

use common_interop::{array, context, node, python, run_script};
use serde_json::Value;
use soniox::mock::{JobTiming, MockConfig, MockServer, MockTls};

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
    requests_roundtrip("requests_rest_roundtrip", None);
}

/// The same over https: `requests` (urllib3 on OpenSSL, a TLS stack we did not write)
/// verifies the TLS mock's certificate against the mock's CA (`verify=CA_FILE`) and keeps
/// its one TLS connection.
#[test]
fn requests_rest_roundtrip_over_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    requests_roundtrip("requests_rest_roundtrip_over_tls", Some(dir.path()));
}

/// `requests` through the REST lifecycle against a plain mock, or (with `tls_dir`, where
/// the CA file goes) a TLS mock whose CA it trusts.
fn requests_roundtrip(test: &str, tls_dir: Option<&std::path::Path>) {
    let Some(py) = python(test, &["requests"]) else {
        return;
    };
    // Terminal at once, so that the DELETE never meets a `processing` job (409).
    let mut config = MockConfig::default().job_timing(JobTiming::Immediate);
    if tls_dir.is_some() {
        config = config.tls(MockTls::new());
    }
    let mock = MockServer::start_with(config).expect("mock starts");
    let mut args = vec![mock.base_url(), mock.api_key()];
    if let Some(dir) = tls_dir {
        let ca = dir.join("mock-ca.pem");
        std::fs::write(&ca, mock.ca_pem()).expect("CA file written");
        args.push(ca.display().to_string());
    }
    let obs = run_script(py, "rest_requests.py", &args);
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
    if tls_dir.is_some() {
        assert!(mock.base_url().starts_with("https://"), "{ctx}");
        assert_eq!((s.tls_handshakes, s.tls_handshake_failures), (1, 0), "{ctx}");
    }
}

/// Python's `http.client` (a client and a response parser we did not write) sends the heads
/// the mock's head guard refuses (a non-ASCII header value, chunked trailers, a head over
/// 8 KiB): each gets the API's JSON error and `Connection: close`, never a crash or silence,
/// and the server still serves a plain request afterwards.
#[test]
fn http_client_gets_answers_to_heads_the_mock_refuses() {
    let Some(py) = python("http_client_gets_answers_to_heads_the_mock_refuses", &["http.client"]) else {
        return;
    };
    let mock = MockServer::start();
    let obs = run_script(py, "bad_heads.py", &[mock.base_url(), mock.api_key()]);
    let ctx = context(&obs, &mock.stats());
    assert!(obs["error"].is_null(), "{ctx}");
    for (case, status) in [("non_ascii_header", 400), ("chunked_trailers", 400), ("long_head", 431)] {
        let got = &obs[case];
        assert_eq!(got["status"], status, "{case}: {ctx}");
        assert_eq!(got["status_code"], status, "{case}: {ctx}");
        assert_eq!(got["error_type"], "invalid_request", "{case}: {ctx}");
        assert_eq!(got["connection"], "close", "{case}: {ctx}");
    }
    assert_eq!(obs["after"]["status"], 200, "{ctx}");
}

/// `requests` (urllib3: a CONNECT and `Proxy-Authorization` we did not write) through the
/// mock's CONNECT proxy, credentials in the proxy URL, to the TLS mock: one tunnel, kept for
/// three requests; the proxy checked the credentials (its Basic decoding is its own).
#[test]
fn requests_through_the_mock_connect_proxy_over_tls() {
    let Some(py) = python("requests_through_the_mock_connect_proxy_over_tls", &["requests"]) else {
        return;
    };
    let (mock, dir) = (MockServer::start_tls(), tempfile::tempdir().expect("temp dir"));
    let proxy = soniox::mock::ConnectProxy::start_with_auth("py", "s3cr:et");
    let ca = dir.path().join("mock-ca.pem");
    std::fs::write(&ca, mock.ca_pem()).expect("CA file written");
    let url = format!("http://py:s3cr%3Aet@{}", proxy.addr());
    let obs = run_script(
        py,
        "proxy_requests.py",
        &[mock.base_url(), mock.api_key(), url, ca.display().to_string()],
    );
    let s = mock.stats();
    let ctx = format!(
        "{} proxy: {:?} {:?}",
        context(&obs, &s),
        proxy.stats(),
        proxy.connects()
    );
    assert!(obs["error"].is_null(), "{ctx}");
    assert_eq!(obs["status"], serde_json::json!([200, 200, 200]), "{ctx}");
    let p = proxy.stats();
    assert_eq!((p.tunnels, p.auth_failures, p.refused), (1, 0, 0), "{ctx}");
    assert_eq!(proxy.connects()[0].target, mock.addr().to_string(), "{ctx}");
    assert_eq!(
        (s.connections_accepted, s.tls_handshakes, s.route("GET /v1/models")),
        (1, 1, 3),
        "{ctx}"
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
