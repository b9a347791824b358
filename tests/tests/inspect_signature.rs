//! `crosscheck inspect` on an Authenticode-signed Go executable: signed as built it passes,
//! one changed byte after signing is an `invalid-signature` violation (exit 3). The
//! certificate is made here with openssl in a temporary directory; no key is committed.

use std::path::{Path, PathBuf};

use crosscheck_tests::{crosscheck, repo_root, run, tool};

const INSTALL: &str = "osslsigncode and openssl (apt-get install osslsigncode openssl)";

/// examples/01-hello for windows/amd64, signed with a throwaway RSA certificate.
fn signed_exe(dir: &Path) -> PathBuf {
    let unsigned = dir.join("hello.exe");
    let status = std::process::Command::new("go")
        .args(["build", "-trimpath", "-o"])
        .arg(&unsigned)
        .arg(".")
        .current_dir(repo_root().join("examples/01-hello"))
        .env("GOOS", "windows")
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env_remove("GOFLAGS")
        .status()
        .unwrap_or_else(|e| panic!("go is needed for this test (install Go): {e}"));
    assert!(status.success(), "go build windows/amd64 failed");
    #[rustfmt::skip]
    tool("openssl", &[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
        "-subj", "/CN=Crosscheck Test", "-days", "30",
    ], dir, INSTALL);
    #[rustfmt::skip]
    tool("osslsigncode", &[
        "sign", "-certs", "cert.pem", "-key", "key.pem", "-h", "sha256",
        "-in", "hello.exe", "-out", "signed.exe",
    ], dir, INSTALL);
    dir.join("signed.exe")
}

#[test]
fn a_byte_changed_after_signing_is_an_invalid_signature_with_exit_3() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let signed = signed_exe(dir.path());
    let signed_arg = signed.display().to_string();

    let ok = run(crosscheck().args(["inspect", &signed_arg, "--format", "json"]));
    assert_eq!(ok.code, 0, "{}", ok.snapshot());
    let json: serde_json::Value = serde_json::from_str(&ok.stdout).unwrap_or_default();
    let sig = &json["files"][0]["code_signature"];
    assert_eq!(sig["kind"], "authenticode", "{}", ok.stdout);
    assert_eq!(sig["valid"], true, "{}", ok.stdout);
    assert_eq!(sig["digest_algorithm"], "sha256", "{}", ok.stdout);
    assert_eq!(
        sig["signer"]["subject"], "CN=Crosscheck Test",
        "{}",
        ok.stdout
    );

    // One byte in the middle of the image (code or data; the certificate table is at the
    // end), as a post-build edit would change it.
    let mut bytes = std::fs::read(&signed).unwrap_or_else(|e| panic!("{e}"));
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let altered = dir.path().join("altered.exe");
    std::fs::write(&altered, bytes).unwrap_or_else(|e| panic!("{e}"));
    let bad = run(crosscheck().arg("inspect").arg(&altered));
    assert_eq!(bad.code, 3, "{}", bad.snapshot());
    assert!(
        bad.stdout.contains("invalid-signature") && bad.stdout.contains("digest-mismatch"),
        "{}",
        bad.snapshot()
    );
}
