//! Parity: ONE table of scenarios, each written once against the [`Sdk`] trait and run
//! through both clients, each against its own fresh mock of the same kind.
//!
//! Every scenario yields an [`Outcome`]: `facts` (normalised: names, counts, statuses,
//! error types, texts, ids as positions) and `raw` (the ids themselves, tokens, request
//! counts). A row passes when
//! - the blocking client's facts equal the row's expected value (so a bug shared by both
//!   clients cannot pass), and
//! - the async client's whole outcome, `raw` included, equals the blocking client's. The
//!   mock's ids come from a seeded generator advanced once per request and per object, so
//!   equal ids also mean both clients sent the same requests in the same order.
#![cfg(all(feature = "async", feature = "blocking"))]

mod common_parity;

use std::fmt::Write as _;
use std::time::Duration;

use common_parity::{Kind, Plan, Sdk};
use futures::future::LocalBoxFuture;
use soniox::audio::{pcm_chunks, write_wav_file, WavSpec};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, Fault, FaultAction, JobTiming, MockConfig, MockServer};
use soniox::types::{CreateTranscription, RealtimeConfig, TemporaryKey, Transcribe};
use soniox::{Error, WaitOptions};
use tempfile::TempDir;

/// A file id no mock ever minted.
const NO_SUCH_ID: &str = "00000000-0000-4000-8000-000000000000";

/// What a scenario produced through one client.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    /// Normalised facts: compared with the row's expected value and across clients.
    facts: String,
    /// Exact values (ids, tokens, request counts): compared across clients only.
    raw: Vec<String>,
}

impl Outcome {
    fn fact(&mut self, line: impl AsRef<str>) {
        if !self.facts.is_empty() {
            self.facts.push_str("; ");
        }
        self.facts.push_str(line.as_ref());
    }
    fn raw(&mut self, value: impl std::fmt::Debug) {
        self.raw.push(format!("{value:?}"));
    }
}

/// What a scenario may use: its mock, a scratch directory and the client under test.
struct Ctx {
    mock: MockServer,
    dir: TempDir,
    sdk: Box<dyn Sdk>,
}

impl Ctx {
    /// A WAV of `secs` seconds in the scratch directory.
    fn wav(&self, name: &str, secs: u64) -> std::path::PathBuf {
        let path = self.dir.path().join(name);
        write_wav_file(&path, WavSpec::default(), Duration::from_secs(secs)).unwrap();
        path
    }
}

type Scenario = for<'a> fn(&'a Ctx) -> LocalBoxFuture<'a, Outcome>;

/// One row of the table.
struct Row {
    name: &'static str,
    mock: fn() -> MockServer,
    run: Scenario,
    expect: fn() -> String,
}

/// Jobs finish after one queued and one processing poll.
fn quick_jobs() -> MockServer {
    MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    }))
    .unwrap()
}

/// Jobs stay processing for a long time.
fn slow_jobs() -> MockServer {
    MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1_000,
    }))
    .unwrap()
}

fn fast_wait() -> WaitOptions {
    WaitOptions::default()
        .interval(Duration::from_millis(2))
        .growth(1.0)
        .timeout(Some(Duration::from_secs(30)))
}

/// An error, normalised: its kind, status and type (never a message or an id).
fn error(e: &Error) -> String {
    match e {
        Error::Api(a) => {
            let fields: Vec<&str> = a.validation_errors.iter().map(|v| v.location.as_str()).collect();
            format!("api {} {} {:?}", a.status, a.error_type, fields)
        }
        Error::Decode(d) => format!("decode {} body kept: {}", d.status, !d.body.is_empty()),
        Error::Realtime(r) => format!("realtime {:?} {}", r.code, r.error_type),
        Error::Timeout(_) => "timeout".to_owned(),
        Error::Transport(_) => "transport".to_owned(),
        Error::InvalidArgument(_) => "invalid argument".to_owned(),
        other => format!("other {other}"),
    }
}

