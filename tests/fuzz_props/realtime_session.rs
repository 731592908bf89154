//! `RealtimeSession` driven by arbitrary operation sequences at arbitrary times.
//!
//! Invariants: no panic; the first frame written is the start message, and it is
//! written once; nothing is emitted after the end (no event after `Finished` or the
//! error, no frame or deadline once terminal); at most one error event, equal to
//! `failure()`; `Finished` comes only from a `finished: true` message; audio is
//! accepted only while streaming and the counters add up exactly; a keepalive is due
//! at `poll_timeout()` and not before; a terminal phase never changes.

use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use soniox::core::realtime::{Outgoing, Phase, RealtimeEvent, RealtimeSession, KEEPALIVE_MESSAGE};
use soniox::types::{AudioFormat, RealtimeConfig};
use soniox::Error;

#[derive(Arbitrary, Debug)]
enum Msg {
    Raw(String),
    Result {
        texts: Vec<(u8, bool)>,
        finished: bool,
    },
    Error {
        code: Option<u16>,
        error_type: Option<String>,
    },
}

#[derive(Arbitrary, Debug)]
enum Op {
    Connected,
    Message(Msg),
    Close { code: Option<u16>, reason: String },
    Timeout,
    Audio(u16),
    Keepalive,
    Finalize(Option<u32>),
    Finish,
    DrainTransmit,
    DrainEvents,
    Advance(u32),
    AdvanceToDeadline,
}

#[derive(Arbitrary, Debug)]
struct Input {
    keepalive_secs: u64,
    keepalive_ms: u16,
    raw_format: Option<(u32, u32)>,
    hints: Option<Vec<String>>,
    ops: Vec<Op>,
}

fn message(m: &Msg) -> String {
    use serde_json::json;
    match m {
        Msg::Raw(s) => s.clone(),
        Msg::Result { texts, finished } => {
            let toks: Vec<_> = texts
                .iter()
                .map(|(t, f)| {
                    let text = match t % 6 {
                        0 => "<end>".to_owned(),
                        1 => "<fin>".to_owned(),
                        n => format!(" w{n}"),
                    };
                    json!({"text": text, "is_final": f})
                })
                .collect();
            json!({"tokens": toks, "finished": finished}).to_string()
        }
        Msg::Error { code, error_type } => {
            json!({"error_code": code, "error_type": error_type, "error_message": "x"}).to_string()
        }
    }
}

/// What the driver has seen so far.
#[derive(Default)]
struct Seen {
    frames: u64,
    start_seen: bool,
    ended: bool,
    errors: u32,
    finished: u32,
    audio_bytes: u64,
    audio_frames: u64,
    messages: u64,
    finished_sent: bool,
    /// Text frames are queued (audio must wait until they are written).
    queued: bool,
}

fn drain_transmit(s: &mut RealtimeSession, seen: &mut Seen, start: &str) -> Vec<Outgoing> {
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let Some(f) = s.poll_transmit() else {
            seen.queued = false;
            return out;
        };
        if seen.frames == 0 {
            assert_eq!(f.as_str(), start, "the first frame must be the start message");
            seen.start_seen = true;
        } else {
            assert_ne!(f.as_str(), start, "the start message was written twice");
        }
        assert!(!s.phase().is_terminal(), "a frame after the end: {f:?}");
        seen.frames += 1;
        out.push(f);
    }
    seen.queued = false;
    panic!("poll_transmit never ran dry");
}

