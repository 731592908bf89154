//! Deterministic transcripts derived from the audio duration.

use serde_json::{json, Map, Value};

/// One word per this many milliseconds of audio.
pub(crate) const MS_PER_WORD: u64 = 480;

/// Words change speaker (with diarization) after this many words.
const WORDS_PER_TURN: usize = 4;

const WORDS: [&str; 32] = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "soniox",
    "transcribes",
    "every",
    "spoken",
    "word",
    "with",
    "care",
    "and",
    "speed",
    "so",
    "that",
    "each",
    "test",
    "can",
    "check",
    "exact",
    "text",
    "from",
    "its",
    "mock",
    "server",
    "today",
];

/// Words in the transcript of `audio_duration_ms` of audio: one per 480 ms, at least one for
/// non-empty audio.
pub(crate) fn word_count(audio_duration_ms: u64) -> usize {
    if audio_duration_ms == 0 {
        0
    } else {
        (audio_duration_ms / MS_PER_WORD).max(1) as usize
    }
}

/// The transcript text the mock produces for a job whose audio lasts `audio_duration_ms`
/// (one word per 480 ms from a fixed word list, separated by single spaces).
///
/// ```
/// assert_eq!(soniox::mock::transcript_text(1000), "the quick");
/// assert_eq!(soniox::mock::transcript_text(0), "");
/// ```
pub fn transcript_text(audio_duration_ms: u64) -> String {
    (0..word_count(audio_duration_ms))
        .map(|i| WORDS[i % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Options that shape the tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenOptions {
    pub(crate) diarization: bool,
    pub(crate) language_identification: bool,
}

/// The transcript object (soniox-api.md §5.1) of job `id`.
pub(crate) fn transcript_json(id: &str, audio_duration_ms: u64, opts: TokenOptions) -> Value {
    let n = word_count(audio_duration_ms);
    let mut text = String::new();
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let t = word_token(i, audio_duration_ms, opts);
        if let Some(piece) = t.get("text").and_then(Value::as_str) {
            text.push_str(piece);
        }
        tokens.push(Value::Object(t));
    }
    json!({"id": id, "text": text, "tokens": tokens})
}

/// Start of word `i` in ms.
pub(crate) fn word_start_ms(i: usize) -> u64 {
    i as u64 * MS_PER_WORD + 40
}

/// End of word `i` in ms when the audio goes on long enough (360 ms after its start).
pub(crate) fn word_end_ms(i: usize) -> u64 {
    word_start_ms(i) + 360
}

/// Token `i` of the transcript (`text` with its leading space except on the first word,
/// `start_ms`, `end_ms` cut at `audio_duration_ms`, `confidence`, and `speaker` / `language`
/// per `opts`). The same words on REST and on the realtime endpoint.
pub(crate) fn word_token(i: usize, audio_duration_ms: u64, opts: TokenOptions) -> Map<String, Value> {
    let word = WORDS[i % WORDS.len()];
    let piece = if i == 0 { word.to_string() } else { format!(" {word}") };
    let start = word_start_ms(i);
    let end = word_end_ms(i).min(audio_duration_ms.max(start + 1));
    let mut t = Map::new();
    t.insert("text".into(), json!(piece));
    t.insert("start_ms".into(), json!(start));
    t.insert("end_ms".into(), json!(end));
    t.insert("confidence".into(), json!(confidence(i)));
    if opts.diarization {
        let speaker = 1 + (i / WORDS_PER_TURN) % 2;
        t.insert("speaker".into(), json!(speaker.to_string()));
    }
    if opts.language_identification {
        t.insert("language".into(), json!("en"));
    }
    t
}

/// A deterministic confidence in `0.80..=0.99`.
fn confidence(i: usize) -> f64 {
    f64::from(80 + (i as u32 * 37) % 20) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_token_concatenation() {
        let v = transcript_json(
            "x",
            5_000,
            TokenOptions {
                diarization: true,
                language_identification: true,
            },
        );
        let tokens = v["tokens"].as_array().unwrap();
        assert_eq!(tokens.len(), 10);
        let joined: String = tokens.iter().map(|t| t["text"].as_str().unwrap()).collect();
        assert_eq!(v["text"], joined.as_str());
        assert_eq!(joined, transcript_text(5_000));
        assert!(!tokens[0]["text"].as_str().unwrap().starts_with(' '));
        assert_eq!(tokens[1]["text"], " quick");
        assert_eq!(tokens[0]["speaker"], "1");
        assert_eq!(tokens[4]["speaker"], "2");
        assert_eq!(tokens[8]["speaker"], "1");
        assert_eq!(tokens[3]["language"], "en");
        for t in tokens {
            let (s, e) = (t["start_ms"].as_u64().unwrap(), t["end_ms"].as_u64().unwrap());
            assert!(s < e && e <= 5_000);
            let c = t["confidence"].as_f64().unwrap();
            assert!((0.8..=0.99).contains(&c));
        }
    }

    #[test]
    fn plain_tokens_have_no_speaker_or_language() {
        let v = transcript_json("x", 100, TokenOptions::default());
        let t = &v["tokens"][0];
        assert_eq!(t["text"], "the");
        assert!(t.get("speaker").is_none() && t.get("language").is_none());
        assert_eq!(transcript_json("x", 0, TokenOptions::default())["tokens"], json!([]));
    }
}
