//! Per-request flow: stats, faults, routing, auth, rate limit, then the handlers.

use std::sync::Arc;
use std::time::Duration;

use http_types::{Method, Request, Response, StatusCode};

use super::chaos;
use super::conn::Conn;
use super::errors::ApiError;
use super::handlers::{auth, files, transcriptions, voices, Ctx};
use super::reply::{Flow, Reply};
use super::routes::{match_path, method_index, Route};
use crate::mock::faults::FaultAction;
use crate::mock::models::models_json;
use crate::mock::realtime::upgrade::upgrade;
use crate::mock::state::shared::{sleep_unless_shutdown, Shared};
use crate::mock::state::stats::Stats;
use crate::mock::tts_models::tts_models_json;

/// Longest a [`FaultAction::Hang`] may hold a request.
const MAX_HANG: Duration = Duration::from_secs(600);

/// The async-h1 endpoint. An `Err` makes async-h1 drop the connection without writing
/// anything (used once the connection has been answered or closed by hand).
pub(crate) async fn handle(shared: Arc<Shared>, conn: Conn, mut request: Request) -> http_types::Result<Response> {
    let method = request.method();
    let path = request.url().path().to_string();
    let matched = match_path(&path);
    shared.stats.request(method_index(method), matched.map(|m| m.0));
    let request_id = shared.rng.uuid();

    // async-h1 can stall a keep-alive connection when a request is answered without its
    // body having been read (seen: the next request on that connection is never read, so
    // the client times out). Small bodies are therefore read up front; a streamed upload
    // that is answered without being consumed gets `Connection: close` (see `finish`).
    let streamed = match buffer_small_body(&mut request).await {
        Ok(streamed) => streamed,
        // A body cut short, or chunked framing async-h1 refuses (among them a request
        // pipelined right after a chunked body, which its trailer reader swallows): the
        // API's 400, then close, since the connection's framing is lost.
        Err(e) => {
            let e = ApiError::new(
                400,
                "invalid_request",
                format!("The request body could not be read: {e}"),
            );
            let reply = Reply::error(&e, &request_id);
            shared.record_response(method.as_ref(), &path, &reply);
            conn.reply_and_close(&reply, true).await;
            return Err(closed());
        }
    };
    let picked = shared.faults.pick(method.as_ref(), &path, &shared.rng);
    Stats::add(&shared.stats.faults_injected, picked.fired);
    if !picked.latency.is_zero() {
        sleep_unless_shutdown(&shared, picked.latency).await;
    }
    let host = request.header("host").map(|h| h.as_str().to_owned());
    shared
        .log
        .record(method.as_ref(), &path, host.as_deref(), picked.action.as_ref());
    if method == Method::Get && matched.is_some_and(|m| m.0 == Route::Websocket) {
        // The first request on its connection or a later one: async-h1 has read the head
        // either way, and lets the connection go once the session is over.
        upgrade(&shared, &conn, &request, picked.action).await;
        return Err(closed());
    }
    let mut after = None;
    match picked.action {
        None => {}
        Some(FaultAction::Status { status, retry_after }) => {
            let e = ApiError::for_status(status).with_retry_after(retry_after);
            return Ok(answer(&shared, &request, Reply::error(&e, &request_id), streamed));
        }
        Some(FaultAction::MalformedBody) => {
            let mut r = Reply::json(200, &serde_json::Value::Null);
            r.body = b"{\"id\": \"mock\", \"status\": <html>this is not JSON</html>".to_vec();
            return Ok(answer(&shared, &request, r, streamed));
        }
        Some(FaultAction::DropConnection) => {
            conn.close();
            return Err(closed());
        }
        Some(FaultAction::Hang(d)) => {
            sleep_unless_shutdown(&shared, d.min(MAX_HANG)).await;
            conn.close();
            return Err(closed());
        }
        Some(
            a @ (FaultAction::StatusAfterProcessing { .. }
            | FaultAction::TruncatedBody
            | FaultAction::TruncatedJson
            | FaultAction::TrickleBody(_)
            | FaultAction::NonAsciiHeader),
        ) => {
            after = Some(a);
        }
        Some(FaultAction::Latency(_)) => unreachable!("latency faults accumulate"),
        // Realtime-only faults do nothing to REST requests.
        Some(a) => debug_assert!(a.is_realtime_only(), "unhandled fault {a:?}"),
    }

    let id = matched.and_then(|m| m.1).unwrap_or("");
    let cx = Ctx {
        shared: &shared,
        request: &mut request,
        id,
        request_id: &request_id,
    };
    let (mut reply, close) = match dispatch(cx, method, matched.map(|m| m.0)).await {
        Flow::Reply(r) => (r, false),
        Flow::ReplyAndClose(r) => (r, true),
    };
    match after {
        Some(FaultAction::StatusAfterProcessing { status }) => {
            reply = Reply::error(&ApiError::for_status(status), &request_id);
        }
        Some(FaultAction::TruncatedBody) => {
            let declared = if reply.body.is_empty() { 64 } else { reply.body.len() };
            let raw = reply.raw(declared, &reply.body[..reply.body.len() / 2], false);
            conn.write_and_close(&raw, false).await;
            return Err(closed());
        }
        Some(FaultAction::TruncatedJson) => {
            let half = reply.body.len() / 2;
            let raw = reply.raw(half, &reply.body[..half], true);
            conn.write_and_close(&raw, true).await;
            return Err(closed());
        }
        Some(FaultAction::TrickleBody(interval)) => {
            chaos::trickle(&shared, &conn, &reply, interval).await;
            return Err(closed());
        }
        Some(FaultAction::NonAsciiHeader) => {
            let raw = reply.raw(reply.body.len(), &reply.body, true);
            let raw = chaos::with_non_ascii_header(raw);
            conn.write_and_close(&raw, true).await;
            return Err(closed());
        }
        _ => {}
    }
    if close {
        shared.record_response(method.as_ref(), &path, &reply);
        conn.reply_and_close(&reply, true).await;
        return Err(closed());
    }
    Ok(answer(&shared, &request, reply, streamed))
}

