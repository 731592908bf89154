//! Realtime: a 4 KB audio frame sent → its result message received, through the SDK's public
//! stream API (`connect`, `send_audio`, `recv`), interleaved with a raw single-threaded
//! tungstenite loop (blocking) or an async-tungstenite loop (async) on the same mock.

use std::time::Duration;

use async_std::task::block_on;
use futures::StreamExt;
use soniox::core::realtime::RealtimeEvent;
use soniox::types::RealtimeConfig;
use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::Message;

use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::measure::{interleave, interleave_paced, latency, Pair};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;
use crate::python_sdk;

const GROUP: &str = "Realtime";
const CHUNK: usize = 4096;
/// The official Python SDK's client CPU per 4 KB chunk on this machine, as issue 5 quotes it;
/// `--python-sdk` replaces it with a figure measured in the same run.
pub const PYTHON_CHUNK_CPU_US: f64 = 260.0;

fn config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

fn request(mock: &MockProcess) -> Result<tungstenite::handshake::client::Request, String> {
    let mut req = mock
        .ws_url()
        .into_client_request()
        .map_err(|e| format!("ws request: {e}"))?;
    let auth = bearer().parse().map_err(|e| format!("auth header: {e}"))?;
    req.headers_mut().insert("authorization", auth);
    Ok(req)
}

fn start_message() -> Result<Message, String> {
    serde_json::to_string(&config())
        .map(Message::text)
        .map_err(|e| format!("start message: {e}"))
}

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.realtime;
    let chunk = vec![0u8; CHUNK];
    let mut out = Vec::new();

    // Blocking: the SDK stream next to a raw tungstenite socket, one thread, blocking I/O.
    let client = blocking(mock, 100)?;
    let mut stream = client.realtime().connect(config()).map_err(sdk("connect"))?;
    let (mut ws, _) = tungstenite::connect(request(mock)?).map_err(|e| format!("raw connect: {e}"))?;
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        // A bound on every raw read (the SDK side is bounded by the run's watchdog).
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| format!("read timeout: {e}"))?;
    }
    ws.send(start_message()?).map_err(|e| format!("raw start: {e}"))?;
    let mut sdk_trip = || {
        stream.send_audio(&chunk).map_err(sdk("send_audio"))?;
        loop {
            match stream.recv() {
                Some(Ok(RealtimeEvent::Result(_))) => return Ok(()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("recv: {e}")),
                None => return Err("the stream ended".into()),
            }
        }
    };
    let mut raw_trip = || {
        ws.send(Message::binary(chunk.clone()))
            .map_err(|e| format!("raw send: {e}"))?;
        loop {
            match ws.read().map_err(|e| format!("raw read: {e}"))? {
                Message::Text(_) => return Ok(()),
                _ => continue,
            }
        }
    };
    let pair = interleave(rounds, n, plan.budget, &mut sdk_trip, &mut raw_trip)?;
    out.extend(metrics(
        "realtime.blocking.round_trip_4k",
        "raw tungstenite",
        &pair,
        Targets::Python,
    ));
    let (rounds, n) = plan.realtime_paced;
    let pair = interleave_paced(rounds, n, plan.budget, Some(GAP), &mut sdk_trip, &mut raw_trip)?;
    out.extend(paced("realtime.blocking.round_trip_4k_paced", "raw tungstenite", &pair));
    let _ = stream.close();
    let _ = ws.close(None);
    drop(client);

    // Async: the SDK stream next to a raw async-tungstenite socket on async-std.
    let client = nonblocking(mock, 100)?;
    let mut stream = block_on(client.realtime().connect(config())).map_err(sdk("async connect"))?;
    let addr = mock.base_url().trim_start_matches("http://").to_owned();
    let mut ws = block_on(async {
        let tcp = async_std::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("raw async connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let (mut ws, _) = async_tungstenite::client_async(request(mock)?, tcp)
            .await
            .map_err(|e| format!("raw async handshake: {e}"))?;
        ws.send(start_message()?)
            .await
            .map_err(|e| format!("raw async start: {e}"))?;
        Ok::<_, String>(ws)
    })?;
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
        &mut || {
            block_on(async {
                ws.send(Message::binary(chunk.clone()))
                    .await
                    .map_err(|e| format!("raw async send: {e}"))?;
                loop {
                    match ws.next().await {
                        Some(Ok(Message::Text(_))) => return Ok(()),
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return Err(format!("raw async read: {e}")),
                        None => return Err("the raw async socket closed".into()),
                    }
                }
            })
        },
    )?;
    out.extend(metrics(
        "realtime.async.round_trip_4k",
        "raw async-tungstenite",
        &pair,
        Targets::None,
    ));
    let _ = block_on(stream.close());
    let _ = block_on(ws.close(None));
    Ok(out)
}

