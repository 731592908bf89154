//! The realtime endpoint of the mock driven by the plain `tungstenite` crate over
//! `std::net::TcpStream`: proof that a third-party WebSocket client works unchanged.
//! Every read has a socket timeout and every loop a count bound; no test asserts on timing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use soniox::audio::{pcm_chunks, wav_bytes, WavSpec};
use soniox::mock::{transcript_text, Fault, FaultAction, MockConfig, MockServer, MockStats};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::{HeaderName, HeaderValue};
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<TcpStream>;

const READ_TIMEOUT: Duration = Duration::from_secs(10);

// ----------------------------------------------------------------------------------------
// Sessions
// ----------------------------------------------------------------------------------------

#[test]
fn upgrade_after_rest_requests_on_one_kept_alive_connection() {
    // As Node's undici does: REST requests, then the upgrade, on one connection.
    let mock = MockServer::start();
    let mut s = tcp(&mock);
    for _ in 0..2 {
        write!(
            s,
            "GET /v1/models HTTP/1.1\r\nHost: mock\r\nAuthorization: {}\r\n\r\n",
            bearer(&mock)
        )
        .unwrap();
        let (status, body) = read_http_response(&mut s);
        assert_eq!(status, 200);
        assert!(serde_json::from_slice::<Value>(&body).unwrap()["models"].is_array());
    }
    let mut request = mock.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", HeaderValue::from_str(&bearer(&mock)).unwrap());
    let (mut ws, response) = tungstenite::client(request, s).unwrap_or_else(|e| panic!("handshake failed: {e}"));
    assert_eq!(response.status(), 101);
    finish_short_session(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
    let s = settled(&mock);
    assert_eq!(
        (s.connections_accepted, s.requests, s.ws_sessions, s.ws_finished),
        (1, 3, 1, 1)
    );
}

#[test]
fn header_auth_full_session() {
    let mock = MockServer::start();
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
    let chunks: Vec<Vec<u8>> = pcm_chunks(WavSpec::default(), 4096, Duration::from_secs(3)).collect();
    let mut messages = Vec::new();
    let mut sent_bytes = 0u64;
    for chunk in &chunks {
        sent_bytes += chunk.len() as u64;
        let m = exchange(&mut ws, chunk);
        assert_eq!(m["total_audio_proc_ms"], sent_bytes * 1000 / 32_000);
        assert!(m.get("finished").is_none(), "{m}");
        messages.push(m);
    }
    ws.send(Message::binary(Vec::new())).unwrap();
    let last = recv_json(&mut ws);
    assert_eq!(last["finished"], true, "{last}");
    assert_eq!(last["total_audio_proc_ms"], 3000);
    messages.push(last);
    expect_clean_close(&mut ws);

    // Finals concatenate to the REST transcript; each word is final once; the tail is current.
    let mut finals = String::new();
    let mut final_ms = 0;
    for (i, m) in messages.iter().enumerate() {
        let decoded = soniox::core::realtime::decode_message(&m.to_string()).unwrap();
        assert_eq!(decoded.finished, i == messages.len() - 1);
        let tokens = m["tokens"].as_array().unwrap();
        let first_tail = tokens
            .iter()
            .position(|t| t["is_final"] == false)
            .unwrap_or(tokens.len());
        assert!(
            tokens[first_tail..].iter().all(|t| t["is_final"] == false),
            "finals first: {m}"
        );
        for t in tokens {
            assert!(t["start_ms"].as_u64().unwrap() < t["end_ms"].as_u64().unwrap());
            assert!((0.8..=0.99).contains(&t["confidence"].as_f64().unwrap()));
            assert!(t.get("speaker").is_none() && t.get("language").is_none());
            if t["is_final"] == true {
                finals.push_str(t["text"].as_str().unwrap());
            }
        }
        let f = m["final_audio_proc_ms"].as_u64().unwrap();
        assert!(f >= final_ms && f <= m["total_audio_proc_ms"].as_u64().unwrap());
        final_ms = f;
    }
    assert_eq!(finals, transcript_text(3000));
    assert_eq!(finals, "the quick brown fox jumps over");
    assert!(messages
        .iter()
        .any(|m| m["tokens"].as_array().unwrap().iter().any(|t| t["is_final"] == false)));

    let s = settled(&mock);
    assert_eq!(s.ws_sessions, 1);
    assert_eq!(s.ws_peak_sessions, 1);
    assert_eq!(s.ws_audio_frames, chunks.len() as u64);
    assert_eq!(s.ws_audio_bytes, 96_000);
    assert_eq!(s.ws_messages_sent, chunks.len() as u64 + 1);
    assert_eq!(s.ws_finished, 1);
    assert_eq!((s.ws_auth_failures, s.ws_keepalives, s.ws_finalizes), (0, 0, 0));
    assert_eq!(s.route("GET /transcribe-websocket"), 1);
}

#[test]
fn subprotocol_auth_selects_soniox_api_key() {
    let mock = MockServer::start();
    let offer = format!("soniox-api-key, {}", mock.api_key());
    let (mut ws, res) = connect(&mock, &[("Sec-WebSocket-Protocol", &offer)]);
    assert_eq!(res.headers().get("sec-websocket-protocol").unwrap(), "soniox-api-key");
    finish_short_session(
        &mut ws,
        json!({"model": "stt-rt-v4", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
}

#[test]
fn api_key_in_the_start_message() {
    let mock = MockServer::start();
    let (mut ws, res) = connect(&mock, &[]);
    assert!(res.headers().get("sec-websocket-protocol").is_none());
    finish_short_session(
        &mut ws,
        json!({"api_key": mock.api_key(), "model": "stt-rt-preview", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
}

#[test]
fn bad_or_missing_keys_get_401() {
    let mock = MockServer::start();
    let bad_on_upgrade = [
        [("Authorization", "Bearer wrong")],
        [("Authorization", "Basic mock-api-key")],
        [("Sec-WebSocket-Protocol", "soniox-api-key, wrong")],
    ];
    // A bad key on the upgrade: the upgrade is refused with the API's 401 body, no socket opens.
    for headers in bad_on_upgrade {
        let (status, body) = connect_refused(&mock, &headers);
        assert_eq!(status, 401);
        assert_eq!(
            (body["status_code"].as_u64(), body["error_type"].as_str()),
            (Some(401), Some("unauthenticated"))
        );
        assert!(body["request_id"].is_string(), "{body}");
    }
    // No key anywhere, or a bad one in the start message: after the start message.
    for start in [
        json!({"model": "stt-rt-v5"}),
        json!({"model": "stt-rt-v5", "api_key": "wrong"}),
    ] {
        let (mut ws, _) = connect(&mock, &[]);
        send_json(&mut ws, start);
        let e = recv_json(&mut ws);
        expect_error(&e, 401, "unauthenticated");
        assert_eq!(
            e["error_message"],
            "Incorrect API key provided. You can get an API key at https://console.soniox.com"
        );
        expect_clean_close(&mut ws);
    }
    let s = settled(&mock);
    assert_eq!((s.ws_sessions, s.ws_auth_failures, s.ws_finished), (2, 5, 0));

    // Configured for the in-band form instead: the socket opens and the 401 comes after the
    // start message (a client that sends it at once still reads the error), then a close.
    let mock = MockServer::start_with(MockConfig::default().ws_refuse_bad_header_key(false)).unwrap();
    for headers in bad_on_upgrade {
        let (mut ws, _) = connect(&mock, &headers);
        send_json(&mut ws, json!({"model": "stt-rt-v5"}));
        expect_error(&recv_json(&mut ws), 401, "unauthenticated");
        expect_clean_close(&mut ws);
    }
    let s = settled(&mock);
    assert_eq!((s.ws_sessions, s.ws_auth_failures, s.ws_finished), (3, 3, 0));
}

#[test]
fn temporary_keys() {
    let mock = MockServer::start();
    let pcm = json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1});
    let key = mint(
        &mock,
        r#"{"usage_type": "transcribe_websocket", "expires_in_seconds": 60}"#,
    );
    for _ in 0..2 {
        let (mut ws, _) = connect(&mock, &[("Authorization", &format!("Bearer {key}"))]);
        finish_short_session(&mut ws, pcm.clone());
    }
    // The deprecated start-message form takes temporary keys too.
    let (mut ws, _) = connect(&mock, &[]);
    let mut start = pcm.clone();
    start["api_key"] = json!(key);
    finish_short_session(&mut ws, start);

    let single = mint(
        &mock,
        r#"{"usage_type": "transcribe_websocket", "expires_in_seconds": 60, "single_use": true}"#,
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &format!("Bearer {single}"))]);
    finish_short_session(&mut ws, pcm.clone());
    let tts = mint(&mock, r#"{"usage_type": "tts_rt", "expires_in_seconds": 60}"#);
    let expiring = mint(
        &mock,
        r#"{"usage_type": "transcribe_websocket", "expires_in_seconds": 1}"#,
    );
    std::thread::sleep(Duration::from_millis(1100));
    // Used up, wrong scope, expired: refused at the upgrade, and in the start message.
    for refused in [&single, &tts, &expiring] {
        let (status, body) = connect_refused(&mock, &[("Authorization", &format!("Bearer {refused}"))]);
        assert_eq!((status, body["error_type"].as_str()), (401, Some("unauthenticated")));
        let (mut ws, _) = connect(&mock, &[]);
        let mut start = pcm.clone();
        start["api_key"] = json!(refused);
        send_json(&mut ws, start);
        expect_error(&recv_json(&mut ws), 401, "unauthenticated");
        expect_clean_close(&mut ws);
    }
    assert_eq!(settled(&mock).ws_auth_failures, 6);
}

#[test]
fn invalid_start_messages_get_400() {
    let mock = MockServer::start();
    let cases = [
        (
            json!({"model": "stt-async-v5"}),
            "model_not_available",
            "The requested model is not available.",
        ),
        (
            json!({"model": "whisper-1"}),
            "model_not_available",
            "The requested model is not available.",
        ),
        (
            json!({"model": "stt-rt-v5", "language_hints": ["en", "much-too-long"]}),
            "invalid_request",
            "Invalid language hint.",
        ),
        (
            json!({"model": "stt-rt-v5", "language_hints": vec!["en"; 101]}),
            "invalid_request",
            "Invalid language hint.",
        ),
    ];
    for (start, error_type, message) in cases {
        let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
        send_json(&mut ws, start);
        let e = recv_json(&mut ws);
        expect_error(&e, 400, error_type);
        assert_eq!(e["error_message"], message);
        expect_clean_close(&mut ws);
    }
    // Raw PCM without sample_rate / num_channels.
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000}),
    );
    expect_error(&recv_json(&mut ws), 400, "invalid_request");
    expect_clean_close(&mut ws);
}

#[test]
fn wav_audio_with_auto_format_diarization_and_language() {
    let mock = MockServer::start();
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "auto", "enable_speaker_diarization": true, "enable_language_identification": true}),
    );
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(4000));
    let mut finals = Vec::new();
    for chunk in wav.chunks(4096) {
        finals.extend(final_tokens(&exchange(&mut ws, chunk)));
    }
    ws.send(Message::text("")).unwrap();
    let last = recv_json(&mut ws);
    assert_eq!(
        (last["finished"].clone(), last["total_audio_proc_ms"].clone()),
        (json!(true), json!(4000))
    );
    finals.extend(final_tokens(&last));
    expect_clean_close(&mut ws);
    let text: String = finals.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(text, transcript_text(4000));
    let speakers: Vec<&str> = finals.iter().map(|t| t["speaker"].as_str().unwrap()).collect();
    assert_eq!(speakers, ["1", "1", "1", "1", "2", "2", "2", "2"]);
    assert!(finals.iter().all(|t| t["language"] == "en"));
}

