//! CPU time of this process, in nanoseconds, from the scheduler's own accounting.
//!
//! Sums the first field of `/proc/self/task/*/schedstat` (nanoseconds on CPU) over every live
//! thread: the caller's thread and any thread a client runs (the blocking realtime keepalive
//! thread, async-std's reactor thread). The mock server is a child process, so none of its CPU is
//! counted. A thread that exits between two readings takes its time with it: the scenarios
//! read the clock only while the clients they measure are alive.

use std::fs;

/// Nanoseconds on CPU of every live thread of this process; `None` where procfs lacks
/// schedstat (not Linux, or a kernel without it).
pub fn process_ns() -> Option<u64> {
    let mut total = 0u64;
    for entry in fs::read_dir("/proc/self/task").ok()? {
        let Ok(entry) = entry else { continue };
        // A thread may exit between listing and reading: skip it.
        let Ok(text) = fs::read_to_string(entry.path().join("schedstat")) else {
            continue;
        };
        total += parse_schedstat(&text)?;
    }
    Some(total)
}

/// Nanoseconds on CPU of the calling thread (`CLOCK_THREAD_CPUTIME_ID`: one cheap call, for
/// timing single operations between pauses).
#[cfg(unix)]
pub fn thread_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// 0 off Unix. Only ever combined with [`process_ns`], which is `None` there, so no CPU
/// figure is reported on such a platform (soniox-perf's CPU metrics are Linux's).
#[cfg(not(unix))]
pub fn thread_ns() -> u64 {
    0
}

/// The first field of a schedstat line (`run_ns wait_ns timeslices`).
fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_schedstat_field_is_the_run_time() {
        assert_eq!(parse_schedstat("180026 1853577 2\n"), Some(180_026));
        assert_eq!(parse_schedstat(""), None);
        assert_eq!(parse_schedstat("x 1 2"), None);
    }

    #[test]
    fn spinning_adds_cpu_time() {
        let Some(before) = process_ns() else { return };
        // Bounded busy work (a fixed number of steps), kept alive by black_box.
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let after = process_ns().unwrap();
        assert!(after > before, "cpu time did not advance ({x})");
    }
}
