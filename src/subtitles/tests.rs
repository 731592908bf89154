//! Subtitle builders on hand-made token lists.

use super::*;

fn tok(text: &str, start: u64, end: u64) -> Token {
    Token {
        text: text.into(),
        start_ms: Some(start),
        end_ms: Some(end),
        ..Token::default()
    }
}

fn spk(text: &str, start: u64, end: u64, speaker: &str) -> Token {
    Token {
        speaker: Some(speaker.into()),
        ..tok(text, start, end)
    }
}

fn original(text: &str, start: u64, end: u64) -> Token {
    Token {
        translation_status: Some(TranslationStatus::Original),
        language: Some("en".into()),
        ..tok(text, start, end)
    }
}

fn translation(text: &str) -> Token {
    Token {
        text: text.into(),
        translation_status: Some(TranslationStatus::Translation),
        language: Some("de".into()),
        source_language: Some("en".into()),
        ..Token::default()
    }
}

/// `n` words of the form ` wNN`, 400 ms apart, each 300 ms long, split into two tokens.
fn steady_words(n: usize) -> Vec<Token> {
    let mut out = Vec::new();
    for i in 0..n {
        let s = i as u64 * 400;
        let lead = if i == 0 { "w" } else { " w" };
        out.push(tok(lead, s, s + 100));
        out.push(tok(&format!("{i:02}"), s + 100, s + 300));
    }
    out
}

#[test]
fn srt_of_two_sentences_has_numbered_cues_with_comma_times() {
    let tokens = [
        tok("Hel", 0, 200),
        tok("lo", 200, 400),
        tok(" there.", 450, 1200),
        tok(" How", 1300, 1500),
        tok(" are", 1500, 1700),
        tok(" you?", 1700, 2100),
    ];
    assert_eq!(
        to_srt(&tokens, &SubtitleOptions::default()),
        "1\n00:00:00,000 --> 00:00:01,200\nHello there.\n\n\
         2\n00:00:01,300 --> 00:00:02,300\nHow are you?\n\n"
    );
}

#[test]
fn long_runs_respect_line_length_line_count_and_duration() {
    let tokens = steady_words(100); // 40 s of speech, 100 words of 3 chars
    let opts = SubtitleOptions::default().max_line_chars(20);
    let cues = cues(&tokens, &opts);
    let mut words = Vec::new();
    for c in &cues {
        assert!(c.lines.len() <= 2, "{c:?}");
        assert!(c.lines.iter().all(|l| l.chars().count() <= 20), "{c:?}");
        words.extend(c.lines.iter().flat_map(|l| l.split(' ')).map(str::to_owned));
    }
    // Every word once, in order.
    let expected: Vec<String> = (0..100).map(|i| format!("w{i:02}")).collect();
    assert_eq!(words, expected);
    // 20 chars hold 5 words per line: 10 words (4 s) per cue.
    assert_eq!(cues.len(), 10);
    assert_eq!((cues[0].start_ms, cues[0].end_ms), (0, 3_900));
    assert_eq!(cues[0].lines, ["w00 w01 w02 w03 w04", "w05 w06 w07 w08 w09"]);

    let short = SubtitleOptions::default().max_cue_ms(2_000);
    let cues = super::cues(&tokens, &short);
    for pair in cues.windows(2) {
        assert!(pair[0].end_ms <= pair[1].start_ms, "cues never overlap");
    }
    assert!(cues.iter().all(|c| c.end_ms - c.start_ms <= 2_000));
    assert_eq!(cues.len(), 20); // 5 words (1.9 s) per cue
}

#[test]
fn two_lines_are_balanced_when_a_split_fits() {
    let tokens = [
        tok("one", 0, 100),
        tok(" two", 100, 200),
        tok(" three", 200, 300),
        tok(" four", 300, 400),
        tok(" five", 400, 500),
    ];
    let c = cues(&tokens, &SubtitleOptions::default().max_line_chars(18));
    assert_eq!(c.len(), 1);
    // Greedy would give "one two three four" / "five".
    assert_eq!(c[0].lines, ["one two three", "four five"]);
}

#[test]
fn speakers_split_cues_and_are_labelled_in_srt_vtt_and_text() {
    let tokens = [
        spk("Hi", 0, 300, "1"),
        spk(" Bob", 300, 700, "1"),
        spk(" Hey", 800, 1100, "2"),
        spk(" <you>", 1100, 1600, "2"),
    ];
    let opts = SubtitleOptions::default();
    assert_eq!(
        to_srt(&tokens, &opts),
        "1\n00:00:00,000 --> 00:00:00,800\nSpeaker 1: Hi Bob\n\n\
         2\n00:00:00,800 --> 00:00:01,800\nSpeaker 2: Hey <you>\n\n"
    );
    assert_eq!(
        to_vtt(&tokens, &opts),
        "WEBVTT\n\n\
         00:00:00.000 --> 00:00:00.800\n<v Speaker 1>Hi Bob\n\n\
         00:00:00.800 --> 00:00:01.800\n<v Speaker 2>Hey &lt;you&gt;\n\n"
    );
    assert_eq!(to_text(&tokens, &opts), "Speaker 1: Hi Bob\nSpeaker 2: Hey <you>\n");
    // Without labels the speaker change alone does not split (no gap, no sentence end).
    let plain = opts.speaker_labels(false);
    assert_eq!(
        to_srt(&tokens, &plain),
        "1\n00:00:00,000 --> 00:00:01,600\nHi Bob Hey <you>\n\n"
    );
}

#[test]
fn the_speaker_label_counts_toward_the_line_length() {
    let tokens = [spk("abcdef", 0, 100, "1"), spk(" ghijkl", 100, 200, "1")];
    // "Speaker 1: " is 11 chars: 11 + 13 > 20, so the words go on two lines.
    let c = cues(&tokens, &SubtitleOptions::default().max_line_chars(20));
    assert_eq!(c[0].lines, ["abcdef", "ghijkl"]);
}

