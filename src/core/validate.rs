//! Client-side checks of the documented limits, so bad input fails before any request.

use crate::error::{Error, Result};
use crate::types::{CreateTranscription, SharedVoiceQuery, Speech, TemporaryKey};

/// The largest file the API accepts: 1 GiB.
pub const MAX_FILE_SIZE: u64 = 1_073_741_824;

fn max_len(what: &str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(Error::invalid(format!(
            "{what} is {n} characters long; the maximum is {max}"
        )));
    }
    Ok(())
}

fn http_url(what: &str, url: &str, max: usize) -> Result<()> {
    max_len(what, url, max)?;
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > url.find("://").unwrap_or(0) + 3
        && !url.chars().any(char::is_whitespace);
    if !ok {
        return Err(Error::invalid(format!(
            "{what} must be an http:// or https:// URL without spaces, got {url:?}"
        )));
    }
    Ok(())
}

/// A non-empty id without control characters.
pub(crate) fn id(what: &str, id: &str) -> Result<()> {
    if id.trim().is_empty() || id.chars().any(char::is_control) {
        return Err(Error::invalid(format!("{what} must be a non-empty id, got {id:?}")));
    }
    Ok(())
}

/// ≤ 256 characters.
pub(crate) fn client_reference_id(v: &str) -> Result<()> {
    max_len("client_reference_id", v, 256)
}

/// A non-empty file of at most 1 GiB with a name.
pub(crate) fn upload(filename: &str, len: u64) -> Result<()> {
    if filename.trim().is_empty() {
        return Err(Error::invalid("the upload needs a file name"));
    }
    if len == 0 {
        return Err(Error::invalid(format!("{filename}: the file is empty (0 bytes)")));
    }
    if len > MAX_FILE_SIZE {
        return Err(Error::invalid(format!(
            "{filename}: {len} bytes is over the 1 GiB ({MAX_FILE_SIZE} bytes) upload limit"
        )));
    }
    Ok(())
}

/// Every documented field limit of `CreateTranscriptionPayload`.
pub(crate) fn create_transcription(r: &CreateTranscription) -> Result<()> {
    match (&r.file_id, &r.audio_url) {
        (Some(_), Some(_)) => return Err(Error::invalid("give either file_id or audio_url, not both")),
        (None, None) => return Err(Error::invalid("give one of file_id or audio_url")),
        (Some(f), None) => id("file_id", f)?,
        (None, Some(u)) => http_url("audio_url", u, 4096)?,
    }
    if r.model.trim().is_empty() {
        return Err(Error::invalid("model must not be empty"));
    }
    max_len("model", &r.model, 32)?;
    if let Some(h) = &r.language_hints {
        if h.len() > 100 {
            return Err(Error::invalid(format!(
                "{} language hints given; the maximum is 100",
                h.len()
            )));
        }
        for hint in h {
            if hint.is_empty() {
                return Err(Error::invalid("a language hint is empty"));
            }
            max_len("a language hint", hint, 10)?;
        }
    }
    if let Some(u) = &r.webhook_url {
        http_url("webhook_url", u, 256)?;
    }
    match (&r.webhook_auth_header_name, &r.webhook_auth_header_value) {
        (Some(n), Some(v)) => {
            if n.trim().is_empty() || v.is_empty() {
                return Err(Error::invalid("the webhook auth header needs both a name and a value"));
            }
            max_len("webhook_auth_header_name", n, 256)?;
            max_len("webhook_auth_header_value", v, 256)?;
        }
        (None, None) => {}
        _ => return Err(Error::invalid("the webhook auth header needs both a name and a value")),
    }
    if let Some(c) = &r.client_reference_id {
        client_reference_id(c)?;
    }
    Ok(())
}

