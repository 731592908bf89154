//! `POST /v1/auth/temporary-api-key`.

use super::http::{parse_json, HttpRequest, Method, RawResponse};
use super::validate;
use crate::error::Result;
use crate::types::{TemporaryApiKey, TemporaryKey};

/// Builds the request after checking 1..=3600 s lifetime, 1..=18000 s session cap and
/// the `client_reference_id` length.
pub fn build_temporary_key(req: &TemporaryKey) -> Result<HttpRequest> {
    validate::temporary_key(req)?;
    Ok(HttpRequest::new(
        Method::Post,
        "/v1/auth/temporary-api-key",
        "/v1/auth/temporary-api-key".to_owned(),
    )
    .json(req))
}

/// Parses `{"api_key", "expires_at"}`.
pub fn parse_temporary_key(resp: &RawResponse) -> Result<TemporaryApiKey> {
    parse_json(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_outside_the_documented_range_are_refused() {
        assert!(build_temporary_key(&TemporaryKey::transcribe_websocket(0)).is_err());
        assert!(build_temporary_key(&TemporaryKey::transcribe_websocket(3601)).is_err());
        assert!(build_temporary_key(&TemporaryKey::transcribe_websocket(3600)).is_ok());
        assert!(
            build_temporary_key(&TemporaryKey::transcribe_websocket(1).max_session_duration_seconds(18001)).is_err()
        );
        let k = parse_temporary_key(&RawResponse::new(
            201,
            br#"{"api_key":"temp:SECRET","expires_at":"t"}"#.to_vec(),
        ))
        .unwrap();
        assert_eq!(k.api_key.expose(), "temp:SECRET");
        assert!(!format!("{k:?}").contains("SECRET"));
    }
}
