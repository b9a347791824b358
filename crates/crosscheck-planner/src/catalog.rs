//! The target catalog: which GOOS/GOARCH ports the Go that will build supports.
//!
//! The catalog is read from `go tool dist list -json -broken` of that very toolchain and
//! cached per Go version, never from a hand-kept table: peers that kept their own tables
//! drifted from Go (listing ports Go lacks, lacking ports Go has). The embedded snapshot
//! exists only for `plan --offline`, and a plan built from it says so.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::CatalogSource;

/// One GOOS/GOARCH port as the toolchain describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    /// GOOS.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
    /// Whether cgo can be enabled for this port.
    pub cgo_supported: bool,
    /// Whether the Go project treats the port as first class.
    pub first_class: bool,
    /// Whether the port is marked broken (only listed with `-broken`).
    pub broken: bool,
}

/// Every port of one Go toolchain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    /// The toolchain's version, e.g. `go1.26.8`.
    pub go_version: String,
    /// The toolchain's GOARM default, used to recognise equivalent arm targets.
    pub default_goarm: String,
    /// The ports, in the toolchain's order.
    pub ports: Vec<Port>,
    /// Where this catalog came from.
    #[serde(skip_deserializing, default = "cache_source")]
    pub source: CatalogSource,
}

fn cache_source() -> CatalogSource {
    CatalogSource::Cache
}

/// What can go wrong while asking the toolchain for its ports.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The Go command could not be started.
    #[error(
        "cannot run {command:?} (hint: install Go from https://go.dev/dl/ or set `go` in [build] of matrix.toml)"
    )]
    GoNotFound {
        /// The command that was tried.
        command: String,
        /// Why it did not start.
        #[source]
        source: std::io::Error,
    },
    /// The Go command ran but failed.
    #[error("`{command}` failed: {stderr}")]
    GoFailed {
        /// The command line.
        command: String,
        /// What it printed on stderr (trimmed).
        stderr: String,
    },
    /// The output was not the expected JSON.
    #[error("cannot read the output of `{command}`: {source}")]
    Json {
        /// The command line.
        command: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct DistListEntry {
    #[serde(rename = "GOOS")]
    goos: String,
    #[serde(rename = "GOARCH")]
    goarch: String,
    #[serde(rename = "CgoSupported", default)]
    cgo_supported: bool,
    #[serde(rename = "FirstClass", default)]
    first_class: bool,
    #[serde(rename = "Broken", default)]
    broken: bool,
}

const SNAPSHOT: &str = include_str!("../data/catalog-snapshot.json");

impl Catalog {
    /// Builds a catalog from the output of `go tool dist list -json -broken`.
    pub fn from_dist_list_json(
        go_version: &str,
        default_goarm: &str,
        json: &str,
    ) -> Result<Catalog, serde_json::Error> {
        let entries: Vec<DistListEntry> = serde_json::from_str(json)?;
        Ok(Catalog {
            go_version: go_version.to_owned(),
            default_goarm: default_goarm.to_owned(),
            ports: entries
                .into_iter()
                .map(|entry| Port {
                    goos: entry.goos,
                    goarch: entry.goarch,
                    cgo_supported: entry.cgo_supported,
                    first_class: entry.first_class,
                    broken: entry.broken,
                })
                .collect(),
            source: CatalogSource::Toolchain,
        })
    }

    /// The snapshot compiled into crosscheck, for planning without a Go toolchain.
    pub fn embedded_snapshot() -> Catalog {
        let mut catalog: Catalog = match serde_json::from_str(SNAPSHOT) {
            Ok(catalog) => catalog,
            // The snapshot is checked by a unit test; an empty catalog is the safe fallback.
            Err(_) => Catalog {
                go_version: "unknown".to_owned(),
                default_goarm: "7".to_owned(),
                ports: Vec::new(),
                source: CatalogSource::EmbeddedSnapshot,
            },
        };
        catalog.source = CatalogSource::EmbeddedSnapshot;
        catalog
    }

    /// The port `goos/goarch`, if the toolchain has it.
    pub fn port(&self, goos: &str, goarch: &str) -> Option<&Port> {
        self.ports
            .iter()
            .find(|port| port.goos == goos && port.goarch == goarch)
    }

    /// Every GOOS the toolchain knows, sorted.
    pub fn os_names(&self) -> BTreeSet<&str> {
        self.ports.iter().map(|port| port.goos.as_str()).collect()
    }

    /// Every GOARCH the toolchain knows, sorted.
    pub fn arch_names(&self) -> BTreeSet<&str> {
        self.ports.iter().map(|port| port.goarch.as_str()).collect()
    }

    /// The arches available for `goos`, for hints.
    pub fn arches_of(&self, goos: &str) -> Vec<&str> {
        self.ports
            .iter()
            .filter(|port| port.goos == goos && !port.broken)
            .map(|port| port.goarch.as_str())
            .collect()
    }
}

/// The Go toolchain that will build: how to call it and which version it is.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GoToolchain {
    /// The command, as configured (`go` unless `[build] go` says otherwise).
    pub command: String,
    /// `go env GOVERSION`, e.g. `go1.26.8`.
    pub version: String,
    /// `go env GOROOT`.
    pub goroot: String,
    /// The directory Go runs in (the module directory), so that a `toolchain` line in
    /// go.mod selects the same Go for the catalog as for the builds.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The `GOTOOLCHAIN` every command of this toolchain runs with, for a toolchain of the
    /// Go-version axis (`go1.25.7`); `None` for the Go that `command` is.
    #[serde(skip)]
    pub gotoolchain: Option<String>,
}

