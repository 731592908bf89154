//! Transcriptions through the async client: create, get, list, wait, transcript, delete,
//! count, and their errors.
#![cfg(feature = "async")]

mod common_async;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common_async::{assert_send, client, fast_wait, mock, run, wav};
use futures::{StreamExt, TryStreamExt};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::types::{CreateTranscription, TranscriptionStatus};
use soniox::{Error, WaitOptions};

#[test]
fn a_job_goes_from_queued_to_completed_and_its_transcript_is_derived_from_the_audio() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    run(async {
        let file = client.files().upload(wav(dir.path(), "talk.wav", 5)).await.unwrap();
        let job = client
            .transcriptions()
            .create(
                CreateTranscription::file_id(&file.id)
                    .diarization(true)
                    .language_identification(true)
                    .client_reference_id("c-1"),
            )
            .await
            .unwrap();
        assert_eq!(job.status, TranscriptionStatus::Queued);
        assert_eq!(
            (job.file_id.as_deref(), job.model.as_str()),
            (Some(file.id.as_str()), "stt-async-v5")
        );
        assert!(job.enable_speaker_diarization && job.enable_language_identification);

        let changes = Arc::new(Mutex::new(Vec::new()));
        let c2 = changes.clone();
        let done = assert_send(client.transcriptions().wait(
            &job.id,
            fast_wait().on_status_change(move |j| c2.lock().unwrap().push(j.status.clone())),
        ))
        .await
        .unwrap();
        assert_eq!(done.status, TranscriptionStatus::Completed);
        assert_eq!(done.audio_duration_ms, Some(5000));
        assert_eq!(
            *changes.lock().unwrap(),
            [
                TranscriptionStatus::Queued,
                TranscriptionStatus::Processing,
                TranscriptionStatus::Completed
            ]
        );

        let t = client.transcriptions().transcript(&job.id).await.unwrap();
        assert!(!t.tokens.is_empty());
        assert_eq!(t.text, t.tokens.iter().map(|k| k.text.as_str()).collect::<String>());
        assert!(t
            .tokens
            .iter()
            .all(|k| k.speaker.is_some() && k.language.as_deref() == Some("en")));
        assert!(t.tokens.windows(2).all(|w| w[0].end_ms <= w[1].start_ms));
        assert!(t.tokens.last().unwrap().end_ms.unwrap() <= 5000);
    });
    // queued → processing → completed: three status checks.
    assert_eq!(mock.stats().route("GET /v1/transcriptions/{id}"), 3);
}

#[test]
fn the_transcript_before_completion_is_a_409_and_a_processing_job_cannot_be_deleted() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 100,
    }))
    .unwrap();
    let (client, dir) = (client(&mock), tempfile::tempdir().unwrap());
    run(async {
        let file = client.files().upload(wav(dir.path(), "a.wav", 1)).await.unwrap();
        let job = client
            .transcriptions()
            .create(CreateTranscription::file_id(&file.id))
            .await
            .unwrap();
        let early = client.transcriptions().transcript(&job.id).await.unwrap_err();
        assert_eq!(
            (early.status(), early.error_type()),
            (Some(409), Some("transcription_invalid_state"))
        );
        // One GET moves it to processing.
        client.transcriptions().get(&job.id).await.unwrap();
        assert_eq!(
            client.transcriptions().get(&job.id).await.unwrap().status,
            TranscriptionStatus::Processing
        );
        let busy = client.transcriptions().delete(&job.id).await.unwrap_err();
        assert_eq!(
            (busy.status(), busy.error_type()),
            (Some(409), Some("transcription_invalid_state"))
        );
    });
}

#[test]
fn a_failed_job_surfaces_as_transcription_failed_with_its_error_type() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    run(async {
        let file = client.files().upload(wav(dir.path(), "corrupt.wav", 1)).await.unwrap();
        let job = client
            .transcriptions()
            .create(CreateTranscription::file_id(&file.id))
            .await
            .unwrap();
        match client.transcriptions().wait(&job.id, fast_wait()).await {
            Err(Error::TranscriptionFailed { id, error_type, .. }) => {
                assert_eq!(
                    (id.as_str(), error_type.as_str()),
                    (job.id.as_str(), "invalid_audio_file")
                )
            }
            other => panic!("{other:?}"),
        }
        let e = client.transcriptions().transcript(&job.id).await.unwrap_err();
        assert_eq!(e.status(), Some(409));
    });
}

