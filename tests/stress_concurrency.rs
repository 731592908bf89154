//! Stress: many concurrent callers over a bounded connection pool, counted by the mock.
//! Transcription creation at 10/50/100 callers, file listing at 10/50/100/200 callers and
//! pool exhaustion (20 callers over 5 connections), from threads (blocking client) and from
//! spawned async-std tasks (async client). A small injected latency makes requests overlap.
//! Every assertion is an exact fact (successes, counts, connection peaks); no wall-clock
//! assertions, and every loop is bounded.

mod common_stress;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common_stress::{client_with, mock, stats_when, wav_ms};
use soniox::mock::{Fault, FaultAction, MockServer};
use soniox::types::CreateTranscription;

/// The connection limit of the creation and listing scenarios.
const LIMIT: usize = 20;
/// Files the jobs are created from (callers take them in turn).
const SOURCE_FILES: usize = 5;

/// Uploads the source files (sequentially, before any concurrency); returns their ids.
fn upload_sources(mock: &MockServer) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let client = client_with(mock, |b| b);
    let ids = (0..SOURCE_FILES)
        .map(|i| {
            let path = wav_ms(dir.path(), &format!("test_{i}.wav"), 500 + 100 * i as u64);
            client.files().upload(&path).unwrap().id
        })
        .collect();
    drop(client);
    settle(mock);
    ids
}

/// Waits (bounded) until the setup client's connections are closed, then zeroes the counters,
/// so the peaks measured afterwards are the scenario's own.
fn settle(mock: &MockServer) {
    let open = stats_when(mock, |s| s.open_connections == 0).open_connections;
    assert_eq!(open, 0, "the setup connections closed");
    mock.reset_stats();
}

/// Adds `ms` of latency to every request matching (method, path prefix).
fn latency(mock: &MockServer, method: &str, path: &str, ms: u64) {
    mock.add_fault(Fault::new(FaultAction::Latency(Duration::from_millis(ms))).on(method, path));
}

/// Checks the mock holds exactly the jobs `created` (ids, in any order), each from one of
/// `files`, and that the pool never went over `limit`.
fn assert_jobs(mock: &MockServer, created: &[(String, String)], files: &[String], limit: usize) {
    let n = created.len();
    let jobs = mock.transcriptions();
    assert_eq!(jobs.len(), n, "the mock holds exactly {n} jobs");
    let ours: BTreeSet<&str> = created.iter().map(|(id, _)| id.as_str()).collect();
    let theirs: BTreeSet<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ours.len(), n, "every job id is distinct");
    assert_eq!(ours, theirs);
    for job in &jobs {
        let file = job.file_id.as_deref().expect("a job from a file");
        assert!(
            files.iter().any(|f| f == file),
            "job {} from unknown file {file}",
            job.id
        );
    }
    for (id, file) in created {
        let stored = jobs.iter().find(|j| &j.id == id).unwrap();
        assert_eq!(stored.file_id.as_deref(), Some(file.as_str()));
    }
    let s = mock.stats();
    assert_eq!(s.route("POST /v1/transcriptions"), n as u64);
    assert!(
        s.peak_connections <= limit as u64,
        "peak {} > {limit}",
        s.peak_connections
    );
    assert!(s.peak_connections >= 2, "the callers never overlapped");
}

fn blocking_creation(n: usize) {
    let mock = mock();
    let files = Arc::new(upload_sources(&mock));
    latency(&mock, "POST", "/v1/transcriptions", 10);
    let client = client_with(&mock, |b| b.max_connections(LIMIT));
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (client, files, start) = (client.clone(), files.clone(), start.clone());
            thread::spawn(move || {
                let file = files[i % files.len()].clone();
                start.wait();
                let job = client
                    .transcriptions()
                    .create(CreateTranscription::file_id(&file).client_reference_id(format!("c-{i}")))
                    .unwrap();
                (job.id, file)
            })
        })
        .collect();
    let created: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(created.len(), n, "every caller succeeded");
    assert_jobs(&mock, &created, &files, LIMIT);
}

#[test]
fn ten_threads_create_ten_jobs_within_the_connection_limit() {
    blocking_creation(10);
}

#[test]
fn fifty_threads_create_fifty_jobs_within_the_connection_limit() {
    blocking_creation(50);
}

#[test]
fn a_hundred_threads_create_a_hundred_jobs_within_the_connection_limit() {
    blocking_creation(100);
}

/// Uploads `k` files so listings have something to return.
fn listing_mock(k: usize) -> MockServer {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let client = client_with(&mock, |b| b);
    for i in 0..k {
        client
            .files()
            .upload(wav_ms(dir.path(), &format!("l{i}.wav"), 200))
            .unwrap();
    }
    drop(client);
    latency(&mock, "GET", "/v1/files", 5);
    settle(&mock);
    mock
}

fn blocking_listing(n: usize) {
    let mock = listing_mock(3);
    let client = client_with(&mock, |b| b.max_connections(LIMIT));
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (client, start) = (client.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                client.files().list().limit(50).send().unwrap()
            })
        })
        .collect();
    let pages: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(pages.len(), n);
    for page in &pages {
        assert_eq!(page.items.len(), 3);
        assert!(page.is_last());
    }
    let s = mock.stats();
    assert_eq!(s.route("GET /v1/files"), n as u64);
    assert!(s.peak_connections <= LIMIT as u64, "peak {}", s.peak_connections);
    assert!(s.peak_connections >= 2, "the callers never overlapped");
}

#[test]
fn ten_threads_list_files_within_the_connection_limit() {
    blocking_listing(10);
}

#[test]
fn fifty_threads_list_files_within_the_connection_limit() {
    blocking_listing(50);
}

