//! Smoke tests of the binary itself: help, version, usage errors, and the flag spellings
//! (`targets --format json`, `inspect --policy-file`) with their deprecated aliases. The
//! end-to-end suite lives in the `tests/` crate; these also make `cargo test --workspace`
//! build the binary before that suite runs.

use std::process::Command;

fn crosscheck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run crosscheck: {e}"))
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let output = crosscheck(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in ["plan", "targets", "init", "Exit codes:", "130  interrupted"] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

#[test]
fn version_prints_the_package_version() {
    let output = crosscheck(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("crosscheck {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flag_is_a_usage_error_on_stderr() {
    let output = crosscheck(&["plan", "--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--no-such-flag"));
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn help(command: &str) -> String {
    let output = crosscheck(&[command, "--help"]);
    assert!(
        output.status.success(),
        "{command} --help: {}",
        stderr(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn targets_prints_json_with_format_json() {
    let output = crosscheck(&["targets", "--offline", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(json["catalog"], "embedded_snapshot");
    let ports = json["ports"].as_array().cloned().unwrap_or_default();
    assert!(
        ports
            .iter()
            .any(|p| p["goos"] == "linux" && p["goarch"] == "amd64" && p["first_class"] == true),
        "{json:#}"
    );
}

/// Runs `old`, a deprecated spelling, and `new`, its replacement: both exit with `code` and
/// print the same stdout, and `old`'s stderr is `new`'s after one line, `warning`. Returns
/// `new`'s output.
fn assert_deprecated_alias(
    old: &[&str],
    new: &[&str],
    code: i32,
    warning: &str,
) -> std::process::Output {
    let new = crosscheck(new);
    let old = crosscheck(old);
    assert_eq!(new.status.code(), Some(code), "{}", stderr(&new));
    assert_eq!(old.status.code(), Some(code), "{}", stderr(&old));
    assert_eq!(old.stdout, new.stdout, "both spellings print the same");
    assert_eq!(stderr(&old), format!("{warning}\n{}", stderr(&new)));
    assert!(!stderr(&new).contains("deprecated"), "{}", stderr(&new));
    new
}

#[test]
fn targets_json_still_works_but_warns_that_it_is_deprecated() {
    let new = assert_deprecated_alias(
        &["targets", "--offline", "--json"],
        &["targets", "--offline", "--format", "json"],
        0,
        "warning: --json is deprecated, use --format json",
    );
    // -q silences warnings, this one too.
    let quiet = crosscheck(&["-q", "targets", "--offline", "--json"]);
    assert_eq!(quiet.stdout, new.stdout);
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
    // The old and the new spelling cannot disagree.
    let both = crosscheck(&["targets", "--offline", "--json", "--format", "table"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[test]
fn help_shows_the_new_spellings_only() {
    let targets = help("targets");
    assert!(targets.contains("--format <FORMAT>"), "{targets}");
    assert!(!targets.contains("--json"), "--json is hidden:\n{targets}");
    let inspect = help("inspect");
    assert!(inspect.contains("--policy-file <FILE>"), "{inspect}");
    assert!(
        !inspect.contains("--policy <FILE>"),
        "--policy is hidden:\n{inspect}"
    );
}

#[test]
fn inspect_reads_rules_from_policy_file_and_still_from_policy_with_a_warning() {
    let policy = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-max-size.toml");
    std::fs::write(&policy, "max_size = 1\n").unwrap_or_else(|e| panic!("{e}"));
    let policy = policy.display().to_string();
    // Any binary will do: crosscheck itself is larger than one byte.
    let binary = env!("CARGO_BIN_EXE_crosscheck");
    let new = assert_deprecated_alias(
        &["inspect", "--no-hash", binary, "--policy", &policy],
        &["inspect", "--no-hash", binary, "--policy-file", &policy],
        3,
        "warning: --policy FILE is deprecated for inspect, use --policy-file FILE (in build, --policy is a mode: error or warn)",
    );
    let stdout = String::from_utf8_lossy(&new.stdout);
    assert!(
        stdout.contains("[max-size]"),
        "the file's rule applies:\n{stdout}"
    );
}

#[test]
fn completions_cover_every_shell_and_the_commands_and_flags() {
    for (shell, marker, flag) in [
        ("bash", "complete -F _crosscheck", "--binary"),
        ("zsh", "#compdef crosscheck", "--binary"),
        ("fish", "complete -c crosscheck", "-l binary"),
        ("powershell", "Register-ArgumentCompleter", "--binary"),
    ] {
        let output = crosscheck(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = String::from_utf8_lossy(&output.stdout);
        for needle in [marker, flag, "build", "merge"] {
            assert!(
                script.contains(needle),
                "{shell} completions lack {needle:?}"
            );
        }
    }
    // The bash script is valid bash.
    let script = crosscheck(&["completions", "bash"]).stdout;
    let path =
        std::env::temp_dir().join(format!("crosscheck-completion-{}.bash", std::process::id()));
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("{e}"));
    let checked = Command::new("bash").arg("-n").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let checked = checked.unwrap_or_else(|e| panic!("bash is needed: {e}"));
    assert!(checked.status.success(), "{}", stderr(&checked));
    let unknown = crosscheck(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_man_page_documents_every_command_with_its_flags() {
    let output = crosscheck(&["man"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(page.contains(".TH crosscheck 1"), "{page}");
    for command in [
        "PLAN",
        "BUILD",
        "CHECK",
        "TEST",
        "MERGE",
        "INIT",
        "COMPLETIONS",
    ] {
        assert!(
            page.contains(&format!(".SH \"CROSSCHECK {command}\"")),
            "no {command} section"
        );
    }
    for flag in ["\\-\\-binary", "\\-\\-from\\-goreleaser", "\\-\\-shard"] {
        assert!(page.contains(flag), "the man page lacks {flag}");
    }
}
