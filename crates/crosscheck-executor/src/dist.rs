//! The dist directory: its lock, staging, moving artifacts into place, checksums.
//!
//! Every file crosscheck writes there goes to a temporary name in the same directory first
//! and is renamed into place, so a killed run leaves either the old file or the new one,
//! never half of one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::error::ExecutorError;
use crate::options::LockPolicy;

/// crosscheck's own directory inside dist (staging, lock).
pub const STATE_DIR: &str = ".crosscheck";
/// The lock file, inside [`STATE_DIR`].
pub const LOCK_FILE: &str = "lock";
/// Per-target logs.
pub const LOGS_DIR: &str = "logs";
/// The manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Checksums in `sha256sum` format.
pub const CHECKSUMS_FILE: &str = "SHA256SUMS";

/// An artifact in its final place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the dist directory, with `/` separators.
    pub relative: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// An exclusive lock on a dist directory, released when dropped.
#[derive(Debug)]
pub struct DistLock {
    #[cfg(unix)]
    _lock: nix::fcntl::Flock<File>,
    #[cfg(not(unix))]
    _file: File,
    /// The lock file.
    pub path: PathBuf,
}

/// The outcome of one attempt to take the lock.
pub(crate) enum TryLock {
    Locked(DistLock),
    Busy(PathBuf),
}

pub(crate) fn dist_error(
    action: &'static str,
    path: &Path,
) -> impl FnOnce(std::io::Error) -> ExecutorError {
    let path = path.to_owned();
    move |source| ExecutorError::Dist {
        action,
        path,
        source,
    }
}

/// Creates the dist directory and tries once to lock it.
pub(crate) fn try_lock(dist: &Path) -> Result<TryLock, ExecutorError> {
    let state = dist.join(STATE_DIR);
    std::fs::create_dir_all(&state).map_err(dist_error("create the dist directory", &state))?;
    let path = state.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(dist_error("open the lock file", &path))?;
    #[cfg(unix)]
    {
        use nix::fcntl::{Flock, FlockArg};
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => Ok(TryLock::Locked(DistLock { _lock: lock, path })),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(TryLock::Busy(path)),
            Err((_, errno)) => Err(ExecutorError::Dist {
                action: "lock",
                path,
                source: std::io::Error::from(errno),
            }),
        }
    }
    #[cfg(not(unix))]
    Ok(TryLock::Locked(DistLock { _file: file, path }))
}

