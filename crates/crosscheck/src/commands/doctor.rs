//! `crosscheck doctor`: what this machine has, and whether it can build every planned
//! target; if not, exactly what to install.
//!
//! Exit code 0 when every selected target can be built here, 1 otherwise, so a CI job can
//! run it first and fail with the install instructions instead of after minutes of builds.

use std::path::Path;

use crosscheck_executor::{HostTools, resolve_c_compiler};

use crosscheck_planner::{GoToolchain, Plan, PlannedTarget, Requirement};
use crosscheck_schema::CcKind;

use crate::cli::DoctorArgs;
use crate::errors::CliError;
use crate::load::load_plan;
use crate::printer::Printer;
use crate::table::Table;

pub fn run(args: &DoctorArgs, printer: &Printer) -> Result<(), CliError> {
    let loaded = load_plan(&args.selection, printer)?;
    let plan = &loaded.plan;
    let compilers = cross_compilers(plan);
    let host = HostTools::detect_these(compilers.clone(), true);
    let mut out = go_line(plan);
    out.push_str(&tool_lines(&host, &compilers));
    out.push_str(&sdk_line());
    let (table, missing) = buildable_table(plan, &host);
    out.push('\n');
    out.push_str(&table);
    out.push_str(&format!(
        "\n{} of {} targets can be built on this machine.\n",
        plan.targets.len() - missing,
        plan.targets.len()
    ));
    printer.stdout(&out);
    if missing > 0 {
        return Err(CliError::NotBuildable {
            missing,
            total: plan.targets.len(),
        });
    }
    Ok(())
}

/// The Go that builds: its version and GOROOT, or why it cannot be used.
fn go_line(plan: &Plan) -> String {
    match GoToolchain::probe(&plan.go.command, Path::new(&plan.project.module_dir)) {
        Ok(go) => format!(
            "go        {} at {} (command `{}`)\n",
            go.version, go.goroot, go.command
        ),
        Err(error) => format!("go        not usable: {error}\n"),
    }
}

/// The cross gcc commands the selected cgo targets could use, in plan order.
fn cross_compilers(plan: &Plan) -> Vec<String> {
    let mut compilers: Vec<String> = Vec::new();
    for target in &plan.targets {
        for requirement in &target.requirements {
            if let Requirement::CCompiler {
                debian: Some((command, _)),
                ..
            } = requirement
                && !compilers.contains(command)
            {
                compilers.push(command.clone());
            }
        }
    }
    compilers
}

/// Where zig and each cross gcc were found, or that they were not.
fn tool_lines(host: &HostTools, compilers: &[String]) -> String {
    let mut out = match (&host.zig, &host.zig_missing) {
        (Some(zig), _) => format!(
            "zig       {} from {} ({})\n",
            zig.version,
            zig.source,
            zig.command.join(" ")
        ),
        (None, why) => format!(
            "zig       not found: {} (pip install ziglang)\n",
            why.as_deref().unwrap_or("not looked for")
        ),
    };
    if compilers.is_empty() {
        out.push_str("cross gcc none needed by the selected targets\n");
    }
    for command in compilers {
        match host.compilers.get(command) {
            Some(Some(path)) => {
                out.push_str(&format!("cross gcc {command} at {}\n", path.display()))
            }
            _ => out.push_str(&format!("cross gcc {command} not found\n")),
        }
    }
    out
}

/// SDKROOT, which darwin cgo targets need.
fn sdk_line() -> String {
    let sdkroot = std::env::var(crosscheck_planner::env_vars::SDKROOT)
        .ok()
        .filter(|s| !s.is_empty());
    format!(
        "Apple SDK {}\n",
        match &sdkroot {
            Some(path) if Path::new(path).is_dir() => format!("SDKROOT={path}"),
            Some(path) => format!("SDKROOT={path} does not exist"),
            None => "SDKROOT unset (needed only for darwin cgo targets)".to_owned(),
        }
    )
}

/// One row per target: whether it can be built here, with what, or what to install; and
/// how many cannot.
fn buildable_table(plan: &Plan, host: &HostTools) -> (String, usize) {
    let mut table = Table::new(&["TARGET", "BUILDABLE", "WITH", "TO INSTALL"]);
    let mut missing = 0;
    for target in &plan.targets {
        let (with, install) = assess(target, host);
        if install.is_some() {
            missing += 1;
        }
        table.row(vec![
            target.id.to_string(),
            if install.is_none() { "yes" } else { "no" }.to_owned(),
            with,
            install.unwrap_or_default(),
        ]);
    }
    (table.render(), missing)
}

/// What builds `target` here, and what to install when nothing can.
fn assess(target: &PlannedTarget, host: &HostTools) -> (String, Option<String>) {
    for requirement in &target.requirements {
        if let Requirement::MacosSdk { path } = requirement
            && !Path::new(path).is_dir()
        {
            return (
                "-".to_owned(),
                Some(format!(
                    "the Apple SDK {path} does not exist: unpack a MacOSX.sdk there, or build on macOS"
                )),
            );
        }
    }
    match resolve_c_compiler(target, host) {
        Ok(None) => ("go".to_owned(), None),
        Ok(Some(cc)) => {
            let shown = match cc.kind {
                CcKind::Zig => {
                    let triple = target.requirements.iter().find_map(|r| match r {
                        Requirement::CCompiler { zig_target, .. } => zig_target.clone(),
                        _ => None,
                    });
                    format!("zig cc -target {}", triple.unwrap_or_default())
                }
                CcKind::Configured | CcKind::CrossGcc => cc.cc.clone(),
            };
            if cc.kind == CcKind::Configured {
                let program = cc
                    .cc
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_matches(['\'', '"']);
                if which::which(program).is_err() {
                    return (
                        shown,
                        Some(format!("the configured cc `{program}` is not on PATH")),
                    );
                }
            }
            (shown, None)
        }
        Err(missing) => ("-".to_owned(), Some(missing.install)),
    }
}
