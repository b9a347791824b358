//! `crosscheck schema manifest|test-report`: the JSON schema of dist/manifest.json, or of
//! `crosscheck test --format json`.

use crate::cli::{SchemaArgs, SchemaFile};
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> Result<(), CliError> {
    let schema = match args.file {
        SchemaFile::Manifest => crosscheck_schema::manifest_schema(),
        SchemaFile::TestReport => crosscheck_schema::testrun::test_report_schema(),
    };
    printer.stdout(&crate::json::pretty(&schema)?);
    Ok(())
}
