//! A loopback HTTP `CONNECT` proxy for tests ([`ConnectProxy`]): it opens tunnels to
//! loopback targets only, optionally demands Basic credentials (`407` otherwise), and counts
//! what it does ([`ProxyStats`], [`ConnectProxy::connects`]).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_std::channel::Receiver;
use async_std::net::TcpStream;
use futures_lite::future;
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};

use super::listen::{self, AcceptLoop};

/// Longest CONNECT request head read.
const MAX_HEAD: usize = 16 * 1024;
/// Longest a client may take to send its CONNECT head, and the proxy to reach a target.
const STEP_LIMIT: Duration = Duration::from_secs(10);
/// Most connections open at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 1024;
/// Most [`ConnectRecord`]s kept (the oldest are dropped first).
const MAX_RECORDS: usize = 10_000;

/// A loopback HTTP `CONNECT` proxy, for tests of clients behind a proxy. Runs on the mock's
/// async-std executor; stops (closing every tunnel) when dropped.
///
/// - Only `CONNECT host:port` is served (anything else: `405`), and only to loopback
///   targets (`127.0.0.0/8`, `::1`, `localhost`; anything else: `403`), so a test can never
///   reach beyond the machine. A target that refuses the connection: `502`.
/// - [`start_with_auth`](Self::start_with_auth) demands `Proxy-Authorization: Basic` with
///   that user and password: `407` with `Proxy-Authenticate` otherwise, and the connection
///   is closed.
/// - An open tunnel relays bytes both ways until either side closes; [`stats`](Self::stats)
///   counts tunnels, refusals and bytes, [`connects`](Self::connects) lists every
///   `CONNECT` with its answer.
///
/// ```
/// # #[cfg(feature = "blocking")] {
/// use soniox::mock::{ConnectProxy, MockServer};
/// let mock = MockServer::start();
/// let proxy = ConnectProxy::start_with_auth("me", "secret");
/// let client = soniox::blocking::Client::builder()
///     .api_key(mock.api_key())
///     .base_url(mock.base_url())
///     .proxy(format!("http://me:secret@{}", proxy.addr()))
///     .build()?;
/// client.models().list()?;
/// assert_eq!(proxy.stats().tunnels, 1);
/// # }
/// # Ok::<(), soniox::Error>(())
/// ```
#[derive(Debug)]
pub struct ConnectProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accepting: AcceptLoop,
}

/// What a [`ConnectProxy`] has done so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Tunnels opened (`CONNECT` answered `200`).
    pub tunnels: u64,
    /// Tunnels open now.
    pub open_tunnels: u64,
    /// `CONNECT`s refused for missing or wrong credentials (`407`).
    pub auth_failures: u64,
    /// Other refusals: not `CONNECT`, a target that is not loopback, a target that could
    /// not be reached, a head that was malformed, too large or too slow.
    pub refused: u64,
    /// Bytes relayed from clients to targets.
    pub bytes_to_targets: u64,
    /// Bytes relayed from targets to clients.
    pub bytes_to_clients: u64,
}

/// One `CONNECT` request and how the proxy answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectRecord {
    /// The request target, as sent: `127.0.0.1:PORT`.
    pub target: String,
    /// The `Host` header, as sent.
    pub host: Option<String>,
    /// Whether a `Proxy-Authorization` header came with it.
    pub authorization: bool,
    /// The status answered: 200, 403, 405, 407 or 502.
    pub status: u16,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    tunnels: AtomicU64,
    open_tunnels: AtomicU64,
    auth_failures: AtomicU64,
    refused: AtomicU64,
    bytes_to_targets: AtomicU64,
    bytes_to_clients: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    /// `user:password` the proxy demands, if any.
    credentials: Option<(String, String)>,
    counters: Counters,
    records: Mutex<std::collections::VecDeque<ConnectRecord>>,
    /// Every socket open now (clients and targets), to close them all at shutdown.
    sockets: Mutex<HashMap<u64, TcpStream>>,
    next_socket: AtomicU64,
    shutdown: Receiver<()>,
}

impl ConnectProxy {
    /// A proxy on `127.0.0.1` and an ephemeral port that demands no credentials.
    ///
    /// # Panics
    /// When the port cannot be bound.
    pub fn start() -> ConnectProxy {
        ConnectProxy::bind(None).unwrap_or_else(|e| panic!("soniox mock proxy: cannot bind 127.0.0.1:0: {e}"))
    }

    /// A proxy that demands `Proxy-Authorization: Basic` with `user` and `password`.
    ///
    /// # Panics
    /// When the port cannot be bound.
    pub fn start_with_auth(user: &str, password: &str) -> ConnectProxy {
        ConnectProxy::bind(Some((user.to_owned(), password.to_owned())))
            .unwrap_or_else(|e| panic!("soniox mock proxy: cannot bind 127.0.0.1:0: {e}"))
    }

