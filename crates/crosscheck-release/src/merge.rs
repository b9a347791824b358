//! `crosscheck merge`: combines the dist directories of CI shards into one.
//!
//! Two steps, so that nothing is written until everything has been checked:
//!
//! 1. [`plan_merge`] reads every shard's `manifest.json` and checks it against the others and
//!    against the plan: same project, commit, version, crosscheck and Go; every planned
//!    target present exactly once, its archive, SBOM and Linux packages where the plan puts
//!    them; nothing
//!    unplanned; nothing failed (unless allowed). The
//!    result, a [`MergePlan`], is the merged [`Manifest`] and the list of files to copy. It
//!    reads manifests only.
//! 2. [`execute`] takes the lock of the output directory, copies every file into a staging
//!    area under it while hashing, checks each against its manifest's size and SHA-256, and
//!    only when all match renames them into place and writes `manifest.json` and
//!    `SHA256SUMS` (each to a temporary name first). A tampered or truncated shard therefore
//!    leaves the output directory as it was.
//!
//! Every file a [`ManifestTarget`] references is listed by one function, [`target_files`]:
//! a new per-target file (an archive, an SBOM, a Linux package) is one line there, and is then verified,
//! copied and checksummed like the binary.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crosscheck_schema::dist::{
    self, CHECKSUMS_FILE, LOGS_DIR, MANIFEST_FILE, STATE_DIR, StreamDigest,
};
use crosscheck_schema::{
    Artifact, CatalogSource, ChecksumSignatureKind, DistError, LockPolicy, MANIFEST_SCHEMA_VERSION,
    Manifest, ManifestTarget, MergedShard, Plan, PlannedSigning, Status,
};

use crate::package::SBOM_SUFFIX;
use crate::sign::{sign_checksums, trusted_comment};

/// The staging area of a merge, inside the output's [`STATE_DIR`].
pub const MERGE_STAGING_DIR: &str = "merge-staging";

/// What to merge, and how strictly.
#[derive(Clone, Debug)]
pub struct MergeRequest<'a> {
    /// The plan of the whole selection (no shard): the targets that must all be present.
    pub plan: &'a Plan,
    /// The shard dist directories, as given on the command line.
    pub inputs: &'a [PathBuf],
    /// The merged dist directory.
    pub out: &'a Path,
    /// Accept failed, cancelled or skipped targets: they are recorded as they are in their
    /// shard's manifest and left out of `SHA256SUMS`.
    pub allow_incomplete: bool,
}

/// A role a file plays for its target; shown in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// The built binary.
    Artifact,
    /// The build log.
    Log,
    /// The archive the binary was packed into.
    Archive,
    /// The binary's CycloneDX SBOM.
    Sbom,
    /// A Linux package (deb, rpm, apk) of the binary.
    LinuxPackage,
}

impl std::fmt::Display for FileRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileRole::Artifact => "artifact",
            FileRole::Log => "log",
            FileRole::Archive => "archive",
            FileRole::Sbom => "SBOM",
            FileRole::LinuxPackage => "Linux package",
        })
    }
}

/// A file a manifest target references, relative to its dist directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetFile {
    /// What the file is.
    pub role: FileRole,
    /// Its path relative to the dist directory.
    pub path: String,
    /// The SHA-256 the manifest records, when it records one.
    pub sha256: Option<String>,
    /// The size the manifest records, when it records one.
    pub size: Option<u64>,
    /// Whether `SHA256SUMS` lists it (release files do, logs do not).
    pub checksummed: bool,
}

/// Every file `target` references: what a merge verifies and copies.
///
/// A manifest field that names a file belongs here, so that merge can never drop it.
pub fn target_files(target: &ManifestTarget) -> Vec<TargetFile> {
    let mut files = Vec::new();
    if target.status == Status::Built {
        files.push(TargetFile {
            role: FileRole::Artifact,
            path: target.path.clone(),
            sha256: target.sha256.clone(),
            size: target.size,
            checksummed: true,
        });
    }
    for (role, file) in [
        (FileRole::Archive, &target.archive),
        (FileRole::Sbom, &target.sbom),
    ] {
        if let Some(file) = file {
            files.push(TargetFile {
                role,
                path: file.path.clone(),
                sha256: Some(file.sha256.clone()),
                size: Some(file.size),
                checksummed: true,
            });
        }
    }
    files.extend(target.packages.iter().map(|package| TargetFile {
        role: FileRole::LinuxPackage,
        path: package.path.clone(),
        sha256: Some(package.sha256.clone()),
        size: Some(package.size),
        checksummed: true,
    }));
    if let Some(log) = &target.log {
        files.push(TargetFile {
            role: FileRole::Log,
            path: log.clone(),
            sha256: None,
            size: None,
            checksummed: false,
        });
    }
    files
}

