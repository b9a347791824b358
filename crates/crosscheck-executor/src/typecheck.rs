//! crosscheck's Go type-checker helper (`typecheck/typecheck.go`): its source ships inside
//! this crate and is built once per Go version with the user's own go into crosscheck's
//! cache directory, the first time `check` type-checks from source. Standard library only,
//! so building it downloads nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::process::{Cancel, run_collecting};

/// The helper's source.
const SOURCE: &str = include_str!("typecheck/typecheck.go");

/// The helper's `go.mod`: its own module, outside the user's, so neither their go.mod,
/// their workspace nor `-mod=vendor` apply to building it.
const GO_MOD: &str = "module crosscheck.invalid/typecheck\n\ngo 1.22\n";

/// Building a standard-library-only program takes seconds; a minute means something hangs.
const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// Variables that would make `go build` build something other than a host program.
const TARGET_VARS: [&str; 8] = [
    "GOOS",
    "GOARCH",
    "GOFLAGS",
    "GOWORK",
    "GOARM",
    "GOAMD64",
    "GO386",
    "GOEXPERIMENT",
];

/// Where the helper built by `go` lives under `cache`, and builds it there if it is not there
/// yet. Err: why it cannot be built, with the go command's last lines.
pub(crate) async fn ensure_helper(
    go: &str,
    cache: &Path,
    inherited: &BTreeMap<String, String>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
    on_build: &mut dyn FnMut(),
) -> Result<PathBuf, String> {
    let env = host_env(inherited);
    let version = go_version(go, cache, &env, grace, cancel).await?;
    let dir = cache.join("typecheck").join(helper_key(&version));
    let helper = dir.join("crosscheck-typecheck");
    if helper.is_file() {
        return Ok(helper);
    }
    on_build();
    let work = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(ensure_dir(&dir)?)
        .map_err(|error| format!("cannot create a directory in {}: {error}", dir.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(work.path().join(name), text)
            .map_err(|error| format!("cannot write {name} in {}: {error}", work.path().display()))
    };
    write("go.mod", GO_MOD)?;
    write("main.go", SOURCE)?;
    let built = work.path().join("crosscheck-typecheck");
    let argv = [
        go,
        "build",
        "-trimpath",
        "-o",
        &built.to_string_lossy(),
        ".",
    ]
    .map(str::to_owned);
    let (ok, tail) = run_quietly(&argv, work.path(), &env, grace, cancel).await?;
    if !ok {
        return Err(format!(
            "building crosscheck's Go type-checker with `{go} build` failed: {tail} (hint: `crosscheck check --compile` checks with the compiler instead)"
        ));
    }
    // Rename into place: a concurrent crosscheck sees the old state or the whole file.
    std::fs::rename(&built, &helper)
        .map_err(|error| format!("cannot move the helper to {}: {error}", helper.display()))?;
    Ok(helper)
}

/// The directory name for a helper: the Go version (go/types of that version checks the
/// code) and the source's hash (a new crosscheck with a changed helper builds anew).
fn helper_key(go_version: &str) -> String {
    let digest = Sha256::digest(SOURCE.as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{go_version}-{hash}")
}

/// The inherited environment, for a program that runs on this machine.
fn host_env(inherited: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut env = inherited.clone();
    for var in TARGET_VARS {
        env.remove(var);
    }
    env.insert("CGO_ENABLED".to_owned(), "0".to_owned());
    env.insert("GO111MODULE".to_owned(), "on".to_owned());
    env
}

async fn go_version(
    go: &str,
    cwd: &Path,
    env: &BTreeMap<String, String>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<String, String> {
    let argv = [go, "env", "GOVERSION"].map(str::to_owned);
    let (ok, output) = run_quietly(&argv, ensure_dir(cwd)?, env, grace, cancel).await?;
    let version = output.trim();
    let plain = !version.is_empty()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'));
    if ok && plain {
        Ok(version.to_owned())
    } else {
        Err(format!("`{go} env GOVERSION` failed: {output}"))
    }
}

/// Runs `argv` under the executor's process supervision; Ok((succeeded, last lines)).
async fn run_quietly(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<(bool, String), String> {
    let (end, lines) = run_collecting(argv, cwd, env, BUILD_TIMEOUT, grace, cancel)
        .await
        .map_err(|error| format!("cannot run {}: {error}", argv[0]))?;
    let tail = lines[lines.len().saturating_sub(5)..].join("\n");
    let tail = if end.success() {
        tail
    } else {
        format!("{} ({})", tail, end.describe())
    };
    Ok((end.success(), tail))
}

fn ensure_dir(dir: &Path) -> Result<&Path, String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_key_names_the_go_version_and_the_source() {
        let key = helper_key("go1.26.1");
        assert!(key.starts_with("go1.26.1-"), "{key}");
        assert_eq!(key.len(), "go1.26.1-".len() + 12);
    }

    #[test]
    fn host_env_drops_the_target() {
        let inherited = BTreeMap::from([
            ("GOOS".to_owned(), "windows".to_owned()),
            ("GOFLAGS".to_owned(), "-mod=vendor".to_owned()),
            ("HOME".to_owned(), "/h".to_owned()),
        ]);
        let env = host_env(&inherited);
        assert!(!env.contains_key("GOOS") && !env.contains_key("GOFLAGS"));
        assert_eq!(env.get("CGO_ENABLED").map(String::as_str), Some("0"));
        assert_eq!(env.get("HOME").map(String::as_str), Some("/h"));
    }
}
