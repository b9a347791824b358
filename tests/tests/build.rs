//! End-to-end tests of `crosscheck build` against the real binary: artifacts, manifest,
//! checksums, logs, reproducibility, failures with hints, timeouts, Ctrl-C, the dist lock.

mod build_support;

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use build_support::*;
use crosscheck_tests::{crosscheck, redact, run};

const HELLO: &str = "examples/01-hello/matrix.toml";

#[test]
fn builds_targets_into_dist_with_manifest_checksums_and_logs() {
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck()
        .args([
            "build",
            "--matrix",
            HELLO,
            "-t",
            "linux/amd64",
            "-t",
            "windows/amd64",
            "-t",
            "linux/arm/v7",
        ])
        .arg("--dist")
        .arg(dist.path())
        // A developer's stray settings must not reach a release build: -race cannot even
        // build windows/amd64 without cgo, and CGO_ENABLED=1 would need a C compiler.
        .env("GOFLAGS", "-race")
        .env("CGO_ENABLED", "1")
        .env("SOME_API_TOKEN", "do-not-leak"));
    assert_eq!(out.code, 0, "{}", out.snapshot());

    for (file, expected) in [
        ("hello_linux_amd64", Format::Elf { machine: EM_X86_64 }),
        ("hello_linux_arm_v7", Format::Elf { machine: EM_ARM }),
        (
            "hello_windows_amd64.exe",
            Format::Pe {
                machine: IMAGE_FILE_MACHINE_AMD64,
            },
        ),
    ] {
        let path = dist.path().join(file);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), out.snapshot()));
        assert_eq!(format_of(&bytes), expected, "{file}");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        assert_eq!(
            modified,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            "{file}: mtime is not SOURCE_DATE_EPOCH"
        );
    }
    assert!(
        !dist.path().join(".crosscheck/staging").exists(),
        "staging left behind"
    );

    let manifest = manifest(dist.path());
    assert_eq!(manifest["schema_version"], 1);
    assert_eq!(manifest["project"]["version"], "1.2.3");
    assert_eq!(manifest["targets"].as_array().map(Vec::len), Some(3));
    let linux = manifest_target(&manifest, "linux/amd64");
    assert_eq!(linux["status"], "built");
    assert_eq!(linux["path"], "hello_linux_amd64");
    assert_eq!(linux["goos"], "linux");
    assert_eq!(linux["cgo"], false);
    assert_eq!(linux["log"], "logs/linux_amd64.log");
    let size = std::fs::metadata(dist.path().join("hello_linux_amd64"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(linux["size"], size);
    assert_eq!(linux["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(linux["commands"][0][1], "build");
    let env = &linux["env"];
    assert_eq!(env["GOOS"], "linux");
    assert_eq!(env["CGO_ENABLED"], "0");
    assert_eq!(env["SOURCE_DATE_EPOCH"], "1700000000");
    assert!(
        env.get("GOFLAGS").is_none(),
        "GOFLAGS leaked into the build: {env:#}"
    );
    assert!(
        env.get("SOME_API_TOKEN").is_none(),
        "an unlisted variable leaked: {env:#}"
    );
    assert!(env.get("PATH").is_some(), "PATH is allowlisted");
    assert_eq!(
        manifest_target(&manifest, "linux/arm/v7")["variant"]["value"],
        "7"
    );

    // sha256sum -c accepts the checksums file.
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(dist.path())
        .output()
        .unwrap_or_else(|e| panic!("sha256sum: {e}"));
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "sha256sum -c failed:\n{said}");
    // Three binaries, their three SBOMs and three archives (tar.gz, zip for windows).
    assert_eq!(said.matches(": OK").count(), 9, "{said}");

    let log = std::fs::read_to_string(dist.path().join("logs/linux_amd64.log")).unwrap_or_default();
    assert!(log.contains("$ go build -trimpath"), "{log}");
    assert!(log.contains("# exit status 0"), "{log}");

    // Progress lines, the grid and the summary.
    assert!(
        out.stderr.contains("built linux/amd64 in"),
        "{}",
        out.stderr
    );
    let grid_row = out
        .stderr
        .lines()
        .find(|l| l.starts_with("windows"))
        .unwrap_or_default();
    assert!(
        // Linkage as the inspector found it: Go's Windows runtime imports only kernel32.dll,
        // listed once below the grid.
        grid_row.contains("ok")
            && grid_row.contains("dynamic")
            && out.stderr.contains("\n  kernel32.dll: windows/amd64\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("built 3 of 3 targets"),
        "{}",
        out.stderr
    );
}

#[test]
fn pass_env_lets_named_variables_through_and_the_manifest_redacts_secrets() {
    let project = copy_example("01-hello");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[build]\npass_env = [\"MY_API_TOKEN\", \"MY_SETTING\"]\n[matrix]\ntargets = [\"linux/amd64\"]\n",
    );
    let dist = project.path().join("dist");
    let matrix = project.path().join("matrix.toml");
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(&matrix)
        .arg("--dist")
        .arg(&dist)
        .env("MY_API_TOKEN", "s3cr3t")
        .env("MY_SETTING", "visible")
        .env("HTTPS_PROXY", "http://user:hunter2@proxy.example:3128"));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest_text = std::fs::read_to_string(dist.join("manifest.json")).unwrap_or_default();
    for secret in ["s3cr3t", "hunter2"] {
        assert!(
            !manifest_text.contains(secret),
            "{secret} is in the manifest"
        );
    }
    let manifest = manifest(&dist);
    let env = &manifest_target(&manifest, "linux/amd64")["env"];
    assert_eq!(env["MY_API_TOKEN"], "[redacted]");
    assert_eq!(env["MY_SETTING"], "visible");
    assert_eq!(env["HTTPS_PROXY"], "http://[redacted]@proxy.example:3128");
}

#[test]
fn verbose_output_and_the_plan_redact_secrets_of_the_matrix_env() {
    let project = copy_example("01-hello");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[build]\nenv = { API_TOKEN = \"s3cr3t-value\", GOPROXY = \"https://me:hunter2@proxy.example\" }\n[matrix]\ntargets = [\"linux/amd64\"]\n",
    );
    let matrix = project.path().join("matrix.toml");
    let dist = project.path().join("dist");
    let in_project = |args: &[&str]| run(crosscheck().args(args).arg("--matrix").arg(&matrix));
    let runs = [
        in_project(&["plan", "-v"]),
        in_project(&["plan", "--format", "json"]),
        run(crosscheck()
            .args(["build", "-v", "--matrix"])
            .arg(&matrix)
            .arg("--dist")
            .arg(&dist)),
    ];
    for out in &runs {
        assert_eq!(out.code, 0, "{}", out.snapshot());
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !printed.contains("s3cr3t-value") && !printed.contains("hunter2"),
            "{printed}"
        );
        assert!(
            printed.contains("API_TOKEN") && printed.contains("[redacted]"),
            "{printed}"
        );
    }
}

#[test]
fn two_checkouts_build_byte_identical_artifacts() {
    let mut artifacts = Vec::new();
    for _ in 0..2 {
        let project = copy_example("01-hello");
        let dist = project.path().join("dist");
        let out = run(crosscheck()
            .arg("build")
            .arg("--matrix")
            .arg(project.path().join("matrix.toml"))
            .args(["-t", "linux/amd64", "--dist"])
            .arg(&dist));
        assert_eq!(out.code, 0, "{}", out.snapshot());
        let bytes = std::fs::read(dist.join("hello_linux_amd64")).unwrap_or_else(|e| panic!("{e}"));
        artifacts.push((project, bytes));
    }
    assert_ne!(artifacts[0].0.path(), artifacts[1].0.path());
    assert!(
        artifacts[0].1 == artifacts[1].1,
        "the same source in two directories built different binaries"
    );
}

const PLATFORM_MAIN: &str =
    "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(platformName()) }\n";
const PLATFORM_LINUX: &str = "package main\n\nfunc platformName() string { return \"linux\" }\n";

#[test]
fn a_failed_target_keeps_the_others_and_explains_itself() {
    let project = module(&[
        ("main.go", PLATFORM_MAIN),
        ("name_linux.go", PLATFORM_LINUX),
        (
            "matrix.toml",
            "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"windows/amd64\", \"linux/arm64\"]\n",
        ),
    ]);
    let dist = project.path().join("dist");
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .arg("--dist")
        .arg(&dist));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("error: windows/amd64 failed: exit status 1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("undefined: platformName"),
        "the log tail is shown:\n{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: names undefined for windows/amd64"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("build constraint"), "{}", out.stderr);
    assert!(
        out.stderr.contains("error: 1 of 3 targets failed"),
        "{}",
        out.stderr
    );

    let manifest = manifest(&dist);
    assert_eq!(manifest_target(&manifest, "linux/amd64")["status"], "built");
    assert_eq!(manifest_target(&manifest, "linux/arm64")["status"], "built");
    let windows = manifest_target(&manifest, "windows/amd64");
    assert_eq!(windows["status"], "failed");
    assert_eq!(windows["failure"]["kind"], "build_constraints");
    assert!(windows["sha256"].is_null());
    assert!(dist.join("testmod_linux_amd64").is_file());
    assert!(!dist.join("testmod_windows_amd64.exe").exists());
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    // The two built binaries, their SBOMs and archives; nothing for the failed target.
    assert_eq!(sums.lines().count(), 6, "{sums}");
    let log = std::fs::read_to_string(dist.join("logs/windows_amd64.log")).unwrap_or_default();
    assert!(log.contains("undefined: platformName"), "{log}");
}

