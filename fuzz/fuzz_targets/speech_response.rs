//! Fuzz target `speech_response`: the property in `tests/fuzz_props/speech_response.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soniox_fuzz::props::speech_response::property(data));
