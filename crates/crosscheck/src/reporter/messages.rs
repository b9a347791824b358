//! What the live display says, as text: the line per finished target, the failure and
//! reproducibility reports after the run, and the closing summary line. Pure functions of
//! the executor's records, so their wording is tested here; the [`Printer`] adds labels and
//! colour and decides whether they are shown.
//!
//! [`Printer`]: crate::printer::Printer

use std::path::Path;

use crosscheck_executor::{
    MEMORY_PER_JOB, PreparedTarget, RunSummary, TargetResult, display_command, format_duration,
    shell_quote,
};

use crosscheck_schema::{PackageTests, Reproduction, ResolvedCc, SmokeStatus, Status, TestStatus};

use super::words::{Verb, human_size, plural, push_counts, unit_word};

/// How many output lines a failure shows.
const FAILURE_TAIL: usize = 15;

/// Another run holds the dist lock.
pub(crate) fn waiting_for_lock(lock: &Path) -> String {
    format!(
        "waiting for another crosscheck run to finish with this dist directory (lock {}; --no-wait fails instead)",
        lock.display()
    )
}

/// How many targets run and how many at once, with the memory that decided it.
pub(crate) fn run_started(verb: Verb, targets: usize, jobs: usize) -> String {
    let memory = crosscheck_executor::mem_available()
        .map(|bytes| format!(", {:.1} GiB available", bytes as f64 / (1u64 << 30) as f64))
        .unwrap_or_default();
    format!(
        "{} {}, {jobs} at a time (-j; default min(cores, memory / {} GiB){memory})",
        verb.doing_word(),
        plural(targets, "target", "targets"),
        MEMORY_PER_JOB >> 30
    )
}

/// The exact commands of a target that starts, as a shell would run them, and its C
/// compiler (`-v`).
pub(crate) fn commands(target: &PreparedTarget) -> Vec<String> {
    // As the manifest records it: a secret in `[build] env` stays out of the log.
    let env: Vec<String> = crosscheck_executor::env::redact(&target.set_env)
        .iter()
        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
        .collect();
    let cwd = shell_quote(&target.cwd.to_string_lossy());
    let mut lines: Vec<String> = target
        .commands
        .iter()
        .map(|argv| {
            format!(
                "  $ cd {cwd} && {} {}",
                env.join(" "),
                display_command(argv)
            )
        })
        .collect();
    if let Some(cc) = &target.c_compiler {
        lines.push(format!("  C compiler: {}", compiler(cc)));
    }
    lines
}

/// A C compiler and how it was found: `zig cc -target x86_64-linux-musl (zig from PATH)`.
pub(crate) fn compiler(cc: &ResolvedCc) -> String {
    format!("{} ({})", cc.cc, cc.via)
}

/// `[2/5] built linux/amd64 in 1.2s · 2.1 MiB · hello_linux_amd64`; `word` is the status
/// word, styled by the caller.
pub(crate) fn finished_line(
    result: &TargetResult,
    word: &str,
    done: usize,
    total: usize,
) -> String {
    let mut line = format!("[{done}/{total}] {word} {}", result.id);
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
    line
}

/// How a second build compared (`--verify-reproducible -v`).
pub(crate) fn reproduced(id: &str, reproduction: &Reproduction) -> String {
    format!(
        "  {id}: second build {} in {}",
        if reproduction.verified {
            "identical"
        } else {
            "differs"
        },
        format_duration(std::time::Duration::from_millis(reproduction.duration_ms))
    )
}

