//! What `crosscheck test` runs for a target: the build's flags, applied to `go list` (which
//! packages have tests) and `go test -c` (one test binary per package), and the arguments
//! each test binary gets.
//!
//! `go test` itself cannot be used: it runs test binaries through `-exec`, whose results Go
//! never caches (golang/go#27207), and it stops at the first package that does not build for
//! a GOOS. Compiling with `go test -c` and running the binaries ourselves gives one result
//! per package and target, and a binary whose SHA-256 can key a remembered result.

use std::time::Duration;

use thiserror::Error;

use crate::PlannedTarget;
use crate::check::{BuildFlags, build_flags};

/// How long one test binary may run when `-timeout` is not given: `go test`'s default.
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(600);

/// The `go test` flags crosscheck passes on to every test binary, as `-test.<name>`.
/// `true`: the flag takes a value (`-run X` or `-run=X`).
const TEST_FLAGS: &[(&str, bool)] = &[
    ("run", true),
    ("skip", true),
    ("count", true),
    ("timeout", true),
    ("cpu", true),
    ("parallel", true),
    ("shuffle", true),
    ("bench", true),
    ("benchtime", true),
    ("short", false),
    ("failfast", false),
    ("v", false),
    ("benchmem", false),
];

/// The separator `go list` prints between a package's fields: a tab cannot be in a path.
const FIELD_SEPARATOR: char = '\t';

/// Prints, per package (with `-test -deps -export`: the requested ones, their test
/// variants, the test main packages and every dependency): its import path, its directory,
/// `dep` when it is only a dependency, `tests` when it has test files for this target
/// (`go list` evaluates build constraints with the target's GOOS/GOARCH/tags), the build ID
/// of its compiled archive, `error` when it does not load or compile, and its dependencies.
const LIST_TEST_PACKAGES: &str = "-f={{.ImportPath}}\t{{.Dir}}\t{{if .DepOnly}}dep{{end}}\t{{if or .TestGoFiles .XTestGoFiles}}tests{{end}}\t{{.BuildID}}\t{{if .Error}}error{{end}}\t{{join .Deps \",\"}}";

/// Which packages `crosscheck test` tests and what their test binaries are told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestRequest {
    /// Package patterns, relative to the module directory (default `./...`).
    pub packages: Vec<String>,
    /// Test binary arguments (`-test.run=X`, ...), from the go test flags given.
    pub test_args: Vec<String>,
    /// How long one test binary may run (`-timeout`, default 10m as in `go test`).
    pub timeout: Duration,
    /// Run every test binary, even when a remembered result exists (`--no-cache`).
    pub no_cache: bool,
}

impl Default for TestRequest {
    fn default() -> TestRequest {
        TestRequest {
            packages: vec!["./...".to_owned()],
            test_args: Vec::new(),
            timeout: DEFAULT_TEST_TIMEOUT,
            no_cache: false,
        }
    }
}

/// A go test flag crosscheck does not pass on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TestArgsError {
    /// Not a flag of the test binaries (build flags belong in matrix.toml).
    #[error(
        "unsupported go test flag {flag:?} (hint: crosscheck passes on {supported}; build flags such as -tags belong in matrix.toml's [build])"
    )]
    Unsupported {
        /// The flag as given.
        flag: String,
        /// The flags that are passed on.
        supported: String,
    },
    /// A flag that takes a value was last.
    #[error("go test flag {flag:?} needs a value")]
    MissingValue {
        /// The flag as given.
        flag: String,
    },
    /// `-timeout` with something that is not a duration.
    #[error("invalid -timeout {value:?} (hint: write e.g. 90s or 10m)")]
    Timeout {
        /// The value as given.
        value: String,
    },
}

impl TestRequest {
    /// Reads the words after `--`: go test flags (`-run X`, `-run=X`, `-test.run=X`,
    /// `-short`) and package patterns (`./pkg/...`).
    pub fn from_go_test_args(words: &[String]) -> Result<TestRequest, TestArgsError> {
        let mut request = TestRequest {
            packages: Vec::new(),
            ..TestRequest::default()
        };
        let mut words = words.iter();
        while let Some(word) = words.next() {
            let Some(flag) = word.strip_prefix('-') else {
                request.packages.push(word.clone());
                continue;
            };
            let flag = flag.strip_prefix('-').unwrap_or(flag);
            let flag = flag.strip_prefix("test.").unwrap_or(flag);
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            let Some(&(name, takes_value)) = TEST_FLAGS.iter().find(|(known, _)| *known == name)
            else {
                return Err(unsupported(word));
            };
            let value = match (takes_value, inline) {
                (_, Some(value)) => value,
                (true, None) => words
                    .next()
                    .cloned()
                    .ok_or_else(|| TestArgsError::MissingValue { flag: word.clone() })?,
                (false, None) => "true".to_owned(),
            };
            if name == "timeout" {
                request.timeout = crosscheck_schema::parse_duration(&value)
                    .ok()
                    .filter(|timeout| !timeout.is_zero())
                    .ok_or(TestArgsError::Timeout { value })?;
                continue;
            }
            request.test_args.push(format!("-test.{name}={value}"));
        }
        if request.packages.is_empty() {
            request.packages.push("./...".to_owned());
        }
        Ok(request)
    }

