//! `crosscheck check`: compile every selected target without linking; optionally vet and
//! write JUnit; on GitHub Actions, annotate failures and write the job summary.

use std::path::Path;

use crosscheck_executor::Mode;
use crosscheck_planner::{CheckMethod, CheckRequest, Plan};

use crate::cli::CheckArgs;
use crate::commands::build::{outcome, run_options};
use crate::errors::CliError;
use crate::load::{PlanFor, load_plan_with};
use crate::printer::Printer;
use crate::reporter::rows::Rows;
use crate::reporter::{Reporter, Verb, github, junit};

pub fn run(args: &CheckArgs, printer: &Printer) -> Result<(), CliError> {
    // `--all-packages` compiles `./...`: the same for every binary of a target.
    let purpose = PlanFor {
        smoke: false,
        per_target: args.all_packages,
    };
    let loaded = load_plan_with(&args.selection, purpose, printer)?;
    let plan = &loaded.plan;
    let request = CheckRequest {
        all_packages: args.all_packages,
        vet: args.vet,
        compile: args.compile,
        tests: args.tests,
    };
    say_which_are_compiled(plan, &request, printer);
    let options = run_options(&args.run, Mode::Check(request), plan);
    let mut reporter = Reporter::new(printer, plan, Verb::Check, args.run.progress);
    let summary = crosscheck_executor::run(plan, &options, &mut |event| reporter.event(event))?;
    reporter.finish(&summary);
    github::report(
        printer,
        &Rows::from_run(&summary, Verb::Check),
        github::Level::Error,
        Path::new(&plan.project.module_dir),
    );
    if let Some(path) = &args.junit {
        junit::write_report(path, &summary, plan, Verb::Check, printer)?;
    }
    outcome(&summary)
}

/// Type-checking is the default; the targets it cannot serve (cgo) are named up front, so
/// nobody wonders why they take longer.
fn say_which_are_compiled(plan: &Plan, request: &CheckRequest, printer: &Printer) {
    let compiled: Vec<String> = plan
        .targets
        .iter()
        .filter(|t| CheckMethod::of(t, request) == CheckMethod::CompileForCgo)
        .map(|t| t.id.to_string())
        .collect();
    if !compiled.is_empty() && !request.compile {
        printer.status(&format!(
            "compiling (not type-checking) the cgo targets {}: cgo files need cgo's preprocessing and the target's C compiler",
            compiled.join(", ")
        ));
    }
}
