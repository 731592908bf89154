//! Upload: `files().upload(path)` of a large file, interleaved with the fair raw floor (see
//! [`floors`]): the SDK's multipart framing around the file streamed from disk, exact
//! `Content-Length`; for the blocking client by a ureq agent with the SDK's settings (80/32
//! KiB buffers, TCP_NODELAY, the same per-upload limits), with ureq out of the box in the same
//! rounds as "raw, defaults"; for the async client by async-h1 over one kept-alive async-std
//! TCP stream with `TCP_NODELAY`, the file read in the SDK's 64 KiB blocks. And the heap peak
//! of a 1 MB and of the large upload through the blocking client (client and pooled
//! connection included).

use std::cell::Cell;
use std::path::Path;

use soniox::audio::generate_test_audio_file;

use async_std::task::block_on;

use super::floors::{self, H1Conn, H1};
use super::{bearer, blocking, nonblocking, sdk, Plan};
use crate::alloc;
use crate::measure::{compare, interleave, vs_defaults};
use crate::metric::{Better, Field, Metric, Target};
use crate::mock_proc::MockProcess;

const GROUP: &str = "Upload";
const SMALL: u64 = 1_000_000;
/// The bound for an upload's heap peak.
const HEAP_LIMIT: f64 = 256.0 * 1024.0;

/// The heap peak (above the live heap before the agent existed) of a fresh agent's first
/// upload of `path`.
fn raw_peak(agent: impl FnOnce() -> ureq::Agent, url: &str, path: &Path, sdk_limits: bool) -> Result<u64, String> {
    let base = alloc::snapshot().live;
    alloc::reset_peak();
    let agent = agent();
    floors::ureq_upload(&agent, url, &bearer(), path, 0, sdk_limits)?;
    Ok(alloc::snapshot().peak - base)
}

