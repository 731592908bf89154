//! Text-to-speech over REST (`POST /tts` on the mock's text-to-speech port) through both
//! clients, each scenario written once against the parity harness's `Sdk`: the audio of
//! every format, an error in the trailers after audio (an error, never a short success, and
//! not retried), a refusal before any audio (retried when the table says so), the host's
//! error bodies, a cut-short body, checks before any request, and no half file left.
//! The tests are `blocking::<scenario>` and `nonblocking::<scenario>`.

mod common_parity;

use std::time::Duration;

use common_parity::Kind;
use soniox::mock::{Fault, FaultAction, MockServer};
use soniox::types::{Speech, TtsFormat};
use soniox::{Error, RetryPolicy};

per_client!(
    every_format_arrives_whole_and_a_wav_is_a_wav,
    an_error_in_the_trailers_after_audio_is_an_error_and_is_not_retried,
    a_refusal_before_any_audio_is_retried_as_the_table_says,
    the_hosts_error_bodies_become_api_errors,
    a_body_cut_short_is_a_transport_error,
    a_bad_speech_fails_before_any_request,
    a_failed_file_is_removed_and_a_good_one_kept,
    a_response_complete_by_its_length_ends_without_waiting_for_the_connection,
);

const TEXT: &str = "Hello from Soniox text-to-speech."; // 33 characters: 1.98 s of audio

fn posts(mock: &MockServer) -> u64 {
    mock.stats().route("POST /tts")
}

fn every_format_arrives_whole_and_a_wav_is_a_wav(kind: Kind) {
    let mock = MockServer::start();
    let sdk = kind.for_mock(&mock);
    let (wav, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    assert_eq!(r.unwrap(), wav.len() as u64);
    // 24 kHz 16-bit mono (the default rate), 60 ms a character.
    let info = soniox::audio::parse_wav_header(&wav).expect("a WAV");
    assert_eq!(
        (info.spec.sample_rate, info.data_len),
        (24_000, 24_000 * 1980 / 1000 * 2)
    );
    assert_eq!(wav.len() as u64, 44 + info.data_len);
    let sizes: Vec<(TtsFormat, usize)> = TtsFormat::ALL
        .into_iter()
        .map(|f| {
            let (audio, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Maya").format(f)));
            assert_eq!(r.unwrap(), audio.len() as u64, "{f:?}");
            (f, audio.len())
        })
        .collect();
    let size = |f| sizes.iter().find(|(g, _)| *g == f).unwrap().1;
    assert_eq!(size(TtsFormat::PcmS16le) * 2, size(TtsFormat::PcmF32le));
    assert_eq!(size(TtsFormat::PcmMulaw), 8_000 * 1980 / 1000);
    assert_eq!(posts(&mock), 10);
}

fn an_error_in_the_trailers_after_audio_is_an_error_and_is_not_retried(kind: Kind) {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::TtsErrorAfter {
            bytes: 20_000,
            code: 503,
        })
        .on("POST", "/tts")
        .times(1),
    );
    let sdk = kind.for_mock(&mock);
    let (audio, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    let Err(Error::Api(e)) = r else { panic!("{r:?}") };
    assert_eq!((e.status, e.error_type.as_str()), (503, "service_unavailable"));
    assert!(e.message.contains("after 20000 bytes of audio"), "{}", e.message);
    // The audio before the error reached the writer, and the call was not repeated
    // (a retry would have written the audio twice).
    assert_eq!((audio.len(), posts(&mock)), (20_000, 1));
}

fn a_refusal_before_any_audio_is_retried_as_the_table_says(kind: Kind) {
    let mock = MockServer::start();
    let refusal = FaultAction::Status {
        status: 503,
        retry_after: Some("0".into()),
    };
    mock.add_fault(Fault::new(refusal).on("POST", "/tts").times(2));
    let sdk = kind.client(
        &mock,
        Duration::from_secs(10),
        RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)),
    );
    let (audio, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    assert_eq!(r.unwrap(), audio.len() as u64);
    assert_eq!(posts(&mock), 3);
    // A 500 is not retried for a POST.
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 500,
            retry_after: None,
        })
        .on("POST", "/tts")
        .times(1),
    );
    let (_, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    assert_eq!(r.unwrap_err().status(), Some(500));
    assert_eq!(posts(&mock), 4);
}

