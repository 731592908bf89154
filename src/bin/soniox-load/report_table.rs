//! The final tables on stdout, laid out like Locust's.

use std::fmt::Write;

use crate::report::{Report, Row};

/// Stats, percentiles and failures tables.
pub(crate) fn render(r: &Report) -> String {
    let mut s = String::new();
    let rule = "-".repeat(118);
    let _ = writeln!(
        s,
        "{:<6} {:<28} {:>9} {:>13} | {:>8} {:>8} {:>8} {:>8} | {:>9} {:>10}",
        "Type", "Name", "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s"
    );
    let _ = writeln!(s, "{rule}");
    for row in &r.tasks {
        stats_line(&mut s, row);
    }
    let _ = writeln!(s, "{rule}");
    stats_line(&mut s, &r.total);
    let _ = writeln!(s, "\nResponse time percentiles (ms)");
    let _ = writeln!(
        s,
        "{:<6} {:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "Type", "Name", "min", "50%", "95%", "99%", "100%", "# reqs"
    );
    let _ = writeln!(s, "{}", "-".repeat(92));
    for row in r.tasks.iter().chain([&r.total]) {
        let _ = writeln!(
            s,
            "{:<6} {:<28} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9}",
            row.method, row.name, row.min_ms, row.p50_ms, row.p95_ms, row.p99_ms, row.max_ms, row.requests
        );
    }
    if r.total.failures > 0 {
        let _ = writeln!(s, "\nFailures by kind");
        let _ = writeln!(
            s,
            "{:<6} {:<28} {:>12} {:>10} {:>9} {:>10} {:>7}  statuses",
            "Type", "Name", "rate limited", "http", "timeout", "transport", "other"
        );
        let _ = writeln!(s, "{}", "-".repeat(100));
        for row in r.tasks.iter().chain([&r.total]).filter(|row| row.failures > 0) {
            let f = &row.failures_by_kind;
            let statuses: Vec<String> = f.statuses.iter().map(|(k, v)| format!("{k}×{v}")).collect();
            let _ = writeln!(
                s,
                "{:<6} {:<28} {:>12} {:>10} {:>9} {:>10} {:>7}  {}",
                row.method,
                row.name,
                f.rate_limited,
                f.http,
                f.timeout,
                f.transport,
                f.other,
                statuses.join(" ")
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} requests in {:.1} s, failure ratio {:.4} (max {}): {}",
        r.total.requests,
        r.duration_s,
        r.failure_ratio,
        r.settings.max_failure_ratio,
        if r.passed { "PASS" } else { "FAIL" }
    );
    if let Some(m) = &r.mock {
        let _ = writeln!(
            s,
            "embedded mock: {} requests answered (retries included), {} faults injected, {} connections",
            m.requests, m.faults_injected, m.connections
        );
    }
    s
}

fn stats_line(s: &mut String, row: &Row) {
    let pct = if row.requests == 0 {
        0.0
    } else {
        100.0 * row.failures as f64 / row.requests as f64
    };
    let _ = writeln!(
        s,
        "{:<6} {:<28} {:>9} {:>13} | {:>8.2} {:>8.2} {:>8.2} {:>8.2} | {:>9.1} {:>10.2}",
        row.method,
        row.name,
        row.requests,
        format!("{}({pct:.2}%)", row.failures),
        row.mean_ms,
        row.min_ms,
        row.max_ms,
        row.p50_ms,
        row.requests_per_s,
        row.failures_per_s
    );
}
