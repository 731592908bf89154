//! Validation: `ConfigBuilder::build` (every setter, with extreme values: 0, 1 ns,
//! `NO_LIMIT`, `Duration::MAX`, `usize::MAX`, keys and user agents that are huge,
//! non-ASCII or full of control characters), `CreateTranscription` (through
//! `build_create`), `TemporaryKey` (through `build_temporary_key`), `RealtimeConfig`
//! (through `RealtimeSession::new`), the audio feed's `Pace` and the `config::time` rule
//! with arbitrary values; proxy URLs (any text, or built with a password), `no_proxy`
//! lists, trust roots, root certificate PEMs (any bytes, armoured junk) and files
//! (missing, empty, a directory, endless).
//!
//! Invariants: no panic; every refusal is `Error::InvalidArgument`; whatever is
//! accepted holds the documented limits (a key of printable ASCII without spaces and a
//! user agent of printable ASCII, both ≤ 2 KiB; non-zero limits, a huge upload limit
//! kept as `None`, `max_connections` saturated at `MAX_CONNECTIONS`, idle ≤ max
//! connections, a URL of an allowed scheme without a trailing `/` or `/v1`, plain http
//! only to loopback unless allowed; one of file id / URL, ≤ 100 hints of 1..=10
//! characters, ≤ 256-character reference ids and webhook URLs, a webhook header with
//! both parts; a key lifetime in 1..=3600 s; a keepalive in 1 ms..=1 h; a chunk in
//! 1..=16 MiB); every accepted time limit turns into a deadline without overflow
//! (`None` exactly at `NO_LIMIT` and beyond); an accepted body or start message is JSON;
//! the API key never shows in `Debug`, and no refusal message depends on the key's
//! characters (a twin key differing in every visible character gets the same message);
//! a proxy password shows neither in `Debug` nor in a refusal; an accepted proxy is used
//! for both schemes when no host is excluded; the trust roots are the ones asked for, and
//! each accepted PEM gave at least one certificate.

use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use soniox::config::time::{deadline, later, limit, NO_LIMIT};
use soniox::config::{MAX_CONNECTIONS, MAX_HEADER_VALUE_BYTES};
use soniox::core::http::Body;
use soniox::core::realtime::{Pace, RealtimeSession, MAX_CHUNK_BYTES};
use soniox::types::{AudioFormat, Context, CreateTranscription, RawEncoding, RealtimeConfig, TemporaryKey};
use soniox::{Config, Error, RetryPolicy, TlsRoots};

#[derive(Arbitrary, Debug)]
enum Url {
    /// A valid plain URL to loopback (so that the other settings get checked too).
    Loopback(Option<u16>),
    Raw(String),
    Parts {
        scheme: u8,
        host: u8,
        port: Option<u16>,
        path: String,
    },
}

fn url(u: &Url, ws: bool) -> String {
    match u {
        Url::Loopback(port) => {
            let scheme = if ws { "ws" } else { "http" };
            match port {
                Some(p) => format!("{scheme}://127.0.0.1:{p}"),
                None => format!("{scheme}://127.0.0.1"),
            }
        }
        Url::Raw(s) => s.clone(),
        Url::Parts {
            scheme,
            host,
            port,
            path,
        } => {
            let schemes = if ws {
                ["wss", "ws", "WS", "http"]
            } else {
                ["https", "http", "HTTPS", "ftp"]
            };
            let hosts = [
                "127.0.0.1",
                "localhost",
                "[::1]",
                "api.soniox.com",
                "10.1.2.3",
                "",
                "[::1",
                "h:x",
            ];
            let mut s = format!(
                "{}://{}",
                schemes[usize::from(*scheme) % 4],
                hosts[usize::from(*host) % hosts.len()]
            );
            if let Some(p) = port {
                s.push_str(&format!(":{p}"));
            }
            s.push_str(path);
            s
        }
    }
}

/// A duration, extremes included.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum Dur {
    Millis(u64),
    Nanos(u32),
    Secs(u64),
    Zero,
    OneNano,
    JustBelowNoLimit,
    NoLimit,
    Max,
}

impl Dur {
    fn get(self) -> Duration {
        match self {
            Dur::Millis(ms) => Duration::from_millis(ms),
            Dur::Nanos(ns) => Duration::from_nanos(u64::from(ns)),
            Dur::Secs(s) => Duration::from_secs(s),
            Dur::Zero => Duration::ZERO,
            Dur::OneNano => Duration::from_nanos(1),
            Dur::JustBelowNoLimit => NO_LIMIT - Duration::from_nanos(1),
            Dur::NoLimit => NO_LIMIT,
            Dur::Max => Duration::MAX,
        }
    }
}