/// One file to copy from a shard into the output.
#[derive(Clone, Debug)]
pub struct FileCopy {
    /// The target it belongs to.
    pub target: String,
    /// The shard directory it comes from.
    pub shard_dir: PathBuf,
    /// The file, its path and what the manifest says about it.
    pub file: TargetFile,
}

/// Everything a merge will do, decided before anything is written.
#[derive(Clone, Debug)]
pub struct MergePlan {
    /// The merged manifest, targets in plan order.
    pub manifest: Manifest,
    /// The files to copy, in plan order.
    pub copies: Vec<FileCopy>,
    /// `[sign]` of the plan: the merged `SHA256SUMS` is signed anew (the shards' signatures
    /// cover only their own part, and are not copied).
    pub signing: Option<PlannedSigning>,
}

/// What a merge did.
#[derive(Clone, Debug)]
pub struct MergeSummary {
    /// The merged manifest as written.
    pub manifest: Manifest,
    /// The files copied, with their verified digests.
    pub files: Vec<Artifact>,
    /// The artifacts `SHA256SUMS` lists.
    pub checksummed: usize,
}

/// Why a merge was refused or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No shard directories were given.
    #[error("no shard directories to merge (hint: pass the dist directory of every shard job)")]
    NoInputs,
    /// The output is one of the inputs.
    #[error(
        "the output {} is also an input (hint: merge into a new directory, e.g. --dist dist)",
        out.display()
    )]
    OutIsInput {
        /// The output directory.
        out: PathBuf,
    },
    /// A shard manifest could not be read.
    #[error(
        "cannot read {}: {source} (hint: pass the dist directories written by `crosscheck build --shard I/N`)",
        path.display()
    )]
    ReadManifest {
        /// The manifest path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A shard manifest is not a manifest.
    #[error("{} is not a crosscheck manifest: {source}", path.display())]
    ParseManifest {
        /// The manifest path.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A shard manifest has another schema version.
    #[error(
        "{} has manifest schema version {found}, this crosscheck reads {MANIFEST_SCHEMA_VERSION} (hint: merge with the crosscheck that built the shards)",
        path.display()
    )]
    SchemaVersion {
        /// The manifest path.
        path: PathBuf,
        /// Its version.
        found: u32,
    },
    /// Two shards were built differently.
    #[error(
        "the shards were not built from the same {what}: {} has {first_value:?}, {} has {other_value:?} (hint: every shard job must build the same commit with the same crosscheck, Go and matrix)",
        first_dir.display(),
        other_dir.display()
    )]
    ShardsDisagree {
        /// What differs, e.g. "commit".
        what: &'static str,
        /// The first shard.
        first_dir: PathBuf,
        /// Its value.
        first_value: String,
        /// The other shard.
        other_dir: PathBuf,
        /// Its value.
        other_value: String,
    },
    /// A shard was built from something other than what this checkout plans.
    #[error(
        "{} was built with {what} {shard_value:?}, but this checkout plans {plan_value:?} (hint: run merge on the same commit, with the same Go and the same CROSSCHECK_VERSION/CROSSCHECK_COMMIT settings as the shard jobs)",
        dir.display()
    )]
    NotThisPlan {
        /// What differs.
        what: &'static str,
        /// The shard.
        dir: PathBuf,
        /// The shard's value.
        shard_value: String,
        /// The plan's value.
        plan_value: String,
    },
    /// A shard holds a target the plan does not have.
    #[error(
        "{} holds {id}, which is not in the plan (hint: give merge the same --matrix, --target and --exclude as the shard jobs)",
        dir.display()
    )]
    Unplanned {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
    },
    /// A shard put a target somewhere the plan does not.
    #[error(
        "{} has {id} at {path:?}, but the plan puts it at {planned:?} (hint: give merge the same --matrix as the shard jobs)",
        dir.display()
    )]
    PathMismatch {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
        /// Where the shard has it.
        path: String,
        /// Where the plan has it.
        planned: String,
    },
    /// A shard packaged a target differently from the plan: another archive name, an SBOM
    /// where the plan has none or none where it has one.
    #[error(
        "{}, but the plan {} (hint: every shard job and the merge must use the same matrix.toml; rebuild the shard from it)",
        found_file(dir, *role, id, found.as_deref()),
        planned_file(planned.as_deref())
    )]
    PackagingMismatch {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
        /// The file's role: [`FileRole::Archive`], [`FileRole::Sbom`] or [`FileRole::LinuxPackage`].
        role: FileRole,
        /// Where the shard has the file, if it has one.
        found: Option<String>,
        /// Where the plan puts it, if it plans one.
        planned: Option<String>,
    },
    /// A shard built a target with another command line than the plan's.
    #[error(
        "{} built {id} with `{built}`, but the plan builds it with `{planned}` (hint: every shard job and merge need the same matrix.toml and the same --matrix/--target/--exclude)",
        dir.display()
    )]
    CommandMismatch {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
        /// The shard's arguments (without the go executable and `-o`).
        built: String,
        /// The plan's.
        planned: String,
    },
    /// Two shards both have a target, identically.
    #[error(
        "{id} is in two shards: {} and {} (hint: was the same shard given twice? Every target must come from exactly one shard)",
        first.display(),
        second.display()
    )]
    Duplicate {
        /// The target.
        id: String,
        /// One shard.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Two shards both have a target, and their copies differ.
    #[error(
        "conflicting copies of {id}: {} has {first_digest}, {} has {second_digest} (hint: the shards were built differently; rebuild them from one commit and merge again)",
        first.display(),
        second.display()
    )]
    Conflict {
        /// The target.
        id: String,
        /// One shard.
        first: PathBuf,
        /// Its status or digest.
        first_digest: String,
        /// The other.
        second: PathBuf,
        /// Its status or digest.
        second_digest: String,
    },
    /// Planned targets are in no shard.
    #[error(
        "{} planned target{} missing from every shard: {} (hint: did a shard job fail, or its dist directory not download? Merge needs the dist directory of every shard)",
        ids.len(),
        if ids.len() == 1 { " is" } else { "s are" },
        ids.join(", ")
    )]
    Missing {
        /// The missing target ids, in plan order.
        ids: Vec<String>,
    },
    /// Some targets did not build.
    #[error(
        "{} target{} did not build: {} (hint: a release must be complete; rerun the shard, or pass --allow-incomplete to merge what there is)",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        targets.join(", ")
    )]
    Incomplete {
        /// `id (status in dir)` per target.
        targets: Vec<String>,
    },
    /// A built target without its digest.
    #[error(
        "{} says {id} was built but records no sha256 or size (hint: the manifest was edited; rebuild the shard)",
        dir.display()
    )]
    NoDigest {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
    },
    /// A manifest names a file outside its dist directory.
    #[error(
        "{} names {role} {path:?} of {id}, which is not a relative path inside the dist directory",
        dir.display()
    )]
    UnsafePath {
        /// The target.
        id: String,
        /// The shard.
        dir: PathBuf,
        /// The file's role.
        role: FileRole,
        /// The path.
        path: String,
    },
    /// A file the manifest names cannot be read.
    #[error(
        "cannot read the {role} of {id}, {}: {source} (hint: the shard's dist directory is incomplete; download or rebuild it)",
        path.display()
    )]
    ReadFile {
        /// The target.
        id: String,
        /// The file's role.
        role: FileRole,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file does not match its manifest.
    #[error(
        "checksum mismatch for the {role} of {id}: {} has {what} {actual}, its manifest says {expected} (hint: the file was changed or damaged after the build; rebuild the shard)",
        path.display()
    )]
    Mismatch {
        /// The target.
        id: String,
        /// The file's role.
        role: FileRole,
        /// The file.
        path: PathBuf,
        /// `sha256` or `size`.
        what: &'static str,
        /// What the manifest says.
        expected: String,
        /// What the file has.
        actual: String,
    },
    /// Two targets would write the same output file.
    #[error(
        "{first} and {second} both write {path:?} (hint: the shard manifests were edited or come from different matrices)"
    )]
    SamePath {
        /// The file.
        path: String,
        /// One target.
        first: String,
        /// The other.
        second: String,
    },
    /// The output lock could not be taken, or its manifest or checksums not written.
    #[error(transparent)]
    Dist(#[from] DistError),
    /// The merged `SHA256SUMS` could not be signed.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// Writing the output failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Write {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// One shard as read.
struct Shard {
    dir: PathBuf,
    manifest: Manifest,
}

/// Reads every shard's manifest and decides the merge; writes nothing.
///
/// The checks run in the order docs/ci.md lists them, each refusing the merge with the first
/// problem it finds.
pub fn plan_merge(request: &MergeRequest<'_>) -> Result<MergePlan, MergeError> {
    let shards = read_shards(request.inputs, request.out)?;
    check_same_build(&shards)?;
    check_against_plan(&shards[0], request.plan)?;
    let planned = planned_entries(request.plan);
    let found = assign_targets(&shards, &planned)?;
    check_missing(&planned, &found)?;
    if !request.allow_incomplete {
        check_built(&planned, &found)?;
    }
    let copies = plan_copies(&planned, &found)?;
    let manifest = merged_manifest(&shards, &planned, &found);
    Ok(MergePlan {
        manifest,
        copies,
        signing: request.plan.sign.clone(),
    })
}

/// Which shard holds each planned target, by target id.
type Found<'s> = BTreeMap<&'s str, (&'s Shard, &'s ManifestTarget)>;

/// Reads the manifest of every input, once it is sure none of them is the output.
fn read_shards(inputs: &[PathBuf], out: &Path) -> Result<Vec<Shard>, MergeError> {
    if inputs.is_empty() {
        return Err(MergeError::NoInputs);
    }
    check_distinct(inputs, out)?;
    inputs.iter().map(|dir| read_shard(dir)).collect()
}

/// Every entry the plan puts in the manifest, in plan order. Universal binaries are planned
/// apart from the thin targets but merged like them (the planner keeps their slices in one
/// shard, which assembled them).
fn planned_entries(plan: &Plan) -> Vec<PlannedEntry<'_>> {
    let sbom = |output: &str| plan.sbom.then(|| format!("{output}{SBOM_SUFFIX}"));
    let targets = plan.targets.iter().map(|t| PlannedEntry {
        id: t.id.to_string(),
        output: t.output.as_str(),
        argv: Some(t.argv.as_slice()),
        archive: t.archive.as_ref().map(|a| a.path.as_str()),
        sbom: sbom(&t.output),
        packages: t.packages.iter().map(|p| p.path.as_str()).collect(),
    });
    let universal = plan.universal.iter().map(|u| PlannedEntry {
        id: u.id.clone(),
        output: u.output.as_str(),
        argv: None,
        archive: u.archive.as_ref().map(|a| a.path.as_str()),
        sbom: sbom(&u.output),
        packages: Vec::new(),
    });
    targets.chain(universal).collect()
}

