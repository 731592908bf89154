//! A guard on the bytes async-h1 reads from a connection, sans-IO: it follows the
//! connection's HTTP/1.1 framing exactly as async-h1 2.3 does (heads up to the first blank
//! line, `Content-Length` and chunked bodies, the realtime upgrade after which the
//! connection is no longer HTTP) and refuses, before async-h1 parses them:
//!
//! - a request head holding a byte outside ASCII: http-types 2.12 unwraps a header value
//!   that is UTF-8 but not ASCII, so one such header panicked the connection's task (found
//!   by the `mock_http` fuzz target);
//! - a chunked body with trailers: async-h1 copies trailer values the same way (the same
//!   panic), and waits without a waker on a trailer section that arrives in two reads (the
//!   connection stalls for good). The API takes no trailers;
//! - a head of 8 KiB or more, async-h1's limit: it closed without an answer (and buffered a
//!   line without end for as long as it came).
//!
//! The one blank line that ends a chunked body is never delivered in two pieces: a read
//! ending between its CR and LF keeps the CR back for the next read
//! ([`HeadGuard::feed`] says how many bytes to deliver). Like async-h1, the guard works in
//! reads: what a read brings past the end of a request is dropped by async-h1 (it reads each
//! request through a buffer of its own), so the guard skips it too and starts the next head
//! with the next read.

use std::str::FromStr;

use http_types::{Method, Url};

/// async-h1's limit on a request head (`MAX_HEAD_LENGTH`); past it async-h1 gives up on the
/// connection, and so does the guard.
const MAX_HEAD: usize = 8 * 1024;
/// async-h1's header count (`MAX_HEADERS`).
const MAX_HEADERS: usize = 128;

/// Why the guard refused a connection's bytes (the message of the read error async-h1 gets,
/// which the server turns into a `400`).
pub(crate) const REFUSED_NON_ASCII: &str = "a request head holds a byte outside ASCII";
/// See [`REFUSED_NON_ASCII`].
pub(crate) const REFUSED_TRAILERS: &str = "a chunked request body carries trailers";
/// See [`REFUSED_NON_ASCII`]: async-h1 would close without a word (and, before the line
/// ended, keep buffering it).
pub(crate) const REFUSED_TOO_LARGE: &str = "the request head is larger than 8 KiB";

/// Where the connection's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// In a request head (its bytes so far in `head`).
    Head,
    /// In a body with this many bytes left.
    Fixed(u64),
    /// Reading a chunk size (the digits so far).
    ChunkSize(u64),
    /// After a chunk size's CR.
    ChunkSizeLf(u64),
    /// In a chunk with this many bytes left.
    ChunkData(u64),
    /// After a chunk, before its CR.
    ChunkCr,
    /// After a chunk's CR.
    ChunkLf,
    /// After the last chunk's size line: the blank line must follow.
    EndCr,
    /// After that blank line's CR.
    EndLf,
    /// No more HTTP: upgraded, or async-h1 has given up on the connection (it closes).
    Through,
}

/// A refusal, as the read error async-h1 (or the router reading a body) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) message: &'static str,
    /// The refused read held bytes of a head: async-h1 was reading that head, so no
    /// response went out for the request and the server answers it. Otherwise a body was
    /// being read: by the router, which answers, or by async-h1 draining a body nobody
    /// read after the response was written, and the connection just closes.
    pub(crate) in_head: bool,
}

