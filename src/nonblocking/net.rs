//! The async client's runtime services, in one place for REST and realtime: opening a
//! TCP (+ TLS) connection, timers, and local files. Sockets and timers come from
//! async-std's runtime-independent reactor (async-io), so they work under any executor
//! (async-std, smol, `futures::executor`, tokio); nothing here spawns a task.
//!
//! TLS is futures-rustls over the client's one ring-based rustls config
//! ([`ClientTls`], one per client, passed to every [`open`]): REST and realtime make the same trust decision.
//! Through a proxy, [`open`] connects to the proxy and opens a `CONNECT` tunnel first (the
//! crate's one exchange, [`crate::driver::proxy::open_async`]); TLS then runs inside it.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use std::net::TcpStream;

use async_io::Async;
use futures::future::{self, Either};
use futures::{AsyncRead, AsyncWrite};
use futures_rustls::client::TlsStream;
use futures_rustls::TlsConnector;
use rustls::pki_types::ServerName;

use crate::config::proxy::Proxy;
use crate::core::proxy::ConnectTunnel;
use crate::driver::tls::ClientTls;

/// Plain TCP for `http://` and `ws://`, TLS over TCP for `https://` and `wss://`. The TCP
/// stream is async-io's `Async` (what async-std's `TcpStream` wraps), used directly for
/// the two things a wrapper hides: waiting for readability without a read that must fail
/// first, and a non-blocking peek.
pub(crate) enum Socket {
    Plain(Async<TcpStream>),
    Tls(Box<TlsStream<Async<TcpStream>>>),
}

impl Socket {
    /// The TCP stream (under the TLS session, if any).
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Socket::Plain(tcp) => tcp.get_ref(),
            Socket::Tls(tls) => tls.get_ref().0.get_ref(),
        }
    }

    /// Plain TCP: `Ready` once the socket is readable (registering the wait without a read
    /// first: right after a request was sent, that read would only fail). TLS: `Ready` at
    /// once (rustls may hold decrypted bytes already).
    pub(crate) fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Socket::Plain(tcp) => tcp.poll_readable(cx),
            Socket::Tls(_) => Poll::Ready(Ok(())),
        }
    }

    /// An idle connection still open with nothing unexpected to read. Plain TCP: one
    /// non-blocking peek (no reactor registration). TLS: one read through rustls that must
    /// find nothing yet (a peek would see records such as session tickets as data).
    pub(crate) fn is_idle_and_open(&mut self) -> bool {
        match self {
            Socket::Plain(tcp) => matches!(
                tcp.get_ref().peek(&mut [0u8; 1]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock
            ),
            Socket::Tls(tls) => {
                let mut cx = Context::from_waker(futures::task::noop_waker_ref());
                let mut byte = [0u8; 1];
                matches!(Pin::new(tls.as_mut()).poll_read(&mut cx, &mut byte), Poll::Pending)
            }
        }
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Socket::Plain(_) => "Socket::Plain",
            Socket::Tls(_) => "Socket::Tls",
        })
    }
}

/// Where to connect: a host name or IP literal (no brackets), a port, and whether TLS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Endpoint {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: bool,
}

/// Opens TCP (with `TCP_NODELAY`) to `to` — or to `proxy` and a `CONNECT` tunnel through it
/// to `to` — then TLS with `tls_config` when `to.tls`. Not bounded in time: callers wrap
/// it in [`within`]. A proxy that cannot be reached or refuses is an error carrying a
/// [`ProxyError`](crate::ProxyError) (see [`crate::driver::proxy::connection_error`]).
pub(crate) async fn open(to: &Endpoint, tls_config: &ClientTls, proxy: Option<&Proxy>) -> io::Result<Socket> {
    let server_name = match to.tls {
        true => Some(
            ServerName::try_from(to.host.clone())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("host {:?}: {e}", to.host)))?,
        ),
        false => None,
    };
    let tcp = match proxy {
        None => {
            let tcp = connect(&resolve(to).await?).await?;
            tcp.get_ref().set_nodelay(true)?;
            tcp
        }
        Some(proxy) => {
            let tunnel = ConnectTunnel::new(proxy, &to.host, to.port);
            let via = Endpoint {
                host: proxy.host().to_owned(),
                port: proxy.port(),
                tls: false,
            };
            let mut tcp = match async { connect(&resolve(&via).await?).await }.await {
                Ok(tcp) => tcp,
                Err(e) => return Err(crate::driver::proxy::wrap(tunnel.unreachable(e))),
            };
            tcp.get_ref().set_nodelay(true)?;
            crate::driver::proxy::open_async(&mut tcp, tunnel).await?;
            tcp
        }
    };
    match server_name {
        None => Ok(Socket::Plain(tcp)),
        Some(name) => {
            let config = tls_config.get().map_err(io::Error::other)?;
            let tls = TlsConnector::from(config)
                .connect_with(name, tcp, crate::driver::tls::limit_buffers)
                .await?;
            Ok(Socket::Tls(Box::new(tls)))
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_flush(cx),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_close(cx),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_close(cx),
        }
    }
}

