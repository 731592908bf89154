//! Soniox SDK (crate docs are written later in this file).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod audio;
pub mod config;
pub mod core;
pub mod error;
pub mod types;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "mock")]
pub mod mock;

pub use crate::config::{ApiKey, Config, ConfigBuilder};
pub use crate::core::poller::{PollPolicy, WaitOptions};
pub use crate::core::retry::RetryPolicy;
pub use crate::error::{ApiError, Error, RealtimeError, Result};
