//! Proxies end to end on loopback: both clients, REST (with an upload and a transcription)
//! and a realtime session (finalize, finish), through the mock's HTTP `CONNECT` proxy
//! (`soniox::mock::ConnectProxy`) to the plain mock and to the TLS mock (TLS inside the
//! tunnel). Every connection the mock accepted must have come through a tunnel: the proxy's
//! tunnel count equals the mock's connection count, and every `CONNECT` named the mock.
//!
//! And the failures, each a typed `Error::Proxy` with exact counts: a `407` for wrong or
//! missing credentials (one tunnel attempt, never retried, nothing reaching the API), a
//! proxy that is down (refused at connect) or never answers (`Error::Timeout` after
//! `connect_timeout`). `no_proxy`
//! bypasses the proxy (not one connection to it). The `Host` header carries the port on
//! REST and on the WebSocket upgrade, direct and tunnelled. Bad proxy settings are
//! `Error::InvalidArgument` from `build()`, never a panic.
//!
//! Time is never asserted: every wait is bounded by the clients' own timeouts or a
//! bounded poll of a counter.

mod common;

use common::{fast_wait, wav};
use std::io::Cursor;
use std::net::TcpListener;
use std::path::Path;
use std::thread;
use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::blocking::{Client, Pace};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, ConnectProxy, JobTiming, MockConfig, MockServer, MockStats, MockTls, ProxyStats};
use soniox::types::{RealtimeConfig, Transcribe};
use soniox::{Config, ConfigBuilder, Error, ProxyError, RetryPolicy};

const KB: usize = 1024;

fn plain_mock() -> MockServer {
    mock_with(None)
}

fn tls_mock() -> MockServer {
    mock_with(Some(MockTls::new()))
}

fn mock_with(tls: Option<MockTls>) -> MockServer {
    let mut config = MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    });
    if let Some(tls) = tls {
        config = config.tls(tls);
    }
    MockServer::start_with(config).expect("mock starts")
}

/// The mock's URLs and key (and CA, over TLS), bounded timeouts, fast retries (which the
/// failure tests count).
fn builder<T: soniox::config::FromConfig>(mock: &MockServer, b: ConfigBuilder<T>) -> ConfigBuilder<T> {
    let b = b
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)));
    if mock.is_tls() {
        b.add_root_certificates_pem(mock.ca_pem())
    } else {
        b
    }
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// `ms` of 16 kHz mono PCM.
fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * KB, Duration::from_millis(ms))
        .flatten()
        .collect()
}

