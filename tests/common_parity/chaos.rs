//! The chaos scenarios, each written once against [`Sdk`]: refusal storms, faults around
//! job creation, lost connections, broken bodies, silent and trickling servers, a server
//! restart, a non-ASCII header and realtime sessions that break. `chaos_blocking.rs` and
//! `chaos_async.rs` include this file and run every scenario through their client with
//! [`tests_for!`].
//!
//! Every assertion is an exact fact from the mock's stats and request log, or an error
//! variant; times appear only as generous upper bounds that catch a hang (10× the
//! configured limit). Both clients' body reads are bounded (the trickle scenarios), and a
//! non-ASCII header value from the server does not panic in either HTTP stack.

use std::path::Path;
use std::time::Duration;

use soniox::audio::{write_wav_file, WavSpec};
use soniox::mock::{transcript_text, Fault, FaultAction, MockServer};
use soniox::types::{CreateTranscription, File, Model, RealtimeConfig, Transcription};
use soniox::{Error, Result, RetryPolicy};

use crate::common_chaos::*;
use crate::common_parity::{Kind, Plan, Sdk};

/// One `#[test]` per scenario, each running it through the client `Kind::$kind`, in a
/// module `$client` (so a test's name says which client it drove). The including file
/// declares this file as `mod chaos`, next to `mod common_chaos` and `mod common_parity`.
macro_rules! tests_for {
    ($client:ident, $kind:ident) => {
        mod $client {
            $crate::chaos::tests_for!(@each $kind:
                a_thousand_gets_through_a_30_percent_storm_of_503_and_429_all_succeed,
                a_retry_after_of_one_second_is_waited_out_before_the_retry,
                a_create_is_retried_only_when_refused_so_each_call_makes_at_most_one_job,
                a_reset_before_the_response_head_is_retried_for_get_and_surfaced_for_post,
                malformed_and_cut_json_are_decode_errors_and_a_body_cut_short_is_retried_for_get,
                a_server_that_accepts_and_never_answers_is_a_timeout,
                a_trickling_body_is_cut_off_by_the_request_timeout,
                an_upload_whose_answer_trickles_is_cut_off_by_the_request_timeout,
                a_non_ascii_header_value_does_not_panic_and_the_call_succeeds,
                after_a_restart_on_the_same_port_stale_pooled_connections_are_dropped_and_calls_recover,
                realtime_sessions_that_break_end_in_errors_close_promptly_and_the_next_one_works,
            );
        }
    };
    (@each $kind:ident: $($scenario:ident,)*) => {
        $(
            #[test]
            fn $scenario() {
                $crate::chaos::$scenario($crate::common_parity::Kind::$kind)
            }
        )*
    };
}
pub(crate) use tests_for;

/// The client under test, each call run to completion on this thread.
struct Client {
    kind: Kind,
    sdk: Box<dyn Sdk>,
}

