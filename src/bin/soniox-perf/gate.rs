//! The gate: a run must meet its targets and must not regress against a stored baseline run.
//!
//! Only gated metrics take part (see [`Gate`]): ratios against a raw
//! baseline measured in the same run, and deterministic figures (heap bytes, allocation
//! counts, connections, calls that succeeded). Raw wall-clock times are never compared: the
//! machine is shared.
//!
//! **Targets.** Every target of a gated metric on the field the metric is gated on (its
//! ratio, or its deterministic value) is enforced exactly: peak connections ≤ the limit,
//! every call succeeded, zero heap growth, `p50 ≤ 1.1 × raw`. The targets are the run's and
//! the baseline's together, so code under test cannot loosen one without a new baseline, and
//! [`baseline_problems`] refuses a baseline that misses its own. Targets on absolute times (a
//! p99 in µs, CPU µs against a quoted or separately measured figure) are reported, not
//! gated. A target marked as a known miss (with the reason and the issue tracking it) is
//! reported as `KNOWN MISS`, not failed on: the README lists each.
//!
//! **Regressions.** The baseline's gate definition is used, never the run's (which the code
//! under test could loosen).
//!
//! For a lower-is-better figure the allowed bound is `baseline × threshold + slack`; for a
//! higher-is-better one, `baseline / threshold − slack`. A baseline *ratio* better than parity
//! (SDK faster or leaner than raw) counts as parity: on a shared machine such a figure is mostly
//! luck (one quick upload round measured 2.8× raw), and a gate must not demand that luck again;
//! the bound is then "never worse than `threshold` × raw". A gated baseline metric missing
//! from the run is a failure too (a renamed metric needs a new baseline).

use std::fmt::Write as _;

use crate::metric::{Better, Field, Gate, Metric, Report, Target};

/// What the gate found for one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Within the allowed bound.
    Ok,
    /// Beyond the allowed bound.
    Regression,
    /// Gated in the baseline, absent (or without the field) in the run.
    Missing,
    /// Gated in the run, absent from the baseline: reported, never a failure.
    New,
    /// An enforced target (see the module docs) is met.
    TargetMet,
    /// An enforced target is missed.
    TargetMissed,
    /// A target marked as a known miss ([`Target::known_miss`]) is missed: reported, not a
    /// failure.
    KnownMiss,
}

/// One comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Metric name.
    pub name: String,
    /// Compared field.
    pub field: Field,
    /// Baseline figure.
    pub baseline: Option<f64>,
    /// This run's figure.
    pub current: Option<f64>,
    /// The bound the current figure had to meet.
    pub allowed: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// The target's label, for target checks.
    pub target: Option<String>,
}

/// Every comparison of one gate run.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// In baseline order, then new metrics.
    pub checks: Vec<Check>,
    /// A note when the two runs were made in different modes.
    pub warning: Option<String>,
}

impl Outcome {
    /// Regressions, missing metrics and missed targets.
    pub fn failures(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, Status::Regression | Status::Missing | Status::TargetMissed))
            .count()
    }

    /// A plain-text table of the checks.
    pub fn render(&self, threshold: f64) -> String {
        let mut s = format!("gate against baseline (threshold {threshold}×):\n");
        if let Some(w) = &self.warning {
            let _ = writeln!(s, "  note: {w}");
        }
        let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
        for c in &self.checks {
            let status = match c.status {
                Status::TargetMet => "TARGET OK".to_owned(),
                Status::TargetMissed => "TARGET MISS".to_owned(),
                Status::KnownMiss => "KNOWN MISS".to_owned(),
                other => format!("{other:?}").to_uppercase(),
            };
            let _ = write!(
                s,
                "  {:<11} {:<52} {:<6} baseline {:>12} now {:>12} allowed {:>12}",
                status,
                c.name,
                format!("{:?}", c.field).to_lowercase(),
                fmt(c.baseline),
                fmt(c.current),
                fmt(c.allowed),
            );
            match &c.target {
                Some(label) => {
                    let _ = writeln!(s, "  ({label})");
                }
                None => s.push('\n'),
            }
        }
        let _ = writeln!(
            s,
            "  {} regression(s), missing metric(s) or missed target(s)",
            self.failures()
        );
        s
    }
}

