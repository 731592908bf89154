//! The one error type shared by both clients and the core.
//!
//! Every fallible call in this crate returns [`Result<T>`](crate::Result). Branch on the
//! variant, or use the accessors [`Error::is_retryable`], [`Error::status`] and
//! [`Error::request_id`]. Transport errors wrap the I/O crate's error as a boxed
//! `dyn Error`; the wrapped type is not part of this crate's API.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::Deserialize;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx/5xx) and, usually, a Soniox error body.
    Api(Box<ApiError>),
    /// The connection failed (refused, reset, TLS, protocol).
    Transport(TransportError),
    /// The configured proxy could not be reached or refused the tunnel (`407` for missing
    /// or wrong proxy credentials, `403`, `502`, ...): nothing reached the API.
    Proxy(ProxyError),
    /// The request, the upload or a wait did not finish within its time limit.
    Timeout(TimeoutError),
    /// A local file could not be opened or read.
    Io {
        /// The file concerned, when there is one.
        path: Option<PathBuf>,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An argument or the configuration was refused before anything was sent.
    InvalidArgument(String),
    /// A reply arrived but its body could not be decoded.
    Decode(DecodeError),
    /// The realtime session ended with an error: an error message from the server, or
    /// a connection closed before `finished`.
    Realtime(RealtimeError),
    /// A transcription job ended with `status: "error"`.
    TranscriptionFailed {
        /// The job id.
        id: String,
        /// The job's `error_type` (for example `invalid_audio_file`).
        error_type: String,
        /// The job's `error_message`.
        message: String,
    },
    /// The caller's cancellation hook ([`WaitOptions::cancel_if`](crate::WaitOptions::cancel_if))
    /// said stop; the text says what was stopped.
    Cancelled(String),
}

/// A server's `Retry-After` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 2`
    Seconds(u64),
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`
    Date(SystemTime),
}

impl RetryAfter {
    /// Parses either form; `None` for anything else.
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let v = value.trim();
        if let Ok(s) = v.parse::<u64>() {
            return Some(RetryAfter::Seconds(s));
        }
        httpdate::parse_http_date(v).ok().map(RetryAfter::Date)
    }
    /// How long to wait from `now` (zero for a date in the past).
    pub fn delay(&self, now: SystemTime) -> Duration {
        match *self {
            RetryAfter::Seconds(s) => Duration::from_secs(s),
            RetryAfter::Date(t) => t.duration_since(now).unwrap_or(Duration::ZERO),
        }
    }
}

/// An error reply from the Soniox API (see the API's error body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The stable machine id, e.g. `unauthenticated`, `file_not_found`, `limit_exceeded`.
    pub error_type: String,
    /// Human-readable text; may change between releases of the service.
    pub message: String,
    /// Field-level problems for `invalid_request`.
    pub validation_errors: Vec<ValidationError>,
    /// The server's request id: quote it to support.
    pub request_id: Option<String>,
    /// A link to the documentation of this error, when the server sends one.
    pub more_info: Option<String>,
    /// The `Retry-After` the server asked for, when it sent one.
    pub retry_after: Option<RetryAfter>,
    /// The raw body, kept when it was not a Soniox error body.
    pub raw_body: Option<String>,
}

/// One field-level validation problem inside an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ValidationError {
    /// A pydantic-style slug: `missing`, `value_error`, `less_than_equal`, ...
    #[serde(default)]
    pub error_type: String,
    /// A dotted path such as `body.payload.model` or `file.file`.
    #[serde(default)]
    pub location: String,
    /// Human-readable text.
    #[serde(default)]
    pub message: String,
}

/// A connection-level failure.
#[derive(Debug)]
pub struct TransportError {
    /// What the client was doing, e.g. `POST /v1/transcriptions`.
    pub context: String,
    /// True when the request may have reached the server and been processed
    /// (the body was sent before the failure). A POST with this flag was not retried.
    pub maybe_processed: bool,
    /// The underlying error; its type is not part of this crate's API.
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// True when the TLS handshake failed because this client refused the server's
    /// certificate: issued by a CA it does not trust, made for another host name, expired.
    /// The message says which. Such an error is not retried (and
    /// [`Error::is_retryable`] is false): only a change of trust can fix it — a
    /// corporate or private CA is added with
    /// [`ConfigBuilder::add_root_certificates_pem`](crate::ConfigBuilder::add_root_certificates_pem),
    /// `SONIOX_CA_FILE`, or [`TlsRoots::Os`](crate::TlsRoots::Os).
    pub fn is_certificate_error(&self) -> bool {
        self.source.is::<CertificateError>()
    }
}

/// The source of a [`TransportError`] whose TLS handshake refused the server's certificate
/// (see [`TransportError::is_certificate_error`]).
#[derive(Debug)]
#[cfg_attr(not(any(feature = "blocking", feature = "async")), allow(dead_code))]
pub(crate) struct CertificateError {
    /// What is wrong, completing "the server's TLS certificate ...".
    pub(crate) problem: &'static str,
    /// The TLS library's own error.
    pub(crate) source: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TLS certificate refused: the server's certificate {} ({}); to trust a private or \
             corporate CA, use add_root_certificates_pem, SONIOX_CA_FILE or TlsRoots::Os",
            self.problem, self.source
        )
    }
}

impl std::error::Error for CertificateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// The proxy a connection went through could not be reached or did not open the tunnel
/// (see [`ConfigBuilder::proxy`](crate::ConfigBuilder::proxy)). Nothing reached the API.
/// Never shows the proxy credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyError {
    /// The proxy, as `http://host:port` (`http://***:***@host:port` with credentials).
    pub proxy: String,
    /// The `host:port` the tunnel was for.
    pub target: String,
    /// The proxy's status code when it answered `CONNECT` with an error (`407`: missing or
    /// refused credentials, `403`, `502`, ...); `None` when it could not be reached, closed
    /// the connection or did not answer in HTTP.
    pub status: Option<u16>,
    /// What happened, in words.
    pub message: String,
    pub(crate) retryable: bool,
}

