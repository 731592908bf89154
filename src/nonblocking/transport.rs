//! The only file that names surf, http-client, isahc (libcurl) and async-std: converts
//! [`HttpRequest`] to a surf request and the surf response to a [`RawResponse`], streams
//! uploads, sleeps and opens files. No status branching, no JSON, no backoff.
//!
//! Two libcurl clients (one background thread each), both capped at `max_connections`
//! per host:
//! - `http`: every request but uploads. curl's timeout bounds the whole exchange, body
//!   included, at `timeout`; up to `max_connections` are kept for reuse (curl's cache; a
//!   smaller cache lets connection churn exceed the limit at the server).
//! - `uploads`: its whole-transfer limit is `upload_timeout` (`None`: no limit, so a
//!   large file is never cut off). Our own timers add the stall limits of the blocking
//!   client: curl taking no body chunk for `timeout`, or no answer within `timeout`
//!   after the whole body was handed over, aborts with [`Error::Timeout`]. It keeps no
//!   idle connection, so the two pools together never hold more than `max_connections`
//!   open.
//!
//! The libcurl clients are built with isahc's own builder and handed to surf through
//! [`surf::Config::set_http_client`]: surf's `Config` → client conversion drops
//! `max_connections_per_host`, and http-client's `Config` has no connect timeout and no
//! idle-pool size.
//!
//! Uploads stream: the file is read in 64 KiB chunks (async-std's file, whose reads run
//! on its blocking pool) and handed to curl through a channel of two chunks, so memory
//! stays flat whatever the file size. The body is head ++ exactly `file_len` bytes ++
//! tail with an exact `Content-Length`; a file that ends early fails the upload with
//! [`Error::Io`]. Feeding the body from our own future (not a spawned task) also lets
//! `upload_reader` take a borrowed, non-`'static` reader.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::pin;
use std::time::Duration;

use futures::channel::mpsc;
use futures::future::{self, Either};
use futures::{AsyncRead, AsyncReadExt, SinkExt, TryStreamExt};
use isahc::config::Configurable;

use crate::config::{ApiKey, Config};
use crate::core::http::{Body, HttpRequest, Method, RawResponse};
use crate::core::multipart::Multipart;
use crate::error::{Error, Result, TimeoutError, TransportError};
use crate::types::ProgressCallback;

/// Largest response body read (transcripts of 5-hour files are a few MB).
const MAX_RESPONSE_BODY: u64 = 256 * 1024 * 1024;
/// Upload chunk size.
const CHUNK: usize = 64 * 1024;
/// How long after curl's own timeout the outer bound of an exchange fires (curl's fires
/// first whenever its agent thread is alive).
const AGENT_GRACE: Duration = Duration::from_millis(500);
/// Chunks queued ahead of curl.
const QUEUED_CHUNKS: usize = 2;

/// A failed exchange, with whether any of the request may have reached the server.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) sent: bool,
    pub(crate) error: Error,
}

