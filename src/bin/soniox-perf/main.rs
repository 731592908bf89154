//! `soniox-perf`: the SDK's performance report. Runs every scenario against the mock server
//! (a child process on 127.0.0.1), each next to a raw client of the same stack in the same
//! run, and writes `report.json` and `report.html`; prints a table.
//!
//! ```text
//! cargo run --release --features mock,load --bin soniox-perf -- --out target/perf [--quick]
//!     [--baseline .ci/perf-baseline.json --threshold 1.5] [--only rest,upload,tls]
//! ```
//!
//! With `--baseline`, exits 1 when a gated figure (an SDK/raw ratio of the same run, or a
//! deterministic figure: heap bytes, allocation counts, connections, calls that succeeded)
//! misses its target or regressed beyond the threshold; exits 2 when a scenario failed or
//! the baseline itself misses a target. Raw wall-clock times are never gated.
//! `--write-baseline PATH` stores the run as a baseline, and refuses (exit 1) when it misses
//! a gated target or a scenario failed.

mod alloc;
mod charts;
mod cpu;
mod gate;
mod measure;
mod metric;
mod mock_proc;
mod python_sdk;
mod report_html;
mod report_json;
mod report_text;
mod scenarios;
#[path = "../common/svg.rs"]
mod svg;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;

use crate::metric::{Report, SCHEMA};
use crate::scenarios::{Plan, ALL};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "soniox-perf",
    about = "SDK-vs-raw performance report against the mock server"
)]
struct Args {
    /// Directory for report.json and report.html.
    #[arg(long, default_value = "target/perf")]
    out: PathBuf,
    /// Fewer iterations and smaller uploads (10 MB; 20 MB over TLS) instead of 100 MB (about half a minute).
    #[arg(long)]
    quick: bool,
    /// A stored report.json to compare with; exits 1 on a regression.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Writes this run to PATH as a new baseline, unless it misses a gated target or a
    /// scenario failed (then exits 1 and writes nothing).
    #[arg(long, value_name = "PATH")]
    write_baseline: Option<PathBuf>,
    /// Allowed factor over the baseline for gated figures (1.5 = 50 % worse).
    #[arg(long, default_value_t = 1.5)]
    threshold: f64,
    /// Run only these scenarios (comma-separated): construction, rest, upload, realtime, heap, concurrency, tls.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also measure the official Python SDK's client CPU against the same mock with this
    /// Python (one with tools/python-sdk/requirements.txt installed), and check the
    /// "≤ 1/5 of the Python SDK's" targets against that figure instead of the quoted one.
    #[arg(long, value_name = "PYTHON")]
    python_sdk: Option<String>,
    /// Internal: serve the mock on stdio (the child process).
    #[arg(long, hide = true)]
    serve_mock: bool,
    /// Internal: serve the mock over TLS on stdio (the `tls` scenario's child process).
    #[arg(long, hide = true)]
    serve_mock_tls: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.serve_mock || args.serve_mock_tls {
        return match mock_proc::serve(args.serve_mock_tls) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("soniox-perf mock: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("soniox-perf: {e}");
            ExitCode::from(2)
        }
    }
}

/// Ends the process if the run takes far longer than it should (a hung socket, say); the
/// mock child sees its stdin close and exits too.
fn watchdog(limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("soniox-perf: still running after {limit:?}; giving up");
        std::process::exit(3);
    });
}

fn run(args: &Args) -> Result<ExitCode, String> {
    if !(args.threshold >= 1.0 && args.threshold.is_finite()) {
        return Err(format!("--threshold must be at least 1.0, got {}", args.threshold));
    }
    for name in &args.only {
        if !ALL.iter().any(|(n, _)| n == name) {
            return Err(format!("unknown scenario {name:?}"));
        }
    }
    let baseline = args.baseline.as_deref().map(report_json::read).transpose()?;
    if let Some(base) = &baseline {
        let problems = gate::baseline_problems(base);
        if !problems.is_empty() {
            return Err(format!(
                "the baseline misses its own targets; regenerate it from a run that meets them \
                 (--write-baseline):\n  {}",
                problems.join("\n  ")
            ));
        }
    }
    let plan = if args.quick { Plan::quick() } else { Plan::full() };
    watchdog(Duration::from_secs(if args.quick { 300 } else { 1800 }));

    let start = Instant::now();
    let mut mock = mock_proc::MockProcess::start()?;
    let (mut metrics, mut failures) = (Vec::new(), Vec::new());
    for (name, scenario) in ALL {
        if !args.only.is_empty() && !args.only.iter().any(|n| n == name) {
            continue;
        }
        let t = Instant::now();
        eprint!("soniox-perf: {name} ... ");
        match scenario(&plan, &mut mock) {
            Ok(m) => {
                eprintln!("{} metrics in {:.1} s", m.len(), t.elapsed().as_secs_f64());
                metrics.extend(m);
            }
            Err(e) => {
                eprintln!("FAILED: {e}");
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    if let Some(python) = &args.python_sdk {
        eprint!("soniox-perf: python sdk ... ");
        match python_sdk::compare(python, mock.base_url(), args.quick, &mut metrics) {
            Ok(()) => eprintln!("done"),
            Err(e) => {
                eprintln!("FAILED: {e}");
                failures.push(format!("python sdk: {e}"));
            }
        }
    }
    drop(mock);
    let report = Report {
        schema: SCHEMA,
        mode: plan.mode.into(),
        created_unix: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        duration_s: start.elapsed().as_secs_f64(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        metrics,
        failures,
    };

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let (json, html) = (args.out.join("report.json"), args.out.join("report.html"));
    report_json::write(&json, &report)?;
    std::fs::write(&html, report_html::render(&report)).map_err(|e| format!("{}: {e}", html.display()))?;
    print!("{}", report_text::table(&report));
    println!("wrote {} and {}", json.display(), html.display());

    let mut code = ExitCode::SUCCESS;
    if let Some(base) = &baseline {
        let outcome = gate::compare(base, &report, args.threshold);
        print!("{}", outcome.render(args.threshold));
        if outcome.failures() > 0 {
            code = ExitCode::from(1);
        }
    }
    if let Some(path) = &args.write_baseline {
        let problems = gate::baseline_problems(&report);
        if problems.is_empty() {
            report_json::write(path, &report)?;
            println!("wrote the baseline {}", path.display());
        } else {
            eprintln!(
                "soniox-perf: not writing the baseline {}: this run misses gated targets:\n  {}",
                path.display(),
                problems.join("\n  ")
            );
            code = ExitCode::from(1);
        }
    }
    if !report.failures.is_empty() {
        code = ExitCode::from(2);
    }
    Ok(code)
}
