//! Files through the async client: upload (streamed, checksummed by the mock), list, get,
//! delete, count, and bad input refused before any request.
#![cfg(feature = "async")]

mod common_async;

use std::sync::{Arc, Mutex};

use common_async::{assert_send, client, mock, run, wav};
use futures::StreamExt;
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
    run(async {
        let file = assert_send(
            client
                .files()
                .upload_with(&path, UploadOptions::new().client_reference_id("ref-1")),
        )
        .await
        .unwrap();
        assert_eq!((file.filename.as_str(), file.size), ("hello.wav", bytes.len() as u64));
        assert_eq!(file.client_reference_id.as_deref(), Some("ref-1"));
        let stored = mock.files();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].checksum, checksum(&bytes));

        assert_eq!(client.files().get(&file.id).await.unwrap(), file);
        assert_eq!(client.files().count().await.unwrap().total, 1);
        client.files().delete(&file.id).await.unwrap();
        assert!(mock.files().is_empty());
        let gone = client.files().get(&file.id).await.unwrap_err();
        assert_eq!((gone.status(), gone.error_type()), (Some(404), Some("file_not_found")));
        assert!(gone.request_id().is_some());
        assert!(!client.files().delete_if_exists(&file.id).await.unwrap());
    });
}

#[test]
fn one_and_fifty_megabyte_uploads_match_the_mock_checksum() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    run(async {
        for (name, size) in [("one.wav", 1_000_000u64), ("fifty.wav", 50_000_000)] {
            let path = dir.path().join(name);
            assert_eq!(generate_test_audio_file(&path, size).unwrap(), size);
            let file = client.files().upload(&path).await.unwrap();
            assert_eq!(file.size, size);
            let sum = checksum(&std::fs::read(&path).unwrap());
            let stored = mock.files().into_iter().find(|f| f.id == file.id).unwrap();
            assert_eq!((stored.size, stored.checksum), (size, sum));
        }
    });
    assert_eq!(mock.stats().upload_bytes, 51_000_000);
}

#[test]
fn upload_progress_reaches_the_total_and_never_goes_back() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = dir.path().join("p.wav");
    generate_test_audio_file(&path, 3_000_000).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    run(client(&mock).files().upload_with(
        &path,
        UploadOptions::new().on_progress(move |sent, total| s2.lock().unwrap().push((sent, total))),
    ))
    .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 1);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(*seen.last().unwrap(), (3_000_000, 3_000_000));
}

#[test]
fn upload_reader_streams_any_async_reader_with_its_length() {
    let mock = mock();
    let client = client(&mock);
    let data = soniox::audio::wav_bytes(Default::default(), std::time::Duration::from_millis(500));
    run(async {
        // A borrowed (non-'static) reader works.
        let file = client
            .files()
            .upload_reader(&data[..], "mem.wav", data.len() as u64)
            .await
            .unwrap();
        assert_eq!(file.size, data.len() as u64);
        assert_eq!(mock.files()[0].checksum, checksum(&data));
        let short = client
            .files()
            .upload_reader(&data[..10], "short.wav", 100)
            .await
            .unwrap_err();
        assert!(matches!(short, Error::Io { .. }), "{short:?}");
    });
    // The short upload was attempted once and never completed.
    assert_eq!(mock.stats().uploads, 1);
}

#[test]
fn a_file_that_shrinks_during_the_upload_is_an_io_error() {
    let mock = mock();
    let data = vec![7u8; 200_000];
    // Declared longer than the reader: the body would be short, so the upload fails locally.
    let e = run(client(&mock).files().upload_reader(&data[..], "a.wav", 300_000)).unwrap_err();
    match e {
        Error::Io { source, .. } => assert_eq!(source.kind(), std::io::ErrorKind::UnexpectedEof),
        other => panic!("{other:?}"),
    }
    assert!(mock.files().is_empty());
}

