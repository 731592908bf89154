use super::*;
use crate::types::TtsFormat;

/// Feeds `wire` in pieces of `step` bytes; returns the audio and how the response ended.
fn read(wire: &[u8], step: usize, eof: bool) -> (Vec<u8>, Result<()>) {
    let mut r = SpeechReader::new();
    let mut audio = Vec::new();
    let mut fed = 0;
    let mut pending: &[u8] = &[];
    for _ in 0..100_000 {
        if pending.is_empty() {
            if fed == wire.len() {
                if eof {
                    let end = r.end_of_input();
                    return (audio, end);
                }
                // Without the connection's end, the response must have ended by itself.
                assert!(r.is_done(), "the response did not end by its own framing");
                return (audio, Ok(()));
            }
            let n = step.min(wire.len() - fed);
            pending = &wire[fed..fed + n];
            fed += n;
        }
        match r.feed(pending) {
            Ok((used, Step::Audio(a))) => {
                assert!(!a.is_empty());
                audio.extend_from_slice(a);
                pending = &pending[used..];
            }
            Ok((used, Step::NeedMore)) => pending = &pending[used..],
            Ok((_, Step::Done)) => {
                assert!(r.is_done());
                return (audio, Ok(()));
            }
            Err(e) => return (audio, Err(e)),
        }
    }
    panic!("the reader never finished");
}

const AUDIO: &[u8] = b"RIFF....WAVEfmt audio bytes here";

fn chunked(parts: &[&[u8]], trailers: &str) -> Vec<u8> {
    let mut w = b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for p in parts {
        w.extend_from_slice(format!("{:x};ext=1\r\n", p.len()).as_bytes());
        w.extend_from_slice(p);
        w.extend_from_slice(b"\r\n");
    }
    w.extend_from_slice(format!("0\r\n{trailers}\r\n").as_bytes());
    w
}

#[test]
fn audio_comes_out_whole_whatever_the_framing_and_the_read_sizes() {
    let length = [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", AUDIO.len()).into_bytes(),
        AUDIO.to_vec(),
    ]
    .concat();
    let close = [b"HTTP/1.0 200 OK\r\n\r\n".to_vec(), AUDIO.to_vec()].concat();
    let chunks = chunked(&[&AUDIO[..5], &AUDIO[5..20], &AUDIO[20..]], "");
    let interim = [b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), chunks.clone()].concat();
    for step in [1, 2, 3, 7, 64, 4096] {
        for (name, wire, eof) in [
            ("length", &length, false),
            ("close", &close, true),
            ("chunked", &chunks, false),
            ("interim", &interim, false),
        ] {
            let (audio, end) = read(wire, step, eof);
            assert!(end.is_ok(), "{name} by {step}: {end:?}");
            assert_eq!(audio, AUDIO, "{name} by {step}");
        }
    }
}

#[test]
fn an_error_in_the_trailers_after_audio_is_a_typed_error_not_a_short_success() {
    let wire = chunked(
        &[&AUDIO[..10]],
        "X-Tts-Error-Code: 503\r\nX-Tts-Error-Message: Cannot continue request (code 11).\r\n",
    );
    for step in [1, 5, 4096] {
        let (audio, end) = read(&wire, step, false);
        assert_eq!(audio, &AUDIO[..10]);
        let Err(Error::Api(e)) = end else { panic!("{end:?}") };
        assert_eq!((e.status, e.error_type.as_str()), (503, "service_unavailable"));
        assert!(e
            .message
            .starts_with("Cannot continue request (code 11). (the error arrived after 10 bytes"));
    }
    // Other trailers are fine.
    let (audio, end) = read(&chunked(&[AUDIO], "X-Other: 1\r\n"), 3, false);
    assert!(end.is_ok() && audio == AUDIO);
}

#[test]
fn a_response_cut_short_is_a_transport_error_at_the_end_of_input() {
    let length = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", AUDIO.len() + 5).into_bytes();
    let chunks = chunked(&[AUDIO], "");
    for wire in [
        [length, AUDIO.to_vec()].concat(),
        chunks[..chunks.len() - 5].to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Le".to_vec(),
        Vec::new(),
    ] {
        let (_, end) = read(&wire, 7, true);
        assert!(
            matches!(end, Err(Error::Transport(ref t)) if t.maybe_processed),
            "{end:?}"
        );
    }
}

#[test]
fn error_statuses_give_the_api_error_of_either_body_shape() {
    let tts = br#"{"error_code":400,"error_type":"invalid_request","error_message":"Missing required field: model","request_id":"r1"}"#;
    let rest = br#"{"status_code":401,"error_type":"unauthenticated","message":"Invalid API key.","request_id":"r2"}"#;
    for (status, body, close) in [(400, &tts[..], false), (401, &rest[..], false), (400, &tts[..], true)] {
        let head = if close {
            format!("HTTP/1.1 {status} X\r\n\r\n")
        } else {
            format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n", body.len())
        };
        let (audio, end) = read(&[head.into_bytes(), body.to_vec()].concat(), 9, close);
        assert!(audio.is_empty());
        let Err(Error::Api(e)) = end else { panic!("{end:?}") };
        assert_eq!(e.status, status);
        assert!(e.request_id.is_some() && !e.message.is_empty(), "{e:?}");
    }
    // 503 with Retry-After and an empty body.
    let (_, end) = read(
        b"HTTP/1.1 503 X\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n",
        4,
        false,
    );
    let Err(Error::Api(e)) = end else { panic!("{end:?}") };
    assert_eq!((e.status, e.retry_after.is_some()), (503, true));
}

