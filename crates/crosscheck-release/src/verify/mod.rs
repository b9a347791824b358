//! `crosscheck verify DIR`: what a downstream user runs on a downloaded release.
//!
//! [`verify_release`] checks, in order:
//!
//! 1. the signatures of `SHA256SUMS` (`signature.rs`): `SHA256SUMS.minisig` with a minisign
//!    public key, `SHA256SUMS.asc` with an OpenPGP key file (through `gpg` in a temporary
//!    home); a signature without a key is reported as not checked;
//! 2. every line of `SHA256SUMS` ([`sums`]): the file exists (unless `ignore_missing`),
//!    inside the directory, with that SHA-256;
//! 3. the code signatures embedded in every listed binary, and in the binaries inside every
//!    listed `.tar.gz` and `.zip` (`contents.rs`): present ones must verify, darwin/arm64 ones
//!    must be present;
//!
//! then lists the files `SHA256SUMS` does not name (a binary or archive among them fails) and,
//! when `manifest.json` is there, compares its digests with `SHA256SUMS`'s. The result is a
//! schema [`VerifyReport`]; only what keeps the check from running at all (no `SHA256SUMS`,
//! an unreadable key, no `gpg`) is a [`VerifyError`].

mod contents;
mod signature;
pub mod sums;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crosscheck_schema::VerifyReport;
use crosscheck_schema::dist::CHECKSUMS_FILE;

pub use signature::{GPG_FILE, MINISIGN_FILE};
pub use sums::{ListedFile, SumsError, parse_sha256sums};

/// A minisign public key, as `minisign -V` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MinisignKey {
    /// A `minisign.pub` file (`-p`).
    File(PathBuf),
    /// The base64 key itself, `RW...` (`-P`).
    Base64(String),
}

/// What to verify with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The minisign key for `SHA256SUMS.minisig`.
    pub minisign_key: Option<MinisignKey>,
    /// An armored OpenPGP public key file for `SHA256SUMS.asc`.
    pub gpg_key: Option<PathBuf>,
    /// Fail unless at least one signature of `SHA256SUMS` verified.
    pub require_signature: bool,
    /// Listed files that are not in the directory are a note, not a failure (as
    /// `sha256sum -c --ignore-missing`); at least one must be there.
    pub ignore_missing: bool,
}

/// What keeps the verification from running at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A file or directory could not be read.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The directory has no checksum file.
    #[error(
        "there is no {CHECKSUMS_FILE} in {} (hint: download {CHECKSUMS_FILE} with the release files into the directory, or name the directory that holds them)",
        dir.display()
    )]
    NoChecksums {
        /// The directory.
        dir: PathBuf,
    },
    /// A public key given on the command line is not one.
    #[error("{flag} {key}: {message}")]
    Key {
        /// The option that gave it.
        flag: &'static str,
        /// The key or key file, as given.
        key: String,
        /// What is wrong, with a hint.
        message: String,
    },
    /// `--gpg-key` needs gpg, which is not installed.
    #[error(
        "--gpg-key needs gpg, which is not installed (hint: install GnuPG: `apt install gnupg`, `brew install gnupg`)"
    )]
    GpgMissing,
    /// gpg could not import the key file.
    #[error(
        "--gpg-key {}: gpg imports no public key from it: {output} (hint: give the publisher's armored public key, as `gpg --armor --export KEYID` writes it)",
        key.display()
    )]
    GpgImport {
        /// The key file.
        key: PathBuf,
        /// What gpg said.
        output: String,
    },
}

/// Failures and notes gathered by the checks, one sentence each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Findings {
    pub(crate) failures: Vec<String>,
    pub(crate) notes: Vec<String>,
}

impl Findings {
    fn extend(&mut self, other: Findings) {
        self.failures.extend(other.failures);
        self.notes.extend(other.notes);
    }
}

