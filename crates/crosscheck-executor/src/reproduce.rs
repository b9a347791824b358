//! `--verify-reproducible`: build a target a second time, somewhere else, from nothing, and
//! compare the bytes.
//!
//! After a target's first build succeeded, [`Workspace::create`] copies the module into a fresh
//! temporary directory whose path differs from the original in text and in length (so a leaked
//! path changes the bytes), next to an empty Go build cache (so every package is compiled again
//! instead of fetched) and fresh zig caches. [`second_build`] rewrites the prepared commands for
//! it: the same argv and environment, except that the output, the working directory, `GOCACHE`,
//! `GOTMPDIR` and the zig caches point into the workspace. [`reproduce`] runs them exactly like
//! the first build (process groups, the timeout, Ctrl-C), [`compare`]s the two artifacts byte
//! for byte and asks the inspector hook which section holds the first difference. The
//! workspace is a [`tempfile::TempDir`]: it is removed when dropped, whatever happened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crosscheck_planner::PlannedTarget;
use crosscheck_planner::env_vars::{
    GOCACHE, GOCACHEPROG, GOTMPDIR, ZIG_GLOBAL_CACHE_DIR, ZIG_LOCAL_CACHE_DIR,
};
use crosscheck_schema::{Difference, Reproduction};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::inspect::Inspect;
use crate::prepare::{PreparedTarget, display_command, shell_quote};
use crate::process::{Cancel, Stop, run_command};

/// Where the second build happens; deleted on drop.
#[derive(Debug)]
pub(crate) struct Workspace {
    root: tempfile::TempDir,
    /// The copy of the module.
    module: PathBuf,
    /// The empty Go build cache.
    cache: PathBuf,
    /// `GOTMPDIR`: Go's work directories, so even a killed `go build` leaves nothing behind.
    tmp: PathBuf,
    /// The zig caches.
    zig: PathBuf,
    /// Where the artifact goes.
    out: PathBuf,
}

impl Workspace {
    /// Creates the workspace under the system temporary directory (`TMPDIR`) and copies
    /// `module_dir` into it, leaving out VCS metadata and every directory in `skip` (the dist
    /// directory). With `mirror_git`, when the module is in a git checkout, the whole
    /// checkout is mirrored instead ([`mirror_checkout`]) so that Go stamps the same
    /// `vcs.revision`, `vcs.time` and `vcs.modified` into the second build.
    pub(crate) fn create(
        module_dir: &Path,
        skip: &[PathBuf],
        mirror_git: bool,
    ) -> std::io::Result<Workspace> {
        let checkout = mirror_git.then(|| git_checkout(module_dir)).flatten();
        // Where the module sits inside what is copied (the checkout, or itself).
        let inside = checkout
            .as_deref()
            .and_then(|root| module_dir.strip_prefix(root).ok())
            .unwrap_or(Path::new(""));
        let root = tempfile::Builder::new()
            .prefix("crosscheck-reproduce-")
            .tempdir()?;
        // A path of another length: a leaked path then shifts bytes instead of hiding in an
        // equally long string.
        let mut name = String::from("module");
        let (copy_root, module) = loop {
            let copy_root = root.path().join(&name);
            let candidate = copy_root.join(inside);
            if candidate.as_os_str().len() != module_dir.as_os_str().len() {
                break (copy_root, candidate);
            }
            name.push('_');
        };
        let workspace = Workspace {
            cache: root.path().join("gocache"),
            tmp: root.path().join("tmp"),
            zig: root.path().join("zig"),
            out: root.path().join("out"),
            module,
            root,
        };
        for dir in [
            &workspace.cache,
            &workspace.tmp,
            &workspace.zig,
            &workspace.out,
        ] {
            std::fs::create_dir(dir)?;
        }
        let mut skip: Vec<PathBuf> = skip
            .iter()
            .filter_map(|path| path.canonicalize().ok())
            .collect();
        // TMPDIR inside the module must not copy the copy into itself.
        skip.extend(workspace.root.path().canonicalize().ok());
        match &checkout {
            Some(checkout) => mirror_checkout(checkout, &copy_root, &skip)?,
            None => copy_tree(module_dir, &workspace.module, &skip, 0)?,
        }
        Ok(workspace)
    }

    /// The workspace's root directory.
    pub(crate) fn root(&self) -> &Path {
        self.root.path()
    }
}

/// Directory nesting beyond which the copy gives up: a symlink loop or a hostile tree.
const MAX_DEPTH: usize = 64;

