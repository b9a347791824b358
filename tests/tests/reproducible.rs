//! End-to-end tests of `crosscheck build --verify-reproducible`: a reproducible example passes
//! on two targets, the seeded non-reproducible example (examples/07-unreproducible) is caught
//! with the target, section and offset named, the first build stays in dist, and the second
//! build's temporary directories are gone afterwards, also after Ctrl-C.
//!
//! Every run gets its own TMPDIR, the root under which the second builds happen, so the tests
//! can check that nothing is left there.

mod build_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use build_support::*;
use crosscheck_tests::{crosscheck, run, sha256sum};

/// A fresh, empty TMPDIR for one run.
fn temp_root(project: &Path) -> std::path::PathBuf {
    let root = project.join("tmp-root");
    std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    root
}

/// What a TMPDIR still holds.
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_reproducible_project_passes_on_two_targets() {
    let project = copy_example("01-hello");
    let dist = project.path().join("dist");
    let tmp = temp_root(project.path());
    let out = run(crosscheck()
        .arg("build")
        .arg("--verify-reproducible")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .args(["-t", "linux/amd64", "-t", "windows/amd64", "--dist"])
        .arg(&dist)
        .env("TMPDIR", &tmp));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(
        out.stderr.contains("2 of 2 reproducible"),
        "{}",
        out.snapshot()
    );
    let manifest = manifest(&dist);
    for id in ["linux/amd64", "windows/amd64"] {
        let target = manifest_target(&manifest, id);
        let reproducible = &target["reproducible"];
        assert_eq!(reproducible["verified"], true, "{id}: {reproducible:#}");
        assert_eq!(reproducible["differing_bytes"], 0, "{id}");
        assert_eq!(reproducible["size"], target["size"], "{id}");
        assert!(reproducible["first_difference"].is_null(), "{id}");
    }
    assert_eq!(leftovers(&tmp), Vec::<String>::new(), "TMPDIR is not empty");

    // Without the flag the manifest says nothing about reproducibility.
    let out = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .args(["-t", "linux/amd64", "--dist"])
        .arg(&dist));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let again = build_support::manifest(&dist);
    let target = manifest_target(&again, "linux/amd64");
    assert!(
        target.get("reproducible").is_none(),
        "reproducible without the flag: {target:#}"
    );
}

#[test]
fn the_seeded_unreproducible_example_is_caught() {
    let project = copy_example("07-unreproducible");
    let dist = project.path().join("dist");
    let tmp = temp_root(project.path());
    let out = run(crosscheck()
        .arg("build")
        .arg("--verify-reproducible")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .arg("--dist")
        .arg(&dist)
        .env("TMPDIR", &tmp));
    assert_eq!(out.code, 1, "{}", out.snapshot());

    let manifest = manifest(&dist);
    let target = manifest_target(&manifest, "linux/amd64");
    assert_eq!(target["status"], "built", "the first build counts as built");
    let reproducible = &target["reproducible"];
    assert_eq!(reproducible["verified"], false, "{reproducible:#}");
    assert!(reproducible["error"].is_null(), "{reproducible:#}");
    let difference = &reproducible["first_difference"];
    let offset = difference["offset"]
        .as_u64()
        .unwrap_or_else(|| panic!("no offset: {reproducible:#}"));
    let section = difference["section"]
        .as_str()
        .unwrap_or_else(|| panic!("no section: {reproducible:#}"));
    let section_offset = difference["section_offset"]
        .as_u64()
        .unwrap_or_else(|| panic!("no section offset: {reproducible:#}"));
    assert!(reproducible["differing_bytes"].as_u64() > Some(0));
    // The copy's path is longer or shorter: without -trimpath the binary's size changes.
    assert_ne!(reproducible["size_difference"], 0, "{reproducible:#}");

    // The message names the target, the offset and the section, and says why.
    let expected = format!(
        "error: linux/amd64: not reproducible: first difference at offset {offset:#x} in section {section} (+{section_offset:#x})"
    );
    assert!(
        out.stderr.contains(&expected),
        "{expected}\n{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("hint: -trimpath is off"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr
            .contains("error: 1 of 1 artifacts are not reproducible"),
        "{}",
        out.snapshot()
    );
    assert!(
        out.stderr.contains("NOT REPRODUCIBLE"),
        "the grid says so: {}",
        out.snapshot()
    );

    // Nothing built is lost: the first build is in dist, as the manifest and SHA256SUMS say.
    let artifact = dist.join("unreproducible_linux_amd64");
    assert!(artifact.is_file(), "{}", out.snapshot());
    assert_eq!(target["sha256"], sha256sum(&artifact));
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    assert!(sums.contains("unreproducible_linux_amd64"), "{sums}");
    assert_eq!(leftovers(&tmp), Vec::<String>::new(), "TMPDIR is not empty");
}

