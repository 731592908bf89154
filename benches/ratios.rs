//! Interleaved SDK-vs-raw ratios: each round runs a batch through the SDK, then the
//! same batch through the raw floor, alternating, so both see the same machine
//! load. Reports per-operation medians over rounds and the SDK/raw ratio (lower is
//! better; 1.00 = no overhead). This is the figure the targets are written in.
//!
//! The raw floors are `soniox-perf`'s, from the same source file
//! (`src/bin/soniox-perf/scenarios/floors.rs`, included below): the same stack configured as
//! the SDK configures it (the tungstenite read buffer of 4 KiB, ureq's buffers, pool and
//! timeouts, `TCP_NODELAY`, one reused connection; for the async client, async-h1 over one
//! kept-alive TCP stream with the SDK's headers), doing the same work (the typed decode; the
//! realtime transcript). The stack out of the box ("raw, defaults") is printed as an
//! informational line; the async client is also compared with the blocking one.
//!
//! ```text
//! cargo bench --bench ratios --features async
//! ```

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::time::{Duration, Instant};

use floors::{RawTranscript, Ws};
use soniox::blocking::Client;
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{MockConfig, MockServer};

const ROUNDS: usize = 30;
const BATCH: usize = 50;
/// The idle pause before each paced round trip (as in `soniox-perf`).
const GAP: Duration = Duration::from_millis(1);

/// Median of per-round averages, in microseconds per operation.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternates `sdk` and `raw` batches for ROUNDS rounds; prints and returns the ratio.
fn compare(name: &str, mut sdk: impl FnMut(), mut raw: impl FnMut()) -> f64 {
    for _ in 0..BATCH {
        sdk();
        raw();
    }
    let (mut s, mut r) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let time = |f: &mut dyn FnMut()| {
            let t = Instant::now();
            for _ in 0..BATCH {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / BATCH as f64
        };
        // Alternate which goes first, so neither always runs on a warmer machine.
        if round % 2 == 0 {
            s.push(time(&mut sdk));
            r.push(time(&mut raw));
        } else {
            r.push(time(&mut raw));
            s.push(time(&mut sdk));
        }
    }
    let (ms, mr) = (median(s), median(r));
    println!("{name:<52} sdk {ms:>8.1} µs   raw {mr:>8.1} µs   ratio {:.2}", ms / mr);
    ms / mr
}

