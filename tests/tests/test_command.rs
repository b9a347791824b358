//! End-to-end tests of `crosscheck test` on examples/08-tests, whose tests pass or fail by
//! platform: each target's status, failing tests and counts as its README says (real
//! runners: native, qemu-user, wine, node, wazero; no mocks), the JUnit report, the exit
//! codes, the result cache and Ctrl-C under qemu.
//!
//! To keep this file quick, one run answers many assertions, the cache tests use native
//! targets only, and Go's build cache is the user's, shared with every other test.

mod build_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use build_support::{processes_with, reap, send_ctrl_c, spawn_until, write};
use crosscheck_tests::{Run, crosscheck, go_env, repo_root, require, run};
use serde_json::Value;

/// The module path of examples/08-tests.
const MODULE: &str = "example.com/crosscheck/tests";

/// Its packages with tests, in import path order, after the main package, which has none
/// (reported as skipped, "no test files").
const PACKAGES: [&str; 4] = ["byteorder", "codec", "paths", "wordsize"];

/// Tests and subtests per target where all of them run: byteorder 3, codec 4 + 5
/// subtests, paths 3, wordsize 2 + 3 subtests.
const ALL_TESTS: usize = 20;

/// Fails, saying what to install, unless wazero or wasmtime can run wasip1 binaries.
fn require_wasi_runtime() {
    let gopath = Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    let installed = gopath
        .split(':')
        .any(|dir| Path::new(dir).join("bin/wazero").is_file());
    let on_path = Command::new("wazero").arg("version").output().is_ok()
        || Command::new("wasmtime").arg("--version").output().is_ok();
    assert!(
        installed || on_path,
        "this test runs wasip1 test binaries with wazero, which is not installed: go install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0 (scripts/test installs it)"
    );
}

/// A copy of examples/08-tests, packages included, to edit.
fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    copy_tree(&repo_root().join("examples/08-tests"), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// `crosscheck test --format json` on `matrix` with `args`; `cache` replaces the cache
/// directory shared by all tests (the result cache lives there).
fn test_command(matrix: &Path, args: &[&str], cache: Option<&Path>) -> Run {
    let mut command = crosscheck();
    command
        .args(["test", "--progress", "never", "--format", "json", "-m"])
        .arg(matrix)
        .args(args);
    if let Some(cache) = cache {
        command.env("CROSSCHECK_CACHE_DIR", cache);
    }
    run(&mut command)
}

/// The example's own matrix, in the repository.
fn example_matrix() -> std::path::PathBuf {
    repo_root().join("examples/08-tests/matrix.toml")
}

/// The JSON report on stdout, checked against `crosscheck schema test-report`.
fn report(out: &Run) -> Value {
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not a test report ({e}):\n{}", out.snapshot()));
    let schema = run(crosscheck().args(["schema", "test-report"]));
    assert_eq!(schema.code, 0, "{}", schema.snapshot());
    let schema: Value = serde_json::from_str(&schema.stdout)
        .unwrap_or_else(|e| panic!("the schema is not JSON: {e}"));
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("the test report's schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report breaks its schema: {errors:#?}"
    );
    report
}

/// The report's entry for target `id`.
fn target<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .and_then(|targets| targets.iter().find(|t| t["id"] == id))
        .unwrap_or_else(|| panic!("no {id} in the report:\n{report:#}"))
}

/// `package.TestName` (the package's last element) of every test of `target` with `status`.
fn tests_with(target: &Value, status: &str) -> Vec<String> {
    let mut names: Vec<String> = array(&target["tests"])
        .iter()
        .filter(|t| t["status"] == status)
        .map(|t| {
            let package = t["package"].as_str().unwrap_or_default();
            let short = package.rsplit('/').next().unwrap_or_default();
            format!("{short}.{}", t["name"].as_str().unwrap_or_default())
        })
        .collect();
    names.sort();
    names
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The package entry `name` (its last element) of `target`.
fn package<'a>(target: &'a Value, name: &str) -> &'a Value {
    let path = format!("{MODULE}/{name}");
    array(&target["packages"])
        .iter()
        .find(|p| p["package"] == path.as_str())
        .unwrap_or_else(|| panic!("no package {path} in {target:#}"))
}

