//! The plan: every target and build step, decided before any process starts.
//!
//! The planner (`crosscheck-planner`) makes a [`Plan`]; `crosscheck plan --format json`
//! prints it (documented in `docs/plan.md`); the executor runs it and the release stage
//! packages what it names. Nothing here decides anything: these are the records the stages
//! exchange.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::go::PlannedGo;
use crate::policy::Policy;
use crate::suggest::closest;
use crate::target::Target;

/// The version of the plan's JSON shape; bumped on any incompatible change.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// Where staged outputs go inside the dist directory before they are renamed into place.
pub const STAGING_DIR: &str = ".crosscheck/staging";

/// A complete plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The crosscheck that made the plan.
    pub crosscheck_version: String,
    /// The matrix file (or `<built-in default matrix>`).
    pub matrix_file: String,
    /// The Go toolchain.
    pub go: GoInfo,
    /// What is built and its version stamps.
    pub project: ProjectInfo,
    /// The dist directory, absolute.
    pub dist_dir: String,
    /// Variables of the caller's environment that builds may see besides the allowlist.
    pub pass_env: Vec<String>,
    /// The command-line selection.
    pub selection: SelectionInfo,
    /// The selected targets, in matrix order.
    pub targets: Vec<PlannedTarget>,
    /// How many targets the matrix has before selection.
    pub matrix_size: usize,
    /// Equivalent targets that were merged.
    pub collapsed: Vec<Collapsed>,
    /// Combinations of the axes that Go cannot build.
    pub skipped: Vec<Skipped>,
    /// Non-fatal findings, rendered.
    pub warnings: Vec<String>,
    /// macOS universal binaries assembled after the builds (`universal = true`), each only
    /// when the selection kept all of its inputs.
    #[serde(default)]
    pub universal: Vec<PlannedUniversal>,
    /// Whether each built artifact gets a CycloneDX SBOM, `<output>.cdx.json` (`sbom`,
    /// default true).
    #[serde(default = "sbom_default")]
    pub sbom: bool,
    /// The `before` and `after` commands of `[hooks]`, rendered; absent without them.
    #[serde(default, skip_serializing_if = "PlannedHooks::is_empty")]
    pub hooks: PlannedHooks,
    /// `[sign]`: the keys that sign `SHA256SUMS` and the code-signing settings, named by
    /// environment variables (never their values); absent without the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<crate::PlannedSigning>,
}

/// A hook command: its argv, placeholders filled in. It runs as written, never through a
/// shell.
pub type HookCommand = Vec<String>;

/// The hooks that run once per run (`[hooks]` `before` and `after`), rendered. The
/// `after_build` hooks are per target: [`PlannedTarget::after_build`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedHooks {
    /// Run in order in the module directory before any build starts (`build`, `check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<HookCommand>,
    /// Run in order in the module directory once every target has ended and dist is
    /// written (`build` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<HookCommand>,
}

impl PlannedHooks {
    /// Whether there is no hook to run.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }
}

/// Which of `[hooks]` a command comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    /// Once, before any build.
    Before,
    /// After each target's build, before its artifact is hashed and inspected.
    AfterBuild,
    /// Once, at the end.
    After,
}

impl HookKind {
    /// The key in `[hooks]`.
    pub fn key(self) -> &'static str {
        match self {
            HookKind::Before => "before",
            HookKind::AfterBuild => "after_build",
            HookKind::After => "after",
        }
    }
}

fn sbom_default() -> bool {
    true
}

/// The Go toolchain a plan was made for.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GoInfo {
    /// The command.
    pub command: String,
    /// Its version.
    pub version: String,
    /// Where the target catalog came from.
    pub catalog: CatalogSource,
    /// The Go releases of the matrix's `go` axis, in file order, each with the exact
    /// toolchain that builds it; empty (and not serialised) without the axis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub axis: Vec<PlannedGo>,
}

