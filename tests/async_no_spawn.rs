//! The async client starts no thread of its own and spawns no task: the only threads that
//! appear while it works are those of its dependencies' runtime-independent services,
//! async-io's reactor (`async-io`) and the `blocking` crate's pool (`blocking-N`). In
//! particular async-std's executor (`async-std/runtime`, from `async_std::task::spawn` and
//! `spawn_blocking`) must never start: a library task spawned there would tie every caller to
//! async-std's executor.
//!
//! How: the mock runs as a separate `soniox-mock` process (an in-process mock runs on
//! async-std's executor). Each phase of client work (REST calls, realtime sessions, an upload
//! from a path, a connection by host name, a realtime `send_file`) runs in a fresh child process
//! (this test binary again, for this one test) under `futures::executor::block_on`, so a thread
//! is attributed to the phase that started it; a census thread samples `/proc/self/task/*/comm`
//! while the phase runs, and the child prints the names of the threads that appeared. The
//! parent checks every phase's names. This file holds one `#[test]`, so no other test shares the
//! process (Linux only: `/proc`).
#![cfg(all(feature = "async", target_os = "linux"))]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use futures::StreamExt;
use soniox::audio::{pcm_chunks, wav_bytes, write_wav_file, WavSpec};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::transcript_text;
use soniox::nonblocking::{stream_audio, Client, Pace};
use soniox::types::{Cleanup, CreateTranscription, RealtimeConfig, Transcribe};
use soniox::{Error, WaitOptions};

const API_KEY: &str = "no-spawn-test-key";
/// Set in a child: the phase to run, and the mock's URLs.
const PHASE_VAR: &str = "SONIOX_NO_SPAWN_PHASE";
const BASE_URL_VAR: &str = "SONIOX_NO_SPAWN_BASE_URL";
const WS_URL_VAR: &str = "SONIOX_NO_SPAWN_WS_URL";
/// The line a child prints: this prefix, the phase, then the new thread names joined by `|`.
const REPORT: &str = "no-spawn-threads";
/// The census thread's own name.
const CENSUS: &str = "thread-census";

/// The phases, in the order the parent runs them (each in its own process).
const PHASES: [&str; 5] = [
    "rest",
    "realtime",
    "rest_by_host_name",
    "upload_from_path",
    "realtime_send_file",
];

#[test]
fn the_async_client_starts_no_thread_and_no_executor_of_its_own() {
    if let Ok(phase) = std::env::var(PHASE_VAR) {
        return child(&phase);
    }
    let mock = MockProcess::start();
    let mut report = Vec::new();
    let mut offending = Vec::new();
    for phase in PHASES {
        let names = run_child(phase, &mock);
        let foreign: Vec<&String> = names.iter().filter(|n| !allowed(n)).collect();
        report.push(format!("{phase}: {names:?}"));
        if !foreign.is_empty() {
            offending.push(format!("{phase}: {foreign:?}"));
        }
        if phase == "rest" {
            // The reactor is the one service every phase needs (and the README names).
            assert!(
                names.contains("async-io"),
                "no async-io reactor thread in the REST phase: {names:?}"
            );
        }
    }
    eprintln!("threads that appeared, by phase:\n  {}", report.join("\n  "));
    assert!(
        offending.is_empty(),
        "threads other than async-io's reactor and the blocking pool appeared (comm names are cut \
         at 15 bytes; \"async-std/runti\" is async-std's executor):\n  {}",
        offending.join("\n  ")
    );
}

