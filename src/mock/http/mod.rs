//! The REST side of the mock: each connection's requests as async-h1 reads them
//! ([`server`]), routed ([`router`]) to the handlers, and the answers written back.

mod chaos;
pub(super) mod conn;
pub(super) mod errors;
mod handlers;
pub(super) mod multipart;
mod pagination;
mod payload;
pub(super) mod reply;
mod router;
pub(super) mod routes;
pub(super) mod server;
mod sniff;
pub(super) mod validate;
