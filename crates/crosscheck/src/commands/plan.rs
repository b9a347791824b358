//! `crosscheck plan`: print the plan as a table, JSON, or a CI matrix of shard jobs.

use crosscheck_executor::env::redact;
use crosscheck_executor::shell_quote;
use crosscheck_planner::{Plan, PlannedArchive, Requirement, Shard, assign_plan_shards};

use crate::cli::{PlanArgs, PlanFormat, SelectionArgs};
use crate::errors::CliError;
use crate::load::load_plan;
use crate::printer::Printer;
use crate::reporter::plural;
use crate::table::Table;

/// Shard jobs `--format github|gitlab` emits when `--shards` is not given.
const DEFAULT_MAX_SHARDS: u32 = 16;

pub fn run(args: &PlanArgs, printer: &Printer) -> Result<(), CliError> {
    let ci_format = matches!(args.format, PlanFormat::Github | PlanFormat::Gitlab);
    if ci_format && args.selection.shard.is_some() {
        return Err(CliError::Usage(
            "--shard picks one part, but --format github|gitlab emits a job for every part (hint: use --shards N to choose how many)"
                .to_owned(),
        ));
    }
    if args.shards.is_some() && !ci_format {
        return Err(CliError::Usage(
            "--shards goes with --format github or gitlab (hint: to build one part, use --shard I/N)".to_owned(),
        ));
    }
    if args.shards == Some(0) {
        return Err(CliError::Usage("--shards must be at least 1".to_owned()));
    }
    let loaded = load_plan(&args.selection, printer)?;
    let plan = &loaded.plan;
    // A plan made where the secrets are not (a CI planning job) is fine; a build is not.
    for problem in crate::signing::problems(plan) {
        printer.warning(&format!(
            "[sign]: {problem}; `crosscheck build` will not start without it"
        ));
    }
    let text = match args.format {
        PlanFormat::Table => render_table(plan, printer),
        PlanFormat::Json => crate::json::pretty(&redacted(plan))?,
        PlanFormat::Github => render_github(plan, &args.selection, shard_count(plan, args.shards)),
        PlanFormat::Gitlab => render_gitlab(plan, &args.selection, shard_count(plan, args.shards)),
    };
    printer.stdout(&text);
    Ok(())
}

fn shard_count(plan: &Plan, requested: Option<u32>) -> u32 {
    // Builds that must share a shard (a universal binary's inputs, a shared archive's
    // members) are one unit: more shards than units would leave some with nothing to do.
    let targets = u32::try_from(plan.targets.len()).unwrap_or(u32::MAX);
    let parts = assign_plan_shards(&plan.targets, &plan.universal, targets.max(1));
    let units = parts
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let units = u32::try_from(units).unwrap_or(u32::MAX);
    requested.unwrap_or(DEFAULT_MAX_SHARDS).min(units).max(1)
}

/// The table for people: one row per target and universal binary, then what the plan
/// was made from, what it left out and, with `-v`, the exact commands.
fn render_table(plan: &Plan, printer: &Printer) -> String {
    let mut out = target_table(plan);
    out.push_str(&footer(plan));
    out.push_str(&hooks(plan));
    out.push_str(&left_out(plan));
    if printer.is_verbose() {
        out.push_str(&commands(plan));
    }
    out
}

/// TARGET, OUTPUT and what each needs to build.
fn target_table(plan: &Plan) -> String {
    let first = if plan.project.binaries.len() > 1 {
        "BUILD"
    } else {
        "TARGET"
    };
    let mut table = Table::new(&[first, "OUTPUT", "NEEDS"]);
    for target in &plan.targets {
        let needs: Vec<String> = target
            .requirements
            .iter()
            .map(Requirement::summary)
            .collect();
        // A target of the `go` axis needs its own toolchain, which may be downloaded.
        let go = target.go.as_ref().map_or("go", |go| go.toolchain.as_str());
        table.row(vec![
            target.id.to_string(),
            target.output.clone(),
            if needs.is_empty() {
                go.to_owned()
            } else {
                format!("{go}, {}", needs.join(", "))
            },
        ]);
    }
    // Assembled after the builds from two of the targets above, so they need those.
    for universal in &plan.universal {
        table.row(vec![
            universal.id.clone(),
            universal.output.clone(),
            universal.inputs.join(" + "),
        ]);
    }
    table.render()
}

