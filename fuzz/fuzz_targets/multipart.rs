//! Fuzz target `multipart`: the property in `tests/fuzz_props/multipart.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::multipart::property(data));
