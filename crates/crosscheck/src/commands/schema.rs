//! `crosscheck schema manifest|test-report|verify-report`: the JSON schema of
//! dist/manifest.json, of `crosscheck test --format json`, or of `crosscheck verify --format
//! json`.

use crate::cli::{SchemaArgs, SchemaFile};
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> Result<(), CliError> {
    let schema = match args.file {
        SchemaFile::Manifest => crosscheck_schema::manifest_schema(),
        SchemaFile::TestReport => crosscheck_schema::testrun::test_report_schema(),
        SchemaFile::VerifyReport => crosscheck_schema::verify_report::verify_report_schema(),
    };
    printer.stdout(&crate::json::pretty(&schema)?);
    Ok(())
}