/// The enforced targets of `m` (gated on `gate`): those on the gated field, from `also` (the
/// baseline's metric of the same name) and from `m`, each once. A target counts as a known
/// miss only when every copy of it says so: the run cannot excuse a baseline target.
fn enforced(m: &Metric, gate: &Gate, also: Option<&Metric>) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for t in also.into_iter().flat_map(|b| b.targets.iter()).chain(m.targets.iter()) {
        if t.field != gate.field {
            continue;
        }
        let same = out
            .iter_mut()
            .find(|o| o.field == t.field && o.op == t.op && o.bound == t.bound);
        match same {
            Some(o) if t.known_miss.is_none() => o.known_miss = None,
            Some(_) => {}
            None => out.push(t.clone()),
        }
    }
    out
}

/// One check per enforced target of `m`.
fn target_checks(m: &Metric, gate: &Gate, also: Option<&Metric>) -> Vec<Check> {
    enforced(m, gate, also)
        .into_iter()
        .map(|t| Check {
            name: m.name.clone(),
            field: t.field,
            baseline: None,
            current: m.field(t.field),
            allowed: Some(t.bound),
            status: match (t.check(m) == Some(true), &t.known_miss) {
                (true, _) => Status::TargetMet,
                (false, None) => Status::TargetMissed,
                (false, Some(_)) => Status::KnownMiss,
            },
            target: Some(match &t.known_miss {
                Some(why) => format!("{}; known miss: {why}", t.label),
                None => t.label.clone(),
            }),
        })
        .collect()
}

/// The targets a report misses among those the gate enforces, and its failed scenarios: a
/// baseline with any of them is refused (and never written by `--write-baseline`).
pub fn baseline_problems(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .failures
        .iter()
        .map(|f| format!("scenario failed: {f}"))
        .collect();
    for m in &report.metrics {
        let Some(gate) = &m.gate else { continue };
        for c in target_checks(m, gate, None) {
            if c.status == Status::TargetMissed {
                let now = c.current.map_or_else(|| "absent".to_owned(), |v| format!("{v:.3}"));
                let label = c.target.unwrap_or_default();
                out.push(format!("{}: {now} misses its target {label}", m.name));
            }
        }
    }
    out
}

