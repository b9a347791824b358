//! `crosscheck test`: compile every selected target's test binaries and run them on the
//! target's runner; report a grid, JSON, JUnit and GitHub annotations.

use std::path::Path;

use crosscheck_executor::{Mode, RunSummary};
use crosscheck_planner::TestRequest;
use crosscheck_schema::{TargetTestStatus, TargetTests, TestReport};

use crate::cli::{TestArgs, TestFormat};
use crate::commands::build::{host_runners, run_options};
use crate::errors::CliError;
use crate::load::{PlanFor, load_plan_with};
use crate::printer::Printer;
use crate::reporter::tests as test_reporter;
use crate::reporter::{Reporter, Verb};

pub fn run(args: &TestArgs, printer: &Printer) -> Result<(), CliError> {
    let mut request = TestRequest::from_go_test_args(&args.go_test_args)
        .map_err(|error| CliError::Usage(error.to_string()))?;
    request.no_cache = args.no_cache;
    // Tests are the module's packages', run once per target whatever its binaries.
    let purpose = PlanFor {
        smoke: false,
        per_target: true,
    };
    let loaded = load_plan_with(&args.selection, purpose, printer)?;
    let plan = &loaded.plan;
    let mut options = run_options(&args.run, Mode::Test(request), plan);
    options.runners = Some(host_runners(plan, &plan.targets, loaded.goroot.as_deref()));
    let mut reporter = Reporter::new(printer, plan, Verb::Test, args.run.progress);
    let summary = crosscheck_executor::run(plan, &options, &mut |event| reporter.event(event))?;
    reporter.finish_tests();
    let report = test_report(&summary);
    match args.format {
        TestFormat::Json => printer.stdout(&crate::json::pretty(&report)?),
        TestFormat::Table => printer.status(&test_reporter::render(&report, printer)),
    }
    test_reporter::annotate(printer, &report, Path::new(&plan.project.module_dir));
    if let Some(path) = &args.junit {
        test_reporter::write_junit(path, &report, printer)?;
    }
    outcome(summary.interrupted, &report, args.require_run)
}

/// The run's test records, in plan order; a target that never started (Ctrl-C,
/// `--fail-fast`) is recorded as cancelled.
fn test_report(summary: &RunSummary) -> TestReport {
    let targets = summary
        .results
        .iter()
        .map(|result| {
            result.tests.clone().unwrap_or_else(|| {
                let reason = result
                    .failure
                    .as_ref()
                    .map_or_else(|| result.status.as_str().to_owned(), |f| f.message.clone());
                let status = match result.status {
                    crosscheck_schema::Status::Failed => TargetTestStatus::BuildFailed,
                    _ => TargetTestStatus::Cancelled,
                };
                TargetTests::bare(result.id.clone(), status, Some(reason))
            })
        })
        .collect();
    TestReport { targets }
}

/// Exit 130 when interrupted, 1 when a target's tests failed or did not compile, or (with
/// `--require-run`) when a target could not run here.
fn outcome(interrupted: bool, report: &TestReport, require_run: bool) -> Result<(), CliError> {
    if interrupted {
        return Err(CliError::Interrupted);
    }
    let total = report.targets.len();
    let count = |wanted: &[TargetTestStatus]| {
        report
            .targets
            .iter()
            .filter(|t| wanted.contains(&t.status))
            .count()
    };
    let failed = count(&[
        TargetTestStatus::Failed,
        TargetTestStatus::BuildFailed,
        TargetTestStatus::Cancelled,
    ]);
    if failed > 0 {
        return Err(CliError::TestsFailed { failed, total });
    }
    let not_run = count(&[TargetTestStatus::NotRun]);
    if require_run && not_run > 0 {
        return Err(CliError::NotRun { not_run, total });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[TargetTestStatus]) -> TestReport {
        TestReport {
            targets: statuses
                .iter()
                .enumerate()
                .map(|(n, status)| TargetTests::bare(format!("t{n}"), *status, None))
                .collect(),
        }
    }

    #[test]
    fn not_run_targets_fail_only_with_require_run() {
        use TargetTestStatus::*;
        assert!(outcome(false, &report(&[Passed, NotRun]), false).is_ok());
        assert!(matches!(
            outcome(false, &report(&[Passed, NotRun]), true),
            Err(CliError::NotRun {
                not_run: 1,
                total: 2
            })
        ));
        assert!(matches!(
            outcome(false, &report(&[Failed, BuildFailed, NotRun]), true),
            Err(CliError::TestsFailed {
                failed: 2,
                total: 3
            })
        ));
        assert!(matches!(
            outcome(true, &report(&[Passed]), false),
            Err(CliError::Interrupted)
        ));
    }
}
