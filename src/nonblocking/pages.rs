//! List requests ([`List`]) and a [`Stream`] over every item of every page
//! ([`PageStream`]), driving the core [`Paginator`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures::future::BoxFuture;
use futures::Stream;

use super::client::Client;
use crate::core::http::RawResponse;
use crate::core::paginator::{FileListing, Listing, Paginator, TranscriptionListing};
use crate::error::Result;
use crate::types::{Page, SharedVoiceQuery};

/// A pending list request (`GET /v1/files` as [`FileList`], `GET /v1/transcriptions` as
/// [`TranscriptionList`]): `.limit(n)`, `.cursor(c)`, then `.send().await` for one page or
/// `.all()` for a stream of every item of every page. The listing `L` says which endpoint.
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
    pub async fn send(self) -> Result<Page<L::Item>> {
        let req = self.listing.build(self.limit, self.cursor.as_deref())?;
        L::parse(&self.client.execute(&req).await?)
    }
    /// Every item of every page, fetched lazily page by page.
    pub fn all(self) -> PageStream<'c, L> {
        PageStream::new(
            self.client,
            Paginator::with_listing(self.listing, self.limit, self.cursor),
        )
    }
}

/// Yields every item across pages; fetches the next page when the current one is
/// used up. After an error it yields that error once, then ends. `Unpin`, so
/// `futures::StreamExt::next` works on it directly.
///
/// ```no_run
/// # async fn run(client: soniox::nonblocking::Client) -> soniox::Result<()> {
/// use futures::StreamExt;
/// let mut files = client.files().list().limit(100).all();
/// while let Some(file) = files.next().await {
///     println!("{}", file?.filename);
/// }
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<'c, L: Listing> {
    client: &'c Client,
    paginator: Paginator<L>,
    buffer: VecDeque<L::Item>,
    in_flight: Option<BoxFuture<'c, Result<RawResponse>>>,
}

impl<L: Listing> std::fmt::Debug for PageStream<'_, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("pages", &self.paginator.pages())
            .field("buffered", &self.buffer.len())
            .field("fetching", &self.in_flight.is_some())
            .finish()
    }
}

// No field is ever pinned in place: the page request is boxed.
impl<L: Listing> Unpin for PageStream<'_, L> {}

impl<'c, L: Listing> PageStream<'c, L> {
    pub(crate) fn new(client: &'c Client, paginator: Paginator<L>) -> Self {
        PageStream {
            client,
            paginator,
            buffer: VecDeque::new(),
            in_flight: None,
        }
    }
    /// Pages fetched so far.
    pub fn pages(&self) -> u32 {
        self.paginator.pages()
    }
}

impl<L: Listing> Stream for PageStream<'_, L> {
    type Item = Result<L::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(fetch) = this.in_flight.as_mut() {
                let resp = ready!(fetch.as_mut().poll(cx));
                this.in_flight = None;
                match resp.and_then(|r| this.paginator.handle_response(&r)) {
                    Ok(page) => this.buffer.extend(page.items),
                    Err(e) => {
                        this.paginator.finish();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                continue;
            }
            match this.paginator.poll_request() {
                None => return Poll::Ready(None),
                Some(Err(e)) => {
                    this.paginator.finish();
                    return Poll::Ready(Some(Err(e)));
                }
                Some(Ok(req)) => {
                    let client = this.client;
                    this.in_flight = Some(Box::pin(async move { client.execute(&req).await }));
                }
            }
        }
    }
}
