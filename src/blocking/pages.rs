//! An iterator over every item of every page, driving the core [`Paginator`].

use std::collections::VecDeque;

use super::client::Client;
use crate::core::paginator::{Listing, Paginator};
use crate::error::Result;

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
