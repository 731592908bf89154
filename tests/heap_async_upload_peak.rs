//! dhat, the async client over plain HTTP (issue 15): uploading 1 MB and 100 MB peaks at the same heap,
//! under 256 KiB; the file is streamed from disk, never read into memory. The check lives in
//! `common_heap/async_upload.rs` (one binary per transport: dhat's peak only ever rises).
#![cfg(feature = "async")]

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

#[test]
fn async_uploads_of_one_and_a_hundred_megabytes_peak_at_the_same_small_heap() {
    common_heap::async_upload::uploads_peak_at_the_same_small_heap(false);
}
