//! `crosscheck check`: compile every selected target without linking; optionally vet and
//! write JUnit.

use crosscheck_executor::Mode;
use crosscheck_planner::CheckRequest;

use crate::cli::CheckArgs;
use crate::commands::build::{outcome, run_options};
use crate::errors::CliError;
use crate::load::load_plan;
use crate::printer::Printer;
use crate::reporter::{Reporter, Verb, junit};

pub fn run(args: &CheckArgs, printer: &Printer) -> Result<(), CliError> {
    let loaded = load_plan(&args.selection, printer)?;
    let plan = &loaded.plan;
    let request = CheckRequest {
        all_packages: args.all_packages,
        vet: args.vet,
    };
    let options = run_options(&args.run, Mode::Check(request), plan);
    let mut reporter = Reporter::new(printer, plan, Verb::Check, args.run.progress);
    let summary = crosscheck_executor::run(plan, &options, &mut |event| reporter.event(event))?;
    reporter.finish(&summary);
    if let Some(path) = &args.junit {
        let xml = junit::render(&summary, &format!("crosscheck check {}", plan.project.name))
            .map_err(|e| CliError::Usage(format!("cannot render the JUnit report: {e}")))?;
        junit::write(path, &xml).map_err(|source| CliError::Io {
            action: "cannot write the JUnit report",
            path: path.display().to_string(),
            source,
        })?;
        printer.detail(&format!("wrote {}", path.display()));
    }
    outcome(&summary)
}
