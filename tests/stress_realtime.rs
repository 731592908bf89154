//! Stress: long and concurrent realtime streams against the mock's WebSocket endpoint.
//! Twelve concurrent 2 s streams sent as fast as possible run by default (threads, and
//! async-std tasks with the `async` feature); a 60 s and a 300 s stream at real-time pace
//! and twelve concurrent 20 s streams at real-time pace are `#[ignore]`d (they take as
//! long as their audio). Every concurrent stream connects before any sends, so the mock's
//! session peak is exactly the stream count. Exact facts only (transcripts, bytes, session
//! counts and peaks); no wall-clock assertions, and every loop is bounded.

mod common_stress;

use std::fs::File;
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common_stress::{client_with, mock_with, stats_when, wav_ms};
use soniox::audio::{pcm_chunks, WavSpec};
use soniox::blocking::{stream_audio, Client, Pace};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::{transcript_text, MockServer};
use soniox::types::RealtimeConfig;

const KB: usize = 1024;
/// 100 ms of 16 kHz mono 16-bit PCM.
const CHUNK: usize = 3_200;
/// Streams the mock lets open at once in these tests.
const MAX_STREAMS: usize = 16;
/// Concurrent streams of the concurrency scenarios.
const STREAMS: u64 = 12;

fn mock() -> MockServer {
    mock_with(|c| c.max_concurrent_streams(MAX_STREAMS))
}

fn client(mock: &MockServer) -> Client {
    client_with(mock, |b| b)
}

fn pcm_config() -> RealtimeConfig {
    RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)
}

/// A bounded rendezvous of the concurrent streams: each arrives once connected, then waits
/// until all have (at most 30 s, a hang guard: one that failed to connect fails the others
/// too). No session ends before every one has opened, so the mock's peak is exact.
struct Rendezvous {
    arrived: AtomicUsize,
    n: usize,
}

impl Rendezvous {
    fn new(n: u64) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            arrived: AtomicUsize::new(0),
            n: n as usize,
        })
    }

    /// Counts this stream in; returns the deadline of its wait.
    fn arrive(&self) -> Instant {
        self.arrived.fetch_add(1, SeqCst);
        Instant::now() + Duration::from_secs(30)
    }

    /// Whether every stream has arrived; panics once `deadline` has passed without.
    fn all_arrived(&self, deadline: Instant) -> bool {
        let arrived = self.arrived.load(SeqCst);
        assert!(
            arrived >= self.n || Instant::now() < deadline,
            "only {arrived} of {} streams connected within 30 s",
            self.n
        );
        arrived >= self.n
    }

    fn arrive_and_wait(&self) {
        let deadline = self.arrive();
        while !self.all_arrived(deadline) {
            thread::sleep(Duration::from_millis(1));
        }
    }

    #[cfg(feature = "async")]
    async fn arrive_and_wait_async(&self) {
        let deadline = self.arrive();
        while !self.all_arrived(deadline) {
            async_std::task::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// `ms` of 16 kHz mono PCM.
fn pcm(ms: u64) -> Vec<u8> {
    pcm_chunks(WavSpec::default(), 64 * KB, Duration::from_millis(ms))
        .flatten()
        .collect()
}

/// Streams a `ms` WAV file at real-time pace with `RealtimeStream::send_file`, finishes,
/// and checks the transcript, the bytes and the session counters.
fn long_stream_with_send_file(ms: u64) {
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = wav_ms(dir.path(), "long.wav", ms);
    let len = std::fs::metadata(&path).unwrap().len();
    let client = client(&mock);
    // WAV in, format detected from its header (`auto`).
    let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5")).unwrap();
    let sent = stream
        .send_file(&path, CHUNK, Pace::real_time(WavSpec::default()))
        .unwrap();
    let events = stream.finish().unwrap();
    assert_eq!(sent, len);
    assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));
    assert_eq!(stream.transcript().non_final_text(), "");
    let s = stats_when(&mock, |s| s.ws_finished == 1);
    assert_eq!((s.ws_sessions, s.ws_finished, s.ws_audio_bytes), (1, 1, len));
    assert_eq!(s.ws_audio_frames, len.div_ceil(CHUNK as u64));
}

#[test]
#[ignore = "stress: a 60 s stream at real-time pace (takes 60 s)"]
fn a_sixty_second_stream_at_real_time_pace_transcribes_every_word() {
    long_stream_with_send_file(60_000);
}