fn the_hosts_error_bodies_become_api_errors(kind: Kind) {
    let mock = MockServer::start();
    let sdk = kind.for_mock(&mock);
    let (_, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Nobody")));
    let Err(Error::Api(e)) = r else { panic!("{r:?}") };
    assert_eq!((e.status, e.error_type.as_str()), (400, "invalid_request"));
    assert_eq!(e.message, "Invalid voice 'Nobody' for model 'tts-rt-v2'.");
    assert!(e.request_id.is_some() && e.more_info.is_some());
    let (_, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian").model("tts-rt-v9")));
    let e = r.unwrap_err();
    assert!(e.to_string().contains("model_not_available"), "{e}");
    let wrong = sdk.with_key(&mock, "wrong-key");
    let (_, r) = kind.run(wrong.speak(&Speech::new(TEXT, "Adrian")));
    assert_eq!(r.unwrap_err().status(), Some(401));
}

fn a_body_cut_short_is_a_transport_error(kind: Kind) {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::TruncatedBody).on("POST", "/tts").times(1));
    let sdk = kind.for_mock(&mock);
    let (audio, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    assert!(matches!(r, Err(Error::Transport(ref t)) if t.maybe_processed), "{r:?}");
    assert!(!audio.is_empty());
    assert_eq!(posts(&mock), 1);
}

fn a_bad_speech_fails_before_any_request(kind: Kind) {
    let mock = MockServer::start();
    let sdk = kind.for_mock(&mock);
    for bad in [
        Speech::new("", "Adrian"),
        Speech::new("x".repeat(5001), "Adrian"),
        Speech::new(TEXT, "Adrian").speed(2.0),
    ] {
        let (audio, r) = kind.run(sdk.speak(&bad));
        assert!(matches!(r, Err(Error::InvalidArgument(_))) && audio.is_empty(), "{r:?}");
    }
    assert_eq!(mock.stats().requests, 0);
}

fn a_failed_file_is_removed_and_a_good_one_kept(kind: Kind) {
    let mock = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sdk = kind.for_mock(&mock);
    let good = dir.path().join("good.wav");
    let n = kind
        .run(sdk.speak_to_file(&Speech::new(TEXT, "Adrian"), &good))
        .unwrap();
    assert_eq!(std::fs::metadata(&good).unwrap().len(), n);
    mock.add_fault(
        Fault::new(FaultAction::TtsErrorAfter {
            bytes: 1_000,
            code: 500,
        })
        .on("POST", "/tts")
        .times(2),
    );
    let bad = dir.path().join("bad.wav");
    let e = kind
        .run(sdk.speak_to_file(&Speech::new(TEXT, "Adrian"), &bad))
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(!bad.exists(), "a half file was left behind");
    // An existing file is replaced only by a whole new one: after a failure it is as it was.
    let e = kind
        .run(sdk.speak_to_file(&Speech::new("Other words.", "Maya"), &good))
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(std::fs::metadata(&good).unwrap().len(), n);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["good.wav"], "no partial file is left");
}

fn a_response_complete_by_its_length_ends_without_waiting_for_the_connection(kind: Kind) {
    // A server (not the mock) that answers with Content-Length and keeps the connection
    // open: the call must end with the last byte, not when the connection closes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut conn, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let len: usize = String::from_utf8_lossy(&head)
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: ").map(|v| v.trim().parse().unwrap()))
            .unwrap();
        let mut body = vec![0u8; len];
        conn.read_exact(&mut body).unwrap();
        conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nAUDIO")
            .unwrap();
        // Held open until the client is done (it then closes its end).
        let mut rest = Vec::new();
        let _ = conn.read_to_end(&mut rest);
    });
    let mock = MockServer::start();
    let sdk = kind.client_tts_at(&mock, &url, Duration::from_secs(5));
    let (audio, r) = kind.run(sdk.speak(&Speech::new(TEXT, "Adrian")));
    assert_eq!((r.unwrap(), audio.as_slice()), (5, &b"AUDIO"[..]));
    drop(sdk);
    server.join().unwrap();
}

/// Over TLS: the mock's text-to-speech port speaks https with the mock's CA, and both
/// clients trust it through the one rustls config they use for REST and realtime.
#[test]
fn both_clients_speak_over_tls_trusting_the_mocks_ca() {
    let mock = MockServer::start_tls();
    assert!(mock.tts_url().starts_with("https://"));
    let speech = Speech::new(TEXT, "Adrian")
        .format(TtsFormat::PcmS16le)
        .sample_rate(16_000);
    #[cfg(feature = "blocking")]
    {
        let client = soniox::blocking::Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .tts_api_url(mock.tts_url())
            .add_root_certificates_pem(mock.ca_pem())
            .build()
            .unwrap();
        assert_eq!(client.tts().generate(&speech).unwrap().len(), 16_000 * 1980 / 1000 * 2);
    }
    #[cfg(feature = "async")]
    {
        let client = soniox::nonblocking::Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .tts_api_url(mock.tts_url())
            .add_root_certificates_pem(mock.ca_pem())
            .build()
            .unwrap();
        let audio = async_std::task::block_on(client.tts().generate(&speech)).unwrap();
        assert_eq!(audio.len(), 16_000 * 1980 / 1000 * 2);
    }
    assert!(mock.stats().tls_handshakes >= 2);
    // A client that does not trust the CA is refused before any audio.
    #[cfg(feature = "blocking")]
    {
        let stranger = soniox::blocking::Client::builder()
            .api_key(mock.api_key())
            .tts_api_url(mock.tts_url())
            .build()
            .unwrap();
        let e = stranger.tts().generate(&speech).unwrap_err();
        // Refused in the handshake, before the request: nothing may have been processed.
        assert!(
            matches!(e, Error::Transport(ref t) if t.is_certificate_error() && !t.maybe_processed),
            "{e:?}"
        );
    }
}

