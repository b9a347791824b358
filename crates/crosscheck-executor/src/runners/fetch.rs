//! Pinned Go tools installed with the plan's Go into crosscheck's cache on first use: wazero,
//! the first time a wasip1 binary has to run and neither wasmtime nor wazero is on this
//! machine, and nfpm, the first time a Linux package is written. Every Go user can fetch
//! them from the module proxy, so they need no other package manager.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

use super::WAZERO_PACKAGE;
use crate::process::{Cancel, run_collecting};

/// `go install` downloads a module and builds it: minutes on a slow proxy, never hours.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// Installs [`WAZERO_PACKAGE`] with `go` so that it lands at `place` (`GOBIN` is its
/// directory); Err: why it could not, with the command's last lines.
pub(super) async fn install_wazero(
    go: &Path,
    place: &Path,
    env: &BTreeMap<String, String>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<(), String> {
    go_install(go, WAZERO_PACKAGE, place, env, grace, cancel).await
}

/// Runs `go install package` (`module/path@version`) so that the program lands at
/// `place` (`GOBIN` is its directory); Err: why it could not, with the command's last
/// lines.
pub(crate) async fn go_install(
    go: &Path,
    package: &str,
    place: &Path,
    env: &BTreeMap<String, String>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<(), String> {
    let bin = place
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&bin)
        .map_err(|error| format!("cannot create {}: {error}", bin.display()))?;
    let argv = vec![
        go.to_string_lossy().into_owned(),
        "install".to_owned(),
        package.to_owned(),
    ];
    let mut env = env.clone();
    env.insert("GOBIN".to_owned(), bin.to_string_lossy().into_owned());
    // Outside any module, whatever directory crosscheck runs in.
    env.insert("GO111MODULE".to_owned(), "on".to_owned());
    let (end, lines) = run_collecting(&argv, &bin, &env, INSTALL_TIMEOUT, grace, cancel)
        .await
        .map_err(|error| format!("cannot run {}: {error}", go.display()))?;
    if end.success() && place.is_file() {
        return Ok(());
    }
    let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    Err(format!(
        "`go install {package}` failed ({}): {tail}",
        end.describe()
    ))
}
