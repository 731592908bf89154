//! The bad-input matrix: every row is refused with `Error::InvalidArgument` (or
//! `Error::Io` naming the path) before any request is sent; the mock's counters show
//! zero requests. One table per client (blocking, and async with feature `async`).
//!
//! Unreadable files: the tests may run as root, where `chmod 000` does not stop reads.
//! The rows use failures that hold for root too: a symlink loop (`ELOOP`) and a path
//! through a regular file (`ENOTDIR`); the `chmod 000` row runs only when the file
//! really cannot be opened by the current user.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use soniox::mock::MockServer;
use soniox::types::{CreateTranscription, TemporaryKey, Transcribe, UploadOptions};
use soniox::Error;

/// What a row must fail with.
#[derive(Clone, Debug)]
enum Expect {
    /// `Error::InvalidArgument` whose message contains this.
    Invalid(&'static str),
    /// `Error::Io` naming this path.
    Io(PathBuf),
}

fn check(name: &str, got: soniox::Result<()>, want: &Expect) {
    match (got, want) {
        (Err(Error::InvalidArgument(m)), Expect::Invalid(part)) => {
            assert!(
                m.contains(part),
                "{name}: refused for another reason: {m:?} (wanted {part:?})"
            )
        }
        (Err(Error::Io { path, .. }), Expect::Io(p)) => {
            assert_eq!(
                path.as_deref(),
                Some(p.as_path()),
                "{name}: the error names another path"
            )
        }
        (got, want) => panic!("{name}: got {got:?}, wanted {want:?}"),
    }
}

/// The local files the rows use.
struct Files {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    missing: PathBuf,
    /// Unix only (a symlink on Windows needs a privilege).
    looped: Option<PathBuf>,
    through_file: PathBuf,
    no_permission: Option<PathBuf>,
    empty: PathBuf,
    huge: PathBuf,
}

fn files() -> Files {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let root = tmp.path().to_path_buf();
    let sub = root.join("a-directory.wav");
    fs::create_dir(&sub).expect("a sub directory");
    let regular = root.join("regular.wav");
    fs::write(&regular, b"RIFF").expect("a small file");
    #[cfg(unix)]
    let (looped, no_permission) = {
        use std::os::unix::fs::PermissionsExt;
        let looped = root.join("loop.wav");
        std::os::unix::fs::symlink(&looped, &looped).expect("a symlink to itself");
        let locked = root.join("locked.wav");
        fs::write(&locked, b"RIFF").expect("a small file");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod 000");
        // Root reads a mode-000 file anyway: keep the row only where it proves something.
        (Some(looped), fs::File::open(&locked).is_err().then_some(locked))
    };
    #[cfg(not(unix))]
    let (looped, no_permission) = (None, None);
    let empty = root.join("empty.wav");
    fs::write(&empty, b"").expect("an empty file");
    let huge = root.join("huge.wav");
    // Sparse: 1 GiB + 1 byte of length, no disk blocks.
    fs::File::create(&huge)
        .and_then(|f| f.set_len((1 << 30) + 1))
        .expect("a sparse file");
    Files {
        missing: root.join("missing.wav"),
        through_file: regular.join("x.wav"),
        dir: sub,
        looped,
        no_permission,
        empty,
        huge,
        _dir: tmp,
    }
}

/// Every file row: (name, path, expected), run through `upload` and `transcribe`.
fn file_rows(f: &Files) -> Vec<(&'static str, PathBuf, Expect)> {
    let mut rows = vec![
        ("a directory", f.dir.clone(), Expect::Invalid("is a directory")),
        ("a missing file", f.missing.clone(), Expect::Io(f.missing.clone())),
        (
            "a path through a regular file",
            f.through_file.clone(),
            Expect::Io(f.through_file.clone()),
        ),
        ("a 0-byte file", f.empty.clone(), Expect::Invalid("empty")),
        ("a file over 1 GiB", f.huge.clone(), Expect::Invalid("1 GiB")),
    ];
    if let Some(p) = &f.looped {
        rows.push(("a symlink loop", p.clone(), Expect::Io(p.clone())));
    }
    if let Some(p) = &f.no_permission {
        rows.push(("a mode-000 file", p.clone(), Expect::Io(p.clone())));
    }
    rows
}

/// A string of `n` characters.
fn long(n: usize) -> String {
    "r".repeat(n)
}

/// The request rows that need no file: (name, request, expected).
enum Req {
    Create(CreateTranscription),
    TranscribeUrl(CreateTranscription),
    TranscribePath(CreateTranscription),
    Key(TemporaryKey),
    UploadRef(String),
}

fn request_rows() -> Vec<(&'static str, Req, Expect)> {
    let f = || CreateTranscription::file_id("file-1");
    vec![
        (
            "both file_id and audio_url",
            Req::Create(f().source_audio_url("https://example.com/a.wav")),
            Expect::Invalid("not both"),
        ),
        (
            "neither file_id nor audio_url",
            Req::Create(CreateTranscription::new()),
            Expect::Invalid("one of"),
        ),
        (
            "client_reference_id of 257 characters",
            Req::Create(f().client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "webhook_url of 257 characters",
            Req::Create(f().webhook_url(format!("https://{}", long(249)))),
            Expect::Invalid("webhook_url"),
        ),
        (
            "101 language hints",
            Req::Create(f().language_hints(vec!["en"; 101])),
            Expect::Invalid("100"),
        ),
        (
            "a language hint of 11 characters",
            Req::Create(f().language_hints([long(11)])),
            Expect::Invalid("language hint"),
        ),
        (
            "a webhook header name without a value",
            Req::Create(f().webhook_auth_header("X-Auth", "")),
            Expect::Invalid("both a name and a value"),
        ),
        (
            "transcribe(url) with a 257-character reference id",
            Req::TranscribeUrl(CreateTranscription::new().client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "transcribe(path) with 101 language hints",
            Req::TranscribePath(CreateTranscription::new().language_hints(vec!["en"; 101])),
            Expect::Invalid("100"),
        ),
        (
            "upload with a 257-character reference id",
            Req::UploadRef(long(257)),
            Expect::Invalid("client_reference_id"),
        ),
        (
            "temporary key lifetime 0",
            Req::Key(TemporaryKey::transcribe_websocket(0)),
            Expect::Invalid("1..=3600"),
        ),
        (
            "temporary key lifetime 3601",
            Req::Key(TemporaryKey::transcribe_websocket(3601)),
            Expect::Invalid("1..=3600"),
        ),
        (
            "temporary key with a 257-character reference id",
            Req::Key(TemporaryKey::transcribe_websocket(60).client_reference_id(long(257))),
            Expect::Invalid("client_reference_id"),
        ),
    ]
}

const KEYS: [(&str, &str, &str); 3] = [
    ("an empty API key", "", "empty"),
    ("a whitespace API key", " \t\n", "empty"),
    ("an API key with a space inside", "ab cd", "whitespace"),
];

fn assert_untouched(mock: &MockServer, name: &str) {
    let s = mock.stats();
    assert_eq!(
        (s.requests, s.ws_sessions),
        (0, 0),
        "{name}: a request reached the server"
    );
}

#[test]
fn blocking_client_refuses_bad_input_before_any_request() {
    use soniox::blocking::Client;
    let mock = common::mock();
    for (name, key, part) in KEYS {
        let r = Client::builder()
            .api_key(key)
            .base_url(mock.base_url())
            .build()
            .map(drop);
        check(name, r, &Expect::Invalid(part));
        assert_untouched(&mock, name);
    }
    let client = common::client(&mock);
    let f = files();
    let good = common::wav(&f.dir, "good.wav", 1);
    for (name, path, want) in file_rows(&f) {
        check(name, client.files().upload(&path).map(drop), &want);
        check(name, client.transcribe(Transcribe::path(&path)).map(drop), &want);
        assert_untouched(&mock, name);
    }
    for (name, req, want) in request_rows() {
        let r = match req {
            Req::Create(c) => client.transcriptions().create(c).map(drop),
            Req::TranscribeUrl(c) => client
                .transcribe(Transcribe::audio_url("https://example.com/a.wav").options(c))
                .map(drop),
            Req::TranscribePath(c) => client.transcribe(Transcribe::path(&good).options(c)).map(drop),
            Req::Key(k) => client.auth().temporary_api_key(k).map(drop),
            Req::UploadRef(r) => client
                .files()
                .upload_with(&good, UploadOptions::new().client_reference_id(r))
                .map(drop),
        };
        check(name, r, &want);
        assert_untouched(&mock, name);
    }
}

#[cfg(feature = "async")]
#[test]
fn async_client_refuses_bad_input_before_any_request() {
    use soniox::nonblocking::Client;
    let mock = common::mock();
    async_std::task::block_on(async {
        for (name, key, part) in KEYS {
            let r = Client::builder()
                .api_key(key)
                .base_url(mock.base_url())
                .build()
                .map(drop);
            check(name, r, &Expect::Invalid(part));
            assert_untouched(&mock, name);
        }
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()
            .expect("the async client builds");
        let f = files();
        let good = common::wav(&f.dir, "good.wav", 1);
        for (name, path, want) in file_rows(&f) {
            check(name, client.files().upload(&path).await.map(drop), &want);
            check(name, client.transcribe(Transcribe::path(&path)).await.map(drop), &want);
            assert_untouched(&mock, name);
        }
        for (name, req, want) in request_rows() {
            let r = match req {
                Req::Create(c) => client.transcriptions().create(c).await.map(drop),
                Req::TranscribeUrl(c) => client
                    .transcribe(Transcribe::audio_url("https://example.com/a.wav").options(c))
                    .await
                    .map(drop),
                Req::TranscribePath(c) => client.transcribe(Transcribe::path(&good).options(c)).await.map(drop),
                Req::Key(k) => client.auth().temporary_api_key(k).await.map(drop),
                Req::UploadRef(r) => client
                    .files()
                    .upload_with(&good, UploadOptions::new().client_reference_id(r))
                    .await
                    .map(drop),
            };
            check(name, r, &want);
            assert_untouched(&mock, name);
        }
    });
}

#[test]
fn the_unreadable_rows_fail_for_root_too() {
    // The symlink loop and the path through a file fail at `metadata` for any user.
    let f = files();
    for p in f.looped.iter().chain([&f.through_file]) {
        assert!(fs::metadata(p).is_err(), "{} is readable", p.display());
    }
    assert!(Path::new(&f.huge).metadata().is_ok_and(|m| m.len() == (1 << 30) + 1));
}
