//! Fuzz target `realtime_decode`: the property in `tests/fuzz_props/realtime_decode.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::realtime_decode::property(data));
