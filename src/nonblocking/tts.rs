//! `client.tts()` (text-to-speech models) and `client.voices()` (shared voices).

use super::client::Client;
use super::pages::{List, SharedVoiceList};
use crate::core::tts;
use crate::error::Result;
use crate::types::{SharedVoiceQuery, TtsModel};

/// Text-to-speech. Get one with [`Client::tts`].
#[derive(Debug, Clone, Copy)]
pub struct Tts<'c> {
    client: &'c Client,
}

impl<'c> Tts<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Tts { client }
    }
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }
    /// Every text-to-speech model, with its languages, built-in voices and capabilities.
    pub async fn models(&self) -> Result<Vec<TtsModel>> {
        tts::parse_models(&self.client.execute(&tts::build_models()).await?)
    }
}

/// Voices. Get one with [`Client::voices`].
#[derive(Debug, Clone, Copy)]
pub struct Voices<'c> {
    client: &'c Client,
}

impl<'c> Voices<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Voices { client }
    }
    /// The shared (built-in) voices of a model that match every filter of `query`:
    /// `.limit(n)` (1..=200, default 100), `.cursor(c)`, then `.send()` for one page or
    /// `.all()` for every voice of every page (the filters go with each page's request).
    /// A query the API would refuse fails with `Error::InvalidArgument` before any request.
    pub fn list_shared(&self, query: SharedVoiceQuery) -> SharedVoiceList<'c> {
        List::with(self.client, query)
    }
}
