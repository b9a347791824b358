//! The test step (`crosscheck test`): for one target, list the packages with tests, compile
//! each package's test binary with the build's flags, and run each on the target's runner.
//!
//! Every test binary runs through `go tool test2json` (Go's own reader of the
//! `-test.v=test2json` framing), in its package's directory as `go test` runs it, in its
//! own process group with a deadline, so Ctrl-C and timeouts leave no qemu, node or wine
//! behind. A passing result is remembered ([`cache`]) and reused while the binary, the
//! runner, the arguments and the environment stay the same.

pub(crate) mod cache;
mod test2json;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crosscheck_planner::{
    PlannedTarget, TestPackage, TestRequest, parse_test_packages, test_binary_name,
    test_compile_batch_command, test_compile_command, test_list_command,
};
use crosscheck_schema::env_vars::SOURCE_DATE_EPOCH;
use crosscheck_schema::{
    PackageTests, Runnability, Runner, SmokeRunner, TargetTestStatus, TargetTests, TestCase,
    TestStatus,
};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::classify::TAIL_LINES;
use crate::prepare::{PreparedTarget, display_command};
use crate::process::{Cancel, CommandEnd, Stop, run_command};
use crate::runner::format_duration;
use crate::runners::setup::RunnerSetup;
use crate::runners::{HostRunners, resolve_runner};
use cache::{CacheKey, LinkKey, Remembered, ResultCache, runner_files};
use test2json::PackageRun;

/// How much longer than `-timeout` a test binary may run before it is stopped: Go's own
/// timeout panics with every goroutine's stack, which says far more than a kill.
const TIMEOUT_MARGIN: Duration = Duration::from_secs(30);

/// Where a target's test run reports what happens (the executor's log, tail and events).
pub(crate) trait Progress {
    /// A line a command printed (go list, the compiler, a test).
    fn line(&mut self, line: String);
    /// A line for the log only: a command line, how it ended.
    fn note(&mut self, line: &str);
    /// A package's test binary ended, ran from the cache, or could not compile or run.
    fn package(&mut self, package: &PackageTests);
}

/// Passes a command's output to the log only, not to the tail that explains a failure nor
/// to the live display; or, `keep_output` false, nowhere: `go list`'s lines are data (a
/// line per package, each with its dependencies), which the caller reads itself.
struct LogOnly<'a> {
    progress: &'a mut (dyn Progress + Send),
    keep_output: bool,
}

impl<'a> LogOnly<'a> {
    fn new(progress: &'a mut (dyn Progress + Send)) -> LogOnly<'a> {
        LogOnly {
            progress,
            keep_output: true,
        }
    }

    fn without_output(progress: &'a mut (dyn Progress + Send)) -> LogOnly<'a> {
        LogOnly {
            progress,
            keep_output: false,
        }
    }
}

impl Progress for LogOnly<'_> {
    fn line(&mut self, line: String) {
        if self.keep_output {
            self.progress.note(&line);
        }
    }

    fn note(&mut self, line: &str) {
        self.progress.note(line);
    }

    fn package(&mut self, package: &PackageTests) {
        self.progress.package(package);
    }
}

/// One target's test run: what to test, with what, and where.
pub(crate) struct TestJob<'a> {
    pub request: &'a TestRequest,
    pub target: &'a PreparedTarget,
    pub planned: &'a PlannedTarget,
    pub runners: &'a HostRunners,
    /// Readies a runner once per run (wine's prefix) before its first test binary.
    pub setup: &'a RunnerSetup,
    pub cache: &'a ResultCache,
    /// The go command (`go tool test2json` runs through it).
    pub go: &'a str,
    pub grace: Duration,
    /// The target's deadline (`--timeout`).
    pub deadline: Option<Instant>,
    /// The runner's program files ([`runner_files`]), looked at once per target: every
    /// package's cache key needs them, and they do not change during a run.
    pub runner_files: OnceLock<Vec<String>>,
}

