//! The packaging phase: [`Packager::package`], which the CLI plugs into the executor's
//! `Package` hook.
//!
//! After the builds, under the dist lock, it
//!
//! 1. assembles each planned universal binary from its built darwin slices
//!    ([`crate::universal`]), moves it into place with the release date as mtime, inspects it
//!    slice by slice and adds it to the manifest as its own entry (`darwin/universal`);
//! 2. writes a CycloneDX SBOM beside every built artifact (`<path>.cdx.json`,
//!    [`crate::sbom`]; a universal binary's from its slices) and records it in the entry's
//!    `sbom`;
//! 3. writes the planned archive of every built target and universal binary
//!    ([`crate::archive`]) and records it in the entry's `archive`.
//!
//! Every file goes to the staging directory first and is renamed into place by
//! [`crosscheck_schema::dist::finalize_artifact`], which also hashes it for `SHA256SUMS`.
//! A failure marks only the entry concerned; built artifacts stay where they are.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crosscheck_inspector::{InspectOptions, Report};
use crosscheck_schema::{
    Artifact, Expectation, Failure, FailureKind, Inspection, Manifest, ManifestFile,
    ManifestTarget, PackageEvent, PackageFailure, PackageOutcome, PackagedKind, Plan,
    PlannedArchive, PlannedTarget, PlannedUniversal, STAGING_DIR, Status, Verdict,
};

use crate::archive::{BINARY_MODE, Entry, FILE_MODE, write_archive};
use crate::sbom::{SbomSubject, cyclonedx, cyclonedx_universal};
use crate::universal::build_universal;

/// Appended to an artifact's path to name its SBOM.
pub const SBOM_SUFFIX: &str = ".cdx.json";

/// The SBOM's `format` in the manifest.
const SBOM_FORMAT: &str = "cyclonedx-1.5+json";

/// Where packaging stages its files inside the dist directory.
const PACKAGE_STAGING: &str = "package";

/// The release stage's packager: universal binaries, then archives.
#[derive(Clone, Debug, Default)]
pub struct Packager;

impl Packager {
    /// Packages what `plan` built into `dist` and records it in `manifest`, reporting each
    /// file written and each entry that could not be packaged through `on_event`. Called
    /// after the builds, under the dist lock, before `manifest.json` and `SHA256SUMS` are
    /// written; the returned files are what the checksums add.
    pub fn package(
        &self,
        plan: &Plan,
        dist: &Path,
        manifest: &mut Manifest,
        on_event: &mut dyn FnMut(PackageEvent),
    ) -> PackageOutcome {
        let mut run = Run {
            plan,
            dist,
            staging: dist.join(STAGING_DIR).join(PACKAGE_STAGING),
            outcome: PackageOutcome::default(),
            on_event,
            archived: BTreeSet::new(),
        };
        for universal in &plan.universal {
            let entry = run.universal(universal, manifest);
            manifest.targets.push(entry);
        }
        if plan.sbom {
            for id in plan
                .targets
                .iter()
                .map(|t| t.id.id())
                .chain(plan.universal.iter().map(|u| u.id.clone()))
            {
                run.sbom(&id, manifest);
            }
        }
        for planned in &plan.targets {
            if let Some(archive) = &planned.archive {
                run.archive(&planned.id.id(), archive, manifest);
            }
        }
        for universal in &plan.universal {
            if let Some(archive) = &universal.archive {
                run.archive(&universal.id, archive, manifest);
            }
        }
        run.outcome
    }
}

struct Run<'a, 'e> {
    plan: &'a Plan,
    dist: &'a Path,
    staging: PathBuf,
    outcome: PackageOutcome,
    on_event: &'e mut dyn FnMut(PackageEvent),
    /// The paths of the archives written (or given up on) so far: a shared archive is
    /// written once, for its first member.
    archived: BTreeSet<String>,
}

impl Run<'_, '_> {
    fn fail(&mut self, id: &str, message: String) {
        (self.on_event)(PackageEvent::PackagingFailed {
            id: id.to_owned(),
            message: message.clone(),
        });
        self.outcome.failures.push(PackageFailure {
            id: id.to_owned(),
            message,
        });
    }