#[test]
fn finalize_answers_with_fin() {
    let mock = MockServer::start();
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
    let mut finals = Vec::new();
    for chunk in pcm_chunks(WavSpec::default(), 4000, Duration::from_millis(1000)) {
        finals.extend(final_tokens(&exchange(&mut ws, &chunk)));
    }
    send_json(&mut ws, json!({"type": "finalize", "trailing_silence_ms": 300}));
    let m = recv_json(&mut ws);
    let tokens = m["tokens"].as_array().unwrap();
    assert!(tokens.iter().all(|t| t["is_final"] == true), "{m}");
    assert_eq!(tokens.last().unwrap(), &json!({"text": "<fin>", "is_final": true}));
    finals.extend(final_tokens(&m));
    let text: String = finals.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(text, "the quick<fin>");
    // The stream goes on after a finalize.
    for chunk in pcm_chunks(WavSpec::default(), 4000, Duration::from_millis(1000)) {
        exchange(&mut ws, &chunk);
    }
    ws.send(Message::binary(Vec::new())).unwrap();
    assert_eq!(recv_json(&mut ws)["finished"], true);
    expect_clean_close(&mut ws);
    assert_eq!(settled(&mock).ws_finalizes, 1);
}

#[test]
fn endpoint_detection_sends_end_after_every_eighth_final_word() {
    let mock = MockServer::start();
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(
        &mut ws,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1, "enable_endpoint_detection": true}),
    );
    let mut finals = Vec::new();
    for chunk in pcm_chunks(WavSpec::default(), 4096, Duration::from_millis(8000)) {
        finals.extend(final_tokens(&exchange(&mut ws, &chunk)));
    }
    ws.send(Message::binary(Vec::new())).unwrap();
    finals.extend(final_tokens(&recv_json(&mut ws)));
    expect_clean_close(&mut ws);
    let texts: Vec<&str> = finals.iter().map(|t| t["text"].as_str().unwrap()).collect();
    let ends: Vec<usize> = texts
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == "<end>")
        .map(|(i, _)| i)
        .collect();
    // 16 words: <end> after the 8th (index 8) and the 16th (index 8 + 1 + 8).
    assert_eq!(ends, [8, 17], "{texts:?}");
    assert_eq!(finals[8], json!({"text": "<end>", "is_final": true}));
    let words: String = texts.iter().filter(|t| **t != "<end>").copied().collect();
    assert_eq!(words, transcript_text(8000));
}

