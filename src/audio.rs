//! Test audio: deterministic PCM WAV generation and a tolerant WAV header parser.
//!
//! Everything here streams: [`write_wav_file`] and [`generate_test_audio_file`] write in
//! 64 KiB blocks and never hold the whole file in memory, so they are fit for the 500 MB files
//! of the large-upload tests. The signal is a 440 Hz sine tone at about -10 dBFS, identical on
//! every channel and fully deterministic (the same arguments always give the same bytes).
//!
//! ```
//! use soniox::audio::{parse_wav_header, wav_bytes, WavSpec};
//! use std::time::Duration;
//!
//! let bytes = wav_bytes(WavSpec::default(), Duration::from_millis(1500));
//! let info = parse_wav_header(&bytes).unwrap();
//! assert_eq!(info.duration_ms, 1500);
//! assert_eq!(info.data_len, 48_000);
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// Length in bytes of the canonical PCM WAV header written by [`wav_header`].
pub const WAV_HEADER_LEN: u64 = 44;

/// Size of the blocks the file writers hand to the OS.
const BLOCK: usize = 64 * 1024;

/// Frequency of the generated tone.
const TONE_HZ: u64 = 440;

/// Entries in the sine lookup table (a power of two).
const LUT_LEN: usize = 4096;

/// Format of linear PCM audio: sample rate, channel count and bits per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WavSpec {
    /// Samples per second per channel (default 16 000).
    pub sample_rate: u32,
    /// Interleaved channels (default 1).
    pub channels: u16,
    /// Bits per sample: 8 (unsigned), 16, 24 or 32 (signed, little endian). Default 16.
    pub bits_per_sample: u16,
}

impl Default for WavSpec {
    fn default() -> Self {
        WavSpec {
            sample_rate: 16_000,
            channels: 1,
            bits_per_sample: 16,
        }
    }
}

impl WavSpec {
    /// Bytes per second of audio (`sample_rate × channels × bytes_per_sample`).
    pub fn byte_rate(&self) -> u32 {
        self.sample_rate.saturating_mul(u32::from(self.block_align()))
    }

    /// Number of bytes of audio lasting `d`, rounded down to whole frames.
    pub fn bytes_for(&self, d: Duration) -> u64 {
        let frames = u128::from(self.sample_rate) * d.as_nanos() / 1_000_000_000;
        let bytes = frames.saturating_mul(u128::from(self.block_align()));
        u64::try_from(bytes).unwrap_or(u64::MAX)
    }

    /// Bytes of one frame (one sample on every channel).
    fn block_align(&self) -> u16 {
        self.channels.saturating_mul(self.bytes_per_sample()).max(1)
    }

    fn bytes_per_sample(&self) -> u16 {
        self.bits_per_sample.div_ceil(8).max(1)
    }
}

/// The canonical 44-byte PCM WAV header for `data_len` bytes of audio in `spec`.
///
/// The RIFF size field saturates at `u32::MAX` (the convention for streams of unknown length).
pub fn wav_header(spec: WavSpec, data_len: u32) -> [u8; 44] {
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&data_len.saturating_add(36).to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&spec.channels.to_le_bytes());
    h[24..28].copy_from_slice(&spec.sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&spec.byte_rate().to_le_bytes());
    h[32..34].copy_from_slice(&spec.block_align().to_le_bytes());
    h[34..36].copy_from_slice(&spec.bits_per_sample.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_len.to_le_bytes());
    h
}

/// A complete WAV file in memory: header plus `duration` of the deterministic tone.
pub fn wav_bytes(spec: WavSpec, duration: Duration) -> Vec<u8> {
    let data_len = spec.bytes_for(duration);
    let len = usize::try_from(data_len).expect("audio too large for memory");
    let mut out = Vec::with_capacity(44 + len);
    out.extend_from_slice(&wav_header(spec, clamp_u32(data_len)));
    out.resize(44 + len, 0);
    ToneStream::new(spec).fill(&mut out[44..]);
    out
}