/// The kinds of `events`, runs of `Result` counted: `Result×3 Finalized Result×2 Finished`.
fn kinds(events: &[RealtimeEvent]) -> String {
    let mut out = String::new();
    let mut results = 0;
    for event in events {
        let kind = match event {
            RealtimeEvent::Result(_) => {
                results += 1;
                continue;
            }
            RealtimeEvent::Endpoint => "Endpoint",
            RealtimeEvent::Finalized => "Finalized",
            RealtimeEvent::Finished => "Finished",
            _ => "Other",
        };
        if results > 0 {
            let _ = write!(out, "Result×{results} ");
            results = 0;
        }
        let _ = write!(out, "{kind} ");
    }
    if results > 0 {
        let _ = write!(out, "Result×{results}");
    }
    out.trim_end().to_owned()
}

/// `ms` of 16 kHz mono PCM.
fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

// ---- the scenarios -----------------------------------------------------------------------

fn models_list(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        match cx.sdk.models().await {
            Ok(models) => {
                let find = |id: &str| models.iter().find(|m| m.id == id);
                o.fact(format!("{} models", models.len()));
                for id in ["stt-async-v5", "stt-rt-v5", "stt-rt-v4"] {
                    let m = find(id);
                    o.fact(format!(
                        "{id}: {:?} alias of {:?}",
                        m.and_then(|m| m.transcription_mode.clone()),
                        m.and_then(|m| m.aliased_model_id.clone())
                    ));
                }
                o.raw(models.iter().map(|m| &m.id).collect::<Vec<_>>());
            }
            Err(e) => o.fact(error(&e)),
        }
        o
    })
}

fn temporary_key_opens_a_stream(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let key = match cx.sdk.temporary_key(TemporaryKey::transcribe_websocket(60)).await {
            Ok(k) => k,
            Err(e) => {
                o.fact(error(&e));
                return o;
            }
        };
        o.fact(format!(
            "temp key {}, expires_at set {}",
            key.api_key.expose().starts_with("temp:"),
            !key.expires_at.is_empty()
        ));
        let audio = pcm(1_000);
        let plan = Plan {
            audio: &audio,
            chunk: 3_200,
            finalize_after: None,
        };
        match cx.sdk.realtime(Some(&key.api_key), pcm_config(), plan).await {
            Ok(s) => o.fact(format!("stream: {}; {:?}", kinds(&s.events), s.final_text)),
            Err(e) => o.fact(error(&e)),
        }
        o.fact(format!("auth failures {}", cx.mock.stats().ws_auth_failures));
        o.raw(key.api_key.expose());
        o
    })
}

fn files_crud(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let path = cx.wav("a.wav", 2);
        let len = std::fs::metadata(&path).unwrap().len();
        let file = cx.sdk.upload(&path).await.unwrap();
        o.fact(format!("uploaded {} {} bytes (of {len})", file.filename, file.size));
        let from_bytes = cx.sdk.upload_bytes(b"RIFF....", "b.bin").await.unwrap();
        o.fact(format!("uploaded {} {} bytes", from_bytes.filename, from_bytes.size));
        let got = cx.sdk.file(&file.id).await.unwrap();
        o.fact(format!("get: same {}", got == file));
        o.fact(format!("count {}", cx.sdk.files_count().await.unwrap().total));
        let page = cx.sdk.files_page(10).await.unwrap();
        let names: Vec<_> = page.items.iter().map(|f| f.filename.as_str()).collect();
        o.fact(format!("list {names:?} last {}", page.is_last()));
        cx.sdk.delete_file(&file.id).await.unwrap();
        o.fact(format!(
            "after delete: get {}; count {}; mock holds {}",
            cx.sdk
                .file(&file.id)
                .await
                .map_or_else(|e| error(&e), |_| "found".into()),
            cx.sdk.files_count().await.unwrap().total,
            cx.mock.files().len()
        ));
        o.raw((&file.id, &from_bytes.id, cx.mock.stats().upload_bytes));
        o
    })
}

