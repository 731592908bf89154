//! The fuzz properties, one copy for two runners: the cargo-fuzz targets in `fuzz/`
//! (`#[path]`-included there) and `tests/fuzz_properties.rs` (seed corpus plus a
//! bounded pseudo-random batch, on stable). Each property takes raw bytes, builds a
//! structured input with `arbitrary`, drives the sans-IO core and panics only when an
//! invariant is broken.
#![allow(dead_code, unreachable_pub)]

pub mod config;
pub mod mock_http;
pub mod mock_multipart;
pub mod mock_realtime;
pub mod multipart;
pub mod poller;
pub mod realtime_decode;
pub mod realtime_session;
pub mod response;
pub mod retry_after;
pub mod speech_response;

/// A property: panics when an invariant breaks.
pub type Property = fn(&[u8]);

/// Every target: its name (the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/corpus/<name>/` directory) and its property.
pub const TARGETS: &[(&str, Property)] = &[
    ("response", response::property),
    ("realtime_decode", realtime_decode::property),
    ("realtime_session", realtime_session::property),
    ("poller", poller::property),
    ("multipart", multipart::property),
    ("retry_after", retry_after::property),
    ("config", config::property),
    ("mock_multipart", mock_multipart::property),
    ("mock_realtime", mock_realtime::property),
    ("mock_http", mock_http::property),
    ("speech_response", speech_response::property),
];

/// A JSON value worth trying for a key: the extremes of each JSON type, one of a target's
/// `words`, or any text (shared by the mock targets).
#[derive(arbitrary::Arbitrary, Debug)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Word(u8),
    Text(String),
    List(Vec<u8>),
}

impl Val {
    /// The value, words picked from `words`.
    pub fn json(&self, words: &[&str]) -> serde_json::Value {
        use serde_json::{json, Value};
        let word = |w: &u8| words[usize::from(*w) % words.len()];
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Int(i) => json!(i),
            Val::Float(f) => json!(f),
            Val::Word(w) => json!(word(w)),
            Val::Text(t) => json!(t),
            Val::List(l) => Value::Array(l.iter().map(|w| json!(word(w))).collect()),
        }
    }
}

/// Builds `T` from all of `data`; `None` when the bytes cannot make one (not a finding).
pub fn input<'a, T: arbitrary::Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(arbitrary::Unstructured::new(data)).ok()
}
