//! `soniox transcribe`: a crossbeam worker pool that uploads, waits for and fetches each
//! file's transcript, `--concurrency` files at a time, and cleans up after each file
//! (also on errors and Ctrl-C) unless `--keep`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, unbounded, Receiver, Sender};
use soniox::blocking::Client;
use soniox::core::transcribe::{TranscribeFlow, TranscribeStep};
use soniox::subtitles::{SubtitleOptions, Track};
use soniox::types::{Cleanup, Context, CreateTranscription, Transcribe, Translation, UploadOptions};
use soniox::{Error, WaitOptions};

use crate::args::{Format, TranscribeArgs};
use crate::cleanup::{delete_both, Registry};
use crate::errors::{describe, CliError};
use crate::output;
use crate::progress::{FileProgress, Progress};
use crate::Interrupt;

mod summary;

/// First pause between status checks; it grows 1.5× per check up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(200);
const MAX_POLL: Duration = Duration::from_secs(3);
/// How the library's wait names its own time limit in a `TimeoutError`.
const WAIT_TIMEOUT_CONTEXT: &str = "waiting for transcription ";
/// How long Ctrl-C waits for workers to stop before cleaning up what is left.
const STOP_WAIT: Duration = Duration::from_secs(20);

/// What the workers share.
struct Ctx {
    client: Client,
    options: CreateTranscription,
    format: Format,
    subtitles: SubtitleOptions,
    outputs: Vec<Option<PathBuf>>,
    keep: bool,
    timeout: Duration,
    registry: Registry,
    progress: Progress,
    cancel: Arc<AtomicBool>,
}

/// A file transcribed.
#[derive(Debug)]
pub(crate) struct Done {
    /// Where the transcript went.
    pub(crate) output: Output,
    /// The file and job ids (deleted unless `--keep`).
    pub(crate) file_id: String,
    pub(crate) job_id: String,
}

/// A file's transcript: written under `--output`, or kept for standard output.
#[derive(Debug)]
pub(crate) enum Output {
    File(PathBuf),
    Text(String),
}

/// Why a file failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An SDK call failed during `step`.
    Sdk { step: &'static str, error: Error },
    /// Anything else (a write, a timeout).
    Other(String),
    /// Ctrl-C.
    Interrupted,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Sdk { step, error } => write!(f, "{step}: {}", describe(error)),
            Failure::Other(m) => f.write_str(m),
            Failure::Interrupted => f.write_str("interrupted"),
        }
    }
}

fn sdk(step: &'static str) -> impl FnOnce(Error) -> Failure {
    move |error| Failure::Sdk { step, error }
}

/// The job options from the flags (an unreadable `--context @FILE` fails here, before anything is sent).
fn options(args: &TranscribeArgs) -> Result<CreateTranscription, CliError> {
    let mut o = CreateTranscription::new().model(&args.model);
    if !args.languages.is_empty() {
        o = o.language_hints(&args.languages);
    }
    if args.diarize {
        o = o.diarization(true);
    }
    if args.identify_language {
        o = o.language_identification(true);
    }
    if let Some(c) = &args.context {
        let text = match c.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("--context: cannot read {path}: {e}")))?,
            None => c.clone(),
        };
        o = o.context(Context::Text(text));
    }
    if let Some(lang) = &args.translate_to {
        o = o.translation(Translation::OneWay {
            target_language: lang.clone(),
        });
    }
    Ok(o)
}

