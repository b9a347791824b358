//! End-to-end tests of `[sign]` on examples/12-signing: keys and certificates made at run
//! time (openssl, the minisign crate, gpg in a temporary home), one build of windows/amd64,
//! darwin/arm64, darwin/amd64 (and their universal binary) and linux/amd64, then each signature checked
//! by a tool other than the one that made it: `osslsigncode verify`, `rcodesign verify`,
//! the minisign crate's verify, `gpg --verify`; SHA256SUMS and the archives hold the signed
//! files. A wrong password fails the targets with exit 1 and is written nowhere.

mod build_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use build_support::*;
use crosscheck_tests::{crosscheck, run, sha256sum, tool};

/// The PKCS#12 file's password (the wrong-password test uses another).
const PFX_PASSWORD: &str = "pfx-Pa55word-for-tests";
/// The minisign key's password.
const MINISIGN_PASSWORD: &str = "minisign-Pa55word-for-tests";
/// The gpg key's user id.
const GPG_USER: &str = "crosscheck test <release@example.com>";

/// Throwaway keys in a temporary directory.
struct Keys {
    dir: tempfile::TempDir,
    /// The self-signed code-signing certificate, PEM (osslsigncode's trust anchor).
    cert: PathBuf,
    /// The certificate and its key, PKCS#12.
    pfx: PathBuf,
    /// The minisign secret key file (password-protected).
    minisign_secret: PathBuf,
    minisign_public: minisign::PublicKey,
    /// GNUPGHOME with one key without a passphrase.
    gnupg_home: PathBuf,
}

impl Keys {
    fn make() -> Keys {
        for (program, probe, install) in [
            ("openssl", "version", "apt-get install openssl"),
            ("osslsigncode", "--version", "apt-get install osslsigncode"),
            ("gpg", "--version", "apt-get install gnupg"),
            (
                "rcodesign",
                "--version",
                "cargo install apple-codesign --version 0.29.0 --no-default-features --locked",
            ),
        ] {
            let runs = Command::new(program)
                .arg(probe)
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(
                runs,
                "this test signs with {program}, which is not installed: {install} (scripts/test installs it)"
            );
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().to_owned();
        let openssl = |args: &[&str]| tool("openssl", args, &path, "openssl");
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-nodes",
            "-subj",
            "/CN=crosscheck signing test",
            "-addext",
            "extendedKeyUsage=codeSigning",
        ]);
        // 3DES, which rcodesign's PKCS#12 reader understands (it rejects openssl 3's AES
        // default with "incorrect password"); osslsigncode reads both.
        openssl(&[
            "pkcs12",
            "-export",
            "-out",
            "code.p12",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-passout",
            &format!("pass:{PFX_PASSWORD}"),
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ]);
        let minisign_secret = path.join("minisign.key");
        let mut public_box = Vec::new();
        let mut secret_box = Vec::new();
        let pair = minisign::KeyPair::generate_and_write_encrypted_keypair(
            &mut public_box,
            &mut secret_box,
            None,
            Some(MINISIGN_PASSWORD.to_owned()),
        )
        .unwrap_or_else(|e| panic!("minisign key: {e}"));
        std::fs::write(&minisign_secret, &secret_box).unwrap_or_else(|e| panic!("{e}"));
        let gnupg_home = path.join("gnupg");
        std::fs::create_dir(&gnupg_home).unwrap_or_else(|e| panic!("{e}"));
        let keys = Keys {
            cert: path.join("cert.pem"),
            pfx: path.join("code.p12"),
            minisign_secret,
            minisign_public: pair.pk,
            gnupg_home,
            dir,
        };
        keys.gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            GPG_USER,
            "ed25519",
            "sign",
            "never",
        ]);
        keys
    }

    /// `gpg --batch` in the test's home; panics with its output when it fails.
    fn gpg(&self, args: &[&str]) -> String {
        let output = Command::new("gpg")
            .arg("--batch")
            .args(args)
            .env("GNUPGHOME", &self.gnupg_home)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run gpg ({e}): install gnupg"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "gpg {args:?} failed:\n{text}");
        text
    }

    /// `crosscheck build` of `project` into its `dist` with the keys' variables set.
    fn build(&self, project: &Path, pfx_password: &str) -> crosscheck_tests::Run {
        let dist = project.join("dist");
        let mut command = self.command(project, pfx_password, &["build"]);
        run(command.arg("--dist").arg(dist))
    }

    /// `crosscheck ARGS --matrix project/matrix.toml` with the keys' variables set.
    fn command(&self, project: &Path, pfx_password: &str, args: &[&str]) -> Command {
        let mut command = crosscheck();
        command
            .args(args)
            .arg("--matrix")
            .arg(project.join("matrix.toml"))
            .env("CODESIGN_P12", &self.pfx)
            .env("CODESIGN_P12_PASSWORD", pfx_password)
            .env("MINISIGN_KEY_FILE", &self.minisign_secret)
            .env("MINISIGN_PASSWORD", MINISIGN_PASSWORD)
            .env("GNUPGHOME", &self.gnupg_home);
        command
    }

    /// Both signatures of `dist/SHA256SUMS` verify: the minisign one with the crate (as
    /// `minisign -V` would), the gpg one with `gpg --verify`.
    fn verify_checksums(&self, dist: &Path) {
        let sums = dist.join("SHA256SUMS");
        let signature = std::fs::read_to_string(dist.join("SHA256SUMS.minisig"))
            .unwrap_or_else(|e| panic!("{e}"));
        let signature =
            minisign::SignatureBox::from_string(&signature).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read(&sums).unwrap_or_else(|e| panic!("{e}"));
        minisign::verify(
            &self.minisign_public,
            &signature,
            std::io::Cursor::new(&text),
            true,
            false,
            false,
        )
        .unwrap_or_else(|e| panic!("SHA256SUMS.minisig does not verify: {e}"));
        let comment = signature.trusted_comment().unwrap_or_default();
        assert!(comment.starts_with("signed 1.2.3 SHA256SUMS"), "{comment}");
        let gpg = self.gpg(&[
            "--verify",
            &dist.join("SHA256SUMS.asc").to_string_lossy(),
            &sums.to_string_lossy(),
        ]);
        assert!(gpg.contains("Good signature"), "{gpg}");
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        // gpg started an agent for this home; it must not outlive the test.
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.gnupg_home)
            .status();
    }
}

