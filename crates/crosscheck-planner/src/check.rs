//! What `crosscheck check` runs for a target: the plan's build, checked but never linked.
//!
//! Two ways, with the same verdicts on code that type-checks the same:
//! - **Type-check** (the default): crosscheck's Go helper (`crosscheck-typecheck`, built
//!   with the user's go) asks `go list -deps` for the package graph and file set the target's
//!   build sees, then parses and type-checks them with `go/types`. No code generation, no
//!   build cache: about a second per target, cold.
//! - **Compile** (`--compile`, and cgo targets, whose cgo files need cgo's preprocessing and
//!   a C compiler): `go build` links every main package it is given, even when it discards
//!   the result, and `go build -o /dev/null` links too. `go list -export` compiles each
//!   listed package (and its dependencies) to get its export data and stops there: type
//!   errors, missing files for a GOOS, assembly and cgo failures all show up, at the cost of
//!   the compile step.
//!
//! Both take the same build flags as `go build`, so the check sees exactly the build's tags,
//! gcflags and environment. `go vet` is an optional second step with the same flags.

use crate::PlannedTarget;

/// Which packages `check` checks, how, and whether it vets them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckRequest {
    /// Every package of the module (`./...`) instead of the configured main package.
    pub all_packages: bool,
    /// Also run `go vet`.
    pub vet: bool,
    /// Compile (`go list -export`) instead of type-checking from source.
    pub compile: bool,
    /// Include `_test.go` files: internal and external test packages.
    pub tests: bool,
}

/// How `check` checks one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckMethod {
    /// From source with `go/types`, by crosscheck's Go helper.
    TypeCheck,
    /// With the compiler (`go list -export`): asked for with `--compile`.
    Compile,
    /// With the compiler because the target has cgo on: cgo files need cgo's
    /// preprocessing, which needs the target's C compiler.
    CompileForCgo,
}

impl CheckMethod {
    /// How `target` is checked for `request`.
    pub fn of(target: &PlannedTarget, request: &CheckRequest) -> CheckMethod {
        if request.compile {
            CheckMethod::Compile
        } else if target.cgo {
            CheckMethod::CompileForCgo
        } else {
            CheckMethod::TypeCheck
        }
    }

    /// Words for logs and reports: `type-checked`, `compiled`, `compiled (cgo)`.
    pub fn describe(self) -> &'static str {
        match self {
            CheckMethod::TypeCheck => "type-checked from source",
            CheckMethod::Compile => "compiled without linking",
            CheckMethod::CompileForCgo => "compiled without linking (cgo needs the compiler)",
        }
    }
}

/// A planned `go build` argv taken apart: the go command, the build flags (without `-o`),
/// the main package.
pub(crate) struct BuildFlags {
    pub go: String,
    pub flags: Vec<String>,
    pub main: String,
}

/// Splits the planned `go build FLAGS -o STAGING MAIN` into its parts, so that other go
/// commands (`list`, `vet`, `test -c`) see exactly the build's tags, flags and gcflags.
pub(crate) fn build_flags(target: &PlannedTarget) -> BuildFlags {
    let mut args = target.argv.iter();
    let go = args.next().cloned().unwrap_or_else(|| "go".to_owned());
    let mut rest: Vec<String> = args.skip_while(|arg| *arg == "build").cloned().collect();
    let main = rest.pop().unwrap_or_else(|| ".".to_owned());
    let mut flags = Vec::with_capacity(rest.len());
    let mut skip_next = false;
    for arg in rest {
        if skip_next {
            skip_next = false;
        } else if arg == "-o" {
            skip_next = true;
        } else if !arg.starts_with("-o=") {
            flags.push(arg);
        }
    }
    BuildFlags { go, flags, main }
}

/// The template `go list` prints per package: its import path, so logs show what compiled.
const LIST_FORMAT: &str = "-f={{.ImportPath}}";

