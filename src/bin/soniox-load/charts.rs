//! The line charts of the HTML report, laid out on the shared SVG writer (`svg`).

use crate::svg::Svg;

/// One line of a chart.
pub(crate) struct Series<'a> {
    pub(crate) label: &'a str,
    pub(crate) color: &'a str,
    pub(crate) values: Vec<f64>,
}

const W: f64 = 820.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;

/// A chart of `series` over `xs` (seconds since the start), y from 0.
pub(crate) fn line_chart(title: &str, y_unit: &str, xs: &[u64], series: &[Series<'_>]) -> String {
    let x_max = xs.last().copied().unwrap_or(0).max(1) as f64;
    let y_top = nice_ceiling(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    );
    let px = |x: f64| LEFT + x / x_max * (W - LEFT - RIGHT);
    let py = |y: f64| H - BOTTOM - y / y_top * (H - TOP - BOTTOM);
    let mut svg = Svg::new(&[
        ("viewBox", &format!("0 0 {W} {H}")),
        ("width", &W),
        ("height", &H),
        ("role", &"img"),
        ("aria-label", &title),
    ]);
    svg.text(
        &[("x", &LEFT), ("y", &18), ("font-size", &14), ("font-weight", &"bold")],
        title,
    );
    for i in 0..=4 {
        let y = y_top * f64::from(i) / 4.0;
        svg.element(
            "line",
            &[
                ("x1", &LEFT),
                ("x2", &(W - RIGHT)),
                ("y1", &py(y)),
                ("y2", &py(y)),
                ("stroke", &"#ddd"),
            ],
        );
        svg.text(
            &[
                ("x", &(LEFT - 6.0)),
                ("y", &(py(y) + 4.0)),
                ("font-size", &11),
                ("text-anchor", &"end"),
            ],
            &short(y),
        );
    }
    for i in 0..=5 {
        let x = x_max * f64::from(i) / 5.0;
        svg.text(
            &[
                ("x", &px(x)),
                ("y", &(H - BOTTOM + 16.0)),
                ("font-size", &11),
                ("text-anchor", &"middle"),
            ],
            &format!("{x:.0}s"),
        );
    }
    svg.text(
        &[
            ("x", &12),
            ("y", &(H / 2.0)),
            ("font-size", &11),
            ("transform", &format!("rotate(-90 12 {})", H / 2.0)),
            ("text-anchor", &"middle"),
        ],
        y_unit,
    );
    for (k, ser) in series.iter().enumerate() {
        let points = xs
            .iter()
            .zip(&ser.values)
            .filter(|(_, v)| v.is_finite())
            .map(|(x, v)| (px(*x as f64), py(*v)));
        svg.polyline(ser.color, 1.6, points);
        let lx = LEFT + 10.0 + 150.0 * k as f64;
        svg.element(
            "rect",
            &[
                ("x", &lx),
                ("y", &(H - 12.0)),
                ("width", &12),
                ("height", &4),
                ("fill", &ser.color),
            ],
        );
        svg.text(&[("x", &(lx + 16.0)), ("y", &(H - 7.0)), ("font-size", &11)], ser.label);
    }
    svg.finish()
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (1 for an empty chart).
pub(crate) fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * mag)
}

fn short(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if v >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_are_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(1234.0), 2000.0);
        assert_eq!(nice_ceiling(5000.0), 5000.0);
    }

    #[test]
    fn a_chart_has_one_polyline_per_series_and_escapes_labels() {
        let svg = line_chart(
            "a<b",
            "ms",
            &[0, 1, 2],
            &[
                Series {
                    label: "p50",
                    color: "#1f77b4",
                    values: vec![1.0, 2.0, 3.0],
                },
                Series {
                    label: "p99 & more",
                    color: "#d62728",
                    values: vec![2.0, 4.0, 8.0],
                },
            ],
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("a&lt;b") && svg.contains("p99 &amp; more"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