impl GoToolchain {
    /// Asks `command`, run in `dir`, for its version and GOROOT.
    pub fn probe(command: &str, dir: &Path) -> Result<GoToolchain, CatalogError> {
        let output = run_go(command, dir, &["env", "-json", "GOVERSION", "GOROOT"], &[])?;
        #[derive(Deserialize)]
        struct GoEnv {
            #[serde(rename = "GOVERSION")]
            version: String,
            #[serde(rename = "GOROOT")]
            goroot: String,
        }
        let env: GoEnv = serde_json::from_str(&output).map_err(|source| CatalogError::Json {
            command: format!("{command} env -json"),
            source,
        })?;
        Ok(GoToolchain {
            command: command.to_owned(),
            version: env.version,
            goroot: env.goroot,
            dir: dir.to_owned(),
            gotoolchain: None,
        })
    }

    /// The exact toolchain `toolchain` (`go1.25.7`) run through `command` with
    /// `GOTOOLCHAIN`, which downloads it as a module through the Go proxy the first time.
    /// Nothing runs until its catalog is asked for (and not even then when it is cached).
    pub fn pinned(command: &str, dir: &Path, toolchain: &str) -> GoToolchain {
        GoToolchain {
            command: command.to_owned(),
            version: toolchain.to_owned(),
            goroot: String::new(),
            dir: dir.to_owned(),
            gotoolchain: Some(toolchain.to_owned()),
        }
    }

