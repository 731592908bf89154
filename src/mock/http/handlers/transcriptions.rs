//! `/v1/transcriptions`: create, list, count, get, delete, transcript (soniox-api.md §3.2, §4).

use std::time::{Instant, SystemTime};

use serde_json::{json, Value};

use super::Ctx;
use crate::mock::http::errors::ApiError;
use crate::mock::http::pagination::{encode_cursor, page_request};
use crate::mock::http::payload::parse_create;
use crate::mock::http::reply::Reply;
use crate::mock::http::validate::read_json_object;
use crate::mock::state::jobs::{filename_from_url, url_duration_ms, JobRec, Status};
use crate::mock::transcript::{transcript_json, TokenOptions};
use crate::mock::util::iso8601;

/// `POST /v1/transcriptions`.
pub(crate) async fn create(mut cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let map = read_json_object(&mut cx).await?;
    let req = parse_create(&map)?;
    let shared = cx.shared;
    let (filename, duration, audio) = match (&req.file_id, &req.audio_url) {
        (Some(file_id), _) => {
            let files = shared.state.files();
            let f = files.get(file_id).ok_or_else(ApiError::file_not_found)?;
            (
                f.file.filename.clone(),
                f.file.audio_duration_ms,
                f.file.container.is_some(),
            )
        }
        (None, Some(url)) => (filename_from_url(url), url_duration_ms(url), true),
        (None, None) => unreachable!("validated: exactly one source"),
    };
    let failure = JobRec::failure_for(&filename, req.audio_url.as_deref(), audio);
    let job = JobRec {
        id: shared.rng.uuid(),
        created: Instant::now(),
        created_at: iso8601(SystemTime::now()),
        model: req.model.to_string(),
        audio_url: req.audio_url,
        file_id: req.file_id,
        filename,
        language_hints: req.language_hints,
        diarization: req.diarization,
        language_identification: req.language_identification,
        context: req.context,
        webhook_url: req.webhook_url,
        webhook_auth_header_name: req.webhook_auth_header_name,
        webhook_auth_header_set: req.webhook_auth_header_set,
        client_reference_id: req.client_reference_id,
        audio_duration_ms: duration,
        failure,
        polls: 0,
    };
    let timing = shared.config.job_timing;
    let now = Instant::now();
    let mut jobs = shared.state.jobs();
    let max = shared.config.max_pending_jobs;
    if jobs.pending(timing, now) >= max {
        return Err(ApiError::limit_exceeded(&format!(
            "Pending transcriptions limit ({max}) has been exceeded for your project."
        )));
    }
    let status = job.status(timing, now);
    let body = job.to_json(status);
    jobs.insert(job, status);
    Ok(Reply::json(201, &body))
}

/// `GET /v1/transcriptions`.
pub(crate) fn list(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let page = page_request(cx.request.url().query_pairs())?;
    let timing = cx.shared.config.job_timing;
    let now = Instant::now();
    let jobs = cx.shared.state.jobs();
    let p = jobs.store.page(page.from, page.limit);
    let items: Vec<Value> = p.items.iter().map(|j| j.to_json(j.status(timing, now))).collect();
    Ok(Reply::json(
        200,
        &json!({"transcriptions": items, "next_page_cursor": p.next.map(encode_cursor)}),
    ))
}

/// `GET /v1/transcriptions/count`.
pub(crate) fn count(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let n = cx.shared.state.jobs().store.len();
    Ok(Reply::json(200, &json!({"total": n, "public_api": n, "playground": 0})))
}

/// `GET /v1/transcriptions/{id}`: answers the current status, then counts the poll.
pub(crate) fn get(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let timing = cx.shared.config.job_timing;
    let mut jobs = cx.shared.state.jobs();
    let job = jobs
        .store
        .get_mut(cx.id)
        .ok_or_else(ApiError::transcription_not_found)?;
    let status = job.status(timing, Instant::now());
    job.polls = job.polls.saturating_add(1);
    Ok(Reply::json(200, &job.to_json(status)))
}

/// `DELETE /v1/transcriptions/{id}`: refused while processing.
pub(crate) fn delete(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let timing = cx.shared.config.job_timing;
    let mut jobs = cx.shared.state.jobs();
    let job = jobs.store.get(cx.id).ok_or_else(ApiError::transcription_not_found)?;
    if job.status(timing, Instant::now()) == Status::Processing {
        return Err(ApiError::invalid_state(
            "Cannot delete transcription with processing status.",
        ));
    }
    jobs.store.remove(cx.id);
    Ok(Reply::no_content())
}

/// `GET /v1/transcriptions/{id}/transcript`: only for completed jobs.
pub(crate) fn transcript(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let timing = cx.shared.config.job_timing;
    let jobs = cx.shared.state.jobs();
    let job = jobs.store.get(cx.id).ok_or_else(ApiError::transcription_not_found)?;
    match job.status(timing, Instant::now()) {
        Status::Completed => {
            let opts = TokenOptions {
                diarization: job.diarization,
                language_identification: job.language_identification,
            };
            Ok(Reply::json(200, &transcript_json(&job.id, job.audio_duration_ms, opts)))
        }
        Status::Error => Err(ApiError::invalid_state("The file transcription has failed.")),
        Status::Queued | Status::Processing => Err(ApiError::invalid_state(
            "The transcript is only available for completed status.",
        )),
    }
}
