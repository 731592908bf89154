//! `client.tts().generate*`: text-to-speech over REST, async. As the blocking client
//! does, the exchange runs on a socket of its own ([`net::open`]: TCP, the proxy tunnel,
//! TLS) so that the core's `SpeechReader` ([`crate::core::speech`]) reads the
//! response, trailers included; every read and write is bounded by the client's `timeout`.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use futures::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::client::Client;
use super::net::{self, within, Endpoint};
use super::tts::Tts;
use crate::core::http::{HttpRequest, RawResponse};
use crate::core::speech::{build_generate, Next, SpeechReader};
use crate::driver::attempt::io_error;
use crate::driver::observe;
use crate::driver::speech::{after_failure, local_write, PartialFile, SpeechTarget};
use crate::error::{Error, Result, TimeoutError};
use crate::types::Speech;
use tracing::Instrument;

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 16 * 1024;

impl Tts<'_> {
    /// Speaks `speech` and returns the whole audio (in the speech's format).
    ///
    /// ```no_run
    /// # async fn run() -> soniox::Result<()> {
    /// use soniox::types::Speech;
    /// let client = soniox::nonblocking::Client::from_env()?;
    /// let wav = client.tts().generate(&Speech::new("Hello from Soniox.", "Adrian")).await?;
    /// # let _ = wav; Ok(()) }
    /// ```
    pub async fn generate(&self, speech: &Speech) -> Result<Vec<u8>> {
        let mut audio = Vec::new();
        self.generate_to(speech, &mut audio).await?;
        Ok(audio)
    }

    /// Speaks `speech` into `out` as the audio arrives (never whole in memory); returns
    /// the bytes written. As the blocking [`generate_to`](crate::blocking::Tts::generate_to):
    /// checked before any request, a late error is an error, no retry after any audio.
    pub async fn generate_to(&self, speech: &Speech, out: &mut (dyn AsyncWrite + Unpin + Send)) -> Result<u64> {
        speak(self.client(), speech, out).await
    }

    /// Speaks `speech` into a file at `path` (replaced once the whole audio is in);
    /// returns its length. As the blocking client's: a sibling file renamed at the end,
    /// so an error (or the future dropped midway) leaves `path` as it was and no partial file.
    pub async fn generate_to_file(&self, speech: &Speech, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        build_generate(speech)?;
        let part = PartialFile::for_target(path);
        let mut file = net::create_file(part.path()).await.map_err(|e| io_error(path, e))?;
        let n = speak(self.client(), speech, &mut file).await?;
        file.close().await.map_err(|e| io_error(path, e))?;
        drop(file);
        part.commit(path)?;
        Ok(n)
    }
}

/// The retry loop around [`exchange`].
async fn speak(client: &Client, speech: &Speech, out: &mut (dyn AsyncWrite + Unpin + Send)) -> Result<u64> {
    let req = build_generate(speech)?;
    let target = SpeechTarget::of(client.config(), &req);
    let mut retry = client.retry();
    let mut number = 0u32;
    loop {
        number = number.saturating_add(1);
        let span = observe::request_span(&req, number);
        let started = Instant::now();
        let mut audio = 0u64;
        let result = async {
            let _permit = client.limiter().acquire().await;
            exchange(client, &req, &target, out, &mut audio).await
        }
        .instrument(span.clone())
        .await;
        match result {
            Ok(()) => {
                observe::record_attempt(&span, Ok(&RawResponse::new(200, Vec::new())), started);
                return Ok(audio);
            }
            Err((error, sent)) => {
                observe::record_attempt(&span, Err(&error), started);
                match after_failure(&req, &mut retry, error, sent, audio, &span) {
                    ControlFlow::Break(e) => return Err(e),
                    ControlFlow::Continue(delay) => net::sleep(delay).await,
                }
            }
        }
    }
}

/// One exchange: connect, send, read the answer into `out`. The error comes with whether
/// any of the request was sent.
async fn exchange(
    client: &Client,
    req: &HttpRequest,
    target: &SpeechTarget,
    out: &mut (dyn AsyncWrite + Unpin + Send),
    audio: &mut u64,
) -> std::result::Result<(), (Error, bool)> {
    let config = client.config();
    let context = target.context.as_str();
    let to = Endpoint {
        host: target.host.clone(),
        port: target.port,
        tls: target.tls,
    };
    let proxy = config.proxies().for_target(to.tls, &to.host, to.port);
    let timed_out = |after| {
        Error::Timeout(TimeoutError {
            context: context.to_owned(),
            after,
        })
    };
    let failed =
        |e: std::io::Error, sent: bool| crate::driver::proxy::connection_error(context.to_owned(), sent, Box::new(e));
    let mut socket = match within(config.connect_timeout(), net::open(&to, client.tls_config(), proxy)).await {
        Some(Ok(socket)) => socket,
        Some(Err(e)) => return Err((failed(e, false), false)),
        None => return Err((timed_out(config.connect_timeout()), false)),
    };
    let limit = config.timeout();
    let request = target.request_bytes(config, req);
    match within(limit, async {
        socket.write_all(&request).await?;
        socket.flush().await
    })
    .await
    {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err((failed(e, true), true)),
        None => return Err((timed_out(limit), true)),
    }
    let mut reader = SpeechReader::new();
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        let n = match within(limit, socket.read(&mut buf)).await {
            Some(Ok(n)) => n,
            Some(Err(e)) => return Err((failed(e, true), true)),
            None => return Err((timed_out(limit), true)),
        };
        if n == 0 {
            return reader.end_of_input().map_err(|e| (e, true));
        }
        let mut at = 0;
        loop {
            match reader.next(&buf[..n], &mut at).map_err(|e| (e, true))? {
                // The caller's writer takes its own time (as in the blocking client).
                Next::Audio(bytes) => {
                    out.write_all(bytes)
                        .await
                        .map_err(|e| (local_write(context, e), true))?;
                    *audio += bytes.len() as u64;
                }
                Next::ReadMore => break,
                Next::Done => return Ok(()),
            }
        }
    }
}
