//! Cursor pagination over `next_page_cursor`.
//!
//! ```text
//!   new ──poll_request──▶ request(cursor) ──handle_response──▶ page
//!    ▲                                         │ next_page_cursor = Some(c)
//!    └─────────────────────────────────────────┘ None ─▶ done (poll_request = None)
//! ```
//!
//! ```
//! use soniox::core::http::RawResponse;
//! use soniox::core::paginator::{FileListing, Paginator};
//! let mut p = Paginator::<FileListing>::new(Some(1), None);
//! let req = p.poll_request().unwrap().unwrap();
//! assert_eq!(req.url(""), "/v1/files?limit=1");
//! let page = p.handle_response(&RawResponse::new(200, br#"{"files":[],"next_page_cursor":null}"#.to_vec())).unwrap();
//! assert!(page.is_last() && p.poll_request().is_none());
//! ```

use serde::de::DeserializeOwned;

use super::http::{parse_json, HttpRequest, RawResponse};
use crate::error::{DecodeError, Error, Result};
use crate::types::page::WirePage;
use crate::types::Page;

/// A list endpoint, with whatever filters it takes: how to ask for a page and how to read
/// one. The unit listings ([`FileListing`], [`TranscriptionListing`]) take none; a query
/// such as [`SharedVoiceQuery`](crate::types::SharedVoiceQuery) carries its filters, sent
/// again with every cursor.
pub trait Listing {
    /// The item type.
    type Item;
    /// Builds the request for one page.
    fn build(&self, limit: Option<u32>, cursor: Option<&str>) -> Result<HttpRequest>;
    /// Parses one page.
    fn parse(resp: &RawResponse) -> Result<Page<Self::Item>>;
}

/// `GET /v1/files` (its [`Listing`] is in [`files`](super::files)).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileListing;
/// `GET /v1/transcriptions` (its [`Listing`] is in [`transcriptions`](super::transcriptions)).
#[derive(Debug, Clone, Copy, Default)]
pub struct TranscriptionListing;

/// Walks every page of a listing. A server that repeats a cursor is an error, not a loop.
#[derive(Debug)]
pub struct Paginator<L> {
    listing: L,
    limit: Option<u32>,
    cursor: Option<String>,
    done: bool,
    pages: u32,
}

impl<L: Listing> Paginator<L> {
    /// Starts at `cursor` (or the first page) with pages of `limit` items.
    pub fn new(limit: Option<u32>, cursor: Option<String>) -> Self
    where
        L: Default,
    {
        Self::with_listing(L::default(), limit, cursor)
    }

    /// [`new`](Self::new) for a listing with filters.
    pub fn with_listing(listing: L, limit: Option<u32>, cursor: Option<String>) -> Self {
        Paginator {
            listing,
            limit,
            cursor,
            done: false,
            pages: 0,
        }
    }

    /// The request for the next page, or `None` when every page was read.
    #[must_use]
    pub fn poll_request(&self) -> Option<Result<HttpRequest>> {
        (!self.done).then(|| self.listing.build(self.limit, self.cursor.as_deref()))
    }

    /// Feeds the response to the last request; returns its page.
    pub fn handle_response(&mut self, resp: &RawResponse) -> Result<Page<L::Item>> {
        let page = match L::parse(resp) {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.pages = self.pages.saturating_add(1);
        match &page.next_page_cursor {
            Some(next) if Some(next) == self.cursor.as_ref() => {
                self.done = true;
                return Err(Error::Decode(DecodeError {
                    status: resp.status,
                    message: format!("the server returned the same cursor again ({next:?}); stopping"),
                    body: String::new(),
                }));
            }
            Some(next) => self.cursor = Some(next.clone()),
            None => self.done = true,
        }
        Ok(page)
    }

    /// Ends the walk (after an error the driver could not recover from).
    pub fn finish(&mut self) {
        self.done = true;
    }

    /// Pages read so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }
    /// True once the last page was read (or an error ended the walk).
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// Adds `limit` (checked to be 1..=1000) and `cursor` to a list request.
pub(crate) fn add_page_query(req: &mut HttpRequest, limit: Option<u32>, cursor: Option<&str>) -> Result<()> {
    add_page_query_max(req, limit, cursor, 1000)
}

/// [`add_page_query`] for an endpoint whose `limit` goes up to `max`.
pub(crate) fn add_page_query_max(
    req: &mut HttpRequest,
    limit: Option<u32>,
    cursor: Option<&str>,
    max: u32,
) -> Result<()> {
    if let Some(l) = limit {
        if !(1..=max).contains(&l) {
            return Err(Error::invalid(format!("limit must be 1..={max}, got {l}")));
        }
        req.query.push(("limit", l.to_string()));
    }
    if let Some(c) = cursor {
        req.query.push(("cursor", c.to_owned()));
    }
    Ok(())
}

pub(crate) fn parse_page<T: DeserializeOwned>(resp: &RawResponse) -> Result<Page<T>> {
    parse_json::<WirePage<T>>(resp).map(|p| Page {
        items: p.items,
        next_page_cursor: p.next_page_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], next: Option<&str>) -> RawResponse {
        let files: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"id": id, "filename": "f", "size": 1, "created_at": "t"}))
            .collect();
        RawResponse::new(
            200,
            serde_json::to_vec(&serde_json::json!({"files": files, "next_page_cursor": next})).unwrap(),
        )
    }

    #[test]
    fn walks_every_page_passing_the_cursor() {
        let mut p = Paginator::<FileListing>::new(Some(2), None);
        let mut seen = Vec::new();
        let replies = [
            page(&["a", "b"], Some("c1")),
            page(&["c", "d"], Some("c2")),
            page(&["e"], None),
        ];
        let mut urls = Vec::new();
        for reply in &replies {
            urls.push(p.poll_request().unwrap().unwrap().url(""));
            seen.extend(p.handle_response(reply).unwrap().items.into_iter().map(|f| f.id));
        }
        assert!(p.poll_request().is_none());
        assert_eq!(seen, ["a", "b", "c", "d", "e"]);
        assert_eq!(
            urls,
            [
                "/v1/files?limit=2",
                "/v1/files?limit=2&cursor=c1",
                "/v1/files?limit=2&cursor=c2"
            ]
        );
        assert_eq!(p.pages(), 3);
    }

    #[test]
    fn a_repeated_cursor_stops_the_walk() {
        let mut p = Paginator::<FileListing>::new(None, Some("same".into()));
        assert!(matches!(
            p.handle_response(&page(&["a"], Some("same"))),
            Err(Error::Decode(_))
        ));
        assert!(p.poll_request().is_none());
    }

    #[test]
    fn an_error_page_ends_the_walk_and_limits_are_checked() {
        let mut p = Paginator::<TranscriptionListing>::new(None, None);
        assert_eq!(
            p.handle_response(&RawResponse::new(400, Vec::new()))
                .unwrap_err()
                .status(),
            Some(400)
        );
        assert!(p.is_done());
        assert!(Paginator::<FileListing>::new(Some(0), None)
            .poll_request()
            .unwrap()
            .is_err());
        assert!(Paginator::<FileListing>::new(Some(1001), None)
            .poll_request()
            .unwrap()
            .is_err());
    }
}
