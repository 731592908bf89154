//! `client.transcribe(..)`: upload → create → wait → transcript → cleanup.

use super::client::Client;
use crate::error::{Error, Result};
use crate::types::{AudioSource, Transcribe, Transcribed};

impl Client {
    /// Transcribes audio in one call and cleans up after itself.
    ///
    /// Steps: upload (for [`Transcribe::path`]), create the job, wait for it, fetch the
    /// transcript, then delete what [`Cleanup`](crate::types::Cleanup) names (default:
    /// the job and the uploaded file). Cleanup also runs when a step after the upload
    /// fails or times out; the first error is returned, and a failed cleanup is logged.
    ///
    /// ```no_run
    /// use soniox::types::Transcribe;
    /// let client = soniox::blocking::Client::from_env()?;
    /// let done = client.transcribe(Transcribe::path("meeting.wav"))?;
    /// println!("{}", done.transcript.text);
    /// # Ok::<(), soniox::Error>(())
    /// ```
    pub fn transcribe(&self, req: Transcribe) -> Result<Transcribed> {
        let Transcribe {
            source,
            options,
            cleanup,
            wait,
            upload,
        } = req;
        if matches!(source, AudioSource::Path(_)) {
            // Bad job options are refused before the upload, so nothing is sent for them.
            crate::core::transcriptions::build_create(&options.clone().with_source(&source, Some("upload")))?;
        }
        let file = match &source {
            AudioSource::Path(p) => Some(self.files().upload_with(p, upload)?),
            _ => None,
        };
        let options = options.with_source(&source, file.as_ref().map(|f| f.id.as_str()));
        let mut job_id = None;
        let result = (|| {
            let job = self.transcriptions().create(options)?;
            job_id = Some(job.id.clone());
            let transcription = self.transcriptions().wait(&job.id, wait)?;
            let transcript = self.transcriptions().transcript(&job.id)?;
            Ok::<_, Error>((transcription, transcript))
        })();
        if cleanup.deletes_transcription() {
            if let Some(id) = &job_id {
                if let Err(e) = self.transcriptions().delete_if_exists(id) {
                    log::warn!("transcribe: could not delete transcription {id}: {e}");
                }
            }
        }
        if cleanup.deletes_file() {
            if let Some(f) = &file {
                if let Err(e) = self.files().delete_if_exists(&f.id) {
                    log::warn!("transcribe: could not delete file {}: {e}", f.id);
                }
            }
        }
        let (transcription, transcript) = result?;
        Ok(Transcribed {
            transcription,
            transcript,
            file,
        })
    }
}
