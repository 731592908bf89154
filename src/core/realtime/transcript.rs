//! Assembling the running transcript from result messages.

use super::messages::{is_special_token, RealtimeResponse};
use super::RealtimeEvent;
use crate::types::Token;

/// The running transcript of a stream: final tokens appended once (the server never
/// repeats a final token), the non-final tail replaced by every message, special
/// tokens (`<end>`, `<fin>`) never part of the text.
///
/// ```
/// use soniox::core::realtime::{decode_message, RealtimeTranscript};
/// let mut t = RealtimeTranscript::new();
/// t.apply(&decode_message(r#"{"tokens":[{"text":"Hel","is_final":true},{"text":"lo wor","is_final":false}]}"#).unwrap());
/// t.apply(&decode_message(r#"{"tokens":[{"text":"lo","is_final":true},{"text":" world","is_final":false}]}"#).unwrap());
/// assert_eq!((t.final_text(), t.non_final_text(), t.text()), ("Hello", " world".to_owned(), "Hello world".to_owned()));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RealtimeTranscript {
    final_tokens: Vec<Token>,
    final_text: String,
    non_final: Vec<Token>,
    final_audio_proc_ms: u64,
    total_audio_proc_ms: u64,
    finished: bool,
}

impl RealtimeTranscript {
    /// An empty transcript.
    pub fn new() -> RealtimeTranscript {
        RealtimeTranscript::default()
    }

    /// Applies one message: its final tokens are appended, its non-final tokens become
    /// the new tail (an empty tail when it has none).
    /// Its `final_audio_proc_ms` / `total_audio_proc_ms` are kept (they never go back, until
    /// [`clear`](Self::clear)), and `finished` marks the transcript complete.
    pub fn apply(&mut self, response: &RealtimeResponse) {
        if let Some(ms) = response.final_audio_proc_ms {
            self.final_audio_proc_ms = self.final_audio_proc_ms.max(ms);
        }
        if let Some(ms) = response.total_audio_proc_ms {
            self.total_audio_proc_ms = self.total_audio_proc_ms.max(ms);
        }
        self.finished |= response.finished;
        self.non_final.clear();
        for token in response.tokens.iter().filter(|t| !is_special_token(t)) {
            if token.is_final == Some(true) {
                self.final_text.push_str(&token.text);
                self.final_tokens.push(token.clone());
            } else {
                self.non_final.push(token.clone());
            }
        }
    }

    /// Applies a [`RealtimeEvent::Result`]; other events change nothing.
    pub fn apply_event(&mut self, event: &RealtimeEvent) {
        if let RealtimeEvent::Result(response) = event {
            self.apply(response);
        }
    }

    /// The final text: every final token so far; it only grows.
    pub fn final_text(&self) -> &str {
        &self.final_text
    }

    /// The current non-final tail, which the next message may change.
    pub fn non_final_text(&self) -> String {
        self.non_final.iter().map(|t| t.text.as_str()).collect()
    }

    /// The final text followed by the non-final tail: what to show right now.
    pub fn text(&self) -> String {
        let mut text = self.final_text.clone();
        text.extend(self.non_final.iter().map(|t| t.text.as_str()));
        text
    }

    /// Every final token so far, in order.
    pub fn final_tokens(&self) -> &[Token] {
        &self.final_tokens
    }

    /// The current non-final tokens.
    pub fn non_final_tokens(&self) -> &[Token] {
        &self.non_final
    }

    /// Audio (ms) the server has finalized so far: the final tokens cover it for good.
    pub fn final_audio_proc_ms(&self) -> u64 {
        self.final_audio_proc_ms
    }

    /// Audio (ms) the server has processed so far, the non-final part included.
    pub fn total_audio_proc_ms(&self) -> u64 {
        self.total_audio_proc_ms
    }

