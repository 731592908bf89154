//! Idle HTTP/1.1 connections of the async client, per host: a connection comes back only
//! once its response was read to the end and ureq-proto allows reuse, with nothing unread
//! left in its buffer; it is handed out again only while it is still open (checked
//! without waiting) and younger than the idle bound. At most `max_idle` are kept.
//!
//! The limit on open connections is not here: the client's [`Limiter`] lets at most
//! `max_connections` requests hold a connection at once, and a new connection is opened
//! only when no idle one is left, so the connections open at any moment (in use + idle)
//! never exceed `max_connections`.
//!
//! Nothing runs in the background (the library spawns no task): expired connections are
//! closed whenever the pool is used, and all of them when the client is dropped.
//!
//! [`Limiter`]: super::limiter::Limiter

use std::io;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::{AsyncRead, AsyncWriteExt};
use ureq_proto::client::state::Cleanup;
use ureq_proto::client::Call;

use super::net::{Endpoint, Socket};

/// How long a connection may sit idle before it is closed instead of reused.
pub(crate) const IDLE_BOUND: Duration = Duration::from_secs(30);
/// Read buffer of a new connection (it grows for a larger response head).
const INPUT: usize = 16 * 1024;

/// One open connection and its buffers (kept across the requests it carries).
pub(crate) struct Conn {
    socket: Socket,
    input: Vec<u8>,
    /// Unread bytes: `input[start..end]`.
    start: usize,
    end: usize,
    out: Vec<u8>,
    /// Where ureq-proto writes a request head: zeroed once per connection, not per request.
    scratch: Vec<u8>,
    /// A request was just sent: wait for readability before the next read.
    awaiting_reply: bool,
}

/// The size of [`Conn::scratch_and_out`]'s scratch buffer: ureq-proto writes a head one line
/// at a time, and the clients' lines are short (a longer one doubles it, up to the head
/// limit). Kept per pooled connection, so small (it was 8 KiB of every upload's heap).
const SCRATCH: usize = 1024;

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

impl Conn {
    pub(crate) fn new(socket: Socket) -> Conn {
        Conn {
            socket,
            input: Vec::new(),
            start: 0,
            end: 0,
            out: Vec::new(),
            scratch: Vec::new(),
            awaiting_reply: false,
        }
    }

    pub(crate) fn socket(&mut self) -> &mut Socket {
        &mut self.socket
    }

    /// Bytes to send (written by [`flush_out`](Self::flush_out)).
    pub(crate) fn out(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// A zeroed scratch buffer (8 KiB, or more after [`grow_scratch`](Self::grow_scratch)),
    /// and the bytes waiting to be written.
    pub(crate) fn scratch_and_out(&mut self) -> (&mut [u8], &mut Vec<u8>) {
        if self.scratch.is_empty() {
            self.scratch = vec![0; SCRATCH];
        }
        (&mut self.scratch, &mut self.out)
    }

    /// Writes and flushes what [`out`](Self::out) holds.
    pub(crate) async fn flush_out(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.socket.write_all(&self.out).await?;
            self.out.clear();
        }
        self.socket.flush().await
    }

    /// Doubles the scratch buffer (for a request head line longer than it).
    pub(crate) fn grow_scratch(&mut self) {
        let grown = (self.scratch.len() * 2).max(SCRATCH);
        self.scratch.resize(grown, 0);
    }

    /// The request is on the wire: the next [`fill`](Self::fill) waits for the socket to
    /// become readable before it reads (when nothing is buffered already).
    pub(crate) fn sent(&mut self) {
        self.awaiting_reply = self.start == self.end;
    }

    /// The bytes received and not consumed yet.
    pub(crate) fn input(&self) -> &[u8] {
        &self.input[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
    }

    /// Reads more bytes after the unread ones; `Ok(0)` at the end of the stream.
    pub(crate) async fn fill(&mut self) -> io::Result<usize> {
        futures::future::poll_fn(|cx| self.poll_fill(cx)).await
    }

    pub(crate) fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.awaiting_reply {
            // Just sent: the answer cannot be here yet, so wait before the first read.
            std::task::ready!(self.socket.poll_readable(cx))?;
            self.awaiting_reply = false;
        }
        if self.input.is_empty() {
            self.input.resize(INPUT, 0);
        }
        if self.end == self.input.len() {
            if self.start > 0 {
                self.input.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, self.end - self.start);
            } else {
                let grown = self.input.len() * 2;
                self.input.resize(grown, 0);
            }
        }
        let n = std::task::ready!(Pin::new(&mut self.socket).poll_read(cx, &mut self.input[self.end..]))?;
        self.end += n;
        Poll::Ready(Ok(n))
    }

    /// Still open, with nothing unexpected to read (checked without waiting).
    fn is_open(&mut self) -> bool {
        self.socket.is_idle_and_open()
    }
}

struct Idle {
    to: Endpoint,
    conn: Conn,
    since: Instant,
}

/// The idle connections.
#[derive(Debug)]
pub(crate) struct Pool {
    idle: Mutex<Vec<Idle>>,
    max_idle: usize,
    bound: Duration,
}

impl std::fmt::Debug for Idle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idle")
            .field("to", &self.to)
            .field("since", &self.since)
            .finish()
    }
}

impl Pool {
    pub(crate) fn new(max_idle: usize, bound: Duration) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            max_idle,
            bound,
        }
    }

    /// The most recently used idle connection to `to` that is still open, if any.
    pub(crate) fn take(&self, to: &Endpoint) -> Option<Conn> {
        loop {
            let (found, expired) = {
                let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                let expired = self.expire(&mut idle);
                let found = idle.iter().rposition(|i| i.to == *to).map(|at| idle.remove(at));
                (found, expired)
            };
            drop(expired); // closed outside the lock
            let mut conn = found?.conn;
            if conn.is_open() {
                return Some(conn);
            }
        }
    }

    /// Gives back a connection whose exchange ended (`call`): kept if ureq-proto allows
    /// reuse, nothing is left unread and there is room; closed otherwise.
    pub(crate) fn put(&self, to: &Endpoint, conn: Conn, call: &Call<Cleanup>) {
        if call.must_close_connection() || !conn.input().is_empty() || self.max_idle == 0 {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let expired = self.expire(&mut idle);
        if idle.len() < self.max_idle {
            idle.push(Idle {
                to: to.clone(),
                conn,
                since: Instant::now(),
            });
        }
        drop(idle);
        drop(expired);
    }

    /// Removes (and returns, to be dropped outside the lock) the expired connections.
    fn expire(&self, idle: &mut Vec<Idle>) -> Vec<Idle> {
        if idle.first().is_none_or(|i| i.since.elapsed() <= self.bound) {
            return Vec::new(); // oldest first: nothing has expired
        }
        let keep = idle
            .iter()
            .position(|i| i.since.elapsed() <= self.bound)
            .unwrap_or(idle.len());
        idle.drain(..keep).collect()
    }
}
