//! How to run a plan: [`RunOptions`], and the default concurrency.

use crosscheck_schema::LockPolicy;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crosscheck_planner::{CheckRequest, TestRequest};

use crate::inspect::Inspect;
use crate::linux_packages::CheckLinuxPackage;
use crate::package::Package;
use crate::runners::HostRunners;
use crate::toolchain::HostTools;

/// What each target's command does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run the plan's `go build`, move the artifact into the dist directory, write the
    /// manifest, checksums and logs.
    Build,
    /// Compile without linking (see [`crosscheck_planner::check_commands`]); write nothing.
    Check(CheckRequest),
    /// Compile each package's test binary and run it on the target's runner (`crosscheck
    /// test`); results are remembered under the state directory; write nothing else.
    Test(TestRequest),
}

/// What a failed target does to the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Build everything; report failures at the end.
    #[default]
    KeepGoing,
    /// Stop the running builds and start no more after the first failure.
    FailFast,
}

/// Everything [`run`](crate::run) needs besides the plan.
#[derive(Clone)]
pub struct RunOptions {
    /// Build or check.
    pub mode: Mode,
    /// How many targets build at once (at least 1); see [`default_jobs`].
    pub jobs: usize,
    /// Keep going or fail fast.
    pub failure_policy: FailurePolicy,
    /// Per-target time limit.
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL when a build is stopped.
    pub grace_period: Duration,
    /// Wait for the dist lock, or fail.
    pub lock: LockPolicy,
    /// crosscheck's cache directory: build timings and per-target zig caches live here.
    /// Without one, timings are not kept and zig caches go under the dist directory.
    pub state_dir: Option<PathBuf>,
    /// The C toolchains found on this machine ([`HostTools::detect`]).
    pub host: HostTools,
    /// Whether the run handles SIGINT, SIGTERM and SIGHUP itself (first: stop gracefully,
    /// second: kill). The CLI sets this; a library caller that has its own handling does
    /// not.
    pub handle_signals: bool,
    /// Called on every built artifact; its report goes into the manifest.
    pub inspect: Option<Arc<dyn Inspect>>,
    /// Called once after the builds (build mode only) to write archives and universal
    /// binaries; what it writes goes into the manifest and the checksums.
    pub package: Option<Arc<dyn Package>>,
    /// Reads every written Linux package (`[packages]`) back and checks it against the
    /// plan; without one, packages are written unchecked.
    pub check_linux_package: Option<Arc<dyn CheckLinuxPackage>>,
    /// The environment builds inherit from (filtered by the allowlist); normally
    /// [`std::env::vars_os`], replaceable for tests.
    pub parent_env: Vec<(String, String)>,
    /// Build every built target a second time, in a copy of the module under `TMPDIR` with
    /// an empty Go build cache, and compare the artifacts byte for byte
    /// (`--verify-reproducible`).
    pub verify_reproducible: bool,
    /// How this host runs targets, for the plan's smoke runs and for tests; `None`: detected
    /// once at the start of a run that needs it ([`HostRunners::detect`]).
    pub runners: Option<HostRunners>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("mode", &self.mode)
            .field("jobs", &self.jobs)
            .field("failure_policy", &self.failure_policy)
            .field("timeout", &self.timeout)
            .field("lock", &self.lock)
            .field("state_dir", &self.state_dir)
            .field("inspect", &self.inspect.is_some())
            .field("verify_reproducible", &self.verify_reproducible)
            .field("package", &self.package.is_some())
            .finish_non_exhaustive()
    }
}

impl RunOptions {
    /// Options with the defaults: keep going, no timeout, a 5 s grace period, wait for the
    /// lock, this process's environment, no signal handling, no inspector.
    pub fn new(mode: Mode, jobs: usize, host: HostTools) -> RunOptions {
        RunOptions {
            mode,
            jobs,
            failure_policy: FailurePolicy::KeepGoing,
            timeout: None,
            grace_period: DEFAULT_GRACE_PERIOD,
            lock: LockPolicy::Wait,
            state_dir: None,
            host,
            handle_signals: false,
            inspect: None,
            package: None,
            check_linux_package: None,
            parent_env: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            verify_reproducible: false,
            runners: None,
        }
    }
}

/// Between SIGTERM and SIGKILL: `go build` stops its compilers within milliseconds of a
/// SIGTERM; five seconds covers a slow C linker.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(5);

/// Memory one concurrent build is budgeted: a cold `go build` of a real project peaks at
/// 1–2 GiB (the compiler on big packages, then the linker), more with cgo.
pub const MEMORY_PER_JOB: u64 = 2 * 1024 * 1024 * 1024;

/// The default `-j`: `max(1, min(cores, MemAvailable / 2 GiB))`.
///
/// Cores alone (what the best-known peer uses) gets CI runners with many cores and little
/// memory OOM-killed; memory alone overloads small machines. Each `go build` already runs
/// its own compilers in parallel, so more builds than cores buys nothing.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    jobs_for(cores, mem_available())
}

/// [`default_jobs`] for given cores and available memory (bytes; `None`: unknown).
pub fn jobs_for(cores: usize, mem_available: Option<u64>) -> usize {
    let by_memory = mem_available.map_or(usize::MAX, |bytes| {
        usize::try_from(bytes / MEMORY_PER_JOB).unwrap_or(usize::MAX)
    });
    cores.min(by_memory).max(1)
}

/// `MemAvailable` from /proc/meminfo, in bytes (Linux only).
pub fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&text)
}

fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let value: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => value.checked_mul(1024),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * 1024 * 1024;

    #[test]
    fn jobs_are_bounded_by_cores_and_memory() {
        assert_eq!(jobs_for(2, Some(24 * GIB)), 2);
        assert_eq!(jobs_for(64, Some(16 * GIB)), 8);
        assert_eq!(jobs_for(8, Some(GIB)), 1, "never below one");
        assert_eq!(jobs_for(4, None), 4);
    }

    #[test]
    fn reads_mem_available() {
        let meminfo = "MemTotal:       32000000 kB\nMemFree:  1 kB\nMemAvailable:   24105808 kB\n";
        assert_eq!(parse_mem_available(meminfo), Some(24105808 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    }
}
