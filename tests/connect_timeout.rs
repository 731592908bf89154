//! Connecting, in both clients: a connection that cannot be made within `connect_timeout`
//! is an `Error::Timeout` that names `connect_timeout`, not the request `timeout` (the
//! server accepts TCP and then says nothing, so a TLS handshake can never finish); a TLS
//! handshake cut off by the server is a transport error that knows no request went out.

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use soniox::{Error, RetryPolicy};

const CONNECT: Duration = Duration::from_millis(300);
const TIMEOUT: Duration = Duration::from_secs(20);

/// A listener that accepts up to `n` connections and holds them open, silent, until the
/// test ends (the sender is dropped).
fn silent_server(n: usize) -> (u16, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done, wait) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for _ in 0..n {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => break,
            }
        }
        let _ = wait.recv_timeout(Duration::from_secs(60));
        drop(held);
    });
    (port, done)
}

/// Both clients' settings for the silent server: no retry, a short `connect_timeout` and a
/// long request `timeout`, so which one fired is plain.
fn silent_target<T: soniox::config::FromConfig>(b: soniox::ConfigBuilder<T>, port: u16) -> soniox::ConfigBuilder<T> {
    b.api_key("k")
        .base_url(format!("https://127.0.0.1:{port}"))
        .connect_timeout(CONNECT)
        .timeout(TIMEOUT)
        .retry(RetryPolicy::none())
}

fn assert_connect_timeout(e: Error) {
    match e {
        Error::Timeout(t) => assert_eq!(t.after, CONNECT, "names connect_timeout: {t:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn blocking_reports_the_connect_timeout() {
    let (port, _done) = silent_server(1);
    let client = silent_target(soniox::blocking::Client::builder(), port)
        .build()
        .unwrap();
    assert_connect_timeout(client.models().list().unwrap_err());
}

#[cfg(feature = "async")]
#[test]
fn async_reports_the_connect_timeout() {
    let (port, _done) = silent_server(1);
    let client = silent_target(soniox::nonblocking::Client::builder(), port)
        .build()
        .unwrap();
    assert_connect_timeout(futures::executor::block_on(client.models().list()).unwrap_err());
}

/// A listener that accepts up to `n` connections and closes each at once.
fn closing_server(n: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for _ in 0..n {
            match listener.accept() {
                Ok((s, _)) => drop(s),
                Err(_) => break,
            }
        }
    });
    port
}

fn assert_not_sent(e: Error) {
    match e {
        Error::Transport(t) => assert!(!t.maybe_processed, "no request byte went out: {t:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn create() -> soniox::types::CreateTranscription {
    soniox::types::CreateTranscription::audio_url("https://example.com/a.wav")
}

#[test]
fn blocking_a_handshake_cut_off_is_not_a_sent_post() {
    let port = closing_server(1);
    let client = soniox::blocking::Client::builder()
        .api_key("k")
        .base_url(format!("https://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_not_sent(client.transcriptions().create(create()).unwrap_err());
}

#[cfg(feature = "async")]
#[test]
fn async_a_handshake_cut_off_is_not_a_sent_post() {
    let port = closing_server(1);
    let client = soniox::nonblocking::Client::builder()
        .api_key("k")
        .base_url(format!("https://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_not_sent(futures::executor::block_on(client.transcriptions().create(create())).unwrap_err());
}
