//! Micro benchmarks of the hot paths that never touch the network, each next to its
//! raw baseline where one exists, with divan's allocation counter.
//!
//! ```text
//! cargo bench --bench micro
//! ```

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::time::Duration;

use divan::{black_box, Bencher};
use soniox::blocking::{poll_until_complete, Client};
use soniox::core::http::RawResponse;
use soniox::core::realtime::{decode_message, start_message, RealtimeTranscript};
use soniox::core::retry::exponential_backoff;
use soniox::core::{files, models, transcriptions};
use soniox::types::{CreateTranscription, RealtimeConfig};
use soniox::{Config, PollPolicy, RetryPolicy};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

/// `Client::builder().api_key(..).build()` with every default.
#[divan::bench]
fn client_construction_default() -> Client {
    Client::builder().api_key("bench-key").build().unwrap()
}

/// A client with every setting changed.
#[divan::bench]
fn client_construction_custom() -> Client {
    Client::builder()
        .api_key("bench-key")
        .base_url("https://eu.soniox.com/v1")
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(2))
        .max_connections(8)
        .max_idle_connections(4)
        .retry(RetryPolicy::default().max_retries(5))
        .build()
        .unwrap()
}

/// Raw floor for construction: a ureq agent configured as the SDK configures its own
/// (`soniox-perf`'s floor, from `src/bin/soniox-perf/scenarios/floors.rs`).
#[divan::bench]
fn client_construction_raw_ureq_agent() -> ureq::Agent {
    floors::ureq_agent(floors::SDK_MAX_IDLE)
}

/// Informational ("raw, defaults"): a bare ureq agent out of the box.
#[divan::bench]
fn client_construction_raw_ureq_agent_defaults() -> ureq::Agent {
    ureq::Agent::new_with_defaults()
}

/// Configuration validation alone.
#[divan::bench]
fn config_validation() -> Config {
    Config::builder()
        .api_key("bench-key")
        .base_url("https://api.soniox.com")
        .build()
        .unwrap()
}

/// Backoff for attempts 0..10.
#[divan::bench]
fn backoff_attempts_0_to_10() -> Duration {
    let p = RetryPolicy::default();
    (0..=10).map(|a| exponential_backoff(black_box(a), &p)).sum()
}

/// A poll that succeeds at once.
#[divan::bench]
fn poll_success_first_check() -> u32 {
    poll_until_complete(
        || Ok(1u32),
        |s| *s == 1,
        |_| false,
        |_| String::new(),
        PollPolicy::default(),
    )
    .unwrap()
}

/// Request build + response parse, per endpoint.
#[divan::bench]
fn build_parse_get_file(b: Bencher) {
    let resp = RawResponse::new(
        200,
        r#"{"id":"84c32fc6-4fb5-4e7a-b656-b5ec70493753","filename":"a.wav","size":123456,"created_at":"2024-11-26T00:00:00Z"}"#,
    );
    b.bench(|| {
        let req = files::build_get(black_box("84c32fc6-4fb5-4e7a-b656-b5ec70493753")).unwrap();
        (req, files::parse_get(&resp).unwrap())
    });
}

#[divan::bench]
fn build_parse_create_transcription(b: Bencher) {
    let resp = RawResponse::new(
        201,
        r#"{"id":"73d4357d-cad2-4338-a60d-ec6f2044f721","status":"queued","created_at":"2024-11-26T00:00:00Z","model":"stt-async-v5","file_id":"f","filename":"a.wav","enable_speaker_diarization":false,"enable_language_identification":false}"#,
    );
    b.bench(|| {
        let req =
            transcriptions::build_create(&CreateTranscription::file_id(black_box("f")).diarization(true)).unwrap();
        (req, transcriptions::parse_create(&resp).unwrap())
    });
}

#[divan::bench]
fn build_parse_models_list(b: Bencher) {
    let mock = soniox::mock::MockServer::start();
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    drop(client.models().list().unwrap());
    let body = ureq::get(format!("{}/v1/models", mock.base_url()))
        .header("authorization", format!("Bearer {}", mock.api_key()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    let resp = RawResponse::new(200, body);
    b.bench(|| (models::build_list(), models::parse_list(&resp).unwrap()));
}

/// Decoding one realtime result message (a few final and non-final tokens).
#[divan::bench]
fn realtime_decode_result(b: Bencher) {
    let msg = r#"{"tokens":[{"text":"Hello","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true},{"text":" wor","start_ms":800,"end_ms":880,"confidence":0.61,"is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880}"#;
    b.bench(|| decode_message(black_box(msg)).unwrap());
}

/// Raw floor for the decode: the same message into the same typed tokens with a raw user's
/// own serde struct (`floors::RawResult`, what `soniox-perf`'s realtime floor decodes).
#[divan::bench]
fn realtime_decode_raw_typed(b: Bencher) {
    let msg = r#"{"tokens":[{"text":"Hello","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true},{"text":" wor","start_ms":800,"end_ms":880,"confidence":0.61,"is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880}"#;
    b.bench(|| serde_json::from_str::<floors::RawResult>(black_box(msg)).unwrap());
}

/// Informational: the same message into an untyped `serde_json::Value` (no tokens a user
/// could use without further work).
#[divan::bench]
fn realtime_decode_raw_serde_value(b: Bencher) {
    let msg = r#"{"tokens":[{"text":"Hello","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true},{"text":" wor","start_ms":800,"end_ms":880,"confidence":0.61,"is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880}"#;
    b.bench(|| serde_json::from_str::<serde_json::Value>(black_box(msg)).unwrap());
}

/// Decode + apply to the transcript assembler.
#[divan::bench]
fn realtime_decode_and_assemble(b: Bencher) {
    let msg = r#"{"tokens":[{"text":" word","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true},{"text":" wor","start_ms":800,"end_ms":880,"confidence":0.61,"is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880}"#;
    let mut t = RealtimeTranscript::new();
    b.bench_local(|| t.apply(&decode_message(black_box(msg)).unwrap()));
}

/// Raw floor of decode + assemble: the realtime floor's typed decode and transcript
/// (`floors::RawTranscript::apply`).
#[divan::bench]
fn realtime_decode_and_assemble_raw(b: Bencher) {
    let msg = r#"{"tokens":[{"text":" word","start_ms":600,"end_ms":760,"confidence":0.97,"is_final":true},{"text":" wor","start_ms":800,"end_ms":880,"confidence":0.61,"is_final":false}],"final_audio_proc_ms":760,"total_audio_proc_ms":880}"#;
    let mut t = floors::RawTranscript::default();
    b.bench_local(|| t.apply(black_box(msg)).unwrap());
}

/// The start message of a full configuration.
#[divan::bench]
fn realtime_start_message() -> String {
    let c = RealtimeConfig::new("stt-rt-v5")
        .pcm_s16le(16_000, 1)
        .language_hints(["en", "es"])
        .diarization(true);
    start_message(&c).unwrap()
}
