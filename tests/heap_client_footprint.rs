//! dhat: the heap footprint of building a blocking client (bytes and blocks).

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

use std::time::Duration;

use soniox::blocking::Client;

/// Live bytes a built client holds (measured: 3251 in 27 blocks, the first one included).
const LIVE_BYTES_LIMIT: usize = 8 * 1024;
const LIVE_BLOCKS_LIMIT: usize = 64;
/// What the first client leaves behind for the process: the ring `CryptoProvider`, built once
/// (`OnceLock`) and shared by every later client (measured: 320 bytes in 3 blocks).
const ONCE_BYTES_LIMIT: usize = 1024;

fn build() -> Client {
    Client::builder()
        .api_key("heap-test-key")
        .base_url("http://127.0.0.1:9")
        .ws_url("ws://127.0.0.1:9/transcribe-websocket")
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client builds")
}

#[test]
fn building_a_blocking_client_allocates_a_small_bounded_footprint() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // libtest's main thread allocates a little on its own just after spawning the test's thread
    // (seen: 900 bytes in 4 blocks, now and then after the profiler started); dhat counts every
    // thread, so measuring starts once it is quiet.
    std::thread::sleep(Duration::from_millis(200));

    // Nothing is printed until measuring is over: under libtest's output capture `eprintln!`
    // appends to a heap buffer, which dhat would count.
    let before = dhat::HeapStats::get();
    let first = build();
    let built = dhat::HeapStats::get();
    drop(first);
    let dropped = dhat::HeapStats::get();
    // A second client: the steady-state cost, and nothing more stays once it is dropped.
    let second = build();
    let built_again = dhat::HeapStats::get();
    drop(second);
    let dropped_again = dhat::HeapStats::get();

    let live_bytes = built.curr_bytes - before.curr_bytes;
    let live_blocks = built.curr_blocks - before.curr_blocks;
    let total_bytes = built.total_bytes - before.total_bytes;
    let total_blocks = built.total_blocks - before.total_blocks;
    let peak_bytes = built.max_bytes - before.curr_bytes;
    let once_bytes = dropped.curr_bytes - before.curr_bytes;
    let once_blocks = dropped.curr_blocks - before.curr_blocks;
    let again_bytes = built_again.curr_bytes - dropped.curr_bytes;
    let again_blocks = built_again.curr_blocks - dropped.curr_blocks;
    eprintln!(
        "first client: live {live_bytes} bytes in {live_blocks} blocks; allocated {total_bytes} bytes in \
         {total_blocks} blocks; peak {peak_bytes} bytes"
    );
    eprintln!("after dropping it: {once_bytes} bytes in {once_blocks} blocks stay (built once per process)");
    eprintln!(
        "second client: live {again_bytes} bytes in {again_blocks} blocks; allocated {} bytes in {} blocks",
        built_again.total_bytes - dropped.total_bytes,
        built_again.total_blocks - dropped.total_blocks
    );

    assert!(live_bytes < LIVE_BYTES_LIMIT, "a client holds {live_bytes} bytes");
    assert!(live_blocks < LIVE_BLOCKS_LIMIT, "a client holds {live_blocks} blocks");
    assert!(
        peak_bytes < LIVE_BYTES_LIMIT,
        "building a client peaks at {peak_bytes} bytes"
    );
    assert!(
        total_blocks < 2 * LIVE_BLOCKS_LIMIT as u64,
        "building a client allocates {total_blocks} blocks"
    );
    assert!(
        once_bytes < ONCE_BYTES_LIMIT,
        "the first client leaves {once_bytes} bytes behind"
    );
    // The shared provider is not built twice: the second client costs the first one's live heap
    // minus it, and dropping the second client frees all of that.
    assert_eq!(
        (again_bytes, again_blocks),
        (live_bytes - once_bytes, live_blocks - once_blocks)
    );
    assert_eq!(
        (dropped_again.curr_bytes, dropped_again.curr_blocks),
        (dropped.curr_bytes, dropped.curr_blocks),
        "dropping a client frees everything it allocated"
    );
}
