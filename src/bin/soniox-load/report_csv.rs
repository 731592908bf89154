//! `--csv PREFIX`: Locust-style `PREFIX_stats.csv` and `PREFIX_stats_history.csv`,
//! plus `PREFIX_failures.csv` (one line per task, kind and status).

use std::fmt::Write;

use crate::report::{Report, Row};

/// Writes the three files; returns their paths.
pub(crate) fn write(r: &Report, prefix: &str) -> std::io::Result<Vec<String>> {
    let files = [
        (format!("{prefix}_stats.csv"), stats(r)),
        (format!("{prefix}_stats_history.csv"), history(r)),
        (format!("{prefix}_failures.csv"), failures(r)),
    ];
    let mut written = Vec::new();
    for (path, body) in files {
        std::fs::write(&path, body)?;
        written.push(path);
    }
    Ok(written)
}

/// A CSV field, quoted when it holds a comma or a quote.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub(crate) fn stats(r: &Report) -> String {
    let mut s = String::from(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Requests/s,Failures/s,50%,95%,99%,100%,Rate Limited,HTTP Errors,Timeouts,Transport Errors,Other\n",
    );
    for row in r.tasks.iter().chain([&r.total]) {
        line(&mut s, row);
    }
    s
}

fn line(s: &mut String, row: &Row) {
    let f = &row.failures_by_kind;
    let _ = writeln!(
        s,
        "{},{},{},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{},{},{},{},{}",
        field(&row.method),
        field(&row.name),
        row.requests,
        row.failures,
        row.p50_ms,
        row.mean_ms,
        row.min_ms,
        row.max_ms,
        row.requests_per_s,
        row.failures_per_s,
        row.p50_ms,
        row.p95_ms,
        row.p99_ms,
        row.max_ms,
        f.rate_limited,
        f.http,
        f.timeout,
        f.transport,
        f.other
    );
}

pub(crate) fn history(r: &Report) -> String {
    let mut s = String::from("Second,User Count,Requests/s,Failures/s,50%,95%,99%\n");
    for t in &r.timeline {
        let _ = writeln!(
            s,
            "{},{},{},{},{:.3},{:.3},{:.3}",
            t.t, t.users, t.requests, t.failures, t.p50_ms, t.p95_ms, t.p99_ms
        );
    }
    s
}

pub(crate) fn failures(r: &Report) -> String {
    let mut s = String::from("Method,Name,Kind,Status,Occurrences\n");
    for row in &r.tasks {
        let f = &row.failures_by_kind;
        let (m, n) = (field(&row.method), field(&row.name));
        for (status, count) in &f.statuses {
            let kind = if *status == 429 { "rate_limited" } else { "http" };
            let _ = writeln!(s, "{m},{n},{kind},{status},{count}");
        }
        for (kind, count) in [("timeout", f.timeout), ("transport", f.transport), ("other", f.other)] {
            if count > 0 {
                let _ = writeln!(s, "{m},{n},{kind},,{count}");
            }
        }
    }
    s
}
