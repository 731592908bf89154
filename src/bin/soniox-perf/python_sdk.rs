//! The official Python SDK's client CPU, measured in the same run against the same mock
//! (`--python-sdk PYTHON`, a Python with `tools/python-sdk/requirements.txt` installed), in
//! rounds that alternate with the matching Rust rounds, so the "≤ 1/5 of the Python SDK's
//! CPU" targets compare two figures taken under the same load instead of a number quoted
//! from elsewhere.
//!
//! The script runs once, as a worker (`measure.py --serve`): it warms up, then runs one
//! batch per request. Each round runs, in [`order`] (which side goes first alternates), a
//! batch of `models().list()` on the Python SDK, the blocking and the async Rust clients,
//! then a batch of 4 KB realtime round trips (back to back) on the Python SDK and the
//! blocking Rust stream. Each figure is the median over rounds of the batch's CPU per
//! operation (every thread of the process: Python's `process_time()`, our schedstat sum).
//!
//! Without `--python-sdk` the targets use the figures issue 5 quotes, and every such target
//! and its metric's note say "quoted".

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use async_std::task::block_on;
use serde::Deserialize;

use crate::cpu;
use crate::measure::{median, order, Op};
use crate::metric::{Field, Metric, Target};
use crate::mock_proc::API_KEY;
use crate::scenarios::floors;

const GROUP: &str = "Python SDK";
/// The measuring script, in this repository.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/python-sdk/measure.py");
/// How every "≤ 1/5 of the Python SDK's" target label starts, quoted or measured.
const LABEL: &str = "≤ 1/5 of the Python SDK's";
/// How a metric's note says its Python figure is quoted; what follows is replaced when the
/// figure is measured.
const QUOTED_NOTE: &str = "; Python SDK figure quoted";
/// How a metric's note says its Python figure was measured.
const MEASURED_NOTE: &str = "; Python SDK figure measured in this run";
/// Warm-up operations of each Rust client before the rounds (the worker warms up too).
const WARM_UP: usize = 50;

/// The target as issue 5 quotes the Python SDK's CPU (`python_us` on its machine), labelled
/// "quoted"; a run with `--python-sdk` replaces it with [`compare`]'s measured one.
pub fn quoted_target(python_us: f64) -> Target {
    let bound = python_us / 5.0;
    Target::le(
        Field::Value,
        bound,
        format!("{LABEL}, quoted ({python_us:.0} µs → ≤ {bound:.0} µs)"),
    )
}

/// `m` with the quoted Python target, and its note saying so.
pub fn quote(m: Metric, python_us: f64) -> Metric {
    let note = format!(
        "{}{QUOTED_NOTE} ({python_us:.0} µs per operation, as issue 5 measured it on this machine; \
         not measured in this run: --python-sdk PYTHON measures it, interleaved with our rounds)",
        m.note
    );
    m.target(quoted_target(python_us)).note(note)
}

fn is_python_target(t: &Target) -> bool {
    t.label.starts_with(LABEL)
}

/// Rounds and batch sizes of the interleaved comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Rounds.
    pub rounds: usize,
    /// `models().list()` calls per batch.
    pub calls: usize,
    /// Realtime round trips per batch.
    pub chunks: usize,
}

impl Schedule {
    /// `--quick` or the full run.
    pub fn new(quick: bool) -> Schedule {
        if quick {
            Schedule {
                rounds: 5,
                calls: 40,
                chunks: 100,
            }
        } else {
            Schedule {
                rounds: 15,
                calls: 100,
                chunks: 200,
            }
        }
    }
}

/// What kind of batch the worker runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `client.models.list()`.
    Rest,
    /// `send_byte_chunk` + `receive_event` until the result.
    Realtime,
}

/// The Python side of a round: CPU µs per operation of a batch of `n`.
pub trait Python {
    /// Runs one batch.
    fn batch(&mut self, kind: Kind, n: usize) -> Result<f64, String>;
}

/// The medians of an interleaved comparison, µs per operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// The Python SDK's name and version.
    pub sdk: String,
    /// Python `models.list()`.
    pub python_rest: f64,
    /// Python realtime round trip.
    pub python_realtime: f64,
    /// Blocking `models().list()`.
    pub rest_blocking: f64,
    /// Async `models().list()`.
    pub rest_async: f64,
    /// Blocking realtime round trip.
    pub realtime_blocking: f64,
    /// The fair raw floor's realtime round trip (blocking tungstenite), in the same rounds.
    pub realtime_raw: f64,
    /// Rounds run.
    pub rounds: usize,
}

