//! What both clients' text-to-speech exchanges share: where `POST /tts` goes (the TTS
//! host of [`Config::tts_api_url`]), the bytes of the request (the key as
//! `Authorization: Bearer`, one request per connection), and the retry step after a
//! failure, which may retry only before the first byte of audio was handed on. The core's
//! [`SpeechReader`](crate::core::speech::SpeechReader) reads the answer.

use std::ops::ControlFlow;
use std::time::{Duration, SystemTime};

use crate::config::Config;
use crate::core::http::{Body, HttpRequest};
use crate::core::retry::{Decision, Outcome, Retry};
use crate::error::Error;
use crate::types::api_key::bearer;

/// Where `POST /tts` goes.
#[derive(Debug, Clone)]
pub(crate) struct SpeechTarget {
    pub(crate) tls: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `POST {url}/tts`, for errors.
    pub(crate) context: String,
    /// The request's path (the base URL's path, then `/tts`).
    path: String,
}

impl SpeechTarget {
    pub(crate) fn of(config: &Config, req: &HttpRequest) -> SpeechTarget {
        let url = &config.tts_api_url;
        let tls = url.scheme() == "https";
        SpeechTarget {
            tls,
            host: url.host().to_owned(),
            port: url.port().unwrap_or(if tls { 443 } else { 80 }),
            context: format!("POST {}{}", url.as_str(), req.path),
            path: format!("{}{}", url.path(), req.path),
        }
    }

    /// The request's bytes: head and JSON body.
    pub(crate) fn request_bytes(&self, config: &Config, req: &HttpRequest) -> Vec<u8> {
        let body: &[u8] = match &req.body {
            Body::Json(json) => json,
            _ => &[],
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = if self.tls { 443 } else { 80 };
        let authority = if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        };
        let mut out = format!(
            "POST {} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {}\r\nUser-Agent: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            self.path,
            bearer(config.api_key().expose()),
            config.user_agent(),
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }
}

/// After a failed exchange: `Continue(delay)` to try again, `Break(error)` to give up. No
/// retry once audio was handed on (`audio` > 0): the caller's writer cannot take it back.
pub(crate) fn after_failure(
    req: &HttpRequest,
    retry: &mut Retry,
    error: Error,
    sent: bool,
    audio: u64,
    span: &tracing::Span,
) -> ControlFlow<Error, Duration> {
    if audio > 0 || !error.is_retryable() {
        return ControlFlow::Break(error);
    }
    let outcome = match &error {
        Error::Api(a) => Outcome::Status {
            status: a.status,
            retry_after: a.retry_after,
        },
        _ if sent => Outcome::Sent,
        _ => Outcome::NotSent,
    };
    match retry.decide(req.method, &outcome, SystemTime::now()) {
        Decision::RetryAfter(delay) => {
            tracing::debug!(
                "{}: {:?}, retry {} in {:?}",
                req.label(),
                outcome,
                retry.retries(),
                delay
            );
            super::observe::record_retry(span, delay);
            ControlFlow::Continue(delay)
        }
        Decision::GiveUp => ControlFlow::Break(error),
    }
}
