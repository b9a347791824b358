//! Authenticode verification against `osslsigncode verify` as the oracle: Go windows/amd64 and
//! windows/386 executables signed here with throwaway self-signed certificates (RSA 2048 and
//! ECDSA P-256, made with `openssl` in a temporary directory; no key material is committed),
//! then altered in their code, their signed attributes, their signature value, or their
//! certificate table.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{TestResult, go_fixture, our_panics, record_our_panics};
use crosscheck_inspector::{
    CodeSignature, InspectOptions, Report, SignatureProblem, inspect_bytes_with,
};
use proptest::prelude::*;
use tempfile::TempDir;

const INSTALL: &str = "apt-get install osslsigncode openssl";

/// Runs a signing tool; a missing tool fails naming the packages to install.
fn tool(program: &str, args: &[&Path]) -> TestResult<Output> {
    Command::new(program).args(args).output().map_err(|e| {
        format!("cannot run {program} ({e}): this test needs it, run `{INSTALL}`").into()
    })
}

fn must_succeed(what: &str, out: Output) -> TestResult<Output> {
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Rsa,
    P256,
}

/// A self-signed code-signing certificate and its key, in a temporary directory.
struct Identity {
    dir: TempDir,
}

impl Identity {
    fn new(key: Key) -> TestResult<Identity> {
        Identity::with_args(key, &[])
    }

