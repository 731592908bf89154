//! The performance plan's public helpers in the async client: `poll_until_complete` over
//! async closures, and `exponential_backoff`.
#![cfg(feature = "async")]

mod common_async;

use std::time::Duration;

use common_async::{client, mock, run};
use soniox::nonblocking::{exponential_backoff, poll_until_complete};
use soniox::types::{CreateTranscription, TranscriptionStatus};
use soniox::{Error, PollPolicy, RetryPolicy};

#[test]
fn poll_until_complete_drives_a_real_job_to_completion_with_an_async_closure() {
    let mock = mock();
    let client = client(&mock);
    let checks = run(async {
        let job = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
            .await
            .unwrap();
        let mut checks = 0;
        let done = poll_until_complete(
            async || {
                checks += 1;
                client.transcriptions().get(&job.id).await
            },
            |j| j.status == TranscriptionStatus::Completed,
            |j| j.status == TranscriptionStatus::Error,
            |j| j.error_message.clone().unwrap_or_default(),
            PollPolicy::default()
                .with_interval(Duration::from_millis(1))
                .with_growth(1.0),
        )
        .await
        .unwrap();
        assert_eq!(done.status, TranscriptionStatus::Completed);
        checks
    });
    // JobTiming::Polls { queued: 1, processing: 1 }: queued, processing, completed.
    assert_eq!(checks, 3);
    assert_eq!(mock.stats().route("GET /v1/transcriptions/{id}"), 3);
}

#[test]
fn poll_until_complete_takes_closures_returning_futures_too() {
    let mock = mock();
    let client = client(&mock);
    let done = run(async {
        let job = client
            .transcriptions()
            .create(CreateTranscription::audio_url("https://example.com/b.mp3"))
            .await
            .unwrap();
        let (client, id) = (&client, job.id.clone());
        poll_until_complete(
            || {
                let id = id.clone();
                async move { client.transcriptions().get(&id).await }
            },
            |j| j.status == TranscriptionStatus::Completed,
            |j| j.status == TranscriptionStatus::Error,
            |_| String::new(),
            PollPolicy::default().with_interval(Duration::from_millis(1)),
        )
        .await
    })
    .unwrap();
    assert_eq!(done.status, TranscriptionStatus::Completed);
}

#[test]
fn poll_until_complete_reports_failure_and_timeout() {
    run(async {
        let failed = poll_until_complete(
            async || Ok("bad"),
            |_| false,
            |s| *s == "bad",
            |s| format!("status {s}"),
            PollPolicy::default(),
        )
        .await;
        assert!(matches!(failed, Err(Error::TranscriptionFailed { ref message, .. }) if message == "status bad"));
        let policy = PollPolicy::default()
            .with_interval(Duration::from_millis(1))
            .with_timeout(Some(Duration::from_millis(20)));
        let timed_out = poll_until_complete(async || Ok(0), |_| false, |_| false, |_| String::new(), policy).await;
        assert!(matches!(timed_out, Err(Error::Timeout(ref t)) if t.after == Duration::from_millis(20)));
        let errored = poll_until_complete(
            async || {
                Err::<u32, _>(Error::Decode(soniox::error::DecodeError {
                    status: 200,
                    message: "x".into(),
                    body: String::new(),
                }))
            },
            |_| true,
            |_| false,
            |_| String::new(),
            PollPolicy::default(),
        )
        .await;
        assert!(matches!(errored, Err(Error::Decode(_))));
    });
}

#[test]
fn exponential_backoff_for_attempts_zero_to_ten() {
    let p = RetryPolicy::default().delays(Duration::from_millis(100), Duration::from_secs(10));
    let ms: Vec<u128> = (0..=10).map(|a| exponential_backoff(a, &p).as_millis()).collect();
    assert_eq!(
        ms,
        [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000]
    );
}
