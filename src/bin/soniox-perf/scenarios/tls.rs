//! TLS: the SDK over https against a second mock child process serving TLS
//! (`--serve-mock-tls`: a CA and a leaf for `127.0.0.1` made at start, the CA's PEM handed
//! to this process), each figure beside raw ureq + rustls in the same run.
//!
//! The fair raw floor is [`floors::ureq_agent_tls`]: a ureq agent with the SDK's settings
//! (80/32 KiB buffers, pool of 20, per-phase timeouts, `TCP_NODELAY`) on ureq's own rustls
//! connector with the ring provider (the SDK's), trusting the mock's CA. The SDK's clients
//! trust the same CA through `ConfigBuilder::add_root_certificates_pem`. Every side keeps its
//! connection in its pool, so the handshake is paid once, in the warm-up: the figures are
//! the cost of records (encrypting, decrypting, framing) on top of what the plain-HTTP
//! scenarios measure.
//!
//! - `tls.blocking.models_list.*`: `models().list()` through the blocking client against the
//!   same GET and typed decode by the raw agent; throughput ≥ 0.9 × and CPU per call ≤ 1.15 ×
//!   raw, gated as ratios (as `rest.blocking.models_list.*`). The async client's calls run in
//!   the same rounds, inside one executor as in `rest.rs`, reported beside the blocking
//!   client's (`tls.async.models_list.*`, informational).
//! - `tls.upload.*`: `files().upload(path)` of a file (20 MB quick, 100 MB full) through the
//!   blocking client against the raw agent streaming the same multipart body from disk;
//!   throughput ≥ 0.9 × raw, gated as a ratio; the heap peak of a 1 MB and of the large
//!   upload, client and pooled connection included (< 256 KiB, flat).

use std::cell::Cell;
use std::path::Path;

use async_std::task::block_on;
use soniox::audio::generate_test_audio_file;

use super::floors;
use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::alloc;
use crate::measure::{compare, compare_all, each, latency, Batch, Pair, Side};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;

const GROUP: &str = "TLS";
/// What the raw side is, in every target label.
const RAW: &str = "raw ureq + rustls";
/// The fair floor, in every note.
const FLOOR: &str = "a ureq agent with the SDK's settings (TCP_NODELAY, 80/32 KiB buffers, per-phase timeouts, \
                     pool of 20) on ureq's rustls connector with the ring provider, trusting the mock's CA; \
                     one kept-alive connection per side, the handshake paid in the warm-up";