    /// What every test binary gets: test2json-framed verbose output (each test's start and
    /// end is marked, so results survive interleaved output), Go's own guard against a test
    /// calling `os.Exit(0)`, the timeout, then the flags given.
    pub fn binary_args(&self) -> Vec<String> {
        let mut args = vec![
            "-test.v=test2json".to_owned(),
            "-test.paniconexit0".to_owned(),
            format!("-test.timeout={}s", self.timeout.as_secs().max(1)),
        ];
        args.extend(self.test_args.iter().cloned());
        args
    }
}

fn unsupported(flag: &str) -> TestArgsError {
    let supported = TEST_FLAGS
        .iter()
        .map(|(name, _)| format!("-{name}"))
        .collect::<Vec<_>>()
        .join(" ");
    TestArgsError::Unsupported {
        flag: flag.to_owned(),
        supported,
    }
}

/// `go list` of the requested packages with the build's flags: one line per package, which
/// [`parse_test_packages`] reads.
///
/// `-test -deps -export` compiles what the test binaries are linked from (Go's build cache
/// answers when nothing changed) and prints every archive's build ID: together they
/// identify a test binary before it is linked, the way Go's own link step is keyed, so an
/// unchanged package's remembered result is found without linking it again.
pub fn test_list_command(target: &PlannedTarget, request: &TestRequest) -> Vec<String> {
    let BuildFlags { go, flags, .. } = build_flags(target);
    // -e: a package that does not load (a syntax error, a missing import) is listed
    // anyway, and its own `go test -c` says why, while the others still run.
    let mut argv = vec![
        go,
        "list".to_owned(),
        "-e".to_owned(),
        "-test".to_owned(),
        "-deps".to_owned(),
        "-export".to_owned(),
        LIST_TEST_PACKAGES.to_owned(),
    ];
    argv.extend(flags);
    argv.extend(request.packages.iter().cloned());
    argv
}

/// `go test -c` of one package with the build's flags, writing its test binary to `output`.
pub fn test_compile_command(target: &PlannedTarget, package: &str, output: &str) -> Vec<String> {
    let BuildFlags { go, flags, .. } = build_flags(target);
    let mut argv = vec![go, "test".to_owned(), "-c".to_owned()];
    argv.extend(["-o".to_owned(), output.to_owned()]);
    argv.extend(flags);
    argv.push(package.to_owned());
    argv
}

/// `go test -c` of several packages at once with the build's flags, writing each test
/// binary into `output_dir` as [`test_binary_name`] names it. One go command loads the
/// package graph once and links in parallel: on an unchanged tree this is most of what a
/// test run costs, so it is done once per target rather than once per package. Go refuses
/// the whole command when two packages would get one name; callers batch only packages
/// whose names differ.
pub fn test_compile_batch_command(
    target: &PlannedTarget,
    packages: &[&str],
    output_dir: &str,
) -> Vec<String> {
    let BuildFlags { go, flags, .. } = build_flags(target);
    let mut dir = output_dir.to_owned();
    // A trailing slash tells go that -o is a directory.
    if !dir.ends_with('/') {
        dir.push('/');
    }
    let mut argv = vec![go, "test".to_owned(), "-c".to_owned(), "-o".to_owned(), dir];
    argv.extend(flags);
    argv.extend(packages.iter().map(|p| (*p).to_owned()));
    argv
}

/// The file `go test -c -o DIR/` writes a package's test binary to: its import path's last
/// element (the one before a `/vN` major version suffix), `.test`, and `.exe` for windows.
pub fn test_binary_name(import_path: &str, goos: &str) -> String {
    let mut elements = import_path.rsplit('/');
    let last = elements.next().unwrap_or(import_path);
    let is_major_version = last.len() > 1
        && last.starts_with('v')
        && last[1..].bytes().all(|b| b.is_ascii_digit())
        && !last[1..].starts_with('0');
    let name = match elements.next() {
        Some(parent) if is_major_version && import_path.contains('.') => parent,
        _ => last,
    };
    let suffix = if goos == "windows" { ".exe" } else { "" };
    format!("{name}.test{suffix}")
}

