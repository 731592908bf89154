//! Fuzz target `mock_multipart`: the property in `tests/fuzz_props/mock_multipart.rs` (the mock's parsers,
//! which read whatever a client sends to the port).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::mock_multipart::property(data));