/// Asserts how `id` went: its status, runner kind, failing and skipped tests, and that
/// every other test of its 20 passed.
fn assert_target(report: &Value, id: &str, kind: &[&str], failed: &[&str], skipped: &[&str]) {
    let target = target(report, id);
    let status = if failed.is_empty() {
        "passed"
    } else {
        "failed"
    };
    assert_eq!(target["status"], status, "{id}: {target:#}");
    let runner = target["runner"]["kind"].as_str().unwrap_or_default();
    assert!(kind.contains(&runner), "{id}: runner {runner}: {target:#}");
    assert_eq!(tests_with(target, "fail"), failed, "{id}: {target:#}");
    assert_eq!(tests_with(target, "skip"), skipped, "{id}: {target:#}");
    let passed = tests_with(target, "pass").len();
    assert_eq!(
        passed,
        ALL_TESTS - failed.len() - skipped.len(),
        "{id}: {target:#}"
    );
    let packages: Vec<&str> = array(&target["packages"])
        .iter()
        .filter_map(|p| p["package"].as_str())
        .collect();
    let mut want = vec![MODULE.to_owned()];
    want.extend(PACKAGES.iter().map(|p| format!("{MODULE}/{p}")));
    assert_eq!(packages, want, "{id}: {target:#}");
    let main = &array(&target["packages"])[0];
    assert_eq!(
        main["status"], "skip",
        "the main package has no tests: {main:#}"
    );
    assert_eq!(main["reason"], "no test files", "{main:#}");
    for name in PACKAGES {
        let failing = failed.iter().any(|t| t.starts_with(&format!("{name}.")));
        let want = if failing { "fail" } else { "pass" };
        assert_eq!(
            package(target, name)["status"],
            want,
            "{id} {name}: {target:#}"
        );
    }
}

const WORDSIZE_FAILURES: [&str; 3] = [
    "wordsize.TestNextPastInt32",
    "wordsize.TestParseID",
    "wordsize.TestParseID/unix-millis",
];

