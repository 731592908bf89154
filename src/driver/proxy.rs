//! The proxy tunnel on both clients' sockets: the core's [`ConnectTunnel`] (request bytes,
//! answer parsing; which proxy for which URL is [`crate::config::proxy`]'s) run over a blocking
//! stream (the blocking REST client's ureq connector and its realtime socket) or an async
//! one (the async client's [`net::open`](crate::nonblocking)), and the one rule for turning
//! a failure into [`Error::Proxy`].
//!
//! A refusal travels up through the I/O stacks as an `io::Error` carrying the
//! [`ProxyError`]; [`connection_error`] finds it again wherever a connection error becomes
//! an [`Error`].

use std::io;

use crate::core::proxy::ConnectTunnel;
use crate::error::{Error, ProxyError, TransportError};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Opens the tunnel over `stream`, already connected to the proxy: writes the `CONNECT`,
/// then reads the answer a byte or two at a time ([`ConnectTunnel::read_limit`]), so that
/// nothing past its head is taken from the stream. The stream's own time limits apply.
#[cfg(feature = "blocking")]
pub(crate) fn open_blocking<S: io::Read + io::Write>(stream: &mut S, mut tunnel: ConnectTunnel) -> io::Result<()> {
    stream.write_all(tunnel.request())?;
    stream.flush()?;
    let mut buf = [0u8; 2];
    // Bounded: each pass feeds at least one byte, and `feed` fails past MAX_CONNECT_HEAD.
    loop {
        let limit = tunnel.read_limit().min(buf.len());
        let read = stream.read(&mut buf[..limit]);
        if let Some(done) = after_read(&mut tunnel, read, &buf) {
            return done;
        }
    }
}

/// [`open_blocking`] for an async stream.
#[cfg(feature = "async")]
pub(crate) async fn open_async<S>(stream: &mut S, mut tunnel: ConnectTunnel) -> io::Result<()>
where
    S: futures::AsyncRead + futures::AsyncWrite + Unpin,
{
    use futures::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(tunnel.request()).await?;
    stream.flush().await?;
    let mut buf = [0u8; 2];
    loop {
        let limit = tunnel.read_limit().min(buf.len());
        let read = stream.read(&mut buf[..limit]).await;
        if let Some(done) = after_read(&mut tunnel, read, &buf) {
            return done;
        }
    }
}

/// One read of the proxy's answer (into `buf`) fed to the tunnel, the same for both
/// drivers: `Some` once the tunnel is open, refused or broken; `None` to read on.
fn after_read(tunnel: &mut ConnectTunnel, read: io::Result<usize>, buf: &[u8]) -> Option<io::Result<()>> {
    let n = match read {
        Ok(0) => return Some(Err(wrap(tunnel.closed()))),
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return None,
        Err(e) => return Some(Err(e)),
    };
    match tunnel.feed(&buf[..n]) {
        Ok(Some(_)) => Some(Ok(())),
        Ok(None) => None,
        Err(refused) => Some(Err(wrap(refused))),
    }
}

/// `e` as an I/O error (kind `Other`) that [`find`] recognises.
pub(crate) fn wrap(e: ProxyError) -> io::Error {
    io::Error::other(e)
}

/// The error for a connection that failed: [`Error::Proxy`] when a [`ProxyError`] is
/// anywhere in `source`'s chain (nothing reached the API), else [`Error::Transport`] (a
/// refused TLS certificate explained, see [`crate::driver::tls::explain`]).
pub(crate) fn connection_error(context: String, maybe_processed: bool, source: BoxError) -> Error {
    if let Some(proxy) = find(&*source) {
        return Error::Proxy(proxy.clone());
    }
    Error::Transport(TransportError {
        context,
        maybe_processed,
        source: crate::driver::tls::explain(source),
    })
}

/// The [`ProxyError`] under `e` ([`crate::error::causes`]: its source chain, the error
/// inside an `io::Error` or a ureq error).
pub(crate) fn find<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a ProxyError> {
    crate::error::causes(e).find_map(|e| e.downcast_ref::<ProxyError>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::proxy::Proxy;

    fn tunnel() -> ConnectTunnel {
        ConnectTunnel::new(&Proxy::parse("http://u:sekret@127.0.0.1:9").unwrap(), "h", 1)
    }

    #[test]
    fn a_proxy_error_is_found_under_io_and_other_errors() {
        let refused = tunnel().closed();
        let wrapped: BoxError = Box::new(io::Error::other(wrap(refused.clone())));
        match connection_error("GET /v1/models".into(), false, wrapped) {
            Error::Proxy(found) => assert_eq!(found, refused),
            other => panic!("{other:?}"),
        }
        let plain: BoxError = Box::new(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        assert!(matches!(
            connection_error("x".into(), false, plain),
            Error::Transport(_)
        ));
    }

    #[cfg(feature = "blocking")]
    #[test]
    fn the_blocking_tunnel_reads_exactly_the_head() {
        struct Wire {
            input: io::Cursor<Vec<u8>>,
            output: Vec<u8>,
        }
        impl io::Read for Wire {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.input.read(buf)
            }
        }
        impl io::Write for Wire {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.output.write(buf)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let answer = b"HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n";
        let mut wire = Wire {
            input: io::Cursor::new([&answer[..], b"tunnel"].concat()),
            output: Vec::new(),
        };
        open_blocking(&mut wire, tunnel()).unwrap();
        assert_eq!(wire.input.position() as usize, answer.len());
        assert!(wire.output.starts_with(b"CONNECT h:1 HTTP/1.1\r\n"));
        let mut wire = Wire {
            input: io::Cursor::new(b"HTTP/1.1 200 OK\r\n".to_vec()),
            output: Vec::new(),
        };
        let closed = open_blocking(&mut wire, tunnel()).unwrap_err();
        assert!(find(&closed).is_some_and(|e| e.message.contains("closed")), "{closed}");
        assert!(!closed.to_string().contains("sekret"));
    }
}
