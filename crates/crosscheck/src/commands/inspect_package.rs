//! The Linux packages among `crosscheck inspect`'s files: a `.deb`, `.rpm` or `.apk` whose
//! first bytes are of that format is read with the inspector's package reader instead of being
//! reported as a file of unknown format. Its facts print as a table of packages followed by each
//! one's fields and files, or under `packages` in `--format json` (docs/inspect.md).

use std::path::Path;

use crosscheck_inspector::{
    DEFAULT_MAX_FILE_SIZE, LinuxPackageFacts, PackagedFile, PackagedFileKind, detect_linux_package,
    read_linux_package,
};
use serde::Serialize;

use crate::reporter::human_size;
use crate::table::Table;

/// Bytes enough for [`detect_linux_package`] to tell a deb (`!<arch>\n` and a member name).
const SNIFF_LEN: u64 = 32;

/// One package file and what was read from it, or why it could not be.
pub struct PackageResult {
    /// The file as given.
    pub path: String,
    /// Its size in bytes (0 when unreadable).
    pub size: u64,
    /// The facts, or the error, as a line that names the file.
    pub outcome: Result<LinuxPackageFacts, String>,
}

/// Whether `path` is to be read as a Linux package: its extension says deb, rpm or apk and
/// its first bytes agree. The extension alone is not enough (an Android `.apk` is a zip), and
/// the bytes alone are not either (an apk is just gzip, like any `.tar.gz`).
pub fn is_package_file(path: &Path) -> bool {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if !matches!(extension.as_deref(), Some("deb" | "rpm" | "apk")) {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        // Unreadable: the binary inspector reports why, as for any file.
        return false;
    };
    let mut head = Vec::new();
    let read = std::io::Read::read_to_end(&mut std::io::Read::take(file, SNIFF_LEN), &mut head);
    read.is_ok() && detect_linux_package(&head).is_some()
}

/// Reads a package file, within the inspector's file-size cap.
pub fn read_package(path: &Path) -> PackageResult {
    let label = path.display().to_string();
    let outcome = std::fs::metadata(path)
        .and_then(|meta| {
            if meta.len() > DEFAULT_MAX_FILE_SIZE {
                Err(std::io::Error::other(format!(
                    "{} bytes, over the inspector's limit of {DEFAULT_MAX_FILE_SIZE} bytes",
                    meta.len()
                )))
            } else {
                std::fs::read(path)
            }
        })
        .map_err(|e| format!("cannot read {label}: {e}"))
        .and_then(|bytes| {
            let size = bytes.len() as u64;
            read_linux_package(&bytes)
                .map(|facts| (size, facts))
                .map_err(|e| format!("{label}: {e}"))
        });
    match outcome {
        Ok((size, facts)) => PackageResult {
            path: label,
            size,
            outcome: Ok(facts),
        },
        Err(error) => PackageResult {
            path: label,
            size: 0,
            outcome: Err(error),
        },
    }
}

/// A table of the packages, then each package's fields and files.
pub fn render_table(packages: &[PackageResult]) -> String {
    let mut table = Table::new(&[
        "PACKAGE", "FORMAT", "NAME", "VERSION", "ARCH", "FILES", "SIZE",
    ]);
    let mut details = String::new();
    for package in packages {
        let Ok(facts) = &package.outcome else {
            let mut row = vec![package.path.clone()];
            row.extend(["-"; 5].map(str::to_owned));
            row.push("unreadable".to_owned());
            table.row(row);
            continue;
        };
        let version = match &facts.release {
            Some(release) => format!("{}-{release}", facts.version),
            None => facts.version.clone(),
        };
        table.row(vec![
            package.path.clone(),
            facts.format.to_string(),
            facts.name.clone(),
            version,
            facts.arch.clone(),
            facts.files.len().to_string(),
            human_size(package.size),
        ]);
        details.push_str(&format!("\n{}:\n", package.path));
        for (name, value) in &facts.fields {
            // Multi-line values (descriptions) show their first line.
            let first = value.lines().next().unwrap_or_default();
            let more = if value.contains('\n') { " ..." } else { "" };
            details.push_str(format!("  {name}: {first}{more}").trim_end());
            details.push('\n');
        }
        details.push_str(&indent(&files_table(&facts.files)));
    }
    let mut out = table.render();
    out.push_str(&details);
    out
}

/// One row per packaged file: path, kind, mode, size, and the SHA-256 (shortened), the link
/// target or the config flag.
fn files_table(files: &[PackagedFile]) -> String {
    let mut table = Table::new(&["PATH", "KIND", "MODE", "SIZE", "CONTENTS"]);
    for file in files {
        let (kind, size) = match file.kind {
            PackagedFileKind::File => ("file", human_size(file.size)),
            PackagedFileKind::Dir => ("dir", "-".to_owned()),
            PackagedFileKind::Symlink => ("symlink", "-".to_owned()),
        };
        let mut contents = match (&file.sha256, &file.link_target) {
            (Some(sha256), _) => format!("sha256:{}", sha256.get(..16).unwrap_or(sha256)),
            (None, Some(target)) => format!("-> {target}"),
            (None, None) => String::new(),
        };
        if file.config {
            contents.push_str(" (config)");
        }
        table.row(vec![
            file.path.clone(),
            kind.to_owned(),
            format!("{:04o}", file.mode),
            size,
            contents,
        ]);
    }
    table.render()
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}

/// One package in `--format json`: its path and its facts.
#[derive(Serialize)]
pub struct PackageJson<'a> {
    path: &'a str,
    #[serde(flatten)]
    facts: &'a LinuxPackageFacts,
}

/// The packages that could be read, for JSON; the others go with the unreadable files.
pub fn json_packages(packages: &[PackageResult]) -> Vec<PackageJson<'_>> {
    packages
        .iter()
        .filter_map(|package| {
            let facts = package.outcome.as_ref().ok()?;
            Some(PackageJson {
                path: &package.path,
                facts,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_package_extensions_with_package_bytes_are_packages() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let write = |name: &str, bytes: &[u8]| -> std::io::Result<std::path::PathBuf> {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes)?;
            Ok(path)
        };
        assert!(is_package_file(&write("a.rpm", b"\xed\xab\xee\xdb rest")?));
        assert!(is_package_file(&write("a.APK", b"\x1f\x8b\x08")?));
        assert!(is_package_file(&write(
            "a.deb",
            b"!<arch>\ndebian-binary   1"
        )?));
        // An Android app, a tarball, and a package under another name.
        assert!(!is_package_file(&write("app.apk", b"PK\x03\x04")?));
        assert!(!is_package_file(&write("a.tar.gz", b"\x1f\x8b\x08")?));
        assert!(!is_package_file(&write("a.bin", b"\xed\xab\xee\xdb")?));
        assert!(!is_package_file(&dir.path().join("missing.deb")));
        Ok(())
    }
}
