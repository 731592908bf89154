//! Which audio container an upload holds, from its first bytes (its magic number).
//!
//! The API decodes what it is given and ends a job on anything else in `error`
//! (`invalid_audio_file`), whatever the file is called. The mock decides the same way from the
//! content: a RIFF/WAVE header or another known container's signature is audio; text, zeros or
//! random bytes are not. It does not decode further, so a truncated file with a valid header
//! still counts as audio.

/// The container `head` (the file's first bytes) starts with, if any: `wav`, `aiff`, `flac`,
/// `ogg`, `mp3` (MPEG audio, layers II and III), `aac` (ADTS), `mp4` (also m4a), `webm` (Matroska),
/// `asf`, `amr` or `caf`. RF64/BW64 count as `wav`.
pub(crate) fn container(head: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if (at(0, b"RIFF") || at(0, b"RF64") || at(0, b"BW64")) && at(8, b"WAVE") {
        Some("wav")
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        Some("aiff")
    } else if at(0, b"fLaC") {
        Some("flac")
    } else if at(0, b"OggS") {
        Some("ogg")
    } else if at(0, b"ID3") || mpeg_audio(head) {
        Some("mp3")
    } else if adts(head) {
        Some("aac")
    } else if at(4, b"ftyp") {
        Some("mp4")
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("webm")
    } else if at(0, &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) {
        Some("asf")
    } else if at(0, b"#!AMR") {
        Some("amr")
    } else if at(0, b"caff") {
        Some("caf")
    } else {
        None
    }
}

/// An MPEG audio frame header: the 11-bit sync and layer II (`10`) or III (`01`). Layer I
/// (`11`) is left out: `FF FE` is also the byte-order mark of UTF-16 text.
fn mpeg_audio(head: &[u8]) -> bool {
    matches!(head, [0xFF, b, ..] if b & 0xE0 == 0xE0 && matches!((b >> 1) & 0b11, 0b01 | 0b10))
}

/// An ADTS (AAC) frame header: the 12-bit sync and layer `00`.
fn adts(head: &[u8]) -> bool {
    matches!(head, [0xFF, b, ..] if b & 0xF6 == 0xF0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_containers_by_their_magic() {
        let wav = crate::audio::wav_bytes(crate::audio::WavSpec::default(), std::time::Duration::from_millis(10));
        let cases: [(&[u8], Option<&str>); 19] = [
            (b"RF64\xff\xff\xff\xffWAVEds64", Some("wav")),
            (b"caff\0\x01\0\0", Some("caf")),
            (&[0xFF, 0xFD, 0x90, 0x64], Some("mp3")),
            // An 11-bit sync with layer 00 but not the 12-bit ADTS sync: neither.
            (&[0xFF, 0xE1, 0x50, 0x80], None),
            // UTF-16 text behind its byte-order mark (an MPEG layer I header's shape).
            (&[0xFF, 0xFE, b'h', 0], None),
            (&wav, Some("wav")),
            (b"FORM\0\0\0\x10AIFFCOMM", Some("aiff")),
            (b"fLaC\0\0\0\x22", Some("flac")),
            (b"OggS\0\x02", Some("ogg")),
            (b"ID3\x04\0\0", Some("mp3")),
            (&[0xFF, 0xFB, 0x90, 0x64], Some("mp3")),
            (&[0xFF, 0xF1, 0x50, 0x80], Some("aac")),
            (b"\0\0\0\x20ftypM4A ", Some("mp4")),
            (&[0x1A, 0x45, 0xDF, 0xA3, 0x9F], Some("webm")),
            (&[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6], Some("asf")),
            (b"#!AMR\n", Some("amr")),
            (b"This is a text file, not a WAV.", None),
            (b"RIFF\0\0\0\0AVI LIST", None),
            (&[0u8; 64], None),
        ];
        for (head, want) in cases {
            assert_eq!(container(head), want, "{:?}", &head[..head.len().min(12)]);
        }
        assert_eq!(container(b""), None);
        assert_eq!(container(b"RIF"), None);
        assert_eq!(container(&[0xFF]), None);
    }
}
