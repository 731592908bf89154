//! Connection reuse and the connection limit, counted by the mock.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{client, client_with, mock};
use soniox::mock::{Fault, FaultAction};

#[test]
fn a_hundred_sequential_calls_use_one_connection() {
    let mock = mock();
    let client = client(&mock);
    for _ in 0..100 {
        assert!(!client.models().list().unwrap().is_empty());
    }
    let s = mock.stats();
    assert_eq!((s.route("GET /v1/models"), s.connections_accepted), (100, 1));
}

#[test]
fn twenty_concurrent_callers_over_five_connections_all_succeed() {
    let mock = mock();
    // Each request takes a while, so callers really overlap and must queue.
    mock.add_fault(Fault::new(FaultAction::Latency(Duration::from_millis(20))).on("GET", "/v1/models"));
    let client = client_with(&mock, |b| b.max_connections(5));
    let ok = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let (client, ok) = (client.clone(), ok.clone());
            std::thread::spawn(move || {
                for _ in 0..3 {
                    client.models().list().unwrap();
                    ok.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let s = mock.stats();
    assert_eq!(ok.load(Ordering::SeqCst), 60);
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
    a.models().list().unwrap();
    b.models().list().unwrap();
    assert_eq!(mock.stats().connections_accepted, 1);
}
