//! `client.models()` and `client.auth()`.

use super::client::Client;
use crate::core::{auth, models};
use crate::error::Result;
use crate::types::{Model, TemporaryApiKey, TemporaryKey};

/// The models resource. Get one with [`Client::models`].
#[derive(Debug, Clone, Copy)]
pub struct Models<'c> {
    client: &'c Client,
}

impl<'c> Models<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Models { client }
    }
    /// Every model, aliases included.
    pub async fn list(&self) -> Result<Vec<Model>> {
        models::parse_list(&self.client.execute(&models::build_list()).await?)
    }
}

/// Temporary keys. Get one with [`Client::auth`].
#[derive(Debug, Clone, Copy)]
pub struct Auth<'c> {
    client: &'c Client,
}

impl<'c> Auth<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Auth { client }
    }
    /// Mints a short-lived key (for browsers and other untrusted clients).
    pub async fn temporary_api_key(&self, req: TemporaryKey) -> Result<TemporaryApiKey> {
        auth::parse_temporary_key(&self.client.execute(&auth::build_temporary_key(&req)?).await?)
    }
}
