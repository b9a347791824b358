//! End-to-end tests of `crosscheck inspect` on binaries built by `go build` here.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosscheck_tests::{crosscheck, repo_root, run};

/// Builds examples/01-hello for a few targets once per test run, with plain `go build`
/// (crosscheck did not build these: inspect works on any binary).
fn binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = crosscheck_tests::shared_cache_dir().join("inspect-fixtures");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for (goos, goarch, name) in [
            ("linux", "amd64", "hello_linux_amd64"),
            ("windows", "arm64", "hello_windows_arm64.exe"),
            ("darwin", "arm64", "hello_darwin_arm64"),
            ("wasip1", "wasm", "hello_wasip1.wasm"),
        ] {
            let status = std::process::Command::new("go")
                .args(["build", "-trimpath", "-o"])
                .arg(dir.join(name))
                .arg(".")
                .current_dir(repo_root().join("examples/01-hello"))
                .env("GOOS", goos)
                .env("GOARCH", goarch)
                .env("CGO_ENABLED", "0")
                .env_remove("GOFLAGS")
                .status()
                .unwrap_or_else(|e| panic!("go is needed for this test (install Go): {e}"));
            assert!(status.success(), "go build {goos}/{goarch} failed");
        }
        std::fs::write(dir.join("README.txt"), "not a binary\n").unwrap_or_else(|e| panic!("{e}"));
        dir
    })
}

fn inspect(args: &[&str]) -> crosscheck_tests::Run {
    run(crosscheck().arg("inspect").args(args))
}

fn path(name: &str) -> String {
    binaries().join(name).display().to_string()
}