/// A count, extremes included.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum Count {
    Small(u16),
    Any(u64),
    Max,
}

impl Count {
    fn get(self) -> usize {
        match self {
            Count::Small(n) => usize::from(n),
            Count::Any(n) => usize::try_from(n).unwrap_or(usize::MAX),
            Count::Max => usize::MAX,
        }
    }
}

/// A string, optionally padded past `MAX_HEADER_VALUE_BYTES` (inputs are shorter).
#[derive(Arbitrary, Debug)]
struct Text {
    text: String,
    pad: bool,
}

impl Text {
    fn get(&self) -> String {
        if self.pad {
            format!("{}{}", self.text, "p".repeat(MAX_HEADER_VALUE_BYTES))
        } else {
            self.text.clone()
        }
    }
}

/// An API key: a valid one (so that the other settings get checked too) or any text.
#[derive(Arbitrary, Debug)]
enum Key {
    Good,
    Custom(Text),
}

/// A retry count: mostly in range, or any `u32`.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum Retries {
    Few(u8),
    Any(u32),
}

#[derive(Arbitrary, Debug)]
struct ConfigInput {
    key: Option<Key>,
    user_agent: Option<Text>,
    base: Url,
    ws: Url,
    timeout: Dur,
    connect: Dur,
    upload: Option<Dur>,
    max_conns: Count,
    idle: Count,
    retries: Retries,
    base_delay: Dur,
    max_delay: Dur,
    max_retry_after: Dur,
    jitter: bool,
    insecure: bool,
    proxy: Option<ProxyUrl>,
    no_proxy: Option<String>,
    roots: Option<u8>,
    pems: Vec<Pem>,
}

/// A proxy URL: any text, or one built from parts with a password that starts with
/// [`SECRET`] (which nothing may print).
#[derive(Arbitrary, Debug)]
enum ProxyUrl {
    Raw(String),
    Parts {
        scheme: u8,
        user: Option<String>,
        secret: String,
        host: u8,
        port: Option<u16>,
        path: String,
    },
}

/// The start of every built proxy password.
const SECRET: &str = "S3cr3tPw";

fn proxy_url(p: &ProxyUrl) -> String {
    match p {
        ProxyUrl::Raw(s) => s.clone(),
        ProxyUrl::Parts {
            scheme,
            user,
            secret,
            host,
            port,
            path,
        } => {
            let schemes = ["http", "https", "socks5", "HTTP", ""];
            let hosts = ["proxy.corp", "127.0.0.1", "[::1]", "", "h:x", "[::1", "Zoë.corp"];
            let mut s = format!("{}://", schemes[usize::from(*scheme) % schemes.len()]);
            if let Some(u) = user {
                let pw: String = secret.chars().filter(char::is_ascii_alphanumeric).collect();
                s.push_str(&format!("{u}:{SECRET}{pw}@"));
            }
            s.push_str(hosts[usize::from(*host) % hosts.len()]);
            if let Some(p) = port {
                s.push_str(&format!(":{p}"));
            }
            s.push_str(path);
            s
        }
    }
}

/// A root certificate source: any bytes, a PEM armour around any bytes, or a file.
#[derive(Arbitrary, Debug)]
enum Pem {
    Raw(Vec<u8>),
    Armored(Vec<u8>),
    File(u8),
}

/// Files worth trying: missing, empty, a directory, endless (refused after the cap).
const ROOT_FILES: &[&str] = &["/nonexistent/soniox-ca.pem", "/dev/null", "/", "/dev/zero"];

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Arbitrary, Debug)]
struct CreateInput {
    file_id: Option<String>,
    audio_url: Option<String>,
    model: Option<String>,
    hints: Option<Vec<String>>,
    webhook_url: Option<String>,
    header: Option<(String, String)>,
    reference: Option<String>,
    repeat: u16,
}

#[derive(Arbitrary, Debug)]
struct RealtimeInput {
    model: String,
    raw: Option<(u8, u32, u32)>,
    hints: Option<Vec<String>>,
    max_endpoint_delay_ms: Option<u32>,
    sensitivity: Option<f32>,
    latency_level: Option<u8>,
    reference: Option<String>,
    context: Option<String>,
    keepalive: Dur,
}

#[derive(Arbitrary, Debug)]
struct PaceInput {
    bytes_per_second: Option<u64>,
    chunk: Count,
    bytes_sent: u64,
    limit: Dur,
}

#[derive(Arbitrary, Debug)]
struct Input {
    config: ConfigInput,
    create: CreateInput,
    key: (u32, Option<u32>, Option<String>),
    realtime: RealtimeInput,
    pace: PaceInput,
}

