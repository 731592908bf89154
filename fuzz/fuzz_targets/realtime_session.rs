//! Fuzz target `realtime_session`: the property in `tests/fuzz_props/realtime_session.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::realtime_session::property(data));
