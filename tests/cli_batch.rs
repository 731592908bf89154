//! `soniox transcribe` against the in-process mock: a 20-file batch over 4 workers, and a
//! batch where some files fail without stopping the others.

mod common_cli;

use common_cli::{held_jobs_mock, mock, run, soniox, wav};
use soniox::mock::transcript_text;

#[test]
fn twenty_files_over_four_workers_are_all_transcribed_and_nothing_is_left_behind() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let durations: Vec<u64> = (0..20).map(|i| 3_000 + 250 * i).collect();
    let files: Vec<String> = durations
        .iter()
        .enumerate()
        .map(|(i, ms)| wav(dir.path(), &format!("clip{i:02}.wav"), *ms).display().to_string())
        .collect();
    let mut args = vec!["transcribe", "--concurrency", "4", "--output", out.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));

    let r = run(soniox(&mock), &args, None);

    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("20 files in "), "{}", r.stderr);
    assert!(r.stderr.contains(": 20 transcribed, 0 failed"), "{}", r.stderr);
    assert_eq!(r.stdout, "", "transcripts went to --output");
    for (i, ms) in durations.iter().enumerate() {
        let text = std::fs::read_to_string(out.join(format!("clip{i:02}.txt"))).unwrap();
        assert_eq!(text, format!("{}\n", transcript_text(*ms)), "clip{i:02}");
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 20, "no stray (.part) files");

    let s = mock.stats();
    assert_eq!((s.uploads, s.route("POST /v1/files")), (20, 20));
    assert_eq!(s.route("POST /v1/transcriptions"), 20);
    assert_eq!(s.route("GET /v1/transcriptions/{id}/transcript"), 20);
    assert_eq!(
        (
            s.route("DELETE /v1/transcriptions/{id}"),
            s.route("DELETE /v1/files/{id}")
        ),
        (20, 20)
    );
    assert!(
        (1..=4).contains(&s.peak_concurrent_uploads),
        "peak concurrent uploads {}",
        s.peak_concurrent_uploads
    );
    assert!(
        s.peak_connections <= 5,
        "4 workers (+1 for cleanup): {}",
        s.peak_connections
    );
    assert_eq!(mock.files().len(), 0, "every upload deleted");
    assert_eq!(mock.transcriptions().len(), 0, "every job deleted");
}

