//! Stress: large and concurrent uploads with the blocking client, verified byte for byte by
//! the mock's checksum. Ten 10 MB files over five worker threads run by default; single
//! 200 MB and 500 MB uploads are `#[ignore]`d (run them with `-- --ignored`, in release).
//! Exact facts only (checksums, sizes, counts, peaks); no wall-clock assertions.

mod common_stress;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common_stress::{client_with, file_checksum, mock, stats_when};
use soniox::audio::generate_test_audio_file;

const MB: u64 = 1_000_000;

#[test]
fn ten_ten_megabyte_uploads_over_five_workers_all_match_the_mock_checksums() {
    const FILES: u64 = 10;
    const WORKERS: usize = 5;
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    // One generated 10 MB WAV (generating the tone is the slow part in debug builds), copied
    // ten times with `2 * i` trailing pad bytes, so every file has its own size and checksum.
    let base = dir.path().join("base.wav");
    assert_eq!(generate_test_audio_file(&base, 10 * MB).unwrap(), 10 * MB);
    let files: Vec<(PathBuf, u64)> = (0..FILES)
        .map(|i| {
            let path = dir.path().join(format!("audio_{i}.wav"));
            std::fs::copy(&base, &path).unwrap();
            let pad = vec![0u8; 2 * i as usize];
            OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap()
                .write_all(&pad)
                .unwrap();
            let size = 10 * MB + 2 * i;
            assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
            (path, size)
        })
        .collect();
    let client = client_with(&mock, |b| b.max_connections(WORKERS));
    let queue = Arc::new(Mutex::new(files.clone()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (client, queue) = (client.clone(), queue.clone());
            thread::spawn(move || {
                let mut done = Vec::new();
                // At most every file: the queue only shrinks.
                for _ in 0..FILES {
                    let Some((path, size)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let file = client.files().upload(&path).unwrap();
                    assert_eq!(file.size, size);
                    done.push((file.id, path));
                }
                done
            })
        })
        .collect();
    let uploaded: Vec<(String, PathBuf)> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert_eq!(uploaded.len(), FILES as usize, "every upload succeeded");

    let stored = mock.files();
    assert_eq!(stored.len(), FILES as usize);
    let mut sums = Vec::new();
    for (id, path) in &uploaded {
        let file = stored.iter().find(|f| &f.id == id).expect("the mock stored the upload");
        let sum = file_checksum(path);
        assert_eq!(
            (file.size, file.checksum, file.filename.as_str()),
            (
                std::fs::metadata(path).unwrap().len(),
                sum,
                path.file_name().unwrap().to_str().unwrap()
            )
        );
        sums.push(sum);
    }
    sums.sort_unstable();
    sums.dedup();
    assert_eq!(sums.len(), FILES as usize, "ten distinct contents");
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    let s = mock.stats();
    assert_eq!((s.uploads, s.upload_bytes), (FILES, total));
    assert_eq!(s.route("POST /v1/files"), FILES);
    assert!(
        s.peak_concurrent_uploads <= WORKERS as u64,
        "peak {} uploads",
        s.peak_concurrent_uploads
    );
    assert!(
        s.peak_connections <= WORKERS as u64,
        "peak {} connections",
        s.peak_connections
    );
}

/// One upload of exactly `size` bytes, verified by checksum; the file is written to a
/// temporary directory and removed afterwards.
fn single_large_upload(size: u64) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = dir.path().join(format!("audio_{}mb.wav", size / MB));
    assert_eq!(generate_test_audio_file(&path, size).unwrap(), size);
    let client = client_with(&mock, |b| b.timeout(Duration::from_secs(1_800)));
    let file = client.files().upload(&path).unwrap();
    assert_eq!(file.size, size);
    let stored = mock.files();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id.as_str(), stored[0].size), (file.id.as_str(), size));
    assert_eq!(stored[0].checksum, file_checksum(&path));
    let s = stats_when(&mock, |s| s.open_uploads == 0);
    assert_eq!((s.uploads, s.upload_bytes, s.peak_concurrent_uploads), (1, size, 1));
}

#[test]
#[ignore = "stress: a 200 MB upload (run with --release -- --ignored)"]
fn a_two_hundred_megabyte_upload_matches_the_mock_checksum() {
    single_large_upload(200 * MB);
}

#[test]
#[ignore = "stress: a 500 MB upload (run with --release -- --ignored)"]
fn a_five_hundred_megabyte_upload_matches_the_mock_checksum() {
    single_large_upload(500 * MB);
}
