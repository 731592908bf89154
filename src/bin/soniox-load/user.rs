//! What every simulated user shares (the run context) and owns (its RNG and file ids).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use soniox::audio::{write_wav_file, WavSpec};
use soniox::core::rng::SplitMix64;
use soniox::types::CreateTranscription;

use crate::args::{Plan, WaitRange};
use crate::stats::{Collector, FailureKind};
use crate::tasks::TaskKind;

/// Files listed per `list files` task, as in the plan.
pub(crate) const LIST_LIMIT: u32 = 50;

/// The run, as every user sees it.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) plan: Plan,
    pub(crate) collector: Arc<Collector>,
    pub(crate) deadline: Instant,
    /// Set by Ctrl-C: users finish the request in flight and stop, as at the deadline.
    stopped: AtomicBool,
    /// The WAV each user uploads when it starts (100 ms of tone, 3244 bytes), written once
    /// to a temporary file: uploads from a path are retried by the SDK, readers are not.
    pub(crate) wav: PathBuf,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.wav);
    }
}

impl Ctx {
    /// A context whose users stop at `deadline`; writes the upload's WAV file.
    pub(crate) fn new(plan: Plan, collector: Arc<Collector>, deadline: Instant) -> std::io::Result<Ctx> {
        let wav = std::env::temp_dir().join(format!("soniox-load-{}.wav", std::process::id()));
        write_wav_file(&wav, WavSpec::default(), Duration::from_millis(100))?;
        Ok(Ctx {
            plan,
            collector,
            deadline,
            stopped: AtomicBool::new(false),
            wav,
        })
    }

    /// True until the deadline or [`stop`](Self::stop).
    pub(crate) fn running(&self) -> bool {
        !self.stopped.load(Ordering::SeqCst) && Instant::now() < self.deadline
    }

    /// Ends the run early (Ctrl-C): no new users, no new tasks.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// The longest single sleep: a stop is noticed at most this late.
    pub(crate) const NAP: Duration = Duration::from_millis(100);

    /// How long to sleep now on the way to `until`, in naps of at most [`NAP`](Self::NAP);
    /// zero once `until` passed or the run is over.
    pub(crate) fn nap(&self, until: Instant) -> Duration {
        if !self.running() {
            return Duration::ZERO;
        }
        until.saturating_duration_since(Instant::now()).min(Self::NAP)
    }

    /// When user `i` (0-based) starts: `i / spawn_rate` seconds after `start` (saturating
    /// for a tiny `--spawn-rate`: that user starts after the run is over).
    pub(crate) fn spawn_at(&self, start: Instant, i: u32) -> Instant {
        let after = Duration::try_from_secs_f64(f64::from(i) / self.plan.spawn_rate).unwrap_or(Duration::MAX);
        soniox::config::time::later(start, after)
    }

    /// Records a request that took `latency`.
    pub(crate) fn record<T>(&self, kind: TaskKind, latency: Duration, r: &soniox::Result<T>) {
        self.collector
            .record(kind, latency, r.as_ref().map(|_| ()).map_err(FailureKind::of));
    }

    /// The create request for `file_id`, as in the plan (diarization on).
    pub(crate) fn create_request(&self, file_id: &str) -> CreateTranscription {
        CreateTranscription::file_id(file_id)
            .model(&self.plan.model)
            .diarization(true)
    }
}

/// One user's own state.
#[derive(Debug)]
pub(crate) struct UserState {
    pub(crate) rng: SplitMix64,
    /// Ids from this user's last successful listing (or its own upload).
    pub(crate) file_ids: Vec<String>,
}

impl UserState {
    /// User `i`'s state; its RNG is derived from the run seed.
    pub(crate) fn new(seed: u64, i: u32) -> UserState {
        let mut mixer = SplitMix64::new(seed ^ u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        UserState {
            rng: SplitMix64::new(mixer.next_u64()),
            file_ids: Vec::new(),
        }
    }

    /// A file id to transcribe, if this user has any.
    pub(crate) fn choose_file(&mut self) -> Option<String> {
        if self.file_ids.is_empty() {
            return None;
        }
        let i = self.rng.up_to(self.file_ids.len() as u64 - 1) as usize;
        Some(self.file_ids[i].clone())
    }

    /// The pause before the next task, uniform in the range, cut at `deadline`.
    pub(crate) fn pause(&mut self, wait: WaitRange, deadline: Instant) -> Duration {
        let span = (wait.max - wait.min).as_micros() as u64;
        let w = wait.min + Duration::from_micros(if span == 0 { 0 } else { self.rng.up_to(span) });
        w.min(deadline.saturating_duration_since(Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_ends_the_run_and_every_nap_at_once() {
        let collector = Arc::new(Collector::new());
        use clap::Parser;
        let plan = crate::args::Args::try_parse_from(["soniox-load", "--mock", "--run-time", "10m"])
            .unwrap()
            .plan()
            .unwrap();
        let ctx = Ctx::new(plan, collector, Instant::now() + Duration::from_secs(600)).unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        assert!(ctx.running());
        assert_eq!(ctx.nap(far), Ctx::NAP, "long waits go in short naps");
        assert_eq!(ctx.nap(Instant::now()), Duration::ZERO);
        ctx.stop();
        assert!(!ctx.running());
        assert_eq!(ctx.nap(far), Duration::ZERO);
    }

    #[test]
    fn pauses_stay_in_the_range_and_never_pass_the_deadline() {
        let mut u = UserState::new(3, 0);
        let far = Instant::now() + Duration::from_secs(3600);
        let wait = WaitRange {
            min: Duration::from_secs(1),
            max: Duration::from_secs(3),
        };
        for _ in 0..1000 {
            let p = u.pause(wait, far);
            assert!(p >= wait.min && p <= wait.max, "{p:?}");
        }
        assert_eq!(u.pause(wait, Instant::now()), Duration::ZERO);
    }

    #[test]
    fn users_choose_only_their_own_files() {
        let mut u = UserState::new(1, 4);
        assert_eq!(u.choose_file(), None);
        u.file_ids = vec!["a".into(), "b".into()];
        assert!((0..100).all(|_| matches!(u.choose_file().as_deref(), Some("a" | "b"))));
        assert_ne!(UserState::new(1, 0).rng.next_u64(), UserState::new(1, 1).rng.next_u64());
    }
}
