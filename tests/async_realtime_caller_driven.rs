//! The async realtime stream has no task behind it: the stream's `poll_next` and the send
//! futures move the socket themselves. What that must still guarantee, as exact facts:
//! audio sent from another task while nobody reads the stream never deadlocks (a waiting
//! sender reads the server's results for the reader), a sender waiting for room is woken when
//! room appears or the stream closes (no lost wake-up), the `Sink` of chunks keeps their
//! order and its `close` finishes the stream, and keepalives go out exactly while the stream is
//! polled (none while nobody polls). Every wait is bounded (hang guards, not timings); no
//! wall-clock assertions.
#![cfg(feature = "async")]

mod common_async;

use std::future::Future;
use std::net::TcpListener;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use common_async::realtime::{client, pause, pcm, pcm_config, stats_within};
use common_async::run;
use futures::task::ArcWake;
use futures::{SinkExt, StreamExt};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, Fault, FaultAction, MockConfig, MockServer};
use soniox::nonblocking::{AudioSender, Client, RealtimeStream};
use soniox::Error;

/// 16 kHz mono 16-bit PCM: 32 bytes per millisecond.
const BYTES_PER_MS: u64 = 32;

fn client_for(ws_url: String) -> Client {
    Client::builder()
        .api_key("test-key")
        .ws_url(ws_url)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// Every event of a stream to its end (at most `limit`, 30 s each).
async fn all_events(stream: &mut RealtimeStream, limit: usize) -> Vec<RealtimeEvent> {
    let mut events = Vec::new();
    for _ in 0..limit {
        match stream.recv_timeout(Duration::from_secs(30)).await {
            Some(Ok(event)) => events.push(event),
            Some(Err(e)) => panic!("after {} events: {e}", events.len()),
            None => return events,
        }
    }
    panic!("more than {limit} events")
}

/// A waker that counts its wake-ups, for futures polled by hand.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl ArcWake for Wakes {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.fetch_add(1, SeqCst);
    }
}

impl Wakes {
    fn count(&self) -> usize {
        self.0.load(SeqCst)
    }

    /// Waits (sleeping, polling nothing) until the count passes `seen`; panics naming
    /// `what` if no wake-up came within 30 s: the waiting future would never be polled again.
    fn wait_past(&self, seen: usize, what: &str) -> usize {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.count() == seen {
            assert!(
                Instant::now() < deadline,
                "{what}: a lost wake-up (nothing within 30 s)"
            );
            thread::sleep(Duration::from_millis(1));
        }
        self.count()
    }
}

/// Polls `fut` by hand with `wakes`' waker until it is ready, each time only after a wake-up
/// (as an executor does); at most `limit` polls.
fn drive<F: Future>(fut: std::pin::Pin<&mut F>, wakes: &Arc<Wakes>, limit: usize, what: &str) -> F::Output {
    let mut fut = fut;
    let waker = futures::task::waker(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut seen = wakes.count();
    for _ in 0..limit {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        seen = wakes.wait_past(seen, what);
    }
    panic!("{what}: not ready after {limit} polls");
}

/// Fills the stream's queue: `try_send_audio` until it stays full (100 refusals in a row,
/// 2 ms apart, the socket buffers on both sides full too). Returns the bytes accepted.
async fn fill(sender: &AudioSender, chunk: &[u8]) -> u64 {
    let (mut accepted, mut full_in_a_row) = (0u64, 0);
    for _ in 0..100_000 {
        if sender.try_send_audio(chunk).unwrap() {
            accepted += chunk.len() as u64;
            full_in_a_row = 0;
        } else {
            full_in_a_row += 1;
            if full_in_a_row == 100 {
                return accepted;
            }
            pause(2).await;
        }
    }
    panic!("the queue never filled up ({accepted} bytes accepted)")
}

/// A send future that is waiting for room: polls fresh `send_audio` futures by hand until one
/// returns `Pending` (the queue is full, so the first one normally does); returns the bytes the
/// ready ones sent.
fn a_waiting_send<'a>(
    sender: &'a AudioSender,
    chunk: &'a [u8],
    wakes: &Arc<Wakes>,
) -> (u64, impl Future<Output = soniox::Result<()>> + 'a) {
    let waker = futures::task::waker(wakes.clone());
    let mut sent = 0;
    for _ in 0..1_000 {
        let mut send = Box::pin(sender.send_audio(chunk));
        match send.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Pending => return (sent, send),
            Poll::Ready(r) => {
                r.unwrap();
                sent += chunk.len() as u64;
            }
        }
    }
    panic!("no send waited on a full queue")
}