/// CPU µs per operation of `n` runs of `op` (every thread of this process).
fn rust_batch(op: Op<'_>, n: usize) -> Result<f64, String> {
    let c0 = cpu::process_ns().ok_or("no per-thread CPU clock (/proc/self/task/*/schedstat)")?;
    for _ in 0..n {
        op()?;
    }
    let c1 = cpu::process_ns().ok_or("no per-thread CPU clock")?;
    Ok(c1.saturating_sub(c0) as f64 / 1000.0 / n as f64)
}

/// The interleaved rounds: REST on [Python, blocking, async], then realtime on [Python,
/// blocking, the fair raw floor], each in [`order`]; medians per side. The raw floor runs in
/// the realtime rounds as a control: back to back, this machine's CPU per chunk swings
/// between about 12 and 50 µs with the scheduler's placement of client and mock (the SDK
/// and the raw floor alike), and a reader must see which state the rounds ran in.
pub fn interleave(
    python: &mut dyn Python,
    sdk: String,
    s: Schedule,
    rest_blocking: Op<'_>,
    rest_async: Op<'_>,
    realtime: Op<'_>,
    realtime_raw: Op<'_>,
) -> Result<Figures, String> {
    for _ in 0..WARM_UP {
        rest_blocking()?;
        rest_async()?;
        realtime()?;
        realtime_raw()?;
    }
    let mut rest: [Vec<f64>; 3] = Default::default();
    let mut rt: [Vec<f64>; 3] = Default::default();
    for round in 0..s.rounds {
        for side in order(round, 3) {
            rest[side].push(match side {
                0 => python.batch(Kind::Rest, s.calls)?,
                1 => rust_batch(&mut *rest_blocking, s.calls)?,
                _ => rust_batch(&mut *rest_async, s.calls)?,
            });
        }
        for side in order(round, 3) {
            rt[side].push(match side {
                0 => python.batch(Kind::Realtime, s.chunks)?,
                1 => rust_batch(&mut *realtime, s.chunks)?,
                _ => rust_batch(&mut *realtime_raw, s.chunks)?,
            });
        }
    }
    Ok(Figures {
        sdk,
        python_rest: median(&rest[0]),
        python_realtime: median(&rt[0]),
        rest_blocking: median(&rest[1]),
        rest_async: median(&rest[2]),
        realtime_blocking: median(&rt[1]),
        realtime_raw: median(&rt[2]),
        rounds: s.rounds,
    })
}

/// The script, running as a worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    what: String,
}

/// The worker's first line.
#[derive(Deserialize)]
struct Ready {
    ready: bool,
    sdk: String,
}

/// The worker's answer to a batch.
#[derive(Deserialize)]
struct Batch {
    cpu_us: f64,
}

impl Worker {
    /// Starts the script with `python`; returns it with the SDK's name once it is warm.
    fn start(python: &str, base_url: &str) -> Result<(Worker, String), String> {
        let what = format!("{python} {SCRIPT}");
        let mut child = Command::new(python)
            .args([SCRIPT, "--serve", "--base-url", base_url, "--api-key", API_KEY])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("running {what}: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what}: no pipes"));
        };
        let mut w = Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            what,
        };
        let line = w.line()?;
        match serde_json::from_str::<Ready>(&line) {
            Ok(Ready { ready: true, sdk }) => Ok((w, sdk)),
            Ok(_) => Err(format!("{} is not ready: {line}", w.what)),
            Err(e) => Err(format!("{} printed no figures ({e}): {line}", w.what)),
        }
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => {
                let status = self.child.wait().map_or_else(|e| e.to_string(), |s| s.to_string());
                Err(format!("{} exited ({status}) without an answer", self.what))
            }
            Ok(_) => Ok(line.trim().to_owned()),
            Err(e) => Err(format!("{}: {e}", self.what)),
        }
    }
}

