//! The mock's front door, over a real loopback socket: whatever a client writes to the
//! port (one or more HTTP requests, well-formed or not, with any body framing; or a
//! realtime upgrade followed by any WebSocket frames) reaches async-h1, the router, the
//! handlers and the realtime session exactly as a real client's bytes would.
//!
//! Invariants: no panic in any of the mock's threads (a panic hook counts them); the
//! connection ends by itself within a few seconds of the client's half-close; everything
//! the mock writes back parses with `httparse` (a parser we did not write) as complete
//! HTTP/1.1 responses, framed by `Content-Length` or chunked, whose error bodies are the
//! API's JSON error (`status_code` equal to the status, a snake_case `error_type`, a
//! `request_id`); a 2xx only for a request that carried the valid key; no more answers
//! than requests, and an answer to a well-formed first request (the mock, like async-h1,
//! does not serve pipelined requests: what a read brings past a request's end is dropped); after a `101`, only
//! unmasked server frames whose text frames are JSON objects and whose close frame comes
//! last. Every 32 inputs the server must still answer `GET /v1/models` with 200.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};
use soniox::mock::MockServer;

/// How long the mock may take to answer and close once the client has half-closed.
const ANSWER_LIMIT: Duration = Duration::from_secs(5);

/// Panics in the mock's threads (async-std's executor, async-io, the blocking pool).
static MOCK_PANICS: AtomicUsize = AtomicUsize::new(0);

/// One mock for the whole run, replaced when its store grows large.
static MOCK: Mutex<Option<Mock>> = Mutex::new(None);

struct Mock {
    server: MockServer,
    /// Ids of files and jobs the mock holds (refreshed now and then), for requests that
    /// name a real resource.
    ids: Vec<String>,
    runs: u64,
}

/// Paths worth trying; `{id}` becomes a real id or anything.
const PATHS: &[&str] = &[
    "/v1/files",
    "/v1/files/count",
    "/v1/files/{id}",
    "/v1/transcriptions",
    "/v1/transcriptions/count",
    "/v1/transcriptions/{id}",
    "/v1/transcriptions/{id}/transcript",
    "/v1/models",
    "/v1/auth/temporary-api-key",
    "/transcribe-websocket",
    "/v1/",
    "/",
];

const METHODS: &[&str] = &[
    "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "QUERY", "CONNECT", "TRACE",
];

/// Keys of the request bodies and start messages (and a few that are not).
const KEYS: &[&str] = &[
    "model",
    "file_id",
    "audio_url",
    "language_hints",
    "language_hints_strict",
    "context",
    "enable_speaker_diarization",
    "enable_language_identification",
    "enable_endpoint_detection",
    "webhook_url",
    "webhook_auth_header_name",
    "webhook_auth_header_value",
    "client_reference_id",
    "translation",
    "usage_type",
    "expires_in_seconds",
    "audio_format",
    "sample_rate",
    "num_channels",
    "api_key",
    "type",
    "unknown",
];

const WORDS: &[&str] = &[
    "stt-async-v4",
    "stt-async-preview",
    "stt-rt-v4",
    "stt-rt-preview",
    "transcribe_websocket",
    "https://example.com/a.wav",
    "http://127.0.0.1:1/x",
    "en",
    "auto",
    "pcm_s16le",
    "wav",
    "finalize",
    "keepalive",
    "mock-api-key",
    "",
];

/// Query parameters of the list endpoints.
const QUERY: &[&str] = &["limit", "cursor", "offset", "status", "x"];

/// A value: the shared kinds, an id the mock holds, or an object of the API's keys.
#[derive(Arbitrary, Debug)]
enum Val {
    Plain(super::Val),
    Id(u8),
    Object(Vec<(u8, u8)>),
}

#[derive(Arbitrary, Debug)]
enum Auth {
    None,
    Valid,
    Other(String),
    Scheme(String),
}

