//! Fuzz target `retry_after`: the property in `tests/fuzz_props/retry_after.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::retry_after::property(data));