/// Checks `current`'s enforced targets and compares it with `baseline`; `threshold` > 1
/// (1.5 allows 50 % worse).
pub fn compare(baseline: &Report, current: &Report, threshold: f64) -> Outcome {
    let mut checks = Vec::new();
    for m in &current.metrics {
        let base = baseline.get(&m.name);
        // The baseline's gate definition where it has one (see the module docs).
        let Some(gate) = base.and_then(|b| b.gate.as_ref()).or(m.gate.as_ref()) else {
            continue;
        };
        checks.extend(target_checks(m, gate, base));
    }
    for b in baseline.metrics.iter() {
        let Some(gate) = &b.gate else { continue };
        let cur_metric = current.get(&b.name);
        let base = b.field(gate.field).map(|v| match (gate.field, gate.better) {
            (Field::Ratio, Better::Lower) => v.max(1.0),
            (Field::Ratio, Better::Higher) => v.min(1.0),
            _ => v,
        });
        let cur = cur_metric.and_then(|m| m.field(gate.field));
        let allowed = base.map(|b| match gate.better {
            Better::Lower => b * threshold + gate.slack,
            Better::Higher => b / threshold - gate.slack,
        });
        let status = match (cur, allowed) {
            (Some(c), Some(a)) => {
                let bad = match gate.better {
                    Better::Lower => c > a,
                    Better::Higher => c < a,
                };
                if bad || !c.is_finite() {
                    Status::Regression
                } else {
                    Status::Ok
                }
            }
            _ => Status::Missing,
        };
        checks.push(Check {
            name: b.name.clone(),
            field: gate.field,
            baseline: base,
            current: cur,
            allowed,
            status,
            target: None,
        });
    }
    for m in &current.metrics {
        if let (Some(g), None) = (&m.gate, baseline.get(&m.name).and_then(|b| b.gate.as_ref())) {
            checks.push(Check {
                name: m.name.clone(),
                field: g.field,
                baseline: None,
                current: m.field(g.field),
                allowed: None,
                status: Status::New,
                target: None,
            });
        }
    }
    let warning = (baseline.mode != current.mode).then(|| {
        format!(
            "baseline is a {} run, this is a {} run (ratios and heap figures are comparable)",
            baseline.mode, current.mode
        )
    });
    Outcome { checks, warning }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;

    fn report(mode: &str, metrics: Vec<Metric>) -> Report {
        Report {
            schema: crate::metric::SCHEMA,
            mode: mode.into(),
            created_unix: 0,
            duration_s: 1.0,
            cpus: 2,
            metrics,
            failures: Vec::new(),
        }
    }

    fn ratio(name: &str, sdk: f64, raw: f64, better: Better) -> Metric {
        Metric::new("g", name, sdk, "µs")
            .raw(raw)
            .gate(Field::Ratio, better, 0.0)
    }

    #[test]
    fn a_ratio_within_the_threshold_passes_and_beyond_it_fails() {
        let base = report("quick", vec![ratio("lat", 110.0, 100.0, Better::Lower)]);
        let ok = report("quick", vec![ratio("lat", 160.0, 100.0, Better::Lower)]);
        let bad = report("quick", vec![ratio("lat", 170.0, 100.0, Better::Lower)]);
        let o = compare(&base, &ok, 1.5);
        assert_eq!(o.checks.len(), 1);
        assert_eq!(o.checks[0].status, Status::Ok);
        assert!((o.checks[0].allowed.unwrap() - 1.65).abs() < 1e-9);
        assert_eq!(o.failures(), 0);
        let o = compare(&base, &bad, 1.5);
        assert_eq!(o.checks[0].status, Status::Regression);
        assert_eq!(o.failures(), 1);
    }

    #[test]
    fn wall_clock_values_are_never_compared() {
        // Same ratio, raw times ten times slower: not a regression.
        let base = report("quick", vec![ratio("lat", 100.0, 100.0, Better::Lower)]);
        let slow = report("quick", vec![ratio("lat", 1000.0, 1000.0, Better::Lower)]);
        assert_eq!(compare(&base, &slow, 1.5).failures(), 0);
        // An ungated metric never takes part, however much it changed.
        let base = report("quick", vec![Metric::new("g", "wall", 1.0, "s")]);
        let now = report("quick", vec![Metric::new("g", "wall", 100.0, "s")]);
        assert!(compare(&base, &now, 1.5).checks.is_empty());
    }

    #[test]
    fn higher_is_better_regresses_downwards() {
        let base = report("quick", vec![ratio("tput", 0.99, 1.0, Better::Higher)]);
        let ok = report("quick", vec![ratio("tput", 0.70, 1.0, Better::Higher)]);
        let bad = report("quick", vec![ratio("tput", 0.60, 1.0, Better::Higher)]);
        assert_eq!(compare(&base, &ok, 1.5).failures(), 0);
        assert_eq!(compare(&base, &bad, 1.5).checks[0].status, Status::Regression);
    }

    #[test]
    fn a_baseline_ratio_better_than_parity_counts_as_parity() {
        let lucky = report("quick", vec![ratio("tput", 2.8, 1.0, Better::Higher)]);
        let usual = report("quick", vec![ratio("tput", 0.95, 1.0, Better::Higher)]);
        let o = compare(&lucky, &usual, 1.5);
        assert_eq!(o.failures(), 0);
        assert_eq!(o.checks[0].baseline, Some(1.0));
        let lean = report("quick", vec![ratio("cpu", 0.5, 1.0, Better::Lower)]);
        assert_eq!(
            compare(
                &lean,
                &report("quick", vec![ratio("cpu", 1.4, 1.0, Better::Lower)]),
                1.5
            )
            .failures(),
            0
        );
        assert_eq!(
            compare(
                &lean,
                &report("quick", vec![ratio("cpu", 1.6, 1.0, Better::Lower)]),
                1.5
            )
            .failures(),
            1
        );
        // Deterministic values are compared as they are.
        let heap = |v: f64| Metric::new("h", "bytes", v, "B").gate(Field::Value, Better::Lower, 0.0);
        assert_eq!(
            compare(
                &report("quick", vec![heap(0.5)]),
                &report("quick", vec![heap(0.8)]),
                1.5
            )
            .failures(),
            1
        );
    }

    #[test]
    fn slack_absorbs_growth_from_zero() {
        let heap = |v: f64| Metric::new("heap", "growth", v, "B").gate(Field::Value, Better::Lower, 1024.0);
        let base = report("quick", vec![heap(0.0)]);
        assert_eq!(compare(&base, &report("quick", vec![heap(1000.0)]), 1.5).failures(), 0);
        assert_eq!(compare(&base, &report("quick", vec![heap(2000.0)]), 1.5).failures(), 1);
    }

    #[test]
    fn missing_metrics_fail_and_new_ones_are_only_reported() {
        let base = report("full", vec![ratio("old", 1.0, 1.0, Better::Lower)]);
        let now = report("quick", vec![ratio("new", 1.0, 1.0, Better::Lower)]);
        let o = compare(&base, &now, 1.5);
        let statuses: Vec<_> = o.checks.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(statuses, [("old", Status::Missing), ("new", Status::New)]);
        assert_eq!(o.failures(), 1);
        assert!(o.warning.is_some(), "different modes are noted");
        assert!(o.render(1.5).contains("MISSING"));
    }

    #[test]
    fn a_non_finite_figure_is_a_regression() {
        let base = report("quick", vec![ratio("lat", 1.0, 1.0, Better::Lower)]);
        let mut m = ratio("lat", 1.0, 1.0, Better::Lower);
        m.ratio = Some(f64::NAN);
        assert_eq!(compare(&base, &report("quick", vec![m]), 1.5).failures(), 1);
    }

    fn peak(v: f64, limit: f64) -> Metric {
        Metric::new("c", "peak_connections", v, "connections")
            .target(Target::le(Field::Value, limit, "≤ the limit"))
            .gate(Field::Value, Better::Lower, 0.0)
    }

    #[test]
    fn exact_facts_are_gated_exactly_not_by_the_threshold() {
        let base = report("quick", vec![peak(20.0, 20.0)]);
        // 21 is within 1.5 × 20, but the limit is 20.
        let o = compare(&base, &report("quick", vec![peak(21.0, 20.0)]), 1.5);
        let statuses: Vec<_> = o.checks.iter().map(|c| c.status).collect();
        assert_eq!(statuses, [Status::TargetMissed, Status::Ok]);
        assert_eq!(o.failures(), 1);
        assert!(o.render(1.5).contains("TARGET MISS"));
        let o = compare(&base, &report("quick", vec![peak(20.0, 20.0)]), 1.5);
        assert_eq!(o.failures(), 0);
        assert_eq!(o.checks[0].status, Status::TargetMet);
        // Every call succeeded, or the gate fails.
        let ok = |n: f64| {
            Metric::new("c", "succeeded", n, "calls")
                .target(Target::ge(Field::Value, 100.0, "all 100"))
                .gate(Field::Value, Better::Higher, 0.0)
        };
        let base = report("quick", vec![ok(100.0)]);
        assert_eq!(compare(&base, &report("quick", vec![ok(99.0)]), 1.5).failures(), 1);
        assert_eq!(compare(&base, &report("quick", vec![ok(100.0)]), 1.5).failures(), 0);
    }

    #[test]
    fn a_ratio_target_missed_fails_even_without_a_regression() {
        let lat = |sdk: f64| {
            Metric::new("r", "lat", sdk, "µs")
                .raw(100.0)
                .target(Target::le(Field::Ratio, 1.1, "p50 ≤ 1.1 × raw"))
                .target(Target::le(Field::P99, 999.9, "p99 < 1 ms"))
                .gate(Field::Ratio, Better::Lower, 0.0)
        };
        let base = report("quick", vec![lat(100.0)]);
        let o = compare(&base, &report("quick", vec![lat(115.0)]), 1.5);
        let statuses: Vec<_> = o.checks.iter().map(|c| c.status).collect();
        // The absolute p99 target (no distribution here: it would miss) is not enforced.
        assert_eq!(statuses, [Status::TargetMissed, Status::Ok]);
        assert_eq!(o.checks[0].target.as_deref(), Some("p50 ≤ 1.1 × raw"));
    }

    #[test]
    fn the_code_under_test_cannot_loosen_the_gate_or_a_target() {
        // The run's own gate would allow +100 bytes; the baseline's allows none.
        let heap = |v: f64, slack: f64, bound: f64| {
            Metric::new("h", "growth", v, "B")
                .target(Target::le(Field::Value, bound, "growth bound"))
                .gate(Field::Value, Better::Lower, slack)
        };
        let base = report("quick", vec![heap(0.0, 0.0, 1000.0)]);
        let o = compare(&base, &report("quick", vec![heap(50.0, 100.0, 1000.0)]), 1.5);
        assert_eq!(
            o.checks.iter().map(|c| c.status).collect::<Vec<_>>(),
            [Status::TargetMet, Status::Regression]
        );
        // The run's target is loosened to 2 000; the baseline's 1 000 still holds.
        let base = report("quick", vec![heap(0.0, 2000.0, 1000.0)]);
        let o = compare(&base, &report("quick", vec![heap(1500.0, 2000.0, 2000.0)]), 1.5);
        let targets: Vec<_> = o.checks.iter().filter_map(|c| Some((c.allowed?, c.status))).collect();
        assert!(targets.contains(&(1000.0, Status::TargetMissed)), "{targets:?}");
        assert!(targets.contains(&(2000.0, Status::TargetMet)), "{targets:?}");
        assert!(o.failures() >= 1);
    }

    #[test]
    fn a_baseline_that_misses_a_target_or_failed_is_refused() {
        let good = report("quick", vec![peak(20.0, 20.0)]);
        assert!(baseline_problems(&good).is_empty());
        let bad = report("quick", vec![peak(25.0, 20.0)]);
        let problems = baseline_problems(&bad);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("peak_connections: 25.000 misses its target ≤ the limit"),
            "{problems:?}"
        );
        let mut failed = good.clone();
        failed.failures.push("rest: boom".into());
        assert_eq!(baseline_problems(&failed), ["scenario failed: rest: boom"]);
        // A known miss is reported, never a failure.
        let known = Metric::new("c", "cpu", 1.3, "µs")
            .raw(1.0)
            .target(Target::le(Field::Ratio, 1.15, "≤ 1.15 × raw").known_miss("issue 15"))
            .gate(Field::Ratio, Better::Lower, 0.0);
        assert!(baseline_problems(&report("quick", vec![known.clone()])).is_empty());
        let o = compare(
            &report("quick", vec![known.clone()]),
            &report("quick", vec![known]),
            1.5,
        );
        assert_eq!(o.checks[0].status, Status::KnownMiss);
        assert_eq!(o.failures(), 0);
        assert!(o.render(1.5).contains("KNOWN MISS"));
        // Ungated metrics and targets on other fields are not the gate's.
        let info = Metric::new("q", "python", 300.0, "µs").target(Target::le(Field::Value, 140.0, "quoted"));
        assert!(baseline_problems(&report("quick", vec![info])).is_empty());
    }
}
