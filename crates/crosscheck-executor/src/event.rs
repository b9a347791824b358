//! What a run reports while it goes ([`Event`]) and what it returns ([`RunSummary`]).

use std::path::PathBuf;
use std::time::Duration;

use crosscheck_schema::{
    Artifact, Failure, HookKind, Inspection, Manifest, PackageEvent, PackageFailure, PackageTests,
    Reproduction, SmokeResult, SmokeStatus, Status, TargetTests,
};

use crate::prepare::PreparedTarget;

/// Something that happened during a run, in the order it happened. `index` is the
/// target's position in the plan.
#[derive(Clone, Debug)]
pub enum Event {
    /// Another run holds the dist lock; this one waits for it.
    WaitingForLock {
        /// The lock file.
        lock: PathBuf,
    },
    /// This platform has no dist lock (only Unix has one): another run writing the same
    /// dist directory at the same time is not kept out.
    LockUnsupported {
        /// The lock file, created but not locked.
        lock: PathBuf,
    },
    /// `go mod download` runs once before the builds.
    DownloadingModules {
        /// The command.
        argv: Vec<String>,
    },
    /// A `[hooks]` command started.
    HookStarted {
        /// Its list.
        kind: HookKind,
        /// The target an `after_build` hook runs for.
        index: Option<usize>,
        /// The command.
        argv: Vec<String>,
    },
    /// A `[hooks]` command ended.
    HookEnded {
        /// Its list.
        kind: HookKind,
        /// The target an `after_build` hook runs for.
        index: Option<usize>,
        /// The command.
        argv: Vec<String>,
        /// How it failed; `None` when it succeeded.
        failure: Option<String>,
    },
    /// A runner's one-time setup starts and takes a while (the first wine prefix: tens of
    /// seconds).
    PreparingRunner {
        /// What is prepared, e.g. `preparing the wine prefix /c/wine/amd64 (once; ...)`.
        what: String,
    },
    /// A pinned tool is installed into crosscheck's cache on first use (nfpm, which writes
    /// Linux packages): tens of seconds, once.
    InstallingTool {
        /// What is installed where, e.g. `installing nfpm into /c/tools/... (once; ...)`.
        what: String,
    },
    /// A Linux package was written and checked, or could not be (the packaging phase's
    /// event, which the executor emits for the packages it writes itself).
    Packaging(PackageEvent),
    /// The builds are about to start.
    RunStarted {
        /// How many targets.
        targets: usize,
        /// How many run at once.
        jobs: usize,
    },
    /// A target waits for a free slot.
    Queued {
        /// Position in the plan.
        index: usize,
        /// The target id.
        id: String,
    },
    /// A target's first command started.
    Started {
        /// Position in the plan.
        index: usize,
        /// What runs, exactly.
        target: Box<PreparedTarget>,
    },
    /// A line a target's command printed (stdout or stderr).
    OutputLine {
        /// Position in the plan.
        index: usize,
        /// The line, without its newline.
        line: String,
    },
    /// A target is done, whatever the outcome.
    Finished {
        /// The outcome.
        result: Box<TargetResult>,
    },
    /// The inspector examined a built artifact.
    Inspected {
        /// Position in the plan.
        index: usize,
        /// What it found.
        inspection: Box<Inspection>,
    },
    /// A built artifact's smoke run started (`build --smoke`).
    SmokeStarted {
        /// Position in the plan.
        index: usize,
        /// The exact command line.
        argv: Vec<String>,
    },
    /// A smoke run ended, or the target could not run here (`not-run`).
    Smoked {
        /// Position in the plan.
        index: usize,
        /// The outcome.
        smoke: Box<SmokeResult>,
    },
    /// A package's test binary ended, came from the result cache, or could not compile or
    /// run (`crosscheck test`).
    TestedPackage {
        /// Position in the plan.
        index: usize,
        /// The outcome.
        package: Box<PackageTests>,
    },
    /// A built target is being built a second time, in a copy of the module with an empty
    /// build cache (`--verify-reproducible`).
    Reproducing {
        /// Position in the plan.
        index: usize,
    },
    /// The second build ended and the artifacts were compared.
    Reproduced {
        /// Position in the plan.
        index: usize,
        /// The outcome.
        reproduction: Box<Reproduction>,
    },
    /// SIGINT/SIGTERM arrived: running builds are being stopped (`kill`: at once).
    Interrupted {
        /// Whether this was the second signal, which kills without a grace period.
        kill: bool,
    },
    /// A target failed under `--fail-fast`: the others are being cancelled.
    FailingFast {
        /// The target that failed.
        id: String,
    },
}