/// Polls `read` until `done` holds (at most 2 000 × 5 ms); returns the last value.
fn when<T>(read: impl Fn() -> T, done: impl Fn(&T) -> bool) -> T {
    let mut value = read();
    for _ in 0..2_000 {
        if done(&value) {
            break;
        }
        thread::sleep(Duration::from_millis(5));
        value = read();
    }
    value
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// Everything the mock saw came through `proxy`: one tunnel per mock connection (each a
/// TLS handshake on a TLS mock), every `CONNECT` to the mock's own address with its port in
/// `Host`, and every request with `Host: 127.0.0.1:PORT`. Returns the mock's stats.
fn assert_all_tunnelled(mock: &MockServer, proxy: &ConnectProxy) -> MockStats {
    let (s, p) = when(
        || (mock.stats(), proxy.stats()),
        |(s, p)| s.connections_accepted == p.tunnels && s.ws_finished == 1,
    );
    assert!(p.tunnels >= 2, "REST and realtime each open a tunnel: {p:?}");
    assert_eq!(
        p.tunnels, s.connections_accepted,
        "a connection bypassed the proxy: {p:?} {s:?}"
    );
    assert_eq!((p.auth_failures, p.refused), (0, 0), "{p:?}");
    if mock.is_tls() {
        assert_eq!((s.tls_handshakes, s.tls_handshake_failures), (p.tunnels, 0), "{s:?}");
    }
    let target = mock.addr().to_string();
    for c in proxy.connects() {
        assert_eq!(
            (c.target.as_str(), c.host.as_deref(), c.status),
            (target.as_str(), Some(target.as_str()), 200)
        );
    }
    assert_host_headers(mock);
    // The proxy relayed at least what the mock counted of the upload and the audio.
    assert!(p.bytes_to_targets >= s.upload_bytes + s.ws_audio_bytes, "{p:?} {s:?}");
    assert!(p.bytes_to_clients > 0, "{p:?}");
    s
}

/// Every request the mock logged, the realtime upgrade included, came with
/// `Host: 127.0.0.1:PORT` (a non-default port is part of the header).
fn assert_host_headers(mock: &MockServer) {
    let log = mock.request_log();
    assert!(!log.is_empty());
    let want = format!("127.0.0.1:{}", mock.addr().port());
    for r in &log {
        assert_eq!(r.host.as_deref(), Some(want.as_str()), "{} {}", r.method, r.path);
    }
    assert!(
        log.iter().any(|r| r.path == "/transcribe-websocket"),
        "the upgrade is logged too"
    );
}

fn assert_auth_required(err: &Error, with_credentials: bool) -> &ProxyError {
    let Error::Proxy(p) = err else {
        panic!("expected Error::Proxy, got {err:?}");
    };
    assert_eq!(p.status, Some(407), "{err}");
    assert!(p.is_auth_required() && !err.is_retryable(), "{err}");
    assert_eq!(err.status(), None, "a proxy status is not an API status");
    let says = if with_credentials {
        "did not accept the credentials"
    } else {
        "wants credentials"
    };
    assert!(err.to_string().contains(says), "{err}");
    p
}

fn assert_unreachable(err: &Error, port: u16) {
    let Error::Proxy(p) = err else {
        panic!("expected Error::Proxy for a proxy that is down, got {err:?}");
    };
    assert_eq!(p.status, None, "{err}");
    assert_eq!(p.proxy, format!("http://127.0.0.1:{port}"));
    assert!(p.message.contains("could not be reached"), "{err}");
    assert!(err.is_retryable(), "a proxy that is down may come back: {err}");
}

// ---- blocking client ----------------------------------------------------------------------

/// REST (models, an upload, a transcription to its transcript) and a realtime session with
/// finalize and finish, all through `proxy`.
fn blocking_session(client: &Client, dir: &Path) {
    assert!(client.models().list().unwrap().iter().any(|m| m.id == "stt-async-v5"));
    let done = client
        .transcribe(Transcribe::path(wav(dir, "proxied.wav", 1)).wait(fast_wait()))
        .unwrap();
    assert_eq!(done.transcription.audio_duration_ms, Some(1_000));
    let mut stream = client.realtime().connect(pcm_config()).unwrap();
    stream
        .send_reader(Cursor::new(pcm(2_000)), 4 * KB, Pace::AsFastAsPossible)
        .unwrap();
    stream.finalize().unwrap();
    let mut finalized = false;
    for _ in 0..1_000 {
        match stream.recv_timeout(Duration::from_secs(10)) {
            Some(Ok(RealtimeEvent::Finalized)) => {
                finalized = true;
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(finalized, "a Finalized event follows finalize()");
    let events = stream.finish().unwrap();
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(stream.transcript().final_text(), transcript_text(2_000));
}

fn blocking_through_a_proxy(mock: &MockServer) {
    let (proxy, dir) = (
        ConnectProxy::start_with_auth("me", "p@ss:w0rd"),
        tempfile::tempdir().unwrap(),
    );
    let client = builder(mock, Client::builder())
        .proxy(format!("http://me:p%40ss%3Aw0rd@{}", proxy.addr()))
        .build()
        .unwrap();
    blocking_session(&client, dir.path());
    drop(client);
    let s = assert_all_tunnelled(mock, &proxy);
    assert!(proxy.connects().iter().all(|c| c.authorization));
    assert_eq!(
        (s.uploads, s.ws_sessions, s.ws_finalizes, s.ws_finished),
        (1, 1, 1, 1),
        "{s:?}"
    );
    assert_eq!(s.route("GET /v1/models"), 1);
}

#[test]
fn blocking_rest_upload_and_realtime_through_a_proxy() {
    blocking_through_a_proxy(&plain_mock());
}

#[test]
fn blocking_rest_upload_and_realtime_over_tls_through_a_proxy() {
    blocking_through_a_proxy(&tls_mock());
}

#[test]
fn blocking_rest_reuses_its_tunnel() {
    let (mock, proxy) = (tls_mock(), ConnectProxy::start());
    let client = builder(&mock, Client::builder()).proxy(proxy.url()).build().unwrap();
    for _ in 0..10 {
        client.models().list().unwrap();
    }
    assert_eq!(mock.stats().route("GET /v1/models"), 10);
    assert_eq!((proxy.stats().tunnels, mock.stats().tls_handshakes), (1, 1));
}

#[test]
fn blocking_wrong_or_missing_credentials_are_a_407_tried_once() {
    let (mock, proxy) = (tls_mock(), ConnectProxy::start_with_auth("me", "right"));
    let wrong = builder(&mock, Client::builder())
        .proxy(format!("http://me:wrong-sekret@{}", proxy.addr()))
        .build()
        .unwrap();
    // A GET (retried on connection errors) and the realtime upgrade: one CONNECT each.
    let err = wrong.models().list().unwrap_err();
    let p = assert_auth_required(&err, true);
    assert_eq!(p.target, mock.addr().to_string());
    assert!(!format!("{err} {err:?}").contains("wrong-sekret"));
    let err = wrong.realtime().connect(pcm_config()).unwrap_err();
    assert_auth_required(&err, true);
    let missing = builder(&mock, Client::builder()).proxy(proxy.url()).build().unwrap();
    assert_auth_required(&missing.models().list().unwrap_err(), false);
    let stats = proxy.stats();
    assert_eq!(
        (stats.auth_failures, stats.tunnels, stats.connections),
        (3, 0, 3),
        "{stats:?}"
    );
    let auth: Vec<bool> = proxy.connects().iter().map(|c| c.authorization).collect();
    assert_eq!(auth, [true, true, false]);
    assert_eq!(mock.stats().connections_accepted, 0, "nothing reached the API");
}

#[test]
fn blocking_no_proxy_bypasses_the_proxy() {
    let (mock, proxy) = (plain_mock(), ConnectProxy::start());
    for no_proxy in ["127.0.0.1", "127.0.0.0/8", "*", "localhost, 127.0.0.1:1, 127.0.0.1"] {
        let client = builder(&mock, Client::builder())
            .proxy(proxy.url())
            .no_proxy(no_proxy)
            .build()
            .unwrap();
        client.models().list().unwrap();
        let mut stream = client.realtime().connect(pcm_config()).unwrap();
        stream.send_audio(&pcm(500)).unwrap();
        stream.finish().unwrap();
    }
    assert_eq!(proxy.stats(), ProxyStats::default(), "not one connection to the proxy");
    assert_eq!(mock.stats().ws_finished, 4);
    // An entry for another port does not match: through the proxy.
    let client = builder(&mock, Client::builder())
        .proxy(proxy.url())
        .no_proxy("127.0.0.1:1")
        .build()
        .unwrap();
    client.models().list().unwrap();
    assert_eq!(proxy.stats().tunnels, 1);
}

#[test]
fn blocking_proxy_that_is_down_is_a_prompt_connect_error() {
    let (mock, port) = (plain_mock(), closed_port());
    let client = builder(&mock, Client::builder())
        .proxy(format!("http://u:sekret@127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.models().list().unwrap_err();
    let Error::Proxy(p) = &err else { panic!("{err:?}") };
    assert_eq!(p.proxy, format!("http://***:***@127.0.0.1:{port}"));
    assert!(!format!("{err} {err:?}").contains("sekret"));
    let client = builder(&mock, Client::builder())
        .proxy(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_unreachable(&client.models().list().unwrap_err(), port);
    assert_unreachable(&client.realtime().connect(pcm_config()).unwrap_err(), port);
    assert_eq!(mock.stats().connections_accepted, 0);
}

/// A "proxy" that accepts connections (the kernel's backlog) and never answers.
fn silent_proxy() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

const SHORT: Duration = Duration::from_millis(300);

fn assert_connect_timed_out(err: &Error) {
    match err {
        Error::Timeout(t) => assert_eq!(t.after, SHORT, "{err}"),
        other => panic!("expected the connect timeout, got {other:?}"),
    }
}

#[test]
fn blocking_proxy_that_never_answers_is_bounded_by_connect_timeout() {
    let (mock, silent) = (plain_mock(), silent_proxy());
    let client = builder(&mock, Client::builder())
        .proxy(format!("http://{}", silent.local_addr().unwrap()))
        .connect_timeout(SHORT)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_connect_timed_out(&client.models().list().unwrap_err());
    assert_connect_timed_out(&client.realtime().connect(pcm_config()).unwrap_err());
    assert_eq!(mock.stats().connections_accepted, 0);
}

#[test]
fn the_host_header_carries_the_port_without_a_proxy_too() {
    for mock in [plain_mock(), tls_mock()] {
        let client = builder(&mock, Client::builder()).build().unwrap();
        client.models().list().unwrap();
        let mut stream = client.realtime().connect(pcm_config()).unwrap();
        stream.send_audio(&pcm(500)).unwrap();
        stream.finish().unwrap();
        assert_host_headers(&mock);
    }
}

#[test]
fn proxy_settings_are_checked_at_build_and_never_panic() {
    let build = |b: ConfigBuilder<Config>| b.api_key("k").build();
    let refused = |b: ConfigBuilder<Config>, setting: &str, part: &str| match build(b) {
        Err(Error::InvalidArgument(m)) => {
            assert!(
                m.starts_with(setting) && m.contains(part),
                "{setting:?}, {part:?} not in {m:?}"
            );
            assert!(!m.contains("sekret"), "{m}");
            assert!(m.len() < 1024, "a message stays short: {} bytes", m.len());
        }
        other => panic!("expected InvalidArgument with {part:?}, got {other:?}"),
    };
    let huge = "h".repeat(1 << 20);
    for (url, part) in [
        ("https://u:sekret@proxy:3128".to_owned(), "https:// proxies"),
        ("socks5://u:sekret@proxy:1080".to_owned(), "socks5://"),
        ("http://u:sekret@proxy:70000".to_owned(), "bad port"),
        ("http://u:sekret@proxy:0".to_owned(), "bad port"),
        ("http://u:sekret@".to_owned(), "host is missing"),
        ("".to_owned(), "empty"),
        ("  ".to_owned(), "empty"),
        ("http://u:sekret@pro\u{0}xy".to_owned(), "control"),
        ("http://u:sekret@prox\u{e9}".to_owned(), "not a host name"),
        ("http://u:sekret@proxy:1/x".to_owned(), "no path"),
        (format!("http://u:sekret@{huge}"), "not a host name"),
        (format!("http://{huge}:sekret@proxy"), "limited"),
    ] {
        refused(Config::builder().proxy(url), "proxy()", part);
    }
    for (list, part) in [
        ("exa mple", "no-proxy entry"),
        ("10.0.0.0/99", "prefix"),
        ("\u{1}", "no-proxy entry"),
    ] {
        refused(Config::builder().no_proxy(list), "no_proxy()", part);
    }
    refused(Config::builder().no_proxy(huge.clone()), "no_proxy()", "no-proxy entry");
    // Accepted: every shape the docs name, and a no-proxy list alone (no proxy at all).
    for url in [
        "http://p:1",
        "p:3128",
        "HTTP://P",
        "http://[::1]:8080/",
        "http://u@p:1",
        "http://:x@p:1",
    ] {
        assert!(build(Config::builder().proxy(url)).is_ok(), "{url}");
    }
    let c = build(Config::builder().no_proxy(" , *.a.example, .b, c:1, ::1, 10.0.0.0/8, *")).unwrap();
    assert!(c.proxies().is_none() && !c.proxies().no_proxy().is_empty());
    #[cfg(feature = "async")]
    assert!(matches!(
        soniox::nonblocking::Client::builder()
            .api_key("k")
            .proxy("https://proxy:443")
            .build(),
        Err(Error::InvalidArgument(_))
    ));
}

// ---- async client ---------------------------------------------------------------------------

#[cfg(feature = "async")]
mod nonblocking {
    use super::*;
    use futures::StreamExt;
    use soniox::nonblocking::{Client, Pace};

    fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
        async_std::task::block_on(fut)
    }

    async fn session(client: &Client, dir: &Path) {
        assert!(client
            .models()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == "stt-async-v5"));
        let done = client
            .transcribe(Transcribe::path(wav(dir, "proxied.wav", 1)).wait(fast_wait()))
            .await
            .unwrap();
        assert_eq!(done.transcription.audio_duration_ms, Some(1_000));
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        stream
            .send_reader(futures::io::Cursor::new(pcm(2_000)), 4 * KB, Pace::AsFastAsPossible)
            .await
            .unwrap();
        stream.finalize().await.unwrap();
        let mut finalized = false;
        for _ in 0..1_000 {
            match stream.recv_timeout(Duration::from_secs(10)).await {
                Some(Ok(RealtimeEvent::Finalized)) => {
                    finalized = true;
                    break;
                }
                Some(Ok(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(finalized, "a Finalized event follows finalize()");
        let events = stream.finish().await.unwrap();
        assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
        assert_eq!(stream.transcript().final_text(), transcript_text(2_000));
        assert!(stream.next().await.is_none(), "nothing after Finished");
    }

    fn through_a_proxy(mock: &MockServer) {
        let (proxy, dir) = (
            ConnectProxy::start_with_auth("me", "p@ss"),
            tempfile::tempdir().unwrap(),
        );
        run(async {
            let client = builder(mock, Client::builder())
                .proxy(format!("http://me:p%40ss@{}", proxy.addr()))
                .build()
                .unwrap();
            session(&client, dir.path()).await;
        });
        let s = assert_all_tunnelled(mock, &proxy);
        assert_eq!(
            (s.uploads, s.ws_sessions, s.ws_finalizes, s.ws_finished),
            (1, 1, 1, 1),
            "{s:?}"
        );
    }

    #[test]
    fn async_rest_upload_and_realtime_through_a_proxy() {
        through_a_proxy(&plain_mock());
    }

    #[test]
    fn async_rest_upload_and_realtime_over_tls_through_a_proxy() {
        through_a_proxy(&tls_mock());
    }

    #[test]
    fn async_rest_reuses_its_tunnel_under_another_executor() {
        let (mock, proxy) = (tls_mock(), ConnectProxy::start());
        futures::executor::block_on(async {
            let client = builder(&mock, Client::builder()).proxy(proxy.url()).build().unwrap();
            for _ in 0..10 {
                client.models().list().await.unwrap();
            }
        });
        assert_eq!(mock.stats().route("GET /v1/models"), 10);
        assert_eq!((proxy.stats().tunnels, mock.stats().tls_handshakes), (1, 1));
    }

    #[test]
    fn async_wrong_or_missing_credentials_are_a_407_tried_once() {
        let (mock, proxy) = (plain_mock(), ConnectProxy::start_with_auth("me", "right"));
        run(async {
            let wrong = builder(&mock, Client::builder())
                .proxy(format!("http://me:wrong-sekret@{}", proxy.addr()))
                .build()
                .unwrap();
            let err = wrong.models().list().await.unwrap_err();
            assert_auth_required(&err, true);
            assert!(!format!("{err} {err:?}").contains("wrong-sekret"));
            let err = wrong.realtime().connect(pcm_config()).await.unwrap_err();
            assert_auth_required(&err, true);
            let missing = builder(&mock, Client::builder()).proxy(proxy.url()).build().unwrap();
            assert_auth_required(&missing.models().list().await.unwrap_err(), false);
        });
        let stats = proxy.stats();
        assert_eq!(
            (stats.auth_failures, stats.tunnels, stats.connections),
            (3, 0, 3),
            "{stats:?}"
        );
        assert_eq!(mock.stats().connections_accepted, 0, "nothing reached the API");
    }

    #[test]
    fn async_no_proxy_bypasses_the_proxy() {
        let (mock, proxy) = (tls_mock(), ConnectProxy::start());
        run(async {
            let client = builder(&mock, Client::builder())
                .proxy(proxy.url())
                .no_proxy("example.com, 127.0.0.1")
                .build()
                .unwrap();
            client.models().list().await.unwrap();
            let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
            stream.send_audio(&pcm(500)).await.unwrap();
            stream.finish().await.unwrap();
        });
        assert_eq!(proxy.stats(), ProxyStats::default(), "not one connection to the proxy");
        assert_eq!(mock.stats().ws_finished, 1);
    }

    #[test]
    fn async_proxy_that_is_down_is_a_prompt_connect_error() {
        let (mock, port) = (plain_mock(), closed_port());
        run(async {
            let client = builder(&mock, Client::builder())
                .proxy(format!("http://127.0.0.1:{port}"))
                .retry(RetryPolicy::none())
                .connect_timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            assert_unreachable(&client.models().list().await.unwrap_err(), port);
            assert_unreachable(&client.realtime().connect(pcm_config()).await.unwrap_err(), port);
        });
        assert_eq!(mock.stats().connections_accepted, 0);
    }

    #[test]
    fn async_proxy_that_never_answers_is_bounded_by_connect_timeout() {
        let (mock, silent) = (plain_mock(), silent_proxy());
        run(async {
            let client = builder(&mock, Client::builder())
                .proxy(format!("http://{}", silent.local_addr().unwrap()))
                .connect_timeout(SHORT)
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            assert_connect_timed_out(&client.models().list().await.unwrap_err());
            assert_connect_timed_out(&client.realtime().connect(pcm_config()).await.unwrap_err());
        });
        assert_eq!(mock.stats().connections_accepted, 0);
    }

    #[test]
    fn async_host_header_carries_the_port_without_a_proxy_too() {
        for mock in [plain_mock(), tls_mock()] {
            run(async {
                let client = builder(&mock, Client::builder()).build().unwrap();
                client.models().list().await.unwrap();
                let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
                stream.send_audio(&pcm(500)).await.unwrap();
                stream.finish().await.unwrap();
            });
            assert_host_headers(&mock);
        }
    }
}