/// The project as planned.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProjectInfo {
    /// Binary name.
    pub name: String,
    /// Module directory, absolute.
    pub module_dir: String,
    /// Main package.
    pub main: String,
    /// Version stamps.
    pub vcs: VcsInfo,
    /// The binaries of `[[binary]]`, in file order; empty (and not serialised) when the
    /// project is one binary, `name` built from `main`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binaries: Vec<PlannedBinary>,
}

/// One binary of a project with several (`[[binary]]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedBinary {
    /// Its name: the prefix of its builds' ids when there are several.
    pub name: String,
    /// `{binary}`: the file name of its artifacts, without `.exe`.
    pub file_name: String,
    /// Its main package, relative to the module directory.
    pub main: String,
}

/// The selection as requested.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SelectionInfo {
    /// `--target` globs.
    pub targets: Vec<String>,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
    /// `--shard`.
    pub shard: Option<Shard>,
    /// `--binary` names (every binary when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binaries: Vec<String>,
}

/// One target of the plan, with everything needed to build it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlannedTarget {
    /// The canonical id.
    pub id: Target,
    /// Filename-safe id.
    pub slug: String,
    /// GOOS.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
    /// The sub-architecture variable and its effective value (Go's default when unset).
    pub variant: Option<VariantSetting>,
    /// CGO_ENABLED.
    pub cgo: bool,
    /// libc of linux cgo targets (`gnu`, `gnu2.17`, `musl`).
    pub libc: Option<String>,
    /// Whether Go treats the port as first class.
    pub first_class: bool,
    /// Output path relative to the dist directory.
    pub output: String,
    /// Where `go build -o` writes, absolute; the executor renames it to `output` on success.
    pub staging_output: String,
    /// The working directory of the build (the module directory).
    pub cwd: String,
    /// The exact argv.
    pub argv: Vec<String>,
    /// The environment the plan sets; the executor adds only its documented allowlist.
    pub env: BTreeMap<String, String>,
    /// What the machine needs to build this target.
    pub requirements: Vec<Requirement>,
    /// The policy its artifact must satisfy: `[policy]` with matching overrides applied.
    pub policy: Policy,
    /// The 1-based shard this target belongs to when the plan was sharded.
    pub shard: Option<u32>,
    /// The archive its artifact is packed into after the build (`archive = "none"`: none).
    #[serde(default)]
    pub archive: Option<PlannedArchive>,
    /// The Go release of the matrix's `go` axis that builds this target (also in `env`
    /// as `GOTOOLCHAIN`); absent without the axis, when the plan's `go` builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go: Option<PlannedGo>,
    /// The command that runs this target's binaries, from `runner` in a matching
    /// `[[override]]`: words with the target's placeholders filled in and `{path}` left for
    /// the binary. Absent when crosscheck picks the runner itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<Vec<String>>,
    /// The smoke run after the build (`build --smoke`, `[smoke]`); absent when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke: Option<crate::PlannedSmoke>,
    /// The `after_build` hooks of `[hooks]`, rendered for this target (`{path}` is the
    /// artifact's absolute path in dist); they run after the artifact is moved into place,
    /// before it is hashed and inspected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_build: Vec<HookCommand>,
    /// The Linux packages made from its artifact (`[packages]`), one per format; empty for
    /// non-linux targets and without `[packages]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<crate::PlannedLinuxPackage>,
    /// How the artifact is signed after its `after_build` hooks and before it is
    /// inspected and hashed (`[sign]`); absent when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<crate::PlannedCodeSign>,
}

/// A sub-architecture setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSetting {
    /// The variable, e.g. `GOARM`.
    pub var: String,
    /// The value, e.g. `7`.
    pub value: String,
    /// Whether the matrix chose it (false: Go's default).
    pub explicit: bool,
}