fn invalid<T: std::fmt::Debug>(what: &str, r: soniox::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(Error::InvalidArgument(m)) => {
            assert!(!m.is_empty(), "{what}: an empty message");
            None
        }
        Err(other) => panic!("{what}: refused with {other:?}, not InvalidArgument"),
    }
}

/// Everything of the input but the key.
fn builder(c: &ConfigInput) -> soniox::ConfigBuilder<Config> {
    let mut b = Config::builder()
        .base_url(url(&c.base, false))
        .ws_url(url(&c.ws, true))
        .timeout(c.timeout.get())
        .connect_timeout(c.connect.get())
        .upload_timeout(c.upload.map(Dur::get))
        .max_connections(c.max_conns.get())
        .max_idle_connections(c.idle.get())
        .retry(
            RetryPolicy::default()
                .max_retries(match c.retries {
                    Retries::Few(n) => u32::from(n),
                    Retries::Any(n) => n,
                })
                .delays(c.base_delay.get(), c.max_delay.get())
                .max_retry_after(c.max_retry_after.get())
                .jitter(c.jitter),
        )
        .allow_insecure_http(c.insecure);
    if let Some(ua) = &c.user_agent {
        b = b.user_agent(ua.get());
    }
    if let Some(p) = &c.proxy {
        b = b.proxy(proxy_url(p));
    }
    if let Some(list) = &c.no_proxy {
        b = b.no_proxy(list.clone());
    }
    if let Some(r) = c.roots {
        b = b.tls_roots([TlsRoots::Bundled, TlsRoots::Os, TlsRoots::BundledAndOs][usize::from(r) % 3]);
    }
    for pem in c.pems.iter().take(4) {
        b = match pem {
            Pem::Raw(bytes) => b.add_root_certificates_pem(bytes),
            Pem::Armored(bytes) => b.add_root_certificates_pem(format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                base64(bytes)
            )),
            Pem::File(f) => b.add_root_certificates_file(ROOT_FILES[usize::from(*f) % ROOT_FILES.len()]),
        };
    }
    b
}

/// Another character of the same class and UTF-8 length (whitespace kept): a key made of
/// these passes and fails every key check exactly as the original does.
fn twin(c: char) -> char {
    if c.is_whitespace() {
        return c;
    }
    let pick = |a: char, b: char| if c == a { b } else { a };
    match (c.is_control(), c.len_utf8()) {
        (true, 1) => pick('\u{1}', '\u{2}'),
        (true, _) => pick('\u{81}', '\u{82}'),
        (false, 1) => pick('a', 'b'),
        (false, 2) => pick('é', 'ü'),
        (false, 3) => pick('日', '本'),
        (false, _) => pick('🔑', '🔒'),
    }
}

