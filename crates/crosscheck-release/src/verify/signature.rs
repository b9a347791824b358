//! The signatures of `SHA256SUMS`: minisign with `minisign-verify` (pure Rust), OpenPGP with
//! the `gpg` command in a throwaway home, so the user's keyring is neither read nor changed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crosscheck_schema::dist::CHECKSUMS_FILE;
use crosscheck_schema::verify_report::{SignatureCheck, SignatureMethod, SignatureStatus};

use super::{Findings, MinisignKey, VerifyError, VerifyOptions};

/// The minisign signature of `SHA256SUMS`, by name (what `minisign -S` writes).
pub const MINISIGN_FILE: &str = "SHA256SUMS.minisig";
/// The armored OpenPGP signature of `SHA256SUMS` (what `gpg --detach-sign --armor` writes).
pub const GPG_FILE: &str = "SHA256SUMS.asc";

/// Checks each signature of `sums` (the bytes of `SHA256SUMS`) found in `dir` or asked for
/// by a key; a signature without a key is reported, not checked.
pub(super) fn check_signatures(
    dir: &Path,
    sums: &[u8],
    options: &VerifyOptions,
    findings: &mut Findings,
) -> Result<Vec<SignatureCheck>, VerifyError> {
    let mut checks = Vec::new();
    let minisig = dir.join(MINISIGN_FILE);
    if let Some(key) = &options.minisign_key {
        checks.push(minisign(key, &minisig, sums)?);
    } else if minisig.exists() {
        checks.push(not_checked(
            SignatureMethod::Minisign,
            MINISIGN_FILE,
            "--minisign-key minisign.pub or --minisign-pubkey RW...",
        ));
    }
    let asc = dir.join(GPG_FILE);
    if let Some(key) = &options.gpg_key {
        checks.push(gpg(key, &asc, sums)?);
    } else if asc.exists() {
        checks.push(not_checked(
            SignatureMethod::Gpg,
            GPG_FILE,
            "--gpg-key publisher.asc",
        ));
    }
    judge(&checks, options.require_signature, findings);
    Ok(checks)
}

/// Turns the checks into failures and notes: a failed signature always fails; with
/// `require_signature`, so does having none that verified.
fn judge(checks: &[SignatureCheck], require_signature: bool, findings: &mut Findings) {
    let verified = checks.iter().any(|c| c.status == SignatureStatus::Verified);
    for check in checks {
        match check.status {
            SignatureStatus::Failed => findings.failures.push(check.message.clone()),
            // Without a verified signature, --require-signature's failure says it instead.
            SignatureStatus::NotChecked if verified || !require_signature => {
                findings.notes.push(check.message.clone());
            }
            _ => {}
        }
    }
    let unchecked = checks
        .iter()
        .any(|c| c.status == SignatureStatus::NotChecked);
    if verified {
        return;
    }
    let unsigned = format!(
        "{CHECKSUMS_FILE} is not signed (there is neither {MINISIGN_FILE} nor {GPG_FILE}): its checksums show the files are intact, not who made them"
    );
    match (require_signature, unchecked, checks.is_empty()) {
        (true, true, _) => findings.failures.push(format!(
            "{CHECKSUMS_FILE} is signed, but no signature was checked: no public key was given, and --require-signature asks for one (hint: --minisign-key FILE or --gpg-key FILE)"
        )),
        (true, false, true) => findings
            .failures
            .push(format!("{unsigned} (--require-signature)")),
        (false, _, true) => findings.notes.push(unsigned),
        _ => {}
    }
}

fn not_checked(method: SignatureMethod, file: &str, flag: &str) -> SignatureCheck {
    SignatureCheck {
        method,
        file: file.to_owned(),
        status: SignatureStatus::NotChecked,
        key: None,
        signer: None,
        message: format!("{file} was not checked: no public key was given (hint: {flag})"),
    }
}

fn failed(method: SignatureMethod, file: &str, key: &str, message: String) -> SignatureCheck {
    SignatureCheck {
        method,
        file: file.to_owned(),
        status: SignatureStatus::Failed,
        key: Some(key.to_owned()),
        signer: None,
        message,
    }
}

