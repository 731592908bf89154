//! The async realtime client against the mock's WebSocket endpoint: the scenarios of
//! `blocking_realtime.rs`, awaited. Whole sessions at every chunk size, finalize,
//! keepalive, concurrency (tasks), faults, typed errors, back-pressure and a prompt
//! close, under async-std; one whole session under smol and one under
//! `futures::executor::block_on`. Every loop is bounded in count and time; no wall-clock
//! assertions.
#![cfg(feature = "async")]

mod common_async;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use common_async::realtime::{client, pause, pcm, pcm_config, stats_within};
use common_async::{assert_send, run};
use futures::{AsyncRead, StreamExt};
use soniox::audio::WavSpec;
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, Fault, FaultAction, MockConfig, MockServer, MockStats};
use soniox::nonblocking::{stream_audio, AudioSender, Client, Pace, RealtimeStream};
use soniox::types::{RealtimeConfig, TemporaryKey};
use soniox::{ApiKey, Error};

const KB: usize = 1024;
/// 16 kHz mono 16-bit PCM: 32 bytes per millisecond.
const BYTES_PER_MS: u64 = 32;

fn mock_with(config: MockConfig) -> MockServer {
    MockServer::start_with(config).expect("mock server starts")
}

/// An `AsyncRead` over `ms` of PCM.
fn pcm_reader(ms: u64) -> impl AsyncRead + Unpin {
    futures::io::Cursor::new(pcm(ms))
}

/// Polls the mock's stats until `done` holds (at most 10 s); returns the last snapshot.
async fn stats_when(mock: &MockServer, done: impl Fn(&MockStats) -> bool) -> MockStats {
    let mut stats = mock.stats();
    for _ in 0..2_000 {
        if done(&stats) {
            break;
        }
        pause(5).await;
        stats = mock.stats();
    }
    stats
}

/// Reads `stream`'s events (each must be `Ok`) while polling the mock's stats until `done`
/// holds; panics naming `what` after `bound` (a hang guard). The stream is polled all along:
/// that is what sends its keepalives while it waits for events.
async fn reading_until(
    stream: &mut RealtimeStream,
    mock: &MockServer,
    bound: Duration,
    what: &str,
    done: impl Fn(&MockStats) -> bool,
) -> MockStats {
    let mut watch = std::pin::pin!(stats_within(mock, bound, what, done));
    loop {
        match futures::future::select(stream.next(), watch.as_mut()).await {
            futures::future::Either::Left((Some(Ok(_)), _)) => {}
            futures::future::Either::Left((other, _)) => panic!("{what}: the stream gave {other:?}"),
            futures::future::Either::Right((stats, _)) => return stats,
        }
    }
}

/// A bounded rendezvous: each of `n` tasks arrives, then waits until all `n` have (at most
/// 30 s, a hang guard: a task that failed before arriving fails the others too).
struct Rendezvous {
    arrived: AtomicUsize,
    n: usize,
}

impl Rendezvous {
    fn new(n: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            arrived: AtomicUsize::new(0),
            n,
        })
    }

    async fn arrive_and_wait(&self) {
        self.arrived.fetch_add(1, SeqCst);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.arrived.load(SeqCst) < self.n {
            assert!(
                Instant::now() < deadline,
                "only {} of {} tasks arrived within 30 s",
                self.arrived.load(SeqCst),
                self.n
            );
            pause(1).await;
        }
    }
}

/// The realtime error of a result, or a panic naming what came instead.
fn realtime_error<T: std::fmt::Debug>(result: soniox::Result<T>) -> soniox::error::RealtimeError {
    match result {
        Err(Error::Realtime(e)) => e,
        other => panic!("expected Error::Realtime, got {other:?}"),
    }
}

/// The first error event of a stream (at most 1000 events, 10 s each).
async fn first_error(stream: &mut RealtimeStream) -> Error {
    for _ in 0..1_000 {
        match stream.recv_timeout(Duration::from_secs(10)).await {
            Some(Ok(_)) => continue,
            Some(Err(e)) => return e,
            None => panic!("the stream ended without an error"),
        }
    }
    panic!("no error within 1000 events")
}

