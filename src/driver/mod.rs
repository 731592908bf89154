//! Driver support: what the blocking and async clients share that is not sans-IO (so
//! not in [`crate::core`]), written once for both. Each rule here has one home:
//!
//! - [`attempt`]: one HTTP attempt's failure, the retry step after it, what every client
//!   holds (config, TLS, seeds);
//! - [`observe`]: the `soniox.request` tracing span of each attempt;
//! - [`tls`]: the one rustls setup (ring, the configured roots) every connection uses;
//! - [`proxy`]: the `CONNECT` tunnel over a blocking or async stream and its errors;
//! - [`speech`]: where `POST /tts` goes, its request bytes, its retry step;
//! - [`ws_upgrade`]: the realtime WebSocket upgrade request and its refusal;
//! - [`realtime`]: the stream defaults, the live counters, the `soniox.realtime` span and
//!   what a stream does with each event.
//!
//! Crate-private: only the two clients use it. The clients keep what differs by
//! `async`/`.await` alone (their loops, sleeps and I/O).

pub(crate) mod attempt;
pub(crate) mod observe;
pub(crate) mod proxy;
pub(crate) mod realtime;
pub(crate) mod speech;
pub(crate) mod tls;
pub(crate) mod ws_upgrade;
