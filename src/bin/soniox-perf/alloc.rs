//! A counting global allocator: live bytes, peak live bytes (resettable) and allocation
//! counts, over every thread of this process. The mock server runs in a child process, so
//! every figure here is the client's (and the raw baselines', which run in this process too).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Wraps [`System`], counting as it goes.
pub struct Counting;

static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);

#[global_allocator]
static GLOBAL: Counting = Counting;

fn grew(by: u64) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(live, Relaxed);
    ALLOCS.fetch_add(1, Relaxed);
    ALLOC_BYTES.fetch_add(by, Relaxed);
}

fn shrank(by: u64) {
    LIVE.fetch_sub(by, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees hold; the bookkeeping only touches atomics (no allocation, no
// panics, no re-entrancy), and counts a block only once `System` has handed it out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours (non-zero size layout, checked by the caller).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size() as u64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size() as u64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (hence from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size() as u64);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; `new_size` is checked by the caller.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // A realloc counts as a new block of the new size replacing the old one.
            shrank(layout.size() as u64);
            grew(new_size as u64);
        }
        p
    }
}

/// A reading of the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Bytes live now.
    pub live: u64,
    /// Most bytes live at once since the last [`reset_peak`].
    pub peak: u64,
    /// Allocations (and reallocations) since the start.
    pub allocs: u64,
    /// Bytes allocated since the start.
    pub alloc_bytes: u64,
}

impl Snapshot {
    /// Allocations between `earlier` and `self`.
    pub fn allocs_since(&self, earlier: &Snapshot) -> u64 {
        self.allocs - earlier.allocs
    }

    /// Bytes allocated between `earlier` and `self`.
    pub fn bytes_since(&self, earlier: &Snapshot) -> u64 {
        self.alloc_bytes - earlier.alloc_bytes
    }
}

/// Reads the counters.
pub fn snapshot() -> Snapshot {
    Snapshot {
        live: LIVE.load(Relaxed),
        peak: PEAK.load(Relaxed),
        allocs: ALLOCS.load(Relaxed),
        alloc_bytes: ALLOC_BYTES.load(Relaxed),
    }
}

/// Restarts the peak from the live bytes now.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_vector_counts_and_its_drop_uncounts() {
        // Other tests run on other threads: only this thread's vector is known exactly, so
        // check with a block far larger than anything the harness allocates.
        const N: usize = 64 << 20;
        let before = snapshot();
        let v = vec![1u8; N];
        let during = snapshot();
        assert!(during.allocs_since(&before) >= 1);
        assert!(during.bytes_since(&before) >= N as u64);
        assert!(during.peak >= N as u64);
        drop(v);
        reset_peak();
        assert!(snapshot().peak < N as u64);
    }
}
