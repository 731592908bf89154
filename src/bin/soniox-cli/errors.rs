//! Errors of the command-line tool, how they read, and exit codes.

use std::fmt;
use std::process::ExitCode;

use soniox::Error;

/// Exit code of a run where something failed (an API error, a file that failed).
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit code of bad arguments or a missing API key (clap uses 2 as well).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C (128 + SIGINT).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum CliError {
    /// No API key and no `--mock`.
    MissingKey,
    /// An argument that parsed but cannot be used (an unreadable --context file, ...).
    Usage(String),
    /// An SDK call failed; `doing` says what the tool was doing.
    Sdk { doing: String, error: Error },
    /// A local write failed (stdout, an output file).
    Io { doing: String, error: std::io::Error },
    /// Some items failed; their details were already printed. `outcome` names what
    /// happened to them ("failed", "not deleted").
    Partial {
        failed: usize,
        total: usize,
        outcome: &'static str,
    },
    /// Ctrl-C.
    Interrupted,
}

impl CliError {
    pub(crate) fn sdk(doing: impl Into<String>) -> impl FnOnce(Error) -> CliError {
        let doing = doing.into();
        move |error| CliError::Sdk { doing, error }
    }

    pub(crate) fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let doing = doing.into();
        move |error| CliError::Io { doing, error }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::MissingKey | CliError::Usage(_) => EXIT_USAGE,
            CliError::Interrupted => EXIT_INTERRUPTED,
            _ => EXIT_FAILED,
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::MissingKey => f.write_str(
                "SONIOX_API_KEY is not set: export your API key (https://console.soniox.com), \
                 or pass --mock to use the embedded mock server",
            ),
            CliError::Usage(m) => f.write_str(m),
            CliError::Sdk { doing, error } => write!(f, "{doing}: {}", describe(error)),
            CliError::Io { doing, error } => write!(f, "{doing}: {error}"),
            CliError::Partial { failed, total, outcome } => write!(f, "{failed} of {total} {outcome}"),
            CliError::Interrupted => f.write_str("interrupted"),
        }
    }
}

/// One line about an SDK error: for API errors the error type, message and request id
/// (the SDK's `Display` never contains the key), plus a hint where one helps.
pub(crate) fn describe(error: &Error) -> String {
    let mut s = error.to_string();
    match error {
        Error::Api(e) if e.status == 401 => {
            s.push_str(" — check SONIOX_API_KEY (the key was refused)");
        }
        Error::Api(e) if e.status == 429 => s.push_str(" — rate or quota limit; retry later"),
        // Say so when the server sent no request id (the SDK prints it when there is one).
        Error::Api(e) if e.request_id.is_none() => s.push_str(" (no request id)"),
        _ => {}
    }
    s
}

/// A short machine form of an SDK error for `--json` output.
pub(crate) fn error_json(error: &Error) -> serde_json::Value {
    serde_json::json!({
        "error_type": error.error_type().unwrap_or(kind(error)),
        "status": error.status(),
        "message": error.to_string(),
        "request_id": error.request_id(),
    })
}

/// The variant name of an error without an API `error_type`.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Transport(_) => "transport",
        Error::Proxy(_) => "proxy",
        Error::Timeout(_) => "timeout",
        Error::Io { .. } => "io",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Decode(_) => "decode",
        _ => "error",
    }
}
