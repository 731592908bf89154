//! The official OpenAPI document: its speech-to-text operations and a JSON Schema
//! (draft 2020-12) validator for every JSON response it documents for them.

use std::collections::HashMap;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};
use soniox::mock::ResponseRecord;

/// The document, byte-identical to the one shipped with the official Python SDK 2.10.0.
pub const DOCUMENT: &str = include_str!("../fixtures/soniox-openapi.json");

/// Tags of the speech-to-text REST operations.
pub const TAGS: [&str; 6] = ["Files", "Transcriptions", "Models", "Auth", "TTS Models", "TTS"];

/// The URI the document is registered under; nothing is ever fetched from it.
const DOC_URI: &str = "urn:soniox:openapi";

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The path template, e.g. `/v1/files/{file_id}`.
    pub path: String,
    /// Every documented status, ascending.
    pub statuses: Vec<u16>,
}

impl Operation {
    /// The path up to its first parameter (a fault's path prefix).
    pub fn prefix(&self) -> &str {
        self.path.split('{').next().unwrap_or(&self.path)
    }

    /// Whether `path` fills this template; `Some(parameter count)` when it does.
    fn fits(&self, path: &str) -> Option<usize> {
        let want: Vec<&str> = self.path.split('/').collect();
        let got: Vec<&str> = path.split('/').collect();
        if want.len() != got.len() {
            return None;
        }
        let mut params = 0;
        for (w, g) in want.iter().zip(&got) {
            if w.starts_with('{') && w.ends_with('}') {
                if g.is_empty() {
                    return None;
                }
                params += 1;
            } else if w != g {
                return None;
            }
        }
        Some(params)
    }
}

/// What checking one recorded response found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A JSON body that validated against the documented schema.
    Body,
    /// A documented empty response (204) that was empty.
    Empty,
}

/// The document, its speech-to-text operations and their response validators.
pub struct Spec {
    /// The covered operations, in document order.
    pub ops: Vec<Operation>,
    /// Keyed by (operationId, status); only statuses documented with a JSON body.
    validators: HashMap<(String, u16), Validator>,
    /// The content types of statuses documented with a body that is not JSON (audio).
    media: HashMap<(String, u16), Vec<String>>,
}

