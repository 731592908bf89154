use serde::{Deserialize, Serialize};

/// An uploaded audio file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct File {
    /// The file id (a UUID).
    pub id: String,
    /// The name given at upload.
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    /// ISO-8601 UTC creation time.
    pub created_at: String,
    /// Your tracking id, if set at upload.
    #[serde(default)]
    pub client_reference_id: Option<String>,
}

/// The answer of the `count` endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Counts {
    /// Everything.
    pub total: u64,
    /// Created through the API.
    #[serde(default)]
    pub public_api: u64,
    /// Created in the Soniox playground.
    #[serde(default)]
    pub playground: u64,
}