#[test]
fn malformed_responses_are_decode_errors_never_panics() {
    for wire in [
        &b"SMTP 220 hello\r\n\r\n"[..],
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
    ] {
        let (_, end) = read(wire, 3, true);
        assert!(
            matches!(end, Err(Error::Decode(_))),
            "{:?}: {end:?}",
            String::from_utf8_lossy(wire)
        );
    }
    let huge = [b"HTTP/1.1 200 OK\r\nX: ".to_vec(), vec![b'a'; MAX_HEAD + 10]].concat();
    assert!(matches!(read(&huge, 4096, true).1, Err(Error::Decode(_))));
}

#[test]
fn the_request_is_checked_and_carries_only_what_was_set() {
    let s = Speech::new("Hello.", "Adrian")
        .format(TtsFormat::Mp3)
        .sample_rate(24_000);
    let req = build_generate(&s).unwrap();
    assert_eq!((req.method, req.path.as_str()), (Method::Post, "/tts"));
    let crate::core::http::Body::Json(json) = &req.body else {
        panic!()
    };
    let body: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"model": "tts-rt-v2", "language": "en", "voice": "Adrian", "audio_format": "mp3",
                           "text": "Hello.", "sample_rate": 24000})
    );
    for bad in [
        Speech::new("", "Adrian"),
        Speech::new("x".repeat(5001), "Adrian"),
        Speech::new("Hi", ""),
        Speech::new("Hi", "Adrian").model("m".repeat(51)),
        Speech::new("Hi", "Adrian").speed(1.5),
        Speech::new("Hi", "Adrian").speed(f64::NAN),
        Speech::new("Hi", "Adrian").client_reference_id("r".repeat(257)),
    ] {
        assert!(
            matches!(build_generate(&bad), Err(Error::InvalidArgument(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn next_ends_a_response_complete_by_its_framing_without_more_input() {
    // The last audio bytes under Content-Length, then `Done` with no further read; and a
    // body-less 2xx at once.
    let wire = [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", AUDIO.len()).into_bytes(),
        AUDIO.to_vec(),
    ]
    .concat();
    let mut r = SpeechReader::new();
    let mut at = 0;
    assert!(matches!(r.next(&wire, &mut at).unwrap(), Next::Audio(a) if a == AUDIO));
    assert_eq!((r.next(&wire, &mut at).unwrap(), at), (Next::Done, wire.len()));
    let mut r = SpeechReader::new();
    let mut at = 0;
    let empty = b"HTTP/1.1 204 No Content\r\n\r\n";
    assert_eq!(r.next(empty, &mut at).unwrap(), Next::Done);
    // A chunked response whose head arrives alone asks for more, then reads on.
    let chunked = chunked(&[AUDIO], "");
    let split = chunked.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut r = SpeechReader::new();
    let mut at = 0;
    assert_eq!(r.next(&chunked[..split], &mut at).unwrap(), Next::ReadMore);
    let (mut at, mut audio) = (0, Vec::new());
    let rest = &chunked[split..];
    loop {
        match r.next(rest, &mut at).unwrap() {
            Next::Audio(a) => audio.extend_from_slice(a),
            Next::ReadMore => panic!("the whole body was there"),
            Next::Done => break,
        }
    }
    assert_eq!(audio, AUDIO);
}

#[test]
fn what_a_server_may_add_is_read_leniently_and_what_would_corrupt_audio_is_refused() {
    // Declared but empty trailers are no error.
    let (audio, end) = read(
        &chunked(&[AUDIO], "X-Tts-Error-Code: \r\nX-Tts-Error-Message:\r\n"),
        5,
        false,
    );
    assert!(end.is_ok() && audio == AUDIO, "{end:?}");
    // A header value that is not UTF-8 (Latin-1) does not fail the response.
    let latin = [
        b"HTTP/1.1 200 OK\r\nX-Note: caf\xe9\r\nContent-Length: 3\r\n\r\n".to_vec(),
        b"abc".to_vec(),
    ]
    .concat();
    let (audio, end) = read(&latin, 4, false);
    assert!(end.is_ok() && audio == b"abc", "{end:?}");
    // Compressed audio would be written out as if it were the format asked for: refused.
    let gzip = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc";
    assert!(matches!(read(gzip, 64, false).1, Err(Error::Decode(_))));
    // A trailer error keeps the head's request id; one without a message says its code.
    let wire = chunked(&[AUDIO], "X-Tts-Error-Code: 408\r\n");
    let wire = [b"HTTP/1.1 200 OK\r\nx-request-id: r9\r\n".to_vec(), wire[17..].to_vec()].concat();
    let Err(Error::Api(e)) = read(&wire, 64, false).1 else {
        panic!()
    };
    assert_eq!((e.status, e.request_id.as_deref()), (408, Some("r9")));
    assert!(
        e.message.starts_with("the stream ended with error 408"),
        "{}",
        e.message
    );
    // Framing errors name the response's own status.
    let bad = b"HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert!(matches!(read(bad, 64, true).1, Err(Error::Decode(d)) if d.status == 400));
}
