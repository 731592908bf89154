//! The latency histogram every report of the load generator uses.

use hdrhistogram::Histogram;

/// A latency histogram in microseconds.
pub(crate) fn new_histogram() -> Histogram<u64> {
    // Bounds and precision are constants that hdrhistogram accepts.
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
}