    /// The catalog of this toolchain, from `cache_dir` when an earlier run stored it.
    ///
    /// A cache that cannot be read or written is not an error: the toolchain is asked
    /// again, which costs a few milliseconds.
    pub fn catalog(&self, cache_dir: Option<&Path>) -> Result<Catalog, CatalogError> {
        let cache_file = cache_dir.map(|dir| catalog_cache_file(dir, &self.version));
        if let Some(file) = &cache_file
            && let Some(catalog) = read_cached(file, &self.version)
        {
            return Ok(catalog);
        }
        let pin: Vec<(&str, &str)> = self
            .gotoolchain
            .as_deref()
            .map(|toolchain| ("GOTOOLCHAIN", toolchain))
            .into_iter()
            .collect();
        let json = run_go(
            &self.command,
            &self.dir,
            &["tool", "dist", "list", "-json", "-broken"],
            &pin,
        )?;
        let mut arm_env = pin.clone();
        arm_env.push(("GOARCH", "arm"));
        let default_goarm = run_go(&self.command, &self.dir, &["env", "GOARM"], &arm_env)?
            .trim()
            .to_owned();
        let catalog = Catalog::from_dist_list_json(&self.version, &default_goarm, &json).map_err(
            |source| CatalogError::Json {
                command: format!("{} tool dist list -json -broken", self.command),
                source,
            },
        )?;
        if let Some(file) = &cache_file {
            write_json_cache(file, &catalog);
        }
        Ok(catalog)
    }
}

/// Where the catalog of `go_version` is cached.
pub fn catalog_cache_file(cache_dir: &Path, go_version: &str) -> PathBuf {
    let safe: String = go_version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_dir.join(format!("catalog-{safe}.json"))
}

fn read_cached(file: &Path, go_version: &str) -> Option<Catalog> {
    let text = std::fs::read_to_string(file).ok()?;
    let catalog: Catalog = serde_json::from_str(&text).ok()?;
    (catalog.go_version == go_version && !catalog.ports.is_empty()).then_some(catalog)
}

/// Writes a cache file as JSON, best effort: a cache that cannot be written only costs a
/// probe next time. Shared by every cache the planner keeps (catalogs, Go releases).
pub(crate) fn write_json_cache(file: &Path, value: &impl Serialize) {
    let Some(dir) = file.parent() else { return };
    let Ok(json) = serde_json::to_string_pretty(value) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // Write aside and rename, so that a concurrent run never reads half a file.
    let temp = file.with_extension(format!("json.tmp-{}", std::process::id()));
    if std::fs::write(&temp, json).is_ok() && std::fs::rename(&temp, file).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

pub(crate) fn run_go(
    command: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<String, CatalogError> {
    let mut child = Command::new(command);
    child
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    // The catalog must describe the toolchain as installed, not as a stray GOFLAGS or
    // GOTOOLCHAIN in the caller's shell would bend it. Removed first, so that the
    // variables the caller passes (GOARCH=arm for the GOARM default) still apply.
    child
        .env_remove("GOFLAGS")
        .env_remove("GOOS")
        .env_remove("GOARCH");
    for (key, value) in env {
        child.env(key, value);
    }
    let output = child.output().map_err(|source| CatalogError::GoNotFound {
        command: command.to_owned(),
        source,
    })?;
    let line = format!("{command} {}", args.join(" "));
    if !output.status.success() {
        return Err(CatalogError::GoFailed {
            command: line,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| CatalogError::GoFailed {
        command: line,
        stderr: "output is not UTF-8".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_snapshot_parses_and_has_first_class_ports() {
        let catalog = Catalog::embedded_snapshot();
        assert!(catalog.ports.len() > 40, "{}", catalog.ports.len());
        assert_eq!(catalog.source, CatalogSource::EmbeddedSnapshot);
        let linux = catalog.port("linux", "amd64").unwrap();
        assert!(linux.first_class && linux.cgo_supported);
        assert!(!catalog.port("js", "wasm").unwrap().cgo_supported);
    }

    #[test]
    fn parses_dist_list_output() {
        let json = r#"[{"GOOS":"linux","GOARCH":"sparc64","CgoSupported":true,"FirstClass":false,"Broken":true},
                       {"GOOS":"js","GOARCH":"wasm","CgoSupported":false,"FirstClass":false}]"#;
        let catalog = Catalog::from_dist_list_json("go1.99", "7", json).unwrap();
        assert!(catalog.port("linux", "sparc64").unwrap().broken);
        assert!(!catalog.port("js", "wasm").unwrap().broken);
        assert_eq!(catalog.source, CatalogSource::Toolchain);
    }
}
