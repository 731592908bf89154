use std::fmt;

use serde::{Deserialize, Serialize};

use super::api_key::ApiKey;

/// What a temporary key may be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UsageType {
    /// Realtime speech-to-text WebSocket.
    TranscribeWebsocket,
    /// Realtime text-to-speech.
    TtsRt,
}

/// A request for a short-lived key (`POST /v1/auth/temporary-api-key`).
///
/// ```
/// let req = soniox::types::TemporaryKey::transcribe_websocket(300).single_use(true);
/// assert_eq!(serde_json::to_string(&req).unwrap(),
///     r#"{"usage_type":"transcribe_websocket","expires_in_seconds":300,"single_use":true}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[must_use]
pub struct TemporaryKey {
    pub(crate) usage_type: UsageType,
    pub(crate) expires_in_seconds: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_reference_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) single_use: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_session_duration_seconds: Option<u32>,
}

impl TemporaryKey {
    /// A key for the realtime STT WebSocket, usable to open streams for `expires_in_seconds` (1..=3600).
    pub fn transcribe_websocket(expires_in_seconds: u32) -> TemporaryKey {
        TemporaryKey::new(UsageType::TranscribeWebsocket, expires_in_seconds)
    }
    /// A key of any usage type.
    pub fn new(usage_type: UsageType, expires_in_seconds: u32) -> TemporaryKey {
        TemporaryKey {
            usage_type,
            expires_in_seconds,
            client_reference_id: None,
            single_use: None,
            max_session_duration_seconds: None,
        }
    }
    /// A tracking id attached to every request made with the key (≤ 256 chars).
    pub fn client_reference_id(mut self, id: impl Into<String>) -> Self {
        self.client_reference_id = Some(id.into());
        self
    }
    /// The key can open at most one stream.
    pub fn single_use(mut self, yes: bool) -> Self {
        self.single_use = Some(yes);
        self
    }
    /// Maximum length of any stream opened with it (1..=18000 s).
    pub fn max_session_duration_seconds(mut self, secs: u32) -> Self {
        self.max_session_duration_seconds = Some(secs);
        self
    }
}

/// A minted temporary key. The key is redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TemporaryApiKey {
    /// The key (`temp:...`).
    #[serde(deserialize_with = "de_key")]
    pub api_key: ApiKey,
    /// ISO-8601 UTC expiry.
    pub expires_at: String,
}

fn de_key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ApiKey, D::Error> {
    String::deserialize(d).map(ApiKey::new)
}

impl fmt::Debug for TemporaryApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryApiKey")
            .field("api_key", &self.api_key)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
