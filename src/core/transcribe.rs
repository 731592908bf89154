//! `transcribe` as a plan, without I/O: upload → create → wait → transcript → cleanup.
//! Both clients run it ([`TranscribeFlow`]) by doing each [`TranscribeStep`] with their
//! own methods and feeding the result back; every decision (what comes next, what to
//! delete after an error, which error wins, when to stop on the cancellation hook) is here.
//!
//! ```
//! use soniox::core::transcribe::{TranscribeFlow, TranscribeStep};
//! use soniox::types::{Transcribe, Transcription};
//! # fn job(status: &str) -> Transcription {
//! #     serde_json::from_str(&format!(r#"{{"id":"j1","status":"{status}"}}"#)).unwrap()
//! # }
//! let mut flow = TranscribeFlow::new(Transcribe::file_id("f1"))?;
//! let TranscribeStep::Create(options) = flow.next_step() else { panic!() };
//! assert!(serde_json::to_string(&options)?.contains(r#""file_id":"f1""#));
//! flow.created(Ok(job("queued")));
//! let TranscribeStep::Wait(id, _) = flow.next_step() else { panic!() };
//! flow.waited(Err(soniox::Error::Cancelled("by the test".into())));
//! // The job is deleted (the default cleanup); the uploaded-elsewhere file is not.
//! assert!(matches!(flow.next_step(), TranscribeStep::DeleteTranscription(ref j) if j == &id));
//! assert!(flow.deleted(std::time::Instant::now(), Ok(true)).is_none());
//! assert!(matches!(flow.next_step(), TranscribeStep::Done(Err(soniox::Error::Cancelled(_)))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::types::wait::{is_cancelled, CancelHook, WaitOptions};
use crate::types::{
    AudioSource, Cleanup, CreateTranscription, File, Transcribe, Transcribed, Transcript, Transcription, UploadOptions,
};

/// What the flow asks of its driver next.
// A step is moved once per step of a flow that makes a handful of them.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum TranscribeStep {
    /// Upload this file (→ [`TranscribeFlow::uploaded`]).
    Upload(PathBuf, UploadOptions),
    /// Create the job (→ [`TranscribeFlow::created`]).
    Create(CreateTranscription),
    /// Wait for the job (→ [`TranscribeFlow::waited`]).
    Wait(String, WaitOptions),
    /// Fetch its transcript (→ [`TranscribeFlow::fetched`]).
    FetchTranscript(String),
    /// Delete the job if it exists (→ [`TranscribeFlow::deleted`]).
    DeleteTranscription(String),
    /// Pause until this instant, then ask for the next step (a job still processing
    /// cannot be deleted yet: see [`JobDelete`]).
    WaitUntil(Instant),
    /// Delete the uploaded file if it exists (→ [`TranscribeFlow::deleted`]).
    DeleteFile(String),
    /// Finished: the result, after any cleanup.
    Done(Result<Transcribed>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Upload,
    Create,
    Wait,
    Fetch,
    DeleteTranscription,
    DeleteFile,
    Done,
}

/// One `transcribe` call, step by step. See the [module docs](self).
pub struct TranscribeFlow {
    stage: Stage,
    path: Option<PathBuf>,
    upload: Option<UploadOptions>,
    options: Option<CreateTranscription>,
    source: AudioSource,
    wait: Option<WaitOptions>,
    cleanup: Cleanup,
    cancel: Option<CancelHook>,
    file: Option<File>,
    job_id: Option<String>,
    transcription: Option<Transcription>,
    transcript: Option<Transcript>,
    error: Option<Error>,
    job_delete: Option<JobDelete>,
    retry_at: Option<Instant>,
    ended: bool,
}

