//! wine: where it is, whether it has what Go needs, and how windows targets run under it.
//!
//! Each GOARCH gets its own prefix under crosscheck's cache directory
//! (`<cache>/wine/amd64`), initialised once by [`super::setup::RunnerSetup`]; the resolver
//! only names it, so `doctor` costs no wine start-up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crosscheck_planner::PlannedTarget;
use crosscheck_schema::{Runnability, RunnerKind, env_vars};

use super::resolve::{amd64_level_needed, not_run, runs};
use super::{HostRunners, WINE_INSTALL, WINE32_INSTALL};

/// Where Debian and Ubuntu put wine's loaders when only `wine` (a script) is on PATH.
const DEBIAN_WINE_DIR: &str = "/usr/lib/wine";

/// The DLL Go ≥ 1.22 loads `ProcessPrng` from; wine 8 has none.
pub(crate) const BCRYPTPRIMITIVES: &str = "bcryptprimitives.dll";

/// Keeps the prefix initialisation from offering to install Mono and Gecko.
const DLL_OVERRIDES: &str = "mscoree,mshtml=";

/// wine's 64-bit loader: `wine64` on PATH, else, with `wine` on PATH, Debian's
/// `/usr/lib/wine/wine64` (Debian's `wine` is a script that prefers the 32-bit loader), else
/// `wine` itself (the 64-bit loader where a distribution ships one wine). PATH decides
/// whether wine is there at all, as for every other runner.
pub(crate) fn find_wine64() -> Option<PathBuf> {
    if let Ok(wine64) = which::which("wine64") {
        return Some(wine64);
    }
    let wine = which::which("wine").ok()?;
    executable(Path::new(DEBIAN_WINE_DIR).join("wine64")).or(Some(wine))
}

/// A 32-bit wine loader: `wine32` on PATH, else, with `wine` on PATH, Debian's wine32
/// package's `/usr/lib/wine/wine`.
pub(crate) fn find_wine32() -> Option<PathBuf> {
    if let Ok(wine32) = which::which("wine32") {
        return Some(wine32);
    }
    which::which("wine").ok()?;
    executable(Path::new(DEBIAN_WINE_DIR).join("wine"))
}

/// The wineserver beside `wine` (the same build), else the one on PATH.
pub(crate) fn find_wineserver(wine: Option<&Path>) -> Option<PathBuf> {
    let beside = wine
        .and_then(Path::parent)
        .into_iter()
        .flat_map(|dir| ["wineserver64", "wineserver"].map(|name| dir.join(name)))
        .find_map(executable);
    beside.or_else(|| which::which("wineserver").ok())
}

fn executable(path: PathBuf) -> Option<PathBuf> {
    path.is_file().then_some(path)
}

/// The directories a wine installation keeps a GOARCH's Windows DLLs in, for the loader at
/// `wine`: Debian's multiarch directories, then the layouts of upstream and other builds.
pub(crate) fn windows_dll_dirs(wine: &Path, goarch: &str) -> Vec<PathBuf> {
    let (multiarch, windows) = match goarch {
        "386" => ("i386-linux-gnu", "i386-windows"),
        _ => ("x86_64-linux-gnu", "x86_64-windows"),
    };
    let mut dirs = vec![
        Path::new("/usr/lib")
            .join(multiarch)
            .join("wine")
            .join(windows),
    ];
    if let Some(root) = wine.parent().and_then(Path::parent) {
        for lib in ["lib", "lib64"] {
            dirs.push(root.join(lib).join("wine").join(windows));
        }
        dirs.push(root.join(windows));
    }
    dirs
}

/// Whether this wine ships its own `dll` for `goarch` (wine 9 has `bcryptprimitives.dll`;
/// then no shim is needed).
pub(crate) fn has_builtin(wine: &Path, dll: &str, goarch: &str) -> bool {
    windows_dll_dirs(wine, goarch)
        .iter()
        .any(|dir| dir.join(dll).is_file())
}

/// The prefix a GOARCH's binaries run in.
pub(crate) fn prefix_dir(prefixes: &Path, goarch: &str) -> PathBuf {
    prefixes.join(goarch)
}

