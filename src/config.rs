//! Client configuration: the API key, URLs, time limits, pool limits and retry policy.
//!
//! ```
//! use std::time::Duration;
//! let config = soniox::Config::builder()
//!     .api_key("my-key")
//!     .timeout(Duration::from_secs(10))
//!     .max_connections(8)
//!     .build()?;
//! assert_eq!(config.max_connections(), 8);
//! // The key never shows in Debug output.
//! assert!(!format!("{config:?}").contains("my-key"));
//! # Ok::<(), soniox::Error>(())
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::core::retry::RetryPolicy;
use crate::core::url::BaseUrl;
use crate::error::{Error, Result};

/// The default REST base URL (every path is under `/v1`).
pub const DEFAULT_BASE_URL: &str = "https://api.soniox.com";
/// The default realtime WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://stt-rt.soniox.com/transcribe-websocket";

/// A secret API key. `Debug` and `Display` print `***`; read it with [`ApiKey::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }
    /// The key itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Validated client configuration. Build one with [`Config::builder`] or [`Config::from_env`].
#[derive(Clone)]
pub struct Config {
    pub(crate) api_key: ApiKey,
    pub(crate) base_url: BaseUrl,
    pub(crate) ws_url: BaseUrl,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) upload_timeout: Option<Duration>,
    pub(crate) max_connections: usize,
    pub(crate) max_idle_connections: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
}

impl Config {
    /// A builder with every default filled in except the API key.
    pub fn builder() -> ConfigBuilder<Config> {
        ConfigBuilder::default()
    }

    /// Reads `SONIOX_API_KEY` (required), `SONIOX_API_BASE_URL` and `SONIOX_WS_URL`.
    pub fn from_env() -> Result<Config> {
        ConfigBuilder::<Config>::from_env()?.build()
    }

