//! What `crosscheck test` shows and reports, all rendered from one [`TestReport`]: the
//! terminal summary ([`render`]), `--junit FILE` ([`write_junit`]) and, on GitHub Actions,
//! annotations and the job summary ([`annotate`]).
//!
//! A failing test is named by its leaf: when `TestX/sub` failed, `TestX` failed only
//! because of it, and naming both would say the same thing twice (the counts still include
//! both, as `go test -json` does). A not-run target is never shown or counted as passed:
//! its counts are `-` and it has its own word in the summary line.

use std::path::Path;
use std::time::Duration;

use crosscheck_schema::{
    PackageTests, TargetTestStatus, TargetTests, TestCase, TestReport, TestStatus,
};
use quick_junit::{NonSuccessKind, Property, Report, TestCaseStatus, TestSuite};

use super::github::{self, ANNOTATION_TAIL, GITHUB_WORKSPACE, Level};
use super::grid::render_cells;
use super::junit;
use super::markdown::escape;
use super::sources::Sources;
use super::words::{plural, push_counts, test_status_word as status_word};
use crate::errors::CliError;
use crate::printer::{Printer, Style};

/// How many output lines the terminal shows per failing test or package.
const OUTPUT_TAIL: usize = 10;

/// The terminal summary after a test run: a grid, one row per target (id, runner, status
/// word, pass, fail, skip counts, cached packages); then per failing target the failing
/// tests with their last output lines, the not-run targets with their reason and install
/// hint; then one summary line.
pub(crate) fn render(report: &TestReport, printer: &Printer) -> String {
    let mut out = grid(report, printer);
    for target in &report.targets {
        let details = match target.status {
            TargetTestStatus::Passed => String::new(),
            TargetTestStatus::NotRun => not_run_details(target, printer),
            _ => failure_details(target, printer),
        };
        if !details.is_empty() {
            out.push('\n');
            out.push_str(&details);
        }
    }
    out.push('\n');
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// The colour of a target's test status, in the grid and the live log.
pub(crate) fn status_style(status: TargetTestStatus) -> Style {
    match status {
        TargetTestStatus::Passed => Style::Success,
        TargetTestStatus::Failed | TargetTestStatus::BuildFailed => Style::Failure,
        TargetTestStatus::NotRun | TargetTestStatus::Cancelled => Style::Caution,
    }
}

/// The grid: a header, then one row per target. The runner is its kind: a description
/// such as `qemu-s390x (qemu-user 7.2.0)` would not leave room in 80 columns.
fn grid(report: &TestReport, printer: &Printer) -> String {
    let header = [
        "target", "runner", "status", "pass", "fail", "skip", "cached",
    ];
    let mut rows = vec![header.iter().map(|h| vec![(*h).to_owned()]).collect()];
    for target in &report.targets {
        let mut row = vec![
            target.id.clone(),
            target
                .runner
                .as_ref()
                .map_or("-", |r| r.kind.as_str())
                .to_owned(),
            printer.paint(status_word(target.status), status_style(target.status)),
        ];
        row.extend(counts(target));
        rows.push(row.into_iter().map(|cell| vec![cell]).collect());
    }
    render_cells(&rows)
}

/// Pass, fail, skip and cached-package counts; `-` for the tests of a target that ran
/// none, so that nothing reads as `0 failed` there.
fn counts(target: &TargetTests) -> [String; 4] {
    let ran = !target.tests.is_empty() || target.packages.iter().any(|p| p.status.is_some());
    let count = |status| {
        if ran {
            target.count(status).to_string()
        } else {
            "-".to_owned()
        }
    };
    [
        count(TestStatus::Pass),
        count(TestStatus::Fail),
        count(TestStatus::Skip),
        cached_packages(target).to_string(),
    ]
}

fn cached_packages(target: &TargetTests) -> usize {
    target.packages.iter().filter(|p| p.cached).count()
}

/// A failed, uncompiled or cancelled target: why, then each failing test and each package
/// that failed on its own (did not compile, panicked, exited badly) with its last lines.
fn failure_details(target: &TargetTests, printer: &Printer) -> String {
    let mut out = heading(target, printer);
    let fail = printer.paint("FAIL", Style::Failure);
    for test in leaf_failures(target) {
        out.push_str(&format!(
            "  {fail} {} {} ({:.2}s)\n",
            test.package, test.name, test.elapsed
        ));
        push_tail(&mut out, &message_lines(&test.output));
    }
    for package in target.packages.iter().filter(|p| package_failed(target, p)) {
        out.push_str(&format!(
            "  {fail} {}: {}\n",
            package.package,
            package_reason(package)
        ));
        let lines: Vec<&str> = package.output.iter().map(String::as_str).collect();
        push_tail(&mut out, &lines);
    }
    out
}

/// `linux/s390x: FAILED: 2 tests failed`, with the status word painted.
fn heading(target: &TargetTests, printer: &Printer) -> String {
    let mut out = format!(
        "{}: {}",
        target.id,
        printer.paint(status_word(target.status), status_style(target.status))
    );
    if let Some(reason) = &target.reason {
        out.push_str(&format!(": {reason}"));
    }
    out.push('\n');
    out
}

/// `  | line` for each of the last [`OUTPUT_TAIL`] lines.
fn push_tail(out: &mut String, lines: &[&str]) {
    for line in &lines[lines.len().saturating_sub(OUTPUT_TAIL)..] {
        out.push_str(&format!("    | {line}\n"));
    }
}

/// A target nothing here can run: why, and what to install.
fn not_run_details(target: &TargetTests, printer: &Printer) -> String {
    let mut out = heading(target, printer);
    if let Some(install) = &target.install {
        out.push_str(&format!("  hint: {install}\n"));
    }
    out
}

/// `tests: 7 targets passed, 2 failed, 1 not run; 123 passed, 3 failed, 4 skipped (5
/// packages cached)`.
fn summary_line(report: &TestReport) -> String {
    let targets = |status| report.targets.iter().filter(|t| t.status == status).count();
    let tests = |status| {
        report
            .targets
            .iter()
            .map(|t| t.count(status))
            .sum::<usize>()
    };
    let mut line = format!(
        "tests: {} passed",
        plural(targets(TargetTestStatus::Passed), "target", "targets")
    );
    push_counts(
        &mut line,
        &[
            (targets(TargetTestStatus::Failed), "failed"),
            (targets(TargetTestStatus::BuildFailed), "build failed"),
            (targets(TargetTestStatus::NotRun), "not run"),
            (targets(TargetTestStatus::Cancelled), "cancelled"),
        ],
    );
    line.push_str(&format!("; {} passed", tests(TestStatus::Pass)));
    push_counts(
        &mut line,
        &[
            (tests(TestStatus::Fail), "failed"),
            (tests(TestStatus::Skip), "skipped"),
        ],
    );
    let cached: usize = report.targets.iter().map(cached_packages).sum();
    if cached > 0 {
        let packages = plural(cached, "package", "packages");
        line.push_str(&format!(" ({packages} cached)"));
    }
    line
}

/// The failed tests none of whose subtests failed: the ones that say what went wrong.
fn leaf_failures(target: &TargetTests) -> impl Iterator<Item = &TestCase> {
    target.failures().filter(|test| {
        let prefix = format!("{}/", test.name);
        !target
            .failures()
            .any(|other| other.package == test.package && other.name.starts_with(&prefix))
    })
}

/// Whether a package failed on its own rather than through a test: its binary did not
/// compile, or it ended badly (panic, timeout, non-zero exit) with no test failing.
fn package_failed(target: &TargetTests, package: &PackageTests) -> bool {
    match package.status {
        Some(TestStatus::Fail) => !target.failures().any(|t| t.package == package.package),
        None => {
            target.status == TargetTestStatus::BuildFailed
                && (package.reason.is_some() || !package.output.is_empty())
        }
        Some(TestStatus::Pass | TestStatus::Skip) => false,
    }
}

fn package_reason(package: &PackageTests) -> &str {
    package.reason.as_deref().unwrap_or(match package.status {
        None => "did not compile",
        Some(_) => "the test binary failed",
    })
}

/// What a test said, without `go test -v`'s framing (`=== RUN`, `--- FAIL: TestX (0.00s)`),
/// one trimmed line each.
fn message_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("=== "))
        .filter(|line| {
            !["--- PASS:", "--- FAIL:", "--- SKIP:"]
                .iter()
                .any(|f| line.starts_with(f))
        })
        .collect()
}

