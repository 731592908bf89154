//! Stream a WAV file to realtime transcription with the async client and print the
//! transcript as it grows: the async twin of `realtime_file`.
//!
//! ```text
//! cargo run --release --example realtime_file_async                  # no key: the embedded mock, a generated WAV
//! cargo run --release --example realtime_file_async -- --fast        # as fast as possible, not real time
//! SONIOX_API_KEY=... cargo run --release --example realtime_file_async -- speech.wav   # the real API
//! ```
//!
//! Without `SONIOX_API_KEY` it starts the crate's mock Soniox server on 127.0.0.1 and
//! generates an 8-second WAV. The audio goes out at real-time pace from a feeder task
//! while the main task prints: the final text, then the non-final tail, updated in place
//! on one line; an endpoint (`<end>`) starts a new line.

use std::error::Error;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::{AsyncReadExt, StreamExt};
use soniox::audio::{parse_wav_header, write_wav_file, WavSpec};
use soniox::mock::MockServer;
use soniox::nonblocking::{stream_audio, Client, Pace, RealtimeEvent};
use soniox::types::RealtimeConfig;

/// Longest part of the current line redrawn in place (longer lines would wrap).
const MAX_SHOWN: usize = 100;

fn main() -> Result<(), Box<dyn Error>> {
    async_std::task::block_on(run())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let fast = std::env::args().any(|a| a == "--fast");
    let dir = tempfile::tempdir()?;
    let path = match std::env::args_os().skip(1).find(|a| a != "--fast") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.path().join("realtime.wav");
            write_wav_file(&p, WavSpec::default(), Duration::from_secs(8))?;
            p
        }
    };

    // With a key: the real API. Without: the embedded mock (kept alive until the end).
    let (client, mock) = if std::env::var_os("SONIOX_API_KEY").is_some() {
        (Client::from_env()?, None)
    } else {
        let mock = MockServer::start();
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .ws_url(mock.ws_url())
            .build()?;
        (client, Some(mock))
    };

    // Real time needs the byte rate: from the WAV header (else assume 16 kHz mono 16-bit).
    let mut head = Vec::with_capacity(4096);
    async_std::fs::File::open(&path)
        .await?
        .take(4096)
        .read_to_end(&mut head)
        .await?;
    let spec = parse_wav_header(&head).map_or(WavSpec::default(), |info| info.spec);
    let pace = if fast {
        Pace::AsFastAsPossible
    } else {
        Pace::real_time(spec)
    };
    let chunk = (spec.byte_rate() / 10).max(1) as usize; // 100 ms of audio per frame

    let started = Instant::now();
    let config = RealtimeConfig::new("stt-rt-v5").endpoint_detection(true); // audio format: auto
    let mut stream = client.realtime().connect(config).await?;
    let sender = stream.sender();
    let file = async_std::fs::File::open(&path).await?;
    let feeder = async_std::task::spawn(async move {
        let sent = stream_audio(&sender, file, chunk, pace).await?;
        sender.finish().await?; // the end-of-audio frame: the events run on to `Finished`
        Ok::<_, soniox::Error>(sent)
    });

    let live = std::io::stdout().is_terminal();
    let mut line_start = 0; // where the current line starts in the final text
    while let Some(event) = stream.next().await {
        let event = event?;
        let t = stream.transcript();
        let line = format!("{}{}", &t.final_text()[line_start..], t.non_final_text());
        let mut out = std::io::stdout().lock();
        match event {
            RealtimeEvent::Result(_) if live => {
                let shown = tail(line.trim_start(), MAX_SHOWN);
                let (done, pending) = shown.split_at(shown.len().saturating_sub(t.non_final_text().len()));
                write!(out, "\r\x1b[K{done}\x1b[2m{pending}\x1b[0m")?;
                out.flush()?;
            }
            RealtimeEvent::Endpoint | RealtimeEvent::Finished => {
                let text = &t.final_text()[line_start..];
                if live {
                    write!(out, "\r\x1b[K")?;
                }
                if !text.trim().is_empty() {
                    writeln!(out, "{}", text.trim())?;
                }
                line_start = t.final_text().len();
            }
            _ => {}
        }
    }
    let sent = feeder.await?;

    let stats = stream.stats();
    eprintln!(
        "{sent} bytes in {} frames, {} messages, {:.1} s ({})",
        stats.audio_frames_sent,
        stats.messages_received,
        started.elapsed().as_secs_f64(),
        if fast { "as fast as possible" } else { "real time" }
    );
    match &mock {
        Some(m) => eprintln!(
            "(used the embedded mock Soniox server at {}; set SONIOX_API_KEY for the real API)",
            m.ws_url()
        ),
        None => eprintln!("(used the Soniox API at {})", client.config().ws_url()),
    }
    Ok(())
}

/// The last `max` characters of `s`.
fn tail(s: &str, max: usize) -> &str {
    let skip = s.chars().count().saturating_sub(max);
    s.char_indices().nth(skip).map_or("", |(i, _)| &s[i..])
}
