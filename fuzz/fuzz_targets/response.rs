//! Fuzz target `response`: the property in `tests/fuzz_props/response.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::response::property(data));
