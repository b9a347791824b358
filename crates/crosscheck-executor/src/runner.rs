//! The run: lock, prepare, download modules once, fan out, record.
//!
//! [`run`] owns a single-threaded tokio runtime. The main future forwards [`Event`]s from a
//! channel to the caller's callback while a dispatcher starts target tasks longest-first,
//! at most `jobs` at a time. Cancellation (Ctrl-C, fail-fast) is one `watch` value,
//! [`Cancel`], that every running command watches and that only rises.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crosscheck_planner::{CheckMethod, HookKind, Plan, PlannedTarget, Target, TestRequest};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crosscheck_schema::dist::{self, LOGS_DIR};
use crosscheck_schema::{
    Failure, FailureKind, Inspection, LockPolicy, PackageTests, Reproduction, Runnability,
    SmokeResult, Status, TargetTestStatus,
};

use crate::classify::{TAIL_LINES, classify};
use crate::env::inherited_env;
use crate::error::ExecutorError;
use crate::event::{Event, RunSummary, TargetResult};
use crate::hooks::{HookEnd, HookFailure, HookJob, HookSink, run_hooks};
use crate::options::{FailurePolicy, Mode, RunOptions};
use crate::prepare::{Preparation, PreparedTarget, display_command, prepare};
use crate::process::{Cancel, CommandEnd, Stop, run_command};
use crate::runners::setup::RunnerSetup;
use crate::runners::{HostRunners, resolve_runner};
use crate::schedule::{SharedWorkQueue, Timings, longest_first};
use crate::sign::{SignEnd, SignJob, sign_artifact};
use crate::smoke::{SmokeJob, run_smoke};
use crate::testing::cache::ResultCache;
use crate::testing::{Progress as TestProgress, TestJob, run_tests};

