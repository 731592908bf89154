//! `soniox-load` end to end: the binary against its embedded mock, with short runs.
//! Every assertion is a count or a status, never a timing.
//!
//! The one-minute rate-limit window test is ignored by default; run it with
//! `cargo test --features load --test load_cli -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[cfg(unix)]
mod common_signal;

const BIN: &str = env!("CARGO_BIN_EXE_soniox-load");

/// Runs the binary with `args` plus `--json`; returns the exit code and the report.
fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    let json = dir.join("report.json");
    let out = Command::new(BIN)
        .args(args)
        .args(["--quiet", "--json"])
        .arg(&json)
        .output()
        .expect("run soniox-load");
    let code = out.status.code().expect("exit code");
    let text = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (code, serde_json::from_str(&text).expect("the JSON report parses"))
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn task<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no task {name} in {}", report["tasks"]))
}

/// The facts every clean run has: each task ran, the sums add up, nothing failed.
fn assert_clean_run(r: &Value, users: u64) {
    let tasks = r["tasks"].as_array().unwrap();
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "/files [list]",
            "/transcriptions [create]",
            "/models [list]",
            "/files [upload]"
        ]
    );
    for t in tasks {
        assert!(n(&t["requests"]) > 0, "{}", t["name"]);
        assert_eq!(n(&t["failures"]), 0, "{}", t["name"]);
    }
    let total = n(&r["total"]["requests"]);
    assert_eq!(tasks.iter().map(|t| n(&t["requests"])).sum::<u64>(), total);
    assert_eq!(n(&r["total"]["failures"]), 0);
    assert_eq!(n(&task(r, "/files [upload]")["requests"]), users, "one upload per user");
    let per_second: u64 = r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| n(&s["requests"]))
        .sum();
    assert_eq!(per_second, total, "the time series holds every request once");
    assert_eq!(
        n(&r["mock"]["requests"]),
        total,
        "no retries: the mock saw exactly our requests"
    );
    assert_eq!(r["passed"], true);
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn a_blocking_run_against_the_mock_exits_zero_and_every_report_adds_up() {
    let dir = tempdir();
    let csv = dir.path().join("run");
    let html = dir.path().join("run.html");
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "--users",
            "3",
            "--spawn-rate",
            "100",
            "--run-time",
            "2s",
            "--wait",
            "0",
            "--csv",
            csv.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert_clean_run(&r, 3);
    assert_eq!(r["settings"]["client"], "blocking");
    assert_eq!(
        r["settings"]["mix"],
        "list-files=3,create-transcription=2,list-models=1"
    );

    let stats = read(&PathBuf::from(format!("{}_stats.csv", csv.display())));
    assert_eq!(stats.lines().count(), 1 + 4 + 1, "header, four tasks, aggregated");
    assert!(stats.lines().last().unwrap().starts_with(",Aggregated,"));
    let history = read(&PathBuf::from(format!("{}_stats_history.csv", csv.display())));
    assert_eq!(history.lines().count(), 1 + r["timeline"].as_array().unwrap().len());
    let failures = read(&PathBuf::from(format!("{}_failures.csv", csv.display())));
    assert_eq!(failures.lines().count(), 1, "header only");
    let page = read(&html);
    assert_eq!(page.matches("<svg").count(), 3, "requests/s, percentiles, users");
    assert!(page.contains("/transcriptions [create]"));
}

#[test]
fn an_async_run_against_the_mock_adds_up_the_same_way() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock", "-u", "4", "-r", "100", "-t", "2s", "--wait", "0", "--client", "async",
        ],
    );
    assert_eq!(code, 0);
    assert_clean_run(&r, 4);
    assert_eq!(r["settings"]["client"], "async");
}

#[test]
fn a_custom_mix_runs_only_the_weighted_tasks() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "-u",
            "2",
            "-r",
            "100",
            "-t",
            "2s",
            "--wait",
            "0",
            "--mix",
            "list-models=1",
        ],
    );
    assert_eq!(code, 0);
    let names: Vec<&str> = r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/models [list]", "/files [upload]"]);
}

#[test]
fn a_tiny_rpm_limit_shows_up_as_rate_limited_failures_and_fails_the_run() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "--mock-rpm",
            "10",
            "-u",
            "2",
            "-r",
            "100",
            "-t",
            "2s",
            "--wait",
            "0",
        ],
    );
    assert_eq!(code, 1, "the failure ratio is far above 1%");
    let total = &r["total"];
    let (requests, failures) = (n(&total["requests"]), n(&total["failures"]));
    assert_eq!(requests - failures, 10, "exactly the limit succeeded within the minute");
    let kinds = &total["failures_by_kind"];
    assert_eq!(n(&kinds["rate_limited"]), failures);
    for other in ["http", "timeout", "transport", "other"] {
        assert_eq!(n(&kinds[other]), 0, "{other}");
    }
    assert_eq!(n(&kinds["statuses"]["429"]), failures);
    assert_eq!(r["passed"], false);
}

