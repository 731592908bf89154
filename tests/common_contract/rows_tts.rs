//! Rows for the text-to-speech operations (tags `TTS Models` and `TTS`).

use soniox::types::{SharedVoiceQuery, Speech, TtsFormat};

use super::cases::{Case, How, RATE_LIMIT, SERVER_ERROR, WRONG_KEY};
use super::client::run;
use super::setup::{one_per_minute, spend_quota};

fn v2() -> SharedVoiceQuery {
    SharedVoiceQuery::new("tts-rt-v2")
}

/// What `generate_tts` speaks: PCM (`audio/pcm`, one of the types the document lists for 200).
fn pcm() -> Speech {
    Speech::new("Hello.", "Adrian").format(TtsFormat::PcmS16le)
}

fn speak(c: &super::cases::Ctx<'_>, speech: Speech) -> soniox::Result<()> {
    let (_, r) = futures::executor::block_on(c.sdk.speak(&speech));
    r.map(drop)
}

fn speak_bad(c: &super::cases::Ctx<'_>) -> soniox::Result<()> {
    let (_, r) = futures::executor::block_on(c.bad.speak(&pcm()));
    r.map(drop)
}

pub fn rows() -> Vec<Case> {
    vec![
        // generate_tts (on the text-to-speech host)
        Case::new("generate_tts", 200, How::Real("PCM audio"), |c, _| speak(c, pcm())),
        Case::new(
            "generate_tts",
            400,
            How::Real("a voice the model does not have"),
            |c, _| speak(c, Speech::new("Hello.", "Nobody")),
        ),
        Case::new("generate_tts", 401, WRONG_KEY, |c, _| speak_bad(c)),
        Case::new(
            "generate_tts",
            402,
            How::Injected("the mock has no balance to exhaust"),
            |c, _| speak(c, pcm()),
        ),
        Case::new(
            "generate_tts",
            403,
            How::Injected("the mock's keys have every permission"),
            |c, _| speak(c, pcm()),
        ),
        Case::new(
            "generate_tts",
            408,
            How::Injected("the mock has no idle request to time out"),
            |c, _| speak(c, pcm()),
        ),
        Case::new("generate_tts", 429, RATE_LIMIT, |c, _| speak(c, pcm()))
            .config(one_per_minute)
            .prepare(spend_quota),
        Case::new("generate_tts", 500, SERVER_ERROR, |c, _| speak(c, pcm())),
        Case::new(
            "generate_tts",
            503,
            How::Injected("the mock has no capacity to run out of"),
            |c, _| speak(c, pcm()),
        ),
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
