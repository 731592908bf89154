//! The measuring harness: interleaved SDK-vs-raw rounds (as `benches/ratios.rs` does), with
//! per-operation latency histograms, CPU time and allocation counts per operation.
//!
//! Each round runs a batch through the SDK, then the same batch through the raw floor (and,
//! where measured, through the stack out of the box: "raw, defaults"); the order reverses
//! every other round ([`order`]), so all sides see the same machine load. Figures per side are
//! medians of the per-round averages; latency percentiles come from every single operation.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::metric::{Dist, Metric};
use crate::{alloc, cpu};

/// An operation under test: one call, or one round trip.
pub type Op<'a> = &'a mut dyn FnMut() -> Result<(), String>;

/// `n` operations in a row, calling `done` after each one (which times it): an async
/// client's calls made from inside one running executor, as an async program makes them,
/// rather than each in a fresh `block_on` (whose entry and exit hand async-io's reactor to
/// its helper thread and back, a cost of the harness, not of the client).
pub type Batch<'a> = &'a mut dyn FnMut(usize, &mut dyn FnMut()) -> Result<(), String>;

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
#[derive(Clone)]
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

/// Both sides of a comparison, and the stack's defaults where they were measured too.
pub struct Pair {
    /// The SDK.
    pub sdk: Side,
    /// The raw floor: the same stack as the SDK configures it, doing the same work.
    pub raw: Side,
    /// The same raw work on the stack out of the box (informational), when measured.
    pub defaults: Option<Side>,
    /// Rounds run (at most the requested, fewer when the time budget ran out).
    pub rounds: usize,
}

/// A latency record of a comparison: value and raw are the medians (µs) of every
/// operation's latency, with both distributions attached.
pub fn latency(group: &str, name: &str, pair: &Pair) -> Metric {
    side_latency(group, name, &pair.sdk, &pair.raw)
}

fn side_latency(group: &str, name: &str, sdk: &Side, raw: &Side) -> Metric {
    let (sdk, raw) = (dist_us(&sdk.hist), dist_us(&raw.hist));
    let p50 = |d: &Option<Dist>| d.as_ref().map_or(f64::NAN, |d| d.p50);
    Metric::new(group, name, p50(&sdk), "µs").raw(p50(&raw)).dists(sdk, raw)
}

/// How every "raw, defaults" record is labelled.
pub const DEFAULTS: &str = "raw, defaults";

/// The informational "raw, defaults" records of a comparison that measured the stack's
/// defaults: `{name}.latency.vs_raw_defaults` (p50) and, with CPU figures,
/// `{name}.cpu.vs_raw_defaults`; value = the SDK's, raw = the defaults'. Never gated, no
/// target. `what` says what the defaults are.
pub fn vs_defaults(group: &str, name: &str, pair: &Pair, what: &str) -> Vec<Metric> {
    let Some(d) = &pair.defaults else {
        return Vec::new();
    };
    let note = format!(
        "{DEFAULTS} (informational, not gated): the same raw work on {what}; {} rounds \
         interleaved with the SDK and the fair floor",
        pair.rounds
    );
    let mut out = vec![
        side_latency(group, &format!("{name}.latency.vs_raw_defaults"), &pair.sdk, d)
            .note(format!("value = SDK p50, raw = {note}")),
    ];
    if let (Some(sc), Some(dc)) = (pair.sdk.cpu_us, d.cpu_us) {
        out.push(
            Metric::new(group, &format!("{name}.cpu.vs_raw_defaults"), sc, "µs")
                .raw(dc)
                .note(format!("client CPU per operation, SDK vs {note}")),
        );
    }
    out
}

#[derive(Default)]
struct Rounds {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    allocs: Vec<f64>,
    bytes: Vec<f64>,
}

/// Where the harness reads the time and how it pauses: the real clock, or a test's.
pub trait Clock {
    /// Time since an arbitrary origin.
    fn now(&self) -> Duration;
    /// An idle pause of `d`.
    fn pause(&self, d: Duration);
}

/// The monotonic clock and `thread::sleep`.
pub struct RealClock(Instant);

impl RealClock {
    /// A clock starting now.
    pub fn new() -> RealClock {
        RealClock(Instant::now())
    }
}

