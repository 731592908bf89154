//! `transcribe` through the async client: the one-call flow and its cleanup on success,
//! job error and timeout.
#![cfg(feature = "async")]

mod common_async;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common_async::{assert_send, client, fast_wait, mock, run, wav};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::types::{Cleanup, CreateTranscription, Transcribe};
use soniox::{Error, WaitOptions};

#[test]
fn transcribe_returns_the_transcript_and_leaves_nothing_behind() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let done = run(assert_send(
        client.transcribe(
            Transcribe::path(wav(dir.path(), "t.wav", 3))
                .options(CreateTranscription::new().diarization(true))
                .wait(fast_wait()),
        ),
    ))
    .unwrap();
    assert!(!done.transcript.text.is_empty());
    assert_eq!(done.transcription.audio_duration_ms, Some(3000));
    assert!(done.file.is_some());
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
    let s = mock.stats();
    assert_eq!((s.route("POST /v1/files"), s.route("POST /v1/transcriptions")), (1, 1));
    assert_eq!(
        (
            s.route("DELETE /v1/files/{id}"),
            s.route("DELETE /v1/transcriptions/{id}")
        ),
        (1, 1)
    );
}

#[test]
fn cleanup_none_keeps_the_file_and_the_job() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let done = run(client(&mock).transcribe(
        Transcribe::path(wav(dir.path(), "k.wav", 1))
            .cleanup(Cleanup::None)
            .wait(fast_wait()),
    ))
    .unwrap();
    assert_eq!(mock.files().len(), 1);
    assert_eq!(mock.transcriptions()[0].id, done.transcription.id);
}

#[test]
fn a_failed_job_is_cleaned_up_and_its_error_returned() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let e = run(client(&mock).transcribe(Transcribe::path(wav(dir.path(), "corrupt.wav", 1)).wait(fast_wait())))
        .unwrap_err();
    assert!(
        matches!(e, Error::TranscriptionFailed { ref error_type, .. } if error_type == "invalid_audio_file"),
        "{e:?}"
    );
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
}

#[test]
fn a_timed_out_wait_is_cleaned_up_and_reported_as_a_timeout() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1_000_000,
        processing: 1,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wait = WaitOptions::default()
        .interval(Duration::from_millis(5))
        .growth(1.0)
        .timeout(Some(Duration::from_millis(50)));
    let e = run(client(&mock).transcribe(Transcribe::path(wav(dir.path(), "slow.wav", 1)).wait(wait))).unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
}

#[test]
fn transcribing_a_url_or_an_uploaded_file_needs_no_upload() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    run(async {
        let url = client
            .transcribe(Transcribe::audio_url("https://example.com/x.mp3").wait(fast_wait()))
            .await
            .unwrap();
        assert!(url.file.is_none() && !url.transcript.tokens.is_empty());
        let file = client.files().upload(wav(dir.path(), "f.wav", 1)).await.unwrap();
        client
            .transcribe(Transcribe::file_id(&file.id).wait(fast_wait()))
            .await
            .unwrap();
    });
    // Cleanup::All deletes only files transcribe uploaded itself.
    assert_eq!(mock.files().len(), 1);
    assert!(mock.transcriptions().is_empty());
    assert_eq!(mock.stats().route("POST /v1/files"), 1);
}

#[test]
fn a_missing_file_fails_before_any_request() {
    let mock = mock();
    let e = run(client(&mock).transcribe(Transcribe::path("/definitely/not/here.wav"))).unwrap_err();
    assert!(matches!(e, Error::Io { path: Some(_), .. }));
    assert_eq!(mock.stats().requests, 0);
}

#[test]
fn a_cancelled_wait_stops_before_the_next_check_and_cleans_up() {
    // Queued for ever: the hook, set when the first check sees `queued`, ends the wait
    // before a second check.
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1_000_000,
        processing: 1,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, flag) = (stop.clone(), stop.clone());
    let wait = fast_wait()
        .on_status_change(move |_| seen.store(true, Ordering::SeqCst))
        .cancel_if(move || flag.load(Ordering::SeqCst));
    let client = client(&mock);
    let e = run(client.transcribe(Transcribe::path(wav(dir.path(), "c.wav", 1)).wait(wait))).unwrap_err();
    assert!(
        matches!(e, Error::Cancelled(ref m) if m.contains("last status queued")),
        "{e:?}"
    );
    assert!(mock.files().is_empty() && mock.transcriptions().is_empty());
    let s = mock.stats();
    assert_eq!(
        (
            s.route("GET /v1/transcriptions/{id}"),
            s.route("DELETE /v1/transcriptions/{id}"),
            s.route("DELETE /v1/files/{id}")
        ),
        (1, 1, 1)
    );
}

#[test]
fn a_job_cancelled_while_processing_is_deleted_once_it_ends() {
    // Processing for 2 s from creation: the cancelled flow's first delete is refused
    // (409), and it asks again until the job has ended and the delete goes through.
    let mock = MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Elapsed {
                queued: Duration::ZERO,
                processing: Duration::from_secs(2),
            })
            .record_responses(true),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, flag) = (stop.clone(), stop.clone());
    let wait = fast_wait()
        .on_status_change(move |j| seen.store(j.status.as_str() == "processing", Ordering::SeqCst))
        .cancel_if(move || flag.load(Ordering::SeqCst));
    let client = client(&mock);
    let e = run(client.transcribe(Transcribe::path(wav(dir.path(), "p.wav", 1)).wait(wait))).unwrap_err();
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
