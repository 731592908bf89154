//! How fast a driver feeds audio: [`Pace`], and the pure schedule both drivers follow.

use std::time::{Duration, Instant};

use crate::audio::WavSpec;
use crate::error::{Error, Result};

/// How fast `stream_audio` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pace {
    /// Like a live source: chunk *n* leaves once the audio before it has "played"
    /// (`bytes before it / bytes_per_second` after the start).
    RealTime {
        /// The audio's byte rate (16 kHz mono 16-bit PCM: 32 000).
        bytes_per_second: u64,
    },
    /// No waiting: as fast as the queue takes it (the server may drop a session that
    /// runs far ahead of real time for long).
    AsFastAsPossible,
}

impl Pace {
    /// Real time for linear PCM in `spec` (WAV data included).
    pub fn real_time(spec: WavSpec) -> Pace {
        Pace::RealTime {
            bytes_per_second: u64::from(spec.byte_rate()),
        }
    }

    /// Refuses a zero chunk size and a real-time pace of zero bytes per second.
    pub fn check(self, chunk_bytes: usize) -> Result<()> {
        if chunk_bytes == 0 {
            return Err(Error::invalid("chunk_bytes must be above zero"));
        }
        if self == (Pace::RealTime { bytes_per_second: 0 }) {
            return Err(Error::invalid("a real-time pace needs bytes_per_second above zero"));
        }
        Ok(())
    }

    /// When the chunk that follows `bytes_sent` bytes may leave, for a feed that started
    /// at `start`; `None` for no waiting.
    pub fn due(self, start: Instant, bytes_sent: u64) -> Option<Instant> {
        match self {
            Pace::RealTime { bytes_per_second } if bytes_per_second > 0 => {
                Some(start + Duration::from_secs_f64(bytes_sent as f64 / bytes_per_second as f64))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_time_chunks_are_due_when_the_audio_before_them_has_played() {
        let t0 = Instant::now();
        let pace = Pace::real_time(WavSpec::default());
        assert_eq!(
            pace,
            Pace::RealTime {
                bytes_per_second: 32_000
            }
        );
        assert_eq!(pace.due(t0, 0), Some(t0));
        assert_eq!(pace.due(t0, 16_000), Some(t0 + Duration::from_millis(500)));
        assert_eq!(Pace::AsFastAsPossible.due(t0, 1 << 30), None);
        assert!(Pace::AsFastAsPossible.check(0).is_err());
        assert!(Pace::RealTime { bytes_per_second: 0 }.check(1).is_err());
        assert!(pace.check(1).is_ok());
    }
}
