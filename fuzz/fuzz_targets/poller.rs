//! Fuzz target `poller`: the property in `tests/fuzz_props/poller.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::poller::property(data));
