//! `soniox stream` against the mock: a WAV through standard input, raw PCM from a file.

mod common_cli;

use common_cli::{mock, run, soniox, stats_when};
use soniox::audio::{wav_bytes, WavSpec};
use soniox::mock::transcript_text;
use std::time::Duration;

/// The transcript of `ms` of audio as the mock's endpoints cut it: 8 words per line.
fn lines(ms: u64) -> String {
    let text = transcript_text(ms);
    let words: Vec<&str> = text.split(' ').collect();
    words.chunks(8).map(|c| c.join(" ") + "\n").collect()
}

#[test]
fn a_wav_on_standard_input_prints_one_line_per_endpoint() {
    let mock = mock();
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(8_000));
    let r = run(soniox(&mock), &["stream", "-"], Some(wav.clone()));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, lines(8_000));
    assert_eq!(r.stdout.lines().count(), 2);
    let s = stats_when(&mock, |s| s.ws_finished == 1);
    assert_eq!(
        (s.ws_sessions, s.ws_finished, s.ws_audio_bytes),
        (1, 1, wav.len() as u64)
    );
}

#[test]
fn raw_pcm_from_a_file_with_json_output() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(5_000));
    let raw = dir.path().join("a.raw");
    std::fs::write(&raw, &wav[44..]).unwrap();
    let r = run(
        soniox(&mock),
        &[
            "--json",
            "stream",
            raw.to_str().unwrap(),
            "--format",
            "pcm_s16le",
            "--rate",
            "16000",
            "--channels",
            "1",
        ],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["text"], transcript_text(5_000));
    assert_eq!(v["audio_bytes"], (wav.len() - 44) as u64);
    assert_eq!(v["tokens"].as_array().unwrap().len(), 10);
}

#[test]
fn realtime_pacing_still_delivers_the_whole_transcript() {
    let mock = mock();
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(1_500));
    let r = run(soniox(&mock), &["stream", "--realtime"], Some(wav));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, lines(1_500));
}

#[test]
fn bad_stream_inputs_fail_before_connecting() {
    let mock = mock();
    let r = run(soniox(&mock), &["stream", "/nonexistent/x.wav"], None);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("cannot read /nonexistent/x.wav"), "{}", r.stderr);
    let r = run(soniox(&mock), &["stream", "--format", "pcm_s17le"], Some(vec![0; 10]));
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--format: expected auto or one of"), "{}", r.stderr);
    let r = run(
        soniox(&mock),
        &["stream", "--realtime"],
        Some(b"not a wav file".to_vec()),
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--realtime needs WAV input"), "{}", r.stderr);
    assert_eq!(mock.stats().ws_sessions, 0);
}
