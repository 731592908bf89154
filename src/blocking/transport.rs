//! The only file that names ureq: converts [`HttpRequest`] to a ureq request and the
//! ureq response to a [`RawResponse`]. No status branching, no JSON, no backoff.

use std::io::{self, Read};
use std::time::Duration;

use ureq::http;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::{Agent, RequestExt, SendBody};

use crate::config::time::limit;
use crate::config::{ApiKey, Config};
use crate::core::http::{Body, HttpRequest, Method, RawResponse};
use crate::core::multipart::MultipartReader;
use crate::driver::attempt::Failure;
use crate::error::{Error, TimeoutError};
use crate::types::ProgressCallback;

/// Buffer each way of the TCP transport under TLS: a whole TLS record (16 KiB of
/// plaintext plus header, padding and tag) with room to spare.
const TLS_RECORD_BUFFER: usize = 18 * 1024;
/// Read buffer per connection (must exceed ureq's 64 KiB response-header limit).
pub(crate) const INPUT_BUFFER: usize = 80 * 1024;
/// Write buffer per connection.
pub(crate) const OUTPUT_BUFFER: usize = 32 * 1024;

/// Largest response body read (transcripts of 5-hour files are a few MB).
const MAX_RESPONSE_BODY: u64 = 256 * 1024 * 1024;

/// The `Authorization` value is kept in an [`ApiKey`] so that no `Debug` output can show it.
#[derive(Debug)]
pub(crate) struct Transport {
    agent: Agent,
    base: String,
    auth: ApiKey,
    timeout: Duration,
    connect_timeout: Duration,
    upload_timeout: Option<Duration>,
}

impl Transport {
    /// A transport whose TLS uses `tls`, the client's one rustls config (shared with the
    /// realtime stream).
    pub(crate) fn new(config: &Config, tls: crate::driver::tls::ClientTls) -> Transport {
        // Every REST call goes to the base URL's host: one decision for the client.
        let base = &config.base_url;
        let secure = base.scheme() == "https";
        let port = base.port().unwrap_or(if secure { 443 } else { 80 });
        let proxy = config.proxies().for_target(secure, base.host(), port).cloned();
        let proxy_setting = proxy.as_ref().and_then(super::proxy::ureq_proxy);
        let agent_config = agent_config(config, proxy_setting.clone(), INPUT_BUFFER, OUTPUT_BUFFER);
        // Under TLS the TCP transport below rustls only ever holds a TLS record or so each
        // way; the HTTP buffers above stay as they are (tests/heap_upload_peak_tls.rs).
        let tcp_under_tls = agent_config_small(config, proxy_setting);
        // TLS by our own connector with the client's rustls config, not ureq's `TlsConfig`
        // (see `super::tls`): REST and realtime trust the same roots.
        let connector = super::tls::connector(tls, proxy, tcp_under_tls);
        let agent = Agent::with_parts(agent_config, connector, DefaultResolver::default());
        Transport {
            agent,
            base: config.base_url().to_owned(),
            auth: ApiKey::new(crate::types::api_key::bearer(config.api_key().expose())),
            timeout: config.timeout(),
            connect_timeout: config.connect_timeout(),
            upload_timeout: config.upload_timeout(),
        }
    }

    /// One exchange of a request without a file body.
    pub(crate) fn send(&self, req: &HttpRequest) -> Result<RawResponse, Failure> {
        let builder = self.builder(req);
        match &req.body {
            Body::Empty => self.run(req, builder.body(()), false),
            Body::Json(json) => self.run(req, builder.body(json.as_slice()), false),
            Body::Multipart(_) => Err(Failure {
                sent: false,
                error: Error::invalid("internal: a multipart request needs a file source"),
            }),
        }
    }

    /// One exchange of an upload: head, then the file, then tail, with an exact
    /// `Content-Length`. `progress` sees the file bytes sent.
    pub(crate) fn send_upload(
        &self,
        req: &HttpRequest,
        file: &mut dyn Read,
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse, Failure> {
        let Body::Multipart(m) = &req.body else {
            return self.send(req);
        };
        let mut body = TrackedReader {
            body: MultipartReader::new(m, file),
            reported: 0,
            progress,
            error: None,
        };
        let builder = self.builder(req).header("content-length", m.content_length());
        let request = builder.body(SendBody::from_reader(&mut body));
        let result = self.run(req, request, true);
        match (result, body.error.take()) {
            (Err(f), Some(io)) => Err(Failure {
                sent: f.sent,
                error: Error::Io { path: None, source: io },
            }),
            (r, _) => r,
        }
    }

    fn builder(&self, req: &HttpRequest) -> http::request::Builder {
        let method = match req.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let mut b = http::Request::builder()
            .method(method)
            .uri(req.url(&self.base))
            .header("authorization", self.auth.expose());
        if let Some(ct) = req.content_type() {
            b = b.header("content-type", ct);
        }
        b
    }

    /// Runs one exchange. Uploads get their own budget for sending the body
    /// (`upload_timeout`, `None` = unlimited) and a stall limit of `timeout` per write.
    fn run<S: ureq::AsSendBody>(
        &self,
        req: &HttpRequest,
        request: Result<http::Request<S>, http::Error>,
        upload: bool,
    ) -> Result<RawResponse, Failure> {
        let request = request.map_err(|e| Failure {
            sent: false,
            error: Error::invalid(format!("bad request: {e}")),
        })?;
        let request = request.with_agent(&self.agent);
        let sent = if upload {
            request
                .configure()
                .timeout_send_body(self.upload_timeout.and_then(limit))
                .timeout_per_write(limit(self.timeout))
                .run()
        } else {
            request.run()
        };
        let mut resp = sent.map_err(|e| self.failure(req, e, upload))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BODY)
            .read_to_vec()
            .map_err(|e| self.failure(req, e, upload))?;
        Ok(RawResponse { status, headers, body })
    }
}