    /// Whether the `finished` message has been applied: the server closed the books, so
    /// every token is final and [`final_audio_proc_ms`](Self::final_audio_proc_ms) equals
    /// [`total_audio_proc_ms`](Self::total_audio_proc_ms) (the API's closing message has both
    /// equal, soniox-api.md §8.5).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Drops everything (for example to start a new utterance after an endpoint).
    pub fn clear(&mut self) {
        *self = RealtimeTranscript::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str, is_final: bool) -> Token {
        Token {
            text: text.into(),
            is_final: Some(is_final),
            ..Token::default()
        }
    }

    fn message(tokens: &[(&str, bool)]) -> RealtimeResponse {
        RealtimeResponse {
            tokens: tokens.iter().map(|&(t, f)| token(t, f)).collect(),
            ..RealtimeResponse::default()
        }
    }

    #[test]
    fn finals_are_appended_exactly_once_as_the_tail_firms_up() {
        let mut t = RealtimeTranscript::new();
        t.apply(&message(&[("He", false)]));
        t.apply(&message(&[("Hel", false), ("lo", false)]));
        t.apply(&message(&[("Hello", true), (" wo", false)]));
        t.apply(&message(&[(" world", true)]));
        t.apply(&message(&[]));
        assert_eq!(t.final_text(), "Hello world");
        assert_eq!(t.text(), "Hello world");
        assert_eq!(t.final_tokens().len(), 2);
    }

    #[test]
    fn the_non_final_tail_is_replaced_by_every_message() {
        let mut t = RealtimeTranscript::new();
        t.apply(&message(&[("a", true), (" b", false), (" c", false)]));
        assert_eq!((t.non_final_text().as_str(), t.text().as_str()), (" b c", "a b c"));
        t.apply(&message(&[(" x", false)]));
        assert_eq!((t.non_final_text().as_str(), t.text().as_str()), (" x", "a x"));
        t.apply(&message(&[(" y", true)]));
        assert_eq!((t.non_final_tokens().len(), t.text().as_str()), (0, "a y"));
    }

    #[test]
    fn audio_progress_only_grows_and_finished_closes_the_books() {
        let mut t = RealtimeTranscript::new();
        let progress = |f: Option<u64>, total: Option<u64>, finished: bool| RealtimeResponse {
            final_audio_proc_ms: f,
            total_audio_proc_ms: total,
            finished,
            ..message(&[("a", true)])
        };
        t.apply(&progress(Some(100), Some(300), false));
        t.apply(&progress(None, None, false));
        assert_eq!(
            (t.final_audio_proc_ms(), t.total_audio_proc_ms(), t.is_finished()),
            (100, 300, false)
        );
        t.apply(&progress(Some(50), Some(200), false));
        assert_eq!((t.final_audio_proc_ms(), t.total_audio_proc_ms()), (100, 300));
        t.apply(&progress(Some(500), Some(500), true));
        assert_eq!(
            (t.final_audio_proc_ms(), t.total_audio_proc_ms(), t.is_finished()),
            (500, 500, true)
        );
        t.clear();
        assert_eq!((t.final_audio_proc_ms(), t.is_finished()), (0, false));
    }

    #[test]
    fn special_tokens_never_reach_the_text() {
        let mut t = RealtimeTranscript::new();
        t.apply(&message(&[("Hi", true), ("<end>", true), ("<fin>", true)]));
        t.apply_event(&RealtimeEvent::Endpoint);
        assert_eq!(t.text(), "Hi");
        assert_eq!(t.final_tokens().len(), 1);
    }

    #[test]
    fn tokens_without_is_final_count_as_non_final() {
        let mut t = RealtimeTranscript::new();
        t.apply(&RealtimeResponse {
            tokens: vec![Token {
                text: "maybe".into(),
                ..Token::default()
            }],
            ..RealtimeResponse::default()
        });
        assert_eq!((t.final_text(), t.non_final_text().as_str()), ("", "maybe"));
        t.clear();
        assert_eq!(t.text(), "");
    }
}
