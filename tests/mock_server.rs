//! The mock server driven by a hand-written HTTP/1.1 client over `std::net::TcpStream`:
//! proof that any third-party client can use it unchanged. Helpers are at the bottom.

use std::time::Duration;

use serde_json::{json, Value};
use soniox::audio::{wav_bytes, WavSpec};
use soniox::mock::{checksum, transcript_text, Fault, FaultAction, JobTiming, MockConfig, MockServer};

#[test]
fn bad_key_gets_the_exact_401_body() {
    let mock = MockServer::start();
    for auth in [Some("Bearer wrong-key"), Some("Basic mock-api-key"), None] {
        let res = call(&mock, "GET", "/v1/files", auth, b"");
        assert_eq!(res.status, 401);
        assert_eq!(res.header("content-type"), Some("application/json"));
        let body = res.json();
        let request_id = body["request_id"].as_str().unwrap().to_string();
        assert!(is_uuid(&request_id), "{request_id}");
        assert_eq!(
            body,
            json!({
                "status_code": 401,
                "error_type": "unauthenticated",
                "message": "Incorrect API key provided. You can get an API key at https://console.soniox.com",
                "validation_errors": [],
                "request_id": request_id,
                "more_info": "https://soniox.com/docs/api-reference/errors#unauthenticated",
            })
        );
    }
    assert_eq!(mock.stats().unauthorized, 3);
}

#[test]
fn temporary_keys_are_minted_but_refused_on_rest() {
    let mock = MockServer::start();
    let body = br#"{"usage_type": "transcribe_websocket", "expires_in_seconds": 300}"#;
    let res = call(&mock, "POST", "/v1/auth/temporary-api-key", Some(&bearer(&mock)), body);
    assert_eq!(res.status, 201);
    let key = res.json()["api_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("temp:"), "{key}");
    assert!(res.json()["expires_at"].as_str().unwrap().ends_with('Z'));
    let res = call(&mock, "GET", "/v1/models", Some(&format!("Bearer {key}")), b"");
    assert_eq!(res.status, 401);

    let bad = br#"{"usage_type": "transcribe_websocket", "expires_in_seconds": 3601}"#;
    let res = call(&mock, "POST", "/v1/auth/temporary-api-key", Some(&bearer(&mock)), bad);
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["validation_errors"],
        json!([{"error_type": "less_than_equal", "location": "body.payload.expires_in_seconds",
                "message": "Input should be less than or equal to 3600"}])
    );
}

#[test]
fn upload_a_wav_file() {
    let mock = MockServer::start();
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(1500));
    let res = upload(&mock, "hello.wav", &wav, Some("my-ref"));
    assert_eq!(res.status, 201);
    let file = res.json();
    assert_eq!(file["filename"], "hello.wav");
    assert_eq!(file["size"], wav.len());
    assert_eq!(file["client_reference_id"], "my-ref");
    assert!(file["created_at"].as_str().unwrap().ends_with('Z'));

    let stored = mock.files();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, file["id"].as_str().unwrap());
    assert_eq!(stored[0].checksum, checksum(&wav));
    assert_eq!(stored[0].size, wav.len() as u64);
    assert_eq!(stored[0].audio_duration_ms, 1500);

    let stats = mock.stats();
    assert_eq!((stats.uploads, stats.upload_bytes), (1, wav.len() as u64));
    assert_eq!(stats.route("POST /v1/files"), 1);
    assert!(stats.request_body_bytes > wav.len() as u64);
    assert_eq!(stats.peak_concurrent_uploads, 1);

    let res = call(
        &mock,
        "GET",
        &format!("/v1/files/{}", stored[0].id),
        Some(&bearer(&mock)),
        b"",
    );
    assert_eq!(res.json(), file);
    assert_eq!(mock.stats().route("GET /v1/files/{id}"), 1);
}

#[test]
fn upload_errors() {
    let mock = MockServer::start_with(MockConfig::default().max_upload_bytes(1000)).unwrap();
    // A multipart body without a `file` part.
    let body = b"--XB\r\nContent-Disposition: form-data; name=\"client_reference_id\"\r\n\r\nx\r\n--XB--\r\n";
    let res = call_with(&mock, "POST", "/v1/files", MULTIPART_XB, body);
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["validation_errors"],
        json!([{"error_type": "missing", "location": "file.file", "message": "Field required"}])
    );
    let res = upload(&mock, "big.bin", &[7u8; 5000], None);
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["error_type"], "invalid_request");
    assert!(mock.files().is_empty());
}

