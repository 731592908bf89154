//! One HTTP attempt as both clients' retry loops see it: how it failed ([`Failure`]),
//! what the core's [`Retry`] makes of it ([`after_attempt`]), and the seeds that keep
//! each client's jitter and multipart boundaries apart ([`Seeds`]), and what every client
//! holds ([`Common`]). The loops themselves
//! (sleep, permit, `.await`) stay in each client's `client.rs`.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::observe;
use crate::config::Config;
use crate::core::http::{HttpRequest, RawResponse};
use crate::core::retry::{Decision, Outcome, Retry};
use crate::core::rng::SplitMix64;
use crate::error::{Error, Result};

/// A failed attempt: the error, and whether any of the request may have reached the
/// server (which decides whether a non-idempotent request may be retried).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) sent: bool,
    pub(crate) error: Error,
}

impl Failure {
    /// A failure before a byte was written (opening the source, building the request).
    pub(crate) fn unsent(error: Error) -> Failure {
        Failure { sent: false, error }
    }
}

/// Asks the core what to do after an attempt: `Break` with the caller's result, or
/// `Continue` with the delay to sleep before the next attempt (recorded on `span`).
pub(crate) fn after_attempt(
    req: &HttpRequest,
    retry: &mut Retry,
    result: Result<RawResponse, Failure>,
    span: &tracing::Span,
) -> ControlFlow<Result<RawResponse>, Duration> {
    let outcome = match &result {
        Ok(resp) => match Outcome::from_response(resp) {
            None => return ControlFlow::Break(result.map_err(|f| f.error)),
            Some(o) => o,
        },
        Err(f) if !f.error.is_retryable() => return ControlFlow::Break(result.map_err(|f| f.error)),
        Err(f) if f.sent => Outcome::Sent,
        Err(_) => Outcome::NotSent,
    };
    match decide(req, retry, &outcome, span) {
        Some(delay) => ControlFlow::Continue(delay),
        None => ControlFlow::Break(result.map_err(|f| f.error)),
    }
}

/// The core's decision for `outcome`: `Some(delay)` to retry (logged and recorded on
/// `span`), `None` to give up. Both retry steps (REST, text-to-speech) end here.
pub(crate) fn decide(
    req: &HttpRequest,
    retry: &mut Retry,
    outcome: &Outcome,
    span: &tracing::Span,
) -> Option<Duration> {
    match retry.decide(req.method, outcome, SystemTime::now()) {
        Decision::RetryAfter(delay) => {
            tracing::debug!(
                "{}: {:?}, retry {} in {:?}",
                req.label(),
                outcome,
                retry.retries(),
                delay
            );
            observe::record_retry(span, delay);
            Some(delay)
        }
        Decision::GiveUp => None,
    }
}

/// What every client holds besides its transport and limiter: the configuration, its one
/// rustls config (built once per client; REST and realtime connections share it) and the
/// seeds.
#[derive(Debug)]
pub(crate) struct Common {
    pub(crate) config: Config,
    pub(crate) tls: crate::driver::tls::ClientTls,
    seeds: Seeds,
}

impl Common {
    /// The parts for a validated configuration (the TLS config is built here).
    pub(crate) fn new(config: Config) -> Result<Common> {
        let tls = crate::driver::tls::ClientTls::for_config(&config)?;
        Ok(Common {
            config,
            tls,
            seeds: Seeds::from_clock(),
        })
    }

    /// The retry state machine of one request.
    pub(crate) fn retry(&self) -> Retry {
        Retry::new(self.config.retry().clone(), self.seeds.next())
    }

    /// A fresh multipart boundary seed.
    pub(crate) fn boundary(&self) -> u64 {
        self.seeds.boundary()
    }
}

/// The seed source of one client (shared by its clones): retry jitter and multipart
/// boundaries draw from it, each draw a different seed.
#[derive(Debug)]
pub(crate) struct Seeds(AtomicU64);

impl Seeds {
    /// Seeded from the wall clock, so two processes do not jitter in step.
    pub(crate) fn from_clock() -> Seeds {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Seeds(AtomicU64::new(seed))
    }

    fn next(&self) -> u64 {
        self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
    }

    /// A fresh multipart boundary seed.
    pub(crate) fn boundary(&self) -> u64 {
        SplitMix64::new(self.next()).next_u64()
    }
}

/// Builds an [`Error::Io`] with the path.
pub(crate) fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: Some(path.to_owned()),
        source: e,
    }
}