/// Which of the targets a comparison carries.
#[derive(Clone, Copy, PartialEq)]
enum Targets {
    None,
    /// CPU per chunk against the Python SDK's (measured back to back, as this run is).
    Python,
}

/// The idle pause before each paced round trip. Real audio arrives every 128 ms per
/// 4 KB chunk (16 kHz, 16-bit mono); a millisecond is still 128 × faster than that.
const GAP: Duration = Duration::from_millis(1);

/// Latency and CPU of paced round trips, with the latency and CPU-ratio targets.
fn paced(name: &str, raw: &str, pair: &Pair) -> Vec<Metric> {
    let how = format!(
        "4 KB frame → its result message, each after {} ms idle (as audio arrives at a pace); \
         {} rounds interleaved with {raw}",
        GAP.as_millis(),
        pair.rounds
    );
    let mut out = vec![latency(GROUP, &format!("{name}.latency"), pair)
        .gate(Field::Ratio, Better::Lower, 0.0)
        .note(format!("value = p50; {how}"))
        .target(Target::le(Field::Ratio, 1.1, format!("p50 ≤ 1.1 × {raw}")))
        .target(Target::le(Field::P99, 999.9, "p99 < 1 ms"))];
    if let (Some(sc), Some(rc)) = (pair.sdk.cpu_us, pair.raw.cpu_us) {
        out.push(
            Metric::new(GROUP, &format!("{name}.cpu_per_chunk"), sc, "µs")
                .raw(rc)
                .gate(Field::Ratio, Better::Lower, 0.0)
                .target(Target::le(Field::Ratio, 1.3, format!("≤ 1.3 × {raw}")))
                .note(format!(
                    "client CPU inside the round trips (the calling thread's, not its pauses) plus \
                     every other client thread's; {how}"
                )),
        );
    }
    out
}

/// Latency, CPU and allocations of one back-to-back comparison.
fn metrics(name: &str, raw: &str, pair: &Pair, targets: Targets) -> Vec<Metric> {
    let how = format!(
        "4 KB frame → its result message; {} rounds interleaved with {raw}",
        pair.rounds
    );
    let (s, r) = (&pair.sdk, &pair.raw);
    // Not gated: on a shared machine this ratio mostly follows how fast the mock's threads
    // wake (see the note); the paced latency carries the target and the gate.
    let lat = latency(GROUP, &format!("{name}.latency"), pair).note(format!(
        "value = p50; back to back (the next frame leaves as soon as the result is in: any \
             client work between the two lets the mock's threads fall idle, and each µs of it \
             adds several to the round trip on this machine; see README); {how}"
    ));
    let mut out = vec![lat];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        let mut cpu = Metric::new(GROUP, &format!("{name}.cpu_per_chunk"), sc, "µs")
            .raw(rc)
            .gate(Field::Ratio, Better::Lower, 0.0)
            .note(format!("client CPU, every thread (I/O threads included); {how}"));
        if targets == Targets::Python {
            // Like for like: the Python SDK's figure is measured back to back too.
            cpu = cpu.target(python_sdk::quoted_target(PYTHON_CHUNK_CPU_US));
        }
        out.push(cpu);
    }
    out.push(
        Metric::new(GROUP, &format!("{name}.allocs_per_chunk"), s.allocs, "allocs")
            .raw(r.allocs)
            .gate(Field::Value, Better::Lower, 2.0)
            .note(format!(
                "Rust heap allocations per round trip (bytes: SDK {:.0}, raw {:.0}); {how}",
                s.alloc_bytes, r.alloc_bytes
            )),
    );
    out
}