impl Transport {
    /// Classifies a ureq error: did the request possibly reach the server?
    fn failure(&self, req: &HttpRequest, e: ureq::Error, upload: bool) -> Failure {
        use ureq::Timeout as T;
        let limit = match &e {
            ureq::Error::Timeout(T::Connect | T::Resolve) => self.connect_timeout,
            ureq::Error::Timeout(T::SendBody) if upload => self.upload_timeout.unwrap_or(self.timeout),
            _ => self.timeout,
        };
        failure(req, e, limit)
    }
}

/// The ureq agent configuration of `config`, with `input`/`output` bytes of buffer per
/// connection.
fn agent_config(config: &Config, proxy: Option<ureq::Proxy>, input: usize, output: usize) -> ureq::config::Config {
    Agent::config_builder()
        .http_status_as_error(false)
        .no_delay(true)
        // Phase budgets, not `timeout_global`: measured, a global timeout costs ~20%
        // per call (ureq re-arms socket timeouts on every read and write), while
        // these are free. Each phase of an exchange is bounded by `timeout`. A limit of
        // `NO_LIMIT` or more is none at all (ureq adds it to an `Instant` unchecked).
        .timeout_connect(limit(config.connect_timeout()))
        .timeout_send_request(limit(config.timeout()))
        .timeout_send_body(limit(config.timeout()))
        .timeout_recv_response(limit(config.timeout()))
        .timeout_recv_body(limit(config.timeout()))
        .max_idle_connections(config.max_idle_connections())
        .max_idle_connections_per_host(config.max_idle_connections())
        .user_agent(config.user_agent())
        .accept("application/json")
        // Per-connection buffers: ureq's defaults are 128 KiB each; 80 KiB in (more than
        // the 64 KiB response-header limit) and 32 KiB out keep a pooled connection at
        // 112 KiB, so an upload's whole heap peak stays under 256 KiB (tests/heap_upload_peak.rs).
        .input_buffer_size(input)
        .output_buffer_size(output)
        // The proxy the core chose for the base URL (never ureq's own reading of the
        // environment); the tunnel is opened by our connector (see `super::proxy`).
        .proxy(proxy)
        .build()
}

/// [`agent_config`] for the TCP transport under TLS: one TLS record (16 KiB plus its
/// header and tag) fits each way.
fn agent_config_small(config: &Config, proxy: Option<ureq::Proxy>) -> ureq::config::Config {
    agent_config(config, proxy, TLS_RECORD_BUFFER, TLS_RECORD_BUFFER)
}

/// Classifies a ureq error: did the request possibly reach the server?
fn failure(req: &HttpRequest, e: ureq::Error, limit: Duration) -> Failure {
    use ureq::Timeout as T;
    let context = req.label();
    let not_sent = match &e {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound | ureq::Error::BadUri(_) => true,
        // The TLS handshake failed (a refused certificate): no request byte went out.
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => true,
        ureq::Error::Other(e) if e.is::<super::tls::HandshakeFailed>() => true,
        // The proxy could not be reached or refused the tunnel: nothing reached the API.
        ureq::Error::Other(e) if e.is::<crate::ProxyError>() => true,
        ureq::Error::Timeout(T::Connect | T::Resolve) => true,
        ureq::Error::Io(io) => io.kind() == io::ErrorKind::ConnectionRefused,
        _ => false,
    };
    let sent = !not_sent;
    let error = match e {
        ureq::Error::Timeout(_) => Error::Timeout(TimeoutError { context, after: limit }),
        other => crate::driver::proxy::connection_error(context, sent && !req.method.is_idempotent(), Box::new(other)),
    };
    Failure { sent, error }
}

/// Reports file progress and remembers local read errors (including a file shorter
/// than declared), so a failing disk is reported as `Error::Io`, not as a network error.
struct TrackedReader<'m, 'f, 'p> {
    body: MultipartReader<'m, &'f mut dyn Read>,
    reported: u64,
    progress: &'p mut Option<ProgressCallback>,
    error: Option<io::Error>,
}

impl Read for TrackedReader<'_, '_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.body.read(buf) {
            Ok(n) => {
                let sent = self.body.file_bytes_read();
                if sent != self.reported {
                    self.reported = sent;
                    if let Some(p) = self.progress.as_mut() {
                        p(sent, self.body.file_len());
                    }
                }
                Ok(n)
            }
            Err(e) => {
                self.error = Some(io::Error::new(e.kind(), e.to_string()));
                Err(e)
            }
        }
    }
}
