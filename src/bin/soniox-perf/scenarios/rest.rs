//! REST: `models().list()` through each client, interleaved with a raw loop of the same HTTP
//! stack doing the same GET and the same typed decode (blocking: ureq; async: surf over curl).

use async_std::task::block_on;
use soniox::types::Model;

use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::measure::{interleave, latency, Pair};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::python_sdk;

const GROUP: &str = "REST";
/// The official Python SDK's client CPU per REST call on this machine, as issue 5 quotes it:
/// 700–900 µs; the target is a fifth of the low end. `--python-sdk` replaces it with a figure
/// measured in the same run.
pub const PYTHON_REST_CPU_US: f64 = 700.0;

#[derive(serde::Deserialize)]
struct Models {
    #[allow(dead_code)]
    models: Vec<Model>,
}

fn decode(body: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<Models>(body)
        .map(drop)
        .map_err(|e| format!("raw decode: {e}"))
}

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.rest;
    let url = format!("{}/v1/models", mock.base_url());
    let auth = bearer();

    let client = blocking(mock, 100)?;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let pair = interleave(
        rounds,
        n,
        plan.budget,
        &mut || client.models().list().map(drop).map_err(sdk("models().list()")),
        &mut || {
            let mut resp = agent
                .get(&url)
                .header("authorization", &auth)
                .call()
                .map_err(|e| format!("raw ureq: {e}"))?;
            let body = resp
                .body_mut()
                .read_to_vec()
                .map_err(|e| format!("raw ureq body: {e}"))?;
            decode(&body)
        },
    )?;
    let mut out = metrics("rest.blocking.models_list", "raw ureq", &pair);
    drop(client);

    let client = nonblocking(mock, 100)?;
    let raw = surf::Client::new();
    let pair = interleave(
        rounds,
        n,
        plan.budget,
        &mut || {
            block_on(client.models().list())
                .map(drop)
                .map_err(sdk("async models().list()"))
        },
        &mut || {
            block_on(async {
                let body = raw
                    .get(&url)
                    .header("authorization", auth.as_str())
                    .recv_bytes()
                    .await
                    .map_err(|e| format!("raw surf: {e}"))?;
                decode(&body)
            })
        },
    )?;
    out.extend(metrics("rest.async.models_list", "raw surf (curl)", &pair));
    Ok(out)
}

/// Throughput, latency, CPU and allocations of one comparison.
pub fn metrics(name: &str, raw: &str, pair: &Pair) -> Vec<Metric> {
    let how = format!(
        "{} rounds interleaved with {raw} (GET + the same typed decode)",
        pair.rounds
    );
    let (s, r) = (&pair.sdk, &pair.raw);
    let mut out = vec![
        Metric::new(GROUP, &format!("{name}.throughput"), 1e6 / s.wall_us, "req/s")
            .raw_with_ratio(1e6 / r.wall_us, r.wall_us / s.wall_us)
            .target(Target::ge(Field::Ratio, 0.9, format!("≥ 0.9 × {raw}")))
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(format!("one caller, sequential; {how}")),
        latency(GROUP, &format!("{name}.latency"), pair).note(format!("per call; value = p50; {how}")),
    ];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        out.push(
            Metric::new(GROUP, &format!("{name}.cpu_per_call"), sc, "µs")
                .raw(rc)
                .target(Target::le(Field::Ratio, 1.15, format!("≤ 1.15 × {raw}")))
                .target(python_sdk::quoted_target(PYTHON_REST_CPU_US))
                .gate(Field::Ratio, Better::Lower, 0.0)
                .note(format!(
                    "client CPU (all threads of this process; the mock is a child process); {how}"
                )),
        );
    }
    out.push(
        Metric::new(GROUP, &format!("{name}.allocs_per_call"), s.allocs, "allocs")
            .raw(r.allocs)
            .gate(Field::Value, Better::Lower, 2.0)
            .note(format!(
                "Rust heap allocations per call (bytes: SDK {:.0}, raw {:.0}); {how}",
                s.alloc_bytes, r.alloc_bytes
            )),
    );
    out
}
