//! What `crosscheck verify DIR` found in a downloaded release ([`VerifyReport`]): the checksum
//! file's signatures ([`SignatureCheck`]), every listed file's SHA-256 and embedded code
//! signatures ([`FileCheck`], [`ImageCheck`]), the files nothing lists ([`UnlistedFile`]).
//!
//! The release stage fills it (`crosscheck_release::verify`); the CLI renders it as a table
//! or prints it as it is with `--format json`. Every failure is also one sentence in
//! [`VerifyReport::failures`], saying what is wrong and what it means, so a person and a
//! script read the same verdict.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Format;

/// `crosscheck verify --format json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VerifyReport {
    /// The directory verified, as given.
    pub dir: String,
    /// True when nothing failed (`failures` is empty): the exit code is then 0.
    pub ok: bool,
    /// One entry per signature of `SHA256SUMS` found or asked for, minisign first.
    pub signatures: Vec<SignatureCheck>,
    /// One entry per line of `SHA256SUMS`, in its order.
    pub files: Vec<FileCheck>,
    /// Files in the directory that `SHA256SUMS` does not list (crosscheck's own `.crosscheck/`
    /// state, `SHA256SUMS` and its signatures aside), sorted by path.
    pub unlisted: Vec<UnlistedFile>,
    /// Whether `manifest.json` was compared with `SHA256SUMS`.
    pub manifest: ManifestCheck,
    /// Every verification failure, one sentence each: what is wrong and what it means.
    pub failures: Vec<String>,
    /// What was not checked and why, one sentence each; never a failure.
    pub notes: Vec<String>,
}

/// The JSON schema of [`VerifyReport`] (`crosscheck schema verify-report`), derived from these
/// types so it cannot drift from the output.
pub fn verify_report_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(VerifyReport)).unwrap_or_default()
}

/// How a signature of `SHA256SUMS` was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureMethod {
    /// A minisign signature, `SHA256SUMS.minisig`.
    Minisign,
    /// An OpenPGP detached signature, `SHA256SUMS.asc`, checked with `gpg --verify`.
    Gpg,
}

impl SignatureMethod {
    /// `minisign` or `gpg`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::Minisign => "minisign",
            SignatureMethod::Gpg => "gpg",
        }
    }
}

/// What became of one signature of `SHA256SUMS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// It verifies with the public key given: `SHA256SUMS` is what the key's owner signed.
    Verified,
    /// It does not verify, is malformed, or is missing although a key was given.
    Failed,
    /// The signature file is there but no public key for it was given.
    NotChecked,
}

impl SignatureStatus {
    /// `verified`, `failed`, `not-checked`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Verified => "verified",
            SignatureStatus::Failed => "failed",
            SignatureStatus::NotChecked => "not-checked",
        }
    }
}

/// One signature of `SHA256SUMS`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignatureCheck {
    /// minisign or gpg.
    pub method: SignatureMethod,
    /// The signature file, relative to the directory: `SHA256SUMS.minisig` or `SHA256SUMS.asc`.
    pub file: String,
    /// Whether it verified.
    pub status: SignatureStatus,
    /// The public key: minisign's base64 key (`RW...`), or the gpg key file as given; null
    /// when none was given.
    pub key: Option<String>,
    /// Who signed, when it verified: minisign's trusted comment, gpg's primary key
    /// fingerprint and user id.
    pub signer: Option<String>,
    /// One sentence for people.
    pub message: String,
}

/// What a listed file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// An executable format the inspector knows (ELF, Mach-O, PE, wasm, XCOFF, Plan 9).
    Binary,
    /// A `.tar.gz` (`.tgz`) or `.zip` archive; its binaries are checked too.
    Archive,
    /// Anything else (an SBOM, a text file): only its checksum is checked.
    Other,
    /// Not there, or not readable: nothing could be said.
    Unknown,
}

impl FileKind {
    /// `binary`, `archive`, `other`, `unknown`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Binary => "binary",
            FileKind::Archive => "archive",
            FileKind::Other => "other",
            FileKind::Unknown => "unknown",
        }
    }
}

