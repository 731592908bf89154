//! `/v1/transcriptions`: create, list, get, delete, transcript, count.

use super::http::{parse_empty, parse_json, segment, HttpRequest, Method, RawResponse};
use super::paginator::{add_page_query, parse_page, Listing, TranscriptionListing};
use super::validate;
use crate::error::Result;
use crate::types::{Counts, CreateTranscription, Page, Transcript, Transcription};

/// `POST /v1/transcriptions`, after client-side validation of every documented limit.
pub fn build_create(req: &CreateTranscription) -> Result<HttpRequest> {
    validate::create_transcription(req)?;
    Ok(HttpRequest::new(Method::Post, "/v1/transcriptions", "/v1/transcriptions".to_owned()).json(req))
}

/// Parses the `201` of a create.
pub fn parse_create(resp: &RawResponse) -> Result<Transcription> {
    parse_json(resp)
}

/// `GET /v1/transcriptions?limit&cursor`.
pub fn build_list(limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
    let mut req = HttpRequest::new(Method::Get, "/v1/transcriptions", "/v1/transcriptions".to_owned());
    add_page_query(&mut req, limit, cursor)?;
    Ok(req)
}

/// Parses a page of jobs.
pub fn parse_list(resp: &RawResponse) -> Result<Page<Transcription>> {
    parse_page(resp)
}

/// `GET /v1/transcriptions/{id}`.
pub fn build_get(id: &str) -> Result<HttpRequest> {
    validate::id("transcription id", id)?;
    Ok(HttpRequest::new(
        Method::Get,
        "/v1/transcriptions/{id}",
        format!("/v1/transcriptions/{}", segment(id)),
    ))
}

/// Parses a job.
pub fn parse_get(resp: &RawResponse) -> Result<Transcription> {
    parse_json(resp)
}

/// `DELETE /v1/transcriptions/{id}`.
pub fn build_delete(id: &str) -> Result<HttpRequest> {
    validate::id("transcription id", id)?;
    Ok(HttpRequest::new(
        Method::Delete,
        "/v1/transcriptions/{id}",
        format!("/v1/transcriptions/{}", segment(id)),
    ))
}

/// Parses the `204` of a delete.
pub fn parse_delete(resp: &RawResponse) -> Result<()> {
    parse_empty(resp)
}

/// `GET /v1/transcriptions/{id}/transcript`.
pub fn build_transcript(id: &str) -> Result<HttpRequest> {
    validate::id("transcription id", id)?;
    Ok(HttpRequest::new(
        Method::Get,
        "/v1/transcriptions/{id}/transcript",
        format!("/v1/transcriptions/{}/transcript", segment(id)),
    ))
}

/// Parses a transcript.
pub fn parse_transcript(resp: &RawResponse) -> Result<Transcript> {
    parse_json(resp)
}

/// `GET /v1/transcriptions/count`.
pub fn build_count() -> HttpRequest {
    HttpRequest::new(
        Method::Get,
        "/v1/transcriptions/count",
        "/v1/transcriptions/count".to_owned(),
    )
}

/// Parses the counts.
pub fn parse_count(resp: &RawResponse) -> Result<Counts> {
    parse_json(resp)
}

impl Listing for TranscriptionListing {
    type Item = Transcription;
    fn build(&self, limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
        build_list(limit, cursor)
    }
    fn parse(resp: &RawResponse) -> Result<Page<Transcription>> {
        parse_list(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::Body;
    use crate::types::TranscriptionStatus;

    #[test]
    fn create_sends_the_json_body() {
        let r = build_create(&CreateTranscription::audio_url("https://x/a.mp3").model("stt-async-v4")).unwrap();
        assert_eq!((r.method, r.path.as_str()), (Method::Post, "/v1/transcriptions"));
        assert_eq!(
            r.body,
            Body::Json(br#"{"model":"stt-async-v4","audio_url":"https://x/a.mp3"}"#.to_vec())
        );
        assert_eq!(r.content_type().as_deref(), Some("application/json"));
    }

    #[test]
    fn paths_are_the_documented_ones() {
        assert_eq!(build_get("j").unwrap().path, "/v1/transcriptions/j");
        assert_eq!(build_transcript("j").unwrap().path, "/v1/transcriptions/j/transcript");
        assert_eq!(build_delete("j").unwrap().method, Method::Delete);
        assert_eq!(build_count().path, "/v1/transcriptions/count");
        assert_eq!(build_list(Some(2), None).unwrap().url(""), "/v1/transcriptions?limit=2");
    }

    #[test]
    fn jobs_and_transcripts_parse_leniently() {
        let j = parse_get(&RawResponse::new(
            200,
            br#"{"id":"j","status":"brand_new","created_at":"t","model":"m","filename":"f","new_field":[1]}"#.to_vec(),
        ))
        .unwrap();
        assert_eq!(j.status, TranscriptionStatus::Other("brand_new".into()));
        assert!(j.status.is_terminal());
        let t = parse_transcript(&RawResponse::new(200, br#"{"id":"j","text":"Hi","tokens":[{"text":"Hi","start_ms":1,"end_ms":2,"confidence":0.9},{"text":" hola","translation_status":"translation","language":"es"}]}"#.to_vec())).unwrap();
        assert_eq!(t.tokens[1].start_ms, None);
        let conflict = br#"{"status_code":409,"error_type":"transcription_invalid_state","message":"not ready","validation_errors":[],"request_id":"r"}"#;
        let e = parse_transcript(&RawResponse::new(409, conflict.to_vec())).unwrap_err();
        assert_eq!(
            (e.status(), e.error_type(), e.request_id()),
            (Some(409), Some("transcription_invalid_state"), Some("r"))
        );
    }
}
