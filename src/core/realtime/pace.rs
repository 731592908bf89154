//! How fast a driver feeds audio: [`Pace`], and the pure schedule both drivers follow.

use std::time::{Duration, Instant};

use crate::audio::WavSpec;
use crate::error::{Error, Result};

/// The largest `chunk_bytes` a feed accepts: 16 MiB, the largest WebSocket frame
/// tungstenite-based servers take by default (the mock included).
pub const MAX_CHUNK_BYTES: usize = 16 << 20;

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

    /// Refuses a zero chunk size, one over [`MAX_CHUNK_BYTES`] (the feed allocates a
    /// buffer of `chunk_bytes`; `usize::MAX` would abort the process) and a real-time
    /// pace of zero bytes per second, all as [`Error::InvalidArgument`].
    pub fn check(self, chunk_bytes: usize) -> Result<()> {
        if chunk_bytes == 0 {
            return Err(Error::invalid("chunk_bytes must be above zero"));
        }
        if chunk_bytes > MAX_CHUNK_BYTES {
            return Err(Error::invalid(format!(
                "chunk_bytes must be at most {MAX_CHUNK_BYTES} (16 MiB, the largest WebSocket frame servers take), got {chunk_bytes}"
            )));
        }
        if self == (Pace::RealTime { bytes_per_second: 0 }) {
            return Err(Error::invalid("a real-time pace needs bytes_per_second above zero"));
        }
        Ok(())
    }

    /// When the chunk that follows `bytes_sent` bytes may leave, for a feed that started
    /// at `start`; `None` for no waiting. Saturates (never panics) for any rate and count:
    /// a due time past `Instant`'s range is [far off](crate::config::time::later).
    pub fn due(self, start: Instant, bytes_sent: u64) -> Option<Instant> {
        match self {
            Pace::RealTime { bytes_per_second } if bytes_per_second > 0 => {
                let secs = bytes_sent as f64 / bytes_per_second as f64;
                let after = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
                Some(crate::config::time::later(start, after))
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

    #[test]
    fn extreme_chunks_and_rates_are_refused_or_saturate() {
        let t0 = Instant::now();
        assert!(Pace::AsFastAsPossible.check(MAX_CHUNK_BYTES).is_ok());
        for n in [MAX_CHUNK_BYTES + 1, usize::MAX] {
            assert!(matches!(
                Pace::AsFastAsPossible.check(n),
                Err(Error::InvalidArgument(_))
            ));
        }
        let slowest = Pace::RealTime { bytes_per_second: 1 };
        let far = t0 + crate::config::time::NO_LIMIT;
        assert_eq!(slowest.due(t0, u64::MAX), Some(far));
        assert_eq!(slowest.due(t0, 10), Some(t0 + Duration::from_secs(10)));
        let fastest = Pace::RealTime {
            bytes_per_second: u64::MAX,
        };
        assert!(fastest
            .due(t0, u64::MAX)
            .is_some_and(|t| t <= t0 + Duration::from_secs(2)));
    }
}
