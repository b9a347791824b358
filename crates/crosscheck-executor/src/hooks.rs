//! `[hooks]`: the commands the plan says run before the builds (`before`), after each
//! build (`after_build`) and at the end (`after`).
//!
//! A hook runs like a build's command, through [`run_command`]: its own process group, the
//! constructed environment (never the caller's whole one), `--timeout` per command, Ctrl-C
//! reaching the group. Its output goes to a log in `dist/logs/` through a [`HookSink`]; a
//! hook that fails becomes a [`HookFailure`] naming the command, with its last lines.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crosscheck_schema::{HookCommand, HookKind};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::classify::TAIL_LINES;
use crate::event::Event;
use crate::prepare::display_command;
use crate::process::{Cancel, Stop, run_command};
use crate::runner::format_duration;

/// Where and how a list of hooks runs.
pub(crate) struct HookJob<'a> {
    /// Which list.
    pub kind: HookKind,
    /// The target an `after_build` hook runs for; `None` for `before` and `after`.
    pub index: Option<usize>,
    /// The module directory.
    pub cwd: &'a Path,
    /// The constructed environment.
    pub env: &'a BTreeMap<String, String>,
    /// `--timeout`, for each command.
    pub timeout: Option<Duration>,
    /// How long SIGTERM waits before SIGKILL.
    pub grace: Duration,
}

/// Where a hook's output and events go: the run's callback and a log of its own
/// (`before`, `after`), or the target's output (`after_build`).
pub(crate) trait HookSink {
    /// An event for the reporters.
    fn event(&mut self, event: Event);
    /// A line for the log only: the command line, how it ended.
    fn note(&mut self, line: &str);
    /// A line the hook printed.
    fn line(&mut self, line: String);
    /// The log's path, once it is known, for the failure message.
    fn log_path(&self) -> Option<PathBuf>;
}

/// How a list of hooks ended.
pub(crate) enum HookEnd {
    /// Every command succeeded (or there was none).
    Succeeded,
    /// Ctrl-C stopped one.
    Cancelled,
    /// One could not start, timed out or failed; the later ones did not run.
    Failed(HookFailure),
}

/// A hook that failed: which, how, and what it printed last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookFailure {
    /// Its list in `[hooks]`.
    pub kind: HookKind,
    /// The command line, shell-quoted for reading.
    pub command: String,
    /// How it ended: `exit status 1`, `timed out after 10s`, `cannot start: ...`.
    pub how: String,
    /// Its last lines.
    pub tail: Vec<String>,
    /// Its log, if one was written.
    pub log: Option<PathBuf>,
}

impl HookFailure {
    /// `` `before` hook `go generate ./...` failed: exit status 1 `` on one line.
    pub fn headline(&self) -> String {
        format!(
            "`{}` hook `{}` failed: {}",
            self.kind.key(),
            self.command,
            self.how
        )
    }
}

impl fmt::Display for HookFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(log) = &self.log {
            write!(f, " (log: {})", log.display())?;
        }
        for line in &self.tail {
            write!(f, "\n  | {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HookFailure {}

/// Runs `commands` in order until one fails or the run is cancelled.
pub(crate) async fn run_hooks<S: HookSink>(
    job: &HookJob<'_>,
    commands: &[HookCommand],
    cancel: &mut watch::Receiver<Cancel>,
    sink: &mut S,
) -> HookEnd {
    for argv in commands {
        if *cancel.borrow() != Cancel::No {
            return HookEnd::Cancelled;
        }
        let end = run_hook(job, argv, cancel, sink).await;
        let failure = match &end {
            HookEnd::Failed(failure) => Some(failure.how.clone()),
            _ => None,
        };
        sink.event(Event::HookEnded {
            kind: job.kind,
            index: job.index,
            argv: argv.clone(),
            failure,
        });
        if !matches!(end, HookEnd::Succeeded) {
            return end;
        }
    }
    HookEnd::Succeeded
}

/// Runs one hook command; its output reaches the sink when it has ended (hooks print
/// little, and the live display shows only their command and outcome).
async fn run_hook<S: HookSink>(
    job: &HookJob<'_>,
    argv: &HookCommand,
    cancel: &mut watch::Receiver<Cancel>,
    sink: &mut S,
) -> HookEnd {
    sink.event(Event::HookStarted {
        kind: job.kind,
        index: job.index,
        argv: argv.clone(),
    });
    sink.note(&format!("$ {}", display_command(argv)));
    let started = Instant::now();
    let deadline = job.timeout.map(|timeout| started + timeout);
    let mut lines = Vec::new();
    let end = run_command(
        argv,
        job.cwd,
        job.env,
        deadline,
        job.grace,
        cancel,
        &mut |line| lines.push(line),
    )
    .await;
    let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].to_vec();
    for line in lines {
        sink.line(line);
    }
    let how = match end {
        Err(error) => format!(
            "cannot start {:?}: {error}",
            argv.first().map(String::as_str).unwrap_or_default()
        ),
        Ok(end) if end.stopped == Some(Stop::Cancelled) => return HookEnd::Cancelled,
        Ok(end) if end.stopped == Some(Stop::Timeout) => format!(
            "timed out after {}",
            format_duration(job.timeout.unwrap_or_default())
        ),
        Ok(end) => {
            sink.note(&format!(
                "# {} after {:.2?}",
                end.describe(),
                started.elapsed()
            ));
            if end.success() {
                return HookEnd::Succeeded;
            }
            end.describe()
        }
    };
    sink.note(&format!("# failed: {how}"));
    HookEnd::Failed(HookFailure {
        kind: job.kind,
        command: display_command(argv),
        how,
        tail,
        log: sink.log_path(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_hook_its_command_its_log_and_its_last_lines() {
        let failure = HookFailure {
            kind: HookKind::Before,
            command: "go generate ./...".to_owned(),
            how: "exit status 1".to_owned(),
            tail: vec!["gen.go:3: bad".to_owned()],
            log: Some(PathBuf::from("dist/logs/hooks-before.log")),
        };
        assert_eq!(
            failure.to_string(),
            "`before` hook `go generate ./...` failed: exit status 1 (log: dist/logs/hooks-before.log)\n  | gen.go:3: bad"
        );
    }
}
