//! The performance plan's public helpers: `poll_until_complete` and `exponential_backoff`.

mod common;

use std::time::Duration;

use common::{client, mock};
use soniox::blocking::{exponential_backoff, poll_until_complete};
use soniox::types::{CreateTranscription, TranscriptionStatus};
use soniox::{Error, PollPolicy, RetryPolicy};

#[test]
fn poll_until_complete_drives_a_real_job_to_completion_with_closures() {
    let mock = mock();
    let client = client(&mock);
    let job = client
        .transcriptions()
        .create(CreateTranscription::audio_url("https://example.com/a.mp3"))
        .unwrap();
    let mut checks = 0;
    let done = poll_until_complete(
        || {
            checks += 1;
            client.transcriptions().get(&job.id)
        },
        |j| j.status == TranscriptionStatus::Completed,
        |j| j.status == TranscriptionStatus::Error,
        |j| j.error_message.clone().unwrap_or_default(),
        PollPolicy::default()
            .with_interval(Duration::from_millis(1))
            .with_growth(1.0),
    )
    .unwrap();
    assert_eq!(done.status, TranscriptionStatus::Completed);
    // JobTiming::Polls { queued: 1, processing: 1 }: queued, processing, completed.
    assert_eq!(checks, 3);
    assert_eq!(mock.stats().route("GET /v1/transcriptions/{id}"), 3);
}

#[test]
fn poll_until_complete_reports_failure_and_timeout() {
    let failed = poll_until_complete(
        || Ok("bad"),
        |_| false,
        |s| *s == "bad",
        |s| format!("status {s}"),
        PollPolicy::default(),
    );
    assert!(matches!(failed, Err(Error::TranscriptionFailed { ref message, .. }) if message == "status bad"));
    let policy = PollPolicy::default()
        .with_interval(Duration::from_millis(1))
        .with_timeout(Some(Duration::from_millis(20)));
    let timed_out = poll_until_complete(|| Ok(0), |_| false, |_| false, |_| String::new(), policy);
    assert!(matches!(timed_out, Err(Error::Timeout(_))));
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
