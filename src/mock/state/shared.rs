//! State shared by the accept loop, every connection and the [`MockServer`](crate::mock::MockServer) handle.

use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_std::channel::Receiver;
use async_std::net::TcpStream;
use futures_lite::future;

use super::log::{RequestLog, ResponseLog, ResponseRecord};
use super::stats::Stats;
use super::State;
use crate::mock::config::MockConfig;
use crate::mock::faults::FaultList;
use crate::mock::http::errors::ApiError;
use crate::mock::http::reply::Reply;
use crate::mock::net::tls::Identity;
use crate::mock::util::Rng;

/// State shared by the accept loop and every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: MockConfig,
    pub(crate) stats: Arc<Stats>,
    pub(crate) faults: FaultList,
    pub(crate) state: State,
    pub(crate) rng: Rng,
    /// Every request answered, timestamped.
    pub(crate) log: RequestLog,
    /// The REST responses written, when `config.record_responses` is on.
    pub(crate) responses: ResponseLog,
    /// Closed when the server shuts down (`recv` then fails at once).
    pub(crate) shutdown: Receiver<()>,
    /// The certificates and server config of a TLS mock; `None` serves plain HTTP.
    pub(crate) tls: Option<Arc<Identity>>,
    rpm_window: Mutex<(Instant, u32)>,
    /// Open connections: the stream, and whether it still counts as open.
    conns: Mutex<HashMap<u64, (TcpStream, Arc<AtomicBool>)>>,
    next_conn: AtomicU64,
}

impl Shared {
    pub(crate) fn new(config: MockConfig, shutdown: Receiver<()>) -> Shared {
        Shared {
            rng: Rng::new(config.seed),
            config,
            stats: Arc::default(),
            faults: FaultList::default(),
            state: State::default(),
            log: RequestLog::default(),
            responses: ResponseLog::default(),
            shutdown,
            tls: None,
            rpm_window: Mutex::new((Instant::now(), 0)),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
        }
    }

    /// Counts an authenticated request against the per-minute limit.
    pub(crate) fn check_rate_limit(&self) -> Result<(), ApiError> {
        let Some(limit) = self.config.requests_per_minute else {
            return Ok(());
        };
        let mut w = self.rpm_window.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = w.0.elapsed();
        if elapsed >= Duration::from_secs(60) {
            *w = (Instant::now(), 0);
        }
        if w.1 >= limit {
            let left = Duration::from_secs(60).saturating_sub(w.0.elapsed());
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(
                ApiError::limit_exceeded("Requests per minute limit has been exceeded for your project.")
                    .with_retry_after(Some(secs.max(1).to_string())),
            );
        }
        w.1 += 1;
        Ok(())
    }

    /// Whether an `Authorization` value is `Bearer <accepted regular key>` (both hosts).
    pub(crate) fn accepts_authorization(&self, value: &str) -> bool {
        bearer_key(value).is_some_and(|key| self.config.api_keys.iter().any(|k| k == key))
    }

    /// Keeps `reply` in the response log, when recording is on.
    pub(crate) fn record_response(&self, method: &str, path: &str, reply: &Reply) {
        let content_type = reply
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str());
        self.record_parts(method, path, reply.status, content_type, &reply.body);
    }

    /// Keeps a response written by hand (the text-to-speech port) in the response log,
    /// when recording is on; of a long body, the first 64 KiB.
    pub(crate) fn record_parts(&self, method: &str, path: &str, status: u16, content_type: Option<&str>, body: &[u8]) {
        if !self.config.record_responses {
            return;
        }
        self.responses.record(ResponseRecord {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            content_type: content_type.map(str::to_owned),
            body: body[..body.len().min(64 * 1024)].to_vec(),
        });
    }

    /// Counts an accepted connection as open (and in the peak) and remembers it so shutdown
    /// can close it; it stops counting when the registration is dropped.
    ///
    /// Before counting one that would raise the peak, every connection whose client has
    /// already closed it (its end of stream is waiting to be read, though its handler has
    /// not noticed yet) stops counting: a client that closes one connection and then opens
    /// another holds one, not two, and the peak says so whatever order this server's tasks
    /// run in. Limits: a client that half-closes (shuts down its writing side) while it
    /// waits for an answer stops counting then; a TLS client whose `close_notify` is still
    /// unread counts until its handler reads it.
    pub(crate) fn register(self: &Arc<Self>, tcp: &TcpStream) -> ConnRegistration {
        let counted = Arc::new(AtomicBool::new(true));
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let mut conns = self.lock_conns();
        // Only when this connection would raise the peak (the sweep exists to keep the
        // peak true), so a busy server does not peek every socket on every accept.
        if self.stats.would_raise_peak() {
            for (other, still) in conns.values() {
                if still.load(Ordering::Relaxed) && peer_closed(other) && still.swap(false, Ordering::Relaxed) {
                    self.stats.connection_closed();
                }
            }
        }
        self.stats.connection_opened();
        conns.insert(id, (tcp.clone(), counted.clone()));
        ConnRegistration {
            shared: self.clone(),
            id,
            counted,
        }
    }

    pub(crate) fn close_connections(&self) {
        for (tcp, _) in self.lock_conns().values() {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }

    fn lock_conns(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (TcpStream, Arc<AtomicBool>)>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Keeps a connection in the shutdown registry while alive.
#[derive(Debug)]
pub(crate) struct ConnRegistration {
    shared: Arc<Shared>,
    id: u64,
    counted: Arc<AtomicBool>,
}

/// Whether the client has closed `tcp`: a peek that finds the end of the stream (or an
/// error). The socket is non-blocking (async-io's), so an open, quiet one answers
/// `WouldBlock` at once; pending bytes mean open.
fn peer_closed(tcp: &TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
    match socket2::SockRef::from(tcp).peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
        ),
    }
}

impl Drop for ConnRegistration {
    fn drop(&mut self) {
        // Uncounted first, then the registry's handle goes (closing the socket if it was
        // the last): a client that sees the close sees the gauge without it.
        if self.counted.swap(false, Ordering::Relaxed) {
            self.shared.stats.connection_closed();
        }
        self.shared.lock_conns().remove(&self.id);
    }
}

/// Waits `d`, or less when the server shuts down first.
pub(crate) async fn sleep_unless_shutdown(shared: &Shared, d: Duration) {
    let stop = shared.shutdown.clone();
    future::or(async_std::task::sleep(d), async move {
        let _ = stop.recv().await;
    })
    .await;
}

/// The key of an `Authorization: Bearer <key>` value (any case of `Bearer`), if it has one:
/// the one reading of the header on every port.
pub(crate) fn bearer_key(value: &str) -> Option<&str> {
    match value.trim().split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => Some(key.trim()),
        _ => None,
    }
}
