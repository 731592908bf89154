//! `GET /v1/models`.

use serde::Deserialize;

use super::http::{parse_json, HttpRequest, Method, RawResponse};
use crate::error::Result;
use crate::types::Model;

/// `GET /v1/models`.
pub fn build_list() -> HttpRequest {
    HttpRequest::new(Method::Get, "/v1/models", "/v1/models".to_owned())
}

#[derive(Deserialize)]
struct Models {
    models: Vec<Model>,
}

/// Parses `{"models": [...]}`.
pub fn parse_list(resp: &RawResponse) -> Result<Vec<Model>> {
    parse_json::<Models>(resp).map(|m| m.models)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_parse_with_aliases() {
        let body = br#"{"models":[{"id":"stt-async-v5","name":"Async v5","transcription_mode":"async","languages":[{"code":"en","name":"English"}]},{"id":"stt-rt-v4","aliased_model_id":"stt-rt-v5","transcription_mode":"real_time"}]}"#;
        let m = parse_list(&RawResponse::new(200, body.to_vec())).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].aliased_model_id.as_deref(), Some("stt-rt-v5"));
        assert!(m[1].is_real_time() && !m[0].is_real_time());
        assert!(parse_list(&RawResponse::new(200, br#"{"nope":1}"#.to_vec())).is_err());
    }
}
