//! `build --junit FILE` and `check --junit FILE`: one testcase per target, for CI
//! dashboards. `test --junit FILE` renders its own suites (`super::tests`) and writes them
//! the same way ([`write_rendered`]).
//!
//! A `build` testcase covers the build and the inspection of its artifact: it fails when
//! the build failed or when the artifact breaks its target or policy (whatever
//! `--policy` says about the exit code: the dashboard should show it either way).

use std::path::Path;

use crosscheck_executor::{RunSummary, TargetResult};

use crosscheck_schema::{SmokeResult, SmokeStatus, Status, Verdict};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::Verb;

/// The JUnit XML for a run.
pub fn render(
    summary: &RunSummary,
    suite_name: &str,
    verb: Verb,
) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("crosscheck");
    report.set_time(summary.duration);
    let mut suite = TestSuite::new(suite_name);
    suite.set_time(summary.duration);
    for result in &summary.results {
        let violations = result
            .inspection
            .as_ref()
            .filter(|i| i.verdict == Verdict::Fail)
            .map(|i| i.problems.as_slice());
        let mut case = TestCase::new(result.id.clone(), case_status(result, violations));
        case.set_classname(format!("crosscheck.{}", verb.name()));
        case.set_time(result.duration);
        if let Some(problems) = violations {
            // Dashboards that hide failure bodies still show system-out.
            case.set_system_out(problems.join("\n"));
        } else if let Some(smoke) = &result.smoke {
            case.set_system_out(smoke_text(smoke));
        }
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.to_string()
}

/// A target's testcase outcome: `violations` fail a target that built.
fn case_status(result: &TargetResult, violations: Option<&[String]>) -> TestCaseStatus {
    match result.status {
        Status::Built | Status::Checked => match violations {
            None => smoke_status(result.smoke.as_ref()),
            Some(problems) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!(
                    "built, but the artifact breaks its target or policy: {}",
                    problems.join("; ")
                ));
                status.set_type("policy");
                status.set_description(problems.join("\n"));
                status
            }
        },
        Status::Skipped | Status::Cancelled => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(if result.status == Status::Skipped {
                "not started (fail-fast or interrupted)"
            } else {
                "cancelled while running (fail-fast or interrupted)"
            });
            status
        }
        Status::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            if let Some(failure) = &result.failure {
                let message = match &failure.hint {
                    Some(hint) => format!("{} (hint: {hint})", failure.message),
                    None => failure.message.clone(),
                };
                status.set_message(message);
                status.set_type(format!("{:?}", failure.kind));
            }
            status.set_description(result.output_tail.join("\n"));
            status
        }
    }
}

/// A built target's testcase by its smoke run: a failed run fails it; a target that could
/// not run passes on its build alone, and says so in system-out.
fn smoke_status(smoke: Option<&SmokeResult>) -> TestCaseStatus {
    match smoke {
        Some(smoke) if smoke.status == SmokeStatus::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!("built, but its smoke run {}", smoke.summary()));
            status.set_type("smoke");
            status.set_description(smoke.output.join("\n"));
            status
        }
        _ => TestCaseStatus::success(),
    }
}

/// The smoke run in system-out: `smoke: passed`, then its output.
fn smoke_text(smoke: &SmokeResult) -> String {
    let mut lines = vec![format!("smoke: {}", smoke.summary())];
    lines.extend(smoke.output.iter().cloned());
    lines.join("\n")
}

/// Writes the report to `path` atomically.
pub fn write(path: &Path, xml: &str) -> std::io::Result<()> {
    crosscheck_schema::dist::write_atomically(path, xml.as_bytes())
}

/// Renders and writes the report of `plan`'s run to `path`: `--junit FILE` of both commands.
pub fn write_report(
    path: &Path,
    summary: &RunSummary,
    plan: &crosscheck_planner::Plan,
    verb: Verb,
    printer: &crate::printer::Printer,
) -> Result<(), crate::errors::CliError> {
    let xml = render(
        summary,
        &format!("crosscheck {} {}", verb.name(), plan.project.name),
        verb,
    );
    write_rendered(path, xml, printer)
}

/// Writes a rendered report to `path` atomically, or says why it could not: the last step
/// of every `--junit FILE` (`build`, `check`, `test`).
pub(crate) fn write_rendered(
    path: &Path,
    xml: Result<String, quick_junit::SerializeError>,
    printer: &crate::printer::Printer,
) -> Result<(), crate::errors::CliError> {
    let xml = xml.map_err(|e| {
        crate::errors::CliError::Usage(format!("cannot render the JUnit report: {e}"))
    })?;
    write(path, &xml).map_err(|source| crate::errors::CliError::Io {
        action: "cannot write the JUnit report",
        path: path.display().to_string(),
        source,
    })?;
    printer.detail(&format!("wrote {}", path.display()));
    Ok(())
}
