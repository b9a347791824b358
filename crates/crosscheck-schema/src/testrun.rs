//! What `crosscheck test` recorded: per target, how its test binaries ran on its runner
//! ([`TargetTests`]), per package ([`PackageTests`]) and per test ([`TestCase`]).
//!
//! `crosscheck test --format json` prints a [`TestReport`]; the terminal grid, JUnit and
//! GitHub annotations are rendered from the same records.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::SmokeRunner;

/// `crosscheck test --format json`: one entry per selected target, in plan order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestReport {
    /// Every selected target.
    pub targets: Vec<TargetTests>,
}

/// The JSON schema of [`TestReport`] (`crosscheck schema test-report`), derived from these
/// types so it cannot drift from the output.
pub fn test_report_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(TestReport)).unwrap_or_default()
}

/// How one target's tests went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TargetTestStatus {
    /// Every test binary compiled, ran and passed.
    Passed,
    /// A test failed, or a test binary ended badly (panic, timeout, non-zero exit).
    Failed,
    /// The test binaries compiled, but this host has no runner for the target: never
    /// counted as passed.
    NotRun,
    /// A test binary did not compile (or its packages could not be listed).
    BuildFailed,
    /// Ctrl-C or `--fail-fast` stopped it before it ended.
    Cancelled,
}

impl TargetTestStatus {
    /// `passed`, `failed`, `not-run`, `build-failed`, `cancelled`: as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetTestStatus::Passed => "passed",
            TargetTestStatus::Failed => "failed",
            TargetTestStatus::NotRun => "not-run",
            TargetTestStatus::BuildFailed => "build-failed",
            TargetTestStatus::Cancelled => "cancelled",
        }
    }
}

/// One target's test run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetTests {
    /// The target id, e.g. `linux/s390x`.
    pub id: String,
    /// What ran its test binaries; absent when nothing here can.
    pub runner: Option<SmokeRunner>,
    /// How it went.
    pub status: TargetTestStatus,
    /// Why it failed, did not compile or did not run; null when it passed.
    pub reason: Option<String>,
    /// What would make a not-run target run, when something would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<String>,
    /// Every package with tests, in import path order.
    pub packages: Vec<PackageTests>,
    /// Every test (and subtest) of every package, in the order they ended.
    pub tests: Vec<TestCase>,
}

impl TargetTests {
    /// A target with nothing recorded yet but how it ended and why.
    pub fn bare(id: String, status: TargetTestStatus, reason: Option<String>) -> TargetTests {
        TargetTests {
            id,
            runner: None,
            status,
            reason,
            install: None,
            packages: Vec::new(),
            tests: Vec::new(),
        }
    }

    /// How many tests ended with `status`.
    pub fn count(&self, status: TestStatus) -> usize {
        self.tests.iter().filter(|t| t.status == status).count()
    }

    /// The tests that failed.
    pub fn failures(&self) -> impl Iterator<Item = &TestCase> {
        self.tests.iter().filter(|t| t.status == TestStatus::Fail)
    }
}

/// How a test, or a package's test binary, ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TestStatus {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Skipped (`t.Skip`), or for a package: it has no tests for this target.
    Skip,
}

impl TestStatus {
    /// `pass`, `fail`, `skip`: as in JSON and in `go test -json`.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Pass => "pass",
            TestStatus::Fail => "fail",
            TestStatus::Skip => "skip",
        }
    }
}

/// One package's test binary on one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackageTests {
    /// Its import path.
    pub package: String,
    /// How its test binary ended: `fail` also when it exited non-zero, panicked or timed
    /// out without any test failing. Absent when it did not compile or did not run.
    pub status: Option<TestStatus>,
    /// Seconds its test binary ran for, runner start-up included (0 when it did not run).
    pub elapsed: f64,
    /// Whether the result is a remembered one: the same test binary (by SHA-256) ran with
    /// the same runner, arguments and environment before, and passed.
    pub cached: bool,
    /// Why it failed, did not compile or did not run.
    pub reason: Option<String>,
    /// The last lines of its output that belong to no single test (panics, `FAIL`,
    /// compiler errors).
    pub output: Vec<String>,
}

/// One test or subtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestCase {
    /// The import path of its package.
    pub package: String,
    /// Its name, `TestX` or `TestX/sub`.
    pub name: String,
    /// How it ended.
    pub status: TestStatus,
    /// Seconds it took, as the test binary reported.
    pub elapsed: f64,
    /// What it printed (`t.Log`, the failure messages), as `go test -v` shows it.
    pub output: String,
}
