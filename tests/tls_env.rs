//! The trust settings read from the environment: `SONIOX_CA_FILE` (extra roots for this
//! SDK, read by `Config::from_env`) and, with `TlsRoots::Os`, `SSL_CERT_FILE` (honoured by
//! rustls-native-certs, which reads the OS store). One test in its own binary: it sets
//! process environment variables, which no other test may read meanwhile.

use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::mock::MockServer;
use soniox::types::RealtimeConfig;
use soniox::{Config, Error, TlsRoots};

fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

#[test]
fn soniox_ca_file_and_os_roots_with_ssl_cert_file_are_honoured() {
    let (mock, dir) = (MockServer::start_tls(), tempfile::tempdir().unwrap());
    let ca = dir.path().join("mock-ca.pem");
    std::fs::write(&ca, mock.ca_pem()).unwrap();
    std::env::set_var("SONIOX_API_KEY", mock.api_key());
    std::env::set_var("SONIOX_API_BASE_URL", mock.base_url());
    std::env::set_var("SONIOX_WS_URL", mock.ws_url());
    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");
    // `from_env` honours proxy variables; the mock is on 127.0.0.1 (tests/proxy_env.rs).
    for var in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        std::env::remove_var(var);
    }

    // Without SONIOX_CA_FILE: the bundled roots only, which refuse the mock's CA.
    std::env::remove_var(soniox::config::CA_FILE_VAR);
    let config = Config::from_env().unwrap();
    assert_eq!(
        (config.root_certificates().len(), config.tls_roots()),
        (0, TlsRoots::Bundled)
    );
    let client = soniox::blocking::Client::new(config).unwrap();
    match client.models().list() {
        Err(Error::Transport(e)) => assert!(e.is_certificate_error(), "{e:?}"),
        other => panic!("expected a refused certificate, got {other:?}"),
    }

    // SONIOX_CA_FILE adds the mock's CA: REST and realtime, both clients.
    std::env::set_var("SONIOX_CA_FILE", &ca);
    let config = Config::from_env().unwrap();
    assert_eq!(config.root_certificates().len(), 1);
    let client = soniox::blocking::Client::from_env().unwrap();
    client.models().list().unwrap();
    let mut stream = client
        .realtime()
        .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
        .unwrap();
    stream.send_audio(&pcm(500)).unwrap();
    stream.finish().unwrap();
    #[cfg(feature = "async")]
    {
        let client = soniox::nonblocking::Client::from_env().unwrap();
        futures::executor::block_on(async { client.models().list().await.unwrap() });
    }

    // An empty value is no file; a missing file is refused by build(), naming it.
    std::env::set_var("SONIOX_CA_FILE", "");
    assert_eq!(Config::from_env().unwrap().root_certificates().len(), 0);
    let missing = dir.path().join("missing.pem");
    std::env::set_var("SONIOX_CA_FILE", &missing);
    match Config::from_env() {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("missing.pem"), "{m}"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    std::env::remove_var("SONIOX_CA_FILE");

    // The OS store, here pointed at the mock's CA by SSL_CERT_FILE: trusted without any
    // added root, for REST and realtime.
    std::env::set_var("SSL_CERT_FILE", &ca);
    let client = soniox::ConfigBuilder::<soniox::blocking::Client>::from_env()
        .unwrap()
        .tls_roots(TlsRoots::Os)
        .build()
        .unwrap();
    client.models().list().unwrap();
    let mut stream = client
        .realtime()
        .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
        .unwrap();
    stream.send_audio(&pcm(500)).unwrap();
    stream.finish().unwrap();
    // An OS store with no usable certificate: the client is not built (no silent fallback).
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    std::env::set_var("SSL_CERT_FILE", &empty);
    match soniox::ConfigBuilder::<soniox::blocking::Client>::from_env()
        .unwrap()
        .tls_roots(TlsRoots::Os)
        .build()
    {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("operating system's trust store"), "{m}"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    std::env::remove_var("SSL_CERT_FILE");

    let mut s = mock.stats();
    for _ in 0..2_000 {
        if s.ws_finished >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        s = mock.stats();
    }
    assert_eq!(
        s.tls_handshake_failures, 1,
        "only the first, untrusting client was refused: {s:?}"
    );
    assert_eq!(s.ws_finished, 2);
}
