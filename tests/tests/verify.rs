//! End-to-end tests of `crosscheck verify`: a release built by crosscheck from
//! `examples/05-release` (linux/amd64, windows/amd64, darwin/arm64, with archives), its
//! SHA256SUMS signed here with a minisign key and a gpg key made at run time, then checked
//! whole, and after one change an attacker or a bad download would make.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crosscheck_tests::{Run, crosscheck, require, run, shared_cache_dir};

mod build_support;

use build_support::copy_tree;

/// The release every test copies: built once per test executable.
fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_cache_dir().with_file_name("verify-fixture");
        let _ = std::fs::remove_dir_all(&dir);
        let out = run(crosscheck()
            .args(["build", "--matrix", "examples/05-release/matrix.toml"])
            .args([
                "-t",
                "linux/amd64",
                "-t",
                "windows/amd64",
                "-t",
                "darwin/arm64",
            ])
            .arg("--dist")
            .arg(&dir));
        assert_eq!(out.code, 0, "{}", out.snapshot());
        dir
    })
}

/// A copy of the fixture release, signed with fresh keys.
struct Release {
    dir: tempfile::TempDir,
    minisign: minisign::KeyPair,
    gpg_home: tempfile::TempDir,
    /// The armored public key of the gpg key that signed.
    gpg_key: PathBuf,
    /// minisign.pub of the key that signed.
    minisign_pub: PathBuf,
}