#[derive(Arbitrary, Debug)]
enum Body {
    None,
    Json(Vec<(u8, Val)>),
    Multipart {
        fields: Vec<(u8, String)>,
        filename: String,
        file: Vec<u8>,
        /// A boundary of the fuzzer's instead of the well-formed one.
        boundary: Option<String>,
    },
    Raw {
        content_type: Option<String>,
        bytes: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
enum Framing {
    Exact,
    Chunked(Vec<u16>),
    /// A declared length of the fuzzer's (short, long or absent).
    Declared(Option<u32>),
}

#[derive(Arbitrary, Debug)]
struct Req {
    method: u8,
    path: u8,
    id: Val,
    query: Vec<(u8, Val)>,
    auth: Auth,
    headers: Vec<(String, String)>,
    body: Body,
    framing: Framing,
}

#[derive(Arbitrary, Debug)]
enum Frame {
    Start(Vec<(u8, Val)>),
    Text(String),
    Binary(Vec<u8>),
    /// Opcode (low 4 bits), FIN, masked, payload.
    Other(u8, bool, bool, Vec<u8>),
    Close(Option<u16>),
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(Vec<u8>),
    Requests(Vec<Req>),
    Realtime {
        auth: Auth,
        protocol: bool,
        frames: Vec<Frame>,
    },
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    install_panic_counter();
    let mut guard = MOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mock = guard.get_or_insert_with(new_mock);
    let key = mock.server.api_key();
    let (bytes, expect) = match &input {
        Input::Raw(bytes) => (
            bytes.clone(),
            Expect {
                raw_head: bytes.windows(4).any(|w| w == b"HEAD"),
                ..Expect::default()
            },
        ),
        Input::Requests(reqs) => encode_requests(reqs, &key, &mock.ids),
        Input::Realtime { auth, protocol, frames } => encode_realtime(auth, *protocol, frames, &key, &mock.ids),
    };
    let before = MOCK_PANICS.load(Ordering::SeqCst);
    let reply = exchange(mock.server.addr(), &bytes);
    assert_eq!(MOCK_PANICS.load(Ordering::SeqCst), before, "the mock panicked");
    let reply = reply.unwrap_or_else(|e| panic!("{e}"));
    check_reply(&reply, &bytes, &key, &expect);
    mock.runs += 1;
    if mock.runs % 32 == 0 {
        assert_eq!(
            models_status(mock.server.addr(), &key),
            Some(200),
            "the mock stopped answering"
        );
    }
    if mock.runs % 128 == 0 {
        let files = mock.server.files();
        let jobs = mock.server.transcriptions();
        if files.len() + jobs.len() > 2_000 {
            *guard = Some(new_mock());
        } else {
            mock.ids = files
                .iter()
                .map(|f| f.id.clone())
                .take(8)
                .chain(jobs.iter().map(|j| j.id.clone()).take(8))
                .collect();
        }
    }
}

fn new_mock() -> Mock {
    Mock {
        server: MockServer::start(),
        ids: Vec::new(),
        runs: 0,
    }
}

fn install_panic_counter() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or("").to_owned();
            if ["async-std", "async-io", "async-global-executor", "blocking"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                MOCK_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// What the encoder knows about the bytes it made.
#[derive(Default, Debug)]
struct Expect {
    /// The most answers there can be: the requests written (`None`: unknown, raw bytes or
    /// a declared length that leaves bytes over, which HTTP reads as another request).
    requests: Option<usize>,
    /// Raw bytes that hold `HEAD`: an answer without a body may be one to a `HEAD`.
    raw_head: bool,
    /// The first request is well-formed HTTP: it must get an answer.
    first_well_formed: bool,
    /// Indices (in order) of the requests that were `HEAD` (answers without a body).
    heads: Vec<bool>,
}

/// Writes `bytes`, half-closes and reads until the mock closes. A reset ends the reply
/// too (the mock may close with our bytes unread); the flag says so.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Result<(Vec<u8>, bool), String> {
    let mut tcp = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    tcp.set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(ANSWER_LIMIT)).map_err(|e| e.to_string())?;
    let mut reset = false;
    // The mock may answer and close before reading everything: a failed write is fine.
    if tcp.write_all(bytes).is_err() {
        reset = true;
    }
    let _ = tcp.shutdown(Shutdown::Write);
    let deadline = Instant::now() + ANSWER_LIMIT;
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => return Ok((reply, reset)),
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
                return Ok((reply, true))
            }
            Err(e) => return Err(format!("read: {e}")),
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the mock neither finished nor closed within {ANSWER_LIMIT:?} of the half-close ({} bytes so far: {:?})",
                reply.len(),
                String::from_utf8_lossy(&reply[..reply.len().min(300)])
            ));
        }
    }
}

