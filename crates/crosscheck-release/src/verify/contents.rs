//! The files of a release: each listed file's SHA-256, the code signatures embedded in its
//! binaries (inside archives too), the files nothing lists, and `manifest.json`'s digests.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crosscheck_inspector::{Format, InspectOptions, Policy, Report, Rule};
use crosscheck_schema::Manifest;
use crosscheck_schema::dist::{CHECKSUMS_FILE, MANIFEST_FILE, STATE_DIR, sha256_hex};
use crosscheck_schema::verify_report::{
    ChecksumStatus, EmbeddedSignature, FileCheck, FileKind, ImageCheck, ManifestCheck, UnlistedFile,
};

use super::Findings;
use super::signature::{GPG_FILE, MINISIGN_FILE};
use super::sums::ListedFile;

/// The largest archive member read into memory: an archive that inflates to more is a zip
/// bomb, not a release.
const MAX_MEMBER_SIZE: u64 = crosscheck_inspector::DEFAULT_MAX_FILE_SIZE;

/// Checks one listed file: its digest, then the code signatures in it. A missing file is
/// [`ChecksumStatus::Missing`] without a finding: [`judge_missing`] weighs those.
pub(super) fn check_listed(dir: &Path, listed: &ListedFile) -> (FileCheck, Findings) {
    let mut findings = Findings::default();
    let mut check = FileCheck {
        path: listed.path.clone(),
        kind: FileKind::Unknown,
        expected_sha256: listed.sha256.clone(),
        sha256: None,
        checksum: ChecksumStatus::Missing,
        images: Vec::new(),
    };
    let bytes = match read_inside(dir, &listed.path) {
        Ok(bytes) => bytes,
        // Whether that fails depends on --ignore-missing: `judge_missing` decides.
        Err(Unread::Missing) => return (check, findings),
        Err(Unread::Error(message)) => {
            check.checksum = ChecksumStatus::Unreadable;
            findings
                .failures
                .push(format!("{}: {message}", listed.path));
            return (check, findings);
        }
    };
    let sha256 = sha256_hex(&bytes);
    check.checksum = if sha256 == listed.sha256 {
        ChecksumStatus::Ok
    } else {
        findings.failures.push(format!(
            "{} does not match {CHECKSUMS_FILE} (its SHA-256 is {sha256}, line {} says {}): the file was changed or damaged after the checksums were made",
            listed.path, listed.line, listed.sha256
        ));
        ChecksumStatus::Mismatch
    };
    check.sha256 = Some(sha256);
    check.kind = kind_of(&listed.path, &bytes);
    check.images = match check.kind {
        FileKind::Binary => vec![image_check(&listed.path, None, &bytes)],
        FileKind::Archive => match archive_images(&listed.path, &bytes) {
            Ok(images) => images,
            Err(message) => {
                findings.failures.push(format!(
                    "{} cannot be opened as an archive ({message}): its binaries were not checked",
                    listed.path
                ));
                Vec::new()
            }
        },
        FileKind::Other | FileKind::Unknown => Vec::new(),
    };
    for image in &check.images {
        if image.signature.fails() {
            findings.failures.push(image_failure(&listed.path, image));
        }
    }
    (check, findings)
}

/// Missing listed files fail, each named; with `ignore_missing` (a user who downloaded only
/// some files, as `sha256sum -c --ignore-missing`) they are one note, unless none is here.
pub(super) fn judge_missing(files: &[FileCheck], ignore_missing: bool, findings: &mut Findings) {
    let missing: Vec<&str> = files
        .iter()
        .filter(|f| f.checksum == ChecksumStatus::Missing)
        .map(|f| f.path.as_str())
        .collect();
    if missing.is_empty() {
        return;
    }
    if !ignore_missing {
        findings.failures.extend(missing.iter().map(|path| {
            format!(
                "{path} is listed in {CHECKSUMS_FILE} but missing: the download is incomplete (hint: --ignore-missing checks only the files that are here)"
            )
        }));
    } else if missing.len() == files.len() {
        findings.failures.push(format!(
            "none of the {} files {CHECKSUMS_FILE} lists is here: nothing was verified",
            files.len()
        ));
    } else {
        let (are, were) = if missing.len() == 1 {
            ("is", "was")
        } else {
            ("are", "were")
        };
        findings.notes.push(format!(
            "{} of the {} files {CHECKSUMS_FILE} lists {are} not here and {were} not checked (--ignore-missing)",
            missing.len(),
            files.len()
        ));
    }
}

