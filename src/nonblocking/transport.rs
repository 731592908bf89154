//! The only file that names surf: converts
//! [`HttpRequest`] to a surf request and the surf response to a [`RawResponse`], streams
//! uploads, sleeps and opens files. No status branching, no JSON, no backoff.
//!
//! One surf client over our own HTTP/1.1 backend ([`H1Client`]: async-io TCP,
//! futures-rustls, ureq-proto) and its per-host [`Pool`]. The whole exchange is bounded
//! at `timeout` (connecting within `connect_timeout`); an upload at `upload_timeout`
//! (`None`: no limit, so a large file is never cut off), plus the stall limits of the
//! blocking client: the socket taking no body chunk for `timeout`, or no answer within
//! `timeout` after the whole body was handed over, aborts with [`Error::Timeout`].
//!
//! Uploads stream: the file is read in 8 KiB chunks (its reads run on the `blocking`
//! crate's pool) and handed to the socket through a channel holding one chunk, so memory
//! stays flat and small whatever the file size. The body is head ++ exactly `file_len` bytes ++
//! tail with an exact `Content-Length`; a file that ends early fails the upload with
//! [`Error::Io`]. Feeding the body from our own future (not a spawned task) also lets
//! `upload_reader` take a borrowed, non-`'static` reader.

use std::io;
use std::pin::pin;
use std::time::Duration;

use futures::channel::mpsc;
use futures::future::{self, Either};
use futures::{AsyncRead, AsyncReadExt, TryStreamExt};
use std::sync::Arc;
use surf::http::headers;

use super::deadlines::Deadlines;
use super::h1::{H1Client, H1Error, Phase, RawHeaders, RealStatus};
use super::pool::{Pool, IDLE_BOUND};

use crate::config::time::NO_LIMIT;
use crate::config::Config;
use crate::core::http::{Body, HttpRequest, Method, RawResponse};
use crate::core::multipart::Multipart;
use crate::driver::attempt::Failure;
use crate::error::{Error, Result, TimeoutError};
use crate::types::ProgressCallback;

/// Largest response body read (transcripts of 5-hour files are a few MB).
const MAX_RESPONSE_BODY: u64 = 256 * 1024 * 1024;
/// Largest body buffer reserved up front from a `Content-Length`.
const PRESIZE_BOUND: usize = 4 * 1024 * 1024;
/// Upload chunk size: [`super::net::UPLOAD_CHUNK`], the file's read-ahead too.
const CHUNK: usize = super::net::UPLOAD_CHUNK;
/// Chunks queued ahead of the socket, beyond the one each sender may add (futures' channel).
const QUEUED_CHUNKS: usize = 0;

