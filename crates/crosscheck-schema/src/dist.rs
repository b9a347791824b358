//! The dist directory: its layout, its lock, staging, moving artifacts into place,
//! checksums, and the one rule for paths that must stay inside it.
//!
//! Every file crosscheck writes there goes to a temporary name in the same directory first
//! and is renamed into place, so a killed run leaves either the old file or the new one,
//! never half of one. The executor (builds), the release stage (archives, SBOMs, universal
//! binaries, merges) and the CLI (reports) all write and read dist through this module.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::manifest::Manifest;
use crate::plan::STAGING_DIR;

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

/// What to do when another run holds the dist directory's lock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LockPolicy {
    /// Wait for it.
    #[default]
    Wait,
    /// Fail with [`DistError::Locked`].
    NoWait,
}

/// The dist directory could not be locked, read or written.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// The dist directory, or a file in it, could not be created or written.
    #[error("cannot {action} {}: {source}{}", path.display(), io_hint(source))]
    Io {
        /// What was being done, e.g. "create the dist directory".
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the dist lock and `--no-wait` was given.
    #[error(
        "another crosscheck run is writing {} (lock {} is held) (hint: wait for it to finish, or run without --no-wait to wait)",
        dist.display(),
        lock.display()
    )]
    Locked {
        /// The dist directory.
        dist: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
}

impl DistError {
    /// A `map_err` adapter: `std::fs::write(&path, ..).map_err(DistError::io("write", &path))`.
    pub fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DistError {
        let path = path.to_owned();
        move |source| DistError::Io {
            action,
            path,
            source,
        }
    }
}

/// A hint for the I/O errors a user can fix.
pub fn io_hint(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => " (hint: choose a writable directory with --dist)",
        std::io::ErrorKind::StorageFull => " (hint: the disk is full; free some space)",
        std::io::ErrorKind::ReadOnlyFilesystem => {
            " (hint: the file system is read-only; choose another --dist)"
        }
        _ => "",
    }
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

impl DistLock {
    /// Whether the lock keeps other runs out. Off Unix crosscheck takes no lock (the file is
    /// created, nothing is locked): callers warn that two runs may then write at once.
    pub fn held(&self) -> bool {
        cfg!(unix)
    }
}

/// The outcome of one attempt to take the lock.
enum TryLock {
    Locked(DistLock),
    Busy(PathBuf),
}

/// Creates the dist directory and tries once to lock it.
///
/// Off Unix there is no lock: two runs writing one dist directory at once are not kept
/// apart there, and [`DistLock::held`] says so.
fn try_lock(dist: &Path) -> Result<TryLock, DistError> {
    let state = dist.join(STATE_DIR);
    std::fs::create_dir_all(&state).map_err(DistError::io("create the dist directory", &state))?;
    let path = state.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(DistError::io("open the lock file", &path))?;
    #[cfg(unix)]
    {
        use nix::fcntl::{Flock, FlockArg};
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => Ok(TryLock::Locked(DistLock { _lock: lock, path })),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(TryLock::Busy(path)),
            Err((_, errno)) => Err(DistError::Io {
                action: "lock",
                path,
                source: std::io::Error::from(errno),
            }),
        }
    }
    #[cfg(not(unix))]
    Ok(TryLock::Locked(DistLock { _file: file, path }))
}

