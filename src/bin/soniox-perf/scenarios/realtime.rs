//! Realtime: a 4 KB audio frame sent → its result message received, through the SDK's public
//! stream API (`connect`, `send_audio`, `recv`), interleaved with the fair raw floor of the
//! same stack on the same mock (see [`floors`]): a single-threaded blocking tungstenite loop
//! with the SDK's socket settings (blocking client) or an async-tungstenite loop on one
//! async-std TCP stream (async client), each decoding every result into typed tokens and
//! keeping the transcript, as the SDK does. The blocking comparison also runs tungstenite out
//! of the box in the same rounds, as the informational "raw, defaults" figure.
//!
//! Targets, for both clients: p50 ≤ 1.1 × and CPU per chunk ≤ 1.3 × the fair floor (blocking:
//! back to back and paced, an idle millisecond before each frame; async: back to back), and
//! the async stream's allocations per chunk ≤ the blocking stream's + 2
//! (`realtime.async.round_trip_4k.allocs_over_blocking`: allocation counts do not depend on
//! the machine's load, so the two back-to-back comparisons of the same run are compared).
//!
//! Each async round trip runs in its own `async_std::task::block_on` (the harness times
//! single operations), and that call allocates by itself (2 allocations: async-executor's
//! per-run local queue), which no application pays per chunk: it awaits every chunk inside
//! one task. The allocation target is checked on the stream's own count, the harness's
//! `block_on` (measured alone, in the same run) taken out; the CPU and latency ratios need no
//! such correction, both sides of them paying the same `block_on`.

use std::time::Duration;

use async_std::task::block_on;
use soniox::blocking::RealtimeEvent;

use super::floors::{self, RawTranscript, Ws};
use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::alloc;
use crate::measure::{compare, interleave, latency, median, vs_defaults, Pair};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::python_sdk;

const GROUP: &str = "Realtime";
const CHUNK: usize = 4096;
/// The official Python SDK's client CPU per 4 KB chunk on this machine, as issue 5 quotes it;
/// `--python-sdk` replaces it with a figure measured in the same run.
pub const PYTHON_CHUNK_CPU_US: f64 = 260.0;

/// The idle pause before each paced round trip. Real audio arrives every 128 ms per
/// 4 KB chunk (16 kHz, 16-bit mono); a millisecond is still 128 × faster than that.
const GAP: Duration = Duration::from_millis(1);

/// The blocking floor, as target labels name it.
const RAW_BLOCKING: &str = "raw tungstenite";
/// The async floor.
const RAW_ASYNC: &str = "raw async-tungstenite";
/// What the blocking floor does, for the notes.
const FLOOR_BLOCKING: &str = "raw tungstenite with the SDK's socket settings (4 KiB read buffer, TCP_NODELAY, one \
                              connection), one thread, blocking reads, each result decoded into typed tokens \
                              and applied to a transcript";
/// What the async floor does.
const FLOOR_ASYNC: &str = "raw async-tungstenite with the SDK's socket settings (async-std TCP with TCP_NODELAY, \
                           tungstenite's default buffers, one connection), driven by the caller's \
                           block_on, each result decoded into typed tokens and applied to a transcript";
