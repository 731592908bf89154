//! The parity harness's [`Sdk`] clients, built with retries off (one call, one response),
//! plus the few calls the contract needs that `Sdk` does not have.

use std::io::Cursor;
use std::time::Duration;

use futures::executor::block_on;
use soniox::config::{ConfigBuilder, FromConfig};
use soniox::mock::MockServer;
use soniox::types::{File, Page, Transcription, UploadOptions};
use soniox::{Result, RetryPolicy};

use crate::common_parity::{Async, Blocking, Fut, Sdk};

/// [`Sdk`] plus a listing from a given cursor and an upload with a reference id.
pub trait Api: Sdk {
    fn files_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<File>>;
    fn jobs_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<Transcription>>;
    fn upload_ref<'a>(&'a self, bytes: &'a [u8], filename: &'a str, reference: &'a str) -> Fut<'a, File>;
}

impl Api for Blocking {
    fn files_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<File>> {
        Box::pin(async move { self.0.files().list().cursor(cursor).send() })
    }
    fn jobs_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().cursor(cursor).send() })
    }
    fn upload_ref<'a>(&'a self, bytes: &'a [u8], filename: &'a str, reference: &'a str) -> Fut<'a, File> {
        Box::pin(async move {
            let opts = UploadOptions::new().client_reference_id(reference);
            self.0
                .files()
                .upload_reader_with(Cursor::new(bytes), filename, bytes.len() as u64, opts)
        })
    }
}

impl Api for Async {
    fn files_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<File>> {
        Box::pin(async move { self.0.files().list().cursor(cursor).send().await })
    }
    fn jobs_at<'a>(&'a self, cursor: &'a str) -> Fut<'a, Page<Transcription>> {
        Box::pin(async move { self.0.transcriptions().list().cursor(cursor).send().await })
    }
    fn upload_ref<'a>(&'a self, bytes: &'a [u8], filename: &'a str, reference: &'a str) -> Fut<'a, File> {
        Box::pin(async move {
            let opts = UploadOptions::new().client_reference_id(reference);
            self.0
                .files()
                .upload_reader_with(futures::io::Cursor::new(bytes), filename, bytes.len() as u64, opts)
                .await
        })
    }
}

/// Which client a run drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blocking,
    Async,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Blocking => "blocking",
            Kind::Async => "async",
        }
    }

    /// A client of this kind for `mock` with `key`, retries off.
    pub fn client(self, mock: &MockServer, key: &str) -> Box<dyn Api> {
        match self {
            Kind::Blocking => Box::new(Blocking(
                configure(soniox::blocking::Client::builder(), mock, key)
                    .build()
                    .unwrap(),
            )),
            Kind::Async => Box::new(Async(
                configure(soniox::nonblocking::Client::builder(), mock, key)
                    .build()
                    .unwrap(),
            )),
        }
    }
}

fn configure<C: FromConfig>(b: ConfigBuilder<C>, mock: &MockServer, key: &str) -> ConfigBuilder<C> {
    b.api_key(key)
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .tts_api_url(mock.tts_url())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::none())
}

/// Runs one client call to completion (the blocking adapter runs inside the future).
pub fn run<T>(call: Fut<'_, T>) -> Result<()> {
    block_on(call).map(drop)
}

/// Runs a setup call that must succeed.
pub fn must<T>(what: &str, call: Fut<'_, T>) -> T {
    block_on(call).unwrap_or_else(|e| panic!("setup `{what}` failed: {e}"))
}
