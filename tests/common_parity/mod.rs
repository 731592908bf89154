//! The parity harness: one [`Sdk`] trait with an operation per endpoint, implemented once
//! over the blocking client and once over the async one. A scenario is written once,
//! against `&dyn Sdk`, and runs through both: the table in `parity.rs`, and the chaos
//! scenarios of `chaos.rs` here (included by `chaos_blocking.rs` and `chaos_async.rs`).
//!
//! The adapters are deliberately thin: each method is one call of the client's public
//! API (plus collecting a paginated listing, or the few calls of a realtime session), so a
//! difference between the clients shows up in the scenario's outcome, not hidden in here.
//! Each client's half builds with its feature alone (the chaos tests need only theirs).
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
#[cfg(feature = "blocking")]
use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use futures::future::LocalBoxFuture;
#[cfg(feature = "async")]
use futures::TryStreamExt;
use soniox::config::{ConfigBuilder, FromConfig};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::MockServer;
use soniox::types::Counts;
use soniox::types::{
    CreateTranscription, File, Model, Page, RealtimeConfig, SharedVoice, SharedVoiceQuery, Speech, TemporaryApiKey,
    TemporaryKey, Transcribe, Transcribed, Transcript, Transcription, TtsModel,
};
use soniox::{ApiKey, Result, RetryPolicy, WaitOptions};

/// One `#[test]` per scenario and client: `per_client!(a, b)` writes `blocking::a`,
/// `blocking::b`, `nonblocking::a`, `nonblocking::b`, each calling `a(Kind::Blocking)` (or
/// `Kind::Async`) from the including file, each module under its client's feature.
#[macro_export]
macro_rules! per_client {
    ($($scenario:ident),* $(,)?) => {
        #[cfg(feature = "blocking")]
        mod blocking {
            $(
                #[test]
                fn $scenario() {
                    super::$scenario($crate::common_parity::Kind::Blocking)
                }
            )*
        }
        #[cfg(feature = "async")]
        mod nonblocking {
            $(
                #[test]
                fn $scenario() {
                    super::$scenario($crate::common_parity::Kind::Async)
                }
            )*
        }
    };
}

/// A boxed future of a client call.
pub type Fut<'a, T> = LocalBoxFuture<'a, Result<T>>;

/// What a realtime session produced: every event in order, and the final text.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub events: Vec<RealtimeEvent>,
    pub final_text: String,
}

/// The audio side of a realtime session.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub audio: &'a [u8],
    pub chunk: usize,
    pub finalize_after: Option<usize>,
}

/// How a realtime session that may break ended: `finish`'s result, and `close`'s when the
/// stream was closed rather than dropped.
#[derive(Debug)]
pub struct Ending {
    pub finished: Result<Vec<RealtimeEvent>>,
    pub closed: Option<Result<()>>,
}

/// One client, seen through the operations the scenarios use.
pub trait Sdk {
    /// `"blocking"` or `"async"`.
    fn name(&self) -> &'static str;
    /// The same client with another API key.
    fn with_key(&self, mock: &MockServer, key: &str) -> Box<dyn Sdk>;
    /// The same client (its connections and settings shared), to move to another thread.
    fn handle(&self) -> Box<dyn Sdk + Send>;