/// A whole session of `ms` of audio in `chunk` byte frames; checks text and stats.
async fn whole_session(chunk: usize) {
    let mock = MockServer::start();
    let client = client(&mock);
    let ms = 6_000;
    let audio = pcm(ms);
    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
    let sent = stream
        .send_reader(futures::io::Cursor::new(&audio), chunk, Pace::AsFastAsPossible)
        .await
        .unwrap();
    let events = stream.finish().await.unwrap();

    assert_eq!(sent, audio.len() as u64);
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));
    assert_eq!(stream.transcript().non_final_text(), "");
    // `finished` closed the books: all the audio sent is final.
    let t = stream.transcript();
    assert_eq!(
        (t.is_finished(), t.final_audio_proc_ms(), t.total_audio_proc_ms()),
        (true, ms, ms)
    );
    let frames = audio.len().div_ceil(chunk) as u64;
    let ours = stream.stats();
    assert_eq!((ours.audio_bytes_sent, ours.audio_frames_sent), (sent, frames));
    assert!(stream.next().await.is_none(), "nothing after Finished");
    let stats = stats_when(&mock, |s| s.ws_finished == 1).await;
    assert_eq!((stats.ws_audio_bytes, stats.ws_audio_frames), (sent, frames));
    assert_eq!((stats.ws_sessions, stats.ws_finished), (1, 1));
    let sent_by_mock = stats_when(&mock, |s| s.ws_messages_sent >= ours.messages_received).await;
    assert_eq!(ours.messages_received, sent_by_mock.ws_messages_sent);
}

#[test]
fn a_whole_session_in_1_kb_chunks_transcribes_every_word() {
    run(whole_session(KB));
}

#[test]
fn a_whole_session_in_4_kb_chunks_transcribes_every_word() {
    run(whole_session(4 * KB));
}

#[test]
fn a_whole_session_in_16_kb_chunks_transcribes_every_word() {
    run(whole_session(16 * KB));
}

#[test]
fn a_whole_session_in_64_kb_chunks_transcribes_every_word() {
    run(whole_session(64 * KB));
}

#[test]
fn a_whole_session_runs_under_smol() {
    smol::block_on(whole_session(4 * KB));
}

#[test]
fn a_whole_session_runs_under_the_futures_executor() {
    futures::executor::block_on(whole_session(16 * KB));
}

#[test]
fn finalize_mid_stream_yields_finalized_and_makes_the_text_so_far_final() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        stream
            .send_reader(pcm_reader(3_000), 4 * KB, Pace::AsFastAsPossible)
            .await
            .unwrap();
        stream.finalize().await.unwrap();
        let mut finalized = false;
        for _ in 0..1_000 {
            match stream.recv_timeout(Duration::from_secs(10)).await {
                Some(Ok(RealtimeEvent::Finalized)) => {
                    finalized = true;
                    break;
                }
                Some(Ok(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(finalized, "a Finalized event follows finalize()");
        assert_eq!(stream.transcript().non_final_text(), "", "everything so far is final");
        assert_eq!(stream.transcript().final_text(), transcript_text(3_000));

        // The stream goes on after a finalize.
        stream.send_audio(&pcm(1_000)).await.unwrap();
        stream.finish().await.unwrap();
        assert_eq!(stream.transcript().final_text(), transcript_text(4_000));
        let t = stream.transcript();
        assert_eq!((t.final_audio_proc_ms(), t.total_audio_proc_ms()), (4_000, 4_000));
        assert_eq!(stats_when(&mock, |s| s.ws_finished == 1).await.ws_finalizes, 1);
    });
}

#[test]
fn endpoint_detection_yields_endpoint_events_that_never_reach_the_text() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let config = pcm_config().endpoint_detection(true);
        let mut stream = client.realtime().connect(config).await.unwrap();
        stream.send_audio(&pcm(10_000)).await.unwrap();
        let events = stream.finish().await.unwrap();
        let endpoints = events.iter().filter(|e| **e == RealtimeEvent::Endpoint).count();
        // 20 words, an `<end>` after every 8th final word.
        assert_eq!(endpoints, 2);
        assert_eq!(stream.transcript().final_text(), transcript_text(10_000));
    });
}

