//! Subtitles and text from transcript tokens: SRT, WebVTT, plain text and JSON.
//!
//! Pure functions over [`Token`]s (the `tokens` of a [`Transcript`], or the final tokens
//! of a realtime stream). Cues break at word boundaries and never exceed the line length,
//! line count and duration limits of [`SubtitleOptions`]; a speaker change, a long
//! silence or the end of a sentence also starts a new cue. With diarization the cues
//! carry speaker labels.
//!
//! ```
//! use soniox::subtitles::{to_srt, to_vtt, SubtitleOptions};
//! use soniox::types::Token;
//!
//! let word = |text: &str, start, end| Token {
//!     text: text.into(), start_ms: Some(start), end_ms: Some(end), ..Token::default()
//! };
//! let tokens = [word("Hello", 100, 400), word(" world.", 450, 900), word(" Bye", 3000, 3400)];
//! let opts = SubtitleOptions::default();
//! assert_eq!(to_srt(&tokens, &opts),
//!     "1\n00:00:00,100 --> 00:00:01,100\nHello world.\n\n\
//!      2\n00:00:03,000 --> 00:00:04,000\nBye\n\n");
//! assert!(to_vtt(&tokens, &opts).starts_with("WEBVTT\n\n00:00:00.100 --> 00:00:01.100\nHello world.\n"));
//! ```
//!
//! Translation tokens (`translation_status: translation`) carry no timestamps: with
//! [`Track::Translation`] each takes the time span of the original tokens it follows.

use crate::types::{Token, Transcript, TranslationStatus};

mod layout;
#[cfg(test)]
mod tests;

use layout::{layout, Word};

/// Which tokens of a (possibly translated) transcript to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Track {
    /// The spoken words: every token that is not a translation. The default.
    #[default]
    Original,
    /// The translation only, timed by the original tokens each translation follows.
    Translation,
}

/// Limits and choices for [`cues`], [`to_srt`], [`to_vtt`] and [`to_text`].
///
/// ```
/// let opts = soniox::subtitles::SubtitleOptions::default().max_line_chars(32).max_lines(1);
/// assert_eq!((opts.max_line_chars, opts.max_lines, opts.max_cue_ms), (32, 1, 7_000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct SubtitleOptions {
    /// Characters per line, speaker label included (default 42). A single word longer
    /// than this gets a line of its own, split between tokens when it has several.
    pub max_line_chars: usize,
    /// Lines per cue (default 2).
    pub max_lines: usize,
    /// Longest cue, first word start to last word end, in ms (default 7000).
    pub max_cue_ms: u64,
    /// Shortest cue on screen in ms (default 1000); a shorter cue is extended, never past
    /// the start of the next one.
    pub min_cue_ms: u64,
    /// A silence longer than this (ms) between words starts a new cue (default 1500).
    pub max_gap_ms: u64,
    /// Label cues and text with `Speaker N` when the tokens carry speakers (default true).
    pub speaker_labels: bool,
    /// Original speech or its translation (default [`Track::Original`]).
    pub track: Track,
}

impl Default for SubtitleOptions {
    fn default() -> Self {
        SubtitleOptions {
            max_line_chars: 42,
            max_lines: 2,
            max_cue_ms: 7_000,
            min_cue_ms: 1_000,
            max_gap_ms: 1_500,
            speaker_labels: true,
            track: Track::Original,
        }
    }
}

impl SubtitleOptions {
    /// Sets [`max_line_chars`](Self::max_line_chars) (at least 1).
    pub fn max_line_chars(mut self, n: usize) -> Self {
        self.max_line_chars = n.max(1);
        self
    }
    /// Sets [`max_lines`](Self::max_lines) (at least 1).
    pub fn max_lines(mut self, n: usize) -> Self {
        self.max_lines = n.max(1);
        self
    }
    /// Sets [`max_cue_ms`](Self::max_cue_ms) (any value: the arithmetic saturates).
    pub fn max_cue_ms(mut self, ms: u64) -> Self {
        self.max_cue_ms = ms;
        self
    }
    /// Sets [`min_cue_ms`](Self::min_cue_ms) (any value: the arithmetic saturates).
    pub fn min_cue_ms(mut self, ms: u64) -> Self {
        self.min_cue_ms = ms;
        self
    }
    /// Sets [`max_gap_ms`](Self::max_gap_ms) (any value: the arithmetic saturates).
    pub fn max_gap_ms(mut self, ms: u64) -> Self {
        self.max_gap_ms = ms;
        self
    }
    /// Sets [`speaker_labels`](Self::speaker_labels).
    pub fn speaker_labels(mut self, on: bool) -> Self {
        self.speaker_labels = on;
        self
    }
    /// Sets [`track`](Self::track).
    pub fn track(mut self, track: Track) -> Self {
        self.track = track;
        self
    }
}

