//! Server counters: lock-free atomics, snapshotted into [`MockStats`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use crate::mock::http::routes::{Route, METHODS, ROUTES};

/// A snapshot of what a mock server has seen (see [`MockServer::stats`](crate::mock::MockServer::stats)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MockStats {
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// TCP connections open now.
    pub open_connections: u64,
    /// Most connections open at once.
    pub peak_connections: u64,
    /// HTTP requests received (every route, faults and errors included).
    pub requests: u64,
    /// Requests per route key: method and templated path, e.g. `"GET /v1/files/{id}"`.
    /// Unknown paths count under `"<METHOD> *"`.
    pub requests_by_route: BTreeMap<String, u64>,
    /// Request body bytes the mock read (bodies of requests rejected before reading them,
    /// e.g. with 401, are discarded without being counted).
    pub request_body_bytes: u64,
    /// Uploads that completed with `201`.
    pub uploads: u64,
    /// File bytes of the completed uploads.
    pub upload_bytes: u64,
    /// Uploads being received now.
    pub open_uploads: u64,
    /// Most uploads received at once.
    pub peak_concurrent_uploads: u64,
    /// Requests answered `401`.
    pub unauthorized: u64,
    /// Faults applied (each fired [`Fault`](crate::mock::Fault) counts once per request).
    pub faults_injected: u64,
    /// Realtime WebSocket upgrades accepted (every session, also those refused in-band later).
    pub ws_sessions: u64,
    /// Realtime sessions open now.
    pub ws_open_sessions: u64,
    /// Most realtime sessions open at once.
    pub ws_peak_sessions: u64,
    /// Audio bytes received on realtime sessions (binary frames, WAV headers included).
    pub ws_audio_bytes: u64,
    /// Non-empty audio frames received.
    pub ws_audio_frames: u64,
    /// JSON messages the server sent on realtime sessions (results, final and error messages).
    pub ws_messages_sent: u64,
    /// `{"type":"keepalive"}` messages received.
    pub ws_keepalives: u64,
    /// `{"type":"finalize"}` messages received.
    pub ws_finalizes: u64,
    /// Sessions that ended with the `finished: true` message.
    pub ws_finished: u64,
    /// Sessions refused with `401 unauthenticated` (missing, unknown, expired or used key).
    pub ws_auth_failures: u64,
    /// TLS mock: handshakes completed.
    pub tls_handshakes: u64,
    /// TLS mock: handshakes that failed or did not finish within 10 s (a client that refused
    /// the certificate shows here, with no request).
    pub tls_handshake_failures: u64,
}

impl MockStats {
    /// Requests seen for a route key such as `"POST /v1/transcriptions"`; 0 when absent.
    pub fn route(&self, key: &str) -> u64 {
        self.requests_by_route.get(key).copied().unwrap_or(0)
    }
}

/// The live counters behind [`MockStats`].
#[derive(Debug, Default)]
pub(crate) struct Stats {
    connections_accepted: AtomicU64,
    open_connections: AtomicU64,
    peak_connections: AtomicU64,
    requests: AtomicU64,
    by_route: [[AtomicU64; ROUTES.len() + 1]; METHODS.len()],
    pub(crate) request_body_bytes: AtomicU64,
    pub(crate) uploads: AtomicU64,
    pub(crate) upload_bytes: AtomicU64,
    open_uploads: AtomicU64,
    peak_uploads: AtomicU64,
    pub(crate) unauthorized: AtomicU64,
    pub(crate) faults_injected: AtomicU64,
    pub(crate) ws_sessions: AtomicU64,
    ws_open_sessions: AtomicU64,
    ws_peak_sessions: AtomicU64,
    pub(crate) ws_audio_bytes: AtomicU64,
    pub(crate) ws_audio_frames: AtomicU64,
    pub(crate) ws_messages_sent: AtomicU64,
    pub(crate) ws_keepalives: AtomicU64,
    pub(crate) ws_finalizes: AtomicU64,
    pub(crate) ws_finished: AtomicU64,
    pub(crate) ws_auth_failures: AtomicU64,
    pub(crate) tls_handshakes: AtomicU64,
    pub(crate) tls_handshake_failures: AtomicU64,
}

/// Which gauge a [`GaugeGuard`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gauge {
    Upload,
    WsSession,
}

/// Decrements a gauge when dropped.
#[derive(Debug)]
pub(crate) struct GaugeGuard {
    stats: Arc<Stats>,
    gauge: Gauge,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        let s = &self.stats;
        let gauge = match self.gauge {
            Gauge::Upload => &s.open_uploads,
            Gauge::WsSession => &s.ws_open_sessions,
        };
        gauge.fetch_sub(1, Relaxed);
    }
}

impl Stats {
    /// Counts an accepted connection as open (see `Shared::register`, which owns the
    /// connection gauge).
    pub(crate) fn connection_opened(&self) {
        self.connections_accepted.fetch_add(1, Relaxed);
        let now = self.open_connections.fetch_add(1, Relaxed) + 1;
        self.peak_connections.fetch_max(now, Relaxed);
    }

