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
use std::path::PathBuf;
use std::time::Duration;

pub mod proxy;
pub mod time;
pub mod url;

use self::proxy::{NoProxy, Proxies, Proxy};
use self::time::{nonzero, NO_LIMIT};
use self::url::BaseUrl;
use crate::error::{Error, Result};
pub use crate::types::api_key::ApiKey;
use crate::types::retry::RetryPolicy;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// The default REST base URL (every path is under `/v1`).
pub const DEFAULT_BASE_URL: &str = "https://api.soniox.com";
/// The default realtime WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://stt-rt.soniox.com/transcribe-websocket";
/// The default text-to-speech REST base URL (`POST {it}/tts`: another host, no `/v1`).
pub const DEFAULT_TTS_API_URL: &str = "https://tts-rt.soniox.com";
/// The most connections a client opens at once: a larger
/// [`max_connections`](ConfigBuilder::max_connections) (`usize::MAX` for "no limit")
/// counts as this many (more than one process can open to one host).
pub const MAX_CONNECTIONS: usize = 65_536;
/// The longest accepted API key and user agent, in bytes (both go in every request's
/// head, which servers commonly cap at 8 KiB).
pub const MAX_HEADER_VALUE_BYTES: usize = 2048;

/// Validated client configuration. Build one with [`Config::builder`] or [`Config::from_env`].
#[derive(Clone)]
pub struct Config {
    pub(crate) api_key: ApiKey,
    pub(crate) base_url: BaseUrl,
    pub(crate) ws_url: BaseUrl,
    pub(crate) tts_api_url: BaseUrl,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) upload_timeout: Option<Duration>,
    pub(crate) max_connections: usize,
    pub(crate) max_idle_connections: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) tls_roots: TlsRoots,
    pub(crate) root_certificates: Vec<CertificateDer<'static>>,
    pub(crate) proxies: Proxies,
}

impl Config {
    /// A builder with every default filled in except the API key.
    pub fn builder() -> ConfigBuilder<Config> {
        ConfigBuilder::default()
    }

    /// Reads `SONIOX_API_KEY` (required), `SONIOX_API_BASE_URL`, `SONIOX_WS_URL` and
    /// `SONIOX_TTS_API_URL`. `SONIOX_CA_FILE`, when set, names a PEM file of extra root certificates (see [`CA_FILE_VAR`]);
    /// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` choose the proxies (see
    /// [`ConfigBuilder::proxy_from_env`]).
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
    /// The text-to-speech REST base URL (`POST /tts` goes under it), without a trailing `/`.
    pub fn tts_api_url(&self) -> &str {
        self.tts_api_url.as_str()
    }
    /// Time limit for each phase of a REST exchange: sending the request, waiting for
    /// the response head, reading the body (so a trickling body is cut off too). For
    /// uploads, sending the file has its own limit, [`upload_timeout`](Self::upload_timeout),
    /// and `timeout` bounds each stalled write. For text-to-speech, whose audio may stream
    /// for minutes, it bounds each read instead (the wait for the next bytes, not the
    /// whole download). [`NO_LIMIT`] or more (`Duration::MAX`): no limit.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// Time limit for opening a connection ([`NO_LIMIT`] or more: no limit).
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
    /// The base roots trusted for https and wss (see [`TlsRoots`]).
    pub fn tls_roots(&self) -> TlsRoots {
        self.tls_roots
    }
    /// The root certificates added to [`tls_roots`](Self::tls_roots) (DER, in the order given).
    pub fn root_certificates(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.root_certificates.iter().map(|c| c.as_ref())
    }
    /// The proxies (none by default; see [`ConfigBuilder::proxy`]). Which one a
    /// connection uses is [`Proxies::for_target`]'s decision, for both clients, REST and
    /// realtime alike.
    ///
    /// ```
    /// let config = soniox::Config::builder()
    ///     .api_key("k")
    ///     .proxy("http://proxy.corp:3128")
    ///     .no_proxy("localhost, .internal")
    ///     .build()?;
    /// let proxy = config.proxies().for_target(true, "api.soniox.com", 443).unwrap();
    /// assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 3128));
    /// assert!(config.proxies().for_target(true, "stt.internal", 443).is_none());
    /// # Ok::<(), soniox::Error>(())
    /// ```
    pub fn proxies(&self) -> &Proxies {
        &self.proxies
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url.as_str())
            .field("ws_url", &self.ws_url.as_str())
            .field("tts_api_url", &self.tts_api_url.as_str())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("upload_timeout", &self.upload_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("retry", &self.retry)
            .field("tls_roots", &self.tls_roots)
            .field("root_certificates", &self.root_certificates.len())
            .field("proxies", &self.proxies)
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
    tts_api_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    upload_timeout: Option<Duration>,
    max_connections: usize,
    max_idle_connections: usize,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    user_agent: String,
    tls_roots: TlsRoots,
    roots: Vec<RootSource>,
    /// The proxy for https/wss targets, for http/ws targets, and the no-proxy list, each
    /// with where it came from (for messages).
    https_proxy: Option<Setting>,
    http_proxy: Option<Setting>,
    no_proxy: Option<Setting>,
}

/// A proxy setting as given, and where from (`proxy()`, `HTTPS_PROXY`, ...).
#[derive(Clone)]
struct Setting {
    value: String,
    from: &'static str,
}

impl fmt::Debug for Setting {
    /// The value with any credentials replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (from {})", proxy::redact(self.value.trim()), self.from)
    }
}