/// `GET /v1/models` on a fresh connection: the status, if an answer came.
fn models_status(addr: SocketAddr, key: &str) -> Option<u16> {
    let req = format!(
        "GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {key}\r\nconnection: close\r\n\r\n"
    );
    let (reply, _) = exchange(addr, req.as_bytes()).ok()?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut res = httparse::Response::new(&mut headers);
    res.parse(&reply).ok()?;
    res.code
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

fn value(v: &Val, ids: &[String]) -> Value {
    match v {
        Val::Plain(v) => v.json(WORDS),
        Val::Id(i) => json!(id(*i, ids)),
        Val::Object(o) => Value::Object(
            o.iter()
                .map(|(k, w)| (pick(KEYS, *k).to_owned(), json!(pick(WORDS, *w))))
                .collect(),
        ),
    }
}

fn id(i: u8, ids: &[String]) -> String {
    if ids.is_empty() {
        format!("00000000-0000-4000-8000-{:012x}", i)
    } else {
        ids[usize::from(i) % ids.len()].clone()
    }
}

fn object(fields: &[(u8, Val)], ids: &[String]) -> String {
    let mut map = Map::new();
    for (k, v) in fields {
        map.insert(pick(KEYS, *k).to_owned(), value(v, ids));
    }
    Value::Object(map).to_string()
}

/// Text for a URL: anything, percent-encoded where HTTP would not take it as is.
fn url_text(v: &Val, ids: &[String]) -> String {
    let raw = match value(v, ids) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a header could be sent by a careful client (a token name, a visible value).
fn sane_header(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && ![
            "content-length",
            "transfer-encoding",
            "content-type",
            "authorization",
            "host",
            "expect",
            "connection",
            "upgrade",
        ]
        .contains(&name.to_ascii_lowercase().as_str())
}

fn auth_header(auth: &Auth, key: &str) -> Option<(String, bool)> {
    match auth {
        Auth::None => None,
        Auth::Valid => Some((format!("Bearer {key}"), true)),
        Auth::Other(k) => Some((format!("Bearer {k}"), k.bytes().all(|b| (0x21..0x7f).contains(&b)))),
        Auth::Scheme(v) => Some((v.clone(), v.bytes().all(|b| (0x20..0x7f).contains(&b)))),
    }
}

fn encode_requests(reqs: &[Req], key: &str, ids: &[String]) -> (Vec<u8>, Expect) {
    let mut out = Vec::new();
    let mut expect = Expect {
        requests: Some(reqs.len().min(4)),
        ..Expect::default()
    };
    for (n, req) in reqs.iter().take(4).enumerate() {
        let method = pick(METHODS, req.method);
        let mut path = pick(PATHS, req.path).replace("{id}", &url_text(&req.id, ids));
        for (i, (k, v)) in req.query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(pick(QUERY, *k));
            path.push('=');
            path.push_str(&url_text(v, ids));
        }
        let mut well_formed = !["QUERY", "CONNECT", "TRACE"].contains(&method);
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
        if let Some((value, sane)) = auth_header(&req.auth, key) {
            well_formed &= sane;
            head.push_str(&format!("authorization: {value}\r\n"));
        }
        for (name, value) in req.headers.iter().take(8) {
            well_formed &= sane_header(name, value);
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let (content_type, body) = match &req.body {
            Body::None => (None, Vec::new()),
            Body::Json(fields) => (Some("application/json".to_owned()), object(fields, ids).into_bytes()),
            Body::Multipart {
                fields,
                filename,
                file,
                boundary,
            } => {
                let b = boundary.clone().unwrap_or_else(|| "fuzzboundary7MA4YWxk".to_owned());
                well_formed &= boundary.is_none() && filename.bytes().all(|c| (0x20..0x7f).contains(&c) && c != b'"');
                let mut body = Vec::new();
                for (k, v) in fields.iter().take(4) {
                    body.extend_from_slice(
                        format!(
                            "--{b}\r\ncontent-disposition: form-data; name=\"{}\"\r\n\r\n{v}\r\n",
                            pick(KEYS, *k)
                        )
                        .as_bytes(),
                    );
                }
                body.extend_from_slice(
                    format!("--{b}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\ncontent-type: application/octet-stream\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(file);
                body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
                (Some(format!("multipart/form-data; boundary={b}")), body)
            }
            Body::Raw { content_type, bytes } => {
                if let Some(ct) = content_type {
                    well_formed &= ct.bytes().all(|b| (0x20..0x7f).contains(&b));
                }
                (content_type.clone(), bytes.clone())
            }
        };
        if let Some(ct) = content_type {
            head.push_str(&format!("content-type: {ct}\r\n"));
        }
        let mut framed = Vec::new();
        match &req.framing {
            Framing::Exact => {
                head.push_str(&format!("content-length: {}\r\n", body.len()));
                framed = body;
            }
            Framing::Chunked(sizes) => {
                head.push_str("transfer-encoding: chunked\r\n");
                let mut rest = body.as_slice();
                for &size in sizes.iter().chain(std::iter::once(&u16::MAX)) {
                    if rest.is_empty() {
                        break;
                    }
                    let take = usize::from(size.max(1)).min(rest.len());
                    framed.extend_from_slice(format!("{take:x}\r\n").as_bytes());
                    framed.extend_from_slice(&rest[..take]);
                    framed.extend_from_slice(b"\r\n");
                    rest = &rest[take..];
                }
                framed.extend_from_slice(b"0\r\n\r\n");
            }
            Framing::Declared(declared) => {
                let fits = match declared {
                    Some(n) => {
                        head.push_str(&format!("content-length: {n}\r\n"));
                        usize::try_from(*n).is_ok_and(|n| n == body.len())
                    }
                    None => body.is_empty(),
                };
                well_formed &= fits;
                let short = declared.is_none_or(|n| usize::try_from(n).is_ok_and(|n| n < body.len()));
                if short && !body.is_empty() {
                    // The bytes past the declared length are another request to HTTP.
                    expect.requests = None;
                }
                framed = body;
            }
        }
        head.push_str("\r\n");
        if n == 0 {
            expect.first_well_formed = well_formed;
        }
        expect.heads.push(method == "HEAD");
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&framed);
    }
    (out, expect)
}

fn encode_realtime(auth: &Auth, protocol: bool, frames: &[Frame], key: &str, ids: &[String]) -> (Vec<u8>, Expect) {
    let mut out = String::from(
        "GET /transcribe-websocket HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
         sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n",
    );
    let mut well_formed = true;
    if let Some((value, sane)) = auth_header(auth, key) {
        well_formed &= sane;
        if protocol {
            let k = value.strip_prefix("Bearer ").unwrap_or(&value);
            out.push_str(&format!("sec-websocket-protocol: soniox-api-key, {k}\r\n"));
        } else {
            out.push_str(&format!("authorization: {value}\r\n"));
        }
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    for (i, frame) in frames.iter().take(16).enumerate() {
        let mask = [i as u8, 0x5a, 0xa5, 0x3c];
        match frame {
            Frame::Start(fields) => ws_frame(&mut bytes, true, 1, object(fields, ids).as_bytes(), Some(mask)),
            Frame::Text(t) => ws_frame(&mut bytes, true, 1, t.as_bytes(), Some(mask)),
            Frame::Binary(b) => ws_frame(&mut bytes, true, 2, b, Some(mask)),
            Frame::Other(op, fin, masked, p) => ws_frame(&mut bytes, *fin, op & 0x0f, p, masked.then_some(mask)),
            Frame::Close(code) => {
                let p = code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
                ws_frame(&mut bytes, true, 8, &p, Some(mask));
            }
            Frame::Bytes(b) => bytes.extend_from_slice(b),
        }
    }
    let expect = Expect {
        requests: Some(1),
        first_well_formed: well_formed,
        heads: vec![false],
        ..Expect::default()
    };
    (bytes, expect)
}

/// A client frame (masked unless `mask` is `None`).
fn ws_frame(out: &mut Vec<u8>, fin: bool, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) {
    out.push(if fin { 0x80 } else { 0 } | opcode);
    let m = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(m | n as u8),
        n if n <= 0xffff => {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(k) => {
            out.extend_from_slice(&k);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
}

/// Checks everything the mock wrote back (see the module's invariants).
fn check_reply((reply, reset): &(Vec<u8>, bool), request: &[u8], key: &str, expect: &Expect) {
    let cut_ok = *reset; // a reset may cut the last answer short
    let mut rest = reply.as_slice();
    let mut answers = 0usize;
    while !rest.is_empty() {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut res = httparse::Response::new(&mut headers);
        let head_len = match res.parse(rest) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if cut_ok => return,
            other => panic!(
                "not an HTTP response ({other:?}): {:?}",
                String::from_utf8_lossy(&rest[..rest.len().min(300)])
            ),
        };
        let code = res.code.expect("a complete response has a status");
        assert_eq!(res.version, Some(1), "HTTP/1.1 answers only");
        assert!((100..600).contains(&code), "status {code}");
        let header = |name: &str| {
            res.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).into_owned())
        };
        rest = &rest[head_len..];
        if code == 101 {
            check_ws_frames(rest, cut_ok);
            answers += 1;
            break;
        }
        if code < 200 {
            continue; // 100 Continue: an interim answer
        }
        // An answer to HEAD has no body, except an answer to a head the mock could not parse
        // (it cannot know the method): then the body follows, and the connection closes.
        let is_head = (expect.raw_head || expect.heads.get(answers).copied().unwrap_or(false))
            && (rest.is_empty() || rest.starts_with(b"HTTP/"));
        let body = if is_head {
            Vec::new()
        } else if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            match dechunk(&mut rest) {
                Some(body) => body,
                None if cut_ok => return,
                None => panic!("a chunked body cut short or malformed"),
            }
        } else if let Some(len) = header("content-length") {
            let len: usize = len.trim().parse().unwrap_or_else(|_| panic!("content-length {len:?}"));
            if rest.len() < len {
                assert!(cut_ok, "a body of {len} bytes cut at {}", rest.len());
                return;
            }
            let (body, after) = rest.split_at(len);
            rest = after;
            body.to_vec()
        } else {
            // Close-delimited: the rest of the stream.
            std::mem::take(&mut rest).to_vec()
        };
        answers += 1;
        if (200..300).contains(&code) {
            let needle = key.as_bytes();
            assert!(
                request.windows(needle.len()).any(|w| w == needle),
                "a {code} answer to a request without the key"
            );
        }
        if code >= 400 && !is_head {
            let v: Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
                panic!(
                    "a {code} answer whose body is not JSON ({e}): {:?}",
                    String::from_utf8_lossy(&body)
                )
            });
            assert_eq!(v["status_code"], json!(code), "error body {v}");
            let t = v["error_type"].as_str().unwrap_or("");
            assert!(
                !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "error type {t:?} in {v}"
            );
            assert!(v["request_id"].is_string(), "no request id in {v}");
        }
    }
    if let Some(n) = expect.requests {
        assert!(answers <= n, "{answers} answers to {n} requests");
    }
    if expect.first_well_formed && !cut_ok {
        assert!(
            answers >= 1,
            "no answer to a well-formed request: {:?}",
            String::from_utf8_lossy(&request[..request.len().min(600)])
        );
    }
}

