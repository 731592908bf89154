//! Soniox SDK (crate docs are written later in this file).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]

pub mod audio;
#[cfg(feature = "mock")]
pub mod mock;
