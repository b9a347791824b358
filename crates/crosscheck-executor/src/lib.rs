//! crosscheck's executor: runs a [`crosscheck_planner::Plan`]'s builds in parallel and
//! writes the dist directory.
//!
//! The only async crate of the workspace; it owns its tokio runtime and offers a blocking
//! API. Data flows:
//!
//! 1. [`HostTools::detect`] looks for C toolchains (zig, Debian cross gcc) once;
//!    [`resolve_c_compiler`] picks one per cgo target (pure, shared with `doctor`).
//! 2. [`run`] takes the plan and [`RunOptions`]: it locks the dist directory, [`prepare`]s
//!    every target (exact commands and a constructed environment, see [`mod@env`]), runs
//!    `go mod download` once, then starts targets longest-first ([`schedule`]), `jobs` at a
//!    time, each command in its own process group with a timeout and graceful stopping.
//! 3. Each step is reported to the caller's callback as an [`Event`]; the caller draws
//!    progress. Built artifacts are moved from the plan's staging path into place, hashed,
//!    run through the plan's `after_build` hooks, signed when `[sign]` says so (`sign.rs`:
//!    osslsigncode or rcodesign on a staged copy, renamed into place on success),
//!    optionally [`Inspect`]ed; failures are [`classify()`]d with a hint.
//! 4. With [`RunOptions::verify_reproducible`], each built target is built a second time in a
//!    copy of the module with an empty build cache and the two artifacts are compared byte
//!    for byte ([`crosscheck_schema::Reproduction`], [`Event::Reproduced`]).
//! 5. A [`Package`] hook, when set, packages what was built (archives, universal binaries).
//! 6. At the end it writes `manifest.json` ([`mod@manifest`]'s [`manifest::record`] of the
//!    run), `SHA256SUMS` and the logs through [`crosscheck_schema::dist`], and returns a
//!    [`RunSummary`] that carries the same record.
//!
//! `check` runs through the same machinery with [`Mode::Check`]: the commands come from
//! [`crosscheck_planner::check_commands`] and nothing is written. `test` does too, with
//! [`Mode::Test`]: per target, the packages with tests are listed, their test binaries
//! compiled (or found unchanged) and run on the target's runner ([`resolve_runner`]), and
//! each target's [`crosscheck_schema::TargetTests`] rides on its [`TargetResult`]; passing
//! results are remembered under the state directory.
//!
//! The executor decides nothing about *what* to build: argv, output paths and the plan's
//! environment come from the plan. It only adds what depends on this machine (the C
//! compiler, zig caches) and records it. It never prints. The records it produces (the
//! manifest, statuses, failures, inspections) are `crosscheck-schema`'s, shared with every
//! stage; `docs/architecture.md` shows where the executor sits.
#![warn(missing_docs)]

pub mod classify;
pub mod env;
mod error;
mod event;
mod hooks;
mod inspect;
mod linux_packages;
pub mod manifest;
mod options;
mod package;
mod prepare;
mod process;
mod reproduce;
mod runner;
pub mod runners;
pub mod schedule;
mod sign;
mod smoke;
mod testing;
pub mod toolchain;
mod typecheck;
#[cfg(unix)]
mod unix;
#[cfg(not(unix))]
mod windows;

pub use classify::{TAIL_LINES, classify};
pub use error::ExecutorError;
pub use event::{Event, RunSummary, TargetResult};
pub use hooks::HookFailure;
pub use inspect::Inspect;
pub use linux_packages::{CheckLinuxPackage, NFPM_INSTALL, NFPM_PACKAGE};
pub use options::{
    DEFAULT_GRACE_PERIOD, FailurePolicy, MEMORY_PER_JOB, Mode, RunOptions, default_jobs, jobs_for,
    mem_available,
};
pub use package::Package;
pub use prepare::{PreparedTarget, display_command, prepare, shell_quote, zig_cache_dir};
pub use runner::{format_duration, run};
pub use runners::{HostRunners, resolve_runner};
pub use smoke::SMOKE_OUTPUT_LINES;
pub use toolchain::{HostTools, MissingCc, Zig, ZigSource, resolve_c_compiler};
