//! Showing a run: consumes the executor's [`Event`]s and draws progress, then the failures,
//! the os × arch grid and a one-line summary.
//!
//! Two displays, one decision: progress bars ([`bars`], indicatif) when stderr is a
//! terminal and CI is unset (or `--progress always`), otherwise one plain line per started
//! and finished target. Both go through the [`Printer`], so `-q` leaves only errors and
//! `-v` adds the exact commands and their output. [`grid`] renders the final table and
//! [`junit`] the XML report of `--junit`.
//!
//! Reports for CI and for later: [`rows`] flattens a run or a `manifest.json` into one row
//! per target, which [`markdown`] (the GitHub step summary, `report --format markdown`),
//! [`github`] (annotations) and [`html`] (`crosscheck report --html`) render.

mod bars;
pub mod github;
pub mod grid;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod rows;

use crosscheck_schema::PackageEvent;
use std::collections::BTreeMap;
use std::time::Instant;

use crosscheck_executor::{
    Event, MEMORY_PER_JOB, RunSummary, Status, TargetResult, display_command, format_duration,
    shell_quote,
};
use crosscheck_planner::Plan;

use crate::cli::ProgressChoice;
use crate::printer::{Printer, Verbosity};

/// How many output lines a failure shows.
const FAILURE_TAIL: usize = 15;

/// Which command is reporting: the words differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `crosscheck build`.
    Build,
    /// `crosscheck check`.
    Check,
}

impl Verb {
    fn done_word(self) -> &'static str {
        match self {
            Verb::Build => "built",
            Verb::Check => "checked",
        }
    }
}

