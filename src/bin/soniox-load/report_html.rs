//! `--html FILE`: one self-contained page with the settings, the stats, percentile and
//! failure tables, and SVG charts of requests/s, latency percentiles and users over time.

use std::fmt::Write;
use std::path::Path;

use crate::charts::{line_chart, Series};
use crate::report::{Report, Row};
use crate::svg::escape;

/// Writes the page.
pub(crate) fn write(r: &Report, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, render(r))
}

/// The page.
pub(crate) fn render(r: &Report) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>soniox-load report</title><style>\
body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}\
.pass{color:#080}.fail{color:#c00}</style></head><body>",
    );
    let st = &r.settings;
    let verdict = if r.passed {
        "<b class=\"pass\">PASS</b>"
    } else {
        "<b class=\"fail\">FAIL</b>"
    };
    let _ = write!(
        s,
        "<h1>soniox-load report</h1><p>Host <code>{}</code>, {} client, {} users (spawn rate {}/s), run time {} s, \
wait {}..{} s, mix <code>{}</code>, SDK retries {}, seed {}.</p><p>{} requests in {:.1} s, failure ratio {:.4} \
(max {}): {verdict}</p>",
        escape(&st.host),
        st.client,
        st.users,
        st.spawn_rate,
        st.run_time_s,
        st.wait_s[0],
        st.wait_s[1],
        escape(&st.mix),
        st.retries,
        st.seed,
        r.total.requests,
        r.duration_s,
        r.failure_ratio,
        st.max_failure_ratio
    );
    s.push_str(
        "<h2>Request statistics</h2><table><tr><th class=l>Type</th><th class=l>Name</th><th># reqs</th>\
<th># fails</th><th>req/s</th><th>failures/s</th><th>avg ms</th><th>min ms</th><th>50% ms</th><th>95% ms</th>\
<th>99% ms</th><th>max ms</th></tr>",
    );
    for row in r.tasks.iter().chain([&r.total]) {
        stats_row(&mut s, row);
    }
    s.push_str(
        "</table><h2>Failures by kind</h2><table><tr><th class=l>Type</th><th class=l>Name</th>\
<th>rate limited (429)</th><th>other HTTP status</th><th>timeout</th><th>transport</th><th>other</th>\
<th class=l>statuses</th></tr>",
    );
    for row in r.tasks.iter().chain([&r.total]) {
        let f = &row.failures_by_kind;
        let statuses: Vec<String> = f.statuses.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = write!(
            s,
            "<tr><td class=l>{}</td><td class=l>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
<td class=l>{}</td></tr>",
            row.method,
            escape(&row.name),
            f.rate_limited,
            f.http,
            f.timeout,
            f.transport,
            f.other,
            statuses.join(", ")
        );
    }
    s.push_str("</table><h2>Over time</h2>");
    s.push_str(&charts(r));
    if let Some(m) = &r.mock {
        let _ = write!(
            s,
            "<p>Embedded mock: {} requests answered (retries included), {} faults injected, {} connections.</p>",
            m.requests, m.faults_injected, m.connections
        );
    }
    s.push_str("</body></html>\n");
    s
}

fn stats_row(s: &mut String, row: &Row) {
    let _ = write!(
        s,
        "<tr><td class=l>{}</td><td class=l>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.2}</td>\
<td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
        row.method,
        escape(&row.name),
        row.requests,
        row.failures,
        row.requests_per_s,
        row.failures_per_s,
        row.mean_ms,
        row.min_ms,
        row.p50_ms,
        row.p95_ms,
        row.p99_ms,
        row.max_ms
    );
}

/// Requests/s and failures/s, p50/p95/p99, users: one chart each.
fn charts(r: &Report) -> String {
    let xs: Vec<u64> = r.timeline.iter().map(|t| t.t).collect();
    let col = |f: fn(&crate::timeline::Second) -> f64| r.timeline.iter().map(f).collect::<Vec<f64>>();
    let rps = line_chart(
        "Requests per second",
        "req/s",
        &xs,
        &[
            Series {
                label: "requests/s",
                color: "#1f77b4",
                values: col(|t| t.requests as f64),
            },
            Series {
                label: "failures/s",
                color: "#d62728",
                values: col(|t| t.failures as f64),
            },
        ],
    );
    let lat = line_chart(
        "Response time percentiles",
        "ms",
        &xs,
        &[
            Series {
                label: "p50",
                color: "#2ca02c",
                values: col(|t| t.p50_ms),
            },
            Series {
                label: "p95",
                color: "#ff7f0e",
                values: col(|t| t.p95_ms),
            },
            Series {
                label: "p99",
                color: "#d62728",
                values: col(|t| t.p99_ms),
            },
        ],
    );
    let users = line_chart(
        "Users",
        "users",
        &xs,
        &[Series {
            label: "users",
            color: "#9467bd",
            values: col(|t| f64::from(t.users)),
        }],
    );
    format!("<div>{rps}</div><div>{lat}</div><div>{users}</div>")
}
