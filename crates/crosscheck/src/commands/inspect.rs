//! `crosscheck inspect`: what any binary is, and whether it breaks the given rules; Linux
//! packages among the files are read by `inspect_package`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crosscheck_inspector::{Expectation, Format, Policy, Report, StaticPolicy};
use crosscheck_planner::{Target, env_vars};
use crosscheck_release::SbomSubject;
use crosscheck_schema::{Verdict, Violation};
use serde::Serialize;

use super::inspect_package::{self, PackageJson, PackageResult, is_package_file, read_package};
use crate::cli::{InspectArgs, InspectFormat};
use crate::errors::CliError;
use crate::printer::Printer;
use crate::reporter::{human_size, plural};
use crate::table::Table;
use crate::verify::{Verified, linkage, verify};

/// Runs the command: exit 0 when all pass, 3 when any violates, 2 when any is unreadable.
pub fn run(args: &InspectArgs, printer: &Printer) -> Result<(), CliError> {
    let policy = policy(args, printer)?;
    let expect = args.expect.as_deref().map(expect).transpose()?;
    let (files, skipped_dirs) = collect_files(&args.paths)?;
    // An SBOM describes one binary: a stream of documents is no CycloneDX file.
    if args.format == InspectFormat::Cyclonedx && files.len() != 1 {
        return Err(CliError::Usage(format!(
            "--format cyclonedx describes one binary, but {} files were given (hint: run it once per file)",
            files.len()
        )));
    }
    let (package_files, files): (Vec<FileArg>, Vec<FileArg>) = files
        .into_iter()
        .partition(|file| is_package_file(&file.path));
    if let Some(package) = package_files
        .first()
        .filter(|_| args.format == InspectFormat::Cyclonedx)
    {
        return Err(CliError::Usage(format!(
            "--format cyclonedx describes one binary, but {} is a Linux package",
            package.path.display()
        )));
    }
    let packages: Vec<PackageResult> = package_files
        .iter()
        .map(|f| read_package(&f.path))
        .collect();
    let results = inspect_all(&files, expect.as_ref(), &policy, !args.no_hash);
    let (results, non_binaries) = without_non_binaries(results, &files);
    let tally = Tally::of(&results, &packages);
    match args.format {
        InspectFormat::Json => printer.stdout(&render_json(&results, &packages)?),
        InspectFormat::Cyclonedx => print_cyclonedx(&results, args, printer)?,
        InspectFormat::Table => {
            let binaries = !results.is_empty() || packages.is_empty();
            if binaries {
                printer.stdout(&render_table(&results));
            }
            if !packages.is_empty() {
                let gap = if binaries { "\n" } else { "" };
                printer.stdout(&format!(
                    "{gap}{}",
                    inspect_package::render_table(&packages)
                ));
            }
            printer.status(&tally.summary(non_binaries, skipped_dirs > 0));
        }
    }
    let errors = results.iter().filter_map(|r| r.outcome.as_ref().err());
    for error in errors.chain(packages.iter().filter_map(|p| p.outcome.as_ref().err())) {
        printer.error(error);
    }
    tally.outcome()
}

/// `--expect`'s target id as an expectation.
fn expect(id: &str) -> Result<Expectation, CliError> {
    let target: Target = id.parse().map_err(|e: crosscheck_planner::TargetIdError| {
        CliError::Usage(format!("--expect: {e}"))
    })?;
    check_known(&target)?;
    let variant = target
        .variant
        .as_ref()
        .map(|v| (v.var.env_name().to_owned(), v.value.clone()));
    Ok(Expectation::for_id(&target, variant, None))
}

/// Files found by walking a directory that are not binaries (logs, manifests) are noise;
/// files named on the command line are always reported. Returns the results to report and
/// how many were left out.
fn without_non_binaries(results: Vec<Verified>, files: &[FileArg]) -> (Vec<Verified>, usize) {
    let (kept, dropped): (Vec<_>, Vec<_>) = results.into_iter().zip(files).partition(
        |(verified, file)| {
            file.explicit
                || !matches!(&verified.outcome, Ok((report, _)) if report.format == Format::Unknown)
        },
    );
    (
        kept.into_iter().map(|(verified, _)| verified).collect(),
        dropped.len(),
    )
}