fn transcriptions_crud(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let file = cx.sdk.upload(&cx.wav("talk.wav", 2)).await.unwrap();
        let job = cx
            .sdk
            .create(CreateTranscription::file_id(&file.id).diarization(true))
            .await
            .unwrap();
        o.fact(format!(
            "created {:?} {} diarization {}",
            job.status, job.model, job.enable_speaker_diarization
        ));
        o.fact(format!("get {:?}", cx.sdk.job(&job.id).await.unwrap().status));
        let done = cx.sdk.wait(&job.id, fast_wait()).await.unwrap();
        o.fact(format!("waited {:?} {:?} ms", done.status, done.audio_duration_ms));
        let transcript = cx.sdk.transcript(&job.id).await.unwrap();
        o.fact(format!("transcript {:?}", transcript.text));
        let page = cx.sdk.jobs_page(10).await.unwrap();
        o.fact(format!("list {} last {}", page.items.len(), page.is_last()));
        o.fact(format!("count {}", cx.sdk.jobs_count().await.unwrap().total));
        cx.sdk.delete_job(&job.id).await.unwrap();
        o.fact(format!(
            "after delete: get {}; count {}",
            cx.sdk.job(&job.id).await.map_or_else(|e| error(&e), |_| "found".into()),
            cx.sdk.jobs_count().await.unwrap().total
        ));
        o.raw((
            &job.id,
            &transcript.tokens.len(),
            cx.mock.stats().route("GET /v1/transcriptions/{id}"),
        ));
        o
    })
}

fn error_401(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let wrong = cx.sdk.with_key(&cx.mock, "wrong-key");
        let e = wrong.models().await.unwrap_err();
        o.fact(error(&e));
        o.fact(format!(
            "retryable {}; key shown {}",
            e.is_retryable(),
            e.to_string().contains("wrong-key")
        ));
        o.fact(format!("unauthorized {}", cx.mock.stats().unauthorized));
        o
    })
}

fn error_404(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        o.fact(
            cx.sdk
                .file(NO_SUCH_ID)
                .await
                .map_or_else(|e| error(&e), |_| "found".into()),
        );
        o.fact(
            cx.sdk
                .create(CreateTranscription::file_id(NO_SUCH_ID))
                .await
                .map_or_else(|e| error(&e), |_| "created".into()),
        );
        o.fact(
            cx.sdk
                .job(NO_SUCH_ID)
                .await
                .map_or_else(|e| error(&e), |_| "found".into()),
        );
        o
    })
}

fn error_409(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let job = cx
            .sdk
            .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
            .await
            .unwrap();
        o.fact(format!(
            "transcript early: {}",
            cx.sdk
                .transcript(&job.id)
                .await
                .map_or_else(|e| error(&e), |_| "ok".into())
        ));
        cx.sdk.job(&job.id).await.unwrap(); // queued → processing
        o.fact(format!(
            "delete while processing: {}",
            cx.sdk
                .delete_job(&job.id)
                .await
                .map_or_else(|e| error(&e), |_| "ok".into())
        ));
        o.raw(&job.id);
        o
    })
}

fn error_400_validation(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let req = CreateTranscription::audio_url("https://example.com/a.mp3").model("no-such-model");
        o.fact(
            cx.sdk
                .create(req)
                .await
                .map_or_else(|e| error(&e), |_| "created".into()),
        );
        o.fact(format!("mock holds {}", cx.mock.transcriptions().len()));
        o
    })
}

fn malformed_body_is_decode(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        cx.mock
            .add_fault(Fault::new(FaultAction::MalformedBody).on("GET", "/v1/models").times(1));
        o.fact(cx.sdk.models().await.map_or_else(|e| error(&e), |_| "ok".into()));
        o.fact(format!(
            "then {}",
            cx.sdk.models().await.map_or_else(|e| error(&e), |_| "ok".into())
        ));
        o.fact(format!("GET /v1/models ×{}", cx.mock.stats().route("GET /v1/models")));
        o
    })
}

fn status_503_is_retried(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let storm = FaultAction::Status {
            status: 503,
            retry_after: Some("0".into()),
        };
        cx.mock.add_fault(Fault::new(storm).on("GET", "/v1/models").times(2));
        o.fact(
            cx.sdk
                .models()
                .await
                .map_or_else(|e| error(&e), |m| format!("ok, {} models", m.len())),
        );
        let s = cx.mock.stats();
        o.fact(format!(
            "GET /v1/models ×{}, faults {}",
            s.route("GET /v1/models"),
            s.faults_injected
        ));
        o
    })
}