/// A package whose test binary compiled, ready to run.
struct Compiled {
    package: TestPackage,
    /// The test binary's SHA-256.
    sha256: String,
    /// Where it is; `None` when it was not linked again because its link inputs are
    /// unchanged and either its result is remembered or nothing here runs it.
    binary: Option<PathBuf>,
    /// Where to link it should it be needed after all.
    place: PathBuf,
}

/// Runs the job to its end; a failure is a result.
pub(crate) async fn run_tests(
    job: &TestJob<'_>,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> TargetTests {
    let id = job.target.id.clone();
    let packages = match list_packages(job, progress, cancel).await {
        Ok(packages) => packages,
        Err(ended) => return ended.into_result(id),
    };
    let workdir = match tempfile::Builder::new()
        .prefix("crosscheck-test-")
        .tempdir()
    {
        Ok(dir) => dir,
        Err(error) => {
            let reason = format!("cannot create a directory for the test binaries: {error}");
            return TargetTests::bare(id, TargetTestStatus::BuildFailed, Some(reason));
        }
    };
    let mut result = TargetTests::bare(id, TargetTestStatus::Passed, None);
    let compiled = compile_all(job, packages, workdir.path(), &mut result, progress, cancel).await;
    run_compiled(job, compiled, &mut result, progress, cancel).await;
    result.packages.sort_by(|a, b| a.package.cmp(&b.package));
    conclude(&mut result, *cancel.borrow() != Cancel::No);
    result
}

