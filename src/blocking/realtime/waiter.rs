//! Waiting outside the lock: one `poll(2)` (`WSAPoll` on Windows) on the socket and a
//! wake-up channel. One waiter per role (the writers, the keeper; on Windows also the parked
//! reader, see [`sys`](super::sys)); a wake-up stays pending until that role's next wait
//! consumes it.
//!
//! The channel is a non-blocking Unix socket pair; Windows has no socket pairs and polls only
//! sockets, so there it is a connected loopback TCP pair (as Python's `socket.socketpair` and
//! many event loops do on Windows).

use std::io::{self, Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream as WakeStream;
use std::time::Duration;
#[cfg(not(unix))]
use TcpStream as WakeStream;

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::io::Errno;

/// Longest single wait (a `Timespec` bound; callers loop anyway).
const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// A role's wait: the socket's readiness or a wake-up, whichever comes first.
#[derive(Debug)]
pub(super) struct Waiter {
    wake_tx: WakeStream,
    wake_rx: WakeStream,
}

/// A connected pair of streams for wake-ups.
#[cfg(unix)]
fn wake_pair() -> io::Result<(WakeStream, WakeStream)> {
    WakeStream::pair()
}

/// A connected pair of loopback TCP streams for wake-ups (no Unix sockets to poll here).
#[cfg(not(unix))]
fn wake_pair() -> io::Result<(WakeStream, WakeStream)> {
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))?;
    let tx = TcpStream::connect(listener.local_addr()?)?;
    let (rx, _) = listener.accept()?;
    tx.set_nodelay(true)?;
    Ok((tx, rx))
}

impl Waiter {
    pub(super) fn new() -> io::Result<Waiter> {
        let (wake_tx, wake_rx) = wake_pair()?;
        wake_tx.set_nonblocking(true)?;
        wake_rx.set_nonblocking(true)?;
        Ok(Waiter { wake_tx, wake_rx })
    }

    /// Makes the current (or next) [`wait`](Self::wait) return. A full channel means a
    /// wake-up is already pending: nothing to do.
    pub(super) fn wake(&self) {
        if let Err(e) = (&self.wake_tx).write(&[1]) {
            if e.kind() != io::ErrorKind::WouldBlock {
                tracing::debug!("realtime: wake-up failed: {e}");
            }
        }
    }

    /// Waits until `socket` is readable (`read`), writable (`write`), closed or failing,
    /// a [`wake`](Self::wake), or `timeout`; consumes the wake-ups.
    pub(super) fn wait(
        &self,
        socket: &TcpStream,
        read: bool,
        write: bool,
        timeout: Option<Duration>,
    ) -> io::Result<()> {
        let mut interest = PollFlags::empty();
        if read {
            interest |= PollFlags::IN;
        }
        if write {
            interest |= PollFlags::OUT;
        }
        let timeout =
            timeout.map(|d| Timespec::try_from(d.min(MAX_WAIT)).unwrap_or(Timespec { tv_sec: 0, tv_nsec: 0 }));
        let mut fds = [PollFd::new(socket, interest), PollFd::new(&self.wake_rx, PollFlags::IN)];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        if !fds[1].revents().is_empty() {
            let mut buf = [0u8; 64];
            while matches!((&self.wake_rx).read(&mut buf), Ok(n) if n > 0) {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    fn socket_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        (client, listener.accept().unwrap().0)
    }

    fn pending_wake_ups(waiter: &Waiter) -> usize {
        let mut buf = [0u8; 64];
        match (&waiter.wake_rx).read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn wake_ups_stay_pending_until_the_next_wait_consumes_them_all() {
        let (socket, _peer) = socket_pair();
        let waiter = Waiter::new().unwrap();
        waiter.wake();
        waiter.wake();
        // Nothing on the socket: only the pending wake-ups can end this wait.
        waiter
            .wait(&socket, true, false, Some(Duration::from_secs(60)))
            .unwrap();
        assert_eq!(pending_wake_ups(&waiter), 0);
        waiter.wake();
        assert_eq!(pending_wake_ups(&waiter), 1);
    }

    #[test]
    fn a_readable_socket_ends_the_wait_and_leaves_no_wake_up() {
        let (socket, mut peer) = socket_pair();
        let waiter = Waiter::new().unwrap();
        peer.write_all(b"x").unwrap();
        waiter
            .wait(&socket, true, false, Some(Duration::from_secs(60)))
            .unwrap();
        assert_eq!(pending_wake_ups(&waiter), 0);
        let mut byte = [0u8; 1];
        assert_eq!((&socket).read(&mut byte).unwrap(), 1);
    }

    #[test]
    fn a_zero_timeout_returns_at_once() {
        let (socket, _peer) = socket_pair();
        let waiter = Waiter::new().unwrap();
        waiter.wait(&socket, true, true, Some(Duration::ZERO)).unwrap();
        assert_eq!(pending_wake_ups(&waiter), 0);
    }
}