/// A listed file whose check did not finish: a failure, never a pass.
pub(super) fn not_checked(listed: &ListedFile) -> (FileCheck, Findings) {
    let check = FileCheck {
        path: listed.path.clone(),
        kind: FileKind::Unknown,
        expected_sha256: listed.sha256.clone(),
        sha256: None,
        checksum: ChecksumStatus::Unreadable,
        images: Vec::new(),
    };
    let findings = Findings {
        failures: vec![format!(
            "{}: the check did not finish (an internal error)",
            listed.path
        )],
        notes: Vec::new(),
    };
    (check, findings)
}

/// Why a listed file could not be read.
enum Unread {
    Missing,
    Error(String),
}

/// Reads `dir/relative`, refusing a path that resolves outside `dir` (through a symbolic link)
/// or is not a regular file.
fn read_inside(dir: &Path, relative: &str) -> Result<Vec<u8>, Unread> {
    let path = dir.join(relative);
    let resolved = match path.canonicalize() {
        Ok(resolved) => resolved,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unread::Missing),
        Err(e) => return Err(Unread::Error(format!("cannot read it: {e}"))),
    };
    let root = dir
        .canonicalize()
        .map_err(|e| Unread::Error(format!("cannot read the directory: {e}")))?;
    if !resolved.starts_with(&root) {
        return Err(Unread::Error(format!(
            "it leads outside the directory (a symbolic link to {}): not read",
            resolved.display()
        )));
    }
    if !resolved.is_file() {
        return Err(Unread::Error("it is not a regular file".to_owned()));
    }
    std::fs::read(&resolved).map_err(|e| Unread::Error(format!("cannot read it: {e}")))
}

/// A binary when the inspector knows its format; an archive by its name.
fn kind_of(name: &str, bytes: &[u8]) -> FileKind {
    if crosscheck_inspector::detect(bytes) != Format::Unknown {
        FileKind::Binary
    } else if archive_kind(name).is_some() {
        FileKind::Archive
    } else {
        FileKind::Other
    }
}

#[derive(Clone, Copy)]
enum ArchiveKind {
    TarGz,
    Zip,
}

/// An archive by its name, as `archive` writes them: a lone `tool.gz` or a `.jar` is a file
/// like any other, not something to open.
fn archive_kind(name: &str) -> Option<ArchiveKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else if lower.ends_with(".zip") {
        Some(ArchiveKind::Zip)
    } else {
        None
    }
}

/// The binaries inside an archive, each inspected.
fn archive_images(name: &str, bytes: &[u8]) -> Result<Vec<ImageCheck>, String> {
    let mut images = Vec::new();
    let mut visit = |member: String, contents: Vec<u8>| {
        if crosscheck_inspector::detect(&contents) != Format::Unknown {
            images.push(image_check(name, Some(member), &contents));
        }
    };
    match archive_kind(name) {
        Some(ArchiveKind::TarGz) => tar_members(bytes, &mut visit)?,
        Some(ArchiveKind::Zip) => zip_members(bytes, &mut visit)?,
        None => {}
    }
    Ok(images)
}

fn tar_members(bytes: &[u8], visit: &mut dyn FnMut(String, Vec<u8>)) -> Result<(), String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let member = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(|e| e.to_string())?;
        visit(member, read_member(entry)?);
    }
    Ok(())
}

fn zip_members(bytes: &[u8], visit: &mut dyn FnMut(String, Vec<u8>)) -> Result<(), String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    for index in 0..archive.len() {
        let file = archive.by_index(index).map_err(|e| e.to_string())?;
        if !file.is_file() {
            continue;
        }
        let member = file.name().map_err(|e| e.to_string())?.into_owned();
        visit(member, read_member(file)?);
    }
    Ok(())
}

