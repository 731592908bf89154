//! The report's data model: one [`Metric`] per measured figure, gathered in a [`Report`].
//! Serialized as `report.json` (see `report_json.rs`) and read back for the baseline gate.

use serde::{Deserialize, Serialize};

/// Format version of `report.json`; bumped when a field changes meaning.
pub const SCHEMA: u32 = 1;

/// One run of the perf binary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`] of the writer.
    pub schema: u32,
    /// `quick` or `full`.
    pub mode: String,
    /// Seconds since the Unix epoch when the run ended.
    pub created_unix: u64,
    /// Wall-clock seconds the scenarios took.
    pub duration_s: f64,
    /// CPUs the machine reported.
    pub cpus: usize,
    /// Every figure, in scenario order.
    pub metrics: Vec<Metric>,
    /// Scenarios that failed (name: error); a run with failures exits non-zero.
    #[serde(default)]
    pub failures: Vec<String>,
}

impl Report {
    /// The metric called `name`.
    pub fn get(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// Percentiles of a distribution, in the metric's unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dist {
    /// Samples recorded.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
    /// (quantile in 0..=1, value) pairs for the percentile chart, ascending.
    pub curve: Vec<(f64, f64)>,
}

/// Which field of a metric a target or the gate looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// [`Metric::value`].
    Value,
    /// [`Metric::ratio`].
    Ratio,
    /// The 99th percentile of [`Metric::dist`].
    P99,
}

/// A bound the metric should meet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// What is compared.
    pub field: Field,
    /// `<=` or `>=` (`<` is written as `<=` a hair below; figures are continuous).
    pub op: String,
    /// The bound.
    pub bound: f64,
    /// Human text, e.g. `≤ 1.15 × raw ureq`.
    pub label: String,
    /// A target this code is known to miss, and why (with the issue that tracks it): the
    /// report shows it as any other, the gate reports it without failing on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_miss: Option<String>,
}

impl Target {
    /// `field <= bound`.
    pub fn le(field: Field, bound: f64, label: impl Into<String>) -> Target {
        Target {
            field,
            op: "<=".into(),
            bound,
            label: label.into(),
            known_miss: None,
        }
    }

    /// `field >= bound`.
    pub fn ge(field: Field, bound: f64, label: impl Into<String>) -> Target {
        Target {
            field,
            op: ">=".into(),
            bound,
            label: label.into(),
            known_miss: None,
        }
    }

    /// Marks the target as one this code is known to miss, saying why.
    pub fn known_miss(mut self, why: impl Into<String>) -> Target {
        self.known_miss = Some(why.into());
        self
    }

    /// Whether `m` meets this target; `None` when the field is absent.
    pub fn check(&self, m: &Metric) -> Option<bool> {
        let v = m.field(self.field)?;
        Some(if self.op == ">=" {
            v >= self.bound
        } else {
            v <= self.bound
        })
    }
}

/// Which direction is better for the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Smaller is better (latency ratio, heap bytes).
    Lower,
    /// Larger is better (throughput ratio).
    Higher,
}

/// How the baseline gate treats a metric. Wall-clock figures are never gated: only ratios
/// against a raw baseline of the same run, and deterministic counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// The field compared with the baseline ([`Field::Ratio`] or a deterministic [`Field::Value`]).
    pub field: Field,
    /// Which direction is a regression.
    pub better: Better,
    /// Absolute slack added to the allowed bound (so that 0 → 3 bytes is not a regression of ∞ ×).
    pub slack: f64,
}

/// One measured figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Stable dotted name, e.g. `rest.blocking.models_list.cpu_per_call`.
    pub name: String,
    /// Section of the report.
    pub group: String,
    /// The SDK's figure.
    pub value: f64,
    /// Unit of `value` and `raw`.
    pub unit: String,
    /// The SDK's distribution, where the figure is one.
    pub dist: Option<Dist>,
    /// What the raw baseline measured in the same run.
    pub raw: Option<f64>,
    /// The raw baseline's distribution.
    pub raw_dist: Option<Dist>,
    /// `value / raw` (for throughput: SDK throughput / raw throughput).
    pub ratio: Option<f64>,
    /// Targets; `pass` is whether all were met.
    pub targets: Vec<Target>,
    /// `None` without targets.
    pub pass: Option<bool>,
    /// `None`: not gated.
    pub gate: Option<Gate>,
    /// What was measured and how.
    pub note: String,
}

