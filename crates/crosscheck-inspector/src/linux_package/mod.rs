//! Linux packages read back from their bytes: [`read_linux_package`] sniffs the format
//! ([`detect_linux_package`]) and reads a deb (`deb`), rpm (`rpm`) or apk (`apk`) into the
//! schema's [`LinuxPackageFacts`]: name, version, release, architecture, the other metadata
//! fields, and every packaged file with its mode, size, link target, config flag and the
//! SHA-256 of its contents, computed here from the decompressed payload. [`check_linux_package`]
//! then compares the facts with what the plan asked for
//! ([`ExpectedLinuxPackage`](crate::ExpectedLinuxPackage)).
//!
//! Packages are untrusted input: every decompressed stream goes through a reader capped by
//! [`PackageLimits`], file counts are capped, paths are normalised (`./usr/bin/x` is
//! `/usr/bin/x`) and a `..` is an error, and each reader runs under `catch_unwind`, so bad
//! bytes give [`InspectError::MalformedPackage`], never a panic. Nothing is written to disk and
//! no process is spawned.

mod apk;
mod cpio;
mod deb;
mod decompress;
mod files;
mod rpm;
mod verdict;

use std::collections::BTreeMap;

use crate::error::{Bad, InspectError, Res};
use crate::inspect::DEFAULT_MAX_FILE_SIZE;
use crate::util::catch_parser_panic;
use crosscheck_schema::{LinuxPackageFacts, LinuxPackageFormat};

pub use verdict::check_linux_package;

/// Caps on what reading one package may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageLimits {
    /// Bytes a payload (deb `data.tar`, rpm cpio, apk data stream) may decompress to.
    pub max_unpacked: u64,
    /// Bytes a control stream (deb `control.tar`, apk signature and control streams) may
    /// decompress to; these are held in memory, payloads never are.
    pub max_control: u64,
    /// Files, directories and links a package may hold.
    pub max_files: usize,
}

impl Default for PackageLimits {
    /// Payloads up to four times the inspector's file-size cap (8 GiB: packaged files are
    /// hashed as they stream past, so this bounds time, not memory), control streams up to
    /// 16 MiB, and 200,000 files (Debian's largest packages hold about 100,000).
    fn default() -> Self {
        PackageLimits {
            max_unpacked: DEFAULT_MAX_FILE_SIZE * 4,
            max_control: 16 << 20,
            max_files: 200_000,
        }
    }
}

/// The package format of `bytes`, from their first bytes only: a deb is an `ar` archive whose
/// first member is `debian-binary`, an rpm starts with the lead magic `ED AB EE DB`, an apk
/// (v2) is a gzip stream.
pub fn detect_linux_package(bytes: &[u8]) -> Option<LinuxPackageFormat> {
    if deb::is_deb(bytes) {
        Some(LinuxPackageFormat::Deb)
    } else if bytes.starts_with(&rpm::LEAD_MAGIC) {
        Some(LinuxPackageFormat::Rpm)
    } else if bytes.starts_with(&apk::GZIP_MAGIC) {
        Some(LinuxPackageFormat::Apk)
    } else {
        None
    }
}

/// Reads a deb, rpm or apk package with the default [`PackageLimits`].
pub fn read_linux_package(bytes: &[u8]) -> Result<LinuxPackageFacts, InspectError> {
    read_linux_package_with(bytes, &PackageLimits::default())
}

/// Reads a deb, rpm or apk package within `limits`.
///
/// Bytes of no package format give [`InspectError::NotAPackage`]; a package that is broken,
/// over a limit, or whose payload disagrees with its own metadata (an rpm file digest that
/// does not match the contents, a conffile the data does not hold) gives
/// [`InspectError::MalformedPackage`].
pub fn read_linux_package_with(
    bytes: &[u8],
    limits: &PackageLimits,
) -> Result<LinuxPackageFacts, InspectError> {
    let format = detect_linux_package(bytes).ok_or(InspectError::NotAPackage)?;
    catch_parser_panic(|| match format {
        LinuxPackageFormat::Deb => deb::read(bytes, limits),
        LinuxPackageFormat::Rpm => rpm::read(bytes, limits),
        LinuxPackageFormat::Apk => apk::read(bytes, limits),
    })
    .map_err(|Bad(reason)| InspectError::MalformedPackage { format, reason })
}

/// The facts from a package's metadata fields: `keys` name the fields that hold the package
/// name, the version (split into version and release by `split_version`) and the
/// architecture, which must be present and not empty (`source` names where they were looked
/// for); every other field stays in `fields`.
fn facts_from_fields(
    format: LinuxPackageFormat,
    mut fields: BTreeMap<String, String>,
    keys: [&str; 3],
    split_version: fn(&str) -> (String, Option<String>),
    source: &str,
    files: files::FileList,
) -> Res<LinuxPackageFacts> {
    let mut take = |key: &str| {
        fields
            .remove(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Bad::new(format!("{source} has no {key} field")))
    };
    let [name_key, version_key, arch_key] = keys;
    let name = take(name_key)?;
    let (version, release) = split_version(&take(version_key)?);
    let arch = take(arch_key)?;
    Ok(LinuxPackageFacts {
        format,
        name,
        version,
        release,
        arch,
        fields,
        files: files.into_sorted(),
    })
}
