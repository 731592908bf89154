//! Client construction: `Client::builder().api_key(..).base_url(..).build()` for both clients.
//! The blocking client is interleaved with the fair raw floor (see [`floors`]): a ureq agent
//! configured as the SDK configures its own, with ureq out of the box in the same rounds as
//! "raw, defaults". The async client has no raw counterpart to build: its floor, async-h1, is
//! a function over a stream a caller opens, and a raw futures-rustls user shares one rustls
//! config as the SDK does (built once per process). So it is interleaved with the blocking
//! client instead, which gates its ratio (the async client must not drift away from the
//! blocking one), and it carries the absolute target "median ≤ 100 µs" (reported; the gate
//! never compares wall-clock figures). And the heap a client holds once built.

use std::hint::black_box;

use super::floors;
use super::{blocking, nonblocking, Plan};
use crate::measure::{compare, vs_defaults};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::{alloc, report_text::us};

const GROUP: &str = "Client construction";

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.construction;
    let mut out = Vec::new();

    let pair = compare(
        rounds,
        n,
        plan.budget,
        None,
        &mut || blocking(mock, 100).map(|c| drop(black_box(c))),
        &mut || {
            drop(black_box(floors::ureq_agent(floors::SDK_MAX_IDLE)));
            Ok(())
        },
        Some(&mut || {
            drop(black_box(ureq::Agent::new_with_defaults()));
            Ok(())
        }),
    )?;
    let m = latency(
        "construction.blocking",
        &pair,
        100.0,
        "a raw baseline: a ureq agent with the SDK's settings",
    );
    out.push(m.gate(Field::Ratio, Better::Lower, 0.0));
    out.extend(vs_defaults(
        GROUP,
        "construction.blocking",
        &pair,
        "ureq::Agent::new_with_defaults()",
    ));

    let pair = compare(
        rounds,
        n,
        plan.budget,
        None,
        &mut || nonblocking(mock, 100).map(|c| drop(black_box(c))),
        &mut || blocking(mock, 100).map(|c| drop(black_box(c))),
        None,
    )?;
    out.push(
        latency(
            "construction.async",
            &pair,
            100.0,
            "the blocking client (Client::builder()..build() with the same settings)",
        )
        .gate(Field::Ratio, Better::Lower, 0.0),
    );

    // The heap a client keeps, measured on a fresh one held alive.
    let before = alloc::snapshot();
    let client = blocking(mock, 100)?;
    let after = alloc::snapshot();
    drop(black_box(client));
    out.push(heap("construction.blocking.heap_bytes", &before, &after, "blocking"));
    let before = alloc::snapshot();
    let client = nonblocking(mock, 100)?;
    let after = alloc::snapshot();
    drop(black_box(client));
    out.push(heap("construction.async.heap_bytes", &before, &after, "async"));
    Ok(out)
}

fn latency(name: &str, pair: &crate::measure::Pair, target_us: f64, raw: &str) -> Metric {
    crate::measure::latency(GROUP, &format!("{name}.p50"), pair)
        .target(Target::le(
            Field::Value,
            target_us,
            format!("median ≤ {}", us(target_us)),
        ))
        .note(format!(
            "build + drop, {} rounds interleaved with {raw}; plan: < 10 ms",
            pair.rounds
        ))
}

fn heap(name: &str, before: &alloc::Snapshot, after: &alloc::Snapshot, what: &str) -> Metric {
    let live = after.live.saturating_sub(before.live) as f64;
    Metric::new(GROUP, name, live, "B")
        .target(Target::le(Field::Value, 5.0 * 1024.0 * 1024.0, "< 5 MB (plan)"))
        .gate(Field::Value, Better::Lower, 1024.0)
        .note(format!(
            "{what} client: bytes live once built, in {} allocations",
            after.allocs_since(before)
        ))
}
