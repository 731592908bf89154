//! `client.tts().generate*`: text-to-speech over REST. The exchange runs on a socket of
//! its own (TCP, the proxy tunnel, TLS with the client's rustls config), one request per
//! connection, so that the response is read by the core's
//! `SpeechReader` ([`crate::core::speech`]): audio goes to the caller's writer
//! as it arrives, and an error in the trailers after it is an error, not a short success.

use std::fs;
use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::client::Client;
use super::connect;
use super::tts::Tts;
use crate::core::http::{HttpRequest, RawResponse};
use crate::core::speech::{build_generate, Next, SpeechReader};
use crate::driver::attempt::io_error;
use crate::driver::observe;
use crate::driver::speech::{after_failure, local_write, PartialFile, SpeechTarget};
use crate::error::{Error, Result};
use crate::types::Speech;

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 16 * 1024;

impl Tts<'_> {
    /// Speaks `speech` and returns the whole audio (in the speech's format).
    ///
    /// ```no_run
    /// use soniox::types::Speech;
    /// let client = soniox::blocking::Client::from_env()?;
    /// let wav = client.tts().generate(&Speech::new("Hello from Soniox.", "Adrian"))?;
    /// std::fs::write("hello.wav", wav)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generate(&self, speech: &Speech) -> Result<Vec<u8>> {
        let mut audio = Vec::new();
        self.generate_to(speech, &mut audio)?;
        Ok(audio)
    }

    /// Speaks `speech` into `out` as the audio arrives (never whole in memory); returns
    /// the bytes written. A speech the API would refuse fails before any request. An
    /// error that arrives after some audio was written is an error ([`Error::Api`] with
    /// the service's code), never a short success; the call is then not retried (what
    /// `out` took cannot be taken back), as it is not after any audio at all.
    pub fn generate_to(&self, speech: &Speech, out: &mut dyn Write) -> Result<u64> {
        speak(self.client(), speech, out)
    }

    /// Speaks `speech` into a file at `path` (replaced once the whole audio is in);
    /// returns its length. The audio goes to a sibling file first, renamed onto `path`
    /// at the end: on any error `path` is as it was, and no partial file is left.
    pub fn generate_to_file(&self, speech: &Speech, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        build_generate(speech)?;
        let part = PartialFile::for_target(path);
        let mut file = fs::File::create(part.path()).map_err(|e| io_error(path, e))?;
        let n = speak(self.client(), speech, &mut file)?;
        file.sync_all().map_err(|e| io_error(path, e))?;
        drop(file);
        part.commit(path)?;
        Ok(n)
    }
}

/// The retry loop around [`exchange`].
fn speak(client: &Client, speech: &Speech, out: &mut dyn Write) -> Result<u64> {
    let req = build_generate(speech)?;
    let target = SpeechTarget::of(client.config(), &req);
    let mut retry = client.retry();
    let mut number = 0u32;
    loop {
        number = number.saturating_add(1);
        let span = observe::request_span(&req, number);
        let started = Instant::now();
        let mut audio = 0u64;
        let result = {
            let _permit = client.limiter().acquire();
            let _entered = span.enter();
            exchange(client, &req, &target, out, &mut audio)
        };
        match result {
            Ok(()) => {
                observe::record_attempt(&span, Ok(&RawResponse::new(200, Vec::new())), started);
                return Ok(audio);
            }
            Err((error, sent)) => {
                observe::record_attempt(&span, Err(&error), started);
                match after_failure(&req, &mut retry, error, sent, audio, &span) {
                    ControlFlow::Break(e) => return Err(e),
                    ControlFlow::Continue(delay) => std::thread::sleep(delay),
                }
            }
        }
    }
}

/// One exchange: connect, send, read the answer into `out`. The error comes with whether
/// any of the request was sent.
fn exchange(
    client: &Client,
    req: &HttpRequest,
    target: &SpeechTarget,
    out: &mut dyn Write,
    audio: &mut u64,
) -> std::result::Result<(), (Error, bool)> {
    let config = client.config();
    let context = target.context.as_str();
    // Until the request is written, the connect timeout's remainder bounds every step
    // (TCP, the tunnel, the TLS handshake) and nothing counts as sent.
    let mut tcp = connect::open(config, target.tls, &target.host, target.port, context).map_err(|e| (e, false))?;
    let unsent = |e: std::io::Error| {
        let error = if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
            connect::timed_out(context, config.connect_timeout())
        } else {
            crate::driver::proxy::connection_error(context.to_owned(), false, Box::new(e))
        };
        (error, false)
    };
    let tls = if target.tls {
        let tls = client.tls_config().get().map_err(|e| (e, false))?;
        let name = rustls::pki_types::ServerName::try_from(target.host.clone()).map_err(|_| {
            (
                Error::invalid(format!("{context}: {:?} is no TLS server name", target.host)),
                false,
            )
        })?;
        let mut conn = rustls::ClientConnection::new(Arc::clone(&tls), name)
            .map_err(|e| (connect::transport(context, std::io::Error::other(e)), false))?;
        crate::driver::tls::limit_buffers(&mut conn);
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(unsent)?;
        }
        Some(conn)
    } else {
        None
    };
    let limit = crate::config::time::limit(config.timeout());
    tcp.set_read_timeout(limit).map_err(unsent)?;
    tcp.set_write_timeout(limit).map_err(unsent)?;
    let mut stream: Box<dyn ReadWrite> = match tls {
        Some(conn) => Box::new(rustls::StreamOwned::new(conn, tcp)),
        None => Box::new(tcp),
    };
    let timeout = |e: std::io::Error, sent: bool| {
        let error = if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
            connect::timed_out(context, config.timeout())
        } else {
            crate::driver::proxy::connection_error(context.to_owned(), sent, Box::new(e))
        };
        (error, sent)
    };
    stream
        .write_all(&target.request_bytes(config, req))
        .and_then(|()| stream.flush())
        .map_err(|e| timeout(e, true))?;
    let mut reader = SpeechReader::new();
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        let n = stream.read(&mut buf).map_err(|e| timeout(e, true))?;
        if n == 0 {
            return reader.end_of_input().map_err(|e| (e, true));
        }
        let mut at = 0;
        loop {
            match reader.next(&buf[..n], &mut at).map_err(|e| (e, true))? {
                Next::Audio(bytes) => {
                    out.write_all(bytes).map_err(|e| (local_write(context, e), true))?;
                    *audio += bytes.len() as u64;
                }
                Next::ReadMore => break,
                Next::Done => return Ok(()),
            }
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}
