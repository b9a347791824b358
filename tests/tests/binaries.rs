//! End-to-end tests of several binaries (`[[binary]]`, examples/10-binaries): builds named
//! by binary and target, archives shared by a target's binaries, one universal binary per
//! binary, `--binary`, shards that split builds and merge back, and the commands whose work
//! is per target (`check --all-packages`, `doctor`), which run once per target.

mod build_support;

use std::path::Path;

use build_support::*;
use crosscheck_tests::{crosscheck, run, sha256sum, tool};
use serde_json::Value;

/// examples/10-binaries with its `[matrix]` replaced by `targets` (and `universal` dropped
/// without both darwin targets) and `extra` appended.
fn toolbox(targets: &[&str], extra: &str) -> tempfile::TempDir {
    let project = copy_example("10-binaries");
    let path = project.path().join("matrix.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let (head, rest) = text
        .split_once("[matrix]")
        .unwrap_or_else(|| panic!("{text}"));
    // Universal binaries need both darwin targets.
    let universal = targets.contains(&"darwin/amd64") && targets.contains(&"darwin/arm64");
    let head = if universal {
        head.to_owned()
    } else {
        head.replace("universal = true\n", "")
    };
    let binaries = &rest[rest.find("[[binary]]").unwrap_or_else(|| panic!("{text}"))..];
    let list: Vec<String> = targets.iter().map(|t| format!("{t:?}")).collect();
    write(
        project.path(),
        "matrix.toml",
        &format!(
            "{head}[matrix]\ntargets = [{}]\n\n{binaries}\n{extra}",
            list.join(", ")
        ),
    );
    project
}

fn in_project(project: &Path, command: &str, args: &[&str]) -> crosscheck_tests::Run {
    run(crosscheck().current_dir(project).arg(command).args(args))
}

fn plan_json(project: &Path, args: &[&str]) -> Value {
    let out = in_project(project, "plan", &[args, &["--format", "json"]].concat());
    assert_eq!(out.code, 0, "{}", out.snapshot());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

fn ids(plan: &Value) -> Vec<String> {
    plan["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The names inside a tar.gz or zip, sorted.
fn archive_names(archive: &Path) -> Vec<String> {
    let dir = archive.parent().unwrap_or(Path::new("."));
    let name = archive.file_name().unwrap_or_default().to_string_lossy();
    let listing = if name.ends_with(".zip") {
        tool("zipinfo", &["-1", &name], dir, "unzip")
    } else {
        tool("tar", &["-tzf", &name], dir, "tar")
    };
    let mut names: Vec<String> = listing.lines().map(str::to_owned).collect();
    names.sort();
    names
}

#[test]
fn two_binaries_share_each_targets_archive_and_get_a_universal_binary_each() {
    let targets = [
        "linux/amd64",
        "windows/amd64",
        "darwin/amd64",
        "darwin/arm64",
    ];
    let project = toolbox(&targets, "");
    let dist = project.path().join("dist");
    let out = build(
        &[
            "--matrix",
            &project.path().join("matrix.toml").to_string_lossy(),
        ],
        &dist,
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    // The run speaks of builds, and the grid says whose each line is.
    assert!(
        out.stderr.contains("built 8 of 8 builds in"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("server: ok") && out.stderr.contains("client: ok"),
        "{}",
        out.stderr
    );

    let manifest = manifest(&dist);
    for binary in ["server", "client"] {
        for target in targets.iter().chain(&["darwin/universal"]) {
            let entry = manifest_target(&manifest, &format!("{binary}:{target}"));
            assert_eq!(entry["status"], "built", "{entry:#}");
            assert_eq!(entry["binary"], binary, "{entry:#}");
        }
    }
    // One archive per target holds both binaries and the README; both entries record it.
    for (target, archive, names) in [
        (
            "linux/amd64",
            "toolbox_1.2.3_linux_amd64.tar.gz",
            ["README.md", "client", "server"],
        ),
        (
            "windows/amd64",
            "toolbox_1.2.3_windows_amd64.zip",
            ["README.md", "client.exe", "server.exe"],
        ),
        (
            "darwin/universal",
            "toolbox_1.2.3_darwin_universal.tar.gz",
            ["README.md", "client", "server"],
        ),
    ] {
        assert_eq!(archive_names(&dist.join(archive)), names, "{archive}");
        for binary in ["server", "client"] {
            let entry = manifest_target(&manifest, &format!("{binary}:{target}"));
            assert_eq!(entry["archive"]["path"], archive, "{entry:#}");
        }
    }
    // Each binary is its own program, stamped like the other.
    let server = std::process::Command::new(dist.join("server_linux_amd64"))
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let line = String::from_utf8_lossy(&server.stdout);
    assert!(line.starts_with("server 1.2.3 "), "{line}");
    let client = std::process::Command::new(dist.join("client_linux_amd64"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&client.stdout).starts_with("client 1.2.3 "));
    assert_checksums(&dist, "toolbox_1.2.3_linux_amd64.tar.gz");
    assert!(dist.join("client_darwin_universal.cdx.json").is_file());
}

/// Every file SHA256SUMS names hashes as listed (checked with another tool), each file is
/// listed once, and `expected` is among them.
fn assert_checksums(dist: &Path, expected: &str) {
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    let mut names = Vec::new();
    for line in sums.lines() {
        let (digest, name) = line.split_once("  ").unwrap_or_else(|| panic!("{line}"));
        assert_eq!(sha256sum(&dist.join(name)), digest, "{name}");
        assert!(!names.contains(&name), "{name} is listed twice:\n{sums}");
        names.push(name);
    }
    assert!(names.contains(&expected), "{sums}");
}

#[test]
fn selectors_binary_names_and_shards_pick_builds() {
    let project = toolbox(&["linux/amd64", "linux/arm64", "windows/amd64"], "");
    let all = plan_json(project.path(), &[]);
    assert_eq!(ids(&all).len(), 6);
    let archive = &all["targets"][0]["archive"];
    assert_eq!(
        archive["shared_with"][0]["id"], "client:linux/amd64",
        "{archive:#}"
    );
    assert_eq!(archive["shared_with"][0]["name"], "client");

    // A glob without `:` is about targets, for every binary; with `:`, about builds.
    let linux = plan_json(project.path(), &["--target", "linux/*"]);
    assert_eq!(
        ids(&linux),
        [
            "server:linux/amd64",
            "server:linux/arm64",
            "client:linux/amd64",
            "client:linux/arm64"
        ]
    );
    let one = plan_json(project.path(), &["--target", "server:windows/*"]);
    assert_eq!(ids(&one), ["server:windows/amd64"]);
    // `--binary` keeps a binary's builds; its archives then hold it alone.
    let client = plan_json(project.path(), &["--binary", "client"]);
    assert_eq!(
        ids(&client),
        [
            "client:linux/amd64",
            "client:linux/arm64",
            "client:windows/amd64"
        ]
    );
    assert!(client["targets"][0]["archive"].get("shared_with").is_none());
    let typo = in_project(project.path(), "plan", &["--binary", "clent"]);
    assert_eq!(typo.code, 2, "{}", typo.snapshot());
    assert!(
        typo.stderr.contains("did you mean \"client\"?"),
        "{}",
        typo.snapshot()
    );

    // Shards split the six builds; a shared archive's builds stay in one shard.
    let mut seen = Vec::new();
    for shard in ["1/2", "2/2"] {
        let part = ids(&plan_json(project.path(), &["--shard", shard]));
        for id in &part {
            let target = id.split_once(':').map_or(id.as_str(), |(_, t)| t);
            assert!(
                part.contains(&format!("server:{target}"))
                    && part.contains(&format!("client:{target}")),
                "{part:?}"
            );
        }
        seen.extend(part);
    }
    seen.sort();
    let mut every = ids(&all);
    every.sort();
    assert_eq!(seen, every);
}

#[test]
fn per_binary_archive_names_targets_and_archive_false() {
    let project = toolbox(&["linux/amd64", "windows/amd64"], "");
    let path = project.path().join("matrix.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let text = text
        .replace(
            "name = \"server\"\n",
            "name = \"server\"\narchive_name = \"{binary}_{version}_{os}_{arch}\"\n",
        )
        .replace(
            "name = \"client\"\n",
            "name = \"client\"\narchive = false\ntargets = [\"linux/*\"]\n",
        );
    write(project.path(), "matrix.toml", &text);
    let plan = plan_json(project.path(), &[]);
    assert_eq!(
        ids(&plan),
        [
            "server:linux/amd64",
            "server:windows/amd64",
            "client:linux/amd64"
        ]
    );
    let targets = plan["targets"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        targets[0]["archive"]["path"],
        "server_1.2.3_linux_amd64.tar.gz"
    );
    assert!(targets[0]["archive"].get("shared_with").is_none());
    assert_eq!(targets[2]["archive"], Value::Null);
    assert_eq!(
        targets[2]["argv"].as_array().and_then(|a| a.last()),
        Some(&Value::from("./cmd/client"))
    );
}

#[test]
fn shards_of_builds_merge_into_one_dist() {
    let project = toolbox(&["linux/amd64", "linux/arm64"], "");
    let shards: Vec<_> = ["1/2", "2/2"]
        .iter()
        .map(|shard| {
            let dist = project.path().join(format!("dist-{}", &shard[..1]));
            let dist_arg = dist.to_string_lossy().into_owned();
            let out = in_project(
                project.path(),
                "build",
                &["--shard", shard, "--dist", &dist_arg],
            );
            assert_eq!(out.code, 0, "{}", out.snapshot());
            dist
        })
        .collect();
    let merged = project.path().join("dist");
    let out = run(crosscheck()
        .current_dir(project.path())
        .arg("merge")
        .args(&shards)
        .arg("--dist")
        .arg(&merged));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&merged);
    let mut merged_ids: Vec<&str> = manifest["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str())
        .collect();
    merged_ids.sort();
    assert_eq!(
        merged_ids,
        [
            "client:linux/amd64",
            "client:linux/arm64",
            "server:linux/amd64",
            "server:linux/arm64"
        ]
    );
    assert_checksums(&merged, "toolbox_1.2.3_linux_arm64.tar.gz");
    assert_eq!(
        archive_names(&merged.join("toolbox_1.2.3_linux_arm64.tar.gz")),
        ["README.md", "client", "server"]
    );
}

/// The names of the testcases of a JUnit file.
fn junit_cases(path: &Path) -> Vec<String> {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    xml.split("<testcase ")
        .skip(1)
        .filter_map(|case| case.split("name=\"").nth(1)?.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn package_wide_commands_run_once_per_target() {
    let project = toolbox(&["linux/amd64", "linux/arm64"], "");
    let junit = project.path().join("junit.xml");
    let junit_arg = junit.to_string_lossy().into_owned();
    // `check` compiles each binary's main package for each target...
    let each = in_project(project.path(), "check", &["--junit", &junit_arg]);
    assert_eq!(each.code, 0, "{}", each.snapshot());
    assert_eq!(junit_cases(&junit).len(), 4, "{:?}", junit_cases(&junit));
    // ...but `./...` is the same for both binaries: once per target.
    let all = in_project(
        project.path(),
        "check",
        &["--all-packages", "--junit", &junit_arg],
    );
    assert_eq!(all.code, 0, "{}", all.snapshot());
    let cases = junit_cases(&junit);
    assert_eq!(cases.len(), 2, "{cases:?}");
    assert!(cases.iter().all(|case| !case.contains(':')), "{cases:?}");
    let refused = in_project(
        project.path(),
        "check",
        &["--all-packages", "--binary", "server"],
    );
    assert_eq!(refused.code, 2, "{}", refused.snapshot());
    assert!(
        refused.stderr.contains("--binary does not apply here"),
        "{}",
        refused.snapshot()
    );
}

#[test]
fn without_matrix_toml_the_main_packages_under_cmd_are_the_binaries() {
    let project = copy_example("10-binaries");
    std::fs::remove_file(project.path().join("matrix.toml")).unwrap_or_else(|e| panic!("{e}"));
    let plan = plan_json(project.path(), &[]);
    let built: Vec<String> = ids(&plan);
    assert_eq!(built.len(), 18, "{built:?}");
    assert!(
        built.contains(&"client:linux/arm/v7".to_owned()),
        "{built:?}"
    );
    assert!(
        built.contains(&"server:wasip1/wasm".to_owned()),
        "{built:?}"
    );
    let out = in_project(project.path(), "plan", &[]);
    assert!(
        out.stderr
            .contains("building the release matrix for the main packages found: client (./cmd/client), server (./cmd/server)"),
        "{}",
        out.snapshot()
    );
    // `init` writes down what it found, and points at the GoReleaser conversion.
    write(project.path(), ".goreleaser.yaml", "version: 2\n");
    let init = in_project(project.path(), "init", &[]);
    assert_eq!(init.code, 0, "{}", init.snapshot());
    assert!(
        init.stderr.contains("`crosscheck init --from-goreleaser`"),
        "{}",
        init.snapshot()
    );
    assert_eq!(ids(&plan_json(project.path(), &[])), built);
    std::fs::remove_file(project.path().join("matrix.toml")).unwrap_or_else(|e| panic!("{e}"));
    // One program under cmd/ is `main`, named after its directory.
    std::fs::remove_dir_all(project.path().join("cmd/client")).unwrap_or_else(|e| panic!("{e}"));
    let plan = plan_json(project.path(), &[]);
    assert_eq!(plan["project"]["main"], "./cmd/server");
    assert_eq!(plan["targets"][0]["output"], "server_linux_amd64");
    // A module with no program at all is refused before any build.
    let library = module(&[("lib.go", "package lib\n")]);
    let out = in_project(library.path(), "plan", &[]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("finds no main package to build"),
        "{}",
        out.snapshot()
    );
}
