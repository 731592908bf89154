//! The concise stdout table, and number formatting shared with the HTML report.

use std::fmt::Write as _;

use crate::metric::{Metric, Report};

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Microseconds, switching to ms or s when large.
pub fn us(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("{:.2} s", v / 1e6)
    } else if v >= 10_000.0 {
        format!("{:.1} ms", v / 1e3)
    } else if v >= 100.0 {
        format!("{v:.0} µs")
    } else {
        format!("{v:.1} µs")
    }
}

/// A figure with its unit, readably.
pub fn value(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match unit {
        "µs" => us(v),
        "B" if v.fract() == 0.0 => {
            let sign = if v < 0.0 { "-" } else { "" };
            format!("{sign}{} B", thousands(v.abs() as u64))
        }
        "×" => format!("{v:.3}×"),
        "allocs" | "calls" | "conns" => {
            if v.fract() == 0.0 {
                format!("{v:.0} {unit}")
            } else {
                format!("{v:.1} {unit}")
            }
        }
        _ if v >= 100.0 => format!("{v:.0} {unit}"),
        _ => format!("{v:.2} {unit}"),
    }
}

/// PASS / FAIL / blank.
pub fn verdict(m: &Metric) -> &'static str {
    match m.pass {
        Some(true) => "PASS",
        Some(false) => "FAIL",
        None => "",
    }
}

/// The stdout table: one line per metric.
pub fn table(r: &Report) -> String {
    let mut s = format!(
        "soniox-perf ({} mode, {:.0} s, {} CPUs)\n{:<48} {:>16} {:>16} {:>7}  {:<4}  target\n",
        r.mode, r.duration_s, r.cpus, "metric", "SDK", "raw baseline", "ratio", "pass"
    );
    let mut group = "";
    for m in &r.metrics {
        if m.group != group {
            group = &m.group;
            let _ = writeln!(s, "-- {group}");
        }
        let targets: Vec<&str> = m.targets.iter().map(|t| t.label.as_str()).collect();
        let _ = writeln!(
            s,
            "{:<48} {:>16} {:>16} {:>7}  {:<4}  {}",
            m.name,
            value(m.value, &m.unit),
            m.raw.map_or_else(String::new, |r| value(r, &m.unit)),
            m.ratio.map_or_else(String::new, |r| format!("{r:.2}")),
            verdict(m),
            targets.join("; "),
        );
    }
    for f in &r.failures {
        let _ = writeln!(s, "FAILED SCENARIO: {f}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(us(12.34), "12.3 µs");
        assert_eq!(us(612.0), "612 µs");
        assert_eq!(us(25_000.0), "25.0 ms");
        assert_eq!(us(2_500_000.0), "2.50 s");
        assert_eq!(value(132016.0, "B"), "132,016 B");
        assert_eq!(value(-16.0, "B"), "-16 B");
        assert_eq!(value(1.0234, "×"), "1.023×");
        assert_eq!(value(20.0, "conns"), "20 conns");
        assert_eq!(value(f64::NAN, "µs"), "-");
    }
}
