//! The async client's HTTP/1.1 backend for surf: an [`http_client::HttpClient`] of our
//! own over [`net`] sockets (async-io TCP, futures-rustls with the client's
//! one rustls config), with `ureq-proto` — the maintained sans-IO HTTP/1.1 machine under
//! ureq, the blocking client's stack — deciding every byte on the wire: request framing,
//! `Content-Length`/chunked bodies, response parsing, whether a connection may be reused.
//! Connections come from the [`Pool`] and go back to it only once their response was read
//! to the end.
//!
//! ```text
//! send(request)   pool.take(host) or net::open (within connect_timeout)
//!                 head (+ body, coalesced while small) → socket, flush
//!                 read until ureq-proto has the response head
//! Response body   BodyReader: socket → ureq-proto (dechunk) → caller; at the end the
//!                 connection goes back to the pool, or is closed if ureq-proto says so
//! ```
//!
//! No timeouts here but the connect timeout: the transport bounds each exchange.
//! Errors are [`H1Error`]s inside surf's error, so the transport can tell a connection
//! that never opened (nothing sent) from one that failed later.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWriteExt};
use http_client::{Body, Request, Response};
use ureq_proto::client::state::{RecvBody, RecvResponse, SendBody};
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};
use ureq_proto::BodyMode;

use super::net::{self, Endpoint};
use super::pool::{Conn, Pool};

/// Largest response head (status line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Request bodies up to this size go out in the same write as the head.
const COALESCE: usize = 16 * 1024;
/// Decoded body bytes handed out per read.
const BODY_CHUNK: usize = 16 * 1024;

/// Where an exchange failed: before any byte could reach the server, or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Opening the connection (DNS, TCP, TLS): nothing was sent.
    Connect,
    /// Writing the request or reading the response.
    Exchange,
}

/// A failed exchange, as the transport sees it inside surf's error.
#[derive(Debug)]
pub(crate) struct H1Error {
    pub(crate) phase: Phase,
    pub(crate) source: io::Error,
}

impl fmt::Display for H1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.phase {
            Phase::Connect => write!(f, "connecting: {}", self.source),
            Phase::Exchange => self.source.fmt(f),
        }
    }
}

impl std::error::Error for H1Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn exchange_error(source: io::Error) -> H1Error {
    H1Error {
        phase: Phase::Exchange,
        source,
    }
}

