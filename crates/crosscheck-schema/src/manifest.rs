//! `dist/manifest.json`: what a build run produced, for release pipelines, and the words it
//! is written in ([`Status`], [`FailureKind`], [`ResolvedCc`], [`Reproduction`]). The
//! executor records a run in it, the release stage adds packages and merges shards' copies,
//! reporters render it. Documented in `docs/manifest.md`; its JSON schema
//! ([`manifest_schema`]) is derived from these types.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inspection::Inspection;

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
    /// The detached signatures of `SHA256SUMS` written after it (`[sign]` `minisign`,
    /// `gpg`); empty when it is not signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checksum_signatures: Vec<crate::ChecksumSignature>,
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
    /// The canonical target id, e.g. `linux/arm64+cgo.musl` (`server:linux/arm64+cgo.musl`
    /// when the project has several binaries).
    pub id: String,
    /// The `[[binary]]` it is a build of, when the project has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
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
    pub failure: Option<Failure>,
    /// What the inspector found (absent until an inspector runs).
    pub inspection: Option<Inspection>,
    /// The second build's comparison; absent unless `--verify-reproducible` was given and
    /// the target was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<Reproduction>,
    /// The smoke run's outcome; absent unless `build --smoke` (or `[smoke] enabled`) ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke: Option<crate::SmokeResult>,
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
    /// The Linux packages made from the artifact (`[packages]`), each read back and checked
    /// after writing; absent when none was planned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<crate::ManifestLinuxPackage>,
    /// How the artifact was signed (`[sign]`) before it was inspected and hashed; absent
    /// when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<crate::CodeSigned>,
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

/// The manifest's JSON schema (draft 2020-12).
pub fn manifest_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default()
}

/// How a target ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Built; the artifact is in the dist directory.
    Built,
    /// Checked (`crosscheck check`): compiled without errors.
    Checked,
    /// The build failed.
    Failed,
    /// Never started (fail-fast or interrupted).
    Skipped,
    /// Stopped while running (fail-fast or interrupted).
    Cancelled,
}

// One type for a live run's results and the manifest alike. The doc comments are the
// published schema's descriptions, and it has always called the type `ManifestFailure`.
/// Why a target failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "ManifestFailure")]
pub struct Failure {
    /// The classified cause.
    pub kind: FailureKind,
    /// One line on what happened.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Status {
    /// The word for it in JSON, tables, JUnit and messages: `built`, `checked`, `failed`,
    /// `skipped`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Built => "built",
            Status::Checked => "checked",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
        }
    }

    /// Whether the target did what was asked (built, or checked).
    pub fn succeeded(self) -> bool {
        matches!(self, Status::Built | Status::Checked)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Milliseconds in a duration as the manifest records it, saturating at `u64::MAX`.
pub fn duration_ms(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Why a target failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A cgo target without a C compiler.
    NoCCompiler,
    /// cgo is not available for the port.
    CgoUnsupported,
    /// Names undefined for this GOOS/GOARCH: a file is excluded by build constraints.
    BuildConstraints,
    /// Modules could not be downloaded.
    Network,
    /// Killed by SIGKILL from outside, most likely the OOM killer.
    OutOfMemory,
    /// No space left on the device.
    DiskFull,
    /// Go does not know the GOOS/GOARCH pair.
    UnsupportedPort,
    /// The per-target time limit ran out.
    Timeout,
    /// The command could not be started.
    CannotStart,
    /// The artifact could not be moved into the dist directory.
    Io,
    /// Compiler or linker errors not classified further.
    Build,
    /// The artifact was built but could not be packaged (archive, universal binary).
    Package,
    /// Tests failed (`crosscheck test`): a test, or a test binary that ended badly.
    Tests,
    /// An `after_build` hook of `[hooks]` failed, timed out or could not start.
    Hook,
    /// Signing the artifact (`[sign]`) failed: a missing key or tool, or the signing tool
    /// failed, timed out or could not start.
    Sign,
}

/// The C compiler a cgo target builds with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResolvedCc {
    /// What chose it.
    pub kind: CcKind,
    /// The `CC` value (Go splits it into words with shell-like quoting).
    pub cc: String,
    /// The `CXX` value, if any.
    pub cxx: Option<String>,
    /// How it was found, for people: e.g. `zig 0.14.0 (zig on PATH)`.
    pub via: String,
}

/// What chose a target's C compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CcKind {
    /// `cc` in matrix.toml.
    Configured,
    /// `zig cc -target <triple>`.
    Zig,
    /// A cross gcc found on PATH.
    CrossGcc,
}

/// The outcome of building a target a second time and comparing the artifacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reproduction {
    /// Whether the second build produced exactly the same bytes.
    pub verified: bool,
    /// The second artifact's size in bytes (when it was built).
    pub size: Option<u64>,
    /// Where the two artifacts first differ (when they differ).
    pub first_difference: Option<Difference>,
    /// How many bytes differ: positions both files have whose bytes differ, plus the length
    /// one file has beyond the other.
    pub differing_bytes: Option<u64>,
    /// The second artifact's size minus the first's.
    pub size_difference: Option<i64>,
    /// Why the comparison could not be made (the copy or the second build failed).
    pub error: Option<String>,
    /// What usually causes such a difference or failure.
    pub hint: Option<String>,
    /// Wall-clock time of the second build, in milliseconds.
    pub duration_ms: u64,
}

/// Where two artifacts first differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Difference {
    /// The file offset of the first differing byte.
    pub offset: u64,
    /// The section (or segment, or header) holding it, e.g. `.go.buildinfo`, when the
    /// inspector could tell.
    pub section: Option<String>,
    /// The offset within that section.
    pub section_offset: Option<u64>,
}
