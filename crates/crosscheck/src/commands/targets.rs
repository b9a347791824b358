//! `crosscheck targets`: the ports of the installed Go.

use crosscheck_planner::{Catalog, GoToolchain};

use crate::cli::TargetsArgs;
use crate::errors::CliError;
use crate::load::cache_dir;
use crate::printer::Printer;
use crate::table::Table;

pub fn run(args: &TargetsArgs, printer: &Printer) -> Result<(), CliError> {
    let catalog = if args.offline {
        Catalog::embedded_snapshot()
    } else {
        let cwd = std::env::current_dir().map_err(|source| CliError::Io {
            action: "cannot read",
            path: "the current directory".to_owned(),
            source,
        })?;
        GoToolchain::probe(&args.go, &cwd)?.catalog(cache_dir().as_deref())?
    };
    let ports: Vec<_> = catalog
        .ports
        .iter()
        .filter(|port| args.broken || !port.broken)
        .filter(|port| !args.first_class || port.first_class)
        .filter(|port| !args.cgo || port.cgo_supported)
        .collect();
    if args.json {
        let json = serde_json::json!({
            "go_version": catalog.go_version,
            "catalog": catalog.source,
            "ports": ports,
        });
        printer.stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ));
        return Ok(());
    }
    let mut table = Table::new(&["PORT", "CGO", "FIRST CLASS", "NOTE"]);
    for port in &ports {
        table.row(vec![
            format!("{}/{}", port.goos, port.goarch),
            if port.cgo_supported { "yes" } else { "no" }.to_owned(),
            if port.first_class { "yes" } else { "" }.to_owned(),
            if port.broken { "broken" } else { "" }.to_owned(),
        ]);
    }
    let source = if args.offline {
        " (built-in snapshot)"
    } else {
        ""
    };
    printer.stdout(&format!(
        "{}{} ports of {}{source}\n",
        table.render(),
        ports.len(),
        catalog.go_version
    ));
    Ok(())
}
