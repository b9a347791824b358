//! The CLI's one error type, and the exit code each case maps to.

use std::process::ExitCode;

use crosscheck_planner::{CatalogError, ConfigErrors, PlanError};

use crate::printer::Printer;

/// Exit codes, documented in `crosscheck --help` and the README.
pub mod exit_code {
    /// Everything passed.
    pub const SUCCESS: u8 = 0;
    /// At least one build failed, or (`--verify-reproducible`) built twice differently.
    pub const BUILD_FAILED: u8 = 1;
    /// Bad command line or configuration.
    pub const USAGE: u8 = 2;
    /// Artifacts were built but violate policy; `verify`: the release does not verify.
    pub const POLICY: u8 = 3;
    /// Interrupted by Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// Everything that can make a command fail.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// matrix.toml is wrong; the rendered diagnostics say where.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// A command-line value is wrong.
    #[error("{0}")]
    Usage(String),
    /// The Go toolchain could not be asked.
    #[error("{0}")]
    Catalog(#[from] CatalogError),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "cannot read".
        action: &'static str,
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The executor could not run or record the builds.
    #[error("{0}")]
    Executor(#[from] crosscheck_executor::ExecutorError),
    /// Some targets failed; they have been reported already.
    #[error("{failed} of {total} targets failed")]
    TargetsFailed {
        /// How many failed.
        failed: usize,
        /// How many were selected.
        total: usize,
    },
    /// Some artifacts differ when built a second time; reported already.
    #[error("{count} of {total} artifacts are not reproducible (see above)")]
    NotReproducible {
        /// How many differ (or could not be built again).
        count: usize,
        /// How many were built twice.
        total: usize,
    },
    /// Every target built, but some could not be packaged; reported already.
    #[error(
        "{failed} artifacts could not be packaged (archives, universal binaries, Linux packages)"
    )]
    PackagingFailed {
        /// How many entries failed.
        failed: usize,
    },
    /// `[sign]` needs what this machine lacks (a tool, a variable); nothing was built.
    #[error("cannot sign as [sign] says, so nothing was built:{}", .0.iter().map(|p| format!("\n  {p}")).collect::<String>())]
    SigningNotReady(Vec<String>),
    /// `SHA256SUMS` was written but could not be signed (`[sign]`).
    #[error("cannot sign SHA256SUMS: {0}")]
    ChecksumSigning(String),
    /// Some planned targets cannot be built on this machine (`doctor`).
    #[error("{missing} of {total} targets cannot be built on this machine (see above)")]
    NotBuildable {
        /// How many cannot.
        missing: usize,
        /// How many were selected.
        total: usize,
    },
    /// Ctrl-C or SIGTERM stopped the run.
    #[error("interrupted")]
    Interrupted,
    /// Artifacts were inspected and some break their target or policy; reported already.
    #[error("{violating} of {total} artifacts violate their target or policy")]
    PolicyViolations {
        /// How many artifacts break a rule.
        violating: usize,
        /// How many were inspected.
        total: usize,
    },
    /// Some artifacts failed their smoke run (`build --smoke`); reported already.
    #[error("{failed} of {total} smoke runs failed")]
    SmokeFailed {
        /// How many runs failed.
        failed: usize,
        /// How many targets had a smoke run (not-run ones included).
        total: usize,
    },
    /// Tests failed or did not compile on some targets (`test`); reported already.
    #[error("{failed} of {total} targets failed their tests")]
    TestsFailed {
        /// How many targets failed or did not compile.
        failed: usize,
        /// How many were selected.
        total: usize,
    },
    /// `--require-run` and some targets cannot run here; reported already.
    #[error("{not_run} of {total} targets could not run here (--require-run)")]
    NotRun {
        /// How many could not run.
        not_run: usize,
        /// How many were selected.
        total: usize,
    },
    /// Shard outputs could not be merged.
    #[error("{0}")]
    Merge(Box<crosscheck_release::MergeError>),
    /// `verify` could not check the release at all (no SHA256SUMS, a bad key, no gpg).
    #[error("{0}")]
    CannotVerify(#[from] crosscheck_release::VerifyError),
    /// `verify` checked the release and something does not hold; reported already.
    #[error("the release in {dir} does not verify: {failures} (see above)")]
    NotVerified {
        /// The directory.
        dir: String,
        /// How many failures, e.g. `2 failures`.
        failures: String,
    },
    /// Some files could not be inspected; reported already.
    #[error("{unreadable} of {total} files could not be inspected")]
    Unreadable {
        /// How many could not be read or parsed.
        unreadable: usize,
        /// How many were given.
        total: usize,
    },
}

impl From<PlanError> for CliError {
    fn from(error: PlanError) -> CliError {
        match error {
            PlanError::Config(errors) => CliError::Config(errors),
            PlanError::Selection(message) => CliError::Usage(message),
        }
    }
}

impl From<crosscheck_release::MergeError> for CliError {
    fn from(error: crosscheck_release::MergeError) -> CliError {
        // Boxed: its variants carry two paths and two values, which would make every
        // command's Result large.
        CliError::Merge(Box::new(error))
    }
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Config(_)
            | CliError::Usage(_)
            | CliError::Catalog(_)
            | CliError::Io { .. }
            | CliError::Merge(_)
            | CliError::SigningNotReady(_)
            | CliError::CannotVerify(_)
            | CliError::Unreadable { .. } => exit_code::USAGE,
            CliError::PolicyViolations { .. }
            | CliError::SmokeFailed { .. }
            | CliError::NotVerified { .. } => exit_code::POLICY,
            CliError::Executor(crosscheck_executor::ExecutorError::InvalidOptions(_)) => {
                exit_code::USAGE
            }
            CliError::Executor(crosscheck_executor::ExecutorError::Interrupted)
            | CliError::Interrupted => exit_code::INTERRUPTED,
            CliError::Executor(_)
            | CliError::TargetsFailed { .. }
            | CliError::NotReproducible { .. }
            | CliError::PackagingFailed { .. }
            | CliError::ChecksumSigning(_)
            | CliError::NotBuildable { .. }
            | CliError::TestsFailed { .. }
            | CliError::NotRun { .. } => exit_code::BUILD_FAILED,
        })
    }

    /// Prints the error on stderr: config errors render themselves, `error:` labels and
    /// source snippets included; the others are one `error:` message.
    pub fn print(&self, printer: &Printer) {
        match self {
            CliError::Config(errors) => printer.diagnostics(&errors.to_string()),
            other => printer.error(&other.to_string()),
        }
    }
}