fn protocol(e: ureq_proto::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// surf's backend: connections from a per-host [`Pool`], HTTP/1.1 by ureq-proto.
#[derive(Debug)]
pub(crate) struct H1Client {
    pool: Arc<Pool>,
    /// Headers of every request (`Authorization`, `User-Agent`, `Accept`), made once: they
    /// go straight into the head instead of through http-types' map on every call. The
    /// key's value is marked sensitive, so no `Debug` shows it.
    defaults: Vec<(http::HeaderName, http::HeaderValue)>,
    connect_timeout: Duration,
    /// The client's one rustls config (the realtime stream uses it too).
    tls: crate::driver::tls::ClientTls,
    /// Which proxy (if any) each new connection goes through (the core's decision).
    proxies: crate::config::proxy::Proxies,
}

impl H1Client {
    pub(crate) fn new(
        pool: Arc<Pool>,
        defaults: Vec<(http::HeaderName, http::HeaderValue)>,
        connect_timeout: Duration,
        tls: crate::driver::tls::ClientTls,
        proxies: crate::config::proxy::Proxies,
    ) -> H1Client {
        H1Client {
            pool,
            defaults,
            connect_timeout,
            tls,
            proxies,
        }
    }

    /// A pooled connection to `to` that is still open, or a new one.
    async fn connection(&self, to: &Endpoint) -> Result<Conn, H1Error> {
        if let Some(conn) = self.pool.take(to) {
            return Ok(conn);
        }
        let connect = |source| H1Error {
            phase: Phase::Connect,
            source,
        };
        let proxy = self.proxies.for_target(to.tls, &to.host, to.port);
        match net::within(self.connect_timeout, net::open(to, &self.tls, proxy)).await {
            Some(socket) => Ok(Conn::new(socket.map_err(connect)?)),
            None => Err(connect(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no connection within {:?}", self.connect_timeout),
            ))),
        }
    }

    async fn exchange(&self, mut req: Request) -> Result<Response, H1Error> {
        let to = endpoint(&req).map_err(exchange_error)?;
        let head = head(&req, &self.defaults).map_err(exchange_error)?;
        let body = req.take_body();
        let mut conn = self.connection(&to).await?;
        let call = send(&mut conn, head, body).await.map_err(exchange_error)?;
        let (head, call) = receive_head(&mut conn, call).await.map_err(exchange_error)?;
        let mut response = response(&head);
        match call.proceed() {
            Some(RecvResponseResult::RecvBody(call)) => {
                let close_delimited = matches!(call.body_mode(), BodyMode::CloseDelimited);
                // The length ureq-proto frames the body by (chunked wins over a
                // Content-Length sent with it), never the raw header.
                let len = match call.body_mode() {
                    BodyMode::LengthDelimited(n) => usize::try_from(n).ok(),
                    _ => None,
                };
                response.set_body(Body::from_reader(
                    BodyReader {
                        io: Some((conn, call)),
                        close_delimited,
                        pool: self.pool.clone(),
                        to,
                        out: Vec::new(),
                        pos: 0,
                        len: 0,
                    },
                    len,
                ));
            }
            Some(RecvResponseResult::Cleanup(call)) => self.pool.put(&to, conn, &call),
            Some(RecvResponseResult::Redirect(redirect)) => self.pool.put(&to, conn, &redirect.proceed()),
            None => return Err(exchange_error(io::Error::other("incomplete response head"))),
        }
        Ok(response)
    }
}

#[http_client::async_trait]
impl http_client::HttpClient for H1Client {
    async fn send(&self, req: Request) -> Result<Response, http_client::Error> {
        self.exchange(req)
            .await
            .map_err(|e| http_client::Error::new(http_client::http_types::StatusCode::BadGateway, e))
    }
}

/// Host, port and TLS of the request's URL.
fn endpoint(req: &Request) -> io::Result<Endpoint> {
    let url = req.url();
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {why}"));
    let tls = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(bad("only http and https URLs")),
    };
    Ok(Endpoint {
        host: url
            .host_str()
            .ok_or_else(|| bad("no host"))?
            .trim_matches(['[', ']'])
            .to_owned(),
        port: url.port_or_known_default().ok_or_else(|| bad("no port"))?,
        tls,
    })
}

/// The request head as ureq-proto takes it: `defaults`, the request's own headers, and
/// `Content-Length` when the body has one.
fn head(req: &Request, defaults: &[(http::HeaderName, http::HeaderValue)]) -> io::Result<http::Request<()>> {
    let invalid = |e: http::Error| io::Error::new(io::ErrorKind::InvalidInput, e);
    let mut builder = http::Request::builder()
        .method(req.method().as_ref())
        .uri(req.url().as_str());
    for (name, value) in defaults {
        builder = builder.header(name, value.clone());
    }
    for (name, values) in req.iter() {
        for value in values {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let has_body = !matches!(
        req.method(),
        http_client::http_types::Method::Get | http_client::http_types::Method::Head
    );
    if let (true, Some(len), None) = (has_body, req.len(), req.header("content-length")) {
        builder = builder.header("content-length", len);
    }
    builder.body(()).map_err(invalid)
}

/// Writes the head and the body (exactly its declared length), flushes, and returns the
/// call ready to read the response.
async fn send(conn: &mut Conn, head: http::Request<()>, mut body: Body) -> io::Result<Call<RecvResponse>> {
    let mut call = Call::new(head).map_err(protocol)?.proceed();
    while !call.can_proceed() {
        let (scratch, out) = conn.scratch_and_out();
        match call.write(scratch) {
            Ok(n) => out.extend_from_slice(&scratch[..n]),
            // ureq-proto writes a line at a time: a longer line needs a larger buffer.
            Err(ureq_proto::Error::OutputOverflow) if scratch.len() < MAX_HEAD => conn.grow_scratch(),
            Err(ureq_proto::Error::OutputOverflow) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("a line of the request head is longer than {MAX_HEAD} bytes"),
                ))
            }
            Err(e) => return Err(protocol(e)),
        }
    }
    let call = match call.proceed().map_err(protocol)? {
        Some(SendRequestResult::RecvResponse(call)) => call,
        Some(SendRequestResult::SendBody(call)) => send_body(conn, call, &mut body).await?,
        Some(SendRequestResult::Await100(_)) | None => return Err(io::Error::other("unexpected request state")),
    };
    conn.flush_out().await?;
    conn.sent();
    Ok(call)
}