/// Why a target failed, its hint and the last lines it printed; the message of an `error:`.
pub(crate) fn failure_report(result: &TargetResult) -> String {
    let message = result
        .failure
        .as_ref()
        .map(|f| f.message.as_str())
        .unwrap_or("failed");
    let mut out = format!("{} failed: {message}\n", result.id);
    push_hint(
        &mut out,
        result.failure.as_ref().and_then(|f| f.hint.as_deref()),
    );
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
/// causes it, or why the second build could not be compared; the message of an `error:`.
/// `None` when it is reproducible or was not built twice.
pub(crate) fn reproducibility_report(result: &TargetResult) -> Option<String> {
    let reproduction = result.reproducible.as_ref().filter(|r| !r.verified)?;
    let mut out = match &reproduction.error {
        Some(error) => format!("{}: reproducibility not verified: {error}", result.id),
        None => format!(
            "{}: not reproducible{}",
            result.id,
            difference(reproduction)
        ),
    };
    out.push('\n');
    push_hint(&mut out, reproduction.hint.as_deref());
    if let Some(artifact) = &result.artifact {
        out.push_str(&format!(
            "  the first build stays in {}\n",
            artifact.path.display()
        ));
    }
    Some(out)
}

/// `: first difference at offset 0xd0 in section .text (+0x90); 12 bytes differ; the second
/// build is 16 bytes larger`, as far as known.
fn difference(reproduction: &Reproduction) -> String {
    let Some(difference) = &reproduction.first_difference else {
        return String::new();
    };
    let place = match (&difference.section, difference.section_offset) {
        (Some(section), Some(at)) => format!(" in section {section} (+{at:#x})"),
        (Some(section), None) => format!(" in section {section}"),
        _ => String::new(),
    };
    let mut text = format!(
        ": first difference at offset {:#x}{place}",
        difference.offset
    );
    if let Some(count) = reproduction.differing_bytes {
        text.push_str(&format!(
            "; {}",
            plural(count, "byte differs", "bytes differ")
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

fn push_hint(out: &mut String, hint: Option<&str>) {
    if let Some(hint) = hint {
        out.push_str(&format!("  hint: {hint}\n"));
    }
}

/// `built 3 of 4 targets in 12.3s, 1 failed, packaged 8 files · dist/manifest.json ·
/// dist/SHA256SUMS`.
pub(crate) fn summary_line(summary: &RunSummary, verb: Verb) -> String {
    let succeeded = summary.count(Status::Built) + summary.count(Status::Checked);
    let unit = unit_word(summary.results.iter().map(|r| r.id.as_str()));
    let mut line = format!(
        "{} {succeeded} of {} {unit}s in {}",
        verb.done_word(),
        summary.results.len(),
        format_duration(summary.duration)
    );
    push_counts(
        &mut line,
        &[
            (summary.count(Status::Failed), "failed"),
            (summary.count(Status::Cancelled), "cancelled"),
            (summary.count(Status::Skipped), "skipped"),
        ],
    );
    let checked = summary
        .results
        .iter()
        .filter(|r| r.reproducible.is_some())
        .count();
    if checked > 0 {
        let differ = summary.not_reproducible().count();
        line.push_str(&format!(", {} of {checked} reproducible", checked - differ));
    }
    push_smoke_counts(&mut line, summary);
    if !summary.packaged.is_empty() {
        line.push_str(&format!(", packaged {} files", summary.packaged.len()));
    }
    push_counts(
        &mut line,
        &[(summary.package_failures.len(), "not packaged")],
    );
    if let (Some(manifest), Some(sums)) = (&summary.manifest_path, &summary.checksums) {
        line.push_str(&format!(" · {} · {}", manifest.display(), sums.display()));
    }
    line
}

/// `, smoke: 2 passed, 1 failed, 1 not run`, when any target had a smoke run.
fn push_smoke_counts(line: &mut String, summary: &RunSummary) {
    let count = |status: SmokeStatus| {
        summary
            .results
            .iter()
            .filter(|r| r.smoke.as_ref().is_some_and(|s| s.status == status))
            .count()
    };
    let counts: Vec<String> = [
        SmokeStatus::Passed,
        SmokeStatus::Failed,
        SmokeStatus::NotRun,
    ]
    .into_iter()
    .map(|status| (count(status), status.word()))
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect();
    if !counts.is_empty() {
        line.push_str(&format!(", smoke: {}", counts.join(", ")));
    }
}

/// One package's test outcome on one target, as `go test` prints it:
/// `linux/s390x  ok    example.com/m/codec  1.20s (cached)`.
pub(crate) fn tested_package(id: &str, package: &PackageTests) -> String {
    let word = match package.status {
        Some(TestStatus::Pass) => "ok",
        Some(TestStatus::Fail) => "FAIL",
        Some(TestStatus::Skip) => "?",
        None if package.reason.is_some() => "FAIL",
        None => "-",
    };
    let mut line = format!("  {id}  {word:<4}  {}", package.package);
    if package.status == Some(TestStatus::Pass) {
        line.push_str(&format!("  {:.2}s", package.elapsed));
    }
    if package.cached {
        line.push_str(" (cached)");
    }
    match (&package.reason, package.status) {
        (Some(reason), _) => line.push_str(&format!("  [{reason}]")),
        (None, None) => line.push_str("  [not run]"),
        _ => {}
    }
    line
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use crosscheck_schema::{Artifact, Difference, Failure, FailureKind};

    use super::*;

    fn result(status: Status) -> TargetResult {
        TargetResult::bare(
            0,
            "linux/arm64".to_owned(),
            status,
            Duration::from_millis(1250),
        )
    }

    fn artifact() -> Artifact {
        Artifact {
            path: PathBuf::from("/work/dist/hello_linux_arm64"),
            relative: "hello_linux_arm64".to_owned(),
            size: 2_202_009,
            sha256: String::new(),
        }
    }

    fn reproduction(first_difference: Option<Difference>) -> Reproduction {
        Reproduction {
            verified: false,
            size: None,
            first_difference,
            differing_bytes: Some(1),
            size_difference: Some(-16),
            error: None,
            hint: Some("-trimpath is off".to_owned()),
            duration_ms: 0,
        }
    }

    #[test]
    fn a_finished_line_names_time_size_path_and_failure() {
        let mut built = result(Status::Built);
        built.artifact = Some(artifact());
        assert_eq!(
            finished_line(&built, "built", 2, 5),
            "[2/5] built linux/arm64 in 1.2s · 2.1 MiB · hello_linux_arm64"
        );
        let mut failed = result(Status::Failed);
        failed.failure = Some(Failure {
            kind: FailureKind::Network,
            message: "exit status 1".to_owned(),
            hint: None,
        });
        assert_eq!(
            finished_line(&failed, "FAILED", 3, 5),
            "[3/5] FAILED linux/arm64 in 1.2s: exit status 1"
        );
        assert_eq!(
            finished_line(&result(Status::Skipped), "skipped", 4, 5),
            "[4/5] skipped linux/arm64"
        );
    }

    #[test]
    fn a_failure_report_shows_the_hint_and_the_last_lines_of_its_log() {
        let mut failed = result(Status::Failed);
        failed.failure = Some(Failure {
            kind: FailureKind::Network,
            message: "exit status 1".to_owned(),
            hint: Some("check the proxy".to_owned()),
        });
        failed.log = Some(PathBuf::from("dist/logs/linux_arm64.log"));
        failed.output_tail = (1..=20).map(|n| format!("line {n}")).collect();
        let report = failure_report(&failed);
        assert!(
            report.starts_with(
                "linux/arm64 failed: exit status 1\n  hint: check the proxy\n  last 15 lines of dist/logs/linux_arm64.log:\n  | line 6\n"
            ),
            "{report}"
        );
        assert!(report.ends_with("  | line 20\n"), "{report}");
    }

    #[test]
    fn a_reproducibility_report_says_where_the_builds_differ() {
        let mut built = result(Status::Built);
        built.artifact = Some(artifact());
        assert_eq!(reproducibility_report(&built), None);
        built.reproducible = Some(reproduction(Some(Difference {
            offset: 0xd0,
            section: Some(".text".to_owned()),
            section_offset: Some(0x90),
        })));
        assert_eq!(
            reproducibility_report(&built).as_deref(),
            Some(
                "linux/arm64: not reproducible: first difference at offset 0xd0 in section .text (+0x90); \
                 1 byte differs; the second build is 16 bytes smaller\n  hint: -trimpath is off\n  \
                 the first build stays in /work/dist/hello_linux_arm64\n"
            )
        );
        let mut second_failed = reproduction(None);
        second_failed.error = Some("the copy failed".to_owned());
        second_failed.hint = None;
        built.reproducible = Some(second_failed);
        built.artifact = None;
        assert_eq!(
            reproducibility_report(&built).as_deref(),
            Some("linux/arm64: reproducibility not verified: the copy failed\n")
        );
    }
}
