//! End-to-end tests of `crosscheck check`: compile every target, never link, write nothing,
//! JUnit for CI.

mod build_support;

use build_support::*;
use crosscheck_tests::{crosscheck, run};

/// A program that compiles but cannot link: `missing` has no body (the empty assembly
/// file lets the compiler accept that), so only the linker notices.
const LINK_FAILS: &[(&str, &str)] = &[
    (
        "main.go",
        "package main\n\nfunc missing()\n\nfunc main() { missing() }\n",
    ),
    (
        "missing.s",
        "// Declares nothing: it only tells the compiler that assembly exists.\n",
    ),
];

fn check(project: &std::path::Path, args: &[&str]) -> crosscheck_tests::Run {
    run(crosscheck()
        .arg("check")
        .arg("--matrix")
        .arg(project.join("matrix.toml"))
        .args(args)
        .arg("--dist")
        .arg(project.join("dist")))
}

#[test]
fn check_compiles_every_target_but_never_links_or_writes() {
    let mut files = LINK_FAILS.to_vec();
    files.push((
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"windows/arm64\"]\n",
    ));
    let project = module(&files);
    let junit = project.path().join("report.xml");
    let out = check(
        project.path(),
        &["--junit", junit.to_str().unwrap_or_default()],
    );
    assert_eq!(out.code, 0, "check must not link:\n{}", out.snapshot());
    assert!(
        out.stderr.contains("checked 2 of 2 targets"),
        "{}",
        out.stderr
    );
    assert!(
        !project.path().join("dist").exists(),
        "check wrote into dist"
    );
    let xml = std::fs::read_to_string(&junit).unwrap_or_default();
    assert!(
        xml.contains("tests=\"2\"") && xml.contains("failures=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"windows/arm64\" classname=\"crosscheck.check\""),
        "{xml}"
    );

    // The same program does fail to build, so the check above really skipped the link.
    let built = run(crosscheck()
        .arg("build")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml"))
        .args(["-t", "linux/amd64", "--dist"])
        .arg(project.path().join("dist")));
    assert_eq!(built.code, 1, "{}", built.snapshot());
    assert!(built.stderr.contains("missing"), "{}", built.stderr);
}

#[test]
fn check_failures_name_the_target_and_land_in_junit() {
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
            "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"darwin/arm64\"]\n",
        ),
    ]);
    let junit = project.path().join("report.xml");
    let out = check(
        project.path(),
        &["--junit", junit.to_str().unwrap_or_default()],
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("error: darwin/arm64 failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: names undefined for darwin/arm64"),
        "{}",
        out.stderr
    );
    let xml = std::fs::read_to_string(&junit).unwrap_or_default();
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert!(
        xml.contains("undefined: platformName"),
        "the failure output is in the report:\n{xml}"
    );
}

#[test]
fn all_packages_and_vet_widen_the_check() {
    let project = module(&[
        (
            "main.go",
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Printf(\"%d\\n\", \"not a number\") }\n",
        ),
        // Not imported by main: only --all-packages compiles it.
        (
            "unused/unused.go",
            "package unused\n\nvar X int = \"not an int\"\n",
        ),
        (
            "matrix.toml",
            "version = 1\n[matrix]\ntargets = [\"linux/amd64\"]\n",
        ),
    ]);
    let plain = check(project.path(), &[]);
    assert_eq!(plain.code, 0, "{}", plain.snapshot());
    let all = check(project.path(), &["--all-packages"]);
    assert_eq!(all.code, 1, "{}", all.snapshot());
    assert!(all.stderr.contains("unused.go"), "{}", all.stderr);
    let vet = check(project.path(), &["--vet"]);
    assert_eq!(vet.code, 1, "{}", vet.snapshot());
    assert!(
        vet.stderr.contains("fmt.Printf format %d has arg"),
        "{}",
        vet.stderr
    );
}
