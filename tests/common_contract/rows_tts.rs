//! Rows for the text-to-speech catalogue operations (tag `TTS Models`).

use soniox::types::SharedVoiceQuery;

use super::cases::{Case, How, RATE_LIMIT, SERVER_ERROR, WRONG_KEY};
use super::client::run;
use super::setup::{one_per_minute, spend_quota};

fn v2() -> SharedVoiceQuery {
    SharedVoiceQuery::new("tts-rt-v2")
}

pub fn rows() -> Vec<Case> {
    vec![
        // get_tts_models
        Case::new("get_tts_models", 200, How::Real("the TTS model list"), |c, _| {
            run(c.sdk.tts_models())
        }),
        Case::new("get_tts_models", 401, WRONG_KEY, |c, _| run(c.bad.tts_models())),
        Case::new("get_tts_models", 429, RATE_LIMIT, |c, _| run(c.sdk.tts_models()))
            .config(one_per_minute)
            .prepare(spend_quota),
        Case::new("get_tts_models", 500, SERVER_ERROR, |c, _| run(c.sdk.tts_models())),
        // get_shared_voices
        Case::new(
            "get_shared_voices",
            200,
            How::Real("every filter, a page of one"),
            |c, _| {
                let q = v2()
                    .gender("female")
                    .age("middle_aged")
                    .accent("british")
                    .use_case("conversational")
                    .style("confident");
                run(c.sdk.shared_voices_page(q, Some(1)))
            },
        ),
        Case::new(
            "get_shared_voices",
            400,
            How::Real("a gender the service does not know (the client passes unknown tags on)"),
            |c, _| run(c.sdk.shared_voices_page(v2().gender("robot"), None)),
        ),
        Case::new("get_shared_voices", 401, WRONG_KEY, |c, _| {
            run(c.bad.shared_voices_page(v2(), None))
        }),
        Case::new(
            "get_shared_voices",
            404,
            How::Real("a model that does not exist"),
            |c, _| run(c.sdk.shared_voices_page(SharedVoiceQuery::new("tts-rt-v0"), None)),
        ),
        Case::new("get_shared_voices", 429, RATE_LIMIT, |c, _| {
            run(c.sdk.shared_voices_page(v2(), None))
        })
        .config(one_per_minute)
        .prepare(spend_quota),
        Case::new("get_shared_voices", 500, SERVER_ERROR, |c, _| {
            run(c.sdk.shared_voices_page(v2(), None))
        }),
    ]
}
