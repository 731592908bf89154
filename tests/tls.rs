//! TLS end to end on loopback: both clients against the mock over https and wss
//! (`MockServer::start_tls`, a CA and a leaf made at start), trusting the mock's CA through
//! `add_root_certificates_pem` / `add_root_certificates_file`: REST, an upload with its
//! transcription, and a realtime session with finalize and finish.
//!
//! And the refusals, each a typed error returned at once (one handshake, never retried,
//! no request reaching the server), for REST and realtime in both clients: the default
//! bundled roots against the mock's private CA, a leaf for another host name, an expired
//! leaf. A bad PEM is `Error::InvalidArgument` from `build()`, before any connection.
//!
//! Time is never asserted: every wait is bounded by the clients' own timeouts or a
//! bounded poll of the mock's counters.

mod common;

use common::{fast_wait, wav};
use std::io::Cursor;
use std::thread;
use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::blocking::{Client, Pace};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, JobTiming, MockConfig, MockServer, MockStats, MockTls};
use soniox::types::{RealtimeConfig, Transcribe};
use soniox::{Config, ConfigBuilder, Error, RetryPolicy, TlsRoots};

const KB: usize = 1024;

/// Words a refused certificate's message must hold, per kind of refusal.
const UNTRUSTED: &str = "does not trust";
const WRONG_HOST: &str = "not valid for this host name";
const EXPIRED: &str = "has expired";

fn tls_mock(tls: MockTls) -> MockServer {
    MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Polls {
                queued: 1,
                processing: 1,
            })
            .tls(tls),
    )
    .expect("TLS mock starts")
}

/// The REST and realtime URLs of `mock`, bounded timeouts, fast retries (which a refused
/// certificate must not use: the tests count handshakes).
fn builder<T: soniox::config::FromConfig>(mock: &MockServer, b: ConfigBuilder<T>) -> ConfigBuilder<T> {
    b.api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

fn trusting(mock: &MockServer) -> Client {
    builder(mock, Client::builder())
        .add_root_certificates_pem(mock.ca_pem())
        .build()
        .expect("client builds")
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

/// Polls the mock's stats until `done` holds (at most 2 000 × 5 ms); returns the last snapshot.
fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    let mut stats = mock.stats();
    for _ in 0..2_000 {
        if done(&stats) {
            break;
        }
        thread::sleep(Duration::from_millis(5));
        stats = mock.stats();
    }
    stats
}

/// Checks that `err` is a refused certificate whose message `says` what was wrong, and
/// that it is not retryable.
fn assert_certificate_error(err: &Error, says: &str) {
    let Error::Transport(t) = err else {
        panic!("expected Error::Transport for a refused certificate, got {err:?}");
    };
    assert!(t.is_certificate_error(), "not flagged as a certificate error: {err:?}");
    assert!(!t.maybe_processed, "{err}");
    assert!(!err.is_retryable(), "a refused certificate is not retryable: {err}");
    let message = err.to_string();
    assert!(message.contains("TLS certificate refused"), "{message}");
    assert!(message.contains(says), "expected {says:?} in {message:?}");
}

/// After refused handshakes: exactly `handshakes` connections, each a failed TLS
/// handshake, and not one request or realtime session.
fn assert_refused_at_the_handshake(mock: &MockServer, handshakes: u64) {
    let s = stats_when(mock, |s| {
        s.open_connections == 0 && s.tls_handshake_failures >= handshakes && s.connections_accepted >= handshakes
    });
    assert_eq!(
        (s.connections_accepted, s.tls_handshake_failures, s.tls_handshakes),
        (handshakes, handshakes, 0),
        "{s:?}"
    );
    assert_eq!((s.requests, s.ws_sessions), (0, 0), "{s:?}");
}

// ---- the mock itself ----------------------------------------------------------------------

#[test]
fn the_tls_mock_serves_https_and_wss_urls_and_its_ca_pem() {
    let mock = MockServer::start_tls();
    assert!(mock.is_tls());
    assert_eq!(mock.base_url(), format!("https://{}", mock.addr()));
    assert_eq!(mock.ws_url(), format!("wss://{}/transcribe-websocket", mock.addr()));
    let pem = mock.ca_pem();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1);
    assert!(!MockServer::start().is_tls());
    // A restart keeps the certificates: clients that trust the CA keep working.
    let restarted = mock.restart().expect("restarts");
    assert_eq!(restarted.ca_pem(), pem);
    assert!(!trusting(&restarted).models().list().unwrap().is_empty());
}

