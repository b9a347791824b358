//! End-to-end tests of `crosscheck build --smoke` on examples/08-tests: linux/amd64 runs
//! natively, linux/arm64 under qemu-aarch64 (qemu-user), windows/amd64 under wine (in one
//! prefix shared by the tests, under the shared cache directory, and with no wine process
//! left behind), darwin/arm64 cannot run on a Linux host and is reported as not run, never
//! as passed. A failed run exits 3 like a policy
//! violation (a warning with `--policy warn`) and keeps the artifact; a hanging one is
//! stopped at its timeout, process group and all.

mod build_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use build_support::*;
use crosscheck_tests::go_env;

/// Fails, saying what to install, unless qemu-aarch64 (Debian's qemu-user) is on PATH.
fn require_qemu_aarch64() {
    let found = Command::new("qemu-aarch64")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "this test runs a linux/arm64 binary under qemu-aarch64, which is not installed: run `apt-get install qemu-user` (scripts/test installs it)"
    );
}

/// A copy of examples/08-tests (its main package and matrix) with `extra` appended to its
/// matrix, which selects linux/amd64, linux/arm64, windows/amd64 and darwin/arm64: the smoke
/// runs need no more targets than a native, an emulated, a wine and a not-run one.
fn example(extra: &str) -> tempfile::TempDir {
    let project = copy_example("08-tests");
    let matrix = project.path().join("matrix.toml");
    let text = std::fs::read_to_string(&matrix).unwrap_or_else(|e| panic!("{e}"));
    let text = with_targets(
        &text,
        r#"targets = ["linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64"]"#,
    );
    write(project.path(), "matrix.toml", &format!("{text}\n{extra}"));
    project
}

/// `text` with its `targets = [...]` list (one or several lines) replaced by `targets`.
fn with_targets(text: &str, targets: &str) -> String {
    let start = text
        .find("targets = [")
        .unwrap_or_else(|| panic!("examples/08-tests/matrix.toml has no targets list: {text}"));
    let end = text[start..]
        .find(']')
        .map(|end| start + end + 1)
        .unwrap_or_else(|| panic!("an unclosed targets list: {text}"));
    format!("{}{targets}{}", &text[..start], &text[end..])
}

fn smoke_build(project: &Path, args: &[&str]) -> crosscheck_tests::Run {
    let matrix = project.join("matrix.toml");
    let mut all = vec!["--smoke", "--matrix", matrix.to_str().unwrap_or_default()];
    all.extend_from_slice(args);
    build(&all, &project.join("dist"))
}

/// js/wasm runs under node with the building Go's `wasm_exec_node.js` and wasip1/wasm under a
/// WASI runtime: the CLI hands the executor the GOROOT and the cache directory for them.
#[test]
fn wasm_targets_pass_under_node_and_a_wasi_runtime() {
    let wasi = Command::new("wazero").arg("version").output().is_ok()
        || Command::new("wasmtime").arg("--version").output().is_ok()
        || crosscheck_tests::go_bin("wazero").is_file();
    assert!(
        wasi,
        "this test runs a wasip1 binary with wazero, which is not installed: go install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0 (scripts/test installs it)"
    );
    let project = example("");
    let matrix = project.path().join("matrix.toml");
    let text = std::fs::read_to_string(&matrix).unwrap_or_else(|e| panic!("{e}"));
    let targets = r#"targets = ["linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64"]"#;
    assert!(text.contains(targets), "example() changed: {text}");
    let text = text.replace(targets, r#"targets = ["js/wasm", "wasip1/wasm"]"#);
    write(project.path(), "matrix.toml", &text);
    let out = smoke_build(project.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&project.path().join("dist"));
    for (id, kinds) in [
        ("js/wasm", &["node"][..]),
        ("wasip1/wasm", &["wazero", "wasmtime"][..]),
    ] {
        let smoke = &manifest_target(&manifest, id)["smoke"];
        assert_eq!(smoke["status"], "passed", "{id}: {smoke:#}");
        let kind = smoke["runner"]["kind"].as_str().unwrap_or_default();
        assert!(kinds.contains(&kind), "{id}: {smoke:#}");
        assert_eq!(smoke["output"][0], format!("smoke 1.2.3 {id}"), "{smoke:#}");
    }
}

#[test]
fn native_and_qemu_targets_pass_and_darwin_is_not_run() {
    require_qemu_aarch64();
    let project = example("");
    let selection = [
        "-t",
        "linux/amd64",
        "-t",
        "linux/arm64",
        "-t",
        "darwin/arm64",
    ];
    let out = smoke_build(project.path(), &selection);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&project.path().join("dist"));

    let amd64 = &manifest_target(&manifest, "linux/amd64")["smoke"];
    assert_eq!(amd64["status"], "passed", "{amd64:#}");
    assert_eq!(amd64["runner"]["kind"], "native", "{amd64:#}");
    assert_eq!(amd64["exit_code"], 0, "{amd64:#}");
    assert_eq!(amd64["output"][0], "smoke 1.2.3 linux/amd64", "{amd64:#}");

    let arm64 = &manifest_target(&manifest, "linux/arm64")["smoke"];
    assert_eq!(arm64["status"], "passed", "{arm64:#}");
    assert_eq!(arm64["runner"]["kind"], "qemu-user", "{arm64:#}");
    assert_eq!(arm64["output"][0], "smoke 1.2.3 linux/arm64", "{arm64:#}");

    let darwin = &manifest_target(&manifest, "darwin/arm64")["smoke"];
    assert_eq!(darwin["status"], "not-run", "{darwin:#}");
    assert!(darwin["runner"].is_null(), "{darwin:#}");
    let reason = darwin["reason"].as_str().unwrap_or_default();
    assert!(
        !reason.is_empty(),
        "a not-run target needs a reason: {darwin:#}"
    );
    assert!(
        out.stderr
            .contains(&format!("darwin/arm64: smoke not run ({reason})")),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("smoke: 2 passed, 1 not run"),
        "{}",
        out.snapshot()
    );
}

