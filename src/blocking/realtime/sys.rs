//! The socket calls the blocking realtime stream makes, per platform. Everything above this
//! module is the same everywhere; here each platform gets the cheapest way to the same three
//! guarantees: nothing done under the stream's lock ever blocks, the one reader that waits
//! for the server wakes as soon as bytes arrive (or the stream closes), and a write to a
//! connection the server closed is an error, never a signal that kills the process.
//!
//! | | Linux (and other Unix) | macOS, iOS | Windows |
//! |---|---|---|---|
//! | socket mode after the handshake | blocking | blocking | non-blocking |
//! | read or write that must not block | `MSG_DONTWAIT` | `MSG_DONTWAIT` | plain call (the socket never blocks) |
//! | no `SIGPIPE` on a closed connection | `MSG_NOSIGNAL` per send | `SO_NOSIGPIPE` once (Apple has no `MSG_NOSIGNAL`) | (no signals) |
//! | the parked reader waits in | `recv(2)`, `SO_RCVTIMEO` for its deadline | `recv(2)`, `SO_RCVTIMEO` | `WSAPoll` on the socket and its wake-up pair, then `recv` |
//! | the parked reader is woken at close by | `shutdown(2)` | `shutdown(2)` | its wake-up pair |
//!
//! Linux keeps the plain blocking `recv(2)`: woken straight by the kernel's receive path, one
//! round trip is exactly one `sendto` and one `recvfrom`, about half the latency of waiting in
//! `poll(2)` and then reading (`cargo bench --bench ratios`). Windows has no per-call
//! non-blocking flag (a socket is blocking or not, for every caller), so there the socket is
//! non-blocking for everyone and the reader waits in `WSAPoll` instead; whether a local
//! `shutdown` ends a `WSAPoll` on the same socket is not documented, so the reader also
//! watches a wake-up pair of its own that [`Waker::wake`] writes to.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

use rustix::net::{recv, send, RecvFlags, SendFlags};

#[cfg(any(windows, test))]
use super::waiter::Waiter;

/// Flags for a read that must not block.
#[cfg(not(windows))]
const TRY_RECV: RecvFlags = RecvFlags::DONTWAIT;
#[cfg(windows)]
const TRY_RECV: RecvFlags = RecvFlags::empty();

/// Flags for a write that must not block (and must not raise `SIGPIPE`).
#[cfg(not(any(windows, target_vendor = "apple")))]
const TRY_SEND: SendFlags = SendFlags::DONTWAIT.union(SendFlags::NOSIGNAL);
#[cfg(target_vendor = "apple")]
const TRY_SEND: SendFlags = SendFlags::DONTWAIT;
#[cfg(windows)]
const TRY_SEND: SendFlags = SendFlags::empty();

/// Once the handshake is done: Apple's `SO_NOSIGPIPE`, Windows' non-blocking mode.
pub(super) fn opened(tcp: &TcpStream) -> io::Result<()> {
    #[cfg(target_vendor = "apple")]
    rustix::net::sockopt::set_socket_nosigpipe(tcp, true)?;
    #[cfg(windows)]
    tcp.set_nonblocking(true)?;
    let _ = tcp;
    Ok(())
}

/// Reads what the socket has, never blocking (`WouldBlock` when it has nothing).
pub(super) fn try_recv(tcp: &TcpStream, out: &mut [u8]) -> io::Result<usize> {
    retry_on_interrupt(|| recv(tcp, &mut *out, TRY_RECV).map(|(n, _)| n))
}

/// Writes what the socket takes, never blocking (`WouldBlock` when it takes nothing).
pub(super) fn try_send(tcp: &TcpStream, buf: &[u8]) -> io::Result<usize> {
    retry_on_interrupt(|| send(tcp, buf, TRY_SEND))
}

/// The parked reader's wait: blocks until bytes arrive (read into `out`), the stream ends or
/// fails, or `timeout` passes (`Ok(None)`). On Unix the timeout is the socket's
/// `SO_RCVTIMEO`, set by the caller before parking; on Windows it bounds `WSAPoll`.
pub(super) fn parked_recv(
    tcp: &TcpStream,
    out: &mut [u8],
    timeout: Option<Duration>,
    waker: &Waker,
) -> io::Result<Option<usize>> {
    #[cfg(not(windows))]
    {
        let _ = (timeout, waker);
        match retry_on_interrupt(|| recv(tcp, &mut *out, RecvFlags::empty()).map(|(n, _)| n)) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }
    #[cfg(windows)]
    poll_then_recv(tcp, out, timeout, &waker.0)
}