#[test]
fn translation_tokens_without_timestamps_take_the_span_of_their_originals() {
    let tokens = [
        original("Good", 0, 300),
        original(" morning.", 300, 900),
        translation("Guten"),
        translation(" Morgen."),
        original(" See", 5_000, 5_300),
        original(" you.", 5_300, 5_800),
        translation(" Bis"),
        translation(" bald."),
    ];
    let de = SubtitleOptions::default().track(Track::Translation);
    assert_eq!(
        to_srt(&tokens, &de),
        "1\n00:00:00,000 --> 00:00:01,000\nGuten Morgen.\n\n\
         2\n00:00:05,000 --> 00:00:06,000\nBis bald.\n\n"
    );
    assert_eq!(to_text(&tokens, &de), "Guten Morgen. Bis bald.\n");
    let en = SubtitleOptions::default();
    assert_eq!(
        to_srt(&tokens, &en),
        "1\n00:00:00,000 --> 00:00:01,000\nGood morning.\n\n\
         2\n00:00:05,000 --> 00:00:06,000\nSee you.\n\n"
    );
    assert_eq!(to_text(&tokens, &en), "Good morning. See you.\n");
}

#[test]
fn a_translation_before_any_original_starts_at_zero() {
    let tokens = [translation("Hallo")];
    let de = SubtitleOptions::default().track(Track::Translation);
    assert_eq!(to_srt(&tokens, &de), "1\n00:00:00,000 --> 00:00:01,000\nHallo\n\n");
    assert_eq!(to_srt(&tokens, &SubtitleOptions::default()), "");
}

#[test]
fn untimed_original_tokens_continue_from_the_previous_end() {
    let tokens = [
        tok("a", 100, 200),
        Token {
            text: " b".into(),
            ..Token::default()
        },
        tok(" c", 250, 400),
    ];
    let c = cues(&tokens, &SubtitleOptions::default().min_cue_ms(0));
    assert_eq!((c.len(), c[0].start_ms, c[0].end_ms), (1, 100, 400));
    assert_eq!(c[0].lines, ["a b c"]);
}

#[test]
fn words_without_spaces_split_between_tokens() {
    // Ten 2-char tokens with no spaces (as in Chinese or Japanese), 6 chars per line.
    let tokens: Vec<Token> = (0..10).map(|i| tok("字字", i * 100, i * 100 + 100)).collect();
    let c = cues(&tokens, &SubtitleOptions::default().max_line_chars(6));
    let lines: Vec<&str> = c.iter().flat_map(|c| c.lines.iter().map(String::as_str)).collect();
    assert_eq!(lines, ["字字字字字字", "字字字字字字", "字字字字字字", "字字"]);
    assert_eq!(c.len(), 2);
}

#[test]
fn long_silences_split_and_short_cues_are_extended_up_to_the_next() {
    let tokens = [tok("a", 0, 100), tok(" b", 1_700, 1_800), tok(" c", 2_000, 2_100)];
    let c = cues(&tokens, &SubtitleOptions::default());
    let spans: Vec<(u64, u64)> = c.iter().map(|c| (c.start_ms, c.end_ms)).collect();
    assert_eq!(spans, [(0, 1_000), (1_700, 2_700)]);
}

#[test]
fn extreme_options_and_times_saturate_instead_of_panicking() {
    let tokens = [
        tok("a", 0, 100),
        tok(" b", u64::MAX - 1, u64::MAX),
        tok(" c", u64::MAX, u64::MAX),
    ];
    for opts in [
        SubtitleOptions::default()
            .max_line_chars(usize::MAX)
            .max_lines(usize::MAX)
            .max_cue_ms(u64::MAX)
            .min_cue_ms(u64::MAX)
            .max_gap_ms(u64::MAX),
        SubtitleOptions::default()
            .max_line_chars(0)
            .max_lines(0)
            .max_cue_ms(0)
            .min_cue_ms(0)
            .max_gap_ms(0),
    ] {
        let c = cues(&tokens, &opts);
        assert!(!c.is_empty());
        assert!(c.iter().all(|c| c.end_ms >= c.start_ms), "{c:?}");
        let _ = (to_srt(&tokens, &opts), to_vtt(&tokens, &opts), to_text(&tokens, &opts));
    }
}

#[test]
fn timestamps_past_an_hour_and_empty_input() {
    let tokens = [tok("late", 3_723_004, 3_724_500)];
    assert_eq!(
        to_vtt(&tokens, &SubtitleOptions::default()),
        "WEBVTT\n\n01:02:03.004 --> 01:02:04.500\nlate\n\n"
    );
    assert_eq!(to_srt(&[], &SubtitleOptions::default()), "");
    assert_eq!(to_vtt(&[], &SubtitleOptions::default()), "WEBVTT\n\n");
    assert_eq!(to_text(&[], &SubtitleOptions::default()), "");
}

#[test]
fn json_keeps_every_token_field() {
    let mut t = spk(" hi", 10, 20, "2");
    t.confidence = Some(0.5);
    t.is_audio_event = Some(false);
    let transcript = Transcript {
        id: "t-9".into(),
        text: " hi".into(),
        tokens: vec![t, translation(" hallo")],
    };
    let json = to_json(&transcript).unwrap();
    assert!(json.ends_with("}\n"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tokens"][0]["speaker"], "2");
    assert_eq!(v["tokens"][0]["confidence"], 0.5);
    assert_eq!(v["tokens"][1]["translation_status"], "translation");
    assert_eq!(serde_json::from_str::<Transcript>(&json).unwrap(), transcript);
}