impl ProxyError {
    /// The proxy asked for credentials (`407`): none were given, or it refused them.
    pub fn is_auth_required(&self) -> bool {
        self.status == Some(407)
    }
    /// Whether trying again later may work: the proxy could not be reached or closed the
    /// connection, or it answered `502`, `503` or `504` (it could not reach the API).
    /// Refusals (`407`, `403`, ...) and answers that are not HTTP are not retried.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "proxy {} (CONNECT {}): {}", self.proxy, self.target, self.message)
    }
}

impl std::error::Error for ProxyError {}

/// A realtime session error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeError {
    /// The server's `error_code` (HTTP-like: 400, 401, 408, 429, 503, ...), when sent.
    pub code: Option<u16>,
    /// The server's `error_type` (e.g. `unauthenticated`), or `connection_closed` when
    /// the connection ended without `finished`.
    pub error_type: String,
    /// Human-readable text.
    pub message: String,
    /// The server's request id, when sent.
    pub request_id: Option<String>,
}

impl RealtimeError {
    /// The `error_type` of a connection that ended before the server sent `finished`.
    pub const CONNECTION_CLOSED: &'static str = "connection_closed";

    /// A [`CONNECTION_CLOSED`](Self::CONNECTION_CLOSED) error with this message.
    pub(crate) fn connection_closed(message: String) -> RealtimeError {
        RealtimeError {
            code: None,
            error_type: Self::CONNECTION_CLOSED.to_owned(),
            message,
            request_id: None,
        }
    }
}

/// A time limit was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    /// What timed out, e.g. `GET /v1/models` or `waiting for transcription <id>`.
    pub context: String,
    /// The limit that was reached.
    pub after: Duration,
}

