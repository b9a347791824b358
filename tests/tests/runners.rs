//! End-to-end tests of the runner resolver through `crosscheck doctor`: the "runs with"
//! column on this kind of machine (Debian with qemu-user, libc6-arm64-cross, node and
//! wazero, which `scripts/test` installs), and real runs of built artifacts with the argv
//! and environment doctor reports: no mocks of qemu, node or wazero.

mod build_support;

use std::path::Path;
use std::process::Command;

use build_support::{build, copy_example, require_zig, write};
use crosscheck_tests::{crosscheck, go_bin, go_env, require, run};

/// Every kind of runner and of not-run reason, on one example.
const TARGETS: [&str; 8] = [
    "linux/amd64",
    "linux/arm64",
    "linux/s390x",
    "linux/386",
    "js/wasm",
    "wasip1/wasm",
    "windows/amd64",
    "darwin/arm64",
];

/// The runners this file needs, each with the command that installs it.
fn require_runners() {
    require(
        "qemu-aarch64",
        "install qemu-user: apt-get install qemu-user",
    );
    require("qemu-s390x", "install qemu-user: apt-get install qemu-user");
    require("node", "install node: apt-get install nodejs");
    require("wine", "install wine: apt-get install wine64");
    let wazero = Command::new("wazero")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
        || go_bin("wazero").is_file();
    assert!(
        wazero || Command::new("wasmtime").arg("--version").output().is_ok(),
        "this test runs wasip1 binaries with wazero, which is not installed: go install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0"
    );
}

/// A copy of examples/01-hello whose matrix lists [`TARGETS`].
fn hello_with_every_runner() -> tempfile::TempDir {
    let project = copy_example("01-hello");
    let targets = TARGETS.map(|t| format!("\"{t}\"")).join(", ");
    write(
        project.path(),
        "matrix.toml",
        &format!("version = 1\n[matrix]\ntargets = [{targets}]\n"),
    );
    project
}

fn doctor(project: &Path, format: &str) -> crosscheck_tests::Run {
    run(crosscheck()
        .arg("doctor")
        .arg("--matrix")
        .arg(project.join("matrix.toml"))
        .args(["--format", format]))
}

/// The "RUNS WITH" cell of `id`'s row in doctor's table.
fn runs_with<'a>(stdout: &'a str, id: &str) -> &'a str {
    let header = stdout
        .lines()
        .find(|l| l.starts_with("TARGET"))
        .unwrap_or_default();
    let start = header
        .find("RUNS WITH")
        .unwrap_or_else(|| panic!("no RUNS WITH column:\n{stdout}"));
    let end = header.find("TO INSTALL").unwrap_or(header.len());
    let row = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("no row for {id}:\n{stdout}"));
    row.get(start..end.min(row.len()))
        .unwrap_or_default()
        .trim()
}

#[test]
fn doctor_says_how_each_target_runs_on_this_machine() {
    require_runners();
    let project = hello_with_every_runner();
    let out = doctor(project.path(), "table");
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let node = String::from_utf8_lossy(
        &Command::new("node")
            .arg("--version")
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default(),
    )
    .trim()
    .to_owned();
    let expected = [
        ("linux/amd64", "native".to_owned()),
        ("linux/arm64", "qemu-aarch64".to_owned()),
        ("linux/s390x", "qemu-s390x".to_owned()),
        (
            "linux/386",
            "native (32-bit on the amd64 kernel)".to_owned(),
        ),
        ("js/wasm", format!("node {node}")),
        (
            "darwin/arm64",
            "not run: no runner for darwin/arm64 on a linux host".to_owned(),
        ),
    ];
    for (id, runner) in expected {
        assert_eq!(runs_with(&out.stdout, id), runner, "{id}:\n{}", out.stdout);
    }
    let wine = runs_with(&out.stdout, "windows/amd64");
    assert!(wine.starts_with("wine64 wine-"), "{}", out.stdout);
    let wasi = runs_with(&out.stdout, "wasip1/wasm");
    assert!(wasi == "wazero" || wasi == "wasmtime", "{}", out.stdout);
    assert!(
        out.stdout
            .contains("7 of 8 targets can run on this machine."),
        "{}",
        out.stdout
    );
    // Nothing a package manager installs would run darwin binaries.
    assert!(
        !out.stdout.contains("To run more of them here"),
        "{}",
        out.stdout
    );
}

#[test]
fn doctor_names_the_install_command_once_for_what_is_missing() {
    let project = copy_example("01-hello");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/arm64\", \"linux/riscv64\", \"wasip1/wasm\", \"windows/amd64\"]\n",
    );
    // A PATH with go alone: no qemu, no node, no wazero, no wine; GOBIN/GOPATH point nowhere.
    let bin = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let go = go_env("GOROOT");
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck()
        .arg("doctor")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .env("PATH", format!("{}:{go}/bin", bin.path().display()))
        .env("GOBIN", empty.path())
        .env("HOME", empty.path()));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(
        runs_with(&out.stdout, "linux/arm64"),
        "not run: qemu-aarch64 is not on PATH",
        "{}",
        out.stdout
    );
    assert_eq!(
        runs_with(&out.stdout, "windows/amd64"),
        "not run: wine is not installed",
        "{}",
        out.stdout
    );
    // Without wasmtime or wazero, the pinned wazero is installed with this Go on first use.
    assert_eq!(
        runs_with(&out.stdout, "wasip1/wasm"),
        "wazero v1.12.0 (go install into crosscheck's cache on first use)",
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "To run more of them here, install:\n  apt-get install qemu-user\n  apt-get install wine64\n"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("apt-get install qemu-user").count(),
        1,
        "{}",
        out.stdout
    );
}

