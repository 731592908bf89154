//! Error mapping and retries of the async client against the mock's faults: every outcome
//! is typed, none panics, and a POST is never repeated unless the server refused it.
#![cfg(feature = "async")]

mod common_async;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common_async::{client, client_with, mock, run, wav};
use soniox::mock::{Fault, FaultAction, JobTiming, MockConfig, MockServer};
use soniox::nonblocking::Client;
use soniox::types::{CreateTranscription, TemporaryKey};
use soniox::{Error, RetryPolicy};

#[test]
fn a_wrong_key_is_a_401_unauthenticated_with_a_request_id() {
    let mock = mock();
    let client = Client::builder()
        .api_key("wrong")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let e = run(client.models().list()).unwrap_err();
    match &e {
        Error::Api(a) => {
            assert_eq!((a.status, a.error_type.as_str()), (401, "unauthenticated"));
            assert!(a.request_id.is_some() && a.message.contains("API key"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.is_retryable());
    assert_eq!(mock.stats().unauthorized, 1);
    assert!(
        !e.to_string().contains("wrong"),
        "the key must not appear in errors: {e}"
    );
    assert!(!format!("{client:?}").contains("wrong"));
}

#[test]
fn malformed_and_truncated_bodies_are_decode_or_transport_errors_never_panics() {
    let mock = mock();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    run(async {
        mock.add_fault(Fault::new(FaultAction::MalformedBody).on("GET", "/v1/models").times(1));
        match client.models().list().await.unwrap_err() {
            Error::Decode(d) => {
                assert_eq!(d.status, 200);
                assert!(!d.body.is_empty(), "the raw body is kept");
            }
            other => panic!("{other:?}"),
        }
        mock.add_fault(Fault::new(FaultAction::TruncatedBody).on("GET", "/v1/models").times(1));
        let e = client.models().list().await.unwrap_err();
        assert!(matches!(e, Error::Transport(_) | Error::Decode(_)), "{e:?}");
        assert!(client.models().list().await.is_ok());
    });
}

#[test]
fn get_is_retried_through_503s_honouring_retry_after() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 503,
            retry_after: Some("0".into()),
        })
        .on("GET", "/v1/models")
        .times(2),
    );
    let models = run(client(&mock).models().list()).unwrap();
    assert!(!models.is_empty());
    let s = mock.stats();
    assert_eq!((s.route("GET /v1/models"), s.faults_injected), (3, 2));
}

#[test]
fn a_post_refused_with_429_is_retried_once_and_creates_exactly_one_job() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 429,
            retry_after: Some("0".into()),
        })
        .on("POST", "/v1/transcriptions")
        .times(1),
    );
    run(client(&mock)
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3")))
    .unwrap();
    assert_eq!(mock.transcriptions().len(), 1);
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 2);
}

#[test]
fn a_post_answered_500_after_processing_is_not_retried_so_no_job_is_duplicated() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::StatusAfterProcessing { status: 500 })
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    let e = run(client(&mock)
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3")))
    .unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(500), Some("internal_error")));
    assert_eq!(mock.transcriptions().len(), 1);
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 1);
}

#[test]
fn a_dropped_connection_is_retried_for_get_and_surfaced_for_post() {
    let mock = mock();
    run(async {
        mock.add_fault(Fault::new(FaultAction::DropConnection).on("GET", "/v1/models").times(1));
        assert!(client(&mock).models().list().await.is_ok());
        mock.add_fault(
            Fault::new(FaultAction::DropConnection)
                .on("POST", "/v1/transcriptions")
                .times(1),
        );
        let e = client(&mock)
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
            .await
            .unwrap_err();
        match e {
            Error::Transport(t) => assert!(t.maybe_processed, "{t:?}"),
            other => panic!("{other:?}"),
        }
    });
    assert!(mock.transcriptions().is_empty());
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 1);
}

#[test]
fn retries_give_up_after_the_budget_with_the_last_error() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 503,
            retry_after: None,
        })
        .on("GET", "/v1/models"),
    );
    let client = client_with(&mock, |b| {
        b.retry(
            RetryPolicy::default()
                .max_retries(2)
                .delays(Duration::from_millis(1), Duration::from_millis(2)),
        )
    });
    let e = run(client.models().list()).unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(503), Some("service_unavailable")));
    assert_eq!(mock.stats().route("GET /v1/models"), 3);
}

