//! The bad-input matrix: every row is refused with `Error::InvalidArgument` (or
//! `Error::Io` naming the path) before any request is sent; the mock's counters show
//! zero requests. One table per client (blocking, and async with feature `async`).
//!
//! The extreme-value matrix (`*_take_extreme_values`): every public builder setter of both
//! clients, of the realtime options and of the list and wait options gets 0, 1, `MAX`,
//! huge, non-ASCII and control-character values. Each row either is refused with
//! `Error::InvalidArgument` (no request sent) or is accepted, and then one real call
//! against the mock returns (a model list, an upload, a wait, or a short realtime session
//! with `recv_timeout(Duration::MAX)` and `finish_timeout(Duration::MAX)`): no row may
//! panic. Rows marked `Works` must also succeed.
//!
//! Unreadable files: the tests may run as root, where `chmod 000` does not stop reads.
//! The rows use failures that hold for root too: a symlink loop (`ELOOP`) and a path
//! through a regular file (`ENOTDIR`); the `chmod 000` row runs only when the file
//! really cannot be opened by the current user.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use soniox::config::time::NO_LIMIT;
use soniox::config::{FromConfig, MAX_CONNECTIONS, MAX_HEADER_VALUE_BYTES};
use soniox::core::realtime::{Pace, RealtimeEvent, MAX_CHUNK_BYTES};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::types::{AudioFormat, Context, RawEncoding, RealtimeConfig};
use soniox::types::{CreateTranscription, TemporaryKey, Transcribe, UploadOptions};
use soniox::{ConfigBuilder, Error, RetryPolicy, TlsRoots, WaitOptions};

