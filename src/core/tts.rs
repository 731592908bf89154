//! Text-to-speech catalogues: `GET /v1/tts-models` and `GET /v1/shared-voices` (a
//! [`Listing`] with filters, so [`Paginator`](super::paginator::Paginator) walks it).
//!
//! ```
//! use soniox::core::paginator::Listing;
//! use soniox::types::SharedVoiceQuery;
//! let q = SharedVoiceQuery::new("tts-rt-v2").gender("female").use_case("narration").use_case("conversational");
//! let req = q.build(Some(50), Some("c1"))?;
//! assert_eq!(
//!     req.url(""),
//!     "/v1/shared-voices?model=tts-rt-v2&gender=female&use_case=narration&use_case=conversational&limit=50&cursor=c1"
//! );
//! # Ok::<(), soniox::Error>(())
//! ```

use serde::Deserialize;

use super::http::{parse_json, HttpRequest, Method, RawResponse};
use super::paginator::{add_page_query_max, parse_page, Listing};
use super::validate;
use crate::error::Result;
use crate::types::{Page, SharedVoice, SharedVoiceQuery, TtsModel};

/// The largest `limit` of `GET /v1/shared-voices` (its default is 100).
pub const MAX_SHARED_VOICES_LIMIT: u32 = 200;

/// `GET /v1/tts-models`.
pub fn build_models() -> HttpRequest {
    HttpRequest::new(Method::Get, "/v1/tts-models", "/v1/tts-models".to_owned())
}

#[derive(Deserialize)]
struct Models {
    models: Vec<TtsModel>,
}

/// Parses `{"models": [...]}`.
pub fn parse_models(resp: &RawResponse) -> Result<Vec<TtsModel>> {
    parse_json::<Models>(resp).map(|m| m.models)
}

/// `GET /v1/shared-voices` for one page: the query's filters (lists as repeated
/// parameters), then `limit` (1..=200) and `cursor`.
pub fn build_shared_voices(q: &SharedVoiceQuery, limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
    validate::shared_voice_query(q)?;
    let mut req = HttpRequest::new(Method::Get, "/v1/shared-voices", "/v1/shared-voices".to_owned());
    req.query.push(("model", q.model.clone()));
    for (name, v) in [("gender", &q.gender), ("age", &q.age), ("accent", &q.accent)] {
        if let Some(v) = v {
            req.query.push((name, v.clone()));
        }
    }
    for (name, list) in [("use_case", &q.use_case), ("style", &q.style)] {
        req.query.extend(list.iter().map(|v| (name, v.clone())));
    }
    add_page_query_max(&mut req, limit, cursor, MAX_SHARED_VOICES_LIMIT)?;
    Ok(req)
}

/// Parses `{"voices": [...], "next_page_cursor": ...}`.
pub fn parse_shared_voices(resp: &RawResponse) -> Result<Page<SharedVoice>> {
    parse_page(resp)
}

impl Listing for SharedVoiceQuery {
    type Item = SharedVoice;
    fn build(&self, limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
        build_shared_voices(self, limit, cursor)
    }
    fn parse(resp: &RawResponse) -> Result<Page<SharedVoice>> {
        parse_shared_voices(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn models_parse_with_and_without_capabilities() {
        let body = br#"{"models":[{"id":"tts-rt-v2","name":"TTS v2","languages":[{"code":"en","name":"English"}],"voices":[{"id":"Adrian","description":"deep","gender":"male"}],"supports_timestamps":true,"speed_min":0.7,"speed_max":1.3,"supports_speed_adjustment":true,"new_field":1},{"id":"tts-rt-v1"}]}"#;
        let m = parse_models(&RawResponse::new(200, body.to_vec())).unwrap();
        assert_eq!((m[0].voices[0].id.as_str(), m[0].speed_max), ("Adrian", Some(1.3)));
        assert!(m[0].supports_timestamps && !m[1].supports_timestamps && m[1].voices.is_empty());
        assert!(parse_models(&RawResponse::new(200, br#"{"voices":[]}"#.to_vec())).is_err());
    }

    #[test]
    fn a_page_of_voices_parses_and_bad_queries_are_refused_before_sending() {
        let body = br#"{"voices":[{"id":"Maya","description":"clear","gender":"female","age":"middle_aged","accent":"british","use_case":["conversational"],"style":["calm"]}],"next_page_cursor":null}"#;
        let p = parse_shared_voices(&RawResponse::new(200, body.to_vec())).unwrap();
        assert_eq!(
            (p.items[0].style.as_slice(), p.is_last()),
            (&["calm".to_owned()][..], true)
        );
        let ok = SharedVoiceQuery::new("tts-rt-v2");
        assert!(build_shared_voices(&ok, Some(200), None).is_ok());
        let too_many = (0..11).fold(ok.clone(), |q, i| q.style(format!("s{i}")));
        for (q, limit) in [
            (SharedVoiceQuery::new(""), None),
            (SharedVoiceQuery::new("m".repeat(65)), None),
            (ok.clone().accent("a".repeat(41)), None),
            (ok.clone().gender(" "), None),
            (too_many, None),
            (ok.clone(), Some(0)),
            (ok.clone(), Some(201)),
        ] {
            assert!(
                matches!(build_shared_voices(&q, limit, None), Err(Error::InvalidArgument(_))),
                "{q:?} {limit:?}"
            );
        }
    }
}
