//! Rows for the Files operations.

use super::cases::{Case, How, BAD_CURSOR, RATE_LIMIT, SERVER_ERROR, UNKNOWN_ID, WRONG_KEY};
use super::client::run;
use super::setup::*;

pub fn rows() -> Vec<Case> {
    vec![
        // get_files
        Case::new("get_files", 200, How::Real("two files, one page"), |c, _| {
            run(c.sdk.files_page(10))
        })
        .prepare(two_files),
        Case::new(
            "get_files",
            200,
            How::Real("a page of one, with a next_page_cursor"),
            |c, _| run(c.sdk.files_page(1)),
        )
        .prepare(two_files),
        Case::new("get_files", 400, BAD_CURSOR, |c, _| run(c.sdk.files_at("not-a-cursor"))),
        Case::new("get_files", 401, WRONG_KEY, |c, _| run(c.bad.files_page(10))),
        Case::new("get_files", 429, RATE_LIMIT, |c, _| run(c.sdk.files_page(10)))
            .config(one_per_minute)
            .prepare(spend_quota),
        Case::new("get_files", 500, SERVER_ERROR, |c, _| run(c.sdk.files_page(10))).prepare(upload),
        // upload_file
        Case::new("upload_file", 201, How::Real("an upload"), |c, _| {
            run(c.sdk.upload_bytes(audio(), "contract.wav"))
        }),
        Case::new(
            "upload_file",
            201,
            How::Real("an upload with a client_reference_id"),
            |c, _| run(c.sdk.upload_ref(audio(), "a.wav", "ref-1")),
        ),
        Case::new(
            "upload_file",
            400,
            How::Real("over the mock's max_upload_bytes"),
            |c, _| run(c.sdk.upload_bytes(TOO_BIG, "big.wav")),
        )
        .config(small_uploads),
        Case::new("upload_file", 401, WRONG_KEY, |c, _| {
            run(c.bad.upload_bytes(audio(), "contract.wav"))
        }),
        Case::new("upload_file", 429, RATE_LIMIT, |c, _| {
            run(c.sdk.upload_bytes(audio(), "contract.wav"))
        })
        .config(one_per_minute)
        .prepare(spend_quota),
        Case::new("upload_file", 500, SERVER_ERROR, |c, _| {
            run(c.sdk.upload_bytes(audio(), "contract.wav"))
        }),
        // get_files_count
        Case::new("get_files_count", 200, How::Real("one file stored"), |c, _| {
            run(c.sdk.files_count())
        })
        .prepare(upload),
        Case::new("get_files_count", 401, WRONG_KEY, |c, _| run(c.bad.files_count())),
        Case::new("get_files_count", 429, RATE_LIMIT, |c, _| run(c.sdk.files_count()))
            .config(one_per_minute)
            .prepare(spend_quota),
        Case::new("get_files_count", 500, SERVER_ERROR, |c, _| run(c.sdk.files_count())),
        // get_file
        Case::new(
            "get_file",
            200,
            How::Real("a file with a client_reference_id"),
            |c, id| run(c.sdk.file(id)),
        )
        .prepare(upload_with_ref),
        Case::new("get_file", 401, WRONG_KEY, |c, id| run(c.bad.file(id))).prepare(upload),
        Case::new("get_file", 404, UNKNOWN_ID, |c, _| run(c.sdk.file(NO_SUCH_ID))),
        Case::new("get_file", 429, RATE_LIMIT, |c, id| run(c.sdk.file(id)))
            .config(one_per_minute)
            .prepare(upload),
        Case::new("get_file", 500, SERVER_ERROR, |c, id| run(c.sdk.file(id))).prepare(upload),
        // delete_file
        Case::new("delete_file", 204, How::Real("an existing file"), |c, id| {
            run(c.sdk.delete_file(id))
        })
        .prepare(upload),
        Case::new("delete_file", 401, WRONG_KEY, |c, id| run(c.bad.delete_file(id))).prepare(upload),
        Case::new("delete_file", 404, UNKNOWN_ID, |c, _| {
            run(c.sdk.delete_file(NO_SUCH_ID))
        }),
        Case::new("delete_file", 429, RATE_LIMIT, |c, id| run(c.sdk.delete_file(id)))
            .config(one_per_minute)
            .prepare(upload),
        Case::new("delete_file", 500, SERVER_ERROR, |c, id| run(c.sdk.delete_file(id))).prepare(upload),
    ]
}
