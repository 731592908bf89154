//! The measuring harness: interleaved SDK-vs-raw rounds (as `benches/ratios.rs` does), with
//! per-operation latency histograms, CPU time and allocation counts per operation.
//!
//! Each round runs a batch through the SDK, then the same batch through the raw baseline (the
//! order alternates between rounds), so both see the same machine load. Figures per side are
//! medians of the per-round averages; latency percentiles come from every single operation.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::metric::{Dist, Metric};
use crate::{alloc, cpu};

/// An operation under test: one call, or one round trip.
pub type Op<'a> = &'a mut dyn FnMut() -> Result<(), String>;

/// The quantiles kept for the percentile charts.
const CURVE: [f64; 11] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1.0];

/// A histogram of nanoseconds, 1 ns to 100 s, 3 significant digits; recording never allocates.
pub fn histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts (low ≥ 1, high ≥ 2 × low, sigfig ≤ 5).
    Histogram::new_with_bounds(1, 100_000_000_000, 3).unwrap_or_else(|_| unreachable!("valid bounds"))
}

/// Percentiles of a nanosecond histogram, in microseconds; `None` when empty.
pub fn dist_us(h: &Histogram<u64>) -> Option<Dist> {
    if h.is_empty() {
        return None;
    }
    let us = |ns: u64| ns as f64 / 1000.0;
    Some(Dist {
        count: h.len(),
        p50: us(h.value_at_quantile(0.5)),
        p95: us(h.value_at_quantile(0.95)),
        p99: us(h.value_at_quantile(0.99)),
        max: us(h.max()),
        curve: CURVE.iter().map(|&q| (q, us(h.value_at_quantile(q)))).collect(),
    })
}

