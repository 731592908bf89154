//! The text-to-speech listener (the `tts-rt` host of soniox-api-more.md §1.1): `POST /tts`
//! (§2), on a port of its own so that a client's text-to-speech URL is really used. Read
//! and answered by hand rather than by async-h1, whose responses cannot carry the
//! trailers the service reports a late error in: the audio goes out chunked, and a
//! [`FaultAction::TtsErrorAfter`] ends it with `X-Tts-Error-Code`/`X-Tts-Error-Message`.
//! Errors before the audio use the host's own body (`error_code`, `error_message`).
//! One request at a time per connection, kept alive unless the client says `close`.

mod audio;
mod request;

use std::sync::Arc;

use async_std::net::TcpStream;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

use self::audio::{content_type, Synth};
use crate::mock::faults::FaultAction;
use crate::mock::http::errors::ApiError;
use crate::mock::http::routes::{method_index, Route, METHODS};
use crate::mock::http::server::open_io;
use crate::mock::net::tls::Io;
use crate::mock::state::shared::{bearer_key, sleep_unless_shutdown, Shared};
use crate::mock::state::stats::Stats;

/// The longest request head and body read.
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 64 * 1024;
/// Audio bytes per chunk.
const CHUNK: usize = 8 * 1024;

/// Takes an accepted connection on the text-to-speech port.
pub(in crate::mock) fn accept(shared: &Arc<Shared>, tcp: TcpStream) {
    let registration = shared.register(&tcp);
    let shared = shared.clone();
    async_std::task::spawn(async move {
        if let Some(mut io) = open_io(&shared, &tcp).await {
            // Bytes read past one request belong to the next (pipelining).
            let mut carry = Vec::new();
            while let Ok(true) = serve_one(&shared, &mut io, &mut carry).await {}
        }
        let _ = tcp.shutdown(std::net::Shutdown::Both);
        drop(registration);
    });
}

/// A request as read off the connection.
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    close: bool,
    body: Vec<u8>,
}

/// How a successful answer's body ends.
enum Ending {
    /// The last chunk, no trailers.
    Clean,
    /// After `bytes` of audio, the trailers with `code` ([`FaultAction::TtsErrorAfter`]).
    Trailers { bytes: u64, code: u16 },
    /// Halfway, without the last chunk, then the connection closes ([`FaultAction::TruncatedBody`]).
    Truncate,
}

/// Reads and answers one request; `Ok(true)` when the connection may carry another.
async fn serve_one(shared: &Shared, io: &mut Io, carry: &mut Vec<u8>) -> std::io::Result<bool> {
    let req = match read_request(io, carry).await? {
        Read::Request(req) => req,
        Read::End => return Ok(false),
        Read::Refused(e) => {
            let request_id = shared.rng.uuid();
            shared.stats.request(METHODS.len() - 1, None);
            return error(shared, ("", ""), io, &e, &request_id, true).await;
        }
    };
    let route = (req.path == "/tts").then_some(Route::Tts);
    let method = req.method.parse::<http_types::Method>();
    shared
        .stats
        .request(method.map_or(METHODS.len() - 1, method_index), route);
    let request_id = shared.rng.uuid();
    let picked = shared.faults.pick(&req.method, &req.path, &shared.rng);
    Stats::add(&shared.stats.faults_injected, picked.fired);
    if !picked.latency.is_zero() {
        sleep_unless_shutdown(shared, picked.latency).await;
    }
    shared.log.record(&req.method, &req.path, None, picked.action.as_ref());
    let refusal = if route.is_none() {
        Some(ApiError::new(404, "not_found", "Not Found"))
    } else if req.method != "POST" {
        Some(ApiError::new(405, "method_not_allowed", "Method Not Allowed"))
    } else if !req.authorization.as_deref().is_some_and(|a| accepts(shared, a)) {
        Some(ApiError::new(
            401,
            "unauthenticated",
            "Incorrect API key provided. You can get an API key at https://console.soniox.com",
        ))
    } else {
        None
    };
    // The per-minute limit counts both hosts' requests (one organization).
    let refusal = refusal.or_else(|| {
        shared.check_rate_limit().err().map(|e| {
            ApiError::limit_exceeded(
                "Requests per minute limit for text-to-speech has been exceeded for your organization.",
            )
            .with_retry_after(e.retry_after)
        })
    });
    if let Some(e) = refusal {
        return error(shared, (&req.method, &req.path), io, &e, &request_id, req.close).await;
    }
    let mut ending = Ending::Clean;
    match picked.action {
        Some(FaultAction::Status { status, retry_after }) => {
            let e = ApiError::for_status(status).with_retry_after(retry_after);
            return error(shared, (&req.method, &req.path), io, &e, &request_id, true).await;
        }
        Some(FaultAction::DropConnection) => return Ok(false),
        Some(FaultAction::Hang(d)) => {
            sleep_unless_shutdown(shared, d).await;
            return Ok(false);
        }
        Some(FaultAction::TtsErrorAfter { bytes, code }) => ending = Ending::Trailers { bytes, code },
        Some(FaultAction::TruncatedBody) => ending = Ending::Truncate,
        _ => {}
    }
    let speech = match request::parse(&req.body) {
        Ok(s) => s,
        Err(e) => return error(shared, (&req.method, &req.path), io, &e, &request_id, req.close).await,
    };
    let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let (per_char, max) = (ms(shared.config.tts_audio_per_char), ms(shared.config.tts_max_audio));
    let synth_of = || {
        Synth::new(
            &speech.format,
            speech.text_chars,
            speech.sample_rate,
            speech.bitrate,
            per_char,
            max,
        )
    };
    let mut synth = synth_of();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\
         Trailer: X-Tts-Error-Code, X-Tts-Error-Message\r\nx-request-id: {request_id}\r\n{}\r\n",
        content_type(&speech.format),
        if req.close { "Connection: close\r\n" } else { "" }
    );
    io.write_all(head.as_bytes()).await?;
    if shared.config.record_responses {
        // The log keeps the head's content type and the audio's first 64 KiB.
        let mut first = Vec::new();
        synth_of().fill(&mut first, 64 * 1024);
        shared.record_parts(&req.method, &req.path, 200, Some(content_type(&speech.format)), &first);
    }
    // A truncated body stops halfway, without its last chunk; an error, after `bytes`.
    let stop_at = match ending {
        Ending::Truncate => synth.len() / 2,
        Ending::Trailers { bytes, .. } => bytes.min(synth.len()),
        Ending::Clean => synth.len(),
    };
    let mut sent = 0u64;
    let mut chunk = Vec::with_capacity(CHUNK);
    while sent < stop_at {
        chunk.clear();
        synth.fill(&mut chunk, CHUNK.min(usize::try_from(stop_at - sent).unwrap_or(CHUNK)));
        sent += chunk.len() as u64;
        io.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
        io.write_all(&chunk).await?;
        io.write_all(b"\r\n").await?;
    }
    match ending {
        Ending::Truncate => {
            io.flush().await?;
            return Ok(false);
        }
        Ending::Trailers { code, .. } => {
            let message = match code {
                503 => "Cannot continue request (code 11). Please restart the request.".to_owned(),
                c => ApiError::for_status(c).message,
            };
            let trailers = format!("0\r\nX-Tts-Error-Code: {code}\r\nX-Tts-Error-Message: {message}\r\n\r\n");
            io.write_all(trailers.as_bytes()).await?;
        }
        Ending::Clean => io.write_all(b"0\r\n\r\n").await?,
    }
    io.flush().await?;
    Ok(!req.close)
}