#[test]
fn keepalives_hold_the_idle_timer_and_silence_gets_408() {
    // Idle timeout 1 s; 15 keepalives 100 ms apart, then audio: 1.5 s on keepalives alone,
    // past the timeout (each sleep lasts at least its 100 ms, however busy the machine).
    // Surviving needs each message to reach the mock less than 1 s after the one before: it
    // restarts its timer when it reads one, and reads a waiting frame before its timer. The
    // test times its own sends; a run in which two may have been 1 s apart (the machine
    // stalled for 0.9 s) proves nothing either way, so it is dropped and run again (at most
    // 3 runs). The facts asserted never depend on how fast the machine is.
    const IDLE: Duration = Duration::from_secs(1);
    const KEEPALIVES: u64 = 15;
    let mock = MockServer::start_with(MockConfig::default().ws_idle_timeout(IDLE)).unwrap();
    let pcm = json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1});
    let chunk: Vec<u8> = pcm_chunks(WavSpec::default(), 4096, Duration::from_millis(128))
        .flatten()
        .collect();
    let mut conclusive = false;
    for _run in 0..3 {
        let before = settled(&mock).ws_keepalives;
        let mut paced = Paced::new(IDLE); // the session's timer starts before the upgrade returns
        let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
        let held = paced.send(&mut ws, Message::text(pcm.to_string()))
            && (0..KEEPALIVES).all(|_| {
                std::thread::sleep(Duration::from_millis(100));
                paced.send(&mut ws, Message::text(json!({"type": "keepalive"}).to_string()))
            })
            && paced.send(&mut ws, Message::binary(chunk.clone()));
        if !held {
            drop(ws);
            continue;
        }
        let m = recv_json(&mut ws);
        assert!(
            m.get("error_code").is_none(),
            "the session survived 1.5 s on keepalives: {m}"
        );
        assert_eq!(m["total_audio_proc_ms"], 128);
        if !paced.send(&mut ws, Message::text("")) {
            drop(ws);
            continue;
        }
        assert_eq!(recv_json(&mut ws)["finished"], true);
        expect_clean_close(&mut ws);
        assert_eq!(settled(&mock).ws_keepalives - before, KEEPALIVES);
        conclusive = true;
        break;
    }
    assert!(conclusive, "the machine stalled for 0.9 s or more in each of 3 runs");

    // Without keepalives the session times out.
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm);
    expect_error(&recv_json(&mut ws), 408, "request_timeout");
    expect_clean_close(&mut ws);
}

