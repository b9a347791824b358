//! End-to-end tests of `[hooks]`: `before` runs once before the builds (examples/09-hooks
//! does not build without it), `after_build` runs per artifact before it is hashed, `after`
//! runs once at the end, failures fail the run with the command and its last lines, `check`
//! runs `before` only, and Ctrl-C reaches a hook's process.

mod build_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use build_support::*;
use crosscheck_tests::{crosscheck, sha256sum};

/// A copy of examples/09-hooks (generator included) whose `[hooks]` are `hooks`.
fn hooks_example(hooks: &str) -> tempfile::TempDir {
    let project = copy_example("09-hooks");
    let generator = crosscheck_tests::repo_root().join("examples/09-hooks/gen/main.go");
    let text = std::fs::read_to_string(&generator).unwrap_or_else(|e| panic!("{e}"));
    write(project.path(), "gen/main.go", &text);
    with_hooks(project.path(), hooks);
    project
}

/// A copy of examples/01-hello building linux/amd64 and linux/arm64 with `hooks`.
fn hello(hooks: &str) -> tempfile::TempDir {
    let project = copy_example("01-hello");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"linux/arm64\"]\n",
    );
    with_hooks(project.path(), hooks);
    project
}

/// Replaces the `[hooks]` table of the project's matrix.toml (or adds one).
fn with_hooks(dir: &Path, hooks: &str) {
    let path = dir.join("matrix.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let kept = text.split("[hooks]").next().unwrap_or_default();
    write(dir, "matrix.toml", &format!("{kept}[hooks]\n{hooks}\n"));
}

fn build_in(project: &Path, args: &[&str]) -> crosscheck_tests::Run {
    let matrix = project.join("matrix.toml");
    let matrix = matrix.to_string_lossy();
    let mut all = vec!["--matrix", &matrix];
    all.extend_from_slice(args);
    build(&all, &project.join("dist"))
}

/// `crosscheck build` of the project's matrix into `dist`, not started yet.
fn build_command(project: &Path, dist: &Path) -> Command {
    let mut command = crosscheck();
    command
        .arg("build")
        .arg("--matrix")
        .arg(project.join("matrix.toml"))
        .arg("--dist")
        .arg(dist);
    command
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn before_runs_once_before_the_builds_which_use_its_output() {
    let project = hooks_example(
        "before = [[\"go\", \"generate\", \"./...\"], [\"sh\", \"-c\", \"echo ran >> before-calls\"]]",
    );
    let out = build_in(project.path(), &["-t", "linux/*"]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert_eq!(lines_of(&project.path().join("before-calls")), ["ran"]);
    let dist = project.path().join("dist");
    let log = std::fs::read_to_string(dist.join("logs/hooks-before.log")).unwrap_or_default();
    assert!(log.contains("$ go generate ./..."), "{log}");
    // The program embeds what the hook generated.
    let binary = std::fs::read(dist.join("greet_linux_amd64")).unwrap_or_else(|e| panic!("{e}"));
    let generated = b"hello, generated";
    assert!(binary.windows(generated.len()).any(|w| w == generated));
}

#[test]
fn examples_09_does_not_build_without_its_before_hook() {
    let project = hooks_example("");
    let out = build_in(project.path(), &["-t", "linux/amd64"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(out.stderr.contains("greeting.txt"), "{}", out.stderr);
}

#[test]
fn after_build_runs_per_artifact_before_it_is_hashed_and_after_runs_once() {
    let project = hello(
        "after_build = [[\"sh\", \"-c\", \"echo {path} {id} {binary} >> after-build-calls; printf signed >> {path}\"]]\n\
         after = [[\"sh\", \"-c\", \"echo {dist} >> after-calls\"]]",
    );
    let out = build_in(project.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let dist = project.path().join("dist");
    let dist_text = dist.to_string_lossy().into_owned();
    let mut calls = lines_of(&project.path().join("after-build-calls"));
    calls.sort();
    assert_eq!(
        calls,
        [
            format!("{dist_text}/hello_linux_amd64 linux/amd64 hello"),
            format!("{dist_text}/hello_linux_arm64 linux/arm64 hello"),
        ]
    );
    assert_eq!(lines_of(&project.path().join("after-calls")), [dist_text]);
    let manifest = manifest(&dist);
    for (id, file) in [
        ("linux/amd64", "hello_linux_amd64"),
        ("linux/arm64", "hello_linux_arm64"),
    ] {
        let bytes = std::fs::read(dist.join(file)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            bytes.ends_with(b"signed"),
            "{file} was not changed by its hook"
        );
        let target = manifest_target(&manifest, id);
        assert_eq!(target["size"], bytes.len() as u64);
        assert_eq!(target["sha256"], sha256sum(&dist.join(file)));
    }
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&dist)
        .output()
        .unwrap_or_else(|e| panic!("sha256sum: {e}"));
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(dist.join("logs/hooks-after.log").is_file());
}

#[test]
fn a_failing_before_hook_starts_no_build_and_shows_its_command_and_last_lines() {
    let project = hello("before = [[\"sh\", \"-c\", \"echo generator broke; exit 3\"]]");
    let out = build_in(project.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("`before` hook `sh -c 'echo generator broke; exit 3'` failed: exit status 3"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("| generator broke"), "{}", out.stderr);
    let dist = project.path().join("dist");
    assert!(
        !dist.join("logs/linux_amd64.log").exists(),
        "a build started"
    );
    assert!(!dist.join("hello_linux_amd64").exists(), "a build ran");
    assert!(dist.join("logs/hooks-before.log").is_file());
}

#[test]
fn a_failing_after_build_hook_fails_its_target() {
    let project = hello(
        "after_build = [[\"sh\", \"-c\", \"test {arch} = amd64 || {{ echo no signing key for {arch}; exit 4; }}\"]]\n\
         after = [[\"touch\", \"after-ran\"]]",
    );
    let out = build_in(project.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("no signing key for arm64"),
        "{}",
        out.stderr
    );
    let manifest = manifest(&project.path().join("dist"));
    let failed = manifest_target(&manifest, "linux/arm64");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure"]["kind"], "hook");
    assert_eq!(manifest_target(&manifest, "linux/amd64")["status"], "built");
    assert!(
        !project.path().join("after-ran").exists(),
        "`after` ran on an incomplete dist"
    );
}

#[test]
fn a_failing_after_hook_fails_the_run_after_dist_is_written() {
    let project = hello("after = [[\"sh\", \"-c\", \"echo upload refused; exit 5\"]]");
    let out = build_in(project.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("`after` hook") && out.stderr.contains("| upload refused"),
        "{}",
        out.stderr
    );
    let dist = project.path().join("dist");
    assert!(dist.join("manifest.json").is_file() && dist.join("SHA256SUMS").is_file());
}

#[test]
fn check_runs_before_only() {
    let project = hello(
        "before = [[\"touch\", \"before-ran\"]]\n\
         after_build = [[\"touch\", \"after-build-ran\"]]\n\
         after = [[\"touch\", \"after-ran\"]]",
    );
    let matrix = project.path().join("matrix.toml");
    let out = crosscheck_tests::run(crosscheck().arg("check").arg("--matrix").arg(&matrix));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(project.path().join("before-ran").exists());
    assert!(!project.path().join("after-build-ran").exists());
    assert!(!project.path().join("after-ran").exists());
}

#[test]
fn ctrl_c_during_a_hook_exits_130_and_leaves_no_process_behind() {
    let marker = marker(11);
    let project = hello(&format!(
        "before = [[\"sh\", \"-c\", \"sleep {marker}; true\"]]"
    ));
    let dist = project.path().join("dist");
    // The shell and its sleep.
    let run = interrupt_when_running(
        &mut build_command(project.path(), &dist),
        &marker,
        2,
        Duration::from_secs(60),
    );
    let stderr = &run.stderr;
    assert!(run.running, "the hook never started:\n{stderr}");
    assert!(run.sent);
    assert!(
        run.strays.is_empty(),
        "processes outlived Ctrl-C: {:?}",
        run.strays
    );
    assert_eq!(run.code, Some(130), "{stderr}");
    assert!(
        !project.path().join("dist/hello_linux_amd64").exists(),
        "a build ran after Ctrl-C"
    );
}

#[test]
fn ctrl_c_during_an_after_hook_marks_the_manifest_interrupted_and_keeps_dist() {
    let marker = marker(13);
    let project = hello(&format!(
        "after = [[\"sh\", \"-c\", \"sleep {marker}; true\"]]"
    ));
    let dist = project.path().join("dist");
    let run = interrupt_when_running(
        &mut build_command(project.path(), &dist),
        &marker,
        2,
        Duration::from_secs(120),
    );
    let stderr = &run.stderr;
    assert!(run.running, "the after hook never started:\n{stderr}");
    assert!(run.sent);
    assert!(
        run.strays.is_empty(),
        "processes outlived Ctrl-C: {:?}",
        run.strays
    );
    assert_eq!(run.code, Some(130), "{stderr}");
    // What was built stays, and the manifest says the run did not end normally.
    assert!(dist.join("hello_linux_amd64").is_file(), "{stderr}");
    assert_eq!(manifest(&dist)["interrupted"], true, "{stderr}");
}

#[test]
fn plan_shows_the_hooks_in_the_table_and_the_json() {
    let project = hello(
        "before = [[\"go\", \"generate\", \"./...\"]]\n\
         after_build = [[\"gzip\", \"-k\", \"{path}\"]]\n\
         after = [[\"ls\", \"{dist}\"]]",
    );
    let matrix = project.path().join("matrix.toml");
    let table = crosscheck_tests::run(crosscheck().arg("plan").arg("--matrix").arg(&matrix));
    assert_eq!(table.code, 0, "{}", table.snapshot());
    assert!(
        table.stdout.contains("hook before: go generate ./..."),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("hook after_build (2 targets, e.g. linux/amd64): gzip -k "),
        "{}",
        table.stdout
    );
    let json = crosscheck_tests::run(
        crosscheck()
            .args(["plan", "--format", "json", "--matrix"])
            .arg(&matrix),
    );
    let plan: serde_json::Value =
        serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", json.stdout));
    assert_eq!(plan["hooks"]["before"][0][1], "generate");
    let after_build = &plan["targets"][1]["after_build"][0];
    assert!(
        after_build[2]
            .as_str()
            .is_some_and(|path| path.ends_with("/dist/hello_linux_arm64")),
        "{after_build}"
    );
}

#[test]
fn the_timeout_applies_to_each_hook_command_and_kills_its_processes() {
    let marker = marker(12);
    let project = hello(&format!("before = [[\"sleep\", \"{marker}\"]]"));
    let out = build_in(project.path(), &["--timeout", "1s"]);
    let strays = reap(&marker);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains(&format!(
            "`before` hook `sleep {marker}` failed: timed out after 1s"
        )),
        "{}",
        out.stderr
    );
    assert!(
        strays.is_empty(),
        "processes outlived the timeout: {strays:?}"
    );
}
