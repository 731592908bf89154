//! `soniox`: the Soniox speech-to-text command-line tool, on the blocking client.
//!
//! ```text
//! soniox transcribe FILE... [--model M] [--language xx]... [--diarize] [--identify-language]
//!        [--context TEXT|@FILE] [--translate-to xx] [--format text|json|srt|vtt]
//!        [--output DIR] [--concurrency N] [--keep]
//! soniox stream [FILE|-] [--format auto|pcm_s16le --rate 16000 --channels 1] [--realtime]
//! soniox files list | files delete ID... | files delete --all
//! soniox jobs list | jobs delete ID... | jobs delete --all
//! soniox models
//! soniox key --temporary [--expires 300]
//! ```
//!
//! Global flags: `--mock` (the embedded mock server, no key needed) and `--json`
//! (machine output on standard output). Without `--mock` the key comes from
//! `SONIOX_API_KEY` (URLs from `SONIOX_API_BASE_URL` / `SONIOX_WS_URL` / `SONIOX_TTS_API_URL`
//! when set).

mod args;
mod cleanup;
mod errors;
mod housekeeping;
mod output;
mod progress;
mod speak;
mod stream;
mod transcribe;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use crossbeam_channel::{bounded, Receiver};
use soniox::blocking::Client;
use soniox::mock::{MockConfig, MockServer};

use crate::args::{Cli, Command};
use crate::errors::{CliError, EXIT_INTERRUPTED};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let interrupt = Interrupt::install();
    match run(cli, &interrupt) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soniox: {e}");
            e.exit_code()
        }
    }
}

fn run(cli: Cli, interrupt: &Interrupt) -> Result<(), CliError> {
    let connections = match &cli.command {
        // Every worker holds at most one connection; cleanup on Ctrl-C may add one.
        Command::Transcribe(t) => usize::from(t.concurrency) + 1,
        _ => 4,
    };
    let backend = Backend::connect(cli.mock, connections)?;
    let client = &backend.client;
    match &cli.command {
        Command::Transcribe(args) => transcribe::run(client, args, cli.json, interrupt),
        Command::Stream(args) => stream::run(client, args, cli.json, interrupt),
        Command::Files(cmd) => housekeeping::files(client, cmd, cli.json),
        Command::Jobs(cmd) => housekeeping::jobs(client, cmd, cli.json),
        Command::Models(args) if args.tts => housekeeping::tts_models(client, cli.json),
        Command::Models(_) => housekeeping::models(client, cli.json),
        Command::Voices(args) => housekeeping::shared_voices(client, args, cli.json),
        Command::Key(args) => housekeeping::key(client, args, cli.json),
        Command::Speak(args) => speak::run(client, args, cli.json),
    }
}

/// The client, and the embedded mock it talks to with `--mock` (kept alive with it).
struct Backend {
    client: Client,
    _mock: Option<MockServer>,
}

impl Backend {
    fn connect(mock: bool, max_connections: usize) -> Result<Backend, CliError> {
        if mock {
            let server = MockServer::start_with(MockConfig::default().max_pending_jobs(10_000))
                .map_err(|e| CliError::Usage(format!("cannot start the embedded mock server: {e}")))?;
            let client = Client::builder()
                .api_key(server.api_key())
                .base_url(server.base_url())
                .ws_url(server.ws_url())
                .tts_api_url(server.tts_url())
                .max_connections(max_connections)
                .build()
                .map_err(CliError::sdk("configuring the client"))?;
            return Ok(Backend {
                client,
                _mock: Some(server),
            });
        }
        if std::env::var_os("SONIOX_API_KEY").is_none() {
            return Err(CliError::MissingKey);
        }
        let client = soniox::ConfigBuilder::<Client>::from_env()
            .and_then(|b| b.max_connections(max_connections).build())
            .map_err(CliError::sdk("configuring the client"))?;
        Ok(Backend { client, _mock: None })
    }
}

/// Ctrl-C: the first press sets a flag and wakes whoever waits on the channel; the
/// second exits at once.
#[derive(Debug)]
pub(crate) struct Interrupt {
    flag: Arc<AtomicBool>,
    rx: Receiver<()>,
}

impl Interrupt {
    fn install() -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        let (tx, rx) = bounded(1);
        let handler_flag = flag.clone();
        let installed = ctrlc::set_handler(move || {
            if handler_flag.swap(true, Ordering::SeqCst) {
                eprintln!("soniox: interrupted again, exiting without cleanup");
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
            let _ = tx.try_send(());
        });
        if let Err(e) = installed {
            eprintln!("soniox: warning: Ctrl-C handler not installed: {e}");
        }
        Interrupt { flag, rx }
    }

    /// True once Ctrl-C was pressed.
    pub(crate) fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The flag, for other threads.
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    /// Receives once when Ctrl-C is pressed.
    pub(crate) fn channel(&self) -> &Receiver<()> {
        &self.rx
    }
}