/// The response for `reply` (recorded in the response log when that is on).
fn answer(shared: &Shared, request: &Request, reply: Reply, streamed: bool) -> Response {
    shared.record_response(request.method().as_ref(), request.url().path(), &reply);
    finish(reply.into_response(), streamed)
}

/// Bodies larger than this (uploads) are streamed by their handler, never buffered.
const MAX_BUFFERED_BODY: u64 = 1024 * 1024;

/// Reads a small, non-multipart request body into memory so that no answer leaves it
/// unread on a keep-alive connection. Returns true when the body is left to stream.
async fn buffer_small_body(request: &mut Request) -> http_types::Result<bool> {
    let multipart = request
        .content_type()
        .is_some_and(|m| m.essence().starts_with("multipart/"));
    let large = request.len().is_some_and(|n| n as u64 > MAX_BUFFERED_BODY);
    if multipart || large {
        return Ok(true);
    }
    let body = request.body_bytes().await?;
    request.set_body(body);
    Ok(false)
}

/// A streamed body that may not have been consumed (any error answer) closes the
/// connection after the response instead of risking a stalled keep-alive.
fn finish(mut response: Response, streamed: bool) -> Response {
    if streamed && !response.status().is_success() {
        response.insert_header("connection", "close");
    }
    response
}

/// Routes an authenticated, rate-limited request to its handler.
async fn dispatch(cx: Ctx<'_>, method: Method, route: Option<Route>) -> Flow {
    let rid = cx.request_id;
    let fail = |e: ApiError| Flow::Reply(Reply::error(&e, rid));
    let Some(route) = route else {
        return fail(ApiError::new(404, "not_found", "Not Found"));
    };
    if !route.allows(method.as_ref()) {
        let e = ApiError::new(405, "method_not_allowed", "Method Not Allowed");
        return Flow::Reply(Reply::error(&e, rid).header("allow", route.allow_header()));
    }
    if !authorized(cx.shared, cx.request) {
        Stats::add(&cx.shared.stats.unauthorized, 1);
        return fail(ApiError::unauthenticated());
    }
    if let Err(e) = cx.shared.check_rate_limit() {
        return fail(e);
    }
    let result = match (route, method) {
        (Route::Files, Method::Post) => return files::upload(cx).await,
        (Route::Files, _) => files::list(cx),
        (Route::FilesCount, _) => files::count(cx),
        (Route::File, Method::Get) => files::get(cx),
        (Route::File, _) => files::delete(cx),
        (Route::Transcriptions, Method::Post) => transcriptions::create(cx).await,
        (Route::Transcriptions, _) => transcriptions::list(cx),
        (Route::TranscriptionsCount, _) => transcriptions::count(cx),
        (Route::Transcription, Method::Get) => transcriptions::get(cx),
        (Route::Transcription, _) => transcriptions::delete(cx),
        (Route::Transcript, _) => transcriptions::transcript(cx),
        (Route::Models, _) => Ok(Reply::json(200, &models_json())),
        (Route::TemporaryKey, _) => auth::temporary_key(cx).await,
        (Route::TtsModels, _) => Ok(Reply::json(200, &tts_models_json())),
        (Route::SharedVoices, _) => voices::shared(cx),
        (Route::Tts, _) => unreachable!("POST /tts is served by the text-to-speech listener"),
        (Route::Websocket, _) => unreachable!("upgrades are handled before dispatch"),
    };
    Flow::Reply(result.unwrap_or_else(|e| Reply::error(&e, rid)))
}

/// Whether the request carries `Authorization: Bearer <accepted regular key>`.
fn authorized(shared: &Shared, request: &Request) -> bool {
    let Some(values) = request.header("authorization") else {
        return false;
    };
    shared.accepts_authorization(values.last().as_str())
}

fn closed() -> http_types::Error {
    http_types::Error::from_str(StatusCode::InternalServerError, "connection closed by the mock")
}
