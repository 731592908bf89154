//! Chaos against the async client, under async-std: every scenario of
//! `common_parity/chaos.rs` (written once against the parity harness's `Sdk` trait;
//! `chaos_blocking.rs` runs them through the blocking client). The tests are
//! `nonblocking::<scenario>`.
#![cfg(feature = "async")]

mod common_chaos;
mod common_parity;

#[path = "common_parity/chaos.rs"]
mod chaos;

chaos::tests_for!(nonblocking, Async);
