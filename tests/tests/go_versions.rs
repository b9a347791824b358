//! End-to-end tests of the Go-version axis (`go = ["1.25", "1.26"]` in `[matrix]`) against
//! the real binary and real toolchains: resolution through the Go proxy, ids, outputs,
//! GOTOOLCHAIN per target, and builds whose binaries really come from each release.
//!
//! The toolchains are downloaded once into the user's module cache (GOMODCACHE), which
//! every run shares, like the build cache; that needs the Go proxy (proxy.golang.org by
//! default), which CI reaches.

mod build_support;

use std::process::Command;

use build_support::*;
use crosscheck_tests::{crosscheck, run};

const EXAMPLE: &str = "examples/06-go-versions/matrix.toml";

fn json(out: &crosscheck_tests::Run) -> serde_json::Value {
    assert_eq!(out.code, 0, "{}", out.snapshot());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

fn str_at<'a>(value: &'a serde_json::Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value:#}"))
}

/// `go1.25.7` -> (25, 7); panics on anything else, which is what the tests assert.
fn release(toolchain: &str) -> (u32, u32) {
    let rest = toolchain
        .strip_prefix("go1.")
        .unwrap_or_else(|| panic!("{toolchain:?} is not a go1.N.P toolchain"));
    let (minor, patch) = rest
        .split_once('.')
        .unwrap_or_else(|| panic!("{toolchain:?} has no patch number"));
    (
        minor.parse().unwrap_or_else(|e| panic!("{toolchain}: {e}")),
        patch.parse().unwrap_or_else(|e| panic!("{toolchain}: {e}")),
    )
}

