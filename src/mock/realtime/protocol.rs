//! The realtime protocol without I/O (soniox-api.md §8): the start message, audio accounting,
//! the result messages and the in-band errors. The mock's own implementation, independent of
//! the client core, so each checks the other.

use serde_json::{json, Map, Value};

use crate::mock::http::errors::ApiError;
use crate::mock::models::{resolve, Mode};
use crate::mock::transcript::{word_count, word_end_ms, word_token, TokenOptions, MS_PER_WORD};

/// Bytes per second assumed for a compressed container (16 kHz 16-bit mono).
pub(crate) const CONTAINER_BYTES_PER_SEC: u64 = 32_000;

/// Most language hints, and the longest one.
const MAX_HINTS: usize = 100;
const MAX_HINT_LEN: usize = 10;

/// A word turns final once this much audio follows its end.
const FINAL_LAG_MS: u64 = MS_PER_WORD;

/// With endpoint detection, an `<end>` follows every this many final words.
const WORDS_PER_ENDPOINT: usize = 8;

/// Longest stream: 300 minutes of audio (then `413 max_duration_reached`).
pub(crate) const MAX_STREAM_MS: u64 = 300 * 60 * 1000;

/// Compressed containers (duration assumed from [`CONTAINER_BYTES_PER_SEC`]).
const CONTAINERS: [&str; 10] = ["aac", "aiff", "amr", "asf", "flac", "mp3", "ogg", "webm", "m4a", "mp4"];

/// An in-band error message before it gets its request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WsError {
    pub(crate) code: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
}

impl WsError {
    pub(crate) fn new(code: u16, error_type: &str, message: impl Into<String>) -> WsError {
        WsError {
            code,
            error_type: error_type.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> WsError {
        WsError::new(400, "invalid_request", message)
    }

    pub(crate) fn unauthenticated() -> WsError {
        WsError::from(ApiError::unauthenticated())
    }

    pub(crate) fn idle_timeout() -> WsError {
        WsError::new(
            408,
            "request_timeout",
            "No audio or keepalive was received for too long. Please restart the request.",
        )
    }

    pub(crate) fn too_many_streams() -> WsError {
        WsError::new(
            429,
            "limit_exceeded",
            "Concurrent requests limit has been exceeded for your project.",
        )
    }

    pub(crate) fn session_expired() -> WsError {
        WsError::new(
            403,
            "temp_api_key_session_expired",
            "The temporary API key session duration has been exceeded.",
        )
    }

    pub(crate) fn max_duration() -> WsError {
        WsError::new(413, "max_duration_reached", "Maximum audio duration reached.")
    }

    /// The error a [`WsErrorAfter`](crate::mock::FaultAction::WsErrorAfter) fault sends.
    pub(crate) fn injected(code: u16, error_type: &str) -> WsError {
        let message = if code == 503 {
            "Cannot continue request (code 11). Please restart the request.".to_string()
        } else {
            ApiError::for_status(code).message
        };
        WsError::new(code, error_type, message)
    }

    /// The error message (soniox-api.md §8.5).
    pub(crate) fn to_json(&self, request_id: &str) -> Value {
        json!({
            "tokens": [],
            "error_code": self.code,
            "error_type": self.error_type,
            "error_message": self.message,
            "more_info": format!(
                "https://soniox.com/docs/api-reference/errors#{}",
                self.error_type.replace('_', "-")
            ),
            "request_id": request_id,
        })
    }
}

impl From<ApiError> for WsError {
    fn from(e: ApiError) -> WsError {
        WsError::new(e.status, e.error_type, e.message)
    }
}

/// How the audio's duration is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AudioFormat {
    /// Headerless PCM at this many bytes per second.
    Raw { bytes_per_sec: u64 },
    /// `auto` or `wav`: a WAV header is looked for in the first bytes.
    Sniff,
    /// A compressed container: [`CONTAINER_BYTES_PER_SEC`].
    Container,
}

/// A valid start message.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Start {
    /// The model used (alias resolved).
    pub(crate) model: &'static str,
    pub(crate) format: AudioFormat,
    pub(crate) tokens: TokenOptions,
    pub(crate) endpoint_detection: bool,
}

/// Parses the first text frame as a JSON object.
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, WsError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(WsError::invalid_request(
            "The start message must be a JSON object (the session configuration).",
        )),
    }
}

/// The deprecated `api_key` field of a start message, if it is a string.
pub(crate) fn start_api_key(map: &Map<String, Value>) -> Option<&str> {
    map.get("api_key").and_then(Value::as_str)
}