/// Something a target needs beyond Go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// A C compiler for the target.
    CCompiler {
        /// The compiler the config sets, if any.
        configured: Option<String>,
        /// The `zig cc -target` triple, when zig can do it.
        zig_target: Option<String>,
        /// A Debian cross compiler that can stand in: command and package.
        debian: Option<(String, String)>,
    },
    /// An Apple SDK (darwin cgo targets).
    MacosSdk {
        /// The SDK path from the config or SDKROOT.
        path: String,
    },
}

impl Requirement {
    /// A short description for tables.
    pub fn summary(&self) -> String {
        match self {
            Requirement::CCompiler {
                configured: Some(cc),
                ..
            } => format!("cc: {cc}"),
            Requirement::CCompiler {
                zig_target: Some(triple),
                ..
            } => format!("C compiler for {triple}"),
            Requirement::CCompiler { .. } => "a C compiler (set cc)".to_owned(),
            Requirement::MacosSdk { .. } => "Apple SDK".to_owned(),
        }
    }
}
/// Where a catalog came from, so that a plan can say how far to trust it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogSource {
    /// Just asked the toolchain.
    Toolchain,
    /// Read from the per-version cache written by an earlier run.
    Cache,
    /// The snapshot compiled into crosscheck (`--offline`).
    EmbeddedSnapshot,
}
/// A target that was the same build as an earlier one and was merged into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collapsed {
    /// What was asked for, e.g. `linux/amd64 (libc musl)`.
    pub requested: String,
    /// The target it is the same build as.
    pub into: String,
    /// Why the two are the same build.
    pub reason: String,
}

/// A combination of axes that Go cannot build, left out of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The combination, e.g. `darwin/386`.
    pub requested: String,
    /// Why it was left out.
    pub reason: String,
}
/// One of N deterministic, balanced parts of a selection (`--shard I/N`, 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which part, from 1 to `count`.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

/// A `--shard` value that is not `I/N` with 1 ≤ I ≤ N.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid shard {0:?} (hint: write I/N with 1 <= I <= N, e.g. --shard 2/3)")]
pub struct ShardError(pub String);

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let error = || ShardError(text.to_owned());
        let (index, count) = text.split_once('/').ok_or_else(error)?;
        let index: u32 = index.trim().parse().map_err(|_| error())?;
        let count: u32 = count.trim().parse().map_err(|_| error())?;
        if index == 0 || count == 0 || index > count {
            return Err(error());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
/// Version stamps for templates, and where each came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VcsInfo {
    /// `git describe --tags --dirty` without a leading `v`, or an override, or `0.0.0-dev`.
    pub version: String,
    /// The full commit hash, or an override, or `unknown`.
    pub commit: String,
    /// RFC 3339 UTC date.
    pub date: String,
    /// The same date as seconds since 1970, for artifact mtimes.
    pub date_epoch: i64,
    /// Where the date came from: `override`, `SOURCE_DATE_EPOCH`, `commit` or `now`.
    pub date_source: String,
}

impl VcsInfo {
    /// Fixed values, for tests and offline planning.
    pub fn fixed(version: &str, commit: &str, date_epoch: i64) -> VcsInfo {
        VcsInfo {
            version: version.to_owned(),
            commit: commit.to_owned(),
            date: format_epoch(date_epoch),
            date_epoch,
            date_source: "override".to_owned(),
        }
    }

    /// The first 12 characters of the commit.
    pub fn short_commit(&self) -> &str {
        let end = self
            .commit
            .char_indices()
            .nth(12)
            .map_or(self.commit.len(), |(i, _)| i);
        &self.commit[..end]
    }
}

/// A time in seconds since 1970 as the RFC 3339 UTC date of `{date}` (`2026-01-31T12:00:00Z`).
pub fn format_epoch(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}
/// How a target's artifact is archived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveFormat {
    /// A gzip-compressed ustar archive (the default, except for windows).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// A zip archive (the default for windows).
    #[serde(rename = "zip")]
    Zip,
    /// No archive.
    #[serde(rename = "none")]
    None,
}