/// Writes a WAV file of `duration` of tone to `path`, in 64 KiB blocks; returns the bytes written.
pub fn write_wav_file(path: &Path, spec: WavSpec, duration: Duration) -> io::Result<u64> {
    let data_len = spec.bytes_for(duration);
    let mut file = File::create(path)?;
    file.write_all(&wav_header(spec, clamp_u32(data_len)))?;
    write_tone(&mut file, spec, data_len)?;
    file.sync_data().ok();
    Ok(WAV_HEADER_LEN + data_len)
}

/// Writes a valid 16 kHz mono 16-bit WAV file of exactly `size_bytes` bytes (at least 44).
///
/// The data chunk holds the largest whole number of frames that fits; at most one zero pad
/// byte follows it, so the file is exactly `size_bytes` long. Streams in 64 KiB blocks (fit for
/// files of hundreds of megabytes). Returns the bytes written.
pub fn generate_test_audio_file(path: &Path, size_bytes: u64) -> io::Result<u64> {
    let spec = WavSpec::default();
    let total = size_bytes.max(WAV_HEADER_LEN);
    let room = total - WAV_HEADER_LEN;
    let align = u64::from(spec.block_align());
    let data_len = room - room % align;
    let mut header = wav_header(spec, clamp_u32(data_len));
    // The RIFF size covers everything after the first 8 bytes, pad included.
    header[4..8].copy_from_slice(&clamp_u32(total - 8).to_le_bytes());
    let mut file = File::create(path)?;
    file.write_all(&header)?;
    write_tone(&mut file, spec, data_len)?;
    let pad = vec![0u8; usize::try_from(room - data_len).unwrap_or(0)];
    file.write_all(&pad)?;
    file.sync_data().ok();
    Ok(total)
}

/// Raw PCM (no header) of `total` of tone, cut into chunks of `chunk_bytes` (the last may be
/// shorter). A `chunk_bytes` of 0 is treated as 1.
pub fn pcm_chunks(spec: WavSpec, chunk_bytes: usize, total: Duration) -> impl Iterator<Item = Vec<u8>> {
    let mut remaining = spec.bytes_for(total);
    let chunk = chunk_bytes.max(1) as u64;
    let mut tone = ToneStream::new(spec);
    std::iter::from_fn(move || {
        if remaining == 0 {
            return None;
        }
        let n = remaining.min(chunk);
        remaining -= n;
        let mut buf = vec![0u8; n as usize];
        tone.fill(&mut buf);
        Some(buf)
    })
}

/// What [`parse_wav_header`] found in a WAV header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavInfo {
    /// Format from the `fmt ` chunk.
    pub spec: WavSpec,
    /// Declared length of the `data` chunk in bytes.
    pub data_len: u64,
    /// Duration of `data_len` bytes of audio, in milliseconds (0 when the byte rate is 0).
    pub duration_ms: u64,
}

/// Parses a RIFF/WAVE header from the first bytes of a file.
///
/// Walks the chunks from offset 12, so extra chunks (`LIST`, `fact`, …) before `data` are
/// fine. Returns `None` when the bytes are not RIFF/WAVE or end before the `data` chunk header.
pub fn parse_wav_header(bytes: &[u8]) -> Option<WavInfo> {
    parse_wav_header_at(bytes).map(|(info, _)| info)
}

