//! Chaos against the blocking client: every scenario of `common_parity/chaos.rs` (written
//! once against the parity harness's `Sdk` trait; `chaos_async.rs` runs them through the
//! async client). The tests are `blocking::<scenario>`.
#![cfg(feature = "blocking")]

mod common_chaos;
mod common_parity;

#[path = "common_parity/chaos.rs"]
mod chaos;

chaos::tests_for!(blocking, Blocking);
