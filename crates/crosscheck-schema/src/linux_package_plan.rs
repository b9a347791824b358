//! The Linux packages a target gets (`[packages]` in matrix.toml), as the planner decides
//! them: one [`PlannedLinuxPackage`] per format, with the name, the version converted to the
//! format's rules, the architecture name from the table, and every file it will hold.
//!
//! The executor writes each one (with nfpm) exactly as planned; the inspector's reader must
//! find the same name, version, release, architecture and files in the written bytes.

use serde::{Deserialize, Serialize};

use crate::linux_package::LinuxPackageFormat;

/// One package to write from a target's artifact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedLinuxPackage {
    /// The format.
    pub format: LinuxPackageFormat,
    /// Its path relative to the dist directory, extension included.
    pub path: String,
    /// The package name.
    pub name: String,
    /// The version in the format's spelling (`1.2.0~rc.1` for deb and rpm, `1.2.0_rc1`
    /// for apk), without the release.
    pub version: String,
    /// The release (deb revision, rpm `Release`, apk `-rN`).
    pub release: String,
    /// The architecture name the format uses for the target (`armhf`, `aarch64`, ...).
    pub arch: String,
    /// Where the binary is installed, e.g. `/usr/bin/hello`.
    pub binary_destination: String,
    /// The descriptive fields.
    pub metadata: PackageMetadata,
    /// Relations to other packages.
    #[serde(default, skip_serializing_if = "PackageRelations::is_empty")]
    pub relations: PackageRelations,
    /// The other files it holds, sorted by destination.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<PlannedPackageFile>,
    /// The maintainer scripts, each an absolute path to a file.
    #[serde(default, skip_serializing_if = "PackageScripts::is_empty")]
    pub scripts: PackageScripts,
}

/// A package's descriptive fields; a format that needs one the config lacks is a plan error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageMetadata {
    /// `Name <email>`: deb's `Maintainer`, rpm's `Packager`, apk's `maintainer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    /// One line, or a first line and a longer text.
    pub description: String,
    /// The project's web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// The license, an SPDX expression for rpm and apk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Who ships it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// deb's `Section` (rpm's `Group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// deb's `Priority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
}

/// Relations to other packages, each a list as the format writes it (`libc6 (>= 2.17)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRelations {
    /// Needed to install.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// Installed along by default (deb, rpm).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommends: Vec<String>,
    /// Worth installing too (deb, rpm).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggests: Vec<String>,
    /// Cannot be installed at the same time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// Virtual packages it provides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
    /// Packages whose files it takes over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
}

impl PackageRelations {
    /// Whether no relation is set.
    pub fn is_empty(&self) -> bool {
        self.depends.is_empty()
            && self.recommends.is_empty()
            && self.suggests.is_empty()
            && self.conflicts.is_empty()
            && self.provides.is_empty()
            && self.replaces.is_empty()
    }
}

/// Maintainer scripts, absolute paths of files read at packaging time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageScripts {
    /// Run before the files are unpacked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preinstall: Option<String>,
    /// Run after the files are in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postinstall: Option<String>,
    /// Run before the files are removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preremove: Option<String>,
    /// Run after the files are removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postremove: Option<String>,
}

impl PackageScripts {
    /// Whether no script is set.
    pub fn is_empty(&self) -> bool {
        self.preinstall.is_none()
            && self.postinstall.is_none()
            && self.preremove.is_none()
            && self.postremove.is_none()
    }
}

/// A file of `contents`, resolved at plan time (a glob is expanded to its files).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPackageFile {
    /// Where it is read from, absolute.
    pub source: String,
    /// Where it is installed, absolute.
    pub destination: String,
    /// Permission bits (`0o644` unless set).
    pub mode: u32,
    /// What kind of file the package declares it to be.
    pub kind: PackageFileKind,
}

/// The `type` of a `contents` entry: how package managers treat the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackageFileKind {
    /// An ordinary file, replaced on upgrade.
    #[serde(rename = "file")]
    File,
    /// A configuration file: deb `conffiles`, rpm `%config`; local edits survive upgrades.
    #[serde(rename = "config")]
    Config,
    /// rpm `%config(noreplace)` (deb and apk: as `config`).
    #[serde(rename = "config|noreplace")]
    ConfigNoReplace,
    /// rpm `%doc` (deb and apk: an ordinary file).
    #[serde(rename = "doc")]
    Doc,
    /// rpm `%license` (deb and apk: an ordinary file).
    #[serde(rename = "license")]
    License,
    /// rpm `%readme` (deb and apk: an ordinary file).
    #[serde(rename = "readme")]
    Readme,
}

impl PackageFileKind {
    /// Every kind, as matrix.toml spells them.
    pub const NAMES: [&'static str; 6] = [
        "file",
        "config",
        "config|noreplace",
        "doc",
        "license",
        "readme",
    ];

    /// The kind a `type` value names.
    pub fn from_name(name: &str) -> Option<PackageFileKind> {
        Some(match name {
            "file" => PackageFileKind::File,
            "config" => PackageFileKind::Config,
            "config|noreplace" => PackageFileKind::ConfigNoReplace,
            "doc" => PackageFileKind::Doc,
            "license" => PackageFileKind::License,
            "readme" => PackageFileKind::Readme,
            _ => return None,
        })
    }

    /// Whether package managers keep local edits of it (deb `conffiles`, rpm `%config`).
    pub fn is_config(self) -> bool {
        matches!(
            self,
            PackageFileKind::Config | PackageFileKind::ConfigNoReplace
        )
    }
}
