//! What a runner needs done once per run before it runs anything, and undone after.
//!
//! Wine's prefix must exist (`wineboot --init`, tens of seconds the first time) and hold
//! the `ProcessPrng` shim when wine lacks `bcryptprimitives.dll`, and the `wineserver` it
//! starts must not outlive the run. A prefix is shared by concurrent crosscheck processes:
//! an exclusive file lock beside it covers the initialisation, a shared one each run's use,
//! and only the last run out stops its wineserver. The pinned wazero, when crosscheck is to
//! install it, is installed before its first run ([`super::fetch`]). Other runners need
//! nothing.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crosscheck_schema::{Runner, RunnerKind, env_vars};
use tokio::sync::{Mutex, watch};
use tokio::time::Instant;

use super::HostRunners;
use super::wine::{BCRYPTPRIMITIVES, has_builtin};
use crate::env::inherited_env;
use crate::process::{Cancel, run_command};
use crate::toolchain::{HostTools, find_zig};

/// The shim's source: `ProcessPrng` on top of advapi32's `RtlGenRandom`.
const PROCESSPRNG_C: &str = include_str!("processprng.c");

/// Written last into an initialised prefix; its presence means "ready".
pub(crate) const READY_MARK: &str = ".crosscheck-ready";

/// What installs zig, which builds the shim.
const ZIG_INSTALL: &str = "pip install ziglang";

/// Limits for the one-time steps: a first `wineboot` takes tens of seconds on a quiet
/// machine, minutes on a loaded one.
const WINEBOOT_TIMEOUT: Duration = Duration::from_secs(300);
const WINESERVER_TIMEOUT: Duration = Duration::from_secs(60);
const SHIM_TIMEOUT: Duration = Duration::from_secs(180);

/// How long wineserver lingers after its last program: long enough to serve one run's
/// programs in turn, short enough to end soon should crosscheck be killed outright.
const SERVER_PERSISTENCE: &str = "-p60";

/// How often a run waiting for another's prefix initialisation tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(250);

/// Why a runner cannot run anything in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NotReady {
    /// The not-run reason.
    pub reason: String,
    /// What would fix it, when something would.
    pub install: Option<String>,
}

impl NotReady {
    fn new(reason: String, install: Option<&str>) -> NotReady {
        NotReady {
            reason,
            install: install.map(str::to_owned),
        }
    }
}

/// Prepares runners once per run and stops what they leave running.
pub(crate) struct RunnerSetup {
    wineserver: PathBuf,
    zig: Option<Vec<String>>,
    grace: Duration,
    /// The variables setup commands inherit (PATH, HOME, TMPDIR, ...).
    base_env: BTreeMap<String, String>,
    notice: Option<Box<dyn Fn(String) + Send + Sync>>,
    /// Each prefix asked for, with the first answer and the shared lock held while in use.
    prefixes: Mutex<BTreeMap<PathBuf, Prefix>>,
    /// The plan's go and where it installs wazero, when wazero is to be installed.
    wazero_install: Option<(PathBuf, PathBuf)>,
    /// The answer of the one wazero install of this run.
    wazero: Mutex<Option<Result<(), NotReady>>>,
}

/// One wine prefix of this run.
struct Prefix {
    answer: Result<(), NotReady>,
    env: BTreeMap<String, String>,
    lock: Option<lock::PrefixLock>,
}

impl RunnerSetup {
    pub(crate) fn new(
        host: Option<&HostRunners>,
        tools: &HostTools,
        grace: Duration,
    ) -> RunnerSetup {
        let wineserver = host
            .and_then(|host| host.wineserver.clone())
            .unwrap_or_else(|| PathBuf::from("wineserver"));
        let parent: Vec<(String, String)> = std::env::vars().collect();
        RunnerSetup {
            wineserver,
            zig: tools.zig.as_ref().map(|zig| zig.command.clone()),
            grace,
            base_env: inherited_env(&parent, &[]),
            notice: None,
            prefixes: Mutex::new(BTreeMap::new()),
            wazero_install: host
                .and_then(|host| Some((host.go.clone()?, host.wazero_to_install.clone()?))),
            wazero: Mutex::new(None),
        }
    }

    /// Tells `notice` when a slow one-time step starts, so people know why nothing moves.
    pub(crate) fn with_notice(mut self, notice: impl Fn(String) + Send + Sync + 'static) -> Self {
        self.notice = Some(Box::new(notice));
        self
    }

