//! Text-to-speech over REST, without I/O: the `POST /tts` request ([`build_generate`]) and
//! a reader of its HTTP/1.1 response ([`SpeechReader`]) that hands the audio out as it
//! arrives and turns every way the stream can go wrong into a typed error.
//!
//! The response is read here, not by an HTTP library, for one reason: an error after the
//! audio began arrives in the chunked body's **trailers** (`X-Tts-Error-Code`,
//! `X-Tts-Error-Message`), which the HTTP stacks under both clients drop. Read without
//! them, a truncated utterance would look like success.
//!
//! ```
//! use soniox::core::speech::{SpeechReader, Step};
//! let mut reader = SpeechReader::new();
//! let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nRIFF\r\n0\r\nX-Tts-Error-Code: 503\r\nX-Tts-Error-Message: Cannot continue request\r\n\r\n";
//! let (mut at, mut audio) = (0, Vec::new());
//! let end = loop {
//!     match reader.feed(&wire[at..]) {
//!         Ok((used, Step::Audio(bytes))) => { audio.extend_from_slice(bytes); at += used; }
//!         Ok((used, Step::NeedMore)) => { at += used; assert!(at < wire.len()); }
//!         Ok((_, Step::Done)) => break Ok(()),
//!         Err(e) => break Err(e),
//!     }
//! };
//! assert_eq!(audio, b"RIFF");
//! let e = end.unwrap_err();
//! assert_eq!(e.status(), Some(503));
//! assert!(e.to_string().contains("after 4 bytes of audio"));
//! ```

use super::http::{api_error, default_error_type, HttpRequest, Method, RawResponse};
use super::validate;
use crate::error::{ApiError, DecodeError, Error, Result};
use crate::types::Speech;

/// The longest response head (status line and headers) read.
pub const MAX_HEAD: usize = 64 * 1024;
/// The longest error body kept (beyond it the rest is read and dropped).
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The longest chunk-size line or trailer section read.
const MAX_LINE: usize = 16 * 1024;

/// `POST /tts`: the speech's JSON, after the documented checks (text 1 to 5000
/// characters, ids at most 50, speed 0.7 to 1.3, `client_reference_id` at most 256).
/// The request goes to the text-to-speech host (`Config::tts_api_url`), not the REST one.
pub fn build_generate(speech: &Speech) -> Result<HttpRequest> {
    validate::speech(speech)?;
    Ok(HttpRequest::new(Method::Post, "/tts", "/tts".to_owned()).json(speech))
}

/// What [`SpeechReader::next`] found: the drivers' whole loop is "read, then `next` until
/// `ReadMore` or `Done`".
#[derive(Debug, PartialEq, Eq)]
pub enum Next<'a> {
    /// Audio: hand it on, then call `next` again.
    Audio(&'a [u8]),
    /// Every byte of the buffer was used: read more (or, at the connection's end, call
    /// [`SpeechReader::end_of_input`]).
    ReadMore,
    /// The response ended well: stop reading (the connection may stay open).
    Done,
}

/// What [`SpeechReader::feed`] found in the bytes it used.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// Nothing to hand out yet: feed more bytes (those used are consumed).
    NeedMore,
    /// Audio: hand it on, then feed the rest.
    Audio(&'a [u8]),
    /// The response ended well: every byte of audio was handed out.
    Done,
}

#[derive(Debug)]
enum Framing {
    /// `Content-Length`: bytes left.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunk),
    /// Neither: the body ends when the connection does.
    Close,
}

#[derive(Debug)]
enum Chunk {
    /// Reading a chunk-size line.
    Size(Vec<u8>),
    /// Bytes left in the current chunk.
    Data(u64),
    /// The CRLF after a chunk's data: how many of its 2 bytes were read.
    DataEnd(u8),
    /// The trailer section after the last chunk.
    Trailers(Vec<u8>),
}

#[derive(Debug)]
enum State {
    Head(Vec<u8>),
    Body { framing: Framing, ok: bool },
    Done,
    Failed,
}

