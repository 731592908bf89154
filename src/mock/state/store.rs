//! An ordered, id-indexed store with stable cursor pagination.

use std::collections::{BTreeMap, HashMap};

/// Items in creation order, addressable by id; sequence numbers never repeat, so cursors
/// stay valid across deletions.
#[derive(Debug)]
pub(crate) struct Store<T> {
    items: BTreeMap<u64, T>,
    by_id: HashMap<String, u64>,
    next_seq: u64,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            items: BTreeMap::new(),
            by_id: HashMap::new(),
            next_seq: 0,
        }
    }
}

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct Page<'a, T> {
    pub(crate) items: Vec<&'a T>,
    /// Sequence number the next page starts at, if there is one.
    pub(crate) next: Option<u64>,
}

impl<T> Store<T> {
    pub(crate) fn insert(&mut self, id: String, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(id, seq);
        self.items.insert(seq, item);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.by_id.get(id).and_then(|s| self.items.get(s))
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let seq = *self.by_id.get(id)?;
        self.items.get_mut(&seq)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<T> {
        let seq = self.by_id.remove(id)?;
        self.items.remove(&seq)
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.values()
    }

    /// Up to `limit` items from sequence number `from` on.
    pub(crate) fn page(&self, from: u64, limit: usize) -> Page<'_, T> {
        let mut it = self.items.range(from..);
        let items: Vec<&T> = it.by_ref().take(limit).map(|(_, v)| v).collect();
        let next = it.next().map(|(s, _)| *s);
        Page { items, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_survive_deletions() {
        let mut s = Store::default();
        for i in 0..5 {
            s.insert(format!("id{i}"), i);
        }
        let p = s.page(0, 2);
        assert_eq!(p.items, [&0, &1]);
        assert_eq!(p.next, Some(2));
        s.remove("id2");
        let p = s.page(2, 2);
        assert_eq!(p.items, [&3, &4]);
        assert_eq!(p.next, None);
        assert_eq!(s.len(), 4);
        assert_eq!(s.get("id4"), Some(&4));
        *s.get_mut("id4").unwrap() = 40;
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [0, 1, 3, 40]);
    }
}