/// Streams the body after the head: small pieces join the head's write, large ones go to
/// the socket directly. A body that ends before (or runs past) its declared length fails.
async fn send_body(conn: &mut Conn, mut call: Call<SendBody>, body: &mut Body) -> io::Result<Call<RecvResponse>> {
    let chunked = call.is_chunked();
    let tls = matches!(conn.socket(), super::net::Socket::Tls(_));
    loop {
        let chunk = body.fill_buf().await?;
        let n = chunk.len();
        if n == 0 {
            break;
        }
        if chunked {
            let out = conn.out();
            let start = out.len();
            out.resize(start + n + 32, 0);
            let (used, written) = call.write(chunk, &mut out[start..]).map_err(protocol)?;
            out.truncate(start + written);
            body.consume_unpin(used);
        } else {
            call.consume_direct_write(n).map_err(protocol)?;
            // Small pieces join one write over plain TCP; over TLS rustls gathers them into
            // records itself, and a copy here would only hold another 16 KiB.
            if !tls && conn.out().len() + n <= COALESCE {
                conn.out().extend_from_slice(chunk);
            } else {
                conn.flush_out().await?;
                conn.socket().write_all(chunk).await?;
            }
            body.consume_unpin(n);
        }
        if conn.out().len() >= COALESCE {
            conn.flush_out().await?;
        }
    }
    if chunked {
        let out = conn.out();
        let start = out.len();
        out.resize(start + 32, 0);
        let (_, written) = call.write(&[], &mut out[start..]).map_err(protocol)?;
        out.truncate(start + written);
    }
    call.proceed().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the request body ended before its declared length",
        )
    })
}

/// Reads until ureq-proto has the whole response head (1xx responses are skipped).
async fn receive_head(
    conn: &mut Conn,
    mut call: Call<RecvResponse>,
) -> io::Result<(http::Response<()>, Call<RecvResponse>)> {
    loop {
        if !conn.input().is_empty() {
            let (used, head) = call.try_response(conn.input(), false).map_err(protocol)?;
            conn.consume(used);
            if let Some(head) = head {
                return Ok((head, call));
            }
            if used > 0 {
                continue;
            }
        }
        if conn.input().len() >= MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the response head is larger than {MAX_HEAD} bytes"),
            ));
        }
        if conn.fill().await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before a response",
            ));
        }
    }
}

