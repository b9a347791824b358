//! What the release stage tells the others: the files it wrote and what it could not
//! package ([`PackageOutcome`], which the executor's checksums cover), and its progress
//! ([`PackageEvent`], which reporters render).

use crate::dist::Artifact;

/// What a packager did.
#[derive(Clone, Debug, Default)]
pub struct PackageOutcome {
    /// Every file written (archives, universal binaries), for the checksums.
    pub files: Vec<Artifact>,
    /// What could not be packaged.
    pub failures: Vec<PackageFailure>,
}

/// One thing that could not be packaged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageFailure {
    /// The manifest entry it concerns (a target id or `darwin/universal`).
    pub id: String,
    /// What went wrong, one line.
    pub message: String,
}

/// Something the release stage did while packaging a finished build.
#[derive(Clone, Debug)]
pub enum PackageEvent {
    /// It wrote a file.
    Packaged {
        /// The manifest entry it belongs to (a target id or `darwin/universal`).
        id: String,
        /// What the file is.
        kind: PackagedKind,
        /// The file.
        file: Artifact,
    },
    /// It could not package an entry.
    PackagingFailed {
        /// The manifest entry (a target id or `darwin/universal`).
        id: String,
        /// What went wrong.
        message: String,
    },
}

/// What kind of file the release stage wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackagedKind {
    /// A tar.gz or zip archive of an artifact.
    Archive,
    /// A macOS universal binary assembled from its slices.
    Universal,
    /// A CycloneDX SBOM of an artifact.
    Sbom,
    /// A Linux package (deb, rpm, apk) of an artifact, read back and checked.
    LinuxPackage,
}

impl PackagedKind {
    /// The word for it in messages: `archive`, `universal`, `sbom`, `linux package`.
    pub fn as_str(self) -> &'static str {
        match self {
            PackagedKind::Archive => "archive",
            PackagedKind::Universal => "universal",
            PackagedKind::Sbom => "sbom",
            PackagedKind::LinuxPackage => "linux package",
        }
    }
}