impl Spec {
    /// Parses the document and compiles a validator per documented JSON response.
    pub fn load() -> Spec {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("the OpenAPI document is JSON");
        assert_eq!(
            doc["openapi"].as_str().map(|v| &v[..3]),
            Some("3.1"),
            "OpenAPI 3.1 expected"
        );
        let ops = operations(&doc);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, doc.clone())
            .expect("register the document")
            .prepare()
            .expect("prepare the registry");
        let options = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(false)
            .offline()
            .with_registry(&registry);
        let mut validators = HashMap::new();
        for op in &ops {
            for &status in &op.statuses {
                let Some(pointer) = schema_pointer(&doc, op, status) else {
                    continue;
                };
                let schema = json!({ "$ref": format!("{DOC_URI}#{pointer}") });
                let validator = options
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{} {status}: schema does not compile: {e}", op.id));
                validators.insert((op.id.clone(), status), validator);
            }
        }
        let mut media = HashMap::new();
        for op in &ops {
            for &status in &op.statuses {
                let content =
                    &doc["paths"][&op.path][op.method.to_ascii_lowercase()]["responses"][status.to_string()]["content"];
                if let Some(types) = content.as_object().filter(|c| !c.contains_key("application/json")) {
                    media.insert((op.id.clone(), status), types.keys().cloned().collect::<Vec<_>>());
                }
            }
        }
        Spec { ops, validators, media }
    }

    /// The operation with this id.
    pub fn op(&self, id: &str) -> &Operation {
        self.ops
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no operation {id} in the document"))
    }

    /// The operation a request went to: the matching template with the fewest parameters
    /// (so `/v1/files/count` is `get_files_count`, not `get_file`).
    pub fn route(&self, method: &str, path: &str) -> Option<&Operation> {
        self.ops
            .iter()
            .filter(|o| o.method.eq_ignore_ascii_case(method))
            .filter_map(|o| o.fits(path).map(|n| (n, o)))
            .min_by_key(|(n, _)| *n)
            .map(|(_, o)| o)
    }

    /// Number of compiled validators (one per documented JSON response).
    pub fn validator_count(&self) -> usize {
        self.validators.len()
    }

    /// Validates `body` as the `status` response of `op`; every error, one per line.
    pub fn validate(&self, op: &str, status: u16, body: &Value) -> Result<(), String> {
        let validator = self
            .validators
            .get(&(op.to_owned(), status))
            .ok_or_else(|| format!("{op} documents no JSON body for {status}"))?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{e} (at `{}`, schema `{}`)", e.instance_path(), e.schema_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n    "))
        }
    }

    /// Checks a recorded response against what `op` documents for its status.
    pub fn check(&self, op: &Operation, rec: &ResponseRecord) -> Result<Checked, String> {
        if !op.statuses.contains(&rec.status) {
            return Err(format!("status {} is not documented", rec.status));
        }
        if let Some(types) = self.media.get(&(op.id.clone(), rec.status)) {
            // A documented binary body (audio): one of its content types, and some bytes.
            let essence = rec
                .content_type
                .as_deref()
                .map(|c| c.split(';').next().unwrap_or("").trim());
            if !essence.is_some_and(|e| types.iter().any(|t| t.eq_ignore_ascii_case(e))) {
                return Err(format!(
                    "content-type {:?}, expected one of {types:?}",
                    rec.content_type
                ));
            }
            if rec.body.is_empty() {
                return Err("an empty body".to_owned());
            }
            return Ok(Checked::Body);
        }
        if !self.validators.contains_key(&(op.id.clone(), rec.status)) {
            // Documented without content (204): no body, no content type.
            if !rec.body.is_empty() || rec.content_type.is_some() {
                return Err(format!(
                    "expected no body, got {} bytes ({:?})",
                    rec.body.len(),
                    rec.content_type
                ));
            }
            return Ok(Checked::Empty);
        }
        let essence = rec
            .content_type
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or("").trim());
        if !essence.is_some_and(|e| e.eq_ignore_ascii_case("application/json")) {
            return Err(format!(
                "content-type {:?}, expected application/json",
                rec.content_type
            ));
        }
        let body: Value = serde_json::from_slice(&rec.body)
            .map_err(|e| format!("body is not JSON ({e}): {}", String::from_utf8_lossy(&rec.body)))?;
        self.validate(&op.id, rec.status, &body)
            .map_err(|e| format!("schema violation:\n    {e}\n  body: {body}"))?;
        Ok(Checked::Body)
    }
}

/// The operations tagged with one of [`TAGS`], in document order.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(tags) = op.get("tags").and_then(Value::as_array) else {
                continue;
            };
            if !tags.iter().any(|t| t.as_str().is_some_and(|t| TAGS.contains(&t))) {
                continue;
            }
            let mut statuses: Vec<u16> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(|s| s.parse().unwrap_or_else(|_| panic!("status {s} of {path}")))
                .collect();
            statuses.sort_unstable();
            ops.push(Operation {
                id: op["operationId"].as_str().expect("operationId").to_owned(),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                statuses,
            });
        }
    }
    ops
}

/// The JSON pointer (URI-fragment encoded) to the `application/json` schema of a response,
/// if the response documents one.
fn schema_pointer(doc: &Value, op: &Operation, status: u16) -> Option<String> {
    let segments = [
        "paths",
        &op.path,
        &op.method.to_ascii_lowercase(),
        "responses",
        &status.to_string(),
        "content",
        "application/json",
        "schema",
    ];
    let mut node = doc;
    let mut pointer = String::new();
    for s in segments {
        node = node.get(s)?;
        pointer.push('/');
        pointer.push_str(&fragment_encode(&s.replace('~', "~0").replace('/', "~1")));
    }
    Some(pointer)
}

/// Percent-encodes everything but RFC 3986 unreserved characters (`{`, `}` in paths).
fn fragment_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