/// A copy of examples/12-signing, whose matrix.toml signs everything.
fn project() -> tempfile::TempDir {
    copy_example("12-signing")
}

#[test]
fn build_signs_binaries_and_checksums_and_publishes_the_signed_files() {
    let keys = Keys::make();
    let project = project();
    let dist = project.path().join("dist");
    let out = keys.build(project.path(), PFX_PASSWORD);
    assert_eq!(out.code, 0, "{}", out.snapshot());

    // Authenticode, checked by osslsigncode against the self-signed certificate.
    let exe = dist.join("signed_windows_amd64.exe");
    let cert = keys.cert.to_string_lossy();
    let verified = tool(
        "osslsigncode",
        &["verify", "-CAfile", &cert, "-in", &exe.to_string_lossy()],
        &dist,
        "osslsigncode",
    );
    assert!(
        verified.contains("Signature verification: ok"),
        "{verified}"
    );
    assert!(
        verified.contains("CN=crosscheck signing test"),
        "{verified}"
    );

    // Apple signatures, thin and fat (the universal binary is made of the signed slices).
    for name in [
        "signed_darwin_arm64",
        "signed_darwin_amd64",
        "signed_darwin_universal",
    ] {
        let checked = Command::new("rcodesign")
            .arg("verify")
            .arg(dist.join(name))
            .output()
            .unwrap_or_else(|e| panic!("rcodesign: {e}"));
        let text = String::from_utf8_lossy(&checked.stderr).into_owned()
            + &String::from_utf8_lossy(&checked.stdout);
        assert!(
            checked.status.success() && text.contains("no problems detected"),
            "{name}: {text}"
        );
    }

    // SHA256SUMS: both signatures hold, and it lists the signed files' digests.
    keys.verify_checksums(&dist);
    let sums = dist.join("SHA256SUMS");
    let listed = listed_digests(&sums);
    for (digest, name) in &listed {
        assert_eq!(digest, &sha256sum(&dist.join(name)), "{name}");
    }
    for name in [
        "signed_windows_amd64.exe",
        "signed_darwin_arm64",
        "signed_darwin_universal",
    ] {
        assert!(
            listed.iter().any(|(_, n)| n == name),
            "{name} not in SHA256SUMS"
        );
    }

    // What a user runs on the release: `crosscheck verify` accepts it all.
    let public = keys.dir.path().join("minisign.pub");
    let public_box = keys
        .minisign_public
        .to_box()
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&public, public_box.into_string()).unwrap_or_else(|e| panic!("{e}"));
    let verified = run(crosscheck()
        .arg("verify")
        .arg(&dist)
        .arg("--minisign-key")
        .arg(&public)
        .env("GNUPGHOME", &keys.gnupg_home));
    assert_eq!(verified.code, 0, "{}", verified.snapshot());

    // The manifest records both; the archives hold the signed files.
    let manifest = manifest(&dist);
    let kinds: Vec<&str> = manifest["checksum_signatures"]
        .as_array()
        .map(|all| all.iter().filter_map(|s| s["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["minisign", "gpg"], "{manifest:#}");
    assert_eq!(
        manifest_target(&manifest, "windows/amd64")["signed"]["tool"],
        "osslsigncode"
    );
    assert_eq!(
        manifest_target(&manifest, "darwin/arm64")["signed"]["tool"],
        "rcodesign"
    );
    assert!(manifest_target(&manifest, "linux/amd64")["signed"].is_null());
    for id in ["windows/amd64", "darwin/arm64"] {
        let target = manifest_target(&manifest, id);
        assert_eq!(target["inspection"]["verdict"], "pass", "{target:#}");
        let archive = dist.join(target["archive"]["path"].as_str().unwrap_or_default());
        let path = target["path"].as_str().unwrap_or_default();
        let member = if id.starts_with("windows") {
            "signed.exe"
        } else {
            "signed"
        };
        assert_eq!(
            archive_member_sha256(&archive, member),
            sha256sum(&dist.join(path)),
            "{id}: the archive holds another file than the signed one"
        );
    }
}

#[test]
fn a_wrong_password_fails_the_signed_targets_and_is_written_nowhere() {
    let keys = Keys::make();
    let project = project();
    let dist = project.path().join("dist");
    let wrong = "wr0ng-Pa55word-that-must-not-leak";
    // -v prints every command line and the environment: the password is in neither.
    let mut command = keys.command(project.path(), wrong, &["build", "-v"]);
    let out = run(command.arg("--dist").arg(&dist));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("osslsigncode failed"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("rcodesign failed"),
        "{}",
        out.snapshot()
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(wrong), "the password was printed:\n{text}");
    }
    let leaks = files_containing(&dist, wrong.as_bytes());
    assert!(leaks.is_empty(), "the password is in {leaks:?}");
    // What failed to sign is not published: SHA256SUMS lists the linux binary only.
    let listed = listed_digests(&dist.join("SHA256SUMS"));
    assert!(
        listed.iter().any(|(_, n)| n == "signed_linux_amd64"),
        "{listed:?}"
    );
    assert!(
        !listed
            .iter()
            .any(|(_, n)| n.starts_with("signed_windows") || n.starts_with("signed_darwin")),
        "{listed:?}"
    );
    let manifest = manifest(&dist);
    let failure = &manifest_target(&manifest, "windows/amd64")["failure"];
    assert_eq!(failure["kind"], "sign", "{failure:#}");
}

/// `(digest, path)` of each line of a `SHA256SUMS`.
fn listed_digests(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(digest, name)| (digest.to_owned(), name.to_owned()))
        .collect()
}

/// The SHA-256 of the file named `member` (in any directory) inside a `.zip` or `.tar.gz`, read by python3's zipfile/tarfile
/// (another implementation than the one that wrote it).
fn archive_member_sha256(archive: &Path, member: &str) -> String {
    let script = "import hashlib, sys, tarfile, zipfile\n\
        path, member = sys.argv[1], sys.argv[2]\n\
        ours = lambda n: n == member or n.endswith('/' + member)\n\
        if path.endswith('.zip'):\n    z = zipfile.ZipFile(path)\n    data = z.read(next(n for n in z.namelist() if ours(n)))\n\
        else:\n    tar = tarfile.open(path)\n    data = tar.extractfile(next(n for n in tar.getnames() if ours(n))).read()\n\
        print(hashlib.sha256(data).hexdigest())\n";
    let archive = archive.to_string_lossy();
    tool(
        "python3",
        &["-c", script, &archive, member],
        Path::new("."),
        "python3",
    )
    .trim()
    .to_owned()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let mut bytes = Vec::new();
            let read = std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes));
            if read.is_ok() && bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn plan_warns_and_build_refuses_without_the_keys() {
    let project = project();
    let out = run(crosscheck()
        .arg("plan")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml")));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        out.stderr.contains("CODESIGN_P12 is not set"),
        "{}",
        out.snapshot()
    );
    assert!(out.stdout.contains("signing: 1 binary with osslsigncode ($CODESIGN_P12), 2 binaries with rcodesign ($CODESIGN_P12), SHA256SUMS.minisig ($MINISIGN_KEY_FILE), SHA256SUMS.asc (gpg release@example.com)"), "{}", out.snapshot());
    let dist = project.path().join("dist");
    let out = build(
        &[
            "--matrix",
            &project.path().join("matrix.toml").to_string_lossy(),
        ],
        &dist,
    );
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("MINISIGN_KEY_FILE is not set"),
        "{}",
        out.snapshot()
    );
    assert!(!dist.join("signed_linux_amd64").exists(), "a build ran");
}

