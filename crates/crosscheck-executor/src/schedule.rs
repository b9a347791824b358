//! Longest-first scheduling from the durations earlier runs recorded.
//!
//! With N workers, starting the longest builds first keeps the last worker from starting a
//! two-minute cgo build when the others are done. Durations live in `timings.json` in the
//! cache directory, keyed by mode and module directory, then target id. A target without
//! a recorded duration counts as longer than any recorded one (it is new, so probably
//! cold); ties fall back to the planner's static estimate (cgo costs more), then to plan
//! order.
//!
//! Builds of one target for several binaries compile the same packages, and Go's build
//! cache does not share work in flight: two `go build`s of one platform started together
//! both compile them. [`SharedWorkQueue`] starts the first build of each target (in that
//! order) and holds the others back until it has ended, when they find its packages in the
//! cache and only compile and link what is their own. The held-back builds are short, so
//! they go last, where short work fills the cores best.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crosscheck_planner::{Target, estimated_cost};
use serde::{Deserialize, Serialize};

/// The state file's name inside the cache directory.
pub const TIMINGS_FILE: &str = "timings.json";

/// Recorded build durations.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Shape version of the file.
    pub version: u32,
    /// Milliseconds per target id, per `mode:module-dir`.
    pub projects: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Timings {
    /// The timings file under `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(TIMINGS_FILE)
    }

    /// Reads the file; a missing or unreadable one is an empty history, never an error.
    pub fn load(path: &Path) -> Timings {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<Timings>(&text).ok())
            .filter(|timings| timings.version == 1)
            .unwrap_or_default()
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut copy = self.clone();
        copy.version = 1;
        let json = serde_json::to_vec_pretty(&copy).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crosscheck_schema::dist::write_atomically(path, &json)
    }

    /// The recorded duration of `target` in `project`.
    pub fn get(&self, project: &str, target: &str) -> Option<Duration> {
        self.projects
            .get(project)?
            .get(target)
            .map(|ms| Duration::from_millis(*ms))
    }

    /// Records a duration.
    pub fn record(&mut self, project: &str, target: &str, duration: Duration) {
        let ms = crosscheck_schema::duration_ms(duration);
        self.projects
            .entry(project.to_owned())
            .or_default()
            .insert(target.to_owned(), ms);
    }
}

/// The order to start `targets` in: indices, longest first.
pub fn longest_first(targets: &[Target], project: &str, timings: &Timings) -> Vec<usize> {
    let mut order: Vec<usize> = (0..targets.len()).collect();
    let key = |index: usize| {
        let target = &targets[index];
        let recorded = timings
            .get(project, &target.id())
            .map_or(u128::MAX, |d| d.as_millis());
        (
            std::cmp::Reverse(recorded),
            std::cmp::Reverse(estimated_cost(target)),
            index,
        )
    };
    order.sort_by_key(|&index| key(index));
    order
}

/// Which build may start next: the first build of each target in the given order, then,
/// once it has ended, the other builds of its target.
#[derive(Debug)]
pub struct SharedWorkQueue {
    ready: VecDeque<usize>,
    /// The builds held back, by the build they wait for.
    waiting: BTreeMap<usize, Vec<usize>>,
}

impl SharedWorkQueue {
    /// A queue over `targets` (the plan's builds) in `order` (indices into `targets`).
    pub fn new(targets: &[Target], order: Vec<usize>) -> SharedWorkQueue {
        let mut leads: BTreeMap<Target, usize> = BTreeMap::new();
        let mut ready = VecDeque::new();
        let mut waiting: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for index in order {
            match leads.entry(targets[index].platform()) {
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(index);
                    ready.push_back(index);
                }
                std::collections::btree_map::Entry::Occupied(entry) => {
                    waiting.entry(*entry.get()).or_default().push(index);
                }
            }
        }
        SharedWorkQueue { ready, waiting }
    }

    /// The next build to start, if one may start now.
    pub fn next_ready(&mut self) -> Option<usize> {
        self.ready.pop_front()
    }

    /// `index` has ended (whatever its outcome): the builds waiting for it may start.
    pub fn finished(&mut self, index: usize) {
        if let Some(held) = self.waiting.remove(&index) {
            self.ready.extend(held);
        }
    }

    /// The builds that never started, for a run that stops early.
    pub fn not_started(self) -> impl Iterator<Item = usize> {
        self.ready
            .into_iter()
            .chain(self.waiting.into_values().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(ids: &[&str]) -> Vec<Target> {
        ids.iter().map(|id| id.parse().unwrap()).collect()
    }

    #[test]
    fn first_run_puts_cgo_first_then_plan_order() {
        let t = targets(&["linux/amd64", "windows/amd64", "linux/arm64+cgo.musl"]);
        assert_eq!(longest_first(&t, "p", &Timings::default()), [2, 0, 1]);
    }

    #[test]
    fn recorded_durations_decide_and_new_targets_go_first() {
        let t = targets(&["linux/amd64", "windows/amd64", "darwin/arm64", "js/wasm"]);
        let mut timings = Timings::default();
        timings.record("p", "linux/amd64", Duration::from_secs(1));
        timings.record("p", "windows/amd64", Duration::from_secs(9));
        timings.record("p", "darwin/arm64", Duration::from_secs(4));
        timings.record("other", "js/wasm", Duration::from_secs(1));
        assert_eq!(longest_first(&t, "p", &timings), [3, 1, 2, 0]);
    }

    #[test]
    fn builds_of_one_target_wait_for_the_first() {
        let t = targets(&[
            "server:linux/amd64",
            "server:linux/arm64",
            "client:linux/amd64",
            "client:linux/arm64",
            "client:js/wasm",
        ]);
        let mut queue = SharedWorkQueue::new(&t, vec![2, 1, 0, 3, 4]);
        // The first of each target in the given order, then nothing until one ends.
        assert_eq!(queue.next_ready(), Some(2));
        assert_eq!(queue.next_ready(), Some(1));
        assert_eq!(queue.next_ready(), Some(4));
        assert_eq!(queue.next_ready(), None);
        queue.finished(1);
        assert_eq!(queue.next_ready(), Some(3));
        queue.finished(4);
        assert_eq!(queue.next_ready(), None);
        assert_eq!(queue.not_started().collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn timings_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = Timings::path(dir.path());
        let mut timings = Timings::default();
        timings.record("p", "linux/amd64", Duration::from_millis(1234));
        timings.save(&path).unwrap();
        assert_eq!(
            Timings::load(&path).get("p", "linux/amd64"),
            Some(Duration::from_millis(1234))
        );
        std::fs::write(&path, "not json").unwrap();
        assert!(Timings::load(&path).projects.is_empty());
    }
}