#[test]
fn a_server_that_never_answers_gives_a_timeout() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(5)))
            .on("GET", "/v1/models")
            .times(1),
    );
    let client = client_with(&mock, |b| {
        b.timeout(Duration::from_millis(200)).retry(RetryPolicy::none())
    });
    let e = run(client.models().list()).unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(200) && t.context == "GET /v1/models"),
        "{e:?}"
    );
    // The client is still usable afterwards.
    assert!(run(client.models().list()).is_ok());
}

#[test]
fn a_body_that_stops_halfway_is_bounded_by_the_timeout_too() {
    // A server that sends the head and part of the body, then goes silent.
    let (port, server) = raw_server_with(|mut s| {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"models\":")
            .unwrap();
        // Wait (bounded) until the client gives up and closes the connection.
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = run(client.models().list()).unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(300)),
        "{e:?}"
    );
    server.join().unwrap();
}

#[test]
fn an_upload_the_server_never_answers_times_out_after_the_request_timeout() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(5)))
            .on("POST", "/v1/files")
            .times(1),
    );
    // No whole-transfer limit on uploads (the default); the wait for the answer is still bounded.
    let client = client_with(&mock, |b| {
        b.timeout(Duration::from_millis(300)).retry(RetryPolicy::none())
    });
    let e = run(client.files().upload(wav(dir.path(), "a.wav", 1))).unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(300) && t.context == "POST /v1/files"),
        "{e:?}"
    );
    assert!(mock.files().is_empty());
}

#[test]
fn an_upload_timeout_cuts_off_the_whole_transfer() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(5)))
            .on("POST", "/v1/files")
            .times(1),
    );
    let client = client_with(&mock, |b| {
        b.upload_timeout(Some(Duration::from_millis(200)))
            .retry(RetryPolicy::none())
    });
    let e = run(client.files().upload(wav(dir.path(), "a.wav", 1))).unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(200)),
        "{e:?}"
    );
}

#[test]
fn temporary_keys_are_minted_and_checked() {
    let mock = mock();
    let client = client(&mock);
    run(async {
        let key = client
            .auth()
            .temporary_api_key(TemporaryKey::transcribe_websocket(60))
            .await
            .unwrap();
        assert!(key.api_key.expose().starts_with("temp:"));
        assert!(!format!("{key:?}").contains(key.api_key.expose()));
        assert!(matches!(
            client
                .auth()
                .temporary_api_key(TemporaryKey::transcribe_websocket(0))
                .await,
            Err(Error::InvalidArgument(_))
        ));
        // Temporary keys are for the WebSocket only: the REST API refuses them.
        let temp = Client::builder()
            .api_key(key.api_key.expose())
            .base_url(mock.base_url())
            .build()
            .unwrap();
        assert_eq!(temp.models().list().await.unwrap_err().status(), Some(401));
    });
}

#[test]
fn models_include_v5_and_its_aliases() {
    let mock = mock();
    let models = run(client(&mock).models().list()).unwrap();
    for id in ["stt-async-v5", "stt-rt-v5"] {
        assert!(
            models.iter().any(|m| m.id == id && m.aliased_model_id.is_none()),
            "{id}"
        );
    }
    let alias = models.iter().find(|m| m.id == "stt-async-v4").unwrap();
    assert_eq!(alias.aliased_model_id.as_deref(), Some("stt-async-v5"));
}

#[test]
fn a_refused_connection_is_a_transport_error_that_was_not_sent() {
    // Bind then drop a listener: the port is (almost certainly) closed now.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = run(client
        .transcriptions()
        .create(CreateTranscription::audio_url("https://x.com/a.mp3")))
    .unwrap_err();
    assert!(matches!(e, Error::Transport(ref t) if !t.maybe_processed), "{e:?}");
    assert!(e.is_retryable());
}

#[test]
fn the_pending_job_limit_is_a_429_limit_exceeded() {
    let mock = MockServer::start_with(MockConfig::default().max_pending_jobs(3).job_timing(JobTiming::Polls {
        queued: 1000,
        processing: 1,
    }))
    .unwrap();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    run(async {
        for i in 0..3 {
            client
                .transcriptions()
                .create(CreateTranscription::audio_url(format!("https://example.com/{i}.mp3")))
                .await
                .unwrap();
        }
        let e = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/x.mp3"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.error_type()), (Some(429), Some("limit_exceeded")));
        assert!(e.is_retryable());
    });
    assert_eq!(mock.transcriptions().len(), 3);
}