/// Runs the batch; `Err(Partial)` when some files failed (the summary says which and why).
pub(crate) fn run(client: &Client, args: &TranscribeArgs, json: bool, interrupt: &Interrupt) -> Result<(), CliError> {
    let started = Instant::now();
    let total = args.files.len();
    let fancy = !json && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    let track = if args.translate_to.is_some() {
        Track::Translation
    } else {
        Track::Original
    };
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        options: options(args)?,
        format: args.format,
        subtitles: SubtitleOptions::default().track(track),
        outputs: output::plan(&args.files, args.format, args.output.as_deref())?,
        keep: args.keep,
        timeout: Duration::from_secs(args.timeout),
        registry: Registry::default(),
        progress: Progress::new(total, fancy),
        cancel: interrupt.flag(),
    });

    let (job_tx, job_rx) = bounded::<(usize, PathBuf)>(total);
    for (i, path) in args.files.iter().enumerate() {
        let _ = job_tx.send((i, path.clone()));
    }
    drop(job_tx);
    let (result_tx, result_rx) = unbounded();
    let workers: Vec<_> = (0..usize::from(args.concurrency).min(total))
        .map(|_| {
            let (ctx, jobs, results) = (ctx.clone(), job_rx.clone(), result_tx.clone());
            thread::spawn(move || worker(&ctx, &jobs, &results))
        })
        .collect();
    drop(result_tx);

    let mut results: Vec<Option<Result<Done, Failure>>> = (0..total).map(|_| None).collect();
    let mut done = 0;
    let interrupted = loop {
        select! {
            recv(result_rx) -> msg => match msg {
                Ok((i, r)) => {
                    done += 1;
                    ctx.progress.file_done(done, &summary::line(&args.files[i], &r));
                    results[i] = Some(r);
                }
                Err(_) => break false,
            },
            recv(interrupt.channel()) -> _ => break true,
        }
    };
    if interrupted {
        return stop(&ctx, &result_rx, &mut results, &args.files);
    }
    for w in workers {
        let _ = w.join();
    }
    ctx.progress.finish();
    summary::report(&args.files, &results, args.keep, json, started.elapsed())
}

/// After Ctrl-C: workers stop at their next step and clean up after themselves; wait
/// for them (bounded), then delete whatever is still registered.
fn stop(
    ctx: &Ctx,
    result_rx: &Receiver<(usize, Result<Done, Failure>)>,
    results: &mut [Option<Result<Done, Failure>>],
    files: &[PathBuf],
) -> Result<(), CliError> {
    ctx.progress
        .println("soniox: interrupted; stopping and cleaning up (Ctrl-C again to quit at once)");
    let deadline = Instant::now() + STOP_WAIT;
    while let Ok((i, r)) = result_rx.recv_deadline(deadline) {
        results[i] = Some(r);
    }
    let (jobs, uploaded) = ctx.registry.close();
    if !ctx.keep {
        let mut problems = Vec::new();
        for job in &jobs {
            problems.extend(delete_both(&ctx.client, &ctx.registry, Some(job), None));
        }
        for file in &uploaded {
            problems.extend(delete_both(&ctx.client, &ctx.registry, None, Some(file)));
        }
        for p in problems {
            ctx.progress.println(&format!("soniox: {p}"));
        }
    }
    ctx.progress.finish();
    let finished = results.iter().filter(|r| matches!(r, Some(Ok(_)))).count();
    eprintln!(
        "soniox: {finished} of {} files transcribed before the interrupt",
        files.len()
    );
    Err(CliError::Interrupted)
}

fn worker(ctx: &Ctx, jobs: &Receiver<(usize, PathBuf)>, results: &Sender<(usize, Result<Done, Failure>)>) {
    while let Ok((i, path)) = jobs.recv() {
        let result = if ctx.cancel.load(Ordering::SeqCst) {
            Err(Failure::Interrupted)
        } else {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let progress = ctx.progress.file(&path.display().to_string(), size);
            let r = one_file(ctx, i, &path, &progress);
            progress.finish();
            r
        };
        if results.send((i, result)).is_err() {
            return;
        }
    }
}