/// A signature file the key asks for, absent.
fn missing(method: SignatureMethod, file: &str, flag: &str, key: &str) -> SignatureCheck {
    failed(
        method,
        file,
        key,
        format!(
            "{flag} was given but there is no {file}: the release is not signed with {}, or its signature was not downloaded",
            method.as_str()
        ),
    )
}

/// The public key and its base64 text (what the messages show), as `minisign -V -p`/`-P`
/// read them.
fn minisign_key(key: &MinisignKey) -> Result<(minisign_verify::PublicKey, String), VerifyError> {
    match key {
        MinisignKey::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| VerifyError::Io {
                action: "cannot read the minisign public key",
                path: path.clone(),
                source,
            })?;
            let public = minisign_verify::PublicKey::decode(&text).map_err(|e| {
                VerifyError::Key {
                    flag: "--minisign-key",
                    key: path.display().to_string(),
                    message: format!(
                        "not a minisign public key ({e}) (hint: give the file `minisign -G` writes, minisign.pub: a comment line, then the key, RW...)"
                    ),
                }
            })?;
            let base64 = text.lines().nth(1).unwrap_or_default().trim().to_owned();
            Ok((public, base64))
        }
        MinisignKey::Base64(text) => {
            let base64 = text.trim().to_owned();
            let public = minisign_verify::PublicKey::from_base64(&base64).map_err(|e| {
                VerifyError::Key {
                    flag: "--minisign-pubkey",
                    key: base64.clone(),
                    message: format!(
                        "not a minisign public key ({e}) (hint: the key is the 56 characters starting with RW on the second line of minisign.pub)"
                    ),
                }
            })?;
            Ok((public, base64))
        }
    }
}

fn minisign(
    key: &MinisignKey,
    signature: &Path,
    sums: &[u8],
) -> Result<SignatureCheck, VerifyError> {
    let (public, base64) = minisign_key(key)?;
    let method = SignatureMethod::Minisign;
    let flag = match key {
        MinisignKey::File(_) => "--minisign-key",
        MinisignKey::Base64(_) => "--minisign-pubkey",
    };
    let text = match std::fs::read_to_string(signature) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(missing(method, MINISIGN_FILE, flag, &base64));
        }
        Err(source) => {
            return Err(VerifyError::Io {
                action: "cannot read",
                path: signature.to_owned(),
                source,
            });
        }
    };
    let signature = match minisign_verify::Signature::decode(&text) {
        Ok(signature) => signature,
        Err(e) => {
            let message = format!(
                "{MINISIGN_FILE} is not a minisign signature ({e}): it was damaged or replaced"
            );
            return Ok(failed(method, MINISIGN_FILE, &base64, message));
        }
    };
    // Legacy (not prehashed) signatures are still Ed25519 over the file; `minisign -V`
    // accepts them too.
    let check = match public.verify(sums, &signature, true) {
        Ok(()) => SignatureCheck {
            method,
            file: MINISIGN_FILE.to_owned(),
            status: SignatureStatus::Verified,
            key: Some(base64.clone()),
            signer: Some(signature.trusted_comment().to_owned()),
            message: format!(
                "{CHECKSUMS_FILE}'s minisign signature verifies with key {base64} (trusted comment: {})",
                signature.trusted_comment()
            ),
        },
        Err(minisign_verify::Error::UnexpectedKeyId) => failed(
            method,
            MINISIGN_FILE,
            &base64,
            format!(
                "{MINISIGN_FILE} was made with another key than {base64}: the release was signed by someone else, or the publisher's key is not the one given"
            ),
        ),
        Err(minisign_verify::Error::InvalidSignature) => failed(
            method,
            MINISIGN_FILE,
            &base64,
            format!(
                "{CHECKSUMS_FILE}'s minisign signature does not verify with key {base64}: the checksum file was changed after it was signed, or signed with another key"
            ),
        ),
        Err(e) => failed(
            method,
            MINISIGN_FILE,
            &base64,
            format!("{MINISIGN_FILE} cannot be checked with key {base64}: {e}"),
        ),
    };
    Ok(check)
}