impl ArchiveFormat {
    /// The spellings matrix.toml accepts.
    pub const NAMES: [&'static str; 3] = ["tar.gz", "zip", "none"];

    /// The format a target gets when the config names none: zip for windows, where users
    /// open archives with Explorer, tar.gz everywhere else.
    pub fn default_for(goos: &str) -> ArchiveFormat {
        if goos == "windows" {
            ArchiveFormat::Zip
        } else {
            ArchiveFormat::TarGz
        }
    }

    /// The file extension, dot included (empty for [`ArchiveFormat::None`]).
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => ".tar.gz",
            ArchiveFormat::Zip => ".zip",
            ArchiveFormat::None => "",
        }
    }

    /// The name as written in matrix.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::None => "none",
        }
    }
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ArchiveFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<ArchiveFormat, String> {
        match text {
            "tar.gz" | "tgz" => Ok(ArchiveFormat::TarGz),
            "zip" => Ok(ArchiveFormat::Zip),
            "none" => Ok(ArchiveFormat::None),
            other => {
                let hint = match closest(other, ArchiveFormat::NAMES) {
                    Some(suggestion) => format!("did you mean \"{suggestion}\"?"),
                    None => "use \"tar.gz\", \"zip\" or \"none\"".to_owned(),
                };
                Err(format!("unknown archive format {other:?} (hint: {hint})"))
            }
        }
    }
}

/// One archive to write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedArchive {
    /// Its format (never [`ArchiveFormat::None`]).
    pub format: ArchiveFormat,
    /// Its path relative to the dist directory, extension included.
    pub path: String,
    /// The binary's name inside the archive, e.g. `hello` or `hello.exe`.
    pub binary: String,
    /// The other builds whose binaries go into the same archive (builds of one target
    /// whose archive names render alike, by default every binary of the target), in plan
    /// order; empty for an archive of one binary. Each member lists the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<ArchivedBinary>,
    /// The extra files, in archive order (sorted by name).
    pub files: Vec<ArchiveFile>,
}

/// A binary of another build in a shared archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedBinary {
    /// The build's id, e.g. `client:linux/amd64`.
    pub id: String,
    /// Its name inside the archive, e.g. `client.exe`.
    pub name: String,
}

/// An extra file of an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFile {
    /// Where it is read from, absolute.
    pub source: String,
    /// Its name inside the archive: its path relative to the module directory.
    pub name: String,
}

/// A macOS universal (fat) binary assembled from thin darwin builds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUniversal {
    /// Its id in the manifest: `darwin/universal` (`darwin/universal+cgo` for cgo inputs,
    /// `server:darwin/universal` for a binary of several).
    pub id: String,
    /// The `[[binary]]` it is made of, when the project has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
    /// Filename-safe id, `darwin_universal`.
    pub slug: String,
    /// The ids of the thin targets it is made of, amd64 first.
    pub inputs: Vec<String>,
    /// Whether the inputs were built with cgo.
    pub cgo: bool,
    /// Its path relative to the dist directory.
    pub output: String,
    /// Its archive, if any.
    pub archive: Option<PlannedArchive>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_with_suggestions() {
        assert_eq!("zip".parse::<ArchiveFormat>(), Ok(ArchiveFormat::Zip));
        assert_eq!("tar.gz".parse::<ArchiveFormat>(), Ok(ArchiveFormat::TarGz));
        let error = "tar.bz2".parse::<ArchiveFormat>().unwrap_err();
        assert!(error.contains("did you mean \"tar.gz\"?"), "{error}");
        assert_eq!(ArchiveFormat::default_for("windows"), ArchiveFormat::Zip);
        assert_eq!(ArchiveFormat::default_for("linux"), ArchiveFormat::TarGz);
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn short_commit_and_dates() {
        let vcs = VcsInfo::fixed("1.2.3", "abcdef0123456789", 86_400);
        assert_eq!(vcs.short_commit(), "abcdef012345");
        assert_eq!(vcs.date, "1970-01-02T00:00:00Z");
    }
}
