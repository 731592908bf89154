//! The API key: a secret that no `Debug` or `Display` output shows, and the one rule for
//! the `Authorization` header that carries it.

use std::fmt;

/// The `Authorization` value for an API key: the one rule for REST and the realtime
/// upgrade, both clients (the drivers add it; the core never sees the key).
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// A secret API key. `Debug` and `Display` print `***`; read it with [`ApiKey::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }
    /// The key itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
