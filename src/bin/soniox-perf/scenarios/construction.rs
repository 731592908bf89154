//! Client construction: `Client::builder().api_key(..).base_url(..).build()` for both clients,
//! next to a bare ureq agent and a bare surf client; and the heap a client holds once built.

use std::hint::black_box;

use super::{blocking, nonblocking, Plan};
use crate::measure::interleave;
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::{alloc, report_text::us};

const GROUP: &str = "Client construction";

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.construction;
    let mut out = Vec::new();

    let pair = interleave(
        rounds,
        n,
        plan.budget,
        &mut || blocking(mock, 100).map(|c| drop(black_box(c))),
        &mut || {
            drop(black_box(ureq::Agent::new_with_defaults()));
            Ok(())
        },
    )?;
    let m = latency(
        "construction.blocking",
        &pair,
        100.0,
        "bare ureq::Agent::new_with_defaults()",
    );
    out.push(m.gate(Field::Ratio, Better::Lower, 0.0));

    let pair = interleave(
        rounds.min(10),
        (n / 5).max(2),
        plan.budget,
        &mut || nonblocking(mock, 100).map(|c| drop(black_box(c))),
        &mut || {
            drop(black_box(surf::Client::new()));
            Ok(())
        },
    )?;
    // Not gated: both sides start libcurl's agent thread, whose start-up time swings from
    // 0.7× to 2.3× between quick runs on a loaded machine.
    out.push(latency(
        "construction.async",
        &pair,
        10_000.0,
        "bare surf::Client::new() (curl)",
    ));

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
    out.push(heap(
        "construction.async.heap_bytes",
        &before,
        &after,
        "async (Rust heap only; libcurl's own malloc is not counted)",
    ));
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
            "build + drop, {} rounds interleaved with a raw baseline: {raw}; plan: < 10 ms",
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