#[test]
fn a_cgo_target_without_a_c_compiler_says_so() {
    // 02-cgo calls C, so Go must run the (missing) C compiler.
    let project = copy_example("02-cgo");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[build]\ncc = \"no-such-cc-for-crosscheck\"\n[matrix]\ntargets = [\"linux/amd64+cgo.gnu\"]\n",
    );
    let dist = project.path().join("dist");
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .arg("--dist")
        .arg(&dist));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("hint: no C compiler for this cgo target"),
        "{}",
        out.stderr
    );
    assert_eq!(
        manifest_target(&manifest(&dist), "linux/amd64+cgo.gnu")["failure"]["kind"],
        "no_c_compiler"
    );
}

/// A project whose `go build` hangs for the GOARCHes in `hang` and fails for those in `fail`.
fn hanging_project(
    marker: &str,
    targets: &[&str],
    hang: &[&str],
    fail: &[&str],
) -> tempfile::TempDir {
    let project = copy_example("01-hello");
    fake_go(project.path(), marker, hang, fail);
    let list: Vec<String> = targets.iter().map(|t| format!("{t:?}")).collect();
    write(
        project.path(),
        "matrix.toml",
        &format!(
            "version = 1\n[build]\ngo = \"./fake-go\"\n[matrix]\ntargets = [{}]\n",
            list.join(", ")
        ),
    );
    project
}