/// Through a `CONNECT` proxy: both clients tunnel `POST /tts` to the text-to-speech port.
#[test]
fn both_clients_speak_through_a_connect_proxy() {
    let mock = MockServer::start();
    let proxy = soniox::mock::ConnectProxy::start();
    let speech = Speech::new("Hi", "Adrian").format(TtsFormat::PcmS16le);
    #[cfg(feature = "blocking")]
    {
        let client = soniox::blocking::Client::builder()
            .api_key(mock.api_key())
            .tts_api_url(mock.tts_url())
            .proxy(proxy.url())
            .build()
            .unwrap();
        assert_eq!(client.tts().generate(&speech).unwrap().len(), 24_000 * 120 / 1000 * 2);
    }
    #[cfg(feature = "async")]
    {
        let client = soniox::nonblocking::Client::builder()
            .api_key(mock.api_key())
            .tts_api_url(mock.tts_url())
            .proxy(proxy.url())
            .build()
            .unwrap();
        let audio = async_std::task::block_on(client.tts().generate(&speech)).unwrap();
        assert_eq!(audio.len(), 24_000 * 120 / 1000 * 2);
    }
    let port = mock.tts_url().rsplit(':').next().unwrap().to_owned();
    let connects = proxy.connects();
    assert!(
        !connects.is_empty() && connects.iter().all(|c| c.target.ends_with(&format!(":{port}"))),
        "{connects:?}"
    );
    assert_eq!(mock.stats().route("POST /tts"), connects.len() as u64);
}

/// The mock's text-to-speech port as a raw HTTP/1.1 client sees it: two pipelined
/// requests get two answers in order, and a request it cannot take gets an answer (the
/// host's error body), never a silent close.
#[test]
fn the_mock_tts_port_answers_pipelined_and_unreadable_requests() {
    use std::io::{Read, Write};
    let mock = MockServer::start();
    let addr = mock.tts_url().trim_start_matches("http://").to_owned();
    let body = r#"{"model":"tts-rt-v2","language":"en","voice":"Adrian","audio_format":"pcm_s16le","text":"Hi"}"#;
    let request = |close: bool| {
        format!(
            "POST /tts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n{}\r\n{body}",
            mock.api_key(),
            body.len(),
            if close { "Connection: close\r\n" } else { "" }
        )
    };
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    conn.write_all(format!("{}{}", request(false), request(true)).as_bytes())
        .unwrap();
    let mut all = Vec::new();
    conn.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(mock.stats().route("POST /tts"), 2);
    for (head, status) in [
        (
            "POST /tts HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "411",
        ),
        ("POST /tts HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", "413"),
        ("POST /tts HTTP/1.1\r\nContent-Length: ten\r\n\r\n", "400"),
        ("NOT HTTP AT ALL\r\n\r\n", "400"),
    ] {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        conn.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{head:?}: {answer}");
        assert!(answer.contains(r#""error_code":"#), "{answer}");
    }
}

/// A temporary key minted for `tts_rt` speaks (REST text-to-speech accepts it, §1.2); one
/// minted for the speech-to-text WebSocket does not.
#[cfg(feature = "blocking")]
#[test]
fn a_tts_rt_temporary_key_speaks_and_a_transcribe_websocket_one_does_not() {
    use soniox::types::{TemporaryKey, UsageType};
    let mock = MockServer::start();
    let main = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let speech = Speech::new("Hi", "Adrian");
    for (usage, ok) in [(UsageType::TtsRt, true), (UsageType::TranscribeWebsocket, false)] {
        let temp = main.auth().temporary_api_key(TemporaryKey::new(usage, 60)).unwrap();
        let client = soniox::blocking::Client::builder()
            .api_key(temp.api_key.expose())
            .tts_api_url(mock.tts_url())
            .build()
            .unwrap();
        let r = client.tts().generate(&speech);
        assert_eq!(r.is_ok(), ok, "{usage:?}: {r:?}");
        if !ok {
            assert_eq!(r.unwrap_err().status(), Some(401));
        }
    }
}
