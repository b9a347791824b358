//! Why a run could not happen at all. A target that fails is not an error: it is a
//! [`TargetResult`](crate::TargetResult) with status `failed`, and the run goes on.

use std::path::PathBuf;

/// A run that could not start, or could not record its results.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The options make no sense (e.g. `jobs` is 0).
    #[error("{0}")]
    InvalidOptions(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The dist directory, or a file in it, could not be created or written.
    #[error("cannot {action} {}: {source}{}", path.display(), io_hint(source))]
    Dist {
        /// What was being done, e.g. "create the dist directory".
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the dist lock and `--no-wait` was given.
    #[error(
        "another crosscheck run is writing {} (lock {} is held) (hint: wait for it to finish, or run without --no-wait to wait)",
        dist.display(),
        lock.display()
    )]
    Locked {
        /// The dist directory.
        dist: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
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
    /// Ctrl-C (or SIGTERM) arrived before any build started.
    #[error("interrupted")]
    Interrupted,
}

/// A hint for the I/O errors a user can fix.
pub(crate) fn io_hint(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => " (hint: choose a writable directory with --dist)",
        std::io::ErrorKind::StorageFull => " (hint: the disk is full; free some space)",
        std::io::ErrorKind::ReadOnlyFilesystem => {
            " (hint: the file system is read-only; choose another --dist)"
        }
        _ => "",
    }
}
