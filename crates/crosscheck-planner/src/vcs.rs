//! `{version}`, `{commit}` and `{date}`: from overrides, SOURCE_DATE_EPOCH and git.

use std::path::Path;
use std::process::Command;

use crosscheck_schema::VcsInfo;

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

/// Reads git in `dir` for whatever `overrides` leaves open. Outside a git checkout the
/// fallbacks are `0.0.0-dev`, `unknown` and the current time.
pub fn detect_vcs(dir: &Path, overrides: &VcsOverrides) -> Result<VcsInfo, String> {
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
        let seconds = epoch
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={epoch:?} is not a whole number of seconds"))?;
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
        date: crosscheck_schema::format_epoch(date_epoch),
        date_epoch,
        date_source: date_source.to_owned(),
    })
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
        let info = detect_vcs(Path::new("/nonexistent"), &overrides).unwrap();
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
        assert!(detect_vcs(Path::new("/nonexistent"), &overrides).is_err());
    }
}
