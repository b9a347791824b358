//! Why a run could not happen at all. A target that fails is not an error: it is a
//! [`TargetResult`](crate::TargetResult) with status `failed`, and the run goes on.

/// A run that could not start, or could not record its results.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The options make no sense (e.g. `jobs` is 0).
    #[error("{0}")]
    InvalidOptions(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The dist directory could not be locked, or a file in it created or written.
    #[error(transparent)]
    Dist(#[from] crosscheck_schema::DistError),
    /// The Go command could not be started.
    #[error(
        "cannot run {command:?}: {source} (hint: install Go from https://go.dev/dl/ or set `go` in [build] of matrix.toml)"
    )]
    GoNotFound {
        /// The command.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `go mod download` failed before any build started.
    #[error(
        "cannot download modules (offline?): `{command}` in {dir} failed:\n{output}\n(hint: check the network and GOPROXY, or fill the module cache with `go mod download` while online; GOFLAGS=-mod=vendor builds need a vendor/ directory)"
    )]
    ModDownload {
        /// The command line.
        command: String,
        /// The module directory.
        dir: String,
        /// The last lines it printed.
        output: String,
    },
    /// A `before` hook failed, so no build started.
    #[error("{0}")]
    Hook(#[from] crate::hooks::HookFailure),
    /// crosscheck's Go type-checker could not be built, so no target was checked.
    #[error("{0}")]
    TypeChecker(String),
    /// Ctrl-C (or SIGTERM) arrived before any build started.
    #[error("interrupted")]
    Interrupted,
}
