use serde::Deserialize;

/// One page of a list endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next_page_cursor: Option<String>,
}

impl<T> Page<T> {
    /// True when no page follows.
    pub fn is_last(&self) -> bool {
        self.next_page_cursor.is_none()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// `{"files": [...], "next_page_cursor": ...}`, `{"transcriptions": [...], ...}` and
/// `{"voices": [...], ...}`.
#[derive(Deserialize)]
pub(crate) struct WirePage<T> {
    #[serde(alias = "files", alias = "transcriptions", alias = "voices")]
    pub(crate) items: Vec<T>,
    #[serde(default)]
    pub(crate) next_page_cursor: Option<String>,
}