/// The most allocations per chunk the async stream may make over the blocking stream's.
const ASYNC_EXTRA_ALLOCS: f64 = 2.0;
/// What "raw, defaults" is for the blocking client.
const DEFAULTS_BLOCKING: &str = "tungstenite out of the box (128 KiB read buffer zero-filled before every read, \
                                 Nagle on)";

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.realtime;
    let chunk = vec![0u8; CHUNK];
    let auth = bearer();
    let mut out = Vec::new();

    // Blocking: the SDK stream, the fair floor and tungstenite's defaults, in the same rounds.
    let client = blocking(mock, 100)?;
    let blocking_allocs;
    let mut stream = client
        .realtime()
        .connect(floors::realtime_config())
        .map_err(sdk("connect"))?;
    let mut ws = floors::tungstenite_socket(mock.ws_url(), &auth, Ws::Sdk)?;
    let mut ws_defaults = floors::tungstenite_socket(mock.ws_url(), &auth, Ws::Defaults)?;
    let (mut kept, mut kept_defaults) = (RawTranscript::default(), RawTranscript::default());
    {
        let mut sdk_trip = || python_sdk::sdk_round_trip(&mut stream, &chunk);
        let mut raw_trip = || floors::tungstenite_trip(&mut ws, &chunk, &mut kept);
        let mut defaults_trip = || floors::tungstenite_trip(&mut ws_defaults, &chunk, &mut kept_defaults);
        let name = "realtime.blocking.round_trip_4k";
        let pair = compare(
            rounds,
            n,
            plan.budget,
            None,
            &mut sdk_trip,
            &mut raw_trip,
            Some(&mut defaults_trip),
        )?;
        out.extend(metrics(name, &pair, Pace::BackToBack, Side::Blocking));
        out.extend(vs_defaults(GROUP, name, &pair, DEFAULTS_BLOCKING));
        blocking_allocs = pair.sdk.allocs;

        let (rounds, n) = plan.realtime_paced;
        let name = "realtime.blocking.round_trip_4k_paced";
        let pair = compare(
            rounds,
            n,
            plan.budget,
            Some(GAP),
            &mut sdk_trip,
            &mut raw_trip,
            Some(&mut defaults_trip),
        )?;
        out.extend(metrics(name, &pair, Pace::Paced, Side::Blocking));
        out.extend(vs_defaults(GROUP, name, &pair, DEFAULTS_BLOCKING));
    }
    // Same work, same result: every side sent the same number of frames, and the mock's
    // transcript depends only on the audio sent, so the kept transcripts must be equal.
    same_transcript("the raw floor's", stream.transcript().final_text(), &kept)?;
    same_transcript("the raw defaults'", stream.transcript().final_text(), &kept_defaults)?;
    let _ = stream.close();
    let _ = ws.close(None);
    let _ = ws_defaults.close(None);
    drop(client);

    // Async: the SDK stream next to the fair async-tungstenite floor on async-std.
    let (rounds, n) = plan.realtime;
    let client = nonblocking(mock, 100)?;
    let mut stream = block_on(client.realtime().connect(floors::realtime_config())).map_err(sdk("async connect"))?;
    let mut ws = block_on(floors::async_socket(mock.ws_url(), &auth))?;
    let mut kept = RawTranscript::default();
    let pair = interleave(
        rounds,
        n,
        plan.budget,
        &mut || {
            block_on(async {
                stream.send_audio(&chunk).await.map_err(sdk("async send_audio"))?;
                loop {
                    match stream.recv().await {
                        Some(Ok(RealtimeEvent::Result(_))) => return Ok(()),
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return Err(format!("async recv: {e}")),
                        None => return Err("the async stream ended".into()),
                    }
                }
            })
        },
        &mut || block_on(floors::async_trip(&mut ws, &chunk, &mut kept)),
    )?;
    let name = "realtime.async.round_trip_4k";
    out.extend(metrics(name, &pair, Pace::BackToBack, Side::Async));
    out.push(allocs_over_blocking(
        name,
        pair.sdk.allocs,
        block_on_allocs(),
        blocking_allocs,
    ));
    same_transcript("the async raw floor's", stream.transcript().final_text(), &kept)?;
    let _ = block_on(stream.close());
    let _ = block_on(ws.close(None));
    Ok(out)
}

fn same_transcript(whose: &str, sdk: &str, raw: &RawTranscript) -> Result<(), String> {
    if raw.messages == 0 || sdk != raw.final_text {
        return Err(format!(
            "{whose} transcript differs from the SDK's ({} vs {} bytes of final text, {} raw messages)",
            raw.final_text.len(),
            sdk.len(),
            raw.messages
        ));
    }
    Ok(())
}

/// Back to back or paced.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Pace {
    /// The next frame leaves as soon as the result is in.
    BackToBack,
    /// [`GAP`] idle before each frame.
    Paced,
}

/// Which client: the blocking one carries the issue's targets.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Side {
    Blocking,
    Async,
}

/// Why the blocking stream misses its p50 target back to back (not paced) against the fair floor.
const BACK_TO_BACK_KNOWN_MISS: &str = "1.09–1.18 × in four full runs (3 Dec 2026): about 3.7 k more \
     instructions per round trip than the floor (a second tungstenite read pass that zero-fills \
     its 4 KiB buffer, send bookkeeping, the event queue; callgrind), which the mock's thread \
     wake-up amplifies back to back; the same syscalls as the floor, and CPU 1.00–1.05 ×";