/// `gpg --verify` of `signature` over `sums`, with only `key` in a temporary GNUPGHOME.
fn gpg(key: &Path, signature: &Path, sums: &[u8]) -> Result<SignatureCheck, VerifyError> {
    let shown = key.display().to_string();
    if !signature.exists() {
        return Ok(missing(SignatureMethod::Gpg, GPG_FILE, "--gpg-key", &shown));
    }
    let home = gpg_home()?;
    let import = run_gpg(home.path(), &["--import".as_ref(), key.as_os_str()], None)?;
    if !import
        .status_lines
        .iter()
        .any(|l| l.starts_with("IMPORT_OK"))
    {
        return Err(VerifyError::GpgImport {
            key: key.to_owned(),
            output: import.stderr.trim().to_owned(),
        });
    }
    let verify = run_gpg(
        home.path(),
        &["--verify".as_ref(), signature.as_os_str(), "-".as_ref()],
        Some(sums),
    )?;
    Ok(gpg_verdict(&verify, &shown))
}

/// What `gpg --status-fd 1` said, and how it ended.
struct GpgRun {
    success: bool,
    /// The `[GNUPG:] ` lines, without that prefix.
    status_lines: Vec<String>,
    stderr: String,
}

fn gpg_home() -> Result<tempfile::TempDir, VerifyError> {
    let home = tempfile::Builder::new()
        .prefix("crosscheck-gnupg-")
        .tempdir()
        .map_err(|source| VerifyError::Io {
            action: "cannot create a temporary GNUPGHOME in",
            path: std::env::temp_dir(),
            source,
        })?;
    // gpg warns about (and some versions refuse) a home others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700));
    }
    Ok(home)
}