/// Takes the lock of `dist` (creating the directory) from synchronous code, such as merging
/// shard outputs. With [`LockPolicy::Wait`] it polls until the holder is done, calling
/// `on_wait` once with the lock file; with [`LockPolicy::NoWait`] a held lock is
/// [`DistError::Locked`]. The executor waits asynchronously with a [`LockWaiter`] instead.
pub fn lock_blocking(
    dist: &Path,
    policy: LockPolicy,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<DistLock, DistError> {
    let mut waiter = LockWaiter::new(dist, policy);
    loop {
        if let Some(lock) = waiter.attempt(|lock| on_wait(&lock))? {
            return Ok(lock);
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// How often a waiter retries a held dist lock.
pub const LOCK_POLL: Duration = Duration::from_millis(250);

/// One waiter's attempts at the dist lock, shared by the executor's run (which waits
/// asynchronously, watching for Ctrl-C) and [`lock_blocking`].
pub struct LockWaiter<'a> {
    dist: &'a Path,
    policy: LockPolicy,
    announced: bool,
}

impl<'a> LockWaiter<'a> {
    /// A waiter for `dist`'s lock that has not tried yet.
    pub fn new(dist: &'a Path, policy: LockPolicy) -> LockWaiter<'a> {
        LockWaiter {
            dist,
            policy,
            announced: false,
        }
    }

    /// Tries once: the lock when it was free, `None` when it is held (try again after
    /// [`LOCK_POLL`]). The first time it is held, `on_wait` gets the lock file; with
    /// [`LockPolicy::NoWait`] a held lock is [`DistError::Locked`].
    pub fn attempt(
        &mut self,
        on_wait: impl FnOnce(PathBuf),
    ) -> Result<Option<DistLock>, DistError> {
        match try_lock(self.dist)? {
            TryLock::Locked(lock) => Ok(Some(lock)),
            TryLock::Busy(lock) if self.policy == LockPolicy::NoWait => Err(DistError::Locked {
                dist: self.dist.to_owned(),
                lock,
            }),
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
pub fn prepare(dist: &Path) -> Result<(), DistError> {
    let logs = dist.join(LOGS_DIR);
    std::fs::create_dir_all(&logs).map_err(DistError::io("create", &logs))?;
    let staging = dist.join(STAGING_DIR);
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(DistError::io("clean", &staging)(e)),
    }
    for name in [MANIFEST_FILE, CHECKSUMS_FILE] {
        let path = dist.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DistError::io("remove the previous", &path)(e)),
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
    let (size, sha256) = sha256_reader(&mut file)?;
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
        sha256,
    })
}

/// The SHA-256 of `bytes`, lowercase hex: how the manifest, `SHA256SUMS`, SBOMs and
/// inspection reports all write a digest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Reads `reader` to its end: its size in bytes and SHA-256 (lowercase hex), without
/// holding it in memory.
pub fn sha256_reader(reader: &mut impl Read) -> std::io::Result<(u64, String)> {
    let mut digest = StreamDigest::default();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        digest.update(&buffer[..n]);
    }
    Ok(digest.finish())
}

/// The size and SHA-256 of bytes seen piece by piece, for callers that do something else
/// with each piece (merge copies a file while hashing it).
#[derive(Clone, Debug, Default)]
pub struct StreamDigest {
    hasher: Sha256,
    size: u64,
}

impl StreamDigest {
    /// Adds the next piece.
    pub fn update(&mut self, bytes: &[u8]) {
        self.size += bytes.len() as u64;
        self.hasher.update(bytes);
    }

    /// The size in bytes and the SHA-256, lowercase hex.
    pub fn finish(self) -> (u64, String) {
        (self.size, hex(&self.hasher.finalize()))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}

/// Whether `path`, relative and written with `/` (or `\`), stays inside the directory it is
/// relative to: not empty, not absolute, and no `..` part. The one rule for output and archive
/// templates in matrix.toml, the paths the planner renders from them, and the paths a
/// manifest handed to `merge` or `report` names (which must not reach `/etc/passwd` or
/// `../../.ssh`).
pub fn stays_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with(['/', '\\'])
        && !Path::new(path).has_root()
        && !path.split(['/', '\\']).any(|part| part == "..")
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

/// Writes `manifest` to `dist/manifest.json`, atomically; returns its path.
pub fn write_manifest(dist: &Path, manifest: &Manifest) -> Result<PathBuf, DistError> {
    let path = dist.join(MANIFEST_FILE);
    let mut json = serde_json::to_vec_pretty(manifest).map_err(|e| DistError::Io {
        action: "serialise the manifest for",
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    // A text file ends with a newline (merge has always written one).
    json.push(b'\n');
    write_atomically(&path, &json).map_err(DistError::io("write", &path))?;
    Ok(path)
}

/// Writes `dist/SHA256SUMS` for `artifacts` ([`sha256sums`]), atomically; returns its path.
pub fn write_checksums<'a>(
    dist: &Path,
    artifacts: impl IntoIterator<Item = &'a Artifact>,
) -> Result<PathBuf, DistError> {
    let path = dist.join(CHECKSUMS_FILE);
    write_atomically(&path, sha256sums(artifacts).as_bytes())
        .map_err(DistError::io("write", &path))?;
    Ok(path)
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
    fn digests_are_lowercase_hex() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), abc);
        assert_eq!(
            sha256_reader(&mut &b"abc"[..]).unwrap(),
            (3, abc.to_owned())
        );
    }

    #[test]
    fn paths_that_stay_inside() {
        for inside in ["app", "bin/app", "a/./b", "linux_amd64/app.tar.gz"] {
            assert!(stays_inside(inside), "{inside}");
        }
        for outside in ["", "/etc/passwd", "\\x", "../x", "a/../../b", "a\\..\\b"] {
            assert!(!stays_inside(outside), "{outside}");
        }
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
            Err(DistError::Locked { .. })
        ));
        drop(held);
    }
}
