//! Text to speech in one call, the audio written as it arrives.
//!
//! ```text
//! cargo run --release --example tts_quickstart                # no key: the embedded mock server
//! SONIOX_API_KEY=... cargo run --release --example tts_quickstart "Hello!"   # the real API
//! ```
//!
//! Without `SONIOX_API_KEY` it starts the crate's mock Soniox server on 127.0.0.1 (its
//! text-to-speech port serves `POST /tts`); with the key it talks to the real API.

use std::error::Error;

use soniox::blocking::Client;
use soniox::mock::MockServer;
use soniox::types::{SharedVoiceQuery, Speech};

fn main() -> Result<(), Box<dyn Error>> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Hello from Soniox text-to-speech.".into());
    // With a key: the real API. Without: the embedded mock (kept alive until the end).
    let (client, _mock) = if std::env::var_os("SONIOX_API_KEY").is_some() {
        (Client::from_env()?, None)
    } else {
        let mock = MockServer::start_with(Default::default())?;
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .tts_api_url(mock.tts_url())
            .build()?;
        (client, Some(mock))
    };
    // A voice of the default model: the first female one.
    let voice = client
        .voices()
        .list_shared(SharedVoiceQuery::new(soniox::types::DEFAULT_TTS_MODEL).gender("female"))
        .limit(1)
        .send()?
        .items
        .into_iter()
        .next()
        .map_or_else(|| "Adrian".to_owned(), |v| v.id);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("speech.wav");
    let bytes = client.tts().generate_to_file(&Speech::new(&text, &voice), &path)?;
    let wav = std::fs::read(&path)?;
    let info = soniox::audio::parse_wav_header(&wav).ok_or("not a WAV file")?;
    println!(
        "{voice} said {text:?}: {bytes} bytes of WAV, {} ms at {} Hz",
        info.duration_ms, info.spec.sample_rate
    );
    Ok(())
}