/// The `Authorization` value is kept in an [`ApiKey`] so that no `Debug` output can show it.
pub(crate) struct Transport {
    http: surf::Client,
    uploads: surf::Client,
    base: String,
    auth: ApiKey,
    user_agent: String,
    timeout: Duration,
    upload_timeout: Option<Duration>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("upload_timeout", &self.upload_timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(config: &Config) -> Result<Transport> {
        let auth = format!("Bearer {}", config.api_key().expose());
        if !is_header_value(&auth) || !is_header_value(config.user_agent()) {
            return Err(Error::invalid("the API key and the user agent must be printable ASCII"));
        }
        let http = curl_client(
            config,
            isahc::HttpClient::builder()
                .timeout(config.timeout())
                // The cache holds up to `max_connections`, not `max_idle_connections`: curl
                // closes connections beyond its cache right after a transfer while the next
                // transfer may already be opening one, so a smaller cache let the server see
                // more than the limit at once (measured: 6–7 open sockets for a limit of 5
                // with a cache of 2). The semaphore keeps in-flight requests at the limit.
                .connection_cache_size(config.max_connections()),
        )?;
        let mut uploads = isahc::HttpClient::builder().connection_cache_size(0);
        if let Some(limit) = config.upload_timeout() {
            uploads = uploads.timeout(limit);
        }
        Ok(Transport {
            http,
            uploads: curl_client(config, uploads)?,
            base: config.base_url().to_owned(),
            auth: ApiKey::new(auth),
            user_agent: config.user_agent().to_owned(),
            timeout: config.timeout(),
            upload_timeout: config.upload_timeout(),
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
            request.insert_header("content-type", ct.as_str());
        }
        // curl bounds the whole exchange at `timeout`; this outer bound is a backstop for
        // a curl agent that stopped (its thread panicked: then nothing would ever wake us).
        let exchange = async {
            let resp = self
                .http
                .send(request)
                .await
                .map_err(|e| failure(req, e, self.timeout))?;
            read_response(req, resp, self.timeout).await
        };
        within(self.timeout + AGENT_GRACE, exchange).await.unwrap_or_else(|| {
            Err(classify(
                req,
                true,
                true,
                self.timeout,
                "no answer from the HTTP agent".into(),
            ))
        })
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
            let resp = self.uploads.send(request).await.map_err(|e| failure(req, e, limit))?;
            read_response(req, resp, limit).await
        });
        let feed = pin!(feed(m, file, tx, progress, self.timeout));
        let stalled = || classify(req, true, true, self.timeout, "the upload stalled".into());
        // Dropping the exchange aborts the transfer.
        match future::select(feed, exchange).await {
            Either::Left((Ok(()) | Err(Feed::Closed), exchange)) => {
                within(self.timeout, exchange).await.unwrap_or_else(|| Err(stalled()))
            }
            Either::Left((Err(Feed::Local(source)), _)) => Err(Failure {
                sent: true,
                error: Error::Io { path: None, source },
            }),
            Either::Left((Err(Feed::Stalled), _)) => Err(stalled()),
            Either::Right((result, _)) => result,
        }
    }

    fn request(&self, req: &HttpRequest) -> Result<surf::Request, Failure> {
        let url = surf::Url::parse(&req.url(&self.base)).map_err(|e| Failure {
            sent: false,
            error: Error::invalid(format!("bad request URL: {e}")),
        })?;
        let method = match req.method {
            Method::Get => surf::http::Method::Get,
            Method::Post => surf::http::Method::Post,
            Method::Delete => surf::http::Method::Delete,
        };
        let mut request = surf::Request::new(method, url);
        request.insert_header("authorization", self.auth.expose());
        request.insert_header("user-agent", self.user_agent.as_str());
        request.insert_header("accept", "application/json");
        Ok(request)
    }
}

/// Sleeps without blocking a thread, under any executor (async-io's timer).
pub(crate) async fn sleep(d: Duration) {
    async_std::task::sleep(d).await;
}

/// `fut`'s output, or `None` if it takes longer than `limit` (then `fut` is dropped).
async fn within<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    match future::select(pin!(fut), pin!(sleep(limit))).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

/// The length of a local file and whether it is a directory.
pub(crate) async fn file_metadata(path: &Path) -> io::Result<(u64, bool)> {
    let meta = async_std::fs::metadata(path).await?;
    Ok((meta.len(), meta.is_dir()))
}

/// Opens a local file for reading (reads run on async-std's blocking pool).
pub(crate) async fn open_file(path: &Path) -> io::Result<impl AsyncRead + Unpin + Send + 'static> {
    async_std::fs::File::open(path).await
}

/// A libcurl client capped at `max_connections`, wrapped for surf.
fn curl_client(config: &Config, builder: isahc::HttpClientBuilder) -> Result<surf::Client> {
    let curl = builder
        .max_connections(config.max_connections())
        .max_connections_per_host(config.max_connections())
        .connect_timeout(config.connect_timeout())
        .tcp_nodelay()
        .build()
        .map_err(|e| transport_error("building the HTTP client", false, Box::new(e)))?;
    surf::Config::new()
        .set_http_client(CurlClient(curl))
        .try_into()
        .map_err(|e: isahc::Error| transport_error("building the HTTP client", false, Box::new(e)))
}

/// libcurl (isahc) behind surf, as http-client's `IsahcClient` but without its panic:
/// that client converts every response header with `HeaderValue::to_str(..).unwrap()`, so
/// a header value that is not visible ASCII (a server's or a proxy's `x-note: café`)
/// panicked the call (found by `tests/chaos_async.rs`, fault `NonAsciiHeader`). Here such
/// a value is kept with every byte outside printable ASCII replaced by `?`.
#[derive(Debug)]
struct CurlClient(isahc::HttpClient);

