//! The fuzz properties on stable: every target's checked-in seed corpus
//! (`fuzz/corpus/<target>/`) plus a bounded batch of pseudo-random inputs from a fixed
//! seed. The same property functions run under cargo-fuzz (`fuzz/`, see its README).
//!
//! `SONIOX_FUZZ_CASES=<n>` changes the random batch size (default 2 000 per target);
//! `SONIOX_FUZZ_DUMP=<dir>` writes a failing random input there (as
//! `<target>-case-<n>`), ready to check in as a regression seed.

mod fuzz_props;

use std::path::Path;

/// A tiny xorshift64* generator: deterministic inputs without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() % (max_len as u64 + 1)) as usize;
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            v.extend_from_slice(&self.next().to_le_bytes());
        }
        v.truncate(len);
        v
    }
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("a corpus file reads")))
        .collect()
}

fn run(target: &str) {
    let (_, property) = fuzz_props::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let seeds = corpus(target);
    assert!(!seeds.is_empty(), "{target}: no seed corpus");
    for (name, data) in &seeds {
        let r = std::panic::catch_unwind(|| property(data));
        assert!(r.is_ok(), "{target}: the property failed on seed {name}");
    }
    let cases: u64 = std::env::var("SONIOX_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    // One fixed seed per target, so a failure reproduces with the case number.
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ target.len() as u64 ^ (target.as_bytes()[0] as u64) << 32);
    for case in 0..cases {
        let data = rng.bytes(if case % 4 == 0 { 4096 } else { 512 });
        let r = std::panic::catch_unwind(|| property(&data));
        if let (Err(_), Ok(dir)) = (&r, std::env::var("SONIOX_FUZZ_DUMP")) {
            let path = Path::new(&dir).join(format!("{target}-case-{case}"));
            std::fs::write(&path, &data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        assert!(
            r.is_ok(),
            "{target}: the property failed on random case {case} ({} bytes)",
            data.len()
        );
    }
}

#[test]
fn response_classification() {
    run("response");
}

#[test]
fn realtime_message_decoding() {
    run("realtime_decode");
}

#[test]
fn realtime_session_operation_sequences() {
    run("realtime_session");
}

#[test]
fn poller_response_sequences() {
    run("poller");
}

#[test]
fn multipart_length_is_exact() {
    run("multipart");
}

#[test]
fn speech_responses_read_the_same_however_split() {
    run("speech_response");
}

#[test]
fn retry_after_and_the_retry_loop() {
    run("retry_after");
}

#[test]
fn config_and_request_validation() {
    run("config");
}

#[test]
fn mock_multipart_parsing() {
    run("mock_multipart");
}

#[test]
fn mock_realtime_start_and_control_messages() {
    run("mock_realtime");
}

#[test]
fn mock_http_front_door_over_a_socket() {
    run("mock_http");
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let names: Vec<&str> = fuzz_props::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "response",
            "realtime_decode",
            "realtime_session",
            "poller",
            "multipart",
            "retry_after",
            "config",
            "mock_multipart",
            "mock_realtime",
            "mock_http",
            "speech_response"
        ]
    );
    for name in names {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fuzz/fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "{name}: no fuzz target"
        );
    }
}

/// Regression (found by the poller property's "never two checks at the same instant"):
/// a zero interval made the schedule check again at the same instant, a busy loop
/// against the API. Intervals now count as at least 1 ms.
#[test]
fn a_zero_poll_interval_never_checks_twice_at_the_same_instant() {
    use soniox::core::http::RawResponse;
    use soniox::core::poller::{TranscriptionWait, WaitStep};
    use std::time::{Duration, Instant};
    let t0 = Instant::now();
    let mut now = t0;
    let opts = soniox::WaitOptions::default()
        .interval(Duration::ZERO)
        .growth(1.0)
        .timeout(Some(Duration::from_millis(5)));
    let mut wait = TranscriptionWait::new("j", opts, now);
    let mut checks = Vec::new();
    for _ in 0..100 {
        match wait.poll_step(now) {
            WaitStep::Send(_) => {
                checks.push(now - t0);
                wait.handle_response(now, Ok(RawResponse::new(200, r#"{"id":"j","status":"queued"}"#)));
            }
            WaitStep::WaitUntil(t) => now = t,
            WaitStep::Done(r) => {
                assert!(matches!(r, Err(soniox::Error::Timeout(_))), "{r:?}");
                let ms: Vec<u128> = checks.iter().map(|d| d.as_millis()).collect();
                assert_eq!(ms, [0, 1, 2, 3, 4]);
                return;
            }
        }
    }
    panic!("the wait never ended: {} checks", checks.len());
}
