//! Helpers for crosscheck's end-to-end tests: find the real `crosscheck` binary, run it,
//! and make its output stable enough to snapshot.
//!
//! The binary is the one `cargo build` put next to this test executable
//! (`target/<profile>/crosscheck`); `cargo test --workspace` builds it before any test runs
//! because the `crosscheck` package has integration tests of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The path of the built `crosscheck` binary; panics with what to run when it is missing.
pub fn crosscheck_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test-exe> -> target/<profile>/crosscheck
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_owned)
        .unwrap_or_default();
    let binary = profile_dir.join(format!("crosscheck{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "the crosscheck binary is not built at {} (run `cargo build -p crosscheck` first, or `cargo test --workspace`)",
        binary.display()
    );
    binary
}

/// A `crosscheck` command with a clean, deterministic environment: no colour, fixed
/// version stamps, a cache under the target directory shared by all tests.
pub fn crosscheck() -> Command {
    let mut command = Command::new(crosscheck_path());
    command
        .env("NO_COLOR", "1")
        .env("CROSSCHECK_VERSION", "1.2.3")
        .env(
            "CROSSCHECK_COMMIT",
            "0123456789abcdef0123456789abcdef01234567",
        )
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("CROSSCHECK_CACHE_DIR", shared_cache_dir())
        .env_remove("SDKROOT")
        .env_remove("GOFLAGS")
        .env_remove("CROSSCHECK_DATE")
        // A test suite run on GitHub Actions must not annotate it or write its job summary.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .current_dir(repo_root());
    command
}

/// A cache directory shared by every test of one `cargo test` run.
pub fn shared_cache_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("crosscheck-test-cache"))
        .unwrap_or_else(|| std::env::temp_dir().join("crosscheck-test-cache"))
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl Run {
    /// A snapshot-friendly rendering: exit code, stdout and stderr, with the repository
    /// path and Go version redacted.
    pub fn snapshot(&self) -> String {
        redact(&format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        ))
    }
}

/// Runs `command` to completion.
pub fn run(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Replaces machine-specific text: the repository path, the Go version.
pub fn redact(text: &str) -> String {
    let root = repo_root().display().to_string();
    let mut out = text.replace(&root, "[REPO]");
    // go1.26.8 -> go[VERSION]; the catalog is asked of whatever Go is installed.
    let mut redacted = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(index) = rest.find("go1.") {
        redacted.push_str(&rest[..index]);
        redacted.push_str("go[VERSION]");
        let tail = &rest[index + 4..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    redacted.push_str(rest);
    out = redacted;
    // Whether the catalog came from the toolchain or the cache depends on test order.
    for (from, to) in [
        ("(catalog: cached)", "(catalog: [CATALOG])"),
        ("(catalog: asked the toolchain)", "(catalog: [CATALOG])"),
        ("\"catalog\": \"cache\"", "\"catalog\": \"[CATALOG]\""),
        ("\"catalog\": \"toolchain\"", "\"catalog\": \"[CATALOG]\""),
    ] {
        out = out.replace(from, to);
    }
    out
}