/// Like [`parse_wav_header`], also returning the offset of the first audio byte.
pub(crate) fn parse_wav_header_at(bytes: &[u8]) -> Option<(WavInfo, u64)> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut spec: Option<WavSpec> = None;
    let mut pos = 12usize;
    while pos.checked_add(8)? <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().ok()?);
        let body = pos + 8;
        if id == b"fmt " {
            let fmt = bytes.get(body..body + 16)?;
            spec = Some(WavSpec {
                channels: u16::from_le_bytes([fmt[2], fmt[3]]),
                sample_rate: u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]),
                bits_per_sample: u16::from_le_bytes([fmt[14], fmt[15]]),
            });
        } else if id == b"data" {
            let spec = spec?;
            let data_len = u64::from(size);
            let rate = u64::from(spec.byte_rate());
            let duration_ms = if rate == 0 {
                0
            } else {
                (u128::from(data_len) * 1000 / u128::from(rate)) as u64
            };
            let info = WavInfo {
                spec,
                data_len,
                duration_ms,
            };
            return Some((info, body as u64));
        }
        // Chunks are word aligned: odd sizes carry one pad byte.
        let padded = usize::try_from(size).ok()?.checked_add(size as usize & 1)?;
        pos = body.checked_add(padded)?;
    }
    None
}

fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn write_tone(out: &mut impl Write, spec: WavSpec, mut remaining: u64) -> io::Result<()> {
    let mut tone = ToneStream::new(spec);
    let mut block = vec![0u8; BLOCK];
    while remaining > 0 {
        let n = remaining.min(BLOCK as u64) as usize;
        tone.fill(&mut block[..n]);
        out.write_all(&block[..n])?;
        remaining -= n as u64;
    }
    Ok(())
}

/// An endless byte stream of interleaved PCM frames of the tone; any split is allowed.
struct ToneStream {
    spec: WavSpec,
    lut: Vec<i16>,
    phase: u64,
    step: u64,
    /// Bytes of a frame cut by the previous `fill`, still to be emitted.
    pending: Vec<u8>,
}

impl ToneStream {
    fn new(spec: WavSpec) -> Self {
        let lut = (0..LUT_LEN)
            .map(|i| {
                let x = (i as f64) * std::f64::consts::TAU / LUT_LEN as f64;
                (x.sin() * 0.3 * f64::from(i16::MAX)).round() as i16
            })
            .collect();
        let step = (TONE_HZ << 32) / u64::from(spec.sample_rate.max(1));
        ToneStream {
            spec,
            lut,
            phase: 0,
            step,
            pending: Vec::new(),
        }
    }

    fn fill(&mut self, out: &mut [u8]) {
        let mut at = self.pending.len().min(out.len());
        out[..at].copy_from_slice(&self.pending[..at]);
        self.pending.drain(..at);
        let frame_len = usize::from(self.spec.block_align());
        let mut frame = vec![0u8; frame_len];
        while at < out.len() {
            self.next_frame(&mut frame);
            let n = frame_len.min(out.len() - at);
            out[at..at + n].copy_from_slice(&frame[..n]);
            self.pending.extend_from_slice(&frame[n..]);
            at += n;
        }
    }