/// Verifies the release in `dir` (see the module docs for what, in which order).
pub fn verify_release(dir: &Path, options: &VerifyOptions) -> Result<VerifyReport, VerifyError> {
    if let Err(source) = std::fs::read_dir(dir) {
        return Err(VerifyError::Io {
            action: "cannot read the directory",
            path: dir.to_owned(),
            source,
        });
    }
    let sums_path = dir.join(CHECKSUMS_FILE);
    let sums = match std::fs::read(&sums_path) {
        Ok(sums) => sums,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoChecksums {
                dir: dir.to_owned(),
            });
        }
        Err(source) => {
            return Err(VerifyError::Io {
                action: "cannot read",
                path: sums_path,
                source,
            });
        }
    };
    let mut findings = Findings::default();
    let signatures = signature::check_signatures(dir, &sums, options, &mut findings)?;
    let (listed, errors) = parse_sha256sums(CHECKSUMS_FILE, &String::from_utf8_lossy(&sums));
    findings
        .failures
        .extend(errors.iter().map(ToString::to_string));
    if listed.is_empty() && errors.is_empty() {
        findings.failures.push(format!(
            "{CHECKSUMS_FILE} lists no files: nothing was verified"
        ));
    }
    let files = check_all(dir, &listed, &mut findings);
    contents::judge_missing(&files, options.ignore_missing, &mut findings);
    let names: BTreeSet<String> = listed.iter().map(|l| normalized(&l.path)).collect();
    let names: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let unlisted = contents::unlisted_files(dir, &names, &mut findings);
    let manifest = contents::check_manifest(dir, &listed, &mut findings);
    Ok(VerifyReport {
        dir: dir.display().to_string(),
        ok: findings.failures.is_empty(),
        signatures,
        files,
        unlisted,
        manifest,
        failures: findings.failures,
        notes: findings.notes,
    })
}

/// Checks every listed file, on all cores (hashing and inspecting are CPU work); results in
/// the order of `SHA256SUMS`.
fn check_all(
    dir: &Path,
    listed: &[ListedFile],
    findings: &mut Findings,
) -> Vec<crosscheck_schema::verify_report::FileCheck> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = listed.len().div_ceil(workers).max(1);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = listed
            .chunks(chunk)
            .map(|part| {
                let handle = scope.spawn(move || {
                    part.iter()
                        .map(|file| contents::check_listed(dir, file))
                        .collect::<Vec<_>>()
                });
                (part, handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, handle)| {
                // A check that panicked must not drop its files from the verdict.
                handle
                    .join()
                    .unwrap_or_else(|_| part.iter().map(contents::not_checked).collect())
            })
            .collect()
    });
    results
        .into_iter()
        .map(|(check, found)| {
            findings.extend(found);
            check
        })
        .collect()
}