fn read_member(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut contents = Vec::new();
    reader
        .take(MAX_MEMBER_SIZE + 1)
        .read_to_end(&mut contents)
        .map_err(|e| e.to_string())?;
    if contents.len() as u64 > MAX_MEMBER_SIZE {
        return Err(format!(
            "a member inflates to more than {MAX_MEMBER_SIZE} bytes"
        ));
    }
    Ok(contents)
}

/// The verdict on one binary's code signature: the inspector's `invalid-signature` and
/// `missing-code-signature` rules under the default policy (darwin/arm64 must be signed).
fn image_check(file: &str, member: Option<String>, bytes: &[u8]) -> ImageCheck {
    let label = match &member {
        Some(member) => format!("{file}:{member}"),
        None => file.to_owned(),
    };
    let options = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    let report = match crosscheck_inspector::inspect_bytes_with(&label, bytes, &options) {
        Ok(report) => report,
        Err(error) => {
            return ImageCheck {
                member,
                format: crosscheck_inspector::detect(bytes),
                target: None,
                signature: EmbeddedSignature::Unreadable,
                signature_kind: None,
                detail: Some(error.to_string()),
            };
        }
    };
    let violations = crosscheck_inspector::check(&report, None, &Policy::default());
    let of_rule = |rule: Rule| -> Vec<&str> {
        violations
            .iter()
            .filter(|v| v.rule == rule)
            .map(|v| v.message.as_str())
            .collect()
    };
    let (invalid, missing) = (
        of_rule(Rule::InvalidSignature),
        of_rule(Rule::MissingCodeSignature),
    );
    let kind = signature_kind(&report);
    let (signature, detail) = if !invalid.is_empty() {
        (EmbeddedSignature::Invalid, Some(invalid.join("; ")))
    } else if !missing.is_empty() {
        (EmbeddedSignature::Missing, Some(missing.join("; ")))
    } else if kind.is_some() {
        (EmbeddedSignature::Valid, None)
    } else {
        (EmbeddedSignature::Unsigned, None)
    };
    ImageCheck {
        member,
        format: report.format,
        target: target_of(&report),
        signature,
        signature_kind: kind,
        detail,
    }
}

/// The kind of the code signature of the file, or of its slices (`macho-adhoc` once when every
/// slice has it).
fn signature_kind(report: &Report) -> Option<String> {
    if let Some(signature) = &report.code_signature {
        return Some(signature.kind.clone());
    }
    // A fat file's slices are signed one by one (Go signs only arm64): say which.
    let kinds: Vec<String> = report
        .slices
        .iter()
        .filter_map(|slice| {
            let kind = &slice.code_signature.as_ref()?.kind;
            Some(format!(
                "{kind} on {}",
                slice.goarch.as_deref().unwrap_or("?")
            ))
        })
        .collect();
    (!kinds.is_empty()).then(|| kinds.join(", "))
}

fn target_of(report: &Report) -> Option<String> {
    let goos = report.goos.as_deref()?;
    match (report.format, report.goarch.as_deref()) {
        (Format::MachoFat, _) => Some(format!("{goos}/universal")),
        (_, Some(goarch)) => Some(format!("{goos}/{goarch}")),
        (_, None) => None,
    }
}

fn image_failure(file: &str, image: &ImageCheck) -> String {
    let what = match &image.member {
        Some(member) => format!("{member} in {file}"),
        None => file.to_owned(),
    };
    let detail = image.detail.as_deref().unwrap_or("no detail");
    match image.signature {
        EmbeddedSignature::Invalid => format!(
            "{what}: its code signature does not verify ({detail}): the binary was changed after it was signed, and the OS will refuse or warn about it"
        ),
        EmbeddedSignature::Missing => format!(
            "{what}: no code signature ({detail}): macOS on Apple silicon refuses to run it"
        ),
        _ => format!("{what}: cannot be inspected ({detail})"),
    }
}

