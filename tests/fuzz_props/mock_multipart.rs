//! The mock's streaming multipart parser, which reads whatever a client uploads to the
//! port: for any body and any way of cutting it into reads.
//!
//! Invariants: no panic; parts begin, carry data and end in order (checked inside
//! `soniox::mock::fuzzing::multipart`); the result does not depend on how the body was cut
//! (bodies up to 16 KiB, under the header-block limit); the parts never hold more bytes
//! than the body; and a body framed by the SDK's own `core::multipart` (any fields, file
//! name and file) parses back to exactly those fields and that file, names percent-decoded,
//! unless a value or the file holds the delimiter (counting the CRLF before it).

use arbitrary::Arbitrary;
use soniox::core::multipart::Multipart;
use soniox::mock::fuzzing::{multipart, multipart_boundary};

#[derive(Arbitrary, Debug)]
enum Input {
    /// Any bytes under any boundary.
    Raw {
        boundary: String,
        body: Vec<u8>,
        cuts: Vec<u16>,
    },
    /// What the SDK sends.
    Framed {
        seed: u64,
        filename: String,
        fields: Vec<(String, String)>,
        file: Vec<u8>,
        cuts: Vec<u16>,
    },
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    match input {
        Input::Raw { boundary, body, cuts } => {
            let _ = multipart_boundary(&format!("multipart/form-data; boundary={boundary}"));
            if boundary.is_empty() {
                return; // the mock refuses an empty boundary before parsing
            }
            let _ = check(&boundary, &body, &cuts);
        }
        Input::Framed {
            seed,
            filename,
            fields,
            file,
            cuts,
        } => {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let m = Multipart::new(seed, &filename, file.len() as u64, &pairs);
            let boundary = multipart_boundary(&m.content_type()).expect("the SDK's content type has a boundary");
            let body = [m.head(), &file, m.tail()].concat();
            // Content that holds the delimiter (counting the CRLF that precedes every value)
            // ends its part early: it cannot round-trip, nor should it. Still no panic.
            let delimiter = format!("\r\n--{boundary}");
            let inside = |b: &[u8]| {
                let b = [b"\r\n".as_slice(), b].concat();
                b.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())
            };
            if fields.iter().any(|(_, v)| inside(v.as_bytes())) || inside(&file) {
                let _ = check(&boundary, &body, &cuts);
                return;
            }
            let parts = check(&boundary, &body, &cuts).expect("the SDK's framing parses");
            let mut want: Vec<(String, Option<String>, Vec<u8>)> = fields
                .iter()
                .map(|(n, v)| (n.clone(), None, v.clone().into_bytes()))
                .collect();
            want.push(("file".into(), Some(filename.clone()), file.clone()));
            let got: Vec<_> = parts
                .into_iter()
                .map(|(n, f, c)| (unquote(&n), f.as_deref().map(unquote), c))
                .collect();
            assert_eq!(got, want, "the SDK's body did not parse back to its fields and file");
        }
    }
}

/// Parses `body` cut at `cuts` and whole; both must agree (for bodies under the mock's
/// 16 KiB header-block limit, where buffering cannot change the verdict).
fn check(boundary: &str, body: &[u8], cuts: &[u16]) -> Result<Vec<soniox::mock::fuzzing::Part>, String> {
    let cuts: Vec<usize> = cuts.iter().map(|&c| usize::from(c)).collect();
    let cut = multipart(boundary, body, &cuts);
    let whole = multipart(boundary, body, &[]);
    if body.len() <= 16 * 1024 {
        assert_eq!(cut, whole, "the parse depends on how the body was cut");
    }
    if let Ok(parts) = &whole {
        let held: usize = parts
            .iter()
            .map(|(n, f, c)| n.len() + f.as_ref().map_or(0, String::len) + c.len())
            .sum();
        assert!(
            held <= body.len(),
            "the parts hold more than the body: {held} > {}",
            body.len()
        );
    }
    whole
}

/// Undoes the SDK's header-parameter escaping (`%25`, `%22`, `%5C`, `%0D`, `%0A`).
fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3);
        let c = match code {
            Some("25") => '%',
            Some("22") => '"',
            Some("5C") => '\\',
            Some("0D") => '\r',
            Some("0A") => '\n',
            _ => panic!("a stray % in an escaped parameter: {s:?}"),
        };
        out.push(c);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}
