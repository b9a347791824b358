//! `crosscheck init --from-goreleaser`: a GoReleaser config (version 1 or 2) to matrix.toml.
//!
//! [`convert`] is pure: the file's text (and what GoReleaser would guess from the project,
//! in [`ConvertOptions`]) in, the matrix.toml text and its [`Finding`]s out. The data flows
//! in stages, one module each:
//!
//! 1. `yaml` parses the file into a tree whose nodes know their line and column, and
//!    `read` turns it into `model`'s typed values, reporting every key it does not
//!    translate (with the reason) or does not know.
//! 2. `targets` computes the targets GoReleaser v2.15.1 builds for each build, as its code
//!    does (defaults, valid pairs, `ignore`, explicit `targets`), and the crosscheck target
//!    for each; `settings` turns flags, env (`CGO_ENABLED` into the cgo axis) and
//!    `overrides` into `[build]`, `[[binary]]` and `[[override]]`.
//! 3. `translate` turns Go templates into crosscheck templates: fields with a placeholder
//!    directly, conditionals over the target into one placeholder with filters, found by
//!    evaluating them (`gotemplate`) for every target, so they are exact for the plan.
//! 4. `matrix` writes axes when they expand to exactly those targets (checked with the
//!    planner's own expansion against Go's port list), else an explicit list; `outputs`
//!    writes archives, checksums, SBOMs, universal binaries and hooks, `packages` turns
//!    `nfpms` into `[packages]`; `emit` renders the
//!    text with each finding as a comment where its key would have gone.
//!
//! Nothing is dropped silently: what has no equivalent is a finding with its line, and the
//! CLI prints the findings on stderr too.

mod convert;
mod emit;
mod findings;
mod gotemplate;
mod matrix;
mod model;
mod outputs;
mod packages;
mod read;
mod settings;
mod targets;
mod translate;
mod yaml;

pub use convert::{Conversion, ConvertOptions, convert};
pub use findings::{Finding, FindingKind};
