//! The API key never appears in `Debug` or `Display` output of anything that holds it, nor
//! in the tracing output of a whole session (REST calls and realtime sessions of both
//! clients, captured at TRACE level); temporary keys are secrets too. Plain `http://` and
//! `ws://` to a non-loopback host are refused unless allowed. Proxy credentials (user and
//! password) never show in `Debug` output or any error, REST or realtime, in both clients.

#[path = "common_chaos/capture.rs"]
mod capture;
mod common;

use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::blocking::Client;
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::types::{CreateTranscription, RealtimeConfig, TemporaryKey};
use soniox::webhook::WebhookAuth;
use soniox::{ApiKey, Config, Error, RetryPolicy};

const KEY: &str = "sk-very-secret-0123456789";

/// Fails if `text` shows `KEY` or any of `more` (each checked whole and by a long prefix).
fn assert_clean(text: &str, more: &[&str]) {
    for secret in std::iter::once(KEY).chain(more.iter().copied()) {
        let prefix = &secret[..secret.len().min(12)];
        assert!(
            !text.contains(secret) && !text.contains(prefix),
            "a secret leaked in: {text}"
        );
    }
}

/// A mock that accepts `KEY`, with jobs that finish after two polls.
fn mock_for_key() -> MockServer {
    MockServer::start_with(MockConfig::default().api_key(KEY).job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    }))
    .expect("mock starts")
}

fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

fn rt_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

#[test]
fn the_key_is_redacted_in_config_builder_client_and_errors() {
    let mock = common::mock();
    let builder = Client::builder().api_key(KEY).base_url(mock.base_url());
    let client = builder.clone().build().unwrap();
    let config = Config::builder().api_key(KEY).build().unwrap();
    // A wrong key: the 401 error must not echo it either.
    let err = client.models().list().unwrap_err();
    let texts = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{config:?}"),
        format!("{}", config.api_key()),
        format!("{:?}", config.api_key()),
        format!("{err}"),
        format!("{err:?}"),
    ];
    for t in &texts {
        assert!(!t.contains(KEY) && !t.contains("very-secret"), "key leaked in: {t}");
    }
    assert_eq!(err.status(), Some(401));
}

#[test]
fn every_public_type_that_holds_a_key_redacts_it_in_debug_and_display() {
    let mock = mock_for_key();
    let client = common::client_with(&mock, |b| b.api_key(KEY).ws_url(mock.ws_url()));
    let temp = client
        .auth()
        .temporary_api_key(TemporaryKey::transcribe_websocket(300))
        .unwrap();
    let temp_key = temp.api_key.expose().to_owned();
    assert!(temp_key.len() > 12, "{}", temp_key.len());
    let secrets = [temp_key.as_str()];

    // Errors with a key in play: the server's 401 for a key it does not know, an API error,
    // a realtime error, a transport error.
    let wrong = common::client_with(&mock, |b| b.api_key(format!("{KEY}-wrong")));
    let unauthorized = wrong.models().list().unwrap_err();
    let Error::Api(api_error) = &unauthorized else {
        panic!("{unauthorized:?}")
    };
    // A wrong realtime key: refused at the upgrade (HTTP 401), and, from a server that
    // reports it in-band, the realtime error after the start message.
    let upgrade_refused = client
        .realtime()
        .connect_with_key(rt_config(), &ApiKey::new(format!("{KEY}-rt")))
        .unwrap_err();
    assert_eq!(upgrade_refused.status(), Some(401));
    let in_band_mock = MockServer::start_with(MockConfig::default().api_key(KEY).ws_refuse_bad_header_key(false))
        .expect("mock starts");
    let in_band = common::client_with(&in_band_mock, |b| b.api_key(KEY).ws_url(in_band_mock.ws_url()));
    let mut refused = in_band
        .realtime()
        .connect_with_key(rt_config(), &ApiKey::new(format!("{KEY}-rt")))
        .unwrap();
    let realtime_error = refused.finish().unwrap_err();
    let dead = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let transport_error = dead.models().list().unwrap_err();

    let mut stream = client.realtime().connect(rt_config()).unwrap();
    let request = soniox::core::auth::build_temporary_key(&TemporaryKey::transcribe_websocket(60)).unwrap();
    let config = client.config().clone();
    let webhook = WebhookAuth::new("X-Soniox-Webhook-Secret", KEY);
    let mut texts = vec![
        format!("{config:?} {config:#?}"),
        format!("{} {:?}", config.api_key(), config.api_key()),
        format!("{client:?} {:?}", client.realtime()),
        format!("{temp:?} {temp:#?} {} {:?}", temp.api_key, temp.api_key),
        format!("{unauthorized} {unauthorized:?} {api_error} {api_error:?}"),
        format!("{realtime_error} {realtime_error:?}"),
        format!("{upgrade_refused} {upgrade_refused:?}"),
        format!("{transport_error} {transport_error:?}"),
        format!("{request:?} {:?}", rt_config()),
        format!("{stream:?}"),
        format!("{refused:?}"),
        format!("{webhook:?}"),
        format!(
            "{:?}",
            CreateTranscription::file_id("f").webhook_auth_header("X-Soniox-Webhook-Secret", KEY)
        ),
    ];
    stream.send_audio(&pcm(500)).unwrap();
    stream.finish().unwrap();
    texts.push(format!("{stream:?}"));

    #[cfg(feature = "async")]
    {
        let aclient = soniox::nonblocking::Client::builder()
            .api_key(KEY)
            .base_url(mock.base_url())
            .ws_url(mock.ws_url())
            .build()
            .unwrap();
        let astream =
            async_std::task::block_on(aclient.realtime().connect_with_key(rt_config(), &temp.api_key)).unwrap();
        texts.push(format!("{aclient:?} {aclient:#?} {:?} {astream:?}", aclient.realtime()));
        let closed = async_std::task::block_on(astream.close());
        texts.push(format!("{closed:?}"));
    }
    for t in &texts {
        assert_clean(t, &secrets);
    }
}