#[test]
fn the_requests_per_minute_limit_answers_429_with_retry_after() {
    let mock = MockServer::start_with(MockConfig::default().requests_per_minute(5)).unwrap();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    run(async {
        for _ in 0..5 {
            client.models().list().await.unwrap();
        }
        match client.models().list().await.unwrap_err() {
            Error::Api(a) => {
                assert_eq!((a.status, a.error_type.as_str()), (429, "limit_exceeded"));
                assert!(a.retry_after.is_some(), "{a:?}");
            }
            other => panic!("{other:?}"),
        }
    });
}

/// A one-connection server on loopback: accepts once, reads with a 10 s bound, and hands
/// the socket to `serve` on its own thread.
fn raw_server_with(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        serve(s);
    });
    (port, server)
}

/// A server that answers each of `n` requests on one connection with `reply`.
fn raw_server(reply: &'static [u8], n: usize) -> (u16, std::thread::JoinHandle<()>) {
    raw_server_with(move |mut s| {
        let mut buf = [0u8; 4096];
        for _ in 0..n {
            if !matches!(s.read(&mut buf), Ok(k) if k > 0) {
                return;
            }
            s.write_all(reply).unwrap();
        }
    })
}

fn raw_client(port: u16) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[test]
fn a_status_code_http_types_does_not_know_is_an_api_error_with_that_code_not_a_panic() {
    // 520 (a CDN's "unknown error") and 599: http-types has no name for either.
    for (reply, code) in [
        (&b"HTTP/1.1 520 Unknown\r\nContent-Length: 2\r\n\r\nno"[..], 520),
        (&b"HTTP/1.1 599 Whatever\r\nContent-Length: 0\r\n\r\n"[..], 599),
    ] {
        let (port, server) = raw_server(reply, 1);
        let e = run(raw_client(port).models().list()).unwrap_err();
        assert_eq!(e.status(), Some(code), "{e:?}");
        server.join().unwrap();
    }
}

#[test]
fn a_chunked_body_that_also_declares_a_content_length_is_read_whole() {
    // Chunked wins over Content-Length (RFC 9112 §6.3): the body is 24 bytes, not 5.
    let body = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\
Transfer-Encoding: chunked\r\n\r\n10\r\n{\"models\":[],\"ex\r\n8\r\ntra\":1}\n\r\n0\r\n\r\n";
    let (port, server) = raw_server(body, 1);
    let models = run(raw_client(port).models().list()).unwrap();
    assert!(models.is_empty());
    server.join().unwrap();
}

#[test]
fn an_endless_chunk_header_is_an_error_not_unbounded_memory() {
    // A chunk-size line that never ends (within the 10 s server bound): refused at 64 KiB.
    let (port, server) = raw_server_with(|mut s| {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1")
            .unwrap();
        let zeros = [b'0'; 4096];
        for _ in 0..64 {
            if s.write_all(&zeros).is_err() {
                return;
            }
        }
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    let e = run(raw_client(port).models().list()).unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(e.to_string().contains("larger than"), "{e}");
    server.join().unwrap();
}

#[test]
fn a_request_line_longer_than_the_scratch_goes_out_and_one_over_the_head_limit_is_refused_unsent() {
    // 20 KB of cursor: over the 8 KiB first buffer, so it grows; the whole line reaches a
    // server that takes long heads (the mock, like many servers, stops at 8 KiB).
    let cursor = "x".repeat(20_000);
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let (port, server) = raw_server_with(move |mut s| {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(k) => head.extend_from_slice(&buf[..k]),
            }
        }
        tx.send(head.len()).unwrap();
        let body = br#"{"files":[],"next_page_cursor":null}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(reply.as_bytes()).unwrap();
        s.write_all(body).unwrap();
    });
    let c = raw_client(port);
    let page = run(c.files().list().cursor(cursor.clone()).send()).unwrap();
    assert!(page.items.is_empty());
    let head = rx.recv().unwrap();
    assert!(head > cursor.len(), "the server saw the whole line: {head} bytes");
    server.join().unwrap();
    // Past 64 KiB: refused before a byte is written, as an invalid argument, never retried.
    let mock = mock();
    let c = client_with(&mock, |b| b.retry(RetryPolicy::default()));
    let r = run(c.files().list().cursor("y".repeat(70_000)).send());
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let s = mock.stats();
    assert_eq!((s.requests, s.connections_accepted), (0, 0), "nothing reached the mock");
}
