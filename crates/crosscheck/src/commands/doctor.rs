//! `crosscheck doctor`: what this machine has, and whether it can build every planned
//! target and run what it builds; if not, exactly what to install.
//!
//! Exit code 0 when every selected target can be built here, 1 otherwise, so a CI job can
//! run it first and fail with the install instructions instead of after minutes of builds.
//! Whether a target's binaries can *run* here (the "runs with" column) never changes the
//! exit code: most release matrices hold targets no Linux host can run.

use std::path::Path;

use crosscheck_executor::{HostRunners, HostTools, resolve_c_compiler, resolve_runner};

use crosscheck_planner::{GoToolchain, Plan, PlannedTarget, Requirement};
use crosscheck_schema::{CcKind, Runnability};
use serde::Serialize;

use crate::cli::{DoctorArgs, DoctorFormat};
use crate::commands::build::host_runners;
use crate::errors::CliError;
use crate::load::{PlanFor, load_plan_with};
use crate::printer::Printer;
use crate::table::Table;

/// What doctor found for one target: `--format json` prints these as they are.
#[derive(Serialize)]
struct TargetRow {
    id: String,
    /// Whether this machine can build it.
    buildable: bool,
    /// What builds it: `go`, `zig cc -target ...`, a cross gcc, or `-`.
    build_with: String,
    /// What to install or set so that it can be built.
    build_install: Option<String>,
    /// How its binaries run here, or why they cannot (the resolver's answer as it is).
    runs_with: Runnability,
}

/// `doctor --format json`.
#[derive(Serialize)]
struct DoctorJson<'a> {
    targets: &'a [TargetRow],
    /// The install commands that would let more targets run here, deduplicated.
    run_installs: Vec<String>,
    /// What `[sign]` needs that is missing here (tools, variables); `build` refuses to
    /// start until it is empty.
    signing_problems: Vec<String>,
}

pub fn run(args: &DoctorArgs, printer: &Printer) -> Result<(), CliError> {
    // What a machine can build and run is a question about targets, not binaries.
    let purpose = PlanFor {
        smoke: false,
        per_target: true,
    };
    let loaded = load_plan_with(&args.selection, purpose, printer)?;
    let plan = &loaded.plan;
    let compilers = cross_compilers(plan);
    let host = HostTools::detect_these(compilers.clone(), true);
    let go = GoToolchain::probe(&plan.go.command, Path::new(&plan.project.module_dir));
    let goroot = go.as_ref().ok().map(|go| Path::new(&go.goroot));
    let runners = host_runners(plan, &plan.targets, goroot);
    let rows: Vec<TargetRow> = plan
        .targets
        .iter()
        .map(|target| assess(target, &host, &runners))
        .collect();
    let missing = rows.iter().filter(|row| !row.buildable).count();
    match args.format {
        DoctorFormat::Json => printer.stdout(&crate::json::pretty(&DoctorJson {
            targets: &rows,
            run_installs: run_installs(&rows),
            signing_problems: crate::signing::problems(plan),
        })?),
        DoctorFormat::Table => {
            let mut out = go_line(&go);
            out.push_str(&tool_lines(&host, &compilers));
            out.push_str(&crate::signing::doctor_lines(plan));
            out.push_str(&sdk_line());
            out.push('\n');
            out.push_str(&render_rows(&rows));
            out.push_str(&format!(
                "\n{} of {} targets can be built on this machine.\n",
                rows.len() - missing,
                rows.len()
            ));
            out.push_str(&runs_summary(&rows));
            printer.stdout(&out);
        }
    }
    if missing > 0 {
        return Err(CliError::NotBuildable {
            missing,
            total: plan.targets.len(),
        });
    }
    Ok(())
}

/// The Go that builds: its version and GOROOT, or why it cannot be used.
fn go_line(go: &Result<GoToolchain, crosscheck_planner::CatalogError>) -> String {
    match go {
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

/// One row per target: whether it can be built here, with what, how it runs, and what to
/// install.
fn render_rows(rows: &[TargetRow]) -> String {
    let mut table = Table::new(&["TARGET", "BUILDABLE", "WITH", "RUNS WITH", "TO INSTALL"]);
    for row in rows {
        table.row(vec![
            row.id.clone(),
            if row.buildable { "yes" } else { "no" }.to_owned(),
            row.build_with.clone(),
            runs_with(&row.runs_with),
            row.build_install.clone().unwrap_or_default(),
        ]);
    }
    table.render()
}

/// The "runs with" cell: the runner (`native`, `qemu-aarch64`, `node v20.20.2`), or
/// `not run: <reason>`.
fn runs_with(runnability: &Runnability) -> String {
    match runnability {
        Runnability::Runs(runner) => runner.description.clone(),
        Runnability::NotRun { reason, .. } => format!("not run: {reason}"),
    }
}

/// How many targets can run here, and the install commands that would let more run.
fn runs_summary(rows: &[TargetRow]) -> String {
    let runnable = rows
        .iter()
        .filter(|row| matches!(row.runs_with, Runnability::Runs(_)))
        .count();
    let mut out = format!(
        "{runnable} of {} targets can run on this machine.\n",
        rows.len()
    );
    let installs = run_installs(rows);
    if !installs.is_empty() {
        out.push_str("To run more of them here, install:\n");
        for install in installs {
            out.push_str(&format!("  {install}\n"));
        }
    }
    out
}

/// Every distinct install hint of the targets that cannot run, in target order.
fn run_installs(rows: &[TargetRow]) -> Vec<String> {
    let mut installs: Vec<String> = Vec::new();
    for row in rows {
        if let Runnability::NotRun {
            install: Some(install),
            ..
        } = &row.runs_with
            && !installs.contains(install)
        {
            installs.push(install.clone());
        }
    }
    installs
}

/// What doctor says about one target: how it builds and how it runs here.
fn assess(target: &PlannedTarget, host: &HostTools, runners: &HostRunners) -> TargetRow {
    let (build_with, build_install) = build_with(target, host);
    TargetRow {
        id: target.id.to_string(),
        buildable: build_install.is_none(),
        build_with,
        build_install,
        runs_with: resolve_runner(target, runners),
    }
}

/// What builds `target` here, and what to install when nothing can.
fn build_with(target: &PlannedTarget, host: &HostTools) -> (String, Option<String>) {
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
