//! The terminal display of a run: turns the executor's [`Event`]s into progress while the
//! builds go, then prints the failures, the grid and the summary line.
//!
//! Two displays, one decision ([`use_bars`]): progress bars ([`Bars`]) when stderr is a
//! terminal and CI is unset (or `--progress always`), otherwise the line log, one plain line
//! per started and finished target. Either way every line goes through the [`Printer`]
//! (above the bars while they are drawn), so `-q` leaves only errors and `-v` adds the exact
//! commands and their output. The wording is in [`super::messages`].

use crosscheck_executor::{Event, PreparedTarget, RunSummary, TargetResult, display_command};

use crosscheck_planner::Plan;
use crosscheck_schema::{HookKind, PackageEvent, PackageTests, Status, TestStatus};

use super::bars::Bars;
use super::grid;
use super::messages;
use super::words::{Verb, status_word, test_status_word};
use crate::cli::ProgressChoice;
use crate::printer::{Label, Printer, Style};

/// Whether to draw bars, from `--progress`, the terminal and CI.
pub fn use_bars(choice: ProgressChoice, printer: &Printer) -> bool {
    if printer.is_quiet() {
        return false;
    }
    match choice {
        ProgressChoice::Always => true,
        ProgressChoice::Never => false,
        ProgressChoice::Auto => {
            printer.stderr_is_terminal()
                && std::env::var_os(crosscheck_planner::env_vars::CI).is_none_or(|v| v.is_empty())
        }
    }
}

/// Turns events into what the person running crosscheck sees.
pub struct Reporter<'a> {
    /// For what is printed after the run, when the bars are gone.
    printer: &'a Printer,
    /// For what is printed during the run: above the bars when they are drawn.
    live: Printer,
    plan: &'a Plan,
    verb: Verb,
    bars: Option<Bars>,
    done: usize,
}

