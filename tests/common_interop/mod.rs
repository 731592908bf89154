//! Shared helpers for the interop tests (`tests/interop.rs`, `tests/interop_sdk.rs`): finding
//! a runtime (or skipping with one line, or failing under `CI`), running a script from
//! `tests/interop/` with a kill after [`SCRIPT_LIMIT`], and reading the one JSON object of
//! observations it prints.
#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use soniox::mock::MockStats;

/// Longest a script may run before it is killed and the test fails.
pub const SCRIPT_LIMIT: Duration = Duration::from_secs(60);

/// The elements of a JSON array (none for anything else).
pub fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The observations and the mock's counters, for assertion messages.
pub fn context(obs: &Value, stats: &MockStats) -> String {
    format!("\nobservations: {obs:#}\nmock stats: {stats:#?}")
}

/// Whether `CI` is set (to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A runtime is missing: one SKIPPED line (on the real stderr, so it is seen even when the
/// harness captures output), or a failure under CI.
pub fn unavailable(test: &str, reason: &str) {
    if in_ci() {
        panic!("interop {test}: {reason} (CI is set: a missing runtime is a failure)");
    }
    let _ = writeln!(std::io::stderr(), "interop: SKIPPED {test}: {reason}");
}

/// `python3` with `modules` importable (websockets >= 14.1 when asked for), or `None` after
/// [`unavailable`].
pub fn python(test: &str, modules: &[&str]) -> Option<Command> {
    let check = format!(
        "import re, sys\nimport {m}\nif 'websockets' in sys.modules:\n    v = websockets.__version__\n    \
         if tuple(map(int, re.findall(r'\\d+', v)[:2])) < (14, 1):\n        \
         sys.exit('websockets ' + v + ' < 14.1, whose sync client drops a message that came just before the close')",
        m = modules.join(", ")
    );
    match Command::new("python3").args(["-c", &check]).output() {
        Err(e) => unavailable(test, &format!("cannot run python3 (is it on PATH?): {e}")),
        Ok(out) if !out.status.success() => {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err.lines().last().unwrap_or("").trim();
            unavailable(
                test,
                &format!("python3 has no usable {modules:?} ({last}); pip install -r tests/interop/requirements.txt"),
            );
        }
        Ok(_) => return Some(Command::new("python3")),
    }
    None
}

/// `node` (with `--experimental-websocket` where needed, Node 20) with global `WebSocket` and
/// `fetch`, or `None` after [`unavailable`].
pub fn node(test: &str) -> Option<Command> {
    static FLAGS: OnceLock<Result<Vec<&'static str>, String>> = OnceLock::new();
    let flags = FLAGS.get_or_init(|| {
        let probe = "process.exit(typeof WebSocket === 'function' && typeof fetch === 'function' ? 0 : 1)";
        let mut last = String::new();
        for flags in [vec![], vec!["--experimental-websocket"]] {
            match Command::new("node").args(&flags).args(["-e", probe]).output() {
                Err(e) => return Err(format!("cannot run node (is it on PATH?): {e}")),
                Ok(out) if out.status.success() => return Ok(flags),
                Ok(out) => last = String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }
        }
        Err(format!(
            "node has no global WebSocket and fetch (Node >= 20 needed): {last}"
        ))
    });
    match flags {
        Ok(flags) => {
            let mut cmd = Command::new("node");
            cmd.args(flags);
            Some(cmd)
        }
        Err(reason) => {
            unavailable(test, reason);
            None
        }
    }
}

/// Runs `tests/interop/<script>` (a path under that directory) with `args` under `cmd`,
/// killing it after [`SCRIPT_LIMIT`]; asserts it exited 0 and returns the JSON object on the
/// last line of its stdout. Proxies are cleared: the scripts talk to 127.0.0.1 only.
pub fn run_script(mut cmd: Command, script: &str, args: &[String]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(script);
    cmd.arg(&path)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{script}: cannot start: {e}"));
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = read_all(Box::new(child.stdout.take().expect("stdout piped")));
    let err = read_all(Box::new(child.stderr.take().expect("stderr piped")));
    let deadline = Instant::now() + SCRIPT_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    let Some(status) = status else {
        panic!("{script}: killed after {SCRIPT_LIMIT:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    };
    assert!(
        status.success(),
        "{script}: {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let obs: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{script}: no JSON on stdout ({e})\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    println!("{script}: {obs}");
    obs
}
