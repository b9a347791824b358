//! `dist/manifest.json`: what a build run produced, for release pipelines. Documented in
//! `docs/manifest.md`; its JSON schema ([`manifest_schema`]) is derived from these types.

use std::collections::BTreeMap;

use crosscheck_planner::Plan;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::classify::FailureKind;
use crate::event::{Status, TargetResult};
use crate::inspect::Inspection;
use crate::prepare::PreparedTarget;
use crate::reproduce::Reproduction;
use crate::toolchain::ResolvedCc;

/// The version of the manifest's shape; bumped on any incompatible change.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// The manifest.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    /// The version of this file's shape, 1; bumped on any incompatible change.
    pub schema_version: u32,
    /// The crosscheck that wrote it.
    pub crosscheck_version: String,
    /// The Go toolchain, e.g. `go1.26.8`.
    pub go_version: String,
    /// The Go command.
    pub go_command: String,
    /// The matrix file the plan came from.
    pub matrix_file: String,
    /// What was built.
    pub project: ManifestProject,
    /// Whether Ctrl-C or SIGTERM stopped the run (some targets are then `cancelled` or
    /// `skipped`).
    pub interrupted: bool,
    /// The part of the selection this run built, `I/N`, when `--shard` was given.
    #[serde(default)]
    pub shard: Option<String>,
    /// The shard dist directories `crosscheck merge` combined into this one; empty for a
    /// build.
    #[serde(default)]
    pub merged_from: Vec<MergedShard>,
    /// Every planned target, in plan order.
    pub targets: Vec<ManifestTarget>,
}

/// One shard dist directory a merged manifest came from.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct MergedShard {
    /// The directory as given to `crosscheck merge`.
    pub dir: String,
    /// Its manifest's `shard` (`I/N`), when it recorded one.
    pub shard: Option<String>,
    /// The ids of the targets taken from it, in plan order.
    pub targets: Vec<String>,
}

/// The project as built.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ManifestProject {
    /// Binary name.
    pub name: String,
    /// The main package.
    pub main: String,
    /// `{version}`.
    pub version: String,
    /// `{commit}`.
    pub commit: String,
    /// `{date}`, RFC 3339.
    pub date: String,
    /// The same date in seconds since 1970: every artifact's mtime.
    pub date_epoch: i64,
}

/// One target.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ManifestTarget {
    /// The canonical target id, e.g. `linux/arm64+cgo.musl`.
    pub id: String,
    /// GOOS.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
    /// The sub-architecture variable and value, e.g. `{"var": "GOARM", "value": "7"}`.
    pub variant: Option<ManifestVariant>,
    /// CGO_ENABLED.
    pub cgo: bool,
    /// libc of linux cgo targets: `gnu`, `gnu2.17`, `musl`.
    pub libc: Option<String>,
    /// The exact Go toolchain that built it, e.g. `go1.25.7`: the release of the matrix's
    /// `go` axis (set as `GOTOOLCHAIN`), else the top-level `go_version`.
    pub go_version: String,
    /// The artifact's path relative to the dist directory (where it is when `built`).
    pub path: String,
    /// Size in bytes (built only).
    pub size: Option<u64>,
    /// SHA-256, lowercase hex (built only).
    pub sha256: Option<String>,
    /// How the target ended.
    pub status: Status,
    /// Build time in milliseconds.
    pub duration_ms: u64,
    /// The exact command lines, in order.
    pub commands: Vec<Vec<String>>,
    /// The working directory.
    pub cwd: String,
    /// The complete environment the commands saw, secrets redacted.
    pub env: BTreeMap<String, String>,
    /// The C compiler of a cgo target.
    pub c_compiler: Option<ResolvedCc>,
    /// The log, relative to the dist directory.
    pub log: Option<String>,
    /// Why it failed.
    pub failure: Option<ManifestFailure>,
    /// What the inspector found (absent until an inspector runs).
    pub inspection: Option<Inspection>,
    /// The second build's comparison; absent unless `--verify-reproducible` was given and
    /// the target was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<Reproduction>,
    /// The archive the artifact was packed into (absent when `archive = "none"` or when
    /// nothing was built).
    #[serde(default)]
    pub archive: Option<ManifestFile>,
    /// For a universal binary (`darwin/universal`): the ids of the thin targets whose
    /// artifacts are its slices, amd64 first. Absent for ordinary targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universal_inputs: Option<Vec<String>>,
    /// The CycloneDX 1.5 JSON SBOM written beside the artifact, `<path>.cdx.json` (absent
    /// with `sbom = false` and when nothing was built; a universal binary's is made from its
    /// slices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom: Option<ManifestFile>,
}