/// Every target of the example but windows/amd64 (which has its own test), in one run: the
/// outcomes its README lists, darwin/arm64 not run, exit 1, and the JUnit report.
#[test]
fn each_target_passes_or_fails_as_the_example_s_readme_says() {
    require("qemu-aarch64", "apt-get install qemu-user");
    require("qemu-s390x", "apt-get install qemu-user");
    require("qemu-arm", "apt-get install qemu-user");
    require("node", "apt-get install nodejs");
    require_wasi_runtime();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let junit = dir.path().join("junit.xml");
    let junit_arg = junit.to_str().unwrap_or_default();
    let out = test_command(
        &example_matrix(),
        &["-x", "windows/amd64", "--junit", junit_arg],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let report = report(&out);
    let ids: Vec<&str> = array(&report["targets"])
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    let expected = [
        "linux/amd64",
        "linux/arm64",
        "linux/s390x",
        "linux/arm/v7",
        "linux/386",
        "js/wasm",
        "wasip1/wasm",
        "darwin/arm64",
    ];
    assert_eq!(ids, expected, "the report's targets, in plan order");
    assert_target(&report, "linux/amd64", &["native"], &[], &[]);
    assert_target(&report, "linux/arm64", &["qemu-user"], &[], &[]);
    let big_endian = [
        "byteorder.TestEncodeIsLittleEndian",
        "byteorder.TestRoundTrip",
    ];
    assert_target(&report, "linux/s390x", &["qemu-user"], &big_endian, &[]);
    assert_target(
        &report,
        "linux/arm/v7",
        &["qemu-user"],
        &WORDSIZE_FAILURES,
        &[],
    );
    assert_target(&report, "linux/386", &["native"], &WORDSIZE_FAILURES, &[]);
    assert_target(&report, "js/wasm", &["node"], &[], &[]);
    let no_chmod = ["paths.TestWritePrivateMode"];
    assert_target(
        &report,
        "wasip1/wasm",
        &["wazero", "wasmtime"],
        &[],
        &no_chmod,
    );
    assert_failure_output(target(&report, "linux/s390x"));
    assert_not_run(target(&report, "darwin/arm64"));
    assert_junit(&junit, &report);
}

/// A failed test carries what it printed, as `go test -v` shows it.
fn assert_failure_output(s390x: &Value) {
    let test = array(&s390x["tests"])
        .iter()
        .find(|t| t["name"] == "TestEncodeIsLittleEndian")
        .unwrap_or_else(|| panic!("{s390x:#}"));
    let output = test["output"].as_str().unwrap_or_default();
    assert!(
        output.contains("Encode(0x01020304) = 01 02 03 04, want 04 03 02 01"),
        "{test:#}"
    );
}

/// A not-run target has a reason, no runner, no tests, and is never counted as passed.
fn assert_not_run(darwin: &Value) {
    assert_eq!(darwin["status"], "not-run", "{darwin:#}");
    assert!(darwin["runner"].is_null(), "{darwin:#}");
    let reason = darwin["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("darwin/arm64"), "{darwin:#}");
    assert!(array(&darwin["tests"]).is_empty(), "{darwin:#}");
    assert!(
        array(&darwin["packages"])
            .iter()
            .all(|p| p["status"] != "pass"),
        "{darwin:#}"
    );
}

/// One `<testsuite>` of a JUnit report.
#[derive(Debug)]
struct Suite {
    name: String,
    /// Its test cases: name, and `failure`, `skipped` or `pass`.
    cases: Vec<(String, &'static str)>,
    /// Its text, to look for messages in.
    text: String,
}

/// The test suites of a JUnit report; just enough XML for what quick-junit writes.
fn suites(xml: &str) -> Vec<Suite> {
    let mut suites = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<testsuite ") {
        let body = &rest[start + 1..];
        let end = element_end(body, "</testsuite>");
        let text = &body[..end];
        suites.push(Suite {
            name: attribute(text, "name"),
            cases: cases(text),
            text: text.to_owned(),
        });
        rest = &body[end..];
    }
    suites
}

/// Where the element that `body` opens ends: its open tag's end when it closes itself,
/// else `close`.
fn element_end(body: &str, close: &str) -> usize {
    let open_end = body.find('>').unwrap_or(body.len());
    if body[..open_end].ends_with('/') {
        open_end
    } else {
        body.find(close).unwrap_or(body.len())
    }
}

fn cases(suite: &str) -> Vec<(String, &'static str)> {
    let mut cases = Vec::new();
    let mut rest = suite;
    while let Some(start) = rest.find("<testcase ") {
        let body = &rest[start + 1..];
        let text = &body[..element_end(body, "</testcase>")];
        let kind = if text.contains("<failure") || text.contains("<error") {
            "failure"
        } else if text.contains("<skipped") {
            "skipped"
        } else {
            "pass"
        };
        cases.push((attribute(text, "name"), kind));
        rest = &body[text.len()..];
    }
    cases
}

#[test]
fn the_junit_reader_tells_failures_skips_and_passes_apart() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="crosscheck" tests="3" failures="1">
    <testsuite name="linux/s390x a/b" tests="2" failures="1">
        <testcase name="TestA" classname="a/b">
            <failure message="x &amp; y">boom</failure>
        </testcase>
        <testcase name="TestB/sub" classname="a/b" time="0.001"/>
    </testsuite>
    <testsuite name="darwin/arm64" tests="0"/>
    <testsuite name="js/wasm a/b" tests="1" skipped="1">
        <testcase name="TestC"><skipped message="no &quot;chmod&quot;"/></testcase>
    </testsuite>
</testsuites>
"#;
    let suites = suites(xml);
    let names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["linux/s390x a/b", "darwin/arm64", "js/wasm a/b"]);
    let case = |name: &str, kind| (name.to_owned(), kind);
    assert_eq!(
        suites[0].cases,
        [case("TestA", "failure"), case("TestB/sub", "pass")]
    );
    assert!(suites[1].cases.is_empty());
    assert_eq!(suites[2].cases, [case("TestC", "skipped")]);
    assert!(xml_text_contains(&suites[2].text, "no \"chmod\""));
}

/// The unescaped value of `name="..."` in the first tag of `text`.
fn attribute(text: &str, name: &str) -> String {
    let tag = &text[..text.find('>').unwrap_or(text.len())];
    let key = format!(" {name}=\"");
    tag.find(&key)
        .map(|start| &tag[start + key.len()..])
        .and_then(|value| value.find('"').map(|end| &value[..end]))
        .unwrap_or_default()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A suite per target and package, with the failures of the JSON report as failed test
/// cases; the not-run target as a skipped suite with its reason.
fn assert_junit(path: &Path, report: &Value) {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let suites = suites(&xml);
    for id in ["linux/amd64", "linux/s390x", "linux/386", "js/wasm"] {
        for name in PACKAGES {
            let package = format!("{MODULE}/{name}");
            let suite = suites
                .iter()
                .find(|s| s.name.contains(id) && s.name.contains(&package))
                .unwrap_or_else(|| panic!("no testsuite for {id} {package} in {xml}"));
            let want_failed: Vec<String> = tests_with(target(report, id), "fail")
                .iter()
                .filter_map(|t| t.strip_prefix(&format!("{name}.")).map(str::to_owned))
                .collect();
            let mut failed: Vec<String> = suite
                .cases
                .iter()
                .filter(|(_, kind)| *kind == "failure")
                .map(|(case, _)| case.clone())
                .collect();
            failed.sort();
            assert_eq!(failed, want_failed, "{id} {package}: {suite:#?}");
            assert!(!suite.cases.is_empty(), "{id} {package}: {suite:#?}");
        }
    }
    let darwin = suites
        .iter()
        .find(|s| s.name.contains("darwin/arm64"))
        .unwrap_or_else(|| panic!("no testsuite for darwin/arm64 in {xml}"));
    let reason = target(report, "darwin/arm64")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        darwin.text.contains("<skipped") && xml_text_contains(&darwin.text, &reason),
        "darwin/arm64 must be skipped with its reason ({reason}): {darwin:#?}"
    );
    assert!(
        darwin.cases.iter().all(|(_, kind)| *kind == "skipped"),
        "{darwin:#?}"
    );
}

/// Whether `xml` holds `text`, escaped as XML attributes and text are.
fn xml_text_contains(xml: &str, text: &str) -> bool {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    xml.contains(text) || xml.contains(&escaped) || xml.contains(&escaped.replace('\'', "&apos;"))
}

/// windows/amd64 under wine (crosscheck's own prefix, with the ProcessPrng shim): only the
/// test that assumes `/` as the path separator fails; the permission test is skipped.
#[test]
fn windows_amd64_fails_the_path_separator_test_under_wine() {
    let wine = Command::new("wine64").arg("--version").output().is_ok()
        || Command::new("wine").arg("--version").output().is_ok();
    assert!(
        wine,
        "this test runs windows test binaries under wine, which is not installed: apt-get install wine64 (scripts/test installs it)"
    );
    let out = test_command(&example_matrix(), &["-t", "windows/amd64"], None);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let report = report(&out);
    let skipped = ["paths.TestWritePrivateMode"];
    assert_target(
        &report,
        "windows/amd64",
        &["wine"],
        &["paths.TestKey"],
        &skipped,
    );
    assert!(!wineservers_of_crosscheck(), "wineserver outlived the run");
}

/// Whether a wineserver runs for a prefix under the tests' crosscheck cache directory.
fn wineservers_of_crosscheck() -> bool {
    let cache = crosscheck_tests::shared_cache_dir().display().to_string();
    processes_with("wineserver").iter().any(|pid| {
        std::fs::read(format!("/proc/{pid}/environ"))
            .map(|env| String::from_utf8_lossy(&env).contains(&cache))
            .unwrap_or(false)
    })
}

/// Exit 0 when every target that ran passed, whatever did not run; 1 for a not-run target
/// with `--require-run`; 2 for a go test flag crosscheck does not know.
#[test]
fn exit_codes_follow_the_targets_that_ran() {
    require("node", "apt-get install nodejs");
    let matrix = example_matrix();
    let passing = test_command(&matrix, &["-t", "linux/amd64", "-t", "js/wasm"], None);
    assert_eq!(passing.code, 0, "{}", passing.snapshot());
    let passed = report(&passing);
    for id in ["linux/amd64", "js/wasm"] {
        assert_eq!(target(&passed, id)["status"], "passed", "{passed:#}");
    }
    assert_eq!(array(&passed["targets"]).len(), 2, "{passed:#}");

    let with_darwin = ["-t", "linux/amd64", "-t", "darwin/arm64"];
    let not_run = test_command(&matrix, &with_darwin, None);
    assert_eq!(not_run.code, 0, "{}", not_run.snapshot());
    assert_not_run(target(&report(&not_run), "darwin/arm64"));
    let required = test_command(
        &matrix,
        &[&with_darwin[..], &["--require-run"]].concat(),
        None,
    );
    assert_eq!(required.code, 1, "{}", required.snapshot());
    assert!(
        required.stderr.contains("darwin/arm64"),
        "--require-run must name the target that did not run: {}",
        required.snapshot()
    );

    let usage = test_command(&matrix, &["-t", "linux/amd64", "--", "-bogus"], None);
    assert_eq!(usage.code, 2, "{}", usage.snapshot());
    assert!(usage.stderr.contains("-bogus"), "{}", usage.snapshot());
}

/// Whether each package of `id` was a remembered result, by package name.
fn cached(report: &Value, id: &str) -> Vec<(String, bool)> {
    array(&target(report, id)["packages"])
        .iter()
        .filter(|p| p["package"] != MODULE)
        .map(|p| {
            let name = p["package"].as_str().unwrap_or_default();
            let short = name.rsplit('/').next().unwrap_or_default().to_owned();
            (short, p["cached"] == true)
        })
        .collect()
}

fn all(cached: bool) -> Vec<(String, bool)> {
    PACKAGES.iter().map(|p| (p.to_string(), cached)).collect()
}

/// Only passing packages are remembered; a failing one runs again; an edited package runs
/// again alone; `--no-cache` runs everything. Native targets only (linux/386 fails
/// wordsize), with a private cache directory so that no other test's runs count.
#[test]
fn passing_packages_are_remembered_and_only_changed_ones_run_again() {
    let project = example();
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let matrix = project.path().join("matrix.toml");
    let args = ["-t", "linux/amd64", "-t", "linux/386"];
    let cold = test_command(&matrix, &args, Some(cache.path()));
    assert_eq!(cold.code, 1, "{}", cold.snapshot());
    let cold = report(&cold);
    assert_eq!(cached(&cold, "linux/amd64"), all(false), "{cold:#}");
    assert_eq!(cached(&cold, "linux/386"), all(false), "{cold:#}");

    let warm = test_command(&matrix, &args, Some(cache.path()));
    assert_eq!(warm.code, 1, "{}", warm.snapshot());
    let warm = report(&warm);
    assert_eq!(cached(&warm, "linux/amd64"), all(true), "{warm:#}");
    let mut on_386 = all(true);
    on_386[3].1 = false; // wordsize failed: it runs again and fails again
    assert_eq!(cached(&warm, "linux/386"), on_386, "{warm:#}");
    assert_eq!(
        tests_with(target(&warm, "linux/386"), "fail"),
        WORDSIZE_FAILURES,
        "a remembered run keeps the failures: {warm:#}"
    );
    assert_eq!(target(&warm, "linux/amd64")["status"], "passed");

    write(
        project.path(),
        "paths/touched_test.go",
        "package paths\n\nimport \"testing\"\n\nfunc TestTouched(t *testing.T) {}\n",
    );
    let edited = test_command(&matrix, &["-t", "linux/amd64"], Some(cache.path()));
    assert_eq!(edited.code, 0, "{}", edited.snapshot());
    let edited = report(&edited);
    let mut want = all(true);
    want[2].1 = false; // paths changed
    assert_eq!(cached(&edited, "linux/amd64"), want, "{edited:#}");
    let amd64 = target(&edited, "linux/amd64");
    assert!(
        tests_with(amd64, "pass").contains(&"paths.TestTouched".to_owned()),
        "{amd64:#}"
    );

    let forced = test_command(
        &matrix,
        &["-t", "linux/amd64", "--no-cache"],
        Some(cache.path()),
    );
    assert_eq!(forced.code, 0, "{}", forced.snapshot());
    assert_eq!(cached(&report(&forced), "linux/amd64"), all(false));
}

/// Ctrl-C while a test binary runs under qemu-aarch64: exit 130, no qemu left behind.
#[test]
fn ctrl_c_stops_a_test_binary_running_under_qemu() {
    require("qemu-aarch64", "apt-get install qemu-user");
    let project = example();
    // A package of its own, named so that its test binary and qemu's command line can be
    // told from every other test's.
    let name = format!("hang{}", std::process::id());
    write(
        project.path(),
        &format!("{name}/hang_test.go"),
        &format!(
            "package {name}\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestHang(t *testing.T) {{ time.Sleep(time.Hour) }}\n"
        ),
    );
    let (mut child, running) = spawn_until(
        crosscheck()
            .args(["test", "--progress", "never", "-t", "linux/arm64", "-m"])
            .arg(project.path().join("matrix.toml"))
            .args(["--", &format!("./{name}")]),
        Duration::from_secs(240),
        || !qemu_processes_with(&name).is_empty(),
    );
    let sent = send_ctrl_c(&child);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let qemu_left = qemu_processes_with(&name);
    let strays = reap(&name);
    assert!(running, "the test binary never started under qemu");
    assert!(sent);
    assert_eq!(status.code(), Some(130));
    assert!(qemu_left.is_empty(), "qemu outlived Ctrl-C: {qemu_left:?}");
    assert!(strays.is_empty(), "processes outlived Ctrl-C: {strays:?}");
}

/// The qemu processes whose command line holds `needle`.
fn qemu_processes_with(needle: &str) -> Vec<u32> {
    processes_with(needle)
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains("qemu-"))
        })
        .collect()
}