/// A package `go list` found, with test files for the target or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestPackage {
    /// Its import path.
    pub import_path: String,
    /// Its directory, where its test binary runs (as `go test` runs it).
    pub dir: String,
    /// Whether it has `_test.go` files for the target.
    pub has_tests: bool,
    /// What its test binary is linked from: the build ID of every archive in it, one
    /// `import-path build-id` line each, sorted. `None` when one is unknown (a package that
    /// does not compile).
    pub link_inputs: Option<String>,
}

/// One line of [`test_list_command`]'s output.
struct ListedPackage<'a> {
    import_path: &'a str,
    dir: &'a str,
    dep_only: bool,
    has_tests: bool,
    build_id: &'a str,
    error: bool,
    deps: Vec<&'a str>,
}

fn listed_package(line: &str) -> Option<ListedPackage<'_>> {
    let mut fields = line.split(FIELD_SEPARATOR);
    let listed = ListedPackage {
        import_path: fields.next()?.trim(),
        dir: fields.next()?,
        dep_only: fields.next()? == "dep",
        has_tests: fields.next()? == "tests",
        build_id: fields.next()?,
        error: fields.next()? == "error",
        deps: fields
            .next()?
            .split(',')
            .filter(|d| !d.is_empty())
            .collect(),
    };
    (!listed.import_path.is_empty()).then_some(listed)
}