impl Client {
    fn new(kind: Kind, mock: &MockServer, timeout: Duration, retry: RetryPolicy) -> Client {
        Client {
            kind,
            sdk: kind.client(mock, timeout, retry),
        }
    }
    fn models(&self) -> Result<Vec<Model>> {
        self.kind.run(self.sdk.models())
    }
    /// A job from [`AUDIO_URL`].
    fn create(&self) -> Result<Transcription> {
        self.kind
            .run(self.sdk.create(CreateTranscription::audio_url(AUDIO_URL)))
    }
    fn upload(&self, path: &Path) -> Result<File> {
        self.kind.run(self.sdk.upload(path))
    }
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

pub(crate) fn a_thousand_gets_through_a_30_percent_storm_of_503_and_429_all_succeed(kind: Kind) {
    let mock = mock();
    storm(&mock, "/v1/models");
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    for i in 0..STORM_CALLS {
        let models = client.models().unwrap_or_else(|e| panic!("call {i}: {e:?}"));
        assert!(!models.is_empty());
    }
    assert_storm_accounting(&mock, "GET /v1/models", "/v1/models", STORM_CALLS);
}

pub(crate) fn a_retry_after_of_one_second_is_waited_out_before_the_retry(kind: Kind) {
    let mock = mock();
    mock.add_fault(Fault::new(refuse(503, "1")).on("GET", "/v1/models").times(1));
    mock.add_fault(Fault::new(refuse(429, "1")).on("GET", "/v1/models").times(1));
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    client.models().unwrap();
    assert_eq!(mock.stats().route("GET /v1/models"), 3);
    let gaps = retry_gaps(&mock, "/v1/models", "1");
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(gaps.iter().all(|g| *g >= Duration::from_secs(1)), "{gaps:?}");
}

pub(crate) fn a_create_is_retried_only_when_refused_so_each_call_makes_at_most_one_job(kind: Kind) {
    let mock = mock();
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    // Refused with 429 then 503 (nothing was done): retried, one job.
    mock.add_fault(Fault::new(refuse(429, "0")).on("POST", "/v1/transcriptions").times(1));
    mock.add_fault(Fault::new(refuse(503, "0")).on("POST", "/v1/transcriptions").times(1));
    client.create().unwrap();
    assert_eq!(
        (
            mock.transcriptions().len(),
            mock.stats().route("POST /v1/transcriptions")
        ),
        (1, 3)
    );
    // 500 after the job was made: surfaced, not retried, exactly one more job.
    mock.add_fault(
        Fault::new(FaultAction::StatusAfterProcessing { status: 500 })
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    let e = client.create().unwrap_err();
    assert_eq!((e.status(), e.error_type()), (Some(500), Some("internal_error")));
    assert_eq!(
        (
            mock.transcriptions().len(),
            mock.stats().route("POST /v1/transcriptions")
        ),
        (2, 4)
    );
}

pub(crate) fn a_reset_before_the_response_head_is_retried_for_get_and_surfaced_for_post(kind: Kind) {
    let mock = mock();
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    mock.add_fault(Fault::new(FaultAction::DropConnection).on("GET", "/v1/models").times(2));
    client.models().unwrap();
    assert_eq!(mock.stats().route("GET /v1/models"), 3);
    mock.add_fault(
        Fault::new(FaultAction::DropConnection)
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    match client.create().unwrap_err() {
        Error::Transport(t) => {
            assert!(t.maybe_processed, "{t:?}");
            assert_eq!(t.context, "POST /v1/transcriptions");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 1);
    assert!(mock.transcriptions().is_empty());
}

pub(crate) fn malformed_and_cut_json_are_decode_errors_and_a_body_cut_short_is_retried_for_get(kind: Kind) {
    let mock = mock();
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    mock.add_fault(Fault::new(FaultAction::MalformedBody).on("GET", "/v1/models").times(1));
    match client.models().unwrap_err() {
        Error::Decode(d) => assert_eq!(d.status, 200),
        other => panic!("{other:?}"),
    }
    mock.add_fault(Fault::new(FaultAction::TruncatedJson).on("GET", "/v1/models").times(1));
    match client.models().unwrap_err() {
        Error::Decode(d) => assert!(d.body.starts_with('{') && !d.body.is_empty(), "{d:?}"),
        other => panic!("{other:?}"),
    }
    // A decode error is not retried: one request each.
    assert_eq!(mock.stats().route("GET /v1/models"), 2);
    // Shorter than its Content-Length: the connection broke, so a GET is retried ...
    mock.add_fault(Fault::new(FaultAction::TruncatedBody).on("GET", "/v1/models").times(1));
    client.models().unwrap();
    assert_eq!(mock.stats().route("GET /v1/models"), 4);
    // ... and a POST (the job was made) is surfaced as maybe processed, not repeated.
    mock.add_fault(
        Fault::new(FaultAction::TruncatedBody)
            .on("POST", "/v1/transcriptions")
            .times(1),
    );
    match client.create().unwrap_err() {
        Error::Transport(t) => assert!(t.maybe_processed, "{t:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (
            mock.transcriptions().len(),
            mock.stats().route("POST /v1/transcriptions")
        ),
        (1, 1)
    );
}

pub(crate) fn a_server_that_accepts_and_never_answers_is_a_timeout(kind: Kind) {
    let mock = mock();
    let limit = Duration::from_millis(300);
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(60)))
            .on("", "/v1/")
            .times(2),
    );
    let client = Client::new(kind, &mock, limit, RetryPolicy::none());
    let e = client.models().unwrap_err();
    assert!(matches!(e, Error::Timeout(ref t) if t.after == limit), "{e:?}");
    // A POST that timed out is not repeated (and the mock did not process it).
    let e = client.create().unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert_eq!(mock.stats().route("POST /v1/transcriptions"), 1);
    assert!(mock.transcriptions().is_empty());
    // With retries, a timed-out GET is tried again.
    mock.add_fault(
        Fault::new(FaultAction::Hang(Duration::from_secs(60)))
            .on("GET", "/v1/models")
            .times(1),
    );
    Client::new(kind, &mock, limit, storm_policy()).models().unwrap();
    assert_eq!(mock.stats().route("GET /v1/models"), 3);
}

pub(crate) fn a_trickling_body_is_cut_off_by_the_request_timeout(kind: Kind) {
    let mock = mock();
    let limit = Duration::from_millis(400);
    // One byte per 100 ms: every read gets data long before the timeout.
    mock.add_fault(Fault::new(FaultAction::TrickleBody(Duration::from_millis(100))).on("GET", "/v1/models"));
    let client = Client::new(kind, &mock, limit, RetryPolicy::none());
    let e = client.models().unwrap_err();
    assert!(matches!(e, Error::Timeout(ref t) if t.after == limit), "{e:?}");
    assert_eq!(mock.stats().route("GET /v1/models"), 1);
}

pub(crate) fn an_upload_whose_answer_trickles_is_cut_off_by_the_request_timeout(kind: Kind) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = dir.path().join("a.wav");
    write_wav_file(&path, WavSpec::default(), Duration::from_secs(1)).unwrap();
    let limit = Duration::from_millis(400);
    mock.add_fault(Fault::new(FaultAction::TrickleBody(Duration::from_millis(100))).on("POST", "/v1/files"));
    // No whole-transfer limit on uploads (the default): the answer is still bounded.
    let client = Client::new(kind, &mock, limit, RetryPolicy::none());
    let e = client.upload(&path).unwrap_err();
    assert!(matches!(e, Error::Timeout(ref t) if t.after == limit), "{e:?}");
    assert_eq!(mock.stats().route("POST /v1/files"), 1);
}

