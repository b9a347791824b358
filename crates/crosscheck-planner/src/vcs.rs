//! `{version}`, `{commit}` and `{date}`: from overrides, SOURCE_DATE_EPOCH and git.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Values a caller can force, strongest first: environment (read by the CLI), then config.
#[derive(Clone, Debug, Default)]
pub struct VcsOverrides {
    /// A fixed version.
    pub version: Option<String>,
    /// A fixed commit.
    pub commit: Option<String>,
    /// A fixed date (RFC 3339).
    pub date: Option<String>,
    /// `SOURCE_DATE_EPOCH`, seconds since 1970.
    pub source_date_epoch: Option<String>,
}

/// Version stamps for templates, and where each came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VcsInfo {
    /// `git describe --tags --dirty` without a leading `v`, or an override, or `0.0.0-dev`.
    pub version: String,
    /// The full commit hash, or an override, or `unknown`.
    pub commit: String,
    /// RFC 3339 UTC date.
    pub date: String,
    /// The same date as seconds since 1970, for artifact mtimes.
    pub date_epoch: i64,
    /// Where the date came from: `override`, `SOURCE_DATE_EPOCH`, `commit` or `now`.
    pub date_source: String,
}

impl VcsInfo {
    /// Fixed values, for tests and offline planning.
    pub fn fixed(version: &str, commit: &str, date_epoch: i64) -> VcsInfo {
        VcsInfo {
            version: version.to_owned(),
            commit: commit.to_owned(),
            date: format_epoch(date_epoch),
            date_epoch,
            date_source: "override".to_owned(),
        }
    }

    /// Reads git in `dir` for whatever `overrides` leaves open. Outside a git checkout the
    /// fallbacks are `0.0.0-dev`, `unknown` and the current time.
    pub fn detect(dir: &Path, overrides: &VcsOverrides) -> Result<VcsInfo, String> {
        let version = match &overrides.version {
            Some(version) => version.clone(),
            None => git(dir, &["describe", "--tags", "--dirty"])
                .map(|tag| tag.strip_prefix('v').map(str::to_owned).unwrap_or(tag))
                .unwrap_or_else(|| "0.0.0-dev".to_owned()),
        };
        let commit = match &overrides.commit {
            Some(commit) => commit.clone(),
            None => git(dir, &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_owned()),
        };
        let (date_epoch, date_source) = if let Some(date) = &overrides.date {
            let timestamp: jiff::Timestamp = date
                .parse()
                .map_err(|e| format!("invalid date override {date:?}: {e} (hint: use RFC 3339, e.g. 2026-01-31T12:00:00Z)"))?;
            (timestamp.as_second(), "override")
        } else if let Some(epoch) = &overrides.source_date_epoch {
            let seconds = epoch.trim().parse::<i64>().map_err(|_| {
                format!("SOURCE_DATE_EPOCH={epoch:?} is not a whole number of seconds")
            })?;
            (seconds, "SOURCE_DATE_EPOCH")
        } else if let Some(seconds) =
            git(dir, &["log", "-1", "--format=%ct"]).and_then(|s| s.parse::<i64>().ok())
        {
            (seconds, "commit")
        } else {
            (jiff::Timestamp::now().as_second(), "now")
        };
        Ok(VcsInfo {
            version,
            commit,
            date: format_epoch(date_epoch),
            date_epoch,
            date_source: date_source.to_owned(),
        })
    }

    /// The first 12 characters of the commit.
    pub fn short_commit(&self) -> &str {
        let end = self
            .commit
            .char_indices()
            .nth(12)
            .map_or(self.commit.len(), |(i, _)| i);
        &self.commit[..end]
    }
}

fn format_epoch(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_and_epoch_formats() {
        let overrides = VcsOverrides {
            version: Some("1.2.3".into()),
            commit: Some("abcdef0123456789".into()),
            date: None,
            source_date_epoch: Some("86400".into()),
        };
        let info = VcsInfo::detect(Path::new("/nonexistent"), &overrides).unwrap();
        assert_eq!(info.version, "1.2.3");
        assert_eq!(info.short_commit(), "abcdef012345");
        assert_eq!(info.date, "1970-01-02T00:00:00Z");
        assert_eq!(info.date_source, "SOURCE_DATE_EPOCH");
    }

    #[test]
    fn bad_epoch_is_an_error() {
        let overrides = VcsOverrides {
            source_date_epoch: Some("yesterday".into()),
            ..VcsOverrides::default()
        };
        assert!(VcsInfo::detect(Path::new("/nonexistent"), &overrides).is_err());
    }
}
