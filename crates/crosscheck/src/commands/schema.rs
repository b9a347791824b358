//! `crosscheck schema manifest`: the JSON schema of dist/manifest.json.

use crate::cli::{SchemaArgs, SchemaFile};
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> Result<(), CliError> {
    let schema = match args.file {
        SchemaFile::Manifest => crosscheck_executor::manifest_schema(),
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| CliError::Usage(e.to_string()))?;
    printer.stdout(&format!("{text}\n"));
    Ok(())
}
