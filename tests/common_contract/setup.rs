//! Mock configurations and setup steps shared by the case rows.

use std::sync::OnceLock;
use std::time::Duration;

use soniox::audio::{wav_bytes, WavSpec};
use soniox::mock::{JobTiming, MockConfig};
use soniox::types::CreateTranscription;

use super::cases::Ctx;
use super::client::must;

/// An id no mock ever minted (UUID-shaped, so only the lookup fails).
pub const NO_SUCH_ID: &str = "00000000-0000-4000-8000-000000000000";
/// Not audio (no container signature): a job from it ends `error`.
pub const NOT_AUDIO: &[u8] = &[0u8; 3200];
/// One byte over [`small_uploads`]'s limit.
pub const TOO_BIG: &[u8] = &[0u8; 17];

/// A 100 ms WAV (16 kHz mono): small, so a refused upload is sent whole before the answer.
pub fn audio() -> &'static [u8] {
    static WAV: OnceLock<Vec<u8>> = OnceLock::new();
    WAV.get_or_init(|| wav_bytes(WavSpec::default(), Duration::from_millis(100)))
}

// ---- mock configurations ----------------------------------------------------------------

/// One authenticated request a minute: `prepare` spends it, the call gets 429.
pub fn one_per_minute() -> MockConfig {
    MockConfig::default().requests_per_minute(1)
}
/// Two a minute: upload + create in `prepare`, the call gets 429.
pub fn two_per_minute() -> MockConfig {
    MockConfig::default().requests_per_minute(2)
}
/// Uploads of at most 16 bytes.
pub fn small_uploads() -> MockConfig {
    MockConfig::default().max_upload_bytes(16)
}
/// Jobs are `processing` from creation for an hour; one pending job at most.
pub fn stuck_processing() -> MockConfig {
    let timing = JobTiming::Elapsed {
        queued: Duration::ZERO,
        processing: Duration::from_secs(3600),
    };
    MockConfig::default().job_timing(timing).max_pending_jobs(1)
}
/// Jobs are terminal at once.
pub fn immediate() -> MockConfig {
    MockConfig::default().job_timing(JobTiming::Immediate)
}
/// Each GET of a job advances it: queued, processing, then terminal.
pub fn by_polls() -> MockConfig {
    MockConfig::default().job_timing(JobTiming::Polls {
        queued: 1,
        processing: 1,
    })
}

// ---- setup steps ------------------------------------------------------------------------

pub fn upload(c: &Ctx<'_>) -> String {
    must("upload", c.sdk.upload_bytes(audio(), "contract.wav")).id
}
pub fn upload_with_ref(c: &Ctx<'_>) -> String {
    must("upload", c.sdk.upload_ref(audio(), "contract.wav", "ref-contract")).id
}
pub fn two_files(c: &Ctx<'_>) -> String {
    upload(c);
    upload_with_ref(c)
}
/// Spends the one request of [`one_per_minute`].
pub fn spend_quota(c: &Ctx<'_>) -> String {
    must("models", c.sdk.models());
    String::new()
}
/// Every option the job JSON echoes.
pub fn rich(file_id: &str) -> CreateTranscription {
    CreateTranscription::file_id(file_id)
        .language_hints(["en", "de"])
        .diarization(true)
        .language_identification(true)
        .webhook_url("https://example.com/hook")
        .webhook_auth_header("Authorization", "Bearer secret")
        .client_reference_id("ref-job")
}
pub fn job(c: &Ctx<'_>) -> String {
    let file = upload(c);
    must("create", c.sdk.create(CreateTranscription::file_id(file))).id
}
pub fn rich_job(c: &Ctx<'_>) -> String {
    let file = upload(c);
    must("create", c.sdk.create(rich(&file))).id
}
/// A job that ends `error` (`invalid_audio_file`).
pub fn failed_job(c: &Ctx<'_>) -> String {
    let file = must("upload", c.sdk.upload_bytes(NOT_AUDIO, "corrupt.raw")).id;
    must("create", c.sdk.create(CreateTranscription::file_id(file))).id
}
/// Under [`by_polls`]: jobs left queued, processing, completed and in both error kinds.
pub fn jobs_in_every_status(c: &Ctx<'_>) -> String {
    let file = upload(c);
    let corrupt = must("upload", c.sdk.upload_bytes(NOT_AUDIO, "corrupt.raw")).id;
    let url = CreateTranscription::audio_url("https://example.com/unreachable.mp3");
    must("create", c.sdk.create(CreateTranscription::file_id(&file)));
    let polls = [
        (1, CreateTranscription::file_id(&file)),
        (2, rich(&file)),
        (2, CreateTranscription::file_id(&corrupt)),
        (2, url),
    ];
    for (n, req) in polls {
        let id = must("create", c.sdk.create(req)).id;
        for _ in 0..n {
            must("get", c.sdk.job(&id));
        }
    }
    let mut statuses: Vec<String> = c.mock.transcriptions().into_iter().map(|j| j.status).collect();
    statuses.sort();
    assert_eq!(statuses, ["completed", "error", "error", "processing", "queued"]);
    String::new()
}
