//! The blocking [`Client`]: configuration, the connection limit and the retry loop.

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use super::limiter::Limiter;
use super::transport::Transport;
use super::{Auth, Files, Models, Realtime, Transcriptions, Tts, Voices};
use crate::config::{Config, ConfigBuilder, FromConfig};
use crate::core::http::{HttpRequest, RawResponse};
use crate::driver::attempt::{after_attempt, Common, Failure};
use crate::driver::observe;
use crate::error::Result;
use crate::types::ProgressCallback;

/// The blocking Soniox client. Cheap to clone (an `Arc` inside), `Send + Sync`: share
/// one per process.
///
/// ```no_run
/// let client = soniox::blocking::Client::new(soniox::Config::from_env()?)?;
/// for model in client.models().list()? {
///     println!("{}", model.id);
/// }
/// # Ok::<(), soniox::Error>(())
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
    /// A client for a validated configuration.
    pub fn new(config: Config) -> Result<Client> {
        let common = Common::new(config)?;
        let transport = Transport::new(&common.config, common.tls.clone());
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

    /// The connection limit, for exchanges outside the REST transport (text-to-speech).
    pub(crate) fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// A retry state machine for one request.
    pub(crate) fn retry(&self) -> crate::core::retry::Retry {
        self.inner.common.retry()
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
    /// Realtime transcription over a WebSocket: `client.realtime().connect(config)`.
    pub fn realtime(&self) -> Realtime<'_> {
        Realtime::new(self)
    }

    /// Sends a request without a file body, retrying per the policy.
    pub(crate) fn execute(&self, req: &HttpRequest) -> Result<RawResponse> {
        self.with_retry(req, |t| t.send(req))
    }

    /// Sends an upload, re-opening the source for every attempt.
    pub(crate) fn execute_upload(
        &self,
        req: &HttpRequest,
        open: &mut dyn FnMut() -> Result<Box<dyn Read>>,
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse> {
        self.with_retry(req, |t| {
            let mut file = open().map_err(Failure::unsent)?;
            t.send_upload(req, &mut file, progress)
        })
    }

    /// Sends an upload from a one-shot source: a single attempt, no retries.
    pub(crate) fn execute_upload_once<'r>(
        &self,
        req: &HttpRequest,
        open: &mut dyn FnMut() -> Result<Box<dyn Read + 'r>>,
        progress: &mut Option<ProgressCallback>,
    ) -> Result<RawResponse> {
        let mut file = open()?;
        let _permit = self.inner.limiter.acquire();
        let span = observe::request_span(req, 1);
        let _entered = span.enter();
        let started = Instant::now();
        let result = self.inner.transport.send_upload(req, &mut file, progress);
        observe::record_attempt(&span, result.as_ref().map_err(|f| &f.error), started);
        result.map_err(|f| f.error)
    }

    /// A fresh multipart boundary seed.
    pub(crate) fn next_boundary(&self) -> u64 {
        self.inner.common.boundary()
    }

    /// The retry loop: ask the core, sleep, try again. Holds a connection permit only
    /// while an attempt is on the wire, never while sleeping.
    fn with_retry(
        &self,
        req: &HttpRequest,
        mut attempt: impl FnMut(&Transport) -> Result<RawResponse, Failure>,
    ) -> Result<RawResponse> {
        let mut retry = self.retry();
        let mut number = 0u32;
        loop {
            number = number.saturating_add(1);
            // One `soniox.request` span per attempt (see `crate::driver::observe`).
            let span = observe::request_span(req, number);
            let result = {
                let _permit = self.inner.limiter.acquire();
                let _entered = span.enter();
                let started = Instant::now();
                let result = attempt(&self.inner.transport);
                observe::record_attempt(&span, result.as_ref().map_err(|f| &f.error), started);
                result
            };
            match after_attempt(req, &mut retry, result, &span) {
                ControlFlow::Break(done) => return done,
                ControlFlow::Continue(delay) => std::thread::sleep(delay),
            }
        }
    }
}
