//! The async client needs no particular executor. Its sockets and timers come from async-io's
//! reactor and it spawns no task, so the same scenarios pass under five executors: async-std,
//! smol, `futures::executor::block_on`, tokio current-thread and tokio multi-thread (the rest of
//! the suite runs under async-std).
//!
//! Each scenario is one async fn, run by every executor through [`Executor::block_on`]:
//! - REST round trips: models, an upload, a job waited for, its transcript, `transcribe`, a
//!   retried 503 and a timeout;
//! - 50 concurrent calls joined in one task (and, under tokio multi-thread, 50 more from
//!   `tokio::spawn`ed tasks: spawned by the test, never by the library), with exact success
//!   counts and the mock's connection counts within `max_connections`;
//! - two realtime sessions of a WAV's PCM audio, one sent with `send_audio` and finished with
//!   `finish`, one streamed with `stream_audio` from another future (a `tokio::spawn`ed task
//!   under tokio multi-thread), with the exact transcript and `finished` event;
//! - `Transcribe::path` and `Files::upload` from a path, and under tokio an `upload_reader`
//!   over a `tokio::fs::File` (through `tokio_util::compat`).
//!
//! Every loop is bounded; nothing asserts a wall-clock time.
#![cfg(feature = "async")]

mod common_async;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use common_async::{client, client_with, fast_wait, mock, wav};
use futures::future::join_all;
use futures::StreamExt;
use soniox::audio::{parse_wav_header, WavSpec, WAV_HEADER_LEN};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, Fault, FaultAction, MockServer, MockStats};
use soniox::nonblocking::{stream_audio, Client, Pace, RealtimeStream};
use soniox::types::{Cleanup, CreateTranscription, RealtimeConfig, Transcribe, TranscriptionStatus};
use soniox::{Error, RetryPolicy};

const KB: usize = 1024;

/// The executors the scenarios run under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Executor {
    AsyncStd,
    Smol,
    Futures,
    TokioCurrentThread,
    TokioMultiThread,
}

impl Executor {
    /// Runs `fut` to completion on the calling thread under this executor.
    fn block_on<T>(self, fut: impl Future<Output = T>) -> T {
        match self {
            Executor::AsyncStd => async_std::task::block_on(fut),
            Executor::Smol => smol::block_on(fut),
            Executor::Futures => futures::executor::block_on(fut),
            Executor::TokioCurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio current-thread runtime")
                .block_on(fut),
            Executor::TokioMultiThread => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio multi-thread runtime")
                .block_on(fut),
        }
    }

    fn is_tokio(self) -> bool {
        matches!(self, Executor::TokioCurrentThread | Executor::TokioMultiThread)
    }
}

/// One `#[test]` per executor for each scenario: `scenario::under_smol` and so on.
macro_rules! under_every_executor {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use super::Executor;

            #[test]
            fn under_async_std() {
                super::$scenario(Executor::AsyncStd);
            }

            #[test]
            fn under_smol() {
                super::$scenario(Executor::Smol);
            }

            #[test]
            fn under_the_futures_executor() {
                super::$scenario(Executor::Futures);
            }

            #[test]
            fn under_tokio_current_thread() {
                super::$scenario(Executor::TokioCurrentThread);
            }

            #[test]
            fn under_tokio_multi_thread() {
                super::$scenario(Executor::TokioMultiThread);
            }
        }
    )*};
}

under_every_executor!(
    rest_round_trips,
    fifty_concurrent_calls,
    realtime_sessions,
    path_uploads
);

/// Waits without blocking the thread, under any executor (an async-io timer).
async fn pause(ms: u64) {
    async_std::task::sleep(Duration::from_millis(ms)).await;
}

/// Polls the mock's stats until `done` holds (at most 2000 polls 5 ms apart: a hang guard,
/// never the fact under test); returns the last snapshot.
async fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    let mut stats = mock.stats();
    for _ in 0..2_000 {
        if done(&stats) {
            break;
        }
        pause(5).await;
        stats = mock.stats();
    }
    stats
}

// ---------------------------------------------------------------------------------------------
// REST round trips

fn rest_round_trips(exec: Executor) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    exec.block_on(rest_scenario(client, &mock, dir.path()));
    let s = mock.stats();
    assert_eq!((s.route("POST /v1/files"), s.uploads), (2, 2));
    assert_eq!(s.route("GET /v1/files/count"), 2);
    assert_eq!(s.route("GET /v1/transcriptions/count"), 1);
}