    /// Marks a built entry failed because a file packaged from it could not be written; the
    /// binary itself stays in place.
    fn fail_entry(&mut self, entry: &mut ManifestTarget, message: String) {
        entry.status = Status::Failed;
        entry.failure = Some(package_failure(&message));
        let id = entry.id.clone();
        self.fail(&id, message);
    }

    fn done(&mut self, id: &str, kind: PackagedKind, file: &Artifact) {
        self.outcome.files.push(file.clone());
        (self.on_event)(PackageEvent::Packaged {
            id: id.to_owned(),
            kind,
            file: file.clone(),
        });
    }

    /// Writes `bytes` (or, with `None`, lets `write` create the file) to staging, then moves
    /// it to `dist/relative` with the release date as mtime.
    fn place(
        &self,
        relative: &str,
        write: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<Artifact, String> {
        std::fs::create_dir_all(&self.staging)
            .map_err(|e| format!("cannot create {}: {e}", self.staging.display()))?;
        let file_name = relative.replace('/', "_");
        let staged = self.staging.join(file_name);
        write(&staged)?;
        crosscheck_schema::dist::finalize_artifact(
            &staged,
            self.dist,
            relative,
            self.plan.project.vcs.date_epoch,
        )
        .map_err(|e| format!("cannot move {relative} into the dist directory: {e}"))
    }

    fn universal(&mut self, universal: &PlannedUniversal, manifest: &Manifest) -> ManifestTarget {
        let mut entry = universal_entry(universal, self.plan, manifest);
        // An input that did not build already fails the run; the universal binary is simply
        // not made.
        let Some(inputs) = universal_inputs(universal, self.plan, manifest) else {
            return entry;
        };
        let started = std::time::Instant::now();
        let made = self.place(&universal.output, |staged| self.assemble(&inputs, staged));
        entry.duration_ms = crosscheck_schema::duration_ms(started.elapsed());
        let artifact = match made {
            Ok(artifact) => artifact,
            Err(message) => {
                self.fail_entry(
                    &mut entry,
                    format!("cannot assemble the universal binary: {message}"),
                );
                return entry;
            }
        };
        entry.status = Status::Built;
        entry.size = Some(artifact.size);
        entry.sha256 = Some(artifact.sha256.clone());
        let inspection = inspect_universal(&artifact.path, &inputs);
        if inspection.verdict == Verdict::Fail {
            self.fail(
                &universal.id,
                format!(
                    "the universal binary does not pass inspection: {}",
                    inspection.problems.join("; ")
                ),
            );
        }
        entry.inspection = Some(inspection);
        self.done(&universal.id, PackagedKind::Universal, &artifact);
        entry
    }

    /// Writes the fat file of the built `inputs` to `staged`, executable.
    fn assemble(
        &self,
        inputs: &[(&ManifestTarget, &PlannedTarget)],
        staged: &Path,
    ) -> Result<(), String> {
        let mut slices = Vec::new();
        for (built, _) in inputs {
            let path = self.dist.join(&built.path);
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            slices.push((built.id.clone(), bytes));
        }
        let labelled: Vec<(&str, &[u8])> = slices
            .iter()
            .map(|(id, bytes)| (id.as_str(), bytes.as_slice()))
            .collect();
        let fat = build_universal(&labelled).map_err(|e| e.to_string())?;
        std::fs::write(staged, fat)
            .map_err(|e| format!("cannot write {}: {e}", staged.display()))?;
        set_executable(staged)
    }

    /// Writes the SBOM of a built target from its binary's build info. A binary without build
    /// info (a stripped or non-Go file) fails the entry: an SBOM was asked for.
    fn sbom(&mut self, id: &str, manifest: &mut Manifest) {
        let Some(index) = built_index(manifest, id) else {
            return;
        };
        let target = &manifest.targets[index];
        let binary = (self.dist.join(&target.path), target.sha256.clone());
        let relative = format!("{}{SBOM_SUFFIX}", target.path);
        // A universal binary is described from its slices, the thin artifacts it was made of.
        let slices: Vec<(PathBuf, Option<String>)> = target
            .universal_inputs
            .iter()
            .flatten()
            .filter_map(|input| manifest.targets.iter().find(|t| t.id == *input))
            .map(|input| (self.dist.join(&input.path), input.sha256.clone()))
            .collect();
        let subject = SbomSubject {
            artifact: binary
                .0
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            target: Some(id.to_owned()),
            timestamp: Some(self.plan.project.vcs.date_epoch),
            tool_version: self.plan.crosscheck_version.clone(),
        };
        let written = self.place(&relative, |staged| {
            let json = sbom_json(&binary, &slices, &subject)?;
            std::fs::write(staged, json)
                .map_err(|e| format!("cannot write {}: {e}", staged.display()))
        });
        match written {
            Ok(artifact) => {
                manifest.targets[index].sbom = Some(manifest_file(&artifact, SBOM_FORMAT));
                self.done(id, PackagedKind::Sbom, &artifact);
            }
            Err(message) => {
                self.fail_entry(
                    &mut manifest.targets[index],
                    format!("cannot write the SBOM {relative}: {message}"),
                );
            }
        }
    }

    /// Writes the archive of the build `id` with the binaries of the builds it shares the
    /// archive with, once for all of them; every member's entry records it.
    fn archive(&mut self, id: &str, archive: &PlannedArchive, manifest: &mut Manifest) {
        let Some(index) = built_index(manifest, id) else {
            return;
        };
        if !self.archived.insert(archive.path.clone()) {
            return;
        }
        let members = std::iter::once((id, archive.binary.as_str())).chain(
            archive
                .shared_with
                .iter()
                .map(|m| (m.id.as_str(), m.name.as_str())),
        );
        let mut entries = Vec::new();
        let mut indexes = Vec::new();
        for (member, name) in members {
            let Some(member_index) = built_index(manifest, member) else {
                // A member that did not build already fails the run; an archive without
                // it would be published incomplete.
                self.fail_entry(
                    &mut manifest.targets[index],
                    format!(
                        "the archive {} is not written: it also holds {member}, which did not build",
                        archive.path
                    ),
                );
                return;
            };
            indexes.push(member_index);
            entries.push(Entry {
                source: self.dist.join(&manifest.targets[member_index].path),
                name: name.to_owned(),
                mode: BINARY_MODE,
            });
        }
        entries.extend(archive.files.iter().map(|file| Entry {
            source: PathBuf::from(&file.source),
            name: file.name.clone(),
            mode: FILE_MODE,
        }));
        let epoch = self.plan.project.vcs.date_epoch;
        let written = self.place(&archive.path, |staged| {
            write_archive(staged, archive.format, &entries, epoch).map_err(|e| e.to_string())
        });
        match written {
            Ok(artifact) => {
                let file = manifest_file(&artifact, &archive.format.to_string());
                for member in indexes {
                    manifest.targets[member].archive = Some(file.clone());
                }
                self.done(id, PackagedKind::Archive, &artifact);
            }
            Err(message) => {
                self.fail_entry(
                    &mut manifest.targets[index],
                    format!("cannot write the archive {}: {message}", archive.path),
                );
            }
        }
    }
}

/// The SBOM of `binary` (path, the SHA-256 the build recorded), or of the universal binary
/// made of `slices`, as the JSON text written beside it.
fn sbom_json(
    binary: &(PathBuf, Option<String>),
    slices: &[(PathBuf, Option<String>)],
    subject: &SbomSubject,
) -> Result<Vec<u8>, String> {
    // The build hashed every artifact already: read the build info, not the bytes.
    let options = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    let inspect = |(path, sha256): &(PathBuf, Option<String>)| {
        let mut report =
            crosscheck_inspector::inspect_path_with(path, &options).map_err(|e| e.to_string())?;
        report.sha256 = sha256.clone().unwrap_or_default();
        Ok::<_, String>(report)
    };
    let report = inspect(binary)?;
    let document = if slices.is_empty() {
        cyclonedx(&report, subject)
    } else {
        let slices = slices.iter().map(inspect).collect::<Result<Vec<_>, _>>()?;
        cyclonedx_universal(&report, &slices, subject)
    }
    .map_err(|e| e.to_string())?;
    let mut json = serde_json::to_vec_pretty(&document).map_err(|e| e.to_string())?;
    json.push(b'\n');
    Ok(json)
}

/// Where the built entry `id` is in the manifest (`None` when it did not build).
fn built_index(manifest: &Manifest, id: &str) -> Option<usize> {
    manifest
        .targets
        .iter()
        .position(|t| t.id == id && t.status == Status::Built)
}

/// The manifest entry of a universal binary before it is made: skipped until it is built.
fn universal_entry(
    universal: &PlannedUniversal,
    plan: &Plan,
    manifest: &Manifest,
) -> ManifestTarget {
    ManifestTarget {
        id: universal.id.clone(),
        binary: universal.binary.clone(),
        goos: "darwin".to_owned(),
        goarch: "universal".to_owned(),
        variant: None,
        cgo: universal.cgo,
        libc: None,
        path: universal.output.clone(),
        size: None,
        sha256: None,
        status: Status::Skipped,
        duration_ms: 0,
        commands: Vec::new(),
        cwd: plan.project.module_dir.clone(),
        env: Default::default(),
        c_compiler: None,
        log: None,
        failure: None,
        inspection: None,
        archive: None,
        universal_inputs: Some(universal.inputs.clone()),
        sbom: None,
        packages: Vec::new(),
        signed: None,
        reproducible: None,
        smoke: None,
        // Its slices come from one release (the planner pairs them per `go` value).
        go_version: manifest
            .targets
            .iter()
            .find(|t| universal.inputs.contains(&t.id))
            .map_or_else(|| manifest.go_version.clone(), |t| t.go_version.clone()),
    }
}

/// Each input of `universal` as built and as planned; `None` when one did not build.
fn universal_inputs<'a>(
    universal: &PlannedUniversal,
    plan: &'a Plan,
    manifest: &'a Manifest,
) -> Option<Vec<(&'a ManifestTarget, &'a PlannedTarget)>> {
    universal
        .inputs
        .iter()
        .map(|id| {
            let built = manifest
                .targets
                .iter()
                .find(|t| t.id == *id && t.status == Status::Built)?;
            let planned = plan.targets.iter().find(|t| t.id.id() == *id)?;
            Some((built, planned))
        })
        .collect()
}

