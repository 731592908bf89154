//! Fuzz target `mock_http`: the property in `tests/fuzz_props/mock_http.rs` (the mock's
//! front door over a loopback socket: async-h1, the router, the handlers, the realtime
//! upgrade and session).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::mock_http::property(data));