fn pagination(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let mut files = Vec::new();
        let mut jobs = Vec::new();
        for i in 0..7 {
            files.push(
                cx.sdk
                    .upload_bytes(b"0123456789", &format!("{i}.bin"))
                    .await
                    .unwrap()
                    .id,
            );
            let req = CreateTranscription::audio_url(format!("https://example.com/{i}.mp3"));
            jobs.push(cx.sdk.create(req).await.unwrap().id);
        }
        let listed_files: Vec<String> = cx.sdk.files_all(3).await.unwrap().into_iter().map(|f| f.id).collect();
        let listed_jobs: Vec<String> = cx.sdk.jobs_all(3).await.unwrap().into_iter().map(|j| j.id).collect();
        // Positions in creation order: the ids themselves go to `raw`.
        let positions = |listed: &[String], created: &[String]| -> Vec<Option<usize>> {
            listed.iter().map(|id| created.iter().position(|c| c == id)).collect()
        };
        o.fact(format!("files {:?}", positions(&listed_files, &files)));
        o.fact(format!("jobs {:?}", positions(&listed_jobs, &jobs)));
        let s = cx.mock.stats();
        o.fact(format!(
            "pages: files {}, jobs {}",
            s.route("GET /v1/files"),
            s.route("GET /v1/transcriptions")
        ));
        o.raw((listed_files, listed_jobs));
        o
    })
}

fn transcribe_and_clean_up(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let req = Transcribe::path(cx.wav("t.wav", 3)).wait(fast_wait());
        match cx.sdk.transcribe(req).await {
            Ok(done) => {
                o.fact(format!(
                    "{:?} {:?} ms, file uploaded {}, text {:?}",
                    done.transcription.status,
                    done.transcription.audio_duration_ms,
                    done.file.is_some(),
                    done.transcript.text
                ));
                o.raw((&done.transcription.id, done.file.map(|f| f.id)));
            }
            Err(e) => o.fact(error(&e)),
        }
        let s = cx.mock.stats();
        o.fact(format!(
            "mock left with {} files, {} jobs; deletes {} + {}",
            cx.mock.files().len(),
            cx.mock.transcriptions().len(),
            s.route("DELETE /v1/files/{id}"),
            s.route("DELETE /v1/transcriptions/{id}")
        ));
        o
    })
}

fn realtime_session(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let audio = pcm(4_000);
        let plan = Plan {
            audio: &audio,
            chunk: 4 * 1024,
            finalize_after: Some(10),
        };
        match cx.sdk.realtime(None, pcm_config().endpoint_detection(true), plan).await {
            Ok(s) => {
                o.fact(kinds(&s.events));
                o.fact(format!("{:?}", s.final_text));
                o.raw(&s.events);
            }
            Err(e) => o.fact(error(&e)),
        }
        let s = cx.mock.stats();
        o.fact(format!(
            "mock: {} bytes, {} frames",
            s.ws_audio_bytes, s.ws_audio_frames
        ));
        o
    })
}

fn realtime_errors(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let audio = pcm(500);
        let plan = Plan {
            audio: &audio,
            chunk: 3_200,
            finalize_after: None,
        };
        let model = RealtimeConfig::new("stt-rt-v0").pcm_s16le(16_000, 1);
        o.fact(
            cx.sdk
                .realtime(None, model, plan)
                .await
                .map_or_else(|e| error(&e), |_| "ok".into()),
        );
        let wrong = soniox::ApiKey::new("wrong-key");
        let plan = Plan { audio: &[], ..plan };
        o.fact(
            cx.sdk
                .realtime(Some(&wrong), pcm_config(), plan)
                .await
                .map_or_else(|e| error(&e), |_| "ok".into()),
        );
        o
    })
}

fn tts_models_list(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        match cx.sdk.tts_models().await {
            Ok(models) => {
                o.fact(format!("{} models", models.len()));
                for m in &models {
                    o.fact(format!(
                        "{}: {} voices, alias of {:?}, silence {}",
                        m.id,
                        m.voices.len(),
                        m.aliased_model_id,
                        m.supports_silence_reduction
                    ));
                }
                o.raw(&models);
            }
            Err(e) => o.fact(error(&e)),
        }
        o
    })
}

