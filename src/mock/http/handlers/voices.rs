//! `GET /v1/shared-voices` (soniox-api-more.md §4.2): one model's built-in voices, filtered
//! (every filter must match; list filters repeat or comma-separate), paginated by an
//! opaque cursor that points into the filtered list.

use serde_json::json;

use super::Ctx;
use crate::mock::http::errors::{ApiError, FieldError};
use crate::mock::http::pagination::{encode_cursor, page_request_within};
use crate::mock::http::reply::Reply;
use crate::mock::tts_models::{shared_voices, VoiceFilter};

/// Default and largest `limit`.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: i64 = 200;

/// `GET /v1/shared-voices`.
pub(crate) fn shared(cx: Ctx<'_>) -> Result<Reply, ApiError> {
    let url = cx.request.url().clone();
    let page = page_request_within(url.query_pairs(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let mut model = None;
    let mut filter = VoiceFilter::default();
    let mut errors = Vec::new();
    for (k, v) in url.query_pairs() {
        match &*k {
            "model" => model = Some(v.into_owned()),
            "gender" => filter.gender = Some(one_of(&v, "query.gender", &["male", "female", "neutral"], &mut errors)),
            "age" => filter.age = Some(one_of(&v, "query.age", &["young", "middle_aged", "old"], &mut errors)),
            "accent" => filter.accent = Some(at_most_40(&v, "query.accent", &mut errors)),
            "use_case" => filter.use_case.extend(split(&v, "query.use_case", &mut errors)),
            "style" => filter.style.extend(split(&v, "query.style", &mut errors)),
            _ => {}
        }
    }
    for (list, location) in [(&filter.use_case, "query.use_case"), (&filter.style, "query.style")] {
        if list.len() > 10 {
            errors.push(FieldError::new(
                "too_long",
                location,
                "List should have at most 10 items",
            ));
        }
    }
    match &model {
        None => errors.push(FieldError::new("missing", "query.model", "Field required")),
        Some(m) if m.chars().count() > 64 => errors.push(FieldError::new(
            "string_too_long",
            "query.model",
            "String should have at most 64 characters",
        )),
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let model = model.unwrap_or_default();
    let voices = shared_voices(&model, &filter)
        .ok_or_else(|| ApiError::new(404, "invalid_request", format!("TTS model '{model}' not found.")))?;
    let from = usize::try_from(page.from).unwrap_or(usize::MAX).min(voices.len());
    let end = from.saturating_add(page.limit).min(voices.len());
    let next = (end < voices.len()).then(|| encode_cursor(end as u64));
    Ok(Reply::json(
        200,
        &json!({"voices": &voices[from..end], "next_page_cursor": next}),
    ))
}

fn one_of(v: &str, location: &str, allowed: &[&str], errors: &mut Vec<FieldError>) -> String {
    if !allowed.contains(&v) {
        let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
        let (last, rest) = quoted.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
        errors.push(FieldError::new(
            "enum",
            location,
            format!("Input should be {} or {last}", rest.join(", ")),
        ));
    }
    v.to_owned()
}

fn at_most_40(v: &str, location: &str, errors: &mut Vec<FieldError>) -> String {
    if v.chars().count() > 40 {
        errors.push(FieldError::new(
            "string_too_long",
            location,
            "String should have at most 40 characters",
        ));
    }
    v.to_owned()
}

/// A repeated or comma-separated list parameter.
fn split(v: &str, location: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| at_most_40(s, location, errors))
        .collect()
}
