//! REST throughput against the in-process mock: the SDK next to the fair raw floor in the
//! same run. Compare the ratios, not the absolute times (the machine is shared).
//!
//! The floor is `soniox-perf`'s (the same source file, `src/bin/soniox-perf/scenarios/floors.rs`):
//! a ureq agent configured as the SDK configures its own, the same GET and the same typed
//! decode. The bytes-only and out-of-the-box variants are informational.
//!
//! ```text
//! cargo bench --bench rest
//! ```

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::sync::OnceLock;

use divan::Bencher;
use soniox::blocking::Client;
use soniox::mock::MockServer;

fn main() {
    divan::main();
}

struct Fixture {
    client: Client,
    raw: ureq::Agent,
    defaults: ureq::Agent,
    url: String,
    auth: String,
}

fn fixture() -> &'static Fixture {
    static MOCK: OnceLock<MockServer> = OnceLock::new();
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mock = MOCK.get_or_init(MockServer::start);
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()
            .unwrap();
        Fixture {
            client,
            raw: floors::ureq_agent(floors::SDK_MAX_IDLE),
            defaults: floors::ureq_defaults(),
            url: format!("{}/v1/models", mock.base_url()),
            auth: format!("Bearer {}", mock.api_key()),
        }
    })
}

/// The SDK: build, send (with the connection limit and retry loop), classify, decode.
#[divan::bench]
fn models_list_sdk(b: Bencher) {
    let f = fixture();
    b.bench(|| f.client.models().list().unwrap());
}

/// Raw ureq with the SDK's settings plus the same typed decode the SDK does: the fair floor.
#[divan::bench]
fn models_list_raw_ureq_decoded(b: Bencher) {
    let f = fixture();
    b.bench(|| floors::ureq_models(&f.raw, &f.url, &f.auth).unwrap());
}

/// Informational: the same GET on the same agent, body read as bytes (no decoding).
#[divan::bench]
fn models_list_raw_ureq_bytes(b: Bencher) {
    let f = fixture();
    b.bench(|| {
        f.raw
            .get(&f.url)
            .header("authorization", &f.auth)
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap()
    });
}

/// Informational ("raw, defaults"): the fair floor's work on ureq out of the box.
#[divan::bench]
fn models_list_raw_ureq_defaults(b: Bencher) {
    let f = fixture();
    b.bench(|| floors::ureq_models(&f.defaults, &f.url, &f.auth).unwrap());
}