/// How the reported files fared.
struct Tally {
    total: usize,
    violating: usize,
    unreadable: usize,
}

impl Tally {
    /// Packages break no rule here (`inspect` has no plan to compare them with); they are
    /// read or unreadable.
    fn of(results: &[Verified], packages: &[PackageResult]) -> Tally {
        Tally {
            total: results.len() + packages.len(),
            violating: results
                .iter()
                .filter(|r| matches!(&r.outcome, Ok((_, violations)) if !violations.is_empty()))
                .count(),
            unreadable: results.iter().filter(|r| r.outcome.is_err()).count()
                + packages.iter().filter(|p| p.outcome.is_err()).count(),
        }
    }

    /// `3 files: 1 ok, 1 violating, 1 unreadable (2 non-binary files skipped)`.
    fn summary(&self, non_binaries: usize, skipped_dirs: bool) -> String {
        let Tally {
            total,
            violating,
            unreadable,
        } = *self;
        let mut summary = format!(
            "{}: {} ok, {violating} violating, {unreadable} unreadable",
            plural(total, "file", "files"),
            total - violating - unreadable,
        );
        if non_binaries > 0 || skipped_dirs {
            summary.push_str(&format!(
                " ({} skipped)",
                plural(non_binaries, "non-binary file", "non-binary files")
            ));
        }
        summary
    }

    /// Exit 2 when any file is unreadable, else 3 when any violates.
    fn outcome(&self) -> Result<(), CliError> {
        let total = self.total;
        if self.unreadable > 0 {
            Err(CliError::Unreadable {
                unreadable: self.unreadable,
                total,
            })
        } else if self.violating > 0 {
            Err(CliError::PolicyViolations {
                violating: self.violating,
                total,
            })
        } else {
            Ok(())
        }
    }
}

/// The SBOM on stdout, alone; what the binary breaks goes to stderr.
fn print_cyclonedx(
    results: &[Verified],
    args: &InspectArgs,
    printer: &Printer,
) -> Result<(), CliError> {
    if let Some(Verified {
        path,
        outcome: Ok((report, violations)),
    }) = results.first()
    {
        printer.stdout(&render_cyclonedx(report, args.expect.clone())?);
        for violation in violations {
            printer.status(&format!(
                "{path}: [{}] {}",
                violation.rule, violation.message
            ));
        }
    }
    Ok(())
}

/// Rejects an `--expect` naming a GOOS or GOARCH that no Go knows. The snapshot catalog is
/// enough here: inspecting needs no Go toolchain, and a typo should not read as a mismatch.
fn check_known(target: &Target) -> Result<(), CliError> {
    let catalog = crosscheck_planner::Catalog::embedded_snapshot();
    for (kind, value, known) in [
        ("GOOS", &target.goos, catalog.os_names()),
        ("GOARCH", &target.goarch, catalog.arch_names()),
    ] {
        if !known.contains(value.as_str()) {
            let hint = crosscheck_planner::closest(value, known.iter().copied())
                .map(|s| format!(" (hint: did you mean {s:?}?)"))
                .unwrap_or_default();
            return Err(CliError::Usage(format!(
                "--expect: unknown {kind} {value:?}{hint}"
            )));
        }
    }
    Ok(())
}

