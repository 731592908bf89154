//! Connection pooling against the in-process mock, each SDK path next to its raw baseline
//! (raw ureq with the SDK's agent settings for the blocking client; raw async-h1 over
//! kept-alive async-std TCP streams with `TCP_NODELAY` for the async one, with, for the
//! concurrent case, the least pool a raw user needs: `LIMIT` connections handed out through a
//! channel; the requests and decode from `soniox-perf`'s floors, the same source file
//! `src/bin/soniox-perf/scenarios/floors.rs`). Besides the timings, every benchmark checks
//! what the mock counted: connections accepted and the peak of connections open at once.
//! Those facts are exact, so they are asserted (a failed assertion aborts the run) and
//! printed after divan's table.
//!
//! ```text
//! cargo bench --features async --bench pool
//! ```
//!
//! - `sequential_100_*`: a fresh client per iteration sends 100 sequential `GET /v1/models`
//!   (client construction is not timed); each iteration opens exactly one connection.
//! - `idle_gaps_50_*`: one run of 50 requests separated by 100 ms of idleness (about 5 s):
//!   still one connection.
//! - `concurrent_100_*`: 100 requests at once with a limit of 10 connections, from 10 threads
//!   (blocking) or 100 async-std tasks (async), on a long-lived client; the mock never sees
//!   more than 10 connections open.

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::cell::Cell;
use std::sync::Mutex;
use std::time::Duration;

use divan::Bencher;
use soniox::blocking::Client;
use soniox::mock::MockServer;
use soniox::types::Model;

/// Requests per iteration of the sequential and concurrent benchmarks.
const REQUESTS: u64 = 100;
/// Requests of the idle-gap run.
const GAP_REQUESTS: u64 = 50;
/// Idle time between two requests of the idle-gap run.
const GAP: Duration = Duration::from_millis(100);
/// Connection limit of the concurrent benchmarks.
const LIMIT: usize = 10;

/// What the mock counted, printed once divan's table is done.
static FACTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn main() {
    divan::main();
    let facts = FACTS.lock().unwrap_or_else(|e| e.into_inner());
    if !facts.is_empty() {
        println!("\nconnections counted by the mock:");
        for f in facts.iter() {
            println!("  {f}");
        }
    }
}

fn fact(name: &str, mock: &MockServer, iterations: u64, per_iteration: u64) {
    let s = mock.stats();
    let line = format!(
        "{name:<34} {iterations:>4} iterations, {:>6} requests, {:>4} connections accepted, peak {:>3} open",
        s.route("GET /v1/models"),
        s.connections_accepted,
        s.peak_connections
    );
    assert_eq!(
        s.route("GET /v1/models"),
        iterations * per_iteration,
        "{name}: requests the mock saw"
    );
    FACTS.lock().unwrap_or_else(|e| e.into_inner()).push(line);
}

fn sdk(mock: &MockServer, max_connections: usize) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .max_connections(max_connections)
        .build()
        .expect("client builds")
}

/// A ureq agent set up as the SDK sets up its own, with room in the idle pool for `idle`
/// connections to the one host.
fn raw_ureq(idle: usize) -> ureq::Agent {
    floors::ureq_agent(idle)
}

/// The raw GET plus the same typed decode the SDK does.
fn raw_ureq_get(agent: &ureq::Agent, url: &str, auth: &str) -> Vec<Model> {
    floors::ureq_models(agent, url, auth).expect("raw GET")
}

fn url_auth(mock: &MockServer) -> (String, String) {
    (
        format!("{}/v1/models", mock.base_url()),
        format!("Bearer {}", mock.api_key()),
    )
}

// ---------------------------------------------------------------------------------------------
// 100 sequential requests on a fresh client: one connection.