fn main() {
    let mock = MockServer::start_with(MockConfig::default().max_concurrent_streams(64)).unwrap();
    let auth = format!("Bearer {}", mock.api_key());
    println!("{ROUNDS} rounds × {BATCH} operations, interleaved; medians of round averages");

    // REST: models().list() vs the fair floor (ureq with the SDK's settings, the same typed
    // decode), then (informational) vs ureq out of the box.
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .build()
        .unwrap();
    let agent = floors::ureq_agent(floors::SDK_MAX_IDLE);
    let defaults = floors::ureq_defaults();
    let url = format!("{}/v1/models", mock.base_url());
    compare(
        "blocking models().list() vs raw ureq (fair floor)",
        || drop(client.models().list().unwrap()),
        || drop(floors::ureq_models(&agent, &url, &auth).unwrap()),
    );
    compare(
        "  informational: vs raw ureq, defaults",
        || drop(client.models().list().unwrap()),
        || drop(floors::ureq_models(&defaults, &url, &auth).unwrap()),
    );

    // Realtime: 4 KB frame sent -> result received, decoded and kept in the transcript.
    let mut stream = client.realtime().connect(floors::realtime_config()).unwrap();
    let mut ws = floors::tungstenite_socket(&mock.ws_url(), &auth, Ws::Sdk).unwrap();
    let mut ws_defaults = floors::tungstenite_socket(&mock.ws_url(), &auth, Ws::Defaults).unwrap();
    let (mut kept, mut kept_defaults) = (RawTranscript::default(), RawTranscript::default());
    let chunk = vec![0u8; 4096];
    let mut sdk_trip = || {
        stream.send_audio(&chunk).unwrap();
        while !matches!(stream.recv().unwrap().unwrap(), RealtimeEvent::Result(_)) {}
    };
    let mut raw_trip = || floors::tungstenite_trip(&mut ws, &chunk, &mut kept).unwrap();
    let mut defaults_trip = || floors::tungstenite_trip(&mut ws_defaults, &chunk, &mut kept_defaults).unwrap();
    compare(
        "blocking realtime 4 KB round trip vs tungstenite (fair)",
        &mut sdk_trip,
        &mut raw_trip,
    );
    println!("  (below, back to back: targets p50 ≤ 1.1 × and CPU ≤ 1.3 × the fair floor)");
    realtime_percentiles_and_cpu(&mut sdk_trip, &mut raw_trip, None);
    // Paced: each frame after 1 ms idle (outside the timing), as audio arrives. The
    // targets hold here too.
    println!("  (below, paced: 1 ms idle before each frame, neither timed nor counted; same targets)");
    realtime_percentiles_and_cpu(&mut sdk_trip, &mut raw_trip, Some(GAP));
    println!("  (below, informational: raw is tungstenite out of the box, 128 KiB read buffer, Nagle on)");
    realtime_percentiles_and_cpu(&mut sdk_trip, &mut defaults_trip, None);
    // The same work: the mock's transcript depends only on the audio sent, so each side's
    // final text is a prefix of the one of any side that sent more frames.
    let sdk_text = stream.transcript().final_text().to_owned();
    for raw in [&kept, &kept_defaults] {
        let (short, long) = if raw.final_text.len() <= sdk_text.len() {
            (raw.final_text.as_str(), sdk_text.as_str())
        } else {
            (sdk_text.as_str(), raw.final_text.as_str())
        };
        assert!(raw.messages > 0 && !short.is_empty() && long.starts_with(short));
    }
    drop(stream);

    // What waiting in poll(2) on a non-blocking socket (as the SDK's reader did before it
    // parked in a blocking recv(2)) costs by itself: the fair raw loop on a non-blocking
    // socket waiting in poll(2), against the same loop's blocking read.
    let mut ws_nb = floors::tungstenite_socket(&mock.ws_url(), &auth, Ws::Sdk).unwrap();
    ws_nb.get_ref().set_nonblocking(true).unwrap();
    let mut kept_nb = RawTranscript::default();
    let mut raw_poll_trip = || {
        let mut frame = Some(tungstenite::Message::binary(chunk.clone()));
        loop {
            let step = match frame.take() {
                Some(m) => ws_nb.send(m),
                None => ws_nb.flush(),
            };
            match step {
                Ok(()) => break,
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
        loop {
            match ws_nb.read() {
                Ok(tungstenite::Message::Text(text)) => break kept_nb.apply(text.as_str()).unwrap(),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let mut fds = [rustix::event::PollFd::new(
                        ws_nb.get_ref(),
                        rustix::event::PollFlags::IN,
                    )];
                    rustix::event::poll(&mut fds, None).unwrap();
                }
                Err(e) => panic!("{e}"),
            }
        }
    };
    println!(
        "  (below, \"sdk\" is the raw loop on a non-blocking socket waiting in poll(2); raw is its blocking read)"
    );
    let mut ws_blocking = floors::tungstenite_socket(&mock.ws_url(), &auth, Ws::Sdk).unwrap();
    let mut kept_blocking = RawTranscript::default();
    let mut raw_blocking_trip = || floors::tungstenite_trip(&mut ws_blocking, &chunk, &mut kept_blocking).unwrap();
    realtime_percentiles_and_cpu(&mut raw_poll_trip, &mut raw_blocking_trip, None);

    #[cfg(feature = "async")]
    async_ratios(&mock, &auth, &url);
    std::thread::sleep(Duration::from_millis(10));
}

/// Per-round-trip latency percentiles and client CPU per chunk, SDK vs raw, interleaved in
/// blocks of `BATCH`. CPU is time on CPU (`schedstat`'s first field) of the calling thread,
/// plus, for the SDK, its background threads (named `soniox-realtime*`); the in-process
/// mock's threads are not counted. With `gap`, each operation follows that long idle
/// (a sleep, neither timed nor counted: CPU is then this thread's inside the operations plus
/// the other client threads' throughout).
fn realtime_percentiles_and_cpu(sdk: &mut dyn FnMut(), raw: &mut dyn FnMut(), gap: Option<Duration>) {
    let (mut ls, mut lr) = (Vec::new(), Vec::new());
    let (mut cpu_s, mut cpu_r) = (0u64, 0u64);
    let rounds = if gap.is_some() { ROUNDS / 2 } else { ROUNDS * 2 };
    for round in 0..rounds {
        let block = |f: &mut dyn FnMut(), lat: &mut Vec<f64>, cpu: &mut u64, sdk: bool| {
            let (c0, own0) = (client_cpu_ns(sdk), thread_cpu_ns());
            // Paced: this thread's CPU inside the operations only, not in its sleeps.
            let mut own_in_ops = 0;
            for _ in 0..BATCH {
                if let Some(gap) = gap {
                    std::thread::sleep(gap);
                }
                let (t, own) = (Instant::now(), thread_cpu_ns());
                f();
                own_in_ops += thread_cpu_ns().saturating_sub(own);
                lat.push(t.elapsed().as_secs_f64() * 1e6);
            }
            let (all, own) = (
                client_cpu_ns(sdk).saturating_sub(c0),
                thread_cpu_ns().saturating_sub(own0),
            );
            *cpu += match gap {
                None => all,
                Some(_) => own_in_ops + all.saturating_sub(own),
            };
        };
        if round % 2 == 0 {
            block(sdk, &mut ls, &mut cpu_s, true);
            block(raw, &mut lr, &mut cpu_r, false);
        } else {
            block(raw, &mut lr, &mut cpu_r, false);
            block(sdk, &mut ls, &mut cpu_s, true);
        }
    }
    let n = ls.len() as f64;
    let (s50, s99, r50, r99) = (
        pct(&mut ls, 0.50),
        pct(&mut ls, 0.99),
        pct(&mut lr, 0.50),
        pct(&mut lr, 0.99),
    );
    println!(
        "{:<52} sdk {s50:>8.1} µs   raw {r50:>8.1} µs   ratio {:.2}",
        "  4 KB round trip p50",
        s50 / r50
    );
    println!(
        "{:<52} sdk {s99:>8.1} µs   raw {r99:>8.1} µs   ratio {:.2}",
        "  4 KB round trip p99",
        s99 / r99
    );
    let (cs, cr) = (cpu_s as f64 / n / 1e3, cpu_r as f64 / n / 1e3);
    println!(
        "{:<52} sdk {cs:>8.1} µs   raw {cr:>8.1} µs   ratio {:.2}",
        "  client CPU per chunk (schedstat)",
        cs / cr
    );
}

/// Nanoseconds on CPU of the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
#[cfg(unix)]
fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// 0 off Unix, like [`client_cpu_ns`] off Linux (it reads `/proc`): the CPU columns of this
/// bench are Linux's.
#[cfg(not(unix))]
fn thread_cpu_ns() -> u64 {
    0
}

/// The `q` quantile of `v`, in microseconds.
fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Nanoseconds on CPU of this thread, plus (with `sdk`) the SDK's realtime threads.
fn client_cpu_ns(sdk: bool) -> u64 {
    let on_cpu = |path: &str| -> u64 {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|f| f.parse().ok()))
            .unwrap_or(0)
    };
    let mut total = on_cpu("/proc/thread-self/schedstat");
    if sdk {
        for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
            let dir = task.path();
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if comm.starts_with("soniox-realtime") {
                total += on_cpu(&dir.join("schedstat").to_string_lossy());
            }
        }
    }
    total
}

#[cfg(feature = "async")]
fn async_ratios(mock: &MockServer, auth: &str, url: &str) {
    use async_std::task::block_on;
    let client = soniox::nonblocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let blocking = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let url = floors::h1_url(url).unwrap();
    let conn = block_on(floors::H1Conn::open(&url, floors::H1::Sdk)).unwrap();
    compare(
        "async models().list() vs raw async-h1 (fair floor)",
        || drop(block_on(client.models().list()).unwrap()),
        || drop(block_on(floors::h1_models(&conn, &url, auth)).unwrap()),
    );
    compare(
        "  informational: vs async-h1, a connection per call",
        || drop(block_on(client.models().list()).unwrap()),
        || drop(block_on(floors::h1_models_fresh(&url, auth)).unwrap()),
    );
    compare(
        "async models().list() vs the blocking client's",
        || drop(block_on(client.models().list()).unwrap()),
        || drop(blocking.models().list().unwrap()),
    );
}
