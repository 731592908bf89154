use super::*;

/// `(name, filename, content)` of a part.
type Part = (String, Option<String>, Vec<u8>);

/// Parses `body` fed in pieces of `step` bytes.
fn parse(body: &[u8], boundary: &str, step: usize) -> Result<Vec<Part>, MultipartError> {
    let mut p = Multipart::new(boundary);
    let mut parts: Vec<Part> = Vec::new();
    let mut ended = 0;
    for chunk in body.chunks(step.max(1)) {
        p.feed(chunk, &mut |e| match e {
            Event::Part { name, filename } => parts.push((name, filename, Vec::new())),
            Event::Data(d) => parts.last_mut().unwrap().2.extend_from_slice(d),
            Event::PartEnd => ended += 1,
        })?;
    }
    p.finish()?;
    assert_eq!(ended, parts.len());
    Ok(parts)
}

fn body(boundary: &str, content: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"client_reference_id\"\r\n\r\nref-1\r\n")
            .as_bytes(),
    );
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".wav\"\r\nContent-Type: audio/wav\r\n\r\n").as_bytes());
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

#[test]
fn every_split_gives_the_same_parts() {
    let boundary = "XyZ-boundary-123";
    // Content full of near-boundaries and CRLFs.
    let mut content = Vec::new();
    for i in 0..50u8 {
        content.extend_from_slice(b"\r\n--XyZ-boundary-12");
        content.push(i);
        content.extend_from_slice(b"\r\r\n-");
    }
    let b = body(boundary, &content);
    for step in [1, 2, 3, 5, 17, 18, 19, 64, 1000, b.len()] {
        let parts = parse(&b, boundary, step).unwrap();
        assert_eq!(parts.len(), 2, "step {step}");
        assert_eq!(parts[0], ("client_reference_id".to_string(), None, b"ref-1".to_vec()));
        assert_eq!(parts[1].0, "file");
        assert_eq!(parts[1].1.as_deref(), Some("a \"b\".wav"));
        assert_eq!(parts[1].2, content, "step {step}");
    }
}

#[test]
fn empty_content_and_preamble() {
    let mut b = b"preamble text\r\n".to_vec();
    b.extend_from_slice(&body("b", b""));
    let parts = parse(&b, "b", 4).unwrap();
    assert_eq!(parts[1].2, b"");
}

#[test]
fn errors() {
    let b = body("b", b"abc");
    assert_eq!(parse(&b[..b.len() - 6], "b", 7), Err(MultipartError::Incomplete));
    assert_eq!(parse(b"--bXX", "b", 7), Err(MultipartError::BadDelimiter));
    assert_eq!(
        parse(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b", 7),
        Err(MultipartError::BadHeaders)
    );
}

#[test]
fn boundary_from_content_type() {
    assert_eq!(boundary("multipart/form-data; boundary=abc").as_deref(), Some("abc"));
    assert_eq!(
        boundary("Multipart/Form-Data; charset=x; boundary=\"a b\"").as_deref(),
        Some("a b")
    );
    assert_eq!(boundary("application/json"), None);
    assert_eq!(boundary("multipart/form-data"), None);
}
