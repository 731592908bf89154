//! Progress of a batch: on a terminal, one bar per file in flight (upload bytes, then the
//! job status) under an overall bar; otherwise plain lines on standard error.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of the whole batch.
#[derive(Debug)]
pub(crate) struct Progress {
    bars: Option<(MultiProgress, ProgressBar)>,
    total: usize,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress {
    /// Bars when `fancy` (both standard output and error are terminals), else lines.
    pub(crate) fn new(total: usize, fancy: bool) -> Progress {
        let bars = fancy.then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(total as u64));
            overall.set_style(style(
                "{prefix:>12} [{bar:30.green}] {pos}/{len} files, {elapsed} {msg}",
            ));
            overall.set_prefix("total");
            overall.enable_steady_tick(Duration::from_millis(250));
            (multi, overall)
        });
        Progress { bars, total }
    }

    /// A bar (or line writer) for one file of `size` bytes.
    pub(crate) fn file(&self, name: &str, size: u64) -> FileProgress {
        let bar = self.bars.as_ref().map(|(multi, overall)| {
            let bar = multi.insert_before(overall, ProgressBar::new(size));
            bar.set_style(style("{prefix:>12.cyan} [{bar:30}] {bytes}/{total_bytes} {msg}"));
            bar.set_prefix(short(name, 12));
            bar.set_message("uploading");
            bar
        });
        if bar.is_none() {
            eprintln!("{name}: uploading ({size} bytes)");
        }
        FileProgress {
            bar,
            name: name.to_owned(),
        }
    }

    /// A line above the bars (or on standard error), counting the file as done.
    pub(crate) fn file_done(&self, done: usize, line: &str) {
        match &self.bars {
            Some((multi, overall)) => {
                overall.inc(1);
                let _ = multi.println(format!("[{done}/{}] {line}", self.total));
            }
            None => eprintln!("[{done}/{}] {line}", self.total),
        }
    }

    /// A line above the bars (or on standard error).
    pub(crate) fn println(&self, line: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bars.
    pub(crate) fn finish(&self) {
        if let Some((multi, overall)) = &self.bars {
            overall.finish_and_clear();
            let _ = multi.clear();
        }
    }
}

/// Progress of one file.
#[derive(Debug, Clone)]
pub(crate) struct FileProgress {
    bar: Option<ProgressBar>,
    name: String,
}

impl FileProgress {
    /// Upload progress (bytes sent of total).
    pub(crate) fn uploaded(&self, sent: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(sent);
        }
    }

    /// The job's status (`queued`, `processing`, ...); the bar becomes a spinner.
    pub(crate) fn status(&self, status: &str) {
        match &self.bar {
            Some(bar) => {
                if bar.message() == "uploading" {
                    bar.set_style(style("{prefix:>12.cyan} {spinner} {elapsed} {msg}"));
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
                bar.set_message(status.to_owned());
            }
            None => eprintln!("{}: {status}", self.name),
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// At most `max` characters of `s` (its end, which holds the distinctive part of a name).
fn short(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let tail: String = s.chars().skip(n + 1 - max).collect();
    format!("…{tail}")
}