/// A regular key, or a temporary key minted for `tts_rt` (soniox-api-more.md §1.2).
fn accepts(shared: &Shared, authorization: &str) -> bool {
    if shared.accepts_authorization(authorization) {
        return true;
    }
    bearer_key(authorization).is_some_and(|key| {
        shared
            .state
            .use_temp_key(key, "tts_rt", std::time::SystemTime::now())
            .is_some()
    })
}

/// Answers with the text-to-speech host's error body.
async fn error(
    shared: &Shared,
    (method, path): (&str, &str),
    io: &mut Io,
    e: &ApiError,
    request_id: &str,
    close: bool,
) -> std::io::Result<bool> {
    let body = e.tts_body(request_id).to_string();
    let retry_after = e
        .retry_after
        .as_deref()
        .map_or(String::new(), |v| format!("Retry-After: {v}\r\n"));
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nx-request-id: {request_id}\r\n{retry_after}{}\r\n",
        e.status,
        http_types::StatusCode::try_from(e.status).map_or("Error", |s| s.canonical_reason()),
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    );
    shared.record_parts(method, path, e.status, Some("application/json"), body.as_bytes());
    io.write_all(head.as_bytes()).await?;
    io.write_all(body.as_bytes()).await?;
    io.flush().await?;
    Ok(!close)
}

/// What [`read_request`] got.
enum Read {
    Request(Request),
    /// The client closed (or sent what no HTTP/1.1 server can read on): close quietly.
    End,
    /// A request the mock cannot take: answer this, then close.
    Refused(ApiError),
}

/// Reads one request (head and `Content-Length` body), starting with the bytes `carry`
/// kept from the previous read and leaving there what follows this request.
async fn read_request(io: &mut Io, carry: &mut Vec<u8>) -> std::io::Result<Read> {
    let mut buf = std::mem::take(carry);
    let mut tmp = [0u8; 4096];
    let mut scanned = 0;
    let head_end = loop {
        // Only the bytes not searched yet (and the three before them).
        if let Some(i) = buf[scanned..].windows(4).position(|w| w == b"\r\n\r\n") {
            break scanned + i + 4;
        }
        scanned = buf.len().saturating_sub(3);
        if buf.len() > MAX_HEAD {
            return Ok(Read::Refused(ApiError::new(
                431,
                "invalid_request",
                "Request header fields too large.",
            )));
        }
        let n = io.read(&mut tmp).await?;
        if n == 0 {
            return Ok(Read::End);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    if !matches!(parsed.parse(&buf[..head_end]), Ok(httparse::Status::Complete(_))) {
        return Ok(Read::Refused(ApiError::new(
            400,
            "invalid_request",
            "Bad request: the head could not be parsed.",
        )));
    }
    let get = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    if get("transfer-encoding").is_some() {
        return Ok(Read::Refused(ApiError::new(
            411,
            "invalid_request",
            "Length required: send the body with Content-Length.",
        )));
    }
    let len: usize = match get("content-length").map(|v| v.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) if n <= MAX_BODY => n,
        Some(Ok(_)) => {
            return Ok(Read::Refused(ApiError::new(
                413,
                "invalid_request",
                "Request body too large.",
            )))
        }
        Some(Err(_)) => {
            return Ok(Read::Refused(ApiError::new(
                400,
                "invalid_request",
                "Bad request: a bad Content-Length.",
            )))
        }
    };
    let request = Request {
        method: parsed.method.unwrap_or_default().to_owned(),
        path: parsed
            .path
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned(),
        authorization: get("authorization"),
        close: get("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) || parsed.version == Some(0),
        body: Vec::new(),
    };
    let mut body = buf.split_off(head_end);
    while body.len() < len {
        let n = io.read(&mut tmp).await?;
        if n == 0 {
            return Ok(Read::End);
        }
        body.extend_from_slice(&tmp[..n]);
    }
    *carry = body.split_off(len);
    Ok(Read::Request(Request { body, ..request }))
}