/// Whether a listed file has the SHA-256 `SHA256SUMS` gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumStatus {
    /// It matches.
    Ok,
    /// The file's bytes hash to another value: it was changed after `SHA256SUMS` was made.
    Mismatch,
    /// The file is not in the directory.
    Missing,
    /// The file is there but could not be read (the error is in `failures`).
    Unreadable,
}

impl ChecksumStatus {
    /// `ok`, `mismatch`, `missing`, `unreadable`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumStatus::Ok => "ok",
            ChecksumStatus::Mismatch => "mismatch",
            ChecksumStatus::Missing => "missing",
            ChecksumStatus::Unreadable => "unreadable",
        }
    }
}

/// One file listed in `SHA256SUMS`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileCheck {
    /// The path as `SHA256SUMS` lists it, relative to the directory.
    pub path: String,
    /// What the file is.
    pub kind: FileKind,
    /// The SHA-256 `SHA256SUMS` gives, lowercase hex.
    pub expected_sha256: String,
    /// The file's SHA-256, lowercase hex; null when it could not be read.
    pub sha256: Option<String>,
    /// Whether the two agree.
    pub checksum: ChecksumStatus,
    /// The embedded code signatures: the file itself when it is a binary, each binary inside
    /// when it is an archive; empty otherwise.
    pub images: Vec<ImageCheck>,
}

/// What the embedded code signature of one binary says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EmbeddedSignature {
    /// A code signature is present and verifies against the bytes (every slice's, in a fat
    /// Mach-O).
    Valid,
    /// A code signature is present and does not verify: the binary changed after signing.
    Invalid,
    /// No code signature where one is required: darwin/arm64 (macOS refuses to run it).
    Missing,
    /// No code signature, and none is required (linux binaries, unsigned windows ones).
    Unsigned,
    /// The binary could not be parsed.
    Unreadable,
}

impl EmbeddedSignature {
    /// `valid`, `invalid`, `missing`, `unsigned`, `unreadable`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EmbeddedSignature::Valid => "valid",
            EmbeddedSignature::Invalid => "invalid",
            EmbeddedSignature::Missing => "missing",
            EmbeddedSignature::Unsigned => "unsigned",
            EmbeddedSignature::Unreadable => "unreadable",
        }
    }

    /// Whether this verdict fails the verification.
    pub fn fails(self) -> bool {
        matches!(
            self,
            EmbeddedSignature::Invalid | EmbeddedSignature::Missing | EmbeddedSignature::Unreadable
        )
    }
}

/// One binary, listed itself or inside a listed archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImageCheck {
    /// The archive member's name; null when the listed file is the binary itself.
    pub member: Option<String>,
    /// Its container format.
    pub format: Format,
    /// `goos/goarch` as the inspector read it (`darwin/universal` for a fat Mach-O); null when
    /// unknown.
    pub target: Option<String>,
    /// The code signature's verdict.
    pub signature: EmbeddedSignature,
    /// The signature's kind (`macho-adhoc`, `macho-cms`, `authenticode`); null when there is
    /// none.
    pub signature_kind: Option<String>,
    /// Why it is not valid, from the inspector; null when it is valid or unsigned.
    pub detail: Option<String>,
}

/// A file in the directory that `SHA256SUMS` does not list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnlistedFile {
    /// Its path relative to the directory, with `/`.
    pub path: String,
    /// What it is. A binary or an archive nothing vouches for is a failure; anything else
    /// (the manifest, SBOMs, logs) is a note.
    pub kind: FileKind,
}

/// Whether `manifest.json` agrees with `SHA256SUMS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestCheck {
    /// There is no `manifest.json`: nothing to compare (a user may download only
    /// `SHA256SUMS` and the files).
    #[default]
    Absent,
    /// Every file both list has the same SHA-256 in both.
    Agrees,
    /// Some file has another SHA-256 in the manifest (named in `failures`).
    Disagrees,
    /// `manifest.json` is not a crosscheck manifest this version reads (a note says why).
    Unreadable,
}

impl ManifestCheck {
    /// `absent`, `agrees`, `disagrees`, `unreadable`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ManifestCheck::Absent => "absent",
            ManifestCheck::Agrees => "agrees",
            ManifestCheck::Disagrees => "disagrees",
            ManifestCheck::Unreadable => "unreadable",
        }
    }
}
