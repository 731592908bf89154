//! Text-to-speech downloads in flat memory (issue 18): 1 MB and 100 MB of audio streamed to
//! a sink peak at the same heap (within 10 %), the client's only allocations in the process
//! (the mock runs as a separate process, its audio 1 s a character).

use soniox::types::{Speech, TtsFormat};

use super::{assert_nothing_kept, describe, let_the_harness_settle, MockProcess};

/// pcm_f32le at 48 kHz: 192,000 bytes a second of audio.
const BYTES_PER_SECOND: u64 = 192_000;

/// Runs the check with a client: `speak` speaks into a sink and returns the bytes.
pub fn speech_peaks_flat(speak: impl Fn(&MockProcess, &Speech) -> u64) {
    let mock = MockProcess::start_with(&["--tts-audio", "1000,600000"]);
    let speech = |chars: usize| {
        Speech::new("x".repeat(chars), "Adrian")
            .format(TtsFormat::PcmF32le)
            .sample_rate(48_000)
    };
    let _profiler = dhat::Profiler::builder().testing().build();
    let_the_harness_settle();
    // Warm up: the runtime's lazily built globals (the async reactor) stay for the process.
    assert_eq!(speak(&mock, &speech(1)), BYTES_PER_SECOND);
    // 6 characters: 1.15 MB of audio; 521: 100 MB.
    assert_eq!(speak(&mock, &speech(6)), 6 * BYTES_PER_SECOND);
    let small = dhat::HeapStats::get();
    assert_eq!(speak(&mock, &speech(521)), 521 * BYTES_PER_SECOND);
    let large = dhat::HeapStats::get();
    eprintln!(
        "{}\n{}",
        describe("after 1 MB", &small),
        describe("after 100 MB", &large)
    );
    assert!(
        large.max_bytes as f64 <= small.max_bytes as f64 * 1.10,
        "the peak grew with the audio: {} B after 1 MB, {} B after 100 MB",
        small.max_bytes,
        large.max_bytes
    );
    assert!(large.max_bytes < 256 * 1024, "peak {} B", large.max_bytes);
    assert_nothing_kept(&small, &large);
}
