//! Signing: what `[sign]` asks for ([`PlannedSigning`], each target's [`PlannedCodeSign`]) and
//! what a build recorded ([`ChecksumSignature`]).
//!
//! Secrets never appear here: a key is named by the environment variables that hold its
//! file's path and its password, read only when the signing tool runs. `docs/signing.md`
//! documents the order (build, `after_build` hooks, sign, inspect, hash, package) and how
//! a user verifies each signature.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[sign]` of matrix.toml as the plan carries it: the checksum keys and the code-signing
/// settings, with environment-variable names, never their values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSigning {
    /// Sign `SHA256SUMS` with minisign, writing `SHA256SUMS.minisig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minisign: Option<MinisignKey>,
    /// Sign `SHA256SUMS` with gpg, writing `SHA256SUMS.asc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpg: Option<GpgKey>,
    /// Authenticode-sign windows executables with osslsigncode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<CodeSigning>,
    /// Sign darwin Mach-O files with rcodesign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macos: Option<CodeSigning>,
}

impl PlannedSigning {
    /// Whether `SHA256SUMS` gets at least one signature.
    pub fn signs_checksums(&self) -> bool {
        self.minisign.is_some() || self.gpg.is_some()
    }
}

/// A minisign secret key: the variable naming its file, and the one holding its password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinisignKey {
    /// The variable whose value is the path of the secret key file (`minisign -G`'s
    /// `minisign.key`).
    pub key_env: String,
    /// The variable whose value is the key's password; absent for a key without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
}

/// The gpg key that signs `SHA256SUMS`; gpg's own agent and home (`GNUPGHOME`) hold it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpgKey {
    /// What `--local-user` is given: a key id, fingerprint or e-mail address.
    pub local_user: String,
}

/// Signing of one platform's binaries: Authenticode for windows, Apple code signatures
/// for darwin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSigning {
    /// The certificate and key (always a PKCS#12 file for windows: Authenticode has no
    /// ad-hoc form).
    pub identity: CodeIdentity,
    /// An RFC 3161 time-stamping server, when the signature should outlive the
    /// certificate; without it no time-stamp is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_url: Option<String>,
}

/// Who signs a binary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CodeIdentity {
    /// An ad-hoc signature (macOS only): no certificate, the code hashes alone, which is
    /// what arm64 macOS needs to run a binary.
    Adhoc,
    /// A certificate and its key in a PKCS#12 file.
    Pkcs12 {
        /// The variable whose value is the PKCS#12 file's path.
        pkcs12_env: String,
        /// The variable whose value is the PKCS#12 file's password.
        password_env: String,
    },
}

/// How one target's artifact is signed, between its `after_build` hooks and its
/// inspection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCodeSign {
    /// The program that signs.
    pub tool: SignTool,
    /// With what.
    pub identity: CodeIdentity,
    /// The time-stamping server; without it none is asked (rcodesign's default, Apple's
    /// server, is turned off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_url: Option<String>,
}

/// An external program that signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignTool {
    /// `osslsigncode`: Authenticode for PE files (Debian package `osslsigncode`).
    Osslsigncode,
    /// `rcodesign`: Apple code signatures (the `apple-codesign` crate).
    Rcodesign,
    /// `gpg`: OpenPGP detached signatures of `SHA256SUMS`.
    Gpg,
}

impl SignTool {
    /// The program's name on PATH.
    pub fn program(self) -> &'static str {
        match self {
            SignTool::Osslsigncode => "osslsigncode",
            SignTool::Rcodesign => "rcodesign",
            SignTool::Gpg => "gpg",
        }
    }

    /// How to install it.
    pub fn install_hint(self) -> &'static str {
        match self {
            SignTool::Osslsigncode => {
                "install osslsigncode (apt-get install osslsigncode, brew install osslsigncode)"
            }
            SignTool::Rcodesign => {
                "install rcodesign: cargo install apple-codesign --version 0.29.0 --no-default-features --locked"
            }
            SignTool::Gpg => "install GnuPG (apt-get install gnupg, brew install gnupg)",
        }
    }
}

/// The kind of a signature over `SHA256SUMS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumSignatureKind {
    /// `SHA256SUMS.minisig`: `minisign -Vm SHA256SUMS -p KEY.pub` checks it.
    Minisign,
    /// `SHA256SUMS.asc`, ASCII-armoured: `gpg --verify SHA256SUMS.asc SHA256SUMS` checks it.
    Gpg,
}

impl ChecksumSignatureKind {
    /// The signature file's name beside `SHA256SUMS`.
    pub fn file_name(self) -> &'static str {
        match self {
            ChecksumSignatureKind::Minisign => "SHA256SUMS.minisig",
            ChecksumSignatureKind::Gpg => "SHA256SUMS.asc",
        }
    }
}

/// A detached signature of `SHA256SUMS` that the run wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChecksumSignature {
    /// Which kind.
    pub kind: ChecksumSignatureKind,
    /// Its path relative to the dist directory (`SHA256SUMS.minisig`, `SHA256SUMS.asc`).
    pub path: String,
    /// The SHA-256 of the `SHA256SUMS` it signs, hex: a signature left over from an
    /// earlier run would not match.
    pub signs_sha256: String,
}

/// The manifest's record of how one artifact was signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CodeSigned {
    /// The program that signed it.
    pub tool: SignTool,
    /// `adhoc` or `pkcs12`.
    pub identity: String,
}

impl From<&PlannedCodeSign> for CodeSigned {
    fn from(planned: &PlannedCodeSign) -> CodeSigned {
        CodeSigned {
            tool: planned.tool,
            identity: match planned.identity {
                CodeIdentity::Adhoc => "adhoc",
                CodeIdentity::Pkcs12 { .. } => "pkcs12",
            }
            .to_owned(),
        }
    }
}
