//! From a target to what its artifact must be: the bridge between the planner's targets and
//! the inspector's expectations, used by `inspect --expect` and by `build`; and from a
//! planned Linux package to what its bytes must hold ([`LinuxPackageChecker`]).

use std::path::Path;

use crosscheck_inspector::{Expectation, Format, Policy, Report, Violation};
use crosscheck_planner::PlannedTarget;
use crosscheck_schema::{
    ExpectedLinuxPackage, Inspection, LinuxPackageFacts, LinuxPackageFormat, PlannedLinuxPackage,
};

/// A short description of how a binary links, for `inspect`'s table and `build`'s grid.
pub fn linkage(report: &Report) -> String {
    match report.format {
        Format::Unknown => "-".to_owned(),
        Format::Wasm => {
            let modules = &report.libraries;
            if modules.is_empty() {
                "no imports".to_owned()
            } else {
                format!("imports {}", modules.join(", "))
            }
        }
        _ if report.is_static => "static".to_owned(),
        _ => {
            let mut text = if report.libraries.is_empty() {
                match &report.interpreter {
                    Some(_) => "dynamic loader, no libraries".to_owned(),
                    None => "dynamic".to_owned(),
                }
            } else {
                report
                    .libraries
                    .iter()
                    .map(|lib| lib.rsplit('/').next().unwrap_or(lib).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if let Some(glibc) = &report.glibc_min {
                text.push_str(&format!(" (GLIBC {glibc})"));
            }
            text
        }
    }
}

/// One file's outcome: its report and violations, or why it could not be read.
pub struct Verified {
    /// The file as given.
    pub path: String,
    /// The report and what it breaks, or the error.
    pub outcome: Result<(Report, Vec<Violation>), String>,
}

/// Inspects `path` and checks it; `hash` computes the report's sha256 (the executor already
/// hashes what it builds, so `build` skips a second pass over every artifact).
pub fn verify(path: &Path, expect: Option<&Expectation>, policy: &Policy, hash: bool) -> Verified {
    let options = crosscheck_inspector::InspectOptions {
        hash,
        ..crosscheck_inspector::InspectOptions::default()
    };
    let outcome = crosscheck_inspector::inspect_path_with(path, &options)
        .map(|report| {
            let violations = crosscheck_inspector::check(&report, expect, policy);
            (report, violations)
        })
        .map_err(|error| error.to_string());
    Verified {
        path: path.display().to_string(),
        outcome,
    }
}

/// Inspects every artifact `build` produces and checks it against its planned target and
/// policy; plugged into the executor, which records the result in the manifest.
pub struct ArtifactInspector;

impl crosscheck_executor::Inspect for ArtifactInspector {
    fn inspect(&self, artifact: &Path, target: &PlannedTarget) -> Inspection {
        let expect = Expectation::for_target(target);
        let verified = verify(artifact, Some(&expect), &target.policy, false);
        match verified.outcome {
            Ok((report, mut violations)) => {
                violations.extend(go_release_violation(&report, target));
                let linkage = linkage(&report);
                Inspection::of_artifact(report, linkage, violations)
            }
            Err(error) => Inspection::unreadable(error),
        }
    }

    fn locate(&self, artifact: &[u8], offset: u64) -> Option<(String, u64)> {
        crosscheck_inspector::locate(artifact, offset).map(|l| (l.section, l.section_offset))
    }
}

/// With the matrix's `go` axis, the Go version in the binary's build info must be the
/// toolchain the plan pinned: a GOTOOLCHAIN that did not take (a `[build] go` wrapper
/// resetting it, say) would otherwise ship a binary built by another Go under this id.
pub fn go_release_violation(report: &Report, target: &PlannedTarget) -> Option<Violation> {
    let planned = target.go.as_ref()?;
    crosscheck_inspector::check_go_release(
        report,
        &planned.toolchain,
        &planned.requested.to_string(),
    )
}

/// Reads each Linux package `build` writes back with the inspector's package reader and
/// checks it against the plan: the executor's `CheckLinuxPackage` hook.
pub struct LinuxPackageChecker;

impl crosscheck_executor::CheckLinuxPackage for LinuxPackageChecker {
    fn check(&self, package: &[u8], planned: &PlannedLinuxPackage, binary: &str) -> Vec<String> {
        let facts = match crosscheck_inspector::read_linux_package(package) {
            Ok(facts) => facts,
            Err(error) => return vec![format!("it cannot be read back: {error}")],
        };
        let expected = match expected_package(planned, binary) {
            Ok(expected) => expected,
            Err(problem) => return vec![problem],
        };
        let mut problems: Vec<String> =
            crosscheck_inspector::check_linux_package(&facts, &expected)
                .iter()
                .map(Violation::problem)
                .collect();
        problems.extend(config_flags(&facts, planned));
        problems
    }
}

/// What the package must be: the plan's name, version, release and architecture name, the
/// artifact at the binary's destination, and each planned file with its source's contents.
fn expected_package(
    planned: &PlannedLinuxPackage,
    binary: &str,
) -> Result<ExpectedLinuxPackage, String> {
    let mut files = vec![(planned.binary_destination.clone(), binary.to_owned())];
    for file in &planned.contents {
        let bytes = std::fs::read(&file.source)
            .map_err(|e| format!("cannot read {} to compare it: {e}", file.source))?;
        files.push((
            file.destination.clone(),
            crosscheck_schema::dist::sha256_hex(&bytes),
        ));
    }
    Ok(ExpectedLinuxPackage {
        format: planned.format,
        name: planned.name.clone(),
        version: planned.version.clone(),
        release: Some(planned.release.clone()),
        arch: planned.arch.clone(),
        files,
    })
}

/// A `config` file of the plan must be marked as one where the format has the notion (deb
/// conffiles, rpm `%config`), or local edits are lost on upgrade.
fn config_flags(facts: &LinuxPackageFacts, planned: &PlannedLinuxPackage) -> Vec<String> {
    if planned.format == LinuxPackageFormat::Apk {
        return Vec::new();
    }
    planned
        .contents
        .iter()
        .filter(|file| file.kind.is_config())
        .filter(|file| {
            !facts
                .files
                .iter()
                .any(|packaged| packaged.path == file.destination && packaged.config)
        })
        .map(|file| {
            format!(
                "{} is not marked as a configuration file, so an upgrade would overwrite local edits",
                file.destination
            )
        })
        .collect()
}