#[test]
fn a_failed_expectation_exits_3_and_keeps_the_artifact_or_warns_with_policy_warn() {
    let project =
        example("[[override]]\nmatch = \"linux/amd64\"\nsmoke = { expect = \"{name} 9.9.9\" }\n");
    let junit = project.path().join("junit.xml");
    let junit_arg = junit.to_str().unwrap_or_default();
    let out = smoke_build(project.path(), &["-t", "linux/amd64", "--junit", junit_arg]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stderr.contains(
            "error: linux/amd64: smoke failed (its output does not contain \"smoke 9.9.9\")"
        ),
        "{}",
        out.snapshot()
    );
    assert!(out.stderr.contains("SMOKE FAILED"), "{}", out.snapshot());
    let dist = project.path().join("dist");
    assert!(
        dist.join("smoke_linux_amd64").is_file(),
        "the artifact was not kept"
    );
    let recorded = manifest(&dist);
    let smoke = &manifest_target(&recorded, "linux/amd64")["smoke"];
    assert_eq!(smoke["status"], "failed", "{smoke:#}");
    assert_eq!(smoke["exit_code"], 0, "{smoke:#}");
    let xml = std::fs::read_to_string(&junit).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        xml.contains("type=\"smoke\"") && xml.contains("built, but its smoke run failed"),
        "{xml}"
    );

    let report = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .args(["report", "--format", "json"])
            .arg(&dist),
    );
    assert_eq!(report.code, 0, "{}", report.snapshot());
    let rows: serde_json::Value =
        serde_json::from_str(&report.stdout).unwrap_or_else(|e| panic!("{e}"));
    let text = rows.to_string();
    assert!(
        text.contains(r#""smoke":"failed (its output does not contain \"smoke 9.9.9\")""#),
        "{text}"
    );
    let html = project.path().join("report.html");
    let rendered = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .arg("report")
            .arg(&dist)
            .arg("--html")
            .arg(&html),
    );
    assert_eq!(rendered.code, 0, "{}", rendered.snapshot());
    let page = std::fs::read_to_string(&html).unwrap_or_else(|e| panic!("{e}"));
    assert!(page.contains("<dt>smoke</dt><dd>failed ("), "{page}");

    let warned = smoke_build(project.path(), &["-t", "linux/amd64", "--policy", "warn"]);
    assert_eq!(warned.code, 0, "{}", warned.snapshot());
    assert!(
        warned.stderr.contains("warning: linux/amd64: smoke failed"),
        "{}",
        warned.snapshot()
    );
}

