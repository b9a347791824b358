//! Linux packages (deb, rpm, apk): the formats, what a package holds as read back from its
//! bytes, and the record the manifest keeps of each written package.
//!
//! The planner decides each package (format, name, version, architecture name); the
//! executor writes it; the inspector reads it back into [`LinuxPackageFacts`], which must
//! match the plan and hold the very artifact that was built.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Linux package format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LinuxPackageFormat {
    /// Debian and derivatives (`.deb`, dpkg).
    Deb,
    /// Fedora, RHEL, SUSE and derivatives (`.rpm`).
    Rpm,
    /// Alpine (`.apk`, apk-tools v2).
    Apk,
}

impl LinuxPackageFormat {
    /// Every format, in the order they are documented.
    pub const ALL: [LinuxPackageFormat; 3] = [
        LinuxPackageFormat::Deb,
        LinuxPackageFormat::Rpm,
        LinuxPackageFormat::Apk,
    ];

    /// The name in matrix.toml, JSON and file extensions: `deb`, `rpm`, `apk`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinuxPackageFormat::Deb => "deb",
            LinuxPackageFormat::Rpm => "rpm",
            LinuxPackageFormat::Apk => "apk",
        }
    }
}

impl fmt::Display for LinuxPackageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a Linux package says and holds, read back from its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LinuxPackageFacts {
    /// The format.
    pub format: LinuxPackageFormat,
    /// Package name (`Package:`, `Name`, `pkgname`).
    pub name: String,
    /// Version as the format writes it, without the release: deb `1.2.0~rc.1` (the upstream
    /// part of `Version:`), rpm `Version`, apk the part of `pkgver` before `-r`.
    pub version: String,
    /// Release: the deb revision after the last `-`, rpm `Release`, apk's `N` of the `-rN`
    /// that ends `pkgver` (`1.2.0_rc1-r1` has release `1`); null when absent (a deb version
    /// without a hyphen).
    pub release: Option<String>,
    /// Architecture name as the format writes it (`arm64`, `aarch64`, `armhf`, ...).
    pub arch: String,
    /// Every other metadata field, keyed as the format names it (deb control field names
    /// such as `Maintainer` and `Depends`; rpm tag names in lower case such as `license`
    /// and `requires`; apk `.PKGINFO` keys such as `maintainer` and `depend`). Repeated
    /// fields are joined with `, `.
    pub fields: BTreeMap<String, String>,
    /// The files the package installs, sorted by path.
    pub files: Vec<PackagedFile>,
}

/// One entry of a package's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackagedFile {
    /// Absolute install path, e.g. `/usr/bin/hello`.
    pub path: String,
    /// What it is.
    pub kind: PackagedFileKind,
    /// Permission bits, e.g. `0o755` (as a number).
    pub mode: u32,
    /// Size in bytes (0 for directories and symlinks).
    pub size: u64,
    /// Lower-case hex SHA-256 of a regular file's contents; null otherwise.
    pub sha256: Option<String>,
    /// A symlink's target; null otherwise.
    pub link_target: Option<String>,
    /// Marked as a configuration file (deb `conffiles`, rpm `%config`).
    pub config: bool,
}

/// The kind of a packaged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackagedFileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

/// A written package, as the manifest records it on its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ManifestLinuxPackage {
    /// The format.
    pub format: LinuxPackageFormat,
    /// Path relative to the dist directory.
    pub path: String,
    /// Lower-case hex SHA-256 of the package file.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The architecture name the package carries.
    pub arch: String,
}

/// What a written package must be, built from the plan and the artifact it packages; the
/// inspector's `check_linux_package` compares it with the [`LinuxPackageFacts`] read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedLinuxPackage {
    /// The format.
    pub format: LinuxPackageFormat,
    /// Package name.
    pub name: String,
    /// Version as the format writes it, without the release (see
    /// [`LinuxPackageFacts::version`]).
    pub version: String,
    /// Release exactly as [`LinuxPackageFacts::release`] reads it: `None` only for a deb
    /// written without a revision (rpm and apk always carry one).
    pub release: Option<String>,
    /// Architecture name for the format (`arm64`, `aarch64`, `armhf`, ...).
    pub arch: String,
    /// Files the package must hold as regular files, as `(absolute install path, lower-case
    /// hex SHA-256)`: at least the built binary at its destination.
    pub files: Vec<(String, String)>,
}
