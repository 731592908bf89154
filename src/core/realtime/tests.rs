//! Session scenarios with a fake clock: each test jumps to a phase and checks one
//! behaviour.

use std::time::{Duration, Instant};

use super::*;
use crate::error::{Error, Result};
use crate::types::RealtimeConfig;

const SECOND: Duration = Duration::from_secs(1);

/// A session and the fake clock that drives it.
struct Scenario {
    now: Instant,
    session: RealtimeSession,
}

impl Scenario {
    fn connecting(config: RealtimeConfig) -> Scenario {
        let now = Instant::now();
        Scenario {
            now,
            session: RealtimeSession::new(config, now).unwrap(),
        }
    }
    /// Connected, start message written.
    fn streaming() -> Scenario {
        let mut s = Scenario::connecting(RealtimeConfig::default());
        s.session.handle_connected(s.now);
        assert!(s.sent().starts_with(r#"{"model":"stt-rt-v5""#));
        s
    }
    /// `finish()` called, empty frame written.
    fn finishing() -> Scenario {
        let mut s = Scenario::streaming();
        s.session.finish(s.now).unwrap();
        assert_eq!(s.sent(), "");
        s
    }
    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.session.handle_timeout(self.now);
    }
    /// The next frame to write (panics when there is none).
    fn sent(&mut self) -> String {
        match self.session.poll_transmit() {
            Some(Outgoing::Text(t)) => t,
            None => panic!("nothing to send"),
        }
    }
    fn receive(&mut self, text: &str) -> Vec<Result<RealtimeEvent>> {
        self.session.handle_message(self.now, text);
        std::iter::from_fn(|| self.session.poll_event()).collect()
    }
    fn events(&mut self) -> Vec<Result<RealtimeEvent>> {
        std::iter::from_fn(|| self.session.poll_event()).collect()
    }
}

fn realtime_error(event: &Result<RealtimeEvent>) -> &crate::error::RealtimeError {
    match event {
        Err(Error::Realtime(e)) => e,
        other => panic!("expected a realtime error, got {other:?}"),
    }
}

#[test]
fn a_full_session_goes_from_connected_through_audio_and_results_to_finished() {
    let mut s = Scenario::connecting(RealtimeConfig::default().pcm_s16le(8_000, 1));
    assert_eq!(s.session.phase(), Phase::Connecting);
    assert_eq!(s.session.poll_timeout(), None);
    s.session.handle_connected(s.now);
    assert_eq!(s.session.phase(), Phase::Streaming);
    assert!(s.sent().contains(r#""sample_rate":8000"#));
    for _ in 0..3 {
        s.session.audio_sent(s.now, 1_600).unwrap();
    }
    let events = s.receive(r#"{"tokens":[{"text":"One","is_final":true},{"text":" t","is_final":false}],"final_audio_proc_ms":100,"total_audio_proc_ms":300}"#);
    let [Ok(RealtimeEvent::Result(r))] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(
        (r.tokens.len(), r.final_audio_proc_ms, r.total_audio_proc_ms),
        (2, Some(100), Some(300))
    );
    s.session.finish(s.now).unwrap();
    assert_eq!((s.sent(), s.session.phase()), (String::new(), Phase::Finishing));
    let events = s.receive(r#"{"tokens":[{"text":" two","is_final":true}],"final_audio_proc_ms":300,"total_audio_proc_ms":300,"finished":true}"#);
    assert!(
        matches!(events.as_slice(), [Ok(RealtimeEvent::Result(r)), Ok(RealtimeEvent::Finished)] if r.finished && r.tokens[0].text == " two")
    );
    assert_eq!(s.session.phase(), Phase::Finished);
    assert_eq!(
        (
            s.session.audio_bytes_sent(),
            s.session.audio_frames_sent(),
            s.session.messages_received()
        ),
        (4_800, 3, 2)
    );
    assert!(s.session.poll_transmit().is_none());
}

#[test]
fn finalize_sends_the_frame_and_fin_becomes_finalized() {
    let mut s = Scenario::streaming();
    s.session.finalize(s.now, None).unwrap();
    assert_eq!(s.sent(), r#"{"type":"finalize"}"#);
    s.session.finalize(s.now, Some(200)).unwrap();
    assert_eq!(s.sent(), r#"{"type":"finalize","trailing_silence_ms":200}"#);
    let events = s.receive(r#"{"tokens":[{"text":"done","is_final":true},{"text":"<fin>","is_final":true}]}"#);
    assert!(
        matches!(events.as_slice(), [Ok(RealtimeEvent::Result(r)), Ok(RealtimeEvent::Finalized)] if r.tokens.len() == 1)
    );
    assert_eq!(s.session.phase(), Phase::Streaming);
}

#[test]
fn an_end_token_becomes_an_endpoint_and_never_text() {
    let mut s = Scenario::streaming();
    let events = s.receive(r#"{"tokens":[{"text":"Hi","is_final":true},{"text":"<end>","is_final":true}]}"#);
    let [Ok(RealtimeEvent::Result(r)), Ok(RealtimeEvent::Endpoint)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert!(r.tokens.iter().all(|t| t.text == "Hi"));
}

#[test]
fn the_keepalive_is_due_exactly_at_the_deadline_and_not_before() {
    let mut s = Scenario::streaming();
    let deadline = s.now + 5 * SECOND;
    assert_eq!(s.session.poll_timeout(), Some(deadline));
    s.advance(5 * SECOND - Duration::from_nanos(1));
    assert!(s.session.poll_transmit().is_none());
    s.advance(Duration::from_nanos(1));
    assert_eq!(s.sent(), r#"{"type":"keepalive"}"#);
    assert!(s.session.poll_transmit().is_none());
    assert_eq!(s.session.poll_timeout(), Some(deadline + 5 * SECOND));
}

#[test]
fn sending_audio_or_a_keepalive_pushes_the_deadline_but_finalize_does_not() {
    let mut s = Scenario::streaming();
    s.advance(4 * SECOND);
    s.session.audio_sent(s.now, 10).unwrap();
    assert_eq!(s.session.poll_timeout(), Some(s.now + 5 * SECOND));
    s.advance(4 * SECOND);
    assert!(s.session.poll_transmit().is_none());
    s.session.keepalive(s.now).unwrap();
    assert_eq!(s.sent(), r#"{"type":"keepalive"}"#);
    assert_eq!(s.session.poll_timeout(), Some(s.now + 5 * SECOND));
    s.session.finalize(s.now + SECOND, None).unwrap();
    assert_eq!(s.session.poll_timeout(), Some(s.now + 5 * SECOND));
}

#[test]
fn the_keepalive_interval_comes_from_the_config() {
    let mut s = Scenario::connecting(RealtimeConfig::default().keepalive_interval(2 * SECOND));
    s.session.handle_connected(s.now);
    assert_eq!(s.session.poll_timeout(), Some(s.now + 2 * SECOND));
}

#[test]
fn nothing_is_timed_before_connecting_or_after_finish() {
    let mut s = Scenario::connecting(RealtimeConfig::default());
    s.advance(60 * SECOND);
    assert!(s.session.poll_transmit().is_none());
    let mut s = Scenario::finishing();
    assert_eq!(s.session.poll_timeout(), None);
    s.advance(60 * SECOND);
    assert!(s.session.poll_transmit().is_none());
}

#[test]
fn operations_in_the_wrong_phase_are_errors() {
    let invalid = |r: Result<()>| matches!(r, Err(Error::InvalidArgument(_)));
    let mut s = Scenario::connecting(RealtimeConfig::default());
    let now = s.now;
    assert!(invalid(s.session.audio_sent(now, 1)));
    assert!(invalid(s.session.keepalive(now)));
    assert!(invalid(s.session.finalize(now, None)));
    assert!(invalid(s.session.finish(now)));
    let mut s = Scenario::finishing();
    assert!(invalid(s.session.audio_sent(now, 1)));
    assert!(invalid(s.session.keepalive(now)));
    assert!(invalid(s.session.finalize(now, None)));
    let err = s.session.finish(now).unwrap_err().to_string();
    assert!(err.contains("finish() was already called"), "{err}");
    s.receive(r#"{"tokens":[],"finished":true}"#);
    assert!(invalid(s.session.audio_sent(now, 1)));
}

#[test]
fn an_empty_audio_frame_is_refused_because_it_would_end_the_stream() {
    let mut s = Scenario::streaming();
    let err = s.session.audio_sent(s.now, 0).unwrap_err().to_string();
    assert!(err.contains("finish()"), "{err}");
    assert_eq!(s.session.audio_frames_sent(), 0);
}

#[test]
fn audio_waits_until_the_queued_frames_are_written() {
    let mut s = Scenario::connecting(RealtimeConfig::default());
    s.session.handle_connected(s.now);
    assert!(
        s.session.audio_sent(s.now, 10).is_err(),
        "the start message must go first"
    );
    let _start = s.sent();
    s.session.audio_sent(s.now, 10).unwrap();
}

#[test]
fn an_error_message_fails_the_session_and_is_surfaced_once() {
    let mut s = Scenario::streaming();
    s.session.finalize(s.now, None).unwrap();
    let events = s.receive(r#"{"tokens":[],"error_code":503,"error_type":"service_unavailable","error_message":"Cannot continue","request_id":"r-1"}"#);
    assert_eq!(events.len(), 1);
    let e = realtime_error(&events[0]);
    assert_eq!(
        (e.code, e.error_type.as_str(), e.request_id.as_deref()),
        (Some(503), "service_unavailable", Some("r-1"))
    );
    assert_eq!(s.session.phase(), Phase::Failed);
    assert!(s.session.poll_transmit().is_none(), "queued frames are dropped");
    assert_eq!(s.session.poll_timeout(), None);
    s.session.handle_close(s.now, Some(1011), "");
    assert!(s.receive(r#"{"tokens":[]}"#).is_empty());
    assert!(matches!(s.session.audio_sent(s.now, 1), Err(Error::Realtime(e)) if e.code == Some(503)));
    assert_eq!(
        s.session.failure().map(|e| e.error_type.as_str()),
        Some("service_unavailable")
    );
}

#[test]
fn an_undecodable_frame_fails_the_session() {
    let mut s = Scenario::streaming();
    let events = s.receive("<html>");
    assert_eq!(realtime_error(&events[0]).error_type, "invalid_message");
    assert_eq!(s.session.phase(), Phase::Failed);
}

#[test]
fn a_close_without_finished_is_an_error_in_every_live_phase() {
    for mut s in [
        Scenario::connecting(RealtimeConfig::default()),
        Scenario::streaming(),
        Scenario::finishing(),
    ] {
        s.session.handle_close(s.now, Some(1006), "abnormal");
        let events = s.events();
        let e = realtime_error(&events[0]);
        assert_eq!((e.code, e.error_type.as_str()), (None, "connection_closed"));
        assert!(e.message.contains("1006: abnormal"), "{}", e.message);
        assert_eq!((events.len(), s.session.phase()), (1, Phase::Failed));
    }
    let mut s = Scenario::streaming();
    s.session.handle_close(s.now, None, "");
    assert!(realtime_error(&s.events()[0]).message.contains("(no close frame)"));
}

#[test]
fn a_close_after_finished_is_fine() {
    let mut s = Scenario::finishing();
    s.receive(r#"{"tokens":[],"finished":true}"#);
    s.session.handle_close(s.now, Some(1000), "");
    s.session.handle_close(s.now, None, "reset");
    assert!(s.events().is_empty());
    assert_eq!(s.session.phase(), Phase::Finished);
}

#[test]
fn the_server_may_finish_a_stream_that_was_not_finishing() {
    let mut s = Scenario::streaming();
    s.session.keepalive(s.now).unwrap();
    let events = s.receive(r#"{"tokens":[],"finished":true}"#);
    assert!(matches!(events.last(), Some(Ok(RealtimeEvent::Finished))));
    assert!(s.session.poll_transmit().is_none());
    assert_eq!(s.session.poll_timeout(), None);
}

#[test]
fn an_invalid_config_is_refused_before_connecting() {
    let r = RealtimeSession::new(RealtimeConfig::new(""), Instant::now());
    assert!(matches!(r, Err(Error::InvalidArgument(m)) if m.contains("model")));
}

#[test]
fn a_second_handle_connected_changes_nothing() {
    let mut s = Scenario::streaming();
    s.session.handle_connected(s.now);
    assert!(s.session.poll_transmit().is_none());
}
