//! Realtime round trip (audio frame sent → result message received) against the
//! in-process mock: the SDK's `RealtimeStream` next to a raw single-threaded
//! tungstenite loop in the same run, for 1, 4, 16 and 64 KB frames.
//!
//! ```text
//! cargo bench --bench realtime
//! ```

use std::net::TcpStream;
use std::sync::{Mutex, OnceLock};

use divan::Bencher;
use soniox::blocking::{Client, RealtimeStream};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{MockConfig, MockServer};
use soniox::types::RealtimeConfig;
use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const SIZES: [usize; 4] = [1024, 4096, 16 * 1024, 64 * 1024];

fn main() {
    divan::main();
}

fn mock() -> &'static MockServer {
    static M: OnceLock<MockServer> = OnceLock::new();
    // Up to 64 sessions at once: one SDK and one raw session per frame size.
    M.get_or_init(|| MockServer::start_with(MockConfig::default().max_concurrent_streams(64)).unwrap())
}

fn config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

fn sdk_stream() -> RealtimeStream {
    let m = mock();
    let client = Client::builder()
        .api_key(m.api_key())
        .base_url(m.base_url())
        .ws_url(m.ws_url())
        .build()
        .unwrap();
    client.realtime().connect(config()).unwrap()
}

fn raw_socket() -> WebSocket<MaybeTlsStream<TcpStream>> {
    let m = mock();
    let mut req = m.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {}", m.api_key()).parse().unwrap());
    let (mut ws, _) = tungstenite::connect(req).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_nodelay(true).unwrap();
    }
    ws.send(Message::text(serde_json::to_string(&config()).unwrap()))
        .unwrap();
    ws
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

/// Raw tungstenite, one thread, blocking socket: send a binary frame, read the reply.
#[divan::bench(args = SIZES, sample_count = 300, sample_size = 1)]
fn round_trip_raw_tungstenite(b: Bencher, size: usize) {
    let ws = Mutex::new(raw_socket());
    let chunk = vec![0u8; size];
    b.bench(|| {
        let mut ws = ws.lock().unwrap();
        ws.send(Message::binary(chunk.clone())).unwrap();
        loop {
            match ws.read().unwrap() {
                Message::Text(t) => break t.len(),
                _ => continue,
            }
        }
    });
}
