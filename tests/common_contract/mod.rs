//! The OpenAPI contract harness: the document and its validators ([`spec`]), the clients
//! ([`client`]), the case table ([`cases`], rows in `rows_*`, setup in [`setup`]) and the
//! runner ([`harness`]).
#![allow(dead_code, unreachable_pub)]

pub mod cases;
pub mod client;
pub mod harness;
pub mod rows_files;
pub mod rows_jobs;
pub mod rows_tts;
pub mod setup;
pub mod spec;