/// windows/amd64 under wine64, windows/386 under a 32-bit wine, nothing else.
pub(super) fn resolve_wine(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    let loader = match target.goarch.as_str() {
        "amd64" => host.wine.as_ref().map(|wine| wine.path.clone()),
        "386" => {
            if host.wine.is_some() && host.wine32.is_none() {
                return not_run(
                    "windows/386 needs a 32-bit wine (wine32), which is not installed".to_owned(),
                    Some(WINE32_INSTALL.to_owned()),
                );
            }
            host.wine32.clone()
        }
        other => {
            return not_run(
                format!("wine runs windows/amd64 and windows/386 only, not windows/{other}"),
                None,
            );
        }
    };
    let Some(loader) = loader else {
        return not_run(
            "wine is not installed".to_owned(),
            Some(wine_install(target)),
        );
    };
    let (needed, has) = (amd64_level_needed(target), host.amd64_level.unwrap_or(1));
    if target.goarch == "amd64" && needed > has {
        return not_run(
            format!(
                "{} needs an x86-64-v{needed} CPU and this one is v{has} (wine runs the code on the host CPU)",
                target.id
            ),
            None,
        );
    }
    let Some(prefixes) = &host.wine_prefixes else {
        return not_run(
            "crosscheck has no cache directory to keep its wine prefix in (hint: set CROSSCHECK_CACHE_DIR or HOME)".to_owned(),
            None,
        );
    };
    let env = wine_env(&prefix_dir(prefixes, &target.goarch), &target.goarch);
    let version = host.wine.as_ref().map(|wine| wine.version.as_str());
    let name = loader
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    let description = [name.as_deref(), version]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let command = vec![loader.to_string_lossy().into_owned()];
    runs(RunnerKind::Wine, command, env, &description)
}

fn wine_install(target: &PlannedTarget) -> String {
    if target.goarch == "386" {
        WINE32_INSTALL.to_owned()
    } else {
        WINE_INSTALL.to_owned()
    }
}

/// What every wine command of a prefix runs with: the prefix, wine's own messages off, no
/// Mono/Gecko dialogs. DISPLAY is never set (commands get a constructed environment), so
/// wine stays headless.
pub(crate) fn wine_env(prefix: &Path, goarch: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([
        (
            env_vars::WINEPREFIX.to_owned(),
            prefix.to_string_lossy().into_owned(),
        ),
        (env_vars::WINEDEBUG.to_owned(), "-all".to_owned()),
        (
            env_vars::WINEDLLOVERRIDES.to_owned(),
            DLL_OVERRIDES.to_owned(),
        ),
    ]);
    if goarch == "386" {
        env.insert(env_vars::WINEARCH.to_owned(), "win32".to_owned());
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_dlls_are_looked_for_in_debian_s_and_upstream_s_layouts() {
        let dirs = windows_dll_dirs(Path::new("/opt/wine-stable/bin/wine64"), "amd64");
        assert_eq!(
            dirs,
            [
                "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
                "/opt/wine-stable/lib/wine/x86_64-windows",
                "/opt/wine-stable/lib64/wine/x86_64-windows",
                "/opt/wine-stable/x86_64-windows",
            ]
            .map(PathBuf::from)
        );
        let dirs = windows_dll_dirs(Path::new("/usr/lib/wine/wine"), "386");
        assert_eq!(
            dirs[0],
            Path::new("/usr/lib/i386-linux-gnu/wine/i386-windows")
        );
        assert!(!has_builtin(
            Path::new("/nonexistent/bin/wine64"),
            "no-such.dll",
            "amd64"
        ));
    }

    #[test]
    fn wine_runs_headless_in_the_given_prefix() {
        let env = wine_env(Path::new("/c/wine/386"), "386");
        assert_eq!(env[env_vars::WINEPREFIX], "/c/wine/386");
        assert_eq!(env[env_vars::WINEARCH], "win32");
        assert!(!env.contains_key("DISPLAY"));
        assert!(!wine_env(Path::new("/c/wine/amd64"), "amd64").contains_key(env_vars::WINEARCH));
    }
}
