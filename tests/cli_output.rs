//! `soniox transcribe --format srt|vtt|json` against the mock: the subtitle files are
//! well formed (numbering, time format, order, line limits, speaker labels) and carry
//! exactly the transcript's words.

mod common_cli;

use common_cli::{mock, run, soniox, wav};
use soniox::mock::transcript_text;

/// Parses `HH:MM:SS<sep>mmm` into ms.
fn time(s: &str, sep: char) -> u64 {
    let (hms, ms) = s.split_once(sep).unwrap_or_else(|| panic!("bad time {s:?}"));
    let parts: Vec<u64> = hms.split(':').map(|p| p.parse().unwrap()).collect();
    assert_eq!((parts.len(), hms.len(), ms.len()), (3, 8, 3), "bad time {s:?}");
    ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + ms.parse::<u64>().unwrap()
}

/// Checks cue timing lines and text lines; returns the words with labels removed.
fn check_cues(blocks: &[&str], sep: char, label: impl Fn(&str) -> Option<String>) -> String {
    let mut words = Vec::new();
    let mut last_end = 0;
    for block in blocks {
        let lines: Vec<&str> = block.lines().collect();
        let (start, end) = lines[0].split_once(" --> ").unwrap();
        let (start, end) = (time(start, sep), time(end, sep));
        assert!(start < end && start >= last_end, "{block:?}");
        last_end = end;
        let text = &lines[1..];
        assert!((1..=2).contains(&text.len()), "{block:?}");
        assert!(text.iter().all(|l| l.chars().count() <= 42), "{block:?}");
        let first = label(text[0]).unwrap_or_else(|| panic!("no speaker label: {block:?}"));
        words.push(first);
        words.extend(text[1..].iter().map(|l| l.to_string()));
    }
    words.join(" ")
}

#[test]
fn srt_and_vtt_are_well_formed_labelled_and_complete() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let audio = wav(dir.path(), "talk.wav", 20_000);
    let out = dir.path().join("subs");
    for format in ["srt", "vtt"] {
        let r = run(
            soniox(&mock),
            &[
                "transcribe",
                "--diarize",
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
                audio.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(r.code, Some(0), "{r:?}");
    }

    let srt = std::fs::read_to_string(out.join("talk.srt")).unwrap();
    let blocks: Vec<&str> = srt.trim_end().split("\n\n").collect();
    // 41 words, a speaker turn every 4: at least 11 cues (one speaker per cue).
    assert!(blocks.len() >= 11, "{srt}");
    for (i, b) in blocks.iter().enumerate() {
        let (n, _) = b.split_once('\n').unwrap();
        assert_eq!(n, (i + 1).to_string(), "numbered from 1");
    }
    let bodies: Vec<&str> = blocks.iter().map(|b| b.split_once('\n').unwrap().1).collect();
    let words = check_cues(&bodies, ',', |l| {
        let (who, text) = l.split_once(": ")?;
        matches!(who, "Speaker 1" | "Speaker 2").then(|| text.to_owned())
    });
    assert_eq!(words, transcript_text(20_000));
    assert!(srt.ends_with("\n\n"));

    let vtt = std::fs::read_to_string(out.join("talk.vtt")).unwrap();
    let body = vtt.strip_prefix("WEBVTT\n\n").expect("the WEBVTT header");
    let blocks: Vec<&str> = body.trim_end().split("\n\n").collect();
    let words = check_cues(&blocks, '.', |l| {
        let rest = l.strip_prefix("<v Speaker ")?;
        let (_, text) = rest.split_once('>')?;
        Some(text.to_owned())
    });
    assert_eq!(words, transcript_text(20_000));
    assert!(blocks.len() >= 11, "{vtt}");
}

#[test]
fn json_output_holds_every_token_with_speakers() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let audio = wav(dir.path(), "a.wav", 4_800);
    let r = run(
        soniox(&mock),
        &["transcribe", "--diarize", "--format", "json", audio.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["text"], transcript_text(4_800));
    let tokens = v["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 10);
    assert!(tokens
        .iter()
        .all(|t| t["speaker"].is_string() && t["start_ms"].is_u64() && t["end_ms"].is_u64()));
}
