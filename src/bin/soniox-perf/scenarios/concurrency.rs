//! Concurrency: 100 `models().list()` at once through one client limited to 20 connections,
//! with 20 ms of mock latency so that they overlap; the mock counts the connections.

use std::sync::Barrier;
use std::thread;
use std::time::Instant;

use async_std::task::block_on;

use super::{blocking, nonblocking, Plan};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::{Counts, MockProcess};

const GROUP: &str = "Concurrency";
const CALLERS: usize = 100;
const LIMIT: usize = 20;
const LATENCY_MS: u64 = 20;

pub fn run(_plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    mock.latency("GET", "/v1/models", LATENCY_MS)?;
    let result = both(mock);
    mock.clear()?;
    result
}

fn both(mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    // Blocking: 100 threads released together by a barrier.
    mock.settle_and_reset()?;
    let client = blocking(mock, LIMIT)?;
    let barrier = Barrier::new(CALLERS);
    let start = Instant::now();
    let ok = thread::scope(|s| {
        let handles: Vec<_> = (0..CALLERS)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    client.models().list().is_ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(false))
            .filter(|ok| *ok)
            .count()
    });
    let wall = start.elapsed();
    drop(client);
    let counts = mock.counts()?;
    let mut out = metrics("concurrency.blocking", ok, wall.as_secs_f64() * 1e3, &counts, "threads");

    // Async: 100 futures joined on one task.
    mock.settle_and_reset()?;
    let client = nonblocking(mock, LIMIT)?;
    let start = Instant::now();
    let results = block_on(futures::future::join_all(
        (0..CALLERS).map(|_| async { client.models().list().await }),
    ));
    let wall = start.elapsed();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    drop(client);
    let counts = mock.counts()?;
    out.extend(metrics(
        "concurrency.async",
        ok,
        wall.as_secs_f64() * 1e3,
        &counts,
        "futures joined",
    ));
    Ok(out)
}

fn metrics(name: &str, ok: usize, wall_ms: f64, c: &Counts, how: &str) -> Vec<Metric> {
    let setup =
        format!("{CALLERS} concurrent models().list() ({how}), max_connections {LIMIT}, {LATENCY_MS} ms mock latency");
    vec![
        Metric::new(GROUP, &format!("{name}.succeeded"), ok as f64, "calls")
            .target(Target::ge(Field::Value, CALLERS as f64, format!("all {CALLERS}")))
            .gate(Field::Value, Better::Higher, 0.0)
            .note(setup.clone()),
        Metric::new(
            GROUP,
            &format!("{name}.peak_connections"),
            c.peak_connections as f64,
            "conns",
        )
        .target(Target::le(Field::Value, LIMIT as f64, format!("≤ {LIMIT} (the limit)")))
        .gate(Field::Value, Better::Lower, 0.0)
        .note(format!(
            "{setup}; from the mock's counters ({} accepted, {} requests)",
            c.connections_accepted, c.requests
        )),
        Metric::new(GROUP, &format!("{name}.wall"), wall_ms, "ms")
            .target(Target::le(Field::Value, 10_000.0, "< 10 s (plan)"))
            .note(format!("{setup}; ideal ≈ {} ms", CALLERS / LIMIT * LATENCY_MS as usize)),
    ]
}