/// Names never copied: VCS metadata (big, and not part of the source).
const NOT_COPIED: &[&str] = &[".git", ".hg", ".svn", ".bzr", ".jj"];

fn copy_tree(from: &Path, to: &Path, skip: &[PathBuf], depth: usize) -> std::io::Result<()> {
    if depth > MAX_DEPTH {
        return Err(std::io::Error::other(format!(
            "{} is nested more than {MAX_DEPTH} directories deep",
            from.display()
        )));
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if NOT_COPIED.iter().any(|n| name == *n) {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if source
                .canonicalize()
                .is_ok_and(|canonical| skip.contains(&canonical))
            {
                continue;
            }
            copy_tree(&source, &target, skip, depth + 1)?;
        } else if kind.is_symlink() {
            copy_symlink(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target)?;
        }
        // Sockets, fifos and devices are not source.
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(source: &Path, target: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(source)?, target)
}

#[cfg(not(unix))]
fn copy_symlink(source: &Path, target: &Path) -> std::io::Result<()> {
    // Without portable symlinks, copy what the link points at.
    if source.is_dir() {
        Ok(())
    } else {
        std::fs::copy(source, target).map(|_| ())
    }
}

/// The root of the git checkout holding `module_dir` (the nearest ancestor with a `.git`),
/// which is where Go looks for the VCS information it stamps.
fn git_checkout(module_dir: &Path) -> Option<PathBuf> {
    module_dir
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_owned)
}

/// Mirrors the git checkout at `checkout` into `to`: every file git sees (tracked, and
/// untracked but not ignored, as `git status` does), hard-linked where the file system
/// allows and copied where not, plus a `.git` file pointing at the original repository. In
/// the mirror `git status` and `git log` then answer as in the checkout, so the second
/// build's `vcs.*` stamps match the first's; nothing of the repository is written
/// (`GIT_OPTIONAL_LOCKS=0` keeps `git status` from refreshing the index).
fn mirror_checkout(checkout: &Path, to: &Path, skip: &[PathBuf]) -> std::io::Result<()> {
    let listed = std::process::Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(checkout)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(|error| {
            std::io::Error::other(format!(
                "cannot run git in {} (the module is in a git checkout): {error}",
                checkout.display()
            ))
        })?;
    if !listed.status.success() {
        return Err(std::io::Error::other(format!(
            "git ls-files failed in {}: {}",
            checkout.display(),
            String::from_utf8_lossy(&listed.stderr).trim()
        )));
    }
    std::fs::create_dir_all(to)?;
    for name in listed.stdout.split(|&byte| byte == 0) {
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let source = checkout.join(name);
        if skip.iter().any(|dir| source.starts_with(dir)) {
            continue;
        }
        let Ok(metadata) = std::fs::symlink_metadata(&source) else {
            // Deleted but still tracked: missing in the mirror too, as git will see it.
            continue;
        };
        let target = to.join(name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if metadata.file_type().is_symlink() {
            copy_symlink(&source, &target)?;
        } else if metadata.is_file() && std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target)?;
        }
        // A directory here is a submodule: left out.
    }
    let git = checkout.join(".git");
    let git_dir = if git.is_dir() {
        git
    } else {
        // A linked worktree or submodule: `.git` is a file naming the real git directory.
        let text = std::fs::read_to_string(&git)?;
        let named = text
            .lines()
            .find_map(|line| line.strip_prefix("gitdir:"))
            .map(str::trim)
            .ok_or_else(|| std::io::Error::other(format!("{} names no gitdir", git.display())))?;
        checkout.join(named)
    };
    std::fs::write(to.join(".git"), format!("gitdir: {}\n", git_dir.display()))
}

/// The second build's commands, working directory, environment and output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecondBuild {
    pub commands: Vec<Vec<String>>,
    pub cwd: PathBuf,
    pub env: BTreeMap<String, String>,
    pub output: PathBuf,
}

