//! Shared helpers for the `soniox` binary tests (`tests/cli_*.rs`): an in-process mock
//! the binary is pointed at through the environment, bounded runs, WAV files.
#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use soniox::audio::{write_wav_file, WavSpec};
use soniox::mock::{JobTiming, MockConfig, MockServer, MockStats};

/// Longest a single run of the binary may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// A mock whose jobs finish after one `queued` and one `processing` poll (no timing involved).
pub fn mock() -> MockServer {
    MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Polls {
                queued: 1,
                processing: 1,
            })
            .max_pending_jobs(1_000),
    )
    .expect("mock server starts")
}

/// The binary with the mock's key and URLs in its environment (nothing else from ours).
/// A mock whose jobs stay `processing` until they have been checked (GET) `checks` times,
/// recording its responses: a test decides when a job ends, no clock does.
pub fn held_jobs_mock(checks: u32) -> MockServer {
    MockServer::start_with(
        MockConfig::default()
            .job_timing(JobTiming::Polls {
                queued: 0,
                processing: checks,
            })
            .record_responses(true),
    )
    .expect("mock server starts")
}

pub fn soniox(mock: &MockServer) -> Command {
    let mut cmd = bare();
    cmd.env("SONIOX_API_KEY", mock.api_key())
        .env("SONIOX_API_BASE_URL", mock.base_url())
        .env("SONIOX_WS_URL", mock.ws_url())
        .env("SONIOX_TTS_API_URL", mock.tts_url());
    cmd
}

/// The binary with no Soniox variables set, and no proxy variables (its `from_env` honours
/// them; the mocks are on 127.0.0.1).
pub fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_soniox"));
    cmd.env_remove("SONIOX_API_KEY")
        .env_remove("SONIOX_API_BASE_URL")
        .env_remove("SONIOX_WS_URL")
        .env_remove("SONIOX_TTS_API_URL");
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` with `args`, feeding `stdin`, killing it (and failing) after [`RUN_LIMIT`].
pub fn run(mut cmd: Command, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    cmd.args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the soniox binary starts");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    // Lossy: `speak` may write audio to standard output.
    let out_t = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let err_t = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("soniox {args:?} did not finish within {RUN_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    Run {
        code: status.code(),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// A 16 kHz mono WAV of `ms` milliseconds at `dir/name`.
pub fn wav(dir: &Path, name: &str, ms: u64) -> PathBuf {
    let path = dir.join(name);
    write_wav_file(&path, WavSpec::default(), Duration::from_millis(ms)).unwrap();
    path
}

/// The mock's stats once `done` holds (polled for at most 10 s).
pub fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    for _ in 0..500 {
        let s = mock.stats();
        if done(&s) {
            return s;
        }
        thread::sleep(Duration::from_millis(20));
    }
    mock.stats()
}
