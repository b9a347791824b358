//! Remembered test results: Go never caches test runs made through `-exec`
//! (golang/go#27207), so without this every package would run again under every emulator
//! on every run.
//!
//! A result is keyed by everything that decides it: the test binary's SHA-256 (which
//! changes when the package, a dependency, the Go version or a build flag does), the
//! runner (its words and variables) and the runner's program files (path, size and mtime:
//! an upgraded qemu or node is another runner), the test binary's arguments, the
//! environment it runs in and its working directory. As `go test` does, only passing
//! packages are remembered: a failure runs again, flaky or not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crosscheck_schema::{PackageTests, Runner, TestCase};
use serde::{Deserialize, Serialize};

/// The cache's directory under crosscheck's state directory. The version in the name
/// changes whenever what is remembered changes shape.
pub(crate) const CACHE_DIR: &str = "test-results-v1";

/// What a passing package's run left, as remembered.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Remembered {
    pub(crate) package: PackageTests,
    pub(crate) tests: Vec<TestCase>,
}

/// Everything that decides a test binary's result.
#[derive(Serialize)]
pub(crate) struct CacheKey<'a> {
    pub(crate) binary_sha256: &'a str,
    pub(crate) runner: &'a Runner,
    pub(crate) runner_files: Vec<String>,
    pub(crate) args: &'a [String],
    pub(crate) env: &'a BTreeMap<String, String>,
    pub(crate) cwd: &'a Path,
}

impl CacheKey<'_> {
    /// The key's SHA-256, which names the file the result is remembered in.
    pub(crate) fn digest(&self) -> String {
        // Serializing plain strings and maps cannot fail.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        crosscheck_schema::dist::sha256_hex(&bytes)
    }
}

/// Identifies the programs a runner runs: each word of its command that is a file (given
/// as a path or found on PATH), with its size and modification time. Hashing a 100 MB node
/// on every run would cost more than it saves.
pub(crate) fn runner_files(runner: &Runner, path_var: Option<&str>) -> Vec<String> {
    runner
        .command
        .iter()
        .filter_map(|word| {
            let path = if word.contains('/') {
                PathBuf::from(word)
            } else {
                which::which_in(word, path_var, ".").ok()?
            };
            let meta = std::fs::metadata(&path).ok()?;
            let mtime = meta
                .modified()
                .ok()?
                .duration_since(UNIX_EPOCH)
                .ok()?
                .as_nanos();
            Some(format!("{} {} {mtime}", path.display(), meta.len()))
        })
        .collect()
}

/// Where results are remembered; `None` when nothing is (`--no-cache`, no state directory).
#[derive(Clone, Debug)]
pub(crate) struct ResultCache {
    dir: Option<PathBuf>,
    /// Look nothing up, but still remember: `--no-cache` refreshes the cache.
    read: bool,
}

impl ResultCache {
    pub(crate) fn new(state_dir: Option<&Path>, read: bool) -> ResultCache {
        ResultCache {
            dir: state_dir.map(|dir| dir.join(CACHE_DIR)),
            read,
        }
    }

    fn path(&self, digest: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(&digest[..2]).join(format!("{digest}.json")))
    }

    /// The remembered result for `digest`, if any; an unreadable entry is a miss.
    pub(crate) fn get(&self, digest: &str) -> Option<Remembered> {
        if !self.read {
            return None;
        }
        let bytes = std::fs::read(self.path(digest)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Remembers a passing result. Failing to write only costs a re-run next time.
    pub(crate) fn put(&self, digest: &str, remembered: &Remembered) {
        let Some(path) = self.path(digest) else {
            return;
        };
        let Ok(bytes) = serde_json::to_vec(remembered) else {
            return;
        };
        if let Some(dir) = path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = crosscheck_schema::dist::write_atomically(&path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::{RunnerKind, TestStatus};

    fn runner(command: &[&str]) -> Runner {
        Runner {
            kind: RunnerKind::QemuUser,
            command: command.iter().map(|s| (*s).to_owned()).collect(),
            env: BTreeMap::new(),
            description: String::new(),
        }
    }

    fn key<'a>(
        sha: &'a str,
        runner: &'a Runner,
        args: &'a [String],
        env: &'a BTreeMap<String, String>,
    ) -> CacheKey<'a> {
        CacheKey {
            binary_sha256: sha,
            runner,
            runner_files: Vec::new(),
            args,
            env,
            cwd: Path::new("/m/pkg"),
        }
    }

    #[test]
    fn every_part_of_the_key_changes_the_digest() {
        let qemu = runner(&["qemu-s390x"]);
        let other = runner(&["qemu-s390x", "-cpu", "max"]);
        let args = vec!["-test.v=test2json".to_owned()];
        let more = vec!["-test.short=true".to_owned()];
        let env = BTreeMap::new();
        let env2 = BTreeMap::from([("A".to_owned(), "1".to_owned())]);
        let base = key("aa", &qemu, &args, &env).digest();
        assert_eq!(base, key("aa", &qemu, &args, &env).digest());
        assert_ne!(base, key("ab", &qemu, &args, &env).digest());
        assert_ne!(base, key("aa", &other, &args, &env).digest());
        assert_ne!(base, key("aa", &qemu, &more, &env).digest());
        assert_ne!(base, key("aa", &qemu, &args, &env2).digest());
        let mut moved = key("aa", &qemu, &args, &env);
        moved.cwd = Path::new("/m/other");
        assert_ne!(base, moved.digest());
    }

    #[test]
    fn a_result_is_remembered_and_no_cache_reads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResultCache::new(Some(dir.path()), true);
        let remembered = Remembered {
            package: PackageTests {
                package: "example.com/m".to_owned(),
                status: Some(TestStatus::Pass),
                elapsed: 0.5,
                cached: false,
                reason: None,
                output: Vec::new(),
            },
            tests: Vec::new(),
        };
        assert!(cache.get("0123").is_none());
        cache.put("0123", &remembered);
        let back = cache.get("0123").unwrap();
        assert_eq!(back.package, remembered.package);
        assert!(
            ResultCache::new(Some(dir.path()), false)
                .get("0123")
                .is_none()
        );
        assert!(ResultCache::new(None, true).get("0123").is_none());
    }

    #[test]
    fn runner_files_name_programs_with_their_size() {
        let files = runner_files(&runner(&["sh", "/nonexistent/x"]), Some("/bin:/usr/bin"));
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].contains("/sh "));
    }
}
