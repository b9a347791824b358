//! End-to-end tests of `crosscheck merge`: examples/01-hello built as three shards, merged,
//! and compared with one build of the same selection; then every way a merge must refuse.

mod build_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use build_support::*;
use crosscheck_tests::{Run, crosscheck, run, shared_cache_dir};

/// Four cheap pure-Go targets across three formats.
const SELECTION: &[&str] = &[
    "-t",
    "linux/amd64",
    "-t",
    "linux/arm64",
    "-t",
    "windows/amd64",
    "-t",
    "darwin/arm64",
];
const OTHER_COMMIT: &str = "fedcba9876543210fedcba9876543210fedcba98";

/// The shards and the single build every test compares against, built once per run.
struct Fixture {
    /// A copy of examples/01-hello: every command runs there, so the manifests all name
    /// `matrix.toml` and the module directory is the same for builds and merges.
    project: PathBuf,
    shards: [PathBuf; 3],
    single: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // Under the target directory, replaced by the next run (a static is never dropped,
        // so a TempDir would leak).
        let root = shared_cache_dir().join("merge-fixture");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let project = root.join("project");
        let example = copy_example("01-hello");
        copy_dir(example.path(), &project);
        let shards = [1, 2, 3].map(|i| root.join(format!("shard-{i}")));
        for (i, dist) in shards.iter().enumerate() {
            let out = build_in(&project, &[&["--shard", &format!("{}/3", i + 1)][..]], dist);
            assert_eq!(out.code, 0, "shard {}/3: {}", i + 1, out.snapshot());
        }
        let single = root.join("single");
        let out = build_in(&project, &[], &single);
        assert_eq!(out.code, 0, "single build: {}", out.snapshot());
        Fixture {
            project,
            shards,
            single,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}

/// `crosscheck build` of the selection in `project`.
fn build_in(project: &Path, extra: &[&[&str]], dist: &Path) -> Run {
    run(crosscheck()
        .current_dir(project)
        .arg("build")
        .args(SELECTION)
        .args(extra.concat())
        .arg("--dist")
        .arg(dist))
}

/// `crosscheck merge` of the selection in `project`.
fn merge_in(project: &Path, inputs: &[&Path], extra: &[&str], out: &Path) -> Run {
    run(crosscheck()
        .current_dir(project)
        .arg("merge")
        .args(SELECTION)
        .args(inputs)
        .args(extra)
        .arg("--dist")
        .arg(out))
}

fn merge(inputs: &[&Path], extra: &[&str], out: &Path) -> Run {
    merge_in(&fixture().project, inputs, extra, out)
}

fn shard_refs(f: &Fixture) -> Vec<&Path> {
    f.shards.iter().map(PathBuf::as_path).collect()
}

/// The ids of the targets in a dist directory's manifest.
fn ids(dist: &Path) -> Vec<String> {
    manifest(dist)["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn sha256sum_check(dir: &Path) -> String {
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("sha256sum (install coreutils): {e}"));
    let said = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(check.status.success(), "sha256sum -c failed:\n{said}");
    said
}

#[test]
fn three_shards_merge_into_what_one_build_makes() {
    let f = fixture();
    // The shards split the selection: each has some targets, none has all.
    for shard in &f.shards {
        let count = ids(shard).len();
        assert!((1..4).contains(&count), "{}: {count}", shard.display());
    }
    let out_dir = temp();
    let out = out_dir.path().join("dist");
    let merged = merge(&shard_refs(f), &[], &out);
    assert_eq!(merged.code, 0, "{}", merged.snapshot());
    assert!(
        merged
            .stderr
            .contains("merged 4 targets from 3 shards into"),
        "{}",
        merged.stderr
    );
    for id in [
        "linux/amd64",
        "linux/arm64",
        "windows/amd64",
        "darwin/arm64",
    ] {
        assert!(merged.stdout.contains(id), "{}", merged.stdout);
    }

    // Same targets, in plan order, with the same bytes as the single-machine build.
    let merged_manifest = manifest(&out);
    let single_manifest = manifest(&f.single);
    assert_eq!(ids(&out), ids(&f.single));
    for id in ids(&f.single) {
        let a = manifest_target(&merged_manifest, &id);
        let b = manifest_target(&single_manifest, &id);
        assert_eq!(a["status"], "built", "{id}");
        assert_eq!(a["sha256"], b["sha256"], "{id}");
        assert_eq!(a["size"], b["size"], "{id}");
        let path = a["path"].as_str().unwrap_or_default();
        let bytes = std::fs::read(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let single = std::fs::read(f.single.join(path)).unwrap_or_default();
        assert!(
            bytes == single,
            "{id}: merged bytes differ from the single build"
        );
        let log = a["log"].as_str().unwrap_or_default();
        assert!(out.join(log).is_file(), "{id}: log {log} not copied");
    }
    // Same SHA256SUMS as the single build, and sha256sum agrees with it.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap_or_default();
    assert_eq!(
        sums,
        std::fs::read_to_string(f.single.join("SHA256SUMS")).unwrap_or_default()
    );
    // Each target's binary, archive and SBOM (both on by default).
    assert_eq!(sha256sum_check(&out).matches(": OK").count(), 12);

    // The manifest records its shards; identity fields come from them.
    assert_eq!(merged_manifest["schema_version"], 1);
    assert_eq!(
        merged_manifest["project"]["commit"],
        single_manifest["project"]["commit"]
    );
    assert!(merged_manifest["shard"].is_null());
    let from = merged_manifest["merged_from"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(from.len(), 3, "{merged_manifest:#}");
    for (i, entry) in from.iter().enumerate() {
        assert_eq!(entry["shard"], format!("{}/3", i + 1));
        assert_eq!(entry["dir"], f.shards[i].display().to_string());
        let listed: Vec<String> = entry["targets"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(listed, ids(&f.shards[i]));
    }
    assert!(
        !out.join(".crosscheck/merge-staging").exists(),
        "staging left behind"
    );

    // --format json: the same result for machines; merging again replaces the output.
    let again = merge(&shard_refs(f), &["--format", "json"], &out);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    let json: serde_json::Value =
        serde_json::from_str(&again.stdout).unwrap_or_else(|e| panic!("{e}: {}", again.stdout));
    assert_eq!(json["checksummed"], 12);
    assert_eq!(json["shards"], 3);
    assert_eq!(json["targets"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        json["targets"][0]["sha256"],
        manifest_target(
            &single_manifest,
            json["targets"][0]["id"].as_str().unwrap_or("")
        )["sha256"]
    );
}

#[test]
fn a_missing_shard_names_the_missing_targets() {
    let f = fixture();
    let out = temp();
    let result = merge(&[&f.shards[0], &f.shards[1]], &[], out.path());
    assert_eq!(result.code, 2, "{}", result.snapshot());
    let missing = ids(&f.shards[2]);
    assert!(
        result
            .stderr
            .contains(&format!("missing from every shard: {}", missing.join(", "))),
        "{}",
        result.stderr
    );
    assert!(
        !out.path().join("manifest.json").exists(),
        "wrote a manifest anyway"
    );
}

#[test]
fn the_same_shard_twice_names_the_duplicate_target() {
    let f = fixture();
    let out = temp();
    let twice = [&f.shards[0], &f.shards[1], &f.shards[2], &f.shards[2]].map(PathBuf::as_path);
    let result = merge(&twice, &[], out.path());
    assert_eq!(result.code, 2, "{}", result.snapshot());
    let first = ids(&f.shards[2]).remove(0);
    assert!(
        result
            .stderr
            .contains(&format!("error: {first} is in two shards")),
        "{}",
        result.stderr
    );
}

#[test]
fn a_tampered_artifact_is_a_checksum_mismatch_and_changes_nothing() {
    let f = fixture();
    let work = temp();
    let out = work.path().join("dist");
    let good = merge(&shard_refs(f), &[], &out);
    assert_eq!(good.code, 0, "{}", good.snapshot());
    let before = std::fs::read(out.join("manifest.json")).unwrap_or_default();

    let tampered = work.path().join("tampered");
    copy_dir(&f.shards[0], &tampered);
    let shard_manifest = manifest(&tampered);
    let target = &shard_manifest["targets"][0];
    let id = target["id"].as_str().unwrap_or_default();
    let artifact = tampered.join(target["path"].as_str().unwrap_or_default());
    let mut bytes = std::fs::read(&artifact).unwrap_or_default();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&artifact, &bytes).unwrap_or_else(|e| panic!("{e}"));

    let result = merge(&[tampered.as_path(), &f.shards[1], &f.shards[2]], &[], &out);
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result
            .stderr
            .contains(&format!("checksum mismatch for the artifact of {id}")),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains(target["sha256"].as_str().unwrap_or("?")),
        "the expected digest is named: {}",
        result.stderr
    );
    // The earlier merge is intact: nothing was written.
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap_or_default(),
        before
    );
    sha256sum_check(&out);
    assert!(
        !out.join(".crosscheck/merge-staging").exists(),
        "staging left behind"
    );

    // A truncated artifact is caught too (same digest check, different cause).
    std::fs::write(&artifact, &bytes[..middle]).unwrap_or_else(|e| panic!("{e}"));
    let result = merge(&[tampered.as_path(), &f.shards[1], &f.shards[2]], &[], &out);
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result.stderr.contains("checksum mismatch"),
        "{}",
        result.stderr
    );

    // A deleted artifact names the file.
    std::fs::remove_file(&artifact).unwrap_or_else(|e| panic!("{e}"));
    let result = merge(&[tampered.as_path(), &f.shards[1], &f.shards[2]], &[], &out);
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result
            .stderr
            .contains(&format!("cannot read the artifact of {id}")),
        "{}",
        result.stderr
    );
}

