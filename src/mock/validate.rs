//! JSON request bodies and pydantic-style field validation (soniox-api.md §6.1).

use futures_lite::io::AsyncReadExt;
use serde_json::{Map, Value};

use super::errors::{ApiError, FieldError};
use super::router::Ctx;
use super::stats::Stats;

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
        let Some(n) = v.as_i64() else {
            self.error("int_type", key, "Input should be a valid integer");
            return None;
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
}
