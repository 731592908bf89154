//! The live progress line: once a second on a terminal (redrawn in place), every
//! ten seconds otherwise. It also closes the time series' seconds as they pass.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use crate::stats::Collector;
use crate::timeline::ms;

/// Ticks until `stop` is dropped or sent to; prints unless `quiet`.
pub(crate) fn run(collector: Arc<Collector>, run_time: Duration, users: u32, quiet: bool, stop: Receiver<()>) {
    let tty = std::io::stderr().is_terminal();
    let mut ticks = 0u64;
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(Duration::from_secs(1)) {
        ticks += 1;
        collector.tick();
        if quiet || (!tty && ticks % 10 != 0) {
            continue;
        }
        let line = line(&collector, run_time, users);
        let mut err = std::io::stderr().lock();
        let _ = if tty {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }
    if tty && !quiet && ticks > 0 {
        eprintln!();
    }
}

/// `  12s/30s  users 50/50  reqs 12345  fails 3 (0.02%)  1023 req/s  p50 0.41 ms  p99 2.10 ms`
fn line(c: &Collector, run_time: Duration, users: u32) -> String {
    let running = c.users();
    let g = c.lock();
    let (mut reqs, mut fails) = (0u64, 0u64);
    let mut all = crate::histogram::new_histogram();
    for t in &g.tasks {
        reqs += t.requests;
        fails += t.failures.total();
        // Same bounds on both sides: `add` cannot fail.
        let _ = all.add(&t.latency_us);
    }
    let pct = if reqs == 0 {
        0.0
    } else {
        100.0 * fails as f64 / reqs as f64
    };
    format!(
        "{:>5}s/{}s  users {running}/{users}  reqs {reqs}  fails {fails} ({pct:.2}%)  {} req/s  p50 {:.2} ms  p99 {:.2} ms",
        c.start().elapsed().as_secs(),
        run_time.as_secs(),
        g.timeline.last_rate(),
        ms(all.value_at_quantile(0.5)),
        ms(all.value_at_quantile(0.99)),
    )
}