/// The rules: `--policy-file FILE` first, then the flags on top.
fn policy(args: &InspectArgs, printer: &Printer) -> Result<Policy, CliError> {
    let mut policy = match policy_file(args, printer) {
        Some(path) => read_policy_file(path)?,
        None => Policy::default(),
    };
    if args.r#static {
        policy.r#static = Some(StaticPolicy::Required);
    }
    if args.dynamic {
        policy.r#static = Some(StaticPolicy::Forbidden);
    }
    if let Some(version) = &args.max_glibc {
        policy.max_glibc = Some(version.clone());
    }
    if !args.allow_lib.is_empty() {
        policy.allowed_libraries = Some(args.allow_lib.clone());
    }
    if !args.forbid_lib.is_empty() {
        policy.forbidden_libraries = Some(args.forbid_lib.clone());
    }
    if args.require_stripped {
        policy.require_stripped = Some(true);
    }
    if args.require_pie {
        policy.require_pie = Some(true);
    }
    if args.require_nx {
        policy.require_nx = Some(true);
    }
    if let Some(size) = args.max_size {
        policy.max_size = Some(size);
    }
    policy
        .validate()
        .map_err(|e| CliError::Usage(format!("{e}")))?;
    Ok(policy)
}

/// `--policy-file`, or the deprecated `--policy FILE` (with a warning).
fn policy_file<'a>(args: &'a InspectArgs, printer: &Printer) -> Option<&'a Path> {
    if let Some(path) = &args.policy {
        printer.warning(
            "--policy FILE is deprecated for inspect, use --policy-file FILE (in build, --policy is a mode: error or warn)",
        );
        return Some(path);
    }
    args.policy_file.as_deref()
}

/// A policy file: either a matrix.toml (its `[policy]` table is used) or a TOML file whose
/// top level holds the policy keys.
fn read_policy_file(path: &Path) -> Result<Policy, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        action: "cannot read policy file",
        path: path.display().to_string(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{}: {}", path.display(), e.message())))?;
    let policy_table = match table.get("policy") {
        Some(toml::Value::Table(policy)) => policy.clone(),
        _ if table.contains_key("matrix") || table.contains_key("version") => toml::Table::new(),
        _ => table,
    };
    policy_table.try_into().map_err(|e: toml::de::Error| {
        CliError::Usage(format!("{}: {}", path.display(), e.message()))
    })
}

struct FileArg {
    path: PathBuf,
    /// Named on the command line rather than found in a directory.
    explicit: bool,
}

/// Expands directories (recursively, not following directory links, skipping crosscheck's
/// own staging area) into files.
fn collect_files(paths: &[PathBuf]) -> Result<(Vec<FileArg>, usize), CliError> {
    let mut files = Vec::new();
    let mut skipped = 0;
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, &mut skipped)?;
        } else {
            files.push(FileArg {
                path: path.clone(),
                explicit: true,
            });
        }
    }
    Ok((files, skipped))
}

fn walk(dir: &Path, files: &mut Vec<FileArg>, skipped: &mut usize) -> Result<(), CliError> {
    let io = |source| CliError::Io {
        action: "cannot read directory",
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if entry.file_name() == ".crosscheck" {
                *skipped += 1;
                continue;
            }
            walk(&path, files, skipped)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            files.push(FileArg {
                path,
                explicit: false,
            });
        }
    }
    Ok(())
}

/// Inspects every file on all cores; results come back in input order.
fn inspect_all(
    files: &[FileArg],
    expect: Option<&Expectation>,
    policy: &Policy,
    hash: bool,
) -> Vec<Verified> {
    let slots: Vec<Mutex<Option<Verified>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else { break };
                    let verified = verify(&file.path, expect, policy, hash);
                    if let Ok(mut slot) = slots[index].lock() {
                        *slot = Some(verified);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(files)
        .map(|(slot, file)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Verified {
                    path: file.path.display().to_string(),
                    outcome: Err("inspection did not finish".to_owned()),
                })
        })
        .collect()
}