/// Connects to the first of `addrs` that accepts (as `std::net::TcpStream::connect` tries
/// them); the last error if none does.
async fn connect(addrs: &[SocketAddr]) -> io::Result<Async<TcpStream>> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "the host name resolved to no address");
    for addr in addrs {
        match Async::<TcpStream>::connect(*addr).await {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The addresses of `to`: an IP literal at once, a name on the `blocking` crate's thread
/// pool (async-std's own resolver would start its executor's threads).
async fn resolve(to: &Endpoint) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = to.host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, to.port)]);
    }
    let (host, port) = (to.host.clone(), to.port);
    blocking::unblock(move || (host.as_str(), port).to_socket_addrs().map(Iterator::collect)).await
}

/// A one-shot timer that can be re-armed (async-io's timer).
pub(crate) struct Timer {
    at: Instant,
    sleep: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer").field("at", &self.at).finish_non_exhaustive()
    }
}

impl Timer {
    /// A timer that fires at `at` (at once if `at` has passed).
    pub(crate) fn at(at: Instant) -> Timer {
        let left = at.saturating_duration_since(Instant::now());
        Timer {
            at,
            sleep: Box::pin(sleep(left)),
        }
    }
    /// When it fires.
    pub(crate) fn deadline(&self) -> Instant {
        self.at
    }
    /// `Ready` once the deadline has passed.
    pub(crate) fn poll_fire(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.sleep.as_mut().poll(cx)
    }
}

/// Sleeps without blocking a thread, under any executor (async-io's timer). A duration of
/// [`NO_LIMIT`](crate::config::time::NO_LIMIT) or more (`Duration::MAX`) sleeps "forever".
pub(crate) async fn sleep(d: Duration) {
    match crate::config::time::limit(d) {
        Some(d) => async_io::Timer::after(d).await,
        None => async_io::Timer::never().await,
    };
}

/// `fut`'s output if it completes within `limit`, else `None` (and `fut` is dropped).
pub(crate) async fn within<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    let timer = std::pin::pin!(sleep(limit));
    match future::select(std::pin::pin!(fut), timer).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

/// The length of a local file and whether it is a directory (on the `blocking` pool).
pub(crate) async fn file_metadata(path: &Path) -> io::Result<(u64, bool)> {
    let path = path.to_owned();
    let meta = blocking::unblock(move || std::fs::metadata(path)).await?;
    Ok((meta.len(), meta.is_dir()))
}

/// Upload chunk size. With one chunk queued (the transport's channel), the file's bytes in
/// memory are at most the read-ahead, the queued chunk and the one being written (48 KiB),
/// plus the h1 layer's 16 KiB write over plain TCP (it joins two chunks) or rustls' one
/// record over TLS: an upload's whole heap, runtime and pooled connection included, stays
/// under 256 KiB (tests/heap_async_upload_peak*.rs; with 64 KiB chunks, two queued and a
/// 64 KiB read-ahead it peaked at 486 KB).
/// Measured per MB uploaded (`soniox-perf --only upload`, one run each): 920 µs of CPU with
/// 8 KiB chunks and a 32 KiB read-ahead, 1,301 µs with 16 KiB and 16 KiB, 678 µs before
/// (64 KiB chunks).
pub(crate) const UPLOAD_CHUNK: usize = 8 * 1024;
/// How far the `blocking` pool reads a file ahead of the upload: each refill wakes a pool
/// thread, the dearest step per byte, so it is larger than a chunk.
const READ_AHEAD: usize = 32 * 1024;

/// Opens a local file for reading; the open and the reads run on the `blocking` crate's
/// thread pool (async-std's file would start its executor's threads as well).
pub(crate) async fn open_file(path: &Path) -> io::Result<impl AsyncRead + Unpin + Send + 'static> {
    let path = path.to_owned();
    let file = blocking::unblock(move || std::fs::File::open(path)).await?;
    Ok(blocking::Unblock::with_capacity(READ_AHEAD, file))
}

/// Creates (or truncates) a local file for writing, on the `blocking` crate's pool.
pub(crate) async fn create_file(path: &Path) -> io::Result<impl AsyncWrite + Unpin + Send + 'static> {
    let path = path.to_owned();
    let file = blocking::unblock(move || std::fs::File::create(path)).await?;
    // The pipe to the pool's writer: 64 KiB (the default would be 8 MiB, allocated at once).
    Ok(blocking::Unblock::with_capacity(64 * 1024, file))
}