#[test]
fn merge_signs_the_merged_checksums_anew() {
    let keys = Keys::make();
    let project = project();
    let mut shards = Vec::new();
    for shard in ["1/2", "2/2"] {
        let dist = project.path().join(format!("shard-{}", &shard[..1]));
        let mut command = keys.command(project.path(), PFX_PASSWORD, &["build", "--shard", shard]);
        let out = run(command.arg("--dist").arg(&dist));
        assert_eq!(out.code, 0, "{}", out.snapshot());
        shards.push(dist);
    }
    let merged = project.path().join("merged");
    let mut command = keys.command(project.path(), PFX_PASSWORD, &["merge"]);
    let out = run(command.args(&shards).arg("--dist").arg(&merged));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    keys.verify_checksums(&merged);
    let manifest = manifest(&merged);
    let sums = sha256sum(&merged.join("SHA256SUMS"));
    for signature in manifest["checksum_signatures"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(signature["signs_sha256"], sums.as_str(), "{signature:#}");
    }
    assert_eq!(
        manifest["checksum_signatures"].as_array().map(Vec::len),
        Some(2),
        "{manifest:#}"
    );
}

#[test]
fn the_json_plan_says_what_signs_what_and_holds_no_secret() {
    let project = project();
    let secret = "plan-json-secret-value";
    let out = run(crosscheck()
        .args(["plan", "--format", "json", "--matrix"])
        .arg(project.path().join("matrix.toml"))
        .env("CODESIGN_P12_PASSWORD", secret)
        .env("MINISIGN_PASSWORD", secret));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        !out.stdout.contains(secret) && !out.stderr.contains(secret),
        "{}",
        out.snapshot()
    );
    let plan: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})"));
    assert_eq!(plan["sign"]["minisign"]["key_env"], "MINISIGN_KEY_FILE");
    assert_eq!(plan["sign"]["gpg"]["local_user"], "release@example.com");
    let tool_of = |id: &str| {
        plan["targets"]
            .as_array()
            .and_then(|all| all.iter().find(|t| t["id"] == id))
            .map(|t| t["sign"]["tool"].clone())
            .unwrap_or_default()
    };
    assert_eq!(tool_of("windows/amd64"), "osslsigncode");
    assert_eq!(tool_of("darwin/arm64"), "rcodesign");
    assert!(tool_of("linux/amd64").is_null());
}

