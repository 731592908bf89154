//! JSON request bodies and pydantic-style field validation (soniox-api.md §6.1).

use futures_lite::io::AsyncReadExt;
use serde_json::{Map, Value};

use super::errors::{ApiError, FieldError};
use super::handlers::Ctx;
use crate::mock::state::stats::Stats;

/// Largest JSON body accepted.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// Reads the request body (counting it) and parses it as a JSON object.
pub(crate) async fn read_json_object(cx: &mut Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
    let mut body = cx.request.take_body();
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = body
            .read(&mut chunk)
            .await
            .map_err(|_| ApiError::new(400, "invalid_request", "Could not read the request body."))?;
        if n == 0 {
            break;
        }
        Stats::add(&cx.shared.stats.request_body_bytes, n as u64);
        if bytes.len() + n > MAX_JSON_BODY {
            return Err(ApiError::new(400, "invalid_request", "Request body is too large."));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation(vec![FieldError::new(
            "model_attributes_type",
            "body.payload",
            "Input should be a valid dictionary or object to extract fields from",
        )])),
        Err(_) => Err(ApiError::validation(vec![FieldError::new(
            "json_invalid",
            "body",
            "JSON decode error",
        )])),
    }
}

/// Field checks over a JSON object; collects every error like pydantic does.
#[derive(Debug)]
pub(crate) struct Fields<'m> {
    map: &'m Map<String, Value>,
    /// Location prefix, e.g. `body.payload` or `body.payload.translation`.
    prefix: String,
    errors: Vec<FieldError>,
}

impl<'m> Fields<'m> {
    pub(crate) fn new(map: &'m Map<String, Value>) -> Self {
        Fields {
            map,
            prefix: "body.payload".to_string(),
            errors: Vec::new(),
        }
    }