fn run_gpg(
    home: &Path,
    args: &[&std::ffi::OsStr],
    stdin: Option<&[u8]>,
) -> Result<GpgRun, VerifyError> {
    let mut command = Command::new("gpg");
    command
        .args(["--batch", "--no-tty", "--no-autostart", "--status-fd", "1"])
        .arg("--homedir")
        .arg(home)
        .args(args)
        .env_remove("GNUPGHOME")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => VerifyError::GpgMissing,
        _ => VerifyError::Io {
            action: "cannot run",
            path: PathBuf::from("gpg"),
            source,
        },
    })?;
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // gpg may stop reading early (a malformed signature): a broken pipe is its verdict
        // to report, not an error of ours.
        let _ = pipe.write_all(bytes);
    }
    let output = child.wait_with_output().map_err(|source| VerifyError::Io {
        action: "cannot run",
        path: PathBuf::from("gpg"),
        source,
    })?;
    Ok(GpgRun {
        success: output.status.success(),
        status_lines: String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("[GNUPG:] "))
            .map(str::to_owned)
            .collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Reads gpg's status lines: verified only with a `GOODSIG` and a `VALIDSIG`, a zero exit and
/// no `BADSIG` or `ERRSIG` beside them.
fn gpg_verdict(run: &GpgRun, key: &str) -> SignatureCheck {
    let field = |keyword: &str| {
        run.status_lines
            .iter()
            .find_map(|l| l.strip_prefix(keyword).map(|rest| rest.trim().to_owned()))
    };
    let method = SignatureMethod::Gpg;
    let bad = field("BADSIG ");
    let missing_key = field("NO_PUBKEY ").or_else(|| field("ERRSIG "));
    let good = field("GOODSIG ");
    let valid = field("VALIDSIG ");
    if let (true, None, None, Some(good), Some(valid)) =
        (run.success, &bad, &missing_key, good, valid)
    {
        // GOODSIG <long key id> <user id>; VALIDSIG <fingerprint> ... <primary fingerprint>.
        let user = good.split_once(' ').map_or("", |(_, user)| user);
        let primary = valid.split_whitespace().last().unwrap_or_default();
        let signer = format!("{primary} {user}").trim().to_owned();
        return SignatureCheck {
            method,
            file: GPG_FILE.to_owned(),
            status: SignatureStatus::Verified,
            key: Some(key.to_owned()),
            signer: Some(signer.clone()),
            message: format!("{CHECKSUMS_FILE}'s gpg signature verifies: signed by {signer}"),
        };
    }
    let message = if let Some(bad) = bad {
        format!(
            "{CHECKSUMS_FILE}'s gpg signature does not verify with key {bad}: the checksum file was changed after it was signed"
        )
    } else if let Some(id) = missing_key {
        let id = id.split_whitespace().next().unwrap_or_default();
        format!(
            "{GPG_FILE} was made by key {id}, which is not in {key}: the release was signed by someone else, or the publisher's key is not the one given"
        )
    } else if run.status_lines.iter().any(|l| l.starts_with("NODATA")) {
        format!("{GPG_FILE} is not an OpenPGP signature: it was damaged or replaced")
    } else {
        let said = run.stderr.lines().last().unwrap_or("no output").trim();
        format!("{CHECKSUMS_FILE}'s gpg signature does not verify: gpg says {said:?}")
    };
    failed(method, GPG_FILE, key, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(success: bool, lines: &[&str]) -> GpgRun {
        GpgRun {
            success,
            status_lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            stderr: "gpg: something\n".to_owned(),
        }
    }

    #[test]
    fn gpg_status_lines_decide() {
        let good = gpg_verdict(
            &run(
                true,
                &[
                    "NEWSIG",
                    "GOODSIG 0123456789ABCDEF test <test@example.com>",
                    "VALIDSIG AAAA 2026-12-01 1 0 4 0 22 8 01 BBBB",
                ],
            ),
            "k.asc",
        );
        assert_eq!(good.status, SignatureStatus::Verified);
        assert_eq!(good.signer.as_deref(), Some("BBBB test <test@example.com>"));

        let bad = gpg_verdict(
            &run(false, &["BADSIG 0123456789ABCDEF test <test@example.com>"]),
            "k.asc",
        );
        assert_eq!(bad.status, SignatureStatus::Failed);
        assert!(
            bad.message.contains("was changed after it was signed"),
            "{}",
            bad.message
        );

        let other = gpg_verdict(
            &run(
                false,
                &[
                    "ERRSIG 1111222233334444 22 8 01 1700000000 9 -",
                    "NO_PUBKEY 1111222233334444",
                ],
            ),
            "k.asc",
        );
        assert!(
            other
                .message
                .contains("made by key 1111222233334444, which is not in k.asc"),
            "{}",
            other.message
        );

        let garbage = gpg_verdict(&run(false, &["NODATA 1"]), "k.asc");
        assert!(
            garbage.message.contains("not an OpenPGP signature"),
            "{}",
            garbage.message
        );

        // A zero exit without VALIDSIG is not enough.
        let odd = gpg_verdict(&run(true, &["GOODSIG 01 x"]), "k.asc");
        assert_eq!(odd.status, SignatureStatus::Failed);
    }

    #[test]
    fn without_keys_signatures_are_noted_unless_required() {
        let unchecked = [not_checked(
            SignatureMethod::Minisign,
            MINISIGN_FILE,
            "--minisign-key",
        )];
        let mut findings = Findings::default();
        judge(&unchecked, false, &mut findings);
        assert!(findings.failures.is_empty());
        assert_eq!(findings.notes.len(), 1);
        assert!(
            findings.notes[0].contains("no public key was given"),
            "{:?}",
            findings.notes
        );

        let mut findings = Findings::default();
        judge(&unchecked, true, &mut findings);
        assert_eq!(findings.failures.len(), 1, "{findings:?}");

        let mut findings = Findings::default();
        judge(&[], true, &mut findings);
        assert!(
            findings.failures[0].contains("is not signed"),
            "{findings:?}"
        );
        let mut findings = Findings::default();
        judge(&[], false, &mut findings);
        assert!(findings.failures.is_empty() && findings.notes[0].contains("is not signed"));
    }
}
