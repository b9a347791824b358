//! End-to-end tests of `crosscheck inspect --format cyclonedx`: a real Go program with real
//! module dependencies (one replaced by another version, one by a local directory) is built
//! with `go build`, and its SBOM is validated against the official CycloneDX 1.5 JSON schema
//! and compared with what `go version -m` says.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosscheck_tests::{crosscheck, repo_root, run};
use serde_json::Value;

mod cyclonedx_support;

use cyclonedx_support::{schema_errors, validator};

fn fixture() -> PathBuf {
    repo_root().join("tests/fixtures/sbom-deps")
}

/// Builds the fixture for two targets once per test run.
fn binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = crosscheck_tests::shared_cache_dir().join("sbom-fixtures");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for (goos, goarch, name) in [
            ("linux", "amd64", "sbomdeps_linux_amd64"),
            ("windows", "arm64", "sbomdeps_windows_arm64.exe"),
        ] {
            let output = std::process::Command::new("go")
                // No VCS stamp: the fixture lives in this repository, whose state varies.
                .args(["build", "-trimpath", "-buildvcs=false", "-o"])
                .arg(dir.join(name))
                .arg(".")
                .current_dir(fixture())
                .env("GOOS", goos)
                .env("GOARCH", goarch)
                .env("CGO_ENABLED", "0")
                .env_remove("GOFLAGS")
                .output()
                .unwrap_or_else(|e| panic!("go is needed for this test (install Go): {e}"));
            assert!(
                output.status.success(),
                "go build {goos}/{goarch} of tests/fixtures/sbom-deps failed (it downloads rsc.io/quote from the Go module proxy):\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        dir
    })
}

/// The SBOM of `name`, as text, from the real binary.
fn sbom_text(name: &str) -> String {
    let file = binaries().join(name);
    let out = run(crosscheck()
        .args(["inspect", "--format", "cyclonedx"])
        .arg(&file));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    out.stdout
}

fn sbom(name: &str) -> Value {
    serde_json::from_str(&sbom_text(name)).unwrap_or_else(|e| panic!("not JSON ({e})"))
}

/// `go version -m`'s modules: (path, version, sum, replacement path, replacement version).
fn go_version_m(file: &Path) -> (String, Vec<[String; 5]>, Vec<(String, String)>) {
    let output = std::process::Command::new("go")
        .args(["version", "-m"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("go is needed for this test (install Go): {e}"));
    assert!(output.status.success(), "go version -m failed");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let go_version = text
        .lines()
        .next()
        .and_then(|line| line.rsplit(' ').next())
        .unwrap_or_default()
        .to_owned();
    let mut deps: Vec<[String; 5]> = Vec::new();
    let mut settings = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or_default().to_owned();
        match fields.first().copied() {
            Some("dep") => deps.push([field(1), field(2), field(3), String::new(), String::new()]),
            Some("=>") => {
                if let Some(last) = deps.last_mut() {
                    last[3] = field(1);
                    last[4] = field(2);
                }
            }
            Some("build") => {
                let (key, value) = field(1).split_once('=').map_or_else(
                    || (field(1), String::new()),
                    |(k, v)| (k.to_owned(), v.to_owned()),
                );
                settings.push((key, value));
            }
            _ => {}
        }
    }
    (go_version, deps, settings)
}

fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == format!("crosscheck:{name}"))
        .and_then(|p| p["value"].as_str())
}

