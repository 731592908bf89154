//! Receiving Soniox webhooks: parse the payload, check the auth header.
//!
//! When a transcription created with `webhook_url` reaches `completed` or `error`, Soniox
//! POSTs `{"id": "<transcription id>", "status": "completed" | "error"}` to that URL. The
//! transcript is not included: fetch it with `transcriptions().transcript(id)`. There is no
//! signature scheme: the `webhook_auth_header_name` / `webhook_auth_header_value` given at
//! creation are sent verbatim, so the receiver checks that header for equality —
//! [`WebhookAuth::verify`] does it in constant time. Deliveries may repeat: handle them
//! idempotently.
//!
//! Framework-neutral: pass the request's headers as `(name, value)` pairs and its body bytes.
//!
//! ```
//! use soniox::webhook::{parse_payload, WebhookAuth, WebhookStatus};
//!
//! // Configured at creation: .webhook_auth("X-Soniox-Webhook-Secret", "s3cret")
//! let auth = WebhookAuth::new("X-Soniox-Webhook-Secret", "s3cret");
//!
//! // In your HTTP handler:
//! let headers = [("content-type", "application/json"), ("x-soniox-webhook-secret", "s3cret")];
//! let body = br#"{"id": "548d023b-2b3d-4dc2-a3ef-cca26d05fd9a", "status": "completed"}"#;
//! assert!(auth.verify(headers.iter().copied()));
//! let event = parse_payload(body)?;
//! assert_eq!(event.status, WebhookStatus::Completed);
//! // ... then fetch the transcript of `event.id`, answer 2xx quickly.
//!
//! // A wrong or missing secret is refused (answer 401):
//! assert!(!auth.verify([("x-soniox-webhook-secret", "guess")]));
//! assert!(!auth.verify(std::iter::empty::<(&str, &str)>()));
//! # Ok::<(), soniox::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{lossy_prefix, DecodeError, Error, Result};

/// The header name the official Python SDK uses when none is configured.
pub const DEFAULT_HEADER_NAME: &str = "X-Soniox-Webhook-Secret";

/// The final status a webhook reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WebhookStatus {
    /// The transcript is ready.
    Completed,
    /// The job failed; `transcriptions().get(id)` has `error_type` and `error_message`.
    Error,
    /// A status this SDK version does not know (kept verbatim).
    #[serde(untagged)]
    Other(String),
}

/// The body of a webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookPayload {
    /// The transcription id.
    pub id: String,
    /// Its final status.
    pub status: WebhookStatus,
}

/// Parses a webhook body. Unknown extra fields are ignored; a body without `id` or
/// `status`, or not JSON, is [`Error::Decode`] (the raw body kept, at most 4 KiB).
pub fn parse_payload(body: &[u8]) -> Result<WebhookPayload> {
    serde_json::from_slice(body).map_err(|e| {
        Error::Decode(DecodeError {
            status: 200,
            message: format!("not a Soniox webhook payload: {e}"),
            body: lossy_prefix(body),
        })
    })
}

/// The auth header a receiver expects (the name is matched case-insensitively, the value
/// exactly, in constant time). `Debug` does not show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookAuth {
    name: String,
    value: String,
}

impl fmt::Debug for WebhookAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookAuth")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish()
    }
}

impl WebhookAuth {
    /// Expects the header `name` with exactly `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> WebhookAuth {
        WebhookAuth {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The header name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when exactly one header is named `name` (ASCII case-insensitive) and its
    /// value equals the configured value. The value comparison takes the same time
    /// wherever the first difference is (it never exits early), so the response time
    /// tells an attacker nothing about how much of a guess was right; only the length of
    /// the configured value may show. Every header is examined, so no early return
    /// reveals where the header sits either. An empty configured value never matches.
    pub fn verify<'h, I>(&self, headers: I) -> bool
    where
        I: IntoIterator<Item = (&'h str, &'h str)>,
    {
        let mut matches = 0u32;
        let mut seen = 0u32;
        for (name, value) in headers {
            let named = u32::from(name.trim().eq_ignore_ascii_case(&self.name));
            seen += named;
            matches += named & u32::from(constant_time_eq(value.trim().as_bytes(), self.value.as_bytes()));
        }
        !self.value.is_empty() && seen == 1 && matches == 1
    }
}

/// Compares two byte strings without an early exit: every byte of `expected` is visited
/// whatever `given` holds. Lengths may differ (then the result is false, after the same work).
pub fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        // Past the end of `given`, compare against 0 and rely on the length flag.
        let g = given.get(i).copied().unwrap_or(0);
        diff |= g ^ e;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_payload_parses() {
        let p = parse_payload(br#"{"id":"548d023b-2b3d-4dc2-a3ef-cca26d05fd9a","status":"completed"}"#).unwrap();
        assert_eq!(p.id, "548d023b-2b3d-4dc2-a3ef-cca26d05fd9a");
        assert_eq!(p.status, WebhookStatus::Completed);
    }

    #[test]
    fn an_error_payload_and_an_unknown_status_and_extra_fields_parse() {
        let p = parse_payload(br#"{"id":"a","status":"error","extra":1}"#).unwrap();
        assert_eq!(p.status, WebhookStatus::Error);
        let p = parse_payload(br#"{"id":"a","status":"archived"}"#).unwrap();
        assert_eq!(p.status, WebhookStatus::Other("archived".into()));
    }

    #[test]
    fn bad_payloads_are_decode_errors_that_keep_the_body() {
        for body in [
            &b""[..],
            b"{",
            b"{\"id\":\"a\"}",
            b"{\"status\":\"completed\"}",
            b"[1]",
            b"\xff\xfe",
        ] {
            match parse_payload(body) {
                Err(Error::Decode(d)) => assert_eq!(d.body, String::from_utf8_lossy(body)),
                other => panic!("{body:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_header_name_is_case_insensitive_and_the_value_exact() {
        let auth = WebhookAuth::new("X-Soniox-Webhook-Secret", "s3cret");
        assert!(auth.verify([("x-soniox-webhook-secret", "s3cret")]));
        assert!(auth.verify([("Host", "a"), ("X-SONIOX-WEBHOOK-SECRET", " s3cret ")]));
        assert!(!auth.verify([("x-soniox-webhook-secret", "S3cret")]));
        assert!(!auth.verify([("x-soniox-webhook-secret", "s3cre")]));
        assert!(!auth.verify([("x-soniox-webhook-secret", "s3crett")]));
        assert!(!auth.verify([("x-soniox-webhook-secret", "")]));
        assert!(!auth.verify([("authorization", "s3cret")]));
    }

    #[test]
    fn a_repeated_header_or_an_empty_configured_value_never_matches() {
        let auth = WebhookAuth::new("h", "v");
        assert!(!auth.verify([("h", "v"), ("h", "x")]));
        assert!(!auth.verify([("h", "v"), ("h", "v")]));
        let empty = WebhookAuth::new("h", "");
        assert!(!empty.verify([("h", "")]));
    }

    #[test]
    fn constant_time_eq_agrees_with_eq() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"a", b"a"),
            (b"a", b"b"),
            (b"abc", b"abd"),
            (b"ab", b"abc"),
            (b"abc", b"ab"),
            (b"\0", b""),
        ];
        for (a, b) in cases {
            assert_eq!(constant_time_eq(a, b), a == b, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn debug_hides_the_value() {
        let auth = WebhookAuth::new("X-Secret", "hunter2-value");
        let text = format!("{auth:?}");
        assert!(text.contains("X-Secret") && !text.contains("hunter2"), "{text}");
    }
}