    /// Makes `runner` ready (wine: the prefix initialised, the ProcessPrng shim installed); the
    /// work happens once per run, later calls return the first answer. Err: the not-run
    /// reason and install hint.
    pub(crate) async fn ready(
        &self,
        runner: &Runner,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), NotReady> {
        if runner.kind == RunnerKind::Wazero {
            return self.wazero_ready(runner, cancel).await;
        }
        if runner.kind != RunnerKind::Wine {
            return Ok(());
        }
        let Some(prefix) = runner.env.get(env_vars::WINEPREFIX).map(PathBuf::from) else {
            return Err(NotReady::new(
                "the wine runner names no WINEPREFIX".to_owned(),
                None,
            ));
        };
        // Held through the initialisation: concurrent targets of one prefix wait for it.
        let mut prefixes = self.prefixes.lock().await;
        if let Some(known) = prefixes.get(&prefix) {
            return known.answer.clone();
        }
        let env = self.command_env(runner);
        let (answer, lock) = self.prepare_prefix(runner, &prefix, &env, cancel).await;
        prefixes.insert(
            prefix,
            Prefix {
                answer: answer.clone(),
                env,
                lock,
            },
        );
        answer
    }

    /// A wazero runner whose program is not there yet is the one to install with the plan's
    /// Go ([`super::fetch`]); once per run, later calls return the first answer.
    async fn wazero_ready(
        &self,
        runner: &Runner,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), NotReady> {
        let program = runner.command.first().map(PathBuf::from);
        let Some((go, place)) = &self.wazero_install else {
            return Ok(());
        };
        if program.as_ref() != Some(place) {
            return Ok(());
        }
        let mut answer = self.wazero.lock().await;
        if let Some(known) = &*answer {
            return known.clone();
        }
        let result = if place.is_file() {
            Ok(())
        } else {
            if let Some(notice) = &self.notice {
                notice(format!(
                    "installing wazero into {} (once: go install {})",
                    place.display(),
                    super::WAZERO_PACKAGE
                ));
            }
            super::fetch::install_wazero(go, place, &self.base_env, self.grace, cancel)
                .await
                .map_err(|reason| NotReady::new(reason, Some(super::WAZERO_INSTALL)))
        };
        *answer = Some(result.clone());
        result
    }

    /// Stops what outlives a command (`wineserver -k` for each prefix used). Called once at
    /// the end of the run, also after Ctrl-C.
    pub(crate) async fn shutdown(&self) {
        let prefixes = std::mem::take(&mut *self.prefixes.lock().await);
        for (path, prefix) in prefixes {
            // Another crosscheck still using the prefix keeps its wineserver; it stops it.
            let Some(_last) = lock::last_user(prefix.lock, &path) else {
                continue;
            };
            self.wineserver(&prefix.env, "-k", WINESERVER_TIMEOUT).await;
            self.wineserver(&prefix.env, "-w", WINESERVER_TIMEOUT).await;
        }
    }

    /// The inherited variables plus the runner's (WINEPREFIX, WINEDEBUG, ...).
    fn command_env(&self, runner: &Runner) -> BTreeMap<String, String> {
        let mut env = self.base_env.clone();
        env.extend(runner.env.clone());
        env
    }