#[test]
fn artifacts_run_with_the_argv_doctor_reports() {
    require_runners();
    let project = hello_with_every_runner();
    let out = doctor(project.path(), "json");
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", out.stdout));
    let ran = [
        "linux/arm64",
        "linux/s390x",
        "linux/386",
        "js/wasm",
        "wasip1/wasm",
    ];
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut args = vec![
        "--matrix".to_owned(),
        project.path().join("matrix.toml").display().to_string(),
    ];
    for id in ran {
        args.extend(["-t".to_owned(), id.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let built = build(&args, dist.path());
    assert_eq!(built.code, 0, "{}", built.snapshot());
    for id in ran {
        let target = report["targets"]
            .as_array()
            .and_then(|targets| targets.iter().find(|t| t["id"] == id))
            .unwrap_or_else(|| panic!("no {id} in doctor's JSON:\n{report:#}"));
        let runner = &target["runs_with"];
        assert_eq!(runner["status"], "runs", "{id}: {runner:#}");
        let slug = id.replace('/', "_");
        let ext = if id.ends_with("wasm") { ".wasm" } else { "" };
        let binary = dist.path().join(format!("hello_{slug}{ext}"));
        assert!(binary.is_file(), "{} was not built", binary.display());
        let output = run_as_doctor_says(runner, &binary, project.path());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains(&format!("hello from {id}")),
            "{id} under {runner}: {}\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs `binary` in `dir` the way doctor's JSON entry `runner` says.
fn run_as_doctor_says(
    runner: &serde_json::Value,
    binary: &Path,
    dir: &Path,
) -> std::process::Output {
    let mut argv = strings(&runner["command"]);
    argv.push(binary.display().to_string());
    let mut command = Command::new(argv.first().map(String::as_str).unwrap_or_default());
    command.args(&argv[1..]).current_dir(dir);
    if let Some(env) = runner["env"].as_object() {
        for (key, value) in env {
            command.env(key, value.as_str().unwrap_or_default());
        }
    }
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {argv:?}: {e}"))
}

#[test]
fn dynamically_linked_glibc_binaries_run_with_the_cross_sysroot() {
    require_runners();
    require_zig();
    assert!(
        Path::new("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1").is_file(),
        "this test runs a glibc arm64 binary, whose loader is not installed: apt-get install libc6-arm64-cross"
    );
    let project = copy_example("02-cgo");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/arm64+cgo.gnu\"]\n",
    );
    let out = doctor(project.path(), "json");
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", out.stdout));
    let runner = &report["targets"][0]["runs_with"];
    assert_eq!(
        runner["env"]["QEMU_LD_PREFIX"], "/usr/aarch64-linux-gnu",
        "{report:#}"
    );
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let matrix = project.path().join("matrix.toml").display().to_string();
    let built = build(&["--matrix", &matrix], dist.path());
    assert_eq!(built.code, 0, "{}", built.snapshot());
    let binary = dist.path().join("cgohello_linux_arm64_cgo_gnu");
    let output = run_as_doctor_says(runner, &binary, project.path());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("hello from linux/arm64: C says 40 + 2 = 42"),
        "{output:?}"
    );
    // Without the prefix qemu cannot find the loader: the variable is what makes it run.
    let bare = Command::new("qemu-aarch64")
        .arg(&binary)
        .env_remove("QEMU_LD_PREFIX")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!bare.status.success(), "{bare:?}");
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|words| {
            words
                .iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_matrix_runner_replaces_crosscheck_s_choice() {
    require_runners();
    let project = copy_example("01-hello");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/arm64\", \"darwin/arm64\"]\n\
         [[override]]\nmatch = \"linux/arm64\"\nrunner = \"env RUNNER_OF={name} qemu-aarch64 {path}\"\n",
    );
    let table = doctor(project.path(), "table");
    assert_eq!(table.code, 0, "{}", table.snapshot());
    assert_eq!(
        runs_with(&table.stdout, "linux/arm64"),
        "custom: env RUNNER_OF=hello qemu-aarch64 {path}",
        "{}",
        table.stdout
    );
    let out = doctor(project.path(), "json");
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", out.stdout));
    let runner = &report["targets"][0]["runs_with"];
    assert_eq!(runner["kind"], "custom", "{report:#}");
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let matrix = project.path().join("matrix.toml").display().to_string();
    let built = build(&["--matrix", &matrix, "-t", "linux/arm64"], dist.path());
    assert_eq!(built.code, 0, "{}", built.snapshot());
    let binary = dist.path().join("hello_linux_arm64").display().to_string();
    let argv: Vec<String> = strings(&runner["command"])
        .iter()
        .map(|word| word.replace("{path}", &binary))
        .collect();
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {argv:?}: {e}"));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("hello from linux/arm64"),
        "{argv:?}: {output:?}"
    );
}
