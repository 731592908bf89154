//! Realtime server-message decoding: any text frame through `decode_message`, and the
//! results through a `RealtimeTranscript`.
//!
//! Invariants: no panic; every failure is `Error::Realtime` (`invalid_message` for a
//! frame that is not a JSON object of the message shape); a decoded result carries no
//! `<end>`/`<fin>` token and re-encodes to itself; an object with an `error_*` field
//! is an error with the server's type, or `unknown`; the transcript's final text only
//! ever grows (a prefix is never rewritten).

use arbitrary::Arbitrary;
use serde_json::{json, Value};
use soniox::core::realtime::{decode_message, RealtimeTranscript, INVALID_MESSAGE_ERROR_TYPE, UNKNOWN_ERROR_TYPE};
use soniox::Error;

#[derive(Arbitrary, Debug)]
enum Text {
    Plain(String),
    End,
    Fin,
}

#[derive(Arbitrary, Debug)]
struct Tok {
    text: Text,
    is_final: Option<bool>,
    start_ms: Option<u32>,
    speaker: Option<String>,
    confidence: Option<u8>,
}

#[derive(Arbitrary, Debug)]
enum Frame {
    Raw(String),
    Result {
        tokens: Vec<Tok>,
        final_ms: Option<u64>,
        total_ms: Option<u64>,
        finished: Option<bool>,
        extra: Option<(String, String)>,
    },
    Error {
        code: Option<i64>,
        code_text: Option<String>,
        error_type: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    frames: Vec<Frame>,
}

fn encode(frame: &Frame) -> String {
    match frame {
        Frame::Raw(s) => s.clone(),
        Frame::Result {
            tokens,
            final_ms,
            total_ms,
            finished,
            extra,
        } => {
            let toks: Vec<Value> = tokens
                .iter()
                .map(|t| {
                    let text = match &t.text {
                        Text::Plain(s) => s.as_str(),
                        Text::End => "<end>",
                        Text::Fin => "<fin>",
                    };
                    json!({"text": text, "is_final": t.is_final, "start_ms": t.start_ms, "speaker": t.speaker,
                        "confidence": t.confidence.map(|c| f64::from(c) / 255.0)})
                })
                .collect();
            let mut v = json!({"tokens": toks, "final_audio_proc_ms": final_ms, "total_audio_proc_ms": total_ms,
                "finished": finished});
            if let Some((k, val)) = extra {
                if !k.starts_with("error") && !matches!(k.as_str(), "tokens" | "finished") && !k.ends_with("_ms") {
                    v[k.as_str()] = json!(val);
                }
            }
            v.to_string()
        }
        Frame::Error {
            code,
            code_text,
            error_type,
            message,
            request_id,
        } => {
            let code = match (code, code_text) {
                (Some(n), _) => json!(n),
                (None, Some(s)) => json!(s),
                (None, None) => Value::Null,
            };
            // At least one error field is present: the message (possibly null-valued) key.
            json!({"error_code": code, "error_type": error_type, "error_message": message.clone().unwrap_or_default(),
                "request_id": request_id})
            .to_string()
        }
    }
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    let mut transcript = RealtimeTranscript::new();
    for frame in input.frames.iter().take(64) {
        let text = encode(frame);
        match decode_message(&text) {
            Ok(r) => {
                assert!(
                    !matches!(frame, Frame::Error { .. }),
                    "an error frame decoded as a result: {text}"
                );
                assert!(
                    r.tokens.iter().all(|t| t.text != "<end>" && t.text != "<fin>"),
                    "a special token was kept: {text}"
                );
                // Re-encoding gives the same response (confidence aside: serde_json's
                // default float parsing is not exactly round-trip).
                let mut again = decode_message(&serde_json::to_string(&r).expect("a response serializes"))
                    .expect("a re-encoded response decodes");
                let mut r0 = r.clone();
                for t in r0.tokens.iter_mut().chain(again.tokens.iter_mut()) {
                    t.confidence = None;
                }
                assert_eq!(again, r0, "re-encoding changed the response");
                let before = transcript.final_text().to_owned();
                transcript.apply(&r);
                assert!(
                    transcript.final_text().starts_with(&before),
                    "the final text was rewritten: {before:?} -> {:?}",
                    transcript.final_text()
                );
                let _ = (transcript.text(), transcript.non_final_text());
            }
            Err(Error::Realtime(e)) => {
                match frame {
                    Frame::Error { error_type, .. } => {
                        let want = error_type.as_deref().unwrap_or(UNKNOWN_ERROR_TYPE);
                        assert_eq!(e.error_type, want, "{text}");
                    }
                    Frame::Result { .. } => panic!("a result frame failed to decode: {text} -> {e:?}"),
                    Frame::Raw(_) => {
                        let is_object = serde_json::from_str::<Value>(&text).is_ok_and(|v| v.is_object());
                        if !is_object {
                            assert_eq!(e.error_type, INVALID_MESSAGE_ERROR_TYPE, "{text}");
                            assert_eq!(e.code, None);
                        }
                    }
                }
                let _ = format!("{e:?}");
            }
            Err(other) => panic!("decode_message returned a non-realtime error {other:?} for {text}"),
        }
    }
}
