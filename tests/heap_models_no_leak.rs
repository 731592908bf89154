//! dhat: 1000 `models().list()` requests after a warm-up leave the live heap where it was.
//!
//! The mock runs as a separate `soniox-mock` process, so only the client's allocations count.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

use common_heap::{describe, let_the_harness_settle, MockProcess};

const WARM_UP: usize = 20;
const REQUESTS: usize = 1_000;

#[test]
fn a_thousand_model_listings_leave_no_growth_in_live_heap() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let_the_harness_settle();
    let mock = MockProcess::start();
    let client = mock.client();

    // Warm-up: the pooled connection, its buffers and every lazily built value exist after it.
    for _ in 0..WARM_UP {
        assert!(!client.models().list().expect("models listed").is_empty());
    }
    let before = dhat::HeapStats::get();
    for _ in 0..REQUESTS {
        assert!(!client.models().list().expect("models listed").is_empty());
    }
    let after = dhat::HeapStats::get();
    // Printed only now: captured output is heap too.
    eprintln!("{}", describe("after warm-up", &before));
    eprintln!("{}", describe("after 1000 requests", &after));

    let per_request = (after.total_bytes - before.total_bytes) / REQUESTS as u64;
    let blocks_per_request = (after.total_blocks - before.total_blocks) / REQUESTS as u64;
    eprintln!(
        "1000 requests: live {} -> {} bytes, {} -> {} blocks; {per_request} bytes in \
         {blocks_per_request} blocks allocated (and freed) per request",
        before.curr_bytes, after.curr_bytes, before.curr_blocks, after.curr_blocks
    );
    assert_eq!(after.curr_bytes, before.curr_bytes, "live heap grew over 1000 requests");
    assert_eq!(
        after.curr_blocks, before.curr_blocks,
        "live blocks grew over 1000 requests"
    );
}