#[test]
fn the_sbom_of_a_real_binary_is_valid_cyclonedx_1_5() {
    let validator = validator();
    for name in ["sbomdeps_linux_amd64", "sbomdeps_windows_arm64.exe"] {
        let bom = sbom(name);
        let errors = schema_errors(&validator, &bom);
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{bom:#}");
    }
}

#[test]
fn the_validator_rejects_a_broken_sbom() {
    let validator = validator();
    let bom = sbom("sbomdeps_linux_amd64");
    assert!(schema_errors(&validator, &bom).is_empty());

    let mut no_format = bom.clone();
    no_format.as_object_mut().map(|o| o.remove("bomFormat"));
    assert!(
        !schema_errors(&validator, &no_format).is_empty(),
        "an SBOM without bomFormat passed validation"
    );
    let mut bad_serial = bom.clone();
    bad_serial["serialNumber"] = "not-a-uuid".into();
    assert!(!schema_errors(&validator, &bad_serial).is_empty());
    let mut bad_hash = bom.clone();
    bad_hash["metadata"]["component"]["hashes"][0]["alg"] = "SHA-257".into();
    assert!(!schema_errors(&validator, &bad_hash).is_empty());
    let mut bad_time = bom;
    bad_time["metadata"]["timestamp"] = "yesterday".into();
    assert!(
        !schema_errors(&validator, &bad_time).is_empty(),
        "date-time formats are not checked"
    );
}

#[test]
fn every_module_go_version_m_lists_is_in_the_sbom() {
    let name = "sbomdeps_linux_amd64";
    let (go_version, deps, settings) = go_version_m(&binaries().join(name));
    assert!(
        deps.len() >= 4,
        "the fixture lost its dependencies: {deps:?}"
    );
    let bom = sbom(name);
    let components = bom["components"].as_array().cloned().unwrap_or_default();

    for [path, version, sum, replace_path, replace_version] in &deps {
        let component = components
            .iter()
            .find(|c| {
                property(c, "go:replaces")
                    .map_or(c["name"] == *path, |r| r.starts_with(&format!("{path}@")))
            })
            .unwrap_or_else(|| panic!("{path} {version} is missing from the SBOM:\n{bom:#}"));
        if replace_path.is_empty() {
            assert_eq!(component["version"], *version, "{component:#}");
            assert_eq!(component["purl"], format!("pkg:golang/{path}@{version}"));
            assert_eq!(property(component, "go:sum"), Some(sum.as_str()));
        } else {
            assert_eq!(
                property(component, "go:replaces"),
                Some(format!("{path}@{version}").as_str())
            );
            assert_eq!(component["pedigree"]["ancestors"][0]["name"], *path);
            assert_eq!(component["pedigree"]["ancestors"][0]["version"], *version);
            if replace_path.starts_with("./") {
                assert_eq!(
                    property(component, "go:replace:dir"),
                    Some(replace_path.as_str())
                );
                assert!(component.get("purl").is_none(), "{component:#}");
            } else {
                assert_eq!(component["name"], *replace_path);
                assert_eq!(component["version"], *replace_version);
            }
        }
    }
    // The fixture's two replacements, spelled out.
    let sampler = components
        .iter()
        .find(|c| c["name"] == "rsc.io/sampler")
        .unwrap_or_else(|| panic!("no rsc.io/sampler"));
    assert_eq!(sampler["version"], "v1.3.1");
    assert_eq!(sampler["pedigree"]["ancestors"][0]["version"], "v1.3.0");
    assert!(
        components
            .iter()
            .any(|c| c["name"] == "example.com/crosscheck/greet"
                && property(c, "go:replace:dir") == Some("./greet"))
    );

    let stdlib = components
        .iter()
        .find(|c| c["name"] == "stdlib")
        .unwrap_or_else(|| panic!("no stdlib component"));
    assert_eq!(stdlib["version"], go_version);
    // Every module, plus the standard library, hangs off the application.
    let graph = &bom["dependencies"][0];
    assert_eq!(graph["ref"], bom["metadata"]["component"]["bom-ref"]);
    assert_eq!(
        graph["dependsOn"].as_array().map(Vec::len),
        Some(deps.len() + 1)
    );

    let app = &bom["metadata"]["component"];
    assert_eq!(app["name"], "example.com/crosscheck/sbomdeps");
    assert_eq!(property(app, "go:version"), Some(go_version.as_str()));
    assert!(!settings.is_empty());
    for (key, value) in &settings {
        assert_eq!(
            property(app, &format!("go:setting:{key}")),
            Some(value.as_str()),
            "build setting {key} is missing"
        );
    }
    assert_eq!(
        app["purl"],
        "pkg:golang/example.com/crosscheck/sbomdeps?goarch=amd64&goos=linux&type=module"
    );
    let sha256 = &app["hashes"][0]["content"];
    let json = run(crosscheck()
        .args(["inspect", "--format", "json"])
        .arg(binaries().join(name)));
    let report: Value = serde_json::from_str(&json.stdout).unwrap_or_default();
    assert_eq!(*sha256, report["files"][0]["sha256"]);
    // crosscheck() pins SOURCE_DATE_EPOCH=1700000000.
    assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
}

#[test]
fn two_runs_give_identical_bytes() {
    let first = sbom_text("sbomdeps_windows_arm64.exe");
    let second = sbom_text("sbomdeps_windows_arm64.exe");
    assert_eq!(first, second);
    let bom: Value = serde_json::from_str(&first).unwrap_or_default();
    assert!(
        bom["metadata"]["component"]["purl"]
            .as_str()
            .is_some_and(|p| p.ends_with("?goarch=arm64&goos=windows&type=module")),
        "{bom:#}"
    );
    // A different artifact is a different document.
    assert_ne!(
        bom["serialNumber"],
        sbom("sbomdeps_linux_amd64")["serialNumber"]
    );
}

#[test]
fn a_file_without_go_build_info_is_a_clear_error() {
    let out = run(crosscheck()
        .args(["inspect", "--format", "cyclonedx"])
        .arg(fixture().join("main.go")));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(out.stdout.is_empty(), "{}", out.snapshot());
    assert!(out.stderr.contains("not a Go binary"), "{}", out.snapshot());
    // The SBOM is still printed for a binary that breaks --expect; the verdict goes to stderr.
    let out = run(crosscheck()
        .args([
            "inspect",
            "--format",
            "cyclonedx",
            "--expect",
            "windows/amd64",
        ])
        .arg(binaries().join("sbomdeps_windows_arm64.exe")));
    assert_eq!(out.code, 3, "{}", out.snapshot());
    let bom: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    assert_eq!(bom["bomFormat"], "CycloneDX", "{}", out.snapshot());
    assert!(out.stderr.contains("[arch-mismatch]"), "{}", out.snapshot());
    let binary = binaries().join("sbomdeps_linux_amd64");
    let out = run(crosscheck()
        .args(["inspect", "--format", "cyclonedx"])
        .arg(&binary)
        .arg(&binary));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("describes one binary"),
        "{}",
        out.snapshot()
    );
}