/// Keepalives of the idle-timeout tests: one per `KEEPALIVE_INTERVAL` while idle, against
/// an idle timeout 20× longer (so a keepalive must be more than 1.9 s late to miss it), for
/// `IDLE_KEEPALIVES` intervals: longer idle than the timeout.
const KEEPALIVE_INTERVAL: Duration = Duration::from_millis(100);
const IDLE_TIMEOUT: Duration = Duration::from_secs(2);
const IDLE_KEEPALIVES: u64 = 25;

#[test]
fn automatic_keepalives_keep_an_idle_session_alive_past_the_idle_timeout() {
    // The idle time is counted, not slept: the session sends a keepalive only when nothing
    // went out for a whole interval, so IDLE_KEEPALIVES of them counted by the mock after
    // it took the audio mean the session sat idle for at least 25 × 100 ms = 2.5 s, past
    // the 2 s idle timeout. The stream is polled meanwhile (waiting for events that do not
    // come): no task runs behind it, its poll sends them.
    assert!(KEEPALIVE_INTERVAL * IDLE_KEEPALIVES as u32 > IDLE_TIMEOUT);
    run(async {
        let mock = mock_with(MockConfig::default().ws_idle_timeout(IDLE_TIMEOUT));
        let client = client(&mock);
        let config = pcm_config().keepalive_interval(KEEPALIVE_INTERVAL);
        let mut stream = client.realtime().connect(config).await.unwrap();
        stream.send_audio(&pcm(1_000)).await.unwrap();
        // The keepalives the mock counts after the audio frame were sent after it (it reads in order).
        let before = stats_within(&mock, Duration::from_secs(30), "the audio frame", |s| {
            s.ws_audio_frames == 1
        })
        .await
        .ws_keepalives;
        let idle = reading_until(&mut stream, &mock, Duration::from_secs(60), "the keepalives", |s| {
            s.ws_keepalives >= before + IDLE_KEEPALIVES || s.ws_open_sessions == 0
        })
        .await;
        assert_eq!(idle.ws_open_sessions, 1, "the session stayed open while idle: {idle:?}");
        stream.send_audio(&pcm(1_000)).await.unwrap();
        stream.finish().await.unwrap();
        assert_eq!(stream.transcript().final_text(), transcript_text(2_000));
        let stats = stats_when(&mock, |s| s.ws_finished == 1).await;
        assert_eq!((stats.ws_finished, stats.ws_audio_frames), (1, 2), "{stats:?}");
        assert!(stats.ws_keepalives >= before + IDLE_KEEPALIVES, "{stats:?}");
    });
}

#[test]
fn without_audio_or_keepalives_an_idle_session_is_closed_with_a_408() {
    run(async {
        let mock = mock_with(MockConfig::default().ws_idle_timeout(Duration::from_millis(300)));
        let client = client(&mock);
        let config = pcm_config().keepalive_interval(Duration::from_secs(60));
        let mut stream = client.realtime().connect(config).await.unwrap();
        let e = realtime_error(Err::<(), _>(first_error(&mut stream).await));
        assert_eq!(e.code, Some(408), "{e:?}");
        assert!(stream.next().await.is_none(), "the error ends the stream");
        assert!(stream.send_audio(&pcm(100)).await.is_err(), "no audio after the end");
    });
}

