//! dhat: uploading 1 MB and 100 MB peaks at the same heap, under 256 KiB: the upload is
//! streamed from disk, never read into memory.
//!
//! The mock runs as a separate `soniox-mock` process, so only the client's allocations count.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

use common_heap::{describe, let_the_harness_settle, upload_files, MockProcess};

const MB: u64 = 1_000_000;
/// The bound for an upload's heap, held here by what an upload needs beyond the client
/// and its pooled connection (see the test).
const WORKING_LIMIT: usize = 256 * 1024;

#[test]
fn uploads_of_one_and_a_hundred_megabytes_peak_at_the_same_small_heap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = upload_files(dir.path());

    let _profiler = dhat::Profiler::builder().testing().build();
    let_the_harness_settle();
    let mock = MockProcess::start();
    let client = mock.client();
    let start = dhat::HeapStats::get();

    let file = client.files().upload(&small).expect("1 MB uploaded");
    assert_eq!(file.size, MB);
    drop(file);
    let after_small = dhat::HeapStats::get();

    let file = client.files().upload(&large).expect("100 MB uploaded");
    assert_eq!(file.size, 100 * MB);
    drop(file);
    let after_large = dhat::HeapStats::get();
    // Printed only now: captured output is heap too.
    eprintln!("{}", describe("mock process started, client built", &start));
    eprintln!("{}", describe("after 1 MB upload", &after_small));
    eprintln!("{}", describe("after 100 MB upload", &after_large));

    // `max_bytes` is the peak since the profiler started: after the 1 MB upload it is that
    // upload's peak; after the 100 MB upload it is the larger of the two. Both include the
    // client and its pooled connection, whose two ureq buffers (80 KiB in, 32 KiB out, set in
    // the blocking transport) are allocated by the first request of any kind and stay live in the pool.
    let (peak_small, peak_large) = (after_small.max_bytes, after_large.max_bytes);
    // What an upload needs on top of that: its peak minus the live heap once it is done (the
    // client plus the idle pooled connection).
    let working_small = peak_small - after_small.curr_bytes;
    let working_large = peak_large - after_large.curr_bytes;
    let allocated_large = after_large.total_bytes - after_small.total_bytes;
    eprintln!(
        "upload peak heap: 1 MB {peak_small} bytes, 100 MB {peak_large} bytes (client and mock guard {} bytes; idle pooled \
         connection {} bytes); on top of client + pooled connection: 1 MB {working_small} bytes, 100 MB \
         {working_large} bytes; allocated during the upload: 1 MB {} bytes in {} blocks (connection included), \
         100 MB {allocated_large} bytes in {} blocks",
        start.curr_bytes,
        after_small.curr_bytes - start.curr_bytes,
        after_small.total_bytes - start.total_bytes,
        after_small.total_blocks - start.total_blocks,
        after_large.total_blocks - after_small.total_blocks,
    );
    assert!(
        peak_large * 10 <= peak_small * 11,
        "the 100 MB upload peaked at {peak_large} bytes, more than 10% above the 1 MB upload's {peak_small}"
    );
    assert!(
        working_small < WORKING_LIMIT && working_large < WORKING_LIMIT,
        "an upload needs {working_small} / {working_large} bytes on top of the pooled connection, not under 256 KiB"
    );
    // Nothing in proportion to the file: the 100 MB upload allocates a few KiB in all.
    assert!(
        allocated_large < 64 * 1024,
        "the 100 MB upload allocated {allocated_large} bytes"
    );
    // The whole peak, client and pooled connection included, is under the 256 KiB.
    assert!(
        peak_large < WORKING_LIMIT,
        "upload peak {peak_large} bytes, not under 256 KiB"
    );
}