    /// An identity whose certificate gets more `openssl req` arguments (extensions).
    fn with_args(key: Key, extra: &[&str]) -> TestResult<Identity> {
        let dir = tempfile::tempdir()?;
        let newkey: &[&str] = match key {
            Key::Rsa => &["-newkey", "rsa:2048"],
            Key::P256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        };
        let mut args: Vec<&Path> = vec![Path::new("req"), Path::new("-x509")];
        args.extend(newkey.iter().map(Path::new));
        let key_path = dir.path().join("key.pem");
        let cert_path = dir.path().join("cert.pem");
        args.extend([
            Path::new("-nodes"),
            Path::new("-keyout"),
            &key_path,
            Path::new("-out"),
            &cert_path,
            Path::new("-subj"),
            Path::new("/CN=Crosscheck Test/O=Crosscheck"),
            Path::new("-days"),
            Path::new("30"),
        ]);
        args.extend(extra.iter().map(Path::new));
        must_succeed("openssl req", tool("openssl", &args)?)?;
        Ok(Identity { dir })
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// Signs `input` into a new file in the identity's directory with digest `hash`.
    fn sign(&self, input: &Path, hash: &str, name: &str) -> TestResult<PathBuf> {
        self.sign_with(input, hash, name, &[])
    }

    /// [`Identity::sign`] with more `osslsigncode sign` arguments.
    fn sign_with(
        &self,
        input: &Path,
        hash: &str,
        name: &str,
        extra: &[&Path],
    ) -> TestResult<PathBuf> {
        let out = self.dir.path().join(name);
        let key = self.dir.path().join("key.pem");
        let cert = self.cert();
        let mut args = vec![
            Path::new("sign"),
            Path::new("-certs"),
            &cert,
            Path::new("-key"),
            &key,
            Path::new("-h"),
            Path::new(hash),
            Path::new("-in"),
            input,
            Path::new("-out"),
            &out,
        ];
        args.extend(extra);
        must_succeed("osslsigncode sign", tool("osslsigncode", &args)?)?;
        Ok(out)
    }

    /// `openssl x509 -noout OPTION` on the certificate, the value after `=`.
    fn x509(&self, option: &[&str]) -> TestResult<String> {
        let cert = self.cert();
        let mut args: Vec<&Path> = vec![Path::new("x509"), Path::new("-noout"), Path::new("-in")];
        args.push(&cert);
        args.extend(option.iter().map(Path::new));
        let out = must_succeed("openssl x509", tool("openssl", &args)?)?;
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Ok(line
            .split_once('=')
            .map_or(line.clone(), |(_, v)| v.trim().to_owned()))
    }
}

/// `osslsigncode verify` with the self-signed certificate as its trust anchor: whether it
/// succeeds, and what it printed.
fn oracle(identity: &Identity, file: &Path) -> TestResult<(bool, String)> {
    let cert = identity.cert();
    let args = [
        Path::new("verify"),
        Path::new("-CAfile"),
        &cert,
        Path::new("-in"),
        file,
    ];
    let out = tool("osslsigncode", &args)?;
    Ok((out.status.success(), text(&out)))
}

fn inspect(bytes: &[u8]) -> TestResult<Report> {
    let opts = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    Ok(inspect_bytes_with("signed.exe", bytes, &opts)?)
}

fn signature(bytes: &[u8]) -> TestResult<CodeSignature> {
    inspect(bytes)?
        .code_signature
        .ok_or_else(|| "no code signature reported".into())
}

/// One signed executable per key, shared by the tests that alter it.
fn signed_amd64(key: Key) -> TestResult<&'static (Identity, Vec<u8>)> {
    static RSA: OnceLock<Result<(Identity, Vec<u8>), String>> = OnceLock::new();
    static P256: OnceLock<Result<(Identity, Vec<u8>), String>> = OnceLock::new();
    let slot = match key {
        Key::Rsa => &RSA,
        Key::P256 => &P256,
    };
    slot.get_or_init(|| {
        let make = || -> TestResult<(Identity, Vec<u8>)> {
            let identity = Identity::new(key)?;
            let signed = identity.sign(&go_fixture("windows-amd64")?, "sha256", "signed.exe")?;
            let bytes = std::fs::read(signed)?;
            Ok((identity, bytes))
        };
        make().map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| e.clone().into())
}

/// Writes `bytes` next to the identity's files, for osslsigncode to read.
fn write(identity: &Identity, name: &str, bytes: &[u8]) -> TestResult<PathBuf> {
    let path = identity.dir.path().join(name);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

#[test]
fn signed_exes_verify_with_the_signers_facts() -> TestResult {
    let mut failures = Vec::new();
    for key in [Key::Rsa, Key::P256] {
        let identity = Identity::new(key)?;
        let subject = identity.x509(&["-subject", "-nameopt", "RFC2253"])?;
        let serial = identity.x509(&["-serial"])?.to_ascii_lowercase();
        let not_before = identity.x509(&["-startdate", "-dateopt", "iso_8601"])?;
        let not_after = identity.x509(&["-enddate", "-dateopt", "iso_8601"])?;
        for fixture in ["windows-amd64", "windows-386"] {
            for hash in ["sha1", "sha256"] {
                let what = format!("{fixture} {key:?} {hash}");
                let file = identity.sign(
                    &go_fixture(fixture)?,
                    hash,
                    &format!("{fixture}-{hash}.exe"),
                )?;
                let (ok, said) = oracle(&identity, &file)?;
                if !ok || !said.contains("Timestamp is not available") {
                    failures.push(format!("{what}: osslsigncode verify says: {said}"));
                }
                let report = inspect(&std::fs::read(&file)?)?;
                let Some(sig) = report.code_signature else {
                    failures.push(format!("{what}: no signature"));
                    continue;
                };
                let signer = sig.signer.as_ref();
                let got = (
                    sig.valid,
                    sig.reason,
                    sig.digest_algorithm.as_deref(),
                    sig.timestamped,
                    signer.map(|s| (s.subject.as_str(), s.issuer.as_str(), s.serial.as_str())),
                    signer.map(|s| {
                        (
                            s.not_before.replace('T', " "),
                            s.not_after.replace('T', " "),
                        )
                    }),
                    signer.map(|s| s.key_algorithm.as_str()),
                );
                let want = (
                    true,
                    None,
                    Some(hash),
                    false,
                    Some((subject.as_str(), subject.as_str(), serial.as_str())),
                    Some((not_before.clone(), not_after.clone())),
                    Some(if key == Key::Rsa { "rsa" } else { "ecdsa-p256" }),
                );
                if got != want {
                    failures.push(format!(
                        "{what}: got {got:?}, want {want:?} ({:?})",
                        sig.detail
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

#[test]
fn an_rfc3161_timestamp_is_reported() -> TestResult {
    // osslsigncode's built-in timestamp authority (for tests: no network), with its own
    // self-signed time-stamping certificate.
    let signer = Identity::new(Key::Rsa)?;
    let tsa = Identity::with_args(
        Key::P256,
        &["-addext", "extendedKeyUsage=critical,timeStamping"],
    )?;
    let (tsa_cert, tsa_key) = (tsa.cert(), tsa.dir.path().join("key.pem"));
    let extra = [
        Path::new("-TSA-certs"),
        &tsa_cert,
        Path::new("-TSA-key"),
        &tsa_key,
        Path::new("-TSA-time"),
        Path::new("1764590000"),
    ];
    let file = signer.sign_with(&go_fixture("windows-amd64")?, "sha256", "ts.exe", &extra)?;
    let sig = signature(&std::fs::read(&file)?)?;
    assert!(sig.valid && sig.timestamped, "{sig:?}");
    let (_, said) = oracle(&signer, &file)?;
    assert!(
        said.contains("Timestamp time:"),
        "osslsigncode sees no timestamp: {said}"
    );
    Ok(())
}

/// The file offset of the first byte of `.text`.
fn text_offset(bytes: &[u8]) -> TestResult<usize> {
    let pe = goblin::pe::PE::parse(bytes)?;
    let text = pe
        .sections
        .iter()
        .find(|s| s.name().ok() == Some(".text"))
        .ok_or("no .text section")?;
    Ok(text.pointer_to_raw_data as usize + 0x100)
}

#[test]
fn a_changed_code_byte_is_a_digest_mismatch_for_both() -> TestResult {
    for key in [Key::Rsa, Key::P256] {
        let (identity, signed) = signed_amd64(key)?;
        let mut altered = signed.clone();
        let at = text_offset(&altered)?;
        altered[at] ^= 0x01;
        let sig = signature(&altered)?;
        assert!(!sig.valid, "{key:?}: {sig:?}");
        assert_eq!(
            sig.reason,
            Some(SignatureProblem::DigestMismatch),
            "{sig:?}"
        );
        assert!(
            sig.signer.is_some(),
            "the signer is still reported: {sig:?}"
        );
        let (ok, said) = oracle(identity, &write(identity, "text-altered.exe", &altered)?)?;
        assert!(!ok && said.contains("MISMATCH"), "osslsigncode: {said}");
    }
    Ok(())
}

/// Where `needle` is in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn hex_bytes(hex: &str) -> TestResult<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(hex.get(i..i + 2).ok_or("odd hex")?, 16)?))
        .collect()
}

/// The signed attributes' messageDigest, as osslsigncode prints it.
fn signed_message_digest(said: &str) -> TestResult<Vec<u8>> {
    let line = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("Message digest: "))
        .ok_or_else(|| format!("osslsigncode printed no messageDigest: {said}"))?;
    hex_bytes(line.trim())
}

#[test]
fn a_changed_signed_attribute_or_signature_value_does_not_verify_for_both() -> TestResult {
    let (identity, signed) = signed_amd64(Key::Rsa)?;
    let (ok, said) = oracle(identity, &write(identity, "valid.exe", signed)?)?;
    assert!(ok, "the unaltered file must verify: {said}");
    let digest = signed_message_digest(&said)?;
    let in_attributes = find(signed, &digest).ok_or("messageDigest not found in the file")?;
    // RSA-2048: the signature value is a 256-byte OCTET STRING after the signed attributes.
    let value = in_attributes
        + find(&signed[in_attributes..], &[0x04, 0x82, 0x01, 0x00])
            .ok_or("signature value not found")?
        + 4;
    for (what, at) in [
        ("messageDigest", in_attributes + 3),
        ("signature value", value + 100),
    ] {
        let mut altered = signed.clone();
        altered[at] ^= 0x40;
        let sig = signature(&altered)?;
        assert_eq!(
            sig.reason,
            Some(SignatureProblem::BadSignature),
            "{what}: {sig:?}"
        );
        assert!(!sig.valid);
        let (ok, said) = oracle(identity, &write(identity, "sig-altered.exe", &altered)?)?;
        assert!(!ok, "{what}: osslsigncode accepts the altered file: {said}");
    }
    Ok(())
}

/// The certificate table's offset and size from the data directory.
fn certificate_table(bytes: &[u8]) -> TestResult<(usize, usize)> {
    let pe = goblin::pe::PE::parse(bytes)?;
    let table = pe
        .header
        .optional_header
        .and_then(|o| o.data_directories.get_certificate_table().copied())
        .ok_or("no certificate table")?;
    Ok((table.virtual_address as usize, table.size as usize))
}

#[test]
fn truncated_and_garbage_tables_are_malformed_without_panicking() -> TestResult {
    record_our_panics();
    let (_, signed) = signed_amd64(Key::P256)?;
    let (offset, size) = certificate_table(signed)?;
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // The file ends inside the table.
    cases.push((
        "truncated in the table",
        signed[..offset + size / 2].to_vec(),
    ));
    cases.push(("truncated in the header", signed[..offset + 4].to_vec()));
    // Random bytes after a valid WIN_CERTIFICATE header.
    let mut garbage = signed.clone();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for b in &mut garbage[offset + 8..offset + size] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *b = state as u8;
    }
    cases.push(("garbage payload", garbage));
    // The SignedData cut short inside a valid-looking header.
    let mut short = signed.clone();
    short[offset..offset + 4].copy_from_slice(&64u32.to_le_bytes());
    cases.push(("dwLength 64", short));
    let mut huge = signed.clone();
    huge[offset..offset + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("dwLength 4 GiB", huge));
    for (what, bytes) in cases {
        let sig = signature(&bytes)?;
        assert_eq!(
            sig.reason,
            Some(SignatureProblem::Malformed),
            "{what}: {sig:?}"
        );
        assert!(!sig.valid && sig.detail.is_some(), "{what}: {sig:?}");
    }
    assert!(our_panics().is_empty(), "{:#?}", our_panics());
    Ok(())
}

#[test]
fn osslsigncode_writes_the_checksum_we_compute_and_go_writes_none() -> TestResult {
    for fixture in ["windows-amd64", "windows-386"] {
        let unsigned = std::fs::read(go_fixture(fixture)?)?;
        let pe = inspect(&unsigned)?.pe.ok_or("no pe details")?;
        assert_eq!(
            pe.checksum.stored, 0,
            "{fixture}: Go's linker writes no checksum"
        );
        assert_ne!(pe.checksum.computed, 0, "{fixture}");
        assert!(inspect(&unsigned)?.code_signature.is_none(), "{fixture}");

        let identity = Identity::new(Key::Rsa)?;
        let signed_path = identity.sign(&go_fixture(fixture)?, "sha256", "signed.exe")?;
        let (_, said) = oracle(&identity, &signed_path)?;
        let printed = said
            .lines()
            .find_map(|l| l.strip_prefix("PE checksum"))
            .and_then(|l| l.split(':').nth(1))
            .map(str::trim)
            .ok_or_else(|| format!("osslsigncode printed no checksum: {said}"))?;
        let osslsigncode_says = u32::from_str_radix(printed, 16)?;
        let pe = inspect(&std::fs::read(&signed_path)?)?
            .pe
            .ok_or("no pe details")?;
        assert_eq!(
            (pe.checksum.stored, pe.checksum.computed),
            (osslsigncode_says, osslsigncode_says),
            "{fixture}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any byte of the certificate table flipped, or the file cut anywhere in it: a report
    /// whose signature is not valid (or still valid, when the byte was alignment padding),
    /// and never a panic of ours.
    #[test]
    fn mutated_tables_never_panic(position in 0.0f64..1.0, flip in 1u8..=255, cut in any::<bool>()) {
        record_our_panics();
        let (_, signed) = signed_amd64(Key::Rsa).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (offset, size) = certificate_table(signed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = offset + ((size as f64 * position) as usize).min(size - 1);
        let mut bytes = signed.clone();
        if cut {
            bytes.truncate(at);
        } else {
            bytes[at] ^= flip;
        }
        let sig = signature(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(sig.valid == sig.reason.is_none(), "{sig:?}");
        prop_assert!(our_panics().is_empty(), "{:#?}", our_panics());
    }
}