    fn models(&self) -> Fut<'_, Vec<Model>>;
    fn temporary_key(&self, req: TemporaryKey) -> Fut<'_, TemporaryApiKey>;
    fn tts_models(&self) -> Fut<'_, Vec<TtsModel>>;
    fn shared_voices_page(&self, query: SharedVoiceQuery, limit: Option<u32>) -> Fut<'_, Page<SharedVoice>>;
    fn shared_voices_all(&self, query: SharedVoiceQuery, limit: u32) -> Fut<'_, Vec<SharedVoice>>;
    /// `tts().generate_to()` into a vector: the audio written before the end or the error.
    fn speak<'a>(&'a self, speech: &'a Speech) -> LocalBoxFuture<'a, (Vec<u8>, Result<u64>)>;
    fn speak_to_file<'a>(&'a self, speech: &'a Speech, path: &'a Path) -> Fut<'a, u64>;

    fn upload<'a>(&'a self, path: &'a Path) -> Fut<'a, File>;
    fn upload_bytes<'a>(&'a self, bytes: &'a [u8], filename: &'a str) -> Fut<'a, File>;
    fn file<'a>(&'a self, id: &'a str) -> Fut<'a, File>;
    fn delete_file<'a>(&'a self, id: &'a str) -> Fut<'a, ()>;
    fn files_page(&self, limit: u32) -> Fut<'_, Page<File>>;
    fn files_all(&self, limit: u32) -> Fut<'_, Vec<File>>;
    fn files_count(&self) -> Fut<'_, Counts>;

    fn create(&self, req: CreateTranscription) -> Fut<'_, Transcription>;
    fn job<'a>(&'a self, id: &'a str) -> Fut<'a, Transcription>;
    fn delete_job<'a>(&'a self, id: &'a str) -> Fut<'a, ()>;
    fn jobs_page(&self, limit: u32) -> Fut<'_, Page<Transcription>>;
    fn jobs_all(&self, limit: u32) -> Fut<'_, Vec<Transcription>>;
    fn jobs_count(&self) -> Fut<'_, Counts>;
    fn wait<'a>(&'a self, id: &'a str, opts: WaitOptions) -> Fut<'a, Transcription>;
    fn transcript<'a>(&'a self, id: &'a str) -> Fut<'a, Transcript>;
    fn transcribe(&self, req: Transcribe) -> Fut<'_, Transcribed>;

    /// Connects (with `key`, else the client's), sends `audio` in `chunk`-byte frames,
    /// asks for a finalize after `finalize_after` frames when given, then finishes; every
    /// event comes back through `finish`.
    fn realtime<'a>(&'a self, key: Option<&'a ApiKey>, config: RealtimeConfig, plan: Plan<'a>) -> Fut<'a, Session>;

    /// Connects with `finish_timeout`, sends `audio` as one frame, then finishes and
    /// closes the stream (`close`) or drops it. A failed connect or send is the error;
    /// after that, how the session ended is the [`Ending`].
    fn realtime_ending<'a>(
        &'a self,
        config: RealtimeConfig,
        finish_timeout: Duration,
        audio: &'a [u8],
        close: bool,
    ) -> Fut<'a, Ending>;
}

/// Which client: a scenario written against [`Sdk`] runs once per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    #[cfg(feature = "blocking")]
    Blocking,
    #[cfg(feature = "async")]
    Async,
}

impl Kind {
    /// `"blocking"` or `"async"`, as [`Sdk::name`].
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "blocking")]
            Kind::Blocking => "blocking",
            #[cfg(feature = "async")]
            Kind::Async => "async",
        }
    }

    /// A client of this kind for `mock`, with the parity settings.
    pub fn for_mock(self, mock: &MockServer) -> Box<dyn Sdk> {
        self.client(mock, PARITY_TIMEOUT, parity_retry())
    }

    /// A client of this kind for `mock`, with `timeout` and `retry`.
    pub fn client(self, mock: &MockServer, timeout: Duration, retry: RetryPolicy) -> Box<dyn Sdk> {
        let key = mock.api_key();
        match self {
            #[cfg(feature = "blocking")]
            Kind::Blocking => Box::new(Blocking(build(mock, &key, timeout, retry))),
            #[cfg(feature = "async")]
            Kind::Async => Box::new(Async(build(mock, &key, timeout, retry))),
        }
    }

    /// A client of this kind for `mock`, whose text-to-speech requests go to `tts_url`
    /// instead, with request `timeout`.
    pub fn client_tts_at(self, mock: &MockServer, tts_url: &str, timeout: Duration) -> Box<dyn Sdk> {
        let key = mock.api_key();
        match self {
            #[cfg(feature = "blocking")]
            Kind::Blocking => Box::new(Blocking(
                builder(mock, &key, timeout, parity_retry())
                    .tts_api_url(tts_url)
                    .build()
                    .expect("client builds"),
            )),
            #[cfg(feature = "async")]
            Kind::Async => Box::new(Async(
                builder(mock, &key, timeout, parity_retry())
                    .tts_api_url(tts_url)
                    .build()
                    .expect("client builds"),
            )),
        }
    }

    /// Runs `fut` (calls of a client of this kind) to completion on this thread: the
    /// blocking adapters run inside their futures, so any executor polls them once; the
    /// async client runs under async-std.
    pub fn run<F: Future>(self, fut: F) -> F::Output {
        match self {
            #[cfg(feature = "blocking")]
            Kind::Blocking => futures::executor::block_on(fut),
            #[cfg(feature = "async")]
            Kind::Async => async_std::task::block_on(fut),
        }
    }
}

