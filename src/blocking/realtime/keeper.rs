//! The keeper: a light background thread, off the hot path. It sleeps until the session's
//! keepalive deadline (`poll_timeout`), or until told that bytes were left in the
//! WebSocket's buffer; then, under the lock, it lets the session decide (a keepalive when
//! no audio went out for `keepalive_interval`) and pushes out what is waiting. While bytes
//! are waiting it also watches the socket (writable: flush them; readable: take the
//! server's messages, which a server blocked on writing them may need before it reads
//! more). It exits when the stream is closed or the session ended.

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crossbeam_channel::Sender;

use super::shared::Shared;

/// Starts the keeper; `done` is dropped when it exits (so `close` can wait, bounded).
pub(super) fn spawn(shared: Arc<Shared>, done: Sender<()>) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("soniox-realtime".into())
        .spawn(move || run(&shared, done))
}

fn run(shared: &Shared, _done: Sender<()>) {
    loop {
        let (deadline, waiting, readable) = {
            let _span = shared.span.enter();
            let mut io = shared.lock();
            if shared.is_closing() || io.closed {
                return;
            }
            // This round watches the socket itself: the work below must not wake it again.
            io.keeper_watching = true;
            io.tick();
            if io.buffered > 0 || io.is_broken() {
                shared.read_for_reader(&mut io);
            } else {
                shared.settle(&mut io);
            }
            if io.closed {
                return;
            }
            io.keeper_watching = io.buffered > 0;
            // A parked reader takes what arrives, and wakes this wait when it returns.
            let readable = io.keeper_watching && !io.conn.socket().is_parked();
            (io.session.poll_timeout(), io.keeper_watching, readable)
        };
        let timeout = deadline.map(|at| at.saturating_duration_since(Instant::now()));
        if let Err(e) = shared.wait(&shared.keeper, readable, waiting, timeout) {
            tracing::debug!("realtime: keeper poll failed: {e}");
            return;
        }
    }
}
