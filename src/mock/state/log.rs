//! Bounded logs of what a mock server saw: the requests it answered (timestamped, in arrival
//! order) and, when [`MockConfig::record_responses`](crate::mock::MockConfig::record_responses) is on,
//! the REST responses it wrote.

use std::sync::Mutex;
use std::time::Instant;

use crate::mock::faults::FaultAction;

/// Entries kept; older ones are dropped first.
const MAX_ENTRIES: usize = 100_000;

/// One request as the mock saw it (see [`MockServer::request_log`](crate::mock::MockServer::request_log)).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    /// When the mock decided how to answer it: after any `Latency` fault, before the handler
    /// ran (for a refused request, just before the refusal was written).
    pub at: Instant,
    /// The method, e.g. `"GET"` (a realtime upgrade is `"GET"`).
    pub method: String,
    /// The request path, e.g. `"/v1/models"`.
    pub path: String,
    /// The `Host` header as the client sent it, e.g. `"127.0.0.1:PORT"` (`None` if absent).
    pub host: Option<String>,
    /// The non-latency fault applied to it, if any.
    pub fault: Option<FaultAction>,
}

/// The live log behind [`RequestRecord`]s.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(Mutex<std::collections::VecDeque<RequestRecord>>);

impl RequestLog {
    pub(crate) fn record(&self, method: &str, path: &str, host: Option<&str>, fault: Option<&FaultAction>) {
        let record = RequestRecord {
            at: Instant::now(),
            method: method.to_owned(),
            path: path.to_owned(),
            host: host.map(str::to_owned),
            fault: fault.cloned(),
        };
        let mut log = self.lock();
        if log.len() == MAX_ENTRIES {
            log.pop_front();
        }
        log.push_back(record);
    }

    pub(crate) fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<RequestRecord>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Responses kept; older ones are dropped first.
const MAX_RESPONSES: usize = 10_000;

/// One REST response as the mock wrote it (see
/// [`MockServer::response_log`](crate::mock::MockServer::response_log)).
///
/// Recorded for every answer with a complete body, faults included (an injected 503, a
/// `MalformedBody`); not for answers that are cut, trickled or never written (a dropped
/// connection, `TruncatedBody`, `TruncatedJson`, `TrickleBody`, `NonAsciiHeader`), nor for
/// realtime upgrades.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseRecord {
    /// The request's method, e.g. `"GET"`.
    pub method: String,
    /// The request's path, e.g. `"/v1/files/{id}"` with the real id.
    pub path: String,
    /// The status code written.
    pub status: u16,
    /// The `Content-Type` written, if any.
    pub content_type: Option<String>,
    /// The body written (empty for `204`).
    pub body: Vec<u8>,
}

/// The live log behind [`ResponseRecord`]s.
#[derive(Debug, Default)]
pub(crate) struct ResponseLog(Mutex<std::collections::VecDeque<ResponseRecord>>);

impl ResponseLog {
    pub(crate) fn record(&self, record: ResponseRecord) {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == MAX_RESPONSES {
            log.pop_front();
        }
        log.push_back(record);
    }

    pub(crate) fn snapshot(&self) -> Vec<ResponseRecord> {
        let log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order_with_their_fault() {
        let log = RequestLog::default();
        log.record("GET", "/v1/models", Some("127.0.0.1:1"), None);
        log.record("POST", "/v1/files", None, Some(&FaultAction::DropConnection));
        let s = log.snapshot();
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].method.as_str(), s[0].path.as_str(), &s[0].fault),
            ("GET", "/v1/models", &None)
        );
        assert_eq!(s[1].fault, Some(FaultAction::DropConnection));
        assert!(s[0].at <= s[1].at);
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
