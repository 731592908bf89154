//! REST throughput against the in-process mock: the SDK next to a raw ureq loop in the
//! same run. Compare the ratios, not the absolute times (the machine is shared).
//!
//! ```text
//! cargo bench --bench rest
//! ```

use std::sync::OnceLock;

use divan::Bencher;
use soniox::blocking::Client;
use soniox::mock::MockServer;
use soniox::types::Model;

fn main() {
    divan::main();
}

struct Fixture {
    mock: MockServer,
    client: Client,
    raw: ureq::Agent,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mock = MockServer::start();
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()
            .unwrap();
        let raw: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Fixture { mock, client, raw }
    })
}

fn raw_get(f: &Fixture) -> Vec<u8> {
    let url = format!("{}/v1/models", f.mock.base_url());
    let mut resp = f
        .raw
        .get(&url)
        .header("authorization", format!("Bearer {}", f.mock.api_key()))
        .call()
        .unwrap();
    resp.body_mut().read_to_vec().unwrap()
}

/// The SDK: build, send (with the connection limit and retry loop), classify, decode.
#[divan::bench]
fn models_list_sdk(b: Bencher) {
    let f = fixture();
    b.bench(|| f.client.models().list().unwrap());
}

/// Raw ureq: the same GET, body read as bytes (no decoding).
#[divan::bench]
fn models_list_raw_ureq_bytes(b: Bencher) {
    let f = fixture();
    b.bench(|| raw_get(f));
}

/// Raw ureq plus the same typed decode the SDK does: the fair baseline.
#[divan::bench]
fn models_list_raw_ureq_decoded(b: Bencher) {
    #[derive(serde::Deserialize)]
    struct Models {
        models: Vec<Model>,
    }
    let f = fixture();
    b.bench(|| serde_json::from_slice::<Models>(&raw_get(f)).unwrap().models);
}
