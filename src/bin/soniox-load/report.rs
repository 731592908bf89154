//! The final report: one row per task plus the total, the time series, the verdict.
//! The table, JSON, CSV and HTML writers all read this one structure.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::args::Plan;
use crate::histogram::new_histogram;
use crate::stats::{Failures, Recorded};
use crate::timeline::{ms, Second};

/// One row of the stats table.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) method: String,
    pub(crate) name: String,
    pub(crate) requests: u64,
    pub(crate) failures: u64,
    pub(crate) failures_by_kind: Failures,
    pub(crate) requests_per_s: f64,
    pub(crate) failures_per_s: f64,
    pub(crate) mean_ms: f64,
    pub(crate) min_ms: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p95_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
}

impl Row {
    fn new(method: &str, name: &str, requests: u64, failures: Failures, h: &Histogram<u64>, secs: f64) -> Row {
        let q = |q: f64| if h.is_empty() { 0.0 } else { ms(h.value_at_quantile(q)) };
        let total = failures.total();
        Row {
            method: method.into(),
            name: name.into(),
            requests,
            failures: total,
            failures_by_kind: failures,
            requests_per_s: requests as f64 / secs,
            failures_per_s: total as f64 / secs,
            mean_ms: if h.is_empty() { 0.0 } else { h.mean() / 1000.0 },
            min_ms: if h.is_empty() { 0.0 } else { ms(h.min()) },
            p50_ms: q(0.5),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
            max_ms: if h.is_empty() { 0.0 } else { ms(h.max()) },
        }
    }
}

/// What the run was asked to do.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Settings {
    pub(crate) host: String,
    pub(crate) client: String,
    pub(crate) users: u32,
    pub(crate) spawn_rate: f64,
    pub(crate) run_time_s: f64,
    pub(crate) wait_s: [f64; 2],
    pub(crate) mix: String,
    pub(crate) retries: u32,
    pub(crate) seed: u64,
    pub(crate) max_failure_ratio: f64,
}

/// The embedded mock's own counters (with `--mock`).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MockSummary {
    /// Requests the mock answered (retries included).
    pub(crate) requests: u64,
    /// Injected faults that fired (`--mock-429`).
    pub(crate) faults_injected: u64,
    /// TCP connections it accepted.
    pub(crate) connections: u64,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) tool: &'static str,
    pub(crate) settings: Settings,
    /// From the start to the last user's stop.
    pub(crate) duration_s: f64,
    /// Tasks that made at least one request.
    pub(crate) tasks: Vec<Row>,
    pub(crate) total: Row,
    pub(crate) failure_ratio: f64,
    /// `false` when the failure ratio exceeds the maximum, or nothing was requested.
    pub(crate) passed: bool,
    pub(crate) timeline: Vec<Second>,
    pub(crate) mock: Option<MockSummary>,
}

impl Report {
    /// Builds the report from everything recorded.
    pub(crate) fn build(settings: Settings, rec: &Recorded, elapsed: Duration, mock: Option<MockSummary>) -> Report {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut all = new_histogram();
        let mut failures = Failures::default();
        let mut requests = 0;
        let mut tasks = Vec::new();
        for t in rec.tasks.iter().filter(|t| t.requests > 0) {
            tasks.push(Row::new(
                t.kind.method(),
                t.kind.name(),
                t.requests,
                t.failures.clone(),
                &t.latency_us,
                secs,
            ));
            // Same bounds on both sides: `add` cannot fail.
            let _ = all.add(&t.latency_us);
            requests += t.requests;
            merge(&mut failures, &t.failures);
        }
        let total = Row::new("", "Aggregated", requests, failures, &all, secs);
        let failure_ratio = if requests == 0 {
            0.0
        } else {
            total.failures as f64 / requests as f64
        };
        let passed = requests > 0 && failure_ratio <= settings.max_failure_ratio;
        Report {
            tool: "soniox-load",
            settings,
            duration_s: secs,
            tasks,
            total,
            failure_ratio,
            passed,
            timeline: rec.timeline.seconds().to_vec(),
            mock,
        }
    }
}

fn merge(into: &mut Failures, f: &Failures) {
    into.rate_limited += f.rate_limited;
    into.http += f.http;
    into.timeout += f.timeout;
    into.transport += f.transport;
    into.other += f.other;
    for (s, n) in &f.statuses {
        *into.statuses.entry(*s).or_default() += n;
    }
}

/// The settings of `plan` against `host`.
pub(crate) fn settings(plan: &Plan, host: &str) -> Settings {
    Settings {
        host: host.into(),
        client: format!("{:?}", plan.client).to_lowercase(),
        users: plan.users,
        spawn_rate: plan.spawn_rate,
        run_time_s: plan.run_time.as_secs_f64(),
        wait_s: [plan.wait.min.as_secs_f64(), plan.wait.max.as_secs_f64()],
        mix: plan.mix.describe(),
        retries: plan.retries,
        seed: plan.seed,
        max_failure_ratio: plan.max_failure_ratio,
    }
}
