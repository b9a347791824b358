//! End-to-end tests of `crosscheck plan`, `targets` and `init` against the real binary.

use std::collections::BTreeSet;
use std::path::Path;

use crosscheck_tests::{crosscheck, redact, repo_root, run};

const EXAMPLES: [&str; 6] = [
    "examples/01-hello/matrix.toml",
    "examples/03-wasm/matrix.toml",
    "examples/04-overrides/matrix.toml",
    "examples/10-binaries/matrix.toml",
    "examples/14-packages/matrix.toml",
    "matrix.toml",
];

fn plan(args: &[&str]) -> crosscheck_tests::Run {
    run(crosscheck().arg("plan").args(args))
}

fn plan_json(args: &[&str]) -> serde_json::Value {
    let out = plan(&[args, &["--format", "json"]].concat());
    assert_eq!(out.code, 0, "{}", out.snapshot());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

fn ids(plan: &serde_json::Value) -> Vec<String> {
    plan["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_bad_matrix_fails_with_its_error_and_location() {
    let dir = repo_root().join("tests/bad-matrix");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "only {} bad matrices", files.len());
    for file in files {
        let relative = file
            .strip_prefix(repo_root())
            .unwrap_or(&file)
            .display()
            .to_string();
        // Read as bytes: one fixture is deliberately not UTF-8.
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let expected = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{relative} lacks a `# expect:` first line"));
        let out = plan(&["--matrix", &relative]);
        assert_eq!(
            out.code,
            2,
            "{relative}: wrong exit code\n{}",
            out.snapshot()
        );
        assert!(
            out.stdout.is_empty(),
            "{relative}: printed a plan\n{}",
            out.snapshot()
        );
        assert!(
            out.stderr.contains(expected),
            "{relative}: expected {expected:?}\n{}",
            out.snapshot()
        );
        let location = format!("--> {relative}:");
        let located = out.stderr.lines().any(|line| {
            line.trim_start()
                .strip_prefix(&location)
                .is_some_and(|rest| {
                    let mut parts = rest.split(':');
                    parts.next().is_some_and(|l| l.parse::<u32>().is_ok())
                        && parts.next().is_some_and(|c| c.parse::<u32>().is_ok())
                })
        });
        assert!(
            located,
            "{relative}: no file:line:column\n{}",
            out.snapshot()
        );
        assert!(!out.stderr.contains("panicked"), "{relative} panicked");
        insta::assert_snapshot!(
            format!(
                "bad-matrix-{}",
                file.file_stem().unwrap_or_default().to_string_lossy()
            ),
            out.snapshot()
        );
    }
}

#[test]
fn plans_every_example_in_every_format() {
    for matrix in EXAMPLES {
        let name = matrix.trim_end_matches("/matrix.toml").replace('/', "-");
        for format in ["table", "json", "github", "gitlab"] {
            let out = plan(&["--matrix", matrix, "--format", format]);
            assert_eq!(out.code, 0, "{matrix} {format}\n{}", out.snapshot());
            insta::assert_snapshot!(format!("plan-{name}-{format}"), out.snapshot());
        }
    }
}

#[test]
fn json_plan_has_the_documented_fields() {
    let plan = plan_json(&["--matrix", "examples/04-overrides/matrix.toml"]);
    assert_eq!(plan["schema_version"], 1);
    let target = plan["targets"]
        .as_array()
        .and_then(|targets| targets.iter().find(|t| t["id"] == "windows/amd64/v3"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(target["goos"], "windows");
    assert_eq!(target["goarch"], "amd64");
    assert_eq!(target["variant"]["var"], "GOAMD64");
    assert_eq!(target["variant"]["value"], "v3");
    assert_eq!(target["cgo"], false);
    assert_eq!(target["output"], "windows_amd64_v3/stamp.exe");
    assert_eq!(target["env"]["GOAMD64"], "v3");
    assert_eq!(target["env"]["CGO_ENABLED"], "0");
    let argv: Vec<&str> = target["argv"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(&argv[..3], ["go", "build", "-trimpath"]);
    assert!(argv.contains(&"-tags=fastpath"), "{argv:?}");
    let ldflags = argv
        .iter()
        .find(|a| a.starts_with("-ldflags="))
        .copied()
        .unwrap_or("");
    // Both overrides applied in order, after [build]; version stamps rendered.
    assert_eq!(
        ldflags,
        "-ldflags=-buildid= -s -w -X main.version=1.2.3 -X main.commit=0123456789ab -X main.date=2023-11-14T22:13:20Z -H=windowsgui -X main.flavour=x86-64-v3"
    );
    assert_eq!(argv.last(), Some(&"."));
}

#[test]
fn target_and_exclude_globs_select_by_whole_id() {
    let linux = plan_json(&["--target", "linux/*"]);
    assert_eq!(ids(&linux), ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
    // `linux/arm` is a whole id: it never selects linux/arm64 or linux/arm/v7.
    let out = plan(&["--target", "linux/arm"]);
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("matches no target"),
        "{}",
        out.snapshot()
    );
    let wasm = plan_json(&["--target", "*/wasm", "--exclude", "js/*"]);
    assert_eq!(ids(&wasm), ["wasip1/wasm"]);
    let arm64 = plan_json(&["--target", "*/arm64", "--target", "*/arm/*"]);
    assert_eq!(
        ids(&arm64),
        [
            "linux/arm64",
            "darwin/arm64",
            "windows/arm64",
            "linux/arm/v7"
        ]
    );
}

#[test]
fn shards_partition_the_selection() {
    let all: BTreeSet<String> = ids(&plan_json(&[])).into_iter().collect();
    for count in 1..=5 {
        let mut union = BTreeSet::new();
        let mut total = 0;
        for index in 1..=count {
            let part = ids(&plan_json(&["--shard", &format!("{index}/{count}")]));
            total += part.len();
            union.extend(part);
        }
        assert_eq!(total, all.len(), "{count} shards overlap");
        assert_eq!(union, all, "{count} shards miss targets");
    }
    let out = plan(&["--shard", "4/3"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("invalid shard \"4/3\""),
        "{}",
        out.snapshot()
    );
}

#[test]
fn github_matrix_jobs_repeat_the_selection() {
    let out = plan(&["--target", "linux/*", "--format", "github", "--shards", "2"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let matrix: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let jobs = matrix["include"].as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["args"], "--shard 1/2 --target 'linux/*'");
    let out = plan(&["--format", "github", "--shard", "1/2"]);
    assert_eq!(out.code, 2, "--shard and --format github conflict");
}

#[test]
fn offline_plan_says_it_used_the_snapshot() {
    let out = plan(&["--offline"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stderr.contains("--offline"), "{}", out.snapshot());
    assert!(
        out.stdout.contains("built-in snapshot"),
        "{}",
        out.snapshot()
    );
    let plan = plan_json(&["--offline"]);
    assert_eq!(plan["go"]["catalog"], "embedded_snapshot");
}

/// A temporary Go module holding a copy of examples/01-hello.
fn temp_module() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for file in ["go.mod", "main.go"] {
        let from = repo_root().join("examples/01-hello").join(file);
        std::fs::copy(&from, dir.path().join(file))
            .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
    dir
}

#[test]
fn without_matrix_toml_the_built_in_release_matrix_is_used() {
    let dir = temp_module();
    let out = run(crosscheck().arg("plan").current_dir(dir.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        out.stderr.contains("built-in release matrix"),
        "{}",
        out.snapshot()
    );
    for id in [
        "linux/amd64",
        "darwin/arm64",
        "windows/amd64",
        "linux/arm/v7",
        "js/wasm",
        "wasip1/wasm",
    ] {
        assert!(out.stdout.contains(id), "{id} missing:\n{}", out.stdout);
    }
    // The binary is named after the module path's last element.
    assert!(out.stdout.contains("hello_linux_amd64"), "{}", out.stdout);
}

#[test]
fn init_writes_a_matrix_that_plans_and_refuses_to_overwrite() {
    let dir = temp_module();
    let out = run(crosscheck().arg("init").current_dir(dir.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let written = std::fs::read_to_string(dir.path().join("matrix.toml")).unwrap_or_default();
    assert!(written.starts_with("# matrix.toml"), "{written}");
    let planned = run(crosscheck()
        .args(["plan", "--format", "json"])
        .current_dir(dir.path()));
    assert_eq!(planned.code, 0, "{}", planned.snapshot());
    // The commented [hooks] and [smoke] examples plan as written once uncommented.
    let uncommented: String = written
        .lines()
        .map(|line| {
            let examples = [
                "[hooks]",
                "before =",
                "after_build =",
                "after =",
                "[smoke]",
                "args =",
                "expect =",
            ];
            match line.strip_prefix("# ") {
                Some(rest) if examples.iter().any(|e| rest.starts_with(e)) => rest,
                _ => line,
            }
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(uncommented.contains("\n[hooks]\n") && uncommented.contains("\n[smoke]\n"));
    std::fs::write(dir.path().join("matrix.toml"), &uncommented).unwrap_or_else(|e| panic!("{e}"));
    let with_examples = run(crosscheck().arg("plan").current_dir(dir.path()));
    assert_eq!(with_examples.code, 0, "{}", with_examples.snapshot());
    assert!(
        with_examples
            .stdout
            .contains("hook before: go generate ./..."),
        "{}",
        with_examples.snapshot()
    );
    let again = run(crosscheck().arg("init").current_dir(dir.path()));
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"), "{}", again.snapshot());
}

#[test]
fn missing_go_mod_and_missing_go_are_clear_errors() {
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out = run(crosscheck().arg("plan").current_dir(empty.path()));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no go.mod in"), "{}", out.snapshot());

    let dir = temp_module();
    std::fs::write(
        dir.path().join("matrix.toml"),
        "version = 1\n[build]\ngo = \"/nonexistent/go\"\n[matrix]\nos = [\"linux\"]\narch = [\"amd64\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck().arg("plan").current_dir(dir.path()));
    assert_eq!(out.code, 2, "{}", out.snapshot());
    assert!(
        out.stderr.contains("cannot run \"/nonexistent/go\""),
        "{}",
        out.snapshot()
    );
    assert!(out.stderr.contains("install Go"), "{}", out.snapshot());
}

#[test]
fn targets_lists_the_installed_go_ports() {
    let out = run(crosscheck().args(["targets", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let ports = listed["ports"].as_array().cloned().unwrap_or_default();
    let names: BTreeSet<String> = ports
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p["goos"].as_str().unwrap_or(""),
                p["goarch"].as_str().unwrap_or("")
            )
        })
        .collect();
    // The same set `go tool dist list` prints: the catalog comes from the toolchain.
    let go = std::process::Command::new("go")
        .args(["tool", "dist", "list"])
        .output()
        .unwrap_or_else(|e| panic!("go is needed for this test (install Go): {e}"));
    let expected: BTreeSet<String> = String::from_utf8_lossy(&go.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(names, expected);
    let table = run(crosscheck().args(["targets", "--first-class"]));
    assert!(table.stdout.contains("linux/amd64"), "{}", table.stdout);
    assert!(!table.stdout.contains("plan9"), "{}", table.stdout);
}

#[test]
fn verbose_plan_prints_the_exact_commands() {
    let out = plan(&["-v", "--target", "linux/arm/v7"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let text = redact(&out.stdout);
    assert!(text.contains("GOARM=7"), "{text}");
    assert!(text.contains("go build -trimpath"), "{text}");
    assert!(Path::new(&repo_root()).join("matrix.toml").exists());
}

#[test]
fn every_matrix_in_docs_plans() {
    // Documentation that cannot rot: each complete ```toml block of docs/matrix.md plans.
    let docs = std::fs::read_to_string(repo_root().join("docs/matrix.md")).unwrap_or_default();
    let blocks: Vec<&str> = docs
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.contains("version = 1"))
        .collect();
    assert!(
        blocks.len() >= 2,
        "docs/matrix.md has {} complete examples",
        blocks.len()
    );
    for block in blocks {
        let dir = temp_module();
        let main = dir.path().join("cmd/tool");
        std::fs::create_dir_all(&main).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(dir.path().join("main.go"), main.join("main.go"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("matrix.toml"), block).unwrap_or_else(|e| panic!("{e}"));
        let out = run(crosscheck()
            .args(["plan", "--format", "json"])
            .current_dir(dir.path()));
        assert_eq!(
            out.code,
            0,
            "docs example fails to plan:\n{block}\n{}",
            out.snapshot()
        );
    }
}

#[test]
fn the_catalog_is_cached_per_go_version() {
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let source = || {
        let out = run(crosscheck()
            .args(["targets", "--format", "json"])
            .env("CROSSCHECK_CACHE_DIR", cache.path()));
        assert_eq!(out.code, 0, "{}", out.snapshot());
        let listed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
        listed["catalog"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(source(), "toolchain");
    let files: Vec<String> = std::fs::read_dir(cache.path())
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("catalog-go1.") && f.ends_with(".json")),
        "{files:?}"
    );
    assert_eq!(source(), "cache");
}

#[test]
fn version_commit_and_date_come_from_git() {
    let dir = temp_module();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_DATE", "2024-02-03T04:05:06Z")
            .env("GIT_COMMITTER_DATE", "2024-02-03T04:05:06Z")
            .output()
            .unwrap_or_else(|e| panic!("git is needed for this test (apt-get install git): {e}"));
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "add", "."]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "initial",
    ]);
    git(&["tag", "v1.4.0"]);
    let head = git(&["rev-parse", "HEAD"]);
    let out = run(crosscheck()
        .args(["plan", "--format", "json"])
        .env_remove("CROSSCHECK_VERSION")
        .env_remove("CROSSCHECK_COMMIT")
        .env_remove("SOURCE_DATE_EPOCH")
        .current_dir(dir.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let vcs = &plan["project"]["vcs"];
    assert_eq!(vcs["version"], "1.4.0");
    assert_eq!(vcs["commit"], head.as_str());
    assert_eq!(vcs["date"], "2024-02-03T04:05:06Z");
    assert_eq!(vcs["date_source"], "commit");
    // SOURCE_DATE_EPOCH wins over the commit time, CROSSCHECK_VERSION over the tag.
    let out = run(crosscheck()
        .args(["plan", "--format", "json"])
        .env("CROSSCHECK_VERSION", "9.9.9")
        .env("SOURCE_DATE_EPOCH", "0")
        .current_dir(dir.path()));
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    assert_eq!(plan["project"]["vcs"]["version"], "9.9.9");
    assert_eq!(plan["project"]["vcs"]["date"], "1970-01-01T00:00:00Z");
}

#[test]
fn policy_is_planned_per_target_with_overrides_applied() {
    let dir = temp_module();
    std::fs::write(
        dir.path().join("matrix.toml"),
        r#"version = 1
[matrix]
os = ["linux", "windows"]
arch = ["amd64"]

[policy]
static = "auto"
max_glibc = "2.17"
allowed_libraries = ["libc.so.6"]

[[override]]
match = "windows/*"
policy = { allowed_libraries = ["kernel32.dll"], windows_subsystem = "gui" }
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck()
        .args(["plan", "--format", "json"])
        .current_dir(dir.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let policy_of = |id: &str| {
        plan["targets"]
            .as_array()
            .and_then(|targets| targets.iter().find(|t| t["id"] == id))
            .map(|t| t["policy"].clone())
            .unwrap_or_default()
    };
    let linux = policy_of("linux/amd64");
    assert_eq!(linux["static"], "auto");
    assert_eq!(linux["allowed_libraries"], serde_json::json!(["libc.so.6"]));
    assert_eq!(linux["windows_subsystem"], serde_json::Value::Null);
    let windows = policy_of("windows/amd64");
    // The override replaced allowed_libraries and added a rule; the rest is inherited.
    assert_eq!(
        windows["allowed_libraries"],
        serde_json::json!(["kernel32.dll"])
    );
    assert_eq!(windows["windows_subsystem"], "gui");
    assert_eq!(windows["max_glibc"], "2.17");
}

#[test]
fn excludes_and_overrides_that_match_nothing_are_warnings() {
    let dir = temp_module();
    std::fs::write(
        dir.path().join("matrix.toml"),
        r#"version = 1
[matrix]
os = ["linux"]
arch = ["amd64"]
exclude = [{ os = "windows" }]

[[override]]
match = "darwin/*"
ldflags = ["-s"]
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck().arg("plan").current_dir(dir.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("warning: this `exclude` entry matches no target"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr
            .contains("warning: override `match = \"darwin/*\"` matches no target"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("--> matrix.toml:5:"),
        "{}",
        out.snapshot()
    );
    // -q silences warnings; the plan is still printed.
    let quiet = run(crosscheck().args(["plan", "-q"]).current_dir(dir.path()));
    assert_eq!(quiet.code, 0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.snapshot());
    assert!(quiet.stdout.contains("linux/amd64"), "{}", quiet.snapshot());
}

#[test]
fn template_filters_shape_archive_names() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let matrix = dir.path().join("matrix.toml");
    let hello = repo_root().join("examples/01-hello");
    std::fs::write(
        &matrix,
        format!(
            "version = 1\n[project]\ndir = {:?}\n[build]\narchive_name = \"{{name}}_{{os|title}}_{{arch|amd64=x86_64,386=i386}}\"\n[matrix]\nos = [\"linux\", \"windows\"]\narch = [\"amd64\", \"386\", \"arm64\"]\n",
            hello.display().to_string()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plan = plan_json(&["--matrix", matrix.to_str().unwrap_or_default()]);
    let archives: BTreeSet<String> = plan["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["archive"]["path"].as_str().map(str::to_owned))
        .collect();
    let expected: BTreeSet<String> = [
        "hello_Linux_x86_64.tar.gz",
        "hello_Linux_i386.tar.gz",
        "hello_Linux_arm64.tar.gz",
        "hello_Windows_x86_64.zip",
        "hello_Windows_i386.zip",
        "hello_Windows_arm64.zip",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(archives, expected);
}