#[test]
#[ignore = "stress: a 300 s stream at real-time pace (takes 5 minutes)"]
fn a_five_minute_stream_fed_from_another_thread_transcribes_every_word() {
    // `stream_audio` on a feeder thread while this thread reads the events as they come.
    let ms = 300_000;
    let (mock, dir) = (mock(), tempfile::tempdir().unwrap());
    let path = wav_ms(dir.path(), "five_minutes.wav", ms);
    let len = std::fs::metadata(&path).unwrap().len();
    let client = client(&mock);
    let mut stream = client
        .realtime()
        .finish_timeout(Duration::from_secs(60))
        .connect(RealtimeConfig::new("stt-rt-v5"))
        .unwrap();
    let sender = stream.sender();
    let feeder = thread::spawn(move || {
        let file = File::open(&path).expect("the WAV opens");
        let sent = stream_audio(&sender, file, CHUNK, Pace::real_time(WavSpec::default()))?;
        sender.finish()?;
        Ok::<_, soniox::Error>(sent)
    });
    // One result per frame, then the finished message; each wait bounded.
    let mut finished = false;
    for _ in 0..len.div_ceil(CHUNK as u64) + 10 {
        match stream.recv_timeout(Duration::from_secs(30)) {
            Some(Ok(RealtimeEvent::Finished)) => {
                finished = true;
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(finished, "the stream finished");
    assert_eq!(feeder.join().unwrap().unwrap(), len);
    assert_eq!(stream.transcript().final_text(), transcript_text(ms));
    let s = stats_when(&mock, |s| s.ws_finished == 1);
    assert_eq!((s.ws_sessions, s.ws_finished, s.ws_audio_bytes), (1, 1, len));
}

/// Runs `STREAMS` concurrent sessions of `ms` PCM each, one per thread, paced by `pace`,
/// all connected before any sends; checks every transcript and the mock's session counters.
fn concurrent_streams(ms: u64, pace: Pace) {
    let mock = mock();
    let client = client(&mock);
    let all_open = Rendezvous::new(STREAMS);
    let threads: Vec<_> = (0..STREAMS)
        .map(|i| {
            let (client, all_open) = (client.clone(), all_open.clone());
            thread::spawn(move || {
                // Lengths differ by one word each, so no stream can pass with another's text.
                let ms = ms + 480 * i;
                let audio = pcm(ms);
                let mut stream = client.realtime().connect(pcm_config()).unwrap();
                all_open.arrive_and_wait();
                let sent = stream.send_reader(Cursor::new(&audio), CHUNK, pace).unwrap();
                let events = stream.finish().unwrap();
                assert_eq!(sent, audio.len() as u64);
                assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
                (ms, sent, stream.transcript().final_text().to_owned())
            })
        })
        .collect();
    let mut bytes = 0;
    for t in threads {
        let (ms, sent, text) = t.join().unwrap();
        assert_eq!(text, transcript_text(ms), "stream of {ms} ms");
        bytes += sent;
    }
    let s = stats_when(&mock, |s| s.ws_finished == STREAMS && s.ws_open_sessions == 0);
    assert_eq!((s.ws_sessions, s.ws_finished), (STREAMS, STREAMS));
    assert_eq!(s.ws_audio_bytes, bytes);
    // All were open at once (the rendezvous), within the limit (nothing was refused).
    assert_eq!(s.ws_peak_sessions, STREAMS, "every stream open at once");
    assert!(STREAMS <= MAX_STREAMS as u64);
}

#[test]
fn twelve_concurrent_streams_as_fast_as_possible_all_complete() {
    concurrent_streams(2_000, Pace::AsFastAsPossible);
}

#[test]
#[ignore = "stress: twelve concurrent 20 s streams at real-time pace (takes about 26 s)"]
fn twelve_concurrent_twenty_second_streams_at_real_time_pace_all_complete() {
    concurrent_streams(20_000, Pace::real_time(WavSpec::default()));
}

#[cfg(feature = "async")]
#[test]
fn twelve_concurrent_async_streams_from_spawned_tasks_all_complete() {
    use crate::common_stress::async_client_with;
    use futures::future::join_all;

    let mock = mock();
    let client = async_client_with(&mock, |b| b);
    let all_open = Rendezvous::new(STREAMS);
    let results = async_std::task::block_on(async {
        let tasks = (0..STREAMS).map(|i| {
            let (client, all_open) = (client.clone(), all_open.clone());
            async_std::task::spawn(async move {
                let ms = 2_000 + 480 * i;
                let audio = pcm(ms);
                let mut stream = client.realtime().connect(pcm_config()).await.unwrap();
                all_open.arrive_and_wait_async().await;
                let sent = stream
                    .send_reader(
                        futures::io::Cursor::new(&audio),
                        CHUNK,
                        soniox::nonblocking::Pace::AsFastAsPossible,
                    )
                    .await
                    .unwrap();
                let events = stream.finish().await.unwrap();
                assert_eq!(sent, audio.len() as u64);
                assert_eq!(events.last(), Some(&RealtimeEvent::Finished));
                (ms, sent, stream.transcript().final_text().to_owned())
            })
        });
        join_all(tasks).await
    });
    let mut bytes = 0;
    for (ms, sent, text) in results {
        assert_eq!(text, transcript_text(ms), "stream of {ms} ms");
        bytes += sent;
    }
    let s = stats_when(&mock, |s| s.ws_finished == STREAMS && s.ws_open_sessions == 0);
    assert_eq!((s.ws_sessions, s.ws_finished), (STREAMS, STREAMS));
    assert_eq!(s.ws_audio_bytes, bytes);
    assert_eq!(s.ws_peak_sessions, STREAMS, "every stream open at once");
}