impl<T> Clone for ConfigBuilder<T> {
    fn clone(&self) -> Self {
        ConfigBuilder {
            target: PhantomData,
            api_key: self.api_key.clone(),
            base_url: self.base_url.clone(),
            ws_url: self.ws_url.clone(),
            tts_api_url: self.tts_api_url.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            upload_timeout: self.upload_timeout,
            max_connections: self.max_connections,
            max_idle_connections: self.max_idle_connections,
            retry: self.retry.clone(),
            allow_insecure_http: self.allow_insecure_http,
            user_agent: self.user_agent.clone(),
            tls_roots: self.tls_roots,
            roots: self.roots.clone(),
            https_proxy: self.https_proxy.clone(),
            http_proxy: self.http_proxy.clone(),
            no_proxy: self.no_proxy.clone(),
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
            tts_api_url: DEFAULT_TTS_API_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            upload_timeout: None,
            max_connections: 100,
            max_idle_connections: 20,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
            user_agent: concat!("soniox-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            tls_roots: TlsRoots::Bundled,
            roots: Vec::new(),
            https_proxy: None,
            http_proxy: None,
            no_proxy: None,
        }
    }
}

impl<T> fmt::Debug for ConfigBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("ws_url", &self.ws_url)
            .field("tts_api_url", &self.tts_api_url)
            .field("https_proxy", &self.https_proxy)
            .field("http_proxy", &self.http_proxy)
            .field("no_proxy", &self.no_proxy)
            .finish_non_exhaustive()
    }
}