#[test]
fn job_lifecycle_to_transcript() {
    let config = MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 2,
    });
    let mock = MockServer::start_with(config).unwrap();
    let wav = wav_bytes(WavSpec::default(), Duration::from_secs(3));
    let file_id = upload(&mock, "talk.wav", &wav, None).json()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let create = json!({"model": "stt-async-v5", "file_id": file_id, "enable_speaker_diarization": true,
                        "webhook_url": "https://example.com/hook", "webhook_auth_header_name": "X-Secret",
                        "webhook_auth_header_value": "s3cret", "client_reference_id": "job-1"});
    let res = call(
        &mock,
        "POST",
        "/v1/transcriptions",
        Some(&bearer(&mock)),
        create.to_string().as_bytes(),
    );
    assert_eq!(res.status, 201);
    let job = res.json();
    assert_eq!(job["status"], "queued");
    assert_eq!(job["filename"], "talk.wav");
    assert_eq!(job["webhook_auth_header_value"], "*".repeat(18));
    assert_eq!(job["client_reference_id"], "job-1");
    let id = job["id"].as_str().unwrap().to_string();
    let path = format!("/v1/transcriptions/{id}");

    let early = call(&mock, "GET", &format!("{path}/transcript"), Some(&bearer(&mock)), b"");
    assert_eq!(early.status, 409);
    assert_eq!(early.json()["error_type"], "transcription_invalid_state");

    let mut seen = Vec::new();
    for _ in 0..10 {
        let status = call(&mock, "GET", &path, Some(&bearer(&mock)), b"").json()["status"].clone();
        if status == "processing" && !seen.contains(&"processing".to_string()) {
            let del = call(&mock, "DELETE", &path, Some(&bearer(&mock)), b"");
            assert_eq!(del.status, 409);
            assert_eq!(
                del.json()["message"],
                "Cannot delete transcription with processing status."
            );
        }
        seen.push(status.as_str().unwrap().to_string());
        if status == "completed" {
            break;
        }
    }
    assert_eq!(seen, ["queued", "processing", "processing", "completed"]);

    let transcript = call(&mock, "GET", &format!("{path}/transcript"), Some(&bearer(&mock)), b"").json();
    let tokens = transcript["tokens"].as_array().unwrap();
    assert!(!tokens.is_empty());
    let joined: String = tokens.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(transcript["text"], joined.as_str());
    assert_eq!(joined, transcript_text(3000));
    assert!(tokens.iter().all(|t| t["speaker"] == "1" || t["speaker"] == "2"));

    assert_eq!(call(&mock, "DELETE", &path, Some(&bearer(&mock)), b"").status, 204);
    assert_eq!(call(&mock, "GET", &path, Some(&bearer(&mock)), b"").status, 404);
    assert_eq!(mock.stats().route("GET /v1/transcriptions/{id}/transcript"), 2);
}

#[test]
fn failing_and_invalid_jobs() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Immediate)).unwrap();
    let file_id = upload(&mock, "corrupt.wav", b"not audio", None).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let create = json!({"model": "stt-async-v4", "file_id": file_id});
    let job = call(
        &mock,
        "POST",
        "/v1/transcriptions",
        Some(&bearer(&mock)),
        create.to_string().as_bytes(),
    )
    .json();
    assert_eq!(job["status"], "error");
    assert_eq!(job["error_type"], "invalid_audio_file");
    assert_eq!(job["model"], "stt-async-v5");

    let bad_model = json!({"model": "stt-rt-v5", "audio_url": "https://example.com/a.mp3"});
    let res = call(
        &mock,
        "POST",
        "/v1/transcriptions",
        Some(&bearer(&mock)),
        bad_model.to_string().as_bytes(),
    );
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["validation_errors"],
        json!([{"error_type": "value_error", "location": "body.payload.model", "message": "Invalid model"}])
    );
    let unknown = json!({"model": "stt-async-v5", "file_id": "00000000-0000-4000-8000-000000000000"});
    let res = call(
        &mock,
        "POST",
        "/v1/transcriptions",
        Some(&bearer(&mock)),
        unknown.to_string().as_bytes(),
    );
    assert_eq!(
        (res.status, res.json()["error_type"].clone()),
        (404, json!("file_not_found"))
    );
}

