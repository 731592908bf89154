//! Rows for the Transcriptions operations.

use soniox::types::CreateTranscription;

use super::cases::{Case, How, BAD_CURSOR, RATE_LIMIT, SERVER_ERROR, UNKNOWN_ID, WRONG_KEY};
use super::client::run;
use super::setup::*;

pub fn transcriptions() -> Vec<Case> {
    vec![
        // get_transcriptions
        Case::new("get_transcriptions", 200, How::Real("jobs in every status"), |c, _| {
            run(c.sdk.jobs_page(100))
        })
        .config(by_polls)
        .prepare(jobs_in_every_status),
        Case::new("get_transcriptions", 400, BAD_CURSOR, |c, _| {
            run(c.sdk.jobs_at("not-a-cursor"))
        }),
        Case::new("get_transcriptions", 401, WRONG_KEY, |c, _| run(c.bad.jobs_page(100))),
        Case::new("get_transcriptions", 429, RATE_LIMIT, |c, _| run(c.sdk.jobs_page(100)))
            .config(one_per_minute)
            .prepare(spend_quota),
        Case::new("get_transcriptions", 500, SERVER_ERROR, |c, _| {
            run(c.sdk.jobs_page(100))
        }),
        // create_transcription
        Case::new(
            "create_transcription",
            201,
            How::Real("from a file, every option"),
            |c, id| run(c.sdk.create(rich(id))),
        )
        .prepare(upload),
        Case::new("create_transcription", 201, How::Real("from a URL"), |c, _| {
            run(c
                .sdk
                .create(CreateTranscription::audio_url("https://example.com/a.mp3")))
        }),
        Case::new(
            "create_transcription",
            400,
            How::Real("a model the server does not know"),
            |c, id| run(c.sdk.create(CreateTranscription::file_id(id).model("no-such-model"))),
        )
        .prepare(upload),
        Case::new("create_transcription", 401, WRONG_KEY, |c, id| {
            run(c.bad.create(CreateTranscription::file_id(id)))
        })
        .prepare(upload),
        Case::new(
            "create_transcription",
            402,
            How::Injected("the mock has no account balance"),
            |c, id| run(c.sdk.create(CreateTranscription::file_id(id))),
        )
        .prepare(upload),
        Case::new(
            "create_transcription",
            429,
            How::Real("max_pending_jobs (1) already pending"),
            |c, _| {
                run(c
                    .sdk
                    .create(CreateTranscription::audio_url("https://example.com/a.mp3")))
            },
        )
        .config(stuck_processing)
        .prepare(job),
        Case::new("create_transcription", 500, SERVER_ERROR, |c, id| {
            run(c.sdk.create(CreateTranscription::file_id(id)))
        })
        .prepare(upload),
        // get_transcriptions_count
        Case::new("get_transcriptions_count", 200, How::Real("one job stored"), |c, _| {
            run(c.sdk.jobs_count())
        })
        .prepare(job),
        Case::new("get_transcriptions_count", 401, WRONG_KEY, |c, _| {
            run(c.bad.jobs_count())
        }),
        Case::new("get_transcriptions_count", 429, RATE_LIMIT, |c, _| {
            run(c.sdk.jobs_count())
        })
        .config(one_per_minute)
        .prepare(spend_quota),
        Case::new("get_transcriptions_count", 500, SERVER_ERROR, |c, _| {
            run(c.sdk.jobs_count())
        }),
    ]
}

pub fn jobs() -> Vec<Case> {
    vec![
        // get_transcription
        Case::new("get_transcription", 200, How::Real("a queued job"), |c, id| {
            run(c.sdk.job(id))
        })
        .config(by_polls)
        .prepare(job),
        Case::new(
            "get_transcription",
            200,
            How::Real("a completed job, every option"),
            |c, id| run(c.sdk.job(id)),
        )
        .config(immediate)
        .prepare(rich_job),
        Case::new("get_transcription", 200, How::Real("a failed job"), |c, id| {
            run(c.sdk.job(id))
        })
        .config(immediate)
        .prepare(failed_job),
        Case::new("get_transcription", 401, WRONG_KEY, |c, id| run(c.bad.job(id))).prepare(job),
        Case::new("get_transcription", 404, UNKNOWN_ID, |c, _| run(c.sdk.job(NO_SUCH_ID))),
        Case::new("get_transcription", 429, RATE_LIMIT, |c, id| run(c.sdk.job(id)))
            .config(two_per_minute)
            .prepare(job),
        Case::new("get_transcription", 500, SERVER_ERROR, |c, id| run(c.sdk.job(id))).prepare(job),
        // delete_transcription
        Case::new("delete_transcription", 204, How::Real("a completed job"), |c, id| {
            run(c.sdk.delete_job(id))
        })
        .config(immediate)
        .prepare(job),
        Case::new("delete_transcription", 401, WRONG_KEY, |c, id| {
            run(c.bad.delete_job(id))
        })
        .config(immediate)
        .prepare(job),
        Case::new("delete_transcription", 404, UNKNOWN_ID, |c, _| {
            run(c.sdk.delete_job(NO_SUCH_ID))
        }),
        Case::new(
            "delete_transcription",
            409,
            How::Real("a job still processing"),
            |c, id| run(c.sdk.delete_job(id)),
        )
        .config(stuck_processing)
        .prepare(job),
        Case::new("delete_transcription", 429, RATE_LIMIT, |c, id| {
            run(c.sdk.delete_job(id))
        })
        .config(two_per_minute)
        .prepare(job),
        Case::new("delete_transcription", 500, SERVER_ERROR, |c, id| {
            run(c.sdk.delete_job(id))
        })
        .config(immediate)
        .prepare(job),
        // get_transcription_transcript
        Case::new(
            "get_transcription_transcript",
            200,
            How::Real("a completed job"),
            |c, id| run(c.sdk.transcript(id)),
        )
        .config(immediate)
        .prepare(job),
        Case::new(
            "get_transcription_transcript",
            200,
            How::Real("with speakers and languages"),
            |c, id| run(c.sdk.transcript(id)),
        )
        .config(immediate)
        .prepare(rich_job),
        Case::new("get_transcription_transcript", 401, WRONG_KEY, |c, id| {
            run(c.bad.transcript(id))
        })
        .config(immediate)
        .prepare(job),
        Case::new("get_transcription_transcript", 404, UNKNOWN_ID, |c, _| {
            run(c.sdk.transcript(NO_SUCH_ID))
        }),
        Case::new(
            "get_transcription_transcript",
            409,
            How::Real("a job still processing"),
            |c, id| run(c.sdk.transcript(id)),
        )
        .config(stuck_processing)
        .prepare(job),
        Case::new(
            "get_transcription_transcript",
            409,
            How::Real("a failed job"),
            |c, id| run(c.sdk.transcript(id)),
        )
        .config(immediate)
        .prepare(failed_job),
        Case::new("get_transcription_transcript", 429, RATE_LIMIT, |c, id| {
            run(c.sdk.transcript(id))
        })
        .config(two_per_minute)
        .prepare(job),
        Case::new("get_transcription_transcript", 500, SERVER_ERROR, |c, id| {
            run(c.sdk.transcript(id))
        })
        .config(immediate)
        .prepare(job),
    ]
}