#[test]
fn conflicting_copies_of_a_target_are_refused() {
    let f = fixture();
    let work = temp();
    // Another runner built shard 2 from a changed tree at the same commit and version.
    let changed = work.path().join("changed");
    copy_dir(&f.project, &changed);
    let main = changed.join("main.go");
    let source = std::fs::read_to_string(&main).unwrap_or_default();
    std::fs::write(
        &main,
        format!("{source}\nvar changed = \"yes\"\n\nfunc init() {{ _ = changed }}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let other = work.path().join("other-shard-2");
    let built = build_in(&changed, &[&["--shard", "2/3"]], &other);
    assert_eq!(built.code, 0, "{}", built.snapshot());

    let id = ids(&f.shards[1]).remove(0);
    let theirs = manifest(&f.shards[1]);
    let ours = manifest(&other);
    let (a, b) = (
        manifest_target(&theirs, &id)["sha256"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
        manifest_target(&ours, &id)["sha256"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
    );
    assert_ne!(a, b, "the changed tree built the same bytes");
    let result = merge(
        &[&f.shards[0], &f.shards[1], &f.shards[2], other.as_path()],
        &[],
        &work.path().join("dist"),
    );
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result
            .stderr
            .contains(&format!("error: conflicting copies of {id}")),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains(&a) && result.stderr.contains(&b),
        "both digests named: {}",
        result.stderr
    );
}

#[test]
fn shards_from_another_commit_or_version_are_refused() {
    let f = fixture();
    let work = temp();
    let other = work.path().join("other-commit");
    let built = run(crosscheck()
        .current_dir(&f.project)
        .env("CROSSCHECK_COMMIT", OTHER_COMMIT)
        .arg("build")
        .args(SELECTION)
        .args(["--shard", "2/3", "--dist"])
        .arg(&other));
    assert_eq!(built.code, 0, "{}", built.snapshot());
    let result = merge(
        &[&f.shards[0], other.as_path(), &f.shards[2]],
        &[],
        &work.path().join("dist"),
    );
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result.stderr.contains("not built from the same commit")
            && result
                .stderr
                .contains("\"0123456789abcdef0123456789abcdef01234567\"")
            && result.stderr.contains(&format!("\"{OTHER_COMMIT}\"")),
        "{}",
        result.stderr
    );

    // All shards agree, but this checkout plans another version.
    let result = run(crosscheck()
        .current_dir(&f.project)
        .env("CROSSCHECK_VERSION", "2.0.0")
        .arg("merge")
        .args(SELECTION)
        .args(&f.shards)
        .arg("--dist")
        .arg(work.path().join("dist")));
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result
            .stderr
            .contains("was built with version \"1.2.3\", but this checkout plans \"2.0.0\""),
        "{}",
        result.stderr
    );

    // A selection that is not the shard jobs' selection.
    let result = run(crosscheck()
        .current_dir(&f.project)
        .args(["merge", "-t", "linux/*"])
        .args(&f.shards)
        .arg("--dist")
        .arg(work.path().join("dist")));
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result.stderr.contains("which is not in the plan"),
        "{}",
        result.stderr
    );
}

