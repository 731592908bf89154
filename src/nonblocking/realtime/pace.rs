//! Streaming audio from any `AsyncRead` (a file, a pipe, a generator), at real-time pace
//! or as fast as the stream's back-pressure allows.

use std::io;
use std::path::Path;
use std::time::Instant;

use futures::{AsyncRead, AsyncReadExt};

use super::sender::AudioSender;
use super::ws::sleep;
use crate::core::realtime::Pace;
use crate::driver::attempt::io_error;
use crate::error::{Error, Result};
use crate::nonblocking::net::open_file;

/// Reads `reader` to its end in chunks of `chunk_bytes` (each full but the last) and
/// sends every chunk through `sender`, paced by `pace`. Returns the bytes sent. Does not
/// finish the stream. A read error is [`Error::Io`]; a send error (the session ended)
/// stops it. `chunk_bytes` of 0 or over [`MAX_CHUNK_BYTES`](crate::core::realtime::MAX_CHUNK_BYTES)
/// (16 MiB) and a real-time pace of 0 bytes per second are [`Error::InvalidArgument`].
///
/// ```no_run
/// # async fn run() -> soniox::Result<()> {
/// use futures::StreamExt;
/// use soniox::nonblocking::{stream_audio, Client, Pace};
/// use soniox::types::RealtimeConfig;
///
/// let client = Client::from_env()?;
/// let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1)).await?;
/// let sender = stream.sender();
/// let audio: &[u8] = &[0u8; 32_000]; // any `AsyncRead + Unpin`
/// let feeder = async move {
///     stream_audio(&sender, audio, 3_200, Pace::RealTime { bytes_per_second: 32_000 }).await?;
///     sender.finish().await
/// };
/// let reader = async {
///     while let Some(event) = stream.next().await {
///         println!("{:?}", event?);
///     }
///     Ok::<_, soniox::Error>(())
/// };
/// let (fed, read) = futures::join!(feeder, reader);
/// fed?;
/// read?;
/// # Ok(()) }
/// ```
pub async fn stream_audio(
    sender: &AudioSender,
    reader: impl AsyncRead + Unpin,
    chunk_bytes: usize,
    pace: Pace,
) -> Result<u64> {
    send_all(sender, reader, chunk_bytes, pace, None).await
}

/// [`stream_audio`] from a file (its read errors carry the path).
pub(super) async fn send_file(sender: &AudioSender, path: &Path, chunk_bytes: usize, pace: Pace) -> Result<u64> {
    let file = open_file(path).await.map_err(|e| io_error(path, e))?;
    send_all(sender, file, chunk_bytes, pace, Some(path)).await
}

async fn send_all(
    sender: &AudioSender,
    mut reader: impl AsyncRead + Unpin,
    chunk_bytes: usize,
    pace: Pace,
    path: Option<&Path>,
) -> Result<u64> {
    pace.check(chunk_bytes)?;
    let start = Instant::now();
    let mut buf = vec![0u8; chunk_bytes];
    let mut sent = 0u64;
    loop {
        let n = fill(&mut reader, &mut buf).await.map_err(|source| Error::Io {
            path: path.map(Path::to_owned),
            source,
        })?;
        if n == 0 {
            return Ok(sent);
        }
        if let Some(due) = pace.due(start, sent) {
            let left = due.saturating_duration_since(Instant::now());
            if !left.is_zero() {
                sleep(left).await;
            }
        }
        sender.send_audio(&buf[..n]).await?;
        sent += n as u64;
    }
}

/// Reads until `buf` is full or the end; returns the bytes read.
async fn fill(reader: &mut (impl AsyncRead + Unpin), buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]).await {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// A reader that hands out one byte per call, with an interruption in between.
    struct Trickle(Vec<u8>, bool);

    impl AsyncRead for Trickle {
        fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            self.1 = !self.1;
            if self.1 {
                return Poll::Ready(Err(io::ErrorKind::Interrupted.into()));
            }
            if self.0.is_empty() || buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            buf[0] = self.0.remove(0);
            Poll::Ready(Ok(1))
        }
    }

    #[test]
    fn chunks_are_filled_completely_whatever_the_reader_hands_out() {
        futures::executor::block_on(async {
            let mut reader = Trickle((0..10).collect(), false);
            let mut buf = [0u8; 4];
            assert_eq!(fill(&mut reader, &mut buf).await.unwrap(), 4);
            assert_eq!(buf, [0, 1, 2, 3]);
            assert_eq!(fill(&mut reader, &mut buf).await.unwrap(), 4);
            assert_eq!(fill(&mut reader, &mut buf).await.unwrap(), 2);
            assert_eq!(&buf[..2], &[8, 9]);
            assert_eq!(fill(&mut reader, &mut buf).await.unwrap(), 0);
        });
    }
}