/// The elapsed times are the test binary's own (test2json reports them only with `-t`):
/// codec's round trips take a few hundred milliseconds natively, never 0.
#[test]
fn elapsed_times_are_the_test_binary_s() {
    let out = test_command(
        &example_matrix(),
        &["-t", "linux/amd64", "--no-cache", "--", "./codec"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let report = report(&out);
    let amd64 = target(&report, "linux/amd64");
    let codec = package(amd64, "codec");
    assert_eq!(codec["cached"], false, "{codec:#}");
    assert!(codec["elapsed"].as_f64() > Some(0.0), "{codec:#}");
    let round_trip = array(&amd64["tests"])
        .iter()
        .find(|t| t["name"] == "TestRoundTrip")
        .unwrap_or_else(|| panic!("{amd64:#}"));
    assert!(round_trip["elapsed"].as_f64() > Some(0.0), "{round_trip:#}");
}

#[test]
fn without_a_wasi_runtime_the_pinned_wazero_is_installed_with_go_on_first_use() {
    // A PATH with go alone, GOBIN and GOPATH's bin empty: no wasmtime, no wazero anywhere
    // but where crosscheck installs it, in a fresh cache directory. The module cache stays
    // the machine's, so only the first run on a machine downloads wazero's module.
    let goroot = go_env("GOROOT");
    let modcache = go_env("GOMODCACHE");
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut command = crosscheck();
    command
        .args(["test", "--progress", "never", "--format", "json", "-m"])
        .arg(example_matrix())
        .args(["-t", "wasip1/wasm", "--", "./byteorder"])
        .env("PATH", format!("{goroot}/bin:/usr/bin:/bin"))
        .env("GOBIN", empty.path())
        .env("GOPATH", empty.path())
        .env("GOMODCACHE", &modcache)
        .env("CROSSCHECK_CACHE_DIR", cache.path());
    let out = run(&mut command);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let report = report(&out);
    let wasi = target(&report, "wasip1/wasm");
    assert_eq!(wasi["status"], "passed", "{wasi:#}");
    assert_eq!(wasi["runner"]["kind"], "wazero", "{wasi:#}");
    assert!(
        cache.path().join("bin/wazero").is_file(),
        "wazero was not installed into the cache: {}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("installing wazero into"),
        "the one-time install is announced: {}",
        out.stderr
    );
}

#[test]
fn verbose_shows_the_commands_a_test_run_runs() {
    // --no-cache: the test binary is linked and run, so every step has its command.
    let out = run(crosscheck()
        .args([
            "test",
            "-v",
            "--no-cache",
            "--progress",
            "never",
            "-t",
            "linux/amd64",
            "-m",
        ])
        .arg(example_matrix())
        .args(["--", "./byteorder"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    for command in [
        "$ go list -e -test -deps -export",
        "$ go test -c -o",
        "$ go tool test2json -t -p example.com/crosscheck/tests/byteorder",
    ] {
        assert!(
            out.stderr.contains(command),
            "-v does not show {command:?}:\n{}",
            out.snapshot()
        );
    }
}
