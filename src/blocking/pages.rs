//! List requests ([`List`]) and an iterator over every item of every page
//! ([`PageIter`]), driving the core [`Paginator`].

use std::collections::VecDeque;

use super::client::Client;
use crate::core::paginator::{FileListing, Listing, Paginator, TranscriptionListing};
use crate::error::Result;
use crate::types::{Page, SharedVoiceQuery};

/// A pending list request (`GET /v1/files` as [`FileList`], `GET /v1/transcriptions` as
/// [`TranscriptionList`]): `.limit(n)`, `.cursor(c)`, then `.send()` for one page or
/// `.all()` for every item of every page. The listing `L` says which endpoint.
#[derive(Debug, Clone)]
#[must_use]
pub struct List<'c, L> {
    client: &'c Client,
    listing: L,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// A pending `GET /v1/files`: [`Files::list`](super::Files::list).
pub type FileList<'c> = List<'c, FileListing>;
/// A pending `GET /v1/transcriptions`: [`Transcriptions::list`](super::Transcriptions::list).
pub type TranscriptionList<'c> = List<'c, TranscriptionListing>;
/// A pending `GET /v1/shared-voices`: [`Voices::list_shared`](super::Voices::list_shared).
pub type SharedVoiceList<'c> = List<'c, SharedVoiceQuery>;

impl<'c, L: Listing> List<'c, L> {
    pub(crate) fn new(client: &'c Client) -> Self
    where
        L: Default,
    {
        Self::with(client, L::default())
    }
    pub(crate) fn with(client: &'c Client, listing: L) -> Self {
        List {
            client,
            listing,
            limit: None,
            cursor: None,
        }
    }
    /// Items per page (1..=1000 for files and jobs, default 1000; 1..=200 for shared voices,
    /// default 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    /// Start at this cursor (from a previous page's `next_page_cursor`).
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
    /// Fetches one page.
    pub fn send(self) -> Result<Page<L::Item>> {
        L::parse(
            &self
                .client
                .execute(&self.listing.build(self.limit, self.cursor.as_deref())?)?,
        )
    }
    /// Every item of every page, fetched lazily page by page.
    pub fn all(self) -> PageIter<'c, L> {
        PageIter::new(
            self.client,
            Paginator::with_listing(self.listing, self.limit, self.cursor),
        )
    }
}

/// Yields every item across pages; fetches the next page when the current one is
/// used up. After an error it yields that error once, then ends.
#[must_use]
pub struct PageIter<'c, L: Listing> {
    client: &'c Client,
    paginator: Paginator<L>,
    buffer: VecDeque<L::Item>,
}

impl<L: Listing> std::fmt::Debug for PageIter<'_, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter")
            .field("pages", &self.paginator.pages())
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<'c, L: Listing> PageIter<'c, L> {
    pub(crate) fn new(client: &'c Client, paginator: Paginator<L>) -> Self {
        PageIter {
            client,
            paginator,
            buffer: VecDeque::new(),
        }
    }
    /// Pages fetched so far.
    pub fn pages(&self) -> u32 {
        self.paginator.pages()
    }
}

impl<L: Listing> Iterator for PageIter<'_, L> {
    type Item = Result<L::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let page = self.paginator.poll_request()?.and_then(|req| {
                let resp = self.client.execute(&req)?;
                self.paginator.handle_response(&resp)
            });
            match page {
                Ok(page) => self.buffer.extend(page.items),
                Err(e) => {
                    self.paginator.finish();
                    return Some(Err(e));
                }
            }
        }
    }
}
