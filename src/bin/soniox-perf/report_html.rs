//! `report.html`: one self-contained page (inline CSS and SVG, no scripts): a summary, the
//! SDK-vs-raw ratios as bars, latency percentile curves, heap figures, then every metric in
//! tables by group.

use std::fmt::Write as _;

use crate::charts::{self, Bar};
use crate::metric::{Field, Metric, Report};
use crate::report_text::{value, verdict};
use crate::svg::escape;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1a202c}\
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e2e8f0}\
table{border-collapse:collapse;width:100%;margin:8px 0}td,th{padding:4px 8px;border-bottom:1px solid #edf2f7;\
text-align:right;vertical-align:top}td:first-child,th:first-child,td.l{text-align:left}\
.PASS{color:#2f855a;font-weight:600}.FAIL{color:#c53030;font-weight:600}.note{color:#4a5568;font-size:12px}\
.chart .lbl{font-size:12px}.chart .val{font-size:11px;fill:#2d3748}.grid{display:flex;flex-wrap:wrap;gap:16px}\
.grid figure{margin:0;width:520px}figcaption{font-size:13px;font-weight:600}";

/// Renders the whole page.
pub fn render(r: &Report) -> String {
    let passed = r.metrics.iter().filter(|m| m.pass == Some(true)).count();
    let failed = r.metrics.iter().filter(|m| m.pass == Some(false)).count();
    let mut s = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>soniox-perf report</title>\
         <style>{STYLE}</style></head><body><h1>soniox SDK performance report</h1>\
         <p>{} mode · {} metrics · targets met: <span class=\"PASS\">{passed}</span>, missed: \
         <span class=\"FAIL\">{failed}</span> · {:.0} s · {} CPUs · generated at Unix time {}.</p>\
         <p class=\"note\">Every SDK figure is measured next to a raw client of the same stack in the same run \
         (interleaved rounds, against the mock server in a child process). Ratios are SDK/raw; for throughput \
         higher is better, for everything else lower is better.</p>",
        r.mode,
        r.metrics.len(),
        r.duration_s,
        r.cpus,
        r.created_unix
    );
    for f in &r.failures {
        let _ = write!(s, "<p class=\"FAIL\">Scenario failed: {}</p>", escape(f));
    }
    ratios(&mut s, r);
    latency(&mut s, r);
    heap(&mut s, r);
    tables(&mut s, r);
    s.push_str("</body></html>\n");
    s
}

fn ratio_pass(m: &Metric) -> Option<bool> {
    let on_ratio: Vec<_> = m.targets.iter().filter(|t| t.field == Field::Ratio).collect();
    (!on_ratio.is_empty()).then(|| on_ratio.iter().all(|t| t.check(m) == Some(true)))
}

fn ratios(s: &mut String, r: &Report) {
    let bars: Vec<Bar> = r
        .metrics
        .iter()
        .filter_map(|m| {
            let ratio = m.ratio?;
            let target = m.targets.iter().find(|t| t.field == Field::Ratio);
            Some(Bar {
                label: m.name.clone(),
                value: ratio,
                raw: None,
                text: match target {
                    Some(t) => format!(
                        "{ratio:.2}× (target {} {})",
                        t.op.replace("<=", "≤").replace(">=", "≥"),
                        t.bound
                    ),
                    None => format!("{ratio:.2}×"),
                },
                pass: ratio_pass(m),
            })
        })
        .collect();
    let _ = write!(
        s,
        "<h2>SDK vs raw baseline</h2><p class=\"note\">SDK/raw ratio per metric; the dashed line is parity \
         (1.0). Green: the ratio target is met; red: missed; blue: no ratio target.</p>{}",
        charts::bars(&bars, Some((1.0, "raw = 1.0")))
    );
}

fn latency(s: &mut String, r: &Report) {
    s.push_str("<h2>Latency distributions</h2><div class=\"grid\">");
    for m in r.metrics.iter().filter(|m| m.unit == "µs") {
        let Some(d) = &m.dist else { continue };
        let _ = write!(
            s,
            "<figure><figcaption>{} — p50 {} / p99 {} (raw p50 {} / p99 {})</figcaption>{}</figure>",
            escape(&m.name),
            value(d.p50, "µs"),
            value(d.p99, "µs"),
            m.raw_dist.as_ref().map_or("-".into(), |d| value(d.p50, "µs")),
            m.raw_dist.as_ref().map_or("-".into(), |d| value(d.p99, "µs")),
            charts::percentiles(d, m.raw_dist.as_ref())
        );
    }
    s.push_str("</div>");
}

fn heap(s: &mut String, r: &Report) {
    let bars: Vec<Bar> = r
        .metrics
        .iter()
        .filter(|m| m.unit == "B" && m.value >= 0.0)
        .map(|m| Bar {
            label: m.name.clone(),
            value: m.value,
            raw: m.raw,
            text: match m.raw {
                Some(raw) => format!("{} (raw {})", value(m.value, "B"), value(raw, "B")),
                None => value(m.value, "B"),
            },
            pass: m.pass,
        })
        .collect();
    let _ = write!(
        s,
        "<h2>Heap</h2><p class=\"note\">Bytes, from a counting allocator in this process (the mock runs in a \
         child process). Grey: the raw baseline. The dashed line is the upload bound, 256 KiB.</p>{}",
        charts::bars(&bars, Some((256.0 * 1024.0, "256 KiB")))
    );
}

fn tables(s: &mut String, r: &Report) {
    let mut groups: Vec<&str> = Vec::new();
    for m in &r.metrics {
        if !groups.contains(&m.group.as_str()) {
            groups.push(&m.group);
        }
    }
    for g in groups {
        let _ = write!(
            s,
            "<h2>{}</h2><table><tr><th>metric</th><th>SDK</th><th>raw</th><th>ratio</th><th>p50</th><th>p95</th>\
             <th>p99</th><th class=\"l\">target</th><th>pass</th></tr>",
            escape(g)
        );
        for m in r.metrics.iter().filter(|m| m.group == g) {
            let p =
                |f: fn(&crate::metric::Dist) -> f64| m.dist.as_ref().map_or(String::new(), |d| value(f(d), &m.unit));
            let targets: Vec<String> = m.targets.iter().map(|t| escape(&t.label)).collect();
            let _ = write!(
                s,
                "<tr><td>{}<div class=\"note\">{}</div></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td class=\"l\">{}</td><td class=\"{v}\">{v}</td></tr>",
                escape(&m.name),
                escape(&m.note),
                value(m.value, &m.unit),
                m.raw.map_or(String::new(), |x| value(x, &m.unit)),
                m.ratio.map_or(String::new(), |x| format!("{x:.3}")),
                p(|d| d.p50),
                p(|d| d.p95),
                p(|d| d.p99),
                targets.join("<br>"),
                v = verdict(m),
            );
        }
        s.push_str("</table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{Dist, Target, SCHEMA};

    #[test]
    fn the_page_is_self_contained_and_shows_every_metric() {
        let d = Dist {
            count: 2,
            p50: 1.0,
            p95: 2.0,
            p99: 2.0,
            max: 2.0,
            curve: vec![(0.0, 1.0), (1.0, 2.0)],
        };
        let r = Report {
            schema: SCHEMA,
            mode: "quick".into(),
            created_unix: 0,
            duration_s: 1.0,
            cpus: 2,
            metrics: vec![
                Metric::new("REST", "rest.x.latency", 1.0, "µs")
                    .raw(0.9)
                    .dists(Some(d.clone()), Some(d))
                    .target(Target::le(Field::Ratio, 1.1, "≤ 1.1 × raw")),
                Metric::new("Heap", "upload.heap_peak", 132_016.0, "B").raw(270_000.0),
            ],
            failures: vec!["upload: <boom>".into()],
        };
        let html = render(&r);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script"));
        assert!(html.contains("rest.x.latency") && html.contains("upload.heap_peak"));
        assert!(html.contains("132,016 B"));
        assert!(html.contains("&lt;boom&gt;"));
        assert_eq!(html.matches("<svg").count(), 3, "ratios, one latency chart, heap");
    }
}