#[test]
fn ten_concurrent_streams_as_tasks_each_get_their_own_complete_transcript() {
    // Every stream connects, then waits for the others before sending: all ten sessions are
    // open at once (the mock's default limit is ten), so the mock's peak is exactly ten.
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let all_open = Rendezvous::new(10);
        let tasks: Vec<_> = (0..10u64)
            .map(|i| {
                let (client, all_open) = (client.clone(), all_open.clone());
                async_std::task::spawn(async move {
                    let ms = 1_000 + 480 * i;
                    let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
                    all_open.arrive_and_wait().await;
                    stream
                        .send_reader(pcm_reader(ms), 4 * KB, Pace::AsFastAsPossible)
                        .await
                        .unwrap();
                    stream.finish().await.unwrap();
                    (ms, stream.transcript().final_text().to_owned())
                })
            })
            .collect();
        for task in tasks {
            let (ms, text) = task.await;
            assert_eq!(text, transcript_text(ms));
        }
        let stats = stats_when(&mock, |s| s.ws_finished == 10).await;
        assert_eq!((stats.ws_sessions, stats.ws_finished), (10, 10));
        assert_eq!(stats.ws_peak_sessions, 10, "the ten sessions were open at once");
    });
}

#[test]
fn a_stream_over_the_concurrency_limit_is_refused_with_a_429() {
    run(async {
        let mock = mock_with(MockConfig::default().max_concurrent_streams(1));
        let client = client(&mock);
        let mut first = client.realtime().connect(pcm_config()).await.unwrap();
        first.send_audio(&pcm(500)).await.unwrap();
        assert!(matches!(first.recv_timeout(Duration::from_secs(10)).await, Some(Ok(_))));
        let mut second = client.realtime().connect(pcm_config()).await.unwrap();
        let e = realtime_error(second.finish().await);
        assert_eq!(e.code, Some(429), "{e:?}");
        assert!(Error::Realtime(e).is_retryable());
        first.finish().await.unwrap();
    });
}

#[test]
fn events_can_be_read_in_one_future_while_another_sends_and_finishes() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let sender = stream.sender();
        let feeder = async move {
            let sent = stream_audio(&sender, pcm_reader(3_000), 3_200, Pace::AsFastAsPossible).await?;
            sender.finish().await?;
            Ok::<_, Error>(sent)
        };
        let reader = async {
            let mut results = 0;
            let mut events = (&mut stream).take(10_000);
            while let Some(event) = events.next().await {
                if let RealtimeEvent::Result(_) = event.unwrap() {
                    results += 1;
                }
            }
            results
        };
        let (sent, results) = futures::join!(feeder, reader);
        assert_eq!(sent.unwrap(), 3_000 * BYTES_PER_MS);
        assert_eq!(results, 30 + 1, "one result per frame, then the finished message");
        assert!(stream.is_ended());
        assert_eq!(stream.transcript().final_text(), transcript_text(3_000));
    });
}

#[test]
fn a_sender_on_another_task_feeds_the_stream() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let sender = stream.sender();
        let feeder = async_std::task::spawn(async move {
            let sent = stream_audio(&sender, pcm_reader(2_000), 4 * KB, Pace::AsFastAsPossible).await?;
            sender.finish().await?;
            Ok::<_, Error>(sent)
        });
        let events: Vec<_> = (&mut stream).take(10_000).collect().await;
        assert_eq!(feeder.await.unwrap(), 2_000 * BYTES_PER_MS);
        assert!(events.iter().all(Result::is_ok));
        assert!(matches!(events.last(), Some(Ok(RealtimeEvent::Finished))));
        assert_eq!(stream.transcript().final_text(), transcript_text(2_000));
    });
}

#[test]
fn real_time_pacing_sends_every_byte() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let pace = Pace::real_time(WavSpec::default());
        let sent = stream.send_reader(pcm_reader(500), 3_200, pace).await.unwrap();
        stream.finish().await.unwrap();
        assert_eq!(sent, 500 * BYTES_PER_MS);
        assert_eq!(stream.transcript().final_text(), transcript_text(500));
    });
}

