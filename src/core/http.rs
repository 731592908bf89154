//! The two values every driver moves: [`HttpRequest`] out, [`RawResponse`] in.
//!
//! The core builds requests and classifies responses; a driver only converts these
//! structs to and from its HTTP library's types, adding the `Authorization` and
//! `User-Agent` headers (the core never sees the API key).

use std::fmt;

use serde::de::DeserializeOwned;

use super::multipart::Multipart;
use crate::error::{lossy_prefix, ApiError, DecodeError, Error, Result, ValidationError};

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Method {
    /// `"GET"`, `"POST"` or `"DELETE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
    /// GET and DELETE may be repeated without changing the outcome; POST may not.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(Vec<u8>),
    /// `multipart/form-data` framing around one streamed file; the driver streams the
    /// file between [`Multipart::head`] and [`Multipart::tail`].
    Multipart(Multipart),
}

/// One API request, without the host and without credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The path, starting with `/v1/`, ids percent-encoded.
    pub path: String,
    /// The route template (`/v1/files/{id}`), for logs and metrics.
    pub route: &'static str,
    /// Query parameters (unencoded).
    pub query: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, route: &'static str, path: String) -> HttpRequest {
        HttpRequest {
            method,
            path,
            route,
            query: Vec::new(),
            body: Body::Empty,
        }
    }

    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> HttpRequest {
        // Serializing our own plain structs cannot fail.
        self.body = Body::Json(serde_json::to_vec(body).expect("request body serializes"));
        self
    }

    /// The full URL: `base` + path + encoded query.
    pub fn url(&self, base: &str) -> String {
        let mut url = String::with_capacity(base.len() + self.path.len() + 32);
        url.push_str(base);
        url.push_str(&self.path);
        if let Some(q) = self.query_string() {
            url.push('?');
            url.push_str(&q);
        }
        url
    }

    /// The encoded query (`k=v&k=v`), or `None` without parameters.
    pub fn query_string(&self) -> Option<String> {
        if self.query.is_empty() {
            return None;
        }
        let mut q = String::with_capacity(32);
        for (i, (k, v)) in self.query.iter().enumerate() {
            if i > 0 {
                q.push('&');
            }
            q.push_str(k);
            q.push('=');
            percent_encode_into(v, &mut q);
        }
        Some(q)
    }

    /// The `Content-Type` of the body, if any.
    pub fn content_type(&self) -> Option<String> {
        match &self.body {
            Body::Empty => None,
            Body::Json(_) => Some("application/json".to_owned()),
            Body::Multipart(m) => Some(m.content_type()),
        }
    }

    /// A short label such as `POST /v1/files`, for errors and logs.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
}

/// Percent-encodes everything outside the URL "unreserved" set.
pub fn percent_encode_into(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
}

/// A path segment (an id) made safe for a URL path.
pub(crate) fn segment(id: &str) -> String {
    let mut s = String::with_capacity(id.len());
    percent_encode_into(id, &mut s);
    s
}

/// A response as the driver received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// Headers, names in any case.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &lossy_prefix(&self.body))
            .finish()
    }
}

impl RawResponse {
    /// A response with no headers (handy in tests).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> RawResponse {
        RawResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> RawResponse {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Classifies a response whose success body is JSON of type `T`.
pub fn parse_json<T: DeserializeOwned>(resp: &RawResponse) -> Result<T> {
    if !resp.is_success() {
        return Err(Error::Api(Box::new(api_error(resp))));
    }
    serde_json::from_slice(&resp.body).map_err(|e| {
        Error::Decode(DecodeError {
            status: resp.status,
            message: e.to_string(),
            body: lossy_prefix(&resp.body),
        })
    })
}

/// Classifies a response whose success has no body (204).
pub fn parse_empty(resp: &RawResponse) -> Result<()> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(Error::Api(Box::new(api_error(resp))))
    }
}