#[test]
fn a_whole_traced_session_never_shows_the_key_or_a_temporary_key() {
    let captured = capture::global();
    let mock = mock_for_key();
    let dir = tempfile::tempdir().unwrap();
    let client = common::client_with(&mock, |b| {
        b.api_key(KEY).ws_url(mock.ws_url()).tts_api_url(mock.tts_url())
    });
    // REST: models, upload, create, wait, transcript, lists, a temporary key, cleanup;
    // text-to-speech, and a refused one (its error).
    client.models().list().unwrap();
    client
        .tts()
        .generate(&soniox::types::Speech::new("Hi", "Adrian"))
        .unwrap();
    client
        .tts()
        .generate(&soniox::types::Speech::new("Hi", "Nobody"))
        .unwrap_err();
    let file = client.files().upload(common::wav(dir.path(), "a.wav", 1)).unwrap();
    let job = client
        .transcriptions()
        .create(CreateTranscription::file_id(&file.id).webhook_auth_header("X-Hook", "hook-value-not-a-key"))
        .unwrap();
    client.transcriptions().wait(&job.id, common::fast_wait()).unwrap();
    client.transcriptions().transcript(&job.id).unwrap();
    client.files().list().send().unwrap();
    let temp = client
        .auth()
        .temporary_api_key(TemporaryKey::transcribe_websocket(300))
        .unwrap();
    client.transcriptions().delete(&job.id).unwrap();
    client.files().delete(&file.id).unwrap();
    // Realtime with the regular key and with the temporary key.
    for key in [client.config().api_key().clone(), temp.api_key.clone()] {
        let mut stream = client.realtime().connect_with_key(rt_config(), &key).unwrap();
        stream.send_audio(&pcm(500)).unwrap();
        stream.finish().unwrap();
    }
    #[cfg(feature = "async")]
    async_std::task::block_on(async {
        let aclient = soniox::nonblocking::Client::builder()
            .api_key(KEY)
            .base_url(mock.base_url())
            .ws_url(mock.ws_url())
            .tts_api_url(mock.tts_url())
            .build()
            .unwrap();
        aclient.models().list().await.unwrap();
        aclient
            .tts()
            .generate(&soniox::types::Speech::new("Hi", "Adrian"))
            .await
            .unwrap();
        aclient
            .auth()
            .temporary_api_key(TemporaryKey::transcribe_websocket(60))
            .await
            .unwrap();
        let mut stream = aclient.realtime().connect(rt_config()).await.unwrap();
        stream.send_audio(&pcm(500)).await.unwrap();
        stream.finish().await.unwrap();
        stream.close().await.unwrap();
    });
    let text = captured.text();
    // The capture did see the session: request spans with their fields.
    assert!(text.contains("soniox.request"), "{text}");
    assert!(text.contains("route=\"/v1/transcriptions\""), "{text}");
    #[cfg(feature = "async")]
    assert!(text.contains("soniox.realtime"), "{text}");
    assert_clean(&text, &[temp.api_key.expose()]);
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_unless_allowed() {
    let refused = |r: soniox::Result<Client>| match r {
        Err(Error::InvalidArgument(m)) => assert_clean(&m, &[]),
        other => panic!("expected InvalidArgument, got {other:?}"),
    };
    refused(
        Client::builder()
            .api_key(KEY)
            .base_url("http://api.example.com")
            .build(),
    );
    refused(
        Client::builder()
            .api_key(KEY)
            .ws_url("ws://stt-rt.example.com/transcribe-websocket")
            .build(),
    );
    for loopback in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"] {
        assert!(
            Client::builder().api_key(KEY).base_url(loopback).build().is_ok(),
            "{loopback}"
        );
    }
    assert!(Client::builder()
        .api_key(KEY)
        .base_url("http://10.0.0.1")
        .ws_url("ws://10.0.0.1/transcribe-websocket")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    #[cfg(feature = "async")]
    assert!(matches!(
        soniox::nonblocking::Client::builder()
            .api_key(KEY)
            .base_url("http://api.example.com")
            .build(),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn proxy_credentials_never_show_in_debug_or_errors() {
    use soniox::mock::ConnectProxy;
    const USER: &str = "proxy-user-0123456789";
    const PASSWORD: &str = "proxy-pass-0123456789";
    let (mock, proxy) = (common::mock(), ConnectProxy::start_with_auth(USER, "the-right-one"));
    let url = format!("http://{USER}:{PASSWORD}@{}", proxy.addr());
    let builder = Client::builder()
        .api_key(KEY)
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .proxy(url.as_str())
        .no_proxy("internal.example");
    let client = builder.clone().build().unwrap();
    let config = Config::builder().api_key(KEY).proxy(url.as_str()).build().unwrap();
    // Refused by the proxy (407), REST and realtime; a proxy that is down; URLs refused by build().
    let refused = client.models().list().unwrap_err();
    assert!(refused.to_string().contains("407"), "{refused}");
    let refused_rt = client.realtime().connect(rt_config()).unwrap_err();
    let down = Client::builder()
        .api_key(KEY)
        .base_url(mock.base_url())
        .proxy(format!("http://{USER}:{PASSWORD}@127.0.0.1:9"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .models()
        .list()
        .unwrap_err();
    let bad: Vec<Error> = [
        format!("https://{USER}:{PASSWORD}@proxy.example:443"),
        format!("socks5://{USER}:{PASSWORD}@proxy.example:1080"),
        format!("http://{USER}:{PASSWORD}@proxy.example:0"),
        format!("http://{USER}:{PASSWORD}%zz@proxy.example"),
    ]
    .into_iter()
    .map(|u| Config::builder().api_key(KEY).proxy(u).build().unwrap_err())
    .collect();
    #[cfg_attr(not(feature = "async"), allow(unused_mut))]
    let mut texts = vec![
        format!("{builder:?}"),
        format!("{client:?} {client:#?}"),
        format!("{config:?} {config:#?} {:?}", config.proxies()),
        format!("{refused} {refused:?} {refused_rt} {refused_rt:?} {down} {down:?}"),
        format!(
            "{bad:?} {}",
            bad.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
        ),
    ];
    #[cfg(feature = "async")]
    {
        let aclient = soniox::nonblocking::Client::builder()
            .api_key(KEY)
            .base_url(mock.base_url())
            .ws_url(mock.ws_url())
            .proxy(url.as_str())
            .build()
            .unwrap();
        let (rest, rt) = async_std::task::block_on(async {
            (
                aclient.models().list().await.unwrap_err(),
                aclient.realtime().connect(rt_config()).await.unwrap_err(),
            )
        });
        texts.push(format!("{aclient:?} {rest} {rest:?} {rt} {rt:?}"));
    }
    for t in &texts {
        assert_clean(t, &[USER, PASSWORD]);
        assert!(!t.contains("0123456789"), "a proxy credential leaked in: {t}");
    }
    assert!(texts[2].contains("***:***@127.0.0.1"), "{}", texts[2]);
    assert_eq!(mock.stats().connections_accepted, 0, "nothing reached the API");
}