/// `runner` in `[[override]]` replaces crosscheck's choice: the smoke run goes through it.
#[test]
fn a_runner_override_runs_the_smoke_run() {
    let project = example(
        "[[override]]\nmatch = \"linux/amd64\"\nrunner = \"env SMOKE_RUNNER=custom {path}\"\n",
    );
    let out = smoke_build(project.path(), &["-t", "linux/amd64"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&project.path().join("dist"));
    let smoke = &manifest_target(&manifest, "linux/amd64")["smoke"];
    assert_eq!(smoke["status"], "passed", "{smoke:#}");
    assert_eq!(smoke["runner"]["kind"], "custom", "{smoke:#}");
    assert_eq!(smoke["argv"][0], "env", "{smoke:#}");
    assert_eq!(smoke["argv"][1], "SMOKE_RUNNER=custom", "{smoke:#}");
    assert_eq!(smoke["output"][0], "smoke 1.2.3 linux/amd64", "{smoke:#}");
}

#[test]
fn a_failing_exit_status_fails_the_smoke_run_with_its_output() {
    let project =
        example("[[override]]\nmatch = \"linux/amd64\"\nsmoke = { args = [\"--fail\"] }\n");
    let out = smoke_build(project.path(), &["-t", "linux/amd64"]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("linux/amd64: smoke failed (exit status 3)\n  | smoke: failing as asked"),
        "{}",
        out.snapshot()
    );
}

#[test]
fn a_hanging_smoke_run_is_stopped_at_its_timeout() {
    let project = example(
        "[[override]]\nmatch = \"linux/amd64\"\nsmoke = { args = [\"--hang\"], timeout = \"1s\" }\n",
    );
    let started = Instant::now();
    let out = smoke_build(project.path(), &["-t", "linux/amd64"]);
    assert_eq!(out.code, 3, "{}", out.snapshot());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the timeout did not stop the run"
    );
    assert!(
        out.stderr
            .contains("linux/amd64: smoke failed (timed out after 1s)"),
        "{}",
        out.snapshot()
    );
    let artifact = project.path().join("dist").join("smoke_linux_amd64");
    let left = processes_with(&artifact.display().to_string());
    kill_all(&left);
    assert!(left.is_empty(), "smoke processes left behind: {left:?}");
}

#[test]
fn without_smoke_nothing_runs_and_the_manifest_has_no_smoke_key() {
    let project = example("");
    let matrix = project.path().join("matrix.toml");
    let dist = project.path().join("dist");
    let out = build(
        &[
            "--matrix",
            matrix.to_str().unwrap_or_default(),
            "-t",
            "linux/amd64",
        ],
        &dist,
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let recorded = manifest(&dist);
    let target = manifest_target(&recorded, "linux/amd64");
    assert!(target.get("smoke").is_none(), "{target:#}");
    // The binary is called smoke; the smoke run's words are what must be absent.
    for words in ["smoke passed", "smoke not run", "SMOKE FAILED", ", smoke:"] {
        assert!(!out.stderr.contains(words), "{}", out.snapshot());
    }
}

#[test]
fn ctrl_c_stops_a_running_smoke_run_under_qemu() {
    require_qemu_aarch64();
    let project = example(
        "[[override]]\nmatch = \"linux/arm64\"\nsmoke = { args = [\"--hang\"], timeout = \"10m\" }\n",
    );
    let dist = project.path().join("dist");
    let artifact = dist.join("smoke_linux_arm64").display().to_string();
    let (mut child, running) = spawn_until(
        crosscheck_tests::crosscheck()
            .args(["build", "--smoke", "-t", "linux/arm64", "--matrix"])
            .arg(project.path().join("matrix.toml"))
            .arg("--dist")
            .arg(&dist),
        Duration::from_secs(180),
        || !processes_with(&artifact).is_empty(),
    );
    let sent = send_ctrl_c(&child);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let strays = reap(&artifact);
    assert!(running, "the smoke run never started");
    assert!(sent);
    assert_eq!(status.code(), Some(130));
    assert!(strays.is_empty(), "qemu outlived Ctrl-C: {strays:?}");
    assert!(
        dist.join("smoke_linux_arm64").is_file(),
        "the artifact was not kept"
    );
}

/// The wine tests share one prefix, and the end of one run stops the wineserver of a
/// prefix no other run uses: they take turns so each can assert that nothing is left.
static WINE: Mutex<()> = Mutex::new(());

/// Fails, saying what to install, unless wine runs.
fn require_wine() {
    let found = Command::new("wine")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "this test runs a windows/amd64 binary under wine, which is not installed: run `apt-get install wine64` (scripts/test installs it)"
    );
}

/// The prefix every test's crosscheck uses: one initialisation (tens of seconds) for all.
fn wine_prefix() -> PathBuf {
    crosscheck_tests::shared_cache_dir()
        .join("wine")
        .join("amd64")
}

/// Live processes of `prefix` (wine programs, wineserver, wine's services), found by the
/// WINEPREFIX in their environment: their command lines are Windows paths.
fn wine_processes(prefix: &Path) -> Vec<u32> {
    let needle = format!("WINEPREFIX={}\0", prefix.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            // Zombies have an empty environment; they hold nothing.
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            let found = environ
                .windows(needle.len())
                .any(|window| window == needle.as_bytes());
            found.then_some(pid)
        })
        .collect()
}

