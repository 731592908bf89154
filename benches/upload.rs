//! Upload throughput against the in-process mock: `files().upload(path)` next to a raw
//! streamed multipart POST of the same file with the same framing (the SDK's own
//! [`Multipart`] head and tail around the file read from disk), for 1, 10 and 100 MB files.
//! The blocking client is compared with raw ureq set up as the SDK sets up its own, the async
//! client (feature `async`) with raw async-h1 over one kept-alive TCP stream with
//! `TCP_NODELAY` (the file read in the SDK's 64 KiB blocks): the floors are `soniox-perf`'s
//! (the same source file, `src/bin/soniox-perf/scenarios/floors.rs`). divan reports bytes per
//! second (`BytesCount` of the file size); compare SDK and raw of the same size, not absolute
//! figures (the machine is shared).
//!
//! ```text
//! cargo bench --features async --bench upload
//! ```
//!
//! The files are generated once per run in a temporary directory. Each case runs at most
//! 20 samples and at most about 4 s, so the 100 MB cases get only a few samples and the whole
//! bench takes well under two minutes. After each case the mock's counters are checked: every
//! upload arrived whole (`uploads` and `upload_bytes`).

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::Bencher;
use soniox::audio::generate_test_audio_file;
use soniox::blocking::Client;
use soniox::mock::MockServer;

const MB: u64 = 1_000_000;

fn main() {
    divan::main();
}

/// The generated files, kept for the whole run (and deleted with the directory at exit).
struct Files {
    _dir: tempfile::TempDir,
    paths: Vec<(u64, PathBuf)>,
}

fn file(mb: u64) -> &'static Path {
    static FILES: OnceLock<Files> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = [1, 10, 100]
            .into_iter()
            .map(|mb| {
                let p = dir.path().join(format!("upload-{mb}mb.wav"));
                generate_test_audio_file(&p, mb * MB).expect("file written");
                (mb, p)
            })
            .collect();
        Files { _dir: dir, paths }
    });
    files
        .paths
        .iter()
        .find(|(m, _)| *m == mb)
        .map(|(_, p)| p.as_path())
        .expect("a generated size")
}

/// Every upload the case made arrived whole.
fn check(mock: &MockServer, uploads: u64, size: u64) {
    let s = mock.stats();
    assert_eq!(s.uploads, uploads, "uploads the mock completed");
    assert_eq!(s.upload_bytes, uploads * size, "file bytes the mock received");
}

#[divan::bench(args = [1, 10, 100], sample_count = 20, sample_size = 1, max_time = 4)]
fn blocking_sdk(b: Bencher, mb: u64) {
    let mock = MockServer::start();
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .expect("client builds");
    let path = file(mb);
    let size = mb * MB;
    let mut runs = 0;
    b.counter(BytesCount::new(size)).bench_local(|| {
        let f = client.files().upload(path).expect("uploaded");
        assert_eq!(f.size, size);
        runs += 1;
    });
    check(&mock, runs, size);
}

/// Raw ureq with the SDK's settings (buffers, `TCP_NODELAY`, per-upload limits): the same
/// multipart body streamed from disk with an exact `Content-Length` (`floors::ureq_upload`).
#[divan::bench(args = [1, 10, 100], sample_count = 20, sample_size = 1, max_time = 4)]
fn blocking_raw_ureq(b: Bencher, mb: u64) {
    let mock = MockServer::start();
    let agent = floors::ureq_agent(floors::SDK_MAX_IDLE);
    let url = format!("{}/v1/files", mock.base_url());
    let auth = format!("Bearer {}", mock.api_key());
    let path = file(mb);
    let size = mb * MB;
    let mut runs = 0;
    b.counter(BytesCount::new(size)).bench_local(|| {
        floors::ureq_upload(&agent, &url, &auth, path, runs, true).expect("raw upload");
        runs += 1;
    });
    check(&mock, runs, size);
}

#[cfg(feature = "async")]
mod nonblocking {
    use async_std::task::block_on;
    use divan::counter::BytesCount;
    use divan::Bencher;
    use soniox::mock::MockServer;
    use soniox::nonblocking::Client;

    use super::{check, file, floors, MB};

    #[divan::bench(args = [1, 10, 100], sample_count = 20, sample_size = 1, max_time = 4)]
    fn async_sdk(b: Bencher, mb: u64) {
        let mock = MockServer::start();
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()
            .expect("client builds");
        let path = file(mb);
        let size = mb * MB;
        let mut runs = 0;
        b.counter(BytesCount::new(size)).bench_local(|| {
            let f = block_on(client.files().upload(path)).expect("uploaded");
            assert_eq!(f.size, size);
            runs += 1;
        });
        check(&mock, runs, size);
    }

    /// Raw async-h1 over one kept-alive TCP stream with `TCP_NODELAY`
    /// (`floors::h1_upload`): the same multipart body streamed from disk in 64 KiB reads,
    /// with an exact `Content-Length`.
    #[divan::bench(args = [1, 10, 100], sample_count = 20, sample_size = 1, max_time = 4)]
    fn async_raw_h1(b: Bencher, mb: u64) {
        let mock = MockServer::start();
        let url = floors::h1_url(&format!("{}/v1/files", mock.base_url())).expect("URL parses");
        let conn = block_on(floors::H1Conn::open(&url, floors::H1::Sdk)).expect("connected");
        let auth = format!("Bearer {}", mock.api_key());
        let path = file(mb);
        let size = mb * MB;
        let mut runs = 0;
        b.counter(BytesCount::new(size)).bench_local(|| {
            block_on(floors::h1_upload(&conn, &url, &auth, path, runs)).expect("raw upload");
            runs += 1;
        });
        check(&mock, runs, size);
    }
}