#[test]
fn waiting_times_out_with_a_typed_error() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1_000_000,
        processing: 1,
    }))
    .unwrap();
    let client = client(&mock);
    run(async {
        let job = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
            .await
            .unwrap();
        let opts = WaitOptions::default()
            .interval(Duration::from_millis(5))
            .growth(1.0)
            .timeout(Some(Duration::from_millis(60)));
        match client.transcriptions().wait(&job.id, opts).await {
            Err(Error::Timeout(t)) => {
                assert!(t.context.contains(&job.id) && t.context.contains("queued"), "{t:?}");
                assert_eq!(t.after, Duration::from_millis(60));
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn list_get_count_and_delete_agree_with_the_mock() {
    let mock = mock();
    let client = client(&mock);
    run(async {
        let mut ids = Vec::new();
        for i in 0..7 {
            let job = client
                .transcriptions()
                .create(CreateTranscription::audio_url(format!("https://example.com/{i}.mp3")))
                .await
                .unwrap();
            ids.push(job.id);
        }
        let listed: Vec<String> = client
            .transcriptions()
            .list()
            .limit(3)
            .all()
            .map_ok(|j| j.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(listed, ids);
        let page = client.transcriptions().list().limit(5).send().await.unwrap();
        assert_eq!(page.items.len(), 5);
        assert!(page.next_page_cursor.is_some());
        assert_eq!(client.transcriptions().count().await.unwrap().total, 7);
        assert_eq!(client.transcriptions().get(&ids[2]).await.unwrap().filename, "2.mp3");
        client.transcriptions().delete(&ids[0]).await.unwrap();
        assert_eq!(mock.transcriptions().len(), 6);
        let e = client.transcriptions().get(&ids[0]).await.unwrap_err();
        assert_eq!(
            (e.status(), e.error_type()),
            (Some(404), Some("transcription_not_found"))
        );
        assert!(!client.transcriptions().delete_if_exists(&ids[0]).await.unwrap());
        assert!(client.transcriptions().delete_if_exists(&ids[1]).await.unwrap());
        // The stream of what is left, item by item.
        let mut rest = client.transcriptions().list().limit(2).all();
        let mut n = 0;
        while let Some(job) = rest.next().await {
            job.unwrap();
            n += 1;
        }
        assert_eq!((n, rest.pages()), (5, 3));
    });
}

#[test]
fn the_server_rejects_an_unknown_model_and_a_missing_file_with_typed_errors() {
    let mock = mock();
    let client = client(&mock);
    run(async {
        let e = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://x.com/a.mp3").model("no-such-model"))
            .await
            .unwrap_err();
        match &e {
            Error::Api(api) => {
                assert_eq!((api.status, api.error_type.as_str()), (400, "invalid_request"));
                assert_eq!(api.validation_errors[0].location, "body.payload.model");
            }
            other => panic!("{other:?}"),
        }
        let e = client
            .transcriptions()
            .create(CreateTranscription::file_id("00000000-0000-4000-8000-000000000000"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.error_type()), (Some(404), Some("file_not_found")));
    });
    assert!(mock.transcriptions().is_empty());
}

#[test]
fn bad_job_options_fail_before_any_request() {
    let mock = mock();
    let client = client(&mock);
    let bad = [
        CreateTranscription::new(),
        CreateTranscription::file_id("f").source_audio_url("https://x.com/a"),
        CreateTranscription::audio_url("https://x.com/a").webhook_auth_header("X-A", ""),
        CreateTranscription::audio_url("https://x.com/a").client_reference_id("r".repeat(300)),
        CreateTranscription::audio_url("https://x.com/a").language_hints(vec!["en"; 101]),
    ];
    run(async {
        for req in bad {
            assert!(matches!(
                client.transcriptions().create(req).await,
                Err(Error::InvalidArgument(_))
            ));
        }
    });
    assert_eq!(mock.stats().requests, 0);
}
