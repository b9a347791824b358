//! Choosing targets: glob selectors over ids, and deterministic shards.
//!
//! A selector is a glob matched against the **whole** canonical id, never a prefix: `*`
//! matches any run of characters including `/` and `+`, `?` one character, `{a,b}` either
//! alternative, `[...]` a class. So `linux/*` selects every linux target, `*/arm64` the
//! plain arm64 targets, `*/arm64*` also their variants and cgo builds, and `*+cgo*` every
//! cgo target. `linux/arm` never selects `linux/arm64`.
//!
//! With several binaries an id starts with the binary (`server:linux/amd64`). A selector
//! without `:` is matched against the target part alone, so `linux/*` selects every
//! binary's linux builds; one with `:` is matched against the whole id (`server:*`,
//! `*:windows/*`).

use std::fmt;

use globset::{GlobBuilder, GlobMatcher};
use serde::Serialize;

use crate::Target;

/// A glob over target ids.
#[derive(Clone, Debug)]
pub struct Selector {
    source: String,
    matcher: GlobMatcher,
}

/// A selector that is not a valid glob.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid target selector {source_text:?}: {reason}")]
pub struct SelectorError {
    /// The selector as written.
    pub source_text: String,
    /// What the glob parser said.
    pub reason: String,
}

impl Selector {
    /// Compiles a glob.
    pub fn new(glob: &str) -> Result<Selector, SelectorError> {
        if glob.is_empty() {
            return Err(SelectorError {
                source_text: String::new(),
                reason: "it is empty (hint: `*` selects everything)".to_owned(),
            });
        }
        let glob_error = |error: globset::Error| SelectorError {
            source_text: glob.to_owned(),
            reason: error.kind().to_string(),
        };
        let matcher = GlobBuilder::new(glob)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(glob_error)?
            .compile_matcher();
        Ok(Selector {
            source: glob.to_owned(),
            matcher,
        })
    }

    /// Whether the selector matches `target`'s canonical id.
    pub fn matches(&self, target: &Target) -> bool {
        self.matches_id(&target.id())
    }