/// Sends messages of one session, timing each against the one before: for the mock's idle
/// timer, what matters is how far apart they reached it, which is at most from the start of
/// the earlier send to the end of the later one.
struct Paced {
    idle: Duration,
    last_start: Instant,
}

impl Paced {
    fn new(idle: Duration) -> Paced {
        Paced {
            idle,
            last_start: Instant::now(),
        }
    }

    /// Sends `m`: true when it went out less than `idle` after the previous message (or the
    /// upgrade), false when they may have been `idle` or more apart (nothing is asserted then:
    /// the idle timer may rightly have fired, and the send may have failed for it).
    fn send(&mut self, ws: &mut Ws, m: Message) -> bool {
        let start = Instant::now();
        let sent = ws.send(m);
        if self.last_start.elapsed() >= self.idle {
            return false;
        }
        sent.unwrap();
        self.last_start = start;
        true
    }
}

#[test]
fn too_many_streams_get_429() {
    let mock = MockServer::start_with(MockConfig::default().max_concurrent_streams(2)).unwrap();
    let auth = bearer(&mock);
    let (mut first, _) = connect(&mock, &[("Authorization", &auth)]);
    let (_second, _) = connect(&mock, &[("Authorization", &auth)]);
    let (mut third, _) = connect(&mock, &[("Authorization", &auth)]);
    // The 429 answers the start message (so a client sending it at once still reads it).
    send_json(&mut third, json!({"model": "stt-rt-v5"}));
    expect_error(&recv_json(&mut third), 429, "limit_exceeded");
    expect_clean_close(&mut third);
    assert_eq!(mock.stats().ws_peak_sessions, 3);

    first.close(None).unwrap();
    assert!(matches!(recv(&mut first), Got::Closed(_) | Got::Gone(_)));
    wait_for(&mock, |s| s.ws_open_sessions == 1);
    let (mut fourth, _) = connect(&mock, &[("Authorization", &auth)]);
    finish_short_session(
        &mut fourth,
        json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}),
    );
}