/// One row per file, then every violation as `path: [rule] message`.
fn render_table(results: &[Verified]) -> String {
    let mut table = Table::new(&[
        "PATH", "FORMAT", "TARGET", "LINKAGE", "SIZE", "GO", "VERDICT",
    ]);
    let mut details = String::new();
    for result in results {
        match &result.outcome {
            Ok((report, violations)) => {
                table.row(report_row(&result.path, report, violations.len()));
                for violation in violations {
                    details.push_str(&format!(
                        "  {}: [{}] {}\n",
                        result.path, violation.rule, violation.message
                    ));
                }
            }
            Err(_) => {
                let mut row = vec![result.path.clone()];
                row.extend(["-"; 5].map(str::to_owned));
                row.push("unreadable".to_owned());
                table.row(row);
            }
        }
    }
    let mut out = table.render();
    if !details.is_empty() {
        out.push_str("\nviolations:\n");
        out.push_str(&details);
    }
    out
}

/// The table row of a file that could be read, and broke `violations` rules.
fn report_row(path: &str, report: &Report, violations: usize) -> Vec<String> {
    let target = match (&report.goos, &report.goarch) {
        (Some(os), Some(arch)) => format!("{os}/{arch}"),
        (None, Some(arch)) => format!("?/{arch}"),
        _ => "?".to_owned(),
    };
    // A Go binary whose build info names no version still says it is Go.
    let go = match &report.go {
        Some(go) => go.version.clone().unwrap_or_else(|| "go ?".to_owned()),
        None => "-".to_owned(),
    };
    vec![
        path.to_owned(),
        report.format.to_string(),
        target,
        linkage(report),
        human_size(report.size),
        go,
        if violations == 0 {
            "ok".to_owned()
        } else {
            plural(violations, "violation", "violations")
        },
    ]
}

/// The SBOM of one inspected binary. The timestamp is SOURCE_DATE_EPOCH when set, else the
/// commit time the binary records (see `SbomSubject::timestamp`): never the clock.
fn render_cyclonedx(report: &Report, target: Option<String>) -> Result<String, CliError> {
    let timestamp = match std::env::var(env_vars::SOURCE_DATE_EPOCH) {
        Ok(text) if !text.trim().is_empty() => Some(text.trim().parse::<i64>().map_err(|_| {
            CliError::Usage(format!(
                "{}={text:?} is not a whole number of seconds",
                env_vars::SOURCE_DATE_EPOCH
            ))
        })?),
        _ => None,
    };
    let subject = SbomSubject {
        artifact: Path::new(&report.path)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| report.path.clone()),
        target,
        timestamp,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let bom = crosscheck_release::cyclonedx(report, &subject)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    crate::json::pretty(&bom)
}

/// `inspect --format json`: every file's report with its verdict and violations, the Linux
/// packages' facts (only when there are packages), and the files that could not be read
/// (documented in docs/inspect.md).
#[derive(Serialize)]
struct JsonOutput<'a> {
    files: Vec<InspectedJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    packages: Vec<PackageJson<'a>>,
    errors: Vec<UnreadableJson<'a>>,
}

#[derive(Serialize)]
struct InspectedJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    verdict: Verdict,
    violations: &'a [Violation],
}

#[derive(Serialize)]
struct UnreadableJson<'a> {
    path: &'a str,
    error: &'a str,
}

fn render_json(results: &[Verified], packages: &[PackageResult]) -> Result<String, CliError> {
    let mut output = JsonOutput {
        files: Vec::new(),
        packages: inspect_package::json_packages(packages),
        errors: Vec::new(),
    };
    for result in results {
        match &result.outcome {
            Ok((report, violations)) => output.files.push(InspectedJson {
                report,
                verdict: Verdict::from_problems(violations),
                violations,
            }),
            Err(error) => output.errors.push(UnreadableJson {
                path: &result.path,
                error,
            }),
        }
    }
    for package in packages {
        if let Err(error) = &package.outcome {
            output.errors.push(UnreadableJson {
                path: &package.path,
                error,
            });
        }
    }
    // Through a `Value`, whose keys are sorted: the order this output has always had.
    let value = serde_json::to_value(&output).map_err(|e| CliError::Usage(e.to_string()))?;
    crate::json::pretty(&value)
}