fn check_config(c: &ConfigInput) {
    let mut b = builder(c);
    let key_in = c.key.as_ref().map(|k| match k {
        Key::Good => "sk-fuzz-key".to_owned(),
        Key::Custom(t) => t.get(),
    });
    if let Some(k) = &key_in {
        b = b.api_key(k.clone());
    }
    let built = b.build();
    // No message depends on the key's characters: a twin key that differs in every
    // visible character gets the same verdict and the same message.
    if let Some(k) = &key_in {
        let twin_key: String = k.chars().map(twin).collect();
        let other = builder(c).api_key(twin_key).build();
        match (&built, &other) {
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "a refusal depends on the key"),
            (Ok(_), Ok(_)) => {}
            _ => panic!("the twin key got another verdict: {built:?} / {other:?}"),
        }
    }
    if let Err(e) = &built {
        assert!(
            !e.to_string().contains(SECRET),
            "a refusal prints the proxy password: {e}"
        );
    }
    let Some(config) = invalid("Config", built) else {
        return;
    };
    assert!(
        !format!("{config:?}").contains(SECRET),
        "Debug prints the proxy password"
    );
    if c.proxy.is_some() && c.no_proxy.is_none() {
        for secure in [true, false] {
            let p = config.proxies().for_target(secure, "api.soniox.com", 443);
            assert!(p.is_some_and(|p| !p.host().is_empty()), "an accepted proxy unused");
        }
    }
    if let Some(r) = c.roots {
        assert_eq!(
            config.tls_roots(),
            [TlsRoots::Bundled, TlsRoots::Os, TlsRoots::BundledAndOs][usize::from(r) % 3]
        );
    }
    assert!(config.root_certificates().len() >= c.pems.len().min(4));
    let key = config.api_key().expose();
    assert!(
        !key.is_empty() && key.len() <= MAX_HEADER_VALUE_BYTES,
        "key of {} bytes",
        key.len()
    );
    assert!(
        key.bytes().all(|b| b.is_ascii_graphic()),
        "the key is not printable ASCII"
    );
    let ua = config.user_agent();
    assert!(
        !ua.trim().is_empty() && ua.len() <= MAX_HEADER_VALUE_BYTES,
        "user agent {ua:?}"
    );
    assert!(
        ua.bytes().all(|b| b == b' ' || b.is_ascii_graphic()),
        "user agent {ua:?}"
    );
    assert!(!config.timeout().is_zero() && !config.connect_timeout().is_zero());
    assert_eq!(
        (config.timeout(), config.connect_timeout()),
        (c.timeout.get(), c.connect.get())
    );
    assert!(config.upload_timeout().is_none_or(|t| !t.is_zero() && t < NO_LIMIT));
    assert_eq!(
        config.upload_timeout(),
        c.upload.map(Dur::get).filter(|t| *t < NO_LIMIT)
    );
    assert_eq!(config.max_connections(), c.max_conns.get().min(MAX_CONNECTIONS));
    assert!(config.max_connections() >= 1 && config.max_idle_connections() <= config.max_connections());
    assert!(config.retry().validate().is_ok());
    // Every time limit becomes a deadline without overflow: none exactly from `NO_LIMIT` on.
    let now = Instant::now();
    for t in [
        Some(config.timeout()),
        Some(config.connect_timeout()),
        config.upload_timeout(),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(limit(t).is_none(), t >= NO_LIMIT, "{t:?}");
        assert_eq!(deadline(now, t).is_none(), t >= NO_LIMIT, "{t:?}");
    }
    let base = config.base_url();
    assert!(base.starts_with("https://") || base.starts_with("http://"), "{base}");
    assert!(!base.ends_with('/') && !base.ends_with("/v1"), "{base}");
    let ws = config.ws_url();
    assert!(ws.starts_with("wss://") || ws.starts_with("ws://"), "{ws}");
    if !c.insecure {
        for u in [base, ws] {
            if u.starts_with("http://") || u.starts_with("ws://") {
                let host = soniox::config::url::BaseUrl::parse(u, &["https", "http"], true)
                    .or_else(|_| soniox::config::url::BaseUrl::parse(u, &["wss", "ws"], true))
                    .expect("an accepted URL re-parses");
                assert!(
                    soniox::config::url::is_loopback(host.host()),
                    "plain {u} to a non-loopback host"
                );
            }
        }
    }
    // Debug does not depend on the key at all: the same config with another key prints the
    // same. (A plain "the key is not in the text" check misfires when the key is a piece of
    // an accepted URL as Debug quotes it, e.g. the key `"https://`: found by libFuzzer.)
    const OTHER: &str = "sk-fuzz-other-key";
    if key != OTHER {
        let twin = builder(c)
            .api_key(OTHER)
            .build()
            .expect("the same config with another valid key builds");
        assert_eq!(format!("{config:?}"), format!("{twin:?}"), "Debug depends on the key");
    }
}

fn check_create(c: &CreateInput) {
    let mut r = CreateTranscription::new();
    if let Some(f) = &c.file_id {
        r = r.source_file_id(f.clone());
    }
    if let Some(u) = &c.audio_url {
        r = r.source_audio_url(u.clone());
    }
    if let Some(m) = &c.model {
        r = r.model(m.clone());
    }
    if let Some(h) = &c.hints {
        // `repeat` reaches past the 100-hint limit without a huge input.
        let n = usize::from(c.repeat % 128).max(1);
        r = r.language_hints(h.iter().cycle().take(h.len().min(1) * n + h.len()).cloned());
    }
    if let Some(w) = &c.webhook_url {
        r = r.webhook_url(w.clone());
    }
    if let Some((n, v)) = &c.header {
        r = r.webhook_auth_header(n.clone(), v.clone());
    }
    if let Some(x) = &c.reference {
        r = r.client_reference_id(x.clone());
    }
    let Some(req) = invalid("CreateTranscription", soniox::core::transcriptions::build_create(&r)) else {
        return;
    };
    let Body::Json(bytes) = &req.body else {
        panic!("a create body is JSON")
    };
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("the body is JSON");
    assert!(
        v.get("file_id").is_some() != v.get("audio_url").is_some(),
        "exactly one source: {v}"
    );
    if let Some(hints) = v.get("language_hints").and_then(|h| h.as_array()) {
        assert!(hints.len() <= 100);
        for h in hints {
            let n = h.as_str().expect("a string hint").chars().count();
            assert!((1..=10).contains(&n), "hint {h}");
        }
    }
    for (field, max) in [("client_reference_id", 256), ("webhook_url", 256), ("audio_url", 4096)] {
        if let Some(s) = v.get(field).and_then(|s| s.as_str()) {
            assert!(s.chars().count() <= max, "{field} over {max}");
        }
    }
    assert_eq!(
        v.get("webhook_auth_header_name").is_some(),
        v.get("webhook_auth_header_value").is_some()
    );
}

