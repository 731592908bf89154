//! `limit` / `cursor` query parameters and opaque cursors (soniox-api.md §2).

use super::errors::{ApiError, FieldError};
use crate::mock::util::mix;

const MASK: u64 = 0x50_4E1C_0C5E_ED00;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) from: u64,
    pub(crate) limit: usize,
}

/// An opaque cursor for sequence number `seq`: 20 hex digits, position plus a check.
pub(crate) fn encode_cursor(seq: u64) -> String {
    format!("{:016x}{:04x}", seq ^ MASK, mix(seq) & 0xFFFF)
}

fn decode_cursor(c: &str) -> Option<u64> {
    if c.len() != 20 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let seq = u64::from_str_radix(&c[..16], 16).ok()? ^ MASK;
    let check = u64::from_str_radix(&c[16..], 16).ok()?;
    (mix(seq) & 0xFFFF == check).then_some(seq)
}

/// Reads `limit` (1–1000, default 1000) and `cursor` from the query pairs.
pub(crate) fn page_request<'a>(
    query: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Result<PageRequest, ApiError> {
    page_request_within(query, 1000, 1000)
}

/// [`page_request`] for an endpoint whose `limit` defaults to `default` and goes up to `max`.
pub(crate) fn page_request_within<'a>(
    query: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    default: usize,
    max: i64,
) -> Result<PageRequest, ApiError> {
    let mut req = PageRequest {
        from: 0,
        limit: default,
    };
    let mut cursor = None;
    for (k, v) in query {
        match &*k {
            "limit" => {
                let err = |t, m: &str| ApiError::validation(vec![FieldError::new(t, "query.limit", m)]);
                let n: i64 = v.trim().parse().map_err(|_| {
                    err(
                        "int_parsing",
                        "Input should be a valid integer, unable to parse string as an integer",
                    )
                })?;
                if n < 1 {
                    return Err(err("greater_than_equal", "Input should be greater than or equal to 1"));
                }
                if n > max {
                    return Err(err(
                        "less_than_equal",
                        &format!("Input should be less than or equal to {max}"),
                    ));
                }
                req.limit = n as usize;
            }
            "cursor" => cursor = Some(v.into_owned()),
            _ => {}
        }
    }
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        req.from = decode_cursor(&c).ok_or_else(ApiError::invalid_cursor)?;
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn q(pairs: &[(&'static str, &'static str)]) -> Result<PageRequest, ApiError> {
        page_request(pairs.iter().map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v))))
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for seq in [0, 1, 10, 123_456, u64::MAX] {
            assert_eq!(decode_cursor(&encode_cursor(seq)), Some(seq));
        }
        assert_eq!(decode_cursor("garbage"), None);
        let mut c = encode_cursor(10);
        c.replace_range(19..20, if c.ends_with('0') { "1" } else { "0" });
        assert_eq!(decode_cursor(&c), None);
        assert_eq!(q(&[("cursor", "nope")]).unwrap_err().error_type, "invalid_cursor");
    }

    #[test]
    fn limits() {
        assert_eq!(q(&[]).unwrap(), PageRequest { from: 0, limit: 1000 });
        assert_eq!(q(&[("limit", "10")]).unwrap().limit, 10);
        for bad in ["0", "1001", "-5", "ten"] {
            let e = q(&[("limit", bad)]).unwrap_err();
            assert_eq!(e.status, 400);
            assert_eq!(e.validation_errors[0].location, "query.limit");
        }
        let c = encode_cursor(7);
        let r = q(&[("limit", "3"), ("cursor", Box::leak(c.into_boxed_str()))]).unwrap();
        assert_eq!(r, PageRequest { from: 7, limit: 3 });
    }
}
