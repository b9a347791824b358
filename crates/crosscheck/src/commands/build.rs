//! `crosscheck build`: run the plan's builds in parallel into the dist directory.

use std::path::Path;
use std::sync::{Arc, mpsc};

use crosscheck_executor::{FailurePolicy, HostRunners, HostTools, Mode, RunOptions, RunSummary};

use crosscheck_planner::{Plan, PlannedTarget};
use crosscheck_schema::{ChecksumSignature, Manifest, PackageEvent, PackageOutcome};
use crosscheck_schema::{LockPolicy, SmokeStatus, Status, Verdict};

use crate::cli::{BuildArgs, PolicyMode, RunArgs};
use crate::errors::CliError;
use crate::load::{PlanFor, cache_dir, load_plan_with};
use crate::printer::Printer;
use crate::reporter::rows::Rows;
use crate::reporter::{Reporter, Verb, github, junit};
use crate::verify::ArtifactInspector;

pub fn run(args: &BuildArgs, printer: &Printer) -> Result<(), CliError> {
    let purpose = PlanFor {
        smoke: args.smoke,
        per_target: false,
    };
    let loaded = load_plan_with(&args.selection, purpose, printer)?;
    let plan = &loaded.plan;
    crate::signing::ready(plan)?;
    let mut options = run_options(&args.run, Mode::Build, plan);
    options.lock = if args.no_wait {
        LockPolicy::NoWait
    } else {
        LockPolicy::Wait
    };
    options.inspect = Some(Arc::new(ArtifactInspector));
    options.verify_reproducible = args.verify_reproducible;
    options.runners = smoke_runners(plan, loaded.goroot.as_deref());
    let (release, package_events) = ReleaseStage::new();
    options.package = Some(Arc::new(release));
    options.check_linux_package = Some(Arc::new(crate::verify::LinuxPackageChecker));
    let mut reporter = Reporter::new(printer, plan, Verb::Build, args.run.progress);
    let summary = crosscheck_executor::run(plan, &options, &mut |event| reporter.event(event))?;
    // Packaging is the run's last step, so its events still come after every build's.
    for event in package_events.try_iter() {
        reporter.package_event(event);
    }
    reporter.finish(&summary);
    report_for_ci(args, plan, &summary, printer)?;
    outcome(&summary)?;
    let policy = policy_outcome(&summary, args.policy, printer);
    let smoke = smoke_outcome(&summary, args.policy, printer);
    // A build that cannot be repeated is a failed build (exit 1), which outranks policy (3).
    let count = summary.not_reproducible().count();
    if count > 0 {
        let total = summary
            .results
            .iter()
            .filter(|r| r.reproducible.is_some())
            .count();
        return Err(CliError::NotReproducible { count, total });
    }
    policy.and(smoke)
}

/// What runs the smoke runs, looked for once and only when a target has one.
fn smoke_runners(plan: &Plan, goroot: Option<&Path>) -> Option<HostRunners> {
    let smoking: Vec<PlannedTarget> = plan
        .targets
        .iter()
        .filter(|target| target.smoke.is_some())
        .cloned()
        .collect();
    (!smoking.is_empty()).then(|| host_runners(plan, &smoking, goroot))
}

/// What this host runs `targets` with. The CLI knows what the executor cannot: the GOROOT
/// whose `wasm_exec_node.js` runs js/wasm, and crosscheck's cache directory (a wazero, the
/// wine prefix). Binaries run in the module directory, which WASI programs see as PWD.
pub(crate) fn host_runners(
    plan: &Plan,
    targets: &[PlannedTarget],
    goroot: Option<&Path>,
) -> HostRunners {
    let mut runners = HostRunners::detect(targets)
        .with_goroot(goroot)
        .with_cache_dir(cache_dir().as_deref());
    runners.workdir = plan.project.module_dir.clone();
    runners
}

/// Plugs the release stage into the executor's packaging hook, which runs after the builds
/// under the dist lock. The release stage's events are not the executor's: they travel on
/// their own channel to the reporter.
struct ReleaseStage {
    events: mpsc::Sender<PackageEvent>,
}

impl ReleaseStage {
    fn new() -> (ReleaseStage, mpsc::Receiver<PackageEvent>) {
        let (events, receiver) = mpsc::channel();
        (ReleaseStage { events }, receiver)
    }
}

impl crosscheck_executor::Package for ReleaseStage {
    fn package(&self, plan: &Plan, dist: &Path, manifest: &mut Manifest) -> PackageOutcome {
        crosscheck_release::Packager.package(plan, dist, manifest, &mut |event| {
            // The receiver lives until the run returns; nothing is lost.
            let _ = self.events.send(event);
        })
    }

