//! The `soniox.request` span of one HTTP attempt, shared by both drivers.
//!
//! The retry loop opens one span per attempt (so `attempt` is exact), the transport's
//! exchange runs inside it, and the result is recorded into it when known. Fields never
//! carry a secret: the method, the templated route (ids are not even in it), the status,
//! the server's request id, the duration and, on failure, the kind of error.

use std::time::Instant;

use tracing::field::Empty;
use tracing::Span;

use crate::core::http::{api_error, HttpRequest, RawResponse};
use crate::error::Error;

/// `soniox.request{method, route, attempt, status, request_id, duration_ms, error}`,
/// `attempt` counting from 1.
pub(crate) fn request_span(req: &HttpRequest, attempt: u32) -> Span {
    tracing::info_span!(
        "soniox.request",
        method = req.method.as_str(),
        route = req.route,
        attempt,
        status = Empty,
        request_id = Empty,
        duration_ms = Empty,
        error = Empty,
    )
}

/// Records the end of an attempt that started at `started` into `span`.
pub(crate) fn record_attempt(span: &Span, result: Result<&RawResponse, &Error>, started: Instant) {
    if span.is_disabled() {
        return;
    }
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    match result {
        Ok(resp) => {
            span.record("status", resp.status);
            if let Some(id) = request_id(resp) {
                span.record("request_id", id.as_str());
            }
            if resp.is_success() {
                tracing::debug!(parent: span, status = resp.status, "response");
            } else {
                tracing::info!(parent: span, status = resp.status, "error response");
            }
        }
        Err(e) => {
            // An API error read by the crate itself (text-to-speech) still names its status.
            if let Error::Api(a) = e {
                span.record("status", a.status);
                if let Some(id) = &a.request_id {
                    span.record("request_id", id.as_str());
                }
            }
            span.record("error", error_kind(e));
            tracing::info!(parent: span, error = error_kind(e), "attempt failed");
        }
    }
}

/// Records the core's decision to retry after `delay_ms`.
pub(crate) fn record_retry(span: &Span, delay: std::time::Duration) {
    tracing::info!(parent: span, delay_ms = delay.as_millis() as u64, "retrying");
}

/// The `x-request-id` header, else (for an error status) the error body's `request_id`.
fn request_id(resp: &RawResponse) -> Option<String> {
    if let Some(id) = resp.header("x-request-id") {
        return Some(id.to_owned());
    }
    if resp.is_success() {
        return None;
    }
    api_error(resp).request_id
}

/// A stable, secret-free name for an error's variant.
fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Api(_) => "api",
        Error::Transport(_) => "transport",
        Error::Proxy(_) => "proxy",
        Error::Timeout(_) => "timeout",
        Error::Io { .. } => "io",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Decode(_) => "decode",
        Error::Realtime(_) => "realtime",
        _ => "other",
    }
}