fn shared_voices_filters_and_pages(cx: &Ctx) -> LocalBoxFuture<'_, Outcome> {
    Box::pin(async move {
        let mut o = Outcome::default();
        let ids = |v: &[soniox::types::SharedVoice]| v.iter().map(|v| v.id.clone()).collect::<Vec<_>>().join(",");
        let q = || soniox::types::SharedVoiceQuery::new("tts-rt-v2");
        // Every page, 3 at a time: the filters go with each cursor.
        match cx.sdk.shared_voices_all(q().gender("female"), 3).await {
            Ok(v) => o.fact(format!("female: {}", ids(&v))),
            Err(e) => o.fact(error(&e)),
        }
        match cx.sdk.shared_voices_all(q(), 3).await {
            Ok(v) => o.fact(format!("all: {} voices", v.len())),
            Err(e) => o.fact(error(&e)),
        }
        // List filters need every value.
        let both = q().use_case("narration").use_case("conversational");
        match cx.sdk.shared_voices_page(both, None).await {
            Ok(p) => o.fact(format!(
                "narration+conversational: {}, last {}",
                ids(&p.items),
                p.is_last()
            )),
            Err(e) => o.fact(error(&e)),
        }
        match cx.sdk.shared_voices_page(q(), Some(5)).await {
            Ok(p) => {
                o.fact(format!("first 5: last {}", p.is_last()));
                o.raw(p.next_page_cursor);
            }
            Err(e) => o.fact(error(&e)),
        }
        // Refused by the service: an unknown model (404), a gender it does not know (400).
        for query in [soniox::types::SharedVoiceQuery::new("tts-rt-v0"), q().gender("robot")] {
            let e = cx.sdk.shared_voices_page(query, None).await.unwrap_err();
            o.fact(error(&e));
        }
        // Refused before sending: a limit over 200, too many styles.
        let many = (0..11).fold(q(), |q, i| q.style(format!("s{i}")));
        for (query, limit) in [(q(), Some(201)), (many, None)] {
            let e = cx.sdk.shared_voices_page(query, limit).await.unwrap_err();
            o.fact(error(&e));
        }
        o.fact(format!(
            "GET /v1/shared-voices ×{}",
            cx.mock.stats().route("GET /v1/shared-voices")
        ));
        o
    })
}

// ---- the table -------------------------------------------------------------------------

