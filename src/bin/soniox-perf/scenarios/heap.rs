//! Heap growth: the live heap before and after 1000 `models().list()` calls (after a warm-up
//! that opens the pooled connection), for both clients. Zero growth means nothing per request
//! outlives the request.

use std::hint::black_box;

use async_std::task::block_on;

use super::{blocking, nonblocking, sdk, Plan};
use crate::alloc;
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;

const GROUP: &str = "Heap";
const WARM_UP: usize = 50;

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let n = plan.leak_requests;
    let client = blocking(mock, 100)?;
    let call = || {
        client
            .models()
            .list()
            .map(|m| drop(black_box(m)))
            .map_err(sdk("models().list()"))
    };
    let blocking = growth(n, call)?;
    drop(client);
    let client = nonblocking(mock, 100)?;
    let call = || {
        block_on(client.models().list())
            .map(|m| drop(black_box(m)))
            .map_err(sdk("async models().list()"))
    };
    let nonblocking = growth(n, call)?;
    Ok(vec![
        metric("heap.blocking.live_growth", n, blocking, ""),
        metric("heap.async.live_growth", n, nonblocking, ""),
    ])
}

/// (live growth in bytes, live before, live after) over `n` calls after the warm-up.
fn growth(n: usize, mut call: impl FnMut() -> Result<(), String>) -> Result<(i64, u64, u64), String> {
    for _ in 0..WARM_UP {
        call()?;
    }
    let before = alloc::snapshot().live;
    for _ in 0..n {
        call()?;
    }
    let after = alloc::snapshot().live;
    Ok((after as i64 - before as i64, before, after))
}

fn metric(name: &str, n: usize, (growth, before, after): (i64, u64, u64), extra: &str) -> Metric {
    Metric::new(GROUP, name, growth as f64, "B")
        .target(Target::le(Field::Value, 0.0, "no growth"))
        .gate(Field::Value, Better::Lower, 512.0)
        .note(format!(
            "live heap over {n} models().list() after {WARM_UP} warm-up calls: {before} → {after} bytes{extra}"
        ))
}