#[test]
fn a_directory_is_inspected_file_by_file() {
    let out = inspect(&[&binaries().display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    for expected in [
        "elf     linux/amd64    static",
        "pe      windows/arm64  kernel32.dll",
        "macho   darwin/arm64",
        "wasm    wasip1/wasm    imports wasi_snapshot_preview1",
    ] {
        assert!(
            out.stdout.contains(expected),
            "{expected:?} missing:\n{}",
            out.stdout
        );
    }
    assert!(!out.stdout.contains("README.txt"), "{}", out.stdout);
    assert!(out.stderr.contains("4 files: 4 ok"), "{}", out.snapshot());
    assert!(
        out.stderr.contains("1 non-binary file skipped"),
        "{}",
        out.snapshot()
    );
}

#[test]
fn json_reports_the_documented_keys_and_agrees_with_go_version() {
    let file = path("hello_linux_amd64");
    let out = inspect(&[&file, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let report = &json["files"][0];
    for key in [
        "path",
        "format",
        "goos",
        "goarch",
        "bits",
        "endian",
        "static",
        "interpreter",
        "libraries",
        "glibc_min",
        "libc",
        "pie",
        "nx",
        "relro",
        "stripped",
        "debug_info",
        "go",
        "sha256",
        "size",
        "verdict",
        "violations",
    ] {
        assert!(report.get(key).is_some(), "key {key:?} missing: {report}");
    }
    assert_eq!(report["format"], "elf");
    assert_eq!(report["static"], true);
    assert_eq!(report["verdict"], "pass");
    // Independent truth: `go version -m` reads the same build info.
    let go = std::process::Command::new("go")
        .args(["version", "-m", &file])
        .output()
        .unwrap_or_else(|e| panic!("go: {e}"));
    let text = String::from_utf8_lossy(&go.stdout);
    let version = text.split_whitespace().nth(1).unwrap_or_default();
    assert_eq!(report["go"]["version"], version, "{text}");
    assert_eq!(report["go"]["path"], "example.com/crosscheck/hello");
    assert_eq!(report["go"]["settings"]["-trimpath"], "true");
    let bytes = std::fs::read(&file).unwrap_or_default();
    assert_eq!(report["size"], bytes.len());
    let digest = std::process::Command::new("sha256sum")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("sha256sum (coreutils) is needed: {e}"));
    let digest = String::from_utf8_lossy(&digest.stdout);
    assert_eq!(
        report["sha256"],
        digest.split_whitespace().next().unwrap_or_default()
    );
    // --no-hash skips only the digest.
    let out = inspect(&[&file, "--format", "json", "--no-hash"]);
    let fast: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    assert_eq!(fast["files"][0]["sha256"], "");
    assert_eq!(fast["files"][0]["go"], report["go"]);
}

#[test]
fn expect_flags_a_binary_for_another_target_with_exit_3() {
    let out = inspect(&[
        &path("hello_windows_arm64.exe"),
        "--expect",
        "windows/amd64",
    ]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(out.stdout.contains("[arch-mismatch]"), "{}", out.snapshot());
    let ok = inspect(&[
        &path("hello_windows_arm64.exe"),
        "--expect",
        "windows/arm64",
        "--allow-lib",
        "KERNEL32.DLL",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.snapshot());
    // A typo in --expect is a usage error with a hint, not a mismatch.
    let bad = inspect(&[&path("hello_linux_amd64"), "--expect", "linux/amd46"]);
    assert_eq!(bad.code, 2, "{}", bad.snapshot());
    assert!(
        bad.stderr.contains("did you mean \"amd64\"?"),
        "{}",
        bad.snapshot()
    );
}

#[test]
fn policy_flags_and_policy_files_are_enforced() {
    let out = inspect(&[&path("hello_darwin_arm64"), "--static"]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(out.stdout.contains("not-static"), "{}", out.snapshot());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let policy = dir.path().join("matrix.toml");
    std::fs::write(
        &policy,
        "version = 1\n[matrix]\nos = [\"linux\"]\narch = [\"amd64\"]\n[policy]\nforbidden_libraries = [\"kernel32.dll\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = inspect(&[
        &path("hello_windows_arm64.exe"),
        "--policy-file",
        &policy.display().to_string(),
    ]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stdout.contains("forbidden-library"),
        "{}",
        out.snapshot()
    );
}

#[test]
fn unreadable_files_exit_2_without_stopping_the_others() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let truncated = dir.path().join("truncated");
    let bytes = std::fs::read(path("hello_linux_amd64")).unwrap_or_default();
    std::fs::write(&truncated, &bytes[..100]).unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("missing");
    let out = inspect(&[
        &truncated.display().to_string(),
        &path("hello_linux_amd64"),
        &missing.display().to_string(),
    ]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stdout.contains("hello_linux_amd64"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("malformed elf file"),
        "{}",
        out.snapshot()
    );
    assert!(out.stderr.contains("cannot read"), "{}", out.snapshot());
    assert!(!out.stderr.contains("panicked"), "{}", out.snapshot());
}

/// A .deb holding the linux/amd64 binary, made by dpkg-deb, next to a tarball (gzip like an
/// apk, but no package): the package's facts are printed, the tarball is skipped as before.
#[test]
fn a_linux_package_prints_its_facts_and_the_binary_s_sha256() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path().join("root");
    let binary = path("hello_linux_amd64");
    for sub in ["DEBIAN", "usr/bin"] {
        std::fs::create_dir_all(root.join(sub)).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(
        root.join("DEBIAN/control"),
        "Package: hello\nVersion: 1.2.0~rc.1-1\nArchitecture: amd64\n\
         Maintainer: A Tester <tester@example.invalid>\nDescription: says hello\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&binary, root.join("usr/bin/hello")).unwrap_or_else(|e| panic!("{e}"));
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap_or_else(|e| panic!("{e}"));
    crosscheck_tests::tool(
        "dpkg-deb",
        &[
            "--root-owner-group",
            "-Zxz",
            "--build",
            "root",
            "dist/hello_amd64.deb",
        ],
        dir.path(),
        "dpkg",
    );
    crosscheck_tests::tool(
        "tar",
        &["-czf", "dist/notes.tar.gz", "root/DEBIAN"],
        dir.path(),
        "tar",
    );
    let dist = dist.display().to_string();

    let out = inspect(&[&dist]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let row = |first: &str| -> Vec<String> {
        let line = out
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(first));
        line.unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let package = row(&format!("{dist}/hello_amd64.deb "));
    assert_eq!(
        package.get(1..6),
        Some(&["deb", "hello", "1.2.0~rc.1-1", "amd64", "3"].map(str::to_owned)[..]),
        "{}",
        out.snapshot()
    );
    let sha256 = crosscheck_tests::sha256sum(Path::new(&binary));
    assert_eq!(
        row("/usr/bin/hello ").last(),
        Some(&format!("sha256:{}", &sha256[..16])),
        "{}",
        out.snapshot()
    );
    assert!(!out.stdout.contains("notes.tar.gz"), "{}", out.snapshot());
    assert!(out.stderr.contains("1 file: 1 ok"), "{}", out.snapshot());

    let out = inspect(&[&dist, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let json: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    let package = &json["packages"][0];
    assert_eq!(package["format"], "deb");
    assert_eq!(package["name"], "hello");
    assert_eq!(package["version"], "1.2.0~rc.1");
    assert_eq!(package["release"], "1");
    assert_eq!(package["arch"], "amd64");
    assert_eq!(
        package["fields"]["Maintainer"],
        "A Tester <tester@example.invalid>"
    );
    let files = package["files"].as_array().cloned().unwrap_or_default();
    let hello = files.iter().find(|f| f["path"] == "/usr/bin/hello");
    assert_eq!(
        hello.map(|f| &f["sha256"]),
        Some(&serde_json::json!(sha256))
    );
    assert_eq!(json["files"], serde_json::json!([]));
}

/// A .deb that is cut short is unreadable (exit 2), with the reader's reason.
#[test]
fn a_broken_package_is_unreadable() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let deb = dir.path().join("broken.deb");
    std::fs::write(
        &deb,
        "!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = inspect(&[&deb.display().to_string()]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("broken.deb: malformed deb package: no control.tar or data.tar member"),
        "{}",
        out.snapshot()
    );
}

#[test]
fn a_darwin_binary_changed_after_signing_exits_3_with_invalid_signature() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let altered = dir.path().join("hello_darwin_arm64");
    let mut bytes = std::fs::read(path("hello_darwin_arm64")).unwrap_or_default();
    // Go's linker writes the build ID at the start of __text; a byte five pages on is code.
    let id = bytes
        .windows(16)
        .position(|w| w == b"\xff Go build ID: \"")
        .unwrap_or_else(|| panic!("no Go build ID in the darwin/arm64 binary"));
    let at = id + 5 * 4096 + 123;
    bytes[at] ^= 0x40;
    std::fs::write(&altered, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let file = altered.display().to_string();
    let out = inspect(&[&file]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stdout.contains("[invalid-signature]"),
        "{}",
        out.snapshot()
    );
    let page = at / 4096;
    let want = format!(
        "page {page} of {{}} (bytes {:#x}..{:#x}) does not match its sha256 hash",
        page * 4096,
        (page + 1) * 4096
    );
    let (head, tail) = want.split_once("{}").unwrap_or_default();
    assert!(
        out.stdout.contains(head) && out.stdout.contains(tail),
        "{want}: {}",
        out.snapshot()
    );
    let out = inspect(&[&file, "--format", "json"]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let sig = &json["files"][0]["code_signature"];
    assert_eq!(sig["valid"], false, "{sig}");
    assert_eq!(sig["reason"], "digest-mismatch", "{sig}");
    assert_eq!(sig["apple"]["first_mismatched_page"], page, "{sig}");
    // The binary as Go built it passes.
    let out = inspect(&[&path("hello_darwin_arm64")]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

#[test]
fn forbid_packed_flags_a_upx_packed_binary_with_exit_3() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let packed = dir.path().join("hello_upx");
    let status = std::process::Command::new("upx")
        .args(["-q", "-1", "-o"])
        .arg(&packed)
        .arg(path("hello_linux_amd64"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "upx is needed for this test ({e}): apt-get install upx-ucl \
                 (from bookworm-backports on Debian bookworm; scripts/test installs it)"
            )
        });
    assert!(status.success(), "upx failed on hello_linux_amd64");
    let policy = dir.path().join("matrix.toml");
    std::fs::write(
        &policy,
        "version = 1\n[matrix]\nos = [\"linux\"]\narch = [\"amd64\"]\n[policy]\nforbid_packed = true\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let policy = policy.display().to_string();
    let packed = packed.display().to_string();
    let out = inspect(&[
        &packed,
        &path("hello_linux_amd64"),
        "--policy-file",
        &policy,
    ]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stdout.contains("[packed] the file is packed with upx"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("1 ok, 1 violating"),
        "{}",
        out.snapshot()
    );
    // Without the policy a packed file is reported, not refused.
    let out = inspect(&[&packed, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    assert_eq!(json["files"][0]["packed"], "upx");
}
