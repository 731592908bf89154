//! Transcription jobs: the stored record, its lifecycle and its JSON form.

use std::time::Instant;

use serde_json::{json, Value};

use crate::mock::config::JobTiming;

/// Status of a job (soniox-api.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Queued,
    Processing,
    Completed,
    Error,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Error => "error",
        }
    }

    pub(crate) fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Error)
    }
}

/// A stored transcription job.
#[derive(Clone, Debug)]
pub(crate) struct JobRec {
    pub(crate) id: String,
    pub(crate) created: Instant,
    pub(crate) created_at: String,
    /// The model actually used (aliases resolved).
    pub(crate) model: String,
    pub(crate) audio_url: Option<String>,
    pub(crate) file_id: Option<String>,
    pub(crate) filename: String,
    pub(crate) language_hints: Value,
    pub(crate) diarization: bool,
    pub(crate) language_identification: bool,
    pub(crate) context: Value,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_auth_header_name: Option<String>,
    pub(crate) webhook_auth_header_set: bool,
    pub(crate) client_reference_id: Option<String>,
    /// Duration of the audio, reported once processing starts.
    pub(crate) audio_duration_ms: u64,
    /// `(error_type, error_message)` the job ends with instead of `completed`.
    pub(crate) failure: Option<(&'static str, &'static str)>,
    /// GETs of this job seen so far (for [`JobTiming::Polls`]).
    pub(crate) polls: u32,
}

impl JobRec {
    /// The failure a job ends with, from its input (soniox-api.md §4 job error types): an
    /// uploaded file whose content is no known audio container (`audio == false`), or whose
    /// name contains `corrupt`, is `invalid_audio_file`; a URL containing `unreachable` is
    /// `file_download_error`.
    pub(crate) fn failure_for(
        filename: &str,
        audio_url: Option<&str>,
        audio: bool,
    ) -> Option<(&'static str, &'static str)> {
        if audio_url.is_some_and(|u| u.contains("unreachable")) {
            Some((
                "file_download_error",
                "Failed to download the audio file from the provided URL.",
            ))
        } else if !audio || filename.contains("corrupt") {
            Some((
                "invalid_audio_file",
                "The audio file is invalid or corrupted and could not be decoded.",
            ))
        } else {
            None
        }
    }

    /// Current status under `timing` (does not count a poll).
    pub(crate) fn status(&self, timing: JobTiming, now: Instant) -> Status {
        let stage = match timing {
            JobTiming::Immediate => 2,
            JobTiming::Elapsed { queued, processing } => {
                let e = now.saturating_duration_since(self.created);
                if e < queued {
                    0
                } else if e < queued.saturating_add(processing) {
                    1
                } else {
                    2
                }
            }
            JobTiming::Polls { queued, processing } => {
                if self.polls < queued {
                    0
                } else if self.polls < queued.saturating_add(processing) {
                    1
                } else {
                    2
                }
            }
        };
        match (stage, self.failure) {
            (0, _) => Status::Queued,
            (1, _) => Status::Processing,
            (_, None) => Status::Completed,
            (_, Some(_)) => Status::Error,
        }
    }

    /// The Transcription object (soniox-api.md §3.2) in `status`.
    pub(crate) fn to_json(&self, status: Status) -> Value {
        let duration = match status {
            Status::Queued => Value::Null,
            _ => json!(self.audio_duration_ms),
        };
        let (error_type, error_message) = match (status, self.failure) {
            (Status::Error, Some((t, m))) => (json!(t), json!(m)),
            _ => (Value::Null, Value::Null),
        };
        json!({
            "id": self.id,
            "status": status.as_str(),
            "created_at": self.created_at,
            "model": self.model,
            "audio_url": self.audio_url,
            "file_id": self.file_id,
            "filename": self.filename,
            "language_hints": self.language_hints,
            "enable_speaker_diarization": self.diarization,
            "enable_language_identification": self.language_identification,
            "audio_duration_ms": duration,
            "error_type": error_type,
            "error_message": error_message,
            "webhook_url": self.webhook_url,
            "webhook_auth_header_name": self.webhook_auth_header_name,
            "webhook_auth_header_value": self.webhook_auth_header_set.then_some("******************"),
            "webhook_status_code": Value::Null,
            "client_reference_id": self.client_reference_id,
            "context": self.context,
        })
    }
}

/// The `filename` of a job created from a URL: the last path segment, query and fragment cut.
pub(crate) fn filename_from_url(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = no_query.split_once("://").map_or(no_query, |(_, r)| r);
    match after_scheme.split_once('/') {
        Some((_, path)) => path.rsplit('/').next().unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// A deterministic duration for audio behind a URL (5–65 s), from the URL text.
pub(crate) fn url_duration_ms(url: &str) -> u64 {
    5_000 + super::checksum::checksum(url.as_bytes()) % 60_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn job() -> JobRec {
        JobRec {
            id: "j".into(),
            created: Instant::now(),
            created_at: "t".into(),
            model: "stt-async-v5".into(),
            audio_url: None,
            file_id: Some("f".into()),
            filename: "a.wav".into(),
            language_hints: Value::Null,
            diarization: false,
            language_identification: false,
            context: Value::Null,
            webhook_url: None,
            webhook_auth_header_name: None,
            webhook_auth_header_set: true,
            client_reference_id: None,
            audio_duration_ms: 1000,
            failure: None,
            polls: 0,
        }
    }

    #[test]
    fn lifecycle_by_polls_and_time() {
        let mut j = job();
        let t = JobTiming::Polls {
            queued: 1,
            processing: 2,
        };
        let seen: Vec<Status> = (0..5)
            .map(|_| {
                let s = j.status(t, Instant::now());
                j.polls += 1;
                s
            })
            .collect();
        use Status::*;
        assert_eq!(seen, [Queued, Processing, Processing, Completed, Completed]);
        let t = JobTiming::Elapsed {
            queued: Duration::from_secs(1),
            processing: Duration::from_secs(1),
        };
        assert_eq!(j.status(t, j.created), Queued);
        assert_eq!(j.status(t, j.created + Duration::from_millis(1500)), Processing);
        j.failure = JobRec::failure_for("corrupt.wav", None, true);
        assert_eq!(j.status(t, j.created + Duration::from_secs(3)), Error);
        assert_eq!(j.status(JobTiming::Immediate, j.created), Error);
        let v = j.to_json(Error);
        assert_eq!(v["error_type"], "invalid_audio_file");
        assert_eq!(v["webhook_auth_header_value"], "*".repeat(18));
    }

    #[test]
    fn url_helpers() {
        assert_eq!(filename_from_url("https://x.com/media/a%20b.mp3?x=1"), "a%20b.mp3");
        assert_eq!(filename_from_url("https://x.com"), "");
        let d = url_duration_ms("https://x.com/a.mp3");
        assert!((5_000..65_000).contains(&d));
    }
}