#[test]
fn bad_merge_arguments_are_usage_errors() {
    let f = fixture();
    let work = temp();
    // The output may not be an input.
    let result = merge(&shard_refs(f), &[], &f.shards[1]);
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result.stderr.contains("is also an input"),
        "{}",
        result.stderr
    );
    // --shard belongs to build.
    let result = merge(&shard_refs(f), &["--shard", "1/3"], work.path());
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(
        result.stderr.contains("--shard 1/3 makes no sense"),
        "{}",
        result.stderr
    );
    // Not a dist directory.
    let result = merge(&[work.path()], &[], &work.path().join("dist"));
    assert_eq!(result.code, 2, "{}", result.snapshot());
    assert!(result.stderr.contains("manifest.json"), "{}", result.stderr);
    assert!(
        result.stderr.contains("crosscheck build --shard"),
        "{}",
        result.stderr
    );
    // No inputs at all: clap says so.
    let result = run(crosscheck().current_dir(&f.project).arg("merge"));
    assert_eq!(result.code, 2, "{}", result.snapshot());
}

#[test]
fn failed_targets_need_allow_incomplete() {
    // windows/amd64 cannot build: platformName exists only for linux.
    let project = module(&[
        (
            "main.go",
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(platformName()) }\n",
        ),
        (
            "name_linux.go",
            "package main\n\nfunc platformName() string { return \"linux\" }\n",
        ),
        (
            "matrix.toml",
            "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"windows/amd64\"]\n",
        ),
    ]);
    let shards = [1, 2].map(|i| project.path().join(format!("shard-{i}")));
    let mut codes = Vec::new();
    for (i, dist) in shards.iter().enumerate() {
        let out = run(crosscheck()
            .current_dir(project.path())
            .args(["build", "--shard", &format!("{}/2", i + 1), "--dist"])
            .arg(dist));
        codes.push(out.code);
    }
    codes.sort_unstable();
    assert_eq!(codes, [0, 1], "one shard holds the failing target");
    let refs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let out = project.path().join("dist");
    let merge = |extra: &[&str]| {
        run(crosscheck()
            .current_dir(project.path())
            .arg("merge")
            .args(&refs)
            .args(extra)
            .arg("--dist")
            .arg(&out))
    };
    let refused = merge(&[]);
    assert_eq!(refused.code, 2, "{}", refused.snapshot());
    assert!(
        refused
            .stderr
            .contains("1 target did not build: windows/amd64 (failed in"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--allow-incomplete"),
        "{}",
        refused.stderr
    );
    assert!(!out.join("manifest.json").exists());

    let allowed = merge(&["--allow-incomplete"]);
    assert_eq!(allowed.code, 0, "{}", allowed.snapshot());
    assert!(
        allowed
            .stderr
            .contains("left out of SHA256SUMS: windows/amd64"),
        "{}",
        allowed.stderr
    );
    let merged = manifest(&out);
    assert_eq!(
        manifest_target(&merged, "windows/amd64")["status"],
        "failed"
    );
    assert_eq!(manifest_target(&merged, "linux/amd64")["status"], "built");
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap_or_default();
    // linux/amd64's binary, archive and SBOM; nothing of windows/amd64.
    let names: Vec<&str> = sums.lines().filter_map(|l| l.split("  ").nth(1)).collect();
    assert_eq!(
        names,
        [
            "testmod_1.2.3_linux_amd64.tar.gz",
            "testmod_linux_amd64",
            "testmod_linux_amd64.cdx.json"
        ],
        "{sums}"
    );
    let log = std::fs::read_to_string(out.join("logs/windows_amd64.log")).unwrap_or_default();
    assert!(
        log.contains("undefined: platformName"),
        "the failure's log is copied: {log}"
    );
}