/// Takes the lock of `dist` (creating the directory) for work done outside [`run`](crate::run),
/// such as merging shard outputs. With [`LockPolicy::Wait`] it polls until the holder is done,
/// calling `on_wait` once with the lock file; with [`LockPolicy::NoWait`] a held lock is
/// [`ExecutorError::Locked`].
pub fn lock_blocking(
    dist: &Path,
    policy: LockPolicy,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<DistLock, ExecutorError> {
    let mut waiter = LockWaiter::new(dist, policy);
    loop {
        if let Some(lock) = waiter.attempt(|lock| on_wait(&lock))? {
            return Ok(lock);
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// How often a waiter retries a held dist lock.
pub(crate) const LOCK_POLL: Duration = Duration::from_millis(250);

/// One waiter's attempts at the dist lock, shared by [`run`](crate::run) (which waits
/// asynchronously, watching for Ctrl-C) and [`lock_blocking`].
pub(crate) struct LockWaiter<'a> {
    dist: &'a Path,
    policy: LockPolicy,
    announced: bool,
}

impl<'a> LockWaiter<'a> {
    pub(crate) fn new(dist: &'a Path, policy: LockPolicy) -> LockWaiter<'a> {
        LockWaiter {
            dist,
            policy,
            announced: false,
        }
    }

    /// Tries once: the lock when it was free, `None` when it is held (try again after
    /// [`LOCK_POLL`]). The first time it is held, `on_wait` gets the lock file; with
    /// [`LockPolicy::NoWait`] a held lock is [`ExecutorError::Locked`].
    pub(crate) fn attempt(
        &mut self,
        on_wait: impl FnOnce(PathBuf),
    ) -> Result<Option<DistLock>, ExecutorError> {
        match try_lock(self.dist)? {
            TryLock::Locked(lock) => Ok(Some(lock)),
            TryLock::Busy(lock) if self.policy == LockPolicy::NoWait => {
                Err(ExecutorError::Locked {
                    dist: self.dist.to_owned(),
                    lock,
                })
            }
            TryLock::Busy(lock) => {
                if !self.announced {
                    self.announced = true;
                    on_wait(lock);
                }
                Ok(None)
            }
        }
    }
}

/// Readies a locked dist directory for a run: creates `logs/`, empties the staging area
/// left by a killed run, and removes the previous manifest and checksums, which would lie
/// about artifacts this run replaces (they are written anew at the end).
pub(crate) fn prepare(dist: &Path) -> Result<(), ExecutorError> {
    let logs = dist.join(LOGS_DIR);
    std::fs::create_dir_all(&logs).map_err(dist_error("create", &logs))?;
    let staging = dist.join(crosscheck_planner::STAGING_DIR);
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(dist_error("clean", &staging)(e)),
    }
    for name in [MANIFEST_FILE, CHECKSUMS_FILE] {
        let path = dist.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(dist_error("remove the previous", &path)(e)),
        }
    }
    Ok(())
}

/// Moves a staged artifact to `dist/relative`: sets its mtime to `epoch`, hashes it, and
/// renames it into place.
pub fn finalize_artifact(
    staging: &Path,
    dist: &Path,
    relative: &str,
    epoch: i64,
) -> std::io::Result<Artifact> {
    let time = if epoch >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(epoch.unsigned_abs())
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(epoch.unsigned_abs())
    };
    let mut file = File::options().read(true).write(true).open(staging)?;
    file.set_times(
        std::fs::FileTimes::new()
            .set_accessed(time)
            .set_modified(time),
    )?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    // No fsync: the rename protects against a killed run (what the staging path is for),
    // and `go build` itself does not sync its output either.
    drop(file);
    let path = dist.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(staging, &path)?;
    Ok(Artifact {
        path,
        relative: relative.to_owned(),
        size,
        sha256: hex(&hasher.finalize()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".crosscheck-")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    // Temporary files are created 0600; the manifest and checksums are for everyone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// The `SHA256SUMS` text for `artifacts`, sorted by path, in the format `sha256sum -c`
/// reads: `<hex>  <path>`, with GNU's escaping for names holding `\` or a newline.
pub fn sha256sums<'a>(artifacts: impl IntoIterator<Item = &'a Artifact>) -> String {
    let mut sorted: Vec<&Artifact> = artifacts.into_iter().collect();
    sorted.sort_by(|a, b| a.relative.cmp(&b.relative));
    sorted
        .into_iter()
        .map(|artifact| {
            let name = &artifact.relative;
            if name.contains(['\\', '\n', '\r']) {
                let escaped = name
                    .replace('\\', "\\\\")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r");
                format!("\\{}  {escaped}\n", artifact.sha256)
            } else {
                format!("{}  {name}\n", artifact.sha256)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalize_hashes_dates_and_moves() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staged");
        std::fs::write(&staging, b"abc").unwrap();
        let dist = dir.path().join("dist");
        let artifact = finalize_artifact(&staging, &dist, "sub/app", 1_700_000_000).unwrap();
        assert!(!staging.exists());
        assert_eq!(artifact.size, 3);
        assert_eq!(
            artifact.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let modified = std::fs::metadata(dist.join("sub/app"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(
            modified,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
        );
    }

    #[test]
    fn sums_are_sorted_and_escaped() {
        let artifact = |relative: &str, digit: char| Artifact {
            path: PathBuf::from(relative),
            relative: relative.to_owned(),
            size: 0,
            sha256: digit.to_string().repeat(64),
        };
        let sums = sha256sums(&[artifact("b", 'b'), artifact("a\\x", 'a')]);
        assert_eq!(
            sums,
            format!("\\{}  a\\\\x\n{}  b\n", "a".repeat(64), "b".repeat(64))
        );
    }

    #[test]
    fn lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let first = try_lock(dir.path()).unwrap();
        assert!(matches!(first, TryLock::Locked(_)));
        assert!(matches!(try_lock(dir.path()).unwrap(), TryLock::Busy(_)));
        drop(first);
        assert!(matches!(try_lock(dir.path()).unwrap(), TryLock::Locked(_)));
        let held = lock_blocking(dir.path(), LockPolicy::NoWait, &mut |_| {}).unwrap();
        assert!(matches!(
            lock_blocking(dir.path(), LockPolicy::NoWait, &mut |_| {}),
            Err(ExecutorError::Locked { .. })
        ));
        drop(held);
    }
}
