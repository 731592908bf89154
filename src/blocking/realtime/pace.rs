//! Streaming audio from any `Read` (a file, a pipe, a generator), at real-time pace or as
//! fast as the stream's back-pressure allows.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Instant;

use super::sender::AudioSender;
use crate::core::realtime::Pace;
use crate::driver::attempt::io_error;
use crate::error::{Error, Result};

/// Reads `reader` to its end in chunks of `chunk_bytes` (each full but the last) and
/// sends every chunk through `sender`, paced by `pace`. Returns the bytes sent. Does not
/// finish the stream. A read error is [`Error::Io`]; a send error (the session ended)
/// stops it. `chunk_bytes` of 0 or over [`MAX_CHUNK_BYTES`](crate::core::realtime::MAX_CHUNK_BYTES)
/// (16 MiB) and a real-time pace of 0 bytes per second are [`Error::InvalidArgument`].
///
/// ```no_run
/// use soniox::blocking::{stream_audio, Client, Pace};
/// use soniox::types::RealtimeConfig;
///
/// let client = Client::from_env()?;
/// let mut stream = client.realtime().connect(RealtimeConfig::new("stt-rt-v5").pcm_s16le(16_000, 1))?;
/// let sender = stream.sender();
/// let feeder = std::thread::spawn(move || {
///     stream_audio(&sender, std::io::stdin(), 3_200, Pace::RealTime { bytes_per_second: 32_000 })
/// });
/// for event in &mut stream {
///     println!("{:?}", event?);
/// #   break;
/// }
/// # Ok::<(), soniox::Error>(())
/// ```
pub fn stream_audio(sender: &AudioSender, reader: impl Read, chunk_bytes: usize, pace: Pace) -> Result<u64> {
    send_all(sender, reader, chunk_bytes, pace, None)
}

/// [`stream_audio`] from a file (its read errors carry the path).
pub(super) fn send_file(sender: &AudioSender, path: &Path, chunk_bytes: usize, pace: Pace) -> Result<u64> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    send_all(sender, file, chunk_bytes, pace, Some(path))
}

fn send_all(
    sender: &AudioSender,
    mut reader: impl Read,
    chunk_bytes: usize,
    pace: Pace,
    path: Option<&Path>,
) -> Result<u64> {
    pace.check(chunk_bytes)?;
    let start = Instant::now();
    let mut buf = vec![0u8; chunk_bytes];
    let mut sent = 0u64;
    loop {
        let n = fill(&mut reader, &mut buf).map_err(|source| Error::Io {
            path: path.map(Path::to_owned),
            source,
        })?;
        if n == 0 {
            return Ok(sent);
        }
        if let Some(due) = pace.due(start, sent) {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        sender.send_audio(&buf[..n])?;
        sent += n as u64;
    }
}

/// Reads until `buf` is full or the end; returns the bytes read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
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
    use super::*;

    /// A reader that hands out one byte per call, with an interruption in between.
    struct Trickle(Vec<u8>, bool);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0.remove(0);
            Ok(1)
        }
    }

    #[test]
    fn chunks_are_filled_completely_whatever_the_reader_hands_out() {
        let mut reader = Trickle((0..10).collect(), false);
        let mut buf = [0u8; 4];
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(buf, [0, 1, 2, 3]);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], &[8, 9]);
        assert_eq!(fill(&mut reader, &mut buf).unwrap(), 0);
    }
}
