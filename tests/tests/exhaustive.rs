//! The slow end-to-end runs of `scripts/test --exhaustive`: examples/01-hello built for
//! every port the installed Go supports, and examples/02-cgo built with zig for linux
//! amd64 and arm64 against glibc and musl. Every artifact must build and pass inspection.
//!
//! The tests are `#[ignore]`d so that `cargo test` lists them as ignored rather than
//! leaving them out unseen; `cargo test -- --include-ignored` runs them. On a shared 2-core
//! machine they took ~17 minutes with cold caches (Go compiles the standard library once
//! per port, zig builds musl once per arch) and ~45 seconds with warm ones.

mod build_support;

use std::collections::BTreeSet;

use build_support::*;
use crosscheck_tests::{Run, crosscheck, run};
use serde_json::Value;

/// Ports that Go links only externally (`requires external (cgo) linking`), which cgo-off
/// targets cannot do; `the_ports_left_out_still_need_cgo_to_link` keeps this list true.
const NEED_EXTERNAL_LINKING: [&str; 5] = [
    "android/386",
    "android/amd64",
    "android/arm",
    "ios/amd64",
    "ios/arm64",
];

/// The cgo targets zig builds from Linux alone: glibc and static musl on both 64-bit arches.
const CGO_WITH_ZIG: [&str; 4] = [
    "linux/amd64+cgo.gnu",
    "linux/arm64+cgo.gnu",
    "linux/amd64+cgo.musl",
    "linux/arm64+cgo.musl",
];

#[test]
#[ignore = "slow: every port of the installed Go; run with scripts/test --exhaustive"]
fn every_port_builds_and_passes_inspection() {
    let ports: BTreeSet<String> = installed_ports()
        .into_iter()
        .filter(|port| !NEED_EXTERNAL_LINKING.contains(&port.as_str()))
        .collect();
    let targets: Vec<&str> = ports.iter().map(String::as_str).collect();
    let (_project, out, manifest) = build_example("01-hello", &targets);
    assert_built_and_passing(&manifest, &ports, &out);
}

#[test]
#[ignore = "slow: builds musl with zig when its cache is cold; run with scripts/test --exhaustive"]
fn cgo_builds_with_zig_for_linux_glibc_and_musl() {
    require_zig();
    let (_project, out, manifest) = build_example("02-cgo", &CGO_WITH_ZIG);
    let ids = CGO_WITH_ZIG.iter().map(|id| (*id).to_owned()).collect();
    assert_built_and_passing(&manifest, &ids, &out);
    for id in CGO_WITH_ZIG {
        let report = &manifest_target(&manifest, id)["inspection"]["report"];
        let musl = id.ends_with(".musl");
        assert_eq!(report["static"], musl, "{id}: {report:#}");
        assert_eq!(report["libc"], if musl { "none" } else { "glibc" }, "{id}");
    }
}

#[test]
#[ignore = "part of the every-port run; run with scripts/test --exhaustive"]
fn the_ports_left_out_still_need_cgo_to_link() {
    let installed = installed_ports();
    let left_out: Vec<&str> = NEED_EXTERNAL_LINKING
        .into_iter()
        .filter(|port| installed.contains(*port))
        .collect();
    let (project, out, manifest) = build_example("01-hello", &left_out);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    for id in left_out {
        let target = manifest_target(&manifest, id);
        assert_eq!(target["status"], "failed", "{id}: {target:#}");
        let log = project
            .path()
            .join("dist")
            .join(target["log"].as_str().unwrap_or_default());
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            text.contains("requires external (cgo) linking"),
            "{id} failed for another reason than linking without cgo; if it now builds, \
             take it out of NEED_EXTERNAL_LINKING\n{}:\n{text}",
            log.display()
        );
    }
}

/// `goos/goarch` of every port the installed Go supports and does not mark broken, as
/// `crosscheck targets --format json` lists them.
fn installed_ports() -> BTreeSet<String> {
    let out = run(crosscheck().args(["targets", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let listed: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("`targets --format json` is not JSON ({e}):\n{}", out.stdout));
    let ports: BTreeSet<String> = listed["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|port| port["broken"] != true)
        .filter_map(|port| {
            Some(format!(
                "{}/{}",
                port["goos"].as_str()?,
                port["goarch"].as_str()?
            ))
        })
        .collect();
    assert!(ports.len() > 20, "too few ports: {ports:?}\n{}", out.stdout);
    ports
}

/// Builds `targets` of a copy of `examples/<example>` into the copy's `dist/`; returns the
/// copy, the run and the manifest.
fn build_example(example: &str, targets: &[&str]) -> (tempfile::TempDir, Run, Value) {
    let project = copy_example(example);
    let ids: Vec<String> = targets.iter().map(|id| format!("{id:?}")).collect();
    write(
        project.path(),
        "matrix.toml",
        &format!("version = 1\n[matrix]\ntargets = [{}]\n", ids.join(", ")),
    );
    let dist = project.path().join("dist");
    let out = run(crosscheck()
        .args(["build", "--progress", "never", "--dist"])
        .arg(&dist)
        .current_dir(project.path()));
    let manifest = manifest(&dist);
    (project, out, manifest)
}

/// Asserts that the manifest holds exactly `expected`, each built, inspected as the port it
/// was built for and passing, and that the run exited 0; names every target that did not.
fn assert_built_and_passing(manifest: &Value, expected: &BTreeSet<String>, out: &Run) {
    let targets = manifest["targets"].as_array().cloned().unwrap_or_default();
    let ids: BTreeSet<String> = targets
        .iter()
        .filter_map(|target| target["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        &ids, expected,
        "the manifest lists other targets than asked"
    );
    let bad: Vec<String> = targets.iter().filter_map(target_problem).collect();
    assert!(
        bad.is_empty(),
        "{} of {} targets did not build and pass:\n{}\n{}",
        bad.len(),
        targets.len(),
        bad.join("\n"),
        out.snapshot()
    );
    assert_eq!(out.code, 0, "{}", out.snapshot());
}

/// What is wrong with one manifest target, if anything.
fn target_problem(target: &Value) -> Option<String> {
    let inspection = &target["inspection"];
    let report = &inspection["report"];
    let as_planned = report["goos"] == target["goos"] && report["goarch"] == target["goarch"];
    if target["status"] == "built" && inspection["verdict"] == "pass" && as_planned {
        return None;
    }
    Some(format!(
        "{}: status {}, verdict {}, inspected as {}/{}, problems {}, failure {}",
        target["id"],
        target["status"],
        inspection["verdict"],
        report["goos"],
        report["goarch"],
        inspection["problems"],
        target["failure"]
    ))
}