    /// Whether one more open connection would exceed the peak so far.
    pub(crate) fn would_raise_peak(&self) -> bool {
        self.open_connections.load(Relaxed) + 1 > self.peak_connections.load(Relaxed)
    }

    /// A connection stopped counting as open.
    pub(crate) fn connection_closed(&self) {
        self.open_connections.fetch_sub(1, Relaxed);
    }

    /// Counts an upload in progress; the guard ends it.
    pub(crate) fn upload(s: &Arc<Stats>) -> GaugeGuard {
        let now = s.open_uploads.fetch_add(1, Relaxed) + 1;
        s.peak_uploads.fetch_max(now, Relaxed);
        GaugeGuard {
            stats: s.clone(),
            gauge: Gauge::Upload,
        }
    }

    /// Counts an accepted realtime session; the guard keeps it open. Also returns how many
    /// sessions are open now, this one included.
    pub(crate) fn ws_session(s: &Arc<Stats>) -> (GaugeGuard, u64) {
        s.ws_sessions.fetch_add(1, Relaxed);
        let now = s.ws_open_sessions.fetch_add(1, Relaxed) + 1;
        s.ws_peak_sessions.fetch_max(now, Relaxed);
        let guard = GaugeGuard {
            stats: s.clone(),
            gauge: Gauge::WsSession,
        };
        (guard, now)
    }

    /// Counts a request for (method, route).
    pub(crate) fn request(&self, method: usize, route: Option<Route>) {
        self.requests.fetch_add(1, Relaxed);
        let r = route.map_or(ROUTES.len(), |r| r as usize);
        self.by_route[method][r].fetch_add(1, Relaxed);
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> MockStats {
        let mut requests_by_route = BTreeMap::new();
        for (m, row) in self.by_route.iter().enumerate() {
            for (r, n) in row.iter().enumerate() {
                let n = n.load(Relaxed);
                if n > 0 {
                    let path = ROUTES.get(r).map_or("*", |r| r.1);
                    requests_by_route.insert(format!("{} {}", METHODS[m], path), n);
                }
            }
        }
        MockStats {
            connections_accepted: self.connections_accepted.load(Relaxed),
            open_connections: self.open_connections.load(Relaxed),
            peak_connections: self.peak_connections.load(Relaxed),
            requests: self.requests.load(Relaxed),
            requests_by_route,
            request_body_bytes: self.request_body_bytes.load(Relaxed),
            uploads: self.uploads.load(Relaxed),
            upload_bytes: self.upload_bytes.load(Relaxed),
            open_uploads: self.open_uploads.load(Relaxed),
            peak_concurrent_uploads: self.peak_uploads.load(Relaxed),
            unauthorized: self.unauthorized.load(Relaxed),
            faults_injected: self.faults_injected.load(Relaxed),
            ws_sessions: self.ws_sessions.load(Relaxed),
            ws_open_sessions: self.ws_open_sessions.load(Relaxed),
            ws_peak_sessions: self.ws_peak_sessions.load(Relaxed),
            ws_audio_bytes: self.ws_audio_bytes.load(Relaxed),
            ws_audio_frames: self.ws_audio_frames.load(Relaxed),
            ws_messages_sent: self.ws_messages_sent.load(Relaxed),
            ws_keepalives: self.ws_keepalives.load(Relaxed),
            ws_finalizes: self.ws_finalizes.load(Relaxed),
            ws_finished: self.ws_finished.load(Relaxed),
            ws_auth_failures: self.ws_auth_failures.load(Relaxed),
            tls_handshakes: self.tls_handshakes.load(Relaxed),
            tls_handshake_failures: self.tls_handshake_failures.load(Relaxed),
        }
    }

    /// Zeroes the counters; gauges keep their current value and peaks restart from it.
    pub(crate) fn reset(&self) {
        for c in [
            &self.connections_accepted,
            &self.requests,
            &self.request_body_bytes,
            &self.uploads,
            &self.upload_bytes,
            &self.unauthorized,
            &self.faults_injected,
            &self.ws_sessions,
            &self.ws_audio_bytes,
            &self.ws_audio_frames,
            &self.ws_messages_sent,
            &self.ws_keepalives,
            &self.ws_finalizes,
            &self.ws_finished,
            &self.ws_auth_failures,
            &self.tls_handshakes,
            &self.tls_handshake_failures,
        ] {
            c.store(0, Relaxed);
        }
        for row in &self.by_route {
            for c in row {
                c.store(0, Relaxed);
            }
        }
        self.peak_connections
            .store(self.open_connections.load(Relaxed), Relaxed);
        self.peak_uploads.store(self.open_uploads.load(Relaxed), Relaxed);
        self.ws_peak_sessions
            .store(self.ws_open_sessions.load(Relaxed), Relaxed);
    }
}