    /// Initialises `prefix` unless another run did, under the prefix's exclusive lock; keeps
    /// a shared lock while this run uses it.
    async fn prepare_prefix(
        &self,
        runner: &Runner,
        prefix: &Path,
        env: &BTreeMap<String, String>,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> (Result<(), NotReady>, Option<lock::PrefixLock>) {
        let lock = match lock::exclusive(prefix, cancel).await {
            Ok(lock) => lock,
            Err(error) => return (Err(error), None),
        };
        let mut answer = if prefix.join(READY_MARK).is_file() {
            Ok(())
        } else {
            self.initialise(runner, prefix, env, cancel).await
        };
        if answer.is_ok() {
            answer = self.start_server(runner, env).await;
        }
        (answer, Some(lock::shared(lock)))
    }

    /// `wineboot --init`, the shim when wine lacks the DLL, then the ready mark.
    async fn initialise(
        &self,
        runner: &Runner,
        prefix: &Path,
        env: &BTreeMap<String, String>,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), NotReady> {
        if let Some(notice) = &self.notice {
            notice(format!(
                "preparing the wine prefix {} (once; wineboot takes a while)",
                prefix.display()
            ));
        }
        let Some(wine) = runner.command.first() else {
            return Err(NotReady::new(
                "the wine runner has no command".to_owned(),
                None,
            ));
        };
        let goarch = if env.contains_key(env_vars::WINEARCH) {
            "386"
        } else {
            "amd64"
        };
        // Known before the slow wineboot: without zig the prefix would be of no use.
        let shim_zig = if has_builtin(Path::new(wine), BCRYPTPRIMITIVES, goarch) {
            None
        } else {
            Some(self.zig_command()?)
        };
        let boot = [wine.clone(), "wineboot".to_owned(), "--init".to_owned()];
        self.step(&boot, env, WINEBOOT_TIMEOUT, cancel).await?;
        // wineboot returns before the prefix is written out; the server's exit means it is.
        let wait = [self.wineserver_arg(), "-w".to_owned()];
        self.step(&wait, env, WINESERVER_TIMEOUT, cancel).await?;
        if let Some(zig) = shim_zig {
            self.install_shim(&zig, prefix, goarch, cancel).await?;
        }
        std::fs::write(prefix.join(READY_MARK), b"").map_err(|error| {
            NotReady::new(
                format!(
                    "cannot write to the wine prefix {}: {error}",
                    prefix.display()
                ),
                None,
            )
        })
    }

    /// Builds `bcryptprimitives.dll` with zig into the prefix's system32, through a temporary
    /// name so a killed run never leaves half a DLL that Go would fail to load.
    async fn install_shim(
        &self,
        zig: &[String],
        prefix: &Path,
        goarch: &str,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), NotReady> {
        let failed = |what: &str, error: std::io::Error| {
            NotReady::new(
                format!("cannot {what} for the ProcessPrng shim: {error}"),
                None,
            )
        };
        let dir = tempfile::tempdir().map_err(|e| failed("create a temporary directory", e))?;
        let source = dir.path().join("processprng.c");
        std::fs::write(&source, PROCESSPRNG_C).map_err(|e| failed("write the C source", e))?;
        let system32 = prefix.join("drive_c").join("windows").join("system32");
        let partial = system32.join(format!(".{BCRYPTPRIMITIVES}.partial"));
        let argv = shim_argv(zig, goarch, &source, &partial);
        self.step(&argv, &self.base_env, SHIM_TIMEOUT, cancel)
            .await?;
        std::fs::rename(&partial, system32.join(BCRYPTPRIMITIVES))
            .map_err(|e| failed("move the DLL into system32", e))
    }

    /// The zig that builds the shim: the run's, else looked for now (a plan without cgo
    /// targets does not look for zig).
    fn zig_command(&self) -> Result<Vec<String>, NotReady> {
        if let Some(zig) = &self.zig {
            return Ok(zig.clone());
        }
        find_zig().map(|zig| zig.command).map_err(|why| {
            NotReady::new(
                format!(
                    "wine lacks {BCRYPTPRIMITIVES} (Go ≥ 1.22 needs its ProcessPrng) and zig, which builds crosscheck's replacement, is missing: {why}"
                ),
                Some(ZIG_INSTALL),
            )
        })
    }

    /// Runs one setup command; a failure names it with its last output lines.
    async fn step(
        &self,
        argv: &[String],
        env: &BTreeMap<String, String>,
        timeout: Duration,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), NotReady> {
        let mut tail = Vec::new();
        let cwd = std::env::temp_dir();
        let deadline = Some(Instant::now() + timeout);
        let mut keep = |line: String| {
            tail.push(line);
            if tail.len() > 5 {
                tail.remove(0);
            }
        };
        let end = run_command(argv, &cwd, env, deadline, self.grace, cancel, &mut keep).await;
        let shown = argv.join(" ");
        match end {
            Ok(end) if end.success() => Ok(()),
            Ok(end) => {
                let why = match end.stopped {
                    Some(crate::process::Stop::Cancelled) => "interrupted".to_owned(),
                    Some(crate::process::Stop::Timeout) => "timed out".to_owned(),
                    None => end.describe(),
                };
                let output = if tail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", tail.join(" | "))
                };
                Err(NotReady::new(
                    format!("preparing the wine prefix failed: `{shown}`: {why}{output}"),
                    None,
                ))
            }
            Err(error) => Err(NotReady::new(
                format!("preparing the wine prefix failed: cannot run `{shown}`: {error}"),
                None,
            )),
        }
    }