#[test]
fn a_hanging_build_times_out_and_leaves_no_process_behind() {
    let marker = marker(1);
    let project = hanging_project(&marker, &["linux/amd64", "linux/arm64"], &["amd64"], &[]);
    let dist = project.path().join("dist");
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .args(["--timeout", "2s", "--dist"])
        .arg(&dist));
    let strays = reap(&marker);
    assert!(
        strays.is_empty(),
        "processes outlived the timeout: {strays:?}"
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("error: linux/amd64 failed: timed out after 2s"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: raise --timeout"),
        "{}",
        out.stderr
    );
    let manifest = manifest(&dist);
    assert_eq!(
        manifest_target(&manifest, "linux/amd64")["failure"]["kind"],
        "timeout"
    );
    assert_eq!(
        manifest_target(&manifest, "linux/arm64")["status"],
        "built",
        "the other target is kept"
    );
}

#[test]
fn ctrl_c_stops_every_build_exits_130_and_leaves_no_process_behind() {
    let marker = marker(2);
    let project = hanging_project(
        &marker,
        &["linux/amd64", "linux/arm64"],
        &["amd64", "arm64"],
        &[],
    );
    let dist = project.path().join("dist");
    // Both builds are hanging once each has its two sleeps.
    let run = interrupt_when_running(
        crosscheck()
            .arg("build")
            .arg("--matrix")
            .arg(project.path().join("matrix.toml"))
            .args(["-j", "2", "--dist"])
            .arg(&dist),
        &marker,
        4,
        Duration::from_secs(60),
    );
    let stderr = &run.stderr;
    assert!(run.running, "the fake builds never started:\n{stderr}");
    assert!(run.sent);
    assert!(
        run.strays.is_empty(),
        "processes outlived Ctrl-C: {:?}",
        run.strays
    );
    assert_eq!(run.code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: stopping the builds"),
        "{stderr}"
    );
    let manifest = manifest(&dist);
    assert_eq!(manifest["interrupted"], true);
    assert_eq!(
        manifest_target(&manifest, "linux/amd64")["status"],
        "cancelled"
    );
    assert_eq!(
        manifest_target(&manifest, "linux/arm64")["status"],
        "cancelled"
    );
}