/// How an entry records a file packaged from it (its SBOM, its archive).
fn manifest_file(artifact: &Artifact, format: &str) -> ManifestFile {
    ManifestFile {
        path: artifact.relative.clone(),
        sha256: artifact.sha256.clone(),
        size: artifact.size,
        format: Some(format.to_owned()),
    }
}

fn package_failure(message: &str) -> Failure {
    Failure {
        kind: FailureKind::Package,
        message: message.to_owned(),
        hint: Some("the binary itself was built and is in the dist directory; fix the cause and build again".to_owned()),
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), String> {
    Ok(())
}

/// Inspects the fat file: each input's slice must be there, be byte for byte the input's
/// artifact, and pass the input's expectation and policy; no slice may be extra.
fn inspect_universal(path: &Path, inputs: &[(&ManifestTarget, &PlannedTarget)]) -> Inspection {
    let options = InspectOptions {
        hash: true,
        ..InspectOptions::default()
    };
    let report: Report = match crosscheck_inspector::inspect_path_with(path, &options) {
        Ok(report) => report,
        Err(error) => return Inspection::unreadable(error.to_string()),
    };
    let mut problems = Vec::new();
    for (built, planned) in inputs {
        for violation in crosscheck_inspector::check(
            &report,
            Some(&Expectation::for_target(planned)),
            &planned.policy,
        ) {
            problems.push(format!(
                "[{}] {}: {}",
                violation.rule, built.id, violation.message
            ));
        }
        let slice = report
            .slices
            .iter()
            .find(|s| s.goarch.as_deref() == Some(planned.goarch.as_str()));
        match slice {
            Some(slice) if Some(&slice.sha256) != built.sha256.as_ref() => problems.push(format!(
                "[slice-mismatch] the {} slice is not the bytes of {}",
                planned.goarch, built.path
            )),
            Some(_) => {}
            None => problems.push(format!("[arch-mismatch] no {} slice", planned.goarch)),
        }
    }
    if report.slices.len() != inputs.len() {
        problems.push(format!(
            "[slice-count] {} slices for {} inputs",
            report.slices.len(),
            inputs.len()
        ));
    }
    Inspection::of_file(report, problems)
}
