//! dhat, the blocking client (issue 18): text-to-speech of 1 MB and of 100 MB of audio,
//! streamed to a sink, peaks at the same small heap. The check lives in
//! `common_heap/speech.rs` (one binary per client: dhat's peak only ever rises).
#![cfg(feature = "blocking")]

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common_heap;

#[test]
fn blocking_speech_of_one_and_a_hundred_megabytes_peaks_at_the_same_small_heap() {
    common_heap::speech::speech_peaks_flat(|mock, speech| {
        mock.client()
            .tts()
            .generate_to(speech, &mut std::io::sink())
            .expect("speech")
    });
}