#[test]
fn every_mock_makes_its_own_ca() {
    let (a, b) = (MockServer::start_tls(), MockServer::start_tls());
    assert_ne!(a.ca_pem(), b.ca_pem());
    // Trusting one mock's CA does not make the other trusted.
    let client = builder(&b, Client::builder())
        .add_root_certificates_pem(a.ca_pem())
        .build()
        .unwrap();
    assert_certificate_error(&client.models().list().unwrap_err(), UNTRUSTED);
    assert_refused_at_the_handshake(&b, 1);
}

// ---- blocking client: success ---------------------------------------------------------------

#[test]
fn blocking_rest_upload_and_transcription_over_tls() {
    let (mock, dir) = (tls_mock(MockTls::new()), tempfile::tempdir().unwrap());
    let client = trusting(&mock);
    assert!(client.models().list().unwrap().iter().any(|m| m.id == "stt-async-v5"));
    let done = client
        .transcribe(Transcribe::path(wav(dir.path(), "tls.wav", 2)).wait(fast_wait()))
        .unwrap();
    assert_eq!(done.transcription.audio_duration_ms, Some(2_000));
    assert!(!done.transcript.text.is_empty());
    let s = mock.stats();
    assert_eq!(s.uploads, 1);
    assert_eq!(
        s.upload_bytes,
        std::fs::metadata(dir.path().join("tls.wav")).unwrap().len()
    );
    // Every connection completed a TLS handshake; none failed.
    assert_eq!(s.tls_handshake_failures, 0);
    assert_eq!(s.tls_handshakes, s.connections_accepted);
    assert!(s.tls_handshakes >= 1);
}

#[test]
fn blocking_rest_reuses_its_tls_connection() {
    let mock = MockServer::start_tls();
    let client = trusting(&mock);
    for _ in 0..20 {
        client.models().list().unwrap();
    }
    let s = mock.stats();
    assert_eq!(s.route("GET /v1/models"), 20);
    assert_eq!((s.connections_accepted, s.tls_handshakes), (1, 1), "{s:?}");
}

#[test]
fn blocking_realtime_session_with_finalize_and_finish_over_wss() {
    let mock = MockServer::start_tls();
    let client = trusting(&mock);
    let mut stream = client.realtime().connect(pcm_config()).unwrap();
    stream
        .send_reader(Cursor::new(pcm(3_000)), 4 * KB, Pace::AsFastAsPossible)
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
    assert_eq!(stream.transcript().final_text(), transcript_text(3_000));
    stream.send_audio(&pcm(1_000)).unwrap();
    let events = stream.finish().unwrap();
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(stream.transcript().final_text(), transcript_text(4_000));
    let s = stats_when(&mock, |s| s.ws_finished == 1);
    assert_eq!((s.ws_sessions, s.ws_finalizes, s.ws_finished), (1, 1, 1));
    assert_eq!(s.ws_audio_bytes, pcm(4_000).len() as u64);
    assert_eq!((s.tls_handshakes, s.tls_handshake_failures), (1, 0));
}

#[test]
fn blocking_client_trusts_a_ca_file_and_the_localhost_name() {
    let (mock, dir) = (MockServer::start_tls(), tempfile::tempdir().unwrap());
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, mock.ca_pem()).unwrap();
    // The leaf is for `localhost` too (a DNS name, where 127.0.0.1 is an IP address SAN).
    let port = mock.addr().port();
    let client = builder(&mock, Client::builder())
        .base_url(format!("https://localhost:{port}"))
        .ws_url(format!("wss://localhost:{port}/transcribe-websocket"))
        .add_root_certificates_file(&ca)
        .build()
        .unwrap();
    assert_eq!(client.config().root_certificates().len(), 1);
    client.models().list().unwrap();
    let mut stream = client.realtime().connect(pcm_config()).unwrap();
    stream.send_audio(&pcm(1_000)).unwrap();
    stream.finish().unwrap();
    assert_eq!(stream.transcript().final_text(), transcript_text(1_000));
}

#[test]
fn several_roots_may_be_added_and_the_bundled_ones_stay() {
    let (other, mock) = (MockServer::start_tls(), MockServer::start_tls());
    // Two PEM texts, and one text holding two certificates: all are trusted.
    let both = format!("{}{}", other.ca_pem(), mock.ca_pem());
    let config = builder(&mock, Config::builder())
        .add_root_certificates_pem(other.ca_pem())
        .add_root_certificates_pem(both)
        .build()
        .unwrap();
    assert_eq!(config.root_certificates().len(), 3);
    assert_eq!(config.tls_roots(), TlsRoots::Bundled);
    let client = Client::new(config).unwrap();
    client.models().list().unwrap();
    let client = builder(&other, Client::builder())
        .add_root_certificates_pem(other.ca_pem())
        .tls_roots(TlsRoots::BundledAndOs)
        .build()
        .unwrap();
    client.models().list().unwrap();
}