    /// Starts the prefix's wineserver and its services (`wineboot`) with no output pipes,
    /// before any program runs.
    ///
    /// The services a program's wine starts itself (services.exe, winedevice.exe, ...) leave
    /// its process group but keep its stderr: every run would then wait for output that
    /// never ends. The server's persistence delay keeps them up between one run's programs
    /// and lets them end on their own should crosscheck be killed outright.
    async fn start_server(
        &self,
        runner: &Runner,
        env: &BTreeMap<String, String>,
    ) -> Result<(), NotReady> {
        let wine = runner
            .command
            .first()
            .map(PathBuf::from)
            .unwrap_or_default();
        let steps = [
            (self.wineserver.clone(), SERVER_PERSISTENCE),
            (wine, "wineboot"),
        ];
        for (program, arg) in steps {
            let mut command = tokio::process::Command::new(&program);
            command
                .arg(arg)
                .env_clear()
                .envs(env)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true);
            let started = tokio::time::timeout(WINESERVER_TIMEOUT, command.status()).await;
            let why = match started {
                Ok(Ok(_)) => continue,
                Ok(Err(error)) => error.to_string(),
                Err(_) => "timed out".to_owned(),
            };
            return Err(NotReady::new(
                format!("cannot start `{} {arg}`: {why}", program.display()),
                None,
            ));
        }
        Ok(())
    }

    fn wineserver_arg(&self) -> String {
        self.wineserver.to_string_lossy().into_owned()
    }

    /// `wineserver <flag>` for one prefix, whatever happens: it only cleans up.
    async fn wineserver(&self, env: &BTreeMap<String, String>, flag: &str, timeout: Duration) {
        let argv = [self.wineserver_arg(), flag.to_owned()];
        // Shutdown also runs after Ctrl-C: it must not see the run's cancellation.
        let (_keep, mut never) = watch::channel(Cancel::No);
        let deadline = Some(Instant::now() + timeout);
        let cwd = std::env::temp_dir();
        let _ = run_command(
            &argv,
            &cwd,
            env,
            deadline,
            self.grace,
            &mut never,
            &mut |_| {},
        )
        .await;
    }
}

/// `zig cc` building the shim for a prefix's architecture. 32-bit Windows decorates
/// stdcall names (`ProcessPrng@8`); `--kill-at` exports the plain name Go asks for.
fn shim_argv(zig: &[String], goarch: &str, source: &Path, output: &Path) -> Vec<String> {
    let target = if goarch == "386" {
        "x86-windows-gnu"
    } else {
        "x86_64-windows-gnu"
    };
    let mut argv = zig.to_vec();
    argv.extend(["cc", "-target", target, "-shared", "-O2", "-o"].map(str::to_owned));
    argv.push(output.to_string_lossy().into_owned());
    argv.push(source.to_string_lossy().into_owned());
    if goarch == "386" {
        argv.push("-Wl,--kill-at".to_owned());
    }
    argv.push("-ladvapi32".to_owned());
    argv
}

/// The prefix's lock file, beside it: `<cache>/wine/amd64.lock`.
fn lock_path(prefix: &Path) -> PathBuf {
    let mut name = prefix.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    prefix.with_file_name(name)
}

/// File locks on a prefix, on Unix; elsewhere (where wine does not run) none.
mod lock {
    use super::*;

    #[cfg(unix)]
    pub(super) type PrefixLock = nix::fcntl::Flock<File>;
    #[cfg(not(unix))]
    pub(super) type PrefixLock = File;

    /// Waits for the prefix's exclusive lock, creating its parent directory.
    pub(super) async fn exclusive(
        prefix: &Path,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<PrefixLock, NotReady> {
        let path = lock_path(prefix);
        let cannot = |error: std::io::Error| {
            NotReady::new(
                format!("cannot lock the wine prefix ({}): {error}", path.display()),
                None,
            )
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(cannot)?;
        }
        loop {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(cannot)?;
            if let Some(lock) = try_exclusive(file) {
                return Ok(lock);
            }
            tokio::select! {
                () = tokio::time::sleep(LOCK_POLL) => {}
                _ = cancel.wait_for(|level| *level != Cancel::No) => {
                    return Err(NotReady::new("interrupted while waiting for the wine prefix".to_owned(), None));
                }
            }
        }
    }

    #[cfg(unix)]
    fn try_exclusive(file: File) -> Option<PrefixLock> {
        nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).ok()
    }

    #[cfg(not(unix))]
    fn try_exclusive(file: File) -> Option<PrefixLock> {
        Some(file)
    }