/// Windows' parked wait (built on every platform so that Linux's tests cover it too): waits
/// in `poll` for bytes, a wake-up or `timeout`, then reads without blocking. `Ok(None)` when
/// woken or timed out with nothing to read: the caller looks at the stream again and parks
/// anew if it should.
#[cfg(any(windows, test))]
fn poll_then_recv(
    tcp: &TcpStream,
    out: &mut [u8],
    timeout: Option<Duration>,
    waiter: &Waiter,
) -> io::Result<Option<usize>> {
    waiter.wait(tcp, true, false, timeout)?;
    match try_recv(tcp, out) {
        Ok(n) => Ok(Some(n)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether the socket's `SO_RCVTIMEO` carries the parked reader's deadline (Unix), so it has
/// to be set before parking; on Windows the deadline goes to `WSAPoll` instead.
pub(super) const RCVTIMEO_BOUNDS_PARKING: bool = cfg!(not(windows));

/// Wakes the parked reader where a `shutdown` may not (Windows); nothing elsewhere.
#[derive(Debug)]
pub(super) struct Waker(#[cfg(windows)] Waiter);

impl Waker {
    pub(super) fn new() -> io::Result<Waker> {
        #[cfg(windows)]
        return Ok(Waker(Waiter::new()?));
        #[cfg(not(windows))]
        Ok(Waker())
    }

    /// Ends the parked reader's current (or next) wait.
    pub(super) fn wake(&self) {
        #[cfg(windows)]
        self.0.wake();
    }
}

fn retry_on_interrupt<T>(mut call: impl FnMut() -> rustix::io::Result<T>) -> io::Result<T> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other.map_err(io::Error::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;

    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let peer = listener.accept().unwrap().0;
        opened(&client).unwrap();
        (client, peer)
    }

    #[test]
    fn tries_never_block() {
        let (client, mut peer) = pair();
        let mut buf = [0u8; 8];
        assert_eq!(
            try_recv(&client, &mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        peer.write_all(b"abc").unwrap();
        let waker = Waker::new().unwrap();
        let got = parked_recv(&client, &mut buf, Some(Duration::from_secs(60)), &waker).unwrap();
        assert_eq!(got, Some(3));
        assert_eq!(&buf[..3], b"abc");
        // Writes go through until the socket's buffers are full, then say WouldBlock.
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0usize;
        for _ in 0..10_000 {
            match try_send(&client, &chunk) {
                Ok(n) => written += n,
                Err(e) => {
                    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                    break;
                }
            }
        }
        assert!(written > 0 && written < 10_000 * chunk.len(), "{written}");
    }

    #[test]
    fn the_polling_wait_ends_on_bytes_a_wake_up_a_timeout_or_the_end() {
        let (client, mut peer) = pair();
        let waiter = Waiter::new().unwrap();
        let mut buf = [0u8; 8];
        let long = Some(Duration::from_secs(60));
        // Bytes.
        peer.write_all(b"xy").unwrap();
        assert_eq!(poll_then_recv(&client, &mut buf, long, &waiter).unwrap(), Some(2));
        // A wake-up from another thread, with nothing to read (as a close wakes the reader).
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(20));
                waiter.wake();
            });
            assert_eq!(poll_then_recv(&client, &mut buf, long, &waiter).unwrap(), None);
        });
        // A wake-up that came first is not lost: the next wait returns at once.
        waiter.wake();
        assert_eq!(poll_then_recv(&client, &mut buf, long, &waiter).unwrap(), None);
        // The timeout.
        let short = Some(Duration::from_millis(10));
        assert_eq!(poll_then_recv(&client, &mut buf, short, &waiter).unwrap(), None);
        // The end of the stream.
        drop(peer);
        assert_eq!(poll_then_recv(&client, &mut buf, long, &waiter).unwrap(), Some(0));
    }

    #[test]
    fn a_write_to_a_closed_connection_is_an_error_not_a_signal() {
        let (client, peer) = pair();
        drop(peer);
        let chunk = [0u8; 1024];
        // The first write may still be accepted; the peer's reset makes a later one fail.
        let failed = (0..1000).find_map(|_| try_send(&client, &chunk).err());
        let e = failed.expect("a write to a closed connection fails");
        assert_ne!(e.kind(), io::ErrorKind::WouldBlock, "{e}");
    }
}