impl<T: FromConfig> ConfigBuilder<T> {
    /// A builder seeded from `SONIOX_API_KEY` (required), `SONIOX_API_BASE_URL`,
    /// `SONIOX_WS_URL` and `SONIOX_TTS_API_URL`, and the proxy variables ([`proxy_from_env`](Self::proxy_from_env));
    /// further setters override them. `SONIOX_CA_FILE` ([`CA_FILE_VAR`]),
    /// when set and not empty, adds the root certificates of that PEM file
    /// ([`add_root_certificates_file`](Self::add_root_certificates_file)); the file is read,
    /// and refused if unusable, by [`build`](Self::build).
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
        if let Ok(url) = std::env::var("SONIOX_TTS_API_URL") {
            b = b.tts_api_url(url);
        }
        // Extra roots for this SDK only (see `add_root_certificates_file`); read by `build()`.
        if let Some(path) = std::env::var_os(CA_FILE_VAR).filter(|p| !p.is_empty()) {
            b = b.add_root_certificates_file(path);
        }
        Ok(b.proxy_from_env())
    }
    /// The API key (required): printable ASCII without spaces, at most
    /// [`MAX_HEADER_VALUE_BYTES`]; anything else is refused by [`build`](Self::build)
    /// with [`Error::InvalidArgument`], whose message never shows the key.
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
    /// Text-to-speech REST base URL. Default `https://tts-rt.soniox.com` (a region's is
    /// `https://tts-rt.eu.soniox.com`); `POST /tts` goes under it.
    pub fn tts_api_url(mut self, url: impl Into<String>) -> Self {
        self.tts_api_url = url.into();
        self
    }
    /// Time limit for each phase of a REST exchange (send, wait for the answer, read the
    /// body; see [`Config::timeout`]). Default 30 s. Zero is refused; [`NO_LIMIT`] or more
    /// (`Duration::MAX`) means no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Time limit for opening a connection (REST, and the realtime connection and
    /// upgrade). Default 10 s. Zero is refused; [`NO_LIMIT`] or more (`Duration::MAX`)
    /// means no limit.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Whole-transfer limit for uploads. Default `None` (a large file is never cut off).
    /// `Some(Duration::ZERO)` is refused; `Some` of [`NO_LIMIT`] or more is the same as `None`.
    pub fn upload_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.upload_timeout = timeout;
        self
    }
    /// Maximum concurrent connections; more callers queue. Default 100. Zero is refused;
    /// above [`MAX_CONNECTIONS`] (`usize::MAX` for "no limit") it counts as that many.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }
    /// Maximum idle connections kept for reuse (by both clients). Default 20 (capped at
    /// `max_connections`, so `usize::MAX` means "as many as `max_connections`"); 0 closes
    /// every connection after its exchange.
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
    /// The `User-Agent` header. Default `soniox-rust/<version>`. Must be non-empty
    /// printable ASCII (spaces allowed, no control characters) of at most
    /// [`MAX_HEADER_VALUE_BYTES`], for both clients alike; else [`build`](Self::build)
    /// refuses it with [`Error::InvalidArgument`].
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// Which roots the client trusts for https and wss, REST and realtime alike, before
    /// those added with [`add_root_certificates_pem`](Self::add_root_certificates_pem).
    /// Default [`TlsRoots::Bundled`] (the Mozilla roots built into the binary).
    ///
    /// Behind a TLS-inspecting proxy (Zscaler and the like) whose CA the IT department
    /// installed in the operating system, trust the OS store too:
    ///
    /// ```no_run
    /// use soniox::TlsRoots;
    /// let client = soniox::blocking::Client::builder()
    ///     .api_key("...")
    ///     .tls_roots(TlsRoots::BundledAndOs)
    ///     .build()?;
    /// # Ok::<(), soniox::Error>(())
    /// ```
    ///
    /// The OS store is read when the client is built; a store with no usable certificate
    /// makes that build fail with [`Error::InvalidArgument`] (never a silent fallback).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = roots;
        self
    }
    /// Trusts the certificates of a PEM text (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks; other blocks are ignored) in addition to [`tls_roots`](Self::tls_roots).
    /// May be called any number of times. A text with no certificate, or one that does
    /// not parse, makes [`build`](Self::build) fail with [`Error::InvalidArgument`] before
    /// any connection is made.
    ///
    /// ```
    /// # #[cfg(all(feature = "mock", feature = "blocking"))] {
    /// // A private CA, here the embedded TLS mock's.
    /// let mock = soniox::mock::MockServer::start_tls();
    /// let client = soniox::blocking::Client::builder()
    ///     .api_key(mock.api_key())
    ///     .base_url(mock.base_url())
    ///     .add_root_certificates_pem(mock.ca_pem())
    ///     .build()?;
    /// client.models().list()?;
    /// # }
    /// let refused = soniox::Config::builder().api_key("k").add_root_certificates_pem("not a PEM").build();
    /// assert!(matches!(refused, Err(soniox::Error::InvalidArgument(_))));
    /// # Ok::<(), soniox::Error>(())
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots.push(RootSource::Pem(pem.as_ref().to_vec()));
        self
    }
    /// As [`add_root_certificates_pem`](Self::add_root_certificates_pem), with the PEM read
    /// from a file by [`build`](Self::build) (a file that cannot be read is
    /// [`Error::InvalidArgument`] naming it). [`from_env`](Self::from_env) calls this
    /// with `SONIOX_CA_FILE`.
    ///
    /// ```no_run
    /// let config = soniox::Config::builder()
    ///     .api_key("...")
    ///     .add_root_certificates_file("/etc/corp/proxy-ca.pem")
    ///     .build()?;
    /// assert_eq!(config.root_certificates().len(), 1);
    /// # Ok::<(), soniox::Error>(())
    /// ```
    pub fn add_root_certificates_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.roots.push(RootSource::File(path.into()));
        self
    }

    /// Sends every connection of the client — REST and the realtime WebSocket, `https`/`wss`
    /// and `http`/`ws` alike — through the HTTP `CONNECT` proxy at `url`, except the hosts
    /// of [`no_proxy`](Self::no_proxy). Default: no proxy (the builder reads no variable;
    /// [`from_env`](Self::from_env) and [`proxy_from_env`](Self::proxy_from_env) do).
    ///
    /// `url` is `http://[user:password@]host[:port]` (port 80 when omitted; a URL without
    /// a scheme is read as `http://`). The user and password are percent-decoded (`%40` for
    /// `@`) and sent to the proxy as `Proxy-Authorization: Basic`; they never appear in
    /// `Debug` output or error messages. Each connection opens a tunnel (`CONNECT
    /// host:port`), and for `https`/`wss` TLS runs inside it, end to end with the API: the
    /// proxy sees the host name, never the API key or the traffic. `https://` proxies (TLS
    /// to the proxy itself), SOCKS and other schemes are refused by [`build`](Self::build)
    /// with [`Error::InvalidArgument`], as is a URL that does not parse.
    ///
    /// A proxy that cannot be reached or refuses the tunnel is [`Error::Proxy`]
    /// (`407` when the credentials are missing or wrong: [`ProxyError::is_auth_required`](crate::ProxyError::is_auth_required),
    /// never retried).
    ///
    /// ```
    /// let config = soniox::Config::builder()
    ///     .api_key("k")
    ///     .proxy("http://me:p%40ss@proxy.corp:3128")
    ///     .no_proxy("localhost, 127.0.0.1, .internal.corp")
    ///     .build()?;
    /// assert!(config.proxies().for_target(true, "api.soniox.com", 443).is_some());
    /// assert!(!format!("{config:?}").contains("p%40ss"));
    /// // Not an HTTP CONNECT proxy: refused before anything is sent.
    /// let refused = soniox::Config::builder().api_key("k").proxy("socks5://proxy.corp:1080").build();
    /// assert!(matches!(refused, Err(soniox::Error::InvalidArgument(_))));
    /// # Ok::<(), soniox::Error>(())
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.https_proxy = Some(Setting {
            value: url.clone(),
            from: "proxy()",
        });
        self.http_proxy = Some(Setting {
            value: url,
            from: "proxy()",
        });
        self
    }
    /// The hosts reached directly, never through the [`proxy`](Self::proxy): a
    /// comma-separated list of host names (each also covering every name under it:
    /// `example.com` and `.example.com` both match `api.example.com`), IP addresses, CIDR
    /// blocks (`10.0.0.0/8`) and `*` (no proxy at all), any but `*` and blocks optionally
    /// with `:port`. The exact rules are in [`proxy`]. Loopback is **not**
    /// excluded unless listed (`localhost, 127.0.0.1, ::1`). Replaces any earlier list
    /// (`NO_PROXY` in [`from_env`](Self::from_env)). An entry that is none of these makes
    /// [`build`](Self::build) fail with [`Error::InvalidArgument`].
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = Some(Setting {
            value: list.into(),
            from: "no_proxy()",
        });
        self
    }
    /// Reads the standard proxy variables, as curl and Python's `requests` do: `https_proxy`
    /// or else `HTTPS_PROXY` for `https`/`wss` targets, `http_proxy` or else `HTTP_PROXY`
    /// for `http`/`ws` targets, `no_proxy` or else `NO_PROXY` for the hosts reached
    /// directly (rules as in [`no_proxy`](Self::no_proxy)). A variable that is unset or
    /// empty leaves that setting as it was. `ALL_PROXY` is not read. `HTTP_PROXY` (upper
    /// case) is ignored when `REQUEST_METHOD` is set: in a CGI program it can come from a
    /// client's `Proxy:` header ("httpoxy"). A value that does not parse, or names an
    /// `https://` or SOCKS proxy, makes [`build`](Self::build) fail with
    /// [`Error::InvalidArgument`] naming the variable — never a silent direct connection.
    /// [`from_env`](Self::from_env) calls this.
    pub fn proxy_from_env(mut self) -> Self {
        let var = |name: &'static str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|value| Setting { value, from: name })
        };
        let cgi = std::env::var_os("REQUEST_METHOD").is_some();
        if let Some(s) = var("https_proxy").or_else(|| var("HTTPS_PROXY")) {
            self.https_proxy = Some(s);
        }
        let upper_http = || if cgi { None } else { var("HTTP_PROXY") };
        if let Some(s) = var("http_proxy").or_else(upper_http) {
            self.http_proxy = Some(s);
        }
        if let Some(s) = var("no_proxy").or_else(|| var("NO_PROXY")) {
            self.no_proxy = Some(s);
        }
        self
    }

    /// Validates the configuration and builds the target (a [`Config`] or a client).
    pub fn build(self) -> Result<T> {
        T::from_config(self.validate()?)
    }

    /// Validates and returns the configuration.
    ///
    /// Refused, all with [`Error::InvalidArgument`]: a missing or empty API key, or one
    /// with whitespace, control or non-ASCII characters or over [`MAX_HEADER_VALUE_BYTES`]
    /// (the message never shows the key); a user agent that is empty, not printable ASCII
    /// or over [`MAX_HEADER_VALUE_BYTES`]; a URL that does not parse or uses a scheme
    /// other than http(s)/ws(s); plain `http://` / `ws://` to a non-loopback host unless
    /// [`allow_insecure_http`](Self::allow_insecure_http); a zero timeout, connect
    /// timeout or upload timeout; `max_connections == 0`; an invalid retry policy; a proxy
    /// URL or no-proxy list that does not parse, or a proxy that is not `http://` (the
    /// message names the setting or variable and never shows proxy credentials).
    /// Saturated, never refused: timeouts of [`NO_LIMIT`] or more (no limit),
    /// `max_connections` over [`MAX_CONNECTIONS`], `max_idle_connections` over
    /// `max_connections`. Both clients build from this, so the rules are theirs alike.
    pub fn validate(self) -> Result<Config> {
        let Some(key) = self.api_key else {
            return Err(Error::invalid(
                "the API key is missing (set SONIOX_API_KEY or call api_key())",
            ));
        };
        check_api_key(key.expose())?;
        check_user_agent(&self.user_agent)?;
        let base_url = BaseUrl::parse(&self.base_url, &["https", "http"], self.allow_insecure_http)
            .map_err(|e| Error::invalid(format!("base URL {:?}: {e}", self.base_url)))?
            .without_v1();
        let ws_url = BaseUrl::parse(&self.ws_url, &["wss", "ws"], self.allow_insecure_http)
            .map_err(|e| Error::invalid(format!("WebSocket URL {:?}: {e}", self.ws_url)))?;
        let tts_api_url = BaseUrl::parse(&self.tts_api_url, &["https", "http"], self.allow_insecure_http)
            .map_err(|e| Error::invalid(format!("text-to-speech URL {:?}: {e}", self.tts_api_url)))?;
        nonzero("timeout", self.timeout)?;
        nonzero("connect_timeout", self.connect_timeout)?;
        if let Some(t) = self.upload_timeout {
            nonzero("upload_timeout", t)?;
        }
        if self.max_connections == 0 {
            return Err(Error::invalid("max_connections must be at least 1"));
        }
        self.retry.validate()?;
        let root_certificates = parse_roots(&self.roots)?;
        let proxy = |s: &Option<Setting>| -> Result<Option<Proxy>> {
            s.as_ref()
                .map(|s| Proxy::parse(&s.value).map_err(|e| Error::invalid(format!("{}: {e}", s.from))))
                .transpose()
        };
        let no_proxy = match &self.no_proxy {
            Some(s) => NoProxy::parse(&s.value).map_err(|e| Error::invalid(format!("{}: {e}", s.from)))?,
            None => NoProxy::default(),
        };
        let proxies = Proxies::new(proxy(&self.https_proxy)?, proxy(&self.http_proxy)?, no_proxy);
        let max_connections = self.max_connections.min(MAX_CONNECTIONS);
        Ok(Config {
            api_key: key,
            base_url,
            ws_url,
            tts_api_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            upload_timeout: self.upload_timeout.filter(|t| *t < NO_LIMIT),
            max_connections,
            max_idle_connections: self.max_idle_connections.min(max_connections),
            retry: self.retry,
            user_agent: self.user_agent,
            tls_roots: self.tls_roots,
            root_certificates,
            proxies,
        })
    }
}