const SMALL: u64 = 1_000_000;
/// The bound for an upload's heap peak.
const HEAP_LIMIT: f64 = 256.0 * 1024.0;
pub fn run(plan: &Plan, _plain: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let mock = MockProcess::start_tls()?;
    let ca = mock
        .ca_pem()
        .ok_or_else(|| "the TLS mock process gave no CA".to_owned())?
        .to_owned();
    let mut out = rest(plan, &mock, &ca)?;
    let dir = std::env::temp_dir().join(format!("soniox-perf-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = upload(plan, &mock, &ca, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    out.extend(result?);
    Ok(out)
}

/// `models().list()` over https: the blocking client, raw ureq + rustls and the async client
/// in the same interleaved rounds.
fn rest(plan: &Plan, mock: &MockProcess, ca: &str) -> Result<Vec<Metric>, String> {
    let (rounds, n) = plan.rest;
    let url = format!("{}/v1/models", mock.base_url());
    let auth = bearer();
    let client = blocking(mock, 100)?;
    let nb = nonblocking(mock, 100)?;
    let agent = floors::ureq_agent_tls(floors::SDK_MAX_IDLE, ca)?;
    let (sides, rounds) = {
        let mut blocking_sdk = || client.models().list().map(drop).map_err(sdk("https models().list()"));
        let mut blocking_sdk = each(&mut blocking_sdk);
        let mut raw = || floors::ureq_models(&agent, &url, &auth).map(drop);
        let mut raw = each(&mut raw);
        let mut async_sdk = |n: usize, done: &mut dyn FnMut()| {
            block_on(async {
                for _ in 0..n {
                    nb.models().list().await.map_err(sdk("async https models().list()"))?;
                    done();
                }
                Ok(())
            })
        };
        let mut ops: [Batch<'_>; 3] = [&mut blocking_sdk, &mut raw, &mut async_sdk];
        compare_all(rounds, n, plan.budget, None, &mut ops)?
    };
    let [blocking_side, raw_side, async_side]: [Side; 3] = sides
        .try_into()
        .map_err(|_| "internal: three sides expected".to_owned())?;
    let mut out = blocking_metrics(&Pair {
        sdk: blocking_side.clone(),
        raw: raw_side,
        defaults: None,
        rounds,
    });
    out.extend(async_metrics(&Pair {
        sdk: async_side,
        raw: blocking_side,
        defaults: None,
        rounds,
    }));
    Ok(out)
}

/// `tls.blocking.models_list.*`: throughput (≥ 0.9 × raw) and CPU per call (≤ 1.15 × raw),
/// gated as ratios; latency and allocations per call.
fn blocking_metrics(pair: &Pair) -> Vec<Metric> {
    let name = "tls.blocking.models_list";
    let how = format!(
        "over https; {} rounds interleaved with the fair floor (raw = {FLOOR}) and the async client: the same \
         GET and the same typed decode",
        pair.rounds
    );
    let (s, r) = (&pair.sdk, &pair.raw);
    let mut out = vec![
        Metric::new(GROUP, &format!("{name}.throughput"), 1e6 / s.wall_us, "req/s")
            .raw_with_ratio(1e6 / r.wall_us, r.wall_us / s.wall_us)
            .target(Target::ge(Field::Ratio, 0.9, format!("≥ 0.9 × {RAW}")))
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(format!("one caller, sequential; {how}")),
        latency(GROUP, &format!("{name}.latency"), pair).note(format!("per call; value = p50; {how}")),
    ];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        out.push(
            Metric::new(GROUP, &format!("{name}.cpu_per_call"), sc, "µs")
                .raw(rc)
                .target(Target::le(Field::Ratio, 1.15, format!("≤ 1.15 × {RAW}")))
                .gate(Field::Ratio, Better::Lower, 0.0)
                .note(format!(
                    "client CPU (all threads of this process; the mock is a child process); {how}"
                )),
        );
    }
    out.push(
        Metric::new(GROUP, &format!("{name}.allocs_per_call"), s.allocs, "allocs")
            .raw(r.allocs)
            .gate(Field::Value, Better::Lower, 2.0)
            .note(format!(
                "Rust heap allocations per call (bytes: SDK {:.0}, raw {:.0}); {how}",
                s.alloc_bytes, r.alloc_bytes
            )),
    );
    out
}

/// `tls.async.models_list.*` (informational): the async client (value; its calls made
/// inside one running executor) beside the blocking client (raw), same rounds.
fn async_metrics(pair: &Pair) -> Vec<Metric> {
    let name = "tls.async.models_list";
    let how = format!(
        "informational, not gated: over https, value = the async client (its calls made inside one running \
         executor, as an async program makes them), raw = the blocking client, {} rounds interleaved with \
         each other and with raw ureq + rustls",
        pair.rounds
    );
    let (s, b) = (&pair.sdk, &pair.raw);
    let mut out = vec![
        Metric::new(GROUP, &format!("{name}.throughput"), 1e6 / s.wall_us, "req/s")
            .raw_with_ratio(1e6 / b.wall_us, b.wall_us / s.wall_us)
            .note(format!("one caller, sequential; {how}")),
        latency(GROUP, &format!("{name}.latency"), pair).note(format!("per call; value = p50; {how}")),
    ];
    if let (Some(sc), Some(bc)) = (s.cpu_us, b.cpu_us) {
        out.push(
            Metric::new(GROUP, &format!("{name}.cpu_vs_blocking"), sc, "µs")
                .raw(bc)
                .note(format!("client CPU per call (all threads of this process); {how}")),
        );
    }
    out.push(
        Metric::new(GROUP, &format!("{name}.allocs_per_call"), s.allocs, "allocs")
            .raw(b.allocs)
            .note(format!(
                "Rust heap allocations per call (bytes: async {:.0}, blocking {:.0}); {how}",
                s.alloc_bytes, b.alloc_bytes
            )),
    );
    out
}

/// The heap peak (above the live heap before the agent existed) of a fresh raw agent's
/// first upload of `path` over https.
fn raw_peak(url: &str, ca: &str, path: &Path) -> Result<u64, String> {
    let base = alloc::snapshot().live;
    alloc::reset_peak();
    let agent = floors::ureq_agent_tls(floors::SDK_MAX_IDLE, ca)?;
    floors::ureq_upload(&agent, url, &bearer(), path, 0, true)?;
    Ok(alloc::snapshot().peak.saturating_sub(base))
}

/// `files().upload(path)` over https: the heap peaks, then the blocking client interleaved
/// with raw ureq + rustls streaming the same multipart body.
fn upload(plan: &Plan, mock: &MockProcess, ca: &str, dir: &Path) -> Result<Vec<Metric>, String> {
    let (small, big) = (dir.join("small.wav"), dir.join("big.wav"));
    // Written before anything is measured: the generator's buffers are not the upload's.
    generate_test_audio_file(&small, SMALL).map_err(|e| format!("writing the 1 MB file: {e}"))?;
    generate_test_audio_file(&big, plan.tls_upload_bytes).map_err(|e| format!("writing the large file: {e}"))?;

    // Heap: peaks above the live heap before the client existed, so both include the
    // client (its rustls config with the added CA) and its pooled TLS connection (which the
    // first upload opens and keeps).
    let base = alloc::snapshot().live;
    alloc::reset_peak();
    let client = blocking(mock, 100)?;
    client.files().upload(&small).map_err(sdk("1 MB https upload"))?;
    let peak_small = alloc::snapshot().peak.saturating_sub(base);
    alloc::reset_peak();
    let before_big = alloc::snapshot();
    client.files().upload(&big).map_err(sdk("large https upload"))?;
    let after_big = alloc::snapshot();
    let peak_big = after_big.peak.saturating_sub(base);

    let url = format!("{}/v1/files", mock.base_url());
    let auth = bearer();
    let peak_raw = raw_peak(&url, ca, &big)?;
    let agent = floors::ureq_agent_tls(floors::SDK_MAX_IDLE, ca)?;
    let seed = Cell::new(1u64);
    let next = || {
        seed.set(seed.get() + 1);
        seed.get()
    };
    let pair = compare(
        plan.upload_rounds,
        1,
        plan.budget,
        None,
        &mut || client.files().upload(&big).map(drop).map_err(sdk("large https upload")),
        &mut || floors::ureq_upload(&agent, &url, &auth, &big, next(), true),
        None,
    )?;
    Ok(upload_metrics(
        &pair,
        plan.tls_upload_bytes,
        Heap {
            peak_small,
            peak_big,
            peak_raw,
            allocs_big: after_big.allocs_since(&before_big),
            bytes_big: after_big.bytes_since(&before_big),
        },
    ))
}

/// The heap figures of the upload scenario.
struct Heap {
    peak_small: u64,
    peak_big: u64,
    peak_raw: u64,
    allocs_big: u64,
    bytes_big: u64,
}

fn upload_metrics(pair: &Pair, bytes: u64, heap: Heap) -> Vec<Metric> {
    let mb = bytes as f64 / 1e6;
    let big_mb = bytes / 1_000_000;
    let (s, r) = (&pair.sdk, &pair.raw);
    let how = format!(
        "{big_mb} MB file over https, {} rounds interleaved with the fair floor: the SDK's multipart framing \
         streamed from disk by {FLOOR}",
        pair.rounds
    );
    let mut out = vec![
        Metric::new(GROUP, "tls.upload.throughput", mb / (s.wall_us / 1e6), "MB/s")
            .raw_with_ratio(mb / (r.wall_us / 1e6), r.wall_us / s.wall_us)
            .target(Target::ge(Field::Ratio, 0.9, format!("≥ 0.9 × {RAW} streamed upload")))
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(how.clone()),
        Metric::new(GROUP, "tls.upload.heap_peak", heap.peak_big as f64, "B")
            .raw(heap.peak_raw as f64)
            .target(Target::le(Field::Value, HEAP_LIMIT - 1.0, "< 256 KiB"))
            .gate(Field::Value, Better::Lower, 4096.0)
            .note(format!(
                "{big_mb} MB upload over https, client (its rustls config with the added CA) and pooled TLS \
                 connection included; raw = {RAW}'s first upload on a fresh agent (the SDK's 80/32 KiB buffers, \
                 trusting the mock's CA alone)"
            )),
        Metric::new(
            GROUP,
            "tls.upload.heap_flatness",
            heap.peak_big as f64 / heap.peak_small as f64,
            "×",
        )
        .target(Target::le(Field::Value, 1.10, "≤ 1.10 (flat in file size)"))
        .gate(Field::Value, Better::Lower, 0.02)
        .note(format!(
            "heap peak of the {big_mb} MB upload over https / the 1 MB upload's ({} B)",
            heap.peak_small
        )),
        // rustls encrypts each record into a buffer of its own: allocations grow with the
        // file (freed as each record is written), so they are counted per MB.
        Metric::new(GROUP, "tls.upload.allocs_per_mb", heap.allocs_big as f64 / mb, "allocs")
            .raw(r.allocs / mb)
            .gate(Field::Value, Better::Lower, 8.0)
            .note(format!(
                "allocations per MB during one {big_mb} MB upload over https ({} in all, {} bytes; rustls \
                 allocates each outgoing record and frees it once written); raw = {RAW}, median of the rounds",
                heap.allocs_big, heap.bytes_big
            )),
    ];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        out.push(
            Metric::new(GROUP, "tls.upload.cpu_per_mb", sc / mb, "µs/MB")
                .raw(rc / mb)
                .gate(Field::Ratio, Better::Lower, 0.0)
                .note(format!("client CPU per MB sent (encryption included); {how}")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::histogram;

    fn side(wall: f64, cpu: f64) -> Side {
        let mut hist = histogram();
        hist.record((wall * 1000.0) as u64).unwrap();
        Side {
            wall_us: wall,
            cpu_us: Some(cpu),
            allocs: 10.0,
            alloc_bytes: 1000.0,
            hist,
        }
    }

    fn pair(sdk: (f64, f64), raw: (f64, f64)) -> Pair {
        Pair {
            sdk: side(sdk.0, sdk.1),
            raw: side(raw.0, raw.1),
            defaults: None,
            rounds: 3,
        }
    }

    fn problems(metrics: Vec<Metric>) -> Vec<String> {
        crate::gate::baseline_problems(&crate::metric::Report {
            schema: crate::metric::SCHEMA,
            mode: "quick".into(),
            created_unix: 0,
            duration_s: 1.0,
            cpus: 2,
            metrics,
            failures: Vec::new(),
        })
    }

    #[test]
    fn the_blocking_https_figures_are_gated_as_ratios_against_raw_ureq_rustls() {
        let ms = blocking_metrics(&pair((100.0, 110.0), (95.0, 100.0)));
        let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "tls.blocking.models_list.throughput",
                "tls.blocking.models_list.latency",
                "tls.blocking.models_list.cpu_per_call",
                "tls.blocking.models_list.allocs_per_call",
            ]
        );
        let get = |n: &str| ms.iter().find(|m| m.name.ends_with(n)).unwrap();
        let tput = get(".throughput");
        assert_eq!(tput.targets[0].label, "≥ 0.9 × raw ureq + rustls");
        assert_eq!(tput.gate.as_ref().map(|g| g.field), Some(Field::Ratio));
        assert!((tput.ratio.unwrap() - 0.95).abs() < 1e-9);
        let cpu = get(".cpu_per_call");
        assert_eq!(cpu.targets[0].label, "≤ 1.15 × raw ureq + rustls");
        assert_eq!(cpu.targets[0].known_miss, None);
        assert_eq!(
            cpu.gate.as_ref().map(|g| (g.field, g.better)),
            Some((Field::Ratio, Better::Lower))
        );
        assert!(cpu.note.contains("trusting the mock's CA"), "{}", cpu.note);
        assert!(problems(ms).is_empty());
        // A CPU ratio over 1.15 is a missed gated target: no baseline is written from it.
        let found = problems(blocking_metrics(&pair((100.0, 120.0), (100.0, 100.0))));
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("tls.blocking.models_list.cpu_per_call")),
            "{found:?}"
        );
        let found = problems(blocking_metrics(&pair((120.0, 100.0), (100.0, 100.0))));
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("tls.blocking.models_list.throughput")),
            "{found:?}"
        );
    }

    #[test]
    fn the_async_https_figures_are_informational() {
        let ms = async_metrics(&pair((200.0, 300.0), (100.0, 100.0)));
        assert_eq!(ms.len(), 4);
        for m in &ms {
            assert!(m.name.starts_with("tls.async.models_list."), "{}", m.name);
            assert!(
                m.gate.is_none() && m.targets.is_empty() && m.pass.is_none(),
                "{}",
                m.name
            );
            assert!(m.note.contains("raw = the blocking client"), "{}", m.note);
        }
        assert!(problems(ms).is_empty());
    }

    #[test]
    fn the_upload_over_https_is_gated_on_its_ratio_and_its_heap() {
        let heap = |big: u64| Heap {
            peak_small: 200_000,
            peak_big: big,
            peak_raw: 190_000,
            allocs_big: 1200,
            bytes_big: 20_000_000,
        };
        let ms = upload_metrics(&pair((100.0, 50.0), (95.0, 50.0)), 10_000_000, heap(201_000));
        let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "tls.upload.throughput",
                "tls.upload.heap_peak",
                "tls.upload.heap_flatness",
                "tls.upload.allocs_per_mb",
                "tls.upload.cpu_per_mb",
            ]
        );
        assert!(ms.iter().all(|m| m.gate.is_some()), "every upload figure is gated");
        let tput = &ms[0];
        assert_eq!(tput.targets[0].label, "≥ 0.9 × raw ureq + rustls streamed upload");
        assert!((ms[2].value - 1.005).abs() < 1e-9);
        assert!((ms[3].value - 120.0).abs() < 1e-9, "allocations per MB");
        assert!(problems(ms).is_empty());
        // Over 256 KiB, or growing with the file: refused (no known miss left).
        let ms = upload_metrics(&pair((100.0, 50.0), (95.0, 50.0)), 10_000_000, heap(300_000));
        let peak = ms.iter().find(|m| m.name == "tls.upload.heap_peak").unwrap();
        assert_eq!(peak.pass, Some(false));
        assert!(peak.gate.is_some());
        let found = problems(ms);
        assert!(found.iter().any(|p| p.starts_with("tls.upload.heap_peak")), "{found:?}");
        assert!(
            found.iter().any(|p| p.starts_with("tls.upload.heap_flatness")),
            "{found:?}"
        );
        let ms = upload_metrics(&pair((100.0, 50.0), (95.0, 50.0)), 10_000_000, heap(201_000));
        assert!(ms.iter().all(|m| m.targets.iter().all(|t| t.known_miss.is_none())));
    }
}