#[test]
fn pending_job_limit() {
    let config = MockConfig::default().max_pending_jobs(2).job_timing(JobTiming::Polls {
        queued: 5,
        processing: 5,
    });
    let mock = MockServer::start_with(config).unwrap();
    let create = json!({"model": "stt-async-v5", "audio_url": "https://example.com/a.mp3"}).to_string();
    let statuses: Vec<u16> = (0..3)
        .map(|_| {
            call(
                &mock,
                "POST",
                "/v1/transcriptions",
                Some(&bearer(&mock)),
                create.as_bytes(),
            )
            .status
        })
        .collect();
    assert_eq!(statuses, [201, 201, 429]);
    assert_eq!(mock.transcriptions().len(), 2);
}

#[test]
fn pagination_over_25_files() {
    let mock = MockServer::start();
    for i in 0..25 {
        assert_eq!(upload(&mock, &format!("f{i}.bin"), &[i as u8; 10], None).status, 201);
    }
    let mut ids = Vec::new();
    let mut path = "/v1/files?limit=10".to_string();
    let mut pages = 0;
    loop {
        let page = call(&mock, "GET", &path, Some(&bearer(&mock)), b"").json();
        pages += 1;
        ids.extend(
            page["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
        match page["next_page_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/files?limit=10&cursor={cursor}"),
            None => {
                assert_eq!(page["next_page_cursor"], Value::Null);
                break;
            }
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    let stored: Vec<String> = mock.files().into_iter().map(|f| f.id).collect();
    assert_eq!(ids, stored);
    let count = call(&mock, "GET", "/v1/files/count", Some(&bearer(&mock)), b"").json();
    assert_eq!(count, json!({"total": 25, "public_api": 25, "playground": 0}));
}

#[test]
fn invalid_cursor_and_limit() {
    let mock = MockServer::start();
    let res = call(
        &mock,
        "GET",
        "/v1/transcriptions?cursor=garbage",
        Some(&bearer(&mock)),
        b"",
    );
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["error_type"], "invalid_cursor");
    for limit in ["0", "1001", "x"] {
        let res = call(
            &mock,
            "GET",
            &format!("/v1/files?limit={limit}"),
            Some(&bearer(&mock)),
            b"",
        );
        assert_eq!(res.status, 400, "limit={limit}");
        assert_eq!(res.json()["error_type"], "invalid_request");
        assert_eq!(res.json()["validation_errors"][0]["location"], "query.limit");
    }
}

#[test]
fn routing_errors_and_models() {
    let mock = MockServer::start();
    let res = call(&mock, "GET", "/v1/nope", Some(&bearer(&mock)), b"");
    assert_eq!((res.status, res.json()["status_code"].clone()), (404, json!(404)));
    let res = call(&mock, "PUT", "/v1/models", Some(&bearer(&mock)), b"");
    assert_eq!(res.status, 405);
    let models = call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"").json();
    let v4 = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "stt-async-v4")
        .unwrap();
    assert_eq!(v4["aliased_model_id"], "stt-async-v5");
    let res = call_with(
        &mock,
        "GET",
        "/transcribe-websocket",
        "Upgrade: websocket\r\nConnection: Upgrade\r\n",
        b"",
    );
    // An upgrade without Sec-WebSocket-Key / -Version is a bad request.
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["status_code"], 400);
    // Not the first request on its connection: checked the same way (a valid upgrade after
    // REST requests on a kept-alive connection is served: tests/mock_realtime.rs).
    let mut conn = Conn::open(&mock);
    conn.send("GET", "/v1/models", Some(&bearer(&mock)), "", b"");
    assert_eq!(conn.read_response().status, 200);
    conn.send(
        "GET",
        "/transcribe-websocket",
        None,
        "Upgrade: websocket\r\nConnection: Upgrade\r\n",
        b"",
    );
    assert_eq!(conn.read_response().status, 400);
    assert_eq!(mock.stats().route("GET /transcribe-websocket"), 2);
    assert_eq!(mock.stats().route("GET *"), 1);
}

#[test]
fn status_fault_with_retry_after() {
    let mock = MockServer::start();
    let action = FaultAction::Status {
        status: 503,
        retry_after: Some("2".into()),
    };
    mock.add_fault(Fault::new(action).on("GET", "/v1/models").times(1));
    let res = call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"");
    assert_eq!(res.status, 503);
    assert_eq!(res.header("retry-after"), Some("2"));
    assert_eq!(res.json()["error_type"], "service_unavailable");
    assert_eq!(res.json()["status_code"], 503);
    assert_eq!(call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"").status, 200);
    assert_eq!(mock.stats().faults_injected, 1);
}

