//! The sans-IO core: everything that is not moving bytes.
//!
//! The core never touches a socket, a thread, a sleep or a clock: functions that need
//! time take `now`, anything that wants to wait returns a deadline, and jitter comes
//! from a seed. A user can drive it with any HTTP stack; the blocking and async clients
//! are two such drivers, and they use nothing of it that is not public: the core is part
//! of the API on purpose, for any third driver.
//!
//! - one-shot endpoints are pairs of pure functions, `build_*` → [`http::HttpRequest`]
//!   and `parse_*(&`[`http::RawResponse`]`)` → `Result<T>`: [`files`],
//!   [`transcriptions`], [`models`], [`auth`], [`tts`];
//! - loops are state machines: [`retry::Retry`], [`poller::TranscriptionWait`],
//!   [`paginator::Paginator`], and the one-call flow [`transcribe::TranscribeFlow`];
//! - [`multipart`] frames uploads with an exact length while the file streams;
//! - [`proxy`] frames the `CONNECT` exchange that opens a tunnel through a proxy;
//! - [`rng`] is the seeded generator behind retry jitter and multipart boundaries.
//!
//! The rules for the values a [`Config`](crate::Config) holds are below the core, in
//! [`crate::config`]: [`url`](crate::config::url) (base URLs),
//! [`proxy`](crate::config::proxy) (which proxy, `NO_PROXY`) and
//! [`time`](crate::config::time) (the one rule for "a very large timeout means no deadline").

pub mod auth;
pub mod files;
pub mod http;
pub mod models;
pub mod multipart;
pub mod paginator;
pub mod poller;
pub mod proxy;
pub mod realtime;
pub mod retry;
pub mod rng;
pub mod speech;
pub mod transcribe;
pub mod transcriptions;
pub mod tts;
mod validate;