#[test]
fn adhoc_signing_after_a_hook_that_edits_the_binary_keeps_its_signature_valid() {
    let project = project();
    // darwin only, ad-hoc, a hook that changes one byte of the code (as a patch or a strip
    // would), and darwin/amd64 left unsigned to show the hook does break a signature.
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[project]\nname = \"signed\"\n\
         [matrix]\ntargets = [\"darwin/arm64\", \"darwin/amd64\"]\n\
         [hooks]\nafter_build = [[\"sh\", \"-c\", \"printf X | dd of={path} bs=1 seek=20000 conv=notrunc 2>/dev/null\"]]\n\
         [sign]\nmacos = \"adhoc\"\n\
         [[override]]\nmatch = \"darwin/amd64\"\nsign = false\n",
    );
    crosscheck_tests::require(
        "rcodesign",
        "cargo install apple-codesign --version 0.29.0 --no-default-features --locked",
    );
    let dist = project.path().join("dist");
    let out = build(
        &[
            "--matrix",
            &project.path().join("matrix.toml").to_string_lossy(),
        ],
        &dist,
    );
    // darwin/amd64's broken signature may fail its inspection (exit 3); the build itself
    // succeeded.
    assert!(matches!(out.code, 0 | 3), "{}", out.snapshot());
    assert_eq!(
        code_directory_check(&dist.join("signed_darwin_arm64")),
        "valid"
    );
    assert_ne!(
        code_directory_check(&dist.join("signed_darwin_amd64")),
        "valid"
    );
    let manifest = manifest(&dist);
    assert_eq!(
        manifest_target(&manifest, "darwin/arm64")["signed"]["identity"],
        "adhoc"
    );
    assert!(manifest_target(&manifest, "darwin/amd64")["signed"].is_null());
}

