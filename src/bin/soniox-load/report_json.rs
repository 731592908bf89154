//! `--json FILE`: the whole [`Report`] as JSON.

use std::path::Path;

use crate::report::Report;

/// Writes the report, pretty-printed.
pub(crate) fn write(r: &Report, path: &Path) -> std::io::Result<()> {
    let json = serde_json::to_string_pretty(r).map_err(std::io::Error::other)?;
    std::fs::write(path, json + "\n")
}