/// Runs `plan` and reports each step to `on_event`; returns when every target has ended.
///
/// Target failures are results, not errors: the summary says which failed and why. An
/// error means the run could not happen or could not record its results (lock held with
/// [`LockPolicy::NoWait`], dist not writable, modules not downloadable, interrupted before
/// any build started).
pub fn run(
    plan: &Plan,
    options: &RunOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary, ExecutorError> {
    if options.jobs == 0 {
        return Err(ExecutorError::InvalidOptions(
            "-j must be at least 1".to_owned(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ExecutorError::Runtime)?;
    let result = runtime.block_on(run_async(plan, options, on_event));
    // Blocking tasks (hashing, inspecting) are done by now; do not wait on stragglers.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

/// What every target task shares.
struct Shared {
    plan: Plan,
    options: RunOptions,
    dist: PathBuf,
    events: mpsc::UnboundedSender<Event>,
    cancel: watch::Sender<Cancel>,
    interrupted: AtomicBool,
    /// How this host runs each target; detected only when the plan has smoke runs.
    runners: Option<HostRunners>,
    /// Prepares runners once (wine's prefix) and stops what they leave running.
    setup: RunnerSetup,
    /// The constructed environment's common part (allowlist and `pass_env`): each target's
    /// is built from it, and `go mod download` and every hook run with it (a hook without a
    /// target's GOOS/GOARCH, so that its own `go run` builds for the host).
    inherited: BTreeMap<String, String>,
}

impl Shared {
    fn emit(&self, event: Event) {
        // The receiver lives until the run ends.
        let _ = self.events.send(event);
    }

    fn raise(&self, level: Cancel) {
        self.cancel.send_if_modified(|current| {
            let raised = level > *current;
            if raised {
                *current = level;
            }
            raised
        });
    }

    fn is_build(&self) -> bool {
        self.options.mode == Mode::Build
    }
}

async fn run_async(
    plan: &Plan,
    options: &RunOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary, ExecutorError> {
    let started = Instant::now();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (cancel_tx, cancel_rx) = watch::channel(Cancel::No);
    let dist_dir = PathBuf::from(&plan.dist_dir);
    let runners = host_runners(plan, options);
    let notices = events_tx.clone();
    let setup = RunnerSetup::new(runners.as_ref(), &options.host, options.grace_period)
        .with_notice(move |what| {
            let _ = notices.send(Event::PreparingRunner { what });
        });
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        options: options.clone(),
        dist: dist_dir.clone(),
        events: events_tx,
        cancel: cancel_tx,
        interrupted: AtomicBool::new(false),
        runners,
        setup,
        inherited: inherited_env(&options.parent_env, &plan.pass_env),
    });
    let signals = options
        .handle_signals
        .then(|| tokio::spawn(handle_signals(Arc::clone(&shared))));
    let outcome = run_locked(&shared, cancel_rx, &mut events, on_event, started).await;
    if let Some(task) = signals {
        task.abort();
    }
    outcome
}

/// The host's runners for a run that runs binaries (a build with smoke runs, a test run):
/// the caller's, or detected once here for the targets that run.
fn host_runners(plan: &Plan, options: &RunOptions) -> Option<HostRunners> {
    let running: Vec<PlannedTarget> = match options.mode {
        Mode::Build => plan
            .targets
            .iter()
            .filter(|t| t.smoke.is_some())
            .cloned()
            .collect(),
        Mode::Test(_) => plan.targets.clone(),
        Mode::Check(_) => Vec::new(),
    };
    if running.is_empty() {
        return None;
    }
    Some(
        options
            .runners
            .clone()
            .unwrap_or_else(|| HostRunners::detect(&running)),
    )
}

async fn run_locked(
    shared: &Arc<Shared>,
    mut cancel: watch::Receiver<Cancel>,
    events: &mut mpsc::UnboundedReceiver<Event>,
    on_event: &mut dyn FnMut(Event),
    started: Instant,
) -> Result<RunSummary, ExecutorError> {
    // Held until the manifest and the checksums are written.
    let _lock = lock_dist(shared, &mut cancel, on_event).await?;
    download_modules(shared, &shared.inherited, &mut cancel, on_event).await?;
    let typecheck = typecheck_helper(shared, &mut cancel, on_event).await?;
    let prepared = prepare_targets(shared, &shared.inherited, typecheck.as_deref());
    run_once_hooks(shared, HookKind::Before, &mut cancel, on_event)
        .await
        .map_err(|failure| failure.map_or(ExecutorError::Interrupted, ExecutorError::Hook))?;

    let history = History::load(shared);
    let order = history.order(&shared.plan);
    let jobs = shared.options.jobs.min(prepared.len()).max(1);
    announce(&prepared, &order, jobs, on_event);
    let dispatched = dispatch(
        Arc::clone(shared),
        prepared.clone(),
        order,
        jobs,
        cancel.clone(),
    );
    let results = forward_events(dispatched, events, on_event).await;
    // Every target task has ended, Ctrl-C or not: nothing may outlive the run.
    shared.setup.shutdown().await;
    let interrupted = shared.interrupted.load(Ordering::SeqCst);
    let duration = started.elapsed();
    history.record(&results);

    let mut manifest = crate::manifest::record(&shared.plan, &prepared, &results);
    manifest.interrupted = interrupted;
    let mut summary = RunSummary {
        results,
        interrupted,
        duration,
        jobs,
        manifest,
        manifest_path: None,
        checksums: None,
        packaged: Vec::new(),
        package_failures: Vec::new(),
        after_hook_failure: None,
        checksum_signing_failure: None,
    };
    if shared.is_build() {
        write_dist(shared, &mut summary, &mut cancel, on_event).await?;
        if all_written(&summary) {
            let ran = run_once_hooks(shared, HookKind::After, &mut cancel, on_event);
            match ran.await {
                Ok(()) => {}
                Err(None) => {
                    // The manifest was written before the hooks: it must not say the run
                    // ended normally when Ctrl-C stopped them.
                    summary.interrupted = true;
                    summary.manifest.interrupted = true;
                    summary.manifest_path =
                        Some(dist::write_manifest(&shared.dist, &summary.manifest)?);
                }
                Err(Some(failure)) => summary.after_hook_failure = Some(failure),
            }
        }
    }
    Ok(summary)
}

/// Whether the run wrote everything it planned, so that `after` hooks (which may sign or
/// upload what is in dist) see a complete dist: not interrupted, every target built, every
/// package written.
fn all_written(summary: &RunSummary) -> bool {
    !summary.interrupted
        && summary.package_failures.is_empty()
        && summary.checksum_signing_failure.is_none()
        && summary.results.iter().all(|r| r.status == Status::Built)
}

/// Runs the `before` or `after` hooks in the module directory with the constructed
/// environment, logged to `dist/logs/hooks-<kind>.log` (a check writes no log). `Err(None)`:
/// interrupted.
async fn run_once_hooks(
    shared: &Shared,
    kind: HookKind,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<(), Option<HookFailure>> {
    let hooks = &shared.plan.hooks;
    let commands = match kind {
        HookKind::Before => &hooks.before,
        HookKind::After => &hooks.after,
        HookKind::AfterBuild => return Ok(()),
    };
    if commands.is_empty() {
        return Ok(());
    }
    let job = HookJob {
        kind,
        index: None,
        cwd: Path::new(&shared.plan.project.module_dir),
        env: &shared.inherited,
        timeout: shared.options.timeout,
        grace: shared.options.grace_period,
    };
    let log = shared.is_build().then(|| {
        Log::open(
            &shared.dist,
            &format!("hooks-{}", kind.key().replace('_', "-")),
        )
    });
    let mut sink = OnceSink { log, on_event };
    let end = run_hooks(&job, commands, cancel, &mut sink).await;
    if let Some(log) = sink.log {
        log.close();
    }
    match end {
        HookEnd::Succeeded => Ok(()),
        HookEnd::Cancelled => Err(None),
        HookEnd::Failed(failure) => Err(Some(failure)),
    }
}

/// Where a `before` or `after` hook's output goes: its own log, and events to the caller.
struct OnceSink<'a> {
    log: Option<Log>,
    on_event: &'a mut dyn FnMut(Event),
}

impl HookSink for OnceSink<'_> {
    fn event(&mut self, event: Event) {
        (self.on_event)(event);
    }

    fn note(&mut self, line: &str) {
        if let Some(log) = &mut self.log {
            log.line(line);
        }
    }

    fn line(&mut self, line: String) {
        self.note(&line);
    }

    fn log_path(&self) -> Option<PathBuf> {
        self.log.as_ref().map(|log| log.path.clone())
    }
}

/// A build takes the dist lock and readies the directory; a check writes nothing there, so
/// it neither waits for nor blocks a build.
async fn lock_dist(
    shared: &Shared,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Option<dist::DistLock>, ExecutorError> {
    if !shared.is_build() {
        return Ok(None);
    }
    let lock = acquire_lock(&shared.dist, shared.options.lock, cancel, on_event).await?;
    if !lock.held() {
        on_event(Event::LockUnsupported {
            lock: lock.path.clone(),
        });
    }
    dist::prepare(&shared.dist)?;
    Ok(Some(lock))
}

/// crosscheck's own files for this run: the state directory given, the dist directory's for
/// a build, a temporary one for a check (which writes no dist).
fn state_dir(shared: &Shared) -> PathBuf {
    match (&shared.options.state_dir, shared.is_build()) {
        (Some(dir), _) => dir.clone(),
        (None, true) => shared.dist.join(dist::STATE_DIR),
        (None, false) => std::env::temp_dir().join("crosscheck"),
    }
}

/// Prepares every target, with its zig caches in the state directory.
fn prepare_targets(
    shared: &Shared,
    inherited: &BTreeMap<String, String>,
    typecheck: Option<&Path>,
) -> Vec<PreparedTarget> {
    let options = &shared.options;
    let zig_base = state_dir(shared);
    let how = Preparation {
        mode: &options.mode,
        host: &options.host,
        inherited,
        zig_cache_base: &zig_base,
        typecheck,
        jobs: options.jobs.min(shared.plan.targets.len()),
    };
    prepare(&shared.plan, &how)
}

/// Builds crosscheck's Go type-checker when this run type-checks a target from source; it
/// is built once per Go version and source, so this is a lookup after the first run.
async fn typecheck_helper(
    shared: &Shared,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Option<PathBuf>, ExecutorError> {
    let Mode::Check(request) = &shared.options.mode else {
        return Ok(None);
    };
    let plan = &shared.plan;
    let Some(first) = plan
        .targets
        .iter()
        .find(|t| CheckMethod::of(t, request) == CheckMethod::TypeCheck)
    else {
        return Ok(None);
    };
    let go = first.argv.first().map_or("go", String::as_str);
    let cache = state_dir(shared);
    let grace = shared.options.grace_period;
    let mut announce = || {
        on_event(Event::PreparingRunner {
            what: format!("building crosscheck's Go type-checker with {go} (once per Go version)"),
        })
    };
    let built = crate::typecheck::ensure_helper(
        go,
        &cache,
        &shared.inherited,
        grace,
        cancel,
        &mut announce,
    )
    .await;
    match built {
        Ok(helper) => Ok(Some(helper)),
        Err(_) if *cancel.borrow() != Cancel::No => Err(ExecutorError::Interrupted),
        Err(why) => Err(ExecutorError::TypeChecker(why)),
    }
}

/// The durations earlier runs recorded for this project and mode: they order this run,
/// which adds its own. Without a state directory nothing is remembered.
struct History {
    timings: Timings,
    path: Option<PathBuf>,
    project: String,
}

impl History {
    fn load(shared: &Shared) -> History {
        let path = shared.options.state_dir.as_deref().map(Timings::path);
        History {
            timings: path.as_deref().map(Timings::load).unwrap_or_default(),
            path,
            project: timings_key(&shared.plan, &shared.options.mode),
        }
    }

    /// The order to start the plan's targets in: indices, longest first.
    fn order(&self, plan: &Plan) -> Vec<usize> {
        let ids: Vec<Target> = plan.targets.iter().map(|t| t.id.clone()).collect();
        longest_first(&ids, &self.project, &self.timings)
    }

    /// Records the targets that ran to success (a failed or stopped build says nothing of
    /// how long a build takes) and saves the file.
    fn record(mut self, results: &[TargetResult]) {
        for result in results {
            if matches!(result.status, Status::Built | Status::Checked) {
                self.timings
                    .record(&self.project, &result.id, result.duration);
            }
        }
        if let Some(path) = &self.path {
            // Timings only steer scheduling; failing to save them must not fail the run.
            let _ = self.timings.save(path);
        }
    }
}

/// Tells the caller how many targets run, how many at once, and the order they queue in.
fn announce(
    prepared: &[PreparedTarget],
    order: &[usize],
    jobs: usize,
    on_event: &mut dyn FnMut(Event),
) {
    on_event(Event::RunStarted {
        targets: prepared.len(),
        jobs,
    });
    for &index in order {
        on_event(Event::Queued {
            index,
            id: prepared[index].id.clone(),
        });
    }
}

/// Passes the targets' events to the caller as they come until `work` is done, then those
/// still queued, so that every event reaches the caller before the run returns.
async fn forward_events<T>(
    work: impl Future<Output = T>,
    events: &mut mpsc::UnboundedReceiver<Event>,
    on_event: &mut dyn FnMut(Event),
) -> T {
    tokio::pin!(work);
    let output = loop {
        tokio::select! {
            biased;
            Some(event) = events.recv() => on_event(event),
            output = &mut work => break output,
        }
    };
    while let Ok(event) = events.try_recv() {
        on_event(event);
    }
    output
}

/// Writes what a build leaves in the dist directory, in this order: the packages, which the
/// manifest records (archives, SBOMs and universal binaries through the
/// [`Package`](crate::Package) hook, then the Linux packages); `manifest.json`;
/// `SHA256SUMS`, covering the artifacts and the packages; its signatures (`[sign]`), after
/// which the manifest is written again to record them. An interrupted build is neither
/// packaged nor signed, as the hook promises.
async fn write_dist(
    shared: &Shared,
    summary: &mut RunSummary,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<(), ExecutorError> {
    if let Some(packager) = &shared.options.package
        && !summary.interrupted
    {
        let outcome = packager.package(&shared.plan, &shared.dist, &mut summary.manifest);
        summary.packaged = outcome.files;
        summary.package_failures = outcome.failures;
    }
    if !summary.interrupted {
        let mut writer = crate::linux_packages::PackageWriter {
            plan: &shared.plan,
            dist: &shared.dist,
            state_dir: shared.options.state_dir.as_deref(),
            env: &shared.inherited,
            grace: shared.options.grace_period,
            verify_reproducible: shared.options.verify_reproducible,
            check: shared.options.check_linux_package.as_deref(),
            on_event,
        };
        let written = writer
            .write_all(&mut summary.manifest.targets, cancel)
            .await;
        summary.packaged.extend(written.files);
        summary.package_failures.extend(written.failures);
    }
    summary.manifest_path = Some(dist::write_manifest(&shared.dist, &summary.manifest)?);
    let built = summary.results.iter().filter_map(|r| r.artifact.as_ref());
    summary.checksums = Some(dist::write_checksums(
        &shared.dist,
        built.chain(&summary.packaged),
    )?);
    if let Some(packager) = &shared.options.package
        && !summary.interrupted
    {
        match packager.sign_checksums(&shared.plan, &shared.dist) {
            Ok(signatures) if signatures.is_empty() => {}
            Ok(signatures) => {
                summary.manifest.checksum_signatures = signatures;
                summary.manifest_path =
                    Some(dist::write_manifest(&shared.dist, &summary.manifest)?);
            }
            Err(message) => summary.checksum_signing_failure = Some(message),
        }
    }
    let _ = std::fs::remove_dir_all(shared.dist.join(crosscheck_schema::STAGING_DIR));
    Ok(())
}

fn timings_key(plan: &Plan, mode: &Mode) -> String {
    let mode = match mode {
        Mode::Build => "build",
        Mode::Check(_) => "check",
        Mode::Test(_) => "test",
    };
    format!("{mode}:{}", plan.project.module_dir)
}

async fn cancelled(cancel: &mut watch::Receiver<Cancel>) {
    if cancel.wait_for(|level| *level != Cancel::No).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn acquire_lock(
    dist: &Path,
    policy: LockPolicy,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<dist::DistLock, ExecutorError> {
    let mut waiter = dist::LockWaiter::new(dist, policy);
    loop {
        if let Some(lock) = waiter.attempt(|lock| on_event(Event::WaitingForLock { lock }))? {
            return Ok(lock);
        }
        tokio::select! {
            () = tokio::time::sleep(dist::LOCK_POLL) => {}
            () = cancelled(cancel) => return Err(ExecutorError::Interrupted),
        }
    }
}

async fn download_modules(
    shared: &Arc<Shared>,
    inherited: &BTreeMap<String, String>,
    cancel: &mut watch::Receiver<Cancel>,
    on_event: &mut dyn FnMut(Event),
) -> Result<(), ExecutorError> {
    let plan = &shared.plan;
    let module_dir = Path::new(&plan.project.module_dir);
    // A vendored module builds from vendor/; nothing to download.
    if plan.targets.is_empty() || module_dir.join("vendor").join("modules.txt").is_file() {
        return Ok(());
    }
    let argv = vec![
        plan.go.command.clone(),
        "mod".to_owned(),
        "download".to_owned(),
    ];
    on_event(Event::DownloadingModules { argv: argv.clone() });
    let mut lines = Vec::new();
    let end = run_command(
        &argv,
        module_dir,
        inherited,
        None,
        shared.options.grace_period,
        cancel,
        &mut |line| lines.push(line),
    )
    .await
    .map_err(|source| ExecutorError::GoNotFound {
        command: plan.go.command.clone(),
        source,
    })?;
    if end.stopped.is_some() {
        return Err(ExecutorError::Interrupted);
    }
    if !end.success() {
        let tail = lines.len().saturating_sub(TAIL_LINES);
        return Err(ExecutorError::ModDownload {
            command: display_command(&argv),
            dir: plan.project.module_dir.clone(),
            output: lines[tail..].join("\n"),
        });
    }
    Ok(())
}

/// Runs the targets, `jobs` at a time, in `order` as far as [`SharedWorkQueue`] allows;
/// after Ctrl-C nothing more starts, and what did not start is skipped.
async fn dispatch(
    shared: Arc<Shared>,
    prepared: Vec<PreparedTarget>,
    order: Vec<usize>,
    jobs: usize,
    mut cancel: watch::Receiver<Cancel>,
) -> Vec<TargetResult> {
    let ids: Vec<Target> = shared.plan.targets.iter().map(|t| t.id.clone()).collect();
    let mut queue = SharedWorkQueue::new(&ids, order);
    let mut running: JoinSet<TargetResult> = JoinSet::new();
    let mut indexes: BTreeMap<tokio::task::Id, usize> = BTreeMap::new();
    let mut results: Vec<Option<TargetResult>> = vec![None; prepared.len()];
    let mut stopping = false;
    loop {
        while !stopping && running.len() < jobs {
            let Some(index) = queue.next_ready() else {
                break;
            };
            let target = prepared[index].clone();
            let task_shared = Arc::clone(&shared);
            let task_cancel = cancel.clone();
            let task =
                running.spawn(async move { run_target(&task_shared, target, task_cancel).await });
            indexes.insert(task.id(), index);
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            () = cancelled(&mut cancel), if !stopping => stopping = true,
            Some(joined) = running.join_next_with_id() => {
                let (index, result) = match joined {
                    Ok((id, result)) => (indexes[&id], result),
                    Err(error) => {
                        let index = indexes[&error.id()];
                        (index, aborted_result(&prepared[index], &error))
                    }
                };
                queue.finished(index);
                results[index] = Some(result);
            }
        }
    }
    for index in queue.not_started() {
        results[index] = Some(skipped(&shared, &prepared[index]));
    }
    results
        .into_iter()
        .zip(&prepared)
        .map(|(result, target)| result.unwrap_or_else(|| skipped(&shared, target)))
        .collect()
}

/// The result of a target whose task ended without one (a bug, or a panic in it).
fn aborted_result(target: &PreparedTarget, error: &tokio::task::JoinError) -> TargetResult {
    failed_result(
        target,
        Duration::ZERO,
        Failure {
            kind: FailureKind::Build,
            message: format!("internal error: the build task ended abnormally: {error}"),
            hint: None,
        },
    )
}

fn skipped(shared: &Shared, target: &PreparedTarget) -> TargetResult {
    let result = bare_result(target, Status::Skipped, Duration::ZERO);
    shared.emit(Event::Finished {
        result: Box::new(result.clone()),
    });
    result
}

fn failed_result(target: &PreparedTarget, duration: Duration, failure: Failure) -> TargetResult {
    TargetResult {
        failure: Some(failure),
        ..bare_result(target, Status::Failed, duration)
    }
}

/// A result that says only how the target ended, to be filled in as it applies.
fn bare_result(target: &PreparedTarget, status: Status, duration: Duration) -> TargetResult {
    TargetResult::bare(target.index, target.id.clone(), status, duration)
}

/// A target's log: written under a temporary name, renamed when the target ends.
struct Log {
    partial: PathBuf,
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Log {
    fn open(dist: &Path, slug: &str) -> Log {
        let dir = dist.join(LOGS_DIR);
        let partial = dir.join(format!(".{slug}.log.partial"));
        let file = std::fs::File::create(&partial)
            .ok()
            .map(std::io::BufWriter::new);
        Log {
            path: dir.join(format!("{slug}.log")),
            partial,
            file,
        }
    }

    fn line(&mut self, line: &str) {
        if let Some(file) = &mut self.file
            && writeln!(file, "{line}").is_err()
        {
            self.file = None;
        }
    }

    fn close(mut self) -> Option<PathBuf> {
        let mut file = self.file.take()?;
        file.flush().ok()?;
        drop(file);
        std::fs::rename(&self.partial, &self.path).ok()?;
        Some(self.path)
    }
}

/// Runs one target to its end: its commands, then for a build its artifact moved into
/// place, inspected and, when asked, built again to compare. A failure is a result.
async fn run_target(
    shared: &Shared,
    target: PreparedTarget,
    mut cancel: watch::Receiver<Cancel>,
) -> TargetResult {
    let planned = &shared.plan.targets[target.index];
    if let Some(result) = missing_c_compiler(&target) {
        return finish(shared, result);
    }
    shared.emit(Event::Started {
        index: target.index,
        target: Box::new(target.clone()),
    });
    let started = Instant::now();
    let mut output = TargetOutput::open(shared, &target, planned);
    if let Mode::Test(request) = &shared.options.mode {
        let result = test_target(shared, &target, request, started, &mut output, &mut cancel).await;
        return finish(shared, result);
    }
    let ran = run_commands(shared, &target, planned, started, &mut output, &mut cancel).await;
    let mut result = conclude(shared, &target, planned, ran, started.elapsed()).await;
    after_build(
        shared,
        &target,
        planned,
        &mut result,
        &mut output,
        &mut cancel,
    )
    .await;
    sign(shared, planned, &mut result, &mut output, &mut cancel).await;
    if let Some(artifact) = result.artifact.as_ref().map(|a| a.path.clone()) {
        result.inspection = inspect(shared, target.index, planned, &artifact).await;
        result.smoke = smoke(
            shared,
            &target,
            planned,
            &artifact,
            &mut output,
            &mut cancel,
        )
        .await;
        result.reproducible =
            verify_reproducible(shared, &target, &artifact, &mut output, &mut cancel).await;
    }
    (result.log, result.output_tail) = output.close(result.failure.as_ref());
    finish(shared, result)
}

/// Runs the target's `after_build` hooks on its artifact, then hashes the artifact again,
/// so that what is inspected, recorded and summed is what the hooks left. A hook that
/// fails (or Ctrl-C) takes the artifact out of the result: it is not published.
async fn after_build(
    shared: &Shared,
    target: &PreparedTarget,
    planned: &PlannedTarget,
    result: &mut TargetResult,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) {
    let Some(artifact) = &mut result.artifact else {
        return;
    };
    if planned.after_build.is_empty() {
        return;
    }
    let job = HookJob {
        kind: HookKind::AfterBuild,
        index: Some(target.index),
        cwd: Path::new(&shared.plan.project.module_dir),
        env: &shared.inherited,
        timeout: shared.options.timeout,
        grace: shared.options.grace_period,
    };
    let failure = match run_hooks(&job, &planned.after_build, cancel, output).await {
        HookEnd::Succeeded => match rehash(artifact).await {
            Ok(()) => return,
            Err(error) => Failure {
                kind: FailureKind::Io,
                message: format!(
                    "cannot hash {} after its after_build hooks: {error}",
                    artifact.path.display()
                ),
                hint: None,
            },
        },
        HookEnd::Cancelled => {
            result.status = Status::Cancelled;
            result.artifact = None;
            return;
        }
        HookEnd::Failed(failure) => Failure {
            kind: FailureKind::Hook,
            message: failure.headline(),
            hint: Some(
                "the artifact stays in dist but is not recorded, inspected or summed".to_owned(),
            ),
        },
    };
    result.status = Status::Failed;
    result.artifact = None;
    result.failure = Some(failure);
}

/// Signs the artifact as `[sign]` says, after its `after_build` hooks (which may change
/// it) and before it is inspected, hashed and packaged: what is published is the signed
/// file. A signing failure (or Ctrl-C) takes the artifact out of the result.
async fn sign(
    shared: &Shared,
    planned: &PlannedTarget,
    result: &mut TargetResult,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) {
    let (Some(_), Some(how)) = (&result.artifact, &planned.sign) else {
        return;
    };
    let job = SignJob {
        dist: &shared.dist,
        relative: &planned.output,
        epoch: shared.plan.project.vcs.date_epoch,
        cwd: Path::new(&shared.plan.project.module_dir),
        env: &shared.inherited,
        timeout: shared.options.timeout,
        grace: shared.options.grace_period,
    };
    match sign_artifact(&job, how, cancel, output).await {
        SignEnd::Signed(artifact) => result.artifact = Some(artifact),
        SignEnd::Cancelled => {
            result.status = Status::Cancelled;
            result.artifact = None;
        }
        SignEnd::Failed(failure) => {
            result.status = Status::Failed;
            result.artifact = None;
            result.failure = Some(failure);
        }
    }
}

/// Size and SHA-256 of an artifact read again from disk.
async fn rehash(artifact: &mut dist::Artifact) -> std::io::Result<()> {
    let path = artifact.path.clone();
    let (size, sha256) =
        tokio::task::spawn_blocking(move || dist::sha256_reader(&mut std::fs::File::open(&path)?))
            .await
            .map_err(std::io::Error::other)??;
    artifact.size = size;
    artifact.sha256 = sha256;
    Ok(())
}

impl HookSink for TargetOutput<'_> {
    fn event(&mut self, event: Event) {
        self.shared.emit(event);
    }

    fn note(&mut self, line: &str) {
        TargetOutput::note(self, line);
    }

    fn line(&mut self, line: String) {
        self.command_line(line);
    }

    fn log_path(&self) -> Option<PathBuf> {
        self.log.as_ref().map(|log| log.path.clone())
    }
}

/// A cgo target without a C compiler fails before it starts, saying what to install.
fn missing_c_compiler(target: &PreparedTarget) -> Option<TargetResult> {
    let missing = target.missing_cc.as_ref()?;
    Some(failed_result(
        target,
        Duration::ZERO,
        Failure {
            kind: FailureKind::NoCCompiler,
            message: format!("no C compiler for {} on this machine", target.id),
            hint: Some(missing.install.clone()),
        },
    ))
}

/// Where a target's output goes: its log (a build's only), the last lines, which explain a
/// failure, and the caller, as events.
struct TargetOutput<'a> {
    shared: &'a Shared,
    index: usize,
    log: Option<Log>,
    tail: Vec<String>,
}

impl<'a> TargetOutput<'a> {
    /// Opens a build's log, headed by what runs where (secrets redacted); a check keeps none.
    fn open(
        shared: &'a Shared,
        target: &PreparedTarget,
        planned: &PlannedTarget,
    ) -> TargetOutput<'a> {
        let mut log = shared
            .is_build()
            .then(|| Log::open(&shared.dist, &planned.slug));
        if let Some(log) = &mut log {
            log.line(&format!(
                "# crosscheck {}: {}",
                shared.plan.crosscheck_version, target.id
            ));
            log.line(&format!("# cwd: {}", target.cwd.display()));
            for (name, value) in crate::env::redact(&target.set_env) {
                log.line(&format!("# env: {name}={value}"));
            }
        }
        TargetOutput {
            shared,
            index: target.index,
            log,
            tail: Vec::new(),
        }
    }

    /// A line for the log only: a command line, how it ended.
    fn note(&mut self, line: &str) {
        if let Some(log) = &mut self.log {
            log.line(line);
        }
    }

    /// A line the target's own commands printed.
    fn command_line(&mut self, line: String) {
        if self.tail.len() == TAIL_LINES {
            self.tail.remove(0);
        }
        self.tail.push(line.clone());
        self.pass_on(line);
    }

    /// A line logged and passed on to the caller, but kept out of the tail (which is the
    /// target's own build's): the second build's, under `--verify-reproducible`.
    fn pass_on(&mut self, line: String) {
        self.note(&line);
        self.shared.emit(Event::OutputLine {
            index: self.index,
            line,
        });
    }

    /// Ends the log with the failure, if any, and renames it into place; returns the log
    /// and the tail.
    fn close(self, failure: Option<&Failure>) -> (Option<PathBuf>, Vec<String>) {
        let log = self.log.and_then(|mut log| {
            if let Some(failure) = failure {
                log.line(&format!("# failed: {}", failure.message));
            }
            log.close()
        });
        (log, self.tail)
    }
}

/// How a target's commands ended.
enum Ran {
    /// Every one succeeded.
    Succeeded,
    /// Ctrl-C or fail-fast stopped them.
    Cancelled,
    /// One could not start, timed out or failed.
    Failed(Failure),
}

/// Runs the target's commands in order, under one deadline, until one fails or the run is
/// cancelled.
async fn run_commands(
    shared: &Shared,
    target: &PreparedTarget,
    planned: &PlannedTarget,
    started: Instant,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) -> Ran {
    let deadline = shared.options.timeout.map(|timeout| started + timeout);
    for argv in &target.commands {
        if *cancel.borrow() != Cancel::No {
            return Ran::Cancelled;
        }
        output.note(&format!("$ {}", display_command(argv)));
        let grace = shared.options.grace_period;
        let end = run_command(
            argv,
            &target.cwd,
            &target.env,
            deadline,
            grace,
            cancel,
            &mut |line| output.command_line(line),
        )
        .await;
        let end = match end {
            Ok(end) => end,
            Err(error) => return Ran::Failed(cannot_start(argv, &error)),
        };
        output.note(&format!(
            "# {} after {:.2?}",
            end.describe(),
            started.elapsed()
        ));
        if let Some(ran) = stopped_or_failed(&end, &output.tail, planned, shared.options.timeout) {
            return ran;
        }
    }
    Ran::Succeeded
}

fn cannot_start(argv: &[String], error: &std::io::Error) -> Failure {
    let program = argv.first().map(String::as_str).unwrap_or_default();
    Failure {
        kind: FailureKind::CannotStart,
        message: format!("cannot run {program:?}: {error}"),
        hint: Some(format!(
            "is {program} installed and on PATH? (`crosscheck doctor` checks)"
        )),
    }
}

/// Whether a command's `end` ends the target's commands, and how; `None` when the next
/// one runs. A failure is classified from the last lines printed (`tail`).
fn stopped_or_failed(
    end: &CommandEnd,
    tail: &[String],
    planned: &PlannedTarget,
    timeout: Option<Duration>,
) -> Option<Ran> {
    match end.stopped {
        Some(Stop::Cancelled) => Some(Ran::Cancelled),
        Some(Stop::Timeout) => Some(Ran::Failed(Failure {
            kind: FailureKind::Timeout,
            message: format!(
                "timed out after {}",
                format_duration(timeout.unwrap_or_default())
            ),
            hint: Some(
                "raise --timeout, or look for a build step that waits for the network or for input"
                    .to_owned(),
            ),
        })),
        None if !end.success() => {
            let (kind, hint) = classify(tail, end.signal, &planned.goos, &planned.goarch);
            Some(Ran::Failed(Failure {
                kind,
                message: end.describe(),
                hint,
            }))
        }
        None => None,
    }
}

/// The target's result from how its commands ran; a build that succeeded has yet to move
/// its artifact into place.
async fn conclude(
    shared: &Shared,
    target: &PreparedTarget,
    planned: &PlannedTarget,
    ran: Ran,
    duration: Duration,
) -> TargetResult {
    match ran {
        Ran::Failed(failure) => failed_result(target, duration, failure),
        Ran::Cancelled => bare_result(target, Status::Cancelled, duration),
        Ran::Succeeded if !shared.is_build() => bare_result(target, Status::Checked, duration),
        Ran::Succeeded => match finalize(shared, planned).await {
            Ok(artifact) => TargetResult {
                artifact: Some(artifact),
                ..bare_result(target, Status::Built, duration)
            },
            Err(failure) => failed_result(target, duration, failure),
        },
    }
}

/// Inspects a built artifact on a blocking thread, when an inspector is set.
async fn inspect(
    shared: &Shared,
    index: usize,
    planned: &PlannedTarget,
    artifact: &Path,
) -> Option<Inspection> {
    let inspector = shared.options.inspect.clone()?;
    let path = artifact.to_owned();
    let planned = planned.clone();
    let inspection = tokio::task::spawn_blocking(move || inspector.inspect(&path, &planned))
        .await
        .ok()?;
    shared.emit(Event::Inspected {
        index,
        inspection: Box::new(inspection.clone()),
    });
    Some(inspection)
}

/// Runs the artifact once on its runner when the plan asks for it (`build --smoke`).
async fn smoke(
    shared: &Shared,
    target: &PreparedTarget,
    planned: &PlannedTarget,
    artifact: &Path,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) -> Option<SmokeResult> {
    let smoke = planned.smoke.as_ref()?;
    let runners = shared.runners.as_ref()?;
    // Ctrl-C or fail-fast came after the build: start nothing new.
    if *cancel.borrow() != Cancel::No {
        return None;
    }
    let index = target.index;
    let job = SmokeJob {
        smoke,
        runnability: ready(shared, resolve_runner(planned, runners), cancel).await,
        artifact,
        cwd: &target.cwd,
        env: &target.env,
        grace: shared.options.grace_period,
    };
    if let Some(argv) = job.argv() {
        output.note(&format!("$ {}", display_command(&argv)));
        shared.emit(Event::SmokeStarted { index, argv });
    }
    let result = run_smoke(job, cancel, &mut |line| output.pass_on(line)).await;
    output.note(&format!("# smoke: {}", result.summary()));
    shared.emit(Event::Smoked {
        index,
        smoke: Box::new(result.clone()),
    });
    Some(result)
}

/// Runs the target's tests (`crosscheck test`) and turns their outcome into the target's
/// result: a target whose tests failed or did not compile failed; one that passed or that
/// nothing here can run is checked (its not-run status is in `tests`).
async fn test_target(
    shared: &Shared,
    target: &PreparedTarget,
    request: &TestRequest,
    started: Instant,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) -> TargetResult {
    let planned = &shared.plan.targets[target.index];
    let default_runners = HostRunners::default();
    let job = TestJob {
        request,
        target,
        planned,
        runners: shared.runners.as_ref().unwrap_or(&default_runners),
        setup: &shared.setup,
        cache: &ResultCache::new(shared.options.state_dir.as_deref(), !request.no_cache),
        go: &shared.plan.go.command,
        grace: shared.options.grace_period,
        deadline: shared.options.timeout.map(|timeout| started + timeout),
        runner_files: OnceLock::new(),
    };
    let tests = run_tests(&job, output, cancel).await;
    let (status, failure) = match tests.status {
        TargetTestStatus::Passed | TargetTestStatus::NotRun => (Status::Checked, None),
        TargetTestStatus::Cancelled => (Status::Cancelled, None),
        TargetTestStatus::Failed => (Status::Failed, Some(FailureKind::Tests)),
        TargetTestStatus::BuildFailed => (Status::Failed, Some(FailureKind::Build)),
    };
    TargetResult {
        failure: failure.map(|kind| Failure {
            kind,
            message: tests.reason.clone().unwrap_or_default(),
            hint: None,
        }),
        tests: Some(tests),
        ..bare_result(target, status, started.elapsed())
    }
}

impl TestProgress for TargetOutput<'_> {
    fn line(&mut self, line: String) {
        self.command_line(line);
    }

    /// A test run keeps no log: its commands go to the caller, which shows them with `-v`.
    fn note(&mut self, line: &str) {
        self.pass_on(line.to_owned());
    }

    fn package(&mut self, package: &PackageTests) {
        self.shared.emit(Event::TestedPackage {
            index: self.index,
            package: Box::new(package.clone()),
        });
    }
}

/// The runner, once its one-time setup is done (wine's prefix), or why it cannot run.
async fn ready(
    shared: &Shared,
    runnability: Runnability,
    cancel: &mut watch::Receiver<Cancel>,
) -> Runnability {
    let Runnability::Runs(runner) = &runnability else {
        return runnability;
    };
    match shared.setup.ready(runner, cancel).await {
        Ok(()) => runnability,
        Err(not) => Runnability::NotRun {
            reason: not.reason,
            install: not.install,
        },
    }
}

/// Builds the target a second time and compares (`--verify-reproducible`); `None` when not
/// asked for, or when the run was cancelled meanwhile.
async fn verify_reproducible(
    shared: &Shared,
    target: &PreparedTarget,
    artifact: &Path,
    output: &mut TargetOutput<'_>,
    cancel: &mut watch::Receiver<Cancel>,
) -> Option<Reproduction> {
    if !shared.options.verify_reproducible {
        return None;
    }
    let index = target.index;
    shared.emit(Event::Reproducing { index });
    let job = crate::reproduce::Job {
        target,
        planned: &shared.plan.targets[index],
        module_dir: PathBuf::from(&shared.plan.project.module_dir),
        skip: vec![shared.dist.clone()],
        artifact: artifact.to_owned(),
        timeout: shared.options.timeout,
        grace: shared.options.grace_period,
        inspect: shared.options.inspect.clone(),
    };
    let reproduction =
        crate::reproduce::reproduce(job, cancel, &mut |line| output.pass_on(line)).await?;
    output.note(&format!("# reproducible: {}", reproduction.verified));
    shared.emit(Event::Reproduced {
        index,
        reproduction: Box::new(reproduction.clone()),
    });
    Some(reproduction)
}

fn finish(shared: &Shared, result: TargetResult) -> TargetResult {
    if result.status == Status::Failed && shared.options.failure_policy == FailurePolicy::FailFast {
        if *shared.cancel.borrow() == Cancel::No {
            shared.emit(Event::FailingFast {
                id: result.id.clone(),
            });
        }
        shared.raise(Cancel::Graceful);
    }
    shared.emit(Event::Finished {
        result: Box::new(result.clone()),
    });
    result
}

async fn finalize(shared: &Shared, planned: &PlannedTarget) -> Result<dist::Artifact, Failure> {
    let staging = PathBuf::from(&planned.staging_output);
    let dist_dir = shared.dist.clone();
    let relative = planned.output.clone();
    let epoch = shared.plan.project.vcs.date_epoch;
    let moved = tokio::task::spawn_blocking(move || {
        dist::finalize_artifact(&staging, &dist_dir, &relative, epoch)
    })
    .await
    .map_err(std::io::Error::other)
    .and_then(|result| result);
    moved.map_err(|error| {
        let (kind, hint) = match error.kind() {
            std::io::ErrorKind::StorageFull => (
                FailureKind::DiskFull,
                Some("the disk is full: free space where the dist directory lives".to_owned()),
            ),
            std::io::ErrorKind::NotFound => (
                FailureKind::Io,
                Some("the build succeeded but wrote no file: does the main package build a program (package main)?".to_owned()),
            ),
            _ => (FailureKind::Io, None),
        };
        Failure {
            kind,
            message: format!("cannot move the artifact to {}: {error}", shared.dist.join(&planned.output).display()),
            hint,
        }
    })
}

/// `1h2m3s`, `90s` → `1m30s`, `250ms`.
pub fn format_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    if total == 0 {
        return format!("{}ms", duration.as_millis());
    }
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// The `count`-th interrupt: the first stops builds gracefully, any later one kills them.
fn on_interrupt(shared: &Shared, count: u32) {
    shared.interrupted.store(true, Ordering::SeqCst);
    shared.raise(if count == 1 {
        Cancel::Graceful
    } else {
        Cancel::Kill
    });
    shared.emit(Event::Interrupted { kill: count > 1 });
}

#[cfg(unix)]
async fn handle_signals(shared: Arc<Shared>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return;
    };
    let mut count: u32 = 0;
    loop {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
            _ = hangup.recv() => {}
        }
        count += 1;
        on_interrupt(&shared, count);
    }
}

#[cfg(not(unix))]
async fn handle_signals(shared: Arc<Shared>) {
    let mut count: u32 = 0;
    while tokio::signal::ctrl_c().await.is_ok() {
        count += 1;
        on_interrupt(&shared, count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned() -> PlannedTarget {
        serde_json::from_value(serde_json::json!({
            "id": "linux/amd64", "slug": "s", "goos": "linux", "goarch": "amd64",
            "variant": null, "cgo": false, "libc": null, "first_class": true, "output": "x",
            "staging_output": "/d/x", "cwd": "/m", "argv": ["go", "build"], "env": {},
            "requirements": [], "policy": {}, "shard": null
        }))
        .unwrap()
    }

    fn end(code: Option<i32>, signal: Option<i32>, stopped: Option<Stop>) -> CommandEnd {
        CommandEnd {
            code,
            signal,
            stopped,
        }
    }

    #[test]
    fn a_command_end_continues_stops_or_fails_the_target() {
        let planned = planned();
        let timeout = Some(Duration::from_secs(90));
        let next = stopped_or_failed(&end(Some(0), None, None), &[], &planned, timeout);
        assert!(next.is_none(), "a successful command ended the target");
        let cancelled = end(None, Some(15), Some(Stop::Cancelled));
        assert!(matches!(
            stopped_or_failed(&cancelled, &[], &planned, timeout),
            Some(Ran::Cancelled)
        ));
        let timed_out = end(None, Some(15), Some(Stop::Timeout));
        let Some(Ran::Failed(failure)) = stopped_or_failed(&timed_out, &[], &planned, timeout)
        else {
            panic!("a timeout did not fail the target");
        };
        assert_eq!(failure.kind, FailureKind::Timeout);
        assert_eq!(failure.message, "timed out after 1m30s");
        let tail = ["write /tmp/x: no space left on device".to_owned()];
        let Some(Ran::Failed(failure)) =
            stopped_or_failed(&end(Some(1), None, None), &tail, &planned, timeout)
        else {
            panic!("exit status 1 did not fail the target");
        };
        assert_eq!(failure.kind, FailureKind::DiskFull);
        assert_eq!(failure.message, "exit status 1");
    }

    #[test]
    fn a_command_that_cannot_start_names_the_program() {
        let argv = ["gox".to_owned(), "build".to_owned()];
        let error = std::io::Error::from(std::io::ErrorKind::NotFound);
        let failure = cannot_start(&argv, &error);
        assert_eq!(failure.kind, FailureKind::CannotStart);
        assert!(
            failure.message.starts_with("cannot run \"gox\": "),
            "{failure:?}"
        );
    }

    #[test]
    fn durations_read_like_the_flag() {
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_duration(Duration::from_secs(3725)), "1h2m5s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }
}