// ---------------------------------------------------------------------------------------
// A release (examples/05-release): archives, SBOMs and a universal binary, built in shards.
// ---------------------------------------------------------------------------------------

/// The release matrix, relative to the directory every release command runs in (the
/// repository root, or a copy laid out like it): the manifests all name this path.
const RELEASE: &str = "examples/05-release/matrix.toml";

/// The release's target ids, in plan order: the thin targets, then the universal binary.
const RELEASE_IDS: [&str; 5] = [
    "linux/amd64",
    "windows/amd64",
    "darwin/amd64",
    "darwin/arm64",
    "darwin/universal",
];

/// examples/05-release built as three shards and once whole, from the repository root.
struct ReleaseFixture {
    shards: [PathBuf; 3],
    single: PathBuf,
}

fn release_fixture() -> &'static ReleaseFixture {
    static FIXTURE: OnceLock<ReleaseFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = shared_cache_dir().join("merge-release-fixture");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let shards = [1, 2, 3].map(|i| root.join(format!("shard-{i}")));
        for (i, dist) in shards.iter().enumerate() {
            let out = build_release_in(
                &crosscheck_tests::repo_root(),
                &["--shard", &format!("{}/3", i + 1)],
                dist,
            );
            assert_eq!(out.code, 0, "shard {}/3: {}", i + 1, out.snapshot());
        }
        let single = root.join("single");
        let out = build_release_in(&crosscheck_tests::repo_root(), &[], &single);
        assert_eq!(out.code, 0, "single build: {}", out.snapshot());
        ReleaseFixture { shards, single }
    })
}