/// Reads [`test_list_command`]'s output into the requested packages (not their test
/// variants, test mains or dependencies), in the order listed; lines that are not package
/// lines (warnings) are left out.
pub fn parse_test_packages(lines: &[String]) -> Vec<TestPackage> {
    let listed: Vec<ListedPackage> = lines.iter().filter_map(|l| listed_package(l)).collect();
    let by_path: std::collections::HashMap<&str, &ListedPackage> =
        listed.iter().map(|p| (p.import_path, p)).collect();
    let link_inputs = |import_path: &str| -> Option<String> {
        let main_path = format!("{import_path}.test");
        let main = listed.iter().find(|p| p.import_path == main_path)?;
        let mut lines = Vec::with_capacity(main.deps.len() + 1);
        for path in main.deps.iter().copied().chain([main.import_path]) {
            let package = by_path.get(path)?;
            if package.error {
                return None;
            }
            // `unsafe` is built into the compiler: no archive, no build ID.
            if !package.build_id.is_empty() {
                lines.push(format!("{path} {}", package.build_id));
            }
        }
        lines.sort();
        Some(lines.join("\n"))
    };
    listed
        .iter()
        .filter(|p| !p.dep_only && !p.dir.is_empty())
        .filter(|p| !p.import_path.contains(' ') && !p.import_path.ends_with(".test"))
        .map(|p| TestPackage {
            import_path: p.import_path.to_owned(),
            dir: p.dir.to_owned(),
            has_tests: p.has_tests,
            link_inputs: if p.has_tests {
                link_inputs(p.import_path)
            } else {
                None
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    fn target(argv: &[&str]) -> PlannedTarget {
        let json = serde_json::json!({
            "id": "linux/s390x", "slug": "linux_s390x", "goos": "linux", "goarch": "s390x",
            "variant": null, "cgo": false, "libc": null, "first_class": true,
            "output": "x", "staging_output": "/d/x", "cwd": "/m", "argv": argv,
            "env": {}, "requirements": [], "policy": {}, "shard": null
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn go_test_flags_become_test_binary_flags_and_the_rest_are_packages() {
        let request = TestRequest::from_go_test_args(&words(
            "-run TestA -short ./pkg/... -count=1 -test.skip=B --parallel 2 -timeout 90s ./x",
        ))
        .unwrap();
        assert_eq!(request.packages, ["./pkg/...", "./x"]);
        assert_eq!(
            request.test_args,
            [
                "-test.run=TestA",
                "-test.short=true",
                "-test.count=1",
                "-test.skip=B",
                "-test.parallel=2"
            ]
        );
        assert_eq!(request.timeout, Duration::from_secs(90));
        assert_eq!(
            request.binary_args()[..3],
            [
                "-test.v=test2json",
                "-test.paniconexit0",
                "-test.timeout=90s"
            ]
        );
        assert_eq!(
            TestRequest::from_go_test_args(&[]).unwrap(),
            TestRequest::default()
        );
    }

    #[test]
    fn unknown_flags_and_missing_values_are_errors() {
        let error = TestRequest::from_go_test_args(&words("-tags foo")).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unsupported go test flag \"-tags\"")
        );
        assert!(error.to_string().contains("-run"));
        assert_eq!(
            TestRequest::from_go_test_args(&words("-run")).unwrap_err(),
            TestArgsError::MissingValue {
                flag: "-run".to_owned()
            }
        );
        assert!(matches!(
            TestRequest::from_go_test_args(&words("-timeout soon")),
            Err(TestArgsError::Timeout { .. })
        ));
    }

    #[test]
    fn commands_keep_the_build_flags() {
        let t = target(&[
            "go",
            "build",
            "-trimpath",
            "-tags=a",
            "-o",
            "/d/x",
            "./cmd/x",
        ]);
        let request = TestRequest::default();
        assert_eq!(
            test_list_command(&t, &request),
            [
                "go",
                "list",
                "-e",
                "-test",
                "-deps",
                "-export",
                LIST_TEST_PACKAGES,
                "-trimpath",
                "-tags=a",
                "./..."
            ]
        );
        assert_eq!(
            test_compile_command(&t, "example.com/m/pkg", "/tmp/b/pkg.test"),
            [
                "go",
                "test",
                "-c",
                "-o",
                "/tmp/b/pkg.test",
                "-trimpath",
                "-tags=a",
                "example.com/m/pkg"
            ]
        );
    }

    #[test]
    fn batch_compiles_write_into_a_directory_named_as_go_names_them() {
        let t = target(&["go", "build", "-tags=a", "-o", "/d/x", "."]);
        assert_eq!(
            test_compile_batch_command(&t, &["example.com/m/a", "example.com/m/b"], "/t/bin"),
            [
                "go",
                "test",
                "-c",
                "-o",
                "/t/bin/",
                "-tags=a",
                "example.com/m/a",
                "example.com/m/b"
            ]
        );
        assert_eq!(
            test_binary_name("example.com/m/codec", "linux"),
            "codec.test"
        );
        assert_eq!(test_binary_name("example.com/m/v2", "linux"), "m.test");
        assert_eq!(
            test_binary_name("example.com/m/v2/x", "windows"),
            "x.test.exe"
        );
        assert_eq!(test_binary_name("example.com/m/v0", "linux"), "v0.test");
    }

    #[test]
    fn list_output_is_read_line_by_line() {
        let lines: Vec<String> = [
            "unsafe\t/go/src/unsafe\tdep\t\t\t\t",
            "errors\t/go/src/errors\tdep\t\tE1/E2\t\tunsafe",
            "testing\t/go/src/testing\tdep\t\tT1/T2\t\terrors",
            "example.com/m\t/m\t\t\tM1/M2\t\terrors",
            "example.com/m/codec\t/m/codec\t\ttests\t\t\terrors",
            "example.com/m/codec [example.com/m/codec.test]\t/m/codec\t\ttests\tC1/C2\t\terrors",
            "example.com/m/codec.test\t/m/codec\t\t\tX1/X2\t\terrors,unsafe,example.com/m/codec [example.com/m/codec.test],testing",
            "example.com/m/broken\t/m/broken\t\ttests\t\terror\t",
            "example.com/m/broken [example.com/m/broken.test]\t/m/broken\t\ttests\t\terror\t",
            "example.com/m/broken.test\t/m/broken\t\t\tB1/B2\t\texample.com/m/broken [example.com/m/broken.test]",
            "go: downloading something",
        ]
        .map(str::to_owned)
        .into();
        let packages = parse_test_packages(&lines);
        let paths: Vec<&str> = packages.iter().map(|p| p.import_path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "example.com/m",
                "example.com/m/codec",
                "example.com/m/broken"
            ]
        );
        assert!(!packages[0].has_tests);
        assert_eq!(packages[0].link_inputs, None);
        assert_eq!(packages[1].dir, "/m/codec");
        assert!(packages[1].has_tests);
        assert_eq!(
            packages[1].link_inputs.as_deref(),
            Some(
                "errors E1/E2\nexample.com/m/codec [example.com/m/codec.test] C1/C2\nexample.com/m/codec.test X1/X2\ntesting T1/T2"
            )
        );
        assert_eq!(
            packages[2].link_inputs, None,
            "a package that did not compile has no build id"
        );
    }
}