    /// Checks for the object at `key` of this one; merge back with [`Fields::absorb`].
    pub(crate) fn nested(&self, key: &str, map: &'m Map<String, Value>) -> Fields<'m> {
        Fields {
            map,
            prefix: format!("{}.{key}", self.prefix),
            errors: Vec::new(),
        }
    }

    /// Takes over the errors of a nested check.
    pub(crate) fn absorb(&mut self, nested: Fields<'_>) {
        self.errors.extend(nested.errors);
    }

    /// Records an error at `<prefix>.<key>` (or `<prefix>` for an empty key).
    pub(crate) fn error(&mut self, error_type: &'static str, key: &str, message: impl Into<String>) {
        let location = if key.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}.{key}", self.prefix)
        };
        self.errors.push(FieldError::new(error_type, &location, message));
    }

    /// The value of `key` unless absent or `null`.
    pub(crate) fn value(&self, key: &str) -> Option<&'m Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn missing(&mut self, key: &str, required: bool) {
        if required {
            self.error("missing", key, "Field required");
        }
    }

    /// A string of at most `max` characters.
    pub(crate) fn string(&mut self, key: &str, required: bool, max: usize) -> Option<&'m str> {
        let Some(v) = self.value(key) else {
            self.missing(key, required);
            return None;
        };
        let Some(s) = v.as_str() else {
            self.error("string_type", key, "Input should be a valid string");
            return None;
        };
        if s.chars().count() > max {
            self.error(
                "string_too_long",
                key,
                format!("String should have at most {max} characters"),
            );
            return None;
        }
        Some(s)
    }

    /// An optional `http(s)://` URL of at most `max` characters (pattern `^https?://[^\s]+$`).
    pub(crate) fn url(&mut self, key: &str, max: usize) -> Option<&'m str> {
        let s = self.string(key, false, max)?;
        let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
        match rest {
            Some(r) if !r.is_empty() && !r.chars().any(char::is_whitespace) => Some(s),
            _ => {
                self.error(
                    "string_pattern_mismatch",
                    key,
                    "String should match pattern '^https?://[^\\s]+$'",
                );
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn boolean(&mut self, key: &str) -> Option<bool> {
        let v = self.value(key)?;
        if v.is_boolean() {
            v.as_bool()
        } else {
            self.error("bool_type", key, "Input should be a valid boolean");
            None
        }
    }

    /// An integer in `min..=max`.
    pub(crate) fn int(&mut self, key: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let Some(v) = self.value(key) else {
            self.missing(key, required);
            return None;
        };
        let n = match lax_int(v) {
            Ok(n) => n,
            Err((error_type, message)) => {
                self.error(error_type, key, message);
                return None;
            }
        };
        if n < min {
            self.error(
                "greater_than_equal",
                key,
                format!("Input should be greater than or equal to {min}"),
            );
            None
        } else if n > max {
            self.error(
                "less_than_equal",
                key,
                format!("Input should be less than or equal to {max}"),
            );
            None
        } else {
            Some(n)
        }
    }

    /// `Ok` when no error was recorded, else `400 invalid_request` listing them.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// An integer field's value as the API's validation (pydantic, lax mode) reads it: an
/// integer, a float without a fractional part (`189.0`), or a string holding one (`"189"`,
/// `" 189 "`, `"189.00"`). Beyond the `i64` range it saturates, so the field's range check
/// refuses it as pydantic's does. Anything else is the pydantic error type and message for it.
pub(crate) fn lax_int(v: &Value) -> Result<i64, (&'static str, &'static str)> {
    const FRACTION: (&str, &str) = (
        "int_from_float",
        "Input should be a valid integer, got a number with a fractional part",
    );
    const PARSING: (&str, &str) = (
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
    );
    let saturate = |negative: bool| if negative { i64::MIN } else { i64::MAX };
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Ok(i);
            }
            if n.is_u64() {
                return Ok(i64::MAX);
            }
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() || f.fract() != 0.0 {
                Err(FRACTION)
            } else if f < i64::MIN as f64 || f >= i64::MAX as f64 {
                Ok(saturate(f < 0.0))
            } else {
                Ok(f as i64)
            }
        }
        Value::String(s) => {
            let s = s.trim();
            // "189.0" and "189.00" are 189; "189.5" is not an integer.
            let digits = match s.split_once('.') {
                Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => whole,
                Some(_) => return Err(PARSING),
                None => s,
            };
            let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PARSING);
            }
            Ok(digits
                .parse::<i64>()
                .unwrap_or_else(|_| saturate(digits.starts_with('-'))))
        }
        _ => Err(("int_type", "Input should be a valid integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_errors() {
        let v = json!({"a": 5, "b": "x".repeat(11), "u": "ftp://x", "n": 0, "t": true});
        let map = v.as_object().unwrap();
        let mut f = Fields::new(map);
        assert_eq!(f.string("a", true, 10), None);
        assert_eq!(f.string("b", true, 10), None);
        assert_eq!(f.string("missing", true, 10), None);
        assert_eq!(f.url("u", 100), None);
        assert_eq!(f.int("n", true, 1, 3600), None);
        assert_eq!(f.boolean("t"), Some(true));
        let e = f.finish().unwrap_err();
        let types: Vec<_> = e.validation_errors.iter().map(|e| e.error_type).collect();
        assert_eq!(
            types,
            [
                "string_type",
                "string_too_long",
                "missing",
                "string_pattern_mismatch",
                "greater_than_equal"
            ]
        );
        assert_eq!(e.validation_errors[2].location, "body.payload.missing");
    }

    #[test]
    fn integers_are_read_leniently_like_pydantic() {
        let ok = [
            (json!(189), 189),
            (json!(189.0), 189),
            (json!(-0.0), 0),
            (json!("189"), 189),
            (json!(" 189 "), 189),
            (json!("189.00"), 189),
            (json!("-3"), -3),
            (json!(-3.0), -3),
            (json!(1e3), 1000),
            // Out of range saturates: the field's range check refuses it.
            (json!(u64::MAX), i64::MAX),
            (json!(1e300), i64::MAX),
            (json!(-1e300), i64::MIN),
            (json!("99999999999999999999"), i64::MAX),
        ];
        for (v, n) in ok {
            assert_eq!(lax_int(&v), Ok(n), "{v}");
        }
        let kind = |v: Value| lax_int(&v).unwrap_err().0;
        assert_eq!(kind(json!(189.5)), "int_from_float");
        for bad in ["189.5", "x", "", "1e3", "12a", "-", "."] {
            assert_eq!(kind(json!(bad)), "int_parsing", "{bad:?}");
        }
        assert_eq!(kind(json!(true)), "int_type");
        assert_eq!(kind(json!(null)), "int_type");
        assert_eq!(kind(json!([1])), "int_type");
        let map = json!({"n": 60.0, "m": 3600.5});
        let mut f = Fields::new(map.as_object().unwrap());
        assert_eq!(f.int("n", true, 1, 3600), Some(60));
        assert_eq!(f.int("m", true, 1, 3600), None);
        assert_eq!(
            f.finish().unwrap_err().validation_errors[0].error_type,
            "int_from_float"
        );
    }
}
