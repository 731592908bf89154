//! What both drivers' streams do with each event they hand to the user, and the errors
//! they build for an early end or a slow `finished`: one copy, not one per driver.

#[cfg(any(feature = "blocking", feature = "async"))]
use std::time::Duration;

use super::CONNECTION_CLOSED_ERROR_TYPE;
use crate::error::RealtimeError;
#[cfg(any(feature = "blocking", feature = "async"))]
use {
    super::{RealtimeEvent, RealtimeTranscript},
    crate::error::{Error, Result, TimeoutError},
};

/// A `connection_closed` realtime error with this message.
pub(crate) fn connection_closed(message: String) -> RealtimeError {
    RealtimeError {
        code: None,
        error_type: CONNECTION_CLOSED_ERROR_TYPE.to_owned(),
        message,
        request_id: None,
    }
}

/// Records an event handed to the user: `None` (the I/O side stopped without a last
/// event) becomes a `connection_closed` error with `closed`, never a silent end; the
/// end (`Finished` or an error) sets `ended`; anything else goes into the transcript.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn deliver(
    event: Option<Result<RealtimeEvent>>,
    closed: &str,
    ended: &mut bool,
    transcript: &mut RealtimeTranscript,
) -> Result<RealtimeEvent> {
    let event = event.unwrap_or_else(|| Err(Error::Realtime(connection_closed(closed.to_owned()))));
    match &event {
        Ok(RealtimeEvent::Finished) | Err(_) => *ended = true,
        Ok(e) => transcript.apply_event(e),
    }
    event
}

/// `finish()` waited `after` for `finished`.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn finish_timed_out(after: Duration) -> Error {
    Error::Timeout(TimeoutError {
        context: "waiting for the realtime session to finish".to_owned(),
        after,
    })
}