    fn sign_checksums(&self, plan: &Plan, dist: &Path) -> Result<Vec<ChecksumSignature>, String> {
        let Some(signing) = &plan.sign else {
            return Ok(Vec::new());
        };
        let comment = crosscheck_release::trusted_comment(
            &plan.project.name,
            &plan.project.vcs.version,
            &plan.crosscheck_version,
        );
        crosscheck_release::sign_checksums(signing, &comment, dist).map_err(|e| e.to_string())
    }
}

/// `--junit`, and on GitHub Actions the annotations and job summary (reporter::github).
fn report_for_ci(
    args: &BuildArgs,
    plan: &Plan,
    summary: &RunSummary,
    printer: &Printer,
) -> Result<(), CliError> {
    let level = match args.policy {
        PolicyMode::Error => github::Level::Error,
        PolicyMode::Warn => github::Level::Warning,
    };
    github::report(
        printer,
        &Rows::from_run(summary, Verb::Build),
        level,
        Path::new(&plan.project.module_dir),
    );
    if let Some(path) = &args.junit {
        junit::write_report(path, summary, plan, Verb::Build, printer)?;
    }
    Ok(())
}

/// Reports every artifact that breaks its target or policy; exit 3 unless `--policy warn`.
fn policy_outcome(
    summary: &RunSummary,
    mode: PolicyMode,
    printer: &Printer,
) -> Result<(), CliError> {
    let mut violating = 0;
    let mut inspected = 0;
    for result in &summary.results {
        let Some(inspection) = &result.inspection else {
            continue;
        };
        inspected += 1;
        if inspection.verdict == Verdict::Pass {
            continue;
        }
        violating += 1;
        let mut text = format!("{} does not pass inspection:", result.id);
        for problem in &inspection.problems {
            text.push_str(&format!("\n  {problem}"));
        }
        report_finding(printer, mode, &text);
    }
    if violating > 0 && mode == PolicyMode::Error {
        return Err(CliError::PolicyViolations {
            violating,
            total: inspected,
        });
    }
    Ok(())
}

/// Reports every smoke run that failed (exit 3 unless `--policy warn`, like a policy
/// violation) and every target that could not run here, which is never a pass.
fn smoke_outcome(
    summary: &RunSummary,
    mode: PolicyMode,
    printer: &Printer,
) -> Result<(), CliError> {
    let mut failed = 0;
    let mut total = 0;
    for result in &summary.results {
        let Some(smoke) = &result.smoke else {
            continue;
        };
        total += 1;
        let mut text = format!("{}: smoke {}", result.id, smoke.summary());
        match smoke.status {
            SmokeStatus::Passed => continue,
            SmokeStatus::NotRun => {
                if let Some(install) = &smoke.install {
                    text.push_str(&format!(" (hint: {install})"));
                }
                printer.status(&format!("note: {text}"));
                continue;
            }
            SmokeStatus::Failed => failed += 1,
        }
        for line in &smoke.output {
            text.push_str(&format!("\n  | {line}"));
        }
        report_finding(printer, mode, &text);
    }
    if failed > 0 && mode == PolicyMode::Error {
        return Err(CliError::SmokeFailed { failed, total });
    }
    Ok(())
}

/// Prints a finding that fails the build under `--policy error` (an error) and only warns
/// under `--policy warn`: policy violations and failed smoke runs alike.
fn report_finding(printer: &Printer, mode: PolicyMode, text: &str) {
    match mode {
        PolicyMode::Error => printer.error(text),
        PolicyMode::Warn => printer.warning(text),
    }
}

/// The executor's options from the shared `build`/`check` flags.
pub(crate) fn run_options(args: &RunArgs, mode: Mode, plan: &Plan) -> RunOptions {
    let jobs = args
        .jobs
        .map_or_else(crosscheck_executor::default_jobs, |jobs| jobs as usize);
    let mut options = RunOptions::new(mode, jobs, HostTools::detect(&plan.targets));
    options.failure_policy = if args.fail_fast {
        FailurePolicy::FailFast
    } else {
        FailurePolicy::KeepGoing
    };
    options.timeout = args.timeout;
    options.state_dir = cache_dir();
    options.handle_signals = true;
    options
}

/// Exit 130 when interrupted, 1 when any target did not succeed.
pub(crate) fn outcome(summary: &RunSummary) -> Result<(), CliError> {
    if summary.interrupted {
        return Err(CliError::Interrupted);
    }
    let failed =
        summary.results.len() - summary.count(Status::Built) - summary.count(Status::Checked);
    if failed > 0 {
        return Err(CliError::TargetsFailed {
            failed,
            total: summary.results.len(),
        });
    }
    if !summary.package_failures.is_empty() {
        return Err(CliError::PackagingFailed {
            failed: summary.package_failures.len(),
        });
    }
    if let Some(message) = &summary.checksum_signing_failure {
        return Err(CliError::ChecksumSigning(message.clone()));
    }
    if let Some(failure) = &summary.after_hook_failure {
        return Err(CliError::Executor(
            crosscheck_executor::ExecutorError::Hook(failure.clone()),
        ));
    }
    Ok(())
}
