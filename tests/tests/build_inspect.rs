//! End-to-end tests of the inspection `crosscheck build` runs on every artifact: the report
//! and verdict land in the manifest, and policy violations exit 3 after everything built.

mod build_support;

use build_support::*;

#[test]
fn every_built_artifact_is_inspected_against_its_target() {
    let module = copy_example("01-hello");
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .args(["build", "--progress", "never"])
            .args([
                "--target",
                "linux/arm/v7",
                "--target",
                "windows/arm64",
                "--target",
                "wasip1/wasm",
            ])
            .arg("--dist")
            .arg(dist.path())
            .current_dir(module.path()),
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(dist.path());
    for (id, format, goarch) in [
        ("linux/arm/v7", "elf", "arm"),
        ("windows/arm64", "pe", "arm64"),
        ("wasip1/wasm", "wasm", "wasm"),
    ] {
        let inspection = &manifest_target(&manifest, id)["inspection"];
        assert_eq!(inspection["verdict"], "pass", "{id}: {inspection}");
        assert_eq!(inspection["report"]["format"], format, "{id}");
        assert_eq!(inspection["report"]["goarch"], goarch, "{id}");
        // The planned variant was checked against the build info, not just assumed.
        if id == "linux/arm/v7" {
            assert_eq!(inspection["report"]["go"]["settings"]["GOARM"], "7");
        }
    }
    assert_eq!(
        manifest_target(&manifest, "windows/arm64")["inspection"]["report"]["linkage"],
        "kernel32.dll"
    );
    // The grid shows linkage as found, not as planned.
    assert!(out.stderr.contains("kernel32.dll"), "{}", out.snapshot());
}

#[test]
fn policy_violations_exit_3_after_building_everything() {
    let module = copy_example("01-hello");
    write(
        module.path(),
        "matrix.toml",
        r#"version = 1
[matrix]
targets = ["linux/amd64", "windows/amd64"]

[policy]
require_stripped = true
max_size = 100000000

[[override]]
match = "linux/*"
ldflags = ["-s", "-w"]
"#,
    );
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let build = |extra: &[&str]| {
        crosscheck_tests::run(
            crosscheck_tests::crosscheck()
                .args(["build", "--progress", "never"])
                .args(extra)
                .arg("--dist")
                .arg(dist.path())
                .current_dir(module.path()),
        )
    };
    let out = build(&[]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("windows/amd64 does not pass inspection"),
        "{}",
        out.snapshot()
    );
    assert!(out.stderr.contains("[not-stripped]"), "{}", out.snapshot());
    assert!(
        !out.stderr.contains("linux/amd64 does not pass"),
        "{}",
        out.snapshot()
    );
    // Both artifacts were built and kept; the manifest records the verdicts.
    let manifest = manifest(dist.path());
    assert_eq!(
        manifest_target(&manifest, "windows/amd64")["status"],
        "built"
    );
    assert_eq!(
        manifest_target(&manifest, "windows/amd64")["inspection"]["verdict"],
        "fail"
    );
    assert_eq!(
        manifest_target(&manifest, "linux/amd64")["inspection"]["verdict"],
        "pass"
    );
    assert!(dist.path().join("hello_windows_amd64.exe").is_file());

    let warned = build(&["--policy", "warn"]);
    assert_eq!(warned.code, 0, "{}", warned.snapshot());
    assert!(
        warned
            .stderr
            .contains("warning: windows/amd64 does not pass"),
        "{}",
        warned.snapshot()
    );
}
