//! dhat: a 10 000-chunk realtime session holds a flat live heap.
//!
//! The mock runs as a separate `soniox-mock` process, so only the client's allocations count
//! (the keepalive thread's included: dhat counts every thread).

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

use std::time::Duration;

use soniox::audio::{pcm_chunks, WavSpec};
use soniox::blocking::RealtimeStream;
use soniox::core::realtime::{RealtimeEvent, RealtimeTranscript};
use soniox::types::RealtimeConfig;

use common_heap::{describe, let_the_harness_settle, MockProcess};

/// 10 ms of 16 kHz mono 16-bit PCM.
const CHUNK: usize = 320;
const CHUNKS: usize = 10_000;
const SAMPLE_AT: usize = 1_000;

/// Sends one chunk and reads events until its result arrived (one result message per audio
/// frame), so no event is ever queued between samples. Every event also goes to `mirrors`.
fn round_trip(stream: &mut RealtimeStream, chunk: &[u8], mirrors: &mut [&mut RealtimeTranscript]) {
    stream.send_audio(chunk).expect("chunk sent");
    loop {
        match stream.recv_timeout(Duration::from_secs(10)) {
            Some(Ok(event)) => {
                for m in mirrors.iter_mut() {
                    m.apply_event(&event);
                }
                if matches!(event, RealtimeEvent::Result(_)) {
                    return;
                }
            }
            other => panic!("expected a result, got {other:?}"),
        }
    }
}

/// Live heap now, once every thread of the stream is idle (a short pause lets the
/// keepalive thread get back to waiting).
fn settled_live_bytes() -> usize {
    std::thread::sleep(Duration::from_millis(50));
    dhat::HeapStats::get().curr_bytes
}

/// Drops `mirror` and returns the heap it held.
fn heap_of(mirror: RealtimeTranscript) -> usize {
    let before = dhat::HeapStats::get().curr_bytes;
    drop(mirror);
    before - dhat::HeapStats::get().curr_bytes
}

#[test]
fn ten_thousand_realtime_chunks_hold_a_flat_live_heap() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let_the_harness_settle();
    let mock = MockProcess::start();
    let client = mock.client();
    let chunk = pcm_chunks(WavSpec::default(), CHUNK, Duration::from_millis(10))
        .next()
        .expect("one chunk");
    assert_eq!(chunk.len(), CHUNK);

    // The stream keeps its transcript (every final word: 1 per 480 ms of audio), which grows by
    // design. Two mirrors fed the same events in the same order hold exactly the same heap
    // (same pushes, same capacities); dropping one at each sample tells the transcript's size,
    // which is taken out of the live heap so that what is left is the session's own memory.
    let (mut m1, mut m10) = (RealtimeTranscript::new(), RealtimeTranscript::new());
    let mut stream = client
        .realtime()
        .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
        .expect("stream connects");
    for _ in 0..SAMPLE_AT {
        round_trip(&mut stream, &chunk, &mut [&mut m1, &mut m10]);
    }
    let live_1k = settled_live_bytes();
    let words_1k = m1.final_tokens().len();
    let transcript_1k = heap_of(m1);
    // Sampled live: the session, the stream's transcript, `m1` and `m10` (each `transcript_1k`).
    let session_1k = live_1k - 3 * transcript_1k;
    for _ in SAMPLE_AT..CHUNKS {
        round_trip(&mut stream, &chunk, &mut [&mut m10]);
    }
    let live_10k = settled_live_bytes();
    let words_10k = m10.final_tokens().len();
    assert_eq!(stream.transcript(), &m10, "the mirror is the stream's transcript");
    let transcript_10k = heap_of(m10);
    // Sampled live: the session, the stream's transcript and `m10` (each `transcript_10k`).
    let session_10k = live_10k - 2 * transcript_10k;
    // Printed only now: captured output is heap too.
    eprintln!("{}", describe("after 10000 chunks", &dhat::HeapStats::get()));
    eprintln!(
        "realtime live heap: {live_1k} bytes at 1k chunks, {live_10k} at 10k chunks (3 and 2 copies of the \
         transcript in them); transcript {transcript_1k} -> {transcript_10k} bytes ({words_1k} -> {words_10k} final \
         words); session without transcript {session_1k} -> {session_10k} bytes"
    );
    let events = stream.finish().expect("stream finishes");
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(
        session_10k, session_1k,
        "the session's own heap grew between 1k and 10k chunks"
    );
}
