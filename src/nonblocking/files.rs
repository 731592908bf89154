//! `client.files()`: upload (streamed from disk), list, get, delete, count.

use std::path::Path;

use futures::AsyncRead;

use super::client::Client;
use super::net;
use super::pages::{FileList, List};
use crate::core::files as core;
use crate::driver::attempt::io_error;
use crate::error::{Error, Result};
use crate::types::{Counts, File, UploadOptions};

/// The files resource. Get one with [`Client::files`].
#[derive(Debug, Clone, Copy)]
pub struct Files<'c> {
    client: &'c Client,
}

impl<'c> Files<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Files { client }
    }

    /// Uploads a local file, streaming it from disk (never read whole into memory).
    ///
    /// A missing, unreadable, empty or over-1-GiB file, or a directory, fails before
    /// any request is sent. Retried uploads re-open the file.
    pub async fn upload(&self, path: impl AsRef<Path>) -> Result<File> {
        self.upload_with(path, UploadOptions::default()).await
    }

    /// [`upload`](Self::upload) with a reference id, file name or progress callback.
    pub async fn upload_with(&self, path: impl AsRef<Path>, mut opts: UploadOptions) -> Result<File> {
        let path = path.as_ref();
        let (len, name) = local_file(path).await?;
        let req = core::build_upload_with(self.client.next_boundary(), &name, len, &opts)?;
        let resp = self
            .client
            .execute_upload(&req, path, &mut opts.progress)
            .await
            .map_err(|e| match e {
                Error::Io { path: None, source } => io_error(path, source),
                other => other,
            })?;
        core::parse_upload(&resp)
    }

    /// Uploads `len` bytes from any async reader. A reader cannot be rewound, so this
    /// upload is attempted once (no retries); it fails with `Error::Io` if the reader
    /// ends before `len` bytes.
    pub async fn upload_reader(&self, reader: impl AsyncRead + Unpin + Send, filename: &str, len: u64) -> Result<File> {
        self.upload_reader_with(reader, filename, len, UploadOptions::default())
            .await
    }

    /// [`upload_reader`](Self::upload_reader) with options.
    pub async fn upload_reader_with(
        &self,
        mut reader: impl AsyncRead + Unpin + Send,
        filename: &str,
        len: u64,
        mut opts: UploadOptions,
    ) -> Result<File> {
        let req = core::build_upload_with(self.client.next_boundary(), filename, len, &opts)?;
        let resp = self
            .client
            .execute_upload_once(&req, &mut reader, &mut opts.progress)
            .await?;
        core::parse_upload(&resp)
    }

    /// Lists files: `.limit(n)`, `.cursor(c)`, then `.send().await` for one page or
    /// `.all()` for a stream of every file of every page.
    pub fn list(&self) -> FileList<'c> {
        List::new(self.client)
    }

    /// One file's metadata.
    pub async fn get(&self, id: &str) -> Result<File> {
        core::parse_get(&self.client.execute(&core::build_get(id)?).await?)
    }

    /// Deletes a file.
    pub async fn delete(&self, id: &str) -> Result<()> {
        core::parse_delete(&self.client.execute(&core::build_delete(id)?).await?)
    }

    /// Deletes a file if it exists: `Ok(false)` when it was already gone (404).
    pub async fn delete_if_exists(&self, id: &str) -> Result<bool> {
        crate::core::http::parse_delete_if_exists(&self.client.execute(&core::build_delete(id)?).await?)
    }

    /// Counts of stored files.
    pub async fn count(&self) -> Result<Counts> {
        core::parse_count(&self.client.execute(&core::build_count()).await?)
    }
}

/// Checks a local file before any request (exists, is a file, is readable now); its
/// length and name ([`core::local_upload`]).
async fn local_file(path: &Path) -> Result<(u64, String)> {
    let (len, is_dir) = net::file_metadata(path).await.map_err(|e| io_error(path, e))?;
    let checked = core::local_upload(path, len, is_dir)?;
    // Opening proves it is readable now (permissions), before the network is touched.
    drop(net::open_file(path).await.map_err(|e| io_error(path, e))?);
    Ok(checked)
}
