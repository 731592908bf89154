//! `client.transcriptions()`: create, get, list, wait, transcript, delete, count.

use std::time::Instant;

use super::client::Client;
use super::net;
use super::pages::{List, TranscriptionList};
use crate::core::poller::{TranscriptionWait, WaitOptions, WaitStep};
use crate::core::transcriptions as core;
use crate::error::Result;
use crate::types::{Counts, CreateTranscription, Transcript, Transcription};

/// The transcriptions resource. Get one with [`Client::transcriptions`].
#[derive(Debug, Clone, Copy)]
pub struct Transcriptions<'c> {
    client: &'c Client,
}

impl<'c> Transcriptions<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Transcriptions { client }
    }

    /// Creates a job (`201`, normally `queued`). Never retried after the request was
    /// sent, except on 429/503 (refused), so a job is never created twice.
    pub async fn create(&self, req: CreateTranscription) -> Result<Transcription> {
        core::parse_create(&self.client.execute(&core::build_create(&req)?).await?)
    }

    /// A job's status and metadata.
    pub async fn get(&self, id: &str) -> Result<Transcription> {
        core::parse_get(&self.client.execute(&core::build_get(id)?).await?)
    }

    /// Lists jobs: `.limit(n)`, `.cursor(c)`, then `.send().await` or `.all()`.
    pub fn list(&self) -> TranscriptionList<'c> {
        List::new(self.client)
    }

    /// Deletes a job (409 while it is processing).
    pub async fn delete(&self, id: &str) -> Result<()> {
        core::parse_delete(&self.client.execute(&core::build_delete(id)?).await?)
    }

    /// Deletes a job if it exists: `Ok(false)` when it was already gone (404).
    pub async fn delete_if_exists(&self, id: &str) -> Result<bool> {
        crate::core::http::parse_delete_if_exists(&self.client.execute(&core::build_delete(id)?).await?)
    }

    /// The transcript of a completed job (409 before that).
    pub async fn transcript(&self, id: &str) -> Result<Transcript> {
        core::parse_transcript(&self.client.execute(&core::build_transcript(id)?).await?)
    }

    /// Counts of stored jobs.
    pub async fn count(&self) -> Result<Counts> {
        core::parse_count(&self.client.execute(&core::build_count()).await?)
    }

    /// Polls until the job is `completed` (→ `Ok`) or `error`
    /// (→ [`Error::TranscriptionFailed`](crate::Error::TranscriptionFailed)), or the
    /// wait times out (→ [`Error::Timeout`](crate::Error::Timeout)), or its cancellation hook
    /// says stop ([`WaitOptions::cancel_if`] → [`Error::Cancelled`](crate::Error::Cancelled)). Sleeps between
    /// checks without blocking a thread.
    pub async fn wait(&self, id: &str, opts: WaitOptions) -> Result<Transcription> {
        let mut wait = TranscriptionWait::new(id, opts, Instant::now());
        loop {
            match wait.poll_step(Instant::now()) {
                WaitStep::Send(req) => {
                    let resp = self.client.execute(&req).await;
                    wait.handle_response(Instant::now(), resp);
                }
                WaitStep::WaitUntil(t) => net::sleep(t.saturating_duration_since(Instant::now())).await,
                WaitStep::Done(result) => return result,
            }
        }
    }
}