/// `--junit FILE`: a testsuite per target and package, a testcase per test; written
/// atomically, like `build --junit`.
pub(crate) fn write_junit(
    path: &Path,
    report: &TestReport,
    printer: &Printer,
) -> Result<(), CliError> {
    junit::write_rendered(path, junit_xml(report), printer)
}

fn junit_xml(report: &TestReport) -> Result<String, quick_junit::SerializeError> {
    let mut xml = Report::new("crosscheck test");
    for target in &report.targets {
        if target.status == TargetTestStatus::NotRun || target.packages.is_empty() {
            xml.add_test_suite(target_suite(target));
        } else {
            xml.add_test_suites(target.packages.iter().map(|p| package_suite(target, p)));
        }
    }
    xml.to_string()
}

/// A target without package results (not run, or nothing listed): one suite, and one
/// testcase for the target unless it passed with no packages to test.
fn target_suite(target: &TargetTests) -> TestSuite {
    let mut suite = TestSuite::new(target.id.clone());
    let mut status = match target.status {
        TargetTestStatus::Passed => return suite,
        TargetTestStatus::NotRun | TargetTestStatus::Cancelled => TestCaseStatus::skipped(),
        TargetTestStatus::Failed | TargetTestStatus::BuildFailed => {
            TestCaseStatus::non_success(NonSuccessKind::Failure)
        }
    };
    let mut message = target
        .reason
        .clone()
        .unwrap_or_else(|| status_word(target.status).to_owned());
    if let Some(install) = &target.install {
        message.push_str(&format!(" (hint: {install})"));
    }
    status.set_message(message);
    let mut case = quick_junit::TestCase::new(target.id.clone(), status);
    case.set_classname(target.id.clone());
    suite.add_test_case(case);
    suite
}