/// How many targets of which matrix, the project and Go, the Go releases of the `go` axis
/// and what packaging will write.
fn footer(plan: &Plan) -> String {
    // With several binaries a line of the plan is a build: a binary for a target.
    let unit = if plan.project.binaries.len() > 1 {
        "builds"
    } else {
        "targets"
    };
    let selected = if plan.targets.len() == plan.matrix_size {
        format!("{} {unit}", plan.targets.len())
    } else {
        format!("{} of {} {unit}", plan.targets.len(), plan.matrix_size)
    };
    let binaries = match plan.project.binaries.as_slice() {
        [] => format!("binary {}", plan.project.name),
        [one] => format!("project {}, binary {}", plan.project.name, one.file_name),
        several => format!(
            "project {}, binaries {}",
            plan.project.name,
            several
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let shard = plan
        .selection
        .shard
        .map(|shard| format!(" (shard {shard})"))
        .unwrap_or_default();
    let catalog = match plan.go.catalog {
        crosscheck_planner::CatalogSource::EmbeddedSnapshot => "built-in snapshot, --offline",
        crosscheck_planner::CatalogSource::Cache => "cached",
        crosscheck_planner::CatalogSource::Toolchain => "asked the toolchain",
    };
    let mut out = format!(
        "\n{selected}{shard} from {} · {binaries}, version {} · {} (catalog: {catalog})\n",
        plan.matrix_file, plan.project.vcs.version, plan.go.version
    );
    if !plan.go.axis.is_empty() {
        let releases: Vec<String> = plan
            .go
            .axis
            .iter()
            .map(|go| format!("{} = {}", go.requested, go.toolchain))
            .collect();
        out.push_str(&format!(
            "go releases (GOTOOLCHAIN): {}\n",
            releases.join(", ")
        ));
    }
    if let Some(packaging) = packaging_summary(plan) {
        out.push_str(&format!("after the builds: {packaging}\n"));
    }
    if let Some(signing) = crate::signing::summary(plan) {
        out.push_str(&format!("signing: {signing}\n"));
    }
    out
}

/// The `[hooks]` commands, in the order they run; empty without hooks. `after_build` is
/// shown as the first target's, whose `{path}` stands for each.
fn hooks(plan: &Plan) -> String {
    let line = crosscheck_executor::display_command;
    let mut out = String::new();
    for argv in &plan.hooks.before {
        out.push_str(&format!("hook before: {}\n", line(argv)));
    }
    let with_hooks = plan.targets.iter().filter(|t| !t.after_build.is_empty());
    if let Some(first) = with_hooks.clone().next() {
        let count = with_hooks.count();
        for argv in &first.after_build {
            out.push_str(&format!(
                "hook after_build ({count} targets, e.g. {}): {}\n",
                first.id,
                line(argv)
            ));
        }
    }
    for argv in &plan.hooks.after {
        out.push_str(&format!("hook after: {}\n", line(argv)));
    }
    out
}

/// The combinations collapsed into another target or skipped, and why.
fn left_out(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.collapsed.is_empty() {
        out.push_str(&format!(
            "{} collapsed as the same build:\n",
            plan.collapsed.len()
        ));
        for collapsed in &plan.collapsed {
            out.push_str(&format!(
                "  {} = {} ({})\n",
                collapsed.requested, collapsed.into, collapsed.reason
            ));
        }
    }
    if !plan.skipped.is_empty() {
        out.push_str(&format!("{} combinations skipped:\n", plan.skipped.len()));
        for skipped in &plan.skipped {
            out.push_str(&format!("  {} ({})\n", skipped.requested, skipped.reason));
        }
    }
    out
}

/// Each target's directory and command line, as a shell would run them.
/// The plan as it is printed: secret-looking environment values redacted, as the manifest
/// records them (`API_TOKEN` in `[build] env` must not end up in a CI log).
fn redacted(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    for target in &mut plan.targets {
        target.env = redact(&target.env);
    }
    plan
}

fn commands(plan: &Plan) -> String {
    let mut out = String::new();
    for target in &plan.targets {
        let env: Vec<String> = redact(&target.env)
            .iter()
            .map(|(k, v)| format!("{k}={}", shell_quote(v)))
            .collect();
        let argv: Vec<String> = target.argv.iter().map(|a| shell_quote(a)).collect();
        out.push_str(&format!(
            "\n{}:\n  cd {}\n  {} {}\n",
            target.id,
            shell_quote(&target.cwd),
            env.join(" "),
            argv.join(" ")
        ));
    }
    out
}

/// What the packaging phase will write, in one line: `None` when it writes nothing.
fn packaging_summary(plan: &Plan) -> Option<String> {
    let mut parts = Vec::new();
    if !plan.universal.is_empty() {
        parts.push(plural(
            plan.universal.len(),
            "universal binary",
            "universal binaries",
        ));
    }
    let mut archives: Vec<&PlannedArchive> = plan
        .targets
        .iter()
        .filter_map(|t| t.archive.as_ref())
        .chain(plan.universal.iter().filter_map(|u| u.archive.as_ref()))
        .collect();
    // Builds that share an archive name it each.
    archives.sort_by(|a, b| a.path.cmp(&b.path));
    archives.dedup_by(|a, b| a.path == b.path);
    if !archives.is_empty() {
        let mut formats: Vec<String> = archives.iter().map(|a| a.format.to_string()).collect();
        formats.sort();
        formats.dedup();
        parts.push(format!(
            "{} ({})",
            plural(archives.len(), "archive", "archives"),
            formats.join(", ")
        ));
    }
    let binaries = plan.targets.len() + plan.universal.len();
    if plan.sbom && binaries > 0 {
        parts.push(plural(binaries, "SBOM", "SBOMs"));
    }
    parts.extend(linux_packages_summary(plan));
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `6 Linux packages (deb, rpm, apk; none for the 2 non-linux targets)`: `[packages]`
/// makes packages of linux builds only, which the plan says rather than leave people to
/// wonder where the darwin .deb went.
fn linux_packages_summary(plan: &Plan) -> Option<String> {
    let packages: Vec<_> = plan.targets.iter().flat_map(|t| &t.packages).collect();
    if packages.is_empty() {
        return None;
    }
    let formats: Vec<&str> = crosscheck_schema::LinuxPackageFormat::ALL
        .into_iter()
        .filter(|format| packages.iter().any(|p| p.format == *format))
        .map(|format| format.as_str())
        .collect();
    let others = plan.targets.iter().filter(|t| t.goos != "linux").count();
    let others = match others {
        0 => String::new(),
        1 => "; none for the non-linux target".to_owned(),
        n => format!("; none for the {n} non-linux targets"),
    };
    Some(format!(
        "{} ({}{others})",
        plural(packages.len(), "Linux package", "Linux packages"),
        formats.join(", ")
    ))
}

/// The selection flags a shard job must repeat so that it plans the same selection.
fn selection_flags(selection: &SelectionArgs) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(matrix) = &selection.matrix {
        flags.push(format!(
            "--matrix {}",
            shell_quote(&matrix.display().to_string())
        ));
    }
    for glob in &selection.targets {
        flags.push(format!("--target {}", shell_quote(glob)));
    }
    for glob in &selection.exclude {
        flags.push(format!("--exclude {}", shell_quote(glob)));
    }
    for name in &selection.binaries {
        flags.push(format!("--binary {}", shell_quote(name)));
    }
    flags
}

/// Which targets each shard builds, in shard order.
fn shard_members(plan: &Plan, count: u32) -> Vec<Vec<String>> {
    let parts = assign_plan_shards(&plan.targets, &plan.universal, count);
    let mut members = vec![Vec::new(); count as usize];
    for (target, part) in plan.targets.iter().zip(parts) {
        members[part as usize].push(target.id.to_string());
    }
    members
}

fn render_github(plan: &Plan, selection: &SelectionArgs, count: u32) -> String {
    let flags = selection_flags(selection);
    let include: Vec<serde_json::Value> = shard_members(plan, count)
        .into_iter()
        .enumerate()
        .map(|(index, targets)| {
            let shard = Shard {
                index: index as u32 + 1,
                count,
            };
            let mut args = vec![format!("--shard {shard}")];
            args.extend(flags.iter().cloned());
            serde_json::json!({
                "shard": shard.to_string(),
                "name": format!("shard {shard}: {}", targets.join(" ")),
                "targets": targets.join(" "),
                "args": args.join(" "),
            })
        })
        .collect();
    format!("{}\n", serde_json::json!({ "include": include }))
}

fn render_gitlab(plan: &Plan, selection: &SelectionArgs, count: u32) -> String {
    let flags = selection_flags(selection);
    let mut out = String::from(
        "# Generated by `crosscheck plan --format gitlab`; each job runs:\n#   crosscheck build --shard \"$CROSSCHECK_SHARD\"",
    );
    for flag in &flags {
        out.push(' ');
        out.push_str(flag);
    }
    out.push('\n');
    for (index, targets) in shard_members(plan, count).iter().enumerate() {
        out.push_str(&format!(
            "# shard {}/{count}: {}\n",
            index + 1,
            targets.join(" ")
        ));
    }
    out.push_str("parallel:\n  matrix:\n    - CROSSCHECK_SHARD:\n");
    for index in 1..=count {
        out.push_str(&format!("        - \"{index}/{count}\"\n"));
    }
    out
}