impl Clock for RealClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }

    fn pause(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

fn batch(
    clock: &dyn Clock,
    run: Batch<'_>,
    n: usize,
    gap: Option<Duration>,
    hist: &mut Histogram<u64>,
    acc: &mut Rounds,
) -> Result<(), String> {
    let c0 = cpu::process_ns();
    let own0 = cpu::thread_ns();
    let a0 = alloc::snapshot();
    let mut wall = Duration::ZERO;
    // With pauses: this thread's CPU inside the operations only (not the sleeps).
    let mut own_in_ops = 0u64;
    let mut own = 0;
    if let Some(gap) = gap {
        clock.pause(gap);
        own = cpu::thread_ns();
    }
    let mut last = clock.now();
    let mut timed = 0;
    run(n, &mut || {
        let now = clock.now();
        if gap.is_some() {
            own_in_ops += cpu::thread_ns().saturating_sub(own);
        }
        let took = now.saturating_sub(last);
        hist.saturating_record(took.as_nanos().max(1) as u64);
        wall += took;
        timed += 1;
        last = now;
        if let Some(gap) = gap.filter(|_| timed < n) {
            clock.pause(gap);
            own = cpu::thread_ns();
            last = clock.now();
        }
    })?;
    if timed != n {
        return Err(format!("a batch of {n} operations reported {timed}"));
    }
    let a1 = alloc::snapshot();
    let own1 = cpu::thread_ns();
    let c1 = cpu::process_ns();
    let per = |x: f64| x / n as f64;
    acc.wall.push(per(wall.as_secs_f64() * 1e6));
    if let (Some(c0), Some(c1)) = (c0, c1) {
        let all = c1.saturating_sub(c0);
        // Paced: the operations' share of this thread, plus every other thread's whole
        // time (the clients' own threads, and any runtime thread their I/O wakes).
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

/// The order in which `sides` sides run their batches in round `round`: forwards in even
/// rounds, backwards in odd ones, so that over any two rounds each side runs first and last
/// equally often and every pair of sides swaps places (the machine's load drifts; no side
/// may always follow another).
pub fn order(round: usize, sides: usize) -> Vec<usize> {
    if round % 2 == 0 {
        (0..sides).collect()
    } else {
        (0..sides).rev().collect()
    }
}

/// Runs one warm-up batch of each, then up to `rounds` interleaved rounds of `n` operations
/// each, stopping early (after at least 3 rounds) once `budget` is spent.
pub fn interleave(rounds: usize, n: usize, budget: Duration, sdk: Op<'_>, raw: Op<'_>) -> Result<Pair, String> {
    compare(rounds, n, budget, None, sdk, raw, None)
}

/// As [`interleave`], with (when `gap` is given) an idle pause of `gap` before every
/// operation, outside its timing: operations that arrive at a pace, as audio chunks
/// do, rather than back to back. Latency, wall time and allocations then count the
/// operations alone; CPU counts this thread inside the operations (not its sleeps) and the
/// other threads throughout. With `defaults`, the stack out of the box runs as a third side
/// in the same rounds.
pub fn compare<'a>(
    rounds: usize,
    n: usize,
    budget: Duration,
    gap: Option<Duration>,
    sdk: Op<'a>,
    raw: Op<'a>,
    defaults: Option<Op<'a>>,
) -> Result<Pair, String> {
    let mut ops: Vec<Op<'a>> = vec![sdk, raw];
    ops.extend(defaults);
    let (mut sides, done) = sides(&RealClock::new(), rounds, n, budget, gap, &mut ops)?;
    let defaults = (sides.len() > 2).then(|| sides.remove(2));
    let raw = sides.remove(1);
    let sdk = sides.remove(0);
    Ok(Pair {
        sdk,
        raw,
        defaults,
        rounds: done,
    })
}

/// As [`compare`], for any number of sides run in the same rounds: each side's figures, in
/// `ops`' order, and the rounds run. For comparisons that need more than the SDK, its floor
/// and the stack's defaults (the async REST rounds also run the blocking client).
pub fn compare_all(
    rounds: usize,
    n: usize,
    budget: Duration,
    gap: Option<Duration>,
    ops: &mut [Batch<'_>],
) -> Result<(Vec<Side>, usize), String> {
    batch_sides(&RealClock::new(), rounds, n, budget, gap, ops)
}

/// One operation at a time as a [`Batch`] side of [`compare_all`].
pub fn each<'a>(op: Op<'a>) -> impl FnMut(usize, &mut dyn FnMut()) -> Result<(), String> + 'a {
    move |n, done| {
        for _ in 0..n {
            op()?;
            done();
        }
        Ok(())
    }
}

/// The comparison itself, on `clock`: a warm-up batch of each side (at most 50 operations),
/// then up to `rounds` rounds in [`order`]; returns each side (in `ops`' order) and the
/// rounds run.
fn sides(
    clock: &dyn Clock,
    rounds: usize,
    n: usize,
    budget: Duration,
    gap: Option<Duration>,
    ops: &mut [Op<'_>],
) -> Result<(Vec<Side>, usize), String> {
    let mut singles: Vec<_> = ops.iter_mut().map(|op| each(&mut **op)).collect();
    let mut batches: Vec<Batch<'_>> = singles.iter_mut().map(|b| b as Batch<'_>).collect();
    batch_sides(clock, rounds, n, budget, gap, &mut batches)
}

/// As [`sides`], for sides that run their operations as batches.
fn batch_sides(
    clock: &dyn Clock,
    rounds: usize,
    n: usize,
    budget: Duration,
    gap: Option<Duration>,
    ops: &mut [Batch<'_>],
) -> Result<(Vec<Side>, usize), String> {
    for op in ops.iter_mut() {
        op(n.min(50), &mut || {})?;
    }
    let mut hists: Vec<Histogram<u64>> = ops.iter().map(|_| histogram()).collect();
    let mut acc: Vec<Rounds> = ops.iter().map(|_| Rounds::default()).collect();
    let start = clock.now();
    let mut done = 0;
    while done < rounds && (done < 3 || clock.now().saturating_sub(start) < budget) {
        for i in order(done, ops.len()) {
            batch(clock, &mut *ops[i], n, gap, &mut hists[i], &mut acc[i])?;
        }
        done += 1;
    }
    let sides = acc.into_iter().zip(hists).map(|(r, h)| side(r, h)).collect();
    Ok((sides, done))
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

    /// A clock that only moves when told: by each pause, and by the operations themselves.
    struct FakeClock(std::cell::Cell<Duration>);

    impl FakeClock {
        fn advance(&self, d: Duration) {
            self.0.set(self.0.get() + d);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.0.get()
        }

        fn pause(&self, d: Duration) {
            self.advance(d);
        }
    }

    #[test]
    fn paced_operations_are_timed_without_their_pauses() {
        // Deterministic: every pause moves the clock 20 ms, every operation 1 µs (sdk) or
        // 2 µs (raw); each recorded latency must be the operation's alone.
        let clock = FakeClock(std::cell::Cell::new(Duration::ZERO));
        let (a, b) = (Duration::from_micros(1), Duration::from_micros(2));
        let mut sdk = || {
            clock.advance(a);
            Ok(())
        };
        let mut raw = || {
            clock.advance(b);
            Ok(())
        };
        let mut ops: Vec<Op<'_>> = vec![&mut sdk, &mut raw];
        let (sides, rounds) = sides(
            &clock,
            3,
            5,
            Duration::from_secs(60),
            Some(Duration::from_millis(20)),
            &mut ops,
        )
        .unwrap();
        assert_eq!(rounds, 3);
        for (side, took) in sides.iter().zip([a, b]) {
            let ns = took.as_nanos() as u64;
            assert_eq!(side.hist.len(), 15);
            assert_eq!((side.hist.min(), side.hist.max()), (ns, ns), "pauses are not timed");
            assert_eq!(side.wall_us, took.as_secs_f64() * 1e6);
        }
    }

    #[test]
    fn the_budget_is_read_from_the_clock_and_three_rounds_always_run() {
        let clock = FakeClock(std::cell::Cell::new(Duration::ZERO));
        let mut slow = || {
            clock.advance(Duration::from_secs(1));
            Ok(())
        };
        let mut fast = || Ok(());
        let mut ops: Vec<Op<'_>> = vec![&mut slow, &mut fast];
        // 18 s of budget, 4 s per round (4 operations of 1 s): rounds start at 0, 4, 8, 12
        // and 16 s; the sixth would start at 20 s.
        let (_, rounds) = sides(&clock, 100, 4, Duration::from_secs(18), None, &mut ops).unwrap();
        assert_eq!(rounds, 5);
        let (_, rounds) = sides(&clock, 100, 4, Duration::ZERO, None, &mut ops).unwrap();
        assert_eq!(rounds, 3, "at least 3 rounds, whatever the budget");
    }

    #[test]
    fn the_order_alternates_so_no_side_always_goes_first() {
        assert_eq!(order(0, 2), [0, 1]);
        assert_eq!(order(1, 2), [1, 0]);
        assert_eq!(order(2, 3), [0, 1, 2]);
        assert_eq!(order(3, 3), [2, 1, 0]);
        // Over any two consecutive rounds each side is first once and last once, and
        // every pair of sides runs in both orders.
        for k in 1..=4 {
            for r in 0..6 {
                let (x, y) = (order(r, k), order(r + 1, k));
                let mut firsts = [x[0], y[0]];
                firsts.sort_unstable();
                if k > 1 {
                    assert_ne!(firsts[0], firsts[1], "k={k} r={r}");
                }
                for i in 0..k {
                    for j in 0..k {
                        if i != j {
                            let before = |o: &[usize]| o.iter().position(|&s| s == i) < o.iter().position(|&s| s == j);
                            assert_ne!(before(&x), before(&y), "k={k} r={r} {i} {j}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_defaults_side_runs_in_the_same_rounds() {
        let (mut a, mut b, mut c) = (0usize, 0usize, 0usize);
        let pair = compare(
            4,
            10,
            Duration::from_secs(60),
            None,
            &mut || {
                a += 1;
                Ok(())
            },
            &mut || {
                b += 1;
                Ok(())
            },
            Some(&mut || {
                c += 1;
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(pair.rounds, 4);
        assert_eq!((a, b, c), (50, 50, 50), "10 warm-up + 4 × 10 each");
        assert_eq!(pair.defaults.map(|d| d.hist.len()), Some(40));
    }

    #[test]
    fn any_number_of_sides_run_in_the_same_rounds() {
        let counts: [std::cell::Cell<usize>; 4] = Default::default();
        let mut ops: Vec<Box<dyn FnMut() -> Result<(), String> + '_>> = counts
            .iter()
            .map(|c| {
                Box::new(move || {
                    c.set(c.get() + 1);
                    Ok(())
                }) as Box<dyn FnMut() -> Result<(), String>>
            })
            .collect();
        let mut singles: Vec<_> = ops.iter_mut().map(|op| each(&mut **op)).collect();
        // A fifth side runs its operations as batches (as the async sides do, inside one
        // executor), reporting each one.
        let batched = std::cell::Cell::new(0usize);
        let mut batch_side = |n: usize, done: &mut dyn FnMut()| {
            for _ in 0..n {
                batched.set(batched.get() + 1);
                done();
            }
            Ok(())
        };
        let mut refs: Vec<Batch<'_>> = singles.iter_mut().map(|b| b as Batch<'_>).collect();
        refs.push(&mut batch_side);
        let (sides, rounds) = compare_all(3, 10, Duration::from_secs(60), None, &mut refs).unwrap();
        assert_eq!((sides.len(), rounds), (5, 3));
        assert!(counts.iter().all(|c| c.get() == 40), "10 warm-up + 3 × 10 each");
        assert_eq!(batched.get(), 40);
        assert!(sides.iter().all(|s| s.hist.len() == 30));
    }

    #[test]
    fn a_batch_that_reports_the_wrong_count_is_an_error() {
        let mut short = |n: usize, done: &mut dyn FnMut()| {
            for _ in 0..n.saturating_sub(1) {
                done();
            }
            Ok(())
        };
        let mut refs: Vec<Batch<'_>> = vec![&mut short];
        let Err(err) = compare_all(3, 10, Duration::from_secs(60), None, &mut refs) else {
            panic!("a short batch was accepted");
        };
        assert!(err.contains("reported 9"), "{err}");
    }

    #[test]
    fn defaults_records_are_informational() {
        let side = |us: f64| {
            let mut hist = histogram();
            hist.record((us * 1000.0) as u64).unwrap();
            Side {
                wall_us: us,
                cpu_us: Some(us),
                allocs: 0.0,
                alloc_bytes: 0.0,
                hist,
            }
        };
        let pair = Pair {
            sdk: side(10.0),
            raw: side(9.0),
            defaults: Some(side(20.0)),
            rounds: 3,
        };
        let ms = vs_defaults("g", "x", &pair, "the stack's defaults");
        let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["x.latency.vs_raw_defaults", "x.cpu.vs_raw_defaults"]);
        for m in &ms {
            assert!(
                m.gate.is_none() && m.targets.is_empty() && m.pass.is_none(),
                "{}",
                m.name
            );
            assert!(m.note.contains(DEFAULTS), "{}", m.note);
        }
        assert!((ms[1].ratio.unwrap() - 0.5).abs() < 1e-9);
        let pair = Pair { defaults: None, ..pair };
        assert!(vs_defaults("g", "x", &pair, "-").is_empty());
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
