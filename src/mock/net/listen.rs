//! The listener under [`MockServer`](crate::mock::MockServer) and
//! [`ConnectProxy`](crate::mock::ConnectProxy): a non-blocking bind, the accept loop on the
//! async-std executor, and the handle whose drop stops that loop.

use std::io;
use std::net::SocketAddr;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use async_std::channel::{Receiver, Sender};
use async_std::net::{TcpListener, TcpStream};
use futures_lite::future;

/// Binds `addr` for an accept loop: the listener and the address it got.
pub(in crate::mock) fn bind(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    Ok((TcpListener::from(listener), addr))
}

/// A running accept loop, stopped when this handle is dropped (or [`stop`](Self::stop)ped).
#[derive(Debug)]
pub(in crate::mock) struct AcceptLoop {
    /// Dropped to close the shutdown channel: that wakes the loop (and every other wait on
    /// the channel, such as a hanging fault) at once.
    stop: Option<Sender<()>>,
    /// Signalled by the loop once the listener is closed (a Mutex keeps the owner `Sync`).
    stopped: Mutex<Option<mpsc::Receiver<()>>>,
}

impl AcceptLoop {
    /// Accepts on `listener` until `stop` is dropped, handing every connection to
    /// `on_accept`. `stop` and `shutdown` are the two ends of the owner's shutdown channel;
    /// the owner may keep clones of `shutdown` for its own waits. `name` starts the debug
    /// line of a failed accept.
    pub(in crate::mock) fn spawn(
        listener: TcpListener,
        stop: Sender<()>,
        shutdown: Receiver<()>,
        name: &'static str,
        on_accept: impl FnMut(TcpStream) + Send + 'static,
    ) -> AcceptLoop {
        let (stopped_tx, stopped) = mpsc::channel();
        async_std::task::spawn(accept_loop(listener, shutdown, stopped_tx, name, on_accept));
        AcceptLoop {
            stop: Some(stop),
            stopped: Mutex::new(Some(stopped)),
        }
    }

    /// Closes the shutdown channel and waits (at most 2 s) until the loop has closed its
    /// listener. Does nothing the second time.
    pub(in crate::mock) fn stop(&mut self) {
        drop(self.stop.take());
        let stopped = self.stopped.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(stopped) = stopped {
            let _ = stopped.recv_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for AcceptLoop {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts connections until the shutdown channel closes, then drops the listener.
async fn accept_loop(
    listener: TcpListener,
    stop: Receiver<()>,
    stopped: mpsc::Sender<()>,
    name: &'static str,
    mut on_accept: impl FnMut(TcpStream),
) {
    loop {
        let accepted = future::or(async { Some(listener.accept().await) }, async {
            let _ = stop.recv().await;
            None
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((tcp, _))) => on_accept(tcp),
            // Out of descriptors or a reset during the handshake: back off a little.
            Some(Err(e)) => {
                tracing::debug!("{name}: accept failed: {e}");
                async_std::task::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    drop(listener);
    let _ = stopped.send(());
}
