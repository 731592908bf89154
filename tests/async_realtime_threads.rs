//! An async realtime stream starts no thread and no executor: a whole session, its audio fed
//! by one future and its events read by another, under `futures::executor::block_on`, adds no
//! thread to the process but async-io's reactor (`async-io`, the one runtime-independent
//! service the async client relies on). The mock runs as a separate `soniox-mock` process (an
//! in-process mock runs on async-std's executor, whose `async-std/runtime` threads are what a
//! spawned driver task would start). One `#[test]` in this file, so no other test shares the
//! process (Linux only: `/proc`).
#![cfg(all(feature = "async", feature = "blocking", target_os = "linux"))]

mod common_heap;

use std::collections::BTreeSet;

use common_heap::{MockProcess, API_KEY};
use futures::StreamExt;
use soniox::audio::{pcm_chunks, WavSpec};
use soniox::core::realtime::RealtimeEvent;
use soniox::mock::transcript_text;
use soniox::nonblocking::{stream_audio, Client, Pace};
use soniox::types::RealtimeConfig;
use soniox::Error;

/// The names of this process's threads (as `/proc` has them: cut at 15 bytes).
fn thread_names() -> BTreeSet<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[test]
fn a_whole_session_under_the_futures_executor_starts_no_thread_but_the_reactor() {
    let mock = MockProcess::start();
    let before = thread_names();
    let client = Client::builder()
        .api_key(API_KEY)
        .ws_url(mock.ws_url())
        .build()
        .expect("client builds");
    let audio: Vec<u8> = pcm_chunks(WavSpec::default(), 64 * 1024, std::time::Duration::from_millis(2_000))
        .flatten()
        .collect();
    let (results, text) = futures::executor::block_on(async {
        let mut stream = client
            .realtime()
            .connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))
            .await
            .expect("connects");
        let sender = stream.sender();
        let feeder = async {
            stream_audio(&sender, audio.as_slice(), 3_200, Pace::AsFastAsPossible).await?;
            sender.finish().await
        };
        let reader = async {
            let mut results = 0;
            while let Some(event) = stream.next().await {
                if let RealtimeEvent::Result(_) = event.expect("no error event") {
                    results += 1;
                }
            }
            results
        };
        let (fed, results) = futures::join!(feeder, reader);
        fed.expect("the feeder sent everything");
        let text = stream.transcript().final_text().to_owned();
        stream.close().await.expect("closes");
        Ok::<_, Error>((results, text))
    })
    .expect("the session ran");
    assert_eq!((results, text.as_str()), (20 + 1, transcript_text(2_000).as_str()));
    let started: BTreeSet<String> = thread_names().difference(&before).cloned().collect();
    let foreign: Vec<&String> = started.iter().filter(|n| n.as_str() != "async-io").collect();
    assert!(
        foreign.is_empty(),
        "threads other than async-io's reactor appeared: {foreign:?} (all new: {started:?})"
    );
}