#[test]
fn shutdown_ends_open_sessions() {
    let mock = MockServer::start();
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, json!({"model": "stt-rt-v5"}));
    mock.shutdown();
    assert!(matches!(recv(&mut ws), Got::Gone(_)));
}

// ----------------------------------------------------------------------------------------
// Faults
// ----------------------------------------------------------------------------------------

#[test]
fn fault_drop_after_n_messages() {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::WsDropAfter { messages: 2 })
            .on("GET", "/transcribe-websocket")
            .times(1),
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    let mut got = 0;
    for chunk in pcm_chunks(WavSpec::default(), 4096, Duration::from_secs(2)) {
        if ws.send(Message::binary(chunk)).is_err() {
            break;
        }
        match recv(&mut ws) {
            Got::Json(_) => got += 1,
            Got::Closed(code) => panic!("a close frame ({code:?}) instead of a drop"),
            Got::Gone(why) => {
                eprintln!("dropped as expected: {why}");
                break;
            }
            Got::NotJson(t) => panic!("{t}"),
        }
    }
    assert_eq!(got, 2);
    // `times(1)`: the next session is normal.
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    finish_short_session(&mut ws, pcm_start());
    assert_eq!(settled(&mock).faults_injected, 1);
}

#[test]
fn fault_delay_each_message() {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::WsDelay(Duration::from_millis(50))).on("", "/transcribe-websocket"));
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    finish_short_session(&mut ws, pcm_start());
    assert_eq!(settled(&mock).faults_injected, 1);
}

#[test]
fn fault_error_after_n_messages() {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::WsErrorAfter {
            messages: 1,
            code: 503,
            error_type: "service_unavailable".into(),
        })
        .on("GET", "/transcribe-websocket"),
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    let chunk: Vec<u8> = vec![0; 4096];
    assert!(exchange(&mut ws, &chunk)["tokens"].is_array());
    let e = recv_json(&mut ws);
    expect_error(&e, 503, "service_unavailable");
    assert_eq!(
        e["error_message"],
        "Cannot continue request (code 11). Please restart the request."
    );
    expect_clean_close(&mut ws);

    // With 0 messages the error follows the start message at once.
    mock.clear_faults();
    mock.add_fault(Fault::new(FaultAction::WsErrorAfter {
        messages: 0,
        code: 500,
        error_type: "internal_error".into(),
    }));
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    expect_error(&recv_json(&mut ws), 500, "internal_error");
    expect_clean_close(&mut ws);
}

