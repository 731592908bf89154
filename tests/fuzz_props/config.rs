//! Validation: `ConfigBuilder::build`, `CreateTranscription` (through
//! `build_create`), `TemporaryKey` (through `build_temporary_key`) and
//! `RealtimeConfig` (through `RealtimeSession::new`) with arbitrary values.
//!
//! Invariants: no panic; every refusal is `Error::InvalidArgument`; whatever is
//! accepted holds the documented limits (a non-blank key without whitespace, non-zero
//! limits, idle ≤ max connections, a URL of an allowed scheme without a trailing `/`
//! or `/v1`, plain http only to loopback unless allowed; one of file id / URL, ≤ 100
//! hints of 1..=10 characters, ≤ 256-character reference ids and webhook URLs, a
//! webhook header with both parts; a key lifetime in 1..=3600 s); an accepted body or
//! start message is JSON; the API key never shows in `Debug`.

use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use soniox::core::http::Body;
use soniox::core::realtime::RealtimeSession;
use soniox::types::{AudioFormat, Context, CreateTranscription, RawEncoding, RealtimeConfig, TemporaryKey};
use soniox::{Config, Error, RetryPolicy};

#[derive(Arbitrary, Debug)]
enum Url {
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

#[derive(Arbitrary, Debug)]
struct ConfigInput {
    key: Option<String>,
    base: Url,
    ws: Url,
    timeout_ms: u64,
    connect_ms: u32,
    upload_ms: Option<u64>,
    max_conns: u16,
    idle: u16,
    retries: u8,
    base_delay_ms: u32,
    max_delay_ms: u32,
    insecure: bool,
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
    keepalive_ms: u64,
}

#[derive(Arbitrary, Debug)]
struct Input {
    config: ConfigInput,
    create: CreateInput,
    key: (u32, Option<u32>, Option<String>),
    realtime: RealtimeInput,
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
    Config::builder()
        .base_url(url(&c.base, false))
        .ws_url(url(&c.ws, true))
        .timeout(Duration::from_millis(c.timeout_ms))
        .connect_timeout(Duration::from_millis(u64::from(c.connect_ms)))
        .upload_timeout(c.upload_ms.map(Duration::from_millis))
        .max_connections(usize::from(c.max_conns))
        .max_idle_connections(usize::from(c.idle))
        .retry(RetryPolicy::default().max_retries(u32::from(c.retries)).delays(
            Duration::from_millis(u64::from(c.base_delay_ms)),
            Duration::from_millis(u64::from(c.max_delay_ms)),
        ))
        .allow_insecure_http(c.insecure)
}

fn check_config(c: &ConfigInput) {
    let mut b = builder(c);
    if let Some(k) = &c.key {
        b = b.api_key(k.clone());
    }
    let Some(config) = invalid("Config", b.build()) else {
        return;
    };
    let key = config.api_key().expose();
    assert!(!key.trim().is_empty() && !key.chars().any(|ch| ch.is_whitespace() || ch.is_control()));
    assert!(!config.timeout().is_zero() && !config.connect_timeout().is_zero());
    assert!(config.upload_timeout().is_none_or(|t| !t.is_zero()));
    assert!(config.max_connections() >= 1 && config.max_idle_connections() <= config.max_connections());
    assert!(config.retry().validate().is_ok());
    let base = config.base_url();
    assert!(base.starts_with("https://") || base.starts_with("http://"), "{base}");
    assert!(!base.ends_with('/') && !base.ends_with("/v1"), "{base}");
    let ws = config.ws_url();
    assert!(ws.starts_with("wss://") || ws.starts_with("ws://"), "{ws}");
    if !c.insecure {
        for u in [base, ws] {
            if u.starts_with("http://") || u.starts_with("ws://") {
                let host = soniox::core::url::BaseUrl::parse(u, &["https", "http"], true)
                    .or_else(|_| soniox::core::url::BaseUrl::parse(u, &["wss", "ws"], true))
                    .expect("an accepted URL re-parses");
                assert!(
                    soniox::core::url::is_loopback(host.host()),
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
    let mut c = RealtimeConfig::new(r.model.clone()).keepalive_interval(Duration::from_millis(r.keepalive_ms));
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
    let start = soniox::core::realtime::start_message(&c).expect("a valid config encodes");
    let v: serde_json::Value = serde_json::from_str(&start).expect("the start message is JSON");
    assert_eq!(v["model"].as_str(), Some(r.model.as_str()));
    assert!(!r.model.trim().is_empty());
    // A valid config connects and schedules its keepalive without overflowing.
    s.handle_connected(now);
    assert!(s.poll_timeout().is_some());
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
}
