//! The official Python SDK's client CPU, measured in the same run against the same mock
//! (`--python-sdk PYTHON`, a Python with `tools/python-sdk/requirements.txt` installed), so
//! the "≤ 1/5 of the Python SDK's CPU" targets compare two figures from one machine and one
//! run instead of a number quoted from elsewhere.

use std::process::Command;

use serde::Deserialize;

use crate::metric::{Field, Metric, Target};
use crate::mock_proc::API_KEY;

const GROUP: &str = "Python SDK";
/// The measuring script, in this repository.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/python-sdk/measure.py");
/// How every "≤ 1/5 of the Python SDK's" target label starts, quoted or measured.
const LABEL: &str = "≤ 1/5 of the Python SDK's";

/// The target as issue 5 quotes the Python SDK's CPU (`python_us` on its machine); a run
/// with `--python-sdk` replaces it with [`compare`]'s measured one.
pub fn quoted_target(python_us: f64) -> Target {
    let bound = python_us / 5.0;
    Target::le(Field::Value, bound, format!("{LABEL} (≤ {bound:.0} µs)"))
}

fn is_python_target(t: &Target) -> bool {
    t.label.starts_with(LABEL)
}

/// What the script prints.
#[derive(Debug, Deserialize)]
struct Figures {
    sdk: String,
    rest_cpu_us: f64,
    realtime_cpu_us: f64,
}

/// Runs the script with `python` (calls and chunks scaled to the plan) and turns its figures,
/// with ours from `metrics`, into records; the fixed Python targets on our CPU records are
/// replaced by the measured ones.
pub fn compare(python: &str, base_url: &str, quick: bool, metrics: &mut Vec<Metric>) -> Result<(), String> {
    let (calls, chunks) = if quick { ("300", "600") } else { ("1000", "2000") };
    let output = Command::new(python)
        .args([SCRIPT, "--base-url", base_url, "--api-key", API_KEY])
        .args(["--calls", calls, "--chunks", chunks])
        .output()
        .map_err(|e| format!("running {python} {SCRIPT}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{python} {SCRIPT} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let figures: Figures = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{SCRIPT} printed no figures ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    let python = [
        (
            "python_sdk.rest.cpu_per_call",
            figures.rest_cpu_us,
            "client.models.list() (httpx + pydantic)",
        ),
        (
            "python_sdk.realtime.cpu_per_chunk",
            figures.realtime_cpu_us,
            "send_byte_chunk + receive_event until the result (websockets sync client)",
        ),
    ];
    for (name, python_us, what) in python {
        metrics.push(Metric::new(GROUP, name, python_us, "µs").note(format!(
            "{}: client CPU per {what}, every thread; same mock, same run",
            figures.sdk
        )));
    }
    let ours = [
        ("rest.blocking.models_list.cpu_per_call", figures.rest_cpu_us),
        ("rest.async.models_list.cpu_per_call", figures.rest_cpu_us),
        ("realtime.blocking.round_trip_4k.cpu_per_chunk", figures.realtime_cpu_us),
    ];
    for (ours_name, python_us) in ours {
        let Some(ours) = metrics.iter_mut().find(|m| m.name == ours_name) else {
            continue;
        };
        let bound = python_us / 5.0;
        let ours_us = ours.value;
        ours.set_targets(|targets| {
            targets.retain(|t| !is_python_target(t));
            targets.push(Target::le(
                Field::Value,
                bound,
                format!("{LABEL}, measured in this run ({python_us:.0} µs → ≤ {bound:.0} µs)"),
            ));
        });
        let ratio_name = format!("{ours_name}.vs_python_sdk");
        metrics.push(
            Metric::new(GROUP, &ratio_name, ours_us / python_us, "×")
                .target(Target::le(Field::Value, 0.2, LABEL))
                .note(format!(
                    "our {ours_name} ({ours_us:.1} µs) over the Python SDK's ({python_us:.1} µs)"
                )),
        );
    }
    Ok(())
}

// The stand-in interpreter is a shell script.
#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A stand-in for Python that prints fixed figures, whatever it is asked to run.
    fn fake_python(dir: &std::path::Path, output: &str) -> String {
        let path = dir.join("python");
        std::fs::write(&path, format!("#!/bin/sh\necho '{output}'\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn ours() -> Vec<Metric> {
        let fixed = quoted_target(700.0);
        vec![
            Metric::new("REST", "rest.blocking.models_list.cpu_per_call", 150.0, "µs")
                .raw(140.0)
                .target(Target::le(Field::Ratio, 1.15, "≤ 1.15 × raw ureq"))
                .target(fixed),
        ]
    }

    #[test]
    fn measured_figures_replace_the_quoted_python_target() {
        let dir = tempfile::tempdir().unwrap();
        let figures = r#"{"sdk": "soniox 2.10.0 (Python)", "rest_cpu_us": 1000.0, "rest_wall_us": 1.0, "realtime_cpu_us": 200.0, "realtime_wall_us": 1.0}"#;
        let python = fake_python(dir.path(), figures);
        let mut metrics = ours();
        assert_eq!(metrics[0].pass, Some(false), "150 µs misses the quoted 140 µs");
        compare(&python, "http://127.0.0.1:9", true, &mut metrics).unwrap();
        let rest = &metrics[0];
        assert_eq!(rest.targets.len(), 2);
        assert!(
            rest.targets.iter().all(|t| !t.label.contains("140")),
            "{:?}",
            rest.targets
        );
        assert_eq!(rest.pass, Some(true), "150 µs is within 1/5 of the measured 1000 µs");
        let ratio = metrics
            .iter()
            .find(|m| m.name == "rest.blocking.models_list.cpu_per_call.vs_python_sdk");
        assert_eq!(ratio.map(|m| m.value), Some(0.15));
        let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
        assert!(names.contains(&"python_sdk.rest.cpu_per_call"));
        assert!(names.contains(&"python_sdk.realtime.cpu_per_chunk"));
    }

    #[test]
    fn a_failing_or_silent_script_is_an_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let python = fake_python(dir.path(), "not json");
        let mut metrics = ours();
        let e = compare(&python, "http://127.0.0.1:9", true, &mut metrics).unwrap_err();
        assert!(e.contains("printed no figures"), "{e}");
        assert_eq!(metrics, ours());
        let e = compare("/nonexistent/python", "http://127.0.0.1:9", true, &mut metrics).unwrap_err();
        assert!(e.contains("/nonexistent/python"), "{e}");
    }
}
