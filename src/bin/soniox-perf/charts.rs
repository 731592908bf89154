//! The charts of the HTML report, laid out on the shared SVG writer (`svg`): horizontal
//! bars with a reference line, and percentile curves. Plain strings, no scripts.

use crate::metric::Dist;
use crate::svg::Svg;

/// SDK colour.
pub const SDK: &str = "#2b6cb0";
/// Raw-baseline colour.
pub const RAW: &str = "#a0aec0";
const PASS: &str = "#2f855a";
const FAIL: &str = "#c53030";

/// One horizontal bar group: a label, the SDK's bar and optionally the raw baseline's.
pub struct Bar {
    /// Row label.
    pub label: String,
    /// SDK figure.
    pub value: f64,
    /// Raw figure, drawn under the SDK's.
    pub raw: Option<f64>,
    /// Text at the end of the SDK bar.
    pub text: String,
    /// Target met (colours the SDK bar), `None` = neutral.
    pub pass: Option<bool>,
}

/// A coordinate with one decimal.
fn d1(v: f64) -> String {
    format!("{v:.1}")
}

/// Horizontal bars scaled to the largest figure (or `reference`), with a dashed vertical
/// line at `reference` (e.g. 1.0 for ratios, 256 KiB for heap) labelled `ref_label`.
pub fn bars(bars: &[Bar], reference: Option<(f64, &str)>) -> String {
    const W: f64 = 760.0;
    const LEFT: f64 = 330.0;
    const ROW: f64 = 34.0;
    let top = 22.0;
    let h = top + ROW * bars.len() as f64 + 10.0;
    let max = bars
        .iter()
        .flat_map(|b| [b.value, b.raw.unwrap_or(0.0)])
        .chain(reference.map(|r| r.0))
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9)
        * 1.15;
    let x = |v: f64| LEFT + (W - LEFT - 90.0) * (v.max(0.0) / max);
    let mut svg = Svg::new(&[("width", &W), ("height", &h), ("class", &"chart")]);
    for (i, b) in bars.iter().enumerate() {
        let y = top + ROW * i as f64;
        let colour = match b.pass {
            Some(true) => PASS,
            Some(false) => FAIL,
            None => SDK,
        };
        svg.text(
            &[
                ("x", &(LEFT - 8.0)),
                ("y", &(y + 14.0)),
                ("text-anchor", &"end"),
                ("class", &"lbl"),
            ],
            &b.label,
        );
        svg.element(
            "rect",
            &[
                ("x", &LEFT),
                ("y", &y),
                ("width", &d1(x(b.value) - LEFT)),
                ("height", &14),
                ("fill", &colour),
            ],
        );
        svg.text(
            &[("x", &d1(x(b.value) + 4.0)), ("y", &(y + 11.5)), ("class", &"val")],
            &b.text,
        );
        if let Some(r) = b.raw {
            svg.element(
                "rect",
                &[
                    ("x", &LEFT),
                    ("y", &(y + 16.0)),
                    ("width", &d1(x(r) - LEFT)),
                    ("height", &9),
                    ("fill", &RAW),
                ],
            );
        }
    }
    if let Some((v, label)) = reference {
        svg.element(
            "line",
            &[
                ("x1", &d1(x(v))),
                ("y1", &14),
                ("x2", &d1(x(v))),
                ("y2", &(h - 6.0)),
                ("stroke", &"#444"),
                ("stroke-dasharray", &"4 3"),
            ],
        );
        svg.text(
            &[
                ("x", &d1(x(v))),
                ("y", &11),
                ("text-anchor", &"middle"),
                ("class", &"val"),
            ],
            label,
        );
    }
    svg.finish()
}

