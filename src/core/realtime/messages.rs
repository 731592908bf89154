//! Server messages: decoding result and error frames.
//!
//! Decoding is lenient: unknown fields are ignored, absent (or `null`) ones take their
//! defaults, and an error message is recognised in both the current shape
//! (`error_code` + `error_type` + `error_message` + `request_id`) and the older one
//! (`error_code` + `error_message`), with `error_code` a number or a numeric string.

use serde::{Deserialize, Serialize};

use crate::error::{lossy_prefix, Error, RealtimeError, Result};
use crate::types::Token;

/// The special token that marks an endpoint (with endpoint detection).
pub const ENDPOINT_TOKEN: &str = "<end>";
/// The special token that acknowledges a finalize request.
pub const FINALIZED_TOKEN: &str = "<fin>";

/// One result message from the server, with the special tokens (`<end>`, `<fin>`)
/// already removed (they become [`RealtimeEvent`](super::RealtimeEvent)s).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RealtimeResponse {
    /// New final tokens first, then the current non-final tail (see `Token::is_final`).
    pub tokens: Vec<Token>,
    /// Audio (ms) fully finalized so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_audio_proc_ms: Option<u64>,
    /// Audio (ms) processed so far, including the non-final part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_audio_proc_ms: Option<u64>,
    /// True on the last message of the stream.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub finished: bool,
}

/// A decoded server message: the response and the special tokens it carried, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Decoded {
    pub(crate) response: RealtimeResponse,
    pub(crate) specials: Vec<Special>,
}

/// A special token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Special {
    Endpoint,
    Finalized,
}

/// Every field any server message may carry; everything optional.
#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    tokens: Option<Vec<Token>>,
    #[serde(default)]
    final_audio_proc_ms: Option<u64>,
    #[serde(default)]
    total_audio_proc_ms: Option<u64>,
    #[serde(default)]
    finished: Option<bool>,
    #[serde(default)]
    error_code: Option<Code>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

/// `error_code` as sent: `503` or `"503"` (anything else is kept as no code).
#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Number(u64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

impl Code {
    fn as_u16(&self) -> Option<u16> {
        match self {
            Code::Number(n) => u16::try_from(*n).ok(),
            Code::Text(s) => s.trim().parse().ok(),
            Code::Other(_) => None,
        }
    }
}

/// The `error_type` reported when the server's error message has none (older servers).
pub const UNKNOWN_ERROR_TYPE: &str = "unknown";
/// The `error_type` reported for a frame that is not a valid server message.
pub const INVALID_MESSAGE_ERROR_TYPE: &str = "invalid_message";

/// Decodes one server text frame.
///
/// - a result message → `Ok` (special tokens removed);
/// - an error message (any of `error_code`, `error_type`, `error_message` present)
///   → [`Error::Realtime`] with the server's code, type (`"unknown"` when the server
///   sent none), message and request id;
/// - a frame that is not a JSON object of this shape → [`Error::Realtime`] with
///   `error_type` `"invalid_message"`, no code, and the start of the frame in the
///   message. (Not [`Error::Decode`], which describes HTTP replies.)
///
/// ```
/// use soniox::core::realtime::decode_message;
/// let r = decode_message(r#"{"tokens":[{"text":"Hi","is_final":true},{"text":"<end>","is_final":true}]}"#).unwrap();
/// assert_eq!(r.tokens.len(), 1);
/// let e = decode_message(r#"{"error_code":"401","error_message":"Bad key"}"#).unwrap_err();
/// assert_eq!((e.status(), e.error_type()), (Some(401), Some("unknown")));
/// ```
pub fn decode_message(text: &str) -> Result<RealtimeResponse> {
    decode(text).map(|d| d.response).map_err(Error::Realtime)
}

/// [`decode_message`], keeping the special tokens.
pub(crate) fn decode(text: &str) -> Result<Decoded, RealtimeError> {
    let wire: Wire = serde_json::from_str(text).map_err(|e| RealtimeError {
        code: None,
        error_type: INVALID_MESSAGE_ERROR_TYPE.to_owned(),
        message: format!(
            "the server sent a frame that is not a valid message ({e}): {:?}",
            lossy_prefix(text.as_bytes())
        ),
        request_id: None,
    })?;
    if wire.error_code.is_some() || wire.error_type.is_some() || wire.error_message.is_some() {
        return Err(RealtimeError {
            code: wire.error_code.as_ref().and_then(Code::as_u16),
            error_type: wire.error_type.unwrap_or_else(|| UNKNOWN_ERROR_TYPE.to_owned()),
            message: wire.error_message.unwrap_or_else(|| "(no error message)".to_owned()),
            request_id: wire.request_id,
        });
    }
    let mut tokens = wire.tokens.unwrap_or_default();
    let mut specials = Vec::new();
    tokens.retain(|t| match special(t) {
        Some(s) => {
            specials.push(s);
            false
        }
        None => true,
    });
    let response = RealtimeResponse {
        tokens,
        final_audio_proc_ms: wire.final_audio_proc_ms,
        total_audio_proc_ms: wire.total_audio_proc_ms,
        finished: wire.finished.unwrap_or(false),
    };
    Ok(Decoded { response, specials })
}

