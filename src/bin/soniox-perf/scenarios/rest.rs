//! REST: `models().list()` through each client, interleaved with the fair raw floor of the
//! same stack (see [`floors`]): the same GET and the same typed decode, over a client
//! configured as the SDK configures its own (blocking: a ureq agent with the SDK's buffers,
//! pool and timeouts; async: surf over libcurl with the SDK's curl settings). The stack out of
//! the box (`ureq` defaults, `surf::Client::new()`) runs in the same rounds as the
//! informational "raw, defaults" figure.

use async_std::task::block_on;

use super::floors;
use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::measure::{compare, latency, vs_defaults, Pair};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::python_sdk;

const GROUP: &str = "REST";
/// The official Python SDK's client CPU per REST call on this machine, as issue 5 quotes it:
/// 700–900 µs; the target is a fifth of the low end. `--python-sdk` replaces it with a figure
/// measured in the same run.
pub const PYTHON_REST_CPU_US: f64 = 700.0;

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.rest;
    let url = format!("{}/v1/models", mock.base_url());
    let auth = bearer();
    let mut out = Vec::new();

    let client = blocking(mock, 100)?;
    let agent = floors::ureq_agent(floors::SDK_MAX_IDLE);
    let defaults = floors::ureq_defaults();
    let name = "rest.blocking.models_list";
    let pair = compare(
        rounds,
        n,
        plan.budget,
        None,
        &mut || client.models().list().map(drop).map_err(sdk("models().list()")),
        &mut || floors::ureq_models(&agent, &url, &auth).map(drop),
        Some(&mut || floors::ureq_models(&defaults, &url, &auth).map(drop)),
    )?;
    out.extend(metrics(
        name,
        "raw ureq",
        "a ureq agent with the SDK's settings (TCP_NODELAY, 80/32 KiB buffers, per-phase timeouts, pool of 20)",
        &pair,
    ));
    out.extend(vs_defaults(
        GROUP,
        name,
        &pair,
        "ureq out of the box (128 KiB buffers, pool of 3 per host)",
    ));
    drop(client);

    let client = nonblocking(mock, 100)?;
    let raw = floors::surf_client(floors::SDK_MAX_CONNECTIONS)?;
    let defaults = floors::surf_defaults();
    let name = "rest.async.models_list";
    let pair = compare(
        rounds,
        n,
        plan.budget,
        None,
        &mut || {
            block_on(client.models().list())
                .map(drop)
                .map_err(sdk("async models().list()"))
        },
        &mut || block_on(floors::surf_models(&raw, &url, &auth)).map(drop),
        Some(&mut || block_on(floors::surf_models(&defaults, &url, &auth)).map(drop)),
    )?;
    out.extend(metrics(
        name,
        "raw surf (curl)",
        "surf over libcurl with the SDK's curl settings (TCP_NODELAY, timeouts, cache of 100)",
        &pair,
    ));
    out.extend(vs_defaults(
        GROUP,
        name,
        &pair,
        "surf::Client::new() (libcurl's defaults)",
    ));
    Ok(out)
}

/// Why the async client misses its REST throughput and CPU targets against the fair floor.
const ASYNC_KNOWN_MISS: &str = "CPU 1.13–1.23 × and throughput 0.90–0.96 × the fair floor in four full runs \
     (3 Dec 2026): the SDK's models().list() future is 7,120 bytes against raw surf's 776, and \
     moving it costs 147 k instructions of memcpy per call against 30 k (1.22 × in all, by \
     callgrind); issue 15 replaces this backend";

/// Throughput, latency, CPU and allocations of one comparison.
pub fn metrics(name: &str, raw: &str, floor: &str, pair: &Pair) -> Vec<Metric> {
    let how = format!(
        "{} rounds interleaved with the fair floor: {floor}, the same GET and the same typed decode",
        pair.rounds
    );
    let (s, r) = (&pair.sdk, &pair.raw);
    // The async client on surf + libcurl misses these two against the fair floor (README).
    let known = |t: Target| match name.contains(".async.") {
        true => t.known_miss(ASYNC_KNOWN_MISS),
        false => t,
    };
    let mut out = vec![
        Metric::new(GROUP, &format!("{name}.throughput"), 1e6 / s.wall_us, "req/s")
            .raw_with_ratio(1e6 / r.wall_us, r.wall_us / s.wall_us)
            .target(known(Target::ge(Field::Ratio, 0.9, format!("≥ 0.9 × {raw}"))))
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(format!("one caller, sequential; {how}")),
        latency(GROUP, &format!("{name}.latency"), pair).note(format!("per call; value = p50; {how}")),
    ];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        let cpu = Metric::new(GROUP, &format!("{name}.cpu_per_call"), sc, "µs")
            .raw(rc)
            .target(known(Target::le(Field::Ratio, 1.15, format!("≤ 1.15 × {raw}"))))
            .gate(Field::Ratio, Better::Lower, 0.0)
            .note(format!(
                "client CPU (all threads of this process; the mock is a child process); {how}"
            ));
        out.push(python_sdk::quote(cpu, PYTHON_REST_CPU_US));
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
