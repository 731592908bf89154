//! Rendering transcripts in the chosen format and where they go (files or stdout).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use soniox::subtitles::{to_json, to_srt, to_text, to_vtt, SubtitleOptions};
use soniox::types::Transcript;

use crate::args::Format;
use crate::errors::CliError;

/// The transcript in `format`.
pub(crate) fn render(t: &Transcript, format: Format, opts: &SubtitleOptions) -> Result<String, String> {
    Ok(match format {
        Format::Text => to_text(&t.tokens, opts),
        Format::Json => to_json(t).map_err(|e| format!("cannot encode the transcript as JSON: {e}"))?,
        Format::Srt => to_srt(&t.tokens, opts),
        Format::Vtt => to_vtt(&t.tokens, opts),
    })
}

/// The output path of each input under `dir` (`<stem>.<ext>`; repeated stems get `-2`,
/// `-3`, ...), or `None`s without a directory. Creates the directory.
pub(crate) fn plan(files: &[PathBuf], format: Format, dir: Option<&Path>) -> Result<Vec<Option<PathBuf>>, CliError> {
    let Some(dir) = dir else {
        return Ok(vec![None; files.len()]);
    };
    fs::create_dir_all(dir).map_err(CliError::io(format!("creating the output directory {}", dir.display())))?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    Ok(files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let stem = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("audio-{}", i + 1));
            let n = seen.entry(stem.to_lowercase()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { stem } else { format!("{stem}-{n}") };
            Some(dir.join(format!("{name}.{}", format.extension())))
        })
        .collect())
}

/// Writes `text` to `path` through a temporary file, so a partial output never stays.
pub(crate) fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_stems_get_numbered_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            PathBuf::from("a/x.wav"),
            PathBuf::from("b/x.mp3"),
            PathBuf::from("y.wav"),
        ];
        let planned = plan(&files, Format::Srt, Some(dir.path())).unwrap();
        let names: Vec<String> = planned
            .iter()
            .map(|p| p.as_ref().unwrap().file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["x.srt", "x-2.srt", "y.srt"]);
        assert_eq!(plan(&files, Format::Srt, None).unwrap(), [None, None, None]);
    }
}