#[test]
fn fail_fast_cancels_the_running_builds() {
    let marker = marker(3);
    let project = hanging_project(
        &marker,
        &["linux/amd64", "linux/arm64"],
        &["amd64"],
        &["arm64"],
    );
    let dist = project.path().join("dist");
    let started = std::time::Instant::now();
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .args(["--fail-fast", "-j", "2", "--timeout", "2m", "--dist"])
        .arg(&dist));
    let strays = reap(&marker);
    assert!(
        strays.is_empty(),
        "processes outlived --fail-fast: {strays:?}"
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the hanging build was not cancelled"
    );
    assert!(
        out.stderr.contains("linux/arm64 failed; --fail-fast"),
        "{}",
        out.stderr
    );
    let manifest = manifest(&dist);
    assert_eq!(
        manifest_target(&manifest, "linux/arm64")["status"],
        "failed"
    );
    assert_eq!(
        manifest_target(&manifest, "linux/amd64")["status"],
        "cancelled"
    );
}

#[test]
fn a_second_run_on_the_same_dist_waits_or_fails_with_no_wait() {
    let marker = marker(4);
    let project = hanging_project(&marker, &["linux/amd64"], &["amd64"], &[]);
    let dist = project.path().join("dist");
    let matrix = project.path().join("matrix.toml");
    let first = crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(&matrix)
        .arg("--dist")
        .arg(&dist)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start crosscheck: {e}"));
    let running = wait_for(Duration::from_secs(60), || {
        !processes_with(&marker).is_empty()
    });
    let second = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(&matrix)
        .args(["--no-wait", "--dist"])
        .arg(&dist));
    send_ctrl_c(&first);
    let _ = first.wait_with_output();
    reap(&marker);
    assert!(running, "the first build never started");
    assert_eq!(second.code, 1, "{}", second.snapshot());
    assert!(
        second.stderr.contains("another crosscheck run is writing")
            && second.stderr.contains("--no-wait"),
        "{}",
        second.stderr
    );
}

#[test]
fn an_unusable_dist_directory_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap_or_else(|e| panic!("{e}"));
    let out = build(
        &["--matrix", HELLO, "-t", "linux/amd64"],
        &file.join("dist"),
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr
            .contains("error: cannot create the dist directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_run_flags_are_usage_errors() {
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for args in [&["--timeout", "soon"][..], &["-j", "0"][..]] {
        let out = build(&[&["--matrix", HELLO][..], args].concat(), dist.path());
        assert_eq!(out.code, 2, "{args:?}: {}", out.snapshot());
    }
}

#[test]
fn schema_manifest_prints_the_manifest_json_schema() {
    let out = run(crosscheck().args(["schema", "manifest"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let schema: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(schema["title"], "Manifest");
    insta::assert_snapshot!("manifest-schema", redact(&out.stdout));
}