/// The `Authorization` value lives in the backend's default headers, marked sensitive, so
/// that no `Debug` output can show it.
pub(crate) struct Transport {
    http: surf::Client,
    /// The base URL, parsed once: each request's URL is a copy with its path and query set.
    base: surf::Url,
    timeout: Duration,
    /// Reported by a connection that timed out (the pool's connector enforces it).
    connect_timeout: Duration,
    upload_timeout: Option<Duration>,
    /// One timer for every time limit of this client's exchanges.
    deadlines: Deadlines,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("upload_timeout", &self.upload_timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport whose TLS uses `tls`, the client's one rustls config (shared with the
    /// realtime stream).
    pub(crate) fn new(config: &Config, tls: crate::driver::tls::ClientTls) -> Result<Transport> {
        // The key and the user agent are printable ASCII: `Config::validate` checked them
        // (the same rule for both clients), so http-types takes them as header values.
        let value = |v: &str| {
            http::HeaderValue::from_str(v).map_err(|_| Error::invalid("a header value that is not printable ASCII"))
        };
        let mut auth = value(&crate::types::api_key::bearer(config.api_key().expose()))?;
        auth.set_sensitive(true);
        let defaults = vec![
            (http::header::AUTHORIZATION, auth),
            (http::header::USER_AGENT, value(config.user_agent())?),
            (http::header::ACCEPT, http::HeaderValue::from_static("application/json")),
        ];
        let pool = Arc::new(Pool::new(config.max_idle_connections(), IDLE_BOUND));
        let h1 = H1Client::new(pool, defaults, config.connect_timeout(), tls, config.proxies().clone());
        let base = surf::Url::parse(config.base_url()).map_err(|e| Error::invalid(format!("bad base URL: {e}")))?;
        let http = surf::Client::with_http_client(h1);
        Ok(Transport {
            http,
            base,
            timeout: config.timeout(),
            connect_timeout: config.connect_timeout(),
            upload_timeout: config.upload_timeout(),
            deadlines: Deadlines::default(),
        })
    }

    /// One exchange of a request without a file body.
    pub(crate) async fn send(&self, req: &HttpRequest) -> Result<RawResponse, Failure> {
        let mut request = self.request(req)?;
        match &req.body {
            Body::Empty => {}
            Body::Json(json) => request.set_body(surf::Body::from_bytes(json.clone())),
            Body::Multipart(_) => {
                return Err(Failure {
                    sent: false,
                    error: Error::invalid("internal: a multipart request needs a file source"),
                })
            }
        }
        if let Some(ct) = req.content_type() {
            request.insert_header(headers::CONTENT_TYPE, ct.as_str());
        }
        let exchange = async {
            let resp = self
                .http
                .send(request)
                .await
                .map_err(|e| failure(req, e, self.timeout, self.connect_timeout))?;
            read_response(req, resp, self.timeout).await
        };
        self.deadlines
            .within(self.timeout, exchange)
            .await
            .unwrap_or_else(|| Err(classify(req, true, true, self.timeout, "no answer in time".into())))
    }

    /// One exchange of an upload: head, then exactly `file_len` bytes of `file`, then
    /// tail, with an exact `Content-Length`. `progress` sees the file bytes sent.
    pub(crate) async fn send_upload(
        &self,
        req: &HttpRequest,
        file: &mut (dyn AsyncRead + Unpin + Send),
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse, Failure> {
        let Body::Multipart(m) = &req.body else {
            return self.send(req).await;
        };
        let limit = self.upload_timeout.unwrap_or(self.timeout);
        let len = usize::try_from(m.content_length()).map_err(|_| Failure {
            sent: false,
            error: Error::invalid("the upload is too large for this platform"),
        })?;
        let (tx, rx) = mpsc::channel::<io::Result<Vec<u8>>>(QUEUED_CHUNKS);
        let mut request = self.request(req)?;
        request.set_body(surf::Body::from_reader(rx.into_async_read(), Some(len)));
        request.insert_header("content-type", m.content_type().as_str());
        let exchange = pin!(async {
            let exchange = async {
                let resp = self
                    .http
                    .send(request)
                    .await
                    .map_err(|e| failure(req, e, limit, self.connect_timeout))?;
                read_response(req, resp, limit).await
            };
            match self.upload_timeout {
                Some(limit) => self
                    .deadlines
                    .within(limit, exchange)
                    .await
                    .unwrap_or_else(|| Err(classify(req, true, true, limit, "the upload took too long".into()))),
                None => exchange.await,
            }
        });
        let feed = pin!(feed(m, file, tx, progress, &self.deadlines, self.timeout));
        let stalled = || classify(req, true, true, self.timeout, "the upload stalled".into());
        // Dropping the exchange aborts the transfer.
        match future::select(feed, exchange).await {
            Either::Left((Ok(()) | Err(Feed::Closed), exchange)) => self
                .deadlines
                .within(self.timeout, exchange)
                .await
                .unwrap_or_else(|| Err(stalled())),
            Either::Left((Err(Feed::Local(source)), _)) => Err(Failure {
                sent: true,
                error: Error::Io { path: None, source },
            }),
            Either::Left((Err(Feed::Stalled), _)) => Err(stalled()),
            Either::Right((result, _)) => result,
        }
    }

    fn request(&self, req: &HttpRequest) -> Result<surf::Request, Failure> {
        // A copy of the parsed base with the path and query set: no full URL parse (host,
        // scheme, port) per request.
        let mut url = self.base.clone();
        url.set_path(&format!("{}{}", self.base.path().trim_end_matches('/'), req.path));
        url.set_query(req.query_string().as_deref());
        let method = match req.method {
            Method::Get => surf::http::Method::Get,
            Method::Post => surf::http::Method::Post,
            Method::Delete => surf::http::Method::Delete,
        };
        // `Authorization`, `User-Agent` and `Accept` are the backend's default headers.
        Ok(surf::Request::new(method, url))
    }
}

/// Reads the status, the headers and the whole body (so the connection can be reused).
async fn read_response(req: &HttpRequest, mut resp: surf::Response, limit: Duration) -> Result<RawResponse, Failure> {
    let status = resp.ext::<RealStatus>().map_or(u16::from(resp.status()), |real| real.0);
    let inner: &mut surf::http::Response = resp.as_mut();
    let headers = inner
        .ext_mut()
        .get_mut::<RawHeaders>()
        .map(std::mem::take)
        .unwrap_or_default()
        .0;
    // Room for the whole body when its length is known (up to a bound, so that a header
    // alone cannot make us allocate much), plus the probe for its end: read_to_end then
    // zeroes the buffer once and never grows it.
    let mut body = Vec::with_capacity(resp.len().map_or(0, |n| n.min(PRESIZE_BOUND) + 32));
    (&mut resp)
        .take(MAX_RESPONSE_BODY + 1)
        .read_to_end(&mut body)
        .await
        .map_err(|e| classify(req, true, e.kind() == io::ErrorKind::TimedOut, limit, Box::new(e)))?;
    if body.len() as u64 > MAX_RESPONSE_BODY {
        let e = format!("the response body is larger than {MAX_RESPONSE_BODY} bytes");
        return Err(classify(req, true, false, limit, e.into()));
    }
    Ok(RawResponse { status, headers, body })
}

/// Classifies a surf error: did the request possibly reach the server? A connection that
/// timed out reports `connect_limit`, any other timeout `limit`.
fn failure(req: &HttpRequest, e: surf::Error, limit: Duration, connect_limit: Duration) -> Failure {
    let (connecting, timed_out) = match e.downcast_ref::<H1Error>() {
        // Refused here before a byte went out (a bad URL, a head line over the limit): the
        // same every time, so an invalid argument, never retried.
        Some(h1) if h1.source.kind() == io::ErrorKind::InvalidInput => {
            return Failure {
                sent: false,
                error: Error::invalid(format!("{}: {}", req.label(), h1.source)),
            };
        }
        Some(h1) => (h1.phase == Phase::Connect, h1.source.kind() == io::ErrorKind::TimedOut),
        None => (false, false),
    };
    let limit = if connecting { connect_limit } else { limit };
    classify(req, !connecting, timed_out, limit, e.into_inner().into())
}

fn classify(
    req: &HttpRequest,
    sent: bool,
    timed_out: bool,
    limit: Duration,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> Failure {
    let context = req.label();
    let error = if timed_out {
        Error::Timeout(TimeoutError { context, after: limit })
    } else {
        crate::driver::proxy::connection_error(context, sent && !req.method.is_idempotent(), source)
    };
    Failure { sent, error }
}

/// Why feeding the body stopped early.
enum Feed {
    /// The local source failed (or ended before `file_len` bytes).
    Local(io::Error),
    /// The exchange stopped reading the body: it has ended and tells why.
    Closed,
    /// The socket took no chunk for `timeout`.
    Stalled,
}

/// Queues head, exactly `file_len` bytes of `file`, then tail, for the socket. A chunk is
/// read from the file only once the channel has room for it, so the file's bytes in memory
/// are the read-ahead, the queued chunk and the one being written, never one more.
async fn feed(
    m: &Multipart,
    file: &mut (dyn AsyncRead + Unpin + Send),
    mut tx: mpsc::Sender<io::Result<Vec<u8>>>,
    progress: &mut Option<ProgressCallback>,
    deadlines: &Deadlines,
    stall: Duration,
) -> Result<(), Feed> {
    room(&mut tx, deadlines, stall).await?;
    put(&mut tx, m.head().to_vec())?;
    // Until the head is taken the exchange is still connecting, within its own
    // `connect_timeout`: that wait is no stall (nothing was sent yet).
    let mut limit = NO_LIMIT;
    let total = m.file_len();
    let mut sent = 0u64;
    while sent < total {
        room(&mut tx, deadlines, limit).await?;
        limit = stall;
        let mut chunk = vec![0; usize::try_from(total - sent).map_or(CHUNK, |left| left.min(CHUNK))];
        let n = file.read(&mut chunk).await.map_err(Feed::Local)?;
        if n == 0 {
            return Err(Feed::Local(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the file ended after {sent} of {total} bytes (did it change during the upload?)"),
            )));
        }
        chunk.truncate(n);
        sent += n as u64;
        put(&mut tx, chunk)?;
        if let Some(p) = progress.as_mut() {
            p(sent, total);
        }
    }
    room(&mut tx, deadlines, limit).await?;
    put(&mut tx, m.tail().to_vec())
}

/// Waits until the channel takes a chunk: the socket took the last one within `stall`.
async fn room(tx: &mut mpsc::Sender<io::Result<Vec<u8>>>, deadlines: &Deadlines, stall: Duration) -> Result<(), Feed> {
    match deadlines.within(stall, future::poll_fn(|cx| tx.poll_ready(cx))).await {
        Some(Ok(())) => Ok(()),
        Some(Err(_)) => Err(Feed::Closed),
        None => Err(Feed::Stalled),
    }
}

/// Queues a chunk after [`room`] said there is room.
fn put(tx: &mut mpsc::Sender<io::Result<Vec<u8>>>, chunk: Vec<u8>) -> Result<(), Feed> {
    tx.start_send(Ok(chunk)).map_err(|_| Feed::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The URL made from the parsed base is the core's URL, prefix path, encoded id and
    /// query included: one rule for both clients.
    #[test]
    fn request_urls_are_the_cores() {
        for base in [
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/prefix",
            "https://api.soniox.com",
        ] {
            let config = Config::builder().api_key("k").base_url(base).build().unwrap();
            let t = Transport::new(&config, crate::driver::tls::ClientTls::for_config(&config).unwrap()).unwrap();
            let mut req = HttpRequest::new(Method::Get, "/v1/files/{id}", "/v1/files/a%2Fb".to_owned());
            for query in [
                vec![],
                vec![("cursor", "x y&z=é".to_owned()), ("limit", "2".to_owned())],
            ] {
                req.query = query;
                let url = t.request(&req).unwrap().url().to_string();
                assert_eq!(url, req.url(config.base_url()), "{base}");
            }
        }
    }
}
