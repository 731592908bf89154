//! The regression gate: compares a run with a stored baseline run.
//!
//! Only gated metrics take part (see [`Gate`](crate::metric::Gate)): ratios against a raw
//! baseline measured in the same run, and deterministic figures (heap bytes, allocation
//! counts, connections). Raw wall-clock times are never compared: the machine is shared.
//!
//! For a lower-is-better figure the allowed bound is `baseline × threshold + slack`; for a
//! higher-is-better one, `baseline / threshold − slack`. A baseline *ratio* better than parity
//! (SDK faster or leaner than raw) counts as parity: on a shared machine such a figure is mostly
//! luck (one quick upload round measured 2.8× raw), and a gate must not demand that luck again;
//! the bound is then "never worse than `threshold` × raw". A gated baseline metric missing
//! from the run is a failure too (a renamed metric needs a new baseline).

use std::fmt::Write as _;

use crate::metric::{Better, Field, Report};

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
    /// Regressions and missing metrics.
    pub fn failures(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, Status::Regression | Status::Missing))
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
            let _ = writeln!(
                s,
                "  {:<11} {:<52} {:<6} baseline {:>12} now {:>12} allowed {:>12}",
                format!("{:?}", c.status).to_uppercase(),
                c.name,
                format!("{:?}", c.field).to_lowercase(),
                fmt(c.baseline),
                fmt(c.current),
                fmt(c.allowed),
            );
        }
        let _ = writeln!(s, "  {} regression(s) or missing metric(s)", self.failures());
        s
    }
}

/// Compares `current` with `baseline`; `threshold` > 1 (1.5 allows 50 % worse).
pub fn compare(baseline: &Report, current: &Report, threshold: f64) -> Outcome {
    let mut checks = Vec::new();
    for b in baseline.metrics.iter() {
        let Some(gate) = &b.gate else { continue };
        let cur_metric = current.get(&b.name);
        // The run's own gate definition wins (slack may be tuned), else the baseline's.
        let gate = cur_metric.and_then(|m| m.gate.as_ref()).unwrap_or(gate);
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
}