#[test]
fn a_dropped_connection_surfaces_as_a_connection_closed_error() {
    run(async {
        let mock = MockServer::start();
        mock.add_fault(Fault::new(FaultAction::WsDropAfter { messages: 3 }).on("GET", "/transcribe-websocket"));
        let client = client(&mock);
        let mut stream = client
            .realtime()
            .finish_timeout(Duration::from_secs(20))
            .connect(pcm_config())
            .await
            .unwrap();
        // The drop comes after the third result, while the 24 frames may still be going out:
        // whether sending sees it first is a race, so both outcomes are allowed, each exactly:
        // every byte sent, or the session's own failure (the same error `finish` reports).
        let sent = stream
            .send_reader(pcm_reader(3_000), 4 * KB, Pace::AsFastAsPossible)
            .await;
        let e = realtime_error(stream.finish().await);
        assert_eq!(e.error_type, "connection_closed", "{e:?}");
        match sent {
            Ok(bytes) => assert_eq!(bytes, 3_000 * BYTES_PER_MS),
            Err(send_error) => assert_eq!(realtime_error::<u64>(Err(send_error)), e),
        }
        assert!(Error::Realtime(e).is_retryable());
    });
}

#[test]
fn a_server_error_mid_stream_is_an_error_realtime_with_code_503() {
    run(async {
        let mock = MockServer::start();
        mock.add_fault(
            Fault::new(FaultAction::WsErrorAfter {
                messages: 2,
                code: 503,
                error_type: "service_unavailable".into(),
            })
            .on("GET", "/transcribe-websocket"),
        );
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        // The error comes after the second result, while the 16 frames may still be going out:
        // whether sending sees it first is a race, so both outcomes are allowed, each exactly:
        // every byte sent, or the server's error (the same one `finish` reports).
        let sent = stream
            .send_reader(pcm_reader(2_000), 4 * KB, Pace::AsFastAsPossible)
            .await;
        let e = realtime_error(stream.finish().await);
        assert_eq!((e.code, e.error_type.as_str()), (Some(503), "service_unavailable"));
        assert!(e.request_id.is_some());
        match sent {
            Ok(bytes) => assert_eq!(bytes, 2_000 * BYTES_PER_MS),
            Err(send_error) => assert_eq!(realtime_error::<u64>(Err(send_error)), e),
        }
        // The error stays the answer.
        assert_eq!(realtime_error(stream.send_audio(&pcm(100)).await), e);
        assert_eq!(realtime_error(stream.finish().await), e);
    });
}

#[test]
fn when_the_server_never_finishes_finish_times_out_and_close_does_not_hang() {
    run(async {
        let mock = MockServer::start();
        mock.add_fault(Fault::new(FaultAction::WsNeverFinish).on("GET", "/transcribe-websocket"));
        let client = client(&mock);
        let mut stream = client
            .realtime()
            .finish_timeout(Duration::from_millis(300))
            .connect(pcm_config())
            .await
            .unwrap();
        stream.send_audio(&pcm(1_000)).await.unwrap();
        match stream.finish().await {
            Err(Error::Timeout(t)) => assert_eq!(t.after, Duration::from_millis(300)),
            other => panic!("expected a timeout, got {other:?}"),
        }
        let closed = async_std::future::timeout(Duration::from_secs(10), stream.close()).await;
        assert!(matches!(closed, Ok(Ok(()))), "{closed:?}");
        assert_eq!(stats_when(&mock, |s| s.ws_open_sessions == 0).await.ws_open_sessions, 0);
    });
}

#[test]
fn a_bad_key_is_refused_at_connect_with_api_401() {
    run(async {
        // The mock refuses a bad key on the upgrade with HTTP 401, as the API does.
        let mock = MockServer::start();
        let client = client(&mock);
        let e = client
            .realtime()
            .connect_with_key(pcm_config(), &ApiKey::new("not-a-key"))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Api(_)), "{e:?}");
        assert_eq!((e.status(), e.error_type()), (Some(401), Some("unauthenticated")));
        assert!(!format!("{e} {e:?}").contains("not-a-key"));
        let s = mock.stats();
        assert_eq!((s.ws_auth_failures, s.ws_sessions), (1, 0));
    });
}

