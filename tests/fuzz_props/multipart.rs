//! Multipart framing: for any fields, file name, declared length, file content and
//! read sizes, the bytes produced equal `content_length()` exactly.
//!
//! Invariants: no panic; with a file at least as long as declared, the body is
//! `head ++ file[..len] ++ tail` and its length is `content_length()`; with a shorter
//! file the read fails with `UnexpectedEof` and never produces more than
//! `content_length()` bytes; the boundary line never appears inside a field value
//! the caller could not control (names are escaped: no CR/LF/quote breaks a header).

use std::io::{ErrorKind, Read};

use arbitrary::Arbitrary;
use soniox::core::multipart::{Multipart, MultipartReader};

#[derive(Arbitrary, Debug)]
struct Input {
    seed: u64,
    filename: String,
    fields: Vec<(String, String)>,
    declared: u16,
    file: Vec<u8>,
    /// Read buffer sizes, cycled (0 included: a zero-length read must return 0).
    chunks: Vec<u8>,
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    let fields: Vec<(&str, &str)> = input.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let declared = u64::from(input.declared);
    let m = Multipart::new(input.seed, &input.filename, declared, &fields);
    assert_eq!(m.file_len(), declared);
    assert_eq!(
        m.content_length(),
        (m.head().len() + m.tail().len()) as u64 + declared,
        "content_length is not head + file + tail"
    );
    let content_type = m.content_type();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart content type");
    // The head is exactly the documented framing, and every name decodes back to itself.
    let mut rest = m.head();
    for (name, value) in &fields {
        rest = expect(
            rest,
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"").as_bytes(),
        );
        rest = quoted(rest, name);
        rest = expect(rest, b"\"\r\n\r\n");
        rest = expect(rest, value.as_bytes());
        rest = expect(rest, b"\r\n");
    }
    rest = expect(
        rest,
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").as_bytes(),
    );
    rest = quoted(rest, &input.filename);
    rest = expect(rest, b"\"\r\nContent-Type: ");
    assert!(rest.ends_with(b"\r\n\r\n") && !rest[..rest.len() - 4].contains(&b'\n'));
    assert!(m.tail().ends_with(format!("--{boundary}--\r\n").as_bytes()));

    let mut reader = MultipartReader::new(&m, &input.file[..]);
    let mut body = Vec::new();
    let sizes: Vec<usize> = if input.chunks.is_empty() {
        vec![4096]
    } else {
        input.chunks.iter().map(|&c| usize::from(c)).collect()
    };
    let mut buf = vec![0u8; 4096];
    if sizes.iter().all(|&s| s == 0) {
        assert_eq!(reader.read(&mut buf[..0]).ok(), Some(0), "a zero-length read returns 0");
        return;
    }
    let mut result = Ok(());
    for size in sizes.iter().cycle() {
        match reader.read(&mut buf[..*size]) {
            Ok(0) if *size == 0 => {}
            Ok(0) => break,
            Ok(n) => {
                assert!(n <= *size);
                body.extend_from_slice(&buf[..n]);
                assert!(body.len() as u64 <= m.content_length(), "read past content_length");
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let short = (input.file.len() as u64) < declared;
    match result {
        Ok(()) => {
            assert!(!short, "a short file was not reported");
            assert_eq!(
                body.len() as u64,
                m.content_length(),
                "bytes produced != content_length"
            );
            let h = m.head().len();
            let d = declared as usize;
            assert_eq!(&body[..h], m.head());
            assert_eq!(&body[h..h + d], &input.file[..d]);
            assert_eq!(&body[h + d..], m.tail());
            assert_eq!(reader.file_bytes_read(), declared);
        }
        Err(e) => {
            assert!(short, "a read error with a long enough file: {e}");
            assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
            assert_eq!(
                body.len(),
                m.head().len() + input.file.len(),
                "bytes before the short-file error"
            );
        }
    }
}

/// `rest` minus the expected prefix.
fn expect<'a>(rest: &'a [u8], prefix: &[u8]) -> &'a [u8] {
    assert!(
        rest.starts_with(prefix),
        "expected {:?} at {:?}",
        String::from_utf8_lossy(prefix),
        String::from_utf8_lossy(&rest[..rest.len().min(prefix.len() + 16)])
    );
    &rest[prefix.len()..]
}

/// Reads an escaped header parameter up to its closing quote and checks that it
/// decodes to `original` (`%XX` escapes only; no raw CR, LF or quote inside).
fn quoted<'a>(rest: &'a [u8], original: &str) -> &'a [u8] {
    let end = rest.iter().position(|&b| b == b'"').expect("a closing quote");
    let escaped = &rest[..end];
    assert!(!escaped.contains(&b'\r') && !escaped.contains(&b'\n') && !escaped.contains(&b'\\'));
    let mut decoded = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        if escaped[i] == b'%' {
            let hex = std::str::from_utf8(&escaped[i + 1..i + 3]).expect("two hex digits");
            decoded.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
            i += 3;
        } else {
            decoded.push(escaped[i]);
            i += 1;
        }
    }
    assert_eq!(
        decoded,
        original.as_bytes(),
        "the escaped name does not decode to itself"
    );
    &rest[end..]
}
