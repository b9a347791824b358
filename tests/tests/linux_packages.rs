//! End-to-end tests of `[packages]` on examples/14-packages: one build of its four linux
//! targets (amd64, arm64, arm v6 and v7) writes deb, rpm and apk packages, and the real
//! tools are the oracles: `dpkg-deb` and `dpkg --root` for debs, `rpm` and `rpm2archive`
//! for rpms, `tar` for apks (`.PKGINFO`). The amd64 .deb is installed into a throwaway root
//! and its binary runs; the arm64 package's binary runs under qemu. A second build must
//! give byte-identical packages. Version spellings are checked against dpkg's and rpm's own
//! comparisons.

mod build_support;

use std::path::Path;
use std::process::Command;

use build_support::*;
use crosscheck_tests::{require, sha256sum, tool};

const EXAMPLE: &str = "examples/14-packages/matrix.toml";

/// Each linux target of the example with its deb, rpm and apk architecture names (the
/// ARMv7 build makes no deb: the ARMv6 build's armhf deb serves both).
const TARGETS: [(&str, Option<&str>, &str, &str); 4] = [
    ("linux/amd64", Some("amd64"), "x86_64", "x86_64"),
    ("linux/arm64", Some("arm64"), "aarch64", "aarch64"),
    ("linux/arm/v6", Some("armhf"), "armv6hl", "armhf"),
    ("linux/arm/v7", None, "armv7hl", "armv7"),
];

/// Builds the example's linux targets into `dist`; panics with the output on failure.
fn build_packages(dist: &Path) -> serde_json::Value {
    let out = build(&["--matrix", EXAMPLE, "--target", "linux/*"], dist);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    manifest(dist)
}

/// The manifest's package of `format` for target `id`.
fn package<'m>(manifest: &'m serde_json::Value, id: &str, format: &str) -> &'m serde_json::Value {
    manifest_target(manifest, id)["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["format"] == format))
        .unwrap_or_else(|| panic!("no {format} package of {id}:\n{manifest:#}"))
}