/// One package on one target: its tests, and a testcase named after the package when the
/// package itself failed or did not run.
fn package_suite(target: &TargetTests, package: &PackageTests) -> TestSuite {
    let classname = format!("{} {}", target.id, package.package);
    let mut suite = TestSuite::new(classname.clone());
    suite.set_time(seconds(package.elapsed));
    if package.cached {
        suite.add_property(Property::new("cached", "true"));
    }
    let tests: Vec<&TestCase> = target
        .tests
        .iter()
        .filter(|t| t.package == package.package)
        .collect();
    for test in &tests {
        let mut case = quick_junit::TestCase::new(test.name.clone(), test_status(test));
        case.set_classname(classname.clone());
        case.set_time(seconds(test.elapsed));
        suite.add_test_case(case);
    }
    if let Some(status) = package_status(target, package, tests.is_empty()) {
        let mut case = quick_junit::TestCase::new(package.package.clone(), status);
        case.set_classname(classname);
        suite.add_test_case(case);
    }
    suite
}

fn test_status(test: &TestCase) -> TestCaseStatus {
    let lines = message_lines(&test.output);
    match test.status {
        TestStatus::Pass => TestCaseStatus::success(),
        TestStatus::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(lines.first().copied().unwrap_or("failed"));
            status.set_description(test.output.clone());
            status
        }
        TestStatus::Skip => {
            let mut status = TestCaseStatus::skipped();
            // t.Skip's message is the last thing a skipped test says.
            status.set_message(lines.last().copied().unwrap_or("skipped"));
            status
        }
    }
}