#[test]
fn with_sdk_retries_on_injected_429s_become_delayed_successes() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "--mock-429",
            "3",
            "--retries",
            "5",
            "-u",
            "2",
            "-r",
            "100",
            "-t",
            "3s",
            "--wait",
            "0",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(n(&r["total"]["failures"]), 0);
    assert_eq!(n(&r["mock"]["faults_injected"]), 3);
    assert_eq!(
        n(&r["mock"]["requests"]),
        n(&r["total"]["requests"]) + 3,
        "each 429 was answered once more by a retry"
    );
}

#[test]
fn without_retries_the_same_429s_are_counted_as_rate_limited() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "--mock-429",
            "3",
            "-u",
            "2",
            "-r",
            "100",
            "-t",
            "2s",
            "--wait",
            "0",
            "--max-failure-ratio",
            "1",
        ],
    );
    assert_eq!(code, 0, "a ratio of 1 tolerates every failure");
    assert_eq!(n(&r["total"]["failures_by_kind"]["rate_limited"]), 3);
    assert_eq!(n(&r["total"]["failures"]), 3);
    assert_eq!(n(&r["mock"]["requests"]), n(&r["total"]["requests"]));
}

#[test]
fn bad_arguments_exit_with_status_2() {
    for args in [
        &["--mock"][..],
        &["--run-time", "2s"],
        &["--mock", "-t", "2s", "--mix", "list-files=0"],
        &["--mock", "-t", "2s", "-u", "0"],
        &["--mock", "-t", "2s", "--wait", "3..1"],
        &["--mock", "-t", "later"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// The mock's window is one minute: with retries on, the requests refused in its second
/// half wait for the next window (`Retry-After`) and then succeed. Takes 65 s.
#[test]
#[ignore = "takes 65 s; run with --ignored"]
fn an_rpm_limited_run_with_retries_turns_429s_into_delayed_successes() {
    let dir = tempdir();
    let (code, r) = run(
        dir.path(),
        &[
            "--mock",
            "--mock-rpm",
            "60",
            "--retries",
            "3",
            "-u",
            "2",
            "-r",
            "10",
            "-t",
            "65s",
            "--wait",
            "1",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(n(&r["total"]["failures"]), 0);
    assert_eq!(
        n(&r["mock"]["requests"]) - n(&r["total"]["requests"]),
        2,
        "each user's request refused at the limit was retried once, after the window"
    );
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_long_run_early_with_the_report_written_and_exit_130() {
    use std::process::Stdio;
    use std::thread;
    use std::time::{Duration, Instant};

    use soniox::mock::{JobTiming, MockConfig, MockServer};

    // A mock in this process (configured as `--mock` configures its own), so the test sees
    // the run start: Ctrl-C goes once every user has uploaded its file and the users have
    // made 3 requests more (the task mix is running), not after a guessed time.
    let mock = MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Immediate)
            .max_pending_jobs(usize::MAX),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    // Ten minutes planned: only Ctrl-C can end it within the bound below.
    let mut child = Command::new(BIN)
        .args(["--host", &mock.base_url(), "--api-key", &mock.api_key()])
        .args(["--users", "3", "--spawn-rate", "100", "--run-time", "10m"])
        .args(["--wait", "0.05..0.1", "--quiet", "--json"])
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = mock.stats();
        if s.uploads == 3 && s.requests >= 6 {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not start within 30 s: {s:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
    common_signal::interrupt(&child);
    let status = common_signal::exit_within(&mut child, Duration::from_secs(60), "soniox-load");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; finishing the requests in flight"),
        "{stderr}"
    );
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The report holds every request the mock saw (the ones in flight at Ctrl-C finished
    // and were counted), one upload per user, and nothing failed.
    let s = mock.stats();
    assert_eq!(n(&r["total"]["requests"]), s.requests, "{r}");
    assert!(s.requests >= 6, "{s:?}");
    assert_eq!(n(&task(&r, "/files [upload]")["requests"]), 3, "{r}");
    assert_eq!(s.uploads, 3);
    assert_eq!(n(&r["total"]["failures"]), 0, "{r}");
}
