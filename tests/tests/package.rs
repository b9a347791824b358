//! End-to-end tests of the packaging phase of `crosscheck build`: deterministic archives with
//! extra files, a macOS universal binary, and checksums that cover both. Drives the real
//! binary against `examples/05-release`.

mod build_support;
mod cyclonedx_support;

use std::path::Path;

use build_support::{manifest, manifest_target};
use crosscheck_tests::{crosscheck, run, tool};
use cyclonedx_support::{schema_errors, validator};

const RELEASE: &str = "examples/05-release/matrix.toml";

/// The archives example 05 produces (version 1.2.3 comes from `crosscheck()`'s environment).
const ARCHIVES: [&str; 5] = [
    "greet_1.2.3_linux_amd64.tar.gz",
    "greet_1.2.3_windows_amd64.zip",
    "greet_1.2.3_darwin_amd64.tar.gz",
    "greet_1.2.3_darwin_arm64.tar.gz",
    "greet_1.2.3_darwin_universal.tar.gz",
];

fn build_release(dist: &Path) {
    let out = run(crosscheck()
        .args(["build", "--matrix", RELEASE, "--dist"])
        .arg(dist));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        // The universal binary, 5 SBOMs and 5 archives.
        out.stderr.contains("packaged 11 files"),
        "the summary does not count the packaged files:\n{}",
        out.stderr
    );
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn be32(bytes: &[u8], offset: usize) -> u32 {
    let word: [u8; 4] = bytes[offset..offset + 4]
        .try_into()
        .unwrap_or_else(|e| panic!("{e}"));
    u32::from_be_bytes(word)
}