#[test]
fn status_after_processing_still_creates_the_job() {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::StatusAfterProcessing { status: 500 }).on("POST", "/v1/transcriptions"));
    let create = json!({"model": "stt-async-v5", "audio_url": "https://example.com/a.mp3"}).to_string();
    let res = call(
        &mock,
        "POST",
        "/v1/transcriptions",
        Some(&bearer(&mock)),
        create.as_bytes(),
    );
    assert_eq!(
        (res.status, res.json()["error_type"].clone()),
        (500, json!("internal_error"))
    );
    assert_eq!(mock.transcriptions().len(), 1);
}

#[test]
fn drop_connection_sends_nothing() {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::DropConnection).on("GET", "/v1/files").times(1));
    let mut conn = Conn::open(&mock);
    conn.send("GET", "/v1/files", Some(&bearer(&mock)), "", b"");
    assert!(conn.read_all().is_empty());
    // Only the first matching request was dropped.
    assert_eq!(call(&mock, "GET", "/v1/files", Some(&bearer(&mock)), b"").status, 200);
}

#[test]
fn malformed_truncated_and_hanging_responses() {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::MalformedBody).on("GET", "/v1/models").times(1));
    let res = call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"");
    assert_eq!(res.status, 200);
    assert!(serde_json::from_slice::<Value>(&res.body).is_err());

    mock.add_fault(Fault::new(FaultAction::TruncatedBody).on("GET", "/v1/models").times(1));
    let mut conn = Conn::open(&mock);
    conn.send("GET", "/v1/models", Some(&bearer(&mock)), "", b"");
    let raw = conn.read_all();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let declared: usize = header_value(head, "content-length").unwrap().parse().unwrap();
    assert!(body.len() < declared, "{} of {declared}", body.len());

    mock.add_fault(Fault::new(FaultAction::Hang(Duration::from_millis(50))).on("GET", "/v1/files"));
    let mut conn = Conn::open(&mock);
    conn.send("GET", "/v1/files", Some(&bearer(&mock)), "", b"");
    assert!(conn.read_all().is_empty());
    assert_eq!(mock.stats().faults_injected, 3);
}

#[test]
fn unknown_methods_get_405_with_the_error_body() {
    let mock = MockServer::start();
    // `QUERY` is a method async-h1 cannot parse: first on a connection, and after a kept-alive
    // request. Either way an answer, not a silent close.
    let mut fresh = Conn::open(&mock);
    fresh.send("QUERY", "/v1/files", Some(&bearer(&mock)), "", b"{}");
    let mut kept = Conn::open(&mock);
    kept.send("GET", "/v1/models", Some(&bearer(&mock)), "", b"");
    assert_eq!(kept.read_response().status, 200);
    kept.send("QUERY", "/v1/files", Some(&bearer(&mock)), "", b"{}");
    for conn in [&mut fresh, &mut kept] {
        let res = conn.read_response();
        assert_eq!(res.status, 405);
        assert_eq!(res.header("connection"), Some("close"));
        let body = res.json();
        assert_eq!(
            (body["status_code"].as_u64(), body["error_type"].as_str()),
            (Some(405), Some("method_not_allowed"))
        );
        assert!(is_uuid(body["request_id"].as_str().unwrap()));
        assert!(conn.read_all().is_empty(), "nothing after the answer");
    }
    // A method async-h1 knows but no route serves gets the same answer (and keeps the connection).
    let res = call(&mock, "PATCH", "/v1/files", Some(&bearer(&mock)), b"{}");
    assert_eq!(
        (res.status, res.json()["error_type"].clone()),
        (405, json!("method_not_allowed"))
    );
    assert_eq!(mock.stats().route("OTHER *"), 2);
}

