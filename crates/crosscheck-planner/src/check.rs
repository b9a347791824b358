//! What `crosscheck check` runs for a target: the plan's build, compiled but never linked.
//!
//! `go build` links every main package it is given, even when it discards the result, and
//! `go build -o /dev/null` links too. `go list -export` compiles each listed package (and
//! its dependencies) to get its export data and stops there: type errors, missing files
//! for a GOOS and cgo failures all show up, at the cost of the compile step only. It takes
//! the same build flags as `go build`, so the check sees exactly the build's tags, gcflags
//! and environment. `go vet` is an optional second step with the same flags.

use crate::PlannedTarget;

/// Which packages `check` compiles, and whether it vets them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckRequest {
    /// Every package of the module (`./...`) instead of the configured main package.
    pub all_packages: bool,
    /// Also run `go vet`.
    pub vet: bool,
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

/// The commands that check `target`, in order: `go list -export`, then `go vet` if asked.
///
/// Derived from the planned `go build` argv (`go build FLAGS -o STAGING MAIN`): the same
/// flags, without `-o`, with `./...` in place of the main package for `all_packages`.
pub fn check_commands(target: &PlannedTarget, request: &CheckRequest) -> Vec<Vec<String>> {
    let BuildFlags { go, flags, main } = build_flags(target);
    let packages = if request.all_packages {
        "./...".to_owned()
    } else {
        main
    };
    let command = |verb: &[&str]| {
        let mut argv = vec![go.clone()];
        argv.extend(verb.iter().map(|s| (*s).to_owned()));
        argv.extend(flags.iter().cloned());
        argv.push(packages.clone());
        argv
    };
    let mut commands = vec![command(&["list", "-export", LIST_FORMAT])];
    if request.vet {
        commands.push(command(&["vet"]));
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
        let commands = check_commands(&t, &CheckRequest::default());
        assert_eq!(
            commands,
            vec![vec![
                "go",
                "list",
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
            },
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].last().map(String::as_str), Some("./..."));
        assert_eq!(all[1][..2], ["go", "vet"]);
        assert!(
            all.iter()
                .flatten()
                .all(|arg| arg != "build" && arg != "-o")
        );
    }
}