/// Validates a start message (the key is checked separately, before this).
pub(crate) fn validate_start(map: &Map<String, Value>) -> Result<Start, WsError> {
    let model = match map.get("model").and_then(Value::as_str).and_then(resolve) {
        Some((id, Mode::RealTime)) => id,
        _ => {
            return Err(WsError::new(
                400,
                "model_not_available",
                "The requested model is not available.",
            ))
        }
    };
    let format = audio_format(map)?;
    language_hints(map)?;
    let flag = |k: &str| map.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(Start {
        model,
        format,
        tokens: TokenOptions {
            diarization: flag("enable_speaker_diarization"),
            language_identification: flag("enable_language_identification"),
        },
        endpoint_detection: flag("enable_endpoint_detection"),
    })
}

fn audio_format(map: &Map<String, Value>) -> Result<AudioFormat, WsError> {
    let name = match map.get("audio_format") {
        None | Some(Value::Null) => "auto",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(WsError::invalid_request("Invalid audio format.")),
    };
    if name == "auto" || name == "wav" {
        return Ok(AudioFormat::Sniff);
    }
    if CONTAINERS.contains(&name) {
        return Ok(AudioFormat::Container);
    }
    let Some(width) = raw_sample_bytes(name) else {
        return Err(WsError::invalid_request(format!("Invalid audio format: {name}.")));
    };
    // Integer fields are read as the REST validation reads them (`16000.0` is 16 000).
    let positive = |k: &str| {
        map.get(k)
            .and_then(|v| crate::mock::http::validate::lax_int(v).ok())
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    match (positive("sample_rate"), positive("num_channels")) {
        (Some(rate), Some(channels)) => Ok(AudioFormat::Raw {
            bytes_per_sec: rate.saturating_mul(channels).saturating_mul(width),
        }),
        _ => Err(WsError::invalid_request(format!(
            "Audio format {name} requires sample_rate and num_channels."
        ))),
    }
}

/// Bytes per sample of a raw (headerless) format; `None` when `name` is not one.
fn raw_sample_bytes(name: &str) -> Option<u64> {
    match name {
        "mulaw" | "alaw" => return Some(1),
        "pcm_s8" | "pcm_u8" | "pcm_s8le" | "pcm_s8be" | "pcm_u8le" | "pcm_u8be" => return Some(1),
        _ => {}
    }
    let rest = name.strip_prefix("pcm_")?;
    let mut chars = rest.chars();
    let kind = chars.next()?;
    let bits = chars.as_str();
    let bits = bits.strip_suffix("le").or_else(|| bits.strip_suffix("be"))?;
    match (kind, bits) {
        ('s' | 'u', "16") => Some(2),
        ('s' | 'u', "24") => Some(3),
        ('s' | 'u' | 'f', "32") => Some(4),
        ('f', "64") => Some(8),
        _ => None,
    }
}

fn language_hints(map: &Map<String, Value>) -> Result<(), WsError> {
    let bad = || WsError::invalid_request("Invalid language hint.");
    match map.get("language_hints") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(hints)) => {
            let ok = hints.len() <= MAX_HINTS
                && hints
                    .iter()
                    .all(|h| h.as_str().is_some_and(|s| s.chars().count() <= MAX_HINT_LEN));
            if ok {
                Ok(())
            } else {
                Err(bad())
            }
        }
        Some(_) => Err(bad()),
    }
}

/// A client text frame after the start message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Control {
    Keepalive,
    Finalize,
    /// The empty frame: end of audio.
    EndOfAudio,
}

/// Parses a text frame sent after the start message.
pub(crate) fn parse_control(text: &str) -> Result<Control, WsError> {
    if text.is_empty() {
        return Ok(Control::EndOfAudio);
    }
    let map = serde_json::from_str::<Value>(text).ok();
    match map.as_ref().and_then(|v| v.get("type")).and_then(Value::as_str) {
        Some("keepalive") => Ok(Control::Keepalive),
        Some("finalize") => Ok(Control::Finalize),
        _ => Err(WsError::invalid_request(
            "Invalid message: expected {\"type\": \"keepalive\"}, {\"type\": \"finalize\"} or an empty frame.",
        )),
    }
}

/// Counts the audio received and turns it into a duration.
#[derive(Debug)]
pub(crate) struct AudioMeter {
    /// Bytes per second once known.
    rate: Option<u64>,
    /// Audio data bytes counted (after any WAV header).
    data_bytes: u64,
    /// The first bytes, kept while looking for a WAV header.
    head: Vec<u8>,
}

/// Give up looking for a WAV header after this many bytes.
const MAX_WAV_HEAD: usize = 64 * 1024;

impl AudioMeter {
    pub(crate) fn new(format: AudioFormat) -> AudioMeter {
        let rate = match format {
            AudioFormat::Raw { bytes_per_sec } => Some(bytes_per_sec.max(1)),
            AudioFormat::Container => Some(CONTAINER_BYTES_PER_SEC),
            AudioFormat::Sniff => None,
        };
        AudioMeter {
            rate,
            data_bytes: 0,
            head: Vec::new(),
        }
    }

