//! Words (tokens merged at word boundaries) and their layout into cue lines.

/// A word: one or more tokens with no space between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Word<'a> {
    /// The tokens, trimmed: `(text, start_ms, end_ms)`.
    parts: Vec<(&'a str, u64, u64)>,
    /// The concatenated text.
    pub(super) text: String,
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) speaker: Option<&'a str>,
    /// False for the continuation of a word split across lines (no space is inserted).
    pub(super) space_before: bool,
}

impl<'a> Word<'a> {
    pub(super) fn new(text: &'a str, start: u64, end: u64, speaker: Option<&'a str>) -> Word<'a> {
        Word {
            parts: vec![(text, start, end)],
            text: text.to_owned(),
            start,
            end,
            speaker,
            space_before: true,
        }
    }

    /// Appends a token that continues the word.
    pub(super) fn push(&mut self, text: &'a str, end: u64) {
        self.parts.push((text, self.end, end));
        self.text.push_str(text);
        self.end = self.end.max(end);
    }

    fn width(&self) -> usize {
        self.text.chars().count()
    }

    /// The word as pieces of at most `width` characters, cut between tokens (a single
    /// token longer than `width` stays whole). Most words come back unchanged.
    pub(super) fn split(self, width: usize) -> Vec<Word<'a>> {
        if self.width() <= width || self.parts.len() == 1 {
            return vec![self];
        }
        let mut out: Vec<Word<'a>> = Vec::new();
        for &(text, start, end) in &self.parts {
            match out.last_mut() {
                Some(w) if w.width() + text.chars().count() <= width => w.push(text, end),
                _ => {
                    let mut w = Word::new(text, start, end, self.speaker);
                    w.space_before = out.is_empty() && self.space_before;
                    out.push(w);
                }
            }
        }
        out
    }
}

/// Greedy line filling, then, for two lines, the most even split that fits. The first
/// line has `reserve` characters fewer (for a speaker label). A word that fits no line
/// gets a line of its own.
pub(super) fn layout(words: &[&Word<'_>], width: usize, reserve: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        let limit = if lines.is_empty() {
            width.saturating_sub(reserve)
        } else {
            width
        };
        let sep = if line.is_empty() || !w.space_before { "" } else { " " };
        if !line.is_empty() && line.chars().count() + sep.len() + w.width() > limit {
            lines.push(std::mem::take(&mut line));
            line.push_str(&w.text);
        } else {
            line.push_str(sep);
            line.push_str(&w.text);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() == 2 {
        if let Some(balanced) = balance(words, width, reserve) {
            return balanced;
        }
    }
    lines
}

/// The two-line split with the shortest longer line, if any split fits.
fn balance(words: &[&Word<'_>], width: usize, reserve: usize) -> Option<Vec<String>> {
    (1..words.len())
        .map(|k| [join(&words[..k]), join(&words[k..])])
        .filter(|[a, b]| a.chars().count() + reserve <= width && b.chars().count() <= width)
        .min_by_key(|[a, b]| (a.chars().count() + reserve).max(b.chars().count()))
        .map(Vec::from)
}

fn join(words: &[&Word<'_>]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && w.space_before {
            s.push(' ');
        }
        s.push_str(&w.text);
    }
    s
}
