//! The TCP socket as tungstenite (and rustls) see it. The one thread that reads events
//! sleeps in a plain blocking `recv(2)` (a thread woken straight by the kernel's receive
//! path: about half the round trip of waiting in `poll(2)` and then reading, measured in
//! `cargo bench --bench ratios`); every other read and write never blocks, so nothing done
//! under the stream's lock ever does. How each platform gets there (`MSG_DONTWAIT` on Unix,
//! a non-blocking socket and `WSAPoll` on Windows) is in [`sys`] (the platform table).
//!
//! ```text
//! reader, under the lock   drain what it already received (no syscall) → take the inbox
//! reader, lock released    recv(2) into the inbox: blocks until bytes, EOF, error or SO_RCVTIMEO
//! reader, under the lock   put the inbox back → tungstenite reads from it
//! ```
//!
//! While the reader holds the inbox ("parked"), nobody else reads the socket (reads here
//! say `WouldBlock`), so bytes are never split between two readers out of order.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::sys::{self, Waker};

/// Bytes one parked `recv(2)` may take (the socket keeps the rest for the next one).
const INBOX_BYTES: usize = 16 * 1024;

/// What the parked reader received and tungstenite has not read yet.
#[derive(Debug)]
pub(super) struct Inbox {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// The `recv(2)` error, handed to tungstenite on its next read.
    error: Option<io::Error>,
    /// `recv(2)` saw the end of the stream: every read from now on says so.
    eof: bool,
    /// How long the parked reader may wait (on Unix also set as the socket's `SO_RCVTIMEO`).
    timeout: Option<Duration>,
}

impl Inbox {
    fn new() -> Inbox {
        Inbox {
            buf: vec![0; INBOX_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            error: None,
            eof: false,
            timeout: None,
        }
    }

    fn is_drained(&self) -> bool {
        self.start == self.end && self.error.is_none() && !self.eof
    }
}

/// How a parked [`receive`] ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Received {
    /// Bytes (or the end of the stream, or an error) are in the inbox for tungstenite.
    Something,
    /// `timeout` passed with nothing received.
    TimedOut,
}

/// The socket under the (TLS and) WebSocket layers.
#[derive(Debug)]
pub(super) struct Socket {
    tcp: TcpStream,
    /// After the handshake: reads and writes never block (`MSG_DONTWAIT`).
    open: bool,
    /// `None` while the reader is parked with it.
    inbox: Option<Inbox>,
    /// Reads stop at the inbox instead of asking the socket: the reader's pass, which
    /// gets new bytes only by parking.
    inbox_only: bool,
    /// The receive timeout currently set on the socket (`SO_RCVTIMEO`; `None`: none).
    rcv_timeout: Option<Duration>,
    /// Cleared when a read ran dry, set again when bytes (or an end) arrive: while
    /// clear, a pass over the inbox alone would find nothing.
    fed: bool,
}

impl Socket {
    /// A socket for the handshake: plain blocking reads and writes, bounded by the
    /// timeouts the caller set on `tcp`.
    pub(super) fn new(tcp: TcpStream) -> Socket {
        Socket {
            tcp,
            open: false,
            inbox: Some(Inbox::new()),
            inbox_only: false,
            rcv_timeout: None,
            fed: true,
        }
    }

    /// After the handshake: no timeouts left on the socket, and from now on reads and
    /// writes never block.
    pub(super) fn opened(&mut self) -> io::Result<()> {
        self.tcp.set_read_timeout(None)?;
        self.tcp.set_write_timeout(None)?;
        sys::opened(&self.tcp)?;
        self.rcv_timeout = None;
        self.open = true;
        Ok(())
    }

    pub(super) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// True while the reader is parked in `recv(2)`: the socket's bytes are its to take.
    pub(super) fn is_parked(&self) -> bool {
        self.inbox.is_none()
    }

    /// False when a read would surely say `WouldBlock`: reads stop at the inbox, and
    /// nothing arrived in it since the last read ran dry.
    pub(super) fn may_have_input(&self) -> bool {
        self.fed || !self.inbox_only
    }

    /// Sets whether reads stop at the inbox (see the module docs).
    pub(super) fn set_inbox_only(&mut self, on: bool) {
        self.inbox_only = on;
    }

    /// The reader takes the inbox to park with it: `None` when it still holds bytes for
    /// tungstenite (read them first) or is already taken. Sets the socket's receive
    /// timeout to `timeout` first when it differs (`None`: wait for bytes however long).
    pub(super) fn park(&mut self, timeout: Option<Duration>) -> io::Result<Option<Inbox>> {
        if !self.inbox.as_ref().is_some_and(Inbox::is_drained) {
            return Ok(None);
        }
        // SO_RCVTIMEO of zero would mean "no timeout".
        let wanted = timeout.map(|d| d.max(Duration::from_micros(1)));
        if sys::RCVTIMEO_BOUNDS_PARKING && wanted != self.rcv_timeout {
            self.tcp.set_read_timeout(wanted)?;
            self.rcv_timeout = wanted;
        }
        let mut inbox = self.inbox.take();
        if let Some(inbox) = inbox.as_mut() {
            inbox.timeout = wanted;
        }
        Ok(inbox)
    }

    /// The reader is back with what it received.
    pub(super) fn unpark(&mut self, inbox: Inbox) {
        debug_assert!(self.inbox.is_none(), "one reader parks at a time");
        self.fed = inbox.start < inbox.end || inbox.eof || inbox.error.is_some();
        self.inbox = Some(inbox);
    }
}

