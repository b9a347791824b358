//! The CLI's one error type, and the exit code each case maps to.

use std::process::ExitCode;

use crosscheck_planner::{CatalogError, ConfigErrors, PlanError};

/// Exit codes, documented in `crosscheck --help` and the README.
pub mod exit_code {
    /// Everything passed.
    pub const SUCCESS: u8 = 0;
    /// At least one build failed.
    pub const BUILD_FAILED: u8 = 1;
    /// Bad command line or configuration.
    pub const USAGE: u8 = 2;
    /// Artifacts were built but violate policy.
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
}

impl From<PlanError> for CliError {
    fn from(error: PlanError) -> CliError {
        match error {
            PlanError::Config(errors) => CliError::Config(errors),
            PlanError::Selection(message) => CliError::Usage(message),
        }
    }
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Config(_) | CliError::Usage(_) | CliError::Catalog(_) | CliError::Io { .. } => {
                exit_code::USAGE
            }
        })
    }

    /// The message as printed: config errors render themselves with `error:` labels.
    pub fn render(&self) -> String {
        match self {
            CliError::Config(errors) => errors.to_string(),
            other => format!("error: {other}"),
        }
    }
}
