//! `soniox-load`: a load generator built on the soniox SDK, so it measures what users'
//! code experiences. Simulated users run the performance plan's task mix (list files 3,
//! create transcription 2, list models 1) against the real API (`--host`) or an
//! embedded mock (`--mock`), through the blocking client (one thread per user) or the
//! async client (one async-std task per user), for a fixed `--run-time`.
//!
//! ```text
//! soniox-load --mock --users 50 --spawn-rate 5 --run-time 30s --wait 0 --html report.html
//! soniox-load --host https://api.soniox.com --scenario baseline --run-time 10m --json r.json
//! ```
//!
//! Exit status: 0 when the failure ratio is within `--max-failure-ratio` (default 1%),
//! 1 when it is exceeded (or nothing was requested), 2 for bad arguments, 3 when the run
//! could not be set up or a report could not be written, 130 when Ctrl-C ended the run early
//! (the report is still printed and written; a second Ctrl-C exits at once, without it).
//!
//! Modules: `args` (command line), `tasks` (the mix), `user` (shared per-user state),
//! `user_blocking` / `user_async` (the two user loops), `stats` (counters and
//! HdrHistograms), `timeline` (per-second series), `progress` (the live line),
//! `report` (the one report structure) and its writers `report_table`, `report_json`,
//! `report_csv`, `report_html` (with `charts`, drawn by the SVG writer `svg` that
//! `soniox-perf` shares).

mod args;
mod charts;
mod histogram;
mod progress;
mod report;
mod report_csv;
mod report_html;
mod report_json;
mod report_table;
mod stats;
#[path = "../common/svg.rs"]
mod svg;
mod tasks;
mod timeline;
mod user;
mod user_async;
mod user_blocking;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use clap::Parser;
use soniox::mock::{Fault, FaultAction, JobTiming, MockConfig, MockServer};
use soniox::{Config, RetryPolicy};

use crate::args::{Args, ClientKind, Plan};
use crate::report::{MockSummary, Report};
use crate::stats::Collector;
use crate::user::Ctx;

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let args = Args::parse();
    let plan = match args.plan() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("soniox-load: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args, plan) {
        Ok((_, true)) => ExitCode::from(EXIT_INTERRUPTED),
        Ok((report, false)) => {
            if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("soniox-load: {e}");
            ExitCode::from(3)
        }
    }
}

/// Runs the load, prints the table, writes the files; also says whether Ctrl-C ended it.
fn run(args: &Args, plan: Plan) -> Result<(Report, bool), String> {
    let mock = if args.mock { Some(start_mock(args)?) } else { None };
    let host = match (&mock, &args.host) {
        (Some(m), _) => m.base_url(),
        (None, Some(h)) => h.trim_end_matches('/').to_owned(),
        (None, None) => return Err("--host or --mock is required".into()),
    };
    let key = match (&args.api_key, std::env::var("SONIOX_API_KEY").ok(), &mock) {
        (Some(k), _, _) => k.clone(),
        (None, _, Some(m)) => m.api_key(),
        (None, Some(k), None) => k,
        (None, None, None) => return Err("no API key: pass --api-key or set SONIOX_API_KEY".into()),
    };
    let collector = Arc::new(Collector::new());
    let deadline = collector.start() + plan.run_time;
    let ctx = Ctx::new(plan.clone(), collector.clone(), deadline)
        .map_err(|e| format!("cannot write the upload file: {e}"))?;
    let ctx = Arc::new(ctx);
    let interrupted = on_ctrl_c(ctx.clone());
    let (stop, stop_rx) = mpsc::channel::<()>();
    let ticker = {
        let (c, rt, users, quiet) = (collector.clone(), plan.run_time, plan.users, args.quiet);
        std::thread::spawn(move || progress::run(c, rt, users, quiet, stop_rx))
    };
    let ran = drive(&plan, &host, &key, ctx);
    drop(stop);
    let _ = ticker.join();
    ran?;
    let elapsed = collector.start().elapsed();
    let mock_summary = mock.as_ref().map(|m| {
        let s = m.stats();
        MockSummary {
            requests: s.requests,
            faults_injected: s.faults_injected,
            connections: s.connections_accepted,
        }
    });
    let report = {
        let mut rec = collector.lock();
        rec.timeline.finish(0);
        Report::build(report::settings(&plan, &host), &rec, elapsed, mock_summary)
    };
    print!("{}", report_table::render(&report));
    write_files(args, &report)?;
    if let Some(m) = mock {
        m.shutdown();
    }
    Ok((report, interrupted.load(Ordering::SeqCst)))
}

/// Ctrl-C ends the run early: the users finish the requests in flight, and the report is
/// printed and written as at the deadline (exit status 130). A second Ctrl-C exits at once.
/// The returned flag says whether it happened.
fn on_ctrl_c(ctx: Arc<Ctx>) -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            eprintln!("soniox-load: interrupted again, exiting without a report");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("soniox-load: interrupted; finishing the requests in flight, then the report");
        ctx.stop();
    });
    if let Err(e) = installed {
        eprintln!("soniox-load: warning: Ctrl-C handler not installed: {e}");
    }
    flag
}

/// Builds the chosen client and runs the users until the deadline.
fn drive(plan: &Plan, host: &str, key: &str, ctx: Arc<Ctx>) -> Result<(), String> {
    let retry = if plan.retries == 0 {
        RetryPolicy::none()
    } else {
        RetryPolicy::default().max_retries(plan.retries)
    };
    let conns = (plan.users as usize).max(1);
    let config = Config::builder()
        .api_key(key)
        .base_url(host)
        .timeout(plan.timeout)
        .max_connections(conns)
        .max_idle_connections(conns)
        .retry(retry)
        .build()
        .map_err(|e| format!("client: {e}"))?;
    match plan.client {
        ClientKind::Blocking => {
            let client = soniox::blocking::Client::new(config).map_err(|e| format!("client: {e}"))?;
            user_blocking::run(ctx, client).map_err(|e| format!("cannot start a user thread: {e}"))
        }
        ClientKind::Async => {
            let client = soniox::nonblocking::Client::new(config).map_err(|e| format!("client: {e}"))?;
            user_async::run(ctx, client);
            Ok(())
        }
    }
}

/// The embedded mock: jobs complete at once and pending jobs are not capped, so only
/// `--mock-rpm` and `--mock-429` make it refuse anything.
fn start_mock(args: &Args) -> Result<MockServer, String> {
    let mut config = MockConfig::default()
        .job_timing(JobTiming::Immediate)
        .max_pending_jobs(usize::MAX)
        .requests_per_minute(args.mock_rpm);
    if let Some(k) = &args.api_key {
        config = config.api_key(k.clone());
    }
    let mock = MockServer::start_with(config).map_err(|e| format!("cannot start the mock: {e}"))?;
    if let Some(n) = args.mock_429 {
        mock.add_fault(
            Fault::new(FaultAction::Status {
                status: 429,
                retry_after: Some("1".into()),
            })
            .times(n),
        );
    }
    Ok(mock)
}

fn write_files(args: &Args, r: &Report) -> Result<(), String> {
    if let Some(p) = &args.json {
        report_json::write(r, p).map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!("JSON report: {}", p.display());
    }
    if let Some(p) = &args.html {
        report_html::write(r, p).map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!("HTML report: {}", p.display());
    }
    if let Some(prefix) = &args.csv {
        let files = report_csv::write(r, prefix).map_err(|e| format!("{prefix}_*.csv: {e}"))?;
        eprintln!("CSV: {}", files.join(", "));
    }
    Ok(())
}
