//! Per-connection handling: every request, the realtime upgrade included, is read by
//! async-h1 (after the TLS handshake, on a TLS mock).

use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use async_std::net::TcpStream;
use futures_lite::future;

use super::conn::Conn;
use super::errors::ApiError;
use super::reply::Reply;
use super::router;
use super::routes::METHODS;
use crate::mock::net::head_guard::Refusal;
use crate::mock::net::tls::Io;
use crate::mock::state::shared::{sleep_unless_shutdown, Shared};
use crate::mock::state::stats::Stats;

/// Longest a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// Takes an accepted connection (see [`AcceptLoop`](crate::mock::net::listen::AcceptLoop)):
/// counts it open until it is served.
pub(in crate::mock) fn accept(shared: &Arc<Shared>, tcp: TcpStream) {
    let registration = shared.register(&tcp); // counts it open until dropped
    let shared = shared.clone();
    async_std::task::spawn(async move {
        serve(shared, tcp).await;
        drop(registration);
    });
}

/// Serves one connection with async-h1 until it closes (or is upgraded to a realtime session,
/// see [`upgrade`](crate::mock::realtime::upgrade::upgrade)).
async fn serve(shared: Arc<Shared>, tcp: TcpStream) {
    let Some(io) = open_io(&shared, &tcp).await else {
        return;
    };
    let conn = Conn {
        tcp: tcp.clone(),
        io: io.clone(),
    };
    let handler = conn.clone();
    let endpoint = shared.clone();
    let result = async_h1::accept(io, move |req| router::handle(endpoint.clone(), handler.clone(), req)).await;
    if let Err(e) = result {
        if let Some(refusal) = guard_refusal(&e) {
            // A head async-h1 must not parse (see `head_guard`): the API's error body, then close.
            let e = ApiError::new(refusal.status(), "invalid_request", format!("Bad request: {refusal}."));
            let reply = Reply::error(&e, &shared.rng.uuid());
            shared.stats.request(METHODS.len() - 1, None);
            conn.reply_and_close(&reply, true).await;
        } else if is_unknown_method(&e) {
            // async-h1 parses only the methods `http_types::Method` knows (`QUERY` is not one)
            // and would close without a word: answer as the API does any unsupported method.
            let e = ApiError::new(405, "method_not_allowed", "Method Not Allowed");
            let reply = Reply::error(&e, &shared.rng.uuid());
            shared.stats.request(METHODS.len() - 1, None);
            conn.reply_and_close(&reply, true).await;
        }
        tracing::debug!("soniox mock: connection ended: {e}");
    }
}

/// The connection's byte stream: the TCP stream itself, or TLS over it once the handshake
/// is done (`None`, the connection closed, when it fails or takes too long). Both
/// listeners (REST and text-to-speech) start here.
pub(in crate::mock) async fn open_io(shared: &Shared, tcp: &TcpStream) -> Option<Io> {
    let _ = tcp.set_nodelay(true);
    match &shared.tls {
        None => Some(Io::plain(tcp.clone())),
        Some(identity) => {
            let handshake = future::or(
                async { Some(Io::accept(tcp.clone(), &identity.acceptor).await) },
                async {
                    sleep_unless_shutdown(shared, TLS_HANDSHAKE_LIMIT).await;
                    None
                },
            );
            match handshake.await {
                Some(Ok(io)) => {
                    Stats::add(&shared.stats.tls_handshakes, 1);
                    Some(io)
                }
                // The client refused our certificate (or was no TLS client at all).
                failed => {
                    if let Some(Err(e)) = failed {
                        tracing::debug!("soniox mock: TLS handshake failed: {e}");
                    }
                    Stats::add(&shared.stats.tls_handshake_failures, 1);
                    let _ = tcp.shutdown(Shutdown::Both);
                    None
                }
            }
        }
    }
}

/// The [`head_guard`](crate::mock::net::head_guard) refusal async-h1 stopped on, if it came
/// while a head was being read (see [`Refusal::in_head`]): then no response went out for it.
fn guard_refusal(e: &http_types::Error) -> Option<Refusal> {
    let refusal = e
        .downcast_ref::<std::io::Error>()?
        .get_ref()?
        .downcast_ref::<Refusal>()?;
    refusal.in_head.then_some(*refusal)
}

/// Whether async-h1 gave up on a request line whose method `http_types` does not know.
fn is_unknown_method(e: &http_types::Error) -> bool {
    e.to_string() == UNKNOWN_METHOD
}

/// `http_types::Method::from_str`'s error message (checked by a test in `mock_server.rs`).
const UNKNOWN_METHOD: &str = "Invalid HTTP method";
