//! crosscheck's planner: from `matrix.toml` and the Go toolchain's port list to a complete,
//! serialisable [`Plan`], before any build starts.
//!
//! Data flows one way:
//!
//! 1. [`Config::parse`] reads matrix.toml with spans and checks everything that does not
//!    need the toolchain (syntax, unknown keys, templates, libc and variant spellings).
//! 2. [`GoToolchain::probe`] and [`GoToolchain::catalog`] ask the Go that will build for its
//!    ports (`go tool dist list -json -broken`), cached per Go version; or
//!    [`Catalog::embedded_snapshot`] for `--offline`.
//! 3. [`plan()`] expands the matrix against the catalog ([`expand()`]), collapses equivalent
//!    targets, applies overrides and templates, checks output paths, then applies the
//!    command-line [`SelectionRequest`] (globs over [`Target`] ids and a [`Shard`]).
//!
//! [`check_commands`] derives what `crosscheck check` runs from a planned target: the same
//! flags, compiled with `go list -export`, never linked. [`goreleaser::convert`] writes a
//! matrix.toml from a GoReleaser config (`crosscheck init --from-goreleaser`).
//!
//! The crate has no async code and prints nothing: errors come back as [`ConfigErrors`]
//! (which render with file, line, column and a caret) or [`PlanError`]. The plan it makes is
//! `crosscheck-schema`'s record, re-exported here; `docs/architecture.md` shows how the
//! stages fit together.
#![warn(missing_docs)]

// The records the planner produces live in `crosscheck-schema`, shared with every stage;
// they are re-exported here so that callers of the planner need one import.
pub use crosscheck_schema::{
    ArchiveFile, ArchiveFormat, ArchivedBinary, CatalogSource, Collapsed, GlibcVersion, GoInfo,
    GoVersion, GoVersionError, HookCommand, HookKind, Libc, PLAN_SCHEMA_VERSION, Plan,
    PlannedArchive, PlannedBinary, PlannedGo, PlannedHooks, PlannedLinuxPackage, PlannedSmoke,
    PlannedTarget, PlannedUniversal, ProjectInfo, ReleaseNumber, Requirement, STAGING_DIR,
    SelectionInfo, Shard, ShardError, Skipped, Target, TargetIdError, Variant, VariantError,
    VariantSetting, VariantVar, VcsInfo, closest, did_you_mean, env_vars,
};

mod archive;
mod binaries;
mod catalog;
mod check;
mod config;
mod cross;
mod diagnostic;
mod expand;
pub mod goreleaser;
mod goversion;
mod linux_packages;
mod mains;
mod plan;
mod resolve;
mod select;
mod template;
mod testcmd;
mod vcs;

pub use catalog::{Catalog, CatalogError, GoToolchain, Port, catalog_cache_file};
pub use check::{CheckMethod, CheckRequest, CheckTools, check_commands};
pub use config::{
    Axes, BinaryConfig, BuildConfig, Config, DEFAULT_ARCHIVE_NAME, DEFAULT_MATRIX, DEFAULT_OUTPUT,
    HookConfig, HooksConfig, INIT_TEMPLATE, Located, MatrixConfig, OverrideConfig,
    PackageContentConfig, PackageRelationsConfig, PackageScriptsConfig, PackagesSettings,
    ProjectConfig, SmokeConfig, SmokeSettings, TemplateField, Tuple,
};
pub use cross::{debian_cross_compiler, zig_triple};
pub use diagnostic::{ConfigErrors, Diagnostic, Severity, SourceFile};
pub use expand::{Expanded, Expansion, equivalent, expand};
pub use goversion::{GoAxis, GoModLine, ResolvedGo};
pub use linux_packages::{DEFAULT_BINDIR, DEFAULT_RELEASE, package_arch, package_version};
pub use mains::{MainPackage, MainPackages};
pub use plan::{PlanContext, PlanError, SelectionRequest, assign_plan_shards, plan, plan_with_go};
pub use resolve::{RESOLUTION_TTL, ResolveError, resolution_cache_file, resolve_go_version};
pub use select::{Selector, SelectorError, assign_shards, assign_shards_grouped, estimated_cost};
pub use template::{Placeholder, Template, TemplateError};
pub use testcmd::{
    DEFAULT_TEST_TIMEOUT, TestArgsError, TestPackage, TestRequest, parse_test_packages,
    test_binary_name, test_compile_batch_command, test_compile_command, test_list_command,
};
pub use vcs::{VcsOverrides, detect_vcs};

/// Reads the module path from the `module` line of `go.mod` in `dir`.
pub fn read_module_path(dir: &std::path::Path) -> std::io::Result<Option<String>> {
    let text = std::fs::read_to_string(dir.join("go.mod"))?;
    Ok(text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        let path = rest.trim().trim_matches('"');
        (!path.is_empty() && rest.starts_with(char::is_whitespace)).then(|| path.to_owned())
    }))
}