#[test]
fn bad_files_fail_before_any_request_reaches_the_mock() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    run(async {
        let missing = client.files().upload(dir.path().join("nope.wav")).await.unwrap_err();
        assert!(
            matches!(&missing, Error::Io { path: Some(p), .. } if p.ends_with("nope.wav")),
            "{missing:?}"
        );
        assert!(
            matches!(client.files().upload(dir.path()).await.unwrap_err(), Error::InvalidArgument(m) if m.contains("directory"))
        );
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        assert!(
            matches!(client.files().upload(&empty).await.unwrap_err(), Error::InvalidArgument(m) if m.contains("empty"))
        );
        let long_ref = UploadOptions::new().client_reference_id("x".repeat(257));
        let ok = wav(dir.path(), "ok.wav", 1);
        assert!(matches!(
            client.files().upload_with(&ok, long_ref).await.unwrap_err(),
            Error::InvalidArgument(_)
        ));
    });
    let stats = mock.stats();
    assert_eq!((stats.requests, stats.connections_accepted), (0, 0));
}

#[test]
fn listing_walks_every_page_in_creation_order_as_a_stream() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let path = wav(dir.path(), "a.wav", 1);
    run(async {
        let mut ids = Vec::new();
        for _ in 0..23 {
            ids.push(client.files().upload(&path).await.unwrap().id);
        }

        let first = client.files().list().limit(10).send().await.unwrap();
        assert_eq!(first.items.len(), 10);
        let second = client
            .files()
            .list()
            .limit(10)
            .cursor(first.next_page_cursor.clone().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(second.items[0].id, ids[10]);

        mock.reset_stats();
        let mut all = client.files().list().limit(5).all();
        let mut listed = Vec::new();
        while let Some(f) = all.next().await {
            listed.push(f.unwrap().id);
        }
        assert_eq!(listed, ids);
        assert_eq!(all.pages(), 5);
        assert!(all.next().await.is_none());
        assert_eq!(mock.stats().route("GET /v1/files"), 5);

        // One item per page: the last page carries no cursor, so exactly 23 requests.
        mock.reset_stats();
        let one_by_one: Vec<_> = client.files().list().limit(1).all().collect().await;
        assert_eq!(one_by_one.len(), 23);
        assert!(one_by_one.iter().all(|f| f.is_ok()));
        assert_eq!(mock.stats().route("GET /v1/files"), 23);
    });
}

#[test]
fn a_bad_cursor_is_a_typed_api_error_and_ends_the_stream() {
    let mock = mock();
    let client = client(&mock);
    run(async {
        let e = client.files().list().cursor("%%garbage%%").send().await.unwrap_err();
        assert_eq!((e.status(), e.error_type()), (Some(400), Some("invalid_cursor")));
        let e = client.files().list().limit(0).send().await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)));
        let items: Vec<_> = client.files().list().cursor("%%garbage%%").all().collect().await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap_err().status(), Some(400));
    });
}

#[test]
fn a_refused_upload_is_retried_from_a_reopened_file_and_a_reader_upload_is_not() {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let client = client(&mock);
    let path = wav(dir.path(), "retry.wav", 1);
    let bytes = std::fs::read(&path).unwrap();
    let refuse_once = || {
        soniox::mock::Fault::new(soniox::mock::FaultAction::Status {
            status: 503,
            retry_after: Some("0".into()),
        })
        .on("POST", "/v1/files")
        .times(1)
    };
    mock.add_fault(refuse_once());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let file = run(client.files().upload_with(
        &path,
        UploadOptions::new().on_progress(move |sent, _| s2.lock().unwrap().push(sent)),
    ))
    .unwrap();
    assert_eq!(mock.files()[0].checksum, checksum(&bytes));
    assert_eq!(file.size, bytes.len() as u64);
    let s = mock.stats();
    assert_eq!((s.route("POST /v1/files"), s.uploads), (2, 1));
    // Progress restarted from the beginning for the second attempt and ended at the total.
    // (How far the refused first attempt got depends on when the client saw the early 503: it may
    // stop sending the body, so only the second attempt is certain to reach the total.)
    let seen = seen.lock().unwrap();
    let total = bytes.len() as u64;
    let restart = seen.windows(2).position(|w| w[1] < w[0]).map_or(0, |i| i + 1);
    assert!(seen[restart..].windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&total), "{seen:?}");
    assert!(seen[..restart].iter().all(|&sent| sent <= total), "{seen:?}");
    assert!(
        (1..=2).contains(&seen.iter().filter(|&&sent| sent == total).count()),
        "{seen:?}"
    );

    mock.add_fault(refuse_once());
    let e = run(client.files().upload_reader(&bytes[..], "r.wav", bytes.len() as u64)).unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(mock.stats().route("POST /v1/files"), 3);
}