/// Models, an upload, a job waited for, its transcript, a retried 503 and a timeout.
async fn rest_scenario(client: Client, mock: &MockServer, dir: &Path) {
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
    assert_eq!(
        client.transcriptions().transcript(&job.id).await.unwrap().text,
        transcript_text(2_000)
    );

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

// ---------------------------------------------------------------------------------------------
// Concurrency and the connection limit

const CONCURRENT: usize = 50;
const MAX_CONNECTIONS: usize = 8;

fn fifty_concurrent_calls(exec: Executor) {
    let mock = mock();
    // Each answer takes a while, so the calls really overlap and must queue for a connection.
    mock.add_fault(Fault::new(FaultAction::Latency(Duration::from_millis(2))).on("GET", "/v1/models"));
    let client = client_with(&mock, |b| b.max_connections(MAX_CONNECTIONS));
    let (joined, spawned) = exec.block_on(concurrent_scenario(exec, client));

    let spawned_expected = if exec == Executor::TokioMultiThread {
        CONCURRENT
    } else {
        0
    };
    assert_eq!((joined, spawned), (CONCURRENT, spawned_expected));
    let s = mock.stats();
    assert_eq!(s.route("GET /v1/models"), (CONCURRENT + spawned_expected) as u64);
    assert!(
        s.peak_connections <= MAX_CONNECTIONS as u64,
        "peak {} connections",
        s.peak_connections
    );
    assert!(
        s.connections_accepted <= MAX_CONNECTIONS as u64,
        "{} connections opened",
        s.connections_accepted
    );
    assert!(s.peak_connections >= 2, "the joined calls never overlapped");
}

/// 50 calls joined in this task; under tokio multi-thread, 50 more in `tokio::spawn`ed tasks
/// (on the runtime's worker threads). Returns how many of each succeeded with a model list.
async fn concurrent_scenario(exec: Executor, client: Client) -> (usize, usize) {
    let listed = |r: &soniox::Result<Vec<soniox::types::Model>>| r.as_ref().is_ok_and(|m| !m.is_empty());
    let joined = join_all((0..CONCURRENT).map(|_| async { client.models().list().await }))
        .await
        .iter()
        .filter(|r| listed(r))
        .count();
    let mut spawned = 0;
    if exec == Executor::TokioMultiThread {
        let tasks: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let client = client.clone();
                // `tokio::spawn` needs a `Send + 'static` future: the client's futures are `Send`.
                tokio::spawn(async move { client.models().list().await })
            })
            .collect();
        for task in tasks {
            if listed(&task.await.expect("the task did not panic")) {
                spawned += 1;
            }
        }
    }
    (joined, spawned)
}

// ---------------------------------------------------------------------------------------------
// Realtime

/// Audio per session.
const SESSION_MS: u64 = 3_000;
/// Frame size of both sessions.
const CHUNK: usize = 4 * KB;

fn realtime_sessions(exec: Executor) {
    let (mock, dir) = (MockServer::start(), tempfile::tempdir().unwrap());
    let client = client_with(&mock, |b| {
        b.ws_url(mock.ws_url()).connect_timeout(Duration::from_secs(10))
    });
    let pcm = wav_pcm(dir.path());
    let frames = pcm.len().div_ceil(CHUNK) as u64;

    let stats = exec.block_on(async {
        send_audio_then_finish(&client, &pcm).await;
        stream_audio_from_another_future(exec, &client, &pcm).await;
        // Both streams are dropped: the mock closes its side of each session.
        stats_when(&mock, |s| s.ws_finished == 2 && s.ws_open_sessions == 0).await
    });
    assert_eq!((stats.ws_sessions, stats.ws_finished), (2, 2));
    assert_eq!(
        (stats.ws_audio_bytes, stats.ws_audio_frames),
        (2 * pcm.len() as u64, 2 * frames)
    );
    assert_eq!(stats.ws_open_sessions, 0);
}

