//! The mock's input parsers as plain functions, for the fuzz targets (`fuzz/`,
//! `tests/fuzz_props/mock_*.rs`): what reaches them comes from whatever client connects
//! to the port, so they must hold for any bytes. Not a stable API.

use serde_json::Value;

use super::http::multipart::{boundary, Event, Multipart};
use super::realtime::protocol::{
    parse_control, parse_object, start_api_key, validate_start, AudioFormat, AudioMeter, Control,
};

/// One part of a multipart body: its name, file name and content.
pub type Part = (String, Option<String>, Vec<u8>);

/// The boundary of a `multipart/form-data` content type, as the mock reads it.
pub fn multipart_boundary(content_type: &str) -> Option<String> {
    boundary(content_type)
}

/// The mock's streaming multipart parser over `body`, fed in pieces ending at each of
/// `cuts` (offsets, any order, out-of-range ones ignored) and then the rest: the parts, or
/// the error's name. The parser keeps no more than a delimiter's worth of content.
pub fn multipart(boundary: &str, body: &[u8], cuts: &[usize]) -> Result<Vec<Part>, String> {
    let mut cuts: Vec<usize> = cuts.iter().copied().filter(|&c| c <= body.len()).collect();
    cuts.sort_unstable();
    cuts.push(body.len());
    let mut parser = Multipart::new(boundary);
    let mut parts: Vec<Part> = Vec::new();
    let mut open = false;
    let mut misuse = None;
    let mut from = 0;
    for to in cuts {
        parser
            .feed(&body[from..to], &mut |event| match event {
                Event::Part { name, filename } => {
                    if open {
                        misuse = Some("a part began inside a part");
                    }
                    open = true;
                    parts.push((name, filename, Vec::new()));
                }
                Event::Data(bytes) => match (open, parts.last_mut()) {
                    (true, Some(part)) => part.2.extend_from_slice(bytes),
                    _ => misuse = Some("content outside a part"),
                },
                Event::PartEnd => {
                    if !open {
                        misuse = Some("a part ended that had not begun");
                    }
                    open = false;
                }
            })
            .map_err(|e| format!("{e:?}"))?;
        from = to;
    }
    if let Some(m) = misuse {
        panic!("the multipart parser broke its event order: {m}");
    }
    parser.finish().map_err(|e| format!("{e:?}"))?;
    Ok(parts)
}

/// The mock's reading of a realtime start message: the model and the deprecated `api_key`
/// field if present, or the error's status and type.
pub fn realtime_start(text: &str) -> Result<(String, Option<String>), (u16, String)> {
    let map = parse_object(text).map_err(|e| (e.code, e.error_type.clone()))?;
    let key = start_api_key(&map).map(str::to_owned);
    let start = validate_start(&map).map_err(|e| (e.code, e.error_type.clone()))?;
    Ok((start.model.to_owned(), key))
}

/// The mock's reading of a text frame after the start message.
pub fn realtime_control(text: &str) -> Result<&'static str, (u16, String)> {
    match parse_control(text) {
        Ok(Control::Keepalive) => Ok("keepalive"),
        Ok(Control::Finalize) => Ok("finalize"),
        Ok(Control::EndOfAudio) => Ok("end_of_audio"),
        Err(e) => Err((e.code, e.error_type.clone())),
    }
}

/// The audio duration the mock counts for `frames` under the start message's audio
/// format (`None`: the start message is refused): the running total after each frame.
pub fn audio_durations(start: &Value, frames: &[&[u8]]) -> Option<Vec<u64>> {
    let map = start.as_object()?;
    let format: AudioFormat = validate_start(map).ok()?.format;
    let mut meter = AudioMeter::new(format);
    Some(
        frames
            .iter()
            .map(|f| {
                meter.push(f);
                meter.total_ms()
            })
            .collect(),
    )
}
