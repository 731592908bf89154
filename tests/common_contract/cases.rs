//! The case table: one row per (operation, status) scenario, each one client call that
//! must produce exactly one response with that status.
//!
//! `How::Real` rows reach the status through a condition the mock really has (a wrong
//! key, an unknown id, a job still processing, a rate or size limit); `How::Injected` rows
//! use a one-shot `FaultAction::Status` fault on the operation, for statuses the mock has
//! no condition for (500, 402) or the client refuses to let through (400 on the
//! temporary key: it checks every field the server checks). Each row's `How` carries its
//! reason; the harness checks it against the fault the mock's request log recorded.

use soniox::mock::{MockConfig, MockServer};
use soniox::types::TemporaryKey;
use soniox::Result;

use super::client::{run, Api};
use super::setup::{one_per_minute, spend_quota};
use super::{rows_files, rows_jobs, rows_tts};

/// How a row reaches its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A real condition of the mock.
    Real(&'static str),
    /// A one-shot `Status` fault on this operation, installed after `prepare`.
    Injected(&'static str),
}

/// What a row's steps may use.
pub struct Ctx<'a> {
    pub mock: &'a MockServer,
    /// A client with the key the mock accepts.
    pub sdk: &'a dyn Api,
    /// The same kind of client with a key the mock refuses.
    pub bad: &'a dyn Api,
}

/// One scenario.
pub struct Case {
    pub op: &'static str,
    pub status: u16,
    pub how: How,
    /// The mock's configuration (response recording is turned on by the harness).
    pub config: fn() -> MockConfig,
    /// Setup through `sdk` (its responses are not checked); returns an id for `call`.
    pub prepare: fn(&Ctx<'_>) -> String,
    /// The one call under test.
    pub call: fn(&Ctx<'_>, &str) -> Result<()>,
}

impl Case {
    pub fn new(op: &'static str, status: u16, how: How, call: fn(&Ctx<'_>, &str) -> Result<()>) -> Case {
        Case {
            op,
            status,
            how,
            config: MockConfig::default,
            prepare: |_| String::new(),
            call,
        }
    }
    pub fn config(mut self, config: fn() -> MockConfig) -> Case {
        self.config = config;
        self
    }
    pub fn prepare(mut self, prepare: fn(&Ctx<'_>) -> String) -> Case {
        self.prepare = prepare;
        self
    }
}

/// Reasons shared by many rows.
pub const WRONG_KEY: How = How::Real("a client with a key the mock refuses");
pub const UNKNOWN_ID: How = How::Real("an id that does not exist");
pub const RATE_LIMIT: How = How::Real("requests_per_minute used up by prepare");
pub const BAD_CURSOR: How = How::Real("a cursor the server never issued");
pub const SERVER_ERROR: How = How::Injected("the mock has no internal error to provoke");

/// Every row, grouped by operation in document order.
pub fn all() -> Vec<Case> {
    let mut v = rows_files::rows();
    v.extend(rows_jobs::transcriptions());
    v.extend(rows_jobs::jobs());
    v.extend(other());
    v.extend(rows_tts::rows());
    v
}

/// Rows for the Models and Auth operations.
fn other() -> Vec<Case> {
    vec![
        // get_models
        Case::new("get_models", 200, How::Real("the model list"), |c, _| {
            run(c.sdk.models())
        }),
        Case::new("get_models", 401, WRONG_KEY, |c, _| run(c.bad.models())),
        Case::new("get_models", 500, SERVER_ERROR, |c, _| run(c.sdk.models())),
        // create_temporary_api_key
        Case::new("create_temporary_api_key", 201, How::Real("every option"), |c, _| {
            let req = TemporaryKey::transcribe_websocket(300)
                .single_use(true)
                .max_session_duration_seconds(600)
                .client_reference_id("ref-key");
            run(c.sdk.temporary_key(req))
        }),
        Case::new(
            "create_temporary_api_key",
            400,
            How::Injected("the client refuses every invalid field first"),
            |c, _| run(c.sdk.temporary_key(TemporaryKey::transcribe_websocket(300))),
        ),
        Case::new("create_temporary_api_key", 401, WRONG_KEY, |c, _| {
            run(c.bad.temporary_key(TemporaryKey::transcribe_websocket(300)))
        }),
        Case::new("create_temporary_api_key", 429, RATE_LIMIT, |c, _| {
            run(c.sdk.temporary_key(TemporaryKey::transcribe_websocket(300)))
        })
        .config(one_per_minute)
        .prepare(spend_quota),
        Case::new("create_temporary_api_key", 500, SERVER_ERROR, |c, _| {
            run(c.sdk.temporary_key(TemporaryKey::transcribe_websocket(300)))
        }),
    ]
}