    /// Turns the exclusive lock into a shared one: other runs may use the prefix now.
    pub(super) fn shared(lock: PrefixLock) -> PrefixLock {
        #[cfg(unix)]
        let _ = lock.relock(nix::fcntl::FlockArg::LockShared);
        lock
    }

    /// The exclusive lock when no other run uses the prefix any more (this one's shared
    /// lock given up first), else None.
    pub(super) fn last_user(held: Option<PrefixLock>, prefix: &Path) -> Option<PrefixLock> {
        drop(held);
        let file = File::options().write(true).open(lock_path(prefix)).ok()?;
        try_exclusive(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_is_built_for_the_prefix_s_architecture() {
        let zig = ["python3".to_owned(), "-m".to_owned(), "ziglang".to_owned()];
        let argv = shim_argv(&zig, "amd64", Path::new("/t/p.c"), Path::new("/s/b.dll"));
        assert_eq!(
            argv.join(" "),
            "python3 -m ziglang cc -target x86_64-windows-gnu -shared -O2 -o /s/b.dll /t/p.c -ladvapi32"
        );
        let argv = shim_argv(&zig, "386", Path::new("/t/p.c"), Path::new("/s/b.dll"));
        assert!(
            argv.join(" ").contains("-target x86-windows-gnu")
                && argv.contains(&"-Wl,--kill-at".to_owned())
        );
    }

    #[test]
    fn the_lock_sits_beside_the_prefix() {
        assert_eq!(
            lock_path(Path::new("/c/wine/amd64")),
            Path::new("/c/wine/amd64.lock")
        );
    }

    #[test]
    fn the_shim_source_exports_process_prng_over_rtl_gen_random() {
        assert!(
            PROCESSPRNG_C.contains("ProcessPrng") && PROCESSPRNG_C.contains("SystemFunction036")
        );
    }

    fn runner(kind: RunnerKind, wine: &str, env: &[(&str, &str)]) -> Runner {
        Runner {
            kind,
            command: vec![wine.to_owned()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            description: String::new(),
        }
    }

    /// A setup whose wineserver is `true`: these tests start no real wine.
    fn harmless_setup() -> RunnerSetup {
        let host = HostRunners {
            wineserver: Some(PathBuf::from("true")),
            ..HostRunners::default()
        };
        RunnerSetup::new(
            Some(&host),
            &HostTools::default(),
            Duration::from_millis(10),
        )
    }

    #[tokio::test]
    async fn other_runners_are_ready_at_once_and_an_answer_is_given_once() {
        let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&notices);
        let setup = harmless_setup().with_notice(move |what| {
            seen.lock().unwrap().push(what);
        });
        let (_tx, mut cancel) = watch::channel(Cancel::No);
        assert_eq!(
            setup
                .ready(
                    &runner(RunnerKind::QemuUser, "qemu-s390x", &[]),
                    &mut cancel
                )
                .await,
            Ok(())
        );
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("wine").join("amd64");
        let prefix_str = prefix.to_string_lossy().into_owned();
        let wine = runner(
            RunnerKind::Wine,
            "/nonexistent/wine64",
            &[(env_vars::WINEPREFIX, &prefix_str)],
        );
        let first = setup.ready(&wine, &mut cancel).await.unwrap_err();
        assert!(
            first
                .reason
                .contains("cannot run `/nonexistent/wine64 wineboot --init`"),
            "{}",
            first.reason
        );
        // The answer is remembered: the missing wine is not tried again.
        assert_eq!(setup.ready(&wine, &mut cancel).await, Err(first));
        assert!(lock_path(&prefix).is_file() && !prefix.join(READY_MARK).exists());
        let notices = notices.lock().unwrap().clone();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].starts_with("preparing the wine prefix"),
            "{notices:?}"
        );
        setup.shutdown().await;
    }

    #[tokio::test]
    async fn a_ready_prefix_is_not_initialised_again() {
        let setup = harmless_setup();
        let (_tx, mut cancel) = watch::channel(Cancel::No);
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("amd64");
        std::fs::create_dir_all(&prefix).unwrap();
        std::fs::write(prefix.join(READY_MARK), b"").unwrap();
        let prefix_str = prefix.to_string_lossy().into_owned();
        // `true wineboot --init` would write no ready mark: only skipping it makes this Ok.
        let wine = runner(
            RunnerKind::Wine,
            "true",
            &[(env_vars::WINEPREFIX, &prefix_str)],
        );
        assert_eq!(setup.ready(&wine, &mut cancel).await, Ok(()));
    }
}