/// Whether to draw bars, from `--progress`, the terminal and CI.
pub fn use_bars(choice: ProgressChoice, printer: &Printer) -> bool {
    if printer.verbosity() == Verbosity::Quiet {
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
    printer: &'a Printer,
    plan: &'a Plan,
    verb: Verb,
    bars: Option<bars::Bars>,
    done: usize,
    started: BTreeMap<usize, Instant>,
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
            .then(|| bars::Bars::new(plan.targets.len(), progress == ProgressChoice::Always));
        Reporter {
            printer,
            plan,
            verb,
            bars,
            done: 0,
            started: BTreeMap::new(),
        }
    }

    /// Prints a status line, above the bars when they are drawn.
    fn status(&self, text: &str) {
        match &self.bars {
            Some(bars) => bars.println(text),
            None => self.printer.status(text),
        }
    }

    fn detail(&self, text: &str) {
        if self.printer.verbosity() >= Verbosity::Verbose {
            self.status(text);
        }
    }

    /// Handles one event.
    pub fn event(&mut self, event: Event) {
        match event {
            Event::WaitingForLock { lock } => self.status(&format!(
                "waiting for another crosscheck run to finish with this dist directory (lock {}; --no-wait fails instead)",
                lock.display()
            )),
            Event::LockUnsupported { lock } => self.status(&format!(
                "warning: this platform has no dist lock: another crosscheck run writing this dist directory at the same time is not kept out (lock file {})",
                lock.display()
            )),
            Event::DownloadingModules { argv } => self.detail(&format!("$ {}", display_command(&argv))),
            Event::RunStarted { targets, jobs } => {
                let memory = crosscheck_executor::mem_available()
                    .map(|bytes| format!(", {:.1} GiB available", bytes as f64 / (1u64 << 30) as f64))
                    .unwrap_or_default();
                self.detail(&format!(
                    "{} {targets} targets, {jobs} at a time (-j; default min(cores, memory / {} GiB){memory})",
                    match self.verb {
                        Verb::Build => "building",
                        Verb::Check => "checking",
                    },
                    MEMORY_PER_JOB >> 30
                ));
            }
            Event::Queued { .. } => {}
            Event::Started { index, target } => {
                self.started.insert(index, Instant::now());
                if let Some(bars) = &mut self.bars {
                    bars.start(index, &target.id);
                } else {
                    let word = match self.verb {
                        Verb::Build => "building",
                        Verb::Check => "checking",
                    };
                    self.printer.status(&format!("{word} {}", target.id));
                }
                if self.printer.verbosity() >= Verbosity::Verbose {
                    let env: Vec<String> = target
                        .set_env
                        .iter()
                        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
                        .collect();
                    for argv in &target.commands {
                        self.status(&format!(
                            "  $ cd {} && {} {}",
                            shell_quote(&target.cwd.to_string_lossy()),
                            env.join(" "),
                            display_command(argv)
                        ));
                    }
                    if let Some(cc) = &target.c_compiler {
                        self.status(&format!("  C compiler: {} ({})", cc.cc, cc.via));
                    }
                }
            }
            Event::OutputLine { index, line } => {
                if self.printer.verbosity() >= Verbosity::Verbose {
                    let id = self.plan.targets.get(index).map(|t| t.id.to_string()).unwrap_or_default();
                    self.status(&format!("  {id} | {line}"));
                }
            }
            Event::Finished { result } => self.finished(&result),
            Event::Inspected { index, inspection } => {
                let id = self.plan.targets.get(index).map(|t| t.id.to_string()).unwrap_or_default();
                self.detail(&format!("  inspected {id}: {:?}", inspection.verdict));
            }
            Event::Reproducing { index } => {
                let id = self.plan.targets.get(index).map(|t| t.id.to_string()).unwrap_or_default();
                match &self.bars {
                    Some(bars) => bars.relabel(index, &format!("{id} (second build)")),
                    None => self.printer.status(&format!(
                        "reproducing {id} (a second build in a copy of the module, empty build cache)"
                    )),
                }
            }
            Event::Reproduced { index, reproduction } => {
                let id = self.plan.targets.get(index).map(|t| t.id.to_string()).unwrap_or_default();
                self.detail(&format!(
                    "  {id}: second build {} in {}",
                    if reproduction.verified { "identical" } else { "differs" },
                    format_duration(std::time::Duration::from_millis(reproduction.duration_ms))
                ));
            }
            Event::Interrupted { kill: false } => self.status(
                "interrupted: stopping the builds (SIGTERM, then SIGKILL after a grace period); press Ctrl-C again to kill them now",
            ),
            Event::Interrupted { kill: true } => self.status("interrupted again: killing the builds"),
            Event::FailingFast { id } => {
                self.status(&format!("{id} failed; --fail-fast: stopping the other builds"));
            }
        }
    }

    /// What the release stage reports while it packages a build.
    pub fn package_event(&mut self, event: PackageEvent) {
        match event {
            PackageEvent::Packaged { id, kind, file } => {
                self.detail(&format!(
                    "  packaged {id}: {} {}",
                    kind.as_str(),
                    file.relative
                ));
            }
            PackageEvent::PackagingFailed { id, message } => {
                self.status(&format!("error: cannot package {id}: {message}"));
            }
        }
    }

    fn finished(&mut self, result: &TargetResult) {
        self.done += 1;
        let total = self.plan.targets.len();
        let word = match result.status {
            Status::Built | Status::Checked => self.verb.done_word(),
            Status::Failed => "FAILED",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
        };
        let word = match (self.printer.color(), result.status) {
            (true, Status::Failed) => format!("\x1b[1;31m{word}\x1b[0m"),
            (true, Status::Built | Status::Checked) => format!("\x1b[32m{word}\x1b[0m"),
            _ => word.to_owned(),
        };
        let mut line = format!("{word} {}", result.id);
        if result.status != Status::Skipped {
            line.push_str(&format!(" in {:.1}s", result.duration.as_secs_f64()));
        }
        if let Some(artifact) = &result.artifact {
            line.push_str(&format!(
                " · {} · {}",
                human_size(artifact.size),
                artifact.relative
            ));
        }
        if let Some(failure) = &result.failure {
            line.push_str(&format!(": {}", failure.message));
        }
        match &result.reproducible {
            Some(r) if r.verified => line.push_str(" · reproducible"),
            Some(_) => line.push_str(" · NOT REPRODUCIBLE"),
            None => {}
        }
        let line = format!("[{}/{total}] {line}", self.done);
        match &mut self.bars {
            Some(bars) => bars.finish(result.index, &line),
            None => self.printer.status(&line),
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
            printer.error(&failure_report(result));
        }
        for result in summary.not_reproducible() {
            if let Some(report) = reproducibility_report(result) {
                printer.error(&report);
            }
        }
        if !summary.results.is_empty() {
            printer.status(&format!(
                "\n{}",
                grid::render(self.plan, summary, self.verb)
            ));
        }
        let succeeded = summary
            .results
            .iter()
            .filter(|r| matches!(r.status, Status::Built | Status::Checked))
            .count();
        let mut line = format!(
            "{} {succeeded} of {} targets in {}",
            self.verb.done_word(),
            summary.results.len(),
            format_duration(summary.duration)
        );
        for (status, word) in [
            (Status::Failed, "failed"),
            (Status::Cancelled, "cancelled"),
            (Status::Skipped, "skipped"),
        ] {
            let count = summary.count(status);
            if count > 0 {
                line.push_str(&format!(", {count} {word}"));
            }
        }
        let checked = summary
            .results
            .iter()
            .filter(|r| r.reproducible.is_some())
            .count();
        if checked > 0 {
            let differ = summary.not_reproducible().count();
            line.push_str(&format!(", {} of {checked} reproducible", checked - differ));
        }
        if !summary.packaged.is_empty() {
            line.push_str(&format!(", packaged {} files", summary.packaged.len()));
        }
        if !summary.package_failures.is_empty() {
            line.push_str(&format!(
                ", {} not packaged",
                summary.package_failures.len()
            ));
        }
        if let (Some(manifest), Some(sums)) = (&summary.manifest_path, &summary.checksums) {
            line.push_str(&format!(" · {} · {}", manifest.display(), sums.display()));
        }
        printer.status(&line);
    }
}