/// Classifies a delete that tolerates absence: `Ok(true)` deleted, `Ok(false)` already
/// gone (404), any other failure an error.
pub fn parse_delete_if_exists(resp: &RawResponse) -> Result<bool> {
    match parse_empty(resp) {
        Ok(()) => Ok(true),
        Err(e) if e.status() == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    status_code: Option<serde_json::Value>,
    #[serde(default)]
    error_code: Option<serde_json::Value>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    validation_errors: Option<Vec<ValidationError>>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    more_info: Option<String>,
}

/// Turns an error response into an [`ApiError`], whatever its body: the REST error
/// body, the WebSocket-style body (`error_code`, `error_message`), or anything else
/// (kept in `raw_body`).
pub fn api_error(resp: &RawResponse) -> ApiError {
    let retry_after = resp.header("retry-after").and_then(crate::error::RetryAfter::parse);
    let parsed = serde_json::from_slice::<ErrorBody>(&resp.body)
        .ok()
        .filter(|b| b.error_type.is_some() || b.message.is_some() || b.error_message.is_some());
    match parsed {
        Some(b) => {
            let _ = (&b.status_code, &b.error_code);
            ApiError {
                status: resp.status,
                error_type: b
                    .error_type
                    .unwrap_or_else(|| default_error_type(resp.status).to_owned()),
                message: b.message.or(b.error_message).unwrap_or_default(),
                validation_errors: b.validation_errors.unwrap_or_default(),
                request_id: b.request_id,
                more_info: b.more_info,
                retry_after,
                raw_body: None,
            }
        }
        None => ApiError {
            status: resp.status,
            error_type: default_error_type(resp.status).to_owned(),
            message: format!("HTTP {} {}", resp.status, reason(resp.status)),
            validation_errors: Vec::new(),
            request_id: None,
            more_info: None,
            retry_after,
            raw_body: Some(lossy_prefix(&resp.body)),
        },
    }
}

/// The catalogue's `error_type` for a status, used when the body has none.
pub(crate) fn default_error_type(status: u16) -> &'static str {
    match status {
        400 => "invalid_request",
        401 => "unauthenticated",
        402 => "organization_balance_exhausted",
        403 => "permission_denied",
        404 => "not_found",
        408 => "request_timeout",
        409 => "transcription_invalid_state",
        413 => "max_duration_reached",
        429 => "limit_exceeded",
        500 => "internal_error",
        503 => "service_unavailable",
        _ => "http_error",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encodes_the_query() {
        let mut r = HttpRequest::new(Method::Get, "/v1/files", "/v1/files".into());
        r.query.push(("limit", "10".into()));
        r.query.push(("cursor", "a b/c=".into()));
        assert_eq!(r.url("http://h"), "http://h/v1/files?limit=10&cursor=a%20b%2Fc%3D");
    }

    #[test]
    fn soniox_error_bodies_are_parsed() {
        let body = br#"{"status_code":401,"error_type":"unauthenticated","message":"Incorrect API key provided.","validation_errors":[],"request_id":"r-1"}"#;
        let e = api_error(&RawResponse::new(401, body.to_vec()));
        assert_eq!(
            (e.status, e.error_type.as_str(), e.request_id.as_deref()),
            (401, "unauthenticated", Some("r-1"))
        );
        assert_eq!(e.raw_body, None);
        let ve = br#"{"status_code":400,"error_type":"invalid_request","message":"bad","validation_errors":[{"error_type":"missing","location":"file.file","message":"Field required"}],"request_id":"r"}"#;
        let e = api_error(&RawResponse::new(400, ve.to_vec()));
        assert_eq!(e.validation_errors[0].location, "file.file");
    }

    #[test]
    fn websocket_style_and_non_json_bodies_are_kept() {
        let e = api_error(&RawResponse::new(
            503,
            br#"{"error_code":503,"error_message":"busy"}"#.to_vec(),
        ));
        assert_eq!(
            (e.error_type.as_str(), e.message.as_str()),
            ("service_unavailable", "busy")
        );
        let e = api_error(&RawResponse::new(502, b"<html>bad gateway</html>".to_vec()));
        assert_eq!(e.error_type, "http_error");
        assert_eq!(e.raw_body.as_deref(), Some("<html>bad gateway</html>"));
    }

    #[test]
    fn delete_if_exists_maps_404_to_false_and_keeps_other_errors() {
        assert!(parse_delete_if_exists(&RawResponse::new(204, Vec::new())).unwrap());
        assert!(!parse_delete_if_exists(&RawResponse::new(404, Vec::new())).unwrap());
        assert_eq!(
            parse_delete_if_exists(&RawResponse::new(409, Vec::new()))
                .unwrap_err()
                .status(),
            Some(409)
        );
    }

    #[test]
    fn malformed_success_bodies_are_decode_errors() {
        let r: Result<serde_json::Value> = parse_json(&RawResponse::new(200, b"{not json".to_vec()));
        match r {
            Err(Error::Decode(d)) => assert_eq!((d.status, d.body.as_str()), (200, "{not json")),
            other => panic!("{other:?}"),
        }
    }
}
