//! Responses as plain values, turned into `http_types` responses or raw bytes at the end.

use http_types::{Response, StatusCode};
use serde_json::Value;

use super::errors::ApiError;

/// A response before it is written.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

/// What the connection does with a handled request.
#[derive(Debug)]
pub(crate) enum Flow {
    /// Answer normally (keep-alive continues).
    Reply(Reply),
    /// Write this reply, stop reading the request, and close the connection.
    ReplyAndClose(Reply),
}

impl Reply {
    pub(crate) fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: serde_json::to_vec(body).expect("serialising a JSON value"),
        }
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn error(e: &ApiError, request_id: &str) -> Reply {
        let mut r = Reply::json(e.status, &e.body(request_id));
        if let Some(v) = &e.retry_after {
            r.headers.push(("retry-after", v.clone()));
        }
        r
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// As an `http_types` response (unknown status codes become 500).
    pub(crate) fn into_response(self) -> Response {
        let status = StatusCode::try_from(self.status).unwrap_or(StatusCode::InternalServerError);
        let mut res = Response::new(status);
        for (name, value) in self.headers {
            res.append_header(name, value.as_str());
        }
        if !self.body.is_empty() {
            res.set_body(self.body);
        }
        res
    }

    /// The raw HTTP/1.1 bytes: head with `Content-Length: declared_len`, then `body_part`.
    pub(crate) fn raw(&self, declared_len: usize, body_part: &[u8], close: bool) -> Vec<u8> {
        let reason = StatusCode::try_from(self.status)
            .map(|s| s.canonical_reason())
            .unwrap_or("Unknown");
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason);
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("content-length: {declared_len}\r\n"));
        out.push_str(&format!(
            "date: {}\r\n",
            httpdate::fmt_http_date(std::time::SystemTime::now())
        ));
        if close {
            out.push_str("connection: close\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body_part);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn raw_head() {
        let r = Reply::json(200, &json!({"a": 1}));
        let raw = String::from_utf8(r.raw(100, b"{\"a\"", true)).unwrap();
        assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(raw.contains("content-length: 100\r\n"));
        assert!(raw.contains("connection: close\r\n"));
        assert!(raw.ends_with("\r\n\r\n{\"a\""));
    }
}