#[test]
fn events_read_only_after_every_frame_was_sent_from_another_task_all_arrive() {
    // First 60 000 frames of one sample (2 bytes), each answered with a result of ~130 bytes:
    // more results than the socket buffers take while nobody reads them, so the server blocks
    // on writing and stops reading audio. Then 64 MiB of audio, more than the socket buffers
    // take while the server does not read: the feeder can go on only by reading the results
    // itself (for the stream, which nobody polls).
    const SMALL: (u64, usize) = (60_000, 2);
    const LARGE: (u64, usize) = (1_024, 64 * 1024);
    const FRAMES: u64 = SMALL.0 + LARGE.0;
    const BYTES: u64 = SMALL.0 * SMALL.1 as u64 + LARGE.0 * LARGE.1 as u64;
    const AUDIO_MS: u64 = BYTES / BYTES_PER_MS;
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let sender = stream.sender();
        let feeder = async_std::task::spawn(async move {
            for (frames, bytes) in [SMALL, LARGE] {
                let frame = vec![0u8; bytes];
                for _ in 0..frames {
                    sender.send_audio(&frame).await?;
                }
            }
            sender.finish().await
        });
        // Not one poll of the stream until the feeder is done.
        let fed = async_std::future::timeout(Duration::from_secs(120), feeder).await;
        assert!(matches!(fed, Ok(Ok(()))), "the feeder deadlocked or failed: {fed:?}");
        let stats = stream.stats();
        assert_eq!((stats.audio_frames_sent, stats.audio_bytes_sent), (FRAMES, BYTES));
        assert!(
            stats.messages_received > 0,
            "the feeder read results while nobody polled the stream: {stats:?}"
        );
        let events = all_events(&mut stream, 1_000_000).await;
        let results = events.iter().filter(|e| matches!(e, RealtimeEvent::Result(_))).count();
        assert_eq!(
            results as u64,
            FRAMES + 1,
            "one result per frame, then the finished message"
        );
        assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
        assert_eq!(stream.transcript().final_text(), transcript_text(AUDIO_MS));
        let mock_stats = stats_within(&mock, Duration::from_secs(30), "the end", |s| s.ws_finished == 1).await;
        assert_eq!(mock_stats.ws_audio_frames, FRAMES);
        assert_eq!(mock_stats.ws_messages_sent, FRAMES + 1);
    });
}

/// A one-session WebSocket server on loopback (blocking tungstenite on a thread): it reads
/// the start message, then nothing until released; then every frame until the end of
/// audio, which it answers with `finished`. Its thread returns the audio bytes and frames
/// it received.
struct HeldServer {
    url: String,
    release: mpsc::Sender<()>,
    thread: thread::JoinHandle<(u64, u64)>,
}

impl HeldServer {
    fn start() -> HeldServer {
        use tungstenite::Message;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ws://{}/transcribe-websocket", listener.local_addr().unwrap());
        let (release, released) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let mut ws = tungstenite::accept(tcp).unwrap();
            assert!(matches!(ws.read().unwrap(), Message::Text(_)), "the start message");
            released.recv().unwrap();
            let (mut bytes, mut frames) = (0u64, 0u64);
            loop {
                match ws.read().unwrap() {
                    Message::Binary(audio) => {
                        bytes += audio.len() as u64;
                        frames += 1;
                    }
                    Message::Text(text) if text.is_empty() => break,
                    _ => {}
                }
            }
            ws.send(Message::text(r#"{"tokens":[],"finished":true}"#)).unwrap();
            let _ = ws.close(None);
            for _ in 0..100 {
                if ws.read().is_err() {
                    break;
                }
            }
            (bytes, frames)
        });
        HeldServer { url, release, thread }
    }
}

#[test]
fn a_sender_waiting_for_room_is_woken_when_the_server_reads_again() {
    let server = HeldServer::start();
    let client = client_for(server.url.clone());
    let chunk = vec![7u8; 64 * 1024];
    let mut stream = run(client.realtime().queue_capacity(4).connect(pcm_config())).unwrap();
    let sender = stream.sender();
    let filled = run(fill(&sender, &chunk));
    let wakes = Arc::new(Wakes::default());
    let (sent, waiting) = a_waiting_send(&sender, &chunk, &wakes);
    let mut waiting = pin!(waiting);
    // The server reads again: the socket takes more, which must wake the waiting send.
    server.release.send(()).unwrap();
    drive(waiting.as_mut(), &wakes, 10_000, "the waiting send").unwrap();
    let total = filled + sent + chunk.len() as u64;
    let events = run(stream.finish()).unwrap();
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    let stats = stream.stats();
    assert_eq!((stats.audio_bytes_queued, stats.audio_bytes_sent), (total, total));
    let (bytes, frames) = server.thread.join().unwrap();
    assert_eq!(
        (bytes, frames),
        (total, total / chunk.len() as u64),
        "every frame, none dropped"
    );
}

