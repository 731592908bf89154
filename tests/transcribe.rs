//! `transcribe`, the one-call flow, through both clients (each scenario written once
//! against the parity harness's `Sdk`): the transcript and the cleanup on success, a job
//! error, a timeout and a cancellation; no upload for a URL or an uploaded file; a missing
//! file refused before any request. The tests are `blocking::<scenario>` and
//! `nonblocking::<scenario>`.

mod common_parity;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common_parity::Kind;
use soniox::audio::{write_wav_file, WavSpec};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::types::{Cleanup, CreateTranscription, Transcribe};
use soniox::{Error, WaitOptions};

per_client!(
    transcribe_returns_the_transcript_and_leaves_nothing_behind,
    cleanup_none_keeps_the_file_and_the_job,
    a_failed_job_is_cleaned_up_and_its_error_returned,
    a_timed_out_wait_is_cleaned_up_and_reported_as_a_timeout,
    transcribing_a_url_or_an_uploaded_file_needs_no_upload,
    a_missing_file_fails_before_any_request,
    a_cancelled_wait_stops_before_the_next_check_and_cleans_up,
    a_job_cancelled_while_processing_is_deleted_once_it_ends,
);

/// A mock whose jobs move on by status checks (no clock involved).
fn polled(queued: u32, processing: u32) -> MockServer {
    MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls { queued, processing }))
        .expect("mock server starts")
}

/// Checks every 2 ms, for at most 30 s.
fn quick() -> WaitOptions {
    WaitOptions::default()
        .interval(Duration::from_millis(2))
        .growth(1.0)
        .timeout(Some(Duration::from_secs(30)))
}

fn audio(dir: &Path, name: &str, secs: u64) -> PathBuf {
    let path = dir.join(name);
    write_wav_file(&path, WavSpec::default(), Duration::from_secs(secs)).expect("wav written");
    path
}

