//! End-to-end tests of `crosscheck init --from-goreleaser`: examples/11-goreleaser's
//! matrix.toml is exactly what converting its `.goreleaser.yaml` writes, and it plans and
//! builds both binaries; and on every fixture GoReleaser v2.15.1 can build,
//! `goreleaser build --snapshot` builds exactly the binaries and targets of the converted
//! plan (GoReleaser's dist/artifacts.json against `crosscheck plan --format json`).

mod build_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use build_support::*;
use crosscheck_tests::{crosscheck, go_bin, go_env, repo_root, require, run, tool};
use serde_json::Value;

/// How `scripts/test` installs the GoReleaser the comparison runs.
const GORELEASER_INSTALL: &str = "go install github.com/goreleaser/goreleaser/v2@v2.15.1";

fn init(project: &Path, args: &[&str]) -> crosscheck_tests::Run {
    run(crosscheck()
        .current_dir(project)
        .args(["init", "--from-goreleaser"])
        .args(args))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_example_matrix_is_the_conversion_of_its_goreleaser_config() {
    let project = copy_example("11-goreleaser");
    std::fs::remove_file(project.path().join("matrix.toml")).unwrap_or_else(|e| panic!("{e}"));
    let out = init(project.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    insta::assert_snapshot!(out.snapshot());
    let committed = repo_root().join("examples/11-goreleaser/matrix.toml");
    assert_eq!(
        read(&project.path().join("matrix.toml")),
        read(&committed),
        "examples/11-goreleaser/matrix.toml is not what init writes: run `crosscheck init --from-goreleaser --force` there"
    );
}

#[test]
fn init_does_not_overwrite_and_points_at_what_is_wrong() {
    let project = copy_example("11-goreleaser");
    let out = init(project.path(), &[]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("already exists (hint: pass --force"),
        "{}",
        out.stderr
    );
    // --force overwrites; --path writes elsewhere, pointing [project] dir back.
    assert_eq!(init(project.path(), &["--force"]).code, 0);
    let out = init(project.path(), &["--path", "ci/matrix.toml"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let elsewhere = read(&project.path().join("ci/matrix.toml"));
    assert!(elsewhere.contains("dir = \"..\""), "{elsewhere}");
    // No GoReleaser file here.
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = init(empty.path(), &[]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("no .goreleaser.yaml or .goreleaser.yml"),
        "{}",
        out.stderr
    );
    // A file that is not YAML: the error names the line and column.
    write(empty.path(), "bad.yml", "builds:\n  - goos: [linux\n");
    let out = init(empty.path(), &["bad.yml"]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    insta::assert_snapshot!("not-yaml", out.snapshot());
}

#[test]
fn the_converted_example_builds_both_binaries() {
    let project = copy_example("11-goreleaser");
    let out = init(project.path(), &["--force"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let dist = project.path().join("dist");
    let matrix = project.path().join("matrix.toml");
    let out = build(&["--matrix", &matrix.to_string_lossy()], &dist);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&dist);
    let ids: Vec<&str> = manifest["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["status"] == "built")
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        12,
        "11 builds and the server's universal binary: {ids:?}"
    );
    for binary in ["server", "client"] {
        let path = dist.join(format!("{binary}_linux_amd64"));
        let printed = tool(
            &path.to_string_lossy(),
            &[],
            project.path(),
            "(the artifact itself)",
        );
        assert_eq!(printed.trim(), format!("{binary} 1.2.3 linux/amd64"));
    }
    // One archive per platform holds both binaries, named as GoReleaser names it.
    let listing = tool("tar", &["tzf", "relay_Linux_x86_64.tar.gz"], &dist, "tar");
    let mut entries: Vec<&str> = listing.lines().collect();
    entries.sort_unstable();
    assert_eq!(entries, ["README.md", "client", "server"]);
    assert!(dist.join("relay_Windows_arm64.zip").is_file());
    assert!(dist.join("relay_Linux_armv7.tar.gz").is_file());
}

/// The fixtures GoReleaser v2.15.1 builds as they are (tests/fixtures/goreleaser); the
/// others need C cross compilers and a Rust toolchain (v2-targets-and-quirks) or use keys
/// v2.15.1 no longer reads (v1-classic).
const COMPARED: [&str; 5] = [
    "v2-single.yaml",
    "v2-two-binaries.yaml",
    "v2-same-main.yaml",
    "v2-subarchitectures.yaml",
    "v1-deprecated.yaml",
];

#[test]
fn goreleaser_builds_the_binaries_and_targets_of_the_converted_plan() {
    let goreleaser = goreleaser();
    require(
        "gcc",
        "apt-get install gcc (v2-two-binaries builds linux/amd64 with cgo)",
    );
    let fixtures = repo_root().join("tests/fixtures/goreleaser");
    let mut configs: Vec<(String, String)> = COMPARED
        .iter()
        .map(|name| ((*name).to_owned(), read(&fixtures.join(name))))
        .collect();
    let example = repo_root().join("examples/11-goreleaser/.goreleaser.yaml");
    configs.push(("examples/11-goreleaser".to_owned(), read(&example)));
    for (name, config) in configs {
        let project = fixture_module();
        write(project.path(), ".goreleaser.yaml", &config);
        commit(project.path());
        let built = goreleaser_build(&goreleaser, project.path(), &name);
        let out = init(project.path(), &[]);
        assert_eq!(out.code, 0, "{name}: {}", out.snapshot());
        let planned = planned(project.path(), &name);
        assert_eq!(
            built, planned,
            "{name}: GoReleaser built (left) other binaries or targets than crosscheck plans (right)"
        );
    }
}

/// GoReleaser v2.15.1, from PATH or where `go install` puts it.
fn goreleaser() -> PathBuf {
    let candidates = [PathBuf::from("goreleaser"), go_bin("goreleaser")];
    let version = |path: &PathBuf| {
        Command::new(path)
            .arg("--version")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    candidates
        .into_iter()
        .find(|path| version(path).is_some_and(|v| v.contains("v2.15.1")))
        .unwrap_or_else(|| {
            panic!("this test compares with GoReleaser v2.15.1, which is not installed: {GORELEASER_INSTALL} (scripts/test installs it)")
        })
}

/// A module with every main package the compared configs build.
fn fixture_module() -> tempfile::TempDir {
    let main = "package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n";
    module(&[
        ("main.go", main),
        ("cmd/server/main.go", main),
        ("cmd/client/main.go", main),
        ("cmd/tool/main.go", main),
        ("cmd/classic/main.go", main),
        ("tools/check-licenses/main.go", main),
        ("README.md", "fixture\n"),
        ("LICENSE", "fixture\n"),
        ("docs/guide.md", "fixture\n"),
    ])
}

/// A git repository with one commit: GoReleaser reads its version from git.
fn commit(dir: &Path) {
    tool("git", &["init", "-q", "."], dir, "git");
    tool("git", &["add", "-A"], dir, "git");
    let identity = ["-c", "user.email=test@example.com", "-c", "user.name=test"];
    tool(
        "git",
        &[&identity[..], &["commit", "-q", "-m", "fixture"]].concat(),
        dir,
        "git",
    );
}

/// `goreleaser build --snapshot`'s binaries, as (file name, target id) pairs: one for each
/// build of a target, so two builds of one binary name (with and without a tag) are two.
fn goreleaser_build(goreleaser: &Path, project: &Path, name: &str) -> Vec<(String, String)> {
    let out = run(Command::new(goreleaser)
        .args(["build", "--snapshot", "--clean"])
        .current_dir(project)
        // The two-binary fixture's templates read these.
        .env("GOPROXY", go_env("GOPROXY"))
        .env("PWD", project)
        .env_remove("GOFLAGS"));
    assert_eq!(
        out.code, 0,
        "{name}: goreleaser build failed:\n{}",
        out.stderr
    );
    let artifacts: Value = serde_json::from_str(&read(&project.join("dist/artifacts.json")))
        .unwrap_or_else(|e| panic!("{name}: artifacts.json: {e}"));
    let mut built: Vec<(String, String, String)> = artifacts
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["type"] == "Binary" || a["type"] == "Universal Binary")
        .flat_map(|a| {
            let (binary, build) = (text(&a["extra"]["Binary"]), text(&a["extra"]["ID"]));
            let mut entries = vec![(binary.clone(), target_id(a), build.clone())];
            // `replace: true` takes the darwin builds it combined off the list; they were
            // built all the same (crosscheck keeps them, unarchived).
            if a["extra"]["Replaces"] == true {
                entries.push((binary.clone(), "darwin/amd64".to_owned(), build.clone()));
                entries.push((binary, "darwin/arm64".to_owned(), build));
            }
            entries
        })
        .collect();
    // One build making the same binary for one target twice (GoReleaser drops ppc64le's and
    // riscv64's sub-architecture, see the conversion's findings) is one build.
    built.sort();
    built.dedup();
    let mut built: Vec<(String, String)> = built
        .into_iter()
        .map(|(binary, target, _)| (binary, target))
        .collect();
    built.sort();
    built
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The crosscheck id of a GoReleaser artifact's target (without cgo, which artifacts.json
/// does not record): Go's default sub-architectures left out, GOARM written.
fn target_id(artifact: &Value) -> String {
    let (goos, goarch) = (text(&artifact["goos"]), text(&artifact["goarch"]));
    if goarch == "all" {
        return format!("{goos}/universal");
    }
    let variant = match goarch.as_str() {
        "arm" => format!("v{}", text(&artifact["goarm"])),
        "amd64" => text(&artifact["goamd64"]).replace("v1", ""),
        "386" => text(&artifact["go386"]).replace("sse2", ""),
        "arm64" => text(&artifact["goarm64"]).replace("v8.0", ""),
        "mips" | "mipsle" | "mips64" | "mips64le" => {
            text(&artifact["gomips"]).replace("hardfloat", "")
        }
        "ppc64" => text(&artifact["goppc64"]).replace("power8", ""),
        _ => String::new(),
    };
    if variant.is_empty() {
        format!("{goos}/{goarch}")
    } else {
        format!("{goos}/{goarch}/{variant}")
    }
}

/// The converted plan's builds and universal binaries, as (file name, target id) pairs.
fn planned(project: &Path, name: &str) -> Vec<(String, String)> {
    let out = run(crosscheck()
        .current_dir(project)
        .args(["plan", "--format", "json"]));
    assert_eq!(out.code, 0, "{name}: {}", out.snapshot());
    let plan: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{name}: plan JSON: {e}"));
    let project_name = text(&plan["project"]["name"]);
    let file_name = |binary: &str| {
        plan["project"]["binaries"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["name"] == binary)
            .map_or_else(|| project_name.clone(), |b| text(&b["file_name"]))
    };
    let split = |id: &str| match id.split_once(':') {
        Some((binary, target)) => (file_name(binary), target.to_owned()),
        None => (project_name.clone(), id.to_owned()),
    };
    let without_cgo = |target: String| target.split('+').next().unwrap_or_default().to_owned();
    let mut builds: Vec<(String, String)> = ["targets", "universal"]
        .iter()
        .flat_map(|key| plan[key].as_array().cloned().unwrap_or_default())
        .map(|entry| {
            let (binary, target) = split(entry["id"].as_str().unwrap_or_default());
            (binary, without_cgo(target))
        })
        .collect();
    builds.sort();
    builds
}