/// async-io's reactor, and the `blocking` crate's pool threads (`blocking-1`, ...).
fn allowed(name: &str) -> bool {
    name == "async-io" || name.strip_prefix("blocking-").is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Runs `phase` in a child process and returns the names of the threads that appeared there.
fn run_child(phase: &str, mock: &MockProcess) -> BTreeSet<String> {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([
            "--exact",
            "the_async_client_starts_no_thread_and_no_executor_of_its_own",
        ])
        .args(["--nocapture", "--test-threads=1"])
        .env(PHASE_VAR, phase)
        .env(BASE_URL_VAR, &mock.base_url)
        .env(WS_URL_VAR, &mock.ws_url)
        .stdin(Stdio::null())
        .output()
        .expect("the child test runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "phase {phase} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let prefix = format!("{REPORT} {phase} ");
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("phase {phase} printed no {REPORT} line:\n{stdout}"));
    line.split('|').filter(|n| !n.is_empty()).map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------
// The child

fn child(phase: &str) {
    let base_url = std::env::var(BASE_URL_VAR).expect("the mock's base URL");
    let ws_url = std::env::var(WS_URL_VAR).expect("the mock's ws URL");
    let dir = tempfile::tempdir().unwrap();
    let census = Census::start();
    futures::executor::block_on(async {
        match phase {
            "rest" => rest(&client(&base_url, &ws_url)).await,
            "realtime" => realtime(&client(&base_url, &ws_url)).await,
            "rest_by_host_name" => {
                let by_name = base_url.replace("127.0.0.1", "localhost");
                assert_ne!(by_name, base_url, "the mock listens on 127.0.0.1");
                assert!(!client(&by_name, &ws_url).models().list().await.unwrap().is_empty());
            }
            "upload_from_path" => upload_from_path(&client(&base_url, &ws_url), dir.path()).await,
            "realtime_send_file" => realtime_send_file(&client(&base_url, &ws_url), dir.path()).await,
            other => panic!("unknown phase {other:?}"),
        }
    });
    let names = census.stop();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    // On a line of its own: libtest has printed "test ... " without a newline.
    println!("\n{REPORT} {phase} {}", names.join("|"));
}

fn client(base_url: &str, ws_url: &str) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .ws_url(ws_url)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

fn wait() -> WaitOptions {
    WaitOptions::default()
        .interval(Duration::from_millis(2))
        .growth(1.0)
        .timeout(Some(Duration::from_secs(30)))
}

/// REST calls, 20 of them concurrent, an upload from memory, a job waited for and deleted.
async fn rest(client: &Client) {
    assert!(!client.models().list().await.unwrap().is_empty());
    let listed = join_all((0..20).map(|_| async { client.models().list().await }))
        .await
        .into_iter()
        .filter(|r| r.as_ref().is_ok_and(|m| !m.is_empty()))
        .count();
    assert_eq!(listed, 20);
    let wav = wav_bytes(WavSpec::default(), Duration::from_secs(1));
    let file = client
        .files()
        .upload_reader(futures::io::Cursor::new(&wav), "memory.wav", wav.len() as u64)
        .await
        .unwrap();
    assert_eq!(file.size, wav.len() as u64);
    let job = client
        .transcriptions()
        .create(CreateTranscription::file_id(&file.id))
        .await
        .unwrap();
    client.transcriptions().wait(&job.id, wait()).await.unwrap();
    assert_eq!(
        client.transcriptions().transcript(&job.id).await.unwrap().text,
        transcript_text(1_000)
    );
    client.transcriptions().delete(&job.id).await.unwrap();
    client.files().delete(&file.id).await.unwrap();
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// Two sessions: `send_audio` then `finish`; `stream_audio` from a future joined with the reader.
async fn realtime(client: &Client) {
    let ms = 2_000;
    let pcm: Vec<u8> = pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect();

    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    for frame in pcm.chunks(4 * 1024) {
        stream.send_audio(frame).await.unwrap();
    }
    let events = stream.finish().await.unwrap();
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));

    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    let sender = stream.sender();
    let feeder = async {
        let sent = stream_audio(&sender, futures::io::Cursor::new(&pcm), 3_200, Pace::AsFastAsPossible).await?;
        sender.finish().await?;
        Ok::<_, Error>(sent)
    };
    let reader = (&mut stream).take(10_000).collect::<Vec<_>>();
    let (sent, events) = futures::join!(feeder, reader);
    assert_eq!(sent.unwrap(), pcm.len() as u64);
    assert!(matches!(events.last(), Some(Ok(RealtimeEvent::Finished))));
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));
}

