//! Realtime helpers shared by the async realtime tests: a client with the mock's WebSocket
//! URL, PCM audio, and bounded waits on the mock's stats.

use std::time::{Duration, Instant};

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::mock::{MockServer, MockStats};
use soniox::nonblocking::Client;
use soniox::types::RealtimeConfig;

/// A client for the mock's REST and WebSocket endpoints.
pub fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// 16 kHz mono 16-bit PCM.
pub fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// `ms` of 16 kHz mono PCM.
pub fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(ms))
        .flatten()
        .collect()
}

pub async fn pause(ms: u64) {
    async_std::task::sleep(Duration::from_millis(ms)).await;
}

/// Polls the mock's stats until `done` holds; panics naming `what` after `bound` (a hang
/// guard, never the fact under test).
pub async fn stats_within(
    mock: &MockServer,
    bound: Duration,
    what: &str,
    done: impl Fn(&MockStats) -> bool,
) -> MockStats {
    let deadline = Instant::now() + bound;
    loop {
        let stats = mock.stats();
        if done(&stats) {
            return stats;
        }
        assert!(Instant::now() < deadline, "{what}: not within {bound:?}: {stats:?}");
        pause(5).await;
    }
}
