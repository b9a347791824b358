//! `crosscheck check` type-checks from source by default and compiles with `--compile`:
//! on examples/13-check, whose mistakes only some targets see, both modes must give each
//! target the verdict the example's matrix.toml promises, with and without `--tests`, and
//! name the file and line of each mistake.

mod build_support;

use std::collections::BTreeMap;
use std::path::Path;

use crosscheck_tests::{Run, crosscheck, repo_root, run};

const EXAMPLE: &str = "examples/13-check";

/// Runs `check --all-packages` on a copy of `example` (its `before` hooks, which `check`
/// runs, may write into it) with `args`; returns the run and each target's verdict (`true`:
/// passed) from the JUnit report.
fn check(example: &Path, args: &[&str]) -> (Run, BTreeMap<String, bool>) {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let copy = scratch.path().join("module");
    build_support::copy_tree(example, &copy);
    check_in_place(&copy, args)
}

/// Runs `check --all-packages` on the module in `dir` itself.
fn check_in_place(dir: &Path, args: &[&str]) -> (Run, BTreeMap<String, bool>) {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let junit = scratch.path().join("check.xml");
    let out = run(crosscheck()
        .arg("check")
        .arg("--all-packages")
        .arg("--matrix")
        .arg(dir.join("matrix.toml"))
        .arg("--junit")
        .arg(&junit)
        .args(args));
    let xml = std::fs::read_to_string(&junit)
        .unwrap_or_else(|e| panic!("no JUnit report ({e}):\n{}", out.snapshot()));
    (out, verdicts(&xml))
}

/// `name -> passed` for each `<testcase name="...">` of a JUnit report.
fn verdicts(xml: &str) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for case in xml.split("<testcase ").skip(1) {
        let name = case
            .split_once("name=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_owned())
            .unwrap_or_default();
        let body = case.split("</testcase>").next().unwrap_or_default();
        let failed = body.contains("<failure") || body.contains("<error");
        out.insert(name, !failed);
    }
    out
}

fn expected(tests: bool) -> BTreeMap<String, bool> {
    [
        ("linux/amd64", true),
        ("linux/386", false),
        ("windows/amd64", false),
        ("darwin/arm64", !tests),
    ]
    .into_iter()
    .map(|(id, ok)| (id.to_owned(), ok))
    .collect()
}

#[test]
fn both_modes_give_every_target_its_verdict_with_and_without_tests() {
    let example = repo_root().join(EXAMPLE);
    for tests in [false, true] {
        for compile in [false, true] {
            let mut args = Vec::new();
            if tests {
                args.push("--tests");
            }
            if compile {
                args.push("--compile");
            }
            let (out, verdicts) = check(&example, &args);
            assert_eq!(
                verdicts,
                expected(tests),
                "check {args:?}:\n{}",
                out.snapshot()
            );
            assert_eq!(out.code, 1, "check {args:?}:\n{}", out.snapshot());
            let mut mistakes = vec![
                "main.go:11:14: undefined: platformName",
                "size.go:6:20: cannot use chunk (untyped int constant 1099511627776) as int value",
            ];
            if tests {
                mistakes.push("clock_test.go:7:5: undefined: resolution");
            }
            for mistake in mistakes {
                assert!(
                    out.stderr.contains(mistake),
                    "check {args:?} does not say {mistake:?}:\n{}",
                    out.stderr
                );
            }
        }
    }
}

/// The type-checker remembers verdicts: a second run of an unchanged module gives the same
/// verdicts and errors, and a changed file is checked anew.
#[test]
fn remembered_verdicts_follow_the_source() {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let copy = scratch.path().join("module");
    build_support::copy_tree(&repo_root().join(EXAMPLE), &copy);
    let (first, verdicts) = check_in_place(&copy, &[]);
    assert_eq!(verdicts, expected(false), "{}", first.snapshot());
    let (again, remembered) = check_in_place(&copy, &[]);
    assert_eq!(remembered, expected(false), "{}", again.snapshot());
    assert!(
        again
            .stderr
            .contains("main.go:11:14: undefined: platformName"),
        "a remembered failure must still say why:\n{}",
        again.stderr
    );
    // windows gets its platformName: the changed module is checked anew.
    std::fs::write(
        copy.join("name_windows.go"),
        "package main\n\nfunc platformName() string { return \"windows\" }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (fixed, after) = check_in_place(&copy, &[]);
    let mut want = expected(false);
    want.insert("windows/amd64".to_owned(), true);
    assert_eq!(after, want, "{}", fixed.snapshot());
}

#[test]
fn github_annotations_sit_on_the_mistakes_and_name_the_targets() {
    let example = repo_root().join(EXAMPLE);
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let summary = scratch.path().join("summary.md");
    std::fs::write(&summary, "").unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck()
        .args(["check", "--all-packages", "--tests", "--matrix"])
        .arg(example.join("matrix.toml"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", repo_root()));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    for annotation in [
        "::error file=examples/13-check/main.go,line=11,title=crosscheck%3A does not compile for windows/amd64::undefined: platformName",
        "::error file=examples/13-check/size.go,line=6,title=crosscheck%3A does not compile for linux/386::cannot use chunk",
        "::error file=examples/13-check/clock/clock_test.go,line=7,title=crosscheck%3A does not compile for darwin/arm64::undefined: resolution",
    ] {
        assert!(
            out.stdout.contains(annotation),
            "no {annotation:?} in:\n{}",
            out.stdout
        );
    }
}

/// Every example gets the same verdict per target from both modes. Slow with a cold cache
/// (the compile mode compiles every example's packages for every target).
#[test]
#[ignore = "slow: compiles every example for every target; run with scripts/test --exhaustive"]
fn both_modes_agree_on_every_example() {
    let examples = repo_root().join("examples");
    let mut dirs: Vec<_> = std::fs::read_dir(&examples)
        .unwrap_or_else(|e| panic!("{}: {e}", examples.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|dir| dir.join("matrix.toml").is_file() && dir.join("go.mod").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "examples: {dirs:?}");
    for dir in dirs {
        let (typed, by_types) = check(&dir, &[]);
        let (compiled, by_compiler) = check(&dir, &["--compile"]);
        assert_eq!(
            by_types,
            by_compiler,
            "{}: type-check and compile disagree\n--- type-check\n{}\n--- compile\n{}",
            dir.display(),
            typed.snapshot(),
            compiled.snapshot()
        );
    }
}
