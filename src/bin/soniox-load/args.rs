//! Command line: clap arguments, presets, and their validation into a [`Plan`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::tasks::{Mix, TaskKind};

/// `soniox-load`: a load generator built on the soniox SDK.
#[derive(Debug, Parser)]
#[command(
    name = "soniox-load",
    version,
    about = "Load-test the Soniox REST API (or its mock) through the soniox SDK"
)]
pub(crate) struct Args {
    /// Base URL of the API, without `/v1` (e.g. `https://api.soniox.com`, `http://127.0.0.1:8888`).
    #[arg(long, conflicts_with = "mock", required_unless_present = "mock")]
    pub(crate) host: Option<String>,
    /// Run against an embedded mock server (jobs complete immediately, no pending-job cap).
    #[arg(long)]
    pub(crate) mock: bool,
    /// Embedded mock only: requests allowed per minute (beyond it: 429 with Retry-After).
    #[arg(long)]
    pub(crate) mock_rpm: Option<u32>,
    /// Embedded mock only: the first N requests are answered 429 with `Retry-After: 1`.
    #[arg(long, value_name = "N")]
    pub(crate) mock_429: Option<u32>,
    /// API key (default: `SONIOX_API_KEY`; with `--mock`, the mock's key).
    #[arg(long)]
    pub(crate) api_key: Option<String>,
    /// Preset users and spawn rate from the performance plan.
    #[arg(long, value_enum)]
    pub(crate) scenario: Option<Scenario>,
    /// Simulated users (default 10, or the scenario's).
    #[arg(long, short = 'u')]
    pub(crate) users: Option<u32>,
    /// Users started per second (default 1, or the scenario's).
    #[arg(long, short = 'r')]
    pub(crate) spawn_rate: Option<f64>,
    /// How long to run, e.g. `30s`, `10m`, `1h`, `1m30s` (required).
    #[arg(long, short = 't', value_parser = parse_duration)]
    pub(crate) run_time: Duration,
    /// Seconds each user waits between tasks: `MIN..MAX` (uniform), `N`, or `0` for maximum throughput.
    #[arg(long, default_value = "1..3", value_parser = parse_wait)]
    pub(crate) wait: WaitRange,
    /// Which SDK client the users drive: OS threads (`blocking`) or async-std tasks (`async`).
    #[arg(long, value_enum, default_value_t = ClientKind::Blocking)]
    pub(crate) client: ClientKind,
    /// Task weights, e.g. `list-files=3,create-transcription=2,list-models=1` (0 disables a task).
    #[arg(long, default_value = "list-files=3,create-transcription=2,list-models=1", value_parser = parse_mix)]
    pub(crate) mix: Mix,
    /// Model for `create-transcription`.
    #[arg(long, default_value = "stt-async-v5")]
    pub(crate) model: String,
    /// SDK retries per request (0: every failure is counted as it happens).
    #[arg(long, default_value_t = 0)]
    pub(crate) retries: u32,
    /// SDK per-request timeout, e.g. `30s`.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
    /// Seed of the users' task choices and waits.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Exit with status 1 when failures / requests exceeds this ratio.
    #[arg(long, default_value_t = 0.01)]
    pub(crate) max_failure_ratio: f64,
    /// Write an HTML report (tables and SVG charts).
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Write the JSON report.
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write `PREFIX_stats.csv`, `PREFIX_stats_history.csv` and `PREFIX_failures.csv`.
    #[arg(long, value_name = "PREFIX")]
    pub(crate) csv: Option<String>,
    /// No live progress line.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// The plan's scenarios (section 6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Scenario {
    /// 10 users, 1 per second.
    Baseline,
    /// 50 users, 5 per second.
    Normal,
    /// 100 users, 10 per second.
    Peak,
    /// 500 users, 25 per second.
    Stress,
}

impl Scenario {
    /// `(users, spawn rate per second)`.
    pub(crate) fn preset(self) -> (u32, f64) {
        match self {
            Scenario::Baseline => (10, 1.0),
            Scenario::Normal => (50, 5.0),
            Scenario::Peak => (100, 10.0),
            Scenario::Stress => (500, 25.0),
        }
    }
}

/// Which client drives the users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ClientKind {
    /// `soniox::blocking::Client`, one OS thread per user.
    Blocking,
    /// `soniox::nonblocking::Client`, one async-std task per user.
    Async,
}

/// Wait between tasks, uniform in `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct WaitRange {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

/// Everything a run needs, validated.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) users: u32,
    pub(crate) spawn_rate: f64,
    pub(crate) run_time: Duration,
    pub(crate) wait: WaitRange,
    pub(crate) client: ClientKind,
    pub(crate) mix: Mix,
    pub(crate) model: String,
    pub(crate) retries: u32,
    pub(crate) timeout: Duration,
    pub(crate) seed: u64,
    pub(crate) max_failure_ratio: f64,
}