pub fn run(plan: &Plan, mock: &mut MockProcess) -> Result<Vec<Metric>, String> {
    let dir = std::env::temp_dir().join(format!("soniox-perf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = measure(plan, mock, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(plan: &Plan, mock: &mut MockProcess, dir: &Path) -> Result<Vec<Metric>, String> {
    let big_mb = plan.upload_bytes / 1_000_000;
    let (small, big) = (dir.join("small.wav"), dir.join("big.wav"));
    // Written before anything is measured: the generator's buffers are not the upload's.
    generate_test_audio_file(&small, SMALL).map_err(|e| format!("writing the 1 MB file: {e}"))?;
    generate_test_audio_file(&big, plan.upload_bytes).map_err(|e| format!("writing the large file: {e}"))?;

    // Heap: peaks above the live heap before the client existed, so both include the
    // client and its pooled connection (which the first upload opens and keeps).
    let base = alloc::snapshot().live;
    alloc::reset_peak();
    let client = blocking(mock, 100)?;
    client.files().upload(&small).map_err(sdk("1 MB upload"))?;
    let peak_small = alloc::snapshot().peak - base;
    alloc::reset_peak();
    let before_big = alloc::snapshot();
    client.files().upload(&big).map_err(sdk("large upload"))?;
    let after_big = alloc::snapshot();
    let peak_big = after_big.peak - base;

    let url = format!("{}/v1/files", mock.base_url());
    let auth = bearer();
    let peak_raw = raw_peak(|| floors::ureq_agent(floors::SDK_MAX_IDLE), &url, &big, true)?;
    let peak_defaults = raw_peak(floors::ureq_defaults, &url, &big, false)?;
    let agent = floors::ureq_agent(floors::SDK_MAX_IDLE);
    let defaults = floors::ureq_defaults();
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
        &mut || client.files().upload(&big).map(drop).map_err(sdk("large upload")),
        &mut || floors::ureq_upload(&agent, &url, &auth, &big, next(), true),
        Some(&mut || floors::ureq_upload(&defaults, &url, &auth, &big, next(), false)),
    )?;
    let mb = plan.upload_bytes as f64 / 1e6;
    let (s, r) = (&pair.sdk, &pair.raw);
    let how = format!(
        "{big_mb} MB file, {} rounds interleaved with the fair floor: the SDK's multipart framing \
         streamed from disk by a ureq agent with the SDK's settings",
        pair.rounds
    );
    let mut out = vec![
        Metric::new(GROUP, "upload.throughput", mb / (s.wall_us / 1e6), "MB/s")
            .raw_with_ratio(mb / (r.wall_us / 1e6), r.wall_us / s.wall_us)
            .target(Target::ge(Field::Ratio, 0.9, "≥ 0.9 × raw streamed upload"))
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(how.clone()),
        Metric::new(GROUP, "upload.heap_peak", peak_big as f64, "B")
            .raw(peak_raw as f64)
            .target(Target::le(Field::Value, HEAP_LIMIT - 1.0, "< 256 KiB"))
            .gate(Field::Value, Better::Lower, 4096.0)
            .note(format!(
                "{big_mb} MB upload, client and pooled connection included; raw = the fair floor's \
                 (ureq with the SDK's 80/32 KiB buffers); ureq out of the box peaks at {peak_defaults} B"
            )),
        Metric::new(GROUP, "upload.heap_flatness", peak_big as f64 / peak_small as f64, "×")
            .target(Target::le(Field::Value, 1.10, "≤ 1.10 (flat in file size)"))
            .gate(Field::Value, Better::Lower, 0.02)
            .note(format!(
                "heap peak of the {big_mb} MB upload / the 1 MB upload's ({peak_small} B)"
            )),
        Metric::new(
            GROUP,
            "upload.allocs",
            after_big.allocs_since(&before_big) as f64,
            "allocs",
        )
        .gate(Field::Value, Better::Lower, 16.0)
        .note(format!(
            "allocations during one {big_mb} MB upload ({} bytes in all)",
            after_big.bytes_since(&before_big)
        )),
    ];
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        out.push(
            Metric::new(GROUP, "upload.cpu_per_mb", sc / mb, "µs/MB")
                .raw(rc / mb)
                .gate(Field::Ratio, Better::Lower, 0.0)
                .note(format!("client CPU per MB sent; {how}")),
        );
    }
    out.extend(vs_defaults(
        GROUP,
        "upload",
        &pair,
        "ureq out of the box (128 KiB buffers, no per-write limit)",
    ));
    drop(client);

    // Async: the SDK next to raw async-h1 streaming the same framing.
    let client = nonblocking(mock, 100)?;
    let parsed = floors::h1_url(&url)?;
    let conn = block_on(H1Conn::open(&parsed, H1::Sdk))?;
    let pair = interleave(
        plan.upload_rounds,
        1,
        plan.budget,
        &mut || {
            block_on(client.files().upload(&big))
                .map(drop)
                .map_err(sdk("async large upload"))
        },
        &mut || block_on(floors::h1_upload(&conn, &parsed, &auth, &big, next())),
    )?;
    let (s, r) = (&pair.sdk, &pair.raw);
    let how = format!(
        "{big_mb} MB file, {} rounds interleaved with the fair floor: the SDK's multipart framing \
         streamed from disk in 64 KiB reads by async-h1 over one kept-alive TCP stream (TCP_NODELAY)",
        pair.rounds
    );
    out.push(
        Metric::new(GROUP, "upload.async.throughput", mb / (s.wall_us / 1e6), "MB/s")
            .raw_with_ratio(mb / (r.wall_us / 1e6), r.wall_us / s.wall_us)
            .gate(Field::Ratio, Better::Higher, 0.0)
            .note(how.clone()),
    );
    if let (Some(sc), Some(rc)) = (s.cpu_us, r.cpu_us) {
        out.push(
            Metric::new(GROUP, "upload.async.cpu_per_mb", sc / mb, "µs/MB")
                .raw(rc / mb)
                .gate(Field::Ratio, Better::Lower, 0.0)
                .note(format!("client CPU per MB sent; {how}")),
        );
    }
    Ok(out)
}