#[test]
fn failing_files_do_not_stop_the_others_and_the_summary_says_why() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let good_a = wav(dir.path(), "a.wav", 2_000);
    let corrupt = wav(dir.path(), "corrupt.wav", 2_000); // the mock fails jobs of files named *corrupt*
    let missing = dir.path().join("missing.wav");
    let good_b = wav(dir.path(), "b.wav", 3_000);
    let paths = [&good_a, &corrupt, &missing, &good_b];
    let mut args = vec!["--json", "transcribe", "--concurrency", "2"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));

    let r = run(soniox(&mock), &args, None);

    assert_eq!(r.code, Some(1), "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v["total"].as_u64(), v["transcribed"].as_u64(), v["failed"].as_u64()),
        (Some(4), Some(2), Some(2))
    );
    let files = v["files"].as_array().unwrap();
    let ok: Vec<bool> = files.iter().map(|f| f["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, false, false, true]);
    assert_eq!(files[0]["transcript"], format!("{}\n", transcript_text(2_000)));
    assert_eq!(files[3]["transcript"], format!("{}\n", transcript_text(3_000)));
    assert_eq!(files[1]["step"], "transcription");
    assert_eq!(files[1]["error"]["error_type"], "invalid_audio_file");
    assert_eq!(files[2]["step"], "upload");
    assert_eq!(files[2]["error"]["error_type"], "io");
    assert!(files[2]["error"]["message"].as_str().unwrap().contains("missing.wav"));

    assert!(r.stderr.contains("4 files in "), "{}", r.stderr);
    assert!(r.stderr.contains(": 2 transcribed, 2 failed"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("failed: {}: transcription: transcription ", corrupt.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("invalid_audio_file"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("failed: {}: upload: ", missing.display())),
        "{}",
        r.stderr
    );

    let s = mock.stats();
    assert_eq!(
        (s.uploads, s.route("POST /v1/transcriptions")),
        (3, 3),
        "the missing file sent nothing"
    );
    assert_eq!(mock.files().len(), 0, "the failed job's file was deleted too");
    assert_eq!(mock.transcriptions().len(), 0, "the failed job was deleted too");
}

#[test]
fn text_goes_to_standard_output_in_input_order_with_headers() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let a = wav(dir.path(), "a.wav", 1_500);
    let b = wav(dir.path(), "b.wav", 2_500);
    let r = run(
        soniox(&mock),
        &[
            "transcribe",
            "--concurrency",
            "2",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "==> {} <==\n{}\n\n==> {} <==\n{}\n\n",
            a.display(),
            transcript_text(1_500),
            b.display(),
            transcript_text(2_500)
        )
    );
    let one = run(soniox(&mock), &["transcribe", a.to_str().unwrap()], None);
    assert_eq!(one.stdout, format!("{}\n", transcript_text(1_500)));
}

#[test]
fn keep_leaves_the_files_and_jobs_and_reports_their_ids() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let a = wav(dir.path(), "a.wav", 1_000);
    let r = run(
        soniox(&mock),
        &["--json", "transcribe", "--keep", a.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let (files, jobs) = (mock.files(), mock.transcriptions());
    assert_eq!((files.len(), jobs.len()), (1, 1));
    assert_eq!(v["files"][0]["file_id"], files[0].id);
    assert_eq!(v["files"][0]["transcription_id"], jobs[0].id);
    assert_eq!(jobs[0].status, "completed");
}

#[test]
fn a_job_that_outlasts_the_timeout_fails_its_file_and_is_still_cleaned_up() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::thread;
    use std::time::{Duration, Instant};

    // The job is `processing` until it has been checked (GET) 100 times: the tool, waiting
    // 1 s (`--timeout 1`) on the core poller's schedule, cannot end it, so it must give up
    // whatever the machine's speed. Its cleanup delete is then refused (409) until the job
    // ends, which this test brings about only after seeing that refusal.
    const PROCESSING_CHECKS: u32 = 100;
    let mock = held_jobs_mock(PROCESSING_CHECKS);
    let dir = tempfile::tempdir().unwrap();
    let slow = wav(dir.path(), "slow.wav", 2_000);

    let run_over = AtomicBool::new(false);
    let (r, ended) = thread::scope(|scope| {
        let ender = scope.spawn(|| {
            // Wait for the refused delete (or the run's end; at most 60 s, a hang guard).
            let deadline = Instant::now() + Duration::from_secs(60);
            let refused = loop {
                let log = mock.response_log();
                if let Some(r) = log
                    .iter()
                    .find(|r| r.method == "DELETE" && r.status == 409 && r.path.starts_with("/v1/transcriptions/"))
                {
                    break r.path.clone();
                }
                if run_over.load(SeqCst) || Instant::now() > deadline {
                    return false;
                }
                thread::sleep(Duration::from_millis(20));
            };
            let client = soniox::blocking::Client::builder()
                .api_key(mock.api_key())
                .base_url(mock.base_url())
                .build()
                .unwrap();
            // Checked until it answers `completed` or is gone: the check that ends `processing`
            // still answers `processing` (the mock counts a check after answering it), and the
            // tool's next delete may then remove the job before this test checks again.
            let id = refused.trim_start_matches("/v1/transcriptions/");
            (0..=PROCESSING_CHECKS).any(|_| match client.transcriptions().get(id) {
                Ok(t) => t.status.as_str() == "completed",
                Err(e) if e.status() == Some(404) => true,
                Err(e) => panic!("checking job {id}: {e:?}"),
            })
        });
        let r = run(
            soniox(&mock),
            &["transcribe", "--timeout", "1", slow.to_str().unwrap()],
            None,
        );
        run_over.store(true, SeqCst);
        (r, ender.join().unwrap())
    });

    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("after 1 s (--timeout)"), "{}", r.stderr);
    assert!(r.stderr.contains(": 0 transcribed, 1 failed"), "{}", r.stderr);
    assert!(
        ended,
        "the tool's delete was refused while the job processed: {}",
        r.stderr
    );
    // The tool's checks are the GETs before its first delete (this test's came after). The
    // first is immediate; then each pause (200 ms, growing 1.5× per check) starts after the
    // previous answer, so checks can come late but never early: at 0, 0.2, 0.5 and 0.95 s
    // at the earliest, and the next (1.625 s) is past the timeout. At most 4, never a busy
    // loop; at least the immediate one.
    let log = mock.response_log();
    let first_delete = log
        .iter()
        .position(|r| r.method == "DELETE" && r.path.starts_with("/v1/transcriptions/"))
        .expect("the job was deleted");
    let checks = log[..first_delete]
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/v1/transcriptions/"))
        .count();
    assert!((1..=4).contains(&checks), "{checks} status checks");
    assert_eq!(mock.stats().route("GET /v1/transcriptions/{id}/transcript"), 0);
    // Nothing left behind: the job is deleted once it ends (409 until then).
    assert_eq!(mock.files().len(), 0, "upload deleted: {}", r.stderr);
    assert_eq!(mock.transcriptions().len(), 0, "job deleted: {}", r.stderr);
    let deletes: Vec<u16> = log[first_delete..]
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/v1/transcriptions/"))
        .map(|r| r.status)
        .collect();
    let (last, refusals) = deletes.split_last().unwrap();
    assert_eq!(*last, 204, "{deletes:?}");
    assert!(
        !refusals.is_empty() && refusals.iter().all(|s| *s == 409),
        "{deletes:?}"
    );
}