/// A file the release stage wrote beside an artifact (an archive, an SBOM).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ManifestFile {
    /// Path relative to the dist directory.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// What kind of file, e.g. `tar.gz` or `zip` for archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A sub-architecture setting.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ManifestVariant {
    /// The variable, e.g. `GOARM`.
    pub var: String,
    /// Its value.
    pub value: String,
}

/// Why a target failed.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ManifestFailure {
    /// The classified cause.
    pub kind: FailureKind,
    /// One line on what happened.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Manifest {
    /// The manifest of a finished run.
    ///
    /// `results` holds one entry per planned target, in plan order; `interrupted` starts
    /// false and is the caller's to set.
    pub fn new(plan: &Plan, prepared: &[PreparedTarget], results: &[TargetResult]) -> Manifest {
        let targets = plan
            .targets
            .iter()
            .zip(prepared)
            .zip(results)
            .map(|((planned, prepared), result)| ManifestTarget {
                id: planned.id.to_string(),
                goos: planned.goos.clone(),
                goarch: planned.goarch.clone(),
                variant: planned.variant.as_ref().map(|v| ManifestVariant {
                    var: v.var.clone(),
                    value: v.value.clone(),
                }),
                cgo: planned.cgo,
                libc: planned.libc.clone(),
                go_version: planned
                    .go
                    .as_ref()
                    .map_or_else(|| plan.go.version.clone(), |go| go.toolchain.clone()),
                path: planned.output.clone(),
                size: result.artifact.as_ref().map(|a| a.size),
                sha256: result.artifact.as_ref().map(|a| a.sha256.clone()),
                status: result.status,
                duration_ms: u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX),
                commands: prepared.commands.clone(),
                cwd: prepared.cwd.to_string_lossy().into_owned(),
                env: crate::env::redact(&prepared.env),
                c_compiler: prepared.c_compiler.clone(),
                log: result
                    .log
                    .as_ref()
                    .map(|_| format!("{}/{}.log", crate::dist::LOGS_DIR, planned.slug)),
                failure: result.failure.as_ref().map(|f| ManifestFailure {
                    kind: f.kind,
                    message: f.message.clone(),
                    hint: f.hint.clone(),
                }),
                inspection: result.inspection.clone(),
                reproducible: result.reproducible.clone(),
                archive: None,
                universal_inputs: None,
                sbom: None,
            })
            .collect();
        Manifest {
            schema_version: MANIFEST_SCHEMA_VERSION,
            crosscheck_version: plan.crosscheck_version.clone(),
            go_version: plan.go.version.clone(),
            go_command: plan.go.command.clone(),
            matrix_file: plan.matrix_file.clone(),
            project: ManifestProject {
                name: plan.project.name.clone(),
                main: plan.project.main.clone(),
                version: plan.project.vcs.version.clone(),
                commit: plan.project.vcs.commit.clone(),
                date: plan.project.vcs.date.clone(),
                date_epoch: plan.project.vcs.date_epoch,
            },
            interrupted: false,
            shard: plan.selection.shard.map(|shard| shard.to_string()),
            merged_from: Vec::new(),
            targets,
        }
    }
}

/// The manifest's JSON schema (draft 2020-12).
pub fn manifest_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default()
}
