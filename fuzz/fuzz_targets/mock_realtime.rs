//! Fuzz target `mock_realtime`: the property in `tests/fuzz_props/mock_realtime.rs` (the mock's parsers,
//! which read whatever a client sends to the port).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::mock_realtime::property(data));
