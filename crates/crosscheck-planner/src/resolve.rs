//! From a requested Go version (`1.25`) to the exact toolchain that builds it (`go1.25.7`).
//!
//! Go distributes toolchains as versions of the module `golang.org/toolchain`
//! (`v0.0.1-go1.25.7.linux-amd64`), fetched through the configured Go proxy; that is how
//! `GOTOOLCHAIN=go1.25.7` finds them. So the newest patch of a minor release is the newest
//! such module version for the host platform, as `go list -m -versions` reports it. The
//! answer is cached for a day under crosscheck's cache directory, like the catalog, so
//! planning does not ask the network every time. An exact request (`1.25.3`) needs no
//! lookup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::GoVersion;
use crate::catalog::{CatalogError, GoToolchain, run_go, write_json_cache};

/// How long a resolved minor version is trusted before the proxy is asked again.
pub const RESOLUTION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The module Go distributes its toolchains as.
const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// Why a requested Go version could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The Go proxy could not be asked and no cached or local answer exists.
    #[error(
        "cannot find the newest Go {requested} release: `{command}` failed: {stderr} (hint: check the network and GOPROXY, or pin an exact release such as \"{requested}.0\" in `go = [...]`)"
    )]
    Lookup {
        /// The version asked for.
        requested: GoVersion,
        /// The command line.
        command: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The proxy has no release of this minor version for the host.
    #[error(
        "the Go proxy has no Go {requested} release for {platform} (hint: newest releases it offers: {known})"
    )]
    NoRelease {
        /// The version asked for.
        requested: GoVersion,
        /// `GOHOSTOS-GOHOSTARCH`.
        platform: String,
        /// The newest releases of other minor versions, for the hint.
        known: String,
    },
}

/// Resolves `requested` to an exact toolchain name, using `host` to ask the Go proxy.
///
/// An exact version is its own answer. A minor version is answered from the cache when a
/// fresh answer is there, else by the proxy; when the proxy cannot be asked but `host` is
/// of the requested minor version, the host's Go is used (it needs no download).
pub fn resolve_go_version(
    host: &GoToolchain,
    requested: &GoVersion,
    cache_dir: Option<&Path>,
) -> Result<String, ResolveError> {
    if let Some(exact) = requested.exact_toolchain() {
        return Ok(exact);
    }
    let cache_file = cache_dir.map(resolution_cache_file);
    let mut cache = cache_file.as_deref().map(read_cache).unwrap_or_default();
    let now = now_secs();
    let key = requested.to_string();
    if let Some(entry) = cache.get(&key)
        && now.saturating_sub(entry.resolved_at) < RESOLUTION_TTL.as_secs()
        && requested.matches_toolchain(&entry.toolchain)
    {
        return Ok(entry.toolchain.clone());
    }
    let releases = match list_releases(host) {
        Ok(releases) => releases,
        // Offline, but the Go at hand is of the requested release: use it rather than
        // fail; the plan records the exact version either way.
        Err(_) if requested.matches_toolchain(&host.version) => {
            return Ok(host.version.clone());
        }
        Err(error) => return Err(error.into_resolve_error(requested)),
    };
    let newest = releases
        .versions
        .iter()
        .filter(|(minor, _)| *minor == requested.minor)
        .map(|(_, patch)| *patch)
        .max();
    let Some(patch) = newest else {
        let mut newest_per_minor: BTreeMap<u32, u32> = BTreeMap::new();
        for (minor, patch) in &releases.versions {
            let entry = newest_per_minor.entry(*minor).or_default();
            *entry = (*entry).max(*patch);
        }
        let known = newest_per_minor
            .iter()
            .rev()
            .take(3)
            .map(|(minor, patch)| format!("1.{minor}.{patch}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ResolveError::NoRelease {
            requested: *requested,
            platform: releases.platform,
            known,
        });
    };
    let toolchain = format!("go1.{}.{patch}", requested.minor);
    cache.insert(
        key,
        CacheEntry {
            toolchain: toolchain.clone(),
            resolved_at: now,
        },
    );
    if let Some(file) = &cache_file {
        write_json_cache(file, &cache);
    }
    Ok(toolchain)
}

