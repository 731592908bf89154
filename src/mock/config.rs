//! Configuration of a [`MockServer`](super::MockServer).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::net::tls::MockTls;

/// How a mock transcription job moves through `queued → processing → completed | error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobTiming {
    /// By wall-clock time since creation: `queued` for the first `queued`, then `processing`
    /// for `processing`, then terminal.
    Elapsed {
        /// Time spent in `queued`.
        queued: Duration,
        /// Time spent in `processing`.
        processing: Duration,
    },
    /// By polling: a `GET /v1/transcriptions/{id}` answers with the current status, then
    /// counts; the status advances after `queued` such GETs, and again after `processing` more.
    /// With `Polls { queued: 0, processing: 0 }` the first GET already sees the terminal state.
    Polls {
        /// GETs answered `queued`.
        queued: u32,
        /// GETs answered `processing`.
        processing: u32,
    },
    /// Terminal (`completed` or `error`) as soon as it is created.
    Immediate,
}

impl Default for JobTiming {
    fn default() -> Self {
        JobTiming::Elapsed {
            queued: Duration::from_millis(30),
            processing: Duration::from_millis(120),
        }
    }
}

/// Settings of a mock server; build with [`MockConfig::default`] and the by-value setters.
///
/// ```
/// use soniox::mock::{JobTiming, MockConfig};
/// let config = MockConfig::default()
///     .api_key("key-1")
///     .api_key("key-2")
///     .job_timing(JobTiming::Immediate)
///     .requests_per_minute(Some(600));
/// assert_eq!(config.api_keys, ["key-1", "key-2"]);
/// ```
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Address to bind (default `127.0.0.1:0`, an ephemeral port).
    pub addr: SocketAddr,
    /// Accepted regular API keys (default `["mock-api-key"]`).
    pub api_keys: Vec<String>,
    /// Job lifecycle timing (default `Elapsed { queued: 30 ms, processing: 120 ms }`).
    pub job_timing: JobTiming,
    /// Jobs that may be pending (`queued` or `processing`) at once; creating one more answers
    /// `429 limit_exceeded` (default 100).
    pub max_pending_jobs: usize,
    /// Largest accepted upload in bytes; larger ones get `400 invalid_request` (default 1 GiB).
    pub max_upload_bytes: u64,
    /// Text-to-speech audio per character of text (default 60 ms).
    pub tts_audio_per_char: Duration,
    /// The longest text-to-speech utterance (default 2 minutes, as the service caps it).
    pub tts_max_audio: Duration,
    /// Authenticated requests allowed per minute; beyond it `429 limit_exceeded` with
    /// `Retry-After` (default `None`, unlimited).
    pub requests_per_minute: Option<u32>,
    /// Seed of the RNG behind ids, request ids, temporary keys and fault rates.
    pub seed: u64,
    /// Realtime: a session that receives neither audio nor a keepalive for this long gets
    /// `408 request_timeout` and is closed (default 20 s).
    pub ws_idle_timeout: Duration,
    /// Realtime: sessions that may be open at once; one more gets `429 limit_exceeded`
    /// (default 10).
    pub max_concurrent_streams: usize,
    /// Realtime: a bad key offered with the upgrade (`Authorization: Bearer`, or the
    /// `soniox-api-key` sub-protocol) refuses the upgrade with HTTP `401` and the API's JSON
    /// error body, so no socket opens (default `true`). With `false` the socket opens and the
    /// `401` comes in-band after the start message, then a close. soniox-api.md §8.1 leaves
    /// open which the real API does.
    pub ws_refuse_bad_header_key: bool,
    /// Keep every REST response (status, content type, body) for
    /// [`MockServer::response_log`](super::MockServer::response_log) (default `false`: the
    /// log costs memory, at most the last 10 000 responses).
    pub record_responses: bool,
    /// Serve https and wss with certificates made at start (default `None`: plain http and
    /// ws). See [`MockTls`] and [`MockServer::ca_pem`](super::MockServer::ca_pem).
    pub tls: Option<MockTls>,
    /// Whether `api_keys` still holds the built-in default (replaced by the first `api_key`).
    default_keys: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_keys: vec![DEFAULT_API_KEY.to_string()],
            job_timing: JobTiming::default(),
            max_pending_jobs: 100,
            max_upload_bytes: 1_073_741_824,
            tts_audio_per_char: Duration::from_millis(60),
            tts_max_audio: Duration::from_secs(120),
            requests_per_minute: None,
            seed: 0x5EED_50A1_0C0F_FEE5,
            ws_idle_timeout: Duration::from_secs(20),
            max_concurrent_streams: 10,
            ws_refuse_bad_header_key: true,
            record_responses: false,
            tls: None,
            default_keys: true,
        }
    }
}