    /// The API key (redacted in `Debug`).
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }
    /// The REST base URL, without a trailing `/` or `/v1`.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }
    /// The realtime WebSocket URL.
    pub fn ws_url(&self) -> &str {
        self.ws_url.as_str()
    }
    /// Time limit for each phase of a REST exchange: sending the request, waiting for
    /// the response head, reading the body (so a trickling body is cut off too). For
    /// uploads, sending the file has its own limit, [`upload_timeout`](Self::upload_timeout),
    /// and `timeout` bounds each stalled write.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// Time limit for opening a connection.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// Whole-transfer limit for uploads (`None`: no limit on the transfer; the wait
    /// for the server's answer after the body is still bounded by `timeout`).
    pub fn upload_timeout(&self) -> Option<Duration> {
        self.upload_timeout
    }
    /// Maximum concurrent connections (requests beyond it queue).
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }
    /// Maximum idle connections kept for reuse.
    pub fn max_idle_connections(&self) -> usize {
        self.max_idle_connections
    }
    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url.as_str())
            .field("ws_url", &self.ws_url.as_str())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("upload_timeout", &self.upload_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Something built from a validated [`Config`]: the config itself, or a client.
pub trait FromConfig: Sized {
    /// Builds `Self` from a validated configuration.
    fn from_config(config: Config) -> Result<Self>;
}

impl FromConfig for Config {
    fn from_config(config: Config) -> Result<Config> {
        Ok(config)
    }
}

/// Builds a [`Config`] (or, through `Client::builder()`, a client);
/// [`ConfigBuilder::build`] validates it.
#[must_use]
pub struct ConfigBuilder<T = Config> {
    target: PhantomData<fn() -> T>,
    api_key: Option<ApiKey>,
    base_url: String,
    ws_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    upload_timeout: Option<Duration>,
    max_connections: usize,
    max_idle_connections: usize,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    user_agent: String,
}

impl<T> Clone for ConfigBuilder<T> {
    fn clone(&self) -> Self {
        ConfigBuilder {
            target: PhantomData,
            api_key: self.api_key.clone(),
            base_url: self.base_url.clone(),
            ws_url: self.ws_url.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            upload_timeout: self.upload_timeout,
            max_connections: self.max_connections,
            max_idle_connections: self.max_idle_connections,
            retry: self.retry.clone(),
            allow_insecure_http: self.allow_insecure_http,
            user_agent: self.user_agent.clone(),
        }
    }
}

impl<T> Default for ConfigBuilder<T> {
    fn default() -> Self {
        ConfigBuilder {
            target: PhantomData,
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            ws_url: DEFAULT_WS_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            upload_timeout: None,
            max_connections: 100,
            max_idle_connections: 20,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
            user_agent: concat!("soniox-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl<T> fmt::Debug for ConfigBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("ws_url", &self.ws_url)
            .finish_non_exhaustive()
    }
}

impl<T: FromConfig> ConfigBuilder<T> {
    /// A builder seeded from `SONIOX_API_KEY` (required), `SONIOX_API_BASE_URL` and
    /// `SONIOX_WS_URL`; further setters override them.
    pub fn from_env() -> Result<ConfigBuilder<T>> {
        let key = std::env::var("SONIOX_API_KEY")
            .map_err(|_| Error::invalid("SONIOX_API_KEY is not set (or not valid UTF-8)"))?;
        let mut b = ConfigBuilder::<T>::default().api_key(key);
        if let Ok(url) = std::env::var("SONIOX_API_BASE_URL") {
            b = b.base_url(url);
        }
        if let Ok(url) = std::env::var("SONIOX_WS_URL") {
            b = b.ws_url(url);
        }
        Ok(b)
    }
    /// The API key (required).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }
    /// REST base URL. Default `https://api.soniox.com`; a trailing `/v1` is accepted.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
    /// Realtime WebSocket URL. Default `wss://stt-rt.soniox.com/transcribe-websocket`.
    pub fn ws_url(mut self, url: impl Into<String>) -> Self {
        self.ws_url = url.into();
        self
    }
    /// Time limit for each phase of a REST exchange (send, wait for the answer, read the
    /// body; see [`Config::timeout`]). Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Time limit for opening a connection. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Whole-transfer limit for uploads. Default `None` (a large file is never cut off).
    pub fn upload_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.upload_timeout = timeout;
        self
    }
    /// Maximum concurrent connections; more callers queue. Default 100.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }
    /// Maximum idle connections kept for reuse (by both clients). Default 20 (capped at
    /// `max_connections`); 0 closes every connection after its exchange.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle_connections = n;
        self
    }
    /// The retry policy. Default [`RetryPolicy::default`]; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// Accept `http://` (and `ws://`) URLs for non-loopback hosts. Default false:
    /// plain HTTP is accepted only for 127.0.0.0/8, `::1` and `localhost`.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// The `User-Agent` header. Default `soniox-rust/<version>`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Validates the configuration and builds the target (a [`Config`] or a client).
    pub fn build(self) -> Result<T> {
        T::from_config(self.validate()?)
    }

    /// Validates and returns the configuration.
    ///
    /// Refused: a missing, empty or whitespace API key; a URL that does not parse or
    /// uses a scheme other than http(s)/ws(s); plain `http://` / `ws://` to a
    /// non-loopback host unless [`allow_insecure_http`](Self::allow_insecure_http);
    /// a zero timeout or connect timeout; `max_connections == 0`; an invalid retry policy.
    pub fn validate(self) -> Result<Config> {
        let key = match self.api_key {
            None => {
                return Err(Error::invalid(
                    "the API key is missing (set SONIOX_API_KEY or call api_key())",
                ))
            }
            Some(k) if k.expose().trim().is_empty() => return Err(Error::invalid("the API key is empty")),
            Some(k) if k.expose().chars().any(|c| c.is_control() || c.is_whitespace()) => {
                return Err(Error::invalid("the API key contains whitespace or control characters"))
            }
            Some(k) => k,
        };
        let base_url = BaseUrl::parse(&self.base_url, &["https", "http"], self.allow_insecure_http)
            .map_err(|e| Error::invalid(format!("base URL {:?}: {e}", self.base_url)))?
            .without_v1();
        let ws_url = BaseUrl::parse(&self.ws_url, &["wss", "ws"], self.allow_insecure_http)
            .map_err(|e| Error::invalid(format!("WebSocket URL {:?}: {e}", self.ws_url)))?;
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout must be greater than zero"));
        }
        if self.upload_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::invalid("upload_timeout must be greater than zero (or None)"));
        }
        if self.max_connections == 0 {
            return Err(Error::invalid("max_connections must be at least 1"));
        }
        self.retry.validate()?;
        Ok(Config {
            api_key: key,
            base_url,
            ws_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            upload_timeout: self.upload_timeout,
            max_connections: self.max_connections,
            max_idle_connections: self.max_idle_connections.min(self.max_connections),
            retry: self.retry,
            user_agent: self.user_agent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(b: ConfigBuilder<Config>) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn missing_empty_and_whitespace_keys_are_refused() {
        assert!(err(Config::builder()).contains("API key is missing"));
        assert!(err(Config::builder().api_key("")).contains("empty"));
        assert!(err(Config::builder().api_key("  \t")).contains("empty"));
        assert!(err(Config::builder().api_key("ab cd")).contains("whitespace"));
    }

    #[test]
    fn plain_http_is_only_for_loopback_unless_allowed() {
        let ok = |u: &str| Config::builder().api_key("k").base_url(u).build().is_ok();
        assert!(ok("http://127.0.0.1:8080"));
        assert!(ok("http://localhost:1"));
        assert!(ok("http://[::1]:9"));
        assert!(!ok("http://api.example.com"));
        assert!(!ok("ftp://api.example.com"));
        assert!(!ok("not a url"));
        assert!(Config::builder()
            .api_key("k")
            .base_url("http://10.0.0.1")
            .allow_insecure_http(true)
            .build()
            .is_ok());
        assert!(err(Config::builder().api_key("k").ws_url("ws://example.com/x")).contains("WebSocket URL"));
    }

    #[test]
    fn trailing_v1_and_slash_are_dropped_from_the_base_url() {
        let c = Config::builder()
            .api_key("k")
            .base_url("https://eu.soniox.com/v1/")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "https://eu.soniox.com");
    }

    #[test]
    fn zero_limits_are_refused_with_clear_messages() {
        let b = || Config::builder().api_key("k");
        assert!(err(b().timeout(Duration::ZERO)).contains("timeout must be greater than zero"));
        assert!(err(b().connect_timeout(Duration::ZERO)).contains("connect_timeout"));
        assert!(err(b().max_connections(0)).contains("max_connections must be at least 1"));
        assert!(err(b().upload_timeout(Some(Duration::ZERO))).contains("upload_timeout"));
    }

    #[test]
    fn idle_connections_are_capped_by_max_connections() {
        let c = Config::builder().api_key("k").max_connections(3).build().unwrap();
        assert_eq!(c.max_idle_connections(), 3);
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let c = Config::builder().api_key("sekret-123").build().unwrap();
        assert!(!format!("{c:?}").contains("sekret"));
        assert!(!format!("{:?}", Config::builder().api_key("sekret-123")).contains("sekret"));
        assert_eq!(c.api_key().to_string(), "***");
    }
}
