//! Apple signatures made with a certificate (`macho-cms`): rcodesign signs a Go darwin/arm64
//! binary with a self-signed certificate made at run time; the inspector must verify the CMS
//! signature over the CodeDirectory, report the signer, and catch a CodeDirectory or a
//! signature value changed after signing.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TestResult, go_fixture};
use crosscheck_inspector::{InspectOptions, Report, SignatureProblem, inspect_bytes_with};

const INSTALL: &str = "apt-get install openssl; cargo install apple-codesign --version 0.29.0 --no-default-features --locked (rcodesign; scripts/test does both)";

fn run(program: &str, args: &[&str], dir: &Path) -> TestResult {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {program} ({e}); install it: {INSTALL}"))?;
    if !out.status.success() {
        return Err(format!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// The darwin/arm64 fixture signed by rcodesign with a throwaway certificate whose common
/// name is `Test Developer ID`.
fn cms_signed() -> TestResult<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "30",
            "-nodes",
            "-subj",
            "/CN=Test Developer ID/O=Example",
            "-addext",
            "extendedKeyUsage=codeSigning",
        ],
        d,
    )?;
    // rcodesign reads PKCS#12 files with the legacy 3DES encryption only.
    run(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-out",
            "id.p12",
            "-passout",
            "pass:pw",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
        d,
    )?;
    std::fs::write(d.join("pw.txt"), "pw")?;
    std::fs::copy(go_fixture("darwin-arm64")?, d.join("unsigned"))?;
    run(
        "rcodesign",
        &[
            "sign",
            "--p12-file",
            "id.p12",
            "--p12-password-file",
            "pw.txt",
            "--timestamp-url",
            "none",
            "unsigned",
            "signed",
        ],
        d,
    )?;
    Ok(std::fs::read(d.join("signed"))?)
}

fn inspect(bytes: &[u8]) -> TestResult<Report> {
    let opts = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    Ok(inspect_bytes_with("signed", bytes, &opts)?)
}

/// Where `needle` is, searching from the end (the signature is the last thing in the file).
fn last(bytes: &[u8], needle: &[u8]) -> TestResult<usize> {
    bytes
        .windows(needle.len())
        .rposition(|w| w == needle)
        .ok_or_else(|| format!("{needle:x?} not found").into())
}

fn first(bytes: &[u8], needle: &[u8]) -> TestResult<usize> {
    bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .ok_or_else(|| format!("{needle:x?} not found").into())
}

#[test]
fn a_certificate_signature_verifies_and_names_its_signer() -> TestResult {
    let bytes = cms_signed()?;
    let r = inspect(&bytes)?;
    let sig = r.code_signature.as_ref().ok_or("no signature")?;
    assert_eq!(sig.kind, "macho-cms");
    assert!(sig.valid, "{sig:?}");
    let signer = sig.signer.as_ref().ok_or("no signer")?;
    assert!(
        signer.subject.contains("CN=Test Developer ID"),
        "{signer:?}"
    );
    assert_eq!(signer.key_algorithm, "rsa");
    assert!(!sig.timestamped);
    let apple = sig.apple.as_ref().ok_or("no apple facts")?;
    assert!(!apple.adhoc, "{apple:?}");
    Ok(())
}

#[test]
fn a_changed_code_directory_or_signature_value_is_a_bad_signature() -> TestResult {
    let bytes = cms_signed()?;
    // The identifier inside the CodeDirectory: not a page of the image, so only the CMS
    // signature (whose messageDigest covers the CodeDirectory) can notice.
    // The primary CodeDirectory is the first one in the SuperBlob; the requirements blob holds
    // an `a.out` too, so look only after the directory's magic.
    let mut renamed = bytes.clone();
    let superblob = last(&renamed, &[0xfa, 0xde, 0x0c, 0xc0])?;
    let directory = superblob + first(&renamed[superblob..], &[0xfa, 0xde, 0x0c, 0x02])?;
    let at = directory + first(&renamed[directory..], b"a.out\0")?;
    renamed[at] = b'b';
    let sig = inspect(&renamed)?.code_signature.ok_or("no signature")?;
    assert!(!sig.valid, "{sig:?}");
    assert_eq!(sig.reason, Some(SignatureProblem::BadSignature), "{sig:?}");

    // The last bytes of the CMS blob are the RSA signature value (no unsigned attributes
    // without a timestamp): flip one.
    let mut forged = bytes.clone();
    let wrapper = last(&forged, &[0xfa, 0xde, 0x0b, 0x01])?;
    let length = u32::from_be_bytes(forged[wrapper + 4..wrapper + 8].try_into()?) as usize;
    forged[wrapper + length - 10] ^= 0x01;
    let sig = inspect(&forged)?.code_signature.ok_or("no signature")?;
    assert!(!sig.valid, "{sig:?}");
    assert_eq!(sig.reason, Some(SignatureProblem::BadSignature), "{sig:?}");
    Ok(())
}
