//! Error mapping and retries against the mock's faults: every outcome is typed, none panics,
//! and a POST is never repeated unless the server refused it.

mod common;

use std::time::Duration;

use common::{client, client_with, mock};
use soniox::mock::{Fault, FaultAction};
use soniox::types::{CreateTranscription, TemporaryKey};
use soniox::{Error, RetryPolicy};

#[test]
fn a_wrong_key_is_a_401_unauthenticated_with_a_request_id() {
    let mock = mock();
    let client = soniox::blocking::Client::builder()
        .api_key("wrong")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let e = client.models().list().unwrap_err();
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
}

#[test]
fn malformed_and_truncated_bodies_are_decode_or_transport_errors_never_panics() {
    let mock = mock();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    mock.add_fault(Fault::new(FaultAction::MalformedBody).on("GET", "/v1/models").times(1));
    match client.models().list().unwrap_err() {
        Error::Decode(d) => assert_eq!(d.status, 200),
        other => panic!("{other:?}"),
    }
    mock.add_fault(Fault::new(FaultAction::TruncatedBody).on("GET", "/v1/models").times(1));
    let e = client.models().list().unwrap_err();
    assert!(matches!(e, Error::Transport(_) | Error::Decode(_)), "{e:?}");
    assert!(client.models().list().is_ok());
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
    let models = client(&mock).models().list().unwrap();
    assert!(!models.is_empty());
    let s = mock.stats();
    assert_eq!((s.route("GET /v1/models"), s.faults_injected), (3, 2));
}

#[test]
fn a_post_refused_with_429_is_retried_and_creates_exactly_one_job() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 429,
            retry_after: Some("0".into()),
        })
        .on("POST", "/v1/transcriptions")
        .times(2),
    );
    client(&mock)
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
        .unwrap();
    assert_eq!(mock.transcriptions().len(), 1);
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 3);
}

#[test]
fn a_post_answered_500_after_processing_is_not_retried_so_no_job_is_duplicated() {
    let mock = mock();
    mock.add_fault(
        Fault::new(FaultAction::StatusAfterProcessing { status: 500 })
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    let e = client(&mock)
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
        .unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(500), Some("internal_error")));
    assert_eq!(mock.transcriptions().len(), 1);
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 1);
}

#[test]
fn a_dropped_connection_is_retried_for_get_and_surfaced_for_post() {
    let mock = mock();
    mock.add_fault(Fault::new(FaultAction::DropConnection).on("GET", "/v1/models").times(1));
    assert!(client(&mock).models().list().is_ok());
    mock.add_fault(
        Fault::new(FaultAction::DropConnection)
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    let e = client(&mock)
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
        .unwrap_err();
    match e {
        Error::Transport(t) => assert!(t.maybe_processed, "{t:?}"),
        other => panic!("{other:?}"),
    }
    assert!(mock.transcriptions().is_empty());
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
    let e = client.models().list().unwrap_err();
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
    let e = client.models().list().unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(200)),
        "{e:?}"
    );
}

#[test]
fn temporary_keys_are_minted_and_checked() {
    let mock = mock();
    let client = client(&mock);
    let key = client
        .auth()
        .temporary_api_key(TemporaryKey::transcribe_websocket(60))
        .unwrap();
    assert!(key.api_key.expose().starts_with("temp:"));
    assert!(!format!("{key:?}").contains(key.api_key.expose()));
    assert!(matches!(
        client.auth().temporary_api_key(TemporaryKey::transcribe_websocket(0)),
        Err(Error::InvalidArgument(_))
    ));
    // Temporary keys are for the WebSocket only: the REST API refuses them.
    let temp = soniox::blocking::Client::builder()
        .api_key(key.api_key.expose())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    assert_eq!(temp.models().list().unwrap_err().status(), Some(401));
}

#[test]
fn models_include_v5_and_its_aliases() {
    let mock = mock();
    let models = client(&mock).models().list().unwrap();
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
fn a_refused_connection_is_a_transport_error() {
    // Bind then drop a listener: the port is (almost certainly) closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = soniox::blocking::Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.models().list().unwrap_err();
    assert!(matches!(e, Error::Transport(ref t) if !t.maybe_processed), "{e:?}");
}

#[test]
fn the_pending_job_limit_is_a_429_limit_exceeded() {
    let mock =
        soniox::mock::MockServer::start_with(soniox::mock::MockConfig::default().max_pending_jobs(3).job_timing(
            soniox::mock::JobTiming::Polls {
                queued: 1000,
                processing: 1,
            },
        ))
        .unwrap();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    for i in 0..3 {
        client
            .transcriptions()
            .create(CreateTranscription::audio_url(format!("https://example.com/{i}.mp3")))
            .unwrap();
    }
    let e = client
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/x.mp3"))
        .unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(429), Some("limit_exceeded")));
    assert!(e.is_retryable());
    assert_eq!(mock.transcriptions().len(), 3);
}

#[test]
fn the_requests_per_minute_limit_answers_429_with_retry_after() {
    let mock =
        soniox::mock::MockServer::start_with(soniox::mock::MockConfig::default().requests_per_minute(5)).unwrap();
    let client = client_with(&mock, |b| b.retry(RetryPolicy::none()));
    for _ in 0..5 {
        client.models().list().unwrap();
    }
    match client.models().list().unwrap_err() {
        Error::Api(a) => {
            assert_eq!((a.status, a.error_type.as_str()), (429, "limit_exceeded"));
            assert!(a.retry_after.is_some(), "{a:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_body_that_stalls_after_the_head_is_cut_off_by_the_timeout() {
    use std::io::{Read, Write};
    // A server that sends the response head and part of the body, then stalls (for at most 5 s).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"models\":")
            .unwrap();
        std::thread::sleep(Duration::from_secs(5));
    });
    let client = soniox::blocking::Client::builder()
        .api_key("k")
        .base_url(format!("http://{addr}"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.models().list().unwrap_err();
    assert!(
        matches!(e, Error::Timeout(ref t) if t.after == Duration::from_millis(300)),
        "{e:?}"
    );
    drop(server); // detached: it ends by itself after its bounded sleep
}
