//! Fuzz target `config`: the property in `tests/fuzz_props/config.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::config::property(data));
