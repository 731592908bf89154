//! dhat, over TLS: uploading 1 MB and 100 MB to the mock over https peaks at the same heap,
//! under 256 KiB, as over plain HTTP (`heap_upload_peak.rs`): the upload is streamed from
//! disk through rustls, never read into memory.
//!
//! The mock runs as a separate `soniox-mock --tls` process, so only the client's allocations
//! count. Unlike plain HTTP, rustls encrypts each outgoing record (16 KiB of plaintext at
//! most) into a buffer of its own and frees it once written, so the bytes *allocated* grow
//! with the file while the *peak* does not; the test bounds both.
//!
//! The whole peak, client and pooled connection included, is under the 256 KiB:
//! the TCP step under rustls keeps buffers of one TLS record (18 KiB each way) rather than
//! the HTTP layer's 80/32 KiB a second time (`src/blocking/tls.rs`'s connector chain; without
//! that the peak was 323 KB, and raw ureq + rustls in `soniox-perf` still reads 292 KB).

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

use common_heap::{describe, let_the_harness_settle, upload_files, MockProcess};

const MB: u64 = 1_000_000;
/// The bound for an upload's heap, client and pooled connection included.
const LIMIT: usize = 256 * 1024;

#[test]
fn uploads_of_one_and_a_hundred_megabytes_over_tls_peak_at_the_same_small_heap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = upload_files(dir.path());

    let _profiler = dhat::Profiler::builder().testing().build();
    let_the_harness_settle();
    let mock = MockProcess::start_tls();
    assert!(mock.base_url().starts_with("https://"), "{}", mock.base_url());
    let client = mock.client();
    let start = dhat::HeapStats::get();

    let file = client.files().upload(&small).expect("1 MB uploaded over https");
    assert_eq!(file.size, MB);
    drop(file);
    let after_small = dhat::HeapStats::get();

    let file = client.files().upload(&large).expect("100 MB uploaded over https");
    assert_eq!(file.size, 100 * MB);
    drop(file);
    let after_large = dhat::HeapStats::get();
    eprintln!("{}", describe("TLS mock process started, client built", &start));
    eprintln!("{}", describe("after 1 MB upload over https", &after_small));
    eprintln!("{}", describe("after 100 MB upload over https", &after_large));

    // As in heap_upload_peak.rs: `max_bytes` after the 1 MB upload is that upload's peak
    // (the first request opens the connection: TCP, the TLS handshake, ureq's 80/32 KiB
    // buffers, rustls' connection state, all kept in the pool); after the 100 MB upload it
    // is the larger of the two.
    let (peak_small, peak_large) = (after_small.max_bytes, after_large.max_bytes);
    let working_small = peak_small - after_small.curr_bytes;
    let working_large = peak_large - after_large.curr_bytes;
    let allocated_large = after_large.total_bytes - after_small.total_bytes;
    let blocks_large = after_large.total_blocks - after_small.total_blocks;
    eprintln!(
        "https upload peak heap: 1 MB {peak_small} bytes, 100 MB {peak_large} bytes (client, its rustls config and \
         the mock guard {} bytes; idle pooled TLS connection {} bytes); on top of client + pooled connection: 1 MB \
         {working_small} bytes, 100 MB {working_large} bytes; allocated during the 100 MB upload: \
         {allocated_large} bytes in {blocks_large} blocks; live heap after it {} bytes (after the 1 MB upload {})",
        start.curr_bytes,
        after_small.curr_bytes - start.curr_bytes,
        after_large.curr_bytes,
        after_small.curr_bytes,
    );
    assert!(
        peak_large * 10 <= peak_small * 11,
        "the 100 MB upload over https peaked at {peak_large} bytes, more than 10% above the 1 MB upload's {peak_small}"
    );
    assert!(
        working_small < LIMIT && working_large < LIMIT,
        "an https upload needs {working_small} / {working_large} bytes on top of the pooled connection, not under 256 KiB"
    );
    // The whole peak, client and pooled connection included.
    assert!(
        peak_small < LIMIT && peak_large < LIMIT,
        "https upload peaks {peak_small} / {peak_large} bytes, not under 256 KiB"
    );
    // What is allocated is rustls' records, each freed once written: about the file's size in
    // all (100,141,183 bytes measured), at most one block per 8 KiB sent (6,181 measured: one
    // per 16 KiB record). A copy of the file, or a record kept, would break one of these.
    assert!(
        allocated_large <= 100 * MB / 100 * 102 + 64 * 1024,
        "the 100 MB upload over https allocated {allocated_large} bytes"
    );
    assert!(
        blocks_large <= 100 * MB / 8192,
        "the 100 MB upload over https made {blocks_large} allocations"
    );
    common_heap::assert_nothing_kept(&after_small, &after_large);
}