#[test]
fn a_bad_key_reported_in_band_is_an_error_realtime_401_unauthenticated() {
    run(async {
        // A server that opens the socket and refuses after the start message.
        let mock = MockServer::start_with(MockConfig::default().ws_refuse_bad_header_key(false)).unwrap();
        let client = client(&mock);
        let mut stream = client
            .realtime()
            .connect_with_key(pcm_config(), &ApiKey::new("not-a-key"))
            .await
            .unwrap();
        let e = realtime_error(Err::<(), _>(first_error(&mut stream).await));
        assert_eq!((e.code, e.error_type.as_str()), (Some(401), "unauthenticated"));
        assert!(!Error::Realtime(e.clone()).to_string().contains("not-a-key"));
        assert_eq!(stats_when(&mock, |s| s.ws_auth_failures == 1).await.ws_auth_failures, 1);
    });
}

#[test]
fn an_unknown_model_is_an_error_realtime_400_model_not_available() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let config = RealtimeConfig::new("stt-rt-v0").pcm_s16le(16_000, 1);
        let mut stream = client.realtime().connect(config).await.unwrap();
        let e = realtime_error(stream.finish().await);
        assert_eq!((e.code, e.error_type.as_str()), (Some(400), "model_not_available"));
    });
}

#[test]
fn a_temporary_key_minted_through_auth_opens_a_stream() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let temp = client
            .auth()
            .temporary_api_key(TemporaryKey::transcribe_websocket(60))
            .await
            .unwrap();
        let mut stream = client
            .realtime()
            .connect_with_key(pcm_config(), &temp.api_key)
            .await
            .unwrap();
        stream.send_audio(&pcm(1_000)).await.unwrap();
        stream.finish().await.unwrap();
        assert_eq!(stream.transcript().final_text(), transcript_text(1_000));
        assert_eq!(stats_when(&mock, |s| s.ws_finished == 1).await.ws_auth_failures, 0);
    });
}

#[test]
fn an_invalid_config_is_refused_before_any_connection() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let e = client.realtime().connect(RealtimeConfig::new(" ")).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        let config = pcm_config().max_endpoint_delay_ms(1);
        let e = client.realtime().connect(config).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        assert_eq!(mock.stats().connections_accepted, 0);
    });
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = client_for(format!("ws://127.0.0.1:{port}/x"), Duration::from_secs(10));
    let e = run(client.realtime().connect(pcm_config())).unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
}

/// A one-connection TCP server on loopback that reads a little, writes `reply` (nothing
/// when empty, then it keeps the connection open for 5 s) and closes. Returns its port.
fn raw_server(reply: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((mut socket, _)) = listener.accept() {
            let _ = socket.read(&mut [0u8; 1024]);
            if reply.is_empty() {
                thread::sleep(Duration::from_secs(5));
            }
            let _ = socket.write_all(&reply);
        }
    });
    port
}

fn client_for(url: String, connect_timeout: Duration) -> Client {
    Client::builder()
        .api_key("k")
        .ws_url(url)
        .connect_timeout(connect_timeout)
        .build()
        .unwrap()
}