/// Whether `token` is `<end>` or `<fin>`.
pub fn is_special_token(token: &Token) -> bool {
    special(token).is_some()
}

fn special(token: &Token) -> Option<Special> {
    match token.text.as_str() {
        ENDPOINT_TOKEN => Some(Special::Endpoint),
        FINALIZED_TOKEN => Some(Special::Finalized),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realtime_error(text: &str) -> RealtimeError {
        match decode_message(text) {
            Err(Error::Realtime(e)) => e,
            other => panic!("expected a realtime error, got {other:?}"),
        }
    }

    #[test]
    fn a_result_message_decodes_with_extra_fields_ignored() {
        let r = decode_message(concat!(
            r#"{"tokens":[{"text":"Hello","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true,"speaker":"1","language":"en","future":1},"#,
            r#"{"text":" wor","is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880,"something_new":{"a":[1]}}"#
        ))
        .unwrap();
        assert_eq!(r.tokens.len(), 2);
        assert_eq!(
            (
                r.tokens[0].text.as_str(),
                r.tokens[0].is_final,
                r.tokens[0].speaker.as_deref()
            ),
            ("Hello", Some(true), Some("1"))
        );
        assert_eq!(
            (r.final_audio_proc_ms, r.total_audio_proc_ms, r.finished),
            (Some(760), Some(880), false)
        );
    }

    #[test]
    fn absent_and_null_fields_take_their_defaults() {
        assert_eq!(decode_message("{}").unwrap(), RealtimeResponse::default());
        let r = decode_message(r#"{"tokens":null,"finished":null,"final_audio_proc_ms":null}"#).unwrap();
        assert_eq!(r, RealtimeResponse::default());
        let last =
            decode_message(r#"{"tokens":[],"final_audio_proc_ms":5,"total_audio_proc_ms":5,"finished":true}"#).unwrap();
        assert!(last.finished);
    }

    #[test]
    fn special_tokens_are_removed_and_reported_in_order() {
        let d = decode(r#"{"tokens":[{"text":"a","is_final":true},{"text":"<end>","is_final":true},{"text":"<fin>","is_final":true}]}"#).unwrap();
        assert_eq!(
            d.response.tokens.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(d.specials, [Special::Endpoint, Special::Finalized]);
    }

    #[test]
    fn the_current_error_shape_keeps_every_field() {
        let e = realtime_error(concat!(
            r#"{"tokens":[],"error_code":503,"error_type":"service_unavailable","#,
            r#""error_message":"Cannot continue request (code 11). Please restart the request.","#,
            r#""more_info":"https://soniox.com/docs/api-reference/errors#service-unavailable","request_id":"req-1"}"#
        ));
        assert_eq!(e.code, Some(503));
        assert_eq!(e.error_type, "service_unavailable");
        assert!(e.message.starts_with("Cannot continue request"));
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn the_old_error_shape_has_an_unknown_type_and_no_request_id() {
        let e = realtime_error(r#"{"error_code":401,"error_message":"Invalid API key."}"#);
        assert_eq!(
            (e.code, e.error_type.as_str(), e.message.as_str(), e.request_id),
            (Some(401), "unknown", "Invalid API key.", None)
        );
    }

    #[test]
    fn a_string_error_code_is_parsed_and_a_non_numeric_one_is_dropped() {
        assert_eq!(
            realtime_error(r#"{"error_code":" 429 ","error_message":"slow down"}"#).code,
            Some(429)
        );
        assert_eq!(
            realtime_error(r#"{"error_code":"oops","error_message":"x"}"#).code,
            None
        );
        assert_eq!(realtime_error(r#"{"error_code":70000,"error_message":"x"}"#).code, None);
        assert_eq!(realtime_error(r#"{"error_code":-1.5,"error_message":"x"}"#).code, None);
    }

    #[test]
    fn an_error_with_missing_fields_is_still_an_error() {
        let e = realtime_error(r#"{"error_type":"internal_error"}"#);
        assert_eq!(
            (e.code, e.error_type.as_str(), e.message.as_str()),
            (None, "internal_error", "(no error message)")
        );
        assert_eq!(realtime_error(r#"{"error_message":"bad"}"#).error_type, "unknown");
        assert_eq!(realtime_error(r#"{"error_code":500}"#).code, Some(500));
    }

    #[test]
    fn a_frame_that_is_not_a_message_is_an_invalid_message_error() {
        for frame in ["not json", "[1,2]", r#"{"tokens":"x"}"#, ""] {
            let e = realtime_error(frame);
            assert_eq!((e.code, e.error_type.as_str()), (None, "invalid_message"), "{frame:?}");
        }
        assert!(realtime_error("not json").message.contains("not json"));
    }
}
