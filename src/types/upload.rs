use std::fmt;
use std::path::PathBuf;

use super::wait::WaitOptions;
use super::CreateTranscription;

/// An upload progress callback: `(bytes_sent, total_bytes)` of the file content.
pub type ProgressCallback = Box<dyn FnMut(u64, u64) + Send>;

/// Optional settings of an upload.
///
/// ```
/// let opts = soniox::types::UploadOptions::new()
///     .client_reference_id("order-17")
///     .on_progress(|sent, total| eprintln!("{sent}/{total}"));
/// # let _ = opts;
/// ```
#[derive(Default)]
#[must_use]
pub struct UploadOptions {
    pub(crate) client_reference_id: Option<String>,
    pub(crate) filename: Option<String>,
    pub(crate) progress: Option<ProgressCallback>,
}

impl UploadOptions {
    /// No options.
    pub fn new() -> UploadOptions {
        UploadOptions::default()
    }
    /// Your tracking id (≤ 256 chars).
    pub fn client_reference_id(mut self, id: impl Into<String>) -> Self {
        self.client_reference_id = Some(id.into());
        self
    }
    /// The file name the service records (default: the path's file name).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }
    /// Called as the file content is sent, with `(bytes_sent, total_bytes)`; the last
    /// call has `bytes_sent == total_bytes`. A retried upload starts again from 0.
    pub fn on_progress(mut self, f: impl FnMut(u64, u64) + Send + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("client_reference_id", &self.client_reference_id)
            .field("filename", &self.filename)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What `transcribe` deletes when it is done (also when a step fails or times out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cleanup {
    /// Keep everything.
    None,
    /// Delete the uploaded file (only files `transcribe` uploaded itself).
    File,
    /// Delete the transcription job.
    Transcription,
    /// Delete both (default).
    #[default]
    All,
}

impl Cleanup {
    /// True when the uploaded file is deleted.
    pub fn deletes_file(self) -> bool {
        matches!(self, Cleanup::File | Cleanup::All)
    }
    /// True when the job is deleted.
    pub fn deletes_transcription(self) -> bool {
        matches!(self, Cleanup::Transcription | Cleanup::All)
    }
}

/// Where the audio of a `transcribe` call comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudioSource {
    /// A local file, uploaded (streamed) first.
    Path(PathBuf),
    /// An already uploaded file.
    FileId(String),
    /// A public URL the service fetches.
    AudioUrl(String),
}

/// The one-call flow: upload → create → wait → transcript → cleanup.
///
/// ```
/// use soniox::types::{Cleanup, CreateTranscription, Transcribe};
/// let job = Transcribe::path("meeting.wav")
///     .options(CreateTranscription::new().model("stt-async-v5").diarization(true))
///     .cleanup(Cleanup::All);
/// # let _ = job;
/// ```
#[derive(Debug)]
#[must_use]
pub struct Transcribe {
    pub(crate) source: AudioSource,
    pub(crate) options: CreateTranscription,
    pub(crate) cleanup: Cleanup,
    pub(crate) wait: WaitOptions,
    pub(crate) upload: UploadOptions,
}

impl Transcribe {
    fn from(source: AudioSource) -> Transcribe {
        Transcribe {
            source,
            options: CreateTranscription::new(),
            cleanup: Cleanup::default(),
            wait: WaitOptions::default(),
            upload: UploadOptions::default(),
        }
    }
    /// Upload and transcribe a local file.
    pub fn path(path: impl Into<PathBuf>) -> Transcribe {
        Transcribe::from(AudioSource::Path(path.into()))
    }
    /// Transcribe an uploaded file.
    pub fn file_id(id: impl Into<String>) -> Transcribe {
        Transcribe::from(AudioSource::FileId(id.into()))
    }
    /// Transcribe a public URL.
    pub fn audio_url(url: impl Into<String>) -> Transcribe {
        Transcribe::from(AudioSource::AudioUrl(url.into()))
    }
    /// Job options (model, hints, diarization, ...). Any file id or URL set on them is
    /// replaced by this call's audio source.
    pub fn options(mut self, options: CreateTranscription) -> Self {
        self.options = options;
        self
    }
    /// What to delete at the end. Default [`Cleanup::All`].
    pub fn cleanup(mut self, cleanup: Cleanup) -> Self {
        self.cleanup = cleanup;
        self
    }
    /// How to wait for the job.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }
    /// The audio source.
    pub fn source(&self) -> &AudioSource {
        &self.source
    }
    /// Upload options (reference id, file name, progress) for a path source.
    pub fn upload(mut self, upload: UploadOptions) -> Self {
        self.upload = upload;
        self
    }
}

/// What `transcribe` returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Transcribed {
    /// The job as it completed.
    pub transcription: super::Transcription,
    /// Its transcript.
    pub transcript: super::Transcript,
    /// The file `transcribe` uploaded, if it uploaded one.
    pub file: Option<super::File>,
}