/// Percentile curves of the SDK and the raw baseline (µs): quantiles evenly spaced on x, a
/// logarithmic y axis (1-2-5 grid lines) so that the median and the tail both stay readable.
pub fn percentiles(sdk: &Dist, raw: Option<&Dist>) -> String {
    const W: f64 = 520.0;
    const H: f64 = 240.0;
    let (l, r, t, b) = (60.0, 16.0, 14.0, 34.0);
    let all = || {
        sdk.curve
            .iter()
            .chain(raw.into_iter().flat_map(|d| d.curve.iter()))
            .map(|p| p.1)
    };
    // The smallest positive value (INFINITY when none is, clamped to a sane range).
    let lo = all()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min)
        .clamp(1e-3, 1e9)
        / 1.3;
    let hi = all().fold(0.0_f64, f64::max).max(lo * 10.0) * 1.3;
    let (llo, lhi) = (lo.log10(), hi.log10());
    let n = sdk.curve.len().max(2) as f64;
    let px = |i: usize| l + (W - l - r) * i as f64 / (n - 1.0);
    let py = |v: f64| t + (H - t - b) * (1.0 - ((v.max(lo).log10() - llo) / (lhi - llo)).clamp(0.0, 1.0));
    let mut svg = Svg::new(&[("width", &W), ("height", &H), ("class", &"chart")]);
    for v in grid(lo, hi) {
        svg.element(
            "line",
            &[
                ("x1", &l),
                ("x2", &(W - r)),
                ("y1", &d1(py(v))),
                ("y2", &d1(py(v))),
                ("stroke", &"#e2e8f0"),
            ],
        );
        svg.text(
            &[
                ("x", &(l - 4.0)),
                ("y", &d1(py(v) + 4.0)),
                ("text-anchor", &"end"),
                ("class", &"val"),
            ],
            &crate::report_text::us(v),
        );
    }
    for (i, (q, _)) in sdk.curve.iter().enumerate() {
        let label = if *q >= 1.0 {
            "max".to_owned()
        } else {
            format!("p{}", (q * 1000.0).round() / 10.0)
        };
        svg.text(
            &[
                ("x", &d1(px(i))),
                ("y", &(H - b + 16.0)),
                ("text-anchor", &"middle"),
                ("class", &"val"),
            ],
            &label,
        );
    }
    let points =
        |d: &'_ Dist| -> Vec<(f64, f64)> { d.curve.iter().enumerate().map(|(i, (_, v))| (px(i), py(*v))).collect() };
    if let Some(raw) = raw {
        svg.polyline(RAW, 2.5, points(raw));
    }
    svg.polyline(SDK, 2.5, points(sdk));
    for (x, colour, label) in [(l + 10.0, SDK, "SDK"), (l + 64.0, RAW, "raw")] {
        svg.element(
            "rect",
            &[
                ("x", &x),
                ("y", &(t + 2.0)),
                ("width", &10),
                ("height", &10),
                ("fill", &colour),
            ],
        );
        svg.text(&[("x", &(x + 14.0)), ("y", &(t + 11.0)), ("class", &"val")], label);
    }
    svg.finish()
}

/// Grid values 1, 2, 5 × 10^k within `lo..=hi`; only the powers of ten when the range spans
/// more than two decades.
fn grid(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let steps: &[f64] = if hi / lo > 300.0 { &[1.0] } else { &[1.0, 2.0, 5.0] };
    let first = lo.log10().floor() as i32;
    for k in first..first + 40 {
        let decade = 10f64.powi(k);
        if decade > hi {
            break;
        }
        out.extend(steps.iter().map(|m| decade * m).filter(|v| *v >= lo && *v <= hi));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_draw_one_group_per_item_and_escape_labels() {
        let svg = bars(
            &[
                Bar {
                    label: "a<b".into(),
                    value: 1.2,
                    raw: Some(1.0),
                    text: "1.20×".into(),
                    pass: Some(false),
                },
                Bar {
                    label: "c".into(),
                    value: 0.9,
                    raw: None,
                    text: "0.90×".into(),
                    pass: None,
                },
            ],
            Some((1.0, "raw = 1")),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("a&lt;b") && !svg.contains("a<b"));
        assert!(svg.contains(FAIL));
    }

    #[test]
    fn percentile_curves_have_a_point_per_quantile() {
        let d = Dist {
            count: 10,
            p50: 2.0,
            p95: 3.0,
            p99: 4.0,
            max: 100.0,
            curve: vec![(0.0, 1.0), (0.5, 2.0), (0.99, 4.0), (1.0, 100.0)],
        };
        let svg = percentiles(&d, Some(&d));
        assert_eq!(grid(0.7, 130.0), [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        assert_eq!(grid(0.7, 13_000.0), [1.0, 10.0, 100.0, 1000.0, 10_000.0]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">p50<") && svg.contains(">max<"));
    }
}
