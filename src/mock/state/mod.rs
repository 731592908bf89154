//! Stored files, jobs and temporary keys, plus their public snapshots.
//!
//! Beside them, the rest of what a mock server keeps: the state every connection shares
//! ([`shared`]), the counters ([`stats`]), the request and response logs ([`log`]), the
//! job lifecycle ([`jobs`]), the id-indexed store ([`store`]) and upload checksums
//! ([`checksum`]).

pub(super) mod checksum;
pub(super) mod jobs;
pub(super) mod log;
pub(super) mod shared;
pub(super) mod stats;
mod store;

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use serde_json::{json, Value};

use crate::mock::config::JobTiming;
use jobs::{JobRec, Status};
use store::Store;

/// An uploaded file as the mock stores it (content is not kept, only counted and checksummed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockFile {
    /// File id (uuid).
    pub id: String,
    /// Filename from the multipart part.
    pub filename: String,
    /// Bytes received.
    pub size: u64,
    /// FNV-1a 64 of the content (compare with [`checksum()`](crate::mock::checksum())).
    pub checksum: u64,
    /// `client_reference_id` given with the upload.
    pub client_reference_id: Option<String>,
    /// Duration from the WAV header, or `size / 32` ms for other content.
    pub audio_duration_ms: u64,
    /// The audio container recognised from the content's first bytes (`"wav"`, `"mp3"`,
    /// `"flac"`, `"ogg"`, ...), whatever the filename says; `None` for anything else (text,
    /// zeros), and a job on such a file ends in `error` with `invalid_audio_file`.
    pub container: Option<&'static str>,
}

/// A transcription job as the mock stores it, with its current status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockJob {
    /// Job id (uuid).
    pub id: String,
    /// `queued`, `processing`, `completed` or `error` (as of the snapshot).
    pub status: String,
    /// File transcribed, if created from an upload.
    pub file_id: Option<String>,
    /// URL transcribed, if created from a URL.
    pub audio_url: Option<String>,
    /// Model used (aliases resolved).
    pub model: String,
}

/// A stored upload.
#[derive(Clone, Debug)]
pub(crate) struct FileRec {
    pub(crate) file: MockFile,
    pub(crate) created_at: String,
}

impl FileRec {
    /// The File object (soniox-api.md §3.1).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.file.id,
            "filename": self.file.filename,
            "size": self.file.size,
            "created_at": self.created_at,
            "client_reference_id": self.file.client_reference_id,
        })
    }
}

/// Jobs plus the ids of those that may still be pending.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    pub(crate) store: Store<JobRec>,
    maybe_pending: HashSet<String>,
}

impl Jobs {
    pub(crate) fn insert(&mut self, job: JobRec, status: Status) {
        if !status.is_terminal() {
            self.maybe_pending.insert(job.id.clone());
        }
        self.store.insert(job.id.clone(), job);
    }

    /// Jobs queued or processing now; forgets the ones that have finished or gone.
    pub(crate) fn pending(&mut self, timing: JobTiming, now: Instant) -> usize {
        let store = &self.store;
        self.maybe_pending
            .retain(|id| store.get(id).is_some_and(|j| !j.status(timing, now).is_terminal()));
        self.maybe_pending.len()
    }
}

/// A minted temporary API key.
#[derive(Clone, Debug)]
#[allow(dead_code)] // `client_reference_id` is kept for completeness, never read
pub(crate) struct TempKey {
    pub(crate) usage_type: String,
    pub(crate) expires: SystemTime,
    pub(crate) single_use: bool,
    pub(crate) max_session_duration_seconds: Option<u64>,
    pub(crate) client_reference_id: Option<String>,
    pub(crate) uses: u32,
}

/// Everything the mock stores.
#[derive(Debug, Default)]
pub(crate) struct State {
    files: Mutex<Store<FileRec>>,
    jobs: Mutex<Jobs>,
    temp_keys: Mutex<HashMap<String, TempKey>>,
}

impl State {
    pub(crate) fn files(&self) -> MutexGuard<'_, Store<FileRec>> {
        lock(&self.files)
    }

    pub(crate) fn jobs(&self) -> MutexGuard<'_, Jobs> {
        lock(&self.jobs)
    }

    pub(crate) fn temp_keys(&self) -> MutexGuard<'_, HashMap<String, TempKey>> {
        lock(&self.temp_keys)
    }

    /// Uses temporary key `key` for a realtime session: it must exist, have usage type
    /// `transcribe_websocket`, not have expired at `now`, and (when single-use) not have been
    /// used. `Some(max_session_duration_seconds)` when accepted (and counted as a use).
    pub(crate) fn use_realtime_temp_key(&self, key: &str, now: SystemTime) -> Option<Option<u64>> {
        self.use_temp_key(key, "transcribe_websocket", now)
    }

    /// As [`use_realtime_temp_key`](Self::use_realtime_temp_key), for a key of
    /// `usage_type`: `tts_rt` keys open text-to-speech (REST and realtime).
    pub(crate) fn use_temp_key(&self, key: &str, usage_type: &str, now: SystemTime) -> Option<Option<u64>> {
        let mut keys = self.temp_keys();
        let k = keys.get_mut(key)?;
        let usable = k.usage_type == usage_type && now < k.expires && !(k.single_use && k.uses > 0);
        if !usable {
            return None;
        }
        k.uses += 1;
        Some(k.max_session_duration_seconds)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
