//! `crosscheck report DIST`: a build's `manifest.json` as a self-contained HTML page
//! (`--html FILE`), a Markdown table or JSON (`--format`), long after the build ran.

use std::path::{Path, PathBuf};

use crosscheck_schema::{MANIFEST_SCHEMA_VERSION, Manifest};

use crate::cli::{ReportArgs, ReportFormat};
use crate::errors::CliError;
use crate::printer::Printer;
use crate::reporter::rows::Rows;
use crate::reporter::{html, markdown};

pub fn run(args: &ReportArgs, printer: &Printer) -> Result<(), CliError> {
    let (dist, manifest_path) = locate(&args.dist);
    let manifest = read_manifest(&manifest_path)?;
    let rows = Rows::from_manifest(&manifest, &dist);
    if let Some(path) = &args.html {
        crosscheck_schema::dist::write_atomically(path, html::render(&rows).as_bytes()).map_err(
            |source| CliError::Io {
                action: "cannot write the HTML report",
                path: path.display().to_string(),
                source,
            },
        )?;
        printer.status(&format!(
            "wrote {} ({} targets: {})",
            path.display(),
            rows.targets.len(),
            rows.headline()
        ));
    }
    let format = match (args.format, &args.html) {
        (Some(format), _) => Some(format),
        (None, None) => Some(ReportFormat::Markdown),
        (None, Some(_)) => None,
    };
    match format {
        Some(ReportFormat::Markdown) => printer.stdout(&markdown::render(&rows)),
        Some(ReportFormat::Json) => printer.stdout(&crate::json::pretty(&rows)?),
        None => {}
    }
    Ok(())
}

/// The dist directory and its manifest: `DIST` may name either.
fn locate(given: &Path) -> (PathBuf, PathBuf) {
    if given.is_file() {
        let dist = given
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return (dist.to_owned(), given.to_owned());
    }
    (
        given.to_owned(),
        given.join(crosscheck_schema::dist::MANIFEST_FILE),
    )
}

fn read_manifest(path: &Path) -> Result<Manifest, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::Usage(format!(
            "cannot read {}: {error} (hint: run `crosscheck build` first, or pass the directory given to `build --dist`)",
            path.display()
        ))
    })?;
    // The version first, so a manifest from a newer crosscheck gets a clear message rather
    // than a complaint about some field.
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        CliError::Usage(format!(
            "{} is not valid JSON: {error} (hint: a manifest cut short by a killed run? build again)",
            path.display()
        ))
    })?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(version) if version == u64::from(MANIFEST_SCHEMA_VERSION) => {}
        Some(version) => {
            return Err(CliError::Usage(format!(
                "{} has schema_version {version}, this crosscheck reads {MANIFEST_SCHEMA_VERSION} (hint: use the crosscheck that wrote it)",
                path.display()
            )));
        }
        None => {
            return Err(CliError::Usage(format!(
                "{} is not a crosscheck manifest: no schema_version (hint: give the dist directory `crosscheck build` wrote)",
                path.display()
            )));
        }
    }
    serde_json::from_value(value).map_err(|error| {
        CliError::Usage(format!(
            "{} is not a valid crosscheck manifest: {error} (see docs/manifest.md)",
            path.display()
        ))
    })
}