/// Rewrites `target`'s commands to build into `workspace`: everything else stays as planned.
pub(crate) fn second_build(
    target: &PreparedTarget,
    planned: &PlannedTarget,
    module_dir: &Path,
    workspace: &Workspace,
) -> Result<SecondBuild, String> {
    let relative = target.cwd.strip_prefix(module_dir).map_err(|_| {
        format!(
            "the build runs in {}, outside its module {}",
            target.cwd.display(),
            module_dir.display()
        )
    })?;
    let staging = Path::new(&planned.staging_output);
    let output = workspace
        .out
        .join(staging.file_name().unwrap_or(staging.as_os_str()));
    let output_text = output.to_string_lossy().into_owned();
    let mut replaced = false;
    let commands = target
        .commands
        .iter()
        .map(|argv| {
            argv.iter()
                .map(|arg| {
                    if *arg == planned.staging_output {
                        replaced = true;
                        output_text.clone()
                    } else {
                        arg.clone()
                    }
                })
                .collect()
        })
        .collect();
    if !replaced {
        return Err(format!(
            "the command does not name the output {} (-o)",
            planned.staging_output
        ));
    }
    let mut env = target.env.clone();
    env.insert(GOCACHE.to_owned(), path_text(&workspace.cache));
    env.insert(GOTMPDIR.to_owned(), path_text(&workspace.tmp));
    env.remove(GOCACHEPROG);
    // Go asks `git status` for vcs.modified; in a mirrored checkout it must not refresh the
    // original repository's index.
    env.insert("GIT_OPTIONAL_LOCKS".to_owned(), "0".to_owned());
    for name in [ZIG_GLOBAL_CACHE_DIR, ZIG_LOCAL_CACHE_DIR] {
        if let Some(value) = env.get_mut(name) {
            *value = path_text(&workspace.zig);
        }
    }
    Ok(SecondBuild {
        commands,
        cwd: workspace.module.join(relative),
        env,
        output,
    })
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Where two byte strings first differ, and by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// The first differing offset; `None` when identical.
    pub first: Option<u64>,
    /// Differing positions over the common length, plus the length difference.
    pub differing: u64,
}

/// Compares `first` and `second` byte for byte.
pub(crate) fn compare(first: &[u8], second: &[u8]) -> Comparison {
    let common = first.len().min(second.len());
    let mut first_offset = None;
    let mut differing: u64 = 0;
    for (offset, (a, b)) in first[..common].iter().zip(&second[..common]).enumerate() {
        if a != b {
            differing += 1;
            first_offset.get_or_insert(offset as u64);
        }
    }
    let extra = first.len().abs_diff(second.len()) as u64;
    if extra > 0 {
        first_offset.get_or_insert(common as u64);
    }
    Comparison {
        first: first_offset,
        differing: differing + extra,
    }
}

/// Whether Go stamps VCS information (`vcs.revision`, `vcs.modified`) into this build: the
/// module is in a checkout and nothing turns stamping off. The copy is outside the checkout,
/// so its build info cannot carry the same stamps.
pub(crate) fn stamps_vcs(module_dir: &Path, target: &PreparedTarget) -> bool {
    let disabled = |text: &str| text.contains("-buildvcs=false");
    if target.commands.iter().flatten().any(|arg| disabled(arg))
        || target
            .env
            .get("GOFLAGS")
            .is_some_and(|flags| disabled(flags))
    {
        return false;
    }
    module_dir.ancestors().any(|dir| {
        NOT_COPIED
            .iter()
            .chain(&[".fossil", "_FOSSIL_"])
            .any(|name| dir.join(name).exists())
    })
}

/// What usually makes a target's two builds differ, most specific first.
pub(crate) fn hint(
    planned: &PlannedTarget,
    target: &PreparedTarget,
    section: Option<&str>,
    vcs: bool,
) -> String {
    let trimpath = target
        .commands
        .iter()
        .flatten()
        .any(|arg| arg == "-trimpath");
    let buildinfo = section.is_some_and(|s| s.contains("buildinfo"));
    if vcs && buildinfo {
        return "the module is in a VCS checkout, so Go stamps vcs.revision and vcs.modified into the build info; crosscheck mirrors git checkouts for the second build, but not other VCSs, and an untracked, unignored dist directory changes vcs.modified (ignore dist/, or add \"-buildvcs=false\" to [build] flags)".to_owned();
    }
    if !trimpath {
        return "-trimpath is off ([build] trimpath = false): the absolute source directory is compiled into the binary, and the second build ran in another directory".to_owned();
    }
    if planned.cgo {
        return "the C compiler may embed the build time (__DATE__, __TIME__) or the build directory (__FILE__, debug info); build C code with -ffile-prefix-map and honour SOURCE_DATE_EPOCH".to_owned();
    }
    if vcs {
        return "the module is in a VCS checkout: Go's vcs.* build settings may differ between the builds (crosscheck mirrors git checkouts, not other VCSs; ignore dist/, or add \"-buildvcs=false\" to [build] flags)".to_owned();
    }
    "the build embeds something that changes between builds: the time (an -X flag fed by `date`), the build directory, a random value, or a file generated during the build".to_owned()
}