impl std::fmt::Debug for TranscribeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranscribeFlow")
            .field("stage", &self.stage)
            .field("source", &self.source)
            .field("cleanup", &self.cleanup)
            .field("file", &self.file.as_ref().map(|f| &f.id))
            .field("job_id", &self.job_id)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl TranscribeFlow {
    /// Starts a flow. Bad job options are refused here, before any upload.
    pub fn new(req: Transcribe) -> Result<TranscribeFlow> {
        let Transcribe {
            source,
            options,
            cleanup,
            wait,
            upload,
        } = req;
        let path = match &source {
            AudioSource::Path(p) => {
                // Checked with a stand-in id: nothing is sent for options the API refuses.
                super::transcriptions::build_create(&options.clone().with_source(&source, Some("upload")))?;
                Some(p.clone())
            }
            _ => None,
        };
        Ok(TranscribeFlow {
            stage: if path.is_some() { Stage::Upload } else { Stage::Create },
            path,
            upload: Some(upload),
            options: Some(options),
            source,
            cancel: wait.cancel.clone(),
            wait: Some(wait),
            cleanup,
            file: None,
            job_id: None,
            transcription: None,
            transcript: None,
            error: None,
            job_delete: None,
            retry_at: None,
            ended: false,
        })
    }

    /// The next step. Before each step of the work the cancellation hook (from the
    /// [`WaitOptions`]) is asked; `true` skips to the cleanup with [`Error::Cancelled`].
    pub fn next_step(&mut self) -> TranscribeStep {
        if let Some(at) = self.retry_at.take() {
            return TranscribeStep::WaitUntil(at);
        }
        if matches!(self.stage, Stage::Upload | Stage::Create | Stage::Wait | Stage::Fetch)
            && is_cancelled(self.cancel.as_ref())
        {
            self.fail(Error::Cancelled(format!(
                "transcribe, before its {} step",
                self.stage_name()
            )));
        }
        match self.stage {
            Stage::Upload => match (self.path.clone(), self.upload.take()) {
                (Some(path), Some(upload)) => TranscribeStep::Upload(path, upload),
                _ => self.fail_and_step("the upload step ran twice"),
            },
            Stage::Create => match self.options.take() {
                Some(options) => {
                    let uploaded = self.file.as_ref().map(|f| f.id.as_str());
                    TranscribeStep::Create(options.with_source(&self.source, uploaded))
                }
                None => self.fail_and_step("the create step ran twice"),
            },
            Stage::Wait => match (self.job_id.clone(), self.wait.take()) {
                (Some(id), Some(wait)) => TranscribeStep::Wait(id, wait),
                _ => self.fail_and_step("the wait step ran twice"),
            },
            Stage::Fetch => match &self.job_id {
                Some(id) => TranscribeStep::FetchTranscript(id.clone()),
                None => self.fail_and_step("no job to fetch"),
            },
            Stage::DeleteTranscription => match &self.job_id {
                Some(id) if self.cleanup.deletes_transcription() => TranscribeStep::DeleteTranscription(id.clone()),
                _ => {
                    self.stage = Stage::DeleteFile;
                    self.next_step()
                }
            },
            Stage::DeleteFile => match &self.file {
                Some(f) if self.cleanup.deletes_file() => TranscribeStep::DeleteFile(f.id.clone()),
                _ => {
                    self.stage = Stage::Done;
                    self.next_step()
                }
            },
            Stage::Done if self.ended => {
                TranscribeStep::Done(Err(Error::invalid("transcribe: the flow already ended")))
            }
            Stage::Done => {
                self.ended = true;
                TranscribeStep::Done(self.result())
            }
        }
    }

    /// The upload's result (ignored outside that step, as are the three below).
    pub fn uploaded(&mut self, result: Result<File>) {
        if self.stage != Stage::Upload {
            return;
        }
        match result {
            Ok(file) => {
                self.file = Some(file);
                self.stage = Stage::Create;
            }
            Err(e) => self.fail(e),
        }
    }

    /// The created job.
    pub fn created(&mut self, result: Result<Transcription>) {
        if self.stage != Stage::Create {
            return;
        }
        match result {
            Ok(job) => {
                self.job_id = Some(job.id);
                self.stage = Stage::Wait;
            }
            Err(e) => self.fail(e),
        }
    }

    /// The wait's result.
    pub fn waited(&mut self, result: Result<Transcription>) {
        if self.stage != Stage::Wait {
            return;
        }
        match result {
            Ok(job) => {
                self.transcription = Some(job);
                self.stage = Stage::Fetch;
            }
            Err(e) => self.fail(e),
        }
    }

    /// The transcript.
    pub fn fetched(&mut self, result: Result<Transcript>) {
        if self.stage != Stage::Fetch {
            return;
        }
        match result {
            Ok(t) => {
                self.transcript = Some(t);
                self.stage = Stage::DeleteTranscription;
            }
            Err(e) => self.fail(e),
        }
    }

    /// A cleanup delete's result at `now`. A job still processing (409) is asked again
    /// (see [`JobDelete`]: the next step is then a [`TranscribeStep::WaitUntil`]). A final
    /// failure is logged (a `tracing` warning) and handed back, for a driver that reports
    /// it, but it is never the call's result: the first error, or the transcript, is.
    /// Outside the cleanup, does nothing.
    pub fn deleted(&mut self, now: Instant, mut result: Result<bool>) -> Option<Error> {
        let (what, next) = match self.stage {
            Stage::DeleteTranscription => ("transcription", Stage::DeleteFile),
            Stage::DeleteFile => ("file", Stage::Done),
            _ => return None,
        };
        if self.stage == Stage::DeleteTranscription {
            let machine = self.job_delete.get_or_insert_with(|| JobDelete::new(now));
            match machine.handle(now, result) {
                JobDeleteStep::RetryAt(at) => {
                    self.retry_at = Some(at);
                    return None;
                }
                JobDeleteStep::Done(r) => result = r,
            }
        }
        let id = match self.stage {
            Stage::DeleteTranscription => self.job_id.clone(),
            _ => self.file.as_ref().map(|f| f.id.clone()),
        };
        self.stage = next;
        let e = result.err()?;
        tracing::warn!("transcribe: could not delete {what} {}: {e}", id.unwrap_or_default());
        Some(e)
    }

    /// The file uploaded so far, if any.
    pub fn file(&self) -> Option<&File> {
        self.file.as_ref()
    }

    /// The job id, once created.
    pub fn job_id(&self) -> Option<&str> {
        self.job_id.as_deref()
    }

    /// Records the first error and moves to the cleanup (nothing was created before a
    /// failed upload, so there is nothing to delete then).
    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
        if matches!(self.stage, Stage::Upload | Stage::Create | Stage::Wait | Stage::Fetch) {
            self.stage = Stage::DeleteTranscription;
        }
    }

    fn fail_and_step(&mut self, why: &str) -> TranscribeStep {
        self.fail(Error::invalid(format!("transcribe: {why}")));
        self.next_step()
    }

    fn stage_name(&self) -> &'static str {
        match self.stage {
            Stage::Upload => "upload",
            Stage::Create => "create",
            Stage::Wait => "wait",
            Stage::Fetch => "transcript",
            Stage::DeleteTranscription | Stage::DeleteFile => "cleanup",
            Stage::Done => "end",
        }
    }

    fn result(&mut self) -> Result<Transcribed> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match (self.transcription.take(), self.transcript.take()) {
            (Some(transcription), Some(transcript)) => Ok(Transcribed {
                transcription,
                transcript,
                file: self.file.take(),
            }),
            _ => Err(Error::invalid("transcribe: the flow ended without a transcript")),
        }
    }
}