#[test]
fn tls_to_a_plain_server_fails_as_a_transport_error_without_a_process_wide_crypto_provider() {
    let port = raw_server(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".to_vec());
    let client = client_for(format!("wss://127.0.0.1:{port}/x"), Duration::from_secs(10));
    let e = run(client.realtime().connect(pcm_config())).unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
}

#[test]
fn a_server_that_never_answers_the_upgrade_is_a_timeout_at_the_connect_timeout() {
    let port = raw_server(Vec::new());
    let client = client_for(format!("ws://127.0.0.1:{port}/x"), Duration::from_millis(200));
    match run(client.realtime().connect(pcm_config())).unwrap_err() {
        Error::Timeout(t) => assert_eq!(t.after, Duration::from_millis(200)),
        e => panic!("expected a timeout, got {e:?}"),
    }
}

#[test]
fn a_refused_upgrade_is_an_api_error_with_the_status() {
    let body = br#"{"status_code":403,"error_type":"forbidden","message":"no","request_id":"r1"}"#;
    let mut reply = format!("HTTP/1.1 403 Forbidden\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
    reply.extend_from_slice(body);
    let port = raw_server(reply);
    let client = client_for(format!("ws://127.0.0.1:{port}/x"), Duration::from_secs(10));
    match run(client.realtime().connect(pcm_config())).unwrap_err() {
        Error::Api(a) => assert_eq!((a.status, a.error_type.as_str()), (403, "forbidden")),
        e => panic!("expected an API error, got {e:?}"),
    }
}

#[test]
fn empty_chunks_and_audio_after_finish_are_refused() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        assert!(matches!(stream.send_audio(&[]).await, Err(Error::InvalidArgument(_))));
        assert!(matches!(stream.try_send_audio(&[]), Err(Error::InvalidArgument(_))));
        stream.send_audio(&pcm(500)).await.unwrap();
        let sender = stream.sender();
        stream.finish().await.unwrap();
        assert!(matches!(
            sender.send_audio(&pcm(100)).await,
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(stream.finalize().await, Err(Error::InvalidArgument(_))));
        assert_eq!(
            stream.finish().await.unwrap(),
            vec![],
            "a second finish has nothing more"
        );
        let stats = stats_when(&mock, |s| s.ws_finished == 1).await;
        assert_eq!(stats.ws_audio_bytes, 500 * BYTES_PER_MS);
    });
}

#[test]
fn recv_timeout_times_out_without_ending_the_stream() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        assert!(matches!(
            stream.recv_timeout(Duration::from_millis(20)).await,
            Some(Err(Error::Timeout(_)))
        ));
        stream.send_audio(&pcm(500)).await.unwrap();
        assert!(matches!(
            stream.recv_timeout(Duration::from_secs(10)).await,
            Some(Ok(RealtimeEvent::Result(_)))
        ));
        stream.finish().await.unwrap();
    });
}

#[test]
fn with_a_stalled_server_the_queue_fills_up_and_memory_stays_bounded() {
    const CHUNK: usize = 64 * KB;
    const ATTEMPTS: usize = 16 * KB; // 16 Ki × 64 KiB = 1 GiB offered
    const BOUND: u64 = 64 * 1024 * 1024;
    run(async {
        let mock = MockServer::start();
        mock.add_fault(Fault::new(FaultAction::WsStall).on("GET", "/transcribe-websocket"));
        let client = client(&mock);
        let stream = client.realtime().connect(pcm_config()).await.unwrap();
        let chunk = vec![1u8; CHUNK];
        let (mut accepted, mut full_in_a_row, mut full_seen) = (0u64, 0, false);
        for _ in 0..ATTEMPTS {
            if stream.try_send_audio(&chunk).unwrap() {
                accepted += CHUNK as u64;
                full_in_a_row = 0;
            } else {
                full_seen = true;
                full_in_a_row += 1;
                if full_in_a_row == 100 {
                    break; // full for 100 tries over ≥ 200 ms: the socket buffers are full too
                }
                pause(2).await;
            }
        }
        assert!(full_seen, "the queue never filled up");
        // Accepted = the queue (16 chunks) + one chunk in the WebSocket buffer + whatever
        // the kernel's socket buffers on both sides took: bounded, far below the 1 GiB.
        assert!(accepted < BOUND, "{accepted} bytes accepted");
        let stats = stream.stats();
        assert_eq!(stats.audio_bytes_queued, accepted);
        assert!(accepted - stats.audio_bytes_sent <= 17 * CHUNK as u64, "{stats:?}");
        // `send_audio` waits instead of queueing more.
        let waited = async_std::future::timeout(Duration::from_millis(50), stream.send_audio(&chunk)).await;
        assert!(waited.is_err(), "send_audio returned on a full queue: {waited:?}");
        // A stalled stream still drops promptly.
        assert!(on_a_thread_within(Duration::from_secs(10), move || drop(stream)).is_some());
    });
}