/// The outcome of one target.
#[derive(Clone, Debug)]
pub struct TargetResult {
    /// Position in the plan.
    pub index: usize,
    /// The target id.
    pub id: String,
    /// How it ended.
    pub status: Status,
    /// From its first command's start to the end (zero when it never started).
    pub duration: Duration,
    /// The artifact, when built.
    pub artifact: Option<Artifact>,
    /// Why it failed.
    pub failure: Option<Failure>,
    /// Its log file (build only).
    pub log: Option<PathBuf>,
    /// The last lines its commands printed, at most [`TAIL_LINES`](crate::TAIL_LINES).
    pub output_tail: Vec<String>,
    /// The inspector's findings.
    pub inspection: Option<Inspection>,
    /// The second build's comparison (`--verify-reproducible`, built targets only).
    pub reproducible: Option<Reproduction>,
    /// The smoke run's outcome (`build --smoke`, built targets only).
    pub smoke: Option<SmokeResult>,
    /// How its tests went (`crosscheck test` only).
    pub tests: Option<TargetTests>,
}

/// What a whole run did.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// One result per planned target, in plan order.
    pub results: Vec<TargetResult>,
    /// Whether SIGINT/SIGTERM stopped the run.
    pub interrupted: bool,
    /// Wall-clock time of the run.
    pub duration: Duration,
    /// How many targets ran at once.
    pub jobs: usize,
    /// What the run produced, in the shape of `manifest.json`: for a build, the manifest it
    /// wrote (packaging included); for a check, the same record, never written. Reporters
    /// read every run, live or finished, from this one record.
    pub manifest: Manifest,
    /// The manifest file written (build only).
    pub manifest_path: Option<PathBuf>,
    /// The checksums file written (build only).
    pub checksums: Option<PathBuf>,
    /// Files the packaging phase wrote (archives, universal binaries).
    pub packaged: Vec<Artifact>,
    /// What the packaging phase could not package; any makes the run fail.
    pub package_failures: Vec<PackageFailure>,
    /// The `after` hook that failed, after everything else was written; it makes the run
    /// fail.
    pub after_hook_failure: Option<crate::hooks::HookFailure>,
    /// Why `SHA256SUMS` could not be signed (`[sign]`); it makes the run fail.
    pub checksum_signing_failure: Option<String>,
}

impl TargetResult {
    /// The result of target `index` (`id`) that ended with `status` after `duration`, with
    /// nothing else to say yet: no artifact, failure, log or findings.
    pub fn bare(index: usize, id: String, status: Status, duration: Duration) -> TargetResult {
        TargetResult {
            index,
            id,
            status,
            duration,
            artifact: None,
            failure: None,
            log: None,
            output_tail: Vec::new(),
            inspection: None,
            reproducible: None,
            smoke: None,
            tests: None,
        }
    }
}

impl RunSummary {
    /// How many targets ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// The built targets whose second build differed or failed (`--verify-reproducible`).
    pub fn not_reproducible(&self) -> impl Iterator<Item = &TargetResult> {
        self.results
            .iter()
            .filter(|r| r.reproducible.as_ref().is_some_and(|r| !r.verified))
    }

    /// The built targets whose smoke run failed (`build --smoke`); not-run ones are not.
    pub fn smoke_failures(&self) -> impl Iterator<Item = &TargetResult> {
        self.results.iter().filter(|r| {
            r.smoke
                .as_ref()
                .is_some_and(|s| s.status == SmokeStatus::Failed)
        })
    }

    /// Whether every target was built or checked, and packaged when packaging ran.
    pub fn all_succeeded(&self) -> bool {
        self.package_failures.is_empty()
            && self
                .results
                .iter()
                .all(|r| matches!(r.status, Status::Built | Status::Checked))
    }
}