    fn next_frame(&mut self, frame: &mut [u8]) {
        let idx = ((self.phase >> 20) as usize) & (LUT_LEN - 1);
        self.phase = (self.phase + self.step) & 0xFFFF_FFFF;
        let v = self.lut[idx];
        let width = usize::from(self.spec.bytes_per_sample());
        for sample in frame.chunks_mut(width) {
            match self.spec.bits_per_sample {
                8 => sample[0] = ((v >> 8) + 128) as u8,
                16 => sample.copy_from_slice(&v.to_le_bytes()),
                24 => sample.copy_from_slice(&(i32::from(v) << 8).to_le_bytes()[..3]),
                32 => sample.copy_from_slice(&(i32::from(v) << 16).to_le_bytes()),
                _ => sample.fill(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields() {
        let spec = WavSpec {
            sample_rate: 48_000,
            channels: 2,
            bits_per_sample: 16,
        };
        let h = wav_header(spec, 1000);
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(h[4..8].try_into().unwrap()), 1036);
        assert_eq!(&h[8..16], b"WAVEfmt ");
        assert_eq!(u16::from_le_bytes([h[22], h[23]]), 2);
        assert_eq!(u32::from_le_bytes(h[24..28].try_into().unwrap()), 48_000);
        assert_eq!(u32::from_le_bytes(h[28..32].try_into().unwrap()), 192_000);
        assert_eq!(u16::from_le_bytes([h[32], h[33]]), 4);
        assert_eq!(u16::from_le_bytes([h[34], h[35]]), 16);
        assert_eq!(&h[36..40], b"data");
        assert_eq!(u32::from_le_bytes(h[40..44].try_into().unwrap()), 1000);
        let info = parse_wav_header(&h).unwrap();
        assert_eq!(info.spec, spec);
        assert_eq!(info.data_len, 1000);
    }

    #[test]
    fn sizes_and_duration_round_trip() {
        let spec = WavSpec::default();
        assert_eq!(spec.byte_rate(), 32_000);
        assert_eq!(spec.bytes_for(Duration::from_secs(2)), 64_000);
        assert_eq!(spec.bytes_for(Duration::from_micros(31)), 0);
        for ms in [0u64, 1, 480, 1000, 12_345] {
            let bytes = wav_bytes(spec, Duration::from_millis(ms));
            assert_eq!(
                bytes.len() as u64,
                WAV_HEADER_LEN + spec.bytes_for(Duration::from_millis(ms))
            );
            let info = parse_wav_header(&bytes).unwrap();
            assert_eq!(info.duration_ms, ms);
        }
    }

    #[test]
    fn tone_is_deterministic_and_not_silent() {
        let a = wav_bytes(WavSpec::default(), Duration::from_millis(100));
        let b = wav_bytes(WavSpec::default(), Duration::from_millis(100));
        assert_eq!(a, b);
        assert!(a[44..].iter().any(|&x| x != 0));
    }

    #[test]
    fn chunks_concatenate_to_the_same_stream() {
        let spec = WavSpec {
            sample_rate: 8000,
            channels: 2,
            bits_per_sample: 24,
        };
        let d = Duration::from_millis(250);
        let whole: Vec<u8> = pcm_chunks(spec, 1 << 20, d).flatten().collect();
        let pieces: Vec<Vec<u8>> = pcm_chunks(spec, 7, d).collect();
        assert!(pieces[..pieces.len() - 1].iter().all(|p| p.len() == 7));
        assert_eq!(pieces.concat(), whole);
        assert_eq!(whole.len() as u64, spec.bytes_for(d));
        assert_eq!(&wav_bytes(spec, d)[44..], &whole[..]);
    }

    #[test]
    fn files_have_exact_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        for size in [0u64, 44, 45, 46, 1001, 200_000] {
            let n = generate_test_audio_file(&p, size).unwrap();
            assert_eq!(n, size.max(44));
            let bytes = std::fs::read(&p).unwrap();
            assert_eq!(bytes.len() as u64, n);
            let info = parse_wav_header(&bytes).unwrap();
            assert_eq!(info.data_len, (n - 44) & !1);
        }
        let n = write_wav_file(&p, WavSpec::default(), Duration::from_millis(700)).unwrap();
        assert_eq!(n, 44 + 22_400);
        assert_eq!(
            std::fs::read(&p).unwrap(),
            wav_bytes(WavSpec::default(), Duration::from_millis(700))
        );
    }

    #[test]
    fn parser_skips_extra_chunks_and_rejects_non_wav() {
        let mut bytes = wav_bytes(WavSpec::default(), Duration::from_millis(10));
        let list = b"LIST\x05\x00\x00\x00abcde\x00";
        bytes.splice(36..36, list.iter().copied());
        let (info, offset) = parse_wav_header_at(&bytes).unwrap();
        assert_eq!(info.duration_ms, 10);
        assert_eq!(offset, 44 + list.len() as u64);
        assert_eq!(parse_wav_header(b"ID3\x04 not a wav file at all"), None);
        assert_eq!(parse_wav_header(&bytes[..30]), None);
    }
}