#[test]
fn fault_stall_backs_up_the_client_and_ends_when_it_leaves() {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::WsStall)
            .on("GET", "/transcribe-websocket")
            .times(1),
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    ws.get_ref()
        .set_write_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let frame = vec![0u8; 64 * 1024];
    let mut blocked = false;
    for _ in 0..4096 {
        // Up to 256 MiB: far beyond any loopback socket buffer.
        if ws.send(Message::binary(frame.clone())).is_err() {
            blocked = true;
            break;
        }
    }
    assert!(blocked, "the writes never backed up");
    assert_eq!(mock.stats().ws_messages_sent, 0);
    drop(ws);
    wait_for(&mock, |s| s.ws_open_sessions == 0);
    assert_eq!(mock.stats().ws_audio_frames, 0);
}

#[test]
fn fault_never_finish_keeps_the_session_open() {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::WsNeverFinish)
            .on("GET", "/transcribe-websocket")
            .times(1),
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    exchange(&mut ws, &[0u8; 4096]);
    ws.send(Message::binary(Vec::new())).unwrap();
    ws.get_ref().set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    match ws.read() {
        Err(tungstenite::Error::Io(e)) => assert!(
            matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
            "{e}"
        ),
        other => panic!("expected silence, got {other:?}"),
    }
    assert_eq!(mock.stats().ws_open_sessions, 1);
    ws.get_ref().set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    ws.close(None).unwrap();
    assert!(matches!(recv(&mut ws), Got::Closed(_) | Got::Gone(_)));
    let s = settled(&mock);
    assert_eq!((s.ws_finished, s.ws_messages_sent), (0, 1));
}

#[test]
fn http_level_faults_refuse_the_upgrade_and_malformed_body_garbles_the_first_message() {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 503,
            retry_after: Some("1".into()),
        })
        .on("GET", "/transcribe-websocket")
        .times(1),
    );
    let mut request = mock.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", HeaderValue::from_str(&bearer(&mock)).unwrap());
    match tungstenite::client(request, tcp(&mock)) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(res))) => {
            assert_eq!(res.status(), 503);
            assert_eq!(res.headers().get("retry-after").unwrap(), "1");
        }
        other => panic!("expected an HTTP 503, got {:?}", other.map(|_| ())),
    }

    mock.add_fault(
        Fault::new(FaultAction::MalformedBody)
            .on("GET", "/transcribe-websocket")
            .times(1),
    );
    let (mut ws, _) = connect(&mock, &[("Authorization", &bearer(&mock))]);
    send_json(&mut ws, pcm_start());
    ws.send(Message::binary(vec![0u8; 4096])).unwrap();
    assert!(matches!(recv(&mut ws), Got::NotJson(_)));
    expect_clean_close(&mut ws);
}

// ----------------------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------------------

fn bearer(mock: &MockServer) -> String {
    format!("Bearer {}", mock.api_key())
}

fn pcm_start() -> Value {
    json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1})
}

fn tcp(mock: &MockServer) -> TcpStream {
    let tcp = TcpStream::connect(mock.addr()).unwrap();
    tcp.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
    tcp.set_nodelay(true).unwrap();
    tcp
}

/// Opens a session with extra upgrade headers.
fn connect(mock: &MockServer, headers: &[(&str, &str)]) -> (Ws, tungstenite::handshake::client::Response) {
    let mut request = mock.ws_url().into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    tungstenite::client(request, tcp(mock)).unwrap_or_else(|e| panic!("handshake failed: {e}"))
}

/// An upgrade the server refuses: its HTTP status and JSON body.
fn connect_refused(mock: &MockServer, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = mock.ws_url().into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    match tungstenite::client(request, tcp(mock)) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            let body = response.body().as_deref().unwrap_or_default();
            let json = serde_json::from_slice(body).unwrap_or_else(|e| panic!("body not JSON ({e}): {body:?}"));
            (response.status().as_u16(), json)
        }
        Err(e) => panic!("expected an HTTP refusal, got {e}"),
        Ok(_) => panic!("expected an HTTP refusal, the upgrade succeeded"),
    }
}

fn send_json(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).unwrap();
}

/// What the next data frame was.
#[derive(Debug)]
enum Got {
    Json(Value),
    NotJson(String),
    Closed(Option<u16>),
    Gone(String),
}