/// Reads one `POST /tts` response as it arrives: the head, then the body's audio (for a
/// 2xx) or the error body (for anything else), framed by `Content-Length`, chunked
/// encoding (trailers included) or the connection's end.
#[derive(Debug)]
pub struct SpeechReader {
    state: State,
    status: u16,
    headers: Vec<(String, String)>,
    error_body: Vec<u8>,
    audio_bytes: u64,
}

impl Default for SpeechReader {
    fn default() -> Self {
        SpeechReader::new()
    }
}

impl SpeechReader {
    /// A reader before the response's first byte.
    pub fn new() -> SpeechReader {
        SpeechReader {
            state: State::Head(Vec::new()),
            status: 0,
            headers: Vec::new(),
            error_body: Vec::new(),
            audio_bytes: 0,
        }
    }

    /// The response's status, once its head was read (0 before).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Audio bytes handed out so far.
    pub fn audio_bytes(&self) -> u64 {
        self.audio_bytes
    }

    /// True once the response ended (well or not).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done | State::Failed)
    }

    /// Feeds bytes read from the connection. Returns how many of them it used (the
    /// caller feeds the rest next) and what they held. An `Err` ends the response: an
    /// error status's body as [`Error::Api`], an error in the trailers as `Error::Api`
    /// with the trailer's code, a malformed response as [`Error::Decode`].
    pub fn feed<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Step<'a>)> {
        let result = self.step(input);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// The next thing in `buf[*at..]`, `at` moved past the bytes used. Checks for the
    /// response's end before asking for more bytes, so a response complete by its
    /// `Content-Length` (or with no body) ends without waiting for the connection to close.
    pub fn next<'a>(&mut self, buf: &'a [u8], at: &mut usize) -> Result<Next<'a>> {
        loop {
            if matches!(self.state, State::Done) {
                return Ok(Next::Done);
            }
            let Some(input) = buf.get(*at..).filter(|i| !i.is_empty()) else {
                return Ok(Next::ReadMore);
            };
            match self.feed(input)? {
                (used, Step::Audio(audio)) => {
                    *at += used;
                    return Ok(Next::Audio(audio));
                }
                (_, Step::Done) => return Ok(Next::Done),
                (0, Step::NeedMore) => {
                    self.state = State::Failed;
                    return Err(decode(self.status, "the response reader made no progress".to_owned()));
                }
                (used, Step::NeedMore) => *at += used,
            }
        }
    }

    /// The connection ended (after every byte was fed): fine for a body framed by the
    /// connection's end, a [`Error::Transport`] for a response cut short.
    pub fn end_of_input(&mut self) -> Result<()> {
        let state = std::mem::replace(&mut self.state, State::Failed);
        match state {
            State::Done => {
                self.state = State::Done;
                Ok(())
            }
            State::Body {
                framing: Framing::Close,
                ok: true,
            } => {
                self.state = State::Done;
                Ok(())
            }
            State::Body {
                framing: Framing::Close,
                ok: false,
            } => Err(self.error_response()),
            _ => Err(Error::Transport(crate::error::TransportError {
                context: format!(
                    "POST /tts: the connection closed before the response ended ({} bytes of audio read)",
                    self.audio_bytes
                ),
                maybe_processed: true,
                source: Box::new(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
            })),
        }
    }

    fn step<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Step<'a>)> {
        match &mut self.state {
            State::Head(buf) => {
                // Only the head's own bytes are kept: the body's stay in the caller's buffer.
                let Some(end) = head_end(buf, input) else {
                    buf.extend_from_slice(input);
                    if buf.len() > MAX_HEAD {
                        return Err(decode(0, format!("the response head is over {MAX_HEAD} bytes")));
                    }
                    return Ok((input.len(), Step::NeedMore));
                };
                buf.extend_from_slice(&input[..end]);
                let head = std::mem::take(buf);
                self.read_head(&head[..head.len() - 4])?;
                Ok((end, Step::NeedMore))
            }
            State::Body { framing, ok } => {
                let ok = *ok;
                let (used, data, done) = body(framing, input, self.status)?;
                if let (Some(trailers), true) = (done.as_ref(), ok) {
                    let request_id = self
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-request-id"))
                        .map(|(_, v)| v.clone());
                    if let Some(e) = trailer_error(trailers, self.audio_bytes, request_id) {
                        return Err(e);
                    }
                }
                if done.is_some() {
                    if !ok {
                        self.keep_error(data);
                        return Err(self.error_response());
                    }
                    self.state = State::Done;
                    if !data.is_empty() {
                        self.audio_bytes += data.len() as u64;
                        return Ok((used, Step::Audio(data)));
                    }
                    return Ok((used, Step::Done));
                }
                if !ok {
                    self.keep_error(data);
                    return Ok((used, Step::NeedMore));
                }
                if data.is_empty() {
                    return Ok((used, Step::NeedMore));
                }
                self.audio_bytes += data.len() as u64;
                Ok((used, Step::Audio(data)))
            }
            State::Done => Ok((0, Step::Done)),
            State::Failed => Err(decode(self.status, "the response already failed".to_owned())),
        }
    }

    fn read_head(&mut self, head: &[u8]) -> Result<()> {
        // Header values may be any bytes: read lossily (the framing headers are ASCII).
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let (version, code) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let status = match (version.starts_with("HTTP/1."), code.parse::<u16>()) {
            (true, Ok(s)) if (100..=599).contains(&s) => s,
            _ => {
                return Err(decode(
                    0,
                    format!("not an HTTP/1.1 status line: {:?}", clip(status_line)),
                ))
            }
        };
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| decode(status, format!("a malformed header line: {:?}", clip(line))))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if (100..200).contains(&status) {
            // An interim answer (100 Continue): the real head follows.
            self.state = State::Head(Vec::new());
            return Ok(());
        }
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        if let Some(coding) = get("content-encoding").filter(|c| !c.eq_ignore_ascii_case("identity")) {
            return Err(decode(
                status,
                format!("the response is {:?}-encoded; it was asked for as is", clip(coding)),
            ));
        }
        let framing = if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().ends_with("chunked")) {
            Framing::Chunked(Chunk::Size(Vec::new()))
        } else if let Some(len) = get("content-length") {
            let n = len
                .parse::<u64>()
                .map_err(|_| decode(status, format!("a bad Content-Length: {:?}", clip(len))))?;
            Framing::Length(n)
        } else if status == 204 || status == 304 {
            Framing::Length(0)
        } else {
            Framing::Close
        };
        self.status = status;
        self.headers = headers;
        let ok = (200..300).contains(&status);
        self.state = match framing {
            Framing::Length(0) if ok => State::Done,
            framing => State::Body { framing, ok },
        };
        if !ok
            && matches!(
                self.state,
                State::Body {
                    framing: Framing::Length(0),
                    ..
                }
            )
        {
            return Err(self.error_response());
        }
        Ok(())
    }

    fn keep_error(&mut self, data: &[u8]) {
        let room = MAX_ERROR_BODY.saturating_sub(self.error_body.len());
        self.error_body.extend_from_slice(&data[..data.len().min(room)]);
    }

    fn error_response(&mut self) -> Error {
        let resp = RawResponse {
            status: self.status,
            headers: std::mem::take(&mut self.headers),
            body: std::mem::take(&mut self.error_body),
        };
        Error::Api(Box::new(api_error(&resp)))
    }
}