/// Latency, CPU (and, back to back, allocations) of one comparison, with the targets
/// p50 ≤ 1.1 × and CPU ≤ 1.3 × the fair floor (back to back and paced alike); the blocking
/// client's also carry p99 < 1 ms and (back to back, like for like with the Python SDK's
/// figure) ≤ 1/5 of the Python SDK's CPU.
fn metrics(name: &str, pair: &Pair, pace: Pace, side: Side) -> Vec<Metric> {
    let (raw, floor) = match side {
        Side::Blocking => (RAW_BLOCKING, FLOOR_BLOCKING),
        Side::Async => (RAW_ASYNC, FLOOR_ASYNC),
    };
    let pacing = match pace {
        Pace::BackToBack => "back to back (the next frame leaves as soon as the result is in)".to_owned(),
        Pace::Paced => format!(
            "each after {} ms idle (as audio arrives at a pace; the pause is neither timed nor counted)",
            GAP.as_millis()
        ),
    };
    let how = format!(
        "4 KB frame → its result message, {pacing}; {} rounds interleaved with the fair floor: {floor}",
        pair.rounds
    );
    let (s, r) = (&pair.sdk, &pair.raw);
    let mut lat = latency(GROUP, &format!("{name}.latency"), pair)
        .gate(Field::Ratio, Better::Lower, 0.0)
        .note(format!("value = p50; {how}"));
    let mut p50 = Target::le(Field::Ratio, 1.1, format!("p50 ≤ 1.1 × {raw}"));
    if side == Side::Blocking && pace == Pace::BackToBack {
        p50 = p50.known_miss(BACK_TO_BACK_KNOWN_MISS);
    }
    lat = lat.target(p50);
    if side == Side::Blocking {
        lat = lat.target(Target::le(Field::P99, 999.9, "p99 < 1 ms"));
    }
    let mut out = vec![lat];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        let counted = match pace {
            Pace::BackToBack => "client CPU, every thread (I/O threads included)",
            Pace::Paced => {
                "client CPU inside the round trips (the calling thread's, not its pauses) plus every \
                 other client thread's"
            }
        };
        let mut cpu = Metric::new(GROUP, &format!("{name}.cpu_per_chunk"), sc, "µs")
            .raw(rc)
            .target(Target::le(Field::Ratio, 1.3, format!("≤ 1.3 × {raw}")))
            .gate(Field::Ratio, Better::Lower, 0.0)
            .note(format!("{counted}; {how}"));
        if side == Side::Blocking && pace == Pace::BackToBack {
            // Like for like: the Python SDK's figure is measured back to back too.
            cpu = python_sdk::quote(cpu, PYTHON_CHUNK_CPU_US);
        }
        out.push(cpu);
    }
    if pace == Pace::BackToBack {
        out.push(
            Metric::new(GROUP, &format!("{name}.allocs_per_chunk"), s.allocs, "allocs")
                .raw(r.allocs)
                .gate(Field::Value, Better::Lower, 2.0)
                .note(format!(
                    "Rust heap allocations per round trip (bytes: SDK {:.0}, raw {:.0}); {how}",
                    s.alloc_bytes, r.alloc_bytes
                )),
        );
    }
    out
}

/// Allocations of one empty `async_std::task::block_on`, as the harness runs each async
/// operation in its own (after a warm-up; the median of a few batches).
fn block_on_allocs() -> f64 {
    const N: usize = 1000;
    let batches: Vec<f64> = (0..6)
        .map(|_| {
            let before = alloc::snapshot();
            for _ in 0..N {
                block_on(async {});
            }
            alloc::snapshot().allocs_since(&before) as f64 / N as f64
        })
        .collect();
    median(&batches[1..])
}

