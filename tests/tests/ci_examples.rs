//! The CI examples in examples/ci/ cannot rot: both files parse as YAML, every `crosscheck`
//! command in them names a real subcommand and real flags (checked against the binary's own
//! `--help`), the keys they read from `crosscheck plan --format github|gitlab` exist, and
//! their jobs' dependencies name real jobs. Plus: `GOCACHEPROG`, which docs/ci.md
//! recommends for sharing the build cache, reaches every build.

mod build_support;

use std::collections::{BTreeMap, BTreeSet};

use build_support::manifest;
use crosscheck_tests::{crosscheck, repo_root, run};
use yaml_rust2::{Yaml, YamlLoader};

const GITHUB: &str = "examples/ci/github-actions.yml";
const GITLAB: &str = "examples/ci/gitlab-ci.yml";
const HELLO: &str = "examples/01-hello/matrix.toml";

fn load(relative: &str) -> Yaml {
    let path = repo_root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs =
        YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{relative} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{relative}: one document");
    docs.remove(0)
}

fn str_of(yaml: &Yaml) -> Option<&str> {
    yaml.as_str()
}

/// A string or a list of strings (GitLab's `script`, GitHub's `needs`).
fn strings(yaml: &Yaml) -> Vec<String> {
    match yaml {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Yaml::String(s) => Some(s.clone()),
                // GitLab: `needs: [{job: build, artifacts: true}]`.
                Yaml::Hash(_) => item["job"].as_str().map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn hash_keys(yaml: &Yaml) -> Vec<String> {
    yaml.as_hash()
        .map(|hash| {
            hash.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every string anywhere under `yaml`.
fn all_strings(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::String(s) => out.push(s.clone()),
        Yaml::Array(items) => items.iter().for_each(|item| all_strings(item, out)),
        Yaml::Hash(hash) => hash.iter().for_each(|(k, v)| {
            all_strings(k, out);
            all_strings(v, out);
        }),
        _ => {}
    }
}

/// One `crosscheck` command found in a script: its subcommand and flags.
#[derive(Debug)]
struct Invocation {
    line: String,
    subcommand: Option<String>,
    flags: Vec<String>,
}

/// Finds the `crosscheck` commands in a shell script: at the start of a command (a line,
/// after `;`, `&&`, `||`, `|`, `$(`), never as an argument (`cargo install ... crosscheck`).
fn invocations(script: &str) -> Vec<Invocation> {
    let joined = script.replace("\\\n", " ");
    let mut found = Vec::new();
    for line in joined.lines() {
        let spaced = line
            .replace("$(", " $( ")
            .replace(')', " ) ")
            .replace(';', " ; ");
        let tokens: Vec<&str> = spaced
            .split_whitespace()
            .map(|t| t.trim_matches('"'))
            .collect();
        let separators = ["$(", ";", "&&", "||", "|", "then", "do", "else", "-"];
        for (i, token) in tokens.iter().enumerate() {
            let at_command = i == 0 || separators.contains(&tokens[i - 1]);
            if *token != "crosscheck" || !at_command {
                continue;
            }
            let mut subcommand = None;
            let mut flags = Vec::new();
            for arg in &tokens[i + 1..] {
                if [")", ";", "&&", "||", "|"].contains(arg) || arg.starts_with('>') {
                    break;
                }
                if arg.starts_with('-') {
                    flags.push(arg.split('=').next().unwrap_or(arg).to_owned());
                } else if subcommand.is_none() && flags.is_empty() {
                    subcommand = Some((*arg).to_owned());
                }
            }
            found.push(Invocation {
                line: line.trim().to_owned(),
                subcommand,
                flags,
            });
        }
    }
    found
}

/// `crosscheck [SUB] --help`, cached per subcommand.
fn help(cache: &mut BTreeMap<String, String>, subcommand: Option<&str>) -> String {
    let key = subcommand.unwrap_or("").to_owned();
    cache
        .entry(key)
        .or_insert_with(|| {
            let out = run(crosscheck().args(subcommand).arg("--help"));
            assert_eq!(
                out.code,
                0,
                "`crosscheck {} --help` failed: is {subcommand:?} a subcommand?\n{}",
                subcommand.unwrap_or(""),
                out.snapshot()
            );
            out.stdout
        })
        .clone()
}

/// Whether `help` documents `flag` (`--dist`, or a short `-t`).
fn documents(help: &str, flag: &str) -> bool {
    if flag.starts_with("--") {
        help.match_indices(flag).any(|(at, _)| {
            help[at + flag.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '-'))
        })
    } else {
        help.contains(&format!("{flag},"))
    }
}

/// Checks every invocation against the real binary; returns the subcommands used.
fn check_invocations(file: &str, scripts: &[String]) -> BTreeSet<String> {
    let mut cache = BTreeMap::new();
    let mut used = BTreeSet::new();
    for script in scripts {
        for invocation in invocations(script) {
            let sub = invocation.subcommand.as_deref();
            if let Some(sub) = sub {
                used.insert(sub.to_owned());
            }
            let text = help(&mut cache, sub);
            // Global flags (-q, --color) are documented on the subcommand too.
            for flag in &invocation.flags {
                assert!(
                    documents(&text, flag),
                    "{file}: `{}`: crosscheck {} has no {flag}",
                    invocation.line,
                    sub.unwrap_or("")
                );
            }
        }
    }
    used
}

#[test]
fn the_parser_finds_commands_and_not_arguments() {
    let found = invocations(
        "cargo install --git \"$URL\" crosscheck\n\
         echo \"m=$(crosscheck plan --format github --shards \"$N\")\" >> out\n\
         cd dist && crosscheck merge a/ b/ \\\n  --dist dist --allow-incomplete | tee log\n",
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].subcommand.as_deref(), Some("plan"));
    assert_eq!(found[0].flags, ["--format", "--shards"]);
    assert_eq!(found[1].subcommand.as_deref(), Some("merge"));
    assert_eq!(found[1].flags, ["--dist", "--allow-incomplete"]);
    assert!(documents("  --dist <DIR>\n", "--dist"));
    assert!(!documents("  --distance <DIR>\n", "--dist"));
    assert!(documents("  -t, --target <GLOB>\n", "-t"));
}

#[test]
fn github_actions_example_uses_real_commands_flags_and_jobs() {
    let doc = load(GITHUB);
    let jobs = &doc["jobs"];
    let names = hash_keys(jobs);
    for expected in ["plan", "build", "merge", "publish"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{GITHUB}: no job {expected}"
        );
    }

    let mut scripts = Vec::new();
    for name in &names {
        let job = &jobs[name.as_str()];
        let needs = strings(&job["needs"]);
        for need in &needs {
            assert!(
                names.contains(need),
                "{GITHUB}: job {name} needs unknown job {need}"
            );
        }
        // `needs.X.outputs.Y` must name a job this one needs, and an output it declares.
        let mut texts = Vec::new();
        all_strings(job, &mut texts);
        for text in &texts {
            for (at, _) in text.match_indices("needs.") {
                let path: String = text[at + 6..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '.' || *c == '_' || *c == '-')
                    .collect();
                let parts: Vec<&str> = path.split('.').collect();
                let [other, "outputs", output, ..] = parts[..] else {
                    continue;
                };
                assert!(
                    needs.iter().any(|n| n == other),
                    "{GITHUB}: job {name} reads needs.{other} without needing it"
                );
                assert!(
                    hash_keys(&jobs[other]["outputs"])
                        .iter()
                        .any(|o| o == output),
                    "{GITHUB}: job {other} has no output {output}"
                );
            }
        }
        if let Some(steps) = job["steps"].as_vec() {
            scripts.extend(
                steps
                    .iter()
                    .filter_map(|s| str_of(&s["run"]).map(str::to_owned)),
            );
        }
    }
    let used = check_invocations(GITHUB, &scripts);
    for sub in ["plan", "build", "merge"] {
        assert!(
            used.contains(sub),
            "{GITHUB} never runs `crosscheck {sub}`: {used:?}"
        );
    }

    // The publish gate: after merge, tags only.
    let publish = &jobs["publish"];
    assert!(strings(&publish["needs"]).contains(&"merge".to_owned()));
    assert!(
        str_of(&publish["if"]).is_some_and(|c| c.contains("refs/tags/")),
        "{GITHUB}: publish must run on tags only"
    );
    assert!(
        str_of(&jobs["build"]["strategy"]["matrix"])
            .is_some_and(|m| m.contains("fromJSON(needs.plan.outputs.matrix)")),
        "{GITHUB}: the build matrix comes from the plan job"
    );

    // The `matrix.X` keys the workflow reads are keys `plan --format github` writes, and
    // the flags in its `args` are build flags.
    let out = run(crosscheck().args([
        "plan", "--matrix", HELLO, "--format", "github", "--shards", "3",
    ]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let plan: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    let include = plan["include"].as_array().cloned().unwrap_or_default();
    assert_eq!(include.len(), 3, "{plan}");
    let mut texts = Vec::new();
    all_strings(&jobs["build"], &mut texts);
    let mut read = BTreeSet::new();
    for text in &texts {
        for (at, _) in text.match_indices("matrix.") {
            let key: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            read.insert(key);
        }
    }
    assert!(
        read.contains("args"),
        "{GITHUB}: build must pass matrix.args: {read:?}"
    );
    let mut cache = BTreeMap::new();
    let build_help = help(&mut cache, Some("build"));
    for entry in &include {
        for key in &read {
            assert!(entry.get(key).is_some(), "matrix.{key} is not in {entry}");
        }
        let args = entry["args"].as_str().unwrap_or_default();
        for flag in args.split_whitespace().filter(|a| a.starts_with('-')) {
            assert!(documents(&build_help, flag), "build has no {flag} ({args})");
        }
    }
}

#[test]
fn gitlab_ci_example_uses_real_commands_flags_and_jobs() {
    let doc = load(GITLAB);
    let reserved = [
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
    ];
    let names: Vec<String> = hash_keys(&doc)
        .into_iter()
        .filter(|k| !reserved.contains(&k.as_str()))
        .collect();
    let stages = strings(&doc["stages"]);
    for expected in ["build", "merge", "publish"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{GITLAB}: no job {expected}"
        );
    }

    let mut scripts = Vec::new();
    for name in &names {
        let job = &doc[name.as_str()];
        for need in strings(&job["needs"]) {
            assert!(
                names.contains(&need),
                "{GITLAB}: job {name} needs unknown job {need}"
            );
        }
        for parent in strings(&job["extends"]) {
            assert!(
                names.contains(&parent),
                "{GITLAB}: job {name} extends unknown {parent}"
            );
        }
        if !name.starts_with('.') {
            let stage = str_of(&job["stage"]).unwrap_or("test");
            assert!(
                stages.iter().any(|s| s == stage),
                "{GITLAB}: job {name} is in stage {stage}, not in {stages:?}"
            );
        }
        for key in ["before_script", "script", "after_script"] {
            scripts.extend(strings(&job[key]));
        }
    }
    let used = check_invocations(GITLAB, &scripts);
    for sub in ["build", "merge"] {
        assert!(
            used.contains(sub),
            "{GITLAB} never runs `crosscheck {sub}`: {used:?}"
        );
    }
    assert!(
        strings(&doc["publish"]["needs"]).contains(&"merge".to_owned()),
        "{GITLAB}: publish needs merge"
    );
    let rules = format!("{:?}", doc["publish"]["rules"]);
    assert!(
        rules.contains("CI_COMMIT_TAG"),
        "{GITLAB}: publish on tags only: {rules}"
    );

    // The build job's `parallel:` block is what `plan --format gitlab --shards 3` prints.
    let out = run(crosscheck().args([
        "plan", "--matrix", HELLO, "--format", "gitlab", "--shards", "3",
    ]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    let printed = YamlLoader::load_from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("plan --format gitlab is not YAML: {e}\n{}", out.stdout));
    assert_eq!(
        doc["build"]["parallel"], printed[0]["parallel"],
        "{GITLAB}: paste the parallel block `crosscheck plan --format gitlab --shards 3` prints"
    );
    // And the build command is the one its comment says each job runs.
    assert!(
        out.stdout
            .contains("crosscheck build --shard \"$CROSSCHECK_SHARD\""),
        "{}",
        out.stdout
    );
    assert!(
        scripts
            .iter()
            .any(|s| s.contains("crosscheck build --shard \"$CROSSCHECK_SHARD\"")),
        "{GITLAB}: the build job runs what the plan says"
    );
}

#[test]
fn gocacheprog_reaches_every_build() {
    // A GOCACHEPROG that does not exist: Go must try to start it, which proves the variable
    // got through the build environment's allowlist (a dropped one would build fine).
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let prog = "/nonexistent/crosscheck-test-cacheprog";
    let out = run(crosscheck()
        .args([
            "build",
            "--matrix",
            HELLO,
            "-t",
            "linux/amd64",
            "-t",
            "windows/amd64",
        ])
        .arg("--dist")
        .arg(dist.path())
        .env("GOCACHEPROG", prog));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    assert!(
        out.stderr.contains("GOCACHEPROG"),
        "Go's complaint about the cache program is shown:\n{}",
        out.stderr
    );
    let manifest = manifest(dist.path());
    for target in manifest["targets"].as_array().into_iter().flatten() {
        assert_eq!(target["env"]["GOCACHEPROG"], prog, "{target:#}");
    }
}
