//! The end of a batch: transcripts to standard output (without `--output`), the summary
//! (which files failed and why) on standard error, or everything as JSON with `--json`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Done, Failure, Output};
use crate::errors::{error_json, CliError};

/// One progress line for a finished file.
pub(super) fn line(path: &std::path::Path, r: &Result<Done, Failure>) -> String {
    match r {
        Ok(Done {
            output: Output::File(out),
            ..
        }) => format!("{}: done -> {}", path.display(), out.display()),
        Ok(_) => format!("{}: done", path.display()),
        Err(f) => format!("{}: FAILED: {f}", path.display()),
    }
}

fn entry(path: &std::path::Path, r: Option<&Result<Done, Failure>>, keep: bool) -> Value {
    let file = path.display().to_string();
    match r {
        Some(Ok(d)) => {
            let mut v = json!({"file": file, "ok": true});
            match &d.output {
                Output::File(p) => v["output"] = json!(p.display().to_string()),
                Output::Text(t) => v["transcript"] = json!(t),
            }
            if keep {
                v["file_id"] = json!(d.file_id);
                v["transcription_id"] = json!(d.job_id);
            }
            v
        }
        Some(Err(Failure::Sdk { step, error })) => {
            json!({"file": file, "ok": false, "step": step, "error": error_json(error)})
        }
        Some(Err(f)) => json!({"file": file, "ok": false, "error": {"message": f.to_string()}}),
        None => json!({"file": file, "ok": false, "error": {"message": "not processed"}}),
    }
}

/// Prints the outcome; `Err(Partial)` when a file failed.
pub(super) fn report(
    files: &[PathBuf],
    results: &[Option<Result<Done, Failure>>],
    keep: bool,
    json: bool,
    elapsed: Duration,
) -> Result<(), CliError> {
    let failed = results.iter().filter(|r| !matches!(r, Some(Ok(_)))).count();
    let total = files.len();
    let mut out = std::io::stdout().lock();
    let stdout_err = CliError::io("writing to standard output");
    if json {
        let v = json!({
            "total": total,
            "transcribed": total - failed,
            "failed": failed,
            "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "files": files.iter().zip(results).map(|(p, r)| entry(p, r.as_ref(), keep)).collect::<Vec<_>>(),
        });
        writeln!(out, "{v:#}").map_err(stdout_err)?;
    } else {
        let mut text = String::new();
        for (path, r) in files.iter().zip(results) {
            if let Some(Ok(Done {
                output: Output::Text(t),
                ..
            })) = r
            {
                if total > 1 {
                    text.push_str(&format!("==> {} <==\n", path.display()));
                }
                text.push_str(t);
                if total > 1 && !t.ends_with("\n\n") {
                    text.push('\n');
                }
            }
        }
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(stdout_err)?;
        if keep {
            for (path, r) in files.iter().zip(results) {
                if let Some(Ok(d)) = r {
                    eprintln!("kept {}: file {} job {}", path.display(), d.file_id, d.job_id);
                }
            }
        }
    }
    eprintln!(
        "{total} file{} in {:.1} s: {} transcribed, {failed} failed",
        if total == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        total - failed
    );
    for (path, r) in files.iter().zip(results) {
        match r {
            Some(Ok(_)) => {}
            Some(Err(f)) => eprintln!("  failed: {}: {f}", path.display()),
            None => eprintln!("  failed: {}: not processed", path.display()),
        }
    }
    if failed > 0 {
        return Err(CliError::Partial {
            failed,
            total,
            outcome: "failed",
        });
    }
    Ok(())
}