/// The longest a cleanup waits for a job that is still `processing` (the API refuses to
/// delete it then, 409 `transcription_invalid_state`).
pub const PROCESSING_WAIT: Duration = Duration::from_secs(30);

/// Deleting a job that may still be processing: a 409 is asked again after a pause
/// (100 ms, doubling up to 2 s) until [`PROCESSING_WAIT`] has passed since it started;
/// any other answer ends it. The one rule for `transcribe`'s cleanup and for any
/// driver that deletes jobs it just stopped waiting for.
#[derive(Debug, Clone)]
pub struct JobDelete {
    deadline: Instant,
    pause: Duration,
}

/// What [`JobDelete`] asks next.
#[derive(Debug)]
pub enum JobDeleteStep {
    /// Ask `DELETE` again at this instant.
    RetryAt(Instant),
    /// The end: `Ok(true)` deleted, `Ok(false)` already gone, or the error.
    Done(Result<bool>),
}

impl JobDelete {
    /// Starts at `now`; the [`PROCESSING_WAIT`] counts from it (`transcribe` starts it at the
    /// first answer). It ends only as the driver's clock moves: feed each answer's real time.
    pub fn new(now: Instant) -> JobDelete {
        JobDelete {
            deadline: crate::config::time::later(now, PROCESSING_WAIT),
            pause: Duration::from_millis(100),
        }
    }

