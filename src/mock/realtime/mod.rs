//! The realtime endpoint `/transcribe-websocket`: the upgrade ([`upgrade`]), the session on
//! the upgraded connection ([`session`]) and the protocol rules it follows, without I/O
//! ([`protocol`]).

pub(super) mod protocol;
mod session;
pub(super) mod upgrade;