/// Found by the `mock_http` fuzz target: each of these (and a head over 8 KiB) ended the
/// connection's task without an answer, and the first panicked it (http-types unwraps a header value that is UTF-8 but
/// not ASCII). Now each gets the API's 400 and a close, and the server serves on.
#[test]
fn heads_async_h1_cannot_take_get_a_400_not_a_panic_or_silence() {
    let mock = MockServer::start();
    let key = bearer(&mock);
    let host = mock.addr();
    let chunked = format!(
        "POST /v1/transcriptions HTTP/1.1\r\nHost: {host}\r\nAuthorization: {key}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n"
    );
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "a non-ASCII header value",
            format!("GET /v1/models HTTP/1.1\r\nHost: {host}\r\nAuthorization: {key}\r\nX-Name: Zoë\r\n\r\n")
                .into_bytes(),
            "a request head holds a byte outside ASCII",
        ),
        (
            "a chunked body with trailers",
            format!("{chunked}X-Checksum: 1\r\n\r\n").into_bytes(),
            "trailers",
        ),
        (
            "a request pipelined right after a chunked body",
            format!("{chunked}\r\nGET /v1/models HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
            "The request body could not be read",
        ),
    ];
    for (what, bytes, message) in cases {
        let mut conn = Conn::open(&mock);
        conn.reader.get_mut().write_all(&bytes).unwrap();
        let res = conn.read_response();
        assert_eq!(res.status, 400, "{what}");
        assert_eq!(res.header("connection"), Some("close"), "{what}");
        let body = res.json();
        assert_eq!(body["error_type"], json!("invalid_request"), "{what}");
        assert!(body["message"].as_str().unwrap().contains(message), "{what}: {body}");
        assert!(conn.read_all().is_empty(), "{what}: nothing after the answer");
    }
    // A head of 8 KiB or more (async-h1's limit, where it closed without a word): 431.
    let mut conn = Conn::open(&mock);
    let long = format!(
        "GET /v1/files?cursor={} HTTP/1.1\r\nHost: {host}\r\n\r\n",
        "a".repeat(8192)
    );
    conn.reader.get_mut().write_all(long.as_bytes()).unwrap();
    let res = conn.read_response();
    assert_eq!((res.status, res.json()["status_code"].as_u64()), (431, Some(431)));
    assert!(conn.read_all().is_empty());
    // Non-ASCII bytes in a body are content, not a head: an upload of them is fine.
    let res = upload(&mock, "a.wav", &[0xffu8; 64], None);
    assert_eq!(res.status, 201);
    assert_eq!(call(&mock, "GET", "/v1/models", Some(&key), b"").status, 200);
    // Trailers arriving by themselves (a client's second write) once stalled the connection
    // for good: async-h1 waits on a partial trailer section without a waker.
    let mut conn = Conn::open(&mock);
    conn.reader.get_mut().write_all(chunked.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    conn.reader.get_mut().write_all(b"\r").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    conn.reader.get_mut().write_all(b"\n").unwrap();
    assert_eq!(
        conn.read_response().status,
        400,
        "the JSON body {{}} is no job, but an answer"
    );
}

#[test]
fn integer_fields_take_integral_floats_like_pydantic() {
    let mock = MockServer::start();
    let mint = |expires: &str| {
        let body = format!(r#"{{"usage_type": "transcribe_websocket", "expires_in_seconds": {expires}}}"#);
        call(
            &mock,
            "POST",
            "/v1/auth/temporary-api-key",
            Some(&bearer(&mock)),
            body.as_bytes(),
        )
    };
    for ok in ["189.0", "189", "\"189\"", "1e2"] {
        assert_eq!(mint(ok).status, 201, "expires_in_seconds: {ok}");
    }
    let res = mint("189.5");
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["validation_errors"],
        json!([{"error_type": "int_from_float", "location": "body.payload.expires_in_seconds",
                "message": "Input should be a valid integer, got a number with a fractional part"}])
    );
    // Range checks still apply to the integer read.
    assert_eq!(
        mint("3601.0").json()["validation_errors"][0]["error_type"],
        "less_than_equal"
    );
}

#[test]
fn a_file_that_is_not_audio_fails_its_job() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Immediate)).unwrap();
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(1000));
    let text = b"These are meeting notes, saved with the wrong extension.\n".repeat(100);
    let mut ids = Vec::new();
    for (name, content) in [
        ("notes.wav", &text[..]),
        ("real.wav", &wav[..]),
        ("zeros.mp3", &[0u8; 4096][..]),
    ] {
        let file = upload(&mock, name, content, None).json();
        ids.push(file["id"].as_str().unwrap().to_string());
    }
    let containers: Vec<_> = mock.files().iter().map(|f| f.container).collect();
    assert_eq!(containers, [None, Some("wav"), None]);
    let mut outcomes = Vec::new();
    for id in &ids {
        let create = json!({"model": "stt-async-v5", "file_id": id});
        let res = call(
            &mock,
            "POST",
            "/v1/transcriptions",
            Some(&bearer(&mock)),
            create.to_string().as_bytes(),
        );
        assert_eq!(res.status, 201);
        let job = res.json();
        outcomes.push((job["status"].clone(), job["error_type"].clone()));
        if job["status"] == "error" {
            assert_eq!(
                job["error_message"],
                "The audio file is invalid or corrupted and could not be decoded."
            );
            let path = format!("/v1/transcriptions/{}/transcript", job["id"].as_str().unwrap());
            assert_eq!(call(&mock, "GET", &path, Some(&bearer(&mock)), b"").status, 409);
        }
    }
    let error = (json!("error"), json!("invalid_audio_file"));
    assert_eq!(outcomes, [error.clone(), (json!("completed"), Value::Null), error]);
}

