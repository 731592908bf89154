//! Fault injection: rules matched per request, counted and sampled with the seeded RNG.

use std::sync::Mutex;
use std::time::Duration;

use super::util::Rng;

/// What a fired [`Fault`] does to the request.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Wait this long, then go on (later faults are still checked; then normal handling).
    Latency(Duration),
    /// Answer `status` with the canned Soniox error body for it (429 `limit_exceeded`,
    /// 500 `internal_error`, 503 `service_unavailable`, 408 `request_timeout`, …) and the
    /// given `Retry-After` header, if any. The request is not processed.
    Status {
        /// HTTP status code.
        status: u16,
        /// Value of the `Retry-After` header (seconds or an HTTP date), if any.
        retry_after: Option<String>,
    },
    /// Process the request (so e.g. the job is created), then answer `status` with the canned
    /// error body instead of the real response.
    StatusAfterProcessing {
        /// HTTP status code.
        status: u16,
    },
    /// Close the TCP connection without any response; the request is not processed.
    DropConnection,
    /// `200` with `Content-Type: application/json` and a body that is not JSON; the request is
    /// not processed.
    MalformedBody,
    /// Process the request, then send the real response head with its full `Content-Length`
    /// but only half of the body (none of an empty body, declared as 64 bytes), and close.
    TruncatedBody,
    /// Accept the request and answer nothing for this long (capped at 10 minutes; ends early
    /// when the server shuts down), then close the connection. The request is not processed.
    Hang(Duration),
    /// Process the request, then answer its real status with a complete HTTP message whose
    /// body is the first half of the real body (`Content-Length` matches what is sent, so the
    /// HTTP exchange succeeds and only the JSON is cut).
    TruncatedJson,
    /// Process the request, then send the real response head and its body one byte every
    /// `interval` (the whole body, unless the client goes away or the server shuts down), then
    /// close. Each byte arrives well within a per-read timeout; only a whole-request limit stops it.
    TrickleBody(Duration),
    /// Process the request, then answer normally with one extra header, `x-mock-note`, whose
    /// value is not ASCII (`café ☕` in UTF-8), as a misbehaving proxy might send.
    NonAsciiHeader,
    /// Text-to-speech REST (`POST /tts`): after `bytes` bytes of audio, end the chunked body
    /// with the trailers `X-Tts-Error-Code: code` and `X-Tts-Error-Message`, as the service
    /// reports an error that comes after the audio began.
    TtsErrorAfter {
        /// Audio bytes sent before the error.
        bytes: u64,
        /// The trailer's status code.
        code: u16,
    },
    /// Realtime: after the session has sent `messages` JSON messages, close the TCP connection
    /// without a WebSocket close frame. With `0`, right after a valid start message.
    WsDropAfter {
        /// Server messages sent before the drop.
        messages: u32,
    },
    /// Realtime: wait this long before sending each server message.
    WsDelay(Duration),
    /// Realtime: after the session has sent `messages` JSON messages, send the in-band error
    /// `{"error_code": code, "error_type": error_type, ...}` and close. With `0`, right after a
    /// valid start message. The message is "Cannot continue request (code 11). Please restart
    /// the request." for 503, else the canned message of the status.
    WsErrorAfter {
        /// Server messages sent before the error.
        messages: u32,
        /// `error_code` of the error message.
        code: u16,
        /// `error_type` of the error message, e.g. `"service_unavailable"`.
        error_type: String,
    },
    /// Realtime: stop reading from the socket after the start message, so the client's writes
    /// back up. Lasts until the client disconnects (noticed by an empty WebSocket ping sent every
    /// 500 ms), the server shuts down, or 10 minutes pass.
    WsStall,
    /// Realtime: ignore the end-of-audio frame: never send `finished`, keep the connection open
    /// (reading and discarding) until the client closes, the server shuts down, or 10 minutes
    /// pass.
    WsNeverFinish,
}

impl FaultAction {
    /// Whether the action only makes sense on the realtime endpoint or on `POST /tts`
    /// (ignored on the other REST routes).
    pub(crate) fn is_realtime_only(&self) -> bool {
        matches!(
            self,
            FaultAction::TtsErrorAfter { .. }
                | FaultAction::WsDropAfter { .. }
                | FaultAction::WsDelay(_)
                | FaultAction::WsErrorAfter { .. }
                | FaultAction::WsStall
                | FaultAction::WsNeverFinish
        )
    }
}