#[divan::bench(sample_count = 100, sample_size = 1)]
fn sequential_100_blocking_sdk(b: Bencher) {
    let mock = MockServer::start();
    let runs = Cell::new(0);
    b.with_inputs(|| sdk(&mock, 100)).bench_local_values(|client| {
        for _ in 0..REQUESTS {
            assert!(!client.models().list().expect("models listed").is_empty());
        }
        runs.set(runs.get() + 1);
        client
    });
    fact("sequential_100_blocking_sdk", &mock, runs.get(), REQUESTS);
    assert_eq!(
        mock.stats().connections_accepted,
        runs.get(),
        "one connection per 100 requests"
    );
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn sequential_100_blocking_raw_ureq(b: Bencher) {
    let mock = MockServer::start();
    let (url, auth) = url_auth(&mock);
    let runs = Cell::new(0);
    b.with_inputs(|| raw_ureq(20)).bench_local_values(|agent| {
        for _ in 0..REQUESTS {
            assert!(!raw_ureq_get(&agent, &url, &auth).is_empty());
        }
        runs.set(runs.get() + 1);
        agent
    });
    fact("sequential_100_blocking_raw_ureq", &mock, runs.get(), REQUESTS);
    assert_eq!(
        mock.stats().connections_accepted,
        runs.get(),
        "one connection per 100 requests"
    );
}

// ---------------------------------------------------------------------------------------------
// 50 requests, 100 ms apart: one connection (one run, about 5 s).

fn idle_gaps_blocking(b: Bencher, name: &str, get: impl Fn(&MockServer) -> Box<dyn Fn()>) {
    let mock = MockServer::start();
    let runs = Cell::new(0);
    b.with_inputs(|| get(&mock)).bench_local_values(|get| {
        for i in 0..GAP_REQUESTS {
            if i > 0 {
                std::thread::sleep(GAP);
            }
            get();
        }
        runs.set(runs.get() + 1);
        get
    });
    fact(name, &mock, runs.get(), GAP_REQUESTS);
    assert_eq!(
        mock.stats().connections_accepted,
        runs.get(),
        "{name}: one connection per run"
    );
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn idle_gaps_50_blocking_sdk(b: Bencher) {
    idle_gaps_blocking(b, "idle_gaps_50_blocking_sdk", |mock| {
        let client = sdk(mock, 100);
        Box::new(move || assert!(!client.models().list().expect("models listed").is_empty()))
    });
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn idle_gaps_50_blocking_raw_ureq(b: Bencher) {
    idle_gaps_blocking(b, "idle_gaps_50_blocking_raw_ureq", |mock| {
        let agent = raw_ureq(20);
        let (url, auth) = url_auth(mock);
        Box::new(move || assert!(!raw_ureq_get(&agent, &url, &auth).is_empty()))
    });
}

// ---------------------------------------------------------------------------------------------
// 100 concurrent requests, 10 threads × 10, limit 10: never more than 10 connections open.

fn concurrent_blocking(b: Bencher, name: &str, get: &(dyn Fn() + Sync), mock: &MockServer) {
    let runs = Cell::new(0);
    let per_thread = REQUESTS / LIMIT as u64;
    b.bench_local(|| {
        std::thread::scope(|s| {
            for _ in 0..LIMIT {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        get();
                    }
                });
            }
        });
        runs.set(runs.get() + 1);
    });
    fact(name, mock, runs.get(), REQUESTS);
    let peak = mock.stats().peak_connections;
    assert!(
        peak <= LIMIT as u64,
        "{name}: peak {peak} connections open, limit {LIMIT}"
    );
}

#[divan::bench(sample_count = 50, sample_size = 1)]
fn concurrent_100_blocking_sdk(b: Bencher) {
    let mock = MockServer::start();
    let client = sdk(&mock, LIMIT);
    let get = || assert!(!client.models().list().expect("models listed").is_empty());
    concurrent_blocking(b, "concurrent_100_blocking_sdk", &get, &mock);
}

#[divan::bench(sample_count = 50, sample_size = 1)]
fn concurrent_100_blocking_raw_ureq(b: Bencher) {
    let mock = MockServer::start();
    let agent = raw_ureq(LIMIT);
    let (url, auth) = url_auth(&mock);
    let get = || assert!(!raw_ureq_get(&agent, &url, &auth).is_empty());
    concurrent_blocking(b, "concurrent_100_blocking_raw_ureq", &get, &mock);
}

// ---------------------------------------------------------------------------------------------
// The async client (async-std) next to raw async-h1 over kept-alive TCP streams.

#[cfg(feature = "async")]
mod nonblocking {
    use std::cell::Cell;
    use std::sync::Arc;

    use async_std::task::block_on;
    use divan::Bencher;
    use futures::future::join_all;
    use soniox::mock::MockServer;
    use soniox::nonblocking::Client;

    use super::{fact, floors, url_auth, GAP, GAP_REQUESTS, LIMIT, REQUESTS};

    fn sdk(mock: &MockServer, max_connections: usize) -> Client {
        Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .max_connections(max_connections)
            .build()
            .expect("client builds")
    }

    /// One raw async-h1 connection with `TCP_NODELAY`, to `url`'s host.
    async fn raw_h1(url: &floors::Url) -> floors::H1Conn {
        floors::H1Conn::open(url, floors::H1::Sdk).await.expect("raw connect")
    }

    /// The raw GET plus the same typed decode the SDK does.
    async fn raw_h1_get(conn: &floors::H1Conn, url: &floors::Url, auth: &str) -> usize {
        floors::h1_models(conn, url, auth).await.expect("raw GET").len()
    }

    /// `url` parsed and the `Authorization` value.
    fn h1_url_auth(mock: &MockServer) -> (floors::Url, String) {
        let (url, auth) = url_auth(mock);
        (floors::h1_url(&url).expect("URL parses"), auth)
    }

    #[divan::bench(sample_count = 100, sample_size = 1)]
    fn sequential_100_async_sdk(b: Bencher) {
        let mock = MockServer::start();
        let runs = Cell::new(0);
        b.with_inputs(|| sdk(&mock, 100)).bench_local_values(|client| {
            block_on(async {
                for _ in 0..REQUESTS {
                    assert!(!client.models().list().await.expect("models listed").is_empty());
                }
            });
            runs.set(runs.get() + 1);
            client
        });
        fact("sequential_100_async_sdk", &mock, runs.get(), REQUESTS);
        assert_eq!(
            mock.stats().connections_accepted,
            runs.get(),
            "one connection per 100 requests"
        );
    }

