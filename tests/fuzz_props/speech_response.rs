//! `SpeechReader` (the text-to-speech REST response) over any bytes, and over responses
//! built from their parts (status, framing, chunks, trailers), fed in arbitrary pieces.
//!
//! Invariants: no panic; the outcome (the audio handed out, and how the response ended)
//! does not depend on where the reads split the bytes (arbitrary pieces against one byte
//! at a time against all at once); the audio is never more than the input and always what
//! `audio_bytes` says; a built 200 response yields exactly its payload, and ends in the
//! trailers' error (with its code) when it has one, else well.

use arbitrary::{Arbitrary, Unstructured};
use soniox::core::speech::{SpeechReader, Step};
use soniox::Error;

#[derive(Arbitrary, Debug)]
enum Framing {
    Chunked { trailer_code: Option<u16>, extension: bool },
    Length,
    Close,
}

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(Vec<u8>, Vec<u8>),
    Built {
        status: u16,
        framing: Framing,
        chunks: Vec<Vec<u8>>,
        cuts: Vec<u8>,
    },
}

/// How a response ended, for comparing runs: the audio, then `Ok` or the error's kind.
#[derive(Debug, PartialEq)]
struct Outcome {
    audio: Vec<u8>,
    end: String,
}

fn kind(e: &Error) -> String {
    match e {
        Error::Api(a) => format!("api {} {}", a.status, a.error_type),
        Error::Decode(_) => "decode".into(),
        Error::Transport(_) => "transport".into(),
        other => format!("other {other}"),
    }
}

/// Feeds `wire` in pieces whose sizes come from `cuts` (cycled; 0 counts as 1), then the
/// end of input.
fn read(wire: &[u8], cuts: &[u8]) -> Outcome {
    let mut r = SpeechReader::new();
    let mut audio = Vec::new();
    let mut fed = 0;
    let mut pending: &[u8] = &[];
    let mut turn = 0usize;
    // Bounded: every step uses a byte or ends, and no more than 3 steps per byte fed.
    for _ in 0..(wire.len() + 8) * 4 {
        if pending.is_empty() {
            if fed == wire.len() {
                let end = r.end_of_input().map_or_else(|e| kind(&e), |()| "ok".into());
                assert_eq!(r.audio_bytes(), audio.len() as u64);
                return Outcome { audio, end };
            }
            let size = cuts
                .get(turn % cuts.len().max(1))
                .map_or(wire.len(), |c| usize::from(*c).max(1));
            turn += 1;
            let n = size.min(wire.len() - fed);
            pending = &wire[fed..fed + n];
            fed += n;
        }
        match r.feed(pending) {
            Ok((used, Step::Audio(a))) => {
                assert!(!a.is_empty() && used >= a.len() && used <= pending.len());
                audio.extend_from_slice(a);
                pending = &pending[used..];
            }
            Ok((used, Step::NeedMore)) => {
                assert!(used <= pending.len());
                pending = &pending[used..];
            }
            Ok((_, Step::Done)) => {
                assert_eq!(r.audio_bytes(), audio.len() as u64);
                return Outcome {
                    audio,
                    end: "ok".into(),
                };
            }
            Err(e) => {
                assert!(r.is_done());
                return Outcome { audio, end: kind(&e) };
            }
        }
    }
    panic!("the reader made no progress");
}

fn build(status: u16, framing: &Framing, chunks: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let status = 100 + status % 500;
    let payload: Vec<u8> = chunks.concat();
    let mut w = format!("HTTP/1.1 {status} X\r\n").into_bytes();
    match framing {
        Framing::Chunked {
            trailer_code,
            extension,
        } => {
            w.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for c in chunks.iter().filter(|c| !c.is_empty()) {
                let ext = if *extension { ";x=1" } else { "" };
                w.extend_from_slice(format!("{:x}{ext}\r\n", c.len()).as_bytes());
                w.extend_from_slice(c);
                w.extend_from_slice(b"\r\n");
            }
            w.extend_from_slice(b"0\r\n");
            if let Some(code) = trailer_code {
                w.extend_from_slice(format!("X-Tts-Error-Code: {code}\r\nX-Tts-Error-Message: m\r\n").as_bytes());
            }
            w.extend_from_slice(b"\r\n");
        }
        Framing::Length => {
            w.extend_from_slice(format!("Content-Length: {}\r\n\r\n", payload.len()).as_bytes());
            w.extend_from_slice(&payload);
        }
        Framing::Close => {
            w.extend_from_slice(b"\r\n");
            w.extend_from_slice(&payload);
        }
    }
    (w, payload)
}

pub fn property(data: &[u8]) {
    let Ok(input) = Input::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let (wire, cuts, built) = match &input {
        Input::Raw(bytes, cuts) => (bytes.clone(), cuts.clone(), None),
        Input::Built {
            status,
            framing,
            chunks,
            cuts,
        } => {
            let (wire, payload) = build(*status, framing, chunks);
            (wire, cuts.clone(), Some((*status, framing, payload)))
        }
    };
    let whole = read(&wire, &[]);
    assert!(whole.audio.len() <= wire.len());
    assert_eq!(read(&wire, &cuts), whole, "the split changed the outcome");
    assert_eq!(read(&wire, &[1]), whole, "byte by byte changed the outcome");
    if let Some((status, framing, payload)) = built {
        let status = 100 + status % 500;
        if (200..300).contains(&status) && status != 204 && status != 304 {
            assert_eq!(whole.audio, payload);
            let trailer = match framing {
                Framing::Chunked { trailer_code, .. } => *trailer_code,
                _ => None,
            };
            match trailer {
                Some(code) => assert!(whole.end.starts_with("api "), "{whole:?} (trailer {code})"),
                None => assert_eq!(whole.end, "ok"),
            }
        } else if status >= 300 && status != 304 {
            assert!(whole.audio.is_empty());
            assert!(whole.end.starts_with("api "), "{whole:?}");
        }
    }
}
