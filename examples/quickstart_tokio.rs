//! Transcribe a WAV file in one call, with the async client under tokio.
//!
//! ```text
//! cargo run --release --features async --example quickstart_tokio               # no key: the embedded mock
//! SONIOX_API_KEY=... cargo run --release --features async --example quickstart_tokio [file.wav]   # the real API
//! ```
//!
//! Without `SONIOX_API_KEY` it starts the crate's mock Soniox server on 127.0.0.1,
//! generates a 5-second WAV and transcribes it; with the key it talks to the real API.
//! The client's sockets and timers come from async-io's reactor and it spawns no task, so
//! it runs under tokio as it is (tokio is a dev-dependency of this crate, never a dependency
//! of the library); `quickstart_async` does the same under `futures::executor::block_on`.

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use soniox::audio::{write_wav_file, WavSpec};
use soniox::mock::{JobTiming, MockConfig, MockServer};
use soniox::nonblocking::Client;
use soniox::types::{Cleanup, Transcribe, UploadOptions};
use soniox::WaitOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.path().join("quickstart.wav");
            write_wav_file(&p, WavSpec::default(), Duration::from_secs(5))?;
            p
        }
    };

    // With a key: the real API. Without: the embedded mock (kept alive until the end).
    let (client, mock) = if std::env::var_os("SONIOX_API_KEY").is_some() {
        (Client::from_env()?, None)
    } else {
        let timing = JobTiming::Elapsed {
            queued: Duration::from_millis(50),
            processing: Duration::from_millis(200),
        };
        let mock = MockServer::start_with(MockConfig::default().job_timing(timing))?;
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.base_url())
            .build()?;
        (client, Some(mock))
    };

    let job = Transcribe::path(&path)
        .upload(UploadOptions::new().on_progress(|sent, total| eprint!("\ruploading {sent}/{total} bytes")))
        .wait(
            WaitOptions::default()
                .interval(Duration::from_millis(100))
                .on_status_change(|job| eprintln!("\nstatus: {}", job.status.as_str())),
        )
        .cleanup(Cleanup::All);
    let done = client.transcribe(job).await?;

    println!("{}", done.transcript.text);
    eprintln!(
        "{} tokens, {} ms of audio, model {}",
        done.transcript.tokens.len(),
        done.transcription.audio_duration_ms.unwrap_or(0),
        done.transcription.model
    );
    match &mock {
        Some(m) => eprintln!(
            "(used the embedded mock Soniox server at {}; set SONIOX_API_KEY for the real API)",
            m.base_url()
        ),
        None => eprintln!("(used the Soniox API at {})", client.config().base_url()),
    }
    Ok(())
}