impl Metric {
    /// A metric with only a value; add the rest with the setters.
    pub fn new(group: &str, name: &str, value: f64, unit: &str) -> Metric {
        Metric {
            name: name.into(),
            group: group.into(),
            value,
            unit: unit.into(),
            dist: None,
            raw: None,
            raw_dist: None,
            ratio: None,
            targets: Vec::new(),
            pass: None,
            gate: None,
            note: String::new(),
        }
    }

    /// Sets the raw baseline and the ratio `value / raw`.
    pub fn raw(mut self, raw: f64) -> Metric {
        self.raw = Some(raw);
        self.ratio = (raw > 0.0).then(|| self.value / raw);
        self
    }

    /// Sets the raw baseline with an explicit ratio (throughput: higher is better).
    pub fn raw_with_ratio(mut self, raw: f64, ratio: f64) -> Metric {
        self.raw = Some(raw);
        self.ratio = ratio.is_finite().then_some(ratio);
        self
    }

    /// Sets the distributions.
    pub fn dists(mut self, sdk: Option<Dist>, raw: Option<Dist>) -> Metric {
        self.dist = sdk;
        self.raw_dist = raw;
        self
    }

    /// Adds a target and recomputes `pass`.
    pub fn target(mut self, t: Target) -> Metric {
        self.set_targets(|targets| targets.push(t));
        self
    }

    /// Changes the targets in place and recomputes `pass` (`None` once none is left).
    pub fn set_targets(&mut self, change: impl FnOnce(&mut Vec<Target>)) {
        change(&mut self.targets);
        let checks: Vec<Option<bool>> = self.targets.iter().map(|t| t.check(self)).collect();
        self.pass = (!checks.is_empty()).then(|| checks.iter().all(|c| *c == Some(true)));
    }

    /// Gates `field` against the baseline.
    pub fn gate(mut self, field: Field, better: Better, slack: f64) -> Metric {
        self.gate = Some(Gate { field, better, slack });
        self
    }

    /// Sets the note.
    pub fn note(mut self, note: impl Into<String>) -> Metric {
        self.note = note.into();
        self
    }

    /// The figure `f`, if present.
    pub fn field(&self, f: Field) -> Option<f64> {
        match f {
            Field::Value => Some(self.value),
            Field::Ratio => self.ratio,
            Field::P99 => self.dist.as_ref().map(|d| d.p99),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_a_target_recomputes_pass() {
        let mut m = Metric::new("g", "n", 150.0, "µs").target(Target::le(Field::Value, 140.0, "fixed"));
        assert_eq!(m.pass, Some(false));
        m.set_targets(|t| {
            t.retain(|t| t.label != "fixed");
            t.push(Target::le(Field::Value, 300.0, "measured"));
        });
        assert_eq!(m.pass, Some(true));
        m.set_targets(Vec::clear);
        assert_eq!(m.pass, None);
    }

    #[test]
    fn targets_set_pass_from_every_bound() {
        let m = Metric::new("g", "n", 120.0, "µs").raw(100.0);
        assert_eq!(m.ratio, Some(1.2));
        let m = m.target(Target::le(Field::Value, 140.0, "≤ 140 µs"));
        assert_eq!(m.pass, Some(true));
        let m = m.target(Target::le(Field::Ratio, 1.15, "≤ 1.15 × raw"));
        assert_eq!(m.pass, Some(false));
    }

    #[test]
    fn a_target_on_a_missing_field_fails() {
        let m = Metric::new("g", "n", 1.0, "µs").target(Target::le(Field::P99, 5.0, "p99"));
        assert_eq!(m.pass, Some(false));
        let m = Metric::new("g", "n", 1.0, "×").target(Target::ge(Field::Value, 0.9, "≥ 0.9"));
        assert_eq!(m.pass, Some(true));
    }

    #[test]
    fn a_zero_raw_gives_no_ratio() {
        assert_eq!(Metric::new("g", "n", 1.0, "B").raw(0.0).ratio, None);
    }
}