/// The response head for surf. Its headers travel as [`RawHeaders`], the list the
/// transport reads, not in http-types' map (which nothing reads; filling it cost a
/// hash-map insert and a header-name parse per header and call). Values that are not
/// visible ASCII (a proxy's `x-note: café`) are kept with those bytes replaced by `?`.
fn response(head: &http::Response<()>) -> Response {
    use http_client::http_types::StatusCode;
    let code = head.status().as_u16();
    // http-types panics on a status it does not list (520 from a CDN, 499, 599): such a
    // response is built with its class (x00, or 500 past 599) and carries the real code.
    let mut response = match StatusCode::try_from(code) {
        Ok(status) => Response::new(status),
        Err(_) => {
            let class = StatusCode::try_from((code / 100) * 100).unwrap_or(StatusCode::InternalServerError);
            let mut response = Response::new(class);
            response.ext_mut().insert(RealStatus(code));
            response
        }
    };
    let headers = head
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = match value.to_str() {
                Ok(v) => v.to_owned(),
                Err(_) => printable_ascii(value.as_bytes()),
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    response.ext_mut().insert(RawHeaders(headers));
    response
}

/// A response's headers in order (names lower case), for the transport.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawHeaders(pub(crate) Vec<(String, String)>);

/// `bytes` with every byte outside printable ASCII (and tab) replaced by `?`.
fn printable_ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b == b'\t' || (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// The status code of a response whose code http-types has no name for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RealStatus(pub(crate) u16);

/// A response body being read off its connection; at the end the connection goes back to
/// the pool (or is closed). Dropped before the end, it closes the connection.
struct BodyReader {
    io: Option<(Conn, Call<RecvBody>)>,
    close_delimited: bool,
    pool: Arc<Pool>,
    to: Endpoint,
    /// Decoded bytes not handed out yet: `out[pos..len]` (for `poll_fill_buf`; `poll_read`
    /// decodes straight into the caller's buffer). Allocated, and zeroed, once.
    out: Vec<u8>,
    pos: usize,
    len: usize,
}

impl BodyReader {
    /// The body was read to its end: the connection goes back, or is closed.
    fn end(&mut self) -> io::Result<()> {
        if let Some((conn, call)) = self.io.take() {
            match call.proceed() {
                Some(RecvBodyResult::Cleanup(call)) => self.pool.put(&self.to, conn, &call),
                Some(RecvBodyResult::Redirect(redirect)) => self.pool.put(&self.to, conn, &redirect.proceed()),
                None => return Err(io::Error::other("the response body did not end cleanly")),
            }
        }
        Ok(())
    }

    /// Decodes the next body bytes into `dst` (not empty); `Ok(0)` at the end of the body.
    fn poll_decode(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            let Some((conn, call)) = self.io.as_mut() else {
                return Poll::Ready(Ok(0));
            };
            if !self.close_delimited && call.can_proceed() {
                self.end()?;
                continue;
            }
            if !conn.input().is_empty() {
                let (used, made) = call.read(conn.input(), dst).map_err(protocol)?;
                conn.consume(used);
                let complete = !self.close_delimited && call.can_proceed();
                let stuck = used == 0 && made == 0 && conn.input().len() >= MAX_HEAD;
                // Hand the connection back as soon as the body is complete: surf stops
                // reading at the Content-Length and would never ask again.
                if complete {
                    self.end()?;
                    if made > 0 {
                        return Poll::Ready(Ok(made));
                    }
                    continue;
                }
                if made > 0 {
                    return Poll::Ready(Ok(made));
                }
                if used > 0 {
                    continue;
                }
                if stuck {
                    self.io = None;
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("a chunk header or trailer of the response is larger than {MAX_HEAD} bytes"),
                    )));
                }
            }
            if ready!(conn.poll_fill(cx))? == 0 {
                self.io = None;
                if self.close_delimited {
                    continue; // the end of the body is the end of the connection
                }
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before the end of the response body",
                )));
            }
        }
    }
}

impl AsyncBufRead for BodyReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pos == this.len {
            if this.out.is_empty() {
                this.out = vec![0; BODY_CHUNK];
            }
            let mut out = std::mem::take(&mut this.out);
            let decoded = this.poll_decode(cx, &mut out);
            this.out = out;
            this.len = ready!(decoded)?;
            this.pos = 0;
        }
        Poll::Ready(Ok(&this.out[this.pos..this.len]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.len);
    }
}

impl AsyncRead for BodyReader {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if this.pos == this.len {
            return this.poll_decode(cx, buf); // straight into the caller's buffer
        }
        let n = (this.len - this.pos).min(buf.len());
        buf[..n].copy_from_slice(&this.out[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(n))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_values_that_are_not_ascii_become_question_marks() {
        assert_eq!(super::printable_ascii("café ☕\tok".as_bytes()), "caf?? ???\tok");
        assert_eq!(super::printable_ascii(b"\x00\x7f plain"), "?? plain");
    }
}