impl Refusal {
    /// The answer's status: 431 for a head over the limit, else 400.
    pub(crate) fn status(&self) -> u16 {
        if self.message == REFUSED_TOO_LARGE {
            431
        } else {
            400
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Refusal {}

/// The guard of one connection.
#[derive(Debug)]
pub(crate) struct HeadGuard {
    state: State,
    head: Vec<u8>,
}

impl Default for HeadGuard {
    fn default() -> Self {
        HeadGuard {
            state: State::Head,
            head: Vec::new(),
        }
    }
}

impl HeadGuard {
    /// A guard that lets everything through (after a refusal: async-h1 has stopped, and the
    /// server drains what the client still sends while its `400` goes out).
    pub(crate) fn through() -> HeadGuard {
        HeadGuard {
            state: State::Through,
            head: Vec::new(),
        }
    }

    /// Follows `bytes`, just read from the connection. `Ok(n)`: deliver `bytes[..n]` now and
    /// keep the rest (at most the one CR of [`State::EndLf`]) for the next read; `Err`: the
    /// refusal's message.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Result<usize, Refusal> {
        let in_head = self.state == State::Head;
        self.follow(bytes).map_err(|message| Refusal {
            message,
            in_head: in_head || self.state == State::Head || !self.head.is_empty(),
        })
    }

    fn follow(&mut self, bytes: &[u8]) -> Result<usize, &'static str> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.state {
                State::Through => return Ok(bytes.len()),
                State::Head => {
                    if !b.is_ascii() {
                        return Err(REFUSED_NON_ASCII);
                    }
                    self.head.push(b);
                    if self.head.len() >= MAX_HEAD {
                        return Err(REFUSED_TOO_LARGE);
                    }
                    if b == b'\n' && self.head.ends_with(b"\r\n\r\n") {
                        self.state = after_head(&self.head);
                        self.head.clear();
                        if self.state == State::Head {
                            // A request without a body ended inside this read: async-h1
                            // drops the rest of the read (it reads each request through a
                            // buffer of its own), so it goes unchecked, and the next head
                            // starts with the next read.
                            return Ok(bytes.len());
                        }
                    }
                }
                State::Fixed(left) => {
                    let take = left.min((bytes.len() - i) as u64);
                    i += take as usize;
                    if take == left {
                        // The body ended: as for a request without a body, the rest of
                        // this read is dropped by async-h1.
                        self.state = State::Head;
                        return Ok(bytes.len());
                    }
                    self.state = State::Fixed(left - take);
                    continue;
                }
                State::ChunkSize(size) => {
                    let digit = match b {
                        b'0'..=b'9' => b - b'0',
                        b'a'..=b'f' => 10 + b - b'a',
                        b'A'..=b'F' => 10 + b - b'A',
                        b'\r' => {
                            self.state = State::ChunkSizeLf(size);
                            i += 1;
                            continue;
                        }
                        _ => {
                            self.state = State::Through; // async-h1 fails the body, the server closes
                            continue;
                        }
                    };
                    self.state = match size.checked_mul(16).and_then(|s| s.checked_add(u64::from(digit))) {
                        Some(s) => State::ChunkSize(s),
                        None => State::Through,
                    };
                }
                State::ChunkSizeLf(size) => {
                    self.state = match (b, size) {
                        (b'\n', 0) => State::EndCr,
                        (b'\n', n) => State::ChunkData(n),
                        _ => State::Through,
                    };
                }
                State::ChunkData(left) => {
                    let take = left.min((bytes.len() - i) as u64);
                    i += take as usize;
                    self.state = if take == left {
                        State::ChunkCr
                    } else {
                        State::ChunkData(left - take)
                    };
                    continue;
                }
                State::ChunkCr => self.state = if b == b'\r' { State::ChunkLf } else { State::Through },
                State::ChunkLf => {
                    self.state = if b == b'\n' {
                        State::ChunkSize(0)
                    } else {
                        State::Through
                    }
                }
                State::EndCr => {
                    if b != b'\r' {
                        return Err(REFUSED_TRAILERS);
                    }
                    self.state = State::EndLf;
                    if i + 1 == bytes.len() {
                        return Ok(i); // keep the CR: async-h1 must see CR LF in one read
                    }
                }
                State::EndLf => {
                    if b != b'\n' {
                        return Err(REFUSED_TRAILERS);
                    }
                    // More bytes in this read fail async-h1's trailer parse (it reads them
                    // with the blank line): the body errs and the server closes.
                    self.state = if i + 1 == bytes.len() {
                        State::Head
                    } else {
                        State::Through
                    };
                    return Ok(bytes.len());
                }
            }
            i += 1;
        }
        Ok(bytes.len())
    }
}