#[test]
fn build_packages_deterministic_archives_and_a_universal_binary() {
    let first = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let second = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    build_release(first.path());
    let dist = first.path();

    // Archives exist under their template names, in the right format.
    for name in ARCHIVES {
        let bytes = read(&dist.join(name));
        if name.ends_with(".zip") {
            assert_eq!(&bytes[..4], b"PK\x03\x04", "{name} is not a zip");
        } else {
            assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8], "{name} is not gzip");
            assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "{name}: gzip mtime is set");
        }
    }

    // tar entries: sorted, fixed mtime (SOURCE_DATE_EPOCH = 1700000000), owner 0/0, modes.
    let listing = tool(
        "tar",
        &["--utc", "-tzvf", "greet_1.2.3_linux_amd64.tar.gz"],
        dist,
        "tar",
    );
    let entries: Vec<Vec<&str>> = listing
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = entries.iter().map(|e| e[5]).collect();
    assert_eq!(names, ["LICENSE", "README.md", "greet"], "{listing}");
    for entry in &entries {
        assert_eq!(entry[1], "0/0", "owner of {}: {listing}", entry[5]);
        assert_eq!(
            (entry[3], entry[4]),
            ("2023-11-14", "22:13"),
            "mtime of {}",
            entry[5]
        );
        let mode = if entry[5] == "greet" {
            "-rwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert_eq!(entry[0], mode, "mode of {}", entry[5]);
    }
    // The archived binary is the built one.
    let extracted = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let archive = dist.join("greet_1.2.3_linux_amd64.tar.gz");
    tool(
        "tar",
        &["-xzf", &archive.to_string_lossy()],
        extracted.path(),
        "tar",
    );
    assert_eq!(
        read(&extracted.path().join("greet")),
        read(&dist.join("greet_linux_amd64"))
    );
    assert_eq!(
        read(&extracted.path().join("LICENSE")),
        read(&crosscheck_tests::repo_root().join("examples/05-release/LICENSE"))
    );

    // zip entries: the .exe name, unix modes, fixed DOS time.
    let zip = tool(
        "zipinfo",
        &["-T", "greet_1.2.3_windows_amd64.zip"],
        dist,
        "unzip",
    );
    let zip_entries: Vec<Vec<&str>> = zip
        .lines()
        .filter(|line| line.starts_with('-'))
        .map(|line| line.split_whitespace().collect())
        .collect();
    let zip_names: Vec<&str> = zip_entries.iter().map(|e| e[7]).collect();
    assert_eq!(zip_names, ["LICENSE", "README.md", "greet.exe"], "{zip}");
    for entry in &zip_entries {
        assert_eq!(
            entry[6], "20231114.221320",
            "zip time of {}: {zip}",
            entry[7]
        );
        let mode = if entry[7] == "greet.exe" {
            "-rwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert_eq!(entry[0], mode, "zip mode of {}", entry[7]);
    }

    // The universal binary: a fat Mach-O whose slices are the thin builds, byte for byte.
    let fat = read(&dist.join("greet_darwin_universal"));
    assert_eq!(be32(&fat, 0), 0xcafe_babe, "not a fat Mach-O");
    assert_eq!(be32(&fat, 4), 2, "slice count");
    let amd64 = read(&dist.join("greet_darwin_amd64"));
    let arm64 = read(&dist.join("greet_darwin_arm64"));
    for (index, (cputype, align, thin)) in [(0x0100_0007, 12, &amd64), (0x0100_000c, 14, &arm64)]
        .into_iter()
        .enumerate()
    {
        let arch = 8 + 20 * index;
        assert_eq!(be32(&fat, arch), cputype, "cputype of slice {index}");
        let offset = be32(&fat, arch + 8) as usize;
        let size = be32(&fat, arch + 12) as usize;
        assert_eq!(be32(&fat, arch + 16), align, "align of slice {index}");
        assert_eq!(offset % (1 << align), 0, "slice {index} is not aligned");
        assert_eq!(&fat[offset..offset + size], &thin[..], "slice {index}");
    }

    // `crosscheck inspect` reads the fat file slice by slice.
    let inspected = run(crosscheck()
        .args(["inspect", "--format", "json"])
        .arg(dist.join("greet_darwin_universal")));
    assert_eq!(inspected.code, 0, "{}", inspected.snapshot());
    let report: serde_json::Value = serde_json::from_str(&inspected.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", inspected.stdout));
    let report = &report["files"][0];
    assert_eq!(report["format"], "macho-fat", "{report:#}");
    let arches: Vec<&str> = report["slices"]
        .as_array()
        .map(|slices| slices.iter().filter_map(|s| s["goarch"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(arches, ["amd64", "arm64"], "{report:#}");

    // The manifest lists the universal binary and every archive.
    let manifest = manifest(dist);
    let universal = manifest_target(&manifest, "darwin/universal");
    assert_eq!(universal["status"], "built");
    assert_eq!(universal["goarch"], "universal");
    assert_eq!(universal["path"], "greet_darwin_universal");
    assert_eq!(
        universal["universal_inputs"],
        serde_json::json!(["darwin/amd64", "darwin/arm64"])
    );
    assert_eq!(universal["inspection"]["verdict"], "pass", "{universal:#}");
    assert_eq!(universal["inspection"]["report"]["format"], "macho-fat");
    assert_eq!(
        universal["archive"]["path"],
        "greet_1.2.3_darwin_universal.tar.gz"
    );
    let windows = manifest_target(&manifest, "windows/amd64");
    assert_eq!(windows["archive"]["format"], "zip");
    assert_eq!(windows["archive"]["path"], "greet_1.2.3_windows_amd64.zip");
    let zip_bytes = read(&dist.join("greet_1.2.3_windows_amd64.zip"));
    assert_eq!(windows["archive"]["size"], zip_bytes.len());

    // SHA256SUMS covers binaries, the universal binary and the archives, and checks out.
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    for name in ARCHIVES.iter().chain(&["greet_darwin_universal"]) {
        assert!(
            sums.lines()
                .any(|line| line.ends_with(&format!("  {name}"))),
            "{name} missing from SHA256SUMS:\n{sums}"
        );
    }
    // 4 binaries, the universal binary, their 5 SBOMs, 5 archives.
    assert_eq!(sums.lines().count(), 15, "{sums}");
    tool("sha256sum", &["-c", "SHA256SUMS"], dist, "coreutils");

    // Every thin binary has a CycloneDX SBOM beside it that validates against the schema and
    // describes that very file; the universal binary's describes the fat file with one
    // nested component per slice.
    let validator = validator();
    for id in [
        "linux/amd64",
        "windows/amd64",
        "darwin/amd64",
        "darwin/arm64",
        "darwin/universal",
    ] {
        let target = manifest_target(&manifest, id);
        let sbom_path = target["sbom"]["path"].as_str().unwrap_or_default();
        assert_eq!(
            sbom_path,
            format!("{}.cdx.json", target["path"].as_str().unwrap_or_default())
        );
        assert_eq!(target["sbom"]["format"], "cyclonedx-1.5+json");
        assert!(
            sums.lines()
                .any(|line| line.ends_with(&format!("  {sbom_path}"))),
            "{sbom_path} missing from SHA256SUMS:\n{sums}"
        );
        let bom: serde_json::Value = serde_json::from_slice(&read(&dist.join(sbom_path)))
            .unwrap_or_else(|e| panic!("{sbom_path}: {e}"));
        let errors = schema_errors(&validator, &bom);
        assert!(errors.is_empty(), "{sbom_path}: {errors:#?}");
        assert_eq!(
            bom["metadata"]["component"]["hashes"][0]["content"], target["sha256"],
            "{sbom_path} describes another file"
        );
        assert!(
            bom["components"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["name"] == "stdlib")),
            "{sbom_path}: no stdlib component"
        );
    }
    let universal_bom: serde_json::Value =
        serde_json::from_slice(&read(&dist.join("greet_darwin_universal.cdx.json")))
            .unwrap_or_else(|e| panic!("{e}"));
    let slices = &universal_bom["metadata"]["component"]["components"];
    for (index, id) in ["darwin/amd64", "darwin/arm64"].into_iter().enumerate() {
        assert_eq!(
            slices[index]["hashes"][0]["content"],
            manifest_target(&manifest, id)["sha256"],
            "slice {index} of the universal SBOM is not {id}"
        );
    }
    assert!(
        !universal_bom["metadata"]["component"]["purl"]
            .as_str()
            .unwrap_or_default()
            .contains("goarch="),
        "a universal binary has no single goarch: {universal_bom:#}"
    );

    // A second build into another dist gives byte-identical archives and universal binary.
    build_release(second.path());
    let sboms = [
        "greet_linux_amd64.cdx.json",
        "greet_darwin_arm64.cdx.json",
        "greet_darwin_universal.cdx.json",
    ];
    for name in ARCHIVES
        .iter()
        .chain(&["greet_darwin_universal"])
        .chain(&sboms)
    {
        assert!(
            read(&dist.join(name)) == read(&second.path().join(name)),
            "{name} differs between two builds"
        );
    }
}

#[test]
fn archive_none_and_overrides_change_what_is_packaged() {
    let project = build_support::copy_example("05-release");
    std::fs::write(
        project.path().join("matrix.toml"),
        "version = 1\n\
         [build]\n\
         archive_files = [\"*.md\"]\n\
         [matrix]\n\
         targets = [\"linux/amd64\", \"linux/arm64\"]\n\
         [[override]]\n\
         match = \"linux/arm64\"\n\
         archive = \"none\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let dist = project.path().join("dist");
    let out = run(crosscheck()
        .args(["build", "--matrix"])
        .arg(project.path().join("matrix.toml"))
        .arg("--dist")
        .arg(&dist));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&dist);
    assert!(manifest_target(&manifest, "linux/arm64")["archive"].is_null());
    assert_eq!(
        manifest_target(&manifest, "linux/amd64")["archive"]["path"],
        "greet_1.2.3_linux_amd64.tar.gz"
    );
    let listing = tool(
        "tar",
        &["-tzf", "greet_1.2.3_linux_amd64.tar.gz"],
        &dist,
        "tar",
    );
    assert_eq!(listing, "README.md\ngreet\n");
    assert!(
        std::fs::read_dir(&dist)
            .into_iter()
            .flatten()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().contains("arm64.tar")),
        "linux/arm64 was archived despite archive = \"none\""
    );
}

/// `plan` shows the universal binary as a row of its own, in the shard that builds both of
/// its slices, and counts what the packaging phase will write.
#[test]
fn plan_lists_the_universal_binary_and_the_packaging() {
    let out = run(crosscheck().args(["plan", "--matrix", RELEASE]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let row = out
        .stdout
        .lines()
        .find(|line| line.starts_with("darwin/universal "))
        .unwrap_or_else(|| panic!("no universal row:\n{}", out.stdout));
    assert!(
        row.contains("greet_darwin_universal") && row.contains("darwin/amd64 + darwin/arm64"),
        "{row}"
    );
    assert!(
        out.stdout
            .contains("after the builds: 1 universal binary, 5 archives (tar.gz, zip), 5 SBOMs"),
        "{}",
        out.stdout
    );
    let holders: Vec<u32> = (1..=3)
        .filter(|shard| {
            let out = run(crosscheck().args([
                "plan",
                "--matrix",
                RELEASE,
                "--shard",
                &format!("{shard}/3"),
            ]));
            assert_eq!(out.code, 0, "{}", out.snapshot());
            out.stdout
                .lines()
                .any(|line| line.starts_with("darwin/universal "))
        })
        .collect();
    assert_eq!(
        holders.len(),
        1,
        "the universal binary is in shards {holders:?}"
    );
}
