//! Helpers for crosscheck's end-to-end tests: build the real `crosscheck` binary, run it,
//! and make its output stable enough to snapshot.
//!
//! The binary is built by [`crosscheck_path`], once per test executable, with the profile
//! this test executable was built with: `cargo test -p crosscheck-tests` alone never builds
//! it, so the binary lying in `target/<profile>/` may predate the last edit of the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The path of an up-to-date `crosscheck` binary: the first call in a test executable runs
/// `cargo build` for it, and panics with cargo's output when that fails.
pub fn crosscheck_path() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_crosscheck).clone()
}

/// Runs `cargo build` for the `crosscheck` binary and returns the path cargo reports.
///
/// `CARGO_BIN_EXE_crosscheck` exists only in the package that owns the binary, so the tests
/// ask cargo instead of guessing: when the binary is fresh this is a no-op build (well under
/// a second). It does not wait on cargo's build lock under `cargo test --workspace`, because
/// cargo runs test executables only after its own build finished and released the lock. The
/// child inherits `CARGO_TARGET_DIR` and the workspace's cargo config, and the path comes
/// from cargo's JSON messages, so a custom target directory is found too.
fn build_crosscheck() -> PathBuf {
    // `cargo test` tells its test executables which cargo runs them.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--locked", "--package", "crosscheck"])
        .args(["--bin", "crosscheck", "--profile", &cargo_profile()])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(repo_root());
    let out = run(&mut command);
    assert_eq!(
        out.code, 0,
        "cannot build the crosscheck binary with {command:?}\n{}",
        out.stderr
    );
    built_executable(&out.stdout, "crosscheck").unwrap_or_else(|| {
        panic!(
            "{command:?} reported no `crosscheck` executable\n{}",
            out.stderr
        )
    })
}

/// The cargo profile this test executable was built with, from the directory it lies in
/// (`target/<dir>/deps/<test>`): cargo names the directory `debug` for `dev` and `test`,
/// `release` for `release` and `bench`, and after the profile otherwise.
fn cargo_profile() -> String {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or("debug");
    match dir {
        "debug" => "dev".to_owned(),
        other => other.to_owned(),
    }
}

/// The executable of binary `name` in cargo's `--message-format json` output.
fn built_executable(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == name
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
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

/// `sha256sum`'s digest of `path`: computed by another tool than the one under test.
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("sha256sum (coreutils) is needed: {e}"));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Runs a host tool the test needs, failing with what to install when it is missing.
pub fn tool(program: &str, args: &[&str], dir: &Path, package: &str) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): install the {package} package"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `go env NAME` of the Go on PATH, trimmed; empty when go cannot say.
pub fn go_env(name: &str) -> String {
    let out = Command::new("go")
        .args(["env", name])
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    String::from_utf8_lossy(&out).trim().to_owned()
}

/// Where `go install` puts `program`: `$(go env GOBIN)`, else the first `GOPATH`'s `bin`
/// (CI does not put it on PATH).
pub fn go_bin(program: &str) -> PathBuf {
    let output = Command::new("go").args(["env", "GOBIN", "GOPATH"]).output();
    let text = output
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut lines = text.lines();
    let gobin = lines.next().unwrap_or_default();
    let gopath = lines
        .next()
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default();
    let dir = if gobin.is_empty() {
        Path::new(gopath).join("bin")
    } else {
        gobin.into()
    };
    dir.join(program)
}

/// Fails, saying what to install, unless `program --version` runs: a missing runner fails a
/// test, it never skips it.
pub fn require(program: &str, install: &str) {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "this test runs binaries with {program}, which is not installed: {install} (scripts/test installs it)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_read_from_the_binary_s_artifact_message() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"name":"crosscheck_planner","kind":["lib"]},"executable":null}"#,
            "not json: cargo may interleave other lines",
            r#"{"reason":"compiler-artifact","target":{"name":"crosscheck","kind":["bin"]},"executable":"/t/debug/crosscheck"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            built_executable(&messages, "crosscheck"),
            Some(PathBuf::from("/t/debug/crosscheck"))
        );
        assert_eq!(built_executable(&messages, "other"), None);
    }
}