/// The parked reader's wait, outside the lock: one `recv(2)` into the (drained) inbox,
/// blocking up to the timeout set by [`Socket::park`]. `waker` ends it early where a
/// shutdown may not (Windows); `TimedOut` then too.
pub(super) fn receive(tcp: &TcpStream, inbox: &mut Inbox, waker: &Waker) -> Received {
    inbox.start = 0;
    inbox.end = 0;
    match sys::parked_recv(tcp, &mut inbox.buf[..], inbox.timeout, waker) {
        Ok(Some(n)) => {
            inbox.end = n;
            inbox.eof = n == 0;
            Received::Something
        }
        Ok(None) => Received::TimedOut,
        Err(e) => {
            inbox.error = Some(e);
            Received::Something
        }
    }
}

impl Read for Socket {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.open {
            return (&self.tcp).read(out);
        }
        let Some(inbox) = self.inbox.as_mut() else {
            // The parked reader owns the socket's bytes.
            return Err(io::ErrorKind::WouldBlock.into());
        };
        if inbox.start < inbox.end {
            let n = out.len().min(inbox.end - inbox.start);
            out[..n].copy_from_slice(&inbox.buf[inbox.start..inbox.start + n]);
            inbox.start += n;
            return Ok(n);
        }
        if let Some(e) = inbox.error.take() {
            return Err(e);
        }
        if inbox.eof {
            return Ok(0);
        }
        if self.inbox_only {
            self.fed = false;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let read = sys::try_recv(&self.tcp, out);
        self.fed = !matches!(&read, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        read
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.open {
            return (&self.tcp).write(buf);
        }
        sys::try_send(&self.tcp, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    fn opened_pair() -> (Socket, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let peer = listener.accept().unwrap().0;
        let mut socket = Socket::new(client);
        socket.opened().unwrap();
        (socket, peer)
    }

    #[test]
    fn reads_never_block_once_open() {
        let (mut socket, _peer) = opened_pair();
        let mut buf = [0u8; 8];
        let err = socket.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn a_parked_reader_owns_the_bytes_and_hands_them_over_in_order() {
        let (mut socket, mut peer) = opened_pair();
        peer.write_all(b"hello").unwrap();
        let mut inbox = socket.park(Some(Duration::from_secs(60))).unwrap().unwrap();
        assert!(socket.is_parked());
        // Nobody else reads while the reader is parked, even with bytes waiting.
        let mut buf = [0u8; 8];
        assert_eq!(socket.read(&mut buf).unwrap_err().kind(), io::ErrorKind::WouldBlock);
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::Something
        );
        socket.unpark(inbox);
        socket.set_inbox_only(true);
        assert_eq!(socket.read(&mut buf[..3]).unwrap(), 3);
        assert_eq!(socket.read(&mut buf[3..]).unwrap(), 2);
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(socket.read(&mut buf).unwrap_err().kind(), io::ErrorKind::WouldBlock);
        assert!(!socket.may_have_input(), "ran dry with nothing new");
        socket.set_inbox_only(false);
        assert!(socket.may_have_input(), "the socket itself may have bytes");
    }

    #[test]
    fn the_inbox_is_taken_only_once_drained() {
        let (mut socket, mut peer) = opened_pair();
        peer.write_all(b"ab").unwrap();
        let mut inbox = socket.park(None).unwrap().unwrap();
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::Something
        );
        socket.unpark(inbox);
        assert!(socket.park(None).unwrap().is_none(), "two bytes not read yet");
        let mut buf = [0u8; 2];
        socket.read_exact(&mut buf).unwrap();
        assert!(socket.park(None).unwrap().is_some());
    }

    #[test]
    fn a_timed_park_ends_with_nothing() {
        let (mut socket, _peer) = opened_pair();
        let mut inbox = socket.park(Some(Duration::from_millis(20))).unwrap().unwrap();
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::TimedOut
        );
        socket.unpark(inbox);
        // A zero timeout is still a (1 µs) timeout, never "wait forever".
        let mut inbox = socket.park(Some(Duration::ZERO)).unwrap().unwrap();
        assert_eq!(inbox.timeout, Some(Duration::from_micros(1)));
        #[cfg(unix)]
        assert_eq!(socket.rcv_timeout, Some(Duration::from_micros(1)));
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::TimedOut
        );
        socket.unpark(inbox);
        // Back to no timeout.
        let inbox = socket.park(None).unwrap().unwrap();
        assert_eq!(inbox.timeout, None);
        socket.unpark(inbox);
        assert_eq!(socket.rcv_timeout, None);
    }

    #[test]
    fn the_end_of_the_stream_and_errors_reach_tungstenite_through_the_inbox() {
        let (mut socket, peer) = opened_pair();
        drop(peer);
        let mut inbox = socket.park(None).unwrap().unwrap();
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::Something
        );
        socket.unpark(inbox);
        // Also for the reader's own pass, which never asks the socket.
        socket.set_inbox_only(true);
        let mut buf = [0u8; 4];
        assert_eq!(socket.read(&mut buf).unwrap(), 0);
        assert_eq!(socket.read(&mut buf).unwrap(), 0);
        assert!(socket.park(None).unwrap().is_none(), "nothing more to wait for");
    }

    #[test]
    fn a_shutdown_wakes_the_parked_reader() {
        let (mut socket, _peer) = opened_pair();
        let mut inbox = socket.park(None).unwrap().unwrap();
        let tcp = socket.tcp.try_clone().unwrap();
        let waker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tcp.shutdown(std::net::Shutdown::Read).unwrap();
        });
        assert_eq!(
            receive(&socket.tcp, &mut inbox, &Waker::new().unwrap()),
            Received::Something
        );
        waker.join().unwrap();
        socket.unpark(inbox);
        socket.set_inbox_only(true);
        let mut buf = [0u8; 4];
        assert_eq!(socket.read(&mut buf).unwrap(), 0);
    }
}