/// Decodes a chunked body from the front of `rest`, advancing it.
fn dechunk(rest: &mut &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        *rest = &rest[line_end + 2..];
        if size == 0 {
            // No trailers from the mock: the empty line ends the body.
            *rest = rest.strip_prefix(b"\r\n".as_slice())?;
            return Some(body);
        }
        if rest.len() < size + 2 || &rest[size..size + 2] != b"\r\n" {
            return None;
        }
        body.extend_from_slice(&rest[..size]);
        *rest = &rest[size + 2..];
    }
}

/// Server frames after a `101`: unmasked, well-framed, text frames JSON objects, a close
/// frame last.
fn check_ws_frames(mut rest: &[u8], cut_ok: bool) {
    let mut closed = false;
    while !rest.is_empty() {
        assert!(!closed, "a frame after the close frame");
        if rest.len() < 2 {
            assert!(cut_ok, "a frame header cut short");
            return;
        }
        let (b0, b1) = (rest[0], rest[1]);
        assert_eq!(b1 & 0x80, 0, "a masked server frame");
        assert_eq!(b0 & 0x70, 0, "reserved bits set");
        let (len, at) = match b1 & 0x7f {
            126 if rest.len() >= 4 => (usize::from(u16::from_be_bytes([rest[2], rest[3]])), 4),
            127 if rest.len() >= 10 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&rest[2..10]);
                (usize::try_from(u64::from_be_bytes(n)).expect("a frame length fits"), 10)
            }
            126 | 127 => {
                assert!(cut_ok, "a frame length cut short");
                return;
            }
            n => (usize::from(n), 2),
        };
        if rest.len() < at + len {
            assert!(cut_ok, "a frame of {len} bytes cut short");
            return;
        }
        let payload = &rest[at..at + len];
        match b0 & 0x0f {
            1 => {
                assert_ne!(b0 & 0x80, 0, "the mock fragments no text");
                let v: Value = serde_json::from_slice(payload).unwrap_or_else(|e| {
                    panic!(
                        "a text frame that is not JSON ({e}): {:?}",
                        String::from_utf8_lossy(payload)
                    )
                });
                assert!(v.is_object(), "a text frame that is not an object: {v}");
            }
            8 => {
                assert!(payload.len() != 1, "a one-byte close payload");
                closed = true;
            }
            2 | 9 | 10 => {}
            op => panic!("opcode {op} from the mock"),
        }
        rest = &rest[at + len..];
    }
}