/// What a row must fail with.
#[derive(Clone, Debug)]
enum Expect {
    /// `Error::InvalidArgument` whose message contains this.
    Invalid(&'static str),
    /// `Error::Io` naming this path.
    Io(PathBuf),
}

fn check(name: &str, got: soniox::Result<()>, want: &Expect) {
    match (got, want) {
        (Err(Error::InvalidArgument(m)), Expect::Invalid(part)) => {
            assert!(
                m.contains(part),
                "{name}: refused for another reason: {m:?} (wanted {part:?})"
            )
        }
        (Err(Error::Io { path, .. }), Expect::Io(p)) => {
            assert_eq!(
                path.as_deref(),
                Some(p.as_path()),
                "{name}: the error names another path"
            )
        }
        (got, want) => panic!("{name}: got {got:?}, wanted {want:?}"),
    }
}

/// The local files the rows use.
struct Files {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    missing: PathBuf,
    /// Unix only (a symlink on Windows needs a privilege).
    looped: Option<PathBuf>,
    through_file: PathBuf,
    no_permission: Option<PathBuf>,
    empty: PathBuf,
    huge: PathBuf,
}

fn files() -> Files {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let root = tmp.path().to_path_buf();
    let sub = root.join("a-directory.wav");
    fs::create_dir(&sub).expect("a sub directory");
    let regular = root.join("regular.wav");
    fs::write(&regular, b"RIFF").expect("a small file");
    #[cfg(unix)]
    let (looped, no_permission) = {
        use std::os::unix::fs::PermissionsExt;
        let looped = root.join("loop.wav");
        std::os::unix::fs::symlink(&looped, &looped).expect("a symlink to itself");
        let locked = root.join("locked.wav");
        fs::write(&locked, b"RIFF").expect("a small file");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod 000");
        // Root reads a mode-000 file anyway: keep the row only where it proves something.
        (Some(looped), fs::File::open(&locked).is_err().then_some(locked))
    };
    #[cfg(not(unix))]
    let (looped, no_permission) = (None, None);
    let empty = root.join("empty.wav");
    fs::write(&empty, b"").expect("an empty file");
    let huge = root.join("huge.wav");
    // Sparse: 1 GiB + 1 byte of length, no disk blocks.
    fs::File::create(&huge)
        .and_then(|f| f.set_len((1 << 30) + 1))
        .expect("a sparse file");
    Files {
        missing: root.join("missing.wav"),
        through_file: regular.join("x.wav"),
        dir: sub,
        looped,
        no_permission,
        empty,
        huge,
        _dir: tmp,
    }
}

/// Every file row: (name, path, expected), run through `upload` and `transcribe`.
fn file_rows(f: &Files) -> Vec<(&'static str, PathBuf, Expect)> {
    let mut rows = vec![
        ("a directory", f.dir.clone(), Expect::Invalid("is a directory")),
        ("a missing file", f.missing.clone(), Expect::Io(f.missing.clone())),
        (
            "a path through a regular file",
            f.through_file.clone(),
            Expect::Io(f.through_file.clone()),
        ),
        ("a 0-byte file", f.empty.clone(), Expect::Invalid("empty")),
        ("a file over 1 GiB", f.huge.clone(), Expect::Invalid("1 GiB")),
    ];
    if let Some(p) = &f.looped {
        rows.push(("a symlink loop", p.clone(), Expect::Io(p.clone())));
    }
    if let Some(p) = &f.no_permission {
        rows.push(("a mode-000 file", p.clone(), Expect::Io(p.clone())));
    }
    rows
}

/// A string of `n` characters.
fn long(n: usize) -> String {
    "r".repeat(n)
}

/// The request rows that need no file: (name, request, expected).
enum Req {
    Create(CreateTranscription),
    TranscribeUrl(CreateTranscription),
    TranscribePath(CreateTranscription),
    Key(TemporaryKey),
    UploadRef(String),
}

fn request_rows() -> Vec<(&'static str, Req, Expect)> {
    let f = || CreateTranscription::file_id("file-1");
    vec![
        (
            "both file_id and audio_url",
            Req::Create(f().source_audio_url("https://example.com/a.wav")),
            Expect::Invalid("not both"),
        ),
        (
            "neither file_id nor audio_url",
            Req::Create(CreateTranscription::new()),
            Expect::Invalid("one of"),
        ),
        (
            "client_reference_id of 257 characters",
            Req::Create(f().client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "webhook_url of 257 characters",
            Req::Create(f().webhook_url(format!("https://{}", long(249)))),
            Expect::Invalid("webhook_url"),
        ),
        (
            "101 language hints",
            Req::Create(f().language_hints(vec!["en"; 101])),
            Expect::Invalid("100"),
        ),
        (
            "a language hint of 11 characters",
            Req::Create(f().language_hints([long(11)])),
            Expect::Invalid("language hint"),
        ),
        (
            "a webhook header name without a value",
            Req::Create(f().webhook_auth_header("X-Auth", "")),
            Expect::Invalid("both a name and a value"),
        ),
        (
            "transcribe(url) with a 257-character reference id",
            Req::TranscribeUrl(CreateTranscription::new().client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "transcribe(path) with 101 language hints",
            Req::TranscribePath(CreateTranscription::new().language_hints(vec!["en"; 101])),
            Expect::Invalid("100"),
        ),
        (
            "upload with a 257-character reference id",
            Req::UploadRef(long(257)),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "temporary key lifetime 0",
            Req::Key(TemporaryKey::transcribe_websocket(0)),
            Expect::Invalid("1..=3600"),
        ),
        (
            "temporary key lifetime 3601",
            Req::Key(TemporaryKey::transcribe_websocket(3601)),
            Expect::Invalid("1..=3600"),
        ),
        (
            "temporary key with a 257-character reference id",
            Req::Key(TemporaryKey::transcribe_websocket(60).client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
    ]
}

const KEYS: [(&str, &str, &str); 6] = [
    ("an empty API key", "", "empty"),
    ("a whitespace API key", " \t\n", "empty"),
    ("an API key with a space inside", "ab cd", "whitespace"),
    ("an API key with a control character", "ab\u{1}cd", "control"),
    ("an API key with a header injection", "ab\r\nx-evil: 1", "control"),
    ("a non-ASCII API key", "ключ-é", "non-ASCII"),
];

fn assert_untouched(mock: &MockServer, name: &str) {
    let s = mock.stats();
    assert_eq!(
        (s.requests, s.ws_sessions),
        (0, 0),
        "{name}: a request reached the server"
    );
}

#[test]
fn blocking_client_refuses_bad_input_before_any_request() {
    use soniox::blocking::Client;
    let mock = common::mock();
    for (name, key, part) in KEYS {
        let r = Client::builder()
            .api_key(key)
            .base_url(mock.base_url())
            .build()
            .map(drop);
        check(name, r, &Expect::Invalid(part));
        assert_untouched(&mock, name);
    }
    let client = common::client(&mock);
    let f = files();
    let good = common::wav(&f.dir, "good.wav", 1);
    for (name, path, want) in file_rows(&f) {
        check(name, client.files().upload(&path).map(drop), &want);
        check(name, client.transcribe(Transcribe::path(&path)).map(drop), &want);
        assert_untouched(&mock, name);
    }
    for (name, req, want) in request_rows() {
        let r = match req {
            Req::Create(c) => client.transcriptions().create(c).map(drop),
            Req::TranscribeUrl(c) => client
                .transcribe(Transcribe::audio_url("https://example.com/a.wav").options(c))
                .map(drop),
            Req::TranscribePath(c) => client.transcribe(Transcribe::path(&good).options(c)).map(drop),
            Req::Key(k) => client.auth().temporary_api_key(k).map(drop),
            Req::UploadRef(r) => client
                .files()
                .upload_with(&good, UploadOptions::new().client_reference_id(r))
                .map(drop),
        };
        check(name, r, &want);
        assert_untouched(&mock, name);
    }
}

#[cfg(feature = "async")]
#[test]
fn async_client_refuses_bad_input_before_any_request() {
    use soniox::nonblocking::Client;
    let mock = common::mock();
    async_std::task::block_on(async {
        for (name, key, part) in KEYS {
            let r = Client::builder()
                .api_key(key)
                .base_url(mock.base_url())
                .build()
                .map(drop);
            check(name, r, &Expect::Invalid(part));
            assert_untouched(&mock, name);
        }
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()
            .expect("the async client builds");
        let f = files();
        let good = common::wav(&f.dir, "good.wav", 1);
        for (name, path, want) in file_rows(&f) {
            check(name, client.files().upload(&path).await.map(drop), &want);
            check(name, client.transcribe(Transcribe::path(&path)).await.map(drop), &want);
            assert_untouched(&mock, name);
        }
        for (name, req, want) in request_rows() {
            let r = match req {
                Req::Create(c) => client.transcriptions().create(c).await.map(drop),
                Req::TranscribeUrl(c) => client
                    .transcribe(Transcribe::audio_url("https://example.com/a.wav").options(c))
                    .await
                    .map(drop),
                Req::TranscribePath(c) => client.transcribe(Transcribe::path(&good).options(c)).await.map(drop),
                Req::Key(k) => client.auth().temporary_api_key(k).await.map(drop),
                Req::UploadRef(r) => client
                    .files()
                    .upload_with(&good, UploadOptions::new().client_reference_id(r))
                    .await
                    .map(drop),
            };
            check(name, r, &want);
            assert_untouched(&mock, name);
        }
    });
}

#[test]
fn the_unreadable_rows_fail_for_root_too() {
    // The symlink loop and the path through a file fail at `metadata` for any user.
    let f = files();
    for p in f.looped.iter().chain([&f.through_file]) {
        assert!(fs::metadata(p).is_err(), "{} is readable", p.display());
    }
    assert!(Path::new(&f.huge).metadata().is_ok_and(|m| m.len() == (1 << 30) + 1));
}

// ---------------------------------------------------------------------------------------
// Extreme values: every setter, both clients. Refused or accepted, never a panic.

/// What a row must do.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    /// Refused with `Error::InvalidArgument` containing this, before any request.
    Refused(&'static str),
    /// Accepted, and the call succeeds.
    Works,
    /// Accepted, and the call returns, whatever its result (a 1 ns timeout, a wrong key, a
    /// path the server does not know, a model it refuses).
    Returns,
    /// Depends on the machine (its OS trust store): refused with `Error::InvalidArgument`,
    /// or accepted and the call returns.
    Either,
}

use Want::{Either, Refused, Returns, Works};

/// The call an accepted configuration makes.
#[derive(Clone, Copy, Debug)]
enum Call {
    Models,
    Upload,
}

type Setter<T> = Box<dyn Fn(ConfigBuilder<T>) -> ConfigBuilder<T>>;

struct ConfigRow<T> {
    name: String,
    set: Setter<T>,
    want: Want,
    call: Call,
}

fn row<T>(
    name: impl Into<String>,
    want: Want,
    set: impl Fn(ConfigBuilder<T>) -> ConfigBuilder<T> + 'static,
) -> ConfigRow<T> {
    ConfigRow {
        name: name.into(),
        set: Box::new(set),
        want,
        call: Call::Models,
    }
}

/// Refusal messages never show a key: every key row's key contains this.
const SECRET: &str = "sekret";

/// The extreme durations, with what a REST time limit does with each.
fn durations() -> Vec<(&'static str, Duration, Want)> {
    vec![
        ("0", Duration::ZERO, Refused("greater than zero")),
        ("1 ns", Duration::from_nanos(1), Returns),
        ("1 ms", Duration::from_millis(1), Returns),
        ("NO_LIMIT - 1 ns", NO_LIMIT - Duration::from_nanos(1), Works),
        ("NO_LIMIT", NO_LIMIT, Works),
        ("u64::MAX s", Duration::from_secs(u64::MAX), Works),
        ("Duration::MAX", Duration::MAX, Works),
    ]
}

/// Every `ConfigBuilder` setter with extreme values, for a client `T` of the mock at
/// `base` / `ws` (the rows replace one setting of a working configuration).
fn config_rows<T: FromConfig + 'static>(base: &str, ws: &str) -> Vec<ConfigRow<T>> {
    let mut rows = Vec::new();
    for (label, d, want) in durations() {
        rows.push(row(format!("timeout({label})"), want, move |b| b.timeout(d)));
        rows.push(row(format!("connect_timeout({label})"), want, move |b| {
            b.connect_timeout(d)
        }));
        rows.push(ConfigRow {
            call: Call::Upload,
            ..row(format!("upload_timeout(Some({label}))"), want, move |b| {
                b.upload_timeout(Some(d))
            })
        });
    }
    rows.push(ConfigRow {
        call: Call::Upload,
        ..row("upload_timeout(None)", Works, |b| b.upload_timeout(None))
    });
    for (n, want) in [
        (0, Refused("at least 1")),
        (1, Works),
        (2, Works),
        (MAX_CONNECTIONS + 1, Works),
        (usize::MAX, Works),
    ] {
        rows.push(row(format!("max_connections({n})"), want, move |b| {
            b.max_connections(n)
        }));
    }
    for n in [0, 1, usize::MAX] {
        rows.push(row(format!("max_idle_connections({n})"), Works, move |b| {
            b.max_idle_connections(n)
        }));
    }
    let (ms, max) = (Duration::from_millis(1), Duration::MAX);
    let retries: Vec<(&str, RetryPolicy, Want)> = vec![
        ("max_retries(0)", RetryPolicy::default().max_retries(0), Works),
        ("max_retries(1)", RetryPolicy::default().max_retries(1), Works),
        ("max_retries(100)", RetryPolicy::default().max_retries(100), Works),
        (
            "max_retries(101)",
            RetryPolicy::default().max_retries(101),
            Refused("at most 100"),
        ),
        (
            "max_retries(u32::MAX)",
            RetryPolicy::default().max_retries(u32::MAX),
            Refused("at most 100"),
        ),
        (
            "delays(0, 0)",
            RetryPolicy::default().delays(Duration::ZERO, Duration::ZERO),
            Works,
        ),
        (
            "delays(1 ns, 1 ns)",
            RetryPolicy::default().delays(Duration::from_nanos(1), Duration::from_nanos(1)),
            Works,
        ),
        (
            "delays(0, MAX)",
            RetryPolicy::default().delays(Duration::ZERO, max),
            Works,
        ),
        ("delays(MAX, MAX)", RetryPolicy::default().delays(max, max), Works),
        (
            "delays(MAX, 1 ms)",
            RetryPolicy::default().delays(max, ms),
            Refused("must not exceed"),
        ),
        (
            "max_retry_after(0)",
            RetryPolicy::default().max_retry_after(Duration::ZERO),
            Works,
        ),
        (
            "max_retry_after(MAX)",
            RetryPolicy::default().max_retry_after(max),
            Works,
        ),
        ("jitter(false)", RetryPolicy::default().jitter(false), Works),
        ("none()", RetryPolicy::none(), Works),
    ];
    for (label, policy, want) in retries {
        rows.push(row(format!("retry({label})"), want, move |b| b.retry(policy.clone())));
    }
    for allow in [false, true] {
        rows.push(row(format!("allow_insecure_http({allow})"), Works, move |b| {
            b.allow_insecure_http(allow)
        }));
    }
    let k = |s: &str| format!("{SECRET}{s}");
    let keys: Vec<(&str, String, Want)> = vec![
        ("1 character (wrong)", "x".to_owned(), Returns),
        (
            "MAX_HEADER_VALUE_BYTES (wrong)",
            k(&"k".repeat(MAX_HEADER_VALUE_BYTES - SECRET.len())),
            Returns,
        ),
        (
            "MAX_HEADER_VALUE_BYTES + 1",
            k(&"k".repeat(MAX_HEADER_VALUE_BYTES + 1 - SECRET.len())),
            Refused("maximum"),
        ),
        ("1 MiB", k(&"k".repeat(1 << 20)), Refused("maximum")),
        ("NUL", k("\0"), Refused("control")),
        ("DEL", k("\u{7f}"), Refused("control")),
        ("ESC", k("\u{1b}[0m"), Refused("control")),
        ("non-ASCII", k("é"), Refused("non-ASCII")),
        ("emoji", k("🔑"), Refused("non-ASCII")),
        ("no-break space", k("\u{a0}"), Refused("whitespace")),
    ];
    for (label, key, want) in keys {
        rows.push(row(format!("api_key({label})"), want, move |b| b.api_key(key.clone())));
    }
    let agents: Vec<(&str, String, Want)> = vec![
        ("empty", String::new(), Refused("empty")),
        ("spaces", "   ".to_owned(), Refused("empty")),
        ("1 character", "u".to_owned(), Works),
        (
            "with spaces and symbols",
            "my-app/1.0 (+https://example.com; x=y)".to_owned(),
            Works,
        ),
        ("MAX_HEADER_VALUE_BYTES", "u".repeat(MAX_HEADER_VALUE_BYTES), Works),
        (
            "MAX_HEADER_VALUE_BYTES + 1",
            "u".repeat(MAX_HEADER_VALUE_BYTES + 1),
            Refused("maximum"),
        ),
        ("1 MiB", "u".repeat(1 << 20), Refused("maximum")),
        ("non-ASCII", "agent-é".to_owned(), Refused("printable ASCII")),
        ("NUL", "agent\0".to_owned(), Refused("printable ASCII")),
        ("tab", "agent\t1".to_owned(), Refused("printable ASCII")),
        (
            "CR LF (header injection)",
            "agent\r\nx-evil: 1".to_owned(),
            Refused("printable ASCII"),
        ),
    ];
    for (label, ua, want) in agents {
        rows.push(row(format!("user_agent({label})"), want, move |b| {
            b.user_agent(ua.clone())
        }));
    }
    let huge_path = "a".repeat(1 << 16);
    let urls: Vec<(&str, String, Want)> = vec![
        ("empty", String::new(), Refused("URL")),
        ("NUL", "\0".to_owned(), Refused("URL")),
        (
            "a control character in the path",
            format!("{base}/\u{1}"),
            Refused("control"),
        ),
        ("a DEL in the path", format!("{base}/a\u{7f}"), Refused("control")),
        ("port 65536", "http://127.0.0.1:65536".to_owned(), Refused("URL")),
        (
            "a 20-digit port",
            "http://127.0.0.1:99999999999999999999".to_owned(),
            Refused("URL"),
        ),
        (
            "a 1 MiB plain-http host",
            format!("http://{}", "a".repeat(1 << 20)),
            Refused("loopback"),
        ),
        ("another scheme", "ftp://127.0.0.1".to_owned(), Refused("scheme")),
        ("a trailing /v1/", format!("{base}/v1/"), Works),
        ("a non-ASCII path", format!("{base}/é"), Returns),
        ("a 64 KiB path", format!("{base}/{huge_path}"), Returns),
        ("port 0", "http://127.0.0.1:0".to_owned(), Returns),
    ];
    for (label, url, want) in urls {
        rows.push(row(format!("base_url({label})"), want, move |b| {
            b.base_url(url.clone())
        }));
    }
    let ws_urls: Vec<(&str, String, Want)> = vec![
        ("empty", String::new(), Refused("WebSocket URL")),
        (
            "a control character in the path",
            format!("{ws}/\u{1}"),
            Refused("WebSocket URL"),
        ),
        (
            "port 65536",
            "ws://127.0.0.1:65536".to_owned(),
            Refused("WebSocket URL"),
        ),
        (
            "a 1 MiB plain-ws host",
            format!("ws://{}", "a".repeat(1 << 20)),
            Refused("loopback"),
        ),
        // REST does not use it: the model list still works.
        ("a non-ASCII path", format!("{ws}/é"), Works),
        ("a 64 KiB path", format!("{ws}/{huge_path}"), Works),
    ];
    for (label, url, want) in ws_urls {
        rows.push(row(format!("ws_url({label})"), want, move |b| b.ws_url(url.clone())));
    }
    // The trust settings (the mock is plain http: the roots are built, never used).
    let pems: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("text that is not PEM", b"not a PEM".to_vec()),
        (
            "a certificate block of garbage",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
        ),
        ("non-UTF-8 bytes", vec![0xff; 1024]),
        ("control characters", vec![0, 1, 27, b'\r', b'\n']),
        ("1 MiB of garbage", vec![b'A'; 1 << 20]),
    ];
    for (label, pem) in pems {
        rows.push(row(
            format!("add_root_certificates_pem({label})"),
            Refused(""),
            move |b| b.add_root_certificates_pem(&pem),
        ));
    }
    for (label, path) in [
        ("an empty path", String::new()),
        ("a missing file", "/nonexistent/soniox-ca.pem".to_owned()),
        ("a NUL in the path", "ca\0.pem".to_owned()),
        ("a 64 KiB path", "p".repeat(1 << 16)),
    ] {
        rows.push(row(
            format!("add_root_certificates_file({label})"),
            Refused(""),
            move |b| b.add_root_certificates_file(path.clone()),
        ));
    }
    rows.push(row("tls_roots(Bundled)", Works, |b| b.tls_roots(TlsRoots::Bundled)));
    rows.push(row("tls_roots(Os)", Either, |b| b.tls_roots(TlsRoots::Os)));
    rows.push(row("tls_roots(BundledAndOs)", Either, |b| {
        b.tls_roots(TlsRoots::BundledAndOs)
    }));
    rows
}

/// A working configuration for the mock (fast retries), that a row then changes.
fn base_builder<T: FromConfig>(mock: &MockServer) -> ConfigBuilder<T> {
    ConfigBuilder::<T>::default()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

/// Checks a refusal: the right kind and reason, no key shown, nothing sent.
fn check_refused(name: &str, got: Error, part: &str, mock: &MockServer, requests_before: u64) {
    let Error::InvalidArgument(m) = got else {
        panic!("{name}: refused with {got:?}, wanted InvalidArgument containing {part:?}");
    };
    assert!(
        m.contains(part),
        "{name}: refused for another reason: {m:?} (wanted {part:?})"
    );
    assert!(!m.contains(SECRET), "{name}: the message shows the key: {m:?}");
    assert_eq!(
        mock.stats().requests,
        requests_before,
        "{name}: a request reached the server"
    );
}

/// The outcome of an accepted row's call.
fn check_call<T: std::fmt::Debug>(name: &str, want: Want, got: soniox::Result<T>) {
    if want == Works {
        assert!(got.is_ok(), "{name}: the call failed: {got:?}");
    }
}

fn extremes_mock() -> MockServer {
    MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Polls {
                queued: 1,
                processing: 1,
            })
            .max_concurrent_streams(1_000),
    )
    .expect("mock server starts")
}

#[test]
fn blocking_builder_setters_take_extreme_values() {
    use soniox::blocking::Client;
    let mock = extremes_mock();
    let dir = tempfile::tempdir().expect("a temp dir");
    let wav = common::wav(dir.path(), "extreme.wav", 1);
    let rows = config_rows::<Client>(&mock.base_url(), &mock.ws_url());
    assert!(rows.len() > 90, "{} rows", rows.len());
    let works = rows.iter().filter(|r| r.want == Works).count() as u64;
    for r in rows {
        let before = mock.stats().requests;
        match ((r.set)(base_builder(&mock)).build(), r.want) {
            (Err(e), Refused(part)) => check_refused(&r.name, e, part, &mock, before),
            (Err(e), Either) => check_refused(&r.name, e, "", &mock, before),
            (Err(e), want) => panic!("{}: refused with {e:?}, wanted {want:?}", r.name),
            (Ok(_), Refused(part)) => panic!("{}: accepted, wanted a refusal ({part:?})", r.name),
            (Ok(client), want) => match r.call {
                Call::Models => check_call(&r.name, want, client.models().list()),
                Call::Upload => check_call(&r.name, want, client.files().upload(&wav)),
            },
        }
    }
    assert!(mock.stats().requests >= works, "the accepted rows made no calls");
    let c = base_builder::<Client>(&mock)
        .max_connections(usize::MAX)
        .build()
        .expect("builds");
    assert_eq!(c.config().max_connections(), MAX_CONNECTIONS);
}

#[cfg(feature = "async")]
#[test]
fn async_builder_setters_take_extreme_values() {
    use soniox::nonblocking::Client;
    let mock = extremes_mock();
    let dir = tempfile::tempdir().expect("a temp dir");
    let wav = common::wav(dir.path(), "extreme.wav", 1);
    let rows = config_rows::<Client>(&mock.base_url(), &mock.ws_url());
    let works = rows.iter().filter(|r| r.want == Works).count() as u64;
    async_std::task::block_on(async {
        for r in rows {
            let before = mock.stats().requests;
            match ((r.set)(base_builder(&mock)).build(), r.want) {
                (Err(e), Refused(part)) => check_refused(&r.name, e, part, &mock, before),
                (Err(e), Either) => check_refused(&r.name, e, "", &mock, before),
                (Err(e), want) => panic!("{}: refused with {e:?}, wanted {want:?}", r.name),
                (Ok(_), Refused(part)) => panic!("{}: accepted, wanted a refusal ({part:?})", r.name),
                (Ok(client), want) => match r.call {
                    Call::Models => check_call(&r.name, want, client.models().list().await),
                    Call::Upload => check_call(&r.name, want, client.files().upload(&wav).await),
                },
            }
        }
    });
    assert!(mock.stats().requests >= works, "the accepted rows made no calls");
    let c = base_builder::<Client>(&mock)
        .max_connections(usize::MAX)
        .build()
        .expect("builds");
    assert_eq!(c.config().max_connections(), MAX_CONNECTIONS);
}

/// `WaitOptions` with extreme values (each bounded: an endless schedule always has a short
/// overall timeout), and the list setters.
fn wait_rows() -> Vec<(&'static str, WaitOptions, Want)> {
    let (ns, ms, max) = (Duration::from_nanos(1), Duration::from_millis(1), Duration::MAX);
    vec![
        (
            "interval(0), growth(NaN), max_interval(0), timeout(Some(MAX))",
            WaitOptions::default()
                .interval(Duration::ZERO)
                .growth(f64::NAN)
                .max_interval(Duration::ZERO)
                .timeout(Some(max)),
            Works,
        ),
        (
            "interval(1 ns), growth(MAX), max_interval(1 ms), timeout(None)",
            WaitOptions::default()
                .interval(ns)
                .growth(f64::MAX)
                .max_interval(ms)
                .timeout(None),
            Works,
        ),
        (
            "growth(-inf), growth(0) then 1 ms",
            WaitOptions::default()
                .growth(f64::NEG_INFINITY)
                .growth(0.0)
                .interval(ms),
            Works,
        ),
        (
            "interval(MAX), growth(+inf), max_interval(MAX), timeout(Some(1 ms))",
            WaitOptions::default()
                .interval(max)
                .growth(f64::INFINITY)
                .max_interval(max)
                .timeout(Some(ms)),
            Returns,
        ),
        (
            "interval(1 ms), growth(+inf), max_interval(MAX), timeout(Some(50 ms))",
            WaitOptions::default()
                .interval(ms)
                .growth(f64::INFINITY)
                .max_interval(max)
                .timeout(Some(Duration::from_millis(50))),
            Returns,
        ),
        (
            "timeout(Some(0))",
            WaitOptions::default().timeout(Some(Duration::ZERO)),
            Returns,
        ),
    ]
}

fn limit_rows() -> Vec<(u32, Want)> {
    vec![
        (0, Refused("1..=1000")),
        (1, Works),
        (1000, Works),
        (1001, Refused("1..=1000")),
        (u32::MAX, Refused("1..=1000")),
    ]
}

/// Cursors: empty, non-ASCII, control characters, 64 KiB.
fn cursor_rows() -> Vec<String> {
    vec![
        String::new(),
        "curseur-é-🔑".to_owned(),
        "c\0\r\n\u{1b}".to_owned(),
        "c".repeat(1 << 16),
    ]
}

#[test]
fn blocking_wait_and_list_options_take_extreme_values() {
    use soniox::blocking::Client;
    let mock = extremes_mock();
    let client = base_builder::<Client>(&mock).build().expect("builds");
    for (name, opts, want) in wait_rows() {
        let job = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/a.wav"))
            .expect("a job");
        check_call(name, want, client.transcriptions().wait(&job.id, opts));
    }
    for (limit, want) in limit_rows() {
        let name = format!("list().limit({limit})");
        let before = mock.stats().requests;
        for got in [
            client.files().list().limit(limit).send().map(drop),
            client.transcriptions().list().limit(limit).send().map(drop),
        ] {
            match (got, want) {
                (Err(e), Refused(part)) => check_refused(&name, e, part, &mock, before),
                (got, Refused(_)) => panic!("{name}: {got:?}, wanted a refusal"),
                (got, want) => check_call(&name, want, got),
            }
        }
    }
    // Any cursor: the server answers (a page or an error), nothing panics.
    for cursor in cursor_rows() {
        let _ = client.files().list().cursor(cursor.clone()).send();
        let _ = client.transcriptions().list().cursor(cursor).send();
    }
}

#[cfg(feature = "async")]
#[test]
fn async_wait_and_list_options_take_extreme_values() {
    use soniox::nonblocking::Client;
    let mock = extremes_mock();
    let client = base_builder::<Client>(&mock).build().expect("builds");
    async_std::task::block_on(async {
        for (name, opts, want) in wait_rows() {
            let job = client
                .transcriptions()
                .create(CreateTranscription::audio_url("https://example.com/a.wav"))
                .await
                .expect("a job");
            check_call(name, want, client.transcriptions().wait(&job.id, opts).await);
        }
        for (limit, want) in limit_rows() {
            let name = format!("list().limit({limit})");
            let before = mock.stats().requests;
            for got in [
                client.files().list().limit(limit).send().await.map(drop),
                client.transcriptions().list().limit(limit).send().await.map(drop),
            ] {
                match (got, want) {
                    (Err(e), Refused(part)) => check_refused(&name, e, part, &mock, before),
                    (got, Refused(_)) => panic!("{name}: {got:?}, wanted a refusal"),
                    (got, want) => check_call(&name, want, got),
                }
            }
        }
        for cursor in cursor_rows() {
            let _ = client.files().list().cursor(cursor.clone()).send().await;
            let _ = client.transcriptions().list().cursor(cursor).send().await;
        }
    });
}

/// One realtime row: a stream configuration and the `Realtime` settings it opens with.
struct RealtimeRow {
    name: String,
    config: RealtimeConfig,
    finish_timeout: Duration,
    queue_capacity: usize,
    want: Want,
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// 200 ms of 16 kHz mono PCM.
fn pcm() -> Vec<u8> {
    soniox::audio::pcm_chunks(soniox::audio::WavSpec::default(), 64 * 1024, Duration::from_millis(200))
        .flatten()
        .collect()
}

/// Every realtime option (the `RealtimeConfig` setters and the `Realtime` ones) with
/// extreme values; each row changes one thing of a working stream.
fn realtime_rows() -> Vec<RealtimeRow> {
    let mut rows = Vec::new();
    let mut add = |name: String, config: RealtimeConfig, want: Want| {
        rows.push(RealtimeRow {
            name,
            config,
            finish_timeout: Duration::MAX,
            queue_capacity: 16,
            want,
        })
    };
    let c = pcm_config;
    add("defaults, finish_timeout(MAX)".into(), c(), Works);
    for (label, model, want) in [
        ("empty", String::new(), Refused("model")),
        ("spaces", "  ".to_owned(), Refused("model")),
        ("non-ASCII", "stt-rt-é".to_owned(), Returns),
        ("control characters", "stt\0\r\n".to_owned(), Returns),
        ("1 MiB", "m".repeat(1 << 20), Returns),
    ] {
        add(
            format!("model({label})"),
            RealtimeConfig::new(model).pcm_s16le(16_000, 1),
            want,
        );
    }
    for (rate, channels, want) in [
        (0, 1, Refused("above zero")),
        (16_000, 0, Refused("above zero")),
        (1, 1, Returns),
        (u32::MAX, u32::MAX, Returns),
    ] {
        add(
            format!("pcm_s16le({rate}, {channels})"),
            c().pcm_s16le(rate, channels),
            want,
        );
        add(
            format!("audio_format(raw pcm_f64be, {rate}, {channels})"),
            c().audio_format(AudioFormat::raw(RawEncoding::PcmF64be, rate, channels)),
            want,
        );
    }
    add(
        "audio_format(Auto)".into(),
        c().audio_format(AudioFormat::Auto),
        Returns,
    );
    for (label, hints, want) in [
        ("101 hints", vec!["en".to_owned(); 101], Refused("100")),
        ("an empty hint", vec![String::new()], Refused("1 to 10")),
        ("an 11-character hint", vec!["h".repeat(11)], Refused("1 to 10")),
        ("a 1 MiB hint", vec!["h".repeat(1 << 20)], Refused("1 to 10")),
        ("none", Vec::new(), Works),
        (
            "100 hints of 10 characters",
            vec!["abcdefghij".to_owned(); 100],
            Returns,
        ),
        ("non-ASCII", vec!["日本語".to_owned()], Returns),
        ("control characters", vec!["\0\r\n".to_owned()], Returns),
    ] {
        add(format!("language_hints({label})"), c().language_hints(hints), want);
    }
    for on in [false, true] {
        add(
            format!("language_hints_strict({on})"),
            c().language_hints_strict(on),
            Works,
        );
        add(format!("diarization({on})"), c().diarization(on), Works);
        add(
            format!("language_identification({on})"),
            c().language_identification(on),
            Works,
        );
        add(format!("endpoint_detection({on})"), c().endpoint_detection(on), Works);
    }
    for (label, text, want) in [
        ("10 000 characters", "x".repeat(10_000), Works),
        ("10 001 characters", "x".repeat(10_001), Refused("10000")),
        ("1 MiB", "x".repeat(1 << 20), Refused("10000")),
        ("empty", String::new(), Returns),
        (
            "non-ASCII and control characters",
            "é🔑\0\u{1b}\r\n".to_owned(),
            Returns,
        ),
    ] {
        add(
            format!("context(Text({label}))"),
            c().context(Context::Text(text)),
            want,
        );
    }
    for (ms, want) in [
        (0, Refused("500..=3000")),
        (1, Refused("500..=3000")),
        (500, Works),
        (3000, Works),
        (u32::MAX, Refused("500..=3000")),
    ] {
        add(
            format!("max_endpoint_delay_ms({ms})"),
            c().max_endpoint_delay_ms(ms),
            want,
        );
    }
    for (v, want) in [
        (f32::NAN, Refused("endpoint_sensitivity")),
        (f32::INFINITY, Refused("endpoint_sensitivity")),
        (f32::NEG_INFINITY, Refused("endpoint_sensitivity")),
        (f32::MAX, Refused("endpoint_sensitivity")),
        (-1.0, Works),
        (1.0, Works),
    ] {
        add(format!("endpoint_sensitivity({v})"), c().endpoint_sensitivity(v), want);
    }
    for (level, want) in [
        (0, Works),
        (3, Works),
        (4, Refused("0..=3")),
        (u8::MAX, Refused("0..=3")),
    ] {
        add(
            format!("endpoint_latency_adjustment_level({level})"),
            c().endpoint_latency_adjustment_level(level),
            want,
        );
    }
    for (label, id, want) in [
        ("256 characters", "r".repeat(256), Works),
        ("257 characters", "r".repeat(257), Refused("256")),
        ("1 MiB", "r".repeat(1 << 20), Refused("256")),
        ("empty", String::new(), Returns),
        ("non-ASCII and control characters", "é🔑\0\r\n".to_owned(), Returns),
    ] {
        add(
            format!("client_reference_id({label})"),
            c().client_reference_id(id),
            want,
        );
    }
    for (label, d, want) in [
        ("0", Duration::ZERO, Refused("keepalive_interval")),
        ("1 ns", Duration::from_nanos(1), Refused("at least 1 ms")),
        ("1 ms", Duration::from_millis(1), Works),
        ("1 hour", Duration::from_secs(3600), Works),
        (
            "1 hour + 1 ns",
            Duration::from_secs(3600) + Duration::from_nanos(1),
            Refused("at most 1 hour"),
        ),
        ("Duration::MAX", Duration::MAX, Refused("at most 1 hour")),
    ] {
        add(format!("keepalive_interval({label})"), c().keepalive_interval(d), want);
    }
    for (label, d, want) in [
        ("0", Duration::ZERO, Refused("finish_timeout")),
        ("1 ns", Duration::from_nanos(1), Returns),
        ("NO_LIMIT", NO_LIMIT, Works),
        ("u64::MAX s", Duration::from_secs(u64::MAX), Works),
    ] {
        rows.push(RealtimeRow {
            finish_timeout: d,
            ..RealtimeRow::new(format!("finish_timeout({label})"), want)
        });
    }
    for n in [0, 1, usize::MAX] {
        rows.push(RealtimeRow {
            queue_capacity: n,
            ..RealtimeRow::new(format!("queue_capacity({n})"), Works)
        });
    }
    rows
}

impl RealtimeRow {
    fn new(name: String, want: Want) -> RealtimeRow {
        RealtimeRow {
            name,
            config: pcm_config(),
            finish_timeout: Duration::MAX,
            queue_capacity: 16,
            want,
        }
    }
}

/// Checks a finished session: `Works` ends with `Finished`.
fn check_session(name: &str, want: Want, sent: soniox::Result<()>, events: soniox::Result<Vec<RealtimeEvent>>) {
    if want == Works {
        assert!(sent.is_ok(), "{name}: sending failed: {sent:?}");
        let events = events.unwrap_or_else(|e| panic!("{name}: finish failed: {e:?}"));
        assert!(
            matches!(events.last(), Some(RealtimeEvent::Finished)),
            "{name}: {events:?}"
        );
    }
}

/// The feed's chunk sizes and paces: refused, or a whole session.
fn feed_rows() -> Vec<(String, usize, Pace, Want)> {
    vec![
        (
            "chunk_bytes 0".into(),
            0,
            Pace::AsFastAsPossible,
            Refused("chunk_bytes"),
        ),
        (
            "chunk_bytes MAX_CHUNK_BYTES + 1".into(),
            MAX_CHUNK_BYTES + 1,
            Pace::AsFastAsPossible,
            Refused("at most"),
        ),
        (
            "chunk_bytes usize::MAX".into(),
            usize::MAX,
            Pace::AsFastAsPossible,
            Refused("at most"),
        ),
        (
            "a real-time pace of 0 B/s".into(),
            3_200,
            Pace::RealTime { bytes_per_second: 0 },
            Refused("bytes_per_second"),
        ),
        ("chunk_bytes 1".into(), 1, Pace::AsFastAsPossible, Works),
        (
            "chunk_bytes MAX_CHUNK_BYTES".into(),
            MAX_CHUNK_BYTES,
            Pace::AsFastAsPossible,
            Works,
        ),
        (
            "a real-time pace of u64::MAX B/s".into(),
            3_200,
            Pace::RealTime {
                bytes_per_second: u64::MAX,
            },
            Works,
        ),
    ]
}

/// The waits a session tries before its audio: each returns at once (an event or a timeout).
const SHORT_WAITS: [Duration; 2] = [Duration::ZERO, Duration::from_nanos(1)];
/// The waits that mean "no limit".
const NO_LIMIT_WAITS: [Duration; 3] = [Duration::MAX, NO_LIMIT, Duration::from_secs(u64::MAX)];

#[test]
fn blocking_realtime_options_take_extreme_values() {
    use soniox::blocking::Client;
    let mock = extremes_mock();
    let client = base_builder::<Client>(&mock).build().expect("builds");
    let audio = pcm();
    for r in realtime_rows() {
        let sessions = mock.stats().ws_sessions;
        let realtime = client
            .realtime()
            .finish_timeout(r.finish_timeout)
            .queue_capacity(r.queue_capacity);
        match (realtime.connect(r.config), r.want) {
            (Err(e), Refused(part)) => {
                check_refused(&r.name, e, part, &mock, mock.stats().requests);
                assert_eq!(mock.stats().ws_sessions, sessions, "{}: a session opened", r.name);
            }
            (Err(e), want) => panic!("{}: refused with {e:?}, wanted {want:?}", r.name),
            (Ok(_), Refused(part)) => panic!("{}: accepted, wanted a refusal ({part:?})", r.name),
            (Ok(mut stream), want) => {
                let sent = stream.send_audio(&audio);
                check_session(&r.name, want, sent, stream.finish());
            }
        }
    }
    // `recv_timeout` with every extreme, on a stream whose `finish_timeout` is `Duration::MAX`.
    let mut stream = client
        .realtime()
        .finish_timeout(Duration::MAX)
        .connect(pcm_config())
        .expect("a stream");
    for wait in SHORT_WAITS {
        match stream.recv_timeout(wait) {
            Some(Err(Error::Timeout(_)) | Ok(_)) => {}
            other => panic!("recv_timeout({wait:?}): {other:?}"),
        }
    }
    stream.send_audio(&audio).expect("audio sent");
    stream.sender().finish().expect("end of audio queued");
    let mut finished = false;
    for i in 0..10_000 {
        match stream.recv_timeout(NO_LIMIT_WAITS[i % NO_LIMIT_WAITS.len()]) {
            Some(Ok(RealtimeEvent::Finished)) => {
                finished = true;
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("recv_timeout(no limit): {other:?}"),
        }
    }
    assert!(finished, "no Finished event");
    for wait in NO_LIMIT_WAITS.into_iter().chain(SHORT_WAITS) {
        assert!(stream.recv_timeout(wait).is_none(), "an event after Finished");
    }
    assert!(stream.finish().expect("finish after the end").is_empty());
    // The feed's chunk sizes and paces.
    for (name, chunk, pace, want) in feed_rows() {
        let mut stream = client.realtime().connect(pcm_config()).expect("a stream");
        match (stream.send_reader(&audio[..], chunk, pace), want) {
            (Err(e), Refused(part)) => {
                let Error::InvalidArgument(m) = e else {
                    panic!("{name}: {e:?}")
                };
                assert!(m.contains(part), "{name}: {m}");
                assert_eq!(stream.stats().audio_bytes_queued, 0, "{name}: audio was sent");
            }
            (sent, want) => check_session(&name, want, sent.map(drop), stream.finish()),
        }
    }
}

#[cfg(feature = "async")]
#[test]
fn async_realtime_options_take_extreme_values() {
    use soniox::nonblocking::Client;
    let mock = extremes_mock();
    let client = base_builder::<Client>(&mock).build().expect("builds");
    let audio = pcm();
    async_std::task::block_on(async {
        for r in realtime_rows() {
            let sessions = mock.stats().ws_sessions;
            let realtime = client
                .realtime()
                .finish_timeout(r.finish_timeout)
                .queue_capacity(r.queue_capacity);
            match (realtime.connect(r.config).await, r.want) {
                (Err(e), Refused(part)) => {
                    check_refused(&r.name, e, part, &mock, mock.stats().requests);
                    assert_eq!(mock.stats().ws_sessions, sessions, "{}: a session opened", r.name);
                }
                (Err(e), want) => panic!("{}: refused with {e:?}, wanted {want:?}", r.name),
                (Ok(_), Refused(part)) => panic!("{}: accepted, wanted a refusal ({part:?})", r.name),
                (Ok(mut stream), want) => {
                    let sent = stream.send_audio(&audio).await;
                    let events = stream.finish().await;
                    check_session(&r.name, want, sent, events);
                }
            }
        }
        let mut stream = client
            .realtime()
            .finish_timeout(Duration::MAX)
            .connect(pcm_config())
            .await
            .expect("a stream");
        for wait in SHORT_WAITS {
            match stream.recv_timeout(wait).await {
                Some(Err(Error::Timeout(_)) | Ok(_)) => {}
                other => panic!("recv_timeout({wait:?}): {other:?}"),
            }
        }
        stream.send_audio(&audio).await.expect("audio sent");
        stream.sender().finish().await.expect("end of audio queued");
        let mut finished = false;
        for i in 0..10_000 {
            match stream.recv_timeout(NO_LIMIT_WAITS[i % NO_LIMIT_WAITS.len()]).await {
                Some(Ok(RealtimeEvent::Finished)) => {
                    finished = true;
                    break;
                }
                Some(Ok(_)) => {}
                other => panic!("recv_timeout(no limit): {other:?}"),
            }
        }
        assert!(finished, "no Finished event");
        for wait in NO_LIMIT_WAITS.into_iter().chain(SHORT_WAITS) {
            assert!(stream.recv_timeout(wait).await.is_none(), "an event after Finished");
        }
        assert!(stream.finish().await.expect("finish after the end").is_empty());
        for (name, chunk, pace, want) in feed_rows() {
            let mut stream = client.realtime().connect(pcm_config()).await.expect("a stream");
            match (stream.send_reader(&audio[..], chunk, pace).await, want) {
                (Err(e), Refused(part)) => {
                    let Error::InvalidArgument(m) = e else {
                        panic!("{name}: {e:?}")
                    };
                    assert!(m.contains(part), "{name}: {m}");
                    assert_eq!(stream.stats().audio_bytes_queued, 0, "{name}: audio was sent");
                }
                (sent, want) => check_session(&name, want, sent.map(drop), stream.finish().await),
            }
        }
    });
}

/// A key given per stream (`connect_with_key`, e.g. a temporary key) is held to the same
/// rule as the client's own: refused before any connection, in both clients.
#[cfg(feature = "async")]
#[test]
fn a_stream_key_with_a_tab_or_non_ascii_is_refused_before_connecting() {
    let mock = MockServer::start();
    let blocking = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .build()
        .unwrap();
    let nonblocking = soniox::nonblocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .build()
        .unwrap();
    for bad in ["temp:\tkey", "temp:clé", ""] {
        let key = soniox::config::ApiKey::new(bad);
        let r = blocking.realtime().connect_with_key(RealtimeConfig::default(), &key);
        assert!(
            matches!(r, Err(soniox::Error::InvalidArgument(_))),
            "{bad:?}: {:?}",
            r.err()
        );
        let r = futures::executor::block_on(nonblocking.realtime().connect_with_key(RealtimeConfig::default(), &key));
        assert!(
            matches!(r, Err(soniox::Error::InvalidArgument(_))),
            "{bad:?}: {:?}",
            r.err()
        );
    }
    let s = mock.stats();
    assert_eq!(
        (s.connections_accepted, s.ws_sessions),
        (0, 0),
        "nothing reached the mock"
    );
}

/// Text-to-speech with every extreme a `Speech` setter accepts: refused before any request
/// (`InvalidArgument`), or sent and answered by the service's refusal (`Error::Api` 400);
/// never a panic, never audio. A writer that refuses the audio ends the call with a
/// transport error naming it, after one request (no retry once audio was handed on).
#[test]
fn speech_extremes_are_refused_or_answered_never_a_panic() {
    use soniox::types::{Speech, TtsFormat};
    let mock = MockServer::start();
    let client = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .tts_api_url(mock.tts_url())
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let hi = || Speech::new("Hi", "Adrian");
    let refused_here = [
        Speech::new("", "Adrian"),
        Speech::new(" \n\t", "Adrian"),
        Speech::new("x".repeat(5001), "Adrian"),
        Speech::new("é".repeat(5001), "Adrian"),
        Speech::new("Hi", ""),
        Speech::new("Hi", "Adr\u{7}ian"),
        hi().model("m".repeat(51)),
        hi().language(""),
        hi().speed(f64::NAN),
        hi().speed(f64::INFINITY),
        hi().speed(-1.0),
        hi().speed(0.69),
        hi().client_reference_id("r".repeat(257)),
    ];
    for speech in &refused_here {
        let e = client.tts().generate(speech).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{speech:?}: {e:?}");
    }
    assert_eq!(mock.stats().requests, 0, "a refused speech sent a request");
    let answered = [
        hi().sample_rate(0),
        hi().sample_rate(u32::MAX),
        hi().format(TtsFormat::PcmMulaw).sample_rate(48_000),
        hi().format(TtsFormat::Mp3).bitrate(u32::MAX),
        hi().model("tts-rt-v1").reduce_silence(true),
        hi().language("xx"),
        Speech::new("é".repeat(5000), "Nobody"),
    ];
    for speech in &answered {
        let e = client.tts().generate(speech).unwrap_err();
        assert!(matches!(e, Error::Api(ref a) if a.status == 400), "{speech:?}: {e:?}");
    }
    assert_eq!(mock.stats().route("POST /tts"), answered.len() as u64);
    // A writer that refuses the audio.
    struct Refuses;
    impl std::io::Write for Refuses {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("the disk is full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let e = client.tts().generate_to(&hi(), &mut Refuses).unwrap_err();
    assert!(
        matches!(e, Error::Transport(ref t) if t.context.ends_with("writing the audio") && t.maybe_processed),
        "{e:?}"
    );
    assert_eq!(mock.stats().route("POST /tts"), answered.len() as u64 + 1);
}
