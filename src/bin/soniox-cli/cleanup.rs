//! What a batch has created on the service, and deleting it (also after Ctrl-C).

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

use soniox::blocking::Client;
use soniox::core::transcribe::{JobDelete, JobDeleteStep};

use crate::errors::describe;

/// Files and jobs created and not deleted yet. Once closed (after Ctrl-C), it refuses
/// new entries: whoever created them deletes them at once.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    closed: bool,
    files: BTreeSet<String>,
    jobs: BTreeSet<String>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an uploaded file; false when the registry is closed.
    pub(crate) fn add_file(&self, id: &str) -> bool {
        let mut s = self.lock();
        !s.closed && s.files.insert(id.to_owned())
    }

    /// Records a job; false when the registry is closed.
    pub(crate) fn add_job(&self, id: &str) -> bool {
        let mut s = self.lock();
        !s.closed && s.jobs.insert(id.to_owned())
    }

    /// Forgets a deleted file.
    pub(crate) fn remove_file(&self, id: &str) {
        self.lock().files.remove(id);
    }

    /// Forgets a deleted job.
    pub(crate) fn remove_job(&self, id: &str) {
        self.lock().jobs.remove(id);
    }

    /// Closes the registry and takes what it holds: `(jobs, files)`.
    pub(crate) fn close(&self) -> (Vec<String>, Vec<String>) {
        let mut s = self.lock();
        s.closed = true;
        let jobs = std::mem::take(&mut s.jobs).into_iter().collect();
        let files = std::mem::take(&mut s.files).into_iter().collect();
        (jobs, files)
    }
}

/// Deletes a job: `Ok(true)` if it was deleted, `Ok(false)` if there was no such job (the
/// cleanup after a batch counts that as done; `jobs delete` reports it). A job still
/// `processing` cannot be deleted (409): asked again on the library's [`JobDelete`]
/// schedule, for at most its `PROCESSING_WAIT`.
pub(crate) fn delete_job(client: &Client, id: &str) -> Result<bool, String> {
    let mut machine = JobDelete::new(Instant::now());
    loop {
        let result = client.transcriptions().delete_if_exists(id);
        match machine.handle(Instant::now(), result) {
            JobDeleteStep::RetryAt(at) => thread::sleep(at.saturating_duration_since(Instant::now())),
            JobDeleteStep::Done(r) => return r.map_err(|e| format!("could not delete job {id}: {}", describe(&e))),
        }
    }
}

/// Deletes a file: `Ok(true)` if it was deleted, `Ok(false)` if there was no such file.
pub(crate) fn delete_file(client: &Client, id: &str) -> Result<bool, String> {
    client
        .files()
        .delete_if_exists(id)
        .map_err(|e| format!("could not delete file {id}: {}", describe(&e)))
}

/// Deletes a job and then a file (either may be absent), forgetting them in `registry`;
/// returns the problems.
pub(crate) fn delete_both(client: &Client, registry: &Registry, job: Option<&str>, file: Option<&str>) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(job) = job {
        match delete_job(client, job) {
            Ok(_) => registry.remove_job(job), // gone either way
            Err(p) => problems.push(p),
        }
    }
    if let Some(file) = file {
        match delete_file(client, file) {
            Ok(_) => registry.remove_file(file), // gone either way
            Err(p) => problems.push(p),
        }
    }
    problems
}