/// The parity scenarios' request timeout: generous.
const PARITY_TIMEOUT: Duration = Duration::from_secs(10);

/// The parity scenarios' retries: fast and deterministic.
fn parity_retry() -> RetryPolicy {
    RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5))
}

/// A client (either kind) for `mock` with `key`, `timeout` and `retry`, and a generous
/// connect timeout.
fn build<C: FromConfig>(mock: &MockServer, key: &str, timeout: Duration, retry: RetryPolicy) -> C {
    builder(mock, key, timeout, retry).build().expect("client builds")
}

fn builder<C: FromConfig>(mock: &MockServer, key: &str, timeout: Duration, retry: RetryPolicy) -> ConfigBuilder<C> {
    ConfigBuilder::<C>::default()
        .api_key(key)
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .tts_api_url(mock.tts_url())
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .retry(retry)
}

// ---- blocking --------------------------------------------------------------------------

/// The blocking client; each call runs when the future is first polled.
#[cfg(feature = "blocking")]
pub struct Blocking(pub soniox::blocking::Client);

#[cfg(feature = "blocking")]
impl Sdk for Blocking {
    fn name(&self) -> &'static str {
        "blocking"
    }
    fn with_key(&self, mock: &MockServer, key: &str) -> Box<dyn Sdk> {
        Box::new(Blocking(build(mock, key, PARITY_TIMEOUT, parity_retry())))
    }
    fn handle(&self) -> Box<dyn Sdk + Send> {
        Box::new(Blocking(self.0.clone()))
    }
    fn models(&self) -> Fut<'_, Vec<Model>> {
        Box::pin(async move { self.0.models().list() })
    }
    fn temporary_key(&self, req: TemporaryKey) -> Fut<'_, TemporaryApiKey> {
        Box::pin(async move { self.0.auth().temporary_api_key(req) })
    }
    fn tts_models(&self) -> Fut<'_, Vec<TtsModel>> {
        Box::pin(async move { self.0.tts().models() })
    }
    fn shared_voices_page(&self, query: SharedVoiceQuery, limit: Option<u32>) -> Fut<'_, Page<SharedVoice>> {
        Box::pin(async move {
            let list = self.0.voices().list_shared(query);
            match limit {
                Some(l) => list.limit(l).send(),
                None => list.send(),
            }
        })
    }
    fn shared_voices_all(&self, query: SharedVoiceQuery, limit: u32) -> Fut<'_, Vec<SharedVoice>> {
        Box::pin(async move { self.0.voices().list_shared(query).limit(limit).all().collect() })
    }
    fn speak<'a>(&'a self, speech: &'a Speech) -> LocalBoxFuture<'a, (Vec<u8>, Result<u64>)> {
        Box::pin(async move {
            let mut out = Vec::new();
            let r = self.0.tts().generate_to(speech, &mut out);
            (out, r)
        })
    }
    fn speak_to_file<'a>(&'a self, speech: &'a Speech, path: &'a Path) -> Fut<'a, u64> {
        Box::pin(async move { self.0.tts().generate_to_file(speech, path) })
    }
    fn upload<'a>(&'a self, path: &'a Path) -> Fut<'a, File> {
        Box::pin(async move { self.0.files().upload(path) })
    }
    fn upload_bytes<'a>(&'a self, bytes: &'a [u8], filename: &'a str) -> Fut<'a, File> {
        Box::pin(async move {
            self.0
                .files()
                .upload_reader(Cursor::new(bytes), filename, bytes.len() as u64)
        })
    }
    fn file<'a>(&'a self, id: &'a str) -> Fut<'a, File> {
        Box::pin(async move { self.0.files().get(id) })
    }
    fn delete_file<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.0.files().delete(id) })
    }
    fn files_page(&self, limit: u32) -> Fut<'_, Page<File>> {
        Box::pin(async move { self.0.files().list().limit(limit).send() })
    }
    fn files_all(&self, limit: u32) -> Fut<'_, Vec<File>> {
        Box::pin(async move { self.0.files().list().limit(limit).all().collect() })
    }
    fn files_count(&self) -> Fut<'_, Counts> {
        Box::pin(async move { self.0.files().count() })
    }
    fn create(&self, req: CreateTranscription) -> Fut<'_, Transcription> {
        Box::pin(async move { self.0.transcriptions().create(req) })
    }
    fn job<'a>(&'a self, id: &'a str) -> Fut<'a, Transcription> {
        Box::pin(async move { self.0.transcriptions().get(id) })
    }
    fn delete_job<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.0.transcriptions().delete(id) })
    }
    fn jobs_page(&self, limit: u32) -> Fut<'_, Page<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().limit(limit).send() })
    }
    fn jobs_all(&self, limit: u32) -> Fut<'_, Vec<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().limit(limit).all().collect() })
    }
    fn jobs_count(&self) -> Fut<'_, Counts> {
        Box::pin(async move { self.0.transcriptions().count() })
    }
    fn wait<'a>(&'a self, id: &'a str, opts: WaitOptions) -> Fut<'a, Transcription> {
        Box::pin(async move { self.0.transcriptions().wait(id, opts) })
    }
    fn transcript<'a>(&'a self, id: &'a str) -> Fut<'a, Transcript> {
        Box::pin(async move { self.0.transcriptions().transcript(id) })
    }
    fn transcribe(&self, req: Transcribe) -> Fut<'_, Transcribed> {
        Box::pin(async move { self.0.transcribe(req) })
    }
    fn realtime<'a>(&'a self, key: Option<&'a ApiKey>, config: RealtimeConfig, plan: Plan<'a>) -> Fut<'a, Session> {
        Box::pin(async move {
            let realtime = self.0.realtime();
            let mut stream = match key {
                Some(key) => realtime.connect_with_key(config, key)?,
                None => realtime.connect(config)?,
            };
            for (i, frame) in plan.audio.chunks(plan.chunk).enumerate() {
                if plan.finalize_after == Some(i) {
                    stream.finalize()?;
                }
                stream.send_audio(frame)?;
            }
            let events = stream.finish()?;
            let final_text = stream.transcript().final_text().to_owned();
            Ok(Session { events, final_text })
        })
    }
    fn realtime_ending<'a>(
        &'a self,
        config: RealtimeConfig,
        finish_timeout: Duration,
        audio: &'a [u8],
        close: bool,
    ) -> Fut<'a, Ending> {
        Box::pin(async move {
            let mut stream = self.0.realtime().finish_timeout(finish_timeout).connect(config)?;
            stream.send_audio(audio)?;
            let finished = stream.finish();
            let closed = close.then(|| stream.close());
            Ok(Ending { finished, closed })
        })
    }
}