/// Waits briefly for `prefix`'s processes to end, then kills the strays and names them.
fn wine_strays(prefix: &Path) -> Vec<u32> {
    wait_for(Duration::from_secs(3), || wine_processes(prefix).is_empty());
    let strays = wine_processes(prefix);
    kill_all(&strays);
    strays
}

#[test]
fn windows_amd64_passes_under_wine_and_leaves_no_wine_process() {
    require_wine();
    let _turn = WINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let project = example("");
    let out = smoke_build(project.path(), &["-t", "windows/amd64"]);
    let prefix = wine_prefix();
    let strays = wine_strays(&prefix);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&project.path().join("dist"));
    let smoke = &manifest_target(&manifest, "windows/amd64")["smoke"];
    assert_eq!(smoke["status"], "passed", "{smoke:#}");
    assert_eq!(smoke["runner"]["kind"], "wine", "{smoke:#}");
    assert_eq!(smoke["output"][0], "smoke 1.2.3 windows/amd64", "{smoke:#}");
    assert!(strays.is_empty(), "wine outlived the run: {strays:?}");
    assert!(prefix.join(".crosscheck-ready").is_file());
    let shim = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    assert!(shim.is_file(), "no ProcessPrng shim at {}", shim.display());
}

#[test]
fn ctrl_c_stops_a_running_smoke_run_under_wine_and_its_wineserver() {
    require_wine();
    let _turn = WINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let project = example(
        "[[override]]\nmatch = \"windows/amd64\"\nsmoke = { args = [\"--hang\"], timeout = \"10m\" }\n",
    );
    let dist = project.path().join("dist");
    // The program's own process: wine shows its Windows path, which ends the same.
    let (mut child, running) = spawn_until(
        crosscheck_tests::crosscheck()
            .args(["build", "--smoke", "-t", "windows/amd64", "--matrix"])
            .arg(project.path().join("matrix.toml"))
            .arg("--dist")
            .arg(&dist),
        Duration::from_secs(300),
        || !processes_with("smoke_windows_amd64.exe --hang").is_empty(),
    );
    let sent = send_ctrl_c(&child);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let strays = wine_strays(&wine_prefix());
    assert!(running, "the smoke run never started");
    assert!(sent);
    assert_eq!(status.code(), Some(130));
    assert!(strays.is_empty(), "wine outlived Ctrl-C: {strays:?}");
}

/// `build --smoke -t windows/amd64` with `path` as PATH and a cache of its own; the smoke
/// record of the target.
fn windows_smoke_with_path(path: &str) -> (crosscheck_tests::Run, serde_json::Value) {
    let project = example("");
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dist = project.path().join("dist");
    let out = crosscheck_tests::run(
        crosscheck_tests::crosscheck()
            .args(["build", "--smoke", "-t", "windows/amd64", "--matrix"])
            .arg(project.path().join("matrix.toml"))
            .arg("--dist")
            .arg(&dist)
            .env("PATH", path)
            .env("CROSSCHECK_CACHE_DIR", cache.path()),
    );
    assert_eq!(
        out.code,
        0,
        "not run never fails a build: {}",
        out.snapshot()
    );
    assert!(
        !cache.path().join("wine").join("amd64").exists(),
        "a prefix was made for nothing"
    );
    let smoke = manifest_target(&manifest(&dist), "windows/amd64")["smoke"].clone();
    assert_eq!(smoke["status"], "not-run", "{smoke:#}");
    (out, smoke)
}

#[test]
fn without_wine_or_zig_windows_is_not_run_naming_the_install() {
    require_wine();
    let go = go_env("GOROOT");
    let go_bin = format!("{go}/bin");
    let (_, smoke) = windows_smoke_with_path(&go_bin);
    assert_eq!(smoke["reason"], "wine is not installed", "{smoke:#}");
    assert_eq!(smoke["install"], "apt-get install wine64", "{smoke:#}");

    // wine, but neither zig nor python3 for the ProcessPrng shim: found out before wineboot.
    let bin = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let wine = which_on_path("wine");
    std::os::unix::fs::symlink(&wine, bin.path().join("wine")).unwrap_or_else(|e| panic!("{e}"));
    let path = format!("{}:{go_bin}", bin.path().display());
    let (_, smoke) = windows_smoke_with_path(&path);
    let reason = smoke["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("ProcessPrng") && reason.contains("zig"),
        "{smoke:#}"
    );
    assert_eq!(smoke["install"], "pip install ziglang", "{smoke:#}");
}

/// Where `program` is on this test's PATH.
fn which_on_path(program: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}
