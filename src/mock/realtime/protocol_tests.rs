use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::audio::{wav_bytes, WavSpec};
use crate::mock::transcript_text;

fn start(v: Value) -> Result<Start, WsError> {
    validate_start(v.as_object().unwrap())
}

fn texts(m: &Value, is_final: bool) -> Vec<String> {
    m["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_final"] == is_final)
        .map(|t| t["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn start_validation() {
    let s = start(json!({"model": "stt-rt-v4", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 2}))
        .unwrap();
    assert_eq!(s.model, "stt-rt-v5");
    assert_eq!(s.format, AudioFormat::Raw { bytes_per_sec: 64_000 });
    // Integer fields read leniently, as the REST validation does.
    let s =
        start(json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000.0, "num_channels": "1"}));
    assert_eq!(s.unwrap().format, AudioFormat::Raw { bytes_per_sec: 32_000 });
    let s =
        start(json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000.5, "num_channels": 1}));
    assert_eq!(s.unwrap_err().error_type, "invalid_request");
    assert_eq!(start(json!({"model": "stt-rt-v5"})).unwrap().format, AudioFormat::Sniff);
    assert_eq!(
        start(json!({"model": "stt-rt-v5", "audio_format": "mp3"}))
            .unwrap()
            .format,
        AudioFormat::Container
    );
    for model in [json!("stt-async-v5"), json!("nope"), json!(5), Value::Null] {
        let e = start(json!({"model": model})).unwrap_err();
        assert_eq!((e.code, e.error_type.as_str()), (400, "model_not_available"));
        assert_eq!(e.message, "The requested model is not available.");
    }
    let e = start(json!({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000})).unwrap_err();
    assert_eq!((e.code, e.error_type.as_str()), (400, "invalid_request"));
    assert!(start(json!({"model": "stt-rt-v5", "audio_format": "pcm_x9"})).is_err());
    let hints: Vec<String> = (0..101).map(|_| "en".to_string()).collect();
    for bad in [json!(hints), json!(["english-long"]), json!("en"), json!([1])] {
        let e = start(json!({"model": "stt-rt-v5", "language_hints": bad})).unwrap_err();
        assert_eq!(e.message, "Invalid language hint.");
    }
    assert!(start(json!({"model": "stt-rt-v5", "language_hints": ["en", "es"]})).is_ok());
}

#[test]
fn raw_widths() {
    for (name, width) in [
        ("pcm_s8", 1),
        ("mulaw", 1),
        ("pcm_u16be", 2),
        ("pcm_s24le", 3),
        ("pcm_f32le", 4),
        ("pcm_s32be", 4),
        ("pcm_f64be", 8),
    ] {
        assert_eq!(raw_sample_bytes(name), Some(width), "{name}");
    }
    for name in ["pcm_f16le", "pcm_s16", "wav", "pcm_"] {
        assert_eq!(raw_sample_bytes(name), None, "{name}");
    }
}

