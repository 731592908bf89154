//! The `soniox.request` span of every HTTP attempt (both clients) and the `soniox.realtime`
//! span of a realtime session (both clients), read back from a `tracing-subscriber` capture: names,
//! fields and values, one span per attempt with the right `attempt` number.

#[path = "common_chaos/capture.rs"]
mod capture;

use std::time::Duration;

use soniox::mock::{Fault, FaultAction, MockServer};
use soniox::RetryPolicy;
use std::sync::Mutex;

/// The close lines of the spans named `name`, in order.
fn closed_spans<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let open = format!("{name}{{");
    text.lines()
        .filter(|l| {
            // The span context comes before the first ": "; the innermost span is its last
            // `:`-separated segment (another library's spans may nest inside ours).
            let context = l.split(": ").next().unwrap_or("");
            l.contains(": close ") && context.rsplit("}:").next().is_some_and(|inner| inner.contains(&open))
        })
        .collect()
}

/// The value of `name=` among the fields of a span line (quotes kept for strings), if recorded.
fn field<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    let start = line
        .find(&format!("{{{name}="))
        .or_else(|| line.find(&format!(" {name}=")))?
        + name.len()
        + 2;
    let rest = &line[start..];
    let end = match rest.strip_prefix('"') {
        Some(quoted) => quoted.find('"')? + 2,
        None => rest.find([' ', '}'])?,
    };
    Some(&rest[..end])
}

/// `soniox.request` spans of a GET refused once with 503 and then answered, and of a GET by id.
fn assert_request_spans(text: &str, file_id: &str) {
    let spans = closed_spans(text, "soniox.request");
    assert_eq!(spans.len(), 3, "{text}");
    let (refused, answered, by_id) = (spans[0], spans[1], spans[2]);
    for (span, attempt, status) in [(refused, "1", "503"), (answered, "2", "200")] {
        assert_eq!(field(span, "method"), Some("\"GET\""), "{span}");
        assert_eq!(field(span, "route"), Some("\"/v1/models\""), "{span}");
        assert_eq!(field(span, "attempt"), Some(attempt), "{span}");
        assert_eq!(field(span, "status"), Some(status), "{span}");
        assert!(
            field(span, "duration_ms").is_some_and(|d| d.parse::<u64>().is_ok()),
            "{span}"
        );
        assert_eq!(field(span, "error"), None, "{span}");
    }
    // The request id of the refusal comes from its error body (a UUID).
    assert_eq!(field(refused, "request_id").map(str::len), Some(38), "{refused}");
    assert_eq!(field(answered, "request_id"), None, "{answered}");
    assert!(text.contains("retrying") && text.contains("delay_ms=0"), "{text}");
    // A 404 by id: the route is the template; the id is not in any field.
    assert_eq!(field(by_id, "route"), Some("\"/v1/files/{id}\""), "{by_id}");
    assert_eq!(
        (field(by_id, "attempt"), field(by_id, "status")),
        (Some("1"), Some("404")),
        "{by_id}"
    );
    assert!(!by_id.contains(file_id), "{by_id}");
}

/// The capture is process-wide (spans may be made on any thread of the process): the tests
/// take turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` alone and returns what it traced.
fn traced(f: impl FnOnce()) -> String {
    let _alone = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let captured = capture::global();
    let before = captured.text().len();
    f();
    captured.text().split_off(before)
}

fn faulty_mock() -> MockServer {
    let mock = MockServer::start();
    mock.add_fault(
        Fault::new(FaultAction::Status {
            status: 503,
            retry_after: Some("0".into()),
        })
        .on("GET", "/v1/models")
        .times(1),
    );
    mock
}

const FILE_ID: &str = "0b3d0a9e-1111-4222-8333-444455556666";

#[test]
fn each_blocking_attempt_is_a_soniox_request_span_with_its_number_status_and_request_id() {
    let mock = faulty_mock();
    let client = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .retry(RetryPolicy::default().max_retries(2))
        .build()
        .unwrap();
    let text = traced(|| {
        client.models().list().unwrap();
        assert_eq!(client.files().get(FILE_ID).unwrap_err().status(), Some(404));
    });
    assert_request_spans(&text, FILE_ID);
}

#[cfg(feature = "async")]
#[test]
fn each_async_attempt_is_a_soniox_request_span_with_its_number_status_and_request_id() {
    let mock = faulty_mock();
    let client = soniox::nonblocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .retry(RetryPolicy::default().max_retries(2))
        .build()
        .unwrap();
    let text = traced(|| {
        async_std::task::block_on(async {
            client.models().list().await.unwrap();
            assert_eq!(client.files().get(FILE_ID).await.unwrap_err().status(), Some(404));
        })
    });
    assert_request_spans(&text, FILE_ID);
}