// ---- blocking client: refusals ---------------------------------------------------------------

#[test]
fn blocking_rest_with_the_default_roots_refuses_the_mocks_private_ca() {
    let mock = MockServer::start_tls();
    let client = builder(&mock, Client::builder()).build().unwrap();
    assert_eq!(client.config().tls_roots(), TlsRoots::Bundled);
    assert_certificate_error(&client.models().list().unwrap_err(), UNTRUSTED);
    assert_refused_at_the_handshake(&mock, 1);
}

#[test]
fn blocking_realtime_with_the_default_roots_refuses_the_mocks_private_ca() {
    let mock = MockServer::start_tls();
    let client = builder(&mock, Client::builder()).build().unwrap();
    let err = client.realtime().connect(pcm_config()).expect_err("refused");
    assert_certificate_error(&err, UNTRUSTED);
    assert_refused_at_the_handshake(&mock, 1);
}

#[test]
fn blocking_client_refuses_a_certificate_for_another_host_name() {
    let mock = tls_mock(MockTls::new().hosts(["wrong.example"]));
    let client = trusting(&mock);
    assert_certificate_error(&client.models().list().unwrap_err(), WRONG_HOST);
    let err = client.realtime().connect(pcm_config()).expect_err("refused");
    assert_certificate_error(&err, WRONG_HOST);
    assert_refused_at_the_handshake(&mock, 2);
}

#[test]
fn blocking_client_refuses_an_expired_certificate() {
    let mock = tls_mock(MockTls::new().expired(true));
    let client = trusting(&mock);
    assert_certificate_error(&client.models().list().unwrap_err(), EXPIRED);
    let err = client.realtime().connect(pcm_config()).expect_err("refused");
    assert_certificate_error(&err, EXPIRED);
    assert_refused_at_the_handshake(&mock, 2);
}

#[test]
fn an_upload_to_an_untrusted_server_sends_nothing_and_is_not_retried() {
    let (mock, dir) = (MockServer::start_tls(), tempfile::tempdir().unwrap());
    let client = builder(&mock, Client::builder()).build().unwrap();
    let err = client.files().upload(wav(dir.path(), "u.wav", 1)).unwrap_err();
    assert_certificate_error(&err, UNTRUSTED);
    assert_refused_at_the_handshake(&mock, 1);
    assert_eq!(mock.stats().request_body_bytes, 0);
}

// ---- configuration ----------------------------------------------------------------------------

