//! Resident memory of the async client (Linux), as the process's RSS (`/proc/self/status`):
//! a second check beside dhat (tests/heap_*.rs), kept from when the client ran on libcurl,
//! whose own `malloc` calls dhat could not see.
//!
//! The mock runs as a separate `soniox-mock` process (tests/common_heap/), so only the client's
//! memory is in this process. RSS is per process, so both measurements run in order in one test:
//! 1. after a warm-up, 1000 `models().list()` calls leave `VmRSS` within [`LIST_GROWTH_LIMIT`];
//! 2. uploads stream: the peak RSS (`VmHWM`, reset before each upload through
//!    `/proc/self/clear_refs`) rises by less than [`UPLOAD_PEAK_LIMIT`] above the RSS before the
//!    upload, for 1 MB and for 100 MB alike, and the 100 MB upload's rise exceeds the 1 MB
//!    upload's by less than [`UPLOAD_PEAK_DIFFERENCE_LIMIT`]. A client that buffered the file
//!    would add 100 MB.
//!
//! The limits are measured figures with a wide margin (see their docs); run with
//! `cargo test --all-features --test rss_async -- --nocapture` to see the numbers.
#![cfg(all(feature = "async", feature = "blocking", target_os = "linux"))]

mod common_heap;

use std::time::Duration;

use async_std::task::block_on;
use common_heap::{MockProcess, API_KEY};
use soniox::audio::generate_test_audio_file;
use soniox::nonblocking::Client;

const KIB: u64 = 1024;
const MB: u64 = 1_000_000;
const WARM_UP: usize = 50;
const REQUESTS: usize = 1_000;

/// RSS growth allowed over 1000 listings after the warm-up. Measured: 40–50 KiB in three runs
/// (glibc arenas and libcurl's connection cache settle during the warm-up; what is left is
/// page-granular noise). The mock's model list is 8.8 KB, so leaking one response body per
/// request would add 8.6 MiB, and any per-request leak of 1 KiB or more (a curl handle, a header
/// map, the decoded models) crosses this 1 MiB limit, which is still 20 times the growth measured.
const LIST_GROWTH_LIMIT: u64 = 1024 * KIB;

/// Peak RSS above the RSS before an upload. Measured in three runs: 0.19–0.21 MiB for 1 MB,
/// 0.10–0.21 MiB for 100 MB (then: two 64 KiB chunks in flight, curl's upload buffer, async-std's
/// blocking-pool reads). 4 MiB is 20 times that and still 25 times less than the 100 MB file.
const UPLOAD_PEAK_LIMIT: u64 = 4 * 1024 * KIB;

/// How much more the 100 MB upload may raise the peak than the 1 MB upload (measured: -0.09 to
/// +0.02 MiB). Buffering even 1% of the larger file would exceed it.
const UPLOAD_PEAK_DIFFERENCE_LIMIT: u64 = 1024 * KIB;

/// `VmRSS` and `VmHWM` of this process, in bytes.
fn rss_and_peak() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in /proc/self/status"));
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("bad {name} line {line:?}: {e}"));
        kib * KIB
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("write /proc/self/clear_refs");
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Uploads `path` and returns (RSS before, peak during, RSS after).
fn measured_upload(client: &Client, path: &std::path::Path, size: u64) -> (u64, u64, u64) {
    reset_peak();
    let (before, _) = rss_and_peak();
    let file = block_on(client.files().upload(path)).expect("uploaded");
    assert_eq!(file.size, size);
    drop(file);
    let (after, peak) = rss_and_peak();
    (before, peak, after)
}

#[test]
fn async_client_rss_is_flat_over_a_thousand_listings_and_uploads_stream() {
    // Files first: writing them must not count in any measurement.
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("rss-1mb.wav");
    let large = dir.path().join("rss-100mb.wav");
    generate_test_audio_file(&small, MB).expect("1 MB file written");
    generate_test_audio_file(&large, 100 * MB).expect("100 MB file written");

    let mock = MockProcess::start();
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("client builds");

    // 1. Listings.
    for _ in 0..WARM_UP {
        assert!(!block_on(client.models().list()).expect("models listed").is_empty());
    }
    let (rss_before, _) = rss_and_peak();
    for _ in 0..REQUESTS {
        assert!(!block_on(client.models().list()).expect("models listed").is_empty());
    }
    let (rss_after, _) = rss_and_peak();
    let growth = rss_after.saturating_sub(rss_before);
    eprintln!(
        "1000 async listings: RSS {} -> {} (growth {})",
        mib(rss_before),
        mib(rss_after),
        mib(growth)
    );

    // 2. Uploads: one warm-up (the upload client's connection, async-std's blocking pool), then
    // 1 MB and 100 MB, each with the peak reset just before it.
    measured_upload(&client, &small, MB);
    let (b1, p1, a1) = measured_upload(&client, &small, MB);
    let (b100, p100, a100) = measured_upload(&client, &large, 100 * MB);
    let (peak_small, peak_large) = (p1.saturating_sub(b1), p100.saturating_sub(b100));
    eprintln!(
        "async upload 1 MB: RSS {} -> peak {} -> {} (peak +{})",
        mib(b1),
        mib(p1),
        mib(a1),
        mib(peak_small)
    );
    eprintln!(
        "async upload 100 MB: RSS {} -> peak {} -> {} (peak +{})",
        mib(b100),
        mib(p100),
        mib(a100),
        mib(peak_large)
    );

    assert!(
        growth < LIST_GROWTH_LIMIT,
        "RSS grew by {} over 1000 listings (limit {})",
        mib(growth),
        mib(LIST_GROWTH_LIMIT)
    );
    assert!(
        peak_small < UPLOAD_PEAK_LIMIT && peak_large < UPLOAD_PEAK_LIMIT,
        "upload peak RSS above the RSS before it: 1 MB +{}, 100 MB +{} (limit {})",
        mib(peak_small),
        mib(peak_large),
        mib(UPLOAD_PEAK_LIMIT)
    );
    assert!(
        peak_large.saturating_sub(peak_small) < UPLOAD_PEAK_DIFFERENCE_LIMIT,
        "the 100 MB upload raised the peak RSS by {} more than the 1 MB upload (limit {})",
        mib(peak_large.saturating_sub(peak_small)),
        mib(UPLOAD_PEAK_DIFFERENCE_LIMIT)
    );
}