/// 1..=3600 s lifetime, 1..=18000 s session cap, reference id length.
pub(crate) fn temporary_key(k: &TemporaryKey) -> Result<()> {
    if !(1..=3600).contains(&k.expires_in_seconds) {
        return Err(Error::invalid(format!(
            "expires_in_seconds must be 1..=3600, got {}",
            k.expires_in_seconds
        )));
    }
    if let Some(s) = k.max_session_duration_seconds {
        if !(1..=18000).contains(&s) {
            return Err(Error::invalid(format!(
                "max_session_duration_seconds must be 1..=18000, got {s}"
            )));
        }
    }
    if let Some(c) = &k.client_reference_id {
        client_reference_id(c)?;
    }
    Ok(())
}

/// A tag filter: non-empty, without control characters, at most `max` characters.
fn tag(what: &str, v: &str, max: usize) -> Result<()> {
    if v.trim().is_empty() || v.chars().any(char::is_control) {
        return Err(Error::invalid(format!("{what} must be a non-empty word, got {v:?}")));
    }
    max_len(what, v, max)
}

/// `GET /v1/shared-voices`: a model (≤ 64), tags (≤ 40), at most 10 of each list filter.
/// Tag values the SDK does not know pass (the service may add some).
pub(crate) fn shared_voice_query(q: &SharedVoiceQuery) -> Result<()> {
    tag("model", &q.model, 64)?;
    for (what, v) in [("gender", &q.gender), ("age", &q.age), ("accent", &q.accent)] {
        if let Some(v) = v {
            tag(what, v, 40)?;
        }
    }
    for (what, list) in [("use_case", &q.use_case), ("style", &q.style)] {
        if list.len() > 10 {
            return Err(Error::invalid(format!("{what}: at most 10 values, got {}", list.len())));
        }
        for v in list {
            tag(what, v, 40)?;
        }
    }
    Ok(())
}

/// `POST /tts`: text 1 to 5000 characters; model, language and voice non-empty, at most
/// 50; speed 0.7 to 1.3; `client_reference_id` at most 256. Rates and bitrates are the
/// service's to check (the SDK passes values it does not know on).
pub(crate) fn speech(s: &Speech) -> Result<()> {
    if s.text.trim().is_empty() {
        return Err(Error::invalid("the text to speak is empty"));
    }
    max_len("text", &s.text, 5000)?;
    for (what, v) in [("model", &s.model), ("language", &s.language), ("voice", &s.voice)] {
        tag(what, v, 50)?;
    }
    if let Some(speed) = s.speed {
        if !(0.7..=1.3).contains(&speed) {
            return Err(Error::invalid(format!("speed must be 0.7 to 1.3, got {speed}")));
        }
    }
    if let Some(id) = &s.client_reference_id {
        client_reference_id(id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(r: CreateTranscription) -> String {
        create_transcription(&r).unwrap_err().to_string()
    }

    #[test]
    fn every_documented_limit_is_checked() {
        let f = || CreateTranscription::file_id("f");
        assert!(create_transcription(&f()).is_ok());
        assert!(err(CreateTranscription::file_id("")).contains("file_id"));
        let mut both = f();
        both.audio_url = Some("https://x".into());
        assert!(err(both).contains("not both"));
        let mut neither = f();
        neither.file_id = None;
        assert!(err(neither).contains("one of"));
        assert!(err(CreateTranscription::audio_url("ftp://x")).contains("audio_url"));
        assert!(err(CreateTranscription::audio_url(format!("https://{}", "a".repeat(4096)))).contains("4096"));
        assert!(err(f().model("m".repeat(33))).contains("model"));
        assert!(err(f().model(" ")).contains("model"));
        assert!(err(f().language_hints(vec!["en"; 101])).contains("100"));
        assert!(err(f().language_hints(["english-us-x"])).contains("language hint"));
        assert!(err(f().webhook_url("https://x/ y")).contains("webhook_url"));
        assert!(err(f().webhook_url(format!("https://{}", "a".repeat(250)))).contains("256"));
        assert!(err(f().webhook_auth_header("X-Auth", "")).contains("both a name and a value"));
        assert!(err(f().client_reference_id("r".repeat(257))).contains("client_reference_id"));
        assert!(create_transcription(&f().client_reference_id("r".repeat(256))).is_ok());
    }
}
