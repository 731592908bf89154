//! The REST handlers, one file per resource, and the request context [`Ctx`] they take.

pub(super) mod auth;
pub(super) mod files;
pub(super) mod transcriptions;
pub(super) mod voices;

use std::sync::Arc;

use http_types::Request;

use crate::mock::state::shared::Shared;

/// A request on its way through the handlers.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) request: &'a mut Request,
    /// The `{id}` path segment, if the route has one.
    pub(crate) id: &'a str,
    pub(crate) request_id: &'a str,
}