/// `crosscheck build --matrix examples/05-release/matrix.toml` run in `dir`.
fn build_release_in(dir: &Path, extra: &[&str], dist: &Path) -> Run {
    run(crosscheck()
        .current_dir(dir)
        .args(["build", "--matrix", RELEASE])
        .args(extra)
        .arg("--dist")
        .arg(dist))
}

/// `crosscheck merge --matrix examples/05-release/matrix.toml` from the repository root.
fn merge_release(inputs: &[&Path], out: &Path) -> Run {
    run(crosscheck()
        .args(["merge", "--matrix", RELEASE])
        .args(inputs)
        .arg("--dist")
        .arg(out))
}

/// Every release file a manifest entry names: (role, path, sha256, size).
fn release_files(target: &serde_json::Value) -> Vec<(&'static str, String, String, u64)> {
    let mut files = vec![(
        "artifact",
        target["path"].as_str().unwrap_or_default().to_owned(),
        target["sha256"].as_str().unwrap_or_default().to_owned(),
        target["size"].as_u64().unwrap_or_default(),
    )];
    for role in ["archive", "sbom"] {
        let file = &target[role];
        if !file.is_null() {
            files.push((
                role,
                file["path"].as_str().unwrap_or_default().to_owned(),
                file["sha256"].as_str().unwrap_or_default().to_owned(),
                file["size"].as_u64().unwrap_or_default(),
            ));
        }
    }
    files
}

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