/// The API key rule, for both clients: non-empty printable ASCII without whitespace (it
/// goes in an `Authorization: Bearer` header), at most [`MAX_HEADER_VALUE_BYTES`]. The
/// messages never show the key.
/// The key rule of `ConfigBuilder::validate`, for a key given per stream (a temporary key
/// in `connect_with_key`), so that it is held to the same rule as the client's own.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn check_stream_key(key: &ApiKey) -> Result<()> {
    check_api_key(key.expose())
}

fn check_api_key(key: &str) -> Result<()> {
    if key.trim().is_empty() {
        return Err(Error::invalid("the API key is empty"));
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("the API key contains whitespace or control characters"));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "the API key contains non-ASCII characters (a key is printable ASCII)",
        ));
    }
    if key.len() > MAX_HEADER_VALUE_BYTES {
        return Err(Error::invalid(format!(
            "the API key is {} bytes long; the maximum is {MAX_HEADER_VALUE_BYTES}",
            key.len()
        )));
    }
    Ok(())
}

/// The user agent rule, for both clients: non-empty printable ASCII (spaces allowed), at
/// most [`MAX_HEADER_VALUE_BYTES`].
fn check_user_agent(ua: &str) -> Result<()> {
    if ua.trim().is_empty() {
        return Err(Error::invalid("the user agent is empty"));
    }
    if !ua.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "the user agent must be printable ASCII (no control or non-ASCII characters)",
        ));
    }
    if ua.len() > MAX_HEADER_VALUE_BYTES {
        return Err(Error::invalid(format!(
            "the user agent is {} bytes long; the maximum is {MAX_HEADER_VALUE_BYTES}",
            ua.len()
        )));
    }
    Ok(())
}