pub(crate) fn a_non_ascii_header_value_does_not_panic_and_the_call_succeeds(kind: Kind) {
    let mock = mock();
    mock.add_fault(Fault::new(FaultAction::NonAsciiHeader).on("GET", "/v1/models").times(1));
    let client = Client::new(kind, &mock, Duration::from_secs(10), RetryPolicy::none());
    assert!(!client.models().unwrap().is_empty());
    assert_eq!(mock.stats().faults_injected, 1);
}

pub(crate) fn after_a_restart_on_the_same_port_stale_pooled_connections_are_dropped_and_calls_recover(kind: Kind) {
    let mock = mock();
    let client = Client::new(kind, &mock, Duration::from_secs(10), storm_policy());
    for _ in 0..3 {
        client.models().unwrap();
    }
    assert_eq!(mock.stats().connections_accepted, 1, "one pooled connection");
    let port = mock.addr().port();
    let mock = mock.restart().expect("restarts on the same port");
    assert_eq!(mock.addr().port(), port);
    for _ in 0..3 {
        client.models().unwrap();
    }
    client.create().unwrap();
    let s = mock.stats();
    // The stale connection never reached the new server: it saw exactly the calls.
    assert_eq!((s.route("GET /v1/models"), s.route("POST /v1/transcriptions")), (3, 1));
    assert_eq!(mock.transcriptions().len(), 1);
}

pub(crate) fn realtime_sessions_that_break_end_in_errors_close_promptly_and_the_next_one_works(kind: Kind) {
    let mock = MockServer::start();
    let client = Client::new(kind, &mock, Duration::from_secs(10), RetryPolicy::none());
    let finish_limit = Duration::from_millis(500);
    for (i, (fault, expected)) in realtime_faults().into_iter().enumerate() {
        mock.clear_faults();
        mock.add_fault(Fault::new(fault.clone()).on("GET", WS).times(1));
        // The same client, on the session's own thread.
        let sdk = client.sdk.handle();
        // Alternate the two ways out: close() and Drop.
        let close = i % 2 == 0;
        let outcome = within(Duration::from_secs(30), move || {
            let audio = pcm(1_000);
            kind.run(sdk.realtime_ending(pcm_config(), finish_limit, &audio, close))
        });
        // Each fault of `realtime_faults` fires after the server's first message (the
        // answer to the first frame) or at the end of audio, so the session cannot have
        // failed before that frame: connecting and sending it succeed, for every fault.
        let ending = outcome
            .unwrap_or_else(|| panic!("{fault:?}: the session hung"))
            .unwrap_or_else(|e| panic!("{fault:?}: connecting or sending the first frame failed: {e:?}"));
        match (expected, ending.finished) {
            (Some((code, error_type)), Err(Error::Realtime(e))) => {
                assert_eq!((e.code, e.error_type.as_str()), (code, error_type), "{fault:?}")
            }
            (None, Err(Error::Timeout(t))) => assert_eq!(t.after, finish_limit),
            (_, other) => panic!("{fault:?}: unexpected {other:?}"),
        }
        if let Some(closed) = ending.closed {
            assert!(
                closed.is_ok() || matches!(closed, Err(Error::Realtime(_))),
                "{closed:?}"
            );
        }
    }
    assert_eq!(stats_when(&mock, |s| s.ws_open_sessions == 0).ws_open_sessions, 0);
    // The same client then runs a clean session to the end.
    mock.clear_faults();
    let audio = pcm(1_000);
    let plan = Plan {
        audio: &audio,
        chunk: audio.len(),
        finalize_after: None,
    };
    let session = client.kind.run(client.sdk.realtime(None, pcm_config(), plan)).unwrap();
    assert_eq!(session.final_text, transcript_text(1_000));
    let s = stats_when(&mock, |s| s.ws_open_sessions == 0);
    assert_eq!((s.ws_sessions, s.ws_finished, s.ws_open_sessions), (4, 1, 0));
}