/// `{name}.allocs_over_blocking`: the async stream's own allocations per round trip (the
/// harness's `block_on`, `executor` allocations, taken out) minus the blocking stream's (both
/// back to back, same run), with the target ≤ [`ASYNC_EXTRA_ALLOCS`]. A difference, so that
/// the bound is a constant the gate can hold a baseline to.
fn allocs_over_blocking(name: &str, async_allocs: f64, executor: f64, blocking_allocs: f64) -> Metric {
    Metric::new(
        GROUP,
        &format!("{name}.allocs_over_blocking"),
        async_allocs - executor - blocking_allocs,
        "allocs",
    )
    .target(Target::le(
        Field::Value,
        ASYNC_EXTRA_ALLOCS,
        format!("≤ the blocking stream's + {ASYNC_EXTRA_ALLOCS}"),
    ))
    .gate(Field::Value, Better::Lower, 1.0)
    .note(format!(
        "Rust heap allocations per 4 KB round trip, back to back: the async stream's ({async_allocs:.2} \
         measured, of which {executor:.2} are the harness's block_on around each round trip, measured \
         alone in this run) minus the blocking stream's ({blocking_allocs:.2}), each from its own \
         comparison in this run"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::histogram;

    fn side(us: f64) -> crate::measure::Side {
        let mut hist = histogram();
        hist.record((us * 1000.0) as u64).unwrap();
        crate::measure::Side {
            wall_us: us,
            cpu_us: Some(us),
            allocs: 1.0,
            alloc_bytes: 1.0,
            hist,
        }
    }

    fn pair() -> Pair {
        Pair {
            sdk: side(12.0),
            raw: side(10.0),
            defaults: None,
            rounds: 3,
        }
    }

    #[test]
    fn back_to_back_and_paced_carry_the_same_targets() {
        for pace in [Pace::BackToBack, Pace::Paced] {
            let ms = metrics("rt", &pair(), pace, Side::Blocking);
            let lat = ms.iter().find(|m| m.name == "rt.latency").unwrap();
            let cpu = ms.iter().find(|m| m.name == "rt.cpu_per_chunk").unwrap();
            for m in [lat, cpu] {
                assert!(m.gate.is_some(), "{pace:?} {} is gated", m.name);
            }
            assert!(lat.targets.iter().any(|t| t.label == "p50 ≤ 1.1 × raw tungstenite"));
            assert!(cpu.targets.iter().any(|t| t.label == "≤ 1.3 × raw tungstenite"));
            // 12 / 10 = 1.2: the latency target is missed, the CPU one met.
            assert_eq!(lat.pass, Some(false), "{pace:?}");
            assert!(cpu.targets.iter().find(|t| t.label.contains("1.3")).unwrap().check(cpu) == Some(true));
        }
    }

    #[test]
    fn the_python_target_is_back_to_back_and_labelled_quoted() {
        let ms = metrics("rt", &pair(), Pace::BackToBack, Side::Blocking);
        let cpu = ms.iter().find(|m| m.name == "rt.cpu_per_chunk").unwrap();
        let python: Vec<_> = cpu.targets.iter().filter(|t| t.label.contains("Python")).collect();
        assert_eq!(python.len(), 1);
        assert!(python[0].label.contains("quoted"), "{}", python[0].label);
        assert!(cpu.note.contains("quoted"), "{}", cpu.note);
        let paced = metrics("rt", &pair(), Pace::Paced, Side::Blocking);
        assert!(paced
            .iter()
            .all(|m| m.targets.iter().all(|t| !t.label.contains("Python"))));
    }

    #[test]
    fn the_async_comparison_carries_the_ratio_targets_without_known_misses() {
        let ms = metrics("rt", &pair(), Pace::BackToBack, Side::Async);
        assert!(ms.iter().all(|m| m.gate.is_some()));
        let lat = ms.iter().find(|m| m.name == "rt.latency").unwrap();
        let cpu = ms.iter().find(|m| m.name == "rt.cpu_per_chunk").unwrap();
        let labels = |m: &Metric| m.targets.iter().map(|t| t.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(lat), ["p50 ≤ 1.1 × raw async-tungstenite"]);
        assert_eq!(labels(cpu), ["≤ 1.3 × raw async-tungstenite"]);
        assert!(ms.iter().all(|m| m.targets.iter().all(|t| t.known_miss.is_none())));
        // 12 / 10: p50 missed, CPU met.
        assert_eq!((lat.pass, cpu.pass), (Some(false), Some(true)));
    }

    #[test]
    fn async_allocations_are_held_to_the_blocking_streams_plus_two() {
        // Binary-exact figures: the bound is met exactly at 2.
        let m = allocs_over_blocking("rt", 8.25, 2.0, 4.25);
        assert_eq!(m.name, "rt.allocs_over_blocking");
        assert!((m.value - 2.0).abs() < 1e-9, "{}", m.value);
        assert_eq!(m.pass, Some(true));
        assert_eq!(allocs_over_blocking("rt", 8.5, 2.0, 4.25).pass, Some(false));
        assert_eq!(allocs_over_blocking("rt", 3.0, 0.0, 4.3).pass, Some(true));
        // The gate enforces it: gated on the field of its target.
        let gate = m.gate.as_ref().unwrap();
        assert!(m.targets.iter().all(|t| t.field == gate.field));
    }

    #[test]
    fn async_records_that_meet_their_targets_make_a_valid_baseline() {
        let report = |metrics: Vec<Metric>| crate::metric::Report {
            schema: crate::metric::SCHEMA,
            mode: "quick".into(),
            created_unix: 0,
            duration_s: 1.0,
            cpus: 2,
            metrics,
            failures: Vec::new(),
        };
        let even = Pair {
            sdk: side(10.0),
            raw: side(10.0),
            defaults: None,
            rounds: 3,
        };
        let mut ms = metrics("rt", &even, Pace::BackToBack, Side::Async);
        ms.push(allocs_over_blocking("rt", 8.0, 2.0, 4.5));
        assert_eq!(crate::gate::baseline_problems(&report(ms)), Vec::<String>::new());
        let mut ms = metrics("rt", &pair(), Pace::BackToBack, Side::Async);
        ms.push(allocs_over_blocking("rt", 9.0, 2.0, 4.5));
        let found = crate::gate::baseline_problems(&report(ms));
        // p50 at 1.2 × and 2.5 allocations over the blocking stream's: two misses.
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_transcript_that_differs_fails_the_scenario() {
        let mut kept = RawTranscript::default();
        assert!(same_transcript("raw", "", &kept).is_err(), "no message at all");
        kept.apply(r#"{"tokens":[{"text":"a","is_final":true}]}"#).unwrap();
        assert!(same_transcript("raw", "a", &kept).is_ok());
        assert!(same_transcript("raw", "ab", &kept).is_err());
    }
}
