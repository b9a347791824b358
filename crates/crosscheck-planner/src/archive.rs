//! What the packaging phase does after the builds: archives per target and macOS universal
//! binaries, planned like everything else so that `plan` shows them and the executor decides
//! nothing.
//!
//! [`ArchiveFormat`] is the `archive` key; [`PlannedArchive`] is one archive with every file it
//! will hold (sources resolved against the module directory at plan time, so a pattern that
//! matches nothing is a config error, not a failed release); [`PlannedUniversal`] is one fat
//! Mach-O made of the darwin/amd64 and darwin/arm64 builds.

use std::path::{Path, PathBuf};

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
