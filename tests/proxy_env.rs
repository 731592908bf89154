//! The proxy variables `Config::from_env` reads: `https_proxy`/`HTTPS_PROXY` for https and
//! wss, `http_proxy`/`HTTP_PROXY` for http and ws (lower case first; upper-case
//! `HTTP_PROXY` ignored under CGI), `no_proxy`/`NO_PROXY`; a value that does not parse is
//! `Error::InvalidArgument` naming the variable, never a silent direct connection. Both
//! clients, REST and realtime, through the mock's CONNECT proxy, counted. One test in its
//! own binary: it sets process environment variables, which no other test may read
//! meanwhile.

use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::mock::{ConnectProxy, MockServer};
use soniox::types::RealtimeConfig;
use soniox::{Config, Error};

const VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
    "SONIOX_CA_FILE",
];

fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

fn clear() {
    for var in VARS {
        std::env::remove_var(var);
    }
}

/// A REST call and a short realtime session with a client from the environment.
fn session_from_env() {
    let client = soniox::blocking::Client::from_env().unwrap();
    client.models().list().unwrap();
    let mut stream = client
        .realtime()
        .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
        .unwrap();
    stream.send_audio(&pcm(500)).unwrap();
    stream.finish().unwrap();
    #[cfg(feature = "async")]
    futures::executor::block_on(async {
        let client = soniox::nonblocking::Client::from_env().unwrap();
        client.models().list().await.unwrap();
        let mut stream = client
            .realtime()
            .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
            .await
            .unwrap();
        stream.send_audio(&pcm(500)).await.unwrap();
        stream.finish().await.unwrap();
    });
}

/// Tunnels a [`session_from_env`] opens: blocking REST and realtime, and async's.
const SESSION_TUNNELS: u64 = if cfg!(feature = "async") { 4 } else { 2 };

#[test]
fn proxy_variables_choose_the_proxy_per_scheme_and_no_proxy_bypasses_it() {
    clear();
    let (plain, tls, dir) = (
        MockServer::start(),
        MockServer::start_tls(),
        tempfile::tempdir().unwrap(),
    );
    let (secure_proxy, plain_proxy) = (ConnectProxy::start(), ConnectProxy::start_with_auth("env", "p@ss"));
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, tls.ca_pem()).unwrap();
    std::env::set_var("SONIOX_API_KEY", plain.api_key());
    std::env::set_var("SONIOX_CA_FILE", &ca);
    // Upper case names a port nothing listens on: lower case wins (set below).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::env::set_var("HTTPS_PROXY", format!("http://127.0.0.1:{closed}"));
    std::env::set_var("https_proxy", secure_proxy.url());
    std::env::set_var("HTTP_PROXY", format!("http://env:p%40ss@{}", plain_proxy.addr()));

    // https and wss go through HTTPS_PROXY's proxy, http and ws through HTTP_PROXY's.
    std::env::set_var("SONIOX_API_BASE_URL", tls.base_url());
    std::env::set_var("SONIOX_WS_URL", tls.ws_url());
    let config = Config::from_env().unwrap();
    let chosen = config
        .proxies()
        .for_target(true, "127.0.0.1", tls.addr().port())
        .unwrap();
    assert_eq!(chosen.port(), secure_proxy.addr().port());
    assert!(!format!("{config:?}").contains("p@ss") && !format!("{config:?}").contains("p%40ss"));
    session_from_env();
    assert_eq!(secure_proxy.stats().tunnels, SESSION_TUNNELS);
    assert_eq!(plain_proxy.stats().connections, 0);
    std::env::set_var("SONIOX_API_BASE_URL", plain.base_url());
    std::env::set_var("SONIOX_WS_URL", plain.ws_url());
    session_from_env();
    assert_eq!(plain_proxy.stats().tunnels, SESSION_TUNNELS);
    assert!(plain_proxy.connects().iter().all(|c| c.authorization));
    assert_eq!(secure_proxy.stats().tunnels, SESSION_TUNNELS);

    // NO_PROXY (and no_proxy, which wins) bypass both proxies.
    std::env::set_var("NO_PROXY", "nothing.example");
    std::env::set_var("no_proxy", "localhost, 127.0.0.1");
    session_from_env();
    assert_eq!(plain_proxy.stats().tunnels, SESSION_TUNNELS);
    std::env::remove_var("no_proxy");
    std::env::set_var("NO_PROXY", "127.0.0.0/8");
    session_from_env();
    assert_eq!(plain_proxy.stats().tunnels, SESSION_TUNNELS);
    std::env::remove_var("NO_PROXY");

    // httpoxy: under CGI, upper-case HTTP_PROXY may come from a request header: ignored.
    std::env::set_var("REQUEST_METHOD", "GET");
    let config = Config::from_env().unwrap();
    assert!(config.proxies().for_target(false, "127.0.0.1", 80).is_none());
    std::env::set_var("http_proxy", plain_proxy.url());
    let config = Config::from_env().unwrap();
    assert!(config.proxies().for_target(false, "127.0.0.1", 80).is_some());
    std::env::remove_var("REQUEST_METHOD");
    std::env::remove_var("http_proxy");

    // Empty values are unset (here: upper case applies); a value that does not parse fails
    // the build, naming the variable and never the credentials.
    std::env::set_var("https_proxy", "");
    let config = Config::from_env().unwrap();
    assert_eq!(
        config.proxies().for_target(true, "h", 1).map(|p| p.port()),
        Some(closed)
    );
    for (var, value, part) in [
        ("https_proxy", "https://u:sekret@proxy.corp:443", "https:// proxies"),
        ("HTTP_PROXY", "socks5://u:sekret@proxy.corp:1080", "socks5://"),
        ("NO_PROXY", "bad entry!", "no-proxy entry"),
    ] {
        let old = std::env::var(var).ok();
        std::env::set_var(var, value);
        match Config::from_env() {
            Err(Error::InvalidArgument(m)) => {
                assert!(m.starts_with(var) && m.contains(part), "{m}");
                assert!(!m.contains("sekret"), "{m}");
            }
            other => panic!("{var}={value}: expected InvalidArgument, got {other:?}"),
        }
        match old {
            Some(old) => std::env::set_var(var, old),
            None => std::env::remove_var(var),
        }
    }

    // The builder reads no variable unless asked; `proxy_from_env` reads them.
    let built = Config::builder().api_key("k").build().unwrap();
    assert!(built.proxies().is_none());
    let asked = Config::builder().api_key("k").proxy_from_env().build().unwrap();
    assert!(!asked.proxies().is_none());
    clear();
}
