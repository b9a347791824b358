//! What the packaging phase does after the builds: archives per target and macOS universal
//! binaries, planned like everything else so that `plan` shows them and the executor decides
//! nothing.
//!
//! [`ArchiveFormat`] is the `archive` key; [`PlannedArchive`] is one archive with every file it
//! will hold (sources resolved against the module directory at plan time, so a pattern that
//! matches nothing is a config error, not a failed release); [`PlannedUniversal`] is one fat
//! Mach-O made of the darwin/amd64 and darwin/arm64 builds.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::suggest::closest;

/// How a target's artifact is archived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveFormat {
    /// A gzip-compressed ustar archive (the default, except for windows).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// A zip archive (the default for windows).
    #[serde(rename = "zip")]
    Zip,
    /// No archive.
    #[serde(rename = "none")]
    None,
}

impl ArchiveFormat {
    /// The spellings matrix.toml accepts.
    pub const NAMES: [&'static str; 3] = ["tar.gz", "zip", "none"];

    /// The format a target gets when the config names none: zip for windows, where users
    /// open archives with Explorer, tar.gz everywhere else.
    pub fn default_for(goos: &str) -> ArchiveFormat {
        if goos == "windows" {
            ArchiveFormat::Zip
        } else {
            ArchiveFormat::TarGz
        }
    }

    /// The file extension, dot included (empty for [`ArchiveFormat::None`]).
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => ".tar.gz",
            ArchiveFormat::Zip => ".zip",
            ArchiveFormat::None => "",
        }
    }

    /// The name as written in matrix.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::None => "none",
        }
    }
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ArchiveFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<ArchiveFormat, String> {
        match text {
            "tar.gz" | "tgz" => Ok(ArchiveFormat::TarGz),
            "zip" => Ok(ArchiveFormat::Zip),
            "none" => Ok(ArchiveFormat::None),
            other => {
                let hint = match closest(other, ArchiveFormat::NAMES) {
                    Some(suggestion) => format!("did you mean \"{suggestion}\"?"),
                    None => "use \"tar.gz\", \"zip\" or \"none\"".to_owned(),
                };
                Err(format!("unknown archive format {other:?} (hint: {hint})"))
            }
        }
    }
}

/// One archive to write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedArchive {
    /// Its format (never [`ArchiveFormat::None`]).
    pub format: ArchiveFormat,
    /// Its path relative to the dist directory, extension included.
    pub path: String,
    /// The binary's name inside the archive, e.g. `hello` or `hello.exe`.
    pub binary: String,
    /// The extra files, in archive order (sorted by name).
    pub files: Vec<ArchiveFile>,
}

/// An extra file of an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFile {
    /// Where it is read from, absolute.
    pub source: String,
    /// Its name inside the archive: its path relative to the module directory.
    pub name: String,
}

/// A macOS universal (fat) binary assembled from thin darwin builds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUniversal {
    /// Its id in the manifest: `darwin/universal` (`darwin/universal+cgo` for cgo inputs).
    pub id: String,
    /// Filename-safe id, `darwin_universal`.
    pub slug: String,
    /// The ids of the thin targets it is made of, amd64 first.
    pub inputs: Vec<String>,
    /// Whether the inputs were built with cgo.
    pub cgo: bool,
    /// Its path relative to the dist directory.
    pub output: String,
    /// Its archive, if any.
    pub archive: Option<PlannedArchive>,
}

/// Why an `archive_files` pattern could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResolveError {
    /// Nothing matched.
    NoMatch,
    /// The directory could not be read.
    Unreadable(String),
}

/// Directories never searched for archive files: version control and dependency trees hold
/// nothing a release archive should carry and can be huge.
const SKIPPED_DIRS: [&str; 4] = [".git", ".crosscheck", "node_modules", "vendor"];

/// The files `pattern` names under `base`, as (absolute source, relative name), sorted.
///
/// A pattern without glob characters is a plain path and must be a file. Otherwise the
/// search starts at the pattern's literal leading directories, so `docs/*.md` reads only
/// `docs/`.
pub(crate) fn resolve_files(
    base: &Path,
    pattern: &str,
) -> Result<Vec<(PathBuf, String)>, ResolveError> {
    let is_glob = pattern.contains(['*', '?', '[', '{']);
    if !is_glob {
        let path = base.join(pattern);
        return if path.is_file() {
            Ok(vec![(path, pattern.trim_start_matches("./").to_owned())])
        } else {
            Err(ResolveError::NoMatch)
        };
    }
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|error| ResolveError::Unreadable(error.kind().to_string()))?
        .compile_matcher();
    let literal: Vec<&str> = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[', '{']))
        .collect();
    let start = literal.join("/");
    let mut found = Vec::new();
    let mut pending = vec![start];
    while let Some(relative) = pending.pop() {
        let dir = base.join(&relative);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(_) if relative.is_empty() => {
                return Err(ResolveError::Unreadable(dir.display().to_string()));
            }
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    pending.push(child);
                }
            } else if matcher.is_match(&child) && entry.path().is_file() {
                found.push((entry.path(), child));
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    if found.is_empty() {
        Err(ResolveError::NoMatch)
    } else {
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_with_suggestions() {
        assert_eq!("zip".parse::<ArchiveFormat>(), Ok(ArchiveFormat::Zip));
        assert_eq!("tar.gz".parse::<ArchiveFormat>(), Ok(ArchiveFormat::TarGz));
        let error = "tar.bz2".parse::<ArchiveFormat>().unwrap_err();
        assert!(error.contains("did you mean \"tar.gz\"?"), "{error}");
        assert_eq!(ArchiveFormat::default_for("windows"), ArchiveFormat::Zip);
        assert_eq!(ArchiveFormat::default_for("linux"), ArchiveFormat::TarGz);
    }

    #[test]
    fn resolves_plain_paths_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs/deep")).unwrap();
        for file in [
            "README.md",
            "docs/b.md",
            "docs/a.md",
            "docs/deep/c.md",
            "docs/x.txt",
        ] {
            std::fs::write(dir.path().join(file), "x").unwrap();
        }
        let names = |pattern: &str| {
            resolve_files(dir.path(), pattern)
                .map(|files| files.into_iter().map(|(_, name)| name).collect::<Vec<_>>())
        };
        assert_eq!(names("README.md").unwrap(), ["README.md"]);
        assert_eq!(names("docs/*.md").unwrap(), ["docs/a.md", "docs/b.md"]);
        assert_eq!(
            names("docs/**/*.md").unwrap(),
            ["docs/a.md", "docs/b.md", "docs/deep/c.md"]
        );
        assert_eq!(names("LICENSE"), Err(ResolveError::NoMatch));
        assert_eq!(names("*.rst"), Err(ResolveError::NoMatch));
        assert_eq!(
            names("docs"),
            Err(ResolveError::NoMatch),
            "a directory is no file"
        );
    }
}
