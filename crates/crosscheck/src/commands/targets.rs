//! `crosscheck targets`: the ports of the installed Go.

use crosscheck_planner::{Catalog, GoToolchain, Port};

use crate::cli::{TargetsArgs, TargetsFormat};
use crate::errors::CliError;
use crate::load::cache_dir;
use crate::printer::Printer;
use crate::table::Table;

pub fn run(args: &TargetsArgs, printer: &Printer) -> Result<(), CliError> {
    let format = format(args, printer);
    let catalog = catalog(args)?;
    let ports: Vec<&Port> = catalog
        .ports
        .iter()
        .filter(|port| args.broken || !port.broken)
        .filter(|port| !args.first_class || port.first_class)
        .filter(|port| !args.cgo || port.cgo_supported)
        .collect();
    printer.stdout(&match format {
        TargetsFormat::Json => render_json(&catalog, &ports)?,
        TargetsFormat::Table => render_table(&catalog, &ports, args.offline),
    });
    Ok(())
}

/// `--format`, or the deprecated `--json` (with a warning).
fn format(args: &TargetsArgs, printer: &Printer) -> TargetsFormat {
    if args.json {
        printer.warning("--json is deprecated, use --format json");
        return TargetsFormat::Json;
    }
    args.format
}

/// The built-in snapshot with `--offline`, else what `--go` reports (cached per version).
fn catalog(args: &TargetsArgs) -> Result<Catalog, CliError> {
    if args.offline {
        return Ok(Catalog::embedded_snapshot());
    }
    let cwd = std::env::current_dir().map_err(|source| CliError::Io {
        action: "cannot read",
        path: "the current directory".to_owned(),
        source,
    })?;
    Ok(GoToolchain::probe(&args.go, &cwd)?.catalog(cache_dir().as_deref())?)
}

fn render_json(catalog: &Catalog, ports: &[&Port]) -> Result<String, CliError> {
    crate::json::pretty(&serde_json::json!({
        "go_version": catalog.go_version,
        "catalog": catalog.source,
        "ports": ports,
    }))
}

fn render_table(catalog: &Catalog, ports: &[&Port], offline: bool) -> String {
    let mut table = Table::new(&["PORT", "CGO", "FIRST CLASS", "NOTE"]);
    for port in ports {
        table.row(vec![
            format!("{}/{}", port.goos, port.goarch),
            if port.cgo_supported { "yes" } else { "no" }.to_owned(),
            if port.first_class { "yes" } else { "" }.to_owned(),
            if port.broken { "broken" } else { "" }.to_owned(),
        ]);
    }
    let source = if offline { " (built-in snapshot)" } else { "" };
    format!(
        "{}{} ports of {}{source}\n",
        table.render(),
        ports.len(),
        catalog.go_version
    )
}
