//! The SVG writer of the HTML reports of `soniox-load` and `soniox-perf`, and the one
//! escaping function of their pages. Each binary includes this file with
//! `#[path = "../common/svg.rs"] mod svg;` and lays out its own charts with it (its
//! `charts.rs`). Every attribute value and every text written here is escaped. Plain
//! strings: no scripts, no external assets.

use std::fmt::{Display, Write as _};

/// An attribute: its name and its value (written escaped).
pub(crate) type Attr<'a> = (&'a str, &'a dyn Display);

/// Escapes text for HTML and XML: element text and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG document being written: elements in order, then [`Svg::finish`].
pub(crate) struct Svg(String);

impl Svg {
    /// Opens `<svg xmlns="http://www.w3.org/2000/svg" …>` with `attrs`.
    pub(crate) fn new(attrs: &[Attr<'_>]) -> Svg {
        let mut svg = Svg(String::from(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        svg.attrs(attrs);
        svg.0.push('>');
        svg
    }

    /// An empty element: `<line …/>`, `<rect …/>`.
    pub(crate) fn element(&mut self, name: &str, attrs: &[Attr<'_>]) {
        let _ = write!(self.0, "<{name}");
        self.attrs(attrs);
        self.0.push_str("/>");
    }

    /// `<text …>text</text>`.
    pub(crate) fn text(&mut self, attrs: &[Attr<'_>], text: &str) {
        self.0.push_str("<text");
        self.attrs(attrs);
        let _ = write!(self.0, ">{}</text>", escape(text));
    }

    /// An unfilled line of `colour` and `width` through `points` (one decimal a coordinate).
    pub(crate) fn polyline(&mut self, colour: &str, width: f64, points: impl IntoIterator<Item = (f64, f64)>) {
        let points: Vec<String> = points.into_iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        self.element(
            "polyline",
            &[
                ("fill", &"none"),
                ("stroke", &colour),
                ("stroke-width", &width),
                ("points", &points.join(" ")),
            ],
        );
    }

    /// Closes the document and returns it.
    pub(crate) fn finish(mut self) -> String {
        self.0.push_str("</svg>");
        self.0
    }

    fn attrs(&mut self, attrs: &[Attr<'_>]) {
        for (name, value) in attrs {
            let _ = write!(self.0, r#" {name}="{}""#, escape(&value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_attribute_quotes() {
        assert_eq!(escape(r#"a<b> & "c""#), "a&lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(escape("plain 1.5 µs"), "plain 1.5 µs");
    }

    #[test]
    fn elements_escape_their_attributes_and_text() {
        let mut svg = Svg::new(&[("width", &820.0), ("aria-label", &"a<b")]);
        svg.element("line", &[("x1", &64.5), ("stroke", &"#ddd")]);
        svg.text(&[("x", &12), ("class", &"val")], "p99 & more");
        svg.polyline("#1f77b4", 1.6, [(1.24, 2.0), (3.0, 4.04)]);
        assert_eq!(
            svg.finish(),
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="820" aria-label="a&lt;b"><line x1="64.5" stroke="#ddd"/><text x="12" class="val">p99 &amp; more</text><polyline fill="none" stroke="#1f77b4" stroke-width="1.6" points="1.2,2.0 3.0,4.0"/></svg>"##
        );
    }
}