    fn bind(credentials: Option<(String, String)>) -> io::Result<ConnectProxy> {
        let (listener, addr) = listen::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let (stop, shutdown) = async_std::channel::bounded(1);
        let shared = Arc::new(Shared {
            credentials,
            counters: Counters::default(),
            records: Mutex::default(),
            sockets: Mutex::default(),
            next_socket: AtomicU64::new(0),
            shutdown: shutdown.clone(),
        });
        let accepting = AcceptLoop::spawn(listener, stop, shutdown, "soniox mock proxy", {
            let shared = shared.clone();
            move |tcp| accept(&shared, tcp)
        });
        Ok(ConnectProxy {
            addr,
            shared,
            accepting,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without credentials (add `user:password@` for a proxy
    /// started with [`start_with_auth`](Self::start_with_auth)).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ProxyStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        ProxyStats {
            connections: get(&c.connections),
            tunnels: get(&c.tunnels),
            open_tunnels: get(&c.open_tunnels),
            auth_failures: get(&c.auth_failures),
            refused: get(&c.refused),
            bytes_to_targets: get(&c.bytes_to_targets),
            bytes_to_clients: get(&c.bytes_to_clients),
        }
    }

    /// Every `CONNECT` so far (at most the last 10 000), in arrival order.
    pub fn connects(&self) -> Vec<ConnectRecord> {
        self.shared.lock_records().iter().cloned().collect()
    }

    /// Stops accepting and closes every open tunnel.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.accepting.stop();
        for tcp in self.shared.lock_sockets().values() {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
}

impl Shared {
    fn lock_records(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<ConnectRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_sockets(&self) -> std::sync::MutexGuard<'_, HashMap<u64, TcpStream>> {
        self.sockets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `tcp` until the returned guard drops, so that shutdown can close it; `None`
    /// when too many are open.
    fn register(self: &Arc<Self>, tcp: &TcpStream) -> Option<SocketGuard> {
        let mut sockets = self.lock_sockets();
        if sockets.len() >= MAX_CONNECTIONS || self.shutdown.is_closed() {
            return None;
        }
        let id = self.next_socket.fetch_add(1, Ordering::Relaxed);
        sockets.insert(id, tcp.clone());
        Some(SocketGuard {
            shared: self.clone(),
            id,
        })
    }

    fn record(&self, record: ConnectRecord) {
        let counter = match record.status {
            200 => &self.counters.tunnels,
            407 => &self.counters.auth_failures,
            _ => &self.counters.refused,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        let mut records = self.lock_records();
        if records.len() == MAX_RECORDS {
            records.pop_front();
        }
        records.push_back(record);
    }
}

struct SocketGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        if let Some(tcp) = self.shared.lock_sockets().remove(&self.id) {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
}

/// Takes an accepted connection (see [`AcceptLoop`]): counts it, and serves it unless too
/// many are open.
fn accept(shared: &Arc<Shared>, tcp: TcpStream) {
    shared.counters.connections.fetch_add(1, Ordering::SeqCst);
    let Some(guard) = shared.register(&tcp) else {
        let _ = tcp.shutdown(Shutdown::Both);
        return;
    };
    let shared = shared.clone();
    async_std::task::spawn(async move {
        serve(&shared, tcp).await;
        drop(guard);
    });
}

/// One client connection: the CONNECT head, the answer, then the relay.
async fn serve(shared: &Arc<Shared>, mut client: TcpStream) {
    let _ = client.set_nodelay(true);
    let Some((head, early)) = within(read_head(&mut client)).await.and_then(Result::ok) else {
        shared.counters.refused.fetch_add(1, Ordering::SeqCst);
        let _ = client
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        return;
    };
    let request = Request::parse(&head);
    let mut record = ConnectRecord {
        target: request.target.clone(),
        host: request.host.clone(),
        authorization: request.authorization.is_some(),
        status: 200,
    };
    let refusal = if request.method != "CONNECT" {
        Some(405)
    } else if !authorized(shared.credentials.as_ref(), request.authorization.as_deref()) {
        Some(407)
    } else if !is_loopback_target(&request.target) {
        Some(403)
    } else {
        None
    };
    let upstream = match refusal {
        Some(status) => Err(status),
        None => match within(TcpStream::connect(request.target.as_str())).await {
            Some(Ok(tcp)) => Ok(tcp),
            _ => Err(502),
        },
    };
    let mut upstream = match upstream {
        Ok(tcp) => tcp,
        Err(status) => {
            record.status = status;
            shared.record(record);
            let reason = match status {
                403 => "Forbidden",
                405 => "Method Not Allowed",
                407 => "Proxy Authentication Required",
                _ => "Bad Gateway",
            };
            let challenge = if status == 407 {
                "Proxy-Authenticate: Basic realm=\"soniox-mock\"\r\n"
            } else {
                ""
            };
            let answer =
                format!("HTTP/1.1 {status} {reason}\r\n{challenge}Content-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = client.write_all(answer.as_bytes()).await;
            let _ = client.flush().await;
            return;
        }
    };
    let Some(_upstream_guard) = shared.register(&upstream) else {
        return;
    };
    let _ = upstream.set_nodelay(true);
    shared.record(record);
    let c = &shared.counters;
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
        || upstream.write_all(&early).await.is_err()
    {
        return;
    }
    c.bytes_to_targets.fetch_add(early.len() as u64, Ordering::SeqCst);
    c.open_tunnels.fetch_add(1, Ordering::SeqCst);
    future::zip(
        pipe(client.clone(), upstream.clone(), &c.bytes_to_targets),
        pipe(upstream, client, &c.bytes_to_clients),
    )
    .await;
    c.open_tunnels.fetch_sub(1, Ordering::SeqCst);
}

/// Copies until `from` ends (or either side fails), counting, then ends `to`'s writes.
async fn pipe(mut from: TcpStream, mut to: TcpStream, counter: &AtomicU64) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        counter.fetch_add(n as u64, Ordering::SeqCst);
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// `fut` within [`STEP_LIMIT`].
async fn within<T>(fut: impl std::future::Future<Output = T>) -> Option<T> {
    future::or(async { Some(fut.await) }, async {
        async_std::task::sleep(STEP_LIMIT).await;
        None
    })
    .await
}

/// Reads up to the end of the request head; returns it and any bytes read after it.
async fn read_head(client: &mut TcpStream) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let early = buf.split_off(end + 4);
            return Ok((buf, early));
        }
        if buf.len() > MAX_HEAD {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}

/// The parts of a request head the proxy looks at.
#[derive(Debug, Default)]
struct Request {
    method: String,
    target: String,
    host: Option<String>,
    authorization: Option<String>,
}

impl Request {
    fn parse(head: &[u8]) -> Request {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let mut request = Request {
            method: first.next().unwrap_or_default().to_owned(),
            target: first.next().unwrap_or_default().to_owned(),
            ..Request::default()
        };
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim().to_owned();
                if name.trim().eq_ignore_ascii_case("host") {
                    request.host = Some(value);
                } else if name.trim().eq_ignore_ascii_case("proxy-authorization") {
                    request.authorization = Some(value);
                }
            }
        }
        request
    }
}

/// Whether `header` (a `Proxy-Authorization` value) carries exactly `credentials`.
fn authorized(credentials: Option<&(String, String)>, header: Option<&str>) -> bool {
    let Some((user, password)) = credentials else {
        return true;
    };
    let Some((scheme, encoded)) = header.and_then(|h| h.split_once(' ')) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("basic")
        && decode_base64(encoded.trim()).is_some_and(|decoded| decoded == format!("{user}:{password}").as_bytes())
}

/// `host:port` with a loopback host (`127.0.0.0/8`, `::1` in brackets, `localhost`).
fn is_loopback_target(target: &str) -> bool {
    let Some((host, port)) = target.rsplit_once(':') else {
        return false;
    };
    if port.parse::<u16>().is_err() {
        return false;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Standard base64 with padding; `None` for anything else. (Written apart from the
/// client's encoder, so that the two check each other.)
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, quad) in bytes.chunks(4).enumerate() {
        let last = i == bytes.len() / 4 - 1;
        let pad = quad.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_rfc_4648_vectors_and_refuses_junk() {
        for (text, plain) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYmE=", "fooba"),
            ("QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin:open sesame"),
        ] {
            assert_eq!(decode_base64(text).as_deref(), Some(plain.as_bytes()), "{text}");
        }
        for junk in ["Zg=", "Z===", "Zg==Zg==", "Zm9*"] {
            assert_eq!(decode_base64(junk), None, "{junk}");
        }
    }

    #[test]
    fn only_the_exact_credentials_and_loopback_targets_pass() {
        let creds = ("Aladdin".to_owned(), "open sesame".to_owned());
        assert!(authorized(Some(&creds), Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")));
        assert!(authorized(Some(&creds), Some("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")));
        assert!(!authorized(Some(&creds), Some("Basic QWxhZGRpbjpvcGVu")));
        assert!(!authorized(Some(&creds), Some("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==")));
        assert!(!authorized(Some(&creds), None));
        assert!(authorized(None, None));
        for ok in ["127.0.0.1:80", "127.9.9.9:1", "[::1]:443", "localhost:8080"] {
            assert!(is_loopback_target(ok), "{ok}");
        }
        for no in ["10.0.0.1:80", "example.com:443", "127.0.0.1", "127.0.0.1:x", "[::2]:1"] {
            assert!(!is_loopback_target(no), "{no}");
        }
    }

    #[test]
    fn the_request_head_is_read_for_method_target_host_and_authorization() {
        let r = Request::parse(
            b"CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nproxy-authorization: Basic eA==\r\n\r\n",
        );
        assert_eq!((r.method.as_str(), r.target.as_str()), ("CONNECT", "127.0.0.1:9"));
        assert_eq!(
            (r.host.as_deref(), r.authorization.as_deref()),
            (Some("127.0.0.1:9"), Some("Basic eA=="))
        );
    }
}