// ---- async -----------------------------------------------------------------------------

/// The async client.
#[cfg(feature = "async")]
pub struct Async(pub soniox::nonblocking::Client);

#[cfg(feature = "async")]
impl Sdk for Async {
    fn name(&self) -> &'static str {
        "async"
    }
    fn with_key(&self, mock: &MockServer, key: &str) -> Box<dyn Sdk> {
        Box::new(Async(build(mock, key, PARITY_TIMEOUT, parity_retry())))
    }
    fn handle(&self) -> Box<dyn Sdk + Send> {
        Box::new(Async(self.0.clone()))
    }
    fn models(&self) -> Fut<'_, Vec<Model>> {
        Box::pin(async move { self.0.models().list().await })
    }
    fn temporary_key(&self, req: TemporaryKey) -> Fut<'_, TemporaryApiKey> {
        Box::pin(async move { self.0.auth().temporary_api_key(req).await })
    }
    fn tts_models(&self) -> Fut<'_, Vec<TtsModel>> {
        Box::pin(async move { self.0.tts().models().await })
    }
    fn shared_voices_page(&self, query: SharedVoiceQuery, limit: Option<u32>) -> Fut<'_, Page<SharedVoice>> {
        Box::pin(async move {
            let list = self.0.voices().list_shared(query);
            match limit {
                Some(l) => list.limit(l).send().await,
                None => list.send().await,
            }
        })
    }
    fn shared_voices_all(&self, query: SharedVoiceQuery, limit: u32) -> Fut<'_, Vec<SharedVoice>> {
        Box::pin(async move {
            self.0
                .voices()
                .list_shared(query)
                .limit(limit)
                .all()
                .try_collect()
                .await
        })
    }
    fn speak<'a>(&'a self, speech: &'a Speech) -> LocalBoxFuture<'a, (Vec<u8>, Result<u64>)> {
        Box::pin(async move {
            let mut out = Vec::new();
            let r = self.0.tts().generate_to(speech, &mut out).await;
            (out, r)
        })
    }
    fn speak_to_file<'a>(&'a self, speech: &'a Speech, path: &'a Path) -> Fut<'a, u64> {
        Box::pin(async move { self.0.tts().generate_to_file(speech, path).await })
    }
    fn upload<'a>(&'a self, path: &'a Path) -> Fut<'a, File> {
        Box::pin(async move { self.0.files().upload(path).await })
    }
    fn upload_bytes<'a>(&'a self, bytes: &'a [u8], filename: &'a str) -> Fut<'a, File> {
        Box::pin(async move {
            self.0
                .files()
                .upload_reader(futures::io::Cursor::new(bytes), filename, bytes.len() as u64)
                .await
        })
    }
    fn file<'a>(&'a self, id: &'a str) -> Fut<'a, File> {
        Box::pin(async move { self.0.files().get(id).await })
    }
    fn delete_file<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.0.files().delete(id).await })
    }
    fn files_page(&self, limit: u32) -> Fut<'_, Page<File>> {
        Box::pin(async move { self.0.files().list().limit(limit).send().await })
    }
    fn files_all(&self, limit: u32) -> Fut<'_, Vec<File>> {
        Box::pin(async move { self.0.files().list().limit(limit).all().try_collect().await })
    }
    fn files_count(&self) -> Fut<'_, Counts> {
        Box::pin(async move { self.0.files().count().await })
    }
    fn create(&self, req: CreateTranscription) -> Fut<'_, Transcription> {
        Box::pin(async move { self.0.transcriptions().create(req).await })
    }
    fn job<'a>(&'a self, id: &'a str) -> Fut<'a, Transcription> {
        Box::pin(async move { self.0.transcriptions().get(id).await })
    }
    fn delete_job<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move { self.0.transcriptions().delete(id).await })
    }
    fn jobs_page(&self, limit: u32) -> Fut<'_, Page<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().limit(limit).send().await })
    }
    fn jobs_all(&self, limit: u32) -> Fut<'_, Vec<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().limit(limit).all().try_collect().await })
    }
    fn jobs_count(&self) -> Fut<'_, Counts> {
        Box::pin(async move { self.0.transcriptions().count().await })
    }
    fn wait<'a>(&'a self, id: &'a str, opts: WaitOptions) -> Fut<'a, Transcription> {
        Box::pin(async move { self.0.transcriptions().wait(id, opts).await })
    }
    fn transcript<'a>(&'a self, id: &'a str) -> Fut<'a, Transcript> {
        Box::pin(async move { self.0.transcriptions().transcript(id).await })
    }
    fn transcribe(&self, req: Transcribe) -> Fut<'_, Transcribed> {
        Box::pin(async move { self.0.transcribe(req).await })
    }
    fn realtime<'a>(&'a self, key: Option<&'a ApiKey>, config: RealtimeConfig, plan: Plan<'a>) -> Fut<'a, Session> {
        Box::pin(async move {
            let realtime = self.0.realtime();
            let mut stream = match key {
                Some(key) => realtime.connect_with_key(config, key).await?,
                None => realtime.connect(config).await?,
            };
            for (i, frame) in plan.audio.chunks(plan.chunk).enumerate() {
                if plan.finalize_after == Some(i) {
                    stream.finalize().await?;
                }
                stream.send_audio(frame).await?;
            }
            let events = stream.finish().await?;
            let final_text = stream.transcript().final_text().to_owned();
            Ok(Session { events, final_text })
        })
    }
    fn realtime_ending<'a>(
        &'a self,
        config: RealtimeConfig,
        finish_timeout: Duration,
        audio: &'a [u8],
        close: bool,
    ) -> Fut<'a, Ending> {
        Box::pin(async move {
            let mut stream = self.0.realtime().finish_timeout(finish_timeout).connect(config).await?;
            stream.send_audio(audio).await?;
            let finished = stream.finish().await;
            let closed = if close { Some(stream.close().await) } else { None };
            Ok(Ending { finished, closed })
        })
    }
}
