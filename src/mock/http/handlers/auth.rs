//! `POST /v1/auth/temporary-api-key` (soniox-api.md §3.4).

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::Ctx;
use crate::mock::http::errors::ApiError;
use crate::mock::http::payload::parse_temp_key;
use crate::mock::http::reply::Reply;
use crate::mock::http::validate::read_json_object;
use crate::mock::state::TempKey;
use crate::mock::util::iso8601;

/// Mints a `temp:` key (valid for the realtime endpoint only, never for REST).
pub(crate) async fn temporary_key(mut cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let map = read_json_object(&mut cx).await?;
    let req = parse_temp_key(&map)?;
    let shared = cx.shared;
    let key = format!("temp:{}", shared.rng.token(26));
    let expires = SystemTime::now() + Duration::from_secs(req.expires_in_seconds);
    shared.state.temp_keys().insert(
        key.clone(),
        TempKey {
            usage_type: req.usage_type,
            expires,
            single_use: req.single_use,
            max_session_duration_seconds: req.max_session_duration_seconds,
            client_reference_id: req.client_reference_id,
            uses: 0,
        },
    );
    Ok(Reply::json(
        201,
        &json!({"api_key": key, "expires_at": iso8601(expires)}),
    ))
}