#[http_client::async_trait]
impl http_client::HttpClient for CurlClient {
    async fn send(&self, mut req: http_client::Request) -> Result<http_client::Response, http_client::Error> {
        use isahc::http;
        let method = http::Method::from_bytes(req.method().as_ref().as_bytes())
            .map_err(|e| http_client::Error::from_str(400, format!("bad method: {e}")))?;
        let mut builder = http::Request::builder().uri(req.url().as_str()).method(method);
        for (name, values) in req.iter() {
            for value in values {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        let body = req.take_body();
        let body = match body.len() {
            Some(len) => isahc::Body::from_reader_sized(body, len as u64),
            None => isahc::Body::from_reader(body),
        };
        let request = builder
            .body(body)
            .map_err(|e| http_client::Error::from_str(400, format!("bad request: {e}")))?;
        let (parts, body) = self.0.send_async(request).await?.into_parts();
        let mut response = http_client::Response::new(parts.status.as_u16());
        for (name, value) in &parts.headers {
            match value.to_str() {
                Ok(v) => response.append_header(name.as_str(), v),
                Err(_) => response.append_header(name.as_str(), printable_ascii(value.as_bytes()).as_str()),
            }
        }
        response.set_body(http_client::Body::from_reader(futures::io::BufReader::new(body), None));
        Ok(response)
    }
}

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

/// Reads the status, the headers and the whole body (so the connection can be reused).
async fn read_response(req: &HttpRequest, mut resp: surf::Response, limit: Duration) -> Result<RawResponse, Failure> {
    let status = u16::from(resp.status());
    let headers = resp
        .iter()
        .flat_map(|(name, values)| {
            values
                .iter()
                .map(move |v| (name.as_str().to_owned(), v.as_str().to_owned()))
        })
        .collect();
    let mut body = Vec::new();
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

/// Classifies a surf (isahc) error: did the request possibly reach the server?
fn failure(req: &HttpRequest, e: surf::Error, limit: Duration) -> Failure {
    let curl = e.downcast_ref::<isahc::Error>();
    let not_sent = matches!(
        curl,
        Some(isahc::Error::ConnectFailed | isahc::Error::CouldntResolveHost | isahc::Error::CouldntResolveProxy)
    );
    let timed_out = matches!(curl, Some(isahc::Error::Timeout))
        || e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
    classify(req, !not_sent, timed_out, limit, e.into_inner().into())
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
        Error::Transport(TransportError {
            context,
            maybe_processed: sent && !req.method.is_idempotent(),
            source,
        })
    };
    Failure { sent, error }
}

fn transport_error(context: &str, maybe_processed: bool, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Transport(TransportError {
        context: context.to_owned(),
        maybe_processed,
        source,
    })
}

fn is_header_value(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Why feeding the body stopped early.
enum Feed {
    /// The local source failed (or ended before `file_len` bytes).
    Local(io::Error),
    /// curl stopped reading the body: the exchange has ended and tells why.
    Closed,
    /// curl took no chunk for `timeout`.
    Stalled,
}

/// Queues head, exactly `file_len` bytes of `file`, then tail, for curl to send.
async fn feed(
    m: &Multipart,
    file: &mut (dyn AsyncRead + Unpin + Send),
    mut tx: mpsc::Sender<io::Result<Vec<u8>>>,
    progress: &mut Option<ProgressCallback>,
    stall: Duration,
) -> Result<(), Feed> {
    let mut put = async |chunk: Vec<u8>| match within(stall, tx.send(Ok(chunk))).await {
        Some(Ok(())) => Ok(()),
        Some(Err(_)) => Err(Feed::Closed),
        None => Err(Feed::Stalled),
    };
    put(m.head().to_vec()).await?;
    let total = m.file_len();
    let mut sent = 0u64;
    while sent < total {
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
        put(chunk).await?;
        if let Some(p) = progress.as_mut() {
            p(sent, total);
        }
    }
    put(m.tail().to_vec()).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_values_that_are_not_ascii_become_question_marks() {
        assert_eq!(super::printable_ascii("café ☕\tok".as_bytes()), "caf?? ???\tok");
        assert_eq!(super::printable_ascii(b"\x00\x7f plain"), "?? plain");
    }
}