/// Asks the Go proxy, independently of crosscheck, whether `toolchain` is a release.
fn proxy_has(toolchain: &str) -> bool {
    let host = Command::new("go")
        .args(["env", "GOHOSTOS", "GOHOSTARCH"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run go (install Go from https://go.dev/dl/): {e}"));
    let platform = String::from_utf8_lossy(&host.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    let out = Command::new("go")
        .args([
            "list",
            "-m",
            "-json",
            &format!("golang.org/toolchain@v0.0.1-{toolchain}.{platform}"),
        ])
        .env("GOTOOLCHAIN", "local")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("cannot run go: {e}"));
    out.status.success()
}

#[test]
fn plan_resolves_each_release_to_the_newest_exact_toolchain() {
    let plan = json(&run(
        crosscheck().args(["plan", "--matrix", EXAMPLE, "--format", "json"])
    ));
    let axis = plan["go"]["axis"]
        .as_array()
        .unwrap_or_else(|| panic!("no go.axis: {plan:#}"));
    assert_eq!(axis.len(), 2, "{axis:?}");
    let mut toolchains = Vec::new();
    for (entry, minor) in axis.iter().zip([25, 26]) {
        assert_eq!(entry["requested"], format!("1.{minor}"));
        let toolchain = str_at(entry, "/toolchain").to_owned();
        let (got_minor, patch) = release(&toolchain);
        assert_eq!(got_minor, minor, "{toolchain}");
        assert!(proxy_has(&toolchain), "{toolchain} is not on the Go proxy");
        // The newest patch: the next one does not exist (yet).
        let next = format!("go1.{minor}.{}", patch + 1);
        assert!(
            !proxy_has(&next),
            "{toolchain} is not the newest: {next} exists"
        );
        toolchains.push(toolchain);
    }

    let targets = plan["targets"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = targets.iter().map(|t| str_at(t, "/id")).collect();
    assert_eq!(
        ids,
        [
            "linux/amd64@go1.25",
            "windows/amd64@go1.25",
            "linux/amd64@go1.26",
            "windows/amd64@go1.26"
        ]
    );
    for target in &targets {
        let id = str_at(target, "/id");
        let toolchain = if id.ends_with("@go1.25") {
            &toolchains[0]
        } else {
            &toolchains[1]
        };
        assert_eq!(str_at(target, "/env/GOTOOLCHAIN"), toolchain, "{id}");
        assert_eq!(str_at(target, "/go/toolchain"), toolchain, "{id}");
        assert_eq!(
            str_at(target, "/go/requested"),
            id.rsplit("@go").next().unwrap_or_default()
        );
    }
    let outputs: Vec<&str> = targets.iter().map(|t| str_at(t, "/output")).collect();
    assert_eq!(
        outputs,
        [
            "goversions_linux_amd64_go1.25",
            "goversions_windows_amd64_go1.25.exe",
            "goversions_linux_amd64_go1.26",
            "goversions_windows_amd64_go1.26.exe"
        ]
    );
    // The plan-level Go stays the Go at hand.
    assert_eq!(plan["go"]["command"], "go");

    // A selector picks one release; the table names the toolchain each target needs.
    let out = run(crosscheck().args(["plan", "--matrix", EXAMPLE, "--target", "*@go1.25"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("linux/amd64@go1.25"), "{}", out.stdout);
    assert!(!out.stdout.contains("@go1.26 "), "{}", out.stdout);
    assert!(out.stdout.contains(&toolchains[0]), "{}", out.stdout);
    assert!(out.stdout.contains("2 of 4 targets"), "{}", out.stdout);
}

#[test]
fn build_uses_each_release_and_the_binaries_prove_it() {
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let plan = json(&run(
        crosscheck().args(["plan", "--matrix", EXAMPLE, "--format", "json"])
    ));
    let out = run(crosscheck()
        .args(["build", "--matrix", EXAMPLE, "--target", "linux/amd64@*"])
        .arg("--dist")
        .arg(dist.path())
        // A developer's GOTOOLCHAIN must not decide which Go builds: the plan's wins.
        .env("GOTOOLCHAIN", "local"));
    assert_eq!(out.code, 0, "{}", out.snapshot());

    let manifest_path = dist.path().join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .unwrap_or_else(|e| panic!("{}: {e}", manifest_path.display())),
    )
    .unwrap_or_else(|e| panic!("manifest: {e}"));
    let targets = manifest["targets"].as_array().cloned().unwrap_or_default();
    assert_eq!(targets.len(), 2, "{manifest:#}");

    for (target, axis) in targets
        .iter()
        .zip(plan["go"]["axis"].as_array().into_iter().flatten())
    {
        let toolchain = str_at(axis, "/toolchain");
        let id = str_at(target, "/id");
        assert_eq!(id, format!("linux/amd64@go{}", str_at(axis, "/requested")));
        assert_eq!(str_at(target, "/status"), "built", "{target:#}");
        assert_eq!(str_at(target, "/go_version"), toolchain, "{id}");
        assert_eq!(str_at(target, "/env/GOTOOLCHAIN"), toolchain, "{id}");
        // The executor's inspection read the Go version from the binary's build info...
        assert_eq!(
            str_at(target, "/inspection/report/go/version"),
            toolchain,
            "{id}"
        );
        assert_eq!(str_at(target, "/inspection/verdict"), "pass", "{target:#}");

        let artifact = dist.path().join(str_at(target, "/path"));
        // ...so does `crosscheck inspect`...
        let inspected = json(&run(crosscheck()
            .args(["inspect", "--format", "json"])
            .arg(&artifact)));
        assert_eq!(
            str_at(&inspected, "/files/0/go/version"),
            toolchain,
            "{inspected:#}"
        );
        // ...and the program itself says which runtime it has.
        let ran = Command::new(&artifact)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", artifact.display()));
        assert_eq!(
            String::from_utf8_lossy(&ran.stdout).trim(),
            format!("built with {toolchain} for linux/amd64")
        );
    }
}

#[test]
fn output_templates_must_separate_releases() {
    let dir = copy_example("06-go-versions");
    let matrix = |output: &str| {
        write(
            dir.path(),
            "matrix.toml",
            &format!(
                "version = 1\n[build]\noutput = \"{output}\"\n[matrix]\ngo = [\"1.25\", \"go1.26\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n"
            ),
        );
        run(crosscheck()
            .args(["plan", "--format", "json"])
            .current_dir(dir.path()))
    };

    let out = matrix("{name}_{os}_{arch}{ext}");
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("would both write")
            && out.stderr.contains("linux/amd64@go1.25")
            && out.stderr.contains("{go}"),
        "{}",
        out.stderr
    );

    let plan = json(&matrix("{go}/{name}_{os}_{arch}{ext}"));
    let outputs: Vec<&str> = plan["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| str_at(t, "/output"))
        .collect();
    assert_eq!(
        outputs,
        [
            "go1.25/goversions_linux_amd64",
            "go1.26/goversions_linux_amd64"
        ]
    );
}

#[test]
fn offline_knows_only_the_snapshot_release() {
    let out = run(crosscheck().args(["plan", "--offline", "--matrix", EXAMPLE]));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("--offline: cannot plan Go 1.25"),
        "{}",
        out.stderr
    );

    // The snapshot's own release is known offline, and needs no lookup.
    let snapshot = json(&run(crosscheck().args([
        "plan",
        "--offline",
        "--format",
        "json",
        "--matrix",
        "examples/01-hello/matrix.toml",
    ])));
    let version = str_at(&snapshot, "/go/version");
    let (minor, _) = release(version);
    let dir = copy_example("06-go-versions");
    write(
        dir.path(),
        "matrix.toml",
        &format!(
            "version = 1\n[matrix]\ngo = [\"1.{minor}\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n"
        ),
    );
    let plan = json(&run(crosscheck()
        .args(["plan", "--offline", "--format", "json"])
        .current_dir(dir.path())));
    assert_eq!(str_at(&plan, "/targets/0/env/GOTOOLCHAIN"), version);
    assert_eq!(
        str_at(&plan, "/targets/0/id"),
        format!("linux/amd64@go1.{minor}")
    );
}

/// With a `go` axis each release gets its own universal binary, made of that release's
/// darwin slices.
#[test]
fn universal_binaries_pair_slices_per_go_release() {
    let project = copy_example("06-go-versions");
    std::fs::write(
        project.path().join("matrix.toml"),
        "version = 1\n[build]\nuniversal = true\n[matrix]\ngo = [\"1.25\", \"1.26\"]\nos = [\"darwin\"]\narch = [\"amd64\", \"arm64\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plan = json(&run(crosscheck()
        .args(["plan", "--format", "json", "--matrix"])
        .arg(project.path().join("matrix.toml"))));
    let universal = plan["universal"]
        .as_array()
        .unwrap_or_else(|| panic!("no universal list: {plan:#}"));
    let pairs: Vec<(String, Vec<String>)> = universal
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default().to_owned(),
                u["inputs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|i| i.as_str().unwrap_or_default().to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (
                "darwin/universal@go1.25".to_owned(),
                vec![
                    "darwin/amd64@go1.25".to_owned(),
                    "darwin/arm64@go1.25".to_owned()
                ]
            ),
            (
                "darwin/universal@go1.26".to_owned(),
                vec![
                    "darwin/amd64@go1.26".to_owned(),
                    "darwin/arm64@go1.26".to_owned()
                ]
            ),
        ]
    );
}
