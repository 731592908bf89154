//! The mock server in a child process (this same binary, run with `--serve-mock`), so that
//! neither its CPU time nor its heap is counted as the client's.
//!
//! Protocol on the child's stdio, one line each way: the child prints `base URL` and `ws URL`
//! once started (over TLS, `--serve-mock-tls`, then `ca PEM`: its CA certificate on one line,
//! each newline written as the two characters `\n`), then answers commands read from stdin:
//! `stats` (one JSON line of counters), `reset` (zero the counters), `latency METHOD PATH MS`
//! (a latency fault), `clear` (no faults); every command but `stats` answers `ok`. EOF on
//! stdin ends the child.

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread;
use std::time::Duration;

use serde::Deserialize;
use soniox::mock::{Fault, FaultAction, JobTiming, MockConfig, MockServer, MockStats, MockTls};

/// The API key the child mock accepts.
pub const API_KEY: &str = "perf-key";

/// The counters the scenarios read from the child.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// TCP connections open now.
    pub open_connections: u64,
    /// Most connections open at once since the last reset.
    pub peak_connections: u64,
    /// HTTP requests seen.
    pub requests: u64,
    /// Completed uploads.
    pub uploads: u64,
    /// File bytes of the completed uploads.
    pub upload_bytes: u64,
    /// Realtime sessions open now.
    pub ws_open_sessions: u64,
}

fn counts_json(s: &MockStats) -> String {
    serde_json::json!({
        "connections_accepted": s.connections_accepted,
        "open_connections": s.open_connections,
        "peak_connections": s.peak_connections,
        "requests": s.requests,
        "uploads": s.uploads,
        "upload_bytes": s.upload_bytes,
        "ws_open_sessions": s.ws_open_sessions,
    })
    .to_string()
}

/// The child's side: serves (https and wss with `tls`, with a CA and a leaf for `127.0.0.1`
/// made at start) until stdin closes.
pub fn serve(tls: bool) -> Result<(), String> {
    let mut config = MockConfig::default()
        .api_key(API_KEY)
        .job_timing(JobTiming::Immediate)
        .max_concurrent_streams(64)
        .ws_idle_timeout(Duration::from_secs(300));
    if tls {
        config = config.tls(MockTls::new());
    }
    let mock = MockServer::start_with(config).map_err(|e| format!("mock: {e}"))?;
    let mut out = io::stdout().lock();
    let w = |out: &mut io::StdoutLock<'_>, line: &str| writeln!(out, "{line}").and_then(|()| out.flush());
    let io_err = |e: io::Error| format!("mock stdout: {e}");
    w(&mut out, &format!("base {}", mock.base_url())).map_err(io_err)?;
    w(&mut out, &format!("ws {}", mock.ws_url())).map_err(io_err)?;
    if mock.is_tls() {
        w(&mut out, &format!("ca {}", one_line(&mock.ca_pem()))).map_err(io_err)?;
    }
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("mock stdin: {e}"))?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words.as_slice() {
            ["stats"] => counts_json(&mock.stats()),
            ["reset"] => {
                mock.reset_stats();
                "ok".into()
            }
            ["clear"] => {
                mock.clear_faults();
                "ok".into()
            }
            ["latency", method, path, ms] => match ms.parse::<u64>() {
                Ok(ms) => {
                    let fault = FaultAction::Latency(Duration::from_millis(ms));
                    mock.add_fault(Fault::new(fault).on(method, path));
                    "ok".into()
                }
                Err(_) => format!("error: bad milliseconds {ms:?}"),
            },
            ["quit"] => break,
            _ => format!("error: unknown command {line:?}"),
        };
        w(&mut out, &reply).map_err(io_err)?;
    }
    Ok(())
}

/// A PEM on one line: each newline as the two characters `\n` (a PEM has no backslash).
fn one_line(pem: &str) -> String {
    pem.replace('\n', "\\n")
}

/// The PEM [`one_line`] wrote.
fn from_one_line(line: &str) -> String {
    line.replace("\\n", "\n")
}

/// The parent's handle; kills and reaps the child on drop.
pub struct MockProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    base_url: String,
    ws_url: String,
    ca_pem: Option<String>,
}

impl MockProcess {
    /// Starts `<this exe> --serve-mock` and reads its URLs.
    pub fn start() -> Result<MockProcess, String> {
        MockProcess::spawn(false)
    }

    /// Starts `<this exe> --serve-mock-tls` (https and wss) and reads its URLs and CA.
    pub fn start_tls() -> Result<MockProcess, String> {
        MockProcess::spawn(true)
    }

    fn spawn(tls: bool) -> Result<MockProcess, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
        let mut child = Command::new(exe)
            .arg(if tls { "--serve-mock-tls" } else { "--serve-mock" })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the mock process: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("mock process without pipes".into());
        };
        let mut p = MockProcess {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            base_url: String::new(),
            ws_url: String::new(),
            ca_pem: None,
        };
        p.base_url = p.line_after("base ")?;
        p.ws_url = p.line_after("ws ")?;
        if tls {
            p.ca_pem = Some(from_one_line(&p.line_after("ca ")?));
        }
        Ok(p)
    }

    /// The PEM of the CA that signed a TLS mock's certificate (`None` for plain HTTP).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// `http://127.0.0.1:PORT` (`https://` over TLS).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `ws://127.0.0.1:PORT/transcribe-websocket` (`wss://` over TLS).
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    fn line_after(&mut self, prefix: &str) -> Result<String, String> {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("mock process: {e}"))?;
        line.trim_end()
            .strip_prefix(prefix)
            .map(str::to_owned)
            .ok_or_else(|| format!("mock process said {line:?}, expected {prefix:?}..."))
    }

    fn command(&mut self, cmd: &str) -> Result<String, String> {
        writeln!(self.stdin, "{cmd}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("mock process: {e}"))?;
        let reply = self.line_after("")?;
        if reply.starts_with("error") {
            return Err(format!("mock process: {cmd}: {reply}"));
        }
        Ok(reply)
    }

    /// The child's counters.
    pub fn counts(&mut self) -> Result<Counts, String> {
        let json = self.command("stats")?;
        serde_json::from_str(&json).map_err(|e| format!("mock stats {json:?}: {e}"))
    }

    /// Zeroes the counters once every connection is closed (bounded: 2 s), so that peaks
    /// measured afterwards belong to what follows.
    pub fn settle_and_reset(&mut self) -> Result<(), String> {
        for _ in 0..400 {
            if self.counts()?.open_connections == 0 {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
        self.command("reset").map(drop)
    }

    /// Adds `ms` of latency to requests matching (method, path prefix).
    pub fn latency(&mut self, method: &str, path: &str, ms: u64) -> Result<(), String> {
        self.command(&format!("latency {method} {path} {ms}")).map(drop)
    }

    /// Removes every fault.
    pub fn clear(&mut self) -> Result<(), String> {
        self.command("clear").map(drop)
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pem_crosses_the_pipe_on_one_line() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIBfz==\n-----END CERTIFICATE-----\n";
        let line = one_line(pem);
        assert!(!line.contains('\n'), "{line:?}");
        assert_eq!(from_one_line(&line), pem);
    }
}