fn transcribe_returns_the_transcript_and_leaves_nothing_behind(kind: Kind) {
    let (mock, dir) = (polled(1, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let req = Transcribe::path(audio(dir.path(), "t.wav", 3))
        .options(CreateTranscription::new().diarization(true))
        .wait(quick());
    let done = kind.run(sdk.transcribe(req)).unwrap();
    assert!(!done.transcript.text.is_empty());
    assert_eq!(done.transcription.audio_duration_ms, Some(3000));
    assert!(done.file.is_some());
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
    let s = mock.stats();
    assert_eq!(
        [
            s.route("POST /v1/files"),
            s.route("POST /v1/transcriptions"),
            s.route("DELETE /v1/files/{id}"),
            s.route("DELETE /v1/transcriptions/{id}"),
        ],
        [1, 1, 1, 1]
    );
}

fn cleanup_none_keeps_the_file_and_the_job(kind: Kind) {
    let (mock, dir) = (polled(1, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let req = Transcribe::path(audio(dir.path(), "k.wav", 1))
        .cleanup(Cleanup::None)
        .wait(quick());
    let done = kind.run(sdk.transcribe(req)).unwrap();
    assert_eq!(mock.files().len(), 1);
    assert_eq!(mock.transcriptions()[0].id, done.transcription.id);
}

fn a_failed_job_is_cleaned_up_and_its_error_returned(kind: Kind) {
    let (mock, dir) = (polled(1, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let req = Transcribe::path(audio(dir.path(), "corrupt.wav", 1)).wait(quick());
    let e = kind.run(sdk.transcribe(req)).unwrap_err();
    assert!(
        matches!(e, Error::TranscriptionFailed { ref error_type, .. } if error_type == "invalid_audio_file"),
        "{e:?}"
    );
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
}

fn a_timed_out_wait_is_cleaned_up_and_reported_as_a_timeout(kind: Kind) {
    let (mock, dir) = (polled(1_000_000, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let wait = WaitOptions::default()
        .interval(Duration::from_millis(5))
        .growth(1.0)
        .timeout(Some(Duration::from_millis(50)));
    let e = kind
        .run(sdk.transcribe(Transcribe::path(audio(dir.path(), "slow.wav", 1)).wait(wait)))
        .unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
}

fn transcribing_a_url_or_an_uploaded_file_needs_no_upload(kind: Kind) {
    let (mock, dir) = (polled(1, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let url = kind
        .run(sdk.transcribe(Transcribe::audio_url("https://example.com/x.mp3").wait(quick())))
        .unwrap();
    assert!(url.file.is_none() && !url.transcript.tokens.is_empty());
    let path = audio(dir.path(), "f.wav", 1);
    let file = kind.run(sdk.upload(&path)).unwrap();
    kind.run(sdk.transcribe(Transcribe::file_id(&file.id).wait(quick())))
        .unwrap();
    // Cleanup::All deletes only files transcribe uploaded itself.
    assert_eq!(mock.files().len(), 1);
    assert!(mock.transcriptions().is_empty());
    assert_eq!(mock.stats().route("POST /v1/files"), 1);
}

fn a_missing_file_fails_before_any_request(kind: Kind) {
    let mock = polled(1, 1);
    let sdk = kind.for_mock(&mock);
    let e = kind
        .run(sdk.transcribe(Transcribe::path("/definitely/not/here.wav")))
        .unwrap_err();
    assert!(matches!(e, Error::Io { path: Some(_), .. }), "{e:?}");
    assert_eq!(mock.stats().requests, 0);
}

fn a_cancelled_wait_stops_before_the_next_check_and_cleans_up(kind: Kind) {
    // Queued for ever: the hook, set when the first check sees `queued`, ends the wait
    // before a second check.
    let (mock, dir) = (polled(1_000_000, 1), tempfile::tempdir().unwrap());
    let sdk = kind.for_mock(&mock);
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, flag) = (stop.clone(), stop.clone());
    let wait = quick()
        .on_status_change(move |_| seen.store(true, Ordering::SeqCst))
        .cancel_if(move || flag.load(Ordering::SeqCst));
    let e = kind
        .run(sdk.transcribe(Transcribe::path(audio(dir.path(), "c.wav", 1)).wait(wait)))
        .unwrap_err();
    assert!(
        matches!(e, Error::Cancelled(ref m) if m.contains("last status queued")),
        "{e:?}"
    );
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
    let s = mock.stats();
    assert_eq!(
        [
            s.route("GET /v1/transcriptions/{id}"),
            s.route("DELETE /v1/transcriptions/{id}"),
            s.route("DELETE /v1/files/{id}"),
        ],
        [1, 1, 1]
    );
}

fn a_job_cancelled_while_processing_is_deleted_once_it_ends(kind: Kind) {
    // Processing until checked 100 times: the wait's one check cannot end it, and deletes
    // do not count. The cancelled flow's delete is refused (409) and asked again; once this
    // test has seen a refusal, it ends the job with its own checks, and the flow's next
    // delete goes through. No clock decides an outcome (the bounds only catch a hang).
    const CHECKS: u32 = 100;
    let mock = MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Polls {
                queued: 0,
                processing: CHECKS,
            })
            .record_responses(true),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sdk = kind.for_mock(&mock);
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, flag) = (stop.clone(), stop.clone());
    let wait = quick()
        .on_status_change(move |j| seen.store(j.status.as_str() == "processing", Ordering::SeqCst))
        .cancel_if(move || flag.load(Ordering::SeqCst));
    let refused = |mock: &MockServer| {
        mock.response_log()
            .iter()
            .any(|r| r.method == "DELETE" && r.path.starts_with("/v1/transcriptions/") && r.status == 409)
    };
    let checker = sdk.handle();
    let e = std::thread::scope(|scope| {
        let (mock, checker) = (&mock, checker);
        let ender = scope.spawn(move || {
            for _ in 0..3_000 {
                if refused(mock) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            assert!(refused(mock), "no refused delete within 30 s");
            let id = mock.transcriptions()[0].id.clone();
            for _ in 0..=CHECKS {
                if kind.run(checker.job(&id)).unwrap().status.as_str() == "completed" {
                    return;
                }
            }
            panic!("the job did not end after {CHECKS} checks");
        });
        let e = kind
            .run(sdk.transcribe(Transcribe::path(audio(dir.path(), "p.wav", 1)).wait(wait)))
            .unwrap_err();
        ender.join().unwrap();
        e
    });
    assert!(matches!(e, Error::Cancelled(_)), "{e:?}");
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
    let deletes: Vec<u16> = mock
        .response_log()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/v1/transcriptions/"))
        .map(|r| r.status)
        .collect();
    let (last, refused) = deletes.split_last().unwrap();
    assert!(
        *last == 204 && !refused.is_empty() && refused.iter().all(|s| *s == 409),
        "{deletes:?}"
    );
}

/// The async flow's future is `Send` (it compiles only if so): any executor may move it.
#[cfg(feature = "async")]
#[allow(dead_code)]
fn the_async_transcribe_future_is_send(client: &soniox::nonblocking::Client) -> impl std::future::Future + Send + '_ {
    client.transcribe(Transcribe::audio_url("https://example.com/x.mp3"))
}