/// One subtitle: a time span, an optional speaker and up to `max_lines` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    /// Start in ms from the audio start.
    pub start_ms: u64,
    /// End in ms (after `start_ms`).
    pub end_ms: u64,
    /// The speaker of every word in the cue, when labels are on and tokens carry one.
    pub speaker: Option<String>,
    /// The text lines (the speaker label is not part of them).
    pub lines: Vec<String>,
}

/// A selected token with its (possibly inferred) time span.
struct Timed<'a> {
    text: &'a str,
    start: u64,
    end: u64,
    speaker: Option<&'a str>,
}

/// The tokens of `track`, each with a time span. Missing timestamps are inferred: a
/// translation token takes the span of the originals since the previous translation, any
/// other untimed token the end of the token before it.
fn select(tokens: &[Token], track: Track) -> Vec<Timed<'_>> {
    let is_translation = |t: &Token| t.translation_status == Some(TranslationStatus::Translation);
    let mut out = Vec::new();
    let mut span: Option<(u64, u64, Option<&str>)> = None; // originals since the last translation
    let mut after_translation = false;
    let mut last_end = 0u64;
    for t in tokens {
        if is_translation(t) {
            after_translation = true;
            if track == Track::Translation {
                let (s, e, who) = span.unwrap_or((last_end, last_end, None));
                let (start, end) = (t.start_ms.unwrap_or(s), t.end_ms.unwrap_or(e));
                out.push(Timed {
                    text: &t.text,
                    start,
                    end: end.max(start),
                    speaker: t.speaker.as_deref().or(who),
                });
                last_end = end.max(start);
            }
            continue;
        }
        let start = t.start_ms.unwrap_or(last_end);
        let end = t.end_ms.unwrap_or(start).max(start);
        span = match span {
            Some((s, _, _)) if !after_translation => Some((s, end, t.speaker.as_deref())),
            _ => Some((start, end, t.speaker.as_deref())),
        };
        after_translation = false;
        if track == Track::Original {
            out.push(Timed {
                text: &t.text,
                start,
                end,
                speaker: t.speaker.as_deref(),
            });
            last_end = end;
        }
    }
    out
}

/// Merges tokens into words (a token starting with whitespace starts a word; so does a
/// speaker change), dropping empty tokens.
fn words<'a>(timed: &[Timed<'a>], labels: bool) -> Vec<Word<'a>> {
    let mut out: Vec<Word<'a>> = Vec::new();
    for t in timed {
        let trimmed = t.text.trim_start();
        let speaker = if labels { t.speaker } else { None };
        let starts_word = trimmed.len() != t.text.len();
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(w) if !starts_word && w.speaker == speaker => w.push(trimmed, t.end),
            _ => out.push(Word::new(trimmed, t.start, t.end, speaker)),
        }
    }
    out
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', '?', '!', '…', '。', '？', '！'])
}

fn label_width(speaker: Option<&str>) -> usize {
    speaker.map_or(0, |s| label(s).chars().count() + 2)
}

fn label(speaker: &str) -> String {
    format!("Speaker {speaker}")
}

/// The cues of `tokens` under `opts`, in order, never overlapping.
///
/// ```
/// use soniox::subtitles::{cues, SubtitleOptions};
/// use soniox::types::Token;
/// let t = |text: &str, s: u64, who: &str| Token {
///     text: text.into(), start_ms: Some(s), end_ms: Some(s + 300), speaker: Some(who.into()), ..Token::default()
/// };
/// let c = cues(&[t("Hi", 0, "1"), t(" there", 300, "1"), t(" Hello", 700, "2")], &SubtitleOptions::default());
/// assert_eq!(c.len(), 2);
/// assert_eq!((c[0].speaker.as_deref(), c[0].lines.as_slice(), c[0].end_ms), (Some("1"), &["Hi there".to_string()][..], 700));
/// ```
pub fn cues(tokens: &[Token], opts: &SubtitleOptions) -> Vec<Cue> {
    let timed = select(tokens, opts.track);
    let words = words(&timed, opts.speaker_labels);
    let (width, max_lines) = (opts.max_line_chars.max(1), opts.max_lines.max(1));
    let mut groups: Vec<Vec<Word<'_>>> = Vec::new();
    let mut current: Vec<Word<'_>> = Vec::new();
    for piece in words.into_iter().flat_map(|w| w.split(width)) {
        if let (Some(first), Some(last)) = (current.first(), current.last()) {
            let reserve = label_width(first.speaker);
            let mut candidate: Vec<&Word<'_>> = current.iter().collect();
            candidate.push(&piece);
            let breaks = piece.speaker != first.speaker
                || piece.start.saturating_sub(last.end) > opts.max_gap_ms
                || piece.end.saturating_sub(first.start) > opts.max_cue_ms
                || (piece.space_before && ends_sentence(&last.text))
                || layout(&candidate, width, reserve).len() > max_lines;
            if breaks {
                groups.push(std::mem::take(&mut current));
            }
        }
        current.push(piece);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let mut cues: Vec<Cue> = groups
        .iter()
        .map(|g| {
            let start = g[0].start;
            let end = g.iter().map(|w| w.end).max().unwrap_or(start);
            let speaker = g[0].speaker;
            let refs: Vec<&Word<'_>> = g.iter().collect();
            Cue {
                start_ms: start,
                end_ms: end,
                speaker: speaker.map(str::to_owned),
                lines: layout(&refs, width, label_width(speaker)),
            }
        })
        .collect();
    // Minimum duration, never past the next cue; always at least 1 ms long.
    for i in 0..cues.len() {
        let next = cues.get(i + 1).map(|c| c.start_ms);
        let cue = &mut cues[i];
        let mut end = cue.end_ms.max(cue.start_ms.saturating_add(opts.min_cue_ms));
        if let Some(next) = next {
            end = end.min(next.max(cue.end_ms));
        }
        cue.end_ms = end.max(cue.start_ms.saturating_add(1));
    }
    cues
}

/// `HH:MM:SS<sep>mmm`.
fn timestamp(ms: u64, sep: char) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{milli:03}")
}

