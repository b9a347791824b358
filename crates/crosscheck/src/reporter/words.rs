//! The words every display shares, written once: the command's verb, how a target ended,
//! sizes, and the counts that close a summary line.

use crosscheck_schema::{Status, TargetTestStatus};
use serde::Serialize;

/// Which command is reporting: the words differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    /// `crosscheck build`.
    Build,
    /// `crosscheck check`.
    Check,
    /// `crosscheck test`.
    Test,
}

impl Verb {
    /// The command's name: `build`, `check`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verb::Build => "build",
            Verb::Check => "check",
            Verb::Test => "test",
        }
    }

    /// What a target that succeeded was: `built`, `checked`.
    pub(crate) fn done_word(self) -> &'static str {
        match self {
            Verb::Build => "built",
            Verb::Check => "checked",
            Verb::Test => "tested",
        }
    }

    /// What a running target is doing: `building`, `checking`.
    pub(crate) fn doing_word(self) -> &'static str {
        match self {
            Verb::Build => "building",
            Verb::Check => "checking",
            Verb::Test => "testing",
        }
    }
}

/// How a target ended, as the terminal and the reports say it: failures in capitals so
/// they stand out in a column of `built`.
pub(crate) fn status_word(status: Status) -> &'static str {
    // Shouted in displays, so that a failure stands out of a column of words.
    match status {
        Status::Failed => "FAILED",
        other => other.as_str(),
    }
}

/// How a target's tests went: failures in capitals, as [`status_word`] shouts them.
pub(crate) fn test_status_word(status: TargetTestStatus) -> &'static str {
    match status {
        TargetTestStatus::Passed => "passed",
        TargetTestStatus::Failed => "FAILED",
        TargetTestStatus::BuildFailed => "BUILD FAILED",
        TargetTestStatus::NotRun => "not run",
        TargetTestStatus::Cancelled => "cancelled",
    }
}

/// Appends `, {count} {word}` for each count that is not zero: `, 1 failed, 2 skipped`.
pub(crate) fn push_counts(line: &mut String, counts: &[(usize, &str)]) {
    for (count, word) in counts {
        if *count > 0 {
            line.push_str(&format!(", {count} {word}"));
        }
    }
}

/// `1 file`, `3 files`: the count and the word that goes with it.
pub fn plural<T>(count: T, one: &str, many: &str) -> String
where
    T: std::fmt::Display + PartialEq + From<u8>,
{
    let word = if count == T::from(1) { one } else { many };
    format!("{count} {word}")
}

/// What a line of a run is called: a `target`, or a `build` (a binary for a target) when
/// the ids name binaries, as they do with several `[[binary]]` tables.
pub fn unit_word<'a>(mut ids: impl Iterator<Item = &'a str>) -> &'static str {
    if ids.any(|id| id.contains(':')) {
        "build"
    } else {
        "target"
    }
}

/// `2.1 MiB`, `940 KiB`, `12 B`.
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{:.1} MiB", b / KIB / KIB)
    } else if b >= KIB {
        format!("{:.0} KiB", b / KIB)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(2048), "2 KiB");
        assert_eq!(human_size(2_202_009), "2.1 MiB");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(plural(1usize, "file", "files"), "1 file");
        assert_eq!(plural(0usize, "file", "files"), "0 files");
        assert_eq!(
            plural(2u64, "byte differs", "bytes differ"),
            "2 bytes differ"
        );
    }

    #[test]
    fn only_counts_above_zero_are_said() {
        let mut line = "built 1 of 4 targets".to_owned();
        push_counts(
            &mut line,
            &[(2, "failed"), (0, "cancelled"), (1, "skipped")],
        );
        assert_eq!(line, "built 1 of 4 targets, 2 failed, 1 skipped");
    }
}