    /// The connection is opened inside the timing, on the first request, as the SDK's is.
    #[divan::bench(sample_count = 100, sample_size = 1)]
    fn sequential_100_async_raw_h1(b: Bencher) {
        let mock = MockServer::start();
        let (url, auth) = h1_url_auth(&mock);
        let runs = Cell::new(0);
        b.bench_local(|| {
            let conn = block_on(async {
                let conn = raw_h1(&url).await;
                for _ in 0..REQUESTS {
                    assert!(raw_h1_get(&conn, &url, &auth).await > 0);
                }
                conn
            });
            runs.set(runs.get() + 1);
            conn
        });
        fact("sequential_100_async_raw_h1", &mock, runs.get(), REQUESTS);
        assert_eq!(
            mock.stats().connections_accepted,
            runs.get(),
            "one connection per 100 requests"
        );
    }

    #[divan::bench(sample_count = 1, sample_size = 1)]
    fn idle_gaps_50_async_sdk(b: Bencher) {
        let mock = MockServer::start();
        let runs = Cell::new(0);
        b.with_inputs(|| sdk(&mock, 100)).bench_local_values(|client| {
            block_on(async {
                for i in 0..GAP_REQUESTS {
                    if i > 0 {
                        async_std::task::sleep(GAP).await;
                    }
                    assert!(!client.models().list().await.expect("models listed").is_empty());
                }
            });
            runs.set(runs.get() + 1);
            client
        });
        fact("idle_gaps_50_async_sdk", &mock, runs.get(), GAP_REQUESTS);
        assert_eq!(mock.stats().connections_accepted, runs.get(), "one connection per run");
    }

    #[divan::bench(sample_count = 1, sample_size = 1)]
    fn idle_gaps_50_async_raw_h1(b: Bencher) {
        let mock = MockServer::start();
        let (url, auth) = h1_url_auth(&mock);
        let runs = Cell::new(0);
        b.bench_local(|| {
            let conn = block_on(async {
                let conn = raw_h1(&url).await;
                for i in 0..GAP_REQUESTS {
                    if i > 0 {
                        async_std::task::sleep(GAP).await;
                    }
                    assert!(raw_h1_get(&conn, &url, &auth).await > 0);
                }
                conn
            });
            runs.set(runs.get() + 1);
            conn
        });
        fact("idle_gaps_50_async_raw_h1", &mock, runs.get(), GAP_REQUESTS);
        assert_eq!(mock.stats().connections_accepted, runs.get(), "one connection per run");
    }

    /// 100 spawned async-std tasks, one request each, then the peak check.
    fn concurrent(b: Bencher, name: &str, mock: &MockServer, spawn_one: impl Fn() -> async_std::task::JoinHandle<()>) {
        let runs = Cell::new(0);
        b.bench_local(|| {
            block_on(join_all((0..REQUESTS).map(|_| spawn_one())));
            runs.set(runs.get() + 1);
        });
        fact(name, mock, runs.get(), REQUESTS);
        let peak = mock.stats().peak_connections;
        assert!(
            peak <= LIMIT as u64,
            "{name}: peak {peak} connections open, limit {LIMIT}"
        );
    }

    #[divan::bench(sample_count = 50, sample_size = 1)]
    fn concurrent_100_async_sdk(b: Bencher) {
        let mock = MockServer::start();
        let client = sdk(&mock, LIMIT);
        concurrent(b, "concurrent_100_async_sdk", &mock, || {
            let client = client.clone();
            async_std::task::spawn(async move {
                assert!(!client.models().list().await.expect("models listed").is_empty());
            })
        });
    }

    /// The least pool a raw async-h1 user needs for a limit: `LIMIT` connections, opened
    /// once, each task taking one (a semaphore and a list) and giving it back after its request.
    #[divan::bench(sample_count = 50, sample_size = 1)]
    fn concurrent_100_async_raw_h1(b: Bencher) {
        let mock = MockServer::start();
        let (url, auth) = h1_url_auth(&mock);
        let conns: Vec<_> = (0..LIMIT).map(|_| block_on(raw_h1(&url))).collect();
        let pool = Arc::new((async_lock::Semaphore::new(LIMIT), std::sync::Mutex::new(conns)));
        let (url, auth) = (Arc::new(url), Arc::new(auth));
        concurrent(b, "concurrent_100_async_raw_h1", &mock, || {
            let (pool, url, auth) = (pool.clone(), url.clone(), auth.clone());
            async_std::task::spawn(async move {
                let _turn = pool.0.acquire().await;
                let conn = pool.1.lock().expect("pool").pop().expect("a pooled connection");
                assert!(raw_h1_get(&conn, &url, &auth).await > 0);
                pool.1.lock().expect("pool").push(conn);
            })
        });
    }
}
