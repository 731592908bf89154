//! Connection reuse and the connection limit of the async client, counted by the mock.
#![cfg(feature = "async")]

mod common_async;

use std::time::Duration;

use common_async::{client, client_with, mock, run};
use futures::future::join_all;
use soniox::mock::{Fault, FaultAction};

#[test]
fn a_hundred_sequential_calls_use_one_connection() {
    let mock = mock();
    let client = client(&mock);
    run(async {
        for _ in 0..100 {
            assert!(!client.models().list().await.unwrap().is_empty());
        }
    });
    let s = mock.stats();
    assert_eq!((s.route("GET /v1/models"), s.connections_accepted), (100, 1));
}

#[test]
fn a_thousand_calls_from_a_hundred_spawned_tasks_stay_within_eight_connections() {
    let mock = mock();
    // Each request takes a while, so tasks really overlap and must queue.
    mock.add_fault(Fault::new(FaultAction::Latency(Duration::from_millis(2))).on("GET", "/v1/models"));
    let client = client_with(&mock, |b| b.max_connections(8));
    let ok = run(async {
        let tasks = (0..100).map(|_| {
            let client = client.clone();
            // `spawn` needs a `Send + 'static` future: the client's futures are `Send`.
            async_std::task::spawn(async move {
                let mut ok = 0;
                for _ in 0..10 {
                    client.models().list().await.unwrap();
                    ok += 1;
                }
                ok
            })
        });
        join_all(tasks).await.into_iter().sum::<usize>()
    });
    let s = mock.stats();
    assert_eq!(ok, 1000);
    assert_eq!(s.route("GET /v1/models"), 1000);
    assert!(s.peak_connections <= 8, "peak {} connections", s.peak_connections);
    assert!(
        s.connections_accepted <= 8,
        "{} connections opened",
        s.connections_accepted
    );
    assert!(s.peak_connections >= 2, "the tasks never overlapped");
}

#[test]
fn twenty_concurrent_callers_over_five_connections_all_succeed() {
    let mock = mock();
    mock.add_fault(Fault::new(FaultAction::Latency(Duration::from_millis(20))).on("GET", "/v1/models"));
    let client = client_with(&mock, |b| b.max_connections(5));
    let results = run(join_all((0..20).map(|_| async {
        for _ in 0..3 {
            client.models().list().await.unwrap();
        }
    })));
    let s = mock.stats();
    assert_eq!(results.len(), 20);
    assert_eq!(s.route("GET /v1/models"), 60);
    assert!(s.peak_connections <= 5, "peak {} connections", s.peak_connections);
    assert!(
        s.connections_accepted <= 5,
        "{} connections opened",
        s.connections_accepted
    );
}

#[test]
fn the_client_is_cheap_to_clone_and_shares_its_pool() {
    let mock = mock();
    let a = client(&mock);
    let b = a.clone();
    run(async {
        a.models().list().await.unwrap();
        b.models().list().await.unwrap();
    });
    assert_eq!(mock.stats().connections_accepted, 1);
}

#[test]
fn the_idle_setting_bounds_the_connections_kept_for_reuse() {
    // 0: every exchange closes its connection (as in the blocking client).
    let mock = mock();
    let client = client_with(&mock, |b| b.max_idle_connections(0));
    run(async {
        for _ in 0..3 {
            client.models().list().await.unwrap();
        }
    });
    assert_eq!(mock.stats().connections_accepted, 3);
    // 1: one connection carries every sequential call.
    let mock = common_async::mock();
    let client = client_with(&mock, |b| b.max_idle_connections(1));
    run(async {
        for _ in 0..3 {
            client.models().list().await.unwrap();
        }
    });
    assert_eq!(mock.stats().connections_accepted, 1);
}