#[test]
fn keep_alive_reuses_one_connection() {
    let mock = MockServer::start();
    let mut conn = Conn::open(&mock);
    for _ in 0..2 {
        conn.send("GET", "/v1/models", Some(&bearer(&mock)), "", b"");
        assert_eq!(conn.read_response().status, 200);
    }
    let stats = mock.stats();
    assert_eq!(stats.connections_accepted, 1);
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.route("GET /v1/models"), 2);
    assert_eq!(stats.peak_connections, 1);
    mock.reset_stats();
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let mock = MockServer::start_with(MockConfig::default().requests_per_minute(2)).unwrap();
    let statuses: Vec<u16> = (0..3)
        .map(|_| call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"").status)
        .collect();
    assert_eq!(statuses, [200, 200, 429]);
    let res = call(&mock, "GET", "/v1/models", Some(&bearer(&mock)), b"");
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(
        res.json()["message"],
        "Requests per minute limit has been exceeded for your project."
    );
}

#[test]
fn shutdown_closes_the_listener_and_connections() {
    let mock = MockServer::start();
    let addr = mock.addr();
    let mut idle = Conn::open(&mock);
    mock.shutdown();
    assert!(idle.read_all().is_empty());
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
}

// ---------------------------------------------------------------------------------------------
// Helpers: a minimal HTTP/1.1 client over std::net::TcpStream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

const MULTIPART_XB: &str = "Content-Type: multipart/form-data; boundary=XB\r\n";

/// A parsed response.
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.head, name)
    }
}

/// One client connection (keep-alive unless the server closes it).
struct Conn {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    fn open(mock: &MockServer) -> Conn {
        let stream = TcpStream::connect(mock.addr()).expect("connect to the mock");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(stream),
            host: mock.addr().to_string(),
        }
    }

    /// Writes a request; `extra` holds extra header lines, each ending in CRLF.
    fn send(&mut self, method: &str, path: &str, auth: Option<&str>, extra: &str, body: &[u8]) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if let Some(auth) = auth {
            head.push_str(&format!("Authorization: {auth}\r\n"));
        }
        if !body.is_empty() && !extra.to_ascii_lowercase().contains("content-type") {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str(extra);
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
    }

    fn read_response(&mut self) -> Response {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("read response head");
            assert!(n > 0, "connection closed before the response head ended: {head:?}");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let len: usize = header_value(&head, "content-length").map_or(0, |v| v.parse().unwrap());
        let mut body = vec![0u8; len];
        self.reader.read_exact(&mut body).expect("read response body");
        Response { status, head, body }
    }

    /// Everything until the server closes (a reset counts as the end).
    fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.reader.read_to_end(&mut out);
        out
    }
}

/// One request on a fresh connection.
fn call(mock: &MockServer, method: &str, path: &str, auth: Option<&str>, body: &[u8]) -> Response {
    let mut conn = Conn::open(mock);
    conn.send(method, path, auth, "", body);
    conn.read_response()
}

/// One authenticated request with extra header lines.
fn call_with(mock: &MockServer, method: &str, path: &str, extra: &str, body: &[u8]) -> Response {
    let mut conn = Conn::open(mock);
    conn.send(method, path, Some(&bearer(mock)), extra, body);
    conn.read_response()
}

/// Uploads `content` as the `file` part (plus an optional `client_reference_id` part).
fn upload(mock: &MockServer, filename: &str, content: &[u8], reference: Option<&str>) -> Response {
    let mut body = Vec::new();
    if let Some(r) = reference {
        body.extend_from_slice(
            format!("--XB\r\nContent-Disposition: form-data; name=\"client_reference_id\"\r\n\r\n{r}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--XB--\r\n");
    call_with(mock, "POST", "/v1/files", MULTIPART_XB, &body)
}

fn bearer(mock: &MockServer) -> String {
    format!("Bearer {}", mock.api_key())
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}
