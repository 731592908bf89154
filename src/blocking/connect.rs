//! Opening the blocking client's own sockets (the realtime WebSocket, the text-to-speech
//! exchange): TCP to the first address that answers within the connect timeout,
//! `TCP_NODELAY`, and a `CONNECT` tunnel when a proxy is configured for the target
//! ([`crate::driver::proxy`]); the caller adds TLS. REST goes through ureq's own connector.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, Result, TimeoutError, TransportError};

/// A TCP stream to `host:port` (through the configured proxy's tunnel, if any), with the
/// connect timeout left over as its read and write timeouts (the caller resets them).
pub(crate) fn open(config: &Config, tls: bool, host: &str, port: u16, context: &str) -> Result<TcpStream> {
    let (timeout, proxies) = (config.connect_timeout(), config.proxies());
    let deadline = crate::config::time::deadline(Instant::now(), timeout);
    let proxy = proxies.for_target(tls, host, port);
    let tunnel = proxy.map(|proxy| crate::core::proxy::ConnectTunnel::new(proxy, host, port));
    let mut tcp = match (proxy, &tunnel) {
        (Some(proxy), Some(tunnel)) => match open_tcp(proxy.host(), proxy.port(), deadline, context, timeout) {
            Err(Error::Transport(e)) => return Err(Error::Proxy(tunnel.unreachable(e.source))),
            other => other?,
        },
        _ => open_tcp(host, port, deadline, context, timeout)?,
    };
    let io = |e: io::Error| transport(context, e);
    let left = deadline.map(|at| {
        at.saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    });
    tcp.set_nodelay(true).map_err(io)?;
    tcp.set_read_timeout(left).map_err(io)?;
    tcp.set_write_timeout(left).map_err(io)?;
    if let Some(tunnel) = tunnel {
        crate::driver::proxy::open_blocking(&mut tcp, tunnel).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timed_out(context, timeout),
            _ => crate::driver::proxy::connection_error(context.to_owned(), false, Box::new(e)),
        })?;
    }
    Ok(tcp)
}

/// Connects to the first address that answers before the deadline (`None`: no deadline).
fn open_tcp(host: &str, port: u16, deadline: Option<Instant>, context: &str, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| transport(context, e))?
        .collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} resolved to no address"));
    for addr in addrs {
        let connected = match deadline.map(|at| at.saturating_duration_since(Instant::now())) {
            Some(left) if left.is_zero() => return Err(timed_out(context, timeout)),
            Some(left) => TcpStream::connect_timeout(&addr, left),
            None => TcpStream::connect(addr),
        };
        match connected {
            Ok(tcp) => return Ok(tcp),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => return Err(timed_out(context, timeout)),
            Err(e) => last = e,
        }
    }
    Err(transport(context, last))
}

/// A connection error before anything was sent.
pub(crate) fn transport(context: &str, e: io::Error) -> Error {
    Error::Transport(TransportError {
        context: context.to_owned(),
        maybe_processed: false,
        source: Box::new(e),
    })
}

pub(crate) fn timed_out(context: &str, after: Duration) -> Error {
    Error::Timeout(TimeoutError {
        context: context.to_owned(),
        after,
    })
}