/// What the commands of a check run with, known only when the run starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckTools {
    /// The path of crosscheck's built Go type-checker, used when [`CheckMethod::of`] says so.
    pub typecheck: String,
    /// How many packages each go command (or the type-checker) works on at once: `-p`.
    /// Targets run side by side share the cores, and go's default (`-p` = cores) in each
    /// of them only adds contention: two `go list -export` runs at `-p 2` on 2 cores used
    /// 17% more CPU than one after the other, for no gain in time.
    pub parallelism: usize,
    /// Where the type-checker remembers verdicts (`-cache`): an unchanged target then costs
    /// one `go list`. `None`: nothing is remembered.
    pub verdicts: Option<String>,
}

/// The commands that check `target`, in order: the check itself, then `go vet` if asked.
///
/// Derived from the planned `go build` argv (`go build FLAGS -o STAGING MAIN`): the same
/// flags, without `-o`, with `./...` in place of the main package for `all_packages`.
pub fn check_commands(
    target: &PlannedTarget,
    request: &CheckRequest,
    tools: &CheckTools,
) -> Vec<Vec<String>> {
    let parallelism = format!("-p={}", tools.parallelism.max(1));
    let BuildFlags { go, flags, main } = build_flags(target);
    let packages = if request.all_packages {
        "./...".to_owned()
    } else {
        main
    };
    let with_flags = |mut argv: Vec<String>| {
        argv.extend(flags.iter().cloned());
        argv.push(packages.clone());
        argv
    };
    let check = match CheckMethod::of(target, request) {
        CheckMethod::TypeCheck => {
            let mut argv = vec![
                tools.typecheck.clone(),
                "-go".to_owned(),
                go.clone(),
                parallelism.clone(),
            ];
            if request.tests {
                argv.push("-tests".to_owned());
            }
            if let Some(dir) = &tools.verdicts {
                argv.push(format!("-cache={dir}"));
            }
            argv.extend(flags.iter().cloned());
            // Build flags may take their value as the next word: `--` ends them for sure.
            argv.push("--".to_owned());
            argv.push(packages.clone());
            argv
        }
        CheckMethod::Compile | CheckMethod::CompileForCgo => {
            let mut argv = [&go, "list", &parallelism, "-export", LIST_FORMAT]
                .map(|s| s.to_owned())
                .to_vec();
            if request.tests {
                // Compiles the test variants of the packages and the external test
                // packages too, still without linking.
                argv.push("-test".to_owned());
            }
            with_flags(argv)
        }
    };
    let mut commands = vec![check];
    if request.vet {
        commands.push(with_flags(vec![go.clone(), "vet".to_owned(), parallelism]));
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(argv: &[&str]) -> PlannedTarget {
        let json = serde_json::json!({
            "id": "linux/amd64", "slug": "linux_amd64", "goos": "linux", "goarch": "amd64",
            "variant": null, "cgo": false, "libc": null, "first_class": true,
            "output": "x", "staging_output": "/d/x", "cwd": "/m", "argv": argv,
            "env": {}, "requirements": [], "policy": {}, "shard": null
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn check_keeps_flags_drops_output_and_never_builds() {
        let t = target(&[
            "go",
            "build",
            "-trimpath",
            "-tags=a,b",
            "-ldflags=-buildid=",
            "-o",
            "/d/.crosscheck/staging/x",
            "./cmd/x",
        ]);
        let compile = CheckRequest {
            compile: true,
            ..CheckRequest::default()
        };
        let tools = CheckTools {
            typecheck: "/c/typecheck".to_owned(),
            parallelism: 1,
            verdicts: None,
        };
        let commands = check_commands(&t, &compile, &tools);
        assert_eq!(
            commands,
            vec![vec![
                "go",
                "list",
                "-p=1",
                "-export",
                LIST_FORMAT,
                "-trimpath",
                "-tags=a,b",
                "-ldflags=-buildid=",
                "./cmd/x"
            ]]
        );
        let all = check_commands(
            &t,
            &CheckRequest {
                all_packages: true,
                vet: true,
                ..CheckRequest::default()
            },
            &tools,
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].last().map(String::as_str), Some("./..."));
        assert_eq!(all[0][..3], ["/c/typecheck", "-go", "go"]);
        assert_eq!(all[0][all[0].len() - 2], "--");
        assert_eq!(all[1][..2], ["go", "vet"]);
        assert!(
            all.iter()
                .flatten()
                .all(|arg| arg != "build" && arg != "-o")
        );
    }
}
