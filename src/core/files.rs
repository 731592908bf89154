//! `/v1/files`: upload, list, get, delete, count.

use super::http::{parse_empty, parse_json, segment, HttpRequest, Method, RawResponse};
use super::multipart::Multipart;
use super::paginator::{add_page_query, parse_page, FileListing, Listing};
use super::validate;
use std::path::Path;

use crate::error::{Error, Result};
use crate::types::{Counts, File, Page, UploadOptions};

pub use super::validate::MAX_FILE_SIZE;

/// What a local file uploads as, from its metadata (before it is opened): its length and
/// its name (the path's last component; `audio` without one). A directory is refused.
pub fn local_upload(path: &Path, len: u64, is_dir: bool) -> Result<(u64, String)> {
    if is_dir {
        return Err(Error::invalid(format!("{} is a directory, not a file", path.display())));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audio".to_owned());
    Ok((len, name))
}

/// [`build_upload`] with an upload's options: their `filename`, when set, replaces `name`;
/// their `client_reference_id` goes along.
pub fn build_upload_with(boundary_seed: u64, name: &str, file_len: u64, opts: &UploadOptions) -> Result<HttpRequest> {
    let name = opts.filename.as_deref().unwrap_or(name);
    build_upload(boundary_seed, name, file_len, opts.client_reference_id.as_deref())
}

/// `POST /v1/files`: frames an upload of `file_len` bytes. Refuses (before any I/O) an
/// empty or over-1-GiB file, an empty filename and an over-long `client_reference_id`.
pub fn build_upload(
    boundary_seed: u64,
    filename: &str,
    file_len: u64,
    client_reference_id: Option<&str>,
) -> Result<HttpRequest> {
    validate::upload(filename, file_len)?;
    let mut fields = Vec::new();
    if let Some(id) = client_reference_id {
        validate::client_reference_id(id)?;
        fields.push(("client_reference_id", id));
    }
    let mut req = HttpRequest::new(Method::Post, "/v1/files", "/v1/files".to_owned());
    req.body = super::http::Body::Multipart(Multipart::new(boundary_seed, filename, file_len, &fields));
    Ok(req)
}

/// Parses the `201` of an upload.
pub fn parse_upload(resp: &RawResponse) -> Result<File> {
    parse_json(resp)
}

/// `GET /v1/files?limit&cursor`.
pub fn build_list(limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
    let mut req = HttpRequest::new(Method::Get, "/v1/files", "/v1/files".to_owned());
    add_page_query(&mut req, limit, cursor)?;
    Ok(req)
}

/// Parses a page of files.
pub fn parse_list(resp: &RawResponse) -> Result<Page<File>> {
    parse_page(resp)
}

/// `GET /v1/files/{id}`.
pub fn build_get(id: &str) -> Result<HttpRequest> {
    validate::id("file id", id)?;
    Ok(HttpRequest::new(
        Method::Get,
        "/v1/files/{id}",
        format!("/v1/files/{}", segment(id)),
    ))
}

/// Parses a file.
pub fn parse_get(resp: &RawResponse) -> Result<File> {
    parse_json(resp)
}

/// `DELETE /v1/files/{id}`.
pub fn build_delete(id: &str) -> Result<HttpRequest> {
    validate::id("file id", id)?;
    Ok(HttpRequest::new(
        Method::Delete,
        "/v1/files/{id}",
        format!("/v1/files/{}", segment(id)),
    ))
}

/// Parses the `204` of a delete.
pub fn parse_delete(resp: &RawResponse) -> Result<()> {
    parse_empty(resp)
}

/// `GET /v1/files/count`.
pub fn build_count() -> HttpRequest {
    HttpRequest::new(Method::Get, "/v1/files/count", "/v1/files/count".to_owned())
}

/// Parses the counts.
pub fn parse_count(resp: &RawResponse) -> Result<Counts> {
    parse_json(resp)
}

impl Listing for FileListing {
    type Item = File;
    fn build(&self, limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest> {
        build_list(limit, cursor)
    }
    fn parse(resp: &RawResponse) -> Result<Page<File>> {
        parse_list(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::Body;

    #[test]
    fn builders_make_the_documented_requests() {
        let r = build_get("a/b").unwrap();
        assert_eq!(
            (r.method, r.path.as_str(), r.route),
            (Method::Get, "/v1/files/a%2Fb", "/v1/files/{id}")
        );
        assert_eq!(build_delete("x").unwrap().method, Method::Delete);
        assert_eq!(
            build_list(Some(5), Some("c")).unwrap().url(""),
            "/v1/files?limit=5&cursor=c"
        );
        assert_eq!(build_list(None, None).unwrap().url(""), "/v1/files");
        assert_eq!(build_count().path, "/v1/files/count");
        let up = build_upload(1, "a.wav", 10, Some("ref")).unwrap();
        match up.body {
            Body::Multipart(m) => assert_eq!(m.file_len(), 10),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_uploads_are_refused_before_any_io() {
        assert!(build_upload(1, "a.wav", 0, None).is_err());
        assert!(build_upload(1, "a.wav", MAX_FILE_SIZE + 1, None).is_err());
        assert!(build_upload(1, "a.wav", MAX_FILE_SIZE, None).is_ok());
        assert!(build_upload(1, "", 1, None).is_err());
        assert!(build_upload(1, "a", 1, Some(&"x".repeat(257))).is_err());
        assert!(build_get("").is_err());
    }

    #[test]
    fn parsers_read_the_documented_shapes() {
        let f = parse_get(&RawResponse::new(
            200,
            br#"{"id":"1","filename":"a.wav","size":3,"created_at":"t","extra":1}"#.to_vec(),
        ))
        .unwrap();
        assert_eq!((f.id.as_str(), f.size, f.client_reference_id), ("1", 3, None));
        let p = parse_list(&RawResponse::new(
            200,
            br#"{"files":[],"next_page_cursor":null}"#.to_vec(),
        ))
        .unwrap();
        assert!(p.is_last());
        let c = parse_count(&RawResponse::new(
            200,
            br#"{"total":5,"public_api":4,"playground":1}"#.to_vec(),
        ))
        .unwrap();
        assert_eq!(c.total, 5);
        assert!(parse_delete(&RawResponse::new(204, Vec::new())).is_ok());
        assert_eq!(
            parse_delete(&RawResponse::new(404, Vec::new())).unwrap_err().status(),
            Some(404)
        );
    }
}