/// `Files::upload` and `Transcribe::path`: the client reads a local file.
async fn upload_from_path(client: &Client, dir: &Path) {
    let path = dir.join("path.wav");
    write_wav_file(&path, WavSpec::default(), Duration::from_secs(1)).unwrap();
    let file = client.files().upload(&path).await.unwrap();
    client.files().delete(&file.id).await.unwrap();
    let done = client
        .transcribe(Transcribe::path(&path).wait(wait()).cleanup(Cleanup::All))
        .await
        .unwrap();
    assert_eq!(done.transcript.text, transcript_text(1_000));
}

/// A realtime session fed by `send_file` from a local file of raw PCM.
async fn realtime_send_file(client: &Client, dir: &Path) {
    let ms = 1_000;
    let path = dir.join("audio.raw");
    let pcm: Vec<u8> = pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect();
    std::fs::write(&path, &pcm).unwrap();
    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    let sent = stream.send_file(&path, 3_200, Pace::AsFastAsPossible).await.unwrap();
    stream.finish().await.unwrap();
    assert_eq!(sent, pcm.len() as u64);
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));
}

// ---------------------------------------------------------------------------------------------
// The thread census

/// Names of this process's threads (`/proc/self/task/*/comm`, at most 15 bytes each).
fn thread_names() -> BTreeSet<String> {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|comm| comm.trim_end().to_owned())
        .collect()
}

/// A thread that samples the thread names every millisecond, so short-lived threads count too.
struct Census {
    before: BTreeSet<String>,
    seen: Arc<Mutex<BTreeSet<String>>>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Census {
    /// At most 10 minutes of samples (a bound; a phase takes well under a second).
    const MAX_SAMPLES: u32 = 600_000;

    fn start() -> Census {
        let before = thread_names();
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name(CENSUS.to_owned())
            .spawn({
                let (seen, stop) = (seen.clone(), stop.clone());
                move || {
                    for _ in 0..Census::MAX_SAMPLES {
                        let names = thread_names();
                        seen.lock().unwrap().extend(names);
                        if stop.load(SeqCst) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            })
            .expect("the census thread starts");
        Census {
            before,
            seen,
            stop,
            thread,
        }
    }

    /// Stops sampling; returns the names seen that were not there at the start.
    fn stop(self) -> BTreeSet<String> {
        self.stop.store(true, SeqCst);
        self.thread.join().expect("the census thread");
        let mut seen = self.seen.lock().unwrap().clone();
        seen.extend(thread_names());
        seen.retain(|n| n != CENSUS && !self.before.contains(n));
        seen
    }
}

// ---------------------------------------------------------------------------------------------
// The mock in its own process

/// A `soniox-mock` child process, killed and reaped on drop (also when the test panics).
struct MockProcess {
    child: Child,
    /// Kept open so the child never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    base_url: String,
    ws_url: String,
}

impl MockProcess {
    fn start() -> MockProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_soniox-mock"))
            .args(["--port", "0", "--api-key", API_KEY, "--job-timing", "immediate"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("soniox-mock starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut mock = MockProcess {
            base_url: url_after(&mut stdout, "soniox-mock listening on "),
            ws_url: url_after(&mut stdout, "soniox-mock realtime on "),
            child,
            _stdout: stdout,
        };
        let addr = mock.base_url.trim_start_matches("http://").to_owned();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(&addr).is_err() {
            if Instant::now() > deadline {
                let _ = mock.child.kill();
                panic!("soniox-mock does not accept on {addr}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        mock
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one stdout line and returns what follows `prefix`.
fn url_after(stdout: &mut impl BufRead, prefix: &str) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("soniox-mock stdout");
    match line.trim_end().strip_prefix(prefix) {
        Some(url) => url.to_owned(),
        None => panic!("soniox-mock printed {line:?}, expected {prefix:?}..."),
    }
}
