//! Shared helpers for the dhat heap tests (`tests/heap_*.rs`): the mock server as a separate
//! process, so that only the client's allocations reach the test binary's global allocator.
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "async")]
pub mod async_upload;
pub mod speech;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use soniox::blocking::Client;

/// The API key the mock process accepts.
pub const API_KEY: &str = "heap-test-key";

/// A `soniox-mock` child process, killed and reaped on drop (also when the test panics).
pub struct MockProcess {
    child: Child,
    /// Kept open so the child never writes into a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
    base_url: String,
    ws_url: String,
    tts_url: String,
    /// The CA of a TLS mock ([`MockProcess::start_tls`]), which [`MockProcess::client`] trusts.
    ca_pem: Option<String>,
}

impl MockProcess {
    /// Starts `soniox-mock --port 0` (it binds a free port and prints its URLs) and waits until
    /// it accepts connections.
    pub fn start() -> MockProcess {
        MockProcess::spawn(false, &[])
    }

    /// As [`start`](Self::start), with more arguments for `soniox-mock`.
    pub fn start_with(args: &[&str]) -> MockProcess {
        MockProcess::spawn(false, args)
    }

    /// As [`start`](Self::start), serving https and wss (`soniox-mock --tls`, its CA read from
    /// the file it writes with `--ca-out`).
    pub fn start_tls() -> MockProcess {
        MockProcess::spawn(true, &[])
    }

    fn spawn(tls: bool, args: &[&str]) -> MockProcess {
        // Over TLS the mock writes its CA to a file of a temporary directory (removed once read).
        let ca_dir = tls.then(|| tempfile::tempdir().expect("tempdir for the CA"));
        let ca_file = ca_dir.as_ref().map(|d| d.path().join("mock-ca.pem"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_soniox-mock"));
        command.args(["--port", "0", "--api-key", API_KEY, "--job-timing", "immediate"]);
        command.args(args);
        if let Some(file) = &ca_file {
            command.arg("--tls").arg("--ca-out").arg(file);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("soniox-mock starts");
        // From here on the guard owns the child: a panic below still kills it.
        let mut guard = MockProcess {
            child,
            _stdout: None,
            base_url: String::new(),
            ws_url: String::new(),
            tts_url: String::new(),
            ca_pem: None,
        };
        let mut stdout = BufReader::new(guard.child.stdout.take().expect("piped stdout"));
        guard.base_url = url_after(&mut stdout, "soniox-mock listening on ");
        guard.ws_url = url_after(&mut stdout, "soniox-mock realtime on ");
        guard.tts_url = url_after(&mut stdout, "soniox-mock text-to-speech on ");
        if let Some(file) = &ca_file {
            // Printed once the file is written.
            url_after(&mut stdout, "soniox-mock CA certificate written to ");
            guard.ca_pem = Some(std::fs::read_to_string(file).expect("the mock's CA file"));
        }
        guard._stdout = Some(stdout);
        guard.wait_until_accepting();
        guard
    }

    /// `http://127.0.0.1:PORT` (`https://` over TLS).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `ws://127.0.0.1:PORT/transcribe-websocket` (`wss://` over TLS).
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The CA certificate (PEM) of a TLS mock; `None` for plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A client for this mock (trusting its CA over TLS).
    pub fn client(&self) -> Client {
        self.configure(Client::builder()).build().expect("client builds")
    }

    /// The async client for this mock, configured as [`client`](Self::client).
    #[cfg(feature = "async")]
    pub fn async_client(&self) -> soniox::nonblocking::Client {
        self.configure(soniox::nonblocking::Client::builder())
            .build()
            .expect("async client builds")
    }

    fn configure<T: soniox::config::FromConfig>(&self, builder: soniox::ConfigBuilder<T>) -> soniox::ConfigBuilder<T> {
        let builder = builder
            .api_key(API_KEY)
            .base_url(self.base_url())
            .ws_url(self.ws_url())
            .tts_api_url(&self.tts_url)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10));
        match self.ca_pem() {
            Some(pem) => builder.add_root_certificates_pem(pem),
            None => builder,
        }
    }

    fn wait_until_accepting(&self) {
        let addr = self
            .base_url
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "soniox-mock does not accept on {addr}");
            std::thread::sleep(Duration::from_millis(10));
        }
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

/// The 1 MB and 100 MB WAV files the upload heap tests send, written into `dir` before the
/// profiler starts: dhat's peak (`max_bytes`) only ever rises, so the generator's own
/// buffers must not be part of it (dhat ignores blocks allocated before it started, also
/// when they are freed later).
pub fn upload_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (small, large) = (dir.join("heap-1mb.wav"), dir.join("heap-100mb.wav"));
    soniox::audio::generate_test_audio_file(&small, 1_000_000).expect("1 MB file written");
    soniox::audio::generate_test_audio_file(&large, 100_000_000).expect("100 MB file written");
    (small, large)
}

/// Nothing is kept by the 100 MB upload: the live heap after it is what it was after the
/// 1 MB one (1 KiB of slack for a lazily grown map).
pub fn assert_nothing_kept(after_small: &dhat::HeapStats, after_large: &dhat::HeapStats) {
    assert!(
        after_large.curr_bytes <= after_small.curr_bytes + 1024,
        "the live heap grew from {} to {} bytes over the 100 MB upload",
        after_small.curr_bytes,
        after_large.curr_bytes
    );
}

/// One line describing a heap snapshot, for the notes. Print only once measuring is over: under
/// libtest's output capture, `eprintln!` appends to a heap buffer, which dhat counts.
pub fn describe(label: &str, s: &dhat::HeapStats) -> String {
    format!(
        "heap[{label}]: curr_bytes={} curr_blocks={} max_bytes={} max_blocks={} total_bytes={} total_blocks={}",
        s.curr_bytes, s.curr_blocks, s.max_bytes, s.max_blocks, s.total_bytes, s.total_blocks
    )
}

/// Waits for libtest's main thread to go quiet. Having spawned the test's thread it allocates a
/// little on its own (seen: 900 bytes in 4 blocks, now and then after the profiler started);
/// dhat counts every thread, so measuring starts once that is done.
pub fn let_the_harness_settle() {
    std::thread::sleep(Duration::from_millis(200));
}
