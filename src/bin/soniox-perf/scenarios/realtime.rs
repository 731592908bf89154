//! Realtime: a 4 KB audio frame sent → its result message received, through the SDK's public
//! stream API (`connect`, `send_audio`, `recv`), interleaved with the fair raw floor of the
//! same stack on the same mock (see [`floors`]): a single-threaded blocking tungstenite loop
//! with the SDK's socket settings (blocking client) or an async-tungstenite loop (async
//! client), each decoding every result into typed tokens and keeping the transcript, as the
//! SDK does. The blocking comparison also runs tungstenite out of the box in the same rounds,
//! as the informational "raw, defaults" figure.
//!
//! Back to back (the next frame leaves as soon as the result is in) and paced (an idle
//! millisecond before each frame) both carry the targets: p50 ≤ 1.1 × and CPU per chunk
//! ≤ 1.3 × the fair floor.

use std::time::Duration;

use async_std::task::block_on;
use soniox::core::realtime::RealtimeEvent;

use super::floors::{self, RawTranscript, Ws};
use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::measure::{compare, interleave, latency, vs_defaults, Pair};
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
const FLOOR_ASYNC: &str = "raw async-tungstenite with the SDK's socket settings (tungstenite's default buffers, \
                           TCP_NODELAY), each result decoded into typed tokens and applied to a transcript";
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
    let mut stream = client
        .realtime()
        .connect(floors::realtime_config())
        .map_err(sdk("connect"))?;
    let mut ws = floors::tungstenite_socket(mock.ws_url(), &auth, Ws::Sdk)?;
    let mut ws_defaults = floors::tungstenite_socket(mock.ws_url(), &auth, Ws::Defaults)?;
    let (mut kept, mut kept_defaults) = (RawTranscript::default(), RawTranscript::default());
    {
        let mut sdk_trip = || sdk_round_trip(&mut stream, &chunk);
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
    out.extend(metrics(
        "realtime.async.round_trip_4k",
        &pair,
        Pace::BackToBack,
        Side::Async,
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

/// One round trip through the blocking SDK's public stream API: a frame sent, then events
/// read until its result message.
pub fn sdk_round_trip(stream: &mut soniox::blocking::RealtimeStream, chunk: &[u8]) -> Result<(), String> {
    stream.send_audio(chunk).map_err(sdk("send_audio"))?;
    loop {
        match stream.recv() {
            Some(Ok(RealtimeEvent::Result(_))) => return Ok(()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("recv: {e}")),
            None => return Err("the stream ended".into()),
        }
    }
}

/// Why the blocking stream misses its p50 target back to back (not paced) against the fair floor.
const BACK_TO_BACK_KNOWN_MISS: &str = "1.09–1.18 × in four full runs (3 Dec 2026): about 3.7 k more \
     instructions per round trip than the floor (a second tungstenite read pass that zero-fills \
     its 4 KiB buffer, send bookkeeping, the event queue; callgrind), which the mock's thread \
     wake-up amplifies back to back; the same syscalls as the floor, and CPU 1.00–1.05 ×";

/// Latency, CPU (and, back to back, allocations) of one comparison; the blocking client's
/// carry the targets p50 ≤ 1.1 ×, p99 < 1 ms and CPU ≤ 1.3 × the fair floor, back to back
/// and paced alike, and (back to back, like for like with the Python SDK's figure) ≤ 1/5
/// of the Python SDK's CPU.
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
    if side == Side::Blocking {
        let mut p50 = Target::le(Field::Ratio, 1.1, format!("p50 ≤ 1.1 × {raw}"));
        if pace == Pace::BackToBack {
            p50 = p50.known_miss(BACK_TO_BACK_KNOWN_MISS);
        }
        lat = lat.target(p50).target(Target::le(Field::P99, 999.9, "p99 < 1 ms"));
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
            .gate(Field::Ratio, Better::Lower, 0.0)
            .note(format!("{counted}; {how}"));
        if side == Side::Blocking {
            cpu = cpu.target(Target::le(Field::Ratio, 1.3, format!("≤ 1.3 × {raw}")));
            if pace == Pace::BackToBack {
                // Like for like: the Python SDK's figure is measured back to back too.
                cpu = python_sdk::quote(cpu, PYTHON_CHUNK_CPU_US);
            }
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
    fn the_async_comparison_is_gated_without_targets() {
        let ms = metrics("rt", &pair(), Pace::BackToBack, Side::Async);
        assert!(ms.iter().all(|m| m.targets.is_empty() && m.gate.is_some()));
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