/// The state after a complete head, decided as async-h1 decides it: the upgrade route ends
/// HTTP on the connection (the mock upgrades or refuses and closes); a head async-h1 cannot
/// use closes the connection; otherwise chunked (first `Transfer-Encoding` value), else the
/// last `Content-Length`, else no body.
fn after_head(head: &[u8]) -> State {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) || req.version != Some(1) {
        return State::Through;
    }
    let (Some(method), Some(path)) = (req.method, req.path) else {
        return State::Through;
    };
    let Ok(method) = Method::from_str(method) else {
        return State::Through;
    };
    let value = |name: &'static str| {
        req.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| std::str::from_utf8(h.value).unwrap_or(""))
    };
    let Some(host) = value("host").next() else {
        return State::Through;
    };
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        Url::parse(path)
    } else if path.starts_with('/') {
        Url::parse(&format!("http://{host}{path}"))
    } else if method == Method::Connect {
        Url::parse(&format!("http://{path}/"))
    } else {
        return State::Through;
    };
    let Ok(url) = url else {
        return State::Through;
    };
    if method == Method::Get && url.path() == "/transcribe-websocket" {
        return State::Through;
    }
    let chunked = value("transfer-encoding")
        .next()
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"));
    let length = value("content-length").next_back();
    if length.is_some() && value("transfer-encoding").next().is_some() {
        return State::Through; // async-h1's 400 against request smuggling
    }
    if chunked {
        return State::ChunkSize(0);
    }
    match length.map(|n| n.trim().parse::<u64>()) {
        None | Some(Ok(0)) => State::Head,
        Some(Ok(n)) => State::Fixed(n),
        Some(Err(_)) => State::Through,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(g: &mut HeadGuard, bytes: &[u8]) -> Result<(), &'static str> {
        let n = g.feed(bytes).map_err(|r| r.message)?;
        assert!(
            n == bytes.len() || (n + 1 == bytes.len() && bytes[n] == b'\r'),
            "only a last CR is kept"
        );
        Ok(())
    }

    #[test]
    fn a_non_ascii_header_value_is_refused_before_the_head_ends() {
        let mut g = HeadGuard::default();
        let start = b"GET /v1/models HTTP/1.1\r\nhost: x\r\nx-name: ";
        assert_eq!(g.feed(start), Ok(start.len()));
        assert_eq!(
            g.feed("é\r\n\r\n".as_bytes()).map_err(|r| (r.message, r.in_head)),
            Err((REFUSED_NON_ASCII, true))
        );
    }

    #[test]
    fn bodies_are_skipped_whatever_they_hold() {
        let mut g = HeadGuard::default();
        let body = [0xffu8; 10];
        let mut bytes = b"POST /v1/files HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n".to_vec();
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(b"GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n");
        // In one read, the GET head after the body is dropped by async-h1, and skipped.
        assert_eq!(feed_all(&mut g, &bytes), Ok(()));
        assert_eq!(g.state, State::Head);
        let mut g = HeadGuard::default();
        let mut with_bad = bytes.clone();
        with_bad.extend_from_slice("GET / HTTP/1.1\r\nx: é\r\n\r\n".as_bytes());
        assert_eq!(g.feed(&with_bad), Ok(with_bad.len()));
        // One byte per read: every head is checked.
        let mut g = HeadGuard::default();
        for b in &bytes {
            assert_eq!(g.feed(std::slice::from_ref(b)), Ok(1));
        }
        assert_eq!(g.state, State::Head);
        // A non-ASCII byte right after the body is the next head's.
        assert_eq!(g.feed(&[0x80]).map_err(|r| r.message), Err(REFUSED_NON_ASCII));
    }

    #[test]
    fn a_chunked_body_ends_at_its_blank_line_and_trailers_are_refused() {
        let chunked = b"POST /v1/transcriptions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\n\xff\xfe\xfd\r\n0\r\n";
        let mut g = HeadGuard::default();
        assert_eq!(feed_all(&mut g, chunked), Ok(()));
        assert_eq!(g.feed(b"\r\n"), Ok(2));
        assert_eq!(g.state, State::Head);
        // More bytes with the blank line: async-h1 fails the body and the server closes.
        let mut g = HeadGuard::default();
        feed_all(&mut g, chunked).unwrap();
        assert_eq!(g.feed(b"\r\nGET"), Ok(5));
        assert_eq!(g.state, State::Through);
        let mut g = HeadGuard::default();
        feed_all(&mut g, chunked).unwrap();
        // In a read of its own, a body read's refusal; with the head, the head read's.
        assert_eq!(
            g.feed(b"x-t: 1\r\n\r\n").map_err(|r| (r.message, r.in_head)),
            Err((REFUSED_TRAILERS, false))
        );
        let mut g = HeadGuard::default();
        let whole = [chunked.as_slice(), b"x-t: 1\r\n\r\n"].concat();
        assert_eq!(
            g.feed(&whole).map_err(|r| (r.message, r.in_head)),
            Err((REFUSED_TRAILERS, true))
        );
    }

    #[test]
    fn the_blank_line_of_a_chunked_body_is_never_split() {
        let mut g = HeadGuard::default();
        feed_all(
            &mut g,
            b"PUT / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n0\r\n",
        )
        .unwrap();
        assert_eq!(g.feed(b"\r"), Ok(0), "the CR waits for its LF");
        assert_eq!(g.feed(b"\n"), Ok(1));
        assert_eq!(g.state, State::Head);
    }

    #[test]
    fn the_upgrade_and_heads_async_h1_gives_up_on_end_the_guarding() {
        for head in [
            "GET /transcribe-websocket HTTP/1.1\r\nhost: x\r\n\r\n",
            "GET http://h/transcribe-websocket?x=1 HTTP/1.1\r\nhost: x\r\n\r\n",
            "POST / HTTP/1.0\r\nhost: x\r\n\r\n",
            "POST / HTTP/1.1\r\n\r\n",
            "QUERY / HTTP/1.1\r\nhost: x\r\n\r\n",
            "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: x\r\n\r\n",
            "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n",
        ] {
            let mut g = HeadGuard::default();
            assert_eq!(g.feed(head.as_bytes()), Ok(head.len()), "{head}");
            assert_eq!(g.state, State::Through, "{head}");
            assert_eq!(g.feed("é".as_bytes()), Ok(2), "{head}");
        }
        // Not the upgrade route: HTTP goes on.
        let mut g = HeadGuard::default();
        g.feed(b"GET /v1/transcribe-websocket HTTP/1.1\r\nhost: x\r\n\r\n")
            .unwrap();
        assert_eq!(g.state, State::Head);
    }

    #[test]
    fn the_last_content_length_counts_and_a_huge_head_is_refused() {
        let mut g = HeadGuard::default();
        g.feed(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 3\r\n\r\n")
            .unwrap();
        assert_eq!(g.state, State::Fixed(3));
        // Refused at the limit, even inside a line that has not ended.
        let mut g = HeadGuard::default();
        let line = format!("GET /{} HTTP/1.1", "a".repeat(MAX_HEAD));
        assert_eq!(g.feed(&line.as_bytes()[..MAX_HEAD - 1]), Ok(MAX_HEAD - 1));
        assert_eq!(g.feed(b"a").map_err(|r| (r.status(), r.in_head)), Err((431, true)));
    }
}