/// What [`reproduce`] needs about one target.
pub(crate) struct Job<'a> {
    pub target: &'a PreparedTarget,
    pub planned: &'a PlannedTarget,
    pub module_dir: PathBuf,
    /// Directories the copy leaves out (the dist directory).
    pub skip: Vec<PathBuf>,
    /// The first build's artifact, in the dist directory.
    pub artifact: PathBuf,
    pub timeout: Option<Duration>,
    pub grace: Duration,
    pub inspect: Option<Arc<dyn Inspect>>,
}

/// Builds `job`'s target a second time in a fresh workspace and compares the artifacts.
/// `None` when cancelled (Ctrl-C, fail-fast): nothing was verified, nothing is claimed.
/// `on_line` receives the commands (as `$ ...` lines) and their output.
pub(crate) async fn reproduce(
    job: Job<'_>,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> Option<Reproduction> {
    let started = Instant::now();
    let vcs = stamps_vcs(&job.module_dir, job.target);
    let deadline = job.timeout.map(|timeout| started + timeout);
    let compared = build_and_compare(&job, vcs, deadline, cancel, on_line).await;
    let duration_ms = crosscheck_schema::duration_ms(started.elapsed());
    match compared {
        Ok(compared) => Some(compared.reproduction(&job, vcs, duration_ms)),
        Err(NotCompared::Cancelled) => None,
        Err(NotCompared::Failed { error, hint }) => Some(Reproduction {
            verified: false,
            size: None,
            first_difference: None,
            differing_bytes: None,
            size_difference: None,
            error: Some(error),
            hint,
            duration_ms,
        }),
    }
}

/// Why two builds were not compared.
enum NotCompared {
    /// Ctrl-C or fail-fast stopped the second build.
    Cancelled,
    /// The copy or the second build failed.
    Failed { error: String, hint: Option<String> },
}

impl NotCompared {
    fn failed(error: String) -> NotCompared {
        NotCompared::Failed { error, hint: None }
    }

    fn hinted(error: String, hint: &str) -> NotCompared {
        NotCompared::Failed {
            error,
            hint: Some(hint.to_owned()),
        }
    }
}

