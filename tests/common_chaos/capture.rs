//! Captures `tracing` output (every level, span opens/closes with their recorded fields) into
//! memory, for tests that read it. Included with `#[path]` by `secrets.rs` and `tracing_spans.rs`.
#![allow(dead_code, unreachable_pub)]

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::format::FmtSpan;

/// A shared, growable buffer that the subscriber writes to.
#[derive(Clone, Debug, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A TRACE-level subscriber writing plain text (no colours) into `captured`, with a line at
/// every span's open and close (the close line carries every recorded field).
pub fn subscriber(captured: &Captured) -> impl tracing::Subscriber + Send + Sync + 'static {
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
}

/// Installs one process-wide subscriber (all threads: driver tasks and I/O threads too)
/// the first time it is called, and returns its buffer.
pub fn global() -> Captured {
    static GLOBAL: OnceLock<Captured> = OnceLock::new();
    GLOBAL
        .get_or_init(|| {
            let captured = Captured::default();
            tracing::subscriber::set_global_default(subscriber(&captured)).expect("no other global subscriber");
            captured
        })
        .clone()
}