/// Checks a thin 64-bit Mach-O's code signature the way the kernel does, independently of
/// rcodesign (whose `verify` rejects every ad-hoc signature) and of crosscheck's inspector:
/// every page hash of the CodeDirectory against the file's bytes. Prints `valid`, or the
/// first page that does not match.
fn code_directory_check(path: &Path) -> String {
    let script = r#"
import hashlib, struct, sys
data = open(sys.argv[1], 'rb').read()
magic, _, _, _, ncmds, _, _, _ = struct.unpack_from('<8I', data, 0)
assert magic == 0xfeedfacf, 'not a thin 64-bit Mach-O'
offset, sig = 32, None
for _ in range(ncmds):
    cmd, size = struct.unpack_from('<2I', data, offset)
    if cmd == 0x1d:
        sig = struct.unpack_from('<2I', data, offset + 8)
    offset += size
if sig is None:
    print('no signature'); sys.exit()
base = sig[0]
_, _, count = struct.unpack_from('>3I', data, base)
for i in range(count):
    kind, at = struct.unpack_from('>2I', data, base + 12 + 8 * i)
    if kind != 0:
        continue
    cd = base + at
    (m, _, _, _, hash_offset, _, _, ncode, limit, hash_size, hash_type, _, page_log2) = struct.unpack_from('>9I4B', data, cd)
    assert m == 0xfade0c02 and hash_type == 2, 'not a SHA-256 CodeDirectory'
    page = 1 << page_log2
    for n in range(ncode):
        chunk = data[n * page:min((n + 1) * page, limit)]
        stored = data[cd + hash_offset + n * hash_size:cd + hash_offset + (n + 1) * hash_size]
        if hashlib.sha256(chunk).digest() != stored:
            print('page', n, 'differs'); sys.exit()
    print('valid'); sys.exit()
print('no CodeDirectory')
"#;
    tool(
        "python3",
        &["-c", script, &path.to_string_lossy()],
        Path::new("."),
        "python3",
    )
    .trim()
    .to_owned()
}
