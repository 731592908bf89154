//! `client.files()`: upload (streamed from disk), list, get, delete, count.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::client::Client;
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
    pub fn upload(&self, path: impl AsRef<Path>) -> Result<File> {
        self.upload_with(path, UploadOptions::default())
    }

    /// [`upload`](Self::upload) with a reference id, file name or progress callback.
    pub fn upload_with(&self, path: impl AsRef<Path>, mut opts: UploadOptions) -> Result<File> {
        let path = path.as_ref();
        let (len, name) = local_file(path)?;
        let req = core::build_upload_with(self.client.next_boundary(), &name, len, &opts)?;
        let mut open = || -> Result<Box<dyn Read>> {
            let f = fs::File::open(path).map_err(|e| io_error(path, e))?;
            Ok(Box::new(f))
        };
        let resp = self
            .client
            .execute_upload(&req, &mut open, &mut opts.progress)
            .map_err(|e| match e {
                Error::Io { path: None, source } => io_error(path, source),
                other => other,
            })?;
        core::parse_upload(&resp)
    }

    /// Uploads `len` bytes from any reader. A reader cannot be rewound, so this
    /// upload is attempted once (no retries); it fails with `Error::Io` if the reader
    /// ends before `len` bytes.
    pub fn upload_reader(&self, reader: impl Read, filename: &str, len: u64) -> Result<File> {
        self.upload_reader_with(reader, filename, len, UploadOptions::default())
    }

    /// [`upload_reader`](Self::upload_reader) with options.
    pub fn upload_reader_with(
        &self,
        reader: impl Read,
        filename: &str,
        len: u64,
        mut opts: UploadOptions,
    ) -> Result<File> {
        let req = core::build_upload_with(self.client.next_boundary(), filename, len, &opts)?;
        let mut reader = Some(reader);
        let mut open = || -> Result<Box<dyn Read + '_>> {
            match reader.take() {
                Some(r) => Ok(Box::new(r)),
                None => Err(Error::invalid("a reader cannot be sent twice")),
            }
        };
        let resp = self.client.execute_upload_once(&req, &mut open, &mut opts.progress)?;
        core::parse_upload(&resp)
    }

    /// Lists files: `.limit(n)`, `.cursor(c)`, then `.send()` for one page or `.all()`
    /// for an iterator over every file of every page.
    pub fn list(&self) -> FileList<'c> {
        List::new(self.client)
    }

    /// One file's metadata.
    pub fn get(&self, id: &str) -> Result<File> {
        core::parse_get(&self.client.execute(&core::build_get(id)?)?)
    }

    /// Deletes a file.
    pub fn delete(&self, id: &str) -> Result<()> {
        core::parse_delete(&self.client.execute(&core::build_delete(id)?)?)
    }

    /// Deletes a file if it exists: `Ok(false)` when it was already gone (404).
    pub fn delete_if_exists(&self, id: &str) -> Result<bool> {
        crate::core::http::parse_delete_if_exists(&self.client.execute(&core::build_delete(id)?)?)
    }

    /// Counts of stored files.
    pub fn count(&self) -> Result<Counts> {
        core::parse_count(&self.client.execute(&core::build_count())?)
    }
}

/// Checks a local file before any request (exists, is a file, is readable now); its
/// length and name ([`core::local_upload`]).
fn local_file(path: &Path) -> Result<(u64, String)> {
    let meta = fs::metadata(path).map_err(|e| io_error(path, e))?;
    let checked = core::local_upload(path, meta.len(), meta.is_dir())?;
    // Opening proves it is readable now (permissions), before the network is touched.
    drop(fs::File::open(path).map_err(|e| io_error(path, e))?);
    Ok(checked)
}