impl Python for Worker {
    fn batch(&mut self, kind: Kind, n: usize) -> Result<f64, String> {
        let cmd = match kind {
            Kind::Rest => "rest",
            Kind::Realtime => "realtime",
        };
        writeln!(self.stdin, "{cmd} {n}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("{}: {e}", self.what))?;
        let line = self.line()?;
        serde_json::from_str::<Batch>(&line)
            .map(|b| b.cpu_us)
            .map_err(|e| format!("{} printed no figures ({e}): {line}", self.what))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
        // A hang guard, not a timing: the worker only has to close its session.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the worker with `python` against the mock at `base_url`, alternating its rounds with
/// the Rust clients' (scaled to the plan), and turns the figures, with ours from `metrics`,
/// into records; the quoted Python targets on our CPU records are replaced by measured ones.
pub fn compare(python: &str, base_url: &str, quick: bool, metrics: &mut Vec<Metric>) -> Result<(), String> {
    let ws_url = format!("{}/transcribe-websocket", base_url.replacen("http://", "ws://", 1));
    let (mut worker, sdk) = Worker::start(python, base_url)?;
    let err = |what: &'static str| move |e: soniox::Error| format!("{what}: {e}");
    let blocking = soniox::blocking::Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .ws_url(&ws_url)
        .timeout(floors::SDK_TIMEOUT)
        .build()
        .map_err(err("blocking client"))?;
    let nonblocking = soniox::nonblocking::Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .ws_url(&ws_url)
        .timeout(floors::SDK_TIMEOUT)
        .build()
        .map_err(err("async client"))?;
    let mut stream = blocking
        .realtime()
        .connect(floors::realtime_config())
        .map_err(err("connect"))?;
    let mut ws = floors::tungstenite_socket(&ws_url, &format!("Bearer {API_KEY}"), floors::Ws::Sdk)?;
    let mut kept = floors::RawTranscript::default();
    let chunk = vec![0u8; 4096];
    let figures = interleave(
        &mut worker,
        sdk,
        Schedule::new(quick),
        &mut || blocking.models().list().map(drop).map_err(err("models().list()")),
        &mut || {
            block_on(nonblocking.models().list())
                .map(drop)
                .map_err(err("async models().list()"))
        },
        &mut || sdk_round_trip(&mut stream, &chunk),
        &mut || floors::tungstenite_trip(&mut ws, &chunk, &mut kept),
    )?;
    drop(worker);
    let _ = ws.close(None);
    let _ = stream.close();
    apply(&figures, metrics);
    Ok(())
}

/// Adds the Python figures and the ratios. The verdict moves to the ratio records: each
/// `{ours}.vs_python_sdk` (value = our CPU, raw = the Python SDK's, both from the interleaved
/// rounds) carries "≤ 1/5 of the Python SDK's"; the quoted target on our scenario record
/// goes (its figure comes from other rounds, under other conditions: one verdict, from like
/// for like), and its note points to the ratio record.
pub fn apply(f: &Figures, metrics: &mut Vec<Metric>) {
    let how = format!(
        "median of {} rounds alternating with the Rust clients' rounds (which side goes first \
         alternates); same mock, same run",
        f.rounds
    );
    let python = [
        (
            "python_sdk.rest.cpu_per_call",
            f.python_rest,
            "client.models.list() (httpx + pydantic)",
        ),
        (
            "python_sdk.realtime.cpu_per_chunk",
            f.python_realtime,
            "send_byte_chunk + receive_event until the result, back to back (websockets sync client)",
        ),
    ];
    for (name, python_us, what) in python {
        metrics.push(
            Metric::new(GROUP, name, python_us, "µs")
                .note(format!("{}: client CPU per {what}, every thread; {how}", f.sdk)),
        );
    }
    let control = format!(
        "; the fair raw floor (blocking tungstenite, typed decode) in the same rounds: {:.1} µs",
        f.realtime_raw
    );
    let ours = [
        (
            "rest.blocking.models_list.cpu_per_call",
            f.rest_blocking,
            f.python_rest,
            "",
        ),
        ("rest.async.models_list.cpu_per_call", f.rest_async, f.python_rest, ""),
        (
            "realtime.blocking.round_trip_4k.cpu_per_chunk",
            f.realtime_blocking,
            f.python_realtime,
            control.as_str(),
        ),
    ];
    for (ours_name, ours_us, python_us, extra) in ours {
        let ratio_name = format!("{ours_name}.vs_python_sdk");
        if let Some(m) = metrics.iter_mut().find(|m| m.name == ours_name) {
            m.set_targets(|targets| targets.retain(|t| !is_python_target(t)));
            let kept = m.note.split(QUOTED_NOTE).next().unwrap_or_default().to_owned();
            m.note = format!(
                "{kept}{MEASURED_NOTE} ({python_us:.0} µs per operation, {}): the 1/5 target is checked \
                 on {ratio_name}, from the interleaved rounds",
                f.sdk
            );
        }
        metrics.push(
            Metric::new(GROUP, &ratio_name, ours_us, "µs")
                .raw(python_us)
                .target(Target::le(Field::Ratio, 0.2, format!("{LABEL}, measured interleaved")))
                .note(format!(
                    "value = our {ours_name}, raw = the Python SDK's ({}), client CPU per operation, \
                     both from the interleaved rounds; {how}{extra}",
                    f.sdk
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours() -> Vec<Metric> {
        vec![quote(
            Metric::new("REST", "rest.blocking.models_list.cpu_per_call", 150.0, "µs")
                .raw(140.0)
                .target(Target::le(Field::Ratio, 1.15, "≤ 1.15 × raw ureq"))
                .note("client CPU"),
            700.0,
        )]
    }

    #[test]
    fn a_quoted_figure_says_so_in_its_target_and_note() {
        let m = &ours()[0];
        let python: Vec<_> = m.targets.iter().filter(|t| is_python_target(t)).collect();
        assert_eq!(python.len(), 1);
        assert_eq!(python[0].label, "≤ 1/5 of the Python SDK's, quoted (700 µs → ≤ 140 µs)");
        assert!(
            m.note.starts_with("client CPU; Python SDK figure quoted (700 µs"),
            "{}",
            m.note
        );
        assert_eq!(m.pass, Some(false), "150 µs misses the quoted 140 µs");
    }

    fn figures() -> Figures {
        Figures {
            sdk: "soniox 2.10.0 (Python)".into(),
            python_rest: 1000.0,
            python_realtime: 200.0,
            rest_blocking: 120.0,
            rest_async: 300.0,
            realtime_blocking: 30.0,
            realtime_raw: 28.0,
            rounds: 5,
        }
    }

    #[test]
    fn measured_figures_replace_the_quoted_python_target() {
        let mut metrics = ours();
        apply(&figures(), &mut metrics);
        let rest = &metrics[0];
        let labels: Vec<&str> = rest.targets.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["≤ 1.15 × raw ureq"], "the quoted target is gone");
        assert_eq!(rest.pass, Some(true), "150 / 140 is within 1.15 × raw");
        assert!(!rest.note.contains("quoted"), "{}", rest.note);
        assert!(rest
            .note
            .starts_with("client CPU; Python SDK figure measured in this run (1000 µs"));
        assert!(rest
            .note
            .contains("rest.blocking.models_list.cpu_per_call.vs_python_sdk"));
        let find = |name: &str| metrics.iter().find(|m| m.name == name).unwrap();
        let ratio = find("rest.blocking.models_list.cpu_per_call.vs_python_sdk");
        assert_eq!(
            (ratio.value, ratio.raw),
            (120.0, Some(1000.0)),
            "the interleaved figures"
        );
        assert_eq!(ratio.ratio, Some(0.12));
        assert_eq!(ratio.pass, Some(true));
        assert!(ratio.gate.is_none(), "reported, not gated");
        assert!(ratio.targets[0].label.contains("measured"));
        let realtime = find("realtime.blocking.round_trip_4k.cpu_per_chunk.vs_python_sdk");
        assert_eq!(realtime.pass, Some(true), "30 µs ≤ 200 / 5");
        assert!(realtime.note.contains("fair raw floor"), "{}", realtime.note);
        assert!(realtime.note.contains("28.0 µs"), "{}", realtime.note);
        let nonblocking = find("rest.async.models_list.cpu_per_call.vs_python_sdk");
        assert_eq!(nonblocking.pass, Some(false), "300 µs > 1000 / 5");
        let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
        assert!(names.contains(&"python_sdk.rest.cpu_per_call"));
        assert!(names.contains(&"python_sdk.realtime.cpu_per_chunk"));
        assert!(names.contains(&"realtime.blocking.round_trip_4k.cpu_per_chunk.vs_python_sdk"));
    }

    /// A Python side that records the order of its batches in a shared log.
    struct Fake<'a> {
        log: &'a std::cell::RefCell<Vec<&'static str>>,
    }

    impl Python for Fake<'_> {
        fn batch(&mut self, kind: Kind, n: usize) -> Result<f64, String> {
            self.log.borrow_mut().push(match kind {
                Kind::Rest => "py-rest",
                Kind::Realtime => "py-rt",
            });
            Ok(n as f64)
        }
    }

    #[test]
    fn python_and_rust_rounds_alternate() {
        let log = std::cell::RefCell::new(Vec::new());
        let mut py = Fake { log: &log };
        let s = Schedule {
            rounds: 2,
            calls: 3,
            chunks: 4,
        };
        let (mut b, mut a, mut r, mut w) = (0, 0, 0, 0);
        let mut blocking = || {
            b += 1;
            if b > WARM_UP && (b - WARM_UP) % s.calls == 1 {
                log.borrow_mut().push("rs-blocking");
            }
            Ok(())
        };
        let mut nonblocking = || {
            a += 1;
            if a > WARM_UP && (a - WARM_UP) % s.calls == 1 {
                log.borrow_mut().push("rs-async");
            }
            Ok(())
        };
        let mut realtime = || {
            r += 1;
            if r > WARM_UP && (r - WARM_UP) % s.chunks == 1 {
                log.borrow_mut().push("rs-rt");
            }
            Ok(())
        };
        let mut raw = || {
            w += 1;
            if w > WARM_UP && (w - WARM_UP) % s.chunks == 1 {
                log.borrow_mut().push("rs-raw");
            }
            Ok(())
        };
        let f = interleave(
            &mut py,
            "py".into(),
            s,
            &mut blocking,
            &mut nonblocking,
            &mut realtime,
            &mut raw,
        )
        .unwrap();
        assert_eq!(
            log.into_inner(),
            [
                "py-rest",
                "rs-blocking",
                "rs-async",
                "py-rt",
                "rs-rt",
                "rs-raw",
                // The second round runs every side in the opposite order.
                "rs-async",
                "rs-blocking",
                "py-rest",
                "rs-raw",
                "rs-rt",
                "py-rt",
            ]
        );
        assert_eq!((b, a, r, w), (WARM_UP + 6, WARM_UP + 6, WARM_UP + 8, WARM_UP + 8));
        assert_eq!((f.python_rest, f.python_realtime, f.rounds), (3.0, 4.0, 2));
    }

    #[test]
    fn a_python_error_stops_the_comparison() {
        struct Broken;
        impl Python for Broken {
            fn batch(&mut self, _: Kind, _: usize) -> Result<f64, String> {
                Err("worker died".into())
            }
        }
        let s = Schedule::new(true);
        let (mut a, mut b, mut c, mut d) = (|| Ok(()), || Ok(()), || Ok(()), || Ok(()));
        let e = interleave(&mut Broken, "py".into(), s, &mut a, &mut b, &mut c, &mut d);
        assert_eq!(e.unwrap_err(), "worker died");
    }
}

// The stand-in interpreter is a shell script.
#[cfg(all(test, unix))]
mod worker_tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// Held by each test from writing its stand-in to running it: a script being written by
    /// one test while another forks (the child holds the write descriptor until it execs)
    /// cannot be executed ("Text file busy").
    static SPAWN: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn spawn_lock() -> std::sync::MutexGuard<'static, ()> {
        SPAWN.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stand-in for Python that speaks the worker protocol with fixed figures (or prints
    /// `first` and exits), whatever it is asked to run.
    fn fake_python(dir: &std::path::Path, first: &str) -> String {
        let path = dir.join("python");
        let script = format!(
            "#!/bin/sh\necho '{first}'\nwhile read cmd n; do\n  case \"$cmd\" in\n    \
             rest) echo '{{\"cpu_us\": 1000.0, \"wall_us\": 1.0}}' ;;\n    \
             realtime) echo '{{\"cpu_us\": 200.0, \"wall_us\": 1.0}}' ;;\n    \
             quit) exit 0 ;;\n  esac\ndone\n"
        );
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn the_worker_answers_each_batch() {
        let _serial = spawn_lock();
        let dir = tempfile::tempdir().unwrap();
        let python = fake_python(dir.path(), r#"{"ready": true, "sdk": "soniox 2.10.0 (Python)"}"#);
        let (mut w, sdk) = Worker::start(&python, "http://127.0.0.1:9").unwrap();
        assert_eq!(sdk, "soniox 2.10.0 (Python)");
        assert_eq!(w.batch(Kind::Rest, 10), Ok(1000.0));
        assert_eq!(w.batch(Kind::Realtime, 10), Ok(200.0));
    }

    #[test]
    fn a_failing_or_silent_script_is_an_error_and_changes_nothing() {
        let _serial = spawn_lock();
        let dir = tempfile::tempdir().unwrap();
        let python = fake_python(dir.path(), "not json");
        let mut metrics = Vec::new();
        let e = compare(&python, "http://127.0.0.1:9", true, &mut metrics).unwrap_err();
        assert!(e.contains("printed no figures"), "{e}");
        assert!(metrics.is_empty());
        let e = compare("/nonexistent/python", "http://127.0.0.1:9", true, &mut metrics).unwrap_err();
        assert!(e.contains("/nonexistent/python"), "{e}");
    }
}

/// One round trip through the blocking SDK's public stream API: a frame sent, then events
/// read until its result message.
pub fn sdk_round_trip(stream: &mut soniox::blocking::RealtimeStream, chunk: &[u8]) -> Result<(), String> {
    stream.send_audio(chunk).map_err(|e| format!("send_audio: {e}"))?;
    loop {
        match stream.recv() {
            Some(Ok(soniox::blocking::RealtimeEvent::Result(_))) => return Ok(()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("recv: {e}")),
            None => return Err("the stream ended".into()),
        }
    }
}