/// A listed path as the directory walk names it: `./a//b` is `a/b`.
fn normalized(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::dist::sha256_hex;
    use crosscheck_schema::verify_report::{ChecksumStatus, FileKind};

    fn release(files: &[(&str, &[u8])], sums: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(dir.path().join(CHECKSUMS_FILE), sums).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    fn verify(dir: &Path) -> VerifyReport {
        verify_release(dir, &VerifyOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn intact_files_pass_and_an_unsigned_checksum_file_is_a_note() {
        let text = b"hello\n";
        let dir = release(
            &[("a.txt", text)],
            &format!("{}  a.txt\n", sha256_hex(text)),
        );
        let report = verify(dir.path());
        assert!(report.ok, "{:?}", report.failures);
        assert_eq!(report.files.len(), 1);
        assert_eq!(report.files[0].checksum, ChecksumStatus::Ok);
        assert_eq!(report.files[0].kind, FileKind::Other);
        assert!(
            report.notes.iter().any(|n| n.contains("is not signed")),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn changed_missing_and_escaping_files_fail_by_name() {
        let sums = format!(
            "{}  a.txt\n{}  gone.txt\n{}  ../outside\n{}  link\n",
            sha256_hex(b"original"),
            sha256_hex(b"x"),
            sha256_hex(b"x"),
            sha256_hex(b"secret"),
        );
        let dir = release(&[("a.txt", b"changed")], &sums);
        let outside = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(outside.path(), b"secret").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link"))
            .unwrap_or_else(|e| panic!("{e}"));
        let report = verify(dir.path());
        assert!(!report.ok);
        let statuses: Vec<_> = report
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.checksum))
            .collect();
        assert_eq!(
            statuses,
            [
                ("a.txt", ChecksumStatus::Mismatch),
                ("gone.txt", ChecksumStatus::Missing),
                ("link", ChecksumStatus::Unreadable),
            ]
        );
        let failures = report.failures.join("\n");
        for expected in [
            "a.txt does not match SHA256SUMS",
            "gone.txt is listed in SHA256SUMS but missing",
            "SHA256SUMS:3:67: \"../outside\" points outside the directory",
            "link: it leads outside the directory",
        ] {
            assert!(
                failures.contains(expected),
                "{expected:?} not in\n{failures}"
            );
        }
    }

    #[test]
    fn ignore_missing_checks_what_is_here_but_not_nothing() {
        let text = b"hello\n";
        let sums = format!("{}  a.txt\n{}  b.txt\n", sha256_hex(text), sha256_hex(b"b"));
        let dir = release(&[("a.txt", text)], &sums);
        let options = VerifyOptions {
            ignore_missing: true,
            ..VerifyOptions::default()
        };
        let report = verify_release(dir.path(), &options).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.ok, "{:?}", report.failures);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("1 of the 2 files SHA256SUMS lists is not here")),
            "{:?}",
            report.notes
        );
        std::fs::remove_file(dir.path().join("a.txt")).unwrap_or_else(|e| panic!("{e}"));
        let report = verify_release(dir.path(), &options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            report.failures,
            ["none of the 2 files SHA256SUMS lists is here: nothing was verified"]
        );
    }

    #[test]
    fn an_unlisted_binary_fails_and_other_files_are_noted() {
        let text = b"hello\n";
        let dir = release(
            &[
                ("a.txt", text),
                ("extra", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
                ("notes.md", b"# notes"),
            ],
            &format!("{}  ./a.txt\n", sha256_hex(text)),
        );
        let report = verify(dir.path());
        let unlisted: Vec<_> = report
            .unlisted
            .iter()
            .map(|u| (u.path.as_str(), u.kind))
            .collect();
        assert_eq!(
            unlisted,
            [("extra", FileKind::Binary), ("notes.md", FileKind::Other)]
        );
        assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
        assert!(report.failures[0].starts_with("extra is a binary that SHA256SUMS does not list"));
        assert!(
            report
                .notes
                .iter()
                .any(|n| n == "1 file not listed in SHA256SUMS was not checked: notes.md")
        );
    }

    #[test]
    fn archives_are_known_by_name() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"not a tar").unwrap_or_else(|e| panic!("{e}"));
        let gz = gz.finish().unwrap_or_else(|e| panic!("{e}"));
        let sums = format!("{0}  tool.gz\n{0}  tool.tar.gz\n", sha256_hex(&gz));
        let dir = release(&[("tool.gz", &gz), ("tool.tar.gz", &gz)], &sums);
        let report = verify(dir.path());
        let kinds: Vec<_> = report.files.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FileKind::Other, FileKind::Archive]);
        assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
        assert!(
            report.failures[0].starts_with("tool.tar.gz cannot be opened as an archive"),
            "{:?}",
            report.failures
        );
    }

    #[test]
    fn an_empty_checksum_file_verifies_nothing() {
        let dir = release(&[], "\n");
        let report = verify(dir.path());
        assert_eq!(
            report.failures,
            ["SHA256SUMS lists no files: nothing was verified"]
        );
    }

    #[test]
    fn no_checksum_file_is_an_error_not_a_verdict() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let error = verify_release(dir.path(), &VerifyOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.starts_with("there is no SHA256SUMS in"), "{error}");
    }
}