/// Copies the module, builds the second artifact there and compares it with the first. The
/// workspace is gone when this returns.
async fn build_and_compare(
    job: &Job<'_>,
    vcs: bool,
    deadline: Option<Instant>,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> Result<Compared, NotCompared> {
    let workspace = copy_module(job, vcs).await?;
    let build = second_build(job.target, job.planned, &job.module_dir, &workspace)
        .map_err(|error| NotCompared::failed(format!("cannot build a second time: {error}")))?;
    on_line(format!(
        "# reproducing in {} with an empty GOCACHE",
        workspace.root().display()
    ));
    run_second_build(&build, deadline, job.grace, cancel, on_line).await?;
    let compared = compare_artifacts(&job.artifact, &build.output, job.inspect.clone()).await;
    drop(workspace);
    compared
}

/// [`Workspace::create`], on a blocking thread.
async fn copy_module(job: &Job<'_>, vcs: bool) -> Result<Workspace, NotCompared> {
    let (module_dir, skip) = (job.module_dir.clone(), job.skip.clone());
    blocking(move || Workspace::create(&module_dir, &skip, vcs))
        .await?
        .map_err(|error| {
            NotCompared::hinted(
                format!(
                    "cannot copy {} to a temporary directory: {error}",
                    job.module_dir.display()
                ),
                "the copy goes to TMPDIR: is it writable, with room for the module?",
            )
        })
}

/// Runs the second build's commands as the first build's ran: process groups, the same
/// timeout (counted from the start of the reproduction), Ctrl-C.
async fn run_second_build(
    build: &SecondBuild,
    deadline: Option<Instant>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> Result<(), NotCompared> {
    for argv in &build.commands {
        on_line(format!(
            "$ cd {} && {}",
            shell_quote(&build.cwd.to_string_lossy()),
            display_command(argv)
        ));
        let end = run_command(
            argv, &build.cwd, &build.env, deadline, grace, cancel, on_line,
        )
        .await
        .map_err(|error| NotCompared::failed(format!("cannot run the second build: {error}")))?;
        match end.stopped {
            Some(Stop::Cancelled) => return Err(NotCompared::Cancelled),
            Some(Stop::Timeout) => {
                return Err(NotCompared::hinted(
                    "the second build timed out".to_owned(),
                    "raise --timeout: the second build starts with an empty build cache and compiles the standard library too",
                ));
            }
            None if !end.success() => {
                return Err(NotCompared::hinted(
                    format!("the second build failed: {}", end.describe()),
                    "the module may need files outside its directory (a replace directive with a relative path, a go.work file, a generated file); the copy holds only the module directory",
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// What comparing the two artifacts found.
struct Compared {
    first_len: usize,
    second_len: usize,
    comparison: Comparison,
    /// The section holding the first difference, and the offset in it.
    location: Option<(String, u64)>,
}

impl Compared {
    fn reproduction(self, job: &Job<'_>, vcs: bool, duration_ms: u64) -> Reproduction {
        let size_difference = i64::try_from(self.second_len)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(self.first_len).unwrap_or(i64::MAX));
        let verified = self.comparison.first.is_none();
        let section = self.location.as_ref().map(|(section, _)| section.as_str());
        let hint = (!verified).then(|| hint(job.planned, job.target, section, vcs));
        Reproduction {
            verified,
            size: Some(self.second_len as u64),
            first_difference: self.comparison.first.map(|offset| Difference {
                offset,
                section: self.location.as_ref().map(|(section, _)| section.clone()),
                section_offset: self.location.as_ref().map(|(_, at)| *at),
            }),
            differing_bytes: Some(self.comparison.differing),
            size_difference: Some(size_difference),
            error: None,
            hint,
            duration_ms,
        }
    }
}

/// Reads both artifacts and compares them on a blocking thread; the inspector hook names
/// the section of the first difference.
async fn compare_artifacts(
    first: &Path,
    second: &Path,
    inspect: Option<Arc<dyn Inspect>>,
) -> Result<Compared, NotCompared> {
    let (first_path, second_path) = (first.to_owned(), second.to_owned());
    blocking(move || {
        let first = std::fs::read(&first_path)
            .map_err(|e| format!("cannot read {}: {e}", first_path.display()))?;
        let second = std::fs::read(&second_path).map_err(|e| {
            format!(
                "the second build wrote no artifact ({}: {e})",
                second_path.display()
            )
        })?;
        let comparison = compare(&first, &second);
        let location = comparison
            .first
            .and_then(|offset| inspect.as_ref()?.locate(&first, offset));
        Ok(Compared {
            first_len: first.len(),
            second_len: second.len(),
            comparison,
            location,
        })
    })
    .await?
    .map_err(NotCompared::failed)
}

/// Runs `work` on a blocking thread; a task that panicked or was cancelled is an internal
/// error.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, NotCompared> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| NotCompared::failed(format!("internal error: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_bytes_compare_equal() {
        assert_eq!(
            compare(b"abc", b"abc"),
            Comparison {
                first: None,
                differing: 0
            }
        );
    }

    #[test]
    fn the_first_difference_and_the_count_are_found() {
        assert_eq!(
            compare(b"abcdef", b"abXdeY"),
            Comparison {
                first: Some(2),
                differing: 2
            }
        );
        // A longer second file differs where the first one ends.
        assert_eq!(
            compare(b"abc", b"abcde"),
            Comparison {
                first: Some(3),
                differing: 2
            }
        );
        assert_eq!(
            compare(b"", b"x"),
            Comparison {
                first: Some(0),
                differing: 1
            }
        );
    }

    /// A module whose "build" copies `payload` to the output, and the first artifact.
    struct Fixture {
        module: tempfile::TempDir,
        dist: tempfile::TempDir,
        target: PreparedTarget,
        planned: PlannedTarget,
    }

    impl Fixture {
        fn new(script: &str, first_artifact: &[u8]) -> Fixture {
            let module = tempfile::tempdir().unwrap();
            std::fs::write(module.path().join("payload"), b"same bytes").unwrap();
            let dist = tempfile::tempdir().unwrap();
            std::fs::write(dist.path().join("app"), first_artifact).unwrap();
            let planned = serde_json::from_value(serde_json::json!({
                "id": "linux/amd64", "slug": "s", "goos": "linux", "goarch": "amd64",
                "variant": null, "cgo": false, "libc": null, "first_class": true,
                "output": "app", "staging_output": "/staging/app", "cwd": module.path(),
                "argv": [], "env": {}, "requirements": [], "policy": {}, "shard": null
            }))
            .unwrap();
            let target = PreparedTarget {
                index: 0,
                id: "linux/amd64".to_owned(),
                commands: vec![
                    ["sh", "-c", script, "sh", "/staging/app"]
                        .map(str::to_owned)
                        .to_vec(),
                ],
                cwd: module.path().to_owned(),
                env: BTreeMap::from([("PATH".to_owned(), "/usr/bin:/bin".to_owned())]),
                set_env: BTreeMap::new(),
                c_compiler: None,
                missing_cc: None,
            };
            Fixture {
                module,
                dist,
                target,
                planned,
            }
        }

        async fn reproduce(&self, cancel: Cancel) -> (Option<Reproduction>, Vec<String>) {
            let job = Job {
                target: &self.target,
                planned: &self.planned,
                module_dir: self.module.path().to_owned(),
                skip: Vec::new(),
                artifact: self.dist.path().join("app"),
                timeout: None,
                grace: Duration::from_millis(100),
                inspect: None,
            };
            let (_tx, mut cancel) = watch::channel(cancel);
            let mut lines = Vec::new();
            let reproduction = reproduce(job, &mut cancel, &mut |line| lines.push(line)).await;
            (reproduction, lines)
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_same_bytes_are_verified() {
        let fixture = Fixture::new(r#"cp payload "$1""#, b"same bytes");
        let (reproduction, lines) = fixture.reproduce(Cancel::No).await;
        let reproduction = reproduction.unwrap();
        assert!(reproduction.verified, "{reproduction:?}");
        assert_eq!(reproduction.size, Some(10));
        assert_eq!(reproduction.differing_bytes, Some(0));
        assert_eq!(reproduction.size_difference, Some(0));
        assert_eq!((reproduction.error, reproduction.hint), (None, None));
        assert!(lines[0].starts_with("# reproducing in "), "{lines:?}");
        assert!(lines[1].starts_with("$ cd "), "{lines:?}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_difference_is_located_and_explained() {
        let fixture = Fixture::new(r#"cp payload "$1""#, b"same bytez!");
        let (reproduction, _) = fixture.reproduce(Cancel::No).await;
        let reproduction = reproduction.unwrap();
        assert!(!reproduction.verified);
        let first = reproduction.first_difference.unwrap();
        assert_eq!((first.offset, first.section), (9, None));
        assert_eq!(reproduction.differing_bytes, Some(2));
        assert_eq!(reproduction.size_difference, Some(-1));
        assert!(reproduction.hint.unwrap().contains("-trimpath is off"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_failed_second_build_is_an_error_with_a_hint() {
        let fixture = Fixture::new("exit 3", b"same bytes");
        let (reproduction, _) = fixture.reproduce(Cancel::No).await;
        let reproduction = reproduction.unwrap();
        assert!(!reproduction.verified);
        assert_eq!(
            reproduction.error.as_deref(),
            Some("the second build failed: exit status 3")
        );
        assert!(reproduction.hint.is_some());
        assert_eq!(reproduction.size, None);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_cancelled_second_build_claims_nothing() {
        let fixture = Fixture::new("sleep 30", b"same bytes");
        let (reproduction, _) = fixture.reproduce(Cancel::Graceful).await;
        assert_eq!(reproduction, None);
    }

    #[test]
    fn the_copy_has_another_path_and_leaves_out_vcs_and_dist() -> std::io::Result<()> {
        let module = tempfile::tempdir()?;
        std::fs::write(module.path().join("go.mod"), "module x\n")?;
        std::fs::create_dir_all(module.path().join("sub/deeper"))?;
        std::fs::write(module.path().join("sub/deeper/a.go"), "package a\n")?;
        std::fs::create_dir_all(module.path().join(".git/objects"))?;
        std::fs::create_dir_all(module.path().join("dist/.crosscheck"))?;
        std::fs::write(module.path().join("dist/app"), "binary")?;
        let workspace = Workspace::create(module.path(), &[module.path().join("dist")], false)?;
        let copy = workspace.module.clone();
        assert_ne!(copy.as_os_str().len(), module.path().as_os_str().len());
        assert!(copy.join("go.mod").is_file());
        assert!(copy.join("sub/deeper/a.go").is_file());
        assert!(!copy.join(".git").exists());
        assert!(!copy.join("dist").exists());
        let root = workspace.root().to_owned();
        drop(workspace);
        assert!(!root.exists(), "the workspace outlived its drop");
        Ok(())
    }
}