impl Args {
    /// Resolves presets and defaults; refuses values that make no run.
    pub(crate) fn plan(&self) -> Result<Plan, String> {
        let (preset_users, preset_rate) = self.scenario.map_or((10, 1.0), Scenario::preset);
        let users = self.users.unwrap_or(preset_users);
        let spawn_rate = self.spawn_rate.unwrap_or(preset_rate);
        if users == 0 || users > 100_000 {
            return Err(format!("--users must be in 1..=100000, got {users}"));
        }
        if !(spawn_rate.is_finite() && spawn_rate > 0.0) {
            return Err(format!("--spawn-rate must be positive, got {spawn_rate}"));
        }
        if self.run_time.is_zero() {
            return Err("--run-time must be positive".into());
        }
        if !(0.0..=1.0).contains(&self.max_failure_ratio) {
            return Err(format!(
                "--max-failure-ratio must be in 0..=1, got {}",
                self.max_failure_ratio
            ));
        }
        if !self.mock && (self.mock_rpm.is_some() || self.mock_429.is_some()) {
            return Err("--mock-rpm and --mock-429 apply to the embedded mock: add --mock".into());
        }
        if self.retries > 100 {
            return Err("--retries must be at most 100".into());
        }
        Ok(Plan {
            users,
            spawn_rate,
            run_time: self.run_time,
            wait: self.wait,
            client: self.client,
            mix: self.mix.clone(),
            model: self.model.clone(),
            retries: self.retries,
            timeout: self.timeout,
            seed: self.seed,
            max_failure_ratio: self.max_failure_ratio,
        })
    }
}

/// `90`, `30s`, `10m`, `1h`, `1m30s`, `500ms`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("expected a duration like 30s, 10m, 1h30m or 500ms, got {s:?}");
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60).ok_or_else(bad)?),
            "h" => Duration::from_secs(n.checked_mul(3600).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        total = total.checked_add(unit).ok_or_else(bad)?;
        rest = &rest[unit_len..];
    }
    if total > Duration::from_secs(7 * 24 * 3600) {
        return Err(format!("{s:?} is longer than a week"));
    }
    Ok(total)
}

/// `MIN..MAX`, or one number of seconds (fractions allowed).
pub(crate) fn parse_wait(s: &str) -> Result<WaitRange, String> {
    let secs = |v: &str| -> Result<Duration, String> {
        match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && (0.0..=3600.0).contains(&x) => Ok(Duration::from_secs_f64(x)),
            _ => Err(format!("expected seconds in 0..=3600 (MIN..MAX or N), got {s:?}")),
        }
    };
    let (min, max) = match s.split_once("..") {
        Some((a, b)) => (secs(a)?, secs(b)?),
        None => (secs(s)?, secs(s)?),
    };
    if min > max {
        return Err(format!("--wait: MIN must not exceed MAX in {s:?}"));
    }
    Ok(WaitRange { min, max })
}

/// `name=weight,...`; unnamed tasks get weight 0.
pub(crate) fn parse_mix(s: &str) -> Result<Mix, String> {
    let mut weights = [0u32; TaskKind::MIX.len()];
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, w) = part
            .split_once('=')
            .ok_or_else(|| format!("expected name=weight, got {part:?}"))?;
        let kind = TaskKind::from_cli(name.trim())
            .ok_or_else(|| format!("unknown task {name:?} (known: list-files, create-transcription, list-models)"))?;
        let w: u32 = w
            .trim()
            .parse()
            .map_err(|_| format!("weight of {name:?} is not a number: {w:?}"))?;
        if w > 1000 {
            return Err(format!("weight of {name:?} must be at most 1000"));
        }
        weights[kind.index()] = w;
    }
    Mix::new(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit_and_refuse_junk() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        for bad in ["", "s", "10x", "1.5s", "-3s", "9999999999999999999h", "200h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn waits_accept_ranges_single_values_and_zero() {
        let w = parse_wait("1..3").unwrap();
        assert_eq!((w.min, w.max), (Duration::from_secs(1), Duration::from_secs(3)));
        assert_eq!(parse_wait("0").unwrap().max, Duration::ZERO);
        assert_eq!(parse_wait("0.5").unwrap().min, Duration::from_millis(500));
        assert!(parse_wait("3..1").is_err());
        assert!(parse_wait("a..1").is_err());
        assert!(parse_wait("-1").is_err());
    }

    #[test]
    fn mixes_name_their_tasks_and_need_one_positive_weight() {
        let m = parse_mix("list-models=4").unwrap();
        assert_eq!(m.weights(), [0, 0, 4]);
        assert_eq!(
            parse_mix("list-files=3,create-transcription=2,list-models=1")
                .unwrap()
                .weights(),
            [3, 2, 1]
        );
        assert!(parse_mix("list-files=0").is_err());
        assert!(parse_mix("upload=1").is_err());
        assert!(parse_mix("list-files").is_err());
        assert!(parse_mix("list-files=x").is_err());
    }

    #[test]
    fn scenarios_set_users_and_spawn_rate_and_flags_override_them() {
        let args = Args::try_parse_from(["soniox-load", "--mock", "--scenario", "stress", "--run-time", "5s"]).unwrap();
        let plan = args.plan().unwrap();
        assert_eq!((plan.users, plan.spawn_rate), (500, 25.0));
        let args = Args::try_parse_from([
            "soniox-load",
            "--mock",
            "--scenario",
            "peak",
            "-u",
            "7",
            "--run-time",
            "5s",
        ])
        .unwrap();
        assert_eq!(args.plan().unwrap().users, 7);
        assert!(
            Args::try_parse_from(["soniox-load", "--mock"]).is_err(),
            "run time is required"
        );
        assert!(
            Args::try_parse_from(["soniox-load", "--run-time", "5s"]).is_err(),
            "host or mock"
        );
        assert!(Args::try_parse_from(["soniox-load", "--host", "http://x", "--mock", "-t", "1s"]).is_err());
        let args = Args::try_parse_from(["soniox-load", "--host", "http://x", "--mock-rpm", "5", "-t", "1s"]).unwrap();
        assert!(args.plan().is_err(), "--mock-rpm needs --mock");
        let args = Args::try_parse_from(["soniox-load", "--mock", "-u", "0", "--run-time", "5s"]).unwrap();
        assert!(args.plan().is_err());
    }
}