fn invalid(b: ConfigBuilder<Config>) -> String {
    match b.build() {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn a_bad_pem_is_refused_by_build_before_any_connection() {
    let b = || Config::builder().api_key("k");
    let m = invalid(b().add_root_certificates_pem("not a PEM at all"));
    assert!(m.contains("no certificate found") && m.contains("PEM #1"), "{m}");
    // A PEM with only a key: no certificate in it.
    let key_only = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBYKkCBNVUDvqMm1jLXh3jiXb5uqCf7gUHn0A8ygVArN\n-----END PRIVATE KEY-----\n";
    assert!(invalid(b().add_root_certificates_pem(key_only)).contains("no certificate found"));
    // A certificate block that is not base64.
    let garbled = "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n";
    assert!(invalid(b().add_root_certificates_pem(garbled)).contains("not a valid PEM"));
    // Base64, but not a certificate.
    let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    assert!(invalid(b().add_root_certificates_pem(not_der)).contains("certificate 1"));
    // The second of two PEMs is named.
    let good = MockServer::start_tls().ca_pem();
    let m = invalid(b().add_root_certificates_pem(&good).add_root_certificates_pem("x"));
    assert!(m.contains("PEM #2"), "{m}");
    // A file that cannot be read is named.
    let m = invalid(b().add_root_certificates_file("/nonexistent/soniox-ca.pem"));
    assert!(m.contains("/nonexistent/soniox-ca.pem"), "{m}");
    // The clients refuse the same way (nothing opened: no mock is even running here).
    assert!(matches!(
        Client::builder().api_key("k").add_root_certificates_pem("nope").build(),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn trust_settings_show_in_debug_and_accessors() {
    let config = Config::builder()
        .api_key("k")
        .tls_roots(TlsRoots::Os)
        .add_root_certificates_pem(MockServer::start_tls().ca_pem())
        .build()
        .unwrap();
    assert_eq!(config.tls_roots(), TlsRoots::Os);
    assert_eq!(config.root_certificates().len(), 1);
    let debug = format!("{config:?}");
    assert!(
        debug.contains("tls_roots: Os") && debug.contains("root_certificates: 1"),
        "{debug}"
    );
    assert_eq!(TlsRoots::default(), TlsRoots::Bundled);
    assert_eq!(
        Config::builder()
            .api_key("k")
            .build()
            .unwrap()
            .root_certificates()
            .len(),
        0
    );
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

    fn trusting(mock: &MockServer) -> Client {
        builder(mock, Client::builder())
            .add_root_certificates_pem(mock.ca_pem())
            .build()
            .expect("client builds")
    }

    #[test]
    fn async_rest_upload_and_transcription_over_tls() {
        let (mock, dir) = (tls_mock(MockTls::new()), tempfile::tempdir().unwrap());
        let path = wav(dir.path(), "tls.wav", 2);
        run(async {
            let client = trusting(&mock);
            for _ in 0..5 {
                assert!(client
                    .models()
                    .list()
                    .await
                    .unwrap()
                    .iter()
                    .any(|m| m.id == "stt-async-v5"));
            }
            let done = client
                .transcribe(Transcribe::path(&path).wait(fast_wait()))
                .await
                .unwrap();
            assert_eq!(done.transcription.audio_duration_ms, Some(2_000));
        });
        let s = mock.stats();
        assert_eq!((s.route("GET /v1/models"), s.uploads), (5, 1));
        assert_eq!(s.upload_bytes, std::fs::metadata(&path).unwrap().len());
        assert_eq!(s.tls_handshake_failures, 0);
        assert_eq!(s.tls_handshakes, s.connections_accepted);
    }

    #[test]
    fn async_realtime_session_with_finalize_and_finish_over_wss() {
        let mock = MockServer::start_tls();
        run(async {
            let client = trusting(&mock);
            let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
            stream
                .send_reader(futures::io::Cursor::new(pcm(3_000)), 4 * KB, Pace::AsFastAsPossible)
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
            assert_eq!(stream.transcript().final_text(), transcript_text(3_000));
            stream.send_audio(&pcm(1_000)).await.unwrap();
            let events = stream.finish().await.unwrap();
            assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
            assert_eq!(stream.transcript().final_text(), transcript_text(4_000));
            assert!(stream.next().await.is_none(), "nothing after Finished");
        });
        let s = stats_when(&mock, |s| s.ws_finished == 1);
        assert_eq!((s.ws_sessions, s.ws_finalizes, s.ws_finished), (1, 1, 1));
        assert_eq!((s.tls_handshakes, s.tls_handshake_failures), (1, 0));
    }

    #[test]
    fn async_client_with_the_default_roots_refuses_the_mocks_private_ca() {
        let mock = MockServer::start_tls();
        run(async {
            let client = builder(&mock, Client::builder()).build().unwrap();
            assert_certificate_error(&client.models().list().await.unwrap_err(), UNTRUSTED);
            let err = client.realtime().connect(pcm_config()).await.expect_err("refused");
            assert_certificate_error(&err, UNTRUSTED);
        });
        assert_refused_at_the_handshake(&mock, 2);
    }

    #[test]
    fn async_client_refuses_a_certificate_for_another_host_name() {
        let mock = tls_mock(MockTls::new().hosts(["wrong.example"]));
        run(async {
            let client = trusting(&mock);
            assert_certificate_error(&client.models().list().await.unwrap_err(), WRONG_HOST);
            let err = client.realtime().connect(pcm_config()).await.expect_err("refused");
            assert_certificate_error(&err, WRONG_HOST);
        });
        assert_refused_at_the_handshake(&mock, 2);
    }

    #[test]
    fn async_client_refuses_an_expired_certificate() {
        let mock = tls_mock(MockTls::new().expired(true));
        run(async {
            let client = trusting(&mock);
            assert_certificate_error(&client.models().list().await.unwrap_err(), EXPIRED);
            let err = client.realtime().connect(pcm_config()).await.expect_err("refused");
            assert_certificate_error(&err, EXPIRED);
        });
        assert_refused_at_the_handshake(&mock, 2);
    }

    #[test]
    fn async_client_trusts_a_ca_file_under_another_executor() {
        let (mock, dir) = (MockServer::start_tls(), tempfile::tempdir().unwrap());
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, mock.ca_pem()).unwrap();
        let client = builder(&mock, Client::builder())
            .add_root_certificates_file(&ca)
            .build()
            .unwrap();
        futures::executor::block_on(async {
            client.models().list().await.unwrap();
            let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
            stream.send_audio(&pcm(1_000)).await.unwrap();
            stream.finish().await.unwrap();
            assert_eq!(stream.transcript().final_text(), transcript_text(1_000));
        });
    }
}