    /// Whether the selector matches an id string: the whole id when the selector names a
    /// binary, else the id without its binary.
    pub fn matches_id(&self, id: &str) -> bool {
        if self.source.contains(':') {
            return self.matcher.is_match(id);
        }
        let platform = id.split_once(':').map_or(id, |(_, platform)| platform);
        self.matcher.is_match(platform)
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

/// The relative cost of building a target, used to balance shards before any timing exists.
///
/// cgo targets run a C toolchain and link externally, which costs several times a pure-Go
/// build of the same package.
pub fn estimated_cost(target: &Target) -> u64 {
    if target.cgo { 3 } else { 1 }
}

/// Splits `targets` into `count` parts and returns the part of each target (0-based).
///
/// Greedy longest-processing-time: targets sorted by cost (then id, for determinism) go to
/// the least-loaded part (lowest index on ties). Every target lands in exactly one part,
/// and part loads differ by at most the largest single cost.
pub fn assign_shards(targets: &[Target], count: u32) -> Vec<u32> {
    assign_shards_grouped(targets, &[], count)
}

/// [`assign_shards`], keeping each group of target indices in one part: a group (the inputs
/// of a universal binary, the builds of a shared archive) is placed as one unit costing
/// the sum of its members; groups that share a member are one unit. Indices out of range
/// are ignored.
pub fn assign_shards_grouped(targets: &[Target], groups: &[Vec<usize>], count: u32) -> Vec<u32> {
    let count = count.max(1) as usize;
    let mut grouped = vec![false; targets.len()];
    let mut units: Vec<Vec<usize>> = Vec::new();
    for group in groups {
        let members: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&index| index < targets.len())
            .collect();
        // A group that shares a member with earlier ones joins them into one unit.
        let mut unit: Vec<usize> = Vec::new();
        units.retain(|existing: &Vec<usize>| {
            let overlaps = existing.iter().any(|index| members.contains(index));
            if overlaps {
                unit.extend(existing);
            }
            !overlaps
        });
        for index in members {
            if !unit.contains(&index) {
                unit.push(index);
            }
            grouped[index] = true;
        }
        if !unit.is_empty() {
            units.push(unit);
        }
    }
    units.extend((0..targets.len()).filter(|&i| !grouped[i]).map(|i| vec![i]));
    let cost = |unit: &[usize]| {
        unit.iter()
            .map(|&i| estimated_cost(&targets[i]))
            .sum::<u64>()
    };
    let key = |unit: &[usize]| {
        unit.iter()
            .map(|&i| targets[i].id())
            .min()
            .unwrap_or_default()
    };
    units.sort_by(|a, b| cost(b).cmp(&cost(a)).then_with(|| key(a).cmp(&key(b))));
    let mut loads = vec![0u64; count];
    let mut sizes = vec![0usize; count];
    let mut parts = vec![0u32; targets.len()];
    for unit in units {
        let part = (0..count)
            .min_by_key(|&part| (loads[part], sizes[part], part))
            .unwrap_or(0);
        loads[part] += cost(&unit);
        sizes[part] += unit.len();
        for index in unit {
            parts[index] = part as u32;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(id: &str) -> Target {
        id.parse().unwrap()
    }

    #[test]
    fn globs_match_whole_ids_not_prefixes() {
        let arm = Selector::new("linux/arm").unwrap();
        assert!(arm.matches(&target("linux/arm")));
        assert!(!arm.matches(&target("linux/arm64")));
        let linux = Selector::new("linux/*").unwrap();
        assert!(linux.matches(&target("linux/arm/v7")));
        assert!(linux.matches(&target("linux/amd64+cgo.musl")));
        assert!(!linux.matches(&target("windows/amd64")));
        let cgo = Selector::new("*+cgo*").unwrap();
        assert!(cgo.matches(&target("windows/amd64+cgo")));
        assert!(!cgo.matches(&target("windows/amd64")));
        let arm64 = Selector::new("*/arm64").unwrap();
        assert!(arm64.matches(&target("darwin/arm64")));
        assert!(!arm64.matches(&target("linux/arm64+cgo.musl")));
    }

    #[test]
    fn selectors_without_a_colon_ignore_the_binary() {
        let linux = Selector::new("linux/*").unwrap();
        assert!(linux.matches(&target("server:linux/amd64")));
        assert!(linux.matches(&target("linux/amd64")));
        let server = Selector::new("server:*").unwrap();
        assert!(server.matches(&target("server:windows/arm64")));
        assert!(!server.matches(&target("client:windows/arm64")));
        assert!(!server.matches(&target("windows/arm64")));
        let windows = Selector::new("*:windows/*").unwrap();
        assert!(windows.matches(&target("client:windows/arm64")));
        assert!(!windows.matches(&target("client:linux/arm64")));
    }

    #[test]
    fn bad_globs_are_errors() {
        assert!(Selector::new("linux/{amd64").is_err());
        assert!(Selector::new("").is_err());
    }

    #[test]
    fn groups_share_a_shard() {
        let targets: Vec<Target> = ["darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"]
            .iter()
            .map(|id| target(id))
            .collect();
        // Ungrouped, sorted by id, the two darwin targets go to different parts.
        let plain = assign_shards(&targets, 2);
        assert_ne!(plain[0], plain[1]);
        let grouped = assign_shards_grouped(&targets, &[vec![0, 1]], 2);
        assert_eq!(grouped[0], grouped[1]);
        assert_ne!(grouped[2], grouped[0]);
        assert_eq!(grouped[2], grouped[3]);
    }

    #[test]
    fn overlapping_groups_are_one_unit() {
        let targets: Vec<Target> = [
            "a:darwin/amd64",
            "b:darwin/amd64",
            "a:darwin/arm64",
            "b:darwin/arm64",
            "a:linux/amd64",
            "b:linux/amd64",
        ]
        .iter()
        .map(|id| target(id))
        .collect();
        // Two shared archives and a universal binary of `a` that spans both.
        let groups = [vec![0, 1], vec![2, 3], vec![0, 2]];
        let parts = assign_shards_grouped(&targets, &groups, 3);
        assert!(parts[..4].iter().all(|&part| part == parts[0]), "{parts:?}");
    }
}
