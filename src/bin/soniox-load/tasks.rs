//! The plan's tasks (section 6.1), their weights, and the weighted choice.
//!
//! | task | request | weight |
//! |---|---|---|
//! | list files | `GET /v1/files?limit=50`; the user keeps the ids | 3 |
//! | create transcription | `POST /v1/transcriptions` on one of the user's ids (skipped without ids) | 2 |
//! | list models | `GET /v1/models` | 1 |
//!
//! Each user also uploads one small WAV when it starts (`/files [upload]`), so that
//! the first listing has ids to work with; the locustfile does the same.

use soniox::core::rng::SplitMix64;

/// One kind of request a user makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskKind {
    /// `GET /v1/files?limit=50`.
    ListFiles,
    /// `POST /v1/transcriptions`.
    CreateTranscription,
    /// `GET /v1/models`.
    ListModels,
    /// `POST /v1/files`, once per user at start.
    Upload,
}

impl TaskKind {
    /// The weighted tasks, in the order of [`Mix::weights`].
    pub(crate) const MIX: [TaskKind; 3] = [TaskKind::ListFiles, TaskKind::CreateTranscription, TaskKind::ListModels];
    /// Every task, in report order (index = [`TaskKind::index`]).
    pub(crate) const ALL: [TaskKind; 4] = [
        TaskKind::ListFiles,
        TaskKind::CreateTranscription,
        TaskKind::ListModels,
        TaskKind::Upload,
    ];

    /// Position in [`TaskKind::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            TaskKind::ListFiles => 0,
            TaskKind::CreateTranscription => 1,
            TaskKind::ListModels => 2,
            TaskKind::Upload => 3,
        }
    }

    /// The name in reports (the locustfile uses the same names).
    pub(crate) fn name(self) -> &'static str {
        match self {
            TaskKind::ListFiles => "/files [list]",
            TaskKind::CreateTranscription => "/transcriptions [create]",
            TaskKind::ListModels => "/models [list]",
            TaskKind::Upload => "/files [upload]",
        }
    }

    /// The HTTP method.
    pub(crate) fn method(self) -> &'static str {
        match self {
            TaskKind::ListFiles | TaskKind::ListModels => "GET",
            TaskKind::CreateTranscription | TaskKind::Upload => "POST",
        }
    }

    /// The weighted task named `s` on the command line.
    pub(crate) fn from_cli(s: &str) -> Option<TaskKind> {
        match s {
            "list-files" => Some(TaskKind::ListFiles),
            "create-transcription" => Some(TaskKind::CreateTranscription),
            "list-models" => Some(TaskKind::ListModels),
            _ => None,
        }
    }
}

/// Weights of [`TaskKind::MIX`]; at least one is positive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mix {
    weights: [u32; 3],
    total: u32,
}

impl Mix {
    /// Refuses an all-zero mix.
    pub(crate) fn new(weights: [u32; 3]) -> Result<Mix, String> {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return Err("the task mix needs at least one positive weight".into());
        }
        Ok(Mix { weights, total })
    }

    /// The weights, in [`TaskKind::MIX`] order.
    #[cfg(test)]
    pub(crate) fn weights(&self) -> [u32; 3] {
        self.weights
    }

    /// `list-files=3,create-transcription=2,list-models=1`.
    pub(crate) fn describe(&self) -> String {
        let names = ["list-files", "create-transcription", "list-models"];
        names
            .iter()
            .zip(self.weights)
            .map(|(n, w)| format!("{n}={w}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A task drawn with probability `weight / total`.
    pub(crate) fn pick(&self, rng: &mut SplitMix64) -> TaskKind {
        let mut r = rng.up_to(u64::from(self.total) - 1) as u32;
        for (kind, w) in TaskKind::MIX.into_iter().zip(self.weights) {
            if r < w {
                return kind;
            }
            r -= w;
        }
        TaskKind::MIX[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_follow_the_weights() {
        let mix = Mix::new([3, 2, 1]).unwrap();
        let mut rng = SplitMix64::new(7);
        let mut counts = [0u32; 3];
        for _ in 0..60_000 {
            counts[mix.pick(&mut rng).index()] += 1;
        }
        // 30000 / 20000 / 10000 expected; a seeded draw lands within 2%.
        assert!(counts[0].abs_diff(30_000) < 600, "{counts:?}");
        assert!(counts[1].abs_diff(20_000) < 400, "{counts:?}");
        assert!(counts[2].abs_diff(10_000) < 200, "{counts:?}");
    }

    #[test]
    fn a_zero_weight_task_is_never_picked() {
        let mix = Mix::new([0, 0, 5]).unwrap();
        let mut rng = SplitMix64::new(1);
        assert!((0..1000).all(|_| mix.pick(&mut rng) == TaskKind::ListModels));
        assert!(Mix::new([0, 0, 0]).is_err());
        assert_eq!(mix.describe(), "list-files=0,create-transcription=0,list-models=5");
    }
}
