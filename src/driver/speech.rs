//! What both clients' text-to-speech exchanges share: where `POST /tts` goes (the TTS
//! host of [`Config::tts_api_url`]), the bytes of the request (the key as
//! `Authorization: Bearer`, one request per connection), and the retry step after a
//! failure, which may retry only before the first byte of audio was handed on. The core's
//! [`SpeechReader`](crate::core::speech::SpeechReader) reads the answer.

use std::ops::ControlFlow;
use std::time::Duration;

use crate::config::Config;
use crate::core::http::{Body, HttpRequest};
use crate::core::retry::{Outcome, Retry};
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
    /// The `Host` header: the base URL's authority as written.
    authority: String,
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
            authority: url.authority().to_owned(),
        }
    }

    /// The request's bytes: head and JSON body.
    pub(crate) fn request_bytes(&self, config: &Config, req: &HttpRequest) -> Vec<u8> {
        let body: &[u8] = match &req.body {
            Body::Json(json) => json,
            _ => &[],
        };
        let mut out = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nUser-Agent: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nAccept: */*\r\n\
             Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
            self.path,
            self.authority,
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
    match super::attempt::decide(req, retry, &outcome, span) {
        Some(delay) => ControlFlow::Continue(delay),
        None => ControlFlow::Break(error),
    }
}

/// The caller's writer refused the audio.
pub(crate) fn local_write(context: &str, e: std::io::Error) -> Error {
    Error::Transport(crate::error::TransportError {
        context: format!("{context}: writing the audio"),
        maybe_processed: true,
        source: Box::new(e),
    })
}

/// The file `generate_to_file` writes while the audio arrives: a sibling of the target
/// (`.NAME.part-PID-N`), renamed onto it only once the whole audio is in; removed when
/// dropped before that (an error, or an async call's future dropped midway), so a failed
/// or cancelled call leaves neither a half file nor a changed target.
#[derive(Debug)]
pub(crate) struct PartialFile {
    part: std::path::PathBuf,
    done: bool,
}

impl PartialFile {
    pub(crate) fn for_target(target: &std::path::Path) -> PartialFile {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = target
            .file_name()
            .map_or_else(|| "speech".into(), |n| n.to_string_lossy().into_owned());
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let part = target.with_file_name(format!(".{name}.part-{}-{n}", std::process::id()));
        PartialFile { part, done: false }
    }

    /// Where to write.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.part
    }

    /// Moves the finished file onto `target`.
    pub(crate) fn commit(mut self, target: &std::path::Path) -> crate::error::Result<()> {
        std::fs::rename(&self.part, target).map_err(|e| super::attempt::io_error(target, e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.part);
        }
    }
}