/// Compiles the test binaries of every package with tests that needs one: at once where Go
/// can ([`compile_batch`]), then one by one for the rest (a package the batch did not write
/// did not compile, and its own `go test -c` says why, on its own). A package whose link
/// inputs produced a binary before is not linked again when that binary's result is
/// remembered or when nothing here runs it. Packages without tests are recorded as skipped.
async fn compile_all(
    job: &TestJob<'_>,
    packages: Vec<TestPackage>,
    workdir: &Path,
    result: &mut TargetTests,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> Vec<Compiled> {
    let (with_tests, without): (Vec<_>, Vec<_>) = packages.into_iter().partition(|p| p.has_tests);
    for package in &without {
        let skipped = no_test_files(package);
        progress.package(&skipped);
        result.packages.push(skipped);
    }
    let mut compiled = Vec::new();
    let mut to_link = Vec::new();
    for (number, package) in with_tests.into_iter().enumerate() {
        let place = binary_path(workdir, number, &package, &job.planned.goos);
        match unchanged_binary(job, &package) {
            Some(sha256) if !needs_binary(job, &package, &sha256) => compiled.push(Compiled {
                package,
                sha256,
                binary: None,
                place,
            }),
            _ => to_link.push((package, place)),
        }
    }
    let packages: Vec<TestPackage> = to_link.iter().map(|(p, _)| p.clone()).collect();
    let batch_dir = workdir.join("batch");
    let batched = compile_batch(job, &packages, &batch_dir, progress, cancel).await;
    for (package, place) in to_link {
        if *cancel.borrow() != Cancel::No {
            break;
        }
        let binary = match batched
            .iter()
            .find(|(path, _)| *path == package.import_path)
        {
            Some((_, binary)) => binary.clone(),
            None => match compile(job, &package, &place, progress, cancel).await {
                Ok(()) => place.clone(),
                Err(failed) => {
                    progress.package(&failed);
                    result.packages.push(failed);
                    continue;
                }
            },
        };
        match linked(job, package, binary, place).await {
            Ok(done) => compiled.push(done),
            Err(failed) => {
                progress.package(&failed);
                result.packages.push(failed);
            }
        }
    }
    compiled
}

/// The identity of a package's test binary before it is linked ([`LinkKey`]), when
/// `go list` knew every build ID.
fn link_digest(job: &TestJob<'_>, package: &TestPackage) -> Option<String> {
    let link_inputs = package.link_inputs.as_deref()?;
    let compile_argv = test_compile_command(job.planned, "", "");
    let mut env = job.target.env.clone();
    env.remove(SOURCE_DATE_EPOCH);
    Some(
        LinkKey {
            link_inputs,
            compile_argv: &compile_argv,
            env: &env,
        }
        .digest(),
    )
}

/// The SHA-256 of the binary the package's unchanged link inputs linked to before.
fn unchanged_binary(job: &TestJob<'_>, package: &TestPackage) -> Option<String> {
    job.cache.known_binary(&link_digest(job, package)?)
}

/// Whether a binary known by its SHA-256 must be linked again: only to run it, when no
/// result of it is remembered.
fn needs_binary(job: &TestJob<'_>, package: &TestPackage, sha256: &str) -> bool {
    match package_runner(job, package) {
        Some(runner) => !job
            .cache
            .has(&RunKey::new(job, package, &runner).digest(sha256)),
        None => false,
    }
}

/// A freshly linked test binary: hashed, and remembered as what its link inputs make.
async fn linked(
    job: &TestJob<'_>,
    package: TestPackage,
    binary: PathBuf,
    place: PathBuf,
) -> Result<Compiled, PackageTests> {
    let sha256 = sha256_file(&binary).await.map_err(|error| {
        failed_package(
            &package.import_path,
            format!("cannot read the test binary: {error}"),
        )
    })?;
    if let Some(link) = link_digest(job, &package) {
        job.cache.remember_binary(&link, &sha256);
    }
    Ok(Compiled {
        package,
        sha256,
        binary: Some(binary),
        place,
    })
}

/// One `go test -c -o DIR/` for every package whose test binary name no other package
/// shares (Go refuses the whole command otherwise); returns the binaries it wrote, by
/// import path. Its failure is not reported here: the packages it did not write are
/// compiled again one by one, which says which failed and why.
async fn compile_batch(
    job: &TestJob<'_>,
    packages: &[TestPackage],
    dir: &Path,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> Vec<(String, PathBuf)> {
    let goos = &job.planned.goos;
    let name = |package: &TestPackage| test_binary_name(&package.import_path, goos);
    let unique: Vec<&TestPackage> = packages
        .iter()
        .filter(|package| {
            packages
                .iter()
                .filter(|other| name(other) == name(package))
                .count()
                == 1
        })
        .collect();
    if unique.len() < 2 || std::fs::create_dir_all(dir).is_err() {
        return Vec::new();
    }
    let paths: Vec<&str> = unique.iter().map(|p| p.import_path.as_str()).collect();
    let argv = test_compile_batch_command(job.planned, &paths, &dir.to_string_lossy());
    // Its output is the failing packages' errors, which their own compile prints again.
    let _ = go_command(
        job,
        &argv,
        &mut LogOnly::new(progress),
        cancel,
        &mut Vec::new(),
    )
    .await;
    unique
        .into_iter()
        .map(|package| (package.import_path.clone(), dir.join(name(package))))
        .filter(|(_, binary)| binary.is_file())
        .collect()
}

/// Why a target ended before any test binary compiled.
struct Ended {
    status: TargetTestStatus,
    reason: String,
}

impl Ended {
    fn into_result(self, id: String) -> TargetTests {
        TargetTests::bare(id, self.status, Some(self.reason))
    }
}

/// `go list` of the requested packages for the target.
async fn list_packages(
    job: &TestJob<'_>,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<Vec<TestPackage>, Ended> {
    let argv = test_list_command(job.planned, job.request);
    let mut lines = Vec::new();
    let mut quiet = LogOnly::without_output(progress);
    let end = go_command(job, &argv, &mut quiet, cancel, &mut lines).await;
    match end {
        Ok(end) if end.success() => Ok(parse_test_packages(&lines)),
        Ok(end) if end.stopped == Some(Stop::Cancelled) => Err(Ended {
            status: TargetTestStatus::Cancelled,
            reason: "interrupted".to_owned(),
        }),
        Ok(end) => Err(Ended {
            status: TargetTestStatus::BuildFailed,
            reason: format!(
                "go list failed ({}): {}",
                end.describe(),
                last_lines(&lines, 3).join(" / ")
            ),
        }),
        Err(reason) => Err(Ended {
            status: TargetTestStatus::BuildFailed,
            reason,
        }),
    }
}

/// Runs a go command of the target (list, test -c) in the module directory with the
/// target's environment, collecting its output in `lines`.
async fn go_command(
    job: &TestJob<'_>,
    argv: &[String],
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
    lines: &mut Vec<String>,
) -> Result<CommandEnd, String> {
    progress.note(&format!("$ {}", display_command(argv)));
    let end = run_command(
        argv,
        &job.target.cwd,
        &job.target.env,
        job.deadline,
        job.grace,
        cancel,
        &mut |line| {
            lines.push(line.clone());
            progress.line(line);
        },
    )
    .await
    .map_err(|error| format!("cannot run {:?}: {error}", argv[0]))?;
    progress.note(&format!("# {}", end.describe()));
    Ok(end)
}

fn no_test_files(package: &TestPackage) -> PackageTests {
    PackageTests {
        status: Some(TestStatus::Skip),
        reason: Some("no test files".to_owned()),
        ..package_tests(&package.import_path)
    }
}

fn package_tests(import_path: &str) -> PackageTests {
    PackageTests {
        package: import_path.to_owned(),
        status: None,
        elapsed: 0.0,
        cached: false,
        reason: None,
        output: Vec::new(),
    }
}

/// Where a package's test binary goes: numbered, so packages with one name never collide,
/// and with `.exe` for windows, which wine needs to recognise a program.
fn binary_path(dir: &Path, number: usize, package: &TestPackage, goos: &str) -> PathBuf {
    let name = package.import_path.rsplit('/').next().unwrap_or("package");
    let suffix = if goos == "windows" { ".exe" } else { "" };
    dir.join(format!("{number:03}-{name}.test{suffix}"))
}

/// `go test -c` of one package; the package's failed record when it does not compile.
async fn compile(
    job: &TestJob<'_>,
    package: &TestPackage,
    binary: &Path,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> Result<(), PackageTests> {
    let argv = test_compile_command(job.planned, &package.import_path, &binary.to_string_lossy());
    let mut lines = Vec::new();
    let reason = match go_command(job, &argv, progress, cancel, &mut lines).await {
        Ok(end) if end.success() && binary.is_file() => return Ok(()),
        // A package with only external tests of nothing, or test files that all exclude
        // themselves: `go test -c` succeeds and writes no binary.
        Ok(end) if end.success() => {
            return Err(PackageTests {
                status: Some(TestStatus::Skip),
                reason: Some("no test binary (no tests for this target)".to_owned()),
                ..package_tests(&package.import_path)
            });
        }
        Ok(end) if end.stopped == Some(Stop::Cancelled) => "interrupted".to_owned(),
        Ok(end) => format!("the test binary did not compile ({})", end.describe()),
        Err(reason) => reason,
    };
    Err(PackageTests {
        reason: Some(reason),
        output: last_lines(&lines, TAIL_LINES),
        ..package_tests(&package.import_path)
    })
}

fn last_lines(lines: &[String], count: usize) -> Vec<String> {
    lines[lines.len().saturating_sub(count)..].to_vec()
}

/// Runs every compiled test binary on the target's runner, or records why none can run.
async fn run_compiled(
    job: &TestJob<'_>,
    compiled: Vec<Compiled>,
    result: &mut TargetTests,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) {
    let runnability = match resolve_runner(job.planned, job.runners) {
        Runnability::Runs(runner) if !compiled.is_empty() => {
            match job.setup.ready(&runner, cancel).await {
                Ok(()) => Runnability::Runs(runner),
                Err(not) => Runnability::NotRun {
                    reason: not.reason,
                    install: not.install,
                },
            }
        }
        other => other,
    };
    let runner = match runnability {
        Runnability::Runs(runner) => runner,
        Runnability::NotRun { reason, install } => {
            result.status = TargetTestStatus::NotRun;
            result.reason = Some(reason);
            result.install = install;
            for compiled in compiled {
                let package = package_tests(&compiled.package.import_path);
                progress.package(&package);
                result.packages.push(package);
            }
            return;
        }
    };
    result.runner = Some(SmokeRunner {
        kind: runner.kind,
        description: runner.description.clone(),
    });
    for compiled in compiled {
        if *cancel.borrow() != Cancel::No {
            break;
        }
        let (package, tests) = run_package(job, &compiled, progress, cancel).await;
        progress.package(&package);
        result.packages.push(package);
        result.tests.extend(tests);
    }
}

/// How a package's test binaries run here: the target's runner, with the package's
/// directory as the working directory WASI programs see (as with go test). `None`: they
/// do not run here.
fn package_runner(job: &TestJob<'_>, package: &TestPackage) -> Option<Runner> {
    let runners = HostRunners {
        workdir: package.dir.clone(),
        ..job.runners.clone()
    };
    match resolve_runner(job.planned, &runners) {
        Runnability::Runs(runner) => Some(runner),
        Runnability::NotRun { .. } => None,
    }
}

/// What decides a run's result besides the binary: its runner, arguments, environment and
/// directory ([`CacheKey`]).
struct RunKey {
    runner: Runner,
    runner_files: Vec<String>,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

impl RunKey {
    fn new(job: &TestJob<'_>, package: &TestPackage, runner: &Runner) -> RunKey {
        let env = run_env(&job.target.env, runner);
        let files = job
            .runner_files
            .get_or_init(|| runner_files(runner, env.get("PATH").map(String::as_str)));
        RunKey {
            runner: runner.clone(),
            runner_files: files.clone(),
            args: job.request.binary_args(),
            env,
            cwd: PathBuf::from(&package.dir),
        }
    }

    fn digest(&self, binary_sha256: &str) -> String {
        CacheKey {
            binary_sha256,
            runner: &self.runner,
            runner_files: self.runner_files.clone(),
            args: &self.args,
            env: &self.env,
            cwd: &self.cwd,
        }
        .digest()
    }
}

/// One package's test binary: its remembered result, or a run.
async fn run_package(
    job: &TestJob<'_>,
    compiled: &Compiled,
    progress: &mut (dyn Progress + Send),
    cancel: &mut watch::Receiver<Cancel>,
) -> (PackageTests, Vec<TestCase>) {
    let import_path = &compiled.package.import_path;
    let Some(runner) = package_runner(job, &compiled.package) else {
        return (package_tests(import_path), Vec::new());
    };
    let key = RunKey::new(job, &compiled.package, &runner);
    let digest = key.digest(&compiled.sha256);
    if let Some(remembered) = job.cache.get(&digest) {
        let package = PackageTests {
            cached: true,
            ..remembered.package
        };
        return (package, remembered.tests);
    }
    // Its remembered result went away since compile_all looked (another run cleaned the
    // cache): link it after all.
    let binary = match &compiled.binary {
        Some(binary) => binary.clone(),
        None => match compile(job, &compiled.package, &compiled.place, progress, cancel).await {
            Ok(()) => compiled.place.clone(),
            Err(failed) => return (failed, Vec::new()),
        },
    };
    let run = RunTestBinary {
        job,
        package: &compiled.package,
        binary: &binary,
        runner: &runner,
        args: &key.args,
        env: &key.env,
    };
    let (package, tests) = run.run(progress, cancel).await;
    if package.status == Some(TestStatus::Pass) {
        let remembered = Remembered { package, tests };
        job.cache.put(&digest, &remembered);
        return (remembered.package, remembered.tests);
    }
    (package, tests)
}

fn failed_package(import_path: &str, reason: String) -> PackageTests {
    PackageTests {
        status: Some(TestStatus::Fail),
        reason: Some(reason),
        ..package_tests(import_path)
    }
}

/// The target's environment, then what the runner needs (`QEMU_LD_PREFIX`, `WINEPREFIX`).
/// Without `SOURCE_DATE_EPOCH`: it is there for C compilers, and outside a git checkout it
/// is the time of the run, which would make every remembered result a stranger.
fn run_env(base: &BTreeMap<String, String>, runner: &Runner) -> BTreeMap<String, String> {
    let mut env = base.clone();
    env.remove(SOURCE_DATE_EPOCH);
    env.extend(runner.env.clone());
    env
}

async fn sha256_file(path: &Path) -> std::io::Result<String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(path)?;
        crosscheck_schema::dist::sha256_reader(&mut file).map(|(_, sha256)| sha256)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// One test binary's run under its runner, through `go tool test2json`.
struct RunTestBinary<'a> {
    job: &'a TestJob<'a>,
    package: &'a TestPackage,
    binary: &'a Path,
    runner: &'a Runner,
    args: &'a [String],
    env: &'a BTreeMap<String, String>,
}

impl RunTestBinary<'_> {
    fn argv(&self) -> Vec<String> {
        let mut argv = vec![
            self.job.go.to_owned(),
            "tool".to_owned(),
            "test2json".to_owned(),
            // -t: timestamps, and with them each test's Elapsed, which test2json otherwise
            // leaves out.
            "-t".to_owned(),
            "-p".to_owned(),
            self.package.import_path.clone(),
        ];
        argv.extend(self.runner.argv(&self.binary.to_string_lossy(), self.args));
        argv
    }

    /// The binary's deadline: `-timeout` and a margin, within the target's.
    fn deadline(&self) -> Instant {
        let own = Instant::now() + self.job.request.timeout + TIMEOUT_MARGIN;
        self.job.deadline.map_or(own, |target| target.min(own))
    }

    async fn run(
        &self,
        progress: &mut (dyn Progress + Send),
        cancel: &mut watch::Receiver<Cancel>,
    ) -> (PackageTests, Vec<TestCase>) {
        let import_path = &self.package.import_path;
        let argv = self.argv();
        progress.note(&format!("$ {}", display_command(&argv)));
        let mut run = PackageRun::new(import_path);
        let started = Instant::now();
        let end = run_command(
            &argv,
            Path::new(&self.package.dir),
            self.env,
            Some(self.deadline()),
            self.job.grace,
            cancel,
            &mut |line| {
                if let Some(text) = run.line(&line) {
                    progress.line(text);
                }
            },
        )
        .await;
        let interrupted = matches!(&end, Ok(end) if end.stopped == Some(Stop::Cancelled));
        let run = run.finish(interrupted);
        let reason = match &end {
            Ok(end) => package_failure(end, run.status, started.elapsed()),
            Err(error) => Some(format!("cannot run {:?}: {error}", argv[0])),
        };
        if let Ok(end) = &end {
            progress.note(&format!("# {}", end.describe()));
        }
        let status = match (&reason, run.status) {
            _ if interrupted => None,
            (None, status) => status,
            (Some(_), _) => Some(TestStatus::Fail),
        };
        let package = PackageTests {
            status,
            // What the binary reports is 0 when it printed no timing of its own (with
            // -test.v=test2json it prints a bare PASS/FAIL); the wall time is what the run
            // cost, emulator start-up included.
            elapsed: run.elapsed.max(round_ms(started.elapsed())),
            reason,
            output: run.output,
            ..package_tests(import_path)
        };
        (package, run.tests)
    }
}

/// Why a test binary's run failed, or `None` when it passed (or skipped everything).
fn package_failure(
    end: &CommandEnd,
    reported: Option<TestStatus>,
    ran: Duration,
) -> Option<String> {
    match end.stopped {
        Some(Stop::Timeout) => return Some(format!("timed out after {}", format_duration(ran))),
        Some(Stop::Cancelled) => return Some("interrupted".to_owned()),
        None => {}
    }
    match (reported, end.success()) {
        (Some(TestStatus::Fail), _) => Some("tests failed".to_owned()),
        (Some(_), true) => None,
        (Some(_), false) => Some(format!(
            "the test binary reported success but ended with {}",
            end.describe()
        )),
        (None, _) => Some(format!(
            "the test binary ended with {} before reporting a result",
            end.describe()
        )),
    }
}

/// The target's status from its packages.
fn conclude(result: &mut TargetTests, cancelled: bool) {
    let compile_failures: Vec<&PackageTests> = result
        .packages
        .iter()
        .filter(|p| p.status.is_none() && p.reason.is_some())
        .collect();
    let failed = result
        .packages
        .iter()
        .filter(|p| p.status == Some(TestStatus::Fail))
        .count();
    let (status, reason) = if cancelled {
        (TargetTestStatus::Cancelled, Some("interrupted".to_owned()))
    } else if let Some(first) = compile_failures.first() {
        let reason = format!(
            "{} of {} test binaries did not compile (first: {})",
            compile_failures.len(),
            result.packages.len(),
            first.package
        );
        (TargetTestStatus::BuildFailed, Some(reason))
    } else if failed > 0 {
        let tests = result.failures().count();
        let reason = format!(
            "{} failed in {}",
            counted(tests, "test"),
            counted(failed, "package")
        );
        (TargetTestStatus::Failed, Some(reason))
    } else {
        return;
    };
    result.status = status;
    result.reason = reason;
}

/// Seconds, to the millisecond, as `go test -json` reports them.
fn round_ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

/// `1 test`, `2 tests`.
fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_passes_only_when_it_said_so_and_exited_zero() {
        let second = Duration::from_secs(1);
        assert_eq!(
            package_failure(
                &CommandEnd::exited(Some(0), None),
                Some(TestStatus::Pass),
                second
            ),
            None
        );
        assert_eq!(
            package_failure(
                &CommandEnd::exited(Some(1), None),
                Some(TestStatus::Fail),
                second
            )
            .as_deref(),
            Some("tests failed")
        );
        assert!(
            package_failure(
                &CommandEnd::exited(Some(3), None),
                Some(TestStatus::Pass),
                second
            )
            .unwrap()
            .contains("exit status 3")
        );
        assert!(
            package_failure(&CommandEnd::exited(Some(2), None), None, second)
                .unwrap()
                .contains("before reporting")
        );
        assert_eq!(
            package_failure(&CommandEnd::exited(None, Some(Stop::Timeout)), None, second)
                .as_deref(),
            Some("timed out after 1s")
        );
    }

    fn package(name: &str, status: Option<TestStatus>, reason: Option<&str>) -> PackageTests {
        PackageTests {
            status,
            reason: reason.map(str::to_owned),
            ..package_tests(name)
        }
    }

    #[test]
    fn a_compile_failure_outranks_failed_tests() {
        let mut result = TargetTests::bare("linux/s390x".into(), TargetTestStatus::Passed, None);
        result.packages = vec![
            package("a", Some(TestStatus::Fail), Some("tests failed")),
            package(
                "b",
                None,
                Some("the test binary did not compile (exit status 1)"),
            ),
            package("c", Some(TestStatus::Skip), Some("no test files")),
        ];
        conclude(&mut result, false);
        assert_eq!(result.status, TargetTestStatus::BuildFailed);
        assert!(result.reason.as_deref().unwrap().contains("1 of 3"));

        result.packages.remove(1);
        conclude(&mut result, false);
        assert_eq!(result.status, TargetTestStatus::Failed);

        result.packages.remove(0);
        result.status = TargetTestStatus::Passed;
        result.reason = None;
        conclude(&mut result, false);
        assert_eq!(result.status, TargetTestStatus::Passed);
        conclude(&mut result, true);
        assert_eq!(result.status, TargetTestStatus::Cancelled);
    }

    #[test]
    fn test_binaries_are_numbered_and_windows_ones_are_exe() {
        let package = TestPackage {
            import_path: "example.com/m/codec".into(),
            dir: "/m/codec".into(),
            has_tests: true,
            link_inputs: None,
        };
        assert_eq!(
            binary_path(Path::new("/t"), 3, &package, "windows"),
            Path::new("/t/003-codec.test.exe")
        );
        assert_eq!(
            binary_path(Path::new("/t"), 3, &package, "linux"),
            Path::new("/t/003-codec.test")
        );
    }
}