/// What one body step read: bytes used, the payload among them, and `Some(trailer
/// section)` when the body ended with these bytes.
type BodyStep<'a> = (usize, &'a [u8], Option<Vec<u8>>);

/// Reads body bytes under `framing`.
fn body<'a>(framing: &mut Framing, input: &'a [u8], status: u16) -> Result<BodyStep<'a>> {
    match framing {
        Framing::Length(left) => {
            let n = input.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
            *left -= n as u64;
            let done = (*left == 0).then(Vec::new);
            Ok((n, &input[..n], done))
        }
        Framing::Close => Ok((input.len(), input, None)),
        Framing::Chunked(chunk) => chunked(chunk, input, status),
    }
}

fn chunked<'a>(chunk: &mut Chunk, input: &'a [u8], status: u16) -> Result<BodyStep<'a>> {
    match chunk {
        Chunk::Size(line) => {
            let Some(i) = input.iter().position(|b| *b == b'\n') else {
                line.extend_from_slice(input);
                if line.len() > MAX_LINE {
                    return Err(decode(status, "a chunk-size line is too long".to_owned()));
                }
                return Ok((input.len(), &[], None));
            };
            // The whole line in `input` (the usual case) is read in place, not copied.
            let text = if line.is_empty() {
                std::str::from_utf8(&input[..i]).unwrap_or("")
            } else {
                line.extend_from_slice(&input[..i]);
                std::str::from_utf8(line).unwrap_or("")
            };
            let hex = text.trim_end_matches('\r').split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(hex, 16)
                .map_err(|_| decode(status, format!("a bad chunk size: {:?}", clip(text))))?;
            *chunk = if size == 0 {
                Chunk::Trailers(Vec::new())
            } else {
                Chunk::Data(size)
            };
            Ok((i + 1, &[], None))
        }
        Chunk::Data(left) => {
            let n = input.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
            *left -= n as u64;
            if *left == 0 {
                *chunk = Chunk::DataEnd(0);
            }
            Ok((n, &input[..n], None))
        }
        Chunk::DataEnd(seen) => {
            let mut used = 0;
            while (*seen as usize) < 2 && used < input.len() {
                let want = if *seen == 0 { b'\r' } else { b'\n' };
                if input[used] != want {
                    return Err(decode(status, "a chunk's data does not end with CRLF".to_owned()));
                }
                *seen += 1;
                used += 1;
            }
            if *seen == 2 {
                *chunk = Chunk::Size(Vec::new());
            }
            Ok((used, &[], None))
        }
        Chunk::Trailers(buf) => {
            let before = buf.len();
            buf.extend_from_slice(input);
            // The section ends with an empty line: CRLF right away, or CRLFCRLF after fields.
            let end = if buf.starts_with(b"\r\n") {
                Some(0)
            } else {
                find(buf, b"\r\n\r\n", before.saturating_sub(3)).map(|i| i + 2)
            };
            match end {
                Some(end) => {
                    let used = end + 2 - before;
                    let trailers = buf[..end].to_vec();
                    Ok((used, &[], Some(trailers)))
                }
                None if buf.len() > MAX_LINE => Err(decode(status, "the trailer section is too long".to_owned())),
                None => Ok((input.len(), &[], None)),
            }
        }
    }
}