/// The key a default [`MockConfig`] accepts.
pub(crate) const DEFAULT_API_KEY: &str = "mock-api-key";

impl MockConfig {
    /// Adds an accepted API key; the first call replaces the default `mock-api-key`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        if self.default_keys {
            self.api_keys.clear();
            self.default_keys = false;
        }
        self.api_keys.push(key.into());
        self
    }

    /// Sets the job lifecycle timing.
    pub fn job_timing(mut self, timing: JobTiming) -> Self {
        self.job_timing = timing;
        self
    }

    /// Sets the pending-job limit.
    pub fn max_pending_jobs(mut self, n: usize) -> Self {
        self.max_pending_jobs = n;
        self
    }

    /// Sets the upload size limit in bytes.
    pub fn max_upload_bytes(mut self, n: u64) -> Self {
        self.max_upload_bytes = n;
        self
    }

    /// How long text-to-speech audio is: `per_char` of audio for each character of text,
    /// at most `max` (defaults 60 ms and 2 minutes). A longer maximum than the service's
    /// makes large downloads for tests.
    pub fn tts_audio(mut self, per_char: Duration, max: Duration) -> Self {
        self.tts_audio_per_char = per_char;
        self.tts_max_audio = max;
        self
    }

    /// Sets (`600` or `Some(600)`) or removes (`None`) the requests-per-minute limit.
    pub fn requests_per_minute(mut self, rpm: impl Into<Option<u32>>) -> Self {
        self.requests_per_minute = rpm.into();
        self
    }

    /// Sets the RNG seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the realtime idle timeout (no audio and no keepalive for this long → `408`).
    /// Any value is safe: `Duration::MAX` (or anything past ~136 years) never fires.
    pub fn ws_idle_timeout(mut self, d: Duration) -> Self {
        self.ws_idle_timeout = d;
        self
    }

    /// Sets how many realtime sessions may be open at once (one more → `429`).
    pub fn max_concurrent_streams(mut self, n: usize) -> Self {
        self.max_concurrent_streams = n;
        self
    }

    /// Whether a bad key on the realtime upgrade is refused with HTTP `401` (`true`, the
    /// default) or reported in-band after the start message (`false`).
    pub fn ws_refuse_bad_header_key(mut self, refuse: bool) -> Self {
        self.ws_refuse_bad_header_key = refuse;
        self
    }

    /// Keeps (`true`) every REST response for
    /// [`MockServer::response_log`](super::MockServer::response_log).
    pub fn record_responses(mut self, on: bool) -> Self {
        self.record_responses = on;
        self
    }

    /// Sets the address to bind.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serves https and wss with certificates made per `tls` at start
    /// ([`MockTls::new`] for a leaf valid for `localhost` and `127.0.0.1`).
    pub fn tls(mut self, tls: MockTls) -> Self {
        self.tls = Some(tls);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_api_key_replaces_default() {
        assert_eq!(MockConfig::default().api_keys, ["mock-api-key"]);
        let c = MockConfig::default().api_key("a").api_key("b");
        assert_eq!(c.api_keys, ["a", "b"]);
        let mut c = MockConfig::default();
        c.api_keys.push("extra".into());
        assert_eq!(c.api_keys, ["mock-api-key", "extra"]);
    }
}
