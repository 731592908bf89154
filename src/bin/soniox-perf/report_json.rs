//! `report.json`: the [`Report`] as pretty JSON, and reading one back (the baseline).

use std::fs;
use std::path::Path;

use crate::metric::{Report, SCHEMA};

/// Serializes `report` (non-finite figures become `null`): the run's fields one per line,
/// then one line per metric (fields in declaration order, `name` first), so that a stored
/// baseline diffs metric by metric.
pub fn to_string(report: &Report) -> String {
    // Strings, numbers, options and vectors only: serializing cannot fail.
    fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_string(v).unwrap_or_else(|e| format!("\"unserializable: {e}\""))
    }
    let metrics: Vec<String> = report.metrics.iter().map(|m| format!("    {}", json(m))).collect();
    let fields = [
        ("schema", json(&report.schema)),
        ("mode", json(&report.mode)),
        ("created_unix", json(&report.created_unix)),
        ("duration_s", json(&report.duration_s)),
        ("cpus", json(&report.cpus)),
        ("failures", json(&report.failures)),
        ("metrics", format!("[\n{}\n  ]", metrics.join(",\n"))),
    ];
    let lines: Vec<String> = fields.iter().map(|(k, v)| format!("  \"{k}\": {v}")).collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

/// Parses a report, refusing another schema version.
pub fn from_str(text: &str) -> Result<Report, String> {
    let report: Report = serde_json::from_str(text).map_err(|e| format!("not a soniox-perf report: {e}"))?;
    if report.schema != SCHEMA {
        return Err(format!(
            "report schema {} is not this binary's {SCHEMA}: regenerate the baseline",
            report.schema
        ));
    }
    Ok(report)
}

/// Writes `report` to `path`.
pub fn write(path: &Path, report: &Report) -> Result<(), String> {
    fs::write(path, to_string(report) + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads a report from `path`.
pub fn read(path: &Path) -> Result<Report, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{Better, Dist, Field, Metric, Target};

    fn sample() -> Report {
        let dist = Dist {
            count: 3,
            p50: 1.5,
            p95: 2.0,
            p99: 2.5,
            max: 3.0,
            curve: vec![(0.0, 1.0), (0.5, 1.5), (1.0, 3.0)],
        };
        Report {
            schema: SCHEMA,
            mode: "quick".into(),
            created_unix: 1_700_000_000,
            duration_s: 42.5,
            cpus: 2,
            metrics: vec![
                Metric::new("REST", "rest.lat", 110.0, "µs")
                    .raw(100.0)
                    .dists(Some(dist.clone()), Some(dist))
                    .target(Target::le(Field::Ratio, 1.15, "≤ 1.15 × raw"))
                    .gate(Field::Ratio, Better::Lower, 0.0)
                    .note("interleaved"),
                Metric::new("Heap", "heap.bytes", 3251.0, "B").gate(Field::Value, Better::Lower, 256.0),
            ],
            failures: vec!["upload: boom".into()],
        }
    }

    #[test]
    fn a_report_survives_the_round_trip() {
        let r = sample();
        let text = to_string(&r);
        assert_eq!(from_str(&text).unwrap(), r);
        // One line per metric.
        assert_eq!(
            text.lines().filter(|l| l.contains("\"name\":")).count(),
            r.metrics.len()
        );
        assert!(text.lines().any(|l| l.trim() == "\"mode\": \"quick\","));
        assert!(text.contains("    {\"name\":\"rest.lat\","), "name first:\n{text}");
    }

    #[test]
    fn a_file_survives_the_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write(&path, &sample()).unwrap();
        assert_eq!(read(&path).unwrap(), sample());
        assert!(read(&dir.path().join("absent.json"))
            .unwrap_err()
            .contains("cannot read"));
    }

    #[test]
    fn records_carry_every_field_by_name() {
        let v: serde_json::Value = serde_json::from_str(&to_string(&sample())).unwrap();
        let m = &v["metrics"][0];
        for key in [
            "name", "value", "unit", "raw", "ratio", "targets", "pass", "gate", "dist",
        ] {
            assert!(m.get(key).is_some(), "{key} missing");
        }
        assert_eq!(m["dist"]["p99"], 2.5);
        assert_eq!(m["gate"]["field"], "ratio");
        assert_eq!(m["pass"], true);
        assert_eq!(m["ratio"], 1.1);
    }

    #[test]
    fn other_schemas_and_garbage_are_refused() {
        let mut r = sample();
        r.schema = SCHEMA + 1;
        assert!(from_str(&to_string(&r)).unwrap_err().contains("schema"));
        assert!(from_str("{\"metrics\": 3}").is_err());
        assert!(from_str("").is_err());
    }

    #[test]
    fn non_finite_figures_become_null() {
        let mut r = sample();
        r.metrics[0].ratio = Some(f64::INFINITY);
        let back = from_str(&to_string(&r)).unwrap();
        assert_eq!(back.metrics[0].ratio, None);
    }
}