#[test]
fn ctrl_c_during_the_second_build_leaves_no_temporary_directory() {
    let marker = marker(21);
    let project = copy_example("01-hello");
    // A go that hangs only in the second build (its GOCACHE is in the reproduce workspace).
    let script = format!(
        "#!/bin/sh\n\
         case \"$GOCACHE\" in *crosscheck-reproduce-*) echo hanging; sleep {marker} & sleep {marker}; exit 0;; esac\n\
         exec go \"$@\"\n"
    );
    write(project.path(), "fake-go", &script);
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(project.path().join("fake-go"))
        .status();
    assert!(chmod.is_ok_and(|s| s.success()), "chmod +x fake-go");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[build]\ngo = \"./fake-go\"\n[matrix]\ntargets = [\"linux/amd64\"]\n",
    );
    let dist = project.path().join("dist");
    let tmp = temp_root(project.path());
    let mut child = crosscheck()
        .arg("build")
        .arg("--verify-reproducible")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .arg("--dist")
        .arg(&dist)
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start crosscheck: {e}"));
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        if let Some(stderr) = stderr {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.push(line);
            }
        }
        lines
    });
    let hanging = wait_for(Duration::from_secs(180), || {
        processes_with(&marker).len() >= 2
    });
    let workspaces_while_running = leftovers(&tmp);
    let sent = send_ctrl_c(&child);
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let strays = reap(&marker);
    let stderr = reader.join().unwrap_or_default().join("\n");
    assert!(hanging, "the second build never started:\n{stderr}");
    assert!(sent);
    assert!(
        workspaces_while_running
            .iter()
            .any(|name| name.starts_with("crosscheck-reproduce-")),
        "the second build ran outside TMPDIR: {workspaces_while_running:?}"
    );
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(strays.is_empty(), "processes outlived Ctrl-C: {strays:?}");
    assert_eq!(leftovers(&tmp), Vec::<String>::new(), "TMPDIR is not empty");
    // The first build finished before Ctrl-C: it stays, with no claim about reproducibility.
    let manifest = manifest(&dist);
    let target = manifest_target(&manifest, "linux/amd64");
    assert_eq!(target["status"], "built");
    assert!(target.get("reproducible").is_none(), "{target:#}");
    assert!(dist.join("hello_linux_amd64").is_file());
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("git is needed for this test (apt-get install git): {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Go stamps vcs.revision, vcs.time and vcs.modified into builds from a git checkout; the
/// second build runs in a mirror of the checkout, so the stamps (and the bytes) match, the
/// dirty state included, and the checkout's status is unchanged.
#[test]
fn a_git_checkout_with_vcs_stamps_is_verified_in_a_mirror() {
    let project = copy_example("01-hello");
    let dir = project.path();
    std::fs::write(dir.join(".gitignore"), "/dist/\n/tmp-root/\n")
        .unwrap_or_else(|e| panic!("{e}"));
    // Stamping on whatever `go env GOFLAGS` says on this machine.
    let mut matrix = std::fs::read_to_string(dir.join("matrix.toml")).unwrap_or_default();
    matrix.push_str("\n[build]\nflags = [\"-buildvcs=true\"]\n");
    std::fs::write(dir.join("matrix.toml"), matrix).unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "hello"]);
    // An uncommitted change: vcs.modified=true in both builds.
    std::fs::write(dir.join("NOTES"), "untracked\n").unwrap_or_else(|e| panic!("{e}"));
    let status_before = git(dir, &["status", "--porcelain"]);

    let dist = dir.join("dist");
    let tmp = temp_root(dir);
    let out = run(crosscheck()
        .arg("build")
        .arg("--verify-reproducible")
        .arg("--matrix")
        .arg(dir.join("matrix.toml"))
        .args(["-t", "linux/amd64", "--dist"])
        .arg(&dist)
        .env("TMPDIR", &tmp));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let manifest = manifest(&dist);
    let target = manifest_target(&manifest, "linux/amd64");
    assert_eq!(target["reproducible"]["verified"], true, "{target:#}");
    let settings = &target["inspection"]["report"]["go"]["settings"];
    let head = git(dir, &["rev-parse", "HEAD"]);
    assert_eq!(settings["vcs"], "git", "{settings:#}");
    assert_eq!(settings["vcs.revision"], head.trim(), "{settings:#}");
    assert_eq!(settings["vcs.modified"], "true", "{settings:#}");
    assert_eq!(leftovers(&tmp), Vec::<String>::new(), "TMPDIR is not empty");
    assert_eq!(git(dir, &["status", "--porcelain"]), status_before);
}