/// A body that could not be decoded into the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The HTTP status of the reply.
    pub status: u16,
    /// What went wrong (the JSON error).
    pub message: String,
    /// The raw body (lossy UTF-8, at most 4 KiB kept).
    pub body: String,
}

/// How much of an undecodable body an error keeps.
pub(crate) const MAX_KEPT_BODY: usize = 4096;

pub(crate) fn lossy_prefix(body: &[u8]) -> String {
    let end = body.len().min(MAX_KEPT_BODY);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

impl Error {
    /// True for failures worth retrying later: 408, 429, 500, 502, 503, 504,
    /// connection errors (but not a refused TLS certificate, see
    /// [`TransportError::is_certificate_error`]), timeouts, and a proxy that could not be
    /// reached or could not reach the API ([`ProxyError::is_retryable`]; never a `407`). Whether the SDK itself
    /// retried depends on the method (see `core::retry`).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 408 | 429 | 500 | 502 | 503 | 504),
            Error::Realtime(e) => {
                matches!(e.code, Some(408 | 429 | 500 | 503)) || e.error_type == RealtimeError::CONNECTION_CLOSED
            }
            Error::Transport(e) => !e.is_certificate_error(),
            Error::Proxy(e) => e.is_retryable(),
            Error::Timeout(_) => true,
            _ => false,
        }
    }

    /// The HTTP status, for [`Error::Api`] and [`Error::Decode`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Realtime(e) => e.code,
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The server's request id, for [`Error::Api`].
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Realtime(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API's `error_type`, for [`Error::Api`] and [`Error::TranscriptionFailed`].
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Error::Api(e) => Some(&e.error_type),
            Error::Realtime(e) => Some(&e.error_type),
            Error::TranscriptionFailed { error_type, .. } => Some(error_type),
            _ => None,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidArgument(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Transport(e) => {
                write!(f, "connection error during {}: {}", e.context, e.source)?;
                if e.maybe_processed {
                    f.write_str(" (the request may have been processed)")?;
                }
                Ok(())
            }
            Error::Proxy(e) => e.fmt(f),
            Error::Timeout(e) => write!(f, "timed out after {:?}: {}", e.after, e.context),
            Error::Io { path: Some(p), source } => write!(f, "{}: {}", p.display(), source),
            Error::Io { path: None, source } => write!(f, "i/o error: {source}"),
            Error::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            Error::Cancelled(m) => write!(f, "cancelled: {m}"),
            Error::Realtime(e) => {
                write!(f, "realtime error")?;
                if let Some(c) = e.code {
                    write!(f, " {c}")?;
                }
                write!(f, " {}: {}", e.error_type, e.message)?;
                if let Some(id) = &e.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Decode(e) => write!(
                f,
                "could not decode the HTTP {} reply: {} (body: {:?})",
                e.status, e.message, e.body
            ),
            Error::TranscriptionFailed {
                id,
                error_type,
                message,
            } => {
                write!(f, "transcription {id} failed: {error_type}: {message}")
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {} {}: {}", self.status, self.error_type, self.message)?;
        for v in &self.validation_errors {
            write!(f, "; {}: {}", v.location, v.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(&*e.source),
            Error::Proxy(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl std::error::Error for ApiError {}

/// The errors under `e`, `e` first: each one's source, looking inside an `io::Error` and a
/// ureq error (whose `source()` is empty); at most 16 deep (a deeper chain is no chain of
/// ours). The one walk by which a refused certificate (`driver::tls`) and a proxy's
/// refusal (`driver::proxy`) are found under whatever the I/O stacks wrapped them in.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| next_cause(*e)).take(16)
}

#[cfg(any(feature = "blocking", feature = "async"))]
fn next_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    #[cfg(feature = "blocking")]
    match e.downcast_ref::<ureq::Error>() {
        Some(ureq::Error::Io(io)) => return io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
        Some(ureq::Error::Other(inner)) => return Some(&**inner),
        _ => {}
    }
    if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
        return Some(inner);
    }
    e.source()
}