/// SubRip (`.srt`): numbered cues, `HH:MM:SS,mmm` times, `Speaker N: ` before the first
/// line of a labelled cue. Empty for no tokens.
pub fn to_srt(tokens: &[Token], opts: &SubtitleOptions) -> String {
    let mut out = String::new();
    for (i, cue) in cues(tokens, opts).iter().enumerate() {
        let label = cue
            .speaker
            .as_deref()
            .map(|s| format!("{}: ", label(s)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}\n{} --> {}\n{label}{}\n\n",
            i + 1,
            timestamp(cue.start_ms, ','),
            timestamp(cue.end_ms, ','),
            cue.lines.join("\n")
        ));
    }
    out
}

/// WebVTT (`.vtt`): the `WEBVTT` header, `HH:MM:SS.mmm` times, `<v Speaker N>` voice
/// tags on labelled cues; `&`, `<` and `>` in the text are escaped.
pub fn to_vtt(tokens: &[Token], opts: &SubtitleOptions) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for cue in cues(tokens, opts) {
        let voice = cue
            .speaker
            .as_deref()
            .map(|s| format!("<v {}>", label(s)))
            .unwrap_or_default();
        let lines: Vec<String> = cue.lines.iter().map(|l| vtt_escape(l)).collect();
        out.push_str(&format!(
            "{} --> {}\n{voice}{}\n\n",
            timestamp(cue.start_ms, '.'),
            timestamp(cue.end_ms, '.'),
            lines.join("\n")
        ));
    }
    out
}

fn vtt_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Plain text of the track, ending in a newline (empty for no tokens). With speaker
/// labels and speakers in the tokens: one `Speaker N: ...` paragraph per turn.
///
/// ```
/// use soniox::subtitles::{to_text, SubtitleOptions};
/// use soniox::types::Token;
/// let t = |text: &str, who: &str| Token { text: text.into(), speaker: Some(who.into()), ..Token::default() };
/// let tokens = [t("Hi", "1"), t(" there.", "1"), t(" Hello", "2")];
/// assert_eq!(to_text(&tokens, &SubtitleOptions::default()), "Speaker 1: Hi there.\nSpeaker 2: Hello\n");
/// assert_eq!(to_text(&tokens, &SubtitleOptions::default().speaker_labels(false)), "Hi there. Hello\n");
/// ```
pub fn to_text(tokens: &[Token], opts: &SubtitleOptions) -> String {
    let mut turns: Vec<(Option<&str>, String)> = Vec::new();
    for t in select(tokens, opts.track) {
        let who = if opts.speaker_labels { t.speaker } else { None };
        match turns.last_mut() {
            Some((w, text)) if *w == who => text.push_str(t.text),
            _ => turns.push((who, t.text.to_owned())),
        }
    }
    let mut out = String::new();
    for (who, text) in turns {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if let Some(who) = who {
            out.push_str(&label(who));
            out.push_str(": ");
        }
        out.push_str(text);
        out.push('\n');
    }
    out
}

/// The whole transcript (id, text and every token with all its fields) as pretty JSON,
/// ending in a newline.
///
/// ```
/// let t = soniox::types::Transcript { id: "t-1".into(), text: "Hi".into(), tokens: vec![] };
/// let json = soniox::subtitles::to_json(&t)?;
/// assert_eq!(serde_json::from_str::<soniox::types::Transcript>(&json)?, t);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn to_json(transcript: &Transcript) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(transcript)?;
    s.push('\n');
    Ok(s)
}