fn drain_events(s: &mut RealtimeSession, seen: &mut Seen) {
    for _ in 0..100_000 {
        let Some(ev) = s.poll_event() else { return };
        assert!(!seen.ended, "an event after the end: {ev:?}");
        match ev {
            Ok(RealtimeEvent::Finished) => {
                assert!(seen.finished_sent, "Finished without a finished message");
                assert_eq!(s.phase(), Phase::Finished);
                seen.finished += 1;
                seen.ended = true;
            }
            Ok(_) => {}
            Err(Error::Realtime(e)) => {
                assert_eq!(s.phase(), Phase::Failed);
                assert_eq!(s.failure(), Some(&e), "the error event differs from failure()");
                seen.errors += 1;
                seen.ended = true;
            }
            Err(other) => panic!("a non-realtime error event {other:?}"),
        }
    }
    panic!("poll_event never ran dry");
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    let t0 = Instant::now();
    let keepalive = config_keepalive(&input);
    let mut config = RealtimeConfig::new("stt-rt-v5").keepalive_interval(keepalive);
    if let Some((rate, ch)) = input.raw_format {
        config = config.audio_format(AudioFormat::pcm_s16le(rate, ch));
    }
    if let Some(h) = &input.hints {
        config = config.language_hints(h.iter().take(4));
    }
    let Ok(mut s) = RealtimeSession::new(config.clone(), t0) else {
        assert!(config.validate().is_err(), "new() refused a valid config");
        return;
    };
    let start = soniox::core::realtime::start_message(&config).expect("a valid config encodes");
    let mut now = t0;
    let mut seen = Seen::default();
    for op in input.ops.iter().take(256) {
        let before = s.phase();
        match op {
            Op::Connected => {
                s.handle_connected(now);
                if before == Phase::Connecting {
                    assert_eq!(s.phase(), Phase::Streaming);
                    seen.queued = true;
                }
            }
            Op::Message(m) => {
                let text = message(m);
                seen.messages += 1;
                let is_finished = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("finished").and_then(|f| f.as_bool()))
                    .unwrap_or(false);
                s.handle_message(now, &text);
                if is_finished && s.phase() == Phase::Finished && !before.is_terminal() {
                    seen.finished_sent = true;
                }
            }
            Op::Close { code, reason } => s.handle_close(now, *code, reason),
            Op::Timeout => {
                drain_transmit(&mut s, &mut seen, &start);
                let due = s.poll_timeout();
                s.handle_timeout(now);
                let frames = drain_transmit(&mut s, &mut seen, &start);
                let keepalives = frames.iter().filter(|f| f.as_str() == KEEPALIVE_MESSAGE).count();
                match due {
                    Some(at) if now >= at => assert!(keepalives >= 1, "no keepalive at the deadline"),
                    _ => assert_eq!(keepalives, 0, "a keepalive before its deadline"),
                }
            }
            Op::Audio(n) => {
                let pending = seen.queued;
                match s.audio_sent(now, usize::from(*n)) {
                    Ok(()) => {
                        assert_eq!(before, Phase::Streaming, "audio accepted in {before}");
                        assert!(*n > 0 && !pending, "audio accepted while frames were queued or empty");
                        seen.audio_bytes += u64::from(*n);
                        seen.audio_frames += 1;
                        assert_eq!(s.poll_timeout(), Some(now + keepalive), "audio must push the keepalive");
                    }
                    Err(e) => {
                        assert!(
                            before != Phase::Streaming || *n == 0 || pending,
                            "audio refused while streaming: {e}"
                        );
                    }
                }
            }
            Op::Keepalive => {
                assert_eq!(s.keepalive(now).is_ok(), before == Phase::Streaming);
                seen.queued |= before == Phase::Streaming;
            }
            Op::Finalize(ms) => {
                assert_eq!(s.finalize(now, *ms).is_ok(), before == Phase::Streaming);
                seen.queued |= before == Phase::Streaming;
            }
            Op::Finish => {
                assert_eq!(s.finish(now).is_ok(), before == Phase::Streaming);
                seen.queued |= before == Phase::Streaming;
                if before == Phase::Streaming {
                    assert_eq!(s.phase(), Phase::Finishing);
                }
            }
            Op::DrainTransmit => {
                drain_transmit(&mut s, &mut seen, &start);
            }
            Op::DrainEvents => drain_events(&mut s, &mut seen),
            Op::Advance(ms) => now += Duration::from_millis(u64::from(*ms)),
            Op::AdvanceToDeadline => {
                if let Some(t) = s.poll_timeout() {
                    now = now.max(t);
                }
            }
        }
        if before.is_terminal() {
            assert_eq!(s.phase(), before, "a terminal phase changed");
        }
        if s.phase().is_terminal() {
            assert_eq!(s.poll_timeout(), None, "a deadline after the end");
            seen.queued = false;
        }
        if s.phase() != Phase::Streaming {
            assert_eq!(s.poll_timeout(), None, "a deadline while not streaming");
        }
    }
    drain_transmit(&mut s, &mut seen, &start);
    drain_events(&mut s, &mut seen);
    assert!(seen.errors <= 1 && seen.finished <= 1 && seen.errors + seen.finished <= 1);
    assert_eq!(
        seen.ended,
        s.phase().is_terminal(),
        "ended without a final event, or the reverse"
    );
    assert_eq!(
        (s.audio_bytes_sent(), s.audio_frames_sent(), s.messages_received()),
        (seen.audio_bytes, seen.audio_frames, seen.messages)
    );
    if s.phase() != Phase::Connecting && seen.frames > 0 {
        assert!(seen.start_seen);
    }
    assert!(s.poll_event().is_none() && s.poll_transmit().is_none());
}

fn config_keepalive(input: &Input) -> Duration {
    Duration::from_secs(input.keepalive_secs).saturating_add(Duration::from_millis(u64::from(input.keepalive_ms)))
}