fn failure_report(result: &TargetResult) -> String {
    let mut out = String::new();
    let message = result
        .failure
        .as_ref()
        .map(|f| f.message.as_str())
        .unwrap_or("failed");
    out.push_str(&format!("error: {} failed: {message}\n", result.id));
    if let Some(hint) = result.failure.as_ref().and_then(|f| f.hint.as_deref()) {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    let shown = result.output_tail.len().min(FAILURE_TAIL);
    let tail = &result.output_tail[result.output_tail.len() - shown..];
    let source = result
        .log
        .as_ref()
        .map(|log| format!(" of {}", log.display()))
        .unwrap_or_default();
    if !tail.is_empty() {
        out.push_str(&format!("  last {shown} lines{source}:\n"));
        for line in tail {
            out.push_str(&format!("  | {line}\n"));
        }
    }
    out
}

/// Why a target is not reproducible: where its two builds first differ and what usually
/// causes it, or why the second build could not be compared.
pub fn reproducibility_report(result: &TargetResult) -> Option<String> {
    let reproduction = result.reproducible.as_ref().filter(|r| !r.verified)?;
    let mut out = match (&reproduction.error, &reproduction.first_difference) {
        (Some(error), _) => format!(
            "error: {}: reproducibility not verified: {error}",
            result.id
        ),
        (None, Some(difference)) => {
            let place = match (&difference.section, difference.section_offset) {
                (Some(section), Some(at)) => format!(" in section {section} (+{at:#x})"),
                (Some(section), None) => format!(" in section {section}"),
                _ => String::new(),
            };
            let mut text = format!(
                "error: {}: not reproducible: first difference at offset {:#x}{place}",
                result.id, difference.offset
            );
            if let Some(count) = reproduction.differing_bytes {
                text.push_str(&format!(
                    "; {count} byte{} differ{}",
                    if count == 1 { "" } else { "s" },
                    if count == 1 { "s" } else { "" }
                ));
            }
            match reproduction.size_difference {
                Some(delta) if delta != 0 => text.push_str(&format!(
                    "; the second build is {} bytes {}",
                    delta.unsigned_abs(),
                    if delta > 0 { "larger" } else { "smaller" }
                )),
                _ => {}
            }
            text
        }
        (None, None) => format!("error: {}: not reproducible", result.id),
    };
    out.push('\n');
    if let Some(hint) = &reproduction.hint {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    if let Some(artifact) = &result.artifact {
        out.push_str(&format!(
            "  the first build stays in {}\n",
            artifact.path.display()
        ));
    }
    Some(out)
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
}
