//! Detached signatures of `SHA256SUMS` (`[sign]` `minisign` and `gpg`): written after it,
//! atomically, by `build` and by `merge` alike, and recorded in the manifest as
//! [`ChecksumSignature`]s.
//!
//! minisign signs in-process with the `minisign` crate: the secret key file and its
//! password come from the variables the plan names, and a key is never asked for on a
//! terminal. gpg is `gpg --batch --pinentry-mode loopback --detach-sign --armor`, with
//! gpg's own agent and home (`GNUPGHOME` is honoured) holding the key. Signatures left by an
//! earlier run are removed first, so a failure never leaves one that does not match.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crosscheck_schema::dist::{CHECKSUMS_FILE, sha256_reader, write_atomically};
use crosscheck_schema::{
    ChecksumSignature, ChecksumSignatureKind, GpgKey, MinisignKey, PlannedSigning,
};

/// How many of gpg's last lines a failure shows.
const GPG_TAIL_LINES: usize = 8;

/// Why `SHA256SUMS` could not be signed. Messages name variables and files, never a
/// secret.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A variable `[sign]` names is unset or empty.
    #[error(
        "{name} is not set (hint: [sign] in matrix.toml names it as {what}; set it in the environment)"
    )]
    MissingVar {
        /// The variable.
        name: String,
        /// What it holds.
        what: &'static str,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// minisign refused the key (a wrong password, not a minisign secret key) or failed.
    #[error("minisign cannot sign with the key {}: {message}", path.display())]
    Minisign {
        /// The secret key file.
        path: PathBuf,
        /// The crate's reason.
        message: String,
    },
    /// gpg could not start or failed.
    #[error("gpg --detach-sign failed: {how}{}", tail.iter().map(|line| format!("\n  | {line}")).collect::<String>())]
    Gpg {
        /// `exit status 2`, `cannot start gpg: ...`.
        how: String,
        /// Its last lines.
        tail: Vec<String>,
    },
}

/// The minisign trusted comment (signed with the file): the project, its version and the
/// crosscheck that signed.
pub fn trusted_comment(project: &str, version: &str, crosscheck_version: &str) -> String {
    format!("{project} {version} {CHECKSUMS_FILE} (crosscheck {crosscheck_version})")
}

/// Signs `dist/SHA256SUMS` with every checksum key of `signing` (none: nothing), the
/// minisign signature carrying `trusted_comment`.
pub fn sign_checksums(
    signing: &PlannedSigning,
    trusted_comment: &str,
    dist: &Path,
) -> Result<Vec<ChecksumSignature>, SignError> {
    if !signing.signs_checksums() {
        return Ok(Vec::new());
    }
    let checksums = dist.join(CHECKSUMS_FILE);
    for kind in [ChecksumSignatureKind::Minisign, ChecksumSignatureKind::Gpg] {
        let _ = std::fs::remove_file(dist.join(kind.file_name()));
    }
    let bytes = std::fs::read(&checksums).map_err(|source| SignError::Io {
        action: "read",
        path: checksums.clone(),
        source,
    })?;
    let (_, sha256) = sha256_reader(&mut bytes.as_slice()).map_err(|source| SignError::Io {
        action: "hash",
        path: checksums.clone(),
        source,
    })?;
    let mut written = Vec::new();
    if let Some(key) = &signing.minisign {
        let signature = minisign_signature(key, &bytes, trusted_comment)?;
        written.push(place(
            dist,
            ChecksumSignatureKind::Minisign,
            signature.as_bytes(),
            &sha256,
        )?);
    }
    if let Some(key) = &signing.gpg {
        let signature = gpg_signature(key, &checksums)?;
        written.push(place(
            dist,
            ChecksumSignatureKind::Gpg,
            &signature,
            &sha256,
        )?);
    }
    Ok(written)
}

/// Writes a signature beside `SHA256SUMS`, atomically, and describes it.
fn place(
    dist: &Path,
    kind: ChecksumSignatureKind,
    bytes: &[u8],
    signs_sha256: &str,
) -> Result<ChecksumSignature, SignError> {
    let path = dist.join(kind.file_name());
    write_atomically(&path, bytes).map_err(|source| SignError::Io {
        action: "write",
        path,
        source,
    })?;
    Ok(ChecksumSignature {
        kind,
        path: kind.file_name().to_owned(),
        signs_sha256: signs_sha256.to_owned(),
    })
}

/// The `.minisig` text for `data`.
fn minisign_signature(key: &MinisignKey, data: &[u8], comment: &str) -> Result<String, SignError> {
    let path = PathBuf::from(required_var(&key.key_env, "the minisign secret key file")?);
    let text = std::fs::read_to_string(&path).map_err(|source| SignError::Io {
        action: "read the minisign secret key",
        path: path.clone(),
        source,
    })?;
    let rejected = |error: minisign::PError| SignError::Minisign {
        path: path.clone(),
        message: error.to_string(),
    };
    let key_box = minisign::SecretKeyBox::from_string(&text).map_err(rejected)?;
    // `None` would make the crate ask on the terminal; a key without a password is read
    // as such instead.
    let secret = match &key.password_env {
        Some(name) => {
            key_box.into_secret_key(Some(required_var(name, "the minisign key's password")?))
        }
        None => key_box.into_unencrypted_secret_key(),
    }
    .map_err(rejected)?;
    let signature = minisign::sign(None, &secret, data, Some(comment), None).map_err(rejected)?;
    Ok(signature.into_string())
}

/// An ASCII-armoured detached signature of `checksums` by gpg.
fn gpg_signature(key: &GpgKey, checksums: &Path) -> Result<Vec<u8>, SignError> {
    let output = Command::new("gpg")
        .args(["--batch", "--yes", "--pinentry-mode", "loopback"])
        .args(["--detach-sign", "--armor", "--local-user", &key.local_user])
        .arg("--output")
        .arg("-")
        .arg(checksums)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| SignError::Gpg {
            how: format!(
                "cannot start gpg: {error} (hint: install GnuPG: apt-get install gnupg, brew install gnupg)"
            ),
            tail: Vec::new(),
        })?;
    if output.status.success() && !output.stdout.is_empty() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<String> = stderr.lines().map(str::to_owned).collect();
    Err(SignError::Gpg {
        how: match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_owned(),
        },
        tail: lines[lines.len().saturating_sub(GPG_TAIL_LINES)..].to_vec(),
    })
}

fn required_var(name: &str, what: &'static str) -> Result<String, SignError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(SignError::MissingVar {
            name: name.to_owned(),
            what,
        }),
    }
}
