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
//! flags, compiled with `go list -export`, never linked.
//!
//! The crate has no async code and prints nothing: errors come back as [`ConfigErrors`]
//! (which render with file, line, column and a caret) or [`PlanError`].
#![warn(missing_docs)]

mod archive;
mod catalog;
mod check;
mod config;
mod cross;
mod diagnostic;
pub mod env_vars;
mod expand;
mod goversion;
mod plan;
mod resolve;
mod select;
mod suggest;
mod target;
mod template;
mod variant;
mod vcs;

pub use archive::{ArchiveFile, ArchiveFormat, PlannedArchive, PlannedUniversal};
pub use catalog::{Catalog, CatalogError, CatalogSource, GoToolchain, Port, catalog_cache_file};
pub use check::{CheckRequest, check_commands};
pub use config::{
    Axes, BuildConfig, Config, DEFAULT_ARCHIVE_NAME, DEFAULT_MATRIX, DEFAULT_OUTPUT, INIT_TEMPLATE,
    Located, MatrixConfig, OverrideConfig, ProjectConfig, TemplateField, Tuple,
};
pub use cross::{debian_cross_compiler, zig_triple};
pub use diagnostic::{ConfigErrors, Diagnostic, Severity, SourceFile};
pub use expand::{Collapsed, Expanded, Expansion, Skipped, equivalent, expand};
pub use goversion::{
    GoAxis, GoModLine, GoVersion, GoVersionError, PlannedGo, ResolvedGo, check_go_mod,
};
pub use plan::{
    GoInfo, PLAN_SCHEMA_VERSION, Plan, PlanContext, PlanError, PlannedTarget, ProjectInfo,
    Requirement, STAGING_DIR, SelectionInfo, SelectionRequest, VariantSetting, plan, plan_with_go,
};
pub use resolve::{RESOLUTION_TTL, ResolveError, resolution_cache_file, resolve_go_version};
pub use select::{
    Selector, SelectorError, Shard, ShardError, assign_shards, assign_shards_grouped,
    estimated_cost,
};
pub use suggest::closest;
pub use target::{GlibcVersion, Libc, Target, TargetIdError};
pub use template::{Placeholder, Template, TemplateError};
pub use variant::{Variant, VariantError, VariantVar};
pub use vcs::{VcsInfo, VcsOverrides};

/// Reads the module path from the `module` line of `go.mod` in `dir`.
pub fn read_module_path(dir: &std::path::Path) -> std::io::Result<Option<String>> {
    let text = std::fs::read_to_string(dir.join("go.mod"))?;
    Ok(text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        let path = rest.trim().trim_matches('"');
        (!path.is_empty() && rest.starts_with(char::is_whitespace)).then(|| path.to_owned())
    }))
}