#[test]
fn a_sender_waiting_on_a_stalled_server_is_woken_by_the_stream_closing_and_refused() {
    let mock = MockServer::start();
    mock.add_fault(Fault::new(FaultAction::WsStall).on("GET", "/transcribe-websocket"));
    let client = client(&mock);
    let chunk = vec![7u8; 64 * 1024];
    let stream = run(client.realtime().connect(pcm_config())).unwrap();
    let sender = stream.sender();
    run(fill(&sender, &chunk));
    let wakes = Arc::new(Wakes::default());
    let (_, waiting) = a_waiting_send(&sender, &chunk, &wakes);
    let mut waiting = pin!(waiting);
    drop(stream);
    match drive(waiting.as_mut(), &wakes, 100, "the waiting send") {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("the stream was closed"), "{m}"),
        other => panic!("expected the closed stream's refusal, got {other:?}"),
    }
    assert!(matches!(run(sender.send_audio(&chunk)), Err(Error::InvalidArgument(_))));
    let stats = run(stats_within(&mock, Duration::from_secs(30), "the close", |s| {
        s.ws_open_sessions == 0
    }));
    assert_eq!(stats.ws_sessions, 1);
}

#[test]
fn the_sink_sends_chunks_in_order_and_its_close_finishes_the_stream() {
    // Twenty frames of different lengths: each result's `total_audio_proc_ms` is the audio
    // the server had when it answered, so the sequence of totals says in which order the
    // frames arrived.
    let lengths_ms: Vec<u64> = (1..=20).map(|i| 10 * ((i * 7) % 20 + 1)).collect();
    let mut expected_totals = Vec::new();
    let mut total = 0;
    for ms in &lengths_ms {
        total += ms;
        expected_totals.push(total);
    }
    run(async {
        let mock = MockServer::start();
        let client = client(&mock);
        let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
        let mut sink = stream.sender();
        let mut chunks = futures::stream::iter(lengths_ms.iter().map(|&ms| Ok(pcm(ms))));
        sink.send_all(&mut chunks).await.unwrap();
        sink.close().await.unwrap();
        // The end of audio went out once: the sink is finished, and so is every handle.
        assert!(matches!(sink.send(pcm(10)).await, Err(Error::InvalidArgument(_))));
        assert!(matches!(stream.sender().finish().await, Err(Error::InvalidArgument(_))));

        let events = all_events(&mut stream, 1_000).await;
        assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
        let totals: Vec<u64> = events
            .iter()
            .filter_map(|e| match e {
                RealtimeEvent::Result(r) if !r.finished => r.total_audio_proc_ms,
                _ => None,
            })
            .collect();
        assert_eq!(totals, expected_totals, "the frames arrived in the order sent");
        assert_eq!(stream.transcript().final_text(), transcript_text(total));
        let s = stats_within(&mock, Duration::from_secs(30), "the end", |s| s.ws_finished == 1).await;
        assert_eq!(
            (s.ws_audio_frames, s.ws_audio_bytes),
            (lengths_ms.len() as u64, total * BYTES_PER_MS)
        );
    });
}

#[test]
fn keepalives_go_out_while_the_stream_is_polled_and_never_while_nobody_polls() {
    const INTERVAL: Duration = Duration::from_millis(50);
    run(async {
        let mock = mock_with_idle_timeout(Duration::from_secs(20));
        let client = client(&mock);
        let config = pcm_config().keepalive_interval(INTERVAL);
        let mut stream = client.realtime().connect(config).await.unwrap();
        // Ten intervals without a poll: no task runs behind the stream, nothing goes out.
        pause(10 * INTERVAL.as_millis() as u64).await;
        assert_eq!(
            mock.stats().ws_keepalives,
            0,
            "a keepalive went out while nobody polled"
        );

        // One poll (no event to wait for): the keepalive that is due goes out, one only (not
        // one per missed interval), and nothing more while nobody polls again.
        assert!(matches!(
            stream.recv_timeout(Duration::ZERO).await,
            Some(Err(Error::Timeout(_)))
        ));
        stats_within(&mock, Duration::from_secs(30), "the due keepalive", |s| {
            s.ws_keepalives >= 1
        })
        .await;
        pause(10 * INTERVAL.as_millis() as u64).await;
        assert_eq!(mock.stats().ws_keepalives, 1, "exactly the one due at the poll");

        // Waiting for events, the stream keeps the session alive by itself.
        let watch = stats_within(&mock, Duration::from_secs(60), "keepalives while polled", |s| {
            s.ws_keepalives >= 6
        });
        let watch = pin!(watch);
        if let futures::future::Either::Left((event, _)) = futures::future::select(stream.next(), watch).await {
            panic!("no event was due, got {event:?}");
        }
        stream.send_audio(&pcm(1_000)).await.unwrap();
        stream.finish().await.unwrap();
        assert_eq!(stream.transcript().final_text(), transcript_text(1_000));
    });
}

fn mock_with_idle_timeout(idle: Duration) -> MockServer {
    MockServer::start_with(MockConfig::default().ws_idle_timeout(idle)).expect("mock server starts")
}