#[test]
fn a_hundred_threads_list_files_within_the_connection_limit() {
    blocking_listing(100);
}

#[test]
fn two_hundred_threads_list_files_within_the_connection_limit() {
    blocking_listing(200);
}

/// Callers of the pool-exhaustion scenario, calls each, and the pool size.
const CALLERS: usize = 20;
const CALLS: usize = 5;
const SMALL_POOL: usize = 5;

#[test]
fn twenty_threads_over_a_pool_of_five_all_succeed_by_queueing() {
    let mock = listing_mock(2);
    latency(&mock, "GET", "/v1/models", 10);
    let client = client_with(&mock, |b| b.max_connections(SMALL_POOL).max_idle_connections(2));
    let start = Arc::new(Barrier::new(CALLERS));
    let threads: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (client, start) = (client.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                let mut ok = 0;
                for call in 0..CALLS {
                    if call % 2 == 0 {
                        assert!(!client.models().list().unwrap().is_empty());
                    } else {
                        assert_eq!(client.files().list().send().unwrap().items.len(), 2);
                    }
                    ok += 1;
                }
                ok
            })
        })
        .collect();
    let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(ok, CALLERS * CALLS, "every call succeeded");
    let s = mock.stats();
    let models = (CALLERS * CALLS.div_ceil(2)) as u64;
    assert_eq!(s.route("GET /v1/models"), models);
    assert_eq!(s.route("GET /v1/files"), (CALLERS * CALLS) as u64 - models);
    assert!(s.peak_connections <= SMALL_POOL as u64, "peak {}", s.peak_connections);
    assert!(s.peak_connections >= 2, "the callers never overlapped");
}

#[cfg(feature = "async")]
mod nonblocking {
    //! The same scenarios with the async client, from tasks spawned on async-std.

    use super::*;
    use crate::common_stress::async_client_with;
    use futures::future::join_all;

    fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
        async_std::task::block_on(fut)
    }

    fn creation(n: usize) {
        let mock = mock();
        let files = upload_sources(&mock);
        latency(&mock, "POST", "/v1/transcriptions", 10);
        let client = async_client_with(&mock, |b| b.max_connections(LIMIT));
        let created = run(async {
            let tasks = (0..n).map(|i| {
                let client = client.clone();
                let file = files[i % files.len()].clone();
                async_std::task::spawn(async move {
                    let req = CreateTranscription::file_id(&file).client_reference_id(format!("c-{i}"));
                    let job = client.transcriptions().create(req).await.unwrap();
                    (job.id, file)
                })
            });
            join_all(tasks).await
        });
        assert_eq!(created.len(), n, "every task succeeded");
        assert_jobs(&mock, &created, &files, LIMIT);
    }

    #[test]
    fn ten_tasks_create_ten_jobs_within_the_connection_limit() {
        creation(10);
    }

    #[test]
    fn fifty_tasks_create_fifty_jobs_within_the_connection_limit() {
        creation(50);
    }

    #[test]
    fn a_hundred_tasks_create_a_hundred_jobs_within_the_connection_limit() {
        creation(100);
    }

    fn listing(n: usize) {
        let mock = listing_mock(3);
        let client = async_client_with(&mock, |b| b.max_connections(LIMIT));
        let pages = run(async {
            let tasks = (0..n).map(|_| {
                let client = client.clone();
                async_std::task::spawn(async move { client.files().list().limit(50).send().await.unwrap() })
            });
            join_all(tasks).await
        });
        assert_eq!(pages.len(), n);
        for page in &pages {
            assert_eq!(page.items.len(), 3);
            assert!(page.is_last());
        }
        let s = mock.stats();
        assert_eq!(s.route("GET /v1/files"), n as u64);
        assert!(s.peak_connections <= LIMIT as u64, "peak {}", s.peak_connections);
        assert!(s.peak_connections >= 2, "the tasks never overlapped");
    }

    #[test]
    fn ten_tasks_list_files_within_the_connection_limit() {
        listing(10);
    }

    #[test]
    fn fifty_tasks_list_files_within_the_connection_limit() {
        listing(50);
    }

    #[test]
    fn a_hundred_tasks_list_files_within_the_connection_limit() {
        listing(100);
    }

    #[test]
    fn two_hundred_tasks_list_files_within_the_connection_limit() {
        listing(200);
    }

    #[test]
    fn twenty_tasks_over_a_pool_of_five_all_succeed_by_queueing() {
        let mock = listing_mock(2);
        latency(&mock, "GET", "/v1/models", 10);
        // A small idle setting too: connections beyond it close after their exchange, and
        // new ones open later, so the limit must hold through that churn.
        let client = async_client_with(&mock, |b| b.max_connections(SMALL_POOL).max_idle_connections(2));
        let ok: usize = run(async {
            let tasks = (0..CALLERS).map(|_| {
                let client = client.clone();
                async_std::task::spawn(async move {
                    let mut ok = 0;
                    for call in 0..CALLS {
                        if call % 2 == 0 {
                            assert!(!client.models().list().await.unwrap().is_empty());
                        } else {
                            assert_eq!(client.files().list().send().await.unwrap().items.len(), 2);
                        }
                        ok += 1;
                    }
                    ok
                })
            });
            join_all(tasks).await.into_iter().sum()
        });
        assert_eq!(ok, CALLERS * CALLS, "every call succeeded");
        let s = mock.stats();
        let models = (CALLERS * CALLS.div_ceil(2)) as u64;
        assert_eq!(s.route("GET /v1/models"), models);
        assert_eq!(s.route("GET /v1/files"), (CALLERS * CALLS) as u64 - models);
        assert!(s.peak_connections <= SMALL_POOL as u64, "peak {}", s.peak_connections);
        assert!(s.peak_connections >= 2, "the tasks never overlapped");
    }
}