/// Gives each shard target to its planned entry, after checking it was built and packaged as
/// planned. A target the plan does not have, or that a second shard holds too, is refused.
fn assign_targets<'s>(
    shards: &'s [Shard],
    planned: &[PlannedEntry<'_>],
) -> Result<Found<'s>, MergeError> {
    let by_id: BTreeMap<&str, &PlannedEntry<'_>> = planned
        .iter()
        .map(|entry| (entry.id.as_str(), entry))
        .collect();
    let mut found = Found::new();
    for shard in shards {
        for target in &shard.manifest.targets {
            let Some(entry) = by_id.get(target.id.as_str()) else {
                return Err(MergeError::Unplanned {
                    id: target.id.clone(),
                    dir: shard.dir.clone(),
                });
            };
            check_path(shard, target, entry)?;
            check_packaging(shard, target, entry)?;
            check_command(shard, target, entry)?;
            if let Some((first, first_target)) = found.get(target.id.as_str()) {
                return Err(held_twice(first, first_target, shard, target));
            }
            found.insert(&target.id, (shard, target));
        }
    }
    Ok(found)
}

/// A target must be where the plan puts it.
fn check_path(
    shard: &Shard,
    target: &ManifestTarget,
    planned: &PlannedEntry<'_>,
) -> Result<(), MergeError> {
    if target.path == planned.output {
        return Ok(());
    }
    Err(MergeError::PathMismatch {
        id: target.id.clone(),
        dir: shard.dir.clone(),
        path: target.path.clone(),
        planned: planned.output.to_owned(),
    })
}