/// The median (upper median for even lengths); 0 for an empty slice.
pub fn median(v: &[f64]) -> f64 {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One side of a comparison.
pub struct Side {
    /// Median over rounds of wall-clock µs per operation.
    pub wall_us: f64,
    /// Median over rounds of process CPU µs per operation (`None` without schedstat).
    pub cpu_us: Option<f64>,
    /// Median over rounds of allocations per operation.
    pub allocs: f64,
    /// Median over rounds of bytes allocated per operation.
    pub alloc_bytes: f64,
    /// Every operation's latency, ns.
    pub hist: Histogram<u64>,
}

/// Both sides of a comparison.
pub struct Pair {
    /// The SDK.
    pub sdk: Side,
    /// The raw baseline.
    pub raw: Side,
    /// Rounds run (at most the requested, fewer when the time budget ran out).
    pub rounds: usize,
}

/// A latency record of a comparison: value and raw are the medians (µs) of every
/// operation's latency, with both distributions attached.
pub fn latency(group: &str, name: &str, pair: &Pair) -> Metric {
    let (sdk, raw) = (dist_us(&pair.sdk.hist), dist_us(&pair.raw.hist));
    let p50 = |d: &Option<Dist>| d.as_ref().map_or(f64::NAN, |d| d.p50);
    Metric::new(group, name, p50(&sdk), "µs").raw(p50(&raw)).dists(sdk, raw)
}

#[derive(Default)]
struct Rounds {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    allocs: Vec<f64>,
    bytes: Vec<f64>,
}

fn batch(
    op: Op<'_>,
    n: usize,
    gap: Option<Duration>,
    hist: &mut Histogram<u64>,
    acc: &mut Rounds,
) -> Result<(), String> {
    let c0 = cpu::process_ns();
    let own0 = cpu::thread_ns();
    let a0 = alloc::snapshot();
    let t0 = Instant::now();
    let mut last = t0;
    let mut wall = Duration::ZERO;
    // With pauses: this thread's CPU inside the operations only (not the sleeps).
    let mut own_in_ops = 0u64;
    for _ in 0..n {
        let mut own = 0;
        if let Some(gap) = gap {
            std::thread::sleep(gap);
            own = cpu::thread_ns();
            last = Instant::now();
        }
        op()?;
        let now = Instant::now();
        if gap.is_some() {
            own_in_ops += cpu::thread_ns().saturating_sub(own);
        }
        hist.saturating_record((now - last).as_nanos().max(1) as u64);
        wall += now - last;
        last = now;
    }
    let a1 = alloc::snapshot();
    let own1 = cpu::thread_ns();
    let c1 = cpu::process_ns();
    let per = |x: f64| x / n as f64;
    acc.wall.push(per(wall.as_secs_f64() * 1e6));
    if let (Some(c0), Some(c1)) = (c0, c1) {
        let all = c1.saturating_sub(c0);
        // Paced: the operations' share of this thread, plus every other thread's whole
        // time (the clients' own threads: the realtime keeper, libcurl's agent).
        let counted = match gap {
            None => all,
            Some(_) => own_in_ops + all.saturating_sub(own1.saturating_sub(own0)),
        };
        acc.cpu.push(per(counted as f64 / 1000.0));
    }
    acc.allocs.push(per(a1.allocs_since(&a0) as f64));
    acc.bytes.push(per(a1.bytes_since(&a0) as f64));
    Ok(())
}

fn side(r: Rounds, hist: Histogram<u64>) -> Side {
    Side {
        wall_us: median(&r.wall),
        cpu_us: (!r.cpu.is_empty()).then(|| median(&r.cpu)),
        allocs: median(&r.allocs),
        alloc_bytes: median(&r.bytes),
        hist,
    }
}

/// Runs one warm-up batch of each, then up to `rounds` interleaved rounds of `n` operations
/// each, stopping early (after at least 3 rounds) once `budget` is spent.
pub fn interleave(rounds: usize, n: usize, budget: Duration, sdk: Op<'_>, raw: Op<'_>) -> Result<Pair, String> {
    interleave_paced(rounds, n, budget, None, sdk, raw)
}

/// As [`interleave`], with (when `gap` is given) an idle pause of `gap` before every
/// operation, outside its timing: operations that arrive at a pace, as audio chunks
/// do, rather than back to back. Latency, wall time and allocations then count the
/// operations alone; CPU counts this thread inside the operations (not its sleeps) and the
/// other threads throughout.
pub fn interleave_paced(
    rounds: usize,
    n: usize,
    budget: Duration,
    gap: Option<Duration>,
    sdk: Op<'_>,
    raw: Op<'_>,
) -> Result<Pair, String> {
    for _ in 0..n.min(50) {
        sdk()?;
        raw()?;
    }
    let (mut hs, mut hr) = (histogram(), histogram());
    let (mut s, mut r) = (Rounds::default(), Rounds::default());
    let start = Instant::now();
    let mut done = 0;
    while done < rounds && (done < 3 || start.elapsed() < budget) {
        if done % 2 == 0 {
            batch(&mut *sdk, n, gap, &mut hs, &mut s)?;
            batch(&mut *raw, n, gap, &mut hr, &mut r)?;
        } else {
            batch(&mut *raw, n, gap, &mut hr, &mut r)?;
            batch(&mut *sdk, n, gap, &mut hs, &mut s)?;
        }
        done += 1;
    }
    Ok(Pair {
        sdk: side(s, hs),
        raw: side(r, hr),
        rounds: done,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_ignores_order_and_non_finite_values() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn percentiles_come_out_in_microseconds() {
        let mut h = histogram();
        for ns in 1..=1000u64 {
            h.record(ns * 1000).unwrap();
        }
        let d = dist_us(&h).unwrap();
        assert_eq!(d.count, 1000);
        assert!((d.p50 - 500.0).abs() <= 1.0, "{}", d.p50);
        assert!((d.p99 - 990.0).abs() <= 1.0, "{}", d.p99);
        assert_eq!(d.curve.len(), CURVE.len());
        assert!(d.curve.windows(2).all(|w| w[0].1 <= w[1].1));
        assert!(dist_us(&histogram()).is_none());
    }

    #[test]
    fn paced_operations_are_timed_without_their_pauses() {
        let pair = interleave_paced(
            3,
            5,
            Duration::from_secs(60),
            Some(Duration::from_millis(20)),
            &mut || Ok(()),
            &mut || Ok(()),
        )
        .unwrap();
        let slowest = pair.sdk.hist.max().max(pair.raw.hist.max());
        // An empty operation: nowhere near the 20 ms pause before it.
        assert!(slowest < 20_000_000, "{slowest} ns");
        assert_eq!(pair.sdk.hist.len(), 15);
        assert_eq!(pair.raw.hist.len(), 15);
    }

    #[test]
    fn interleaving_runs_each_side_the_same_number_of_times() {
        let (mut a, mut b) = (0usize, 0usize);
        let pair = interleave(
            4,
            10,
            Duration::from_secs(60),
            &mut || {
                a += 1;
                Ok(())
            },
            &mut || {
                b += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(pair.rounds, 4);
        assert_eq!((a, b), (50, 50), "10 warm-up + 4 × 10 each");
        assert_eq!(pair.sdk.hist.len(), 40);
        assert_eq!(pair.raw.hist.len(), 40);
    }

    #[test]
    fn an_error_stops_the_comparison() {
        let r = interleave(3, 5, Duration::from_secs(1), &mut || Ok(()), &mut || Err("boom".into()));
        assert_eq!(r.err().as_deref(), Some("boom"));
    }
}
