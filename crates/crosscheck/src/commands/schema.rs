//! `crosscheck schema manifest`: the JSON schema of dist/manifest.json.

use crate::cli::{SchemaArgs, SchemaFile};
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> Result<(), CliError> {
    let schema = match args.file {
        SchemaFile::Manifest => crosscheck_schema::manifest_schema(),
    };
    printer.stdout(&crate::json::pretty(&schema)?);
    Ok(())
}