/// Upload → create → wait → transcript → cleanup (unless `--keep`), on the library's own
/// [`TranscribeFlow`] (the same plan `Client::transcribe` runs), then the output. The
/// tool adds what only it needs: progress, the step a failure came from, and the registry
/// Ctrl-C sweeps if a worker takes too long to stop. Ctrl-C reaches the flow through its
/// cancellation hook, so a worker stops at its next step (or within 50 ms of a wait) and
/// cleans up after itself.
fn one_file(ctx: &Ctx, i: usize, path: &Path, progress: &FileProgress) -> Result<Done, Failure> {
    let bar = progress.clone();
    let upload = UploadOptions::new().on_progress(move |sent, total| bar.uploaded(sent, total));
    let last_status = Arc::new(Mutex::new(String::from("queued")));
    let (shown, bar) = (last_status.clone(), progress.clone());
    let cancel = ctx.cancel.clone();
    let wait = WaitOptions::default()
        .interval(FIRST_POLL)
        .growth(1.5)
        .max_interval(MAX_POLL)
        .timeout(Some(ctx.timeout))
        .on_status_change(move |job| {
            let status = job.status.as_str().to_owned();
            bar.status(&status);
            *shown.lock().unwrap_or_else(|e| e.into_inner()) = status;
        })
        .cancel_if(move || cancel.load(Ordering::SeqCst));
    let req = Transcribe::path(path)
        .options(ctx.options.clone())
        .upload(upload)
        .wait(wait)
        .cleanup(if ctx.keep { Cleanup::None } else { Cleanup::All });
    let mut flow = TranscribeFlow::new(req).map_err(sdk("create"))?;
    // The step of the first failure, for the summary.
    let mut failed_at: Option<&'static str> = None;
    let mut note = |step: &'static str, ok: bool| {
        if !ok && failed_at.is_none() {
            failed_at = Some(step);
        }
    };
    let done = loop {
        match flow.next_step() {
            TranscribeStep::Upload(p, opts) => {
                let r = ctx.client.files().upload_with(&p, opts);
                note("upload", r.is_ok());
                if let Ok(f) = &r {
                    // A closed registry (Ctrl-C already swept it) is fine: the cancelled
                    // flow deletes this file itself.
                    if !ctx.keep {
                        ctx.registry.add_file(&f.id);
                    }
                }
                flow.uploaded(r);
            }
            TranscribeStep::Create(opts) => {
                let r = ctx.client.transcriptions().create(opts);
                note("create", r.is_ok());
                if let Ok(job) = &r {
                    if !ctx.keep {
                        ctx.registry.add_job(&job.id);
                    }
                    // Its status shows from the wait's first check (immediate).
                }
                flow.created(r);
            }
            TranscribeStep::Wait(id, opts) => {
                let r = ctx.client.transcriptions().wait(&id, opts);
                let step = match &r {
                    Err(Error::TranscriptionFailed { .. }) => "transcription",
                    _ => "wait",
                };
                note(step, r.is_ok());
                flow.waited(r);
            }
            TranscribeStep::FetchTranscript(id) => {
                let r = ctx.client.transcriptions().transcript(&id);
                note("transcript", r.is_ok());
                flow.fetched(r);
            }
            TranscribeStep::DeleteTranscription(id) => {
                let r = ctx.client.transcriptions().delete_if_exists(&id);
                if r.is_ok() {
                    ctx.registry.remove_job(&id);
                }
                // A job still processing is asked again by the flow; a final failure is
                // reported (it stays on the service).
                if let Some(e) = flow.deleted(Instant::now(), r) {
                    ctx.progress.println(&format!(
                        "soniox: {}: could not delete job {id}: {}",
                        path.display(),
                        describe(&e)
                    ));
                }
            }
            TranscribeStep::DeleteFile(id) => {
                let r = ctx.client.files().delete_if_exists(&id);
                if r.is_ok() {
                    ctx.registry.remove_file(&id);
                }
                if let Some(e) = flow.deleted(Instant::now(), r) {
                    ctx.progress.println(&format!(
                        "soniox: {}: could not delete file {id}: {}",
                        path.display(),
                        describe(&e)
                    ));
                }
            }
            TranscribeStep::WaitUntil(at) => thread::sleep(at.saturating_duration_since(Instant::now())),
            TranscribeStep::Done(r) => break r,
            // A step a newer library adds: this tool does not know it, so it stops.
            _ => break Err(Error::InvalidArgument("transcribe: an unknown step".into())),
        }
    };
    let done = done.map_err(|error| match error {
        Error::Cancelled(_) => Failure::Interrupted,
        // The wait's own limit (--timeout), not a status check's request timeout.
        Error::Timeout(ref t) if failed_at == Some("wait") && t.context.starts_with(WAIT_TIMEOUT_CONTEXT) => {
            Failure::Other(format!(
                "job {} still {} after {} s (--timeout)",
                flow.job_id().unwrap_or("?"),
                last_status.lock().unwrap_or_else(|e| e.into_inner()),
                ctx.timeout.as_secs()
            ))
        }
        error => Failure::Sdk {
            step: failed_at.unwrap_or("transcribe"),
            error,
        },
    })?;
    let text = output::render(&done.transcript, ctx.format, &ctx.subtitles).map_err(Failure::Other)?;
    let output = match &ctx.outputs[i] {
        Some(out) => {
            output::write(out, &text).map_err(|e| Failure::Other(format!("writing {}: {e}", out.display())))?;
            Output::File(out.clone())
        }
        None => Output::Text(text),
    };
    Ok(Done {
        output,
        file_id: done.file.map(|f| f.id).unwrap_or_default(),
        job_id: done.transcription.id,
    })
}