    /// Adds the bytes of one audio frame.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if self.rate.is_some() {
            self.data_bytes += bytes.len() as u64;
            return;
        }
        self.head.extend_from_slice(bytes);
        let head = &self.head;
        let not_wav = head.len() >= 12 && (&head[0..4] != b"RIFF" || &head[8..12] != b"WAVE");
        if let Some((info, offset)) = crate::audio::parse_wav_header_at(head) {
            let rate = u64::from(info.spec.byte_rate());
            self.rate = Some(if rate == 0 { CONTAINER_BYTES_PER_SEC } else { rate });
            self.data_bytes = (head.len() as u64).saturating_sub(offset);
            self.head = Vec::new();
        } else if not_wav || head.len() > MAX_WAV_HEAD {
            self.rate = Some(CONTAINER_BYTES_PER_SEC);
            self.data_bytes = head.len() as u64;
            self.head = Vec::new();
        }
    }

    /// Audio received so far, in ms (0 while a WAV header is still incomplete).
    pub(crate) fn total_ms(&self) -> u64 {
        match self.rate {
            Some(rate) => (u128::from(self.data_bytes) * 1000 / u128::from(rate)) as u64,
            None => 0,
        }
    }
}

/// The transcript of a session as it grows: which words are final, and the messages.
#[derive(Debug)]
pub(crate) struct WordStream {
    opts: TokenOptions,
    endpoint_detection: bool,
    /// Words sent as final so far (words `0..finals`).
    finals: usize,
    /// `end_ms` of the last final word.
    final_ms: u64,
}

impl WordStream {
    pub(crate) fn new(start: &Start) -> WordStream {
        WordStream {
            opts: start.tokens,
            endpoint_detection: start.endpoint_detection,
            finals: 0,
            final_ms: 0,
        }
    }

    /// The result message after an audio frame, `total_ms` of audio in all: the words that
    /// became final (each once), then the non-final tail.
    pub(crate) fn result(&mut self, total_ms: u64) -> Value {
        let existing = word_count(total_ms);
        // Word i is final once total_ms >= end_i + FINAL_LAG_MS (ends are MS_PER_WORD apart).
        let first_lag = word_end_ms(0) + FINAL_LAG_MS;
        let ripe = if total_ms < first_lag {
            0
        } else {
            (((total_ms - first_lag) / MS_PER_WORD) as usize + 1).min(existing)
        };
        let mut tokens = self.finalize_up_to(ripe, total_ms);
        for i in self.finals..existing {
            let mut t = word_token(i, total_ms, self.opts);
            t.insert("is_final".into(), json!(false));
            tokens.push(Value::Object(t));
        }
        self.message(tokens, total_ms)
    }

    /// The answer to `finalize`: every pending word final, then `<fin>`.
    pub(crate) fn finalize(&mut self, total_ms: u64) -> Value {
        let mut tokens = self.finalize_up_to(word_count(total_ms), total_ms);
        tokens.push(json!({"text": "<fin>", "is_final": true}));
        self.message(tokens, total_ms)
    }

    /// The last message: every pending word final, all the audio processed final
    /// (`final_audio_proc_ms == total_audio_proc_ms`, as the API closes the books), and
    /// `finished: true`.
    pub(crate) fn finish(&mut self, total_ms: u64) -> Value {
        let tokens = self.finalize_up_to(word_count(total_ms), total_ms);
        self.final_ms = self.final_ms.max(total_ms);
        let mut m = self.message(tokens, total_ms);
        m["finished"] = json!(true);
        m
    }

    /// Final tokens for words `self.finals..n` (each followed by `<end>` when due).
    fn finalize_up_to(&mut self, n: usize, total_ms: u64) -> Vec<Value> {
        let mut tokens = Vec::new();
        for i in self.finals..n {
            let mut t = word_token(i, total_ms, self.opts);
            t.insert("is_final".into(), json!(true));
            self.final_ms = t.get("end_ms").and_then(Value::as_u64).unwrap_or(self.final_ms);
            tokens.push(Value::Object(t));
            if self.endpoint_detection && (i + 1) % WORDS_PER_ENDPOINT == 0 {
                tokens.push(json!({"text": "<end>", "is_final": true}));
            }
        }
        self.finals = self.finals.max(n);
        tokens
    }

    fn message(&self, tokens: Vec<Value>, total_ms: u64) -> Value {
        json!({
            "tokens": tokens,
            "final_audio_proc_ms": self.final_ms,
            "total_audio_proc_ms": total_ms,
        })
    }
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
