//! Ctrl-C (SIGINT) during `soniox transcribe`: the tool stops, deletes every file and job
//! it created (waiting for jobs still processing, which cannot be deleted before they end),
//! and exits with 130. Each step waits for what the mock saw (jobs created, deletes
//! refused), never for a time; the bounds only catch a hang.
#![cfg(unix)]

mod common_cli;
mod common_signal;

use std::io::Read;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common_cli::{held_jobs_mock, soniox, wav};
use soniox::blocking::Client;
use soniox::types::TranscriptionStatus;

#[test]
fn ctrl_c_mid_batch_deletes_every_file_and_job_and_exits_130() {
    // Jobs are `processing` from the start until they have been checked (GET) 100 times:
    // the tool's own few checks before Ctrl-C cannot end them, and deletes do not count. So
    // every cleanup delete is refused (409) until this test, having seen that refusal for
    // both jobs, ends them with its own checks. No clock decides any outcome.
    const PROCESSING_CHECKS: u32 = 100;
    let mock = held_jobs_mock(PROCESSING_CHECKS);
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..4)
        .map(|i| wav(dir.path(), &format!("f{i}.wav"), 2_000).display().to_string())
        .collect();
    let mut cmd = soniox(&mock);
    cmd.args(["transcribe", "--concurrency", "2"])
        .args(&files)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    // Interrupt once both workers have a job (at most 20 s).
    for _ in 0..1_000 {
        if mock.transcriptions().len() >= 2 {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let jobs = mock.transcriptions();
    assert_eq!(jobs.len(), 2, "both workers created a job");
    assert!(jobs.iter().all(|j| j.status == "processing"), "{jobs:?}");
    common_signal::interrupt(&child);

    // The cleanup tries to delete each job and is refused while it processes (at most 30 s:
    // a hang guard).
    let refused = |id: &str| {
        let path = format!("/v1/transcriptions/{id}");
        mock.response_log()
            .iter()
            .any(|r| r.method == "DELETE" && r.path == path && r.status == 409)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !jobs.iter().all(|j| refused(&j.id)) {
        assert!(Instant::now() < deadline, "no refused delete of each job within 30 s");
        thread::sleep(Duration::from_millis(20));
    }
    // Now the jobs end: checked until they answer `completed`, which lets the waiting deletes
    // through, or are gone. Both are the end: the check that ends `processing` still answers
    // `processing` (the mock counts a check after answering it), and the tool's next delete
    // may then remove the job before this test checks again.
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    for job in &jobs {
        let ended = (0..=PROCESSING_CHECKS).any(|_| match client.transcriptions().get(&job.id) {
            Ok(t) => t.status == TranscriptionStatus::Completed,
            Err(e) if e.status() == Some(404) => true,
            Err(e) => panic!("checking job {}: {e:?}", job.id),
        });
        assert!(ended, "job {} ended after {PROCESSING_CHECKS} checks", job.id);
    }

    let status = common_signal::exit_within(&mut child, Duration::from_secs(60), "soniox");
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted; stopping and cleaning up"), "{stderr}");
    assert_eq!(mock.files().len(), 0, "every upload deleted: {stderr}");
    assert_eq!(mock.transcriptions().len(), 0, "every job deleted: {stderr}");
    let s = mock.stats();
    assert_eq!(s.route("DELETE /v1/files/{id}"), s.uploads, "one delete per upload");
    // Each job: refused while processing, then deleted once it ended, by its worker (the
    // tool cleans up after workers itself only when they take over 20 s to stop).
    for job in &jobs {
        let path = format!("/v1/transcriptions/{}", job.id);
        let deletes: Vec<u16> = mock
            .response_log()
            .iter()
            .filter(|r| r.method == "DELETE" && r.path == path)
            .map(|r| r.status)
            .collect();
        let (deleted, refusals) = deletes
            .split_last()
            .unwrap_or_else(|| panic!("job {} never deleted", job.id));
        assert_eq!(*deleted, 204, "{deletes:?}");
        assert!(
            !refusals.is_empty() && refusals.iter().all(|s| *s == 409),
            "{deletes:?}"
        );
    }
}