/// A fault rule: which requests it matches, what it does, how often.
///
/// ```
/// use soniox::mock::{Fault, FaultAction};
/// // The first two POSTs to /v1/transcriptions get a 503 with Retry-After: 1.
/// let fault = Fault::new(FaultAction::Status { status: 503, retry_after: Some("1".into()) })
///     .on("POST", "/v1/transcriptions")
///     .times(2);
/// # let _ = fault;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// Method to match (case-insensitive); `None` matches any.
    pub method: Option<String>,
    /// Prefix of the request path to match; `""` matches any path.
    pub path_prefix: String,
    /// What to do.
    pub action: FaultAction,
    /// How many times it may fire; `None` = on every matching request.
    pub times: Option<u32>,
    /// Probability of firing on a matching request (`1.0` = always), drawn from the seeded RNG.
    pub rate: f64,
}

impl Fault {
    /// A fault firing on every request with probability 1.
    pub fn new(action: FaultAction) -> Fault {
        Fault {
            method: None,
            path_prefix: String::new(),
            action,
            times: None,
            rate: 1.0,
        }
    }

    /// Restricts the fault to `method` (`""` or `"*"` = any) and paths starting with `path_prefix`.
    pub fn on(mut self, method: &str, path_prefix: &str) -> Fault {
        self.method = match method {
            "" | "*" => None,
            m => Some(m.to_ascii_uppercase()),
        };
        self.path_prefix = path_prefix.to_string();
        self
    }

    /// Lets the fault fire at most `n` times.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    /// Fires on a matching request with probability `r` (clamped to `0.0..=1.0`).
    pub fn rate(mut self, r: f64) -> Fault {
        self.rate = r.clamp(0.0, 1.0);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times != Some(0)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.starts_with(&self.path_prefix)
    }
}

/// The faults chosen for one request.
#[derive(Debug, Default)]
pub(crate) struct Picked {
    /// Sum of the fired `Latency` faults.
    pub(crate) latency: Duration,
    /// The first fired non-latency fault.
    pub(crate) action: Option<FaultAction>,
    /// Number of faults fired.
    pub(crate) fired: u64,
}

/// The installed faults, in insertion order.
#[derive(Debug, Default)]
pub(crate) struct FaultList(Mutex<Vec<Fault>>);

impl FaultList {
    pub(crate) fn add(&self, f: Fault) {
        self.lock().push(f);
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Chooses the faults for a request: latencies accumulate until the first other action.
    pub(crate) fn pick(&self, method: &str, path: &str, rng: &Rng) -> Picked {
        let mut picked = Picked::default();
        let mut faults = self.lock();
        if faults.is_empty() {
            return picked;
        }
        for f in faults.iter_mut() {
            if !f.matches(method, path) || (f.rate < 1.0 && rng.next_f64() >= f.rate) {
                continue;
            }
            if let Some(n) = f.times.as_mut() {
                *n -= 1;
            }
            picked.fired += 1;
            match &f.action {
                FaultAction::Latency(d) => picked.latency += *d,
                other => {
                    picked.action = Some(other.clone());
                    break;
                }
            }
        }
        picked
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_times_and_latency() {
        let list = FaultList::default();
        let rng = Rng::new(1);
        list.add(Fault::new(FaultAction::Latency(Duration::from_millis(5))).on("get", "/v1"));
        list.add(Fault::new(FaultAction::DropConnection).on("GET", "/v1/files").times(1));
        list.add(Fault::new(FaultAction::MalformedBody).on("", "/v1/files"));
        let p = list.pick("GET", "/v1/files/x", &rng);
        assert_eq!(p.action, Some(FaultAction::DropConnection));
        assert_eq!(p.latency, Duration::from_millis(5));
        assert_eq!(p.fired, 2);
        let p = list.pick("GET", "/v1/files", &rng);
        assert_eq!(p.action, Some(FaultAction::MalformedBody));
        let p = list.pick("POST", "/v1/models", &rng);
        assert_eq!((p.action, p.fired), (None, 0));
        list.clear();
        assert_eq!(list.pick("GET", "/v1/files", &rng).fired, 0);
    }

    #[test]
    fn rate_is_sampled() {
        let list = FaultList::default();
        let rng = Rng::new(42);
        list.add(Fault::new(FaultAction::MalformedBody).rate(0.25));
        let fired: u64 = (0..4000).map(|_| list.pick("GET", "/", &rng).fired).sum();
        assert!((700..1300).contains(&fired), "{fired}");
    }
}
