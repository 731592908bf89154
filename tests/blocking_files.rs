//! Files: upload (streamed, checksummed by the mock), list, get, delete, count, and bad
//! input refused before any request.

mod common;

use std::sync::{Arc, Mutex};

use common::{client, mock, wav};
use soniox::audio::generate_test_audio_file;
use soniox::mock::checksum;
use soniox::types::UploadOptions;
use soniox::Error;

#[test]
fn an_upload_arrives_byte_for_byte_and_can_be_read_back_and_deleted() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let path = wav(dir.path(), "hello.wav", 2);
    let bytes = std::fs::read(&path).unwrap();

    let file = client
        .files()
        .upload_with(&path, UploadOptions::new().client_reference_id("ref-1"))
        .unwrap();
    assert_eq!((file.filename.as_str(), file.size), ("hello.wav", bytes.len() as u64));
    assert_eq!(file.client_reference_id.as_deref(), Some("ref-1"));
    let stored = mock.files();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].checksum, checksum(&bytes));

    assert_eq!(client.files().get(&file.id).unwrap(), file);
    assert_eq!(client.files().count().unwrap().total, 1);
    client.files().delete(&file.id).unwrap();
    assert!(mock.files().is_empty());
    let gone = client.files().get(&file.id).unwrap_err();
    assert_eq!((gone.status(), gone.error_type()), (Some(404), Some("file_not_found")));
    assert!(gone.request_id().is_some());
    assert!(!client.files().delete_if_exists(&file.id).unwrap());
}

#[test]
fn one_and_fifty_megabyte_uploads_match_the_mock_checksum() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    for (name, size) in [("one.wav", 1_000_000u64), ("fifty.wav", 50_000_000)] {
        let path = dir.path().join(name);
        assert_eq!(generate_test_audio_file(&path, size).unwrap(), size);
        let file = client.files().upload(&path).unwrap();
        assert_eq!(file.size, size);
        let sum = checksum(&std::fs::read(&path).unwrap());
        let stored = mock.files().into_iter().find(|f| f.id == file.id).unwrap();
        assert_eq!((stored.size, stored.checksum), (size, sum));
    }
    assert_eq!(mock.stats().upload_bytes, 51_000_000);
}

#[test]
fn upload_progress_reaches_the_total_and_never_goes_back() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = dir.path().join("p.wav");
    generate_test_audio_file(&path, 3_000_000).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    client(&mock)
        .files()
        .upload_with(
            &path,
            UploadOptions::new().on_progress(move |sent, total| s2.lock().unwrap().push((sent, total))),
        )
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 1);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(*seen.last().unwrap(), (3_000_000, 3_000_000));
}

#[test]
fn upload_reader_streams_any_reader_with_its_length() {
    let mock = mock();
    let data = soniox::audio::wav_bytes(Default::default(), std::time::Duration::from_millis(500));
    let file = client(&mock)
        .files()
        .upload_reader(&data[..], "mem.wav", data.len() as u64)
        .unwrap();
    assert_eq!(file.size, data.len() as u64);
    assert_eq!(mock.files()[0].checksum, checksum(&data));
    let short = client(&mock)
        .files()
        .upload_reader(&data[..10], "short.wav", 100)
        .unwrap_err();
    assert!(matches!(short, Error::Io { .. }), "{short:?}");
}

#[test]
fn bad_files_fail_before_any_request_reaches_the_mock() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let missing = client.files().upload(dir.path().join("nope.wav")).unwrap_err();
    assert!(
        matches!(&missing, Error::Io { path: Some(p), .. } if p.ends_with("nope.wav")),
        "{missing:?}"
    );
    assert!(
        matches!(client.files().upload(dir.path()).unwrap_err(), Error::InvalidArgument(m) if m.contains("directory"))
    );
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(client.files().upload(&empty).unwrap_err(), Error::InvalidArgument(m) if m.contains("empty")));
    let long_ref = UploadOptions::new().client_reference_id("x".repeat(257));
    let ok = wav(dir.path(), "ok.wav", 1);
    assert!(matches!(
        client.files().upload_with(&ok, long_ref).unwrap_err(),
        Error::InvalidArgument(_)
    ));
    let stats = mock.stats();
    assert_eq!((stats.requests, stats.connections_accepted), (0, 0));
}

#[test]
fn listing_walks_every_page_in_creation_order() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let path = wav(dir.path(), "a.wav", 1);
    let ids: Vec<String> = (0..23).map(|_| client.files().upload(&path).unwrap().id).collect();

    let first = client.files().list().limit(10).send().unwrap();
    assert_eq!(first.items.len(), 10);
    let second = client
        .files()
        .list()
        .limit(10)
        .cursor(first.next_page_cursor.clone().unwrap())
        .send()
        .unwrap();
    assert_eq!(second.items[0].id, ids[10]);

    mock.reset_stats();
    let mut all = client.files().list().limit(5).all();
    let listed: Vec<String> = all.by_ref().map(|f| f.unwrap().id).collect();
    assert_eq!(listed, ids);
    assert_eq!(all.pages(), 5);
    assert_eq!(mock.stats().route("GET /v1/files"), 5);
}

#[test]
fn a_bad_cursor_is_a_typed_api_error() {
    let mock = mock();
    let e = client(&mock).files().list().cursor("%%garbage%%").send().unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(400), Some("invalid_cursor")));
    let e = client(&mock).files().list().limit(0).send().unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
}
