//! Smoke tests of the binary itself. The end-to-end suite lives in the `tests/` crate; these
//! also make `cargo test --workspace` build the binary before that suite runs.

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