fn recv(ws: &mut Ws) -> Got {
    for _ in 0..1000 {
        match ws.read() {
            Ok(Message::Text(t)) => {
                return match serde_json::from_str(t.as_str()) {
                    Ok(v) => Got::Json(v),
                    Err(_) => Got::NotJson(t.to_string()),
                }
            }
            Ok(Message::Close(frame)) => return Got::Closed(frame.map(|f| u16::from(f.code))),
            Ok(Message::Binary(b)) => panic!("unexpected binary frame of {} bytes", b.len()),
            Ok(_) => continue,
            Err(e) => return Got::Gone(e.to_string()),
        }
    }
    panic!("more than 1000 control frames in a row");
}

fn recv_json(ws: &mut Ws) -> Value {
    match recv(ws) {
        Got::Json(v) => v,
        other => panic!("expected a JSON message, got {other:?}"),
    }
}

/// Sends one audio frame and returns the result message it gets.
fn exchange(ws: &mut Ws, audio: &[u8]) -> Value {
    ws.send(Message::binary(audio.to_vec())).unwrap();
    let m = recv_json(ws);
    assert!(m.get("error_code").is_none(), "{m}");
    m
}

/// The server's close frame (1000), then the end of the connection.
fn expect_clean_close(ws: &mut Ws) {
    match recv(ws) {
        Got::Closed(code) => assert_eq!(code, Some(1000)),
        other => panic!("expected a close frame, got {other:?}"),
    }
    for _ in 0..100 {
        match ws.read() {
            Ok(_) => continue,
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => return,
            Err(e) => panic!("unclean end after the close frame: {e}"),
        }
    }
    panic!("the connection did not end after the close frame");
}

fn expect_error(v: &Value, code: u16, error_type: &str) {
    assert_eq!(v["error_code"], code, "{v}");
    assert_eq!(v["error_type"], error_type, "{v}");
    assert_eq!(v["tokens"], json!([]));
    assert!(v["error_message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(v["request_id"].as_str().map(str::len), Some(36), "{v}");
}

fn final_tokens(m: &Value) -> Vec<Value> {
    let tokens = m["tokens"].as_array().unwrap();
    tokens.iter().filter(|t| t["is_final"] == true).cloned().collect()
}

/// Half a second of audio, then the end-of-audio frame: `finished`, clean close.
fn finish_short_session(ws: &mut Ws, start: Value) {
    send_json(ws, start);
    let mut finals = Vec::new();
    for chunk in pcm_chunks(WavSpec::default(), 4096, Duration::from_millis(1000)) {
        finals.extend(final_tokens(&exchange(ws, &chunk)));
    }
    ws.send(Message::text("")).unwrap();
    let last = recv_json(ws);
    assert_eq!(last["finished"], true, "{last}");
    // The closing message closes the books: everything processed is final.
    assert_eq!(
        (
            last["final_audio_proc_ms"].as_u64(),
            last["total_audio_proc_ms"].as_u64()
        ),
        (Some(1000), Some(1000))
    );
    finals.extend(final_tokens(&last));
    expect_clean_close(ws);
    let text: String = finals.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(text, transcript_text(1000));
}

/// Reads one HTTP/1.1 response with a `Content-Length` body: its status and body.
fn read_http_response(s: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert!(head.len() < 16 * 1024, "response head too long");
        s.read_exact(&mut byte).expect("read the response head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("read the response body");
    (status, body)
}

/// Mints a temporary key over plain HTTP/1.1.
fn mint(mock: &MockServer, body: &str) -> String {
    let mut s = tcp(mock);
    write!(
        s,
        "POST /v1/auth/temporary-api-key HTTP/1.1\r\nHost: mock\r\nAuthorization: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        bearer(mock),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let (_, json) = response.split_once("\r\n\r\n").unwrap();
    let v: Value = serde_json::from_str(json).unwrap();
    v["api_key"].as_str().unwrap().to_string()
}

/// Waits (at most 10 s) until `ok` holds for the stats.
fn wait_for(mock: &MockServer, ok: impl Fn(&MockStats) -> bool) -> MockStats {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = mock.stats();
        if ok(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "stats never settled: {s:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The stats once every session has ended.
fn settled(mock: &MockServer) -> MockStats {
    wait_for(mock, |s| s.ws_open_sessions == 0)
}