const TABLE: &[Row] = &[
    Row {
        name: "tts: models",
        mock: quick_jobs,
        run: tts_models_list,
        expect: || {
            "3 models; tts-rt-v2: 8 voices, alias of None, silence true; tts-rt-v1: 4 voices, alias of None, silence false; \
             tts-rt-v1-preview: 4 voices, alias of Some(\"tts-rt-v1\"), silence false"
                .into()
        },
    },
    Row {
        name: "voices: shared, filtered and paged",
        mock: quick_jobs,
        run: shared_voices_filters_and_pages,
        expect: || {
            "female: Maya,Victoria,Nina,Isla; all: 8 voices; narration+conversational: Victoria, last true; \
             first 5: last false; api 404 invalid_request []; api 400 invalid_request [\"query.gender\"]; \
             invalid argument; invalid argument; GET /v1/shared-voices ×9"
                .into()
        },
    },
    Row {
        name: "models: list",
        mock: quick_jobs,
        run: models_list,
        expect: || {
            "11 models; stt-async-v5: Some(\"async\") alias of None; stt-rt-v5: Some(\"real_time\") alias of None; \
             stt-rt-v4: Some(\"real_time\") alias of Some(\"stt-rt-v5\")"
                .into()
        },
    },
    Row {
        name: "auth: a temporary key opens a realtime stream",
        mock: quick_jobs,
        run: temporary_key_opens_a_stream,
        expect: || {
            format!(
                "temp key true, expires_at set true; stream: Result×11 Finished; {:?}; auth failures 0",
                transcript_text(1_000)
            )
        },
    },
    Row {
        name: "files: upload, upload_reader, get, count, list, delete",
        mock: quick_jobs,
        run: files_crud,
        expect: || {
            "uploaded a.wav 64044 bytes (of 64044); uploaded b.bin 8 bytes; get: same true; count 2; \
             list [\"a.wav\", \"b.bin\"] last true; after delete: get api 404 file_not_found []; count 1; mock holds 1"
                .into()
        },
    },
    Row {
        name: "transcriptions: create, get, wait, transcript, list, count, delete",
        mock: quick_jobs,
        run: transcriptions_crud,
        expect: || {
            format!(
                "created Queued stt-async-v5 diarization true; get Queued; waited Completed Some(2000) ms; \
                 transcript {:?}; list 1 last true; count 1; \
                 after delete: get api 404 transcription_not_found []; count 0",
                transcript_text(2_000)
            )
        },
    },
    Row {
        name: "errors: 401 for a wrong key",
        mock: quick_jobs,
        run: error_401,
        expect: || "api 401 unauthenticated []; retryable false; key shown false; unauthorized 1".into(),
    },
    Row {
        name: "errors: 404 file_not_found / transcription_not_found",
        mock: quick_jobs,
        run: error_404,
        expect: || "api 404 file_not_found []; api 404 file_not_found []; api 404 transcription_not_found []".into(),
    },
    Row {
        name: "errors: 409 transcript not ready, delete while processing",
        mock: slow_jobs,
        run: error_409,
        expect: || {
            "transcript early: api 409 transcription_invalid_state []; \
             delete while processing: api 409 transcription_invalid_state []"
                .into()
        },
    },
    Row {
        name: "errors: 400 invalid_request with validation_errors",
        mock: quick_jobs,
        run: error_400_validation,
        expect: || "api 400 invalid_request [\"body.payload.model\"]; mock holds 0".into(),
    },
    Row {
        name: "errors: a malformed body is a Decode error, not retried",
        mock: quick_jobs,
        run: malformed_body_is_decode,
        expect: || "decode 200 body kept: true; then ok; GET /v1/models ×2".into(),
    },
    Row {
        name: "errors: 503 is retried",
        mock: quick_jobs,
        run: status_503_is_retried,
        expect: || "ok, 11 models; GET /v1/models ×3, faults 2".into(),
    },
    Row {
        name: "pagination: every page, the same ids in creation order",
        mock: quick_jobs,
        run: pagination,
        expect: || {
            let all = "[Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]";
            format!("files {all}; jobs {all}; pages: files 3, jobs 3")
        },
    },
    Row {
        name: "transcribe: one call, the mock left empty",
        mock: quick_jobs,
        run: transcribe_and_clean_up,
        expect: || {
            format!(
                "Completed Some(3000) ms, file uploaded true, text {:?}; mock left with 0 files, 0 jobs; deletes 1 + 1",
                transcript_text(3_000)
            )
        },
    },
    Row {
        name: "realtime: a session with finalize and endpoints",
        mock: quick_jobs,
        run: realtime_session,
        expect: || {
            format!(
                "Result×11 Finalized Result×23 Endpoint Finished; {:?}; mock: 128000 bytes, 32 frames",
                transcript_text(4_000)
            )
        },
    },
    Row {
        name: "realtime: unknown model and wrong key",
        mock: quick_jobs,
        run: realtime_errors,
        // A wrong key is refused at the upgrade (HTTP 401), so `connect` returns the API error.
        expect: || "realtime Some(400) model_not_available; api 401 unauthenticated []".into(),
    },
];

/// Runs one row through one client, on a fresh mock.
fn run_row(row: &Row, client: Kind) -> Outcome {
    let mock = (row.mock)();
    let sdk = client.for_mock(&mock);
    assert_eq!(sdk.name(), client.name());
    let cx = Ctx {
        mock,
        dir: tempfile::tempdir().unwrap(),
        sdk,
    };
    let mut outcome = client.run((row.run)(&cx));
    // Both clients made the same requests, route by route.
    outcome.raw(cx.mock.stats().requests_by_route);
    outcome
}

#[test]
fn every_scenario_gives_the_same_outcome_through_both_clients() {
    let mut failures = Vec::new();
    for row in TABLE {
        let blocking = run_row(row, Kind::Blocking);
        let nonblocking = run_row(row, Kind::Async);
        let expected = (row.expect)();
        if blocking.facts != expected {
            failures.push(format!(
                "{}: blocking differs from the expected value\n  expected {expected}\n  blocking {}",
                row.name, blocking.facts
            ));
        }
        if nonblocking != blocking {
            failures.push(format!(
                "{}: async differs from blocking\n  blocking {blocking:?}\n  async    {nonblocking:?}",
                row.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        TABLE.len(),
        failures.join("\n")
    );
}
