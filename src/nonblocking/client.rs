//! The async [`Client`]: configuration, the connection limit and the retry loop.

use std::fmt;
use std::future::Future;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use futures::AsyncRead;

use super::limiter::Limiter;
use super::net;
use super::transport::Transport;
use super::{Auth, Files, Models, Realtime, Transcriptions, Tts, Voices};
use crate::config::{Config, ConfigBuilder, FromConfig};
use crate::core::http::{HttpRequest, RawResponse};
use crate::driver::attempt::{after_attempt, io_error, Common, Failure};
use crate::driver::observe;
use crate::error::Result;
use crate::types::ProgressCallback;
use tracing::Instrument;

/// The async Soniox client. Cheap to clone (an `Arc` inside), `Send + Sync`, and every
/// future it returns is `Send`: share one per process.
///
/// ```no_run
/// # async fn run() -> soniox::Result<()> {
/// let client = soniox::nonblocking::Client::new(soniox::Config::from_env()?)?;
/// for model in client.models().list().await? {
///     println!("{}", model.id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    common: Common,
    transport: Transport,
    limiter: Limiter,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.common.config)
            .finish_non_exhaustive()
    }
}

impl FromConfig for Client {
    fn from_config(config: Config) -> Result<Client> {
        Client::new(config)
    }
}

impl Client {
    /// A client for a validated configuration. Cheap: it opens nothing and starts no
    /// thread; connections open on first use and are shared by clones.
    pub fn new(config: Config) -> Result<Client> {
        let common = Common::new(config)?;
        let transport = Transport::new(&common.config, common.tls.clone())?;
        let limiter = Limiter::new(common.config.max_connections());
        Ok(Client {
            inner: Arc::new(Inner {
                common,
                transport,
                limiter,
            }),
        })
    }

    /// A builder: `Client::builder().api_key("..").build()?`.
    pub fn builder() -> ConfigBuilder<Client> {
        ConfigBuilder::default()
    }

    /// A client configured from `SONIOX_API_KEY`, `SONIOX_API_BASE_URL`, `SONIOX_WS_URL`.
    pub fn from_env() -> Result<Client> {
        Client::new(Config::from_env()?)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.common.config
    }

    /// The rustls config every TLS connection of this client uses.
    pub(crate) fn tls_config(&self) -> &crate::driver::tls::ClientTls {
        &self.inner.common.tls
    }

    /// Files: upload, list, get, delete, count.
    pub fn files(&self) -> Files<'_> {
        Files::new(self)
    }
    /// Async transcriptions: create, get, list, wait, transcript, delete, count.
    pub fn transcriptions(&self) -> Transcriptions<'_> {
        Transcriptions::new(self)
    }
    /// Models.
    pub fn models(&self) -> Models<'_> {
        Models::new(self)
    }
    /// Temporary API keys.
    pub fn auth(&self) -> Auth<'_> {
        Auth::new(self)
    }
    /// Text-to-speech: models.
    pub fn tts(&self) -> Tts<'_> {
        Tts::new(self)
    }
    /// Voices: the shared (built-in) voices of a model.
    pub fn voices(&self) -> Voices<'_> {
        Voices::new(self)
    }
    /// Realtime transcription over a WebSocket: `client.realtime().connect(config).await`.
    pub fn realtime(&self) -> Realtime<'_> {
        Realtime::new(self)
    }

    /// Sends a request without a file body, retrying per the policy. Holds a connection
    /// permit only while an attempt is on the wire, never while sleeping.
    pub(crate) async fn execute(&self, req: &HttpRequest) -> Result<RawResponse> {
        let mut retry = self.retry();
        let mut number = 0u32;
        loop {
            number = number.saturating_add(1);
            let span = observe::request_span(req, number);
            // Boxed: the exchange's state is a few KB, which every caller's future (and
            // every executor that moves it) would otherwise carry and copy.
            let result = Box::pin(observed(&span, async {
                let _permit = self.inner.limiter.acquire().await;
                self.inner.transport.send(req).await
            }))
            .await;
            match after_attempt(req, &mut retry, result, &span) {
                ControlFlow::Break(done) => return done,
                ControlFlow::Continue(delay) => net::sleep(delay).await,
            }
        }
    }

    /// Sends an upload of a local file, re-opening it for every attempt.
    pub(crate) async fn execute_upload(
        &self,
        req: &HttpRequest,
        path: &Path,
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse> {
        let mut retry = self.retry();
        let mut number = 0u32;
        loop {
            number = number.saturating_add(1);
            let span = observe::request_span(req, number);
            let result = observed(&span, async {
                match net::open_file(path).await {
                    Ok(mut file) => {
                        let _permit = self.inner.limiter.acquire().await;
                        self.inner.transport.send_upload(req, &mut file, progress).await
                    }
                    Err(e) => Err(Failure::unsent(io_error(path, e))),
                }
            })
            .await;
            match after_attempt(req, &mut retry, result, &span) {
                ControlFlow::Break(done) => return done,
                ControlFlow::Continue(delay) => net::sleep(delay).await,
            }
        }
    }

    /// Sends an upload from a one-shot source: a single attempt, no retries.
    pub(crate) async fn execute_upload_once(
        &self,
        req: &HttpRequest,
        reader: &mut (dyn AsyncRead + Unpin + Send),
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse> {
        let span = observe::request_span(req, 1);
        observed(&span, async {
            let _permit = self.inner.limiter.acquire().await;
            self.inner.transport.send_upload(req, reader, progress).await
        })
        .await
        .map_err(|f| f.error)
    }

    /// A fresh multipart boundary seed.
    pub(crate) fn next_boundary(&self) -> u64 {
        self.inner.common.boundary()
    }

    /// The connection limit, for exchanges outside the REST transport (text-to-speech).
    pub(crate) fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// A retry state machine for one request.
    pub(crate) fn retry(&self) -> crate::core::retry::Retry {
        self.inner.common.retry()
    }
}

/// Runs one attempt inside its `soniox.request` span and records how it ended.
async fn observed(
    span: &tracing::Span,
    attempt: impl Future<Output = Result<RawResponse, Failure>>,
) -> Result<RawResponse, Failure> {
    let started = Instant::now();
    let result = attempt.instrument(span.clone()).await;
    observe::record_attempt(span, result.as_ref().map_err(|f| &f.error), started);
    result
}
