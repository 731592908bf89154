//! Response classification: any status, headers and body through every `parse_*`,
//! `api_error` and `Outcome::from_response`, and the retry decision that follows.
//!
//! Invariants: no panic; `Ok` only for 2xx; a non-2xx is `Error::Api` with the same
//! status and the header's `Retry-After`; a bad 2xx body is `Error::Decode` with the
//! status and at most 4 KiB of body; `Outcome` is `None` exactly for 2xx; a retry
//! delay never exceeds the policy's caps and POST is never retried after 500/502/504.

use std::time::{Duration, SystemTime};

use arbitrary::Arbitrary;
use soniox::core::http::{self, Method, RawResponse};
use soniox::core::retry::{exponential_backoff, Decision, Outcome, Retry, RetryAfter, RetryPolicy};
use soniox::core::{auth, files, models, transcriptions};
use soniox::Error;

#[derive(Arbitrary, Debug)]
enum Header {
    RetryAfter(String),
    RetryAfterSeconds(u32),
    ContentType(String),
    Other(String, String),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    Text(String),
    RestError {
        error_type: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        locations: Vec<String>,
    },
    WsError {
        code: u16,
        message: String,
    },
    Job {
        id: String,
        status: String,
        extra: Option<(String, u64)>,
    },
    Page {
        ids: Vec<String>,
        cursor: Option<String>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    status: u16,
    headers: Vec<Header>,
    body: Body,
    method: u8,
    seed: u64,
    max_retries: u8,
    base_ms: u16,
    max_ms: u32,
    cap_ms: u32,
    jitter: bool,
    now_secs: u32,
}

fn body_bytes(b: &Body) -> Vec<u8> {
    use serde_json::json;
    match b {
        Body::Raw(v) => v.clone(),
        Body::Text(s) => s.clone().into_bytes(),
        Body::RestError {
            error_type,
            message,
            request_id,
            locations,
        } => json!({
            "status_code": 400, "error_type": error_type, "message": message, "request_id": request_id,
            "validation_errors": locations.iter().map(|l| json!({"error_type": "x", "location": l, "message": "m"})).collect::<Vec<_>>(),
        })
        .to_string()
        .into_bytes(),
        Body::WsError { code, message } => json!({"error_code": code, "error_message": message})
            .to_string()
            .into_bytes(),
        Body::Job { id, status, extra } => {
            let mut v = json!({"id": id, "status": status, "created_at": "2024-01-01T00:00:00Z", "model": "m",
                "filename": "f", "text": "t", "tokens": [], "size": 1, "transcriptions": 0, "files": 0,
                "api_key": "k", "expires_at": "2024-01-01T00:00:00Z", "languages": [], "name": "n"});
            if let Some((k, n)) = extra {
                v[k.as_str()] = json!(n);
            }
            v.to_string().into_bytes()
        }
        Body::Page { ids, cursor } => {
            let items: Vec<_> = ids.iter().map(|i| json!({"id": i, "status": "queued", "filename": "f"})).collect();
            json!({"files": items, "transcriptions": items, "models": [], "next_page_cursor": cursor})
                .to_string()
                .into_bytes()
        }
    }
}

fn response(input: &Input) -> RawResponse {
    let mut r = RawResponse::new(input.status, body_bytes(&input.body));
    for h in &input.headers {
        r = match h {
            Header::RetryAfter(v) => r.with_header("Retry-After", v),
            Header::RetryAfterSeconds(s) => r.with_header("retry-after", &s.to_string()),
            Header::ContentType(v) => r.with_header("content-type", v),
            Header::Other(n, v) => r.with_header(n, v),
        };
    }
    r
}

/// Checks one classification result against the response.
fn check<T>(what: &str, resp: &RawResponse, result: soniox::Result<T>) {
    let retry_after = resp.header("retry-after").and_then(RetryAfter::parse);
    match result {
        Ok(_) => assert!(resp.is_success(), "{what}: Ok for status {}", resp.status),
        Err(Error::Api(a)) => {
            assert!(!resp.is_success(), "{what}: Api error for a 2xx");
            assert_eq!(a.status, resp.status, "{what}");
            assert_eq!(a.retry_after, retry_after, "{what}");
            assert!(
                a.raw_body.as_ref().is_none_or(|b| b.len() <= 4 * 4096),
                "{what}: raw body kept whole"
            );
            let _ = a.to_string();
        }
        Err(Error::Decode(d)) => {
            assert!(resp.is_success(), "{what}: Decode error for status {}", resp.status);
            assert_eq!(d.status, resp.status, "{what}");
            assert!(d.body.len() <= 4 * 4096, "{what}: decode body kept whole");
        }
        Err(other) => panic!("{what}: unexpected error kind {other:?}"),
    }
}

fn method(m: u8) -> Method {
    match m % 3 {
        0 => Method::Get,
        1 => Method::Post,
        _ => Method::Delete,
    }
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    let resp = response(&input);
    let _ = format!("{resp:?}");

    check("files::parse_upload", &resp, files::parse_upload(&resp));
    check("files::parse_list", &resp, files::parse_list(&resp));
    check("files::parse_get", &resp, files::parse_get(&resp));
    check("files::parse_delete", &resp, files::parse_delete(&resp));
    check("files::parse_count", &resp, files::parse_count(&resp));
    check(
        "transcriptions::parse_create",
        &resp,
        transcriptions::parse_create(&resp),
    );
    check("transcriptions::parse_list", &resp, transcriptions::parse_list(&resp));
    check("transcriptions::parse_get", &resp, transcriptions::parse_get(&resp));
    check(
        "transcriptions::parse_delete",
        &resp,
        transcriptions::parse_delete(&resp),
    );
    check(
        "transcriptions::parse_transcript",
        &resp,
        transcriptions::parse_transcript(&resp),
    );
    check("transcriptions::parse_count", &resp, transcriptions::parse_count(&resp));
    check("models::parse_list", &resp, models::parse_list(&resp));
    check("auth::parse_temporary_key", &resp, auth::parse_temporary_key(&resp));
    check("http::parse_json", &resp, http::parse_json::<serde_json::Value>(&resp));
    check("http::parse_empty", &resp, http::parse_empty(&resp));
    match http::parse_delete_if_exists(&resp) {
        Ok(existed) => assert_eq!(existed, resp.is_success(), "delete_if_exists: {}", resp.status),
        Err(e) => {
            assert_ne!(resp.status, 404, "a 404 delete is Ok(false)");
            check("http::parse_delete_if_exists", &resp, Err::<(), _>(e));
        }
    }
    let api = http::api_error(&resp);
    assert_eq!(api.status, resp.status);

    // Outcome and the retry decision.
    let outcome = Outcome::from_response(&resp);
    assert_eq!(outcome.is_none(), resp.is_success());
    let Some(outcome) = outcome else { return };
    let Outcome::Status { status, retry_after } = outcome else {
        panic!("a response's outcome is a status: {outcome:?}")
    };
    assert_eq!(status, resp.status);
    assert_eq!(retry_after, resp.header("retry-after").and_then(RetryAfter::parse));
    let policy = RetryPolicy::default()
        .max_retries(u32::from(input.max_retries % 8))
        .delays(
            Duration::from_millis(u64::from(input.base_ms)),
            Duration::from_millis(u64::from(input.max_ms)),
        )
        .max_retry_after(Duration::from_millis(u64::from(input.cap_ms)))
        .jitter(input.jitter);
    if policy.validate().is_err() {
        return;
    }
    let m = method(input.method);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(input.now_secs));
    let mut retry = Retry::new(policy.clone(), input.seed);
    let mut granted = 0;
    for attempt in 0..10u32 {
        match retry.decide(m, &outcome, now) {
            Decision::RetryAfter(d) => {
                assert!(
                    Retry::is_retryable(m, &outcome),
                    "retried a non-retryable {outcome:?} on {m}"
                );
                assert!(
                    !(m == Method::Post && matches!(status, 500 | 502 | 504)),
                    "POST retried after {status}"
                );
                let cap = match retry_after {
                    Some(_) => policy.max_retry_after,
                    None => exponential_backoff(attempt, &policy),
                };
                assert!(d <= cap, "delay {d:?} over the cap {cap:?}");
                granted += 1;
            }
            Decision::GiveUp => break,
        }
    }
    assert!(granted <= policy.max_retries, "{granted} retries over the budget");
    assert_eq!(retry.retries(), granted);
}