    /// Feeds a `DELETE`'s result (as `delete_if_exists` gives it) at `now`.
    pub fn handle(&mut self, now: Instant, result: Result<bool>) -> JobDeleteStep {
        match result {
            Err(Error::Api(e)) if e.status == 409 && now < self.deadline => {
                let at = crate::config::time::later(now, self.pause).min(self.deadline);
                self.pause = (self.pause * 2).min(Duration::from_secs(2));
                JobDeleteStep::RetryAt(at)
            }
            other => JobDeleteStep::Done(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::*;

    fn job(id: &str, status: &str) -> Transcription {
        serde_json::from_str(&format!(r#"{{"id":"{id}","status":"{status}"}}"#)).unwrap()
    }
    fn file(id: &str) -> File {
        serde_json::from_str(&format!(
            r#"{{"id":"{id}","filename":"a.wav","size":4,"created_at":"2024-01-01T00:00:00Z"}}"#
        ))
        .unwrap()
    }
    fn transcript() -> Transcript {
        serde_json::from_str(r#"{"id":"j","text":"hi","tokens":[]}"#).unwrap()
    }

    /// Runs a flow with scripted step results; returns the steps taken, by name, and the end.
    fn run(req: Transcribe, fail_at: Option<&str>, on_step: impl Fn(&str)) -> (Vec<String>, Result<Transcribed>) {
        let mut flow = TranscribeFlow::new(req).unwrap();
        let mut steps = Vec::new();
        fn err<T>(name: &str) -> Result<T> {
            Err(Error::invalid(format!("{name} failed")))
        }
        for _ in 0..20 {
            let step = flow.next_step();
            let name = match &step {
                TranscribeStep::Upload(..) => "upload".to_owned(),
                TranscribeStep::Create(_) => "create".to_owned(),
                TranscribeStep::Wait(..) => "wait".to_owned(),
                TranscribeStep::FetchTranscript(_) => "transcript".to_owned(),
                TranscribeStep::DeleteTranscription(id) => format!("delete job {id}"),
                TranscribeStep::DeleteFile(id) => format!("delete file {id}"),
                TranscribeStep::WaitUntil(_) => "pause".to_owned(),
                TranscribeStep::Done(_) => "done".to_owned(),
            };
            let fails = fail_at == Some(name.split(' ').next().unwrap_or(""));
            on_step(&name);
            steps.push(name.clone());
            match step {
                TranscribeStep::Upload(..) => flow.uploaded(if fails { err(&name) } else { Ok(file("f1")) }),
                TranscribeStep::Create(_) => flow.created(if fails { err(&name) } else { Ok(job("j1", "queued")) }),
                TranscribeStep::Wait(..) => flow.waited(if fails { err(&name) } else { Ok(job("j1", "completed")) }),
                TranscribeStep::FetchTranscript(_) => flow.fetched(if fails { err(&name) } else { Ok(transcript()) }),
                TranscribeStep::DeleteTranscription(_) | TranscribeStep::DeleteFile(_) => {
                    let _ = flow.deleted(Instant::now(), if fails { err(&name) } else { Ok(true) });
                }
                TranscribeStep::WaitUntil(_) => {}
                TranscribeStep::Done(r) => return (steps, r),
            }
        }
        panic!("the flow never ended: {steps:?}");
    }

    #[test]
    fn a_path_runs_every_step_then_deletes_the_job_and_the_file() {
        let (steps, r) = run(Transcribe::path("a.wav"), None, |_| {});
        assert_eq!(
            steps,
            [
                "upload",
                "create",
                "wait",
                "transcript",
                "delete job j1",
                "delete file f1",
                "done"
            ]
        );
        let done = r.unwrap();
        assert_eq!(
            (done.transcript.text.as_str(), done.file.map(|f| f.id)),
            ("hi", Some("f1".into()))
        );
    }

    #[test]
    fn cleanup_follows_the_choice_and_the_source() {
        let (steps, _) = run(Transcribe::path("a.wav").cleanup(Cleanup::None), None, |_| {});
        assert_eq!(steps, ["upload", "create", "wait", "transcript", "done"]);
        let (steps, _) = run(Transcribe::path("a.wav").cleanup(Cleanup::File), None, |_| {});
        assert_eq!(
            steps,
            ["upload", "create", "wait", "transcript", "delete file f1", "done"]
        );
        // A file the caller uploaded is never deleted.
        let (steps, _) = run(Transcribe::file_id("mine"), None, |_| {});
        assert_eq!(steps, ["create", "wait", "transcript", "delete job j1", "done"]);
    }

    #[test]
    fn after_an_error_what_exists_is_deleted_and_the_first_error_wins() {
        let (steps, r) = run(Transcribe::path("a.wav"), Some("upload"), |_| {});
        assert_eq!(
            (steps, r.unwrap_err().to_string()),
            (
                vec!["upload".to_owned(), "done".into()],
                "invalid argument: upload failed".into()
            )
        );
        let (steps, r) = run(Transcribe::path("a.wav"), Some("create"), |_| {});
        assert_eq!(steps, ["upload", "create", "delete file f1", "done"]);
        assert!(r.unwrap_err().to_string().contains("create failed"));
        let (steps, r) = run(Transcribe::path("a.wav"), Some("wait"), |_| {});
        assert_eq!(
            steps,
            ["upload", "create", "wait", "delete job j1", "delete file f1", "done"]
        );
        assert!(r.unwrap_err().to_string().contains("wait failed"));
        // A failed delete is logged, and the transcript is still returned.
        let (steps, r) = run(Transcribe::path("a.wav"), Some("delete"), |_| {});
        assert_eq!(steps.len(), 7);
        assert_eq!(r.unwrap().transcript.text, "hi");
    }

    #[test]
    fn a_job_still_processing_is_deleted_once_it_can_be() {
        let conflict = || {
            Err(Error::Api(Box::new(crate::error::ApiError {
                status: 409,
                error_type: "transcription_invalid_state".into(),
                message: "processing".into(),
                validation_errors: Vec::new(),
                request_id: None,
                more_info: None,
                retry_after: None,
                raw_body: None,
            })))
        };
        let t0 = Instant::now();
        let mut d = JobDelete::new(t0);
        let mut now = t0;
        let mut pauses = Vec::new();
        while let JobDeleteStep::RetryAt(at) = d.handle(now, conflict()) {
            pauses.push((at - now).as_millis());
            now = at;
        }
        // 100 ms doubling to 2 s, cut at the 30 s deadline; then the 409 is the answer.
        assert_eq!(&pauses[..6], &[100, 200, 400, 800, 1600, 2000]);
        assert_eq!((now - t0, pauses.iter().sum::<u128>()), (PROCESSING_WAIT, 30_000));
        // Any other answer ends it at once.
        assert!(matches!(
            JobDelete::new(t0).handle(t0, Ok(false)),
            JobDeleteStep::Done(Ok(false))
        ));

        // In the flow: the refused delete pauses, then is asked again.
        let mut flow = TranscribeFlow::new(Transcribe::file_id("f")).unwrap();
        assert!(matches!(flow.next_step(), TranscribeStep::Create(_)));
        flow.created(Ok(job("j1", "processing")));
        assert!(matches!(flow.next_step(), TranscribeStep::Wait(..)));
        flow.waited(Err(Error::Cancelled("test".into())));
        assert!(matches!(flow.next_step(), TranscribeStep::DeleteTranscription(_)));
        assert!(flow.deleted(t0, conflict()).is_none());
        assert!(matches!(flow.next_step(), TranscribeStep::WaitUntil(at) if at == t0 + Duration::from_millis(100)));
        assert!(matches!(flow.next_step(), TranscribeStep::DeleteTranscription(_)));
        assert!(flow.deleted(t0 + Duration::from_millis(100), Ok(true)).is_none());
        assert!(matches!(
            flow.next_step(),
            TranscribeStep::Done(Err(Error::Cancelled(_)))
        ));
    }

    #[test]
    fn a_final_delete_failure_is_handed_back_and_calls_out_of_turn_change_nothing() {
        let mut flow = TranscribeFlow::new(Transcribe::path("a.wav")).unwrap();
        assert!(matches!(flow.next_step(), TranscribeStep::Upload(..)));
        // Out of turn: ignored.
        flow.created(Ok(job("x", "queued")));
        assert!(flow.deleted(Instant::now(), Err(Error::invalid("x"))).is_none());
        flow.uploaded(Ok(file("f1")));
        assert!(matches!(flow.next_step(), TranscribeStep::Create(_)));
        flow.created(Err(Error::invalid("create failed")));
        assert!(matches!(flow.next_step(), TranscribeStep::DeleteFile(ref id) if id == "f1"));
        let handed = flow.deleted(Instant::now(), Err(Error::invalid("delete failed")));
        assert!(handed.is_some_and(|e| e.to_string().contains("delete failed")));
        let TranscribeStep::Done(r) = flow.next_step() else {
            panic!()
        };
        assert!(r.unwrap_err().to_string().contains("create failed"));
        // After the end: a clear error, never a second result.
        let TranscribeStep::Done(again) = flow.next_step() else {
            panic!()
        };
        assert!(again.unwrap_err().to_string().contains("already ended"));
    }

    #[test]
    fn bad_options_are_refused_before_the_upload() {
        let bad = CreateTranscription::new().model("");
        assert!(matches!(
            TranscribeFlow::new(Transcribe::path("a.wav").options(bad)),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn the_hook_stops_the_flow_between_steps_and_cleans_up() {
        for (stop_after, expect) in [
            ("upload", vec!["upload", "delete file f1", "done"]),
            (
                "create",
                vec!["upload", "create", "delete job j1", "delete file f1", "done"],
            ),
            (
                "wait",
                vec!["upload", "create", "wait", "delete job j1", "delete file f1", "done"],
            ),
        ] {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let req =
                Transcribe::path("a.wav").wait(WaitOptions::default().cancel_if(move || flag.load(Ordering::SeqCst)));
            let (steps, r) = run(req, None, |name| {
                if name == stop_after {
                    stop.store(true, Ordering::SeqCst);
                }
            });
            assert_eq!(steps, expect, "stopped after {stop_after}");
            assert!(matches!(r, Err(Error::Cancelled(_))), "{r:?}");
        }
    }
}
