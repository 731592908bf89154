//! The async client needs no particular executor: a REST round trip, an upload and a wait
//! under smol and under `futures::executor::block_on` (the rest of the suite runs under
//! async-std).
#![cfg(feature = "async")]

mod common_async;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use common_async::{client, fast_wait, mock, wav};
use soniox::mock::{Fault, FaultAction, MockServer};
use soniox::nonblocking::Client;
use soniox::types::{CreateTranscription, Transcribe, TranscriptionStatus};
use soniox::{Error, RetryPolicy};

/// Models, an upload, a job waited for, its transcript, a retried 503 and a timeout.
async fn scenario(client: Client, mock: &MockServer, dir: &Path) {
    assert!(!client.models().list().await.unwrap().is_empty());

    let path = wav(dir, "exec.wav", 2);
    let file = client.files().upload(&path).await.unwrap();
    assert_eq!(file.size, std::fs::metadata(&path).unwrap().len());
    assert_eq!(client.files().get(&file.id).await.unwrap().id, file.id);

    let job = client
        .transcriptions()
        .create(CreateTranscription::file_id(&file.id))
        .await
        .unwrap();
    let done = client.transcriptions().wait(&job.id, fast_wait()).await.unwrap();
    assert_eq!(done.status, TranscriptionStatus::Completed);
    assert!(!client
        .transcriptions()
        .transcript(&job.id)
        .await
        .unwrap()
        .text
        .is_empty());

    let again = client
        .transcribe(Transcribe::path(&path).wait(fast_wait()))
        .await
        .unwrap();
    assert_eq!(again.transcription.audio_duration_ms, Some(2000));

    // Retry sleeps and time limits need a timer: they work here too.
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 503,
            retry_after: None,
        })
        .on("GET", "/v1/files/count")
        .times(1),
    );
    assert_eq!(client.files().count().await.unwrap().total, 1);
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(5)))
            .on("GET", "/v1/transcriptions/count")
            .times(1),
    );
    let impatient = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = impatient.transcriptions().count().await.unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
}

fn under(block_on: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + '_>>)) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    block_on(Box::pin(scenario(client, &mock, dir.path())));
    let s = mock.stats();
    assert_eq!((s.route("POST /v1/files"), s.uploads), (2, 2));
    assert_eq!(s.route("GET /v1/files/count"), 2);
}

#[test]
fn the_client_works_under_smol() {
    under(|f| smol::block_on(f));
}

#[test]
fn the_client_works_under_the_futures_executor() {
    under(|f| futures::executor::block_on(f));
}

#[test]
fn the_client_works_under_async_std() {
    under(|f| async_std::task::block_on(f));
}

#[test]
fn the_client_is_send_sync_clone_and_every_future_it_returns_is_send() {
    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<Client>();
    fn send<F: Future + Send>(_: F) {}
    // Futures are lazy: building them sends nothing.
    let c = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let reader: &[u8] = b"abc";
    send(c.models().list());
    send(
        c.auth()
            .temporary_api_key(soniox::types::TemporaryKey::transcribe_websocket(60)),
    );
    send(c.files().upload("a.wav"));
    send(c.files().upload_reader(reader, "a.wav", 3));
    send(c.files().list().limit(2).send());
    send(c.files().get("x"));
    send(c.files().delete("x"));
    send(c.files().delete_if_exists("x"));
    send(c.files().count());
    send(
        c.transcriptions()
            .create(CreateTranscription::audio_url("https://x.com/a.mp3")),
    );
    send(c.transcriptions().get("x"));
    send(c.transcriptions().list().send());
    send(c.transcriptions().delete("x"));
    send(c.transcriptions().transcript("x"));
    send(c.transcriptions().count());
    send(c.transcriptions().wait("x", fast_wait()));
    send(c.transcribe(Transcribe::audio_url("https://x.com/a.mp3")));
    fn send_stream<S: futures::Stream + Send + Unpin>(_: S) {}
    send_stream(c.files().list().all());
    send_stream(c.transcriptions().list().all());
}
