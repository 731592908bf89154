//! `/v1/files`: streaming multipart upload, list, count, get, delete (soniox-api.md §3.1).

use std::time::SystemTime;

use futures_lite::io::AsyncReadExt;
use serde_json::{json, Value};

use super::Ctx;
use crate::audio::parse_wav_header_at;
use crate::mock::http::errors::{ApiError, FieldError};
use crate::mock::http::multipart::{boundary, Event, Multipart};
use crate::mock::http::pagination::{encode_cursor, page_request};
use crate::mock::http::reply::{Flow, Reply};
use crate::mock::state::checksum::Checksum;
use crate::mock::state::stats::Stats;
use crate::mock::state::{FileRec, MockFile};
use crate::mock::util::iso8601;

/// Bytes read from the body per step.
const READ_CHUNK: usize = 64 * 1024;
/// Leading bytes of the file kept to parse a WAV header.
const HEAD_BYTES: usize = 16 * 1024;
/// Multipart framing allowed on top of `max_upload_bytes` before the body is refused unread.
const FRAMING_SLACK: u64 = 64 * 1024;

/// What the upload has seen so far.
#[derive(Debug, Default)]
struct Upload {
    current: Option<String>,
    file_seen: bool,
    in_file: bool,
    filename: String,
    size: u64,
    checksum: Checksum,
    head: Vec<u8>,
    reference: Option<Vec<u8>>,
}

impl Upload {
    fn on(&mut self, event: Event<'_>) {
        match event {
            Event::Part { name, filename } => {
                self.in_file = name == "file" && !self.file_seen;
                if self.in_file {
                    self.file_seen = true;
                    self.filename = filename.unwrap_or_else(|| "file".to_string());
                } else if name == "client_reference_id" {
                    self.reference = Some(Vec::new());
                }
                self.current = Some(name);
            }
            Event::Data(d) if self.in_file => {
                self.size += d.len() as u64;
                self.checksum.update(d);
                let room = HEAD_BYTES.saturating_sub(self.head.len()).min(d.len());
                self.head.extend_from_slice(&d[..room]);
            }
            Event::Data(d) => {
                if let (Some("client_reference_id"), Some(r)) = (self.current.as_deref(), self.reference.as_mut()) {
                    let room = 1024usize.saturating_sub(r.len()).min(d.len());
                    r.extend_from_slice(&d[..room]);
                }
            }
            Event::PartEnd => {
                self.in_file = false;
                self.current = None;
            }
        }
    }

    /// Duration from the WAV header (data actually received), else 16 kHz 16-bit mono bytes.
    fn duration_ms(&self) -> u64 {
        match parse_wav_header_at(&self.head) {
            Some((info, offset)) if info.spec.byte_rate() > 0 => {
                let data = info.data_len.min(self.size.saturating_sub(offset));
                data * 1000 / u64::from(info.spec.byte_rate())
            }
            _ => self.size / 32,
        }
    }
}

fn missing_file() -> ApiError {
    ApiError::validation(vec![FieldError::new("missing", "file.file", "Field required")])
}

/// `POST /v1/files`: parses the multipart body as it arrives; content is counted, never kept.
pub(crate) async fn upload(cx: Ctx<'_>) -> Flow {
    let shared = cx.shared;
    let _open = Stats::upload(&shared.stats);
    let max = shared.config.max_upload_bytes;
    let too_large = || {
        let e = ApiError::new(
            400,
            "invalid_request",
            format!("File size exceeds the maximum allowed size of {max} bytes."),
        );
        Flow::ReplyAndClose(Reply::error(&e, cx.request_id))
    };
    let fail = |e: ApiError| Flow::Reply(Reply::error(&e, cx.request_id));
    let content_type = cx.request.header("content-type").map(|h| h.last().to_string());
    let Some(boundary) = content_type.as_deref().and_then(boundary) else {
        return fail(missing_file());
    };
    if cx
        .request
        .len()
        .is_some_and(|n| n as u64 > max.saturating_add(FRAMING_SLACK))
    {
        return too_large();
    }
    let mut body = cx.request.take_body();
    let mut parser = Multipart::new(&boundary);
    let mut up = Upload::default();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = match body.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => {
                let e = ApiError::new(400, "invalid_request", "The request body ended early.");
                return Flow::ReplyAndClose(Reply::error(&e, cx.request_id));
            }
        };
        Stats::add(&shared.stats.request_body_bytes, n as u64);
        if parser.feed(&buf[..n], &mut |e| up.on(e)).is_err() {
            let e = ApiError::new(400, "invalid_request", "Invalid multipart/form-data body.");
            return Flow::ReplyAndClose(Reply::error(&e, cx.request_id));
        }
        if up.size > max {
            return too_large();
        }
    }
    if parser.finish().is_err() {
        let e = ApiError::new(400, "invalid_request", "Invalid multipart/form-data body.");
        return fail(e);
    }
    if !up.file_seen {
        return fail(missing_file());
    }
    let reference = up.reference.as_ref().map(|r| String::from_utf8_lossy(r).into_owned());
    if reference.as_ref().is_some_and(|r| r.chars().count() > 256) {
        return fail(ApiError::validation(vec![FieldError::new(
            "string_too_long",
            "body.client_reference_id",
            "String should have at most 256 characters",
        )]));
    }
    let rec = FileRec {
        file: MockFile {
            id: shared.rng.uuid(),
            filename: std::mem::take(&mut up.filename),
            size: up.size,
            checksum: up.checksum.finish(),
            client_reference_id: reference,
            audio_duration_ms: up.duration_ms(),
            container: crate::mock::http::sniff::container(&up.head),
        },
        created_at: iso8601(SystemTime::now()),
    };
    let body = rec.to_json();
    shared.state.files().insert(rec.file.id.clone(), rec);
    Stats::add(&shared.stats.uploads, 1);
    Stats::add(&shared.stats.upload_bytes, up.size);
    Flow::Reply(Reply::json(201, &body))
}

/// `GET /v1/files`.
pub(crate) fn list(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let page = page_request(cx.request.url().query_pairs())?;
    let files = cx.shared.state.files();
    let p = files.page(page.from, page.limit);
    let items: Vec<Value> = p.items.iter().map(|f| f.to_json()).collect();
    Ok(Reply::json(
        200,
        &json!({"files": items, "next_page_cursor": p.next.map(encode_cursor)}),
    ))
}

/// `GET /v1/files/count`.
pub(crate) fn count(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let n = cx.shared.state.files().len();
    Ok(Reply::json(200, &json!({"total": n, "public_api": n, "playground": 0})))
}

/// `GET /v1/files/{id}`.
pub(crate) fn get(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let files = cx.shared.state.files();
    let f = files.get(cx.id).ok_or_else(ApiError::file_not_found)?;
    Ok(Reply::json(200, &f.to_json()))
}

/// `DELETE /v1/files/{id}`.
pub(crate) fn delete(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let removed = cx.shared.state.files().remove(cx.id);
    removed
        .map(|_| Reply::no_content())
        .ok_or_else(ApiError::file_not_found)
}