#[test]
fn release_shards_merge_archives_sboms_and_the_universal_binary() {
    let f = release_fixture();
    let single_manifest = manifest(&f.single);
    assert_eq!(ids(&f.single), RELEASE_IDS, "{single_manifest:#}");

    // The darwin slices and the universal binary made from them share one shard; exactly
    // one shard has the universal binary.
    let with_universal: Vec<&PathBuf> = f
        .shards
        .iter()
        .filter(|shard| ids(shard).iter().any(|id| id == "darwin/universal"))
        .collect();
    assert_eq!(with_universal.len(), 1, "shards with darwin/universal");
    let mut darwin_shard = ids(with_universal[0]);
    darwin_shard.sort();
    assert_eq!(
        darwin_shard,
        ["darwin/amd64", "darwin/arm64", "darwin/universal"]
    );
    let mut all: Vec<String> = f.shards.iter().flat_map(|shard| ids(shard)).collect();
    all.sort();
    let mut expected: Vec<String> = RELEASE_IDS.iter().map(|id| (*id).to_owned()).collect();
    expected.sort();
    assert_eq!(all, expected, "the shards split the release");

    let work = temp();
    let out = work.path().join("dist");
    let shards: Vec<&Path> = f.shards.iter().map(PathBuf::as_path).collect();
    let merged = merge_release(&shards, &out);
    assert_eq!(merged.code, 0, "{}", merged.snapshot());
    assert!(
        merged
            .stderr
            .contains("merged 5 targets from 3 shards into"),
        "{}",
        merged.stderr
    );
    assert!(
        merged.stderr.contains("(15 artifacts)"),
        "4 binaries, 1 universal binary, 5 archives, 5 SBOMs: {}",
        merged.stderr
    );

    // Same targets in the same order, and every file with the same digest and bytes.
    let merged_manifest = manifest(&out);
    assert_eq!(ids(&out), RELEASE_IDS);
    let mut checked = 0;
    for id in RELEASE_IDS {
        let a = manifest_target(&merged_manifest, id);
        let b = manifest_target(&single_manifest, id);
        assert_eq!(a["status"], "built", "{id}");
        for field in [
            "path",
            "sha256",
            "size",
            "archive",
            "sbom",
            "universal_inputs",
        ] {
            assert_eq!(a[field], b[field], "{id}: {field}");
        }
        // Every target has an SBOM and an archive.
        assert!(!a["archive"].is_null(), "{id} has no archive");
        assert!(!a["sbom"].is_null(), "{id} has no SBOM");
        for (role, path, sha256, size) in release_files(a) {
            assert_eq!(sha256.len(), 64, "{id}: {role} digest");
            let bytes = std::fs::read(out.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
            let single = std::fs::read(f.single.join(&path)).unwrap_or_default();
            assert!(bytes == single, "{id}: the merged {role} {path} differs");
            assert_eq!(bytes.len() as u64, size, "{id}: {role} size");
            checked += 1;
        }
    }
    assert_eq!(checked, 15);
    assert_eq!(
        manifest_target(&merged_manifest, "darwin/universal")["universal_inputs"],
        serde_json::json!(["darwin/amd64", "darwin/arm64"])
    );
    // merged_from credits the universal binary to the shard that assembled it.
    let from = merged_manifest["merged_from"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let credited: Vec<&serde_json::Value> = from
        .iter()
        .filter(|entry| {
            entry["targets"]
                .as_array()
                .is_some_and(|t| t.iter().any(|id| id == "darwin/universal"))
        })
        .collect();
    assert_eq!(credited.len(), 1, "{merged_manifest:#}");
    assert_eq!(credited[0]["dir"], with_universal[0].display().to_string());

    // The same SHA256SUMS, line for line, and sha256sum agrees with every line.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap_or_default();
    let single_sums = std::fs::read_to_string(f.single.join("SHA256SUMS")).unwrap_or_default();
    assert_eq!(sorted_lines(&sums), sorted_lines(&single_sums));
    assert_eq!(sums, single_sums);
    assert_eq!(sums.lines().count(), 15, "{sums}");
    for name in [
        "greet_darwin_universal",
        "greet_1.2.3_darwin_universal.tar.gz",
        "greet_1.2.3_windows_amd64.zip",
        "greet_windows_amd64.exe.cdx.json",
    ] {
        assert!(sums.contains(&format!("  {name}\n")), "{name}: {sums}");
    }
    assert_eq!(sha256sum_check(&out).matches(": OK").count(), 15);
}

/// Flips a byte in the middle of `path`.
fn corrupt(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn a_tampered_archive_or_sbom_is_refused_naming_its_role_and_target() {
    let f = release_fixture();
    let work = temp();
    // (role in the manifest, role in the message, target): one thin target's SBOM, the
    // universal binary's archive, a thin target's archive.
    let cases = [
        ("sbom", "SBOM", "linux/amd64"),
        ("archive", "archive", "darwin/universal"),
        ("archive", "archive", "windows/amd64"),
    ];
    for (n, (field, role, id)) in cases.into_iter().enumerate() {
        let index = f
            .shards
            .iter()
            .position(|shard| ids(shard).iter().any(|i| i == id))
            .unwrap_or_else(|| panic!("no shard has {id}"));
        let tampered = work.path().join(format!("tampered-{n}"));
        copy_dir(&f.shards[index], &tampered);
        let entry = manifest_target(&manifest(&tampered), id).clone();
        let path = entry[field]["path"].as_str().unwrap_or_default().to_owned();
        assert!(!path.is_empty(), "{id} has no {field}: {entry:#}");
        corrupt(&tampered.join(&path));

        let mut inputs: Vec<&Path> = f.shards.iter().map(PathBuf::as_path).collect();
        inputs[index] = &tampered;
        let out = work.path().join(format!("dist-{n}"));
        let result = merge_release(&inputs, &out);
        assert_eq!(result.code, 2, "{}", result.snapshot());
        assert!(
            result
                .stderr
                .contains(&format!("checksum mismatch for the {role} of {id}")),
            "{}",
            result.stderr
        );
        assert!(result.stderr.contains(&path), "{}", result.stderr);
        assert!(
            result
                .stderr
                .contains(entry[field]["sha256"].as_str().unwrap_or("?")),
            "the expected digest is named: {}",
            result.stderr
        );
        assert!(
            !out.join("manifest.json").exists(),
            "wrote a manifest anyway"
        );
        assert!(!out.join("SHA256SUMS").exists(), "wrote SHA256SUMS anyway");

        // A deleted file is named with its role as well.
        std::fs::remove_file(tampered.join(&path)).unwrap_or_else(|e| panic!("{e}"));
        let result = merge_release(&inputs, &out);
        assert_eq!(result.code, 2, "{}", result.snapshot());
        assert!(
            result
                .stderr
                .contains(&format!("cannot read the {role} of {id}")),
            "{}",
            result.stderr
        );
    }
}

#[test]
fn a_shard_built_or_packaged_from_another_matrix_is_refused() {
    let f = release_fixture();
    let work = temp();
    let index = f
        .shards
        .iter()
        .position(|shard| ids(shard).iter().any(|id| id == "linux/amd64"))
        .unwrap_or_else(|| panic!("no shard has linux/amd64"));
    let shard_arg = format!("{}/3", index + 1);
    // (what the shard job's matrix.toml changed, the error merge must give).
    let cases = [
        (
            "archive_name = \"{name}-{slug}\"",
            "has the archive of linux/amd64 at \"greet-linux_amd64.tar.gz\", but the plan puts it at \"greet_1.2.3_linux_amd64.tar.gz\"",
        ),
        (
            "sbom = false",
            "has no SBOM of linux/amd64, but the plan puts it at \"greet_linux_amd64.cdx.json\"",
        ),
        // An -X for a variable the program lacks: the same bytes (-trimpath keeps ldflags out
        // of the build info), but not the plan's command.
        (
            "ldflags = [\"-X\", \"main.nothing=here\"]",
            "built linux/amd64 with `build ",
        ),
    ];
    for (n, (setting, expected)) in cases.into_iter().enumerate() {
        // A tree laid out like the repository, so the manifest names the same matrix file
        // (which merge checks): only the file's contents differ.
        let tree = work.path().join(format!("tree-{n}"));
        let example = tree.join("examples");
        std::fs::create_dir_all(&example).unwrap_or_else(|e| panic!("{e}"));
        copy_dir(
            &crosscheck_tests::repo_root().join("examples/05-release"),
            &example.join("05-release"),
        );
        let matrix = tree.join(RELEASE);
        let text = std::fs::read_to_string(&matrix).unwrap_or_default();
        let key = setting.split(' ').next().unwrap_or_default();
        let edited: String = text
            .lines()
            .filter(|line| !line.starts_with(&format!("{key} =")))
            .map(|line| {
                if line == "[build]" {
                    format!("[build]\n{setting}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert_ne!(edited, text);
        std::fs::write(&matrix, edited).unwrap_or_else(|e| panic!("{e}"));
        let other = work.path().join(format!("other-{n}"));
        let built = build_release_in(&tree, &["--shard", &shard_arg], &other);
        assert_eq!(built.code, 0, "{}", built.snapshot());
        // The binary is the same: only the packaging differs.
        assert_eq!(
            manifest_target(&manifest(&other), "linux/amd64")["sha256"],
            manifest_target(&manifest(&f.shards[index]), "linux/amd64")["sha256"]
        );

        let mut inputs: Vec<&Path> = f.shards.iter().map(PathBuf::as_path).collect();
        inputs[index] = &other;
        let out = work.path().join(format!("dist-{n}"));
        let result = merge_release(&inputs, &out);
        assert_eq!(result.code, 2, "{}", result.snapshot());
        assert!(
            result
                .stderr
                .contains(&format!("error: {} {expected}", other.display())),
            "{}",
            result.stderr
        );
        assert!(
            result.stderr.contains("the same matrix.toml"),
            "{}",
            result.stderr
        );
        assert!(
            !out.join("manifest.json").exists(),
            "wrote a manifest anyway"
        );
    }
}