/// The error a trailer section reports, if any (empty declared trailers are none).
fn trailer_error(trailers: &[u8], audio_bytes: u64, request_id: Option<String>) -> Option<Error> {
    let text = String::from_utf8_lossy(trailers);
    let field = |name: &str| {
        text.split("\r\n").find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let code = field("x-tts-error-code").filter(|c| !c.is_empty());
    let message = field("x-tts-error-message").filter(|m| !m.is_empty());
    if code.is_none() && message.is_none() {
        return None;
    }
    let status = code
        .as_deref()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (400..=599).contains(c))
        .unwrap_or(500);
    Some(Error::Api(Box::new(ApiError {
        status,
        error_type: default_error_type(status).to_owned(),
        message: format!(
            "{} (the error arrived after {audio_bytes} bytes of audio)",
            message.unwrap_or_else(|| format!("the stream ended with error {}", code.unwrap_or_default()))
        ),
        validation_errors: Vec::new(),
        request_id,
        more_info: None,
        retry_after: None,
        raw_body: None,
    })))
}

/// Where the head's blank line ends in `input`, given the head bytes `buf` before it: the
/// number of `input`'s bytes that complete the head.
fn head_end(buf: &[u8], input: &[u8]) -> Option<usize> {
    const END: &[u8] = b"\r\n\r\n";
    // How much of the terminator `buf` already ends with.
    let mut matched = (1..=3)
        .rev()
        .find(|&k| buf.len() >= k && buf.ends_with(&END[..k]))
        .unwrap_or(0);
    for (i, &b) in input.iter().enumerate() {
        matched = if b == END[matched] {
            matched + 1
        } else if b == b'\r' {
            1
        } else {
            0
        };
        if matched == 4 {
            return Some(i + 1);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

fn decode(status: u16, message: String) -> Error {
    Error::Decode(DecodeError {
        status,
        message,
        body: String::new(),
    })
}

#[cfg(test)]
mod tests;
