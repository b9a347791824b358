//! `check --junit FILE`: one testcase per target, for CI dashboards.

use std::path::Path;

use crosscheck_executor::{RunSummary, Status};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The JUnit XML for a check run.
pub fn render(
    summary: &RunSummary,
    suite_name: &str,
) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("crosscheck");
    report.set_time(summary.duration);
    let mut suite = TestSuite::new(suite_name);
    suite.set_time(summary.duration);
    for result in &summary.results {
        let status = match result.status {
            Status::Built | Status::Checked => TestCaseStatus::success(),
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
        };
        let mut case = TestCase::new(result.id.clone(), status);
        case.set_classname("crosscheck.check");
        case.set_time(result.duration);
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.to_string()
}

/// Writes the report to `path` atomically.
pub fn write(path: &Path, xml: &str) -> std::io::Result<()> {
    crate::fsutil::write_atomically(path, xml.as_bytes())
}