/// The package's own testcase: failed when it failed on its own, skipped when it did not
/// run or had no tests for this target; none when its tests tell its story.
fn package_status(
    target: &TargetTests,
    package: &PackageTests,
    no_tests: bool,
) -> Option<TestCaseStatus> {
    if package_failed(target, package) {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(package_reason(package));
        status.set_description(package.output.join("\n"));
        return Some(status);
    }
    let message = match package.status {
        // Not run because its target was not (cancelled): the target says why.
        None => package
            .reason
            .as_deref()
            .or(target.reason.as_deref())
            .unwrap_or("not run"),
        Some(TestStatus::Skip) if no_tests => package
            .reason
            .as_deref()
            .unwrap_or("no tests for this target"),
        Some(_) => return None,
    };
    let mut status = TestCaseStatus::skipped();
    status.set_message(message);
    Some(status)
}

/// Seconds as a test binary reported them; nonsense (negative, NaN) reads as zero.
fn seconds(elapsed: f64) -> Duration {
    Duration::try_from_secs_f64(elapsed).unwrap_or_default()
}

/// On GitHub Actions: an `::error` per failing test (at its `file_test.go:NN` when the
/// output names one), per package that failed on its own and per target that failed with
/// nothing more precise to say; then the grid as the job summary.
pub(crate) fn annotate(printer: &Printer, report: &TestReport, module_dir: &Path) {
    if !github::enabled() {
        return;
    }
    let sources = Sources::new(module_dir, std::env::var_os(GITHUB_WORKSPACE).as_deref());
    printer.stdout(&annotations(report, &sources));
    github::append_summary(printer, &markdown_summary(report));
}

fn annotations(report: &TestReport, sources: &Sources) -> String {
    let mut out = String::new();
    for target in &report.targets {
        let before = out.len();
        for test in leaf_failures(target) {
            let lines = message_lines(&test.output);
            let message = first_lines(&lines).unwrap_or_else(|| "failed".to_owned());
            let at = sources.locate(&test.package, &lines);
            out.push_str(&github::command_at(
                Level::Error,
                &format!("{}: {}.{}", target.id, test.package, test.name),
                at.as_ref().map(|(file, line)| (file.as_str(), *line)),
                &message,
            ));
        }
        for package in target.packages.iter().filter(|p| package_failed(target, p)) {
            let lines: Vec<&str> = package.output.iter().map(String::as_str).collect();
            let mut message = package_reason(package).to_owned();
            message.extend(first_lines(&lines).map(|text| format!("\n{text}")));
            let title = format!("{}: {}", target.id, package.package);
            let at = sources.locate(&package.package, &lines);
            let at = at.as_ref().map(|(file, line)| (file.as_str(), *line));
            out.push_str(&github::command_at(Level::Error, &title, at, &message));
        }
        let failed = matches!(
            target.status,
            TargetTestStatus::Failed | TargetTestStatus::BuildFailed
        );
        if failed && out.len() == before {
            let title = format!("{}: tests {}", target.id, status_word(target.status));
            let message = target.reason.as_deref().unwrap_or("failed");
            out.push_str(&github::command_at(Level::Error, &title, None, message));
        }
    }
    out
}

/// The first [`ANNOTATION_TAIL`] lines, joined; `None` when there are none.
fn first_lines(lines: &[&str]) -> Option<String> {
    (!lines.is_empty()).then(|| lines[..lines.len().min(ANNOTATION_TAIL)].join("\n"))
}