/// The variable [`ConfigBuilder::from_env`] reads extra root certificates from.
///
/// `SONIOX_CA_FILE` and not `SSL_CERT_FILE`: it is scoped to this SDK, so pointing it at a
/// corporate CA changes no other program in the same environment, and it *adds* roots to
/// the bundled (or OS) ones instead of replacing the whole trust store. With
/// [`TlsRoots::Os`], the OS store is read by `rustls-native-certs`, which itself honours
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` (replacing the system's files).
pub const CA_FILE_VAR: &str = "SONIOX_CA_FILE";

/// The root certificates a client trusts for https and wss (REST and realtime alike),
/// before any added with [`ConfigBuilder::add_root_certificates_pem`]. Set with
/// [`ConfigBuilder::tls_roots`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsRoots {
    /// The Mozilla root program's certificates bundled into the binary (`webpki-roots`):
    /// the same trust on every machine, independent of its configuration. The default.
    #[default]
    Bundled,
    /// The operating system's trust store, read when the client is built
    /// (`rustls-native-certs`: the system certificate files on Linux, honouring
    /// `SSL_CERT_FILE`/`SSL_CERT_DIR`; the keychain on macOS; the system store on
    /// Windows). Includes CAs an administrator installed, such as a TLS-inspecting proxy's.
    Os,
    /// Both the bundled roots and the operating system's.
    BundledAndOs,
}

/// Where a [`ConfigBuilder::add_root_certificates_pem`] text comes from.
#[derive(Clone, Debug)]
enum RootSource {
    Pem(Vec<u8>),
    File(PathBuf),
}

/// The largest root certificate file read (an OS bundle is well under 1 MiB): a path such
/// as `/dev/zero` is refused instead of filling the memory.
const MAX_ROOT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads at most `max` bytes of `path`; a longer file is an error.
fn read_capped(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            max / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Parses every added PEM into DER certificates; refuses a PEM without a certificate, one
/// that does not parse, an unreadable file and (with a TLS client compiled in) a
/// certificate that cannot serve as a trust anchor.
fn parse_roots(sources: &[RootSource]) -> Result<Vec<CertificateDer<'static>>> {
    let mut out = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let (label, bytes) = match source {
            RootSource::Pem(pem) => (
                format!("root certificate PEM #{} (add_root_certificates_pem)", i + 1),
                std::borrow::Cow::Borrowed(pem.as_slice()),
            ),
            RootSource::File(path) => {
                let label = format!("root certificate file {}", path.display());
                let bytes =
                    read_capped(path, MAX_ROOT_FILE_BYTES).map_err(|e| Error::invalid(format!("{label}: {e}")))?;
                (label, std::borrow::Cow::Owned(bytes))
            }
        };
        let certs = CertificateDer::pem_slice_iter(&bytes)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::invalid(format!("{label}: not a valid PEM: {e}")))?;
        if certs.is_empty() {
            return Err(Error::invalid(format!(
                "{label}: no certificate found (expected -----BEGIN CERTIFICATE----- blocks)"
            )));
        }
        for (n, cert) in certs.into_iter().enumerate() {
            #[cfg(any(feature = "blocking", feature = "async"))]
            // Whether it can serve as a trust anchor (what the clients' root store requires).
            rustls::RootCertStore::empty()
                .add(cert.clone())
                .map_err(|e| Error::invalid(format!("{label}: certificate {}: {e}", n + 1)))?;
            let _ = n;
            out.push(cert);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(b: ConfigBuilder<Config>) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn a_root_file_past_the_cap_is_refused_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.pem");
        std::fs::write(&path, vec![b'a'; 1025]).unwrap();
        assert_eq!(read_capped(&path, 1024).unwrap_err().to_string(), "larger than 0 MiB");
        assert_eq!(read_capped(&path, 1025).unwrap().len(), 1025);
        #[cfg(unix)]
        {
            // An endless file: refused after the cap, with the file named.
            let e = err(Config::builder().api_key("k").add_root_certificates_file("/dev/zero"));
            assert!(e.contains("/dev/zero") && e.contains("larger than 16 MiB"), "{e}");
        }
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
        assert!(err(Config::builder().api_key("k").tts_api_url("http://example.com")).contains("text-to-speech URL"));
        let c = Config::builder()
            .api_key("k")
            .tts_api_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(
            (
                c.tts_api_url(),
                Config::builder().api_key("k").build().unwrap().tts_api_url()
            ),
            ("http://127.0.0.1:9", DEFAULT_TTS_API_URL)
        );
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
    fn keys_and_user_agents_are_printable_ascii_and_the_key_is_never_shown() {
        let b = || Config::builder().api_key("k");
        for (key, part) in [
            ("sekret\u{e9}", "non-ASCII"),
            ("sekret\u{7f}", "control"),
            ("sekret\0", "control"),
            ("sekret\u{a0}x", "whitespace"),
        ] {
            let m = err(Config::builder().api_key(key));
            assert!(m.contains(part), "{key:?}: {m}");
            assert!(!m.contains("sekret"), "the key shows in {m:?}");
        }
        let long = "k".repeat(MAX_HEADER_VALUE_BYTES + 1);
        assert!(!err(Config::builder().api_key(long.as_str())).contains(&long));
        assert!(Config::builder()
            .api_key("k".repeat(MAX_HEADER_VALUE_BYTES))
            .build()
            .is_ok());
        for ua in ["", "  ", "ua\r\nx-injected: 1", "ua\t", "ua\u{e9}"] {
            assert!(err(b().user_agent(ua)).contains("user agent"), "{ua:?}");
        }
        assert!(err(b().user_agent("u".repeat(MAX_HEADER_VALUE_BYTES + 1))).contains("maximum"));
        assert!(b().user_agent("my app/1.0 (x; y)").build().is_ok());
    }

    #[test]
    fn extreme_limits_saturate() {
        let c = Config::builder()
            .api_key("k")
            .timeout(Duration::MAX)
            .connect_timeout(Duration::MAX)
            .upload_timeout(Some(Duration::MAX))
            .max_connections(usize::MAX)
            .max_idle_connections(usize::MAX)
            .build()
            .unwrap();
        assert_eq!((c.timeout(), c.connect_timeout()), (Duration::MAX, Duration::MAX));
        assert_eq!(c.upload_timeout(), None);
        assert_eq!(
            (c.max_connections(), c.max_idle_connections()),
            (MAX_CONNECTIONS, MAX_CONNECTIONS)
        );
        let one = Duration::from_nanos(1);
        let c = Config::builder()
            .api_key("k")
            .timeout(one)
            .connect_timeout(one)
            .upload_timeout(Some(one));
        assert!(c.max_connections(1).max_idle_connections(0).build().is_ok());
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
