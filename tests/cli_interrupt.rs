//! Ctrl-C (SIGINT) during `soniox transcribe`: the tool stops, deletes every file and job
//! it created (waiting for jobs still processing, which cannot be deleted before they end),
//! and exits with 130.
#![cfg(unix)]

mod common_cli;
mod common_signal;

use std::io::Read;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use common_cli::{soniox, wav};
use soniox::mock::{JobTiming, MockConfig, MockServer};

#[test]
fn ctrl_c_mid_batch_deletes_every_file_and_job_and_exits_130() {
    let mock = MockServer::start_with(MockConfig::default().job_timing(JobTiming::Elapsed {
        queued: Duration::ZERO, // processing at once: deletes get 409 until the job ends
        processing: Duration::from_millis(1_500),
    }))
    .unwrap();
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
    assert_eq!(mock.transcriptions().len(), 2, "both workers created a job");
    common_signal::interrupt(&child);
    let status = common_signal::exit_within(&mut child, Duration::from_secs(60), "soniox");
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted; stopping and cleaning up"), "{stderr}");
    assert_eq!(mock.files().len(), 0, "every upload deleted: {stderr}");
    assert_eq!(mock.transcriptions().len(), 0, "every job deleted: {stderr}");
    let s = mock.stats();
    assert_eq!(s.route("DELETE /v1/files/{id}"), s.uploads, "one delete per upload");
    // The jobs were processing when interrupted: their first deletes were refused (409).
    assert!(s.route("DELETE /v1/transcriptions/{id}") > 2, "{s:?}");
}