/// The job summary: the summary line and the grid as a Markdown table.
fn markdown_summary(report: &TestReport) -> String {
    let mut out = format!(
        "### crosscheck test\n\n{}\n\n",
        escape(&summary_line(report))
    );
    out.push_str("| target | runner | status | pass | fail | skip | cached |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for target in &report.targets {
        let icon = match target.status {
            TargetTestStatus::Passed => "✅",
            TargetTestStatus::Failed | TargetTestStatus::BuildFailed => "❌",
            TargetTestStatus::NotRun | TargetTestStatus::Cancelled => "⏭️",
        };
        let mut status = format!("{icon} {}", status_word(target.status));
        if let Some(reason) = &target.reason {
            status.push_str(&format!(": {}", escape(reason)));
        }
        let runner = target
            .runner
            .as_ref()
            .map_or("-".to_owned(), |r| escape(&r.description));
        out.push_str(&format!(
            "| `{}` | {runner} | {status} | {} |\n",
            target.id.replace('`', "'"),
            counts(target).join(" | ")
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod unit_tests {
    use std::path::PathBuf;

    use crosscheck_schema::{RunnerKind, SmokeRunner};

    use super::*;

    /// A target that ended with `status`, run by `runner` (a kind and its description).
    fn target(
        id: &str,
        status: TargetTestStatus,
        reason: Option<&str>,
        runner: Option<(RunnerKind, &str)>,
    ) -> TargetTests {
        let mut target = TargetTests::bare(id.to_owned(), status, reason.map(str::to_owned));
        target.runner = runner.map(|(kind, description)| SmokeRunner {
            kind,
            description: description.to_owned(),
        });
        target
    }

    /// A linux target run by `qemu-<arch>`.
    fn under_qemu(id: &str, status: TargetTestStatus, reason: &str) -> TargetTests {
        let arch = id.split('/').nth(1).unwrap_or_default();
        let description = format!("qemu-{arch} (qemu-user 7.2.0)");
        let runner = (RunnerKind::QemuUser, description.as_str());
        target(id, status, Some(reason), Some(runner))
    }

    fn package(name: &str, status: Option<TestStatus>, cached: bool) -> PackageTests {
        PackageTests {
            package: format!("example.com/m{name}"),
            status,
            elapsed: 0.25,
            cached,
            reason: None,
            output: Vec::new(),
        }
    }

    /// A test of `example.com/m{package}` that printed `said` between `go test -v`'s
    /// `=== RUN` and `--- PASS|FAIL|SKIP` lines.
    fn test(package: &str, name: &str, status: TestStatus, said: &[&str]) -> TestCase {
        let verdict = status.as_str().to_uppercase();
        let mut output = format!("=== RUN   {name}\n");
        for line in said {
            output.push_str(&format!("    {line}\n"));
        }
        output.push_str(&format!("--- {verdict}: {name} (0.00s)\n"));
        TestCase {
            package: format!("example.com/m{package}"),
            name: name.to_owned(),
            status,
            elapsed: 0.01,
            output,
        }
    }

    /// Native: two packages (one remembered), two passes and a skip.
    fn passed(id: &str) -> TargetTests {
        let mut target = target(
            id,
            TargetTestStatus::Passed,
            None,
            Some((RunnerKind::Native, "native")),
        );
        target.packages = vec![
            package("", Some(TestStatus::Pass), true),
            package("/order", Some(TestStatus::Pass), false),
        ];
        let skip = ["order_test.go:30: only on windows"];
        target.tests = vec![
            test("", "TestHello", TestStatus::Pass, &[]),
            test("/order", "TestWordSize", TestStatus::Pass, &[]),
            test("/order", "TestWindowsPaths", TestStatus::Skip, &skip),
        ];
        target
    }

    /// linux/s390x under qemu: a subtest fails (and so its parent), and the root
    /// package's binary panics after its tests passed.
    fn failed() -> TargetTests {
        let mut target = under_qemu("linux/s390x", TargetTestStatus::Failed, "2 tests failed");
        let mut crashed = package("", Some(TestStatus::Fail), false);
        crashed.reason = Some("exit status 2".to_owned());
        crashed.output = vec![
            "panic: boom".to_owned(),
            "goroutine 1 [running]:".to_owned(),
        ];
        target.packages = vec![crashed, package("/order", Some(TestStatus::Fail), false)];
        let why = ["order_test.go:12: got big, want little"];
        target.tests = vec![
            test("", "TestHello", TestStatus::Pass, &[]),
            test("/order", "TestByteOrder/little", TestStatus::Fail, &why),
            test("/order", "TestByteOrder/native", TestStatus::Pass, &[]),
            test("/order", "TestByteOrder", TestStatus::Fail, &[]),
        ];
        target
    }

    /// linux/arm/v7: one package's test binary does not compile, the other passes.
    fn build_failed() -> TargetTests {
        let reason = "1 test binary did not compile";
        let mut target = under_qemu("linux/arm/v7", TargetTestStatus::BuildFailed, reason);
        let mut broken = package("/order", None, false);
        broken.reason = Some("go test -c: exit status 1".to_owned());
        broken.output = vec![
            "order/order_test.go:8:14: cannot use 1 << 40 as int value (overflows)".to_owned(),
        ];
        target.packages = vec![package("", Some(TestStatus::Pass), false), broken];
        target.tests = vec![test("", "TestHello", TestStatus::Pass, &[])];
        target
    }

    /// Compiled, but nothing here runs it.
    fn not_run(id: &str, reason: &str, install: Option<&str>) -> TargetTests {
        let mut target = target(id, TargetTestStatus::NotRun, Some(reason), None);
        target.install = install.map(str::to_owned);
        target.packages = vec![package("", None, false)];
        target
    }

    /// Ctrl-C before its one package ran.
    fn cancelled() -> TargetTests {
        let reason = "interrupted (Ctrl-C)";
        let mut target = under_qemu("linux/riscv64", TargetTestStatus::Cancelled, reason);
        target.packages = vec![package("", None, false)];
        target
    }

    fn everything() -> TestReport {
        TestReport {
            targets: vec![
                passed("linux/amd64"),
                failed(),
                build_failed(),
                not_run(
                    "windows/amd64",
                    "wine64 is not installed",
                    Some("apt-get install wine64"),
                ),
                not_run("darwin/arm64", "no runner for darwin on a linux host", None),
                cancelled(),
            ],
        }
    }

    fn plain() -> Printer {
        Printer::for_tests(false)
    }

    #[test]
    fn all_passed() {
        let report = TestReport {
            targets: vec![passed("linux/amd64"), passed("linux/386")],
        };
        insta::assert_snapshot!(render(&report, &plain()));
    }

    #[test]
    fn failures_build_failures_not_run_and_cancelled() {
        insta::assert_snapshot!(render(&everything(), &plain()));
    }

    #[test]
    fn the_summary_line_counts_targets_tests_and_cached_packages() {
        assert_eq!(
            summary_line(&everything()),
            "tests: 1 target passed, 1 failed, 1 build failed, 2 not run, 1 cancelled; \
             5 passed, 2 failed, 1 skipped (1 package cached)"
        );
        let mut cached = passed("linux/amd64");
        cached.packages[1].cached = true;
        let report = TestReport {
            targets: vec![cached, passed("linux/386")],
        };
        assert_eq!(
            summary_line(&report),
            "tests: 2 targets passed; 4 passed, 2 skipped (3 packages cached)"
        );
        assert_eq!(
            summary_line(&TestReport::default()),
            "tests: 0 targets passed; 0 passed"
        );
    }

    #[test]
    fn a_subtest_failure_names_the_subtest_only() {
        let target = failed();
        let names: Vec<&str> = leaf_failures(&target).map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["TestByteOrder/little"]);
    }

    #[test]
    fn a_not_run_target_has_no_counts_to_read_as_passed() {
        let target = not_run("darwin/arm64", "no runner", None);
        assert_eq!(counts(&target), ["-", "-", "-", "0"]);
    }

    #[test]
    fn colour_paints_status_words_and_keeps_the_columns() {
        let coloured = render(&everything(), &Printer::for_tests(true));
        assert!(coloured.contains("\x1b[1;31mFAILED\x1b[0m"), "{coloured}");
        assert!(coloured.contains("\x1b[32mpassed\x1b[0m"), "{coloured}");
        assert!(coloured.contains("\x1b[1;33mnot run\x1b[0m"), "{coloured}");
        let stripped = coloured.replace("\x1b[1;31m", "").replace("\x1b[1;33m", "");
        let stripped = stripped.replace("\x1b[32m", "").replace("\x1b[0m", "");
        assert_eq!(stripped, render(&everything(), &plain()));
    }

    #[test]
    fn without_colour_nothing_is_painted() {
        // What NO_COLOR, --color never or a pipe give the reporters.
        assert!(!render(&everything(), &plain()).contains('\x1b'));
    }

    #[test]
    fn the_grid_fits_80_columns() {
        let mut report = everything();
        report.targets.push(passed("linux/arm64+cgo.gnu2.17"));
        let grid = grid(&report, &plain());
        for line in grid.lines() {
            assert!(line.chars().count() <= 80, "{line:?} is too wide");
        }
    }

    #[test]
    fn junit_has_a_suite_per_target_and_package() {
        let xml = junit_xml(&everything()).unwrap();
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn junit_is_written_atomically_where_asked() {
        let dir = scratch("junit");
        let path = dir.join("tests.xml");
        write_junit(&path, &everything(), &plain()).unwrap();
        let xml = std::fs::read_to_string(&path).unwrap();
        assert!(
            xml.contains(r#"<testsuite name="linux/s390x example.com/m/order""#),
            "{xml}"
        );
        assert!(write_junit(&dir.join("missing/tests.xml"), &everything(), &plain()).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// An empty directory of its own under the system's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("crosscheck-reporter-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A module `example.com/m` at `<scratch>/repo/go` with `order/order_test.go`.
    fn module(name: &str) -> (PathBuf, PathBuf) {
        let root = scratch(name).join("repo");
        let module = root.join("go");
        std::fs::create_dir_all(module.join("order")).unwrap();
        std::fs::write(
            module.join("go.mod"),
            "// test\nmodule example.com/m // here\n\ngo 1.22\n",
        )
        .unwrap();
        std::fs::write(module.join("order/order_test.go"), "package order\n").unwrap();
        (root, module)
    }

    #[test]
    fn annotations_place_a_failing_test_on_its_line() {
        let (root, module_dir) = module("annotations");
        let sources = Sources::new(&module_dir, Some(root.as_os_str()));
        insta::assert_snapshot!(annotations(&everything(), &sources));
        let outside = Sources::new(&module_dir, None);
        let text = annotations(&everything(), &outside);
        assert!(text.contains("file=order/order_test.go,line=12,"), "{text}");
        std::fs::remove_dir_all(root.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_reference_to_a_file_that_is_not_there_is_not_placed() {
        let (root, module_dir) = module("missing-file");
        let sources = Sources::new(&module_dir, None);
        assert_eq!(
            sources.locate("example.com/m/order", &["other_test.go:3: x"]),
            None
        );
        assert_eq!(
            sources.locate("example.org/else", &["order_test.go:3: x"]),
            None
        );
        assert_eq!(
            sources.locate("example.com/m", &["../go/go.mod.go:3: x"]),
            None
        );
        assert_eq!(
            sources.locate("example.com/m/order", &["./order_test.go:4:2: undefined"]),
            Some(("order/order_test.go".to_owned(), 4))
        );
        assert_eq!(
            sources.locate("example.com/m", &["order/order_test.go:8:14: overflows"]),
            Some(("order/order_test.go".to_owned(), 8))
        );
        assert_eq!(
            sources.locate("example.com/m/order", &["helper", "order_test.go:3: x"]),
            Some(("order/order_test.go".to_owned(), 3))
        );
        std::fs::remove_dir_all(root.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_target_whose_packages_could_not_be_listed_still_fails_everywhere() {
        let reason = Some("go list: exit status 1");
        let report = TestReport {
            targets: vec![target(
                "linux/mips",
                TargetTestStatus::BuildFailed,
                reason,
                None,
            )],
        };
        let sources = Sources::new(Path::new("/nonexistent"), None);
        assert_eq!(
            annotations(&report, &sources),
            "::error title=linux/mips%3A tests BUILD FAILED::go list: exit status 1\n"
        );
        let xml = junit_xml(&report).unwrap();
        assert!(
            xml.contains(r#"<failure message="go list: exit status 1"/>"#),
            "{xml}"
        );
        let text = render(&report, &plain());
        assert!(
            text.contains("linux/mips: BUILD FAILED: go list: exit status 1\n"),
            "{text}"
        );
        assert!(text.ends_with("tests: 0 targets passed, 1 build failed; 0 passed\n"));
    }

    #[test]
    fn the_job_summary_is_the_grid_in_markdown() {
        insta::assert_snapshot!(markdown_summary(&everything()));
    }
}
