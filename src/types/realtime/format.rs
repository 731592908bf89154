//! Realtime audio formats: detected, a named container, or raw samples.

/// The audio format of a realtime stream: detected from the stream, a named container,
/// or raw headerless samples (which need a sample rate and a channel count).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AudioFormat {
    /// Detect the container from the stream header (`"auto"`). The default.
    #[default]
    Auto,
    /// `aac`
    Aac,
    /// `aiff`
    Aiff,
    /// `amr`
    Amr,
    /// `asf`
    Asf,
    /// `flac`
    Flac,
    /// `mp3`
    Mp3,
    /// `ogg`
    Ogg,
    /// `wav`
    Wav,
    /// `webm`
    Webm,
    /// Raw, headerless samples.
    Raw {
        /// The sample encoding (`pcm_s16le`, `mulaw`, ...).
        encoding: RawEncoding,
        /// Samples per second per channel, e.g. 16 000.
        sample_rate: u32,
        /// 1 mono, 2 stereo, ...
        num_channels: u32,
    },
}

/// The sample encoding of raw audio, named as on the wire.
#[allow(missing_docs)] // each variant is its wire name
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RawEncoding {
    PcmS8,
    PcmS16le,
    PcmS16be,
    PcmS24le,
    PcmS24be,
    PcmS32le,
    PcmS32be,
    PcmU8,
    PcmU16le,
    PcmU16be,
    PcmU24le,
    PcmU24be,
    PcmU32le,
    PcmU32be,
    PcmF32le,
    PcmF32be,
    PcmF64le,
    PcmF64be,
    Mulaw,
    Alaw,
}

impl RawEncoding {
    /// The wire name, e.g. `"pcm_s16le"`.
    pub fn as_str(self) -> &'static str {
        use RawEncoding::*;
        match self {
            PcmS8 => "pcm_s8",
            PcmS16le => "pcm_s16le",
            PcmS16be => "pcm_s16be",
            PcmS24le => "pcm_s24le",
            PcmS24be => "pcm_s24be",
            PcmS32le => "pcm_s32le",
            PcmS32be => "pcm_s32be",
            PcmU8 => "pcm_u8",
            PcmU16le => "pcm_u16le",
            PcmU16be => "pcm_u16be",
            PcmU24le => "pcm_u24le",
            PcmU24be => "pcm_u24be",
            PcmU32le => "pcm_u32le",
            PcmU32be => "pcm_u32be",
            PcmF32le => "pcm_f32le",
            PcmF32be => "pcm_f32be",
            PcmF64le => "pcm_f64le",
            PcmF64be => "pcm_f64be",
            Mulaw => "mulaw",
            Alaw => "alaw",
        }
    }

    /// Bytes per sample of one channel (1 for `mulaw`/`alaw`).
    pub fn bytes_per_sample(self) -> u32 {
        use RawEncoding::*;
        match self {
            PcmS8 | PcmU8 | Mulaw | Alaw => 1,
            PcmS16le | PcmS16be | PcmU16le | PcmU16be => 2,
            PcmS24le | PcmS24be | PcmU24le | PcmU24be => 3,
            PcmS32le | PcmS32be | PcmU32le | PcmU32be | PcmF32le | PcmF32be => 4,
            PcmF64le | PcmF64be => 8,
        }
    }
}

impl AudioFormat {
    /// Raw samples in `encoding`.
    pub fn raw(encoding: RawEncoding, sample_rate: u32, num_channels: u32) -> AudioFormat {
        AudioFormat::Raw {
            encoding,
            sample_rate,
            num_channels,
        }
    }

    /// Raw signed 16-bit little-endian samples, the most common raw format.
    pub fn pcm_s16le(sample_rate: u32, num_channels: u32) -> AudioFormat {
        AudioFormat::raw(RawEncoding::PcmS16le, sample_rate, num_channels)
    }

    /// The wire name (`"auto"`, `"wav"`, `"pcm_s16le"`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            AudioFormat::Auto => "auto",
            AudioFormat::Aac => "aac",
            AudioFormat::Aiff => "aiff",
            AudioFormat::Amr => "amr",
            AudioFormat::Asf => "asf",
            AudioFormat::Flac => "flac",
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Ogg => "ogg",
            AudioFormat::Wav => "wav",
            AudioFormat::Webm => "webm",
            AudioFormat::Raw { encoding, .. } => encoding.as_str(),
        }
    }

    /// Audio bytes per second of a raw format (`None` for containers): what a driver
    /// needs to pace a stream at real time. Saturates at `u64::MAX` (found by fuzzing:
    /// 8-byte samples × `u32::MAX` Hz × `u32::MAX` channels overflowed).
    pub fn bytes_per_second(&self) -> Option<u64> {
        match *self {
            AudioFormat::Raw {
                encoding,
                sample_rate,
                num_channels,
            } => Some(
                u64::from(encoding.bytes_per_sample())
                    .saturating_mul(u64::from(sample_rate))
                    .saturating_mul(u64::from(num_channels)),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_formats_know_their_byte_rate_and_containers_do_not() {
        assert_eq!(AudioFormat::pcm_s16le(16_000, 1).bytes_per_second(), Some(32_000));
        assert_eq!(
            AudioFormat::raw(RawEncoding::PcmS24be, 8_000, 2).bytes_per_second(),
            Some(48_000)
        );
        assert_eq!(AudioFormat::raw(RawEncoding::Alaw, 8_000, 1).as_str(), "alaw");
        assert_eq!(AudioFormat::Ogg.bytes_per_second(), None);
        assert_eq!(AudioFormat::default().as_str(), "auto");
    }
}