/// Waits (bounded) for the one `soniox.realtime` span after `before` to close, and checks
/// what it recorded.
fn assert_realtime_span(captured: &capture::Captured, before: usize, audio_len: usize) {
    // The session span closes just after `close`: wait (bounded) for it.
    let mut text = captured.text().split_off(before);
    for _ in 0..200 {
        if text
            .lines()
            .any(|l| l.contains("soniox.realtime{") && l.ends_with("close"))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        text = captured.text().split_off(before);
    }
    let closed = closed_spans(&text, "soniox.realtime");
    assert_eq!(closed.len(), 1, "{text}");
    assert_eq!(field(closed[0], "model"), Some("\"stt-rt-v5\""), "{}", closed[0]);
    assert_eq!(field(closed[0], "audio_bytes"), Some(audio_len.to_string().as_str()));
    assert_eq!(field(closed[0], "phase"), Some("finished"), "{}", closed[0]);
    assert!(text.contains("realtime session started"), "{text}");
    assert_eq!(text.matches("realtime session ended").count(), 1, "{text}");
}

fn realtime_audio() -> Vec<u8> {
    use soniox::audio::{pcm_chunks, WavSpec};
    pcm_chunks(WavSpec::default(), 64 * 1024, Duration::from_millis(500))
        .flatten()
        .collect()
}

#[test]
fn a_blocking_realtime_session_runs_in_a_soniox_realtime_span_that_records_how_it_ended() {
    let _alone = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let captured = capture::global();
    let before = captured.text().len();
    let mock = MockServer::start();
    let client = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .build()
        .unwrap();
    let audio = realtime_audio();
    let mut stream = client
        .realtime()
        .connect(soniox::types::RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
        .unwrap();
    stream.send_audio(&audio).unwrap();
    stream.finish().unwrap();
    stream.close().unwrap();
    assert_realtime_span(&captured, before, audio.len());
}

#[cfg(feature = "async")]
#[test]
fn an_async_realtime_session_runs_in_a_soniox_realtime_span_that_records_how_it_ended() {
    let _alone = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let captured = capture::global();
    let before = captured.text().len();
    let mock = MockServer::start();
    let client = soniox::nonblocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .ws_url(mock.ws_url())
        .build()
        .unwrap();
    let audio = realtime_audio();
    async_std::task::block_on(async {
        let mut stream = client
            .realtime()
            .connect(soniox::types::RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
            .await
            .unwrap();
        stream.send_audio(&audio).await.unwrap();
        stream.finish().await.unwrap();
        stream.close().await.unwrap();
    });
    assert_realtime_span(&captured, before, audio.len());
}

/// Text-to-speech attempts are `soniox.request` spans too (both clients): a refusal before
/// any audio (503, retried) then the audio (200), route `/tts`; the trailers' error of a
/// later call is recorded on its span as an API error.
#[test]
fn text_to_speech_attempts_are_soniox_request_spans() {
    let mock = MockServer::start();
    let speech = soniox::types::Speech::new("Hi", "Adrian");
    let refuse_once = || {
        mock.add_fault(
            Fault::new(FaultAction::Status {
                status: 503,
                retry_after: Some("0".into()),
            })
            .on("POST", "/tts")
            .times(1),
        );
    };
    let check = |text: &str| {
        let spans = closed_spans(text, "soniox.request");
        let tts: Vec<&&str> = spans.iter().filter(|l| field(l, "route") == Some("\"/tts\"")).collect();
        let facts: Vec<(Option<&str>, Option<&str>)> =
            tts.iter().map(|l| (field(l, "attempt"), field(l, "status"))).collect();
        assert_eq!(facts, [(Some("1"), Some("503")), (Some("2"), Some("200"))], "{text}");
    };
    let client = soniox::blocking::Client::builder()
        .api_key(mock.api_key())
        .tts_api_url(mock.tts_url())
        .retry(RetryPolicy::default().max_retries(2))
        .build()
        .unwrap();
    refuse_once();
    check(&traced(|| {
        client.tts().generate(&speech).unwrap();
    }));
    #[cfg(feature = "async")]
    {
        let client = soniox::nonblocking::Client::builder()
            .api_key(mock.api_key())
            .tts_api_url(mock.tts_url())
            .retry(RetryPolicy::default().max_retries(2))
            .build()
            .unwrap();
        refuse_once();
        check(&traced(|| {
            async_std::task::block_on(client.tts().generate(&speech)).unwrap();
        }));
    }
}