fn check_key(expires: u32, session: Option<u32>, reference: &Option<String>) {
    let mut k = TemporaryKey::transcribe_websocket(expires);
    if let Some(s) = session {
        k = k.max_session_duration_seconds(s);
    }
    if let Some(r) = reference {
        k = k.client_reference_id(r.clone());
    }
    let ok = invalid("TemporaryKey", soniox::core::auth::build_temporary_key(&k)).is_some();
    let want = (1..=3600).contains(&expires)
        && session.is_none_or(|s| (1..=18000).contains(&s))
        && reference.as_ref().is_none_or(|r| r.chars().count() <= 256);
    assert_eq!(ok, want, "temporary key {expires} {session:?}");
}

fn check_realtime(r: &RealtimeInput) {
    let mut c = RealtimeConfig::new(r.model.clone()).keepalive_interval(r.keepalive.get());
    if let Some((enc, rate, ch)) = r.raw {
        let encodings = [
            RawEncoding::PcmS16le,
            RawEncoding::PcmF64le,
            RawEncoding::Mulaw,
            RawEncoding::PcmS24be,
        ];
        c = c.audio_format(AudioFormat::raw(encodings[usize::from(enc) % 4], rate, ch));
        let _ = AudioFormat::raw(encodings[usize::from(enc) % 4], rate, ch).bytes_per_second();
    }
    if let Some(h) = &r.hints {
        c = c.language_hints(h.clone());
    }
    if let Some(ms) = r.max_endpoint_delay_ms {
        c = c.max_endpoint_delay_ms(ms);
    }
    if let Some(s) = r.sensitivity {
        c = c.endpoint_sensitivity(s);
    }
    if let Some(l) = r.latency_level {
        c = c.endpoint_latency_adjustment_level(l);
    }
    if let Some(x) = &r.reference {
        c = c.client_reference_id(x.clone());
    }
    if let Some(t) = &r.context {
        c = c.context(Context::Text(t.clone()));
    }
    let validated = c.validate();
    let now = Instant::now();
    let session = invalid("RealtimeConfig", RealtimeSession::new(c.clone(), now));
    assert_eq!(validated.is_ok(), session.is_some(), "validate() and new() disagree");
    let Some(mut s) = session else { return };
    let keepalive = r.keepalive.get();
    assert!(
        (Duration::from_millis(1)..=Duration::from_secs(3600)).contains(&keepalive),
        "keepalive {keepalive:?} accepted"
    );
    let start = soniox::core::realtime::start_message(&c).expect("a valid config encodes");
    let v: serde_json::Value = serde_json::from_str(&start).expect("the start message is JSON");
    assert_eq!(v["model"].as_str(), Some(r.model.as_str()));
    assert!(!r.model.trim().is_empty());
    // A valid config connects and schedules its keepalive without overflowing.
    s.handle_connected(now);
    assert!(s.poll_timeout().is_some());
}

/// The feed's checks and schedule, and the time rule, with any values.
fn check_pace(p: &PaceInput) {
    let pace = match p.bytes_per_second {
        Some(bytes_per_second) => Pace::RealTime { bytes_per_second },
        None => Pace::AsFastAsPossible,
    };
    let chunk = p.chunk.get();
    let ok = invalid("Pace::check", pace.check(chunk)).is_some();
    let want = (1..=MAX_CHUNK_BYTES).contains(&chunk) && p.bytes_per_second != Some(0);
    assert_eq!(ok, want, "chunk {chunk}, {pace:?}");
    let start = Instant::now();
    if let Some(due) = pace.due(start, p.bytes_sent) {
        assert!(due >= start && due <= start + NO_LIMIT);
    }
    let d = p.limit.get();
    assert_eq!(limit(d), (d < NO_LIMIT).then_some(d));
    assert_eq!(deadline(start, d), (d < NO_LIMIT).then(|| start + d));
    assert_eq!(later(start, d), start + d.min(NO_LIMIT));
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    check_config(&input.config);
    check_create(&input.create);
    check_key(input.key.0, input.key.1, &input.key.2);
    check_realtime(&input.realtime);
    check_pace(&input.pace);
}
