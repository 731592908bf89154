//! Canned Soniox error bodies (soniox-api.md §6.1, §11).

use serde_json::{json, Value};

/// One entry of `validation_errors`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) error_type: &'static str,
    pub(crate) location: String,
    pub(crate) message: String,
}

impl FieldError {
    pub(crate) fn new(error_type: &'static str, location: &str, message: impl Into<String>) -> Self {
        FieldError {
            error_type,
            location: location.to_string(),
            message: message.into(),
        }
    }
}

/// An API error before it gets its request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
    pub(crate) validation_errors: Vec<FieldError>,
    pub(crate) retry_after: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type,
            message: message.into(),
            validation_errors: Vec::new(),
            retry_after: None,
        }
    }

    /// `400 invalid_request` listing field errors.
    pub(crate) fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = ApiError::new(400, "invalid_request", "Invalid request.");
        e.validation_errors = errors;
        e
    }

    pub(crate) fn unauthenticated() -> Self {
        ApiError::new(
            401,
            "unauthenticated",
            "Incorrect API key provided. You can get an API key at https://console.soniox.com",
        )
    }

    pub(crate) fn file_not_found() -> Self {
        ApiError::new(404, "file_not_found", "File could not be found.")
    }

    pub(crate) fn transcription_not_found() -> Self {
        ApiError::new(404, "transcription_not_found", "Transcription could not be found.")
    }

    pub(crate) fn invalid_state(message: &str) -> Self {
        ApiError::new(409, "transcription_invalid_state", message)
    }

    pub(crate) fn invalid_cursor() -> Self {
        ApiError::new(
            400,
            "invalid_cursor",
            "The cursor is invalid. Omit the cursor to start listing from the beginning.",
        )
    }

    pub(crate) fn limit_exceeded(message: &str) -> Self {
        ApiError::new(429, "limit_exceeded", message)
    }

    /// The canned error a fault answers with for `status`.
    pub(crate) fn for_status(status: u16) -> Self {
        let (error_type, message) = match status {
            400 => ("invalid_request", "Invalid request."),
            401 => return ApiError::unauthenticated(),
            402 => ("organization_balance_exhausted", "Organization balance is exhausted."),
            403 => ("permission_denied", "Permission denied."),
            404 => ("not_found", "Not found."),
            408 => ("request_timeout", "The request timed out. Please try again."),
            409 => ("transcription_invalid_state", "Invalid transcription state."),
            413 => ("max_duration_reached", "Maximum audio duration reached."),
            429 => (
                "limit_exceeded",
                "Requests per minute limit has been exceeded for your project.",
            ),
            503 => (
                "service_unavailable",
                "The service is temporarily unavailable. Please try again later.",
            ),
            _ => (
                "internal_error",
                "The server encountered an error. Please try again. If the issue persists contact support@soniox.com.",
            ),
        };
        ApiError::new(status, error_type, message)
    }

    pub(crate) fn with_retry_after(mut self, value: Option<String>) -> Self {
        self.retry_after = value;
        self
    }

    /// The text-to-speech host's body (`TTSApiError`: `error_code`, `error_message`).
    pub(crate) fn tts_body(&self, request_id: &str) -> Value {
        json!({
            "error_code": self.status,
            "error_type": self.error_type,
            "error_message": self.message,
            "request_id": request_id,
            "more_info": format!(
                "https://soniox.com/docs/api-reference/errors#{}",
                self.error_type.replace('_', "-")
            ),
        })
    }

    /// The JSON body with its request id.
    pub(crate) fn body(&self, request_id: &str) -> Value {
        let validation: Vec<Value> = self
            .validation_errors
            .iter()
            .map(|v| json!({"error_type": v.error_type, "location": v.location, "message": v.message}))
            .collect();
        json!({
            "status_code": self.status,
            "error_type": self.error_type,
            "message": self.message,
            "validation_errors": validation,
            "request_id": request_id,
            "more_info": format!(
                "https://soniox.com/docs/api-reference/errors#{}",
                self.error_type.replace('_', "-")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthenticated_body_shape() {
        let b = ApiError::unauthenticated().body("r-1");
        assert_eq!(b["status_code"], 401);
        assert_eq!(b["error_type"], "unauthenticated");
        assert_eq!(b["validation_errors"], json!([]));
        assert_eq!(b["request_id"], "r-1");
        assert_eq!(
            b["more_info"],
            "https://soniox.com/docs/api-reference/errors#unauthenticated"
        );
    }

    #[test]
    fn validation_entries() {
        let e = ApiError::validation(vec![FieldError::new("missing", "file.file", "Field required")]);
        let b = e.body("x");
        assert_eq!(b["status_code"], 400);
        assert_eq!(
            b["validation_errors"],
            json!([{"error_type": "missing", "location": "file.file", "message": "Field required"}])
        );
        assert_eq!(ApiError::for_status(503).error_type, "service_unavailable");
        assert_eq!(ApiError::for_status(500).error_type, "internal_error");
    }
}