/// The PCM payload of a freshly written WAV of [`SESSION_MS`] (16 kHz mono 16-bit).
fn wav_pcm(dir: &Path) -> Vec<u8> {
    let bytes = std::fs::read(wav(dir, "realtime.wav", SESSION_MS / 1_000)).unwrap();
    let info = parse_wav_header(&bytes).expect("a WAV header");
    assert_eq!(info.spec, WavSpec::default());
    assert_eq!(info.duration_ms, SESSION_MS);
    let pcm = bytes[WAV_HEADER_LEN as usize..].to_vec();
    assert_eq!(pcm.len() as u64, info.data_len);
    pcm
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// The facts of a session that ended with `finished` after all of `pcm` was sent.
async fn assert_whole_session(stream: &mut RealtimeStream, pcm: &[u8]) {
    let t = stream.transcript();
    assert_eq!(t.final_text(), transcript_text(SESSION_MS));
    assert_eq!(t.non_final_text(), "");
    // `finished` closed the books: all the audio sent is final.
    assert_eq!(
        (t.is_finished(), t.final_audio_proc_ms(), t.total_audio_proc_ms()),
        (true, SESSION_MS, SESSION_MS)
    );
    let ours = stream.stats();
    assert_eq!(
        (ours.audio_bytes_sent, ours.audio_frames_sent),
        (pcm.len() as u64, pcm.len().div_ceil(CHUNK) as u64)
    );
    assert!(stream.is_ended());
    assert!(stream.next().await.is_none(), "nothing after Finished");
}

/// `send_audio` frame by frame, then `finish` (which waits for `finished`).
async fn send_audio_then_finish(client: &Client, pcm: &[u8]) {
    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    for frame in pcm.chunks(CHUNK) {
        stream.send_audio(frame).await.unwrap();
    }
    let events = stream.finish().await.unwrap();
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_whole_session(&mut stream, pcm).await;
}

/// `stream_audio` and the sender's `finish` in one future, the events read in another: both
/// joined in this task, or, under tokio multi-thread, the feeder in a `tokio::spawn`ed task.
async fn stream_audio_from_another_future(exec: Executor, client: &Client, pcm: &[u8]) {
    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    let sender = stream.sender();
    let audio = pcm.to_vec();
    let feeder = async move {
        let sent = stream_audio(&sender, futures::io::Cursor::new(audio), CHUNK, Pace::AsFastAsPossible).await?;
        sender.finish().await?;
        Ok::<_, Error>(sent)
    };
    let reader = async {
        let mut events = Vec::new();
        let mut stream = (&mut stream).take(10_000);
        while let Some(event) = stream.next().await {
            events.push(event.unwrap());
        }
        events
    };
    let (sent, events) = if exec == Executor::TokioMultiThread {
        let feeder = tokio::spawn(feeder);
        let events = reader.await;
        (feeder.await.expect("the feeder did not panic"), events)
    } else {
        futures::join!(feeder, reader)
    };
    assert_eq!(sent.unwrap(), pcm.len() as u64);
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    let results = events.iter().filter(|e| matches!(e, RealtimeEvent::Result(_))).count();
    // One result per audio frame, then the finished message.
    assert_eq!(results, pcm.len().div_ceil(CHUNK) + 1);
    assert_whole_session(&mut stream, pcm).await;
}

// ---------------------------------------------------------------------------------------------
// Uploads from a path (and from a tokio file)

/// Seconds of audio of the uploaded file.
const UPLOAD_SECS: u64 = 3;

fn path_uploads(exec: Executor) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let path = wav(dir.path(), "upload.wav", UPLOAD_SECS);
    let len = std::fs::metadata(&path).unwrap().len();
    exec.block_on(path_scenario(exec, client, &path, len));

    let uploads = if exec.is_tokio() { 3 } else { 2 };
    let s = mock.stats();
    assert_eq!((s.route("POST /v1/files"), s.uploads), (uploads, uploads));
    assert_eq!(s.upload_bytes, uploads * len);
    assert_eq!(s.route("POST /v1/transcriptions"), 1);
    // `Cleanup::All` deleted the job and the file `transcribe` uploaded; the others remain.
    assert_eq!(
        (
            s.route("DELETE /v1/transcriptions/{id}"),
            s.route("DELETE /v1/files/{id}")
        ),
        (1, 1)
    );
    assert!(mock.transcriptions().is_empty());
    assert_eq!(mock.files().len() as u64, uploads - 1);
}

/// `Transcribe::path` (upload, create, wait, fetch, clean up), `Files::upload` from the path,
/// and under tokio `upload_reader` over a `tokio::fs::File`.
async fn path_scenario(exec: Executor, client: Client, path: &Path, len: u64) {
    let done = client
        .transcribe(Transcribe::path(path).wait(fast_wait()).cleanup(Cleanup::All))
        .await
        .unwrap();
    assert_eq!(done.transcription.audio_duration_ms, Some(UPLOAD_SECS * 1_000));
    assert_eq!(done.transcript.text, transcript_text(UPLOAD_SECS * 1_000));
    assert_eq!(done.file.as_ref().map(|f| f.size), Some(len));

    let file = client.files().upload(path).await.unwrap();
    assert_eq!((file.filename.as_str(), file.size), ("upload.wav", len));

    if exec.is_tokio() {
        // A tokio `AsyncRead` is not a futures one: `tokio_util::compat` adapts it.
        use tokio_util::compat::TokioAsyncReadCompatExt;
        let tokio_file = tokio::fs::File::open(path).await.unwrap().compat();
        let file = client
            .files()
            .upload_reader(tokio_file, "from-tokio.wav", len)
            .await
            .unwrap();
        assert_eq!((file.filename.as_str(), file.size), ("from-tokio.wav", len));
    }
}

// ---------------------------------------------------------------------------------------------

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
