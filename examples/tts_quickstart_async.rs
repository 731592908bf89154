//! Text to speech with the async client (any executor; `futures::executor::block_on` here).
//!
//! ```text
//! cargo run --release --features async --example tts_quickstart_async    # the embedded mock
//! ```

use std::error::Error;

use soniox::mock::MockServer;
use soniox::nonblocking::Client;
use soniox::types::{Speech, TtsFormat};

fn main() -> Result<(), Box<dyn Error>> {
    let mock = MockServer::start_with(Default::default())?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .tts_api_url(mock.tts_url())
        .build()?;
    futures::executor::block_on(async {
        let models = client.tts().models().await?;
        println!(
            "{} text-to-speech models; the first has {} voices",
            models.len(),
            models[0].voices.len()
        );
        // Raw 16-bit PCM at 16 kHz, written to a sink as it arrives (any AsyncWrite will do).
        let speech = Speech::new("Streaming speech, chunk by chunk.", "Maya")
            .format(TtsFormat::PcmS16le)
            .sample_rate(16_000);
        let bytes = client.tts().generate_to(&speech, &mut futures::io::sink()).await?;
        println!("{bytes} bytes of PCM ({} ms)", bytes * 1000 / (16_000 * 2));
        Ok(())
    })
}