/// Where resolved Go versions are cached.
pub fn resolution_cache_file(cache_dir: &Path) -> PathBuf {
    cache_dir.join("go-releases.json")
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct CacheEntry {
    toolchain: String,
    /// Seconds since 1970.
    resolved_at: u64,
}

struct Releases {
    /// `GOHOSTOS-GOHOSTARCH`.
    platform: String,
    /// (minor, patch) of every Go 1 release for the platform.
    versions: Vec<(u32, u32)>,
}

struct LookupFailure {
    command: String,
    stderr: String,
}

impl LookupFailure {
    fn into_resolve_error(self, requested: &GoVersion) -> ResolveError {
        ResolveError::Lookup {
            requested: *requested,
            command: self.command,
            stderr: self.stderr,
        }
    }
}

fn list_releases(host: &GoToolchain) -> Result<Releases, LookupFailure> {
    let failure = |error: CatalogError| match error {
        CatalogError::GoFailed { command, stderr } => LookupFailure { command, stderr },
        CatalogError::GoNotFound { ref command, .. } | CatalogError::Json { ref command, .. } => {
            LookupFailure {
                command: command.clone(),
                stderr: error.to_string(),
            }
        }
    };
    // The host's own Go asks: GOTOOLCHAIN=local keeps a go.mod `toolchain` line from
    // switching Go just to list versions.
    let local = [("GOTOOLCHAIN", "local")];
    let platform = run_go(
        &host.command,
        &host.dir,
        &["env", "GOHOSTOS", "GOHOSTARCH"],
        &local,
    )
    .map_err(failure)?;
    let platform = platform.split_whitespace().collect::<Vec<_>>().join("-");
    let listing = run_go(
        &host.command,
        &host.dir,
        &["list", "-m", "-versions", TOOLCHAIN_MODULE],
        &local,
    )
    .map_err(failure)?;
    Ok(Releases {
        versions: parse_listing(&listing, &platform),
        platform,
    })
}

/// Picks `(minor, patch)` out of `v0.0.1-go1.25.7.linux-amd64` for `platform`, skipping
/// pre-releases and other platforms.
fn parse_listing(listing: &str, platform: &str) -> Vec<(u32, u32)> {
    let suffix = format!(".{platform}");
    listing
        .split_whitespace()
        .filter_map(|word| {
            let version = word.strip_prefix("v0.0.1-go1.")?.strip_suffix(&suffix)?;
            let (minor, patch) = version.split_once('.')?;
            Some((minor.parse().ok()?, patch.parse().ok()?))
        })
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn read_cache(file: &Path) -> BTreeMap<String, CacheEntry> {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_keeps_releases_of_the_platform() {
        let listing = "golang.org/toolchain v0.0.1-go1.25.0.linux-amd64 v0.0.1-go1.25.10.linux-amd64 \
                       v0.0.1-go1.25.11.darwin-arm64 v0.0.1-go1.26rc1.linux-amd64 v0.0.1-go1.9.linux-amd64 \
                       v0.0.1-go1.26.2.linux-amd64";
        assert_eq!(
            parse_listing(listing, "linux-amd64"),
            vec![(25, 0), (25, 10), (26, 2)]
        );
    }

    #[test]
    fn exact_versions_need_no_lookup() {
        let host = GoToolchain::pinned("/nonexistent/go", Path::new("/"), "go1.26.0");
        let exact: GoVersion = "1.25.3".parse().unwrap();
        assert_eq!(resolve_go_version(&host, &exact, None).unwrap(), "go1.25.3");
    }

    #[test]
    fn lookup_failure_falls_back_to_a_matching_host_only() {
        let host = GoToolchain::pinned("/nonexistent/go", Path::new("/"), "go1.26.8");
        let same: GoVersion = "1.26".parse().unwrap();
        assert_eq!(resolve_go_version(&host, &same, None).unwrap(), "go1.26.8");
        let other: GoVersion = "1.25".parse().unwrap();
        let error = resolve_go_version(&host, &other, None).unwrap_err();
        assert!(
            error.to_string().contains("cannot find the newest Go 1.25"),
            "{error}"
        );
    }
}