impl Release {
    fn new() -> Release {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        copy_tree(fixture(), dir.path());
        let minisign = minisign::KeyPair::generate_unencrypted_keypair()
            .unwrap_or_else(|e| panic!("minisign key: {e}"));
        // The keys live outside the release, in the gpg home.
        let gpg_home = gpg_home();
        let minisign_pub = gpg_home.path().join("minisign.pub");
        write(&minisign_pub, public_box(&minisign.pk).as_bytes());
        let gpg_key = gpg_home.path().join("publisher.asc");
        gpg_new_key(gpg_home.path(), "test@example.com", &gpg_key);
        let release = Release {
            dir,
            minisign,
            gpg_home,
            gpg_key,
            minisign_pub,
        };
        release.sign();
        release
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Signs SHA256SUMS as it is now, with both keys.
    fn sign(&self) {
        let sums = std::fs::read(self.path("SHA256SUMS")).unwrap_or_else(|e| panic!("{e}"));
        let signature = minisign::sign(
            Some(&self.minisign.pk),
            &self.minisign.sk,
            std::io::Cursor::new(sums),
            Some("test release"),
            None,
        )
        .unwrap_or_else(|e| panic!("minisign: {e}"));
        write(
            &self.path("SHA256SUMS.minisig"),
            signature.into_string().as_bytes(),
        );
        let _ = std::fs::remove_file(self.path("SHA256SUMS.asc"));
        gpg(
            self.gpg_home.path(),
            &["--armor", "--detach-sign", "--output"],
            &[&self.path("SHA256SUMS.asc"), &self.path("SHA256SUMS")],
        );
    }

    /// Puts `name`'s digest as it is now into SHA256SUMS, as an attacker who changed the file
    /// would; returns the digests before and after.
    fn rehash(&self, name: &str) -> (String, String) {
        let sums = std::fs::read_to_string(self.path("SHA256SUMS")).unwrap_or_default();
        let after = crosscheck_tests::sha256sum(&self.path(name));
        let mut before = String::new();
        let edited: String = sums
            .lines()
            .map(|line| match line.split_once("  ") {
                Some((digest, listed)) if listed == name => {
                    before = digest.to_owned();
                    format!("{after}  {name}\n")
                }
                _ => format!("{line}\n"),
            })
            .collect();
        assert_ne!(before, after, "{name} did not change, or is not listed");
        write(&self.path("SHA256SUMS"), edited.as_bytes());
        (before, after)
    }

    /// `crosscheck verify DIR --minisign-key .. --gpg-key ..` and `extra`.
    fn verify(&self, extra: &[&str]) -> Run {
        run(crosscheck()
            .arg("verify")
            .arg(self.dir.path())
            .arg("--minisign-key")
            .arg(&self.minisign_pub)
            .arg("--gpg-key")
            .arg(&self.gpg_key)
            .args(extra))
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        stop_agent(self.gpg_home.path());
    }
}

/// Stops the agent gpg started for signing: it lives in our temporary home.
fn stop_agent(home: &Path) {
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(home)
        .args(["--kill", "gpg-agent"])
        .output();
}

fn public_box(pk: &minisign::PublicKey) -> String {
    pk.to_box()
        .unwrap_or_else(|e| panic!("minisign public key: {e}"))
        .into_string()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn gpg_home() -> tempfile::TempDir {
    require("gpg", "install GnuPG (apt install gnupg)");
    let home = tempfile::Builder::new()
        .prefix("gnupg-")
        .tempdir()
        .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    home
}

/// A new passphrase-less key for `email` in `home`, its public half exported to `export`.
fn gpg_new_key(home: &Path, email: &str, export: &Path) {
    gpg(
        home,
        &[
            "--passphrase",
            "",
            "--quick-gen-key",
            email,
            "default",
            "default",
            "never",
        ],
        &[],
    );
    gpg(
        home,
        &["--armor", "--export", "--output"],
        &[export, Path::new(email)],
    );
}

fn gpg(home: &Path, args: &[&str], paths: &[&Path]) {
    let out = Command::new("gpg")
        .args([
            "--batch",
            "--yes",
            "--pinentry-mode",
            "loopback",
            "--homedir",
        ])
        .arg(home)
        .args(args)
        .args(paths)
        .output()
        .unwrap_or_else(|e| panic!("cannot run gpg ({e}): install GnuPG (apt install gnupg)"));
    assert!(
        out.status.success(),
        "gpg {args:?} {paths:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Changes one byte of `path` at `offset`.
fn flip(path: &Path, offset: usize) {
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes[offset] ^= 0xff;
    write(path, &bytes);
}

#[track_caller]
fn assert_exit(out: &Run, code: i32, needles: &[&str]) {
    assert_eq!(out.code, code, "{}", out.snapshot());
    for needle in needles {
        assert!(
            out.stdout.contains(needle) || out.stderr.contains(needle),
            "{needle:?} is not in the output:\n{}",
            out.snapshot()
        );
    }
}

#[test]
fn a_signed_release_verifies() {
    let release = Release::new();
    let out = release.verify(&["--require-signature"]);
    assert_exit(
        &out,
        0,
        &[
            "SHA256SUMS.minisig  minisign  verified",
            "SHA256SUMS.asc      gpg       verified",
            "test release",
            "test@example.com",
            "greet_darwin_arm64 ",
            "valid (macho-adhoc)",
            "greet_1.2.3_windows_amd64.zip",
            "greet.exe: unsigned",
            "signature verified (minisign, gpg)",
        ],
    );
    let rows = out.stdout.lines().filter(|l| l.contains(" ok ")).count();
    // Three binaries, three SBOMs, three archives.
    assert_eq!(rows, 9, "{}", out.stdout);

    // The key as text, as `minisign -P` takes it.
    let base64 = release.minisign.pk.to_base64();
    let out = run(crosscheck().arg("verify").arg(release.dir.path()).args([
        "--minisign-pubkey",
        &base64,
        "--require-signature",
    ]));
    assert_exit(&out, 0, &[&base64, "note: SHA256SUMS.asc was not checked"]);
}

#[test]
fn the_json_report_follows_its_schema() {
    let release = Release::new();
    let out = release.verify(&["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.stdout));
    let schema = run(crosscheck().args(["schema", "verify-report"]));
    let schema: serde_json::Value =
        serde_json::from_str(&schema.stdout).unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["manifest"], "agrees");
    let arm64 = report["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["path"] == "greet_darwin_arm64"))
        .unwrap_or_else(|| panic!("no greet_darwin_arm64 in {report}"));
    assert_eq!(arm64["images"][0]["signature"], "valid");
    assert_eq!(arm64["images"][0]["target"], "darwin/arm64");
}

#[test]
fn one_changed_byte_of_a_binary_fails_naming_it() {
    let release = Release::new();
    flip(&release.path("greet_linux_amd64"), 4096);
    let out = release.verify(&[]);
    assert_exit(
        &out,
        3,
        &[
            "error: greet_linux_amd64 does not match SHA256SUMS",
            "the file was changed or damaged after the checksums were made",
            "MISMATCH",
            "does not verify: 1 failure",
        ],
    );
}

#[test]
fn an_edited_checksum_file_fails_its_signatures() {
    let release = Release::new();
    // An attacker who replaced a binary and put its digest into SHA256SUMS.
    flip(&release.path("greet_linux_amd64"), 4096);
    release.rehash("greet_linux_amd64");
    let out = release.verify(&[]);
    assert_exit(
        &out,
        3,
        &[
            "SHA256SUMS's minisign signature does not verify with key",
            "the checksum file was changed after it was signed",
            "SHA256SUMS's gpg signature does not verify with key",
            // manifest.json is not signed, but it was not edited: it disagrees.
            "manifest.json gives greet_linux_amd64 the SHA-256",
            "does not verify: 3 failures",
        ],
    );
}

#[test]
fn a_wrong_public_key_fails() {
    let release = Release::new();
    let other = minisign::KeyPair::generate_unencrypted_keypair()
        .unwrap_or_else(|e| panic!("minisign key: {e}"));
    let other_home = gpg_home();
    let other_gpg = other_home.path().join("other.asc");
    gpg_new_key(other_home.path(), "other@example.com", &other_gpg);
    let out = run(crosscheck()
        .arg("verify")
        .arg(release.dir.path())
        .args(["--minisign-pubkey", &other.pk.to_base64()])
        .arg("--gpg-key")
        .arg(&other_gpg));
    stop_agent(other_home.path());
    assert_exit(
        &out,
        3,
        &[
            "SHA256SUMS.minisig was made with another key than",
            "SHA256SUMS.asc was made by key",
            "the release was signed by someone else",
        ],
    );
}

#[test]
fn a_listed_file_removed_fails() {
    let release = Release::new();
    std::fs::remove_file(release.path("greet_windows_amd64.exe")).unwrap_or_else(|e| panic!("{e}"));
    let out = release.verify(&[]);
    assert_exit(
        &out,
        3,
        &[
            "error: greet_windows_amd64.exe is listed in SHA256SUMS but missing",
            "MISSING",
        ],
    );
    // A user who downloaded only some of the files.
    let out = release.verify(&["--ignore-missing"]);
    assert_exit(
        &out,
        0,
        &["note: 1 of the 9 files SHA256SUMS lists is not here and was not checked"],
    );
    assert!(
        !out.stdout.contains("greet_windows_amd64.exe "),
        "{}",
        out.stdout
    );
}

#[test]
fn signatures_without_keys_are_noted_unless_required() {
    let release = Release::new();
    let out = run(crosscheck().arg("verify").arg(release.dir.path()));
    assert_exit(
        &out,
        0,
        &[
            "note: SHA256SUMS.minisig was not checked: no public key was given",
            "note: SHA256SUMS.asc was not checked",
            "signature not checked",
        ],
    );
    let out = run(crosscheck().arg("verify").arg(release.dir.path()).arg("-q"));
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", ""),
        "-q prints only errors"
    );
    let out = run(crosscheck()
        .arg("verify")
        .arg(release.dir.path())
        .arg("--require-signature"));
    assert_exit(
        &out,
        3,
        &["no signature was checked", "--require-signature"],
    );
}

#[test]
fn an_unlisted_binary_fails() {
    let release = Release::new();
    std::fs::copy(
        release.path("greet_linux_amd64"),
        release.path("greet_linux_arm64"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = release.verify(&[]);
    assert_exit(
        &out,
        3,
        &[
            "error: greet_linux_arm64 is a binary that SHA256SUMS does not list",
            "not listed",
        ],
    );
}

#[test]
fn what_keeps_verify_from_checking_exits_2() {
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck().arg("verify").arg(empty.path()));
    assert_exit(&out, 2, &["there is no SHA256SUMS in", "hint:"]);

    let release = Release::new();
    let out = run(crosscheck()
        .arg("verify")
        .arg(release.dir.path())
        .args(["--minisign-pubkey", "RWQnot-a-key"]));
    assert_exit(
        &out,
        2,
        &["--minisign-pubkey RWQnot-a-key: not a minisign public key"],
    );

    let out = run(crosscheck()
        .arg("verify")
        .arg(release.dir.path())
        .arg("--gpg-key")
        .arg(release.path("SHA256SUMS")));
    assert_exit(&out, 2, &["gpg imports no public key from it"]);
}

/// The offset of the first byte of `__text` in a thin 64-bit Mach-O.
fn text_offset(bytes: &[u8]) -> usize {
    let macho = goblin::mach::MachO::parse(bytes, 0).unwrap_or_else(|e| panic!("Mach-O: {e}"));
    for segment in &macho.segments {
        for (section, _) in segment.sections().unwrap_or_else(|e| panic!("{e}")) {
            if section.name().ok() == Some("__text") {
                return section.offset as usize;
            }
        }
    }
    panic!("no __text section");
}

#[test]
fn a_changed_darwin_arm64_binary_fails_even_when_rehashed_and_resigned() {
    let release = Release::new();
    let binary = release.path("greet_darwin_arm64");
    let bytes = std::fs::read(&binary).unwrap_or_else(|e| panic!("{e}"));
    flip(&binary, text_offset(&bytes) + 16);
    // The attacker re-hashes the binary and re-signs SHA256SUMS (with a key they hold, here
    // the same one: checksums and signatures then all pass).
    let (before, after) = release.rehash("greet_darwin_arm64");
    // manifest.json is not signed; the attacker edits it too.
    let manifest = std::fs::read_to_string(release.path("manifest.json")).unwrap_or_default();
    write(
        &release.path("manifest.json"),
        manifest.replace(&before, &after).as_bytes(),
    );
    release.sign();
    let out = release.verify(&[]);
    assert_exit(
        &out,
        3,
        &[
            "greet_darwin_arm64: its code signature does not verify",
            "INVALID",
            "does not verify: 1 failure",
        ],
    );
}
