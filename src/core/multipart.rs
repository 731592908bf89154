//! `multipart/form-data` framing with an exactly computed length.
//!
//! The file is never held in memory: [`Multipart`] holds only the bytes before the file
//! ([`head`](Multipart::head)) and after it ([`tail`](Multipart::tail)); the driver
//! streams `head`, then exactly `file_len` bytes of the file, then `tail`, and sends
//! `Content-Length: content_length()`. [`MultipartReader`] does that for any
//! [`std::io::Read`] and fails loudly if the file is shorter than declared (a short
//! body would otherwise leave the server waiting).
//!
//! ```
//! use std::io::Read;
//! use soniox::core::multipart::{Multipart, MultipartReader};
//! let m = Multipart::new(1, "a.wav", 3, &[("client_reference_id", "x")]);
//! let mut body = Vec::new();
//! MultipartReader::new(&m, &b"abc"[..]).read_to_end(&mut body).unwrap();
//! assert_eq!(body.len() as u64, m.content_length());
//! ```

use std::io::{self, Read};

/// The framing of one upload: text fields first, then the `file` part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multipart {
    boundary: String,
    head: Vec<u8>,
    tail: Vec<u8>,
    file_len: u64,
}

impl Multipart {
    /// Frames a file of `file_len` bytes named `filename`, with extra text `fields`.
    /// `boundary_seed` makes the boundary unique per request.
    pub fn new(boundary_seed: u64, filename: &str, file_len: u64, fields: &[(&str, &str)]) -> Multipart {
        let boundary = format!("----soniox-rust-{boundary_seed:016x}");
        let mut head = Vec::with_capacity(256);
        for (name, value) in fields {
            head.extend_from_slice(b"--");
            head.extend_from_slice(boundary.as_bytes());
            head.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            head.extend_from_slice(quote(name).as_bytes());
            head.extend_from_slice(b"\"\r\n\r\n");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"--");
        head.extend_from_slice(boundary.as_bytes());
        head.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
        head.extend_from_slice(quote(filename).as_bytes());
        head.extend_from_slice(b"\"\r\nContent-Type: ");
        head.extend_from_slice(content_type_for(filename).as_bytes());
        head.extend_from_slice(b"\r\n\r\n");
        let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
        Multipart {
            boundary,
            head,
            tail,
            file_len,
        }
    }

    /// `multipart/form-data; boundary=...`
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }
    /// The exact body length: head + file + tail.
    pub fn content_length(&self) -> u64 {
        self.head.len() as u64 + self.file_len + self.tail.len() as u64
    }
    /// Bytes before the file content.
    pub fn head(&self) -> &[u8] {
        &self.head
    }
    /// Bytes after the file content.
    pub fn tail(&self) -> &[u8] {
        &self.tail
    }
    /// The file length declared at construction.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }
}

/// Escapes a header parameter value: `"`, `\`, CR and LF are percent-encoded.
fn quote(s: &str) -> String {
    s.replace('%', "%25")
        .replace('"', "%22")
        .replace('\\', "%5C")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A content type from the file extension (the service sniffs the audio anyway).
pub fn content_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "ogg" | "opus" => "audio/ogg",
        "webm" => "audio/webm",
        "m4a" | "mp4" => "audio/mp4",
        "aac" => "audio/aac",
        "aiff" | "aif" => "audio/aiff",
        "amr" => "audio/amr",
        _ => "application/octet-stream",
    }
}

/// Reads `head`, then exactly `file_len` bytes of `file`, then `tail`.
///
/// If `file` ends early, the read fails with [`io::ErrorKind::UnexpectedEof`]; bytes
/// beyond `file_len` are never read, so the body always matches `content_length()`.
#[derive(Debug)]
pub struct MultipartReader<'m, R> {
    m: &'m Multipart,
    file: R,
    stage: Stage,
    pos: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Head,
    File,
    Tail,
    Done,
}

impl<'m, R: Read> MultipartReader<'m, R> {
    /// Wraps the framing and the file source.
    pub fn new(m: &'m Multipart, file: R) -> Self {
        MultipartReader {
            m,
            file,
            stage: Stage::Head,
            pos: 0,
        }
    }
    /// The declared file length.
    pub fn file_len(&self) -> u64 {
        self.m.file_len
    }
    /// File bytes sent so far.
    pub fn file_bytes_read(&self) -> u64 {
        match self.stage {
            Stage::Head => 0,
            Stage::File => self.pos,
            Stage::Tail | Stage::Done => self.m.file_len,
        }
    }

    fn copy_static(&mut self, src: &[u8], buf: &mut [u8], next: Stage) -> usize {
        let start = self.pos as usize;
        let n = (src.len() - start).min(buf.len());
        buf[..n].copy_from_slice(&src[start..start + n]);
        self.pos += n as u64;
        if self.pos as usize == src.len() {
            self.stage = next;
            self.pos = 0;
        }
        n
    }
}

impl<R: Read> Read for MultipartReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if buf.is_empty() {
                return Ok(0);
            }
            match self.stage {
                Stage::Head => {
                    let n = self.copy_static(self.m.head(), buf, Stage::File);
                    if n > 0 {
                        return Ok(n);
                    }
                }
                Stage::File => {
                    let left = self.m.file_len - self.pos;
                    if left == 0 {
                        self.stage = Stage::Tail;
                        self.pos = 0;
                        continue;
                    }
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = self.file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "the file ended after {} of {} bytes (did it change during the upload?)",
                                self.pos, self.m.file_len
                            ),
                        ));
                    }
                    self.pos += n as u64;
                    return Ok(n);
                }
                Stage::Tail => {
                    let n = self.copy_static(self.m.tail(), buf, Stage::Done);
                    if n > 0 {
                        return Ok(n);
                    }
                }
                Stage::Done => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(m: &Multipart, file: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        let mut r = MultipartReader::new(m, file);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn length_is_exact_for_any_read_size_and_fields() {
        for fields in [&[][..], &[("client_reference_id", "ref-1")][..]] {
            for len in [0usize, 1, 7, 4096, 70_000] {
                let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let m = Multipart::new(42, "a b\".wav", len as u64, fields);
                for chunk in [1, 3, 8192] {
                    let b = body(&m, &data, chunk).unwrap();
                    assert_eq!(b.len() as u64, m.content_length());
                    assert_eq!(&b[m.head().len()..m.head().len() + len], &data[..]);
                }
            }
        }
    }

    #[test]
    fn the_framing_is_well_formed() {
        let m = Multipart::new(1, "x.wav", 2, &[("client_reference_id", "r")]);
        let b = String::from_utf8(body(&m, b"hi", 64).unwrap()).unwrap();
        let boundary = m.content_type().split_once("boundary=").unwrap().1.to_owned();
        assert_eq!(
            b,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"client_reference_id\"\r\n\r\nr\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.wav\"\r\nContent-Type: audio/wav\r\n\r\nhi\r\n--{boundary}--\r\n"
            )
        );
    }

    #[test]
    fn a_short_file_is_an_error_and_a_long_one_is_cut_at_the_declared_length() {
        let m = Multipart::new(1, "x", 10, &[]);
        assert_eq!(body(&m, b"short", 64).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        let b = body(&m, b"0123456789EXTRA", 64).unwrap();
        assert_eq!(b.len() as u64, m.content_length());
    }

    #[test]
    fn quotes_and_newlines_cannot_break_the_header() {
        assert_eq!(quote("a\"b\r\nc"), "a%22b%0D%0Ac");
    }
}