/// A target in two shards: the same shard given twice when both copies agree, shards built
/// differently when they do not.
fn held_twice(
    first: &Shard,
    first_target: &ManifestTarget,
    second: &Shard,
    second_target: &ManifestTarget,
) -> MergeError {
    let (first_digest, second_digest) = (digest(first_target), digest(second_target));
    if first_digest == second_digest {
        MergeError::Duplicate {
            id: second_target.id.clone(),
            first: first.dir.clone(),
            second: second.dir.clone(),
        }
    } else {
        MergeError::Conflict {
            id: second_target.id.clone(),
            first: first.dir.clone(),
            first_digest,
            second: second.dir.clone(),
            second_digest,
        }
    }
}

/// Every planned target must be in some shard.
fn check_missing(planned: &[PlannedEntry<'_>], found: &Found<'_>) -> Result<(), MergeError> {
    let missing: Vec<String> = planned
        .iter()
        .filter(|entry| !found.contains_key(entry.id.as_str()))
        .map(|entry| entry.id.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(MergeError::Missing { ids: missing })
}

/// Every planned target must have built (what `--allow-incomplete` waives).
fn check_built(planned: &[PlannedEntry<'_>], found: &Found<'_>) -> Result<(), MergeError> {
    let incomplete: Vec<String> = planned
        .iter()
        .filter_map(|entry| found.get(entry.id.as_str()))
        .filter(|(_, target)| target.status != Status::Built)
        .map(|(shard, target)| {
            format!(
                "{} ({} in {})",
                target.id,
                target.status.as_str(),
                shard.dir.display()
            )
        })
        .collect();
    if incomplete.is_empty() {
        return Ok(());
    }
    Err(MergeError::Incomplete {
        targets: incomplete,
    })
}

/// Every file of every merged target, in plan order, once its manifest records what it must
/// be checked against and its path is safe and no other target's.
fn plan_copies(
    planned: &[PlannedEntry<'_>],
    found: &Found<'_>,
) -> Result<Vec<FileCopy>, MergeError> {
    let mut copies = Vec::new();
    // Each path's first writer, with the file's role and digest.
    let mut written: BTreeMap<String, (String, FileRole, Option<String>)> = BTreeMap::new();
    for entry in planned {
        let Some((shard, target)) = found.get(entry.id.as_str()) else {
            continue;
        };
        let id = &entry.id;
        if target.status == Status::Built && (target.sha256.is_none() || target.size.is_none()) {
            return Err(MergeError::NoDigest {
                id: id.clone(),
                dir: shard.dir.clone(),
            });
        }
        for file in target_files(target) {
            if !is_safe_relative(&file.path) {
                return Err(MergeError::UnsafePath {
                    id: id.clone(),
                    dir: shard.dir.clone(),
                    role: file.role,
                    path: file.path,
                });
            }
            if let Some((other, role, sha256)) = written.get(&file.path) {
                // The builds of one target share its archive (several binaries): every
                // member records the same file, which is copied once.
                if *role == FileRole::Archive
                    && file.role == FileRole::Archive
                    && *sha256 == file.sha256
                {
                    continue;
                }
                return Err(MergeError::SamePath {
                    path: file.path,
                    first: other.clone(),
                    second: id.clone(),
                });
            }
            written.insert(
                file.path.clone(),
                (id.clone(), file.role, file.sha256.clone()),
            );
            copies.push(FileCopy {
                target: id.clone(),
                shard_dir: shard.dir.clone(),
                file,
            });
        }
    }
    Ok(copies)
}

/// The merged manifest: the shards' common facts, the targets in plan order as their shards
/// recorded them, and which targets came from which shard.
fn merged_manifest(shards: &[Shard], planned: &[PlannedEntry<'_>], found: &Found<'_>) -> Manifest {
    let mut targets = Vec::with_capacity(planned.len());
    let mut taken: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for entry in planned {
        if let Some((shard, target)) = found.get(entry.id.as_str()) {
            taken
                .entry(shard.dir.clone())
                .or_default()
                .push(entry.id.clone());
            targets.push((*target).clone());
        }
    }
    let first = &shards[0].manifest;
    Manifest {
        schema_version: MANIFEST_SCHEMA_VERSION,
        crosscheck_version: first.crosscheck_version.clone(),
        go_version: first.go_version.clone(),
        go_command: first.go_command.clone(),
        matrix_file: first.matrix_file.clone(),
        project: first.project.clone(),
        interrupted: shards.iter().any(|s| s.manifest.interrupted),
        shard: None,
        checksum_signatures: Vec::new(),
        merged_from: shards
            .iter()
            .map(|shard| MergedShard {
                dir: shard.dir.display().to_string(),
                shard: shard.manifest.shard.clone(),
                targets: taken.remove(&shard.dir).unwrap_or_default(),
            })
            .collect(),
        targets,
    }
}

/// Where the plan puts one manifest entry's files.
struct PlannedEntry<'a> {
    /// The target id (`darwin/universal` for a universal binary).
    id: String,
    output: &'a str,
    /// The `go build` command line (none for universal binaries, which are assembled).
    argv: Option<&'a [String]>,
    archive: Option<&'a str>,
    sbom: Option<String>,
    /// The paths of its Linux packages, in plan order.
    packages: Vec<&'a str>,
}

/// A built target's archive and SBOM must be the plan's: the matrix file's name is part of
/// the shards' identity, its contents are not, so a shard built from an edited matrix.toml
/// (another `archive_name`, `sbom = false`) would otherwise slip into the release and make
/// it differ from a single build. Unbuilt targets (with --allow-incomplete) have neither.
fn check_packaging(
    shard: &Shard,
    target: &ManifestTarget,
    planned: &PlannedEntry<'_>,
) -> Result<(), MergeError> {
    if target.status != Status::Built {
        return Ok(());
    }
    for (role, found, planned) in [
        (FileRole::Archive, &target.archive, planned.archive),
        (FileRole::Sbom, &target.sbom, planned.sbom.as_deref()),
    ] {
        let found = found.as_ref().map(|file| file.path.as_str());
        if found != planned {
            return Err(MergeError::PackagingMismatch {
                id: target.id.clone(),
                dir: shard.dir.clone(),
                role,
                found: found.map(str::to_owned),
                planned: planned.map(str::to_owned),
            });
        }
    }
    let found: Vec<&str> = target.packages.iter().map(|p| p.path.as_str()).collect();
    if found != planned.packages {
        let listed = |paths: &[&str]| (!paths.is_empty()).then(|| paths.join(", "));
        return Err(MergeError::PackagingMismatch {
            id: target.id.clone(),
            dir: shard.dir.clone(),
            role: FileRole::LinuxPackage,
            found: listed(&found),
            planned: listed(&planned.packages),
        });
    }
    Ok(())
}

/// A target must have been built with the plan's command line: flags, ldflags, tags and
/// the package, everything but the go executable and the `-o` path, which name directories
/// of the shard's runner. Catches a shard job whose matrix.toml (or command line) changed
/// how a target is built, which the project facts cannot show.
fn check_command(
    shard: &Shard,
    target: &ManifestTarget,
    planned: &PlannedEntry<'_>,
) -> Result<(), MergeError> {
    let (Some(argv), Some(built)) = (planned.argv, target.commands.last()) else {
        return Ok(());
    };
    let (planned_args, built_args) = (build_arguments(argv), build_arguments(built));
    if planned_args != built_args {
        return Err(MergeError::CommandMismatch {
            id: target.id.clone(),
            dir: shard.dir.clone(),
            built: built_args.join(" "),
            planned: planned_args.join(" "),
        });
    }
    Ok(())
}

/// A `go build` command line without what depends on the machine: the go executable and
/// the value of `-o`.
fn build_arguments(argv: &[String]) -> Vec<&str> {
    let mut arguments = Vec::new();
    let mut rest = argv.iter().skip(1);
    while let Some(argument) = rest.next() {
        if argument == "-o" {
            rest.next();
        } else if !argument.starts_with("-o=") {
            arguments.push(argument.as_str());
        }
    }
    arguments
}

/// The first half of [`MergeError::PackagingMismatch`]: what the shard has.
fn found_file(dir: &Path, role: FileRole, id: &str, found: Option<&str>) -> String {
    match found {
        Some(path) => format!("{} has the {role} of {id} at {path:?}", dir.display()),
        None => format!("{} has no {role} of {id}", dir.display()),
    }
}

/// The second half of [`MergeError::PackagingMismatch`]: what the plan wants.
fn planned_file(planned: Option<&str>) -> String {
    match planned {
        Some(path) => format!("puts it at {path:?}"),
        None => "has none".to_owned(),
    }
}

/// Refuses an output that is one of the inputs. (An input given twice is caught as
/// duplicate targets, which names them.)
fn check_distinct(inputs: &[PathBuf], out: &Path) -> Result<(), MergeError> {
    // canonicalize fails for a directory that does not exist yet: then it is no input.
    let Ok(out_real) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    for dir in inputs {
        if std::fs::canonicalize(dir).is_ok_and(|real| real == out_real) {
            return Err(MergeError::OutIsInput {
                out: out.to_owned(),
            });
        }
    }
    Ok(())
}

fn read_shard(dir: &Path) -> Result<Shard, MergeError> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| MergeError::ReadManifest {
        path: path.clone(),
        source,
    })?;
    // The version first, so a future manifest gets a version error rather than a parse error.
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|value| value.get("schema_version")?.as_u64());
    if let Some(found) = version
        && found != u64::from(MANIFEST_SCHEMA_VERSION)
    {
        return Err(MergeError::SchemaVersion {
            path,
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    let manifest =
        serde_json::from_str(&text).map_err(|source| MergeError::ParseManifest { path, source })?;
    Ok(Shard {
        dir: dir.to_owned(),
        manifest,
    })
}

/// What makes two shards parts of one release.
fn identity(manifest: &Manifest) -> [(&'static str, String); 8] {
    [
        ("project", manifest.project.name.clone()),
        ("main package", manifest.project.main.clone()),
        ("version", manifest.project.version.clone()),
        ("commit", manifest.project.commit.clone()),
        ("date", manifest.project.date.clone()),
        ("crosscheck version", manifest.crosscheck_version.clone()),
        ("Go version", manifest.go_version.clone()),
        ("matrix file", manifest.matrix_file.clone()),
    ]
}

fn check_same_build(shards: &[Shard]) -> Result<(), MergeError> {
    let first = &shards[0];
    let expected = identity(&first.manifest);
    for other in &shards[1..] {
        for ((what, first_value), (_, other_value)) in
            expected.iter().zip(identity(&other.manifest))
        {
            if *first_value != other_value {
                return Err(MergeError::ShardsDisagree {
                    what,
                    first_dir: first.dir.clone(),
                    first_value: first_value.clone(),
                    other_dir: other.dir.clone(),
                    other_value,
                });
            }
        }
    }
    Ok(())
}

/// The shards agree with each other; one of them stands for all against the plan.
fn check_against_plan(shard: &Shard, plan: &Plan) -> Result<(), MergeError> {
    let manifest = &shard.manifest;
    let mut pairs = vec![
        ("project", &manifest.project.name, &plan.project.name),
        ("main package", &manifest.project.main, &plan.project.main),
        (
            "version",
            &manifest.project.version,
            &plan.project.vcs.version,
        ),
        ("commit", &manifest.project.commit, &plan.project.vcs.commit),
        ("matrix file", &manifest.matrix_file, &plan.matrix_file),
    ];
    // Offline, the plan's Go version is the embedded catalog's, not the toolchain's.
    if plan.go.catalog != CatalogSource::EmbeddedSnapshot {
        pairs.push(("Go version", &manifest.go_version, &plan.go.version));
    }
    for (what, shard_value, plan_value) in pairs {
        if shard_value != plan_value {
            return Err(MergeError::NotThisPlan {
                what,
                dir: shard.dir.clone(),
                shard_value: shard_value.clone(),
                plan_value: plan_value.clone(),
            });
        }
    }
    Ok(())
}

/// What tells two copies of a target apart in an error.
fn digest(target: &ManifestTarget) -> String {
    match (&target.sha256, target.status) {
        (Some(sha256), Status::Built) => format!("sha256 {sha256}"),
        _ => target.status.as_str().to_owned(),
    }
}

/// A path a manifest may name: inside the directory ([`dist::stays_inside`]), written
/// canonically (no empty or `.` parts), and none of crosscheck's own files.
fn is_safe_relative(path: &str) -> bool {
    let canonical = path.split('/').all(|part| !part.is_empty() && part != ".");
    let own = path.split('/').next() == Some(STATE_DIR)
        || [MANIFEST_FILE, CHECKSUMS_FILE].contains(&path);
    dist::stays_inside(path) && canonical && !own
}

/// Carries out `plan` under the lock of `out`: copies and verifies every file, then writes
/// the manifest and checksums. On any error the files already in `out` stay as they were.
pub fn execute(
    plan: &MergePlan,
    out: &Path,
    lock: LockPolicy,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<MergeSummary, MergeError> {
    let _lock = dist::lock_blocking(out, lock, on_wait)?;
    let staging = out.join(STATE_DIR).join(MERGE_STAGING_DIR);
    remove_dir(&staging)?;
    let result = stage_and_place(plan, out, &staging);
    // The staging area is empty on success; after a failure it holds unverified copies.
    let cleaned = remove_dir(&staging);
    let summary = result?;
    cleaned?;
    Ok(summary)
}

fn stage_and_place(
    plan: &MergePlan,
    out: &Path,
    staging: &Path,
) -> Result<MergeSummary, MergeError> {
    std::fs::create_dir_all(staging).map_err(write_error("create", staging))?;
    let mut staged = Vec::with_capacity(plan.copies.len());
    for (index, copy) in plan.copies.iter().enumerate() {
        let temp = staging.join(index.to_string());
        let artifact = copy_verified(copy, &temp, out)?;
        staged.push((temp, artifact));
    }
    // Everything verified: now the output changes. The old manifest, checksums and their
    // signatures go first, so that none ever describes files this merge is replacing.
    let signatures =
        [ChecksumSignatureKind::Minisign, ChecksumSignatureKind::Gpg].map(|k| k.file_name());
    for name in [MANIFEST_FILE, CHECKSUMS_FILE]
        .into_iter()
        .chain(signatures)
    {
        let path = out.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(write_error("remove the previous", &path)(source)),
        }
    }
    std::fs::create_dir_all(out.join(LOGS_DIR)).map_err(write_error("create", out))?;
    let mut files = Vec::with_capacity(staged.len());
    let mut checksummed = Vec::new();
    for ((temp, artifact), copy) in staged.into_iter().zip(&plan.copies) {
        if let Some(parent) = artifact.path.parent() {
            std::fs::create_dir_all(parent).map_err(write_error("create", parent))?;
        }
        std::fs::rename(&temp, &artifact.path)
            .map_err(write_error("move into place", &artifact.path))?;
        if copy.file.checksummed {
            checksummed.push(artifact.clone());
        }
        files.push(artifact);
    }
    dist::write_checksums(out, &checksummed)?;
    let mut manifest = plan.manifest.clone();
    if let Some(signing) = &plan.signing {
        let comment = trusted_comment(
            &manifest.project.name,
            &manifest.project.version,
            &manifest.crosscheck_version,
        );
        manifest.checksum_signatures = sign_checksums(signing, &comment, out)?;
    }
    dist::write_manifest(out, &manifest)?;
    Ok(MergeSummary {
        manifest,
        files,
        checksummed: checksummed.len(),
    })
}

/// Copies one file to `temp`, hashing as it goes, and checks it against its manifest. The
/// copy keeps the source's permissions and mtime (the build's reproducible date).
fn copy_verified(copy: &FileCopy, temp: &Path, out: &Path) -> Result<Artifact, MergeError> {
    let source_path = copy.shard_dir.join(&copy.file.path);
    let read_error = |source| MergeError::ReadFile {
        id: copy.target.clone(),
        role: copy.file.role,
        path: source_path.clone(),
        source,
    };
    let mut source = File::open(&source_path).map_err(read_error)?;
    let metadata = source.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(read_error(std::io::Error::other("not a regular file")));
    }
    let mut target = File::create(temp).map_err(write_error("create", temp))?;
    let mut digest = StreamDigest::default();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = source.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        digest.update(&buffer[..n]);
        target
            .write_all(&buffer[..n])
            .map_err(write_error("write", temp))?;
    }
    let (size, sha256) = digest.finish();
    let mismatch = |what, expected: String, actual: String| MergeError::Mismatch {
        id: copy.target.clone(),
        role: copy.file.role,
        path: source_path.clone(),
        what,
        expected,
        actual,
    };
    if let Some(expected) = &copy.file.sha256
        && *expected != sha256
    {
        return Err(mismatch("sha256", expected.clone(), sha256));
    }
    if let Some(expected) = copy.file.size
        && expected != size
    {
        return Err(mismatch("size", expected.to_string(), size.to_string()));
    }
    target
        .set_permissions(metadata.permissions())
        .map_err(write_error("set permissions of", temp))?;
    if let Ok(modified) = metadata.modified() {
        target
            .set_times(std::fs::FileTimes::new().set_modified(modified))
            .map_err(write_error("set the time of", temp))?;
    }
    Ok(Artifact {
        path: out.join(&copy.file.path),
        relative: copy.file.path.clone(),
        size,
        sha256,
    })
}

fn remove_dir(dir: &Path) -> Result<(), MergeError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(write_error("clean", dir)(source)),
    }
}

fn write_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> MergeError {
    let path = path.to_owned();
    move |source| MergeError::Write {
        action,
        path,
        source,
    }
}

/// [`plan_merge`], then [`execute`].
pub fn merge(
    request: &MergeRequest<'_>,
    lock: LockPolicy,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<MergeSummary, MergeError> {
    let plan = plan_merge(request)?;
    execute(&plan, request.out, lock, on_wait)
}

#[cfg(test)]
mod tests {
    #[test]
    fn build_arguments_leave_out_the_executable_and_the_output() {
        let argv: Vec<String> = [
            "/usr/bin/go",
            "build",
            "-trimpath",
            "-o",
            "/a/dist/x",
            "-ldflags=-s",
            ".",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            build_arguments(&argv),
            ["build", "-trimpath", "-ldflags=-s", "."]
        );
        let other: Vec<String> = ["go", "build", "-trimpath", "-o=/b/x", "-ldflags=-s", "."]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(build_arguments(&argv), build_arguments(&other));
    }

    use super::*;

    #[test]
    fn safe_paths_stay_inside_and_off_crosschecks_files() {
        for ok in [
            "hello_linux_amd64",
            "logs/linux_amd64.log",
            "sub/dir/app.exe",
        ] {
            assert!(is_safe_relative(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../outside",
            "logs/../../x",
            "./app",
            ".crosscheck/lock",
            "manifest.json",
            "SHA256SUMS",
        ] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }
}