/// The files under `dir` that `listed` does not name: a binary or an archive is a failure
/// (nothing vouches for it), anything else a note.
pub(super) fn unlisted_files(
    dir: &Path,
    listed: &BTreeSet<&str>,
    findings: &mut Findings,
) -> Vec<UnlistedFile> {
    let mut found = Vec::new();
    walk(dir, "", &mut found);
    found.sort();
    let ours = [CHECKSUMS_FILE, MINISIGN_FILE, GPG_FILE];
    let mut unlisted = Vec::new();
    for (relative, path) in found {
        if listed.contains(relative.as_str()) || ours.contains(&relative.as_str()) {
            continue;
        }
        let kind = match head(&path) {
            Some(head) => kind_of(&relative, &head),
            None => FileKind::Unknown,
        };
        if matches!(kind, FileKind::Binary | FileKind::Archive) {
            findings.failures.push(format!(
                "{relative} is {} that {CHECKSUMS_FILE} does not list: nothing vouches for it, do not run or unpack it (hint: delete it, or verify it with the checksum file it came with)",
                match kind {
                    FileKind::Binary => "a binary",
                    _ => "an archive",
                }
            ));
        }
        unlisted.push(UnlistedFile {
            path: relative,
            kind,
        });
    }
    let others: Vec<&str> = unlisted
        .iter()
        .filter(|u| !matches!(u.kind, FileKind::Binary | FileKind::Archive))
        .map(|u| u.path.as_str())
        .collect();
    if !others.is_empty() {
        let mut names = others
            .iter()
            .take(3)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if others.len() > 3 {
            names.push_str(", ...");
        }
        findings.notes.push(if others.len() == 1 {
            format!("1 file not listed in {CHECKSUMS_FILE} was not checked: {names}")
        } else {
            format!(
                "{} files not listed in {CHECKSUMS_FILE} were not checked: {names}",
                others.len()
            )
        });
    }
    unlisted
}

/// Every regular file (and file link) under `dir`, not following directory links, skipping
/// crosscheck's own state directory.
fn walk(dir: &Path, prefix: &str, found: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                if !(prefix.is_empty() && name == STATE_DIR) {
                    walk(&entry.path(), &relative, found);
                }
            }
            Ok(_) => found.push((relative, entry.path())),
            Err(_) => {}
        }
    }
}

/// The first bytes of a regular file, enough for the format's magic; `None` for links and
/// unreadable files, which are never read.
fn head(path: &Path) -> Option<Vec<u8>> {
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// Compares the digests `manifest.json` records with those `SHA256SUMS` gives, for every file
/// both name. The manifest is not signed, so it cannot vouch for anything; a disagreement
/// shows that one of the two was edited after the build.
pub(super) fn check_manifest(
    dir: &Path,
    listed: &[ListedFile],
    findings: &mut Findings,
) -> ManifestCheck {
    let path = dir.join(MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ManifestCheck::Absent,
        Err(e) => {
            findings.notes.push(format!(
                "{MANIFEST_FILE} cannot be read ({e}): not compared"
            ));
            return ManifestCheck::Unreadable;
        }
    };
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(manifest) => manifest,
        Err(e) => {
            findings.notes.push(format!(
                "{MANIFEST_FILE} is not a crosscheck manifest this version reads ({e}): not compared"
            ));
            return ManifestCheck::Unreadable;
        }
    };
    let recorded: BTreeMap<String, String> = manifest
        .targets
        .iter()
        .flat_map(crate::merge::target_files)
        .filter_map(|file| Some((file.path, file.sha256?)))
        .collect();
    let mut agrees = true;
    for file in listed {
        if let Some(sha256) = recorded.get(&file.path)
            && *sha256 != file.sha256
        {
            agrees = false;
            findings.failures.push(format!(
                "{MANIFEST_FILE} gives {} the SHA-256 {sha256}, {CHECKSUMS_FILE} gives {}: one of them was edited after the build",
                file.path, file.sha256
            ));
        }
    }
    if agrees {
        ManifestCheck::Agrees
    } else {
        ManifestCheck::Disagrees
    }
}