#[test]
fn controls() {
    assert_eq!(parse_control(""), Ok(Control::EndOfAudio));
    assert_eq!(parse_control(r#"{"type":"keepalive"}"#), Ok(Control::Keepalive));
    assert_eq!(
        parse_control(r#"{"type":"finalize","trailing_silence_ms":300}"#),
        Ok(Control::Finalize)
    );
    assert_eq!(parse_control("nope").unwrap_err().code, 400);
    assert_eq!(parse_control(r#"{"type":"other"}"#).unwrap_err().code, 400);
}

#[test]
fn meter_wav_raw_and_containers() {
    let wav = wav_bytes(WavSpec::default(), Duration::from_millis(1000));
    let mut m = AudioMeter::new(AudioFormat::Sniff);
    m.push(&wav[..20]);
    assert_eq!(m.total_ms(), 0);
    m.push(&wav[20..]);
    assert_eq!(m.total_ms(), 1000);
    let mut m = AudioMeter::new(AudioFormat::Sniff);
    m.push(&[1u8; 16_000]);
    assert_eq!(m.total_ms(), 500);
    let mut m = AudioMeter::new(AudioFormat::Raw { bytes_per_sec: 8_000 });
    m.push(&[0u8; 4_000]);
    assert_eq!(m.total_ms(), 500);
    let mut m = AudioMeter::new(AudioFormat::Container);
    m.push(&[0u8; 64_000]);
    assert_eq!(m.total_ms(), 2_000);
}

#[test]
fn words_turn_final_once_and_concatenate_to_the_rest_transcript() {
    let s = start(json!({"model": "stt-rt-v5", "enable_speaker_diarization": true})).unwrap();
    let mut w = WordStream::new(&s);
    let mut finals = Vec::new();
    let mut last_final_ms = 0;
    for total in (128..=3000).step_by(128) {
        let m = w.result(total);
        finals.extend(texts(&m, true));
        let tail = texts(&m, false);
        assert_eq!(finals.len() + tail.len(), crate::mock::transcript::word_count(total));
        let f = m["final_audio_proc_ms"].as_u64().unwrap();
        assert!(f >= last_final_ms && f <= total);
        last_final_ms = f;
        assert_eq!(m["total_audio_proc_ms"], total);
        assert!(m.get("finished").is_none());
    }
    let m = w.finish(3000);
    assert_eq!(m["finished"], true);
    assert_eq!(texts(&m, false), Vec::<String>::new());
    finals.extend(texts(&m, true));
    assert_eq!(finals.concat(), transcript_text(3000));
    // The closing message closes the books: all the audio processed is final (soniox-api.md
    // §8.5), not only up to the last word's end (2800).
    assert_eq!(
        (m["final_audio_proc_ms"].as_u64(), m["total_audio_proc_ms"].as_u64()),
        (Some(3000), Some(3000))
    );
}

#[test]
fn finalize_and_endpoints() {
    let s = start(json!({"model": "stt-rt-v5", "enable_endpoint_detection": true})).unwrap();
    let mut w = WordStream::new(&s);
    let m = w.result(1000);
    assert_eq!(texts(&m, true), ["the"]);
    assert_eq!(texts(&m, false), [" quick"]);
    assert_eq!(m["final_audio_proc_ms"], 400);
    let m = w.finalize(1000);
    assert_eq!(texts(&m, true), [" quick", "<fin>"]);
    assert_eq!(m["final_audio_proc_ms"], 880);
    let m = w.result(5000);
    let f = texts(&m, true);
    assert_eq!(f.iter().position(|t| t == "<end>"), Some(6), "{f:?}");
    assert_eq!(f[5], " lazy");
    assert_eq!(texts(&w.finish(5000), true), [" while"]);
}

#[test]
fn error_json_shape() {
    let e = WsError::injected(503, "service_unavailable").to_json("r");
    assert_eq!(
        e,
        json!({"tokens": [], "error_code": 503, "error_type": "service_unavailable",
               "error_message": "Cannot continue request (code 11). Please restart the request.",
               "more_info": "https://soniox.com/docs/api-reference/errors#service-unavailable",
               "request_id": "r"})
    );
    assert_eq!(WsError::unauthenticated().code, 401);
}

#[test]
fn a_word_turns_final_exactly_when_480_ms_follow_its_end() {
    let s = start(json!({"model": "stt-rt-v5"})).unwrap();
    for step in [1u64, 37, 128, 480, 1000] {
        let mut w = WordStream::new(&s);
        let mut finals = 0;
        let mut total = 0;
        while total < 12_000 {
            total += step;
            let m = w.result(total);
            for t in m["tokens"].as_array().unwrap() {
                let start = t["start_ms"].as_u64().unwrap();
                let ripe = start + 360 + 480 <= total;
                assert_eq!(t["is_final"] == true, ripe, "step {step} total {total}: {t}");
            }
            finals += texts(&m, true).len();
            let tail = texts(&m, false).len();
            assert_eq!(finals + tail, crate::mock::transcript::word_count(total));
        }
    }
}