#[test]
fn dropping_a_live_stream_returns_promptly_and_ends_the_server_session() {
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let stream = client.realtime().connect(pcm_config()).await.unwrap();
        stream.send_audio(&pcm(1_000)).await.unwrap();
        let sender = stream.sender();
        assert!(on_a_thread_within(Duration::from_secs(10), move || drop(stream)).is_some());
        assert!(
            sender.send_audio(&pcm(100)).await.is_err(),
            "a sender outliving the stream is refused"
        );
        assert_eq!(stats_when(&mock, |s| s.ws_open_sessions == 0).await.ws_open_sessions, 0);
    });
}

#[test]
fn the_stream_and_its_futures_are_send_and_the_sender_can_be_shared() {
    fn send_unpin<T: Send + Unpin>() {}
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_unpin::<RealtimeStream>();
    send_sync_clone::<AudioSender>();
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = assert_send(client.realtime().connect(pcm_config())).await.unwrap();
        assert_send(stream.send_audio(&pcm(100))).await.unwrap();
        assert_send(stream.sender().send_audio(&pcm(100))).await.unwrap();
        assert_send(stream.finish()).await.unwrap();
        assert_send(stream.close()).await.unwrap();
    });
}

/// Runs `f` on a thread; its result if it returned within `bound` (else `None`: it hung).
fn on_a_thread_within<T: Send + 'static>(bound: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(bound).ok()
}

/// One frame out, its own result back, 500 times: every result answers exactly the frame
/// just sent (`total_audio_proc_ms` grows by the frame's 128 ms each time, nothing is
/// pipelined or lost), the counts on both sides are exact, and the transcript is whole.
/// Also prints the round-trip percentiles (frame out → its result in), a report only:
/// `cargo test --release --all-features --test async_realtime -- --ignored --nocapture`
#[test]
#[ignore = "checks ping-pong framing and reports round-trip times; run in release with --nocapture"]
fn each_4_kb_frame_gets_its_own_result_before_the_next_and_round_trips_are_reported() {
    const FRAMES: u64 = 500;
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let frame = pcm(128); // 4096 bytes
        assert_eq!(frame.len(), 4 * KB);
        let mut times = Vec::new();
        for i in 1..=FRAMES {
            let start = Instant::now();
            stream.send_audio(&frame).await.unwrap();
            match stream.recv_timeout(Duration::from_secs(10)).await {
                Some(Ok(RealtimeEvent::Result(r))) => {
                    times.push(start.elapsed());
                    assert_eq!(r.total_audio_proc_ms, Some(128 * i), "the result of frame {i}");
                }
                other => panic!("frame {i}: unexpected {other:?}"),
            }
        }
        stream.finish().await.unwrap();
        assert_eq!(stream.transcript().final_text(), transcript_text(128 * FRAMES));
        let ours = stream.stats();
        assert_eq!(
            (ours.audio_frames_sent, ours.audio_bytes_sent, ours.messages_received),
            (FRAMES, FRAMES * 4096, FRAMES + 1)
        );
        let s = stats_when(&mock, |s| s.ws_finished == 1).await;
        assert_eq!(
            (s.ws_audio_frames, s.ws_audio_bytes, s.ws_messages_sent),
            (FRAMES, FRAMES * 4096, FRAMES + 1)
        );
        times.sort();
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        println!(
            "async 4 KiB round trip over {} frames: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
            times.len(),
            pct(50),
            pct(90),
            pct(99),
            times[times.len() - 1]
        );
    });
}