impl<'a> Reporter<'a> {
    /// A reporter for `plan`'s run.
    pub fn new(
        printer: &'a Printer,
        plan: &'a Plan,
        verb: Verb,
        progress: ProgressChoice,
    ) -> Reporter<'a> {
        let bars = use_bars(progress, printer)
            .then(|| Bars::new(plan.targets.len(), progress == ProgressChoice::Always));
        let live = match &bars {
            Some(bars) => printer.above(bars.multi()),
            None => printer.clone(),
        };
        Reporter {
            printer,
            live,
            plan,
            verb,
            bars,
            done: 0,
        }
    }

    /// Handles one event.
    pub fn event(&mut self, event: Event) {
        let live = &self.live;
        match event {
            Event::WaitingForLock { lock } => live.status(&messages::waiting_for_lock(&lock)),
            Event::LockUnsupported { lock } => live.status(&live.labelled(
                Label::Warning,
                &format!(
                    "this platform has no dist lock: another crosscheck run writing this dist directory at the same time is not kept out (lock file {})",
                    lock.display()
                ),
            )),
            Event::DownloadingModules { argv } => {
                live.detail(&format!("$ {}", display_command(&argv)));
            }
            Event::PreparingRunner { what } | Event::InstallingTool { what } => {
                live.status(&what);
            }
            Event::Packaging(event) => self.package_event(event),
            Event::HookStarted { kind, index, argv } => live.detail(&format!(
                "$ {} ({} hook{})",
                display_command(&argv),
                kind.key(),
                self.hook_target(index)
            )),
            Event::HookEnded {
                kind,
                index,
                argv,
                failure: Some(how),
            } => {
                let text = live.labelled(
                    Label::Error,
                    &format!(
                        "`{}` hook{} `{}` failed: {how}",
                        kind.key(),
                        self.hook_target(index),
                        display_command(&argv)
                    ),
                );
                // A failing `before` ends the run with this very message, and an
                // `after_build` failure is its target's FAILED line: both already reach the
                // status level, so here they are details. An `after` failure is said now,
                // before the summary, and again as the run's error.
                if kind == HookKind::After {
                    live.status(&text);
                } else {
                    live.detail(&text);
                }
            }
            Event::HookEnded { failure: None, .. } => {}
            Event::RunStarted { targets, jobs } => {
                live.detail(&messages::run_started(self.verb, targets, jobs));
            }
            Event::Queued { .. } => {}
            Event::Started { index, target } => self.started(index, &target),
            Event::OutputLine { index, line } => {
                live.detail(&format!("  {} | {line}", self.target_id(index)));
            }
            Event::Finished { result } => self.finished(&result),
            Event::Inspected { index, inspection } => live.detail(&format!(
                "  inspected {}: {:?}",
                self.target_id(index),
                inspection.verdict
            )),
            Event::SmokeStarted { argv, .. } => {
                live.detail(&format!("$ {}", display_command(&argv)));
            }
            Event::Smoked { index, smoke } => live.detail(&format!(
                "  smoke {}: {}",
                self.target_id(index),
                smoke.summary()
            )),
            Event::TestedPackage { index, package } => self.tested(index, &package),
            Event::Reproducing { index } => self.reproducing(index),
            Event::Reproduced {
                index,
                reproduction,
            } => live.detail(&messages::reproduced(&self.target_id(index), &reproduction)),
            Event::Interrupted { kill: false } => live.status(
                "interrupted: stopping the builds (SIGTERM, then SIGKILL after a grace period); press Ctrl-C again to kill them now",
            ),
            Event::Interrupted { kill: true } => {
                live.status("interrupted again: killing the builds");
            }
            Event::FailingFast { id } => {
                live.status(&format!("{id} failed; --fail-fast: stopping the other builds"));
            }
        }
    }

    /// ` for linux/amd64` after an `after_build` hook's kind; nothing for the others.
    fn hook_target(&self, index: Option<usize>) -> String {
        index.map_or_else(String::new, |index| {
            format!(" for {}", self.target_id(index))
        })
    }

    /// What the release stage reports while it packages a build.
    pub fn package_event(&mut self, event: PackageEvent) {
        let live = &self.live;
        match event {
            PackageEvent::Packaged { id, kind, file } => {
                live.detail(&format!(
                    "  packaged {id}: {} {}",
                    kind.as_str(),
                    file.relative
                ));
            }
            PackageEvent::PackagingFailed { id, message } => live
                .status(&live.labelled(Label::Error, &format!("cannot package {id}: {message}"))),
        }
    }

    /// The id of the plan's target at `index`, as events name targets by position.
    fn target_id(&self, index: usize) -> String {
        self.plan
            .targets
            .get(index)
            .map(|t| t.id.to_string())
            .unwrap_or_default()
    }

    fn started(&mut self, index: usize, target: &PreparedTarget) {
        match &mut self.bars {
            Some(bars) => bars.start(index, &target.id),
            None => self
                .live
                .status(&format!("{} {}", self.verb.doing_word(), target.id)),
        }
        for line in messages::commands(target) {
            self.live.detail(&line);
        }
    }

    /// One line per package, as `go test` prints: failures always, the rest with `-v`.
    fn tested(&self, index: usize, package: &PackageTests) {
        let line = messages::tested_package(&self.target_id(index), package);
        match package.status {
            Some(TestStatus::Fail) => self.live.status(&line),
            None if package.reason.is_some() => self.live.status(&line),
            _ => self.live.detail(&line),
        }
    }

    fn reproducing(&self, index: usize) {
        let id = self.target_id(index);
        match &self.bars {
            Some(bars) => bars.relabel(index, &format!("{id} (second build)")),
            None => self.live.status(&format!(
                "reproducing {id} (a second build in a copy of the module, empty build cache)"
            )),
        }
    }

    fn finished(&mut self, result: &TargetResult) {
        self.done += 1;
        let word = match result.status {
            _ if result.tests.is_some() => self.test_word(result),
            Status::Built | Status::Checked => {
                self.live.paint(self.verb.done_word(), Style::Success)
            }
            Status::Failed => self.live.paint(status_word(result.status), Style::Failure),
            Status::Skipped | Status::Cancelled => status_word(result.status).to_owned(),
        };
        if let Some(bars) = &mut self.bars {
            bars.finish(result.index);
        }
        self.live.status(&messages::finished_line(
            result,
            &word,
            self.done,
            self.plan.targets.len(),
        ));
    }

    /// How a target's tests went, in the colour of the outcome.
    fn test_word(&self, result: &TargetResult) -> String {
        let Some(tests) = &result.tests else {
            return String::new();
        };
        self.live.paint(
            test_status_word(tests.status),
            super::tests::status_style(tests.status),
        )
    }

    /// Clears the bars; the test command prints its own summary (`reporter::tests`).
    pub fn finish_tests(self) {
        if let Some(bars) = &self.bars {
            bars.clear();
        }
    }

    /// Clears the bars and prints failures, the grid and the summary line.
    pub fn finish(self, summary: &RunSummary) {
        if let Some(bars) = &self.bars {
            bars.clear();
        }
        let printer = self.printer;
        for result in summary
            .results
            .iter()
            .filter(|r| r.status == Status::Failed)
        {
            printer.error(&messages::failure_report(result));
        }
        for report in summary
            .not_reproducible()
            .filter_map(messages::reproducibility_report)
        {
            printer.error(&report);
        }
        if !summary.results.is_empty() {
            printer.status(&format!(
                "\n{}",
                grid::render(self.plan, summary, self.verb, terminal_width())
            ));
        }
        printer.status(&messages::summary_line(summary, self.verb));
    }
}

/// The columns of the terminal stderr is, else [`grid::DEFAULT_WIDTH`].
fn terminal_width() -> usize {
    console::Term::stderr()
        .size_checked()
        .map_or(grid::DEFAULT_WIDTH, |(_, columns)| usize::from(columns))
}