fn text(value: &serde_json::Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[test]
fn packages_hold_the_built_binary_under_each_format_s_architecture_name() {
    require("dpkg-deb", "apt-get install dpkg");
    require("rpm", "apt-get install rpm");
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let manifest = build_packages(dist.path());
    let sums = std::fs::read_to_string(dist.path().join("SHA256SUMS")).unwrap_or_default();
    for (id, deb_arch, rpm_arch, apk_arch) in TARGETS {
        let binary_sha = text(&manifest_target(&manifest, id)["sha256"]).to_owned();
        let mut formats = vec![("rpm", rpm_arch), ("apk", apk_arch)];
        formats.extend(deb_arch.map(|arch| ("deb", arch)));
        let listed = manifest_target(&manifest, id)["packages"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(listed, formats.len(), "{id}: {manifest:#}");
        for (format, arch) in formats {
            let entry = package(&manifest, id, format);
            assert_eq!(entry["arch"], arch, "{id} {format}");
            let path = dist.path().join(text(&entry["path"]));
            assert_eq!(
                sha256sum(&path),
                entry["sha256"],
                "{id} {format}: manifest hash"
            );
            assert!(
                sums.contains(&format!(
                    "{}  {}",
                    text(&entry["sha256"]),
                    text(&entry["path"])
                )),
                "{id} {format}: not in SHA256SUMS:\n{sums}"
            );
            let read = match format {
                "deb" => deb_facts(&path),
                "rpm" => rpm_facts(&path),
                _ => apk_facts(&path),
            };
            let version = match format {
                "apk" => "1.2.3-r1",
                _ => "1.2.3",
            };
            assert_eq!(read.arch, arch, "{id} {format}: architecture field");
            assert_eq!(read.version, version, "{id} {format}: version");
            assert_eq!(
                read.binary_sha, binary_sha,
                "{id} {format}: /usr/bin/greeter"
            );
        }
    }
}

/// What an oracle read from a package: the architecture field, the version (with the
/// release where the format joins them), the SHA-256 of `/usr/bin/greeter`.
struct Facts {
    arch: String,
    version: String,
    binary_sha: String,
}

fn deb_facts(path: &Path) -> Facts {
    let dir = path.parent().unwrap_or(path);
    let field = |name: &str| {
        tool(
            "dpkg-deb",
            &["-f", &path.to_string_lossy(), name],
            dir,
            "dpkg",
        )
        .trim()
        .to_owned()
    };
    let listing = tool("dpkg-deb", &["-c", &path.to_string_lossy()], dir, "dpkg");
    for file in [
        "./usr/bin/greeter",
        "./etc/greeter/greeter.conf",
        "./usr/share/doc/greeter/README.md",
    ] {
        assert!(
            listing.contains(file),
            "{file} missing from {}:\n{listing}",
            path.display()
        );
    }
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    tool(
        "dpkg-deb",
        &[
            "-x",
            &path.to_string_lossy(),
            &root.path().to_string_lossy(),
        ],
        dir,
        "dpkg",
    );
    Facts {
        arch: field("Architecture"),
        // `1.2.3-1`: the upstream version and the revision (release 1).
        version: field("Version").trim_end_matches("-1").to_owned(),
        binary_sha: sha256sum(&root.path().join("usr/bin/greeter")),
    }
}

fn rpm_facts(path: &Path) -> Facts {
    let dir = path.parent().unwrap_or(path);
    let query = tool(
        "rpm",
        &[
            "-qp",
            "--qf",
            "%{ARCH} %{VERSION} %{RELEASE}",
            &path.to_string_lossy(),
        ],
        dir,
        "rpm",
    );
    let mut fields = query.split_whitespace();
    let arch = fields.next().unwrap_or_default().to_owned();
    let version = fields.next().unwrap_or_default().to_owned();
    assert_eq!(fields.next(), Some("1"), "{}: release", path.display());
    // rpm2archive turns the payload into a tar.gz: the rpm tool's own reading of it.
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let script = format!(
        "rpm2archive - < '{}' | tar -xzf - -C '{}'",
        path.display(),
        root.path().display()
    );
    tool("sh", &["-c", &script], dir, "rpm (rpm2archive) and tar");
    Facts {
        arch,
        version,
        binary_sha: sha256sum(&root.path().join("usr/bin/greeter")),
    }
}

fn apk_facts(path: &Path) -> Facts {
    let dir = path.parent().unwrap_or(path);
    // An apk is gzip streams one after the other: signature, control, data; tar reads them
    // as one archive.
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    tool(
        "tar",
        &[
            "-xzf",
            &path.to_string_lossy(),
            "-C",
            &root.path().to_string_lossy(),
        ],
        dir,
        "tar",
    );
    let info = std::fs::read_to_string(root.path().join(".PKGINFO")).unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} = ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(field("pkgname"), "greeter", "{info}");
    Facts {
        arch: field("arch"),
        version: field("pkgver"),
        binary_sha: sha256sum(&root.path().join("usr/bin/greeter")),
    }
}

#[test]
fn the_amd64_deb_installs_with_dpkg_and_the_arm64_package_runs_under_qemu() {
    require("dpkg", "apt-get install dpkg");
    require("qemu-aarch64", "apt-get install qemu-user");
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let manifest = build_packages(dist.path());

    // A throwaway root with an empty dpkg database; the postinstall script runs without
    // chroot (that needs root), which this one does not mind.
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let admin = root.path().join("var/lib/dpkg");
    for dir in ["info", "updates"] {
        std::fs::create_dir_all(admin.join(dir)).unwrap_or_else(|e| panic!("{e}"));
    }
    for file in ["status", "available"] {
        std::fs::write(admin.join(file), "").unwrap_or_else(|e| panic!("{e}"));
    }
    let deb = dist
        .path()
        .join(text(&package(&manifest, "linux/amd64", "deb")["path"]));
    let installed = tool(
        "dpkg",
        &[
            &format!("--root={}", root.path().display()),
            &format!("--admindir={}", admin.display()),
            "--force-script-chrootless",
            "--force-not-root",
            "-i",
            &deb.to_string_lossy(),
        ],
        dist.path(),
        "dpkg",
    );
    assert!(
        installed.contains("greeter installed"),
        "postinstall did not run:\n{installed}"
    );
    let status = std::fs::read_to_string(admin.join("status")).unwrap_or_default();
    assert!(
        status.contains("Package: greeter") && status.contains("Status: install ok installed"),
        "{status}"
    );
    let config = root.path().join("etc/greeter/greeter.conf");
    let greeting = tool(
        &root.path().join("usr/bin/greeter").to_string_lossy(),
        &[&config.to_string_lossy()],
        dist.path(),
        "nothing (the installed binary)",
    );
    assert_eq!(greeting.trim(), "greetings from linux/amd64");

    let rpm = dist
        .path()
        .join(text(&package(&manifest, "linux/arm64", "rpm")["path"]));
    let extracted = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let script = format!(
        "rpm2archive - < '{}' | tar -xzf - -C '{}'",
        rpm.display(),
        extracted.path().display()
    );
    tool(
        "sh",
        &["-c", &script],
        dist.path(),
        "rpm (rpm2archive) and tar",
    );
    let output = Command::new("qemu-aarch64")
        .arg(extracted.path().join("usr/bin/greeter"))
        .arg(extracted.path().join("etc/greeter/greeter.conf"))
        .output()
        .unwrap_or_else(|e| panic!("qemu-aarch64: {e}"));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "greetings from linux/arm64",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Two builds, the second with `--verify-reproducible` (which writes each package twice),
/// give the same packages.
#[test]
fn two_builds_give_byte_identical_packages() {
    let first = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let second = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = build(
        &["--matrix", EXAMPLE, "--target", "linux/arm64"],
        first.path(),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let out = build(
        &["--matrix", EXAMPLE, "--target", "linux/arm64"],
        second.path(),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let (a, b) = (manifest(first.path()), manifest(second.path()));
    let packages = |m: &serde_json::Value| manifest_target(m, "linux/arm64")["packages"].clone();
    assert_eq!(packages(&a).as_array().map_or(0, Vec::len), 3, "{a:#}");
    assert_eq!(
        packages(&a),
        packages(&b),
        "packages differ between two builds"
    );
}

/// The package versions crosscheck plans for `version` (deb, rpm, apk), from `plan --format
/// json` of the example's linux/amd64 build.
fn planned_versions(version: &str) -> [String; 3] {
    let out = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .env("CROSSCHECK_VERSION", version)
            .args([
                "plan",
                "--format",
                "json",
                "--matrix",
                EXAMPLE,
                "--target",
                "linux/amd64",
            ]),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let plan: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    let packages = &plan["targets"][0]["packages"];
    ["deb", "rpm", "apk"].map(|format| {
        packages
            .as_array()
            .and_then(|all| all.iter().find(|p| p["format"] == format))
            .map(|p| text(&p["version"]).to_owned())
            .unwrap_or_else(|| panic!("no {format} package planned:\n{plan:#}"))
    })
}

/// The versions crosscheck spells for a run of semver versions sort in semver order by
/// dpkg's and rpm's own comparisons; apk's spellings are the documented ones (apk-tools is
/// not a Debian package: its rule, `_alpha` < `_beta` < `_pre` < `_rc` < release, is in
/// docs/packages.md).
#[test]
fn pre_releases_sort_before_their_release_in_dpkg_and_rpm() {
    require("dpkg", "apt-get install dpkg");
    require("rpm", "apt-get install rpm");
    let semver_order = [
        ("1.2.0-alpha", "1.2.0_alpha"),
        ("1.2.0-alpha.2", "1.2.0_alpha2"),
        ("1.2.0-beta", "1.2.0_beta"),
        ("v1.2.0-rc.1", "1.2.0_rc1"),
        ("1.2.0-rc.2", "1.2.0_rc2"),
        ("1.2.0", "1.2.0"),
        ("1.2.1-rc.1", "1.2.1_rc1"),
        ("1.2.1", "1.2.1"),
    ];
    let planned: Vec<[String; 3]> = semver_order
        .iter()
        .map(|(version, apk)| {
            let versions = planned_versions(version);
            assert_eq!(versions[2], *apk, "apk spelling of {version}");
            versions
        })
        .collect();
    for pair in planned.windows(2) {
        let (low, high) = (&pair[0], &pair[1]);
        let dpkg = Command::new("dpkg")
            .args(["--compare-versions", &low[0], "lt", &high[0]])
            .status()
            .unwrap_or_else(|e| panic!("dpkg: {e}"));
        assert!(dpkg.success(), "dpkg: {} is not below {}", low[0], high[0]);
        let lua = format!(
            "%{{lua: print(rpm.vercmp(\"{}\", \"{}\"))}}",
            low[1], high[1]
        );
        let rpm = tool("rpm", &["--eval", &lua], Path::new("."), "rpm");
        assert_eq!(rpm.trim(), "-1", "rpm: {} is not below {}", low[1], high[1]);
    }
}

/// Shards carry their packages through `merge`, and `crosscheck verify` checks the packages
/// `SHA256SUMS` lists like any file: a changed byte in one fails it.
#[test]
fn merged_shards_carry_their_packages_and_verify_checks_them() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let selection = [
        "--matrix",
        EXAMPLE,
        "--target",
        "linux/amd64",
        "--target",
        "linux/arm64",
    ];
    let shards = ["1/2", "2/2"].map(|shard| {
        let dist = root
            .path()
            .join(format!("shard-{}", shard.replace('/', "-")));
        let out = build(&[&selection[..], &["--shard", shard]].concat(), &dist);
        assert_eq!(out.code, 0, "shard {shard}: {}", out.snapshot());
        dist
    });
    let merged = root.path().join("merged");
    let out = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .arg("merge")
            .args(selection)
            .args(&shards)
            .arg("--dist")
            .arg(&merged),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&merged);
    let sums = std::fs::read_to_string(merged.join("SHA256SUMS")).unwrap_or_default();
    for id in ["linux/amd64", "linux/arm64"] {
        for format in ["deb", "rpm", "apk"] {
            let entry = package(&manifest, id, format);
            let path = merged.join(text(&entry["path"]));
            assert_eq!(sha256sum(&path), entry["sha256"], "{id} {format}");
            assert!(
                sums.contains(text(&entry["path"])),
                "{id} {format} not in:\n{sums}"
            );
        }
    }
    let verify =
        |dir: &Path| crosscheck_tests::run(crosscheck_tests::crosscheck().arg("verify").arg(dir));
    let out = verify(&merged);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let rpm = merged.join(text(&package(&manifest, "linux/arm64", "rpm")["path"]));
    let mut bytes = std::fs::read(&rpm).unwrap_or_else(|e| panic!("{e}"));
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&rpm, bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = verify(&merged);
    assert_ne!(out.code, 0, "{}", out.snapshot());
    let named = rpm
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        out.stdout.contains(&named) || out.stderr.contains(&named),
        "{}",
        out.snapshot()
    );
}

/// A package whose bytes are not what the plan says fails its target (exit 1) and is
/// removed: here nfpm is a wrapper that writes version 9.9.9 instead of the planned one.
#[test]
fn a_package_that_is_not_as_planned_fails_its_target_and_is_removed() {
    // The shared cache's nfpm, installed by a build (crosscheck installs it on first use).
    let warm = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = build(
        &["--matrix", EXAMPLE, "--target", "linux/arm64"],
        warm.path(),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let real = crosscheck_tests::shared_cache_dir().join("tools/nfpm-v2.45.2/nfpm");
    assert!(real.is_file(), "{} was not installed", real.display());

    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tools = cache.path().join("tools/nfpm-v2.45.2");
    std::fs::create_dir_all(&tools).unwrap_or_else(|e| panic!("{e}"));
    let wrapper = format!(
        "#!/bin/sh\n# nfpm package --config FILE ...: the config with another version.\n\
         sed 's/\"version\": \"1.2.3\"/\"version\": \"9.9.9\"/' \"$3\" > \"$3.changed\"\n\
         exec '{}' package --config \"$3.changed\" \"$4\" \"$5\" \"$6\" \"$7\"\n",
        real.display()
    );
    let fake = tools.join("nfpm");
    std::fs::write(&fake, wrapper).unwrap_or_else(|e| panic!("{e}"));
    tool(
        "chmod",
        &["755", &fake.to_string_lossy()],
        cache.path(),
        "coreutils",
    );

    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .env("CROSSCHECK_CACHE_DIR", cache.path())
            .args([
                "build",
                "--matrix",
                EXAMPLE,
                "--target",
                "linux/arm64",
                "--dist",
            ])
            .arg(dist.path()),
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("is not as planned, so it was removed") && out.stderr.contains("9.9.9"),
        "{}",
        out.snapshot()
    );
    let manifest = manifest(dist.path());
    let target = manifest_target(&manifest, "linux/arm64");
    assert_eq!(target["status"], "failed", "{manifest:#}");
    assert_eq!(target["failure"]["kind"], "package", "{manifest:#}");
    let sums = std::fs::read_to_string(dist.path().join("SHA256SUMS")).unwrap_or_default();
    for extension in [".deb", ".rpm", ".apk"] {
        assert!(!sums.contains(extension), "{extension} listed:\n{sums}");
    }
    let left: Vec<_> = std::fs::read_dir(dist.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            [".deb", ".rpm", ".apk"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .collect();
    assert!(left.is_empty(), "packages left in dist: {left:?}");
    // The binary itself stays.
    assert!(dist.path().join(text(&target["path"])).is_file());
}
