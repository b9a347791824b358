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

/// What a test binary is made of, known before it is linked: the build IDs of every
/// archive linked into it (from `go list -export`), the build flags and the environment.
/// Go keys its own link step the same way; equal inputs link to the same bytes.
#[derive(Serialize)]
pub(crate) struct LinkKey<'a> {
    pub(crate) link_inputs: &'a str,
    pub(crate) compile_argv: &'a [String],
    pub(crate) env: &'a BTreeMap<String, String>,
}

impl LinkKey<'_> {
    pub(crate) fn digest(&self) -> String {
        // Serializing plain strings and maps cannot fail.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        crosscheck_schema::dist::sha256_hex(&bytes)
    }
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

    fn link_path(&self, link_digest: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join("links").join(link_digest))
    }

    /// Whether a result is remembered for `digest`.
    pub(crate) fn has(&self, digest: &str) -> bool {
        self.read && self.path(digest).is_some_and(|path| path.is_file())
    }

    /// The SHA-256 of the test binary these link inputs linked to before, if one did: the
    /// binary need not be linked again to find its remembered result.
    pub(crate) fn known_binary(&self, link_digest: &str) -> Option<String> {
        if !self.read {
            return None;
        }
        let text = std::fs::read_to_string(self.link_path(link_digest)?).ok()?;
        let sha256 = text.trim();
        (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| sha256.to_owned())
    }

    /// Remembers which test binary these link inputs linked to.
    pub(crate) fn remember_binary(&self, link_digest: &str, sha256: &str) {
        if let Some(path) = self.link_path(link_digest)
            && let Some(dir) = path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = crosscheck_schema::dist::write_atomically(&path, sha256.as_bytes());
        }
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
        assert!(!cache.has("0123"));
        cache.put("0123", &remembered);
        assert!(cache.has("0123"));
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
    fn link_inputs_map_to_the_binary_they_linked() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResultCache::new(Some(dir.path()), true);
        let env = BTreeMap::new();
        let argv = vec!["go".to_owned()];
        let link = LinkKey {
            link_inputs: "errors E1/E2",
            compile_argv: &argv,
            env: &env,
        }
        .digest();
        let other = LinkKey {
            link_inputs: "errors E1/E3",
            compile_argv: &argv,
            env: &env,
        }
        .digest();
        assert_ne!(link, other);
        let sha = "a".repeat(64);
        assert_eq!(cache.known_binary(&link), None);
        cache.remember_binary(&link, &sha);
        assert_eq!(cache.known_binary(&link), Some(sha));
        assert_eq!(cache.known_binary(&other), None);
        assert_eq!(
            ResultCache::new(Some(dir.path()), false).known_binary(&link),
            None,
            "--no-cache links everything again"
        );
    }

    #[test]
    fn runner_files_name_programs_with_their_size() {
        let files = runner_files(&runner(&["sh", "/nonexistent/x"]), Some("/bin:/usr/bin"));
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].contains("/sh "));
    }
}
