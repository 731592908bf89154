//! `client.transcribe(..)`: upload → create → wait → transcript → cleanup.

use std::time::Instant;

use super::client::Client;
use crate::core::transcribe::{TranscribeFlow, TranscribeStep};
use crate::error::Result;
use crate::types::{Transcribe, Transcribed};

impl Client {
    /// Transcribes audio in one call and cleans up after itself.
    ///
    /// Steps: upload (for [`Transcribe::path`]), create the job, wait for it, fetch the
    /// transcript, then delete what [`Cleanup`](crate::types::Cleanup) names (default:
    /// the job and the uploaded file). Cleanup also runs when a step after the upload
    /// fails, times out or is cancelled ([`WaitOptions::cancel_if`](crate::WaitOptions::cancel_if));
    /// the first error is returned, and a failed cleanup is logged. A job still
    /// `processing` cannot be deleted: the cleanup asks again for up to
    /// [`PROCESSING_WAIT`](crate::core::transcribe::PROCESSING_WAIT) (30 s), so after a
    /// timeout or a cancel the call may take that much longer. The steps and every
    /// decision between them are [`TranscribeFlow`]'s, shared by both clients.
    /// (If the future is dropped midway, no cleanup runs.)
    ///
    /// ```no_run
    /// # async fn run() -> soniox::Result<()> {
    /// use soniox::types::Transcribe;
    /// let client = soniox::nonblocking::Client::from_env()?;
    /// let done = client.transcribe(Transcribe::path("meeting.wav")).await?;
    /// println!("{}", done.transcript.text);
    /// # Ok(()) }
    /// ```
    pub async fn transcribe(&self, req: Transcribe) -> Result<Transcribed> {
        let mut flow = TranscribeFlow::new(req)?;
        loop {
            match flow.next_step() {
                TranscribeStep::Upload(path, opts) => {
                    let r = self.files().upload_with(&path, opts).await;
                    flow.uploaded(r);
                }
                TranscribeStep::Create(opts) => {
                    let r = self.transcriptions().create(opts).await;
                    flow.created(r);
                }
                TranscribeStep::Wait(id, opts) => {
                    let r = self.transcriptions().wait(&id, opts).await;
                    flow.waited(r);
                }
                TranscribeStep::FetchTranscript(id) => {
                    let r = self.transcriptions().transcript(&id).await;
                    flow.fetched(r);
                }
                TranscribeStep::DeleteTranscription(id) => {
                    let r = self.transcriptions().delete_if_exists(&id).await;
                    // A failed delete is logged by the flow; the call's result is unchanged.
                    let _ = flow.deleted(Instant::now(), r);
                }
                TranscribeStep::DeleteFile(id) => {
                    let r = self.files().delete_if_exists(&id).await;
                    // A failed delete is logged by the flow; the call's result is unchanged.
                    let _ = flow.deleted(Instant::now(), r);
                }
                TranscribeStep::WaitUntil(at) => super::net::sleep(at.saturating_duration_since(Instant::now())).await,
                TranscribeStep::Done(result) => return result,
            }
        }
    }
}
