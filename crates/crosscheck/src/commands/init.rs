//! `crosscheck init`: write a fully commented matrix.toml.

use crate::cli::InitArgs;
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &InitArgs, printer: &Printer) -> Result<(), CliError> {
    if args.path.exists() && !args.force {
        return Err(CliError::Usage(format!(
            "{} already exists (hint: pass --force to overwrite it)",
            args.path.display()
        )));
    }
    crosscheck_schema::dist::write_atomically(
        &args.path,
        crosscheck_planner::INIT_TEMPLATE.as_bytes(),
    )
    .map_err(|source| CliError::Io {
        action: "cannot write",
        path: args.path.display().to_string(),
        source,
    })?;
    printer.status(&format!(
        "wrote {}; `crosscheck plan` shows what it expands to",
        args.path.display()
    ));
    Ok(())
}
