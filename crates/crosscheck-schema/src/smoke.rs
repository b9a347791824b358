//! The smoke step (`build --smoke`, `[smoke]` in matrix.toml): what the plan asks to run
//! ([`PlannedSmoke`]) and what the run recorded ([`SmokeResult`]), plus the duration syntax
//! the CLI and matrix.toml share ([`parse_duration`]).

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::RunnerKind;

/// How long a smoke run may take when `[smoke] timeout` is not set.
pub const DEFAULT_SMOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The arguments a smoke run passes when `[smoke] args` is not set.
pub const DEFAULT_SMOKE_ARGS: &[&str] = &["--version"];

/// One target's smoke run, rendered: the artifact runs on its runner with `args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSmoke {
    /// The arguments after the binary's path.
    pub args: Vec<String>,
    /// Text its output (stdout and stderr) must contain; `None`: exit status 0 suffices.
    pub expect: Option<String>,
    /// How long it may run, in milliseconds.
    pub timeout_ms: u64,
    /// Variables set on top of the build's environment.
    pub env: BTreeMap<String, String>,
}

/// How a smoke run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SmokeStatus {
    /// It exited 0 and printed what `expect` asks for.
    Passed,
    /// It could not start, exited non-zero, timed out or lacked the expected text.
    Failed,
    /// This host has no runner for the target; never counted as passed.
    NotRun,
}

impl SmokeStatus {
    /// `passed`, `failed`, `not run`: the word in tables.
    pub fn word(self) -> &'static str {
        match self {
            SmokeStatus::Passed => "passed",
            SmokeStatus::Failed => "failed",
            SmokeStatus::NotRun => "not run",
        }
    }
}

/// The runner a smoke run used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SmokeRunner {
    /// `native`, `qemu-user`, ...
    pub kind: RunnerKind,
    /// For people, e.g. `qemu-aarch64 (qemu-user 7.2.0)`.
    pub description: String,
}

/// What a target's smoke run did (`smoke` of a manifest target).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SmokeResult {
    /// How it ended.
    pub status: SmokeStatus,
    /// What ran it; absent when nothing could.
    pub runner: Option<SmokeRunner>,
    /// The exact command line (runner words, the artifact's path, the arguments).
    pub argv: Vec<String>,
    /// Its exit code, when it exited.
    pub exit_code: Option<i32>,
    /// How long it ran, in milliseconds (0 when it did not run).
    pub duration_ms: u64,
    /// The last lines it printed (stdout and stderr, interleaved).
    pub output: Vec<String>,
    /// Why it failed or did not run; null when it passed.
    pub reason: Option<String>,
    /// What would make a not-run target run, when something would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<String>,
}

impl SmokeResult {
    /// The record of a target nothing here can run: never a pass.
    pub fn not_run(reason: String, install: Option<String>) -> SmokeResult {
        SmokeResult {
            status: SmokeStatus::NotRun,
            runner: None,
            argv: Vec::new(),
            exit_code: None,
            duration_ms: 0,
            output: Vec::new(),
            reason: Some(reason),
            install,
        }
    }

    /// `passed`, `failed (<reason>)`, `not run (<reason>)`: one phrase for every report.
    pub fn summary(&self) -> String {
        match (&self.reason, self.status) {
            (Some(reason), SmokeStatus::Failed | SmokeStatus::NotRun) => {
                format!("{} ({reason})", self.status.word())
            }
            _ => self.status.word().to_owned(),
        }
    }
}

/// Parses `90s`, `10m`, `1h30m`, `1500ms`, or a bare number of seconds. Zero is allowed
/// here; callers that need a positive duration say so themselves.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let error = || format!("invalid duration {text:?} (hint: write e.g. 90s, 10m or 1h30m)");
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    if text.is_empty() {
        return Err(error());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(error)?;
        if digits == 0 {
            return Err(error());
        }
        let value: u64 = rest[..digits].parse().map_err(|_| error())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(value),
            "s" => Duration::from_secs(value),
            "m" => Duration::from_secs(value.saturating_mul(60)),
            "h" => Duration::from_secs(value.saturating_mul(3600)),
            _ => return Err(error()),
        };
        total = total.saturating_add(unit);
        rest = &rest[unit_len..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_the_timeout_flag() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn a_not_run_summary_names_the_reason_and_a_pass_needs_none() {
        let mut result = SmokeResult::not_run("no runner for darwin/arm64".to_owned(), None);
        assert_eq!(result.summary(), "not run (no runner for darwin/arm64)");
        result.status = SmokeStatus::Passed;
        result.reason = None;
        assert_eq!(result.summary(), "passed");
    }
}
