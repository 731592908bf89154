//! List requests ([`List`]) and an iterator over every item of every page
//! ([`PageIter`]), driving the core [`Paginator`].

use std::collections::VecDeque;
use std::marker::PhantomData;

use super::client::Client;
use crate::core::paginator::{FileListing, Listing, Paginator, TranscriptionListing};
use crate::error::Result;
use crate::types::Page;

/// A pending list request (`GET /v1/files` as [`FileList`], `GET /v1/transcriptions` as
/// [`TranscriptionList`]): `.limit(n)`, `.cursor(c)`, then `.send()` for one page or
/// `.all()` for every item of every page. The listing `L` says which endpoint.
#[derive(Debug, Clone)]
#[must_use]
pub struct List<'c, L> {
    client: &'c Client,
    limit: Option<u32>,
    cursor: Option<String>,
    listing: PhantomData<L>,
}

/// A pending `GET /v1/files`: [`Files::list`](super::Files::list).
pub type FileList<'c> = List<'c, FileListing>;
/// A pending `GET /v1/transcriptions`: [`Transcriptions::list`](super::Transcriptions::list).
pub type TranscriptionList<'c> = List<'c, TranscriptionListing>;

impl<'c, L: Listing> List<'c, L> {
    pub(crate) fn new(client: &'c Client) -> Self {
        List {
            client,
            limit: None,
            cursor: None,
            listing: PhantomData,
        }
    }
    /// Items per page (1..=1000; the service's default is 1000).
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
        L::parse(&self.client.execute(&L::build(self.limit, self.cursor.as_deref())?)?)
    }
    /// Every item of every page, fetched lazily page by page.
    pub fn all(self) -> PageIter<'c, L> {
        PageIter::new(self.client, Paginator::new(self.limit, self.cursor))
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
