//! Realtime round trip (audio frame sent → result message received) against the
//! in-process mock: the SDK's `RealtimeStream` next to the fair raw floor in the same run, for
//! 1, 4, 16 and 64 KB frames. The floor is `soniox-perf`'s (the same source file,
//! `src/bin/soniox-perf/scenarios/floors.rs`): a single-threaded blocking tungstenite loop
//! with the SDK's socket settings (4 KiB read buffer, `TCP_NODELAY`) that decodes each result
//! into typed tokens and keeps the transcript, as the SDK does.
//!
//! ```text
//! cargo bench --bench realtime
//! ```

// soniox-perf's raw floors, the same source file (a bench cannot import from a binary crate);
// this bench uses part of them.
#[path = "../src/bin/soniox-perf/scenarios/floors.rs"]
#[allow(dead_code, unused_imports)]
mod floors;

use std::net::TcpStream;
use std::sync::{Mutex, OnceLock};

use divan::Bencher;
use floors::{RawTranscript, Ws};
use soniox::blocking::{Client, RealtimeStream};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{MockConfig, MockServer};
use tungstenite::WebSocket;

const SIZES: [usize; 4] = [1024, 4096, 16 * 1024, 64 * 1024];

fn main() {
    divan::main();
}

fn mock() -> &'static MockServer {
    static M: OnceLock<MockServer> = OnceLock::new();
    // Up to 64 sessions at once: one SDK and two raw sessions per frame size.
    M.get_or_init(|| MockServer::start_with(MockConfig::default().max_concurrent_streams(64)).unwrap())
}

fn sdk_stream() -> RealtimeStream {
    let m = mock();
    let client = Client::builder()
        .api_key(m.api_key())
        .base_url(m.base_url())
        .ws_url(m.ws_url())
        .build()
        .unwrap();
    client.realtime().connect(floors::realtime_config()).unwrap()
}

fn raw_socket() -> WebSocket<TcpStream> {
    let m = mock();
    floors::tungstenite_socket(&m.ws_url(), &format!("Bearer {}", m.api_key()), Ws::Sdk).unwrap()
}

/// SDK: `send_audio`, then `recv` until the result for that frame.
#[divan::bench(args = SIZES, sample_count = 300, sample_size = 1)]
fn round_trip_sdk(b: Bencher, size: usize) {
    let stream = Mutex::new(sdk_stream());
    let chunk = vec![0u8; size];
    b.bench(|| {
        let mut s = stream.lock().unwrap();
        s.send_audio(&chunk).unwrap();
        loop {
            match s.recv().expect("stream ended").unwrap() {
                RealtimeEvent::Result(r) => break r.total_audio_proc_ms,
                _ => continue,
            }
        }
    });
}

/// The fair raw floor: tungstenite with the SDK's socket settings, one thread, blocking
/// socket: send a binary frame, read the reply, decode it into typed tokens, keep the
/// transcript.
#[divan::bench(args = SIZES, sample_count = 300, sample_size = 1)]
fn round_trip_raw_tungstenite(b: Bencher, size: usize) {
    let raw = Mutex::new((raw_socket(), RawTranscript::default()));
    let chunk = vec![0u8; size];
    b.bench(|| {
        let mut raw = raw.lock().unwrap();
        let (ws, kept) = &mut *raw;
        floors::tungstenite_trip(ws, &chunk, kept).unwrap();
        kept.messages
    });
}

/// Informational ("raw, defaults"): the same raw loop on tungstenite out of the box (128 KiB
/// read buffer zero-filled before every read, Nagle on).
#[divan::bench(args = SIZES, sample_count = 300, sample_size = 1)]
fn round_trip_raw_tungstenite_defaults(b: Bencher, size: usize) {
    let m = mock();
    let ws = floors::tungstenite_socket(&m.ws_url(), &format!("Bearer {}", m.api_key()), Ws::Defaults).unwrap();
    let raw = Mutex::new((ws, RawTranscript::default()));
    let chunk = vec![0u8; size];
    b.bench(|| {
        let mut raw = raw.lock().unwrap();
        let (ws, kept) = &mut *raw;
        floors::tungstenite_trip(ws, &chunk, kept).unwrap();
        kept.messages
    });
}
