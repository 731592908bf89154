//! A streaming `multipart/form-data` parser: fed chunks of any size, it reports parts and
//! their content without ever holding more than a boundary's worth of content.

/// What the parser found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// A part begins.
    Part { name: String, filename: Option<String> },
    /// Content of the current part (any split).
    Data(&'a [u8]),
    /// The current part ended.
    PartEnd,
}

/// Why the body is not valid multipart.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum MultipartError {
    /// A part's header block is missing its end or is too long.
    BadHeaders,
    /// Something other than `--` or CRLF follows a boundary.
    BadDelimiter,
    /// The body ended before the closing boundary.
    Incomplete,
}

const MAX_HEADER_BLOCK: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Preamble,
    AfterDelimiter,
    Headers,
    Body,
    Done,
}

/// The parser; see the module docs.
#[derive(Debug)]
pub(crate) struct Multipart {
    /// `CRLF--boundary`.
    delim: Vec<u8>,
    state: State,
    buf: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let b = param(params, "boundary")?;
    (!b.is_empty() && b.len() <= 200).then_some(b)
}

impl Multipart {
    pub(crate) fn new(boundary: &str) -> Multipart {
        let mut delim = b"\r\n--".to_vec();
        delim.extend_from_slice(boundary.as_bytes());
        // The first boundary needs no leading CRLF: pretend there was one.
        Multipart {
            delim,
            state: State::Preamble,
            buf: b"\r\n".to_vec(),
        }
    }

    /// Feeds the next bytes of the body, reporting what they complete.
    pub(crate) fn feed(&mut self, input: &[u8], on: &mut impl FnMut(Event<'_>)) -> Result<(), MultipartError> {
        if self.state == State::Done {
            return Ok(());
        }
        self.buf.extend_from_slice(input);
        let mut pos = 0;
        loop {
            let rest = &self.buf[pos..];
            match self.state {
                State::Preamble => match find(rest, &self.delim) {
                    Some(i) => {
                        pos += i + self.delim.len();
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        pos += rest.len().saturating_sub(self.delim.len() - 1);
                        break;
                    }
                },
                State::AfterDelimiter => {
                    if rest.len() < 2 {
                        break;
                    }
                    match &rest[..2] {
                        b"--" => {
                            self.state = State::Done;
                            pos = self.buf.len();
                            break;
                        }
                        b"\r\n" => {
                            pos += 2;
                            self.state = State::Headers;
                        }
                        [b' ' | b'\t', _] => pos += 1, // transport padding
                        _ => return Err(MultipartError::BadDelimiter),
                    }
                }
                State::Headers => {
                    let (block_len, skip) = if rest.starts_with(b"\r\n") {
                        (0, 2)
                    } else if let Some(i) = find(rest, b"\r\n\r\n") {
                        (i, i + 4)
                    } else if rest.len() > MAX_HEADER_BLOCK {
                        return Err(MultipartError::BadHeaders);
                    } else {
                        break;
                    };
                    let block = String::from_utf8_lossy(&rest[..block_len]);
                    let (name, filename) = disposition(&block).ok_or(MultipartError::BadHeaders)?;
                    on(Event::Part { name, filename });
                    pos += skip;
                    self.state = State::Body;
                }
                State::Body => match find(rest, &self.delim) {
                    Some(i) => {
                        if i > 0 {
                            on(Event::Data(&rest[..i]));
                        }
                        on(Event::PartEnd);
                        pos += i + self.delim.len();
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        let safe = rest.len().saturating_sub(self.delim.len() - 1);
                        if safe > 0 {
                            on(Event::Data(&rest[..safe]));
                        }
                        pos += safe;
                        break;
                    }
                },
                State::Done => {
                    pos = self.buf.len();
                    break;
                }
            }
        }
        self.buf.drain(..pos);
        Ok(())
    }

    /// Checks that the closing boundary was seen.
    pub(crate) fn finish(&self) -> Result<(), MultipartError> {
        match self.state {
            State::Done => Ok(()),
            _ => Err(MultipartError::Incomplete),
        }
    }
}

/// `name` and `filename` from a part's `Content-Disposition: form-data` header.
fn disposition(block: &str) -> Option<(String, Option<String>)> {
    let value = block.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-disposition").then_some(v)
    })?;
    let (kind, params) = value.split_once(';').unwrap_or((value, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    Some((param(params, "name")?, param(params, "filename")))
}

/// Value of `key` in a `; a=b; c="d"` parameter list (quotes and backslash escapes removed).
fn param(params: &str, key: &str) -> Option<String> {
    let mut rest = params;
    loop {
        rest = rest.trim_start_matches([';', ' ', '\t']);
        if rest.is_empty() {
            return None;
        }
        let eq = rest.find('=')?;
        let k = rest[..eq].trim();
        rest = &rest[eq + 1..];
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => v.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => v.push(c),
                }
            }
            value = v;
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        if k.eq_ignore_ascii_case(key) {
            return Some(value);
        }
    }
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let n = needle.len();
    if n == 0 || n > hay.len() {
        return None;
    }
    let last_start = hay.len() - n;
    let mut i = 0;
    while i <= last_start {
        i += hay[i..=last_start].iter().position(|&b| b == needle[0])?;
        if &hay[i..i + n] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
#[path = "multipart_tests.rs"]
mod tests;
