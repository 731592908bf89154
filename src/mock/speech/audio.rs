//! The audio `POST /tts` answers: deterministic, as long as the text asks (by default 60 ms
//! a character, at most 2 minutes, as the service caps it), generated a chunk at a time so a
//! long utterance never sits whole in memory. WAV and the PCM formats are real audio (a
//! 440 Hz tone); the compressed formats are stable bytes behind the format's magic, not
//! decodable audio (soniox-api-more.md §2.5 asks for no more).

use std::f64::consts::PI;

/// The `Content-Type` of a format (§2.2).
pub(super) fn content_type(format: &str) -> &'static str {
    match format {
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "aac" => "audio/aac",
        "opus" => "audio/opus",
        "flac" => "audio/flac",
        _ => "audio/pcm",
    }
}

/// One utterance's bytes, handed out in order.
#[derive(Debug)]
pub(super) struct Synth {
    kind: Kind,
    rate: u32,
    /// Bytes before the samples (a WAV header, a format's magic).
    header: Vec<u8>,
    /// Bytes of samples (or stand-in frames) after the header.
    body: u64,
    /// Bytes handed out so far, header included.
    pos: u64,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    S16,
    F32,
    Law8,
    Stable,
}

impl Synth {
    /// The audio for `chars` characters in `format` at `rate` Hz (`bitrate` bps for the
    /// compressed formats): `per_char` ms a character (at least one character's worth), at
    /// most `max_ms`.
    pub(super) fn new(format: &str, chars: usize, rate: u32, bitrate: u32, per_char: u64, max_ms: u64) -> Synth {
        let ms = (chars as u64).saturating_mul(per_char).max(per_char).min(max_ms);
        let frames = u64::from(rate).saturating_mul(ms) / 1000;
        let (kind, body) = match format {
            "wav" | "pcm_s16le" => (Kind::S16, frames.saturating_mul(2)),
            "pcm_f32le" => (Kind::F32, frames.saturating_mul(4)),
            "pcm_mulaw" | "pcm_alaw" => (Kind::Law8, frames),
            // Lossless: about 60 % of the 16-bit PCM.
            "flac" => (Kind::Stable, frames.saturating_mul(2) / 10 * 6),
            _ => (Kind::Stable, u64::from(bitrate).saturating_mul(ms) / 8000),
        };
        let header = match format {
            "wav" => wav_header(rate, body),
            "mp3" => b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec(),
            "flac" => b"fLaC".to_vec(),
            "opus" => b"OggS\x00\x02".to_vec(),
            "aac" => vec![0xFF, 0xF1, 0x50, 0x80],
            _ => Vec::new(),
        };
        Synth {
            kind,
            rate,
            header,
            body,
            pos: 0,
        }
    }

    /// Every byte of the utterance.
    pub(super) fn len(&self) -> u64 {
        self.header.len() as u64 + self.body
    }

    /// Appends up to `max` next bytes to `out`; none when every byte was handed out.
    pub(super) fn fill(&mut self, out: &mut Vec<u8>, max: usize) {
        let end = self.len().min(self.pos.saturating_add(max as u64));
        let h = self.header.len() as u64;
        // One sample's bytes at a time (a sine per sample, not per byte).
        let mut cached: Option<(u64, [u8; 4])> = None;
        while self.pos < end {
            let i = self.pos;
            if i < h {
                out.push(self.header[i as usize]);
            } else {
                let i = i - h;
                let width = self.width();
                let frame = i / width;
                let bytes = match cached {
                    Some((f, b)) if f == frame => b,
                    _ => {
                        let b = self.sample(frame, i);
                        cached = Some((frame, b));
                        b
                    }
                };
                out.push(bytes[(i % width) as usize]);
            }
            self.pos += 1;
        }
    }

    fn width(&self) -> u64 {
        match self.kind {
            Kind::S16 => 2,
            Kind::F32 => 4,
            Kind::Law8 | Kind::Stable => 1,
        }
    }

    fn tone(&self, frame: u64) -> f64 {
        (2.0 * PI * 440.0 * frame as f64 / f64::from(self.rate.max(1))).sin() * 0.25
    }

    /// The bytes of sample `frame` (byte `i` of the samples, for the 8-bit kinds).
    fn sample(&self, frame: u64, i: u64) -> [u8; 4] {
        match self.kind {
            Kind::S16 => {
                let [a, b] = ((self.tone(frame) * f64::from(i16::MAX)) as i16).to_le_bytes();
                [a, b, 0, 0]
            }
            Kind::F32 => (self.tone(frame) as f32).to_le_bytes(),
            // μ-law/A-law silence-ish with a slow wobble: valid 8-bit codes either way.
            Kind::Law8 => [0xD5 ^ ((i / 40 % 2) as u8), 0, 0, 0],
            Kind::Stable => [(i.wrapping_mul(31).wrapping_add(7) % 251) as u8, 0, 0, 0],
        }
    }
}

/// A 44-byte canonical WAV header: 16-bit mono PCM at `rate`, `data` bytes of samples.
fn wav_header(rate: u32, data: u64) -> Vec<u8> {
    let data = u32::try_from(data).unwrap_or(u32::MAX);
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&data.saturating_add(36).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate * 2).to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_is_a_valid_file_as_long_as_the_text_asks() {
        let mut s = Synth::new("wav", 10, 24_000, 0, 60, 120_000);
        assert_eq!(s.len(), 44 + 24_000 * 600 / 1000 * 2);
        let mut out = Vec::new();
        for _ in 0..1000 {
            s.fill(&mut out, 4096);
        }
        assert_eq!(out.len() as u64, s.len());
        let spec = crate::audio::parse_wav_header_at(&out).expect("a WAV the crate's parser reads");
        assert_eq!((spec.0.spec.sample_rate, spec.0.data_len), (24_000, 28_800));
        // Deterministic: the same request, the same bytes.
        let mut again = Vec::new();
        let mut t = Synth::new("wav", 10, 24_000, 0, 60, 120_000);
        t.fill(&mut again, usize::MAX);
        assert_eq!(again, out);
        // Capped at 2 minutes.
        assert_eq!(
            Synth::new("pcm_s16le", 5000, 8000, 0, 60, 120_000).len(),
            8000 * 120 * 2
        );
        assert_eq!(
            Synth::new("mp3", 100, 24_000, 128_000, 60, 120_000).len(),
            10 + 16_000 * 6
        );
    }
}
