//! The smoke step (`build --smoke`): a built artifact runs once on its runner, and its exit
//! status and output decide whether it passed.
//!
//! It runs after the artifact is inspected and before `--verify-reproducible`'s second
//! build: what runs is exactly the file the inspector judged, and a binary that does not
//! even start is reported before the slow second build. It uses the builds' process
//! machinery ([`run_command`]): its own process group, its own deadline, Ctrl-C.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crosscheck_schema::{
    PlannedSmoke, Runnability, Runner, SmokeResult, SmokeRunner, SmokeStatus, duration_ms,
};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::process::{Cancel, CommandEnd, Stop, run_command};
use crate::runner::format_duration;

/// How many of the last output lines the manifest keeps.
pub const SMOKE_OUTPUT_LINES: usize = 20;

/// How much output is searched for `expect`; a smoke command is expected to say little.
const EXPECT_SEARCH_LIMIT: usize = 256 * 1024;

/// One smoke run: the planned step, how the target runs here, and where.
pub(crate) struct SmokeJob<'a> {
    pub smoke: &'a PlannedSmoke,
    pub runnability: Runnability,
    /// The artifact, in its place in dist.
    pub artifact: &'a Path,
    /// The module directory.
    pub cwd: &'a Path,
    /// The build's complete environment; the smoke `env` and the runner's go on top.
    pub env: &'a BTreeMap<String, String>,
    pub grace: Duration,
}

impl SmokeJob<'_> {
    /// The exact command line, or `None` when nothing can run the target here.
    pub(crate) fn argv(&self) -> Option<Vec<String>> {
        match &self.runnability {
            Runnability::Runs(runner) => {
                Some(runner.argv(&self.artifact.to_string_lossy(), &self.smoke.args))
            }
            Runnability::NotRun { .. } => None,
        }
    }
}

/// Runs the job and says how it went; each output line also goes to `on_line` (the log and
/// the live display).
pub(crate) async fn run_smoke(
    job: SmokeJob<'_>,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> SmokeResult {
    let runner = match &job.runnability {
        Runnability::Runs(runner) => runner.clone(),
        Runnability::NotRun { reason, install } => {
            return SmokeResult::not_run(reason.clone(), install.clone());
        }
    };
    let argv = job.argv().unwrap_or_default();
    let env = smoke_env(job.env, job.smoke, &runner);
    let timeout = Duration::from_millis(job.smoke.timeout_ms);
    let started = Instant::now();
    let mut captured = Captured::default();
    let end = run_command(
        &argv,
        job.cwd,
        &env,
        Some(started + timeout),
        job.grace,
        cancel,
        &mut |line| {
            captured.push(&line);
            on_line(line);
        },
    )
    .await;
    let reason = match &end {
        Ok(end) => judge(end, &captured, job.smoke.expect.as_deref(), timeout),
        Err(error) => Some(format!(
            "cannot run {:?}: {error}",
            argv.first().map(String::as_str).unwrap_or_default()
        )),
    };
    SmokeResult {
        status: if reason.is_none() {
            SmokeStatus::Passed
        } else {
            SmokeStatus::Failed
        },
        runner: Some(SmokeRunner {
            kind: runner.kind,
            description: runner.description.clone(),
        }),
        argv,
        exit_code: end.as_ref().ok().and_then(|end| end.code),
        duration_ms: duration_ms(started.elapsed()),
        output: captured.tail,
        reason,
        install: None,
    }
}

/// The build's environment, then `[smoke] env`, then what the runner needs (which must win:
/// without its `QEMU_LD_PREFIX` the binary would not start at all).
fn smoke_env(
    base: &BTreeMap<String, String>,
    smoke: &PlannedSmoke,
    runner: &Runner,
) -> BTreeMap<String, String> {
    let mut env = base.clone();
    env.extend(smoke.env.clone());
    env.extend(runner.env.clone());
    env
}

/// Why the run failed, or `None` when it passed.
fn judge(
    end: &CommandEnd,
    captured: &Captured,
    expect: Option<&str>,
    timeout: Duration,
) -> Option<String> {
    match end.stopped {
        Some(Stop::Timeout) => {
            return Some(format!("timed out after {}", format_duration(timeout)));
        }
        Some(Stop::Cancelled) => return Some("interrupted".to_owned()),
        None => {}
    }
    if !end.success() {
        return Some(end.describe());
    }
    match expect {
        Some(expect) if !captured.contains(expect) => {
            Some(format!("its output does not contain {expect:?}"))
        }
        _ => None,
    }
}

/// The output as it comes: its last lines for the record, its start for `expect`.
#[derive(Default)]
struct Captured {
    tail: Vec<String>,
    /// The output's start, up to [`EXPECT_SEARCH_LIMIT`].
    text: String,
}

impl Captured {
    fn push(&mut self, line: &str) {
        if self.tail.len() == SMOKE_OUTPUT_LINES {
            self.tail.remove(0);
        }
        self.tail.push(line.to_owned());
        if self.text.len() + line.len() < EXPECT_SEARCH_LIMIT {
            self.text.push_str(line);
            self.text.push('\n');
        }
    }

    fn contains(&self, expect: &str) -> bool {
        self.text.contains(expect) || self.tail.iter().any(|line| line.contains(expect))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(lines: &[&str]) -> Captured {
        let mut captured = Captured::default();
        for line in lines {
            captured.push(line);
        }
        captured
    }

    #[test]
    fn a_run_passes_only_with_status_zero_and_the_expected_text() {
        let out = captured(&["hello 1.2.3"]);
        let second = Duration::from_secs(1);
        assert_eq!(
            judge(
                &CommandEnd::exited(Some(0), None),
                &out,
                Some("hello 1.2.3"),
                second
            ),
            None
        );
        assert_eq!(
            judge(&CommandEnd::exited(Some(0), None), &out, None, second),
            None
        );
        assert_eq!(
            judge(
                &CommandEnd::exited(Some(0), None),
                &out,
                Some("hello 2"),
                second
            )
            .as_deref(),
            Some("its output does not contain \"hello 2\"")
        );
        assert_eq!(
            judge(&CommandEnd::exited(Some(2), None), &out, None, second).as_deref(),
            Some("exit status 2")
        );
        assert_eq!(
            judge(
                &CommandEnd::exited(None, Some(Stop::Timeout)),
                &out,
                None,
                second
            )
            .as_deref(),
            Some("timed out after 1s")
        );
    }

    #[test]
    fn the_record_keeps_the_last_lines() {
        let lines: Vec<String> = (0..50).map(|n| format!("line {n}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let out = captured(&refs);
        assert_eq!(out.tail.len(), SMOKE_OUTPUT_LINES);
        assert_eq!(out.tail.last().map(String::as_str), Some("line 49"));
        assert!(out.contains("line 0"), "the start is searched too");
    }

    #[test]
    fn the_runner_env_wins_over_the_smoke_env() {
        let smoke = PlannedSmoke {
            args: Vec::new(),
            expect: None,
            timeout_ms: 1000,
            env: BTreeMap::from([("QEMU_CPU".to_owned(), "mine".to_owned())]),
        };
        let runner = Runner {
            kind: crosscheck_schema::RunnerKind::QemuUser,
            command: vec!["qemu-x86_64".to_owned()],
            env: BTreeMap::from([("QEMU_CPU".to_owned(), "max".to_owned())]),
            description: String::new(),
        };
        let base = BTreeMap::from([("PATH".to_owned(), "/bin".to_owned())]);
        let env = smoke_env(&base, &smoke, &runner);
        assert_eq!(env["QEMU_CPU"], "max");
        assert_eq!(env["PATH"], "/bin");
    }
}
