//! `crosscheck build` in a real terminal: run under a pseudo-terminal (util-linux `script`)
//! at 80 and 120 columns, the progress bar draws and is cleared, and no line of the final
//! grid (or the list that replaces it) is wider than the terminal. The other tests pipe
//! stderr, which takes the non-terminal path.

mod build_support;

use std::path::Path;
use std::process::Command;

use build_support::*;
use crosscheck_tests::{crosscheck, crosscheck_path, require};

/// What a terminal of `columns` columns receives from `crosscheck build` of the project.
fn build_in_terminal(project: &Path, columns: u16) -> String {
    require("script", "apt-get install bsdutils (util-linux's `script`)");
    let dist = project.join(format!("dist-{columns}"));
    let line = format!(
        "stty rows 40 cols {columns}; exec '{}' build --matrix '{}' --dist '{}'",
        crosscheck_path().display(),
        project.join("matrix.toml").display(),
        dist.display()
    );
    // The environment the other tests give crosscheck (no colour, fixed stamps, the shared
    // cache), through `script`.
    let template = crosscheck();
    let mut command = Command::new("script");
    command.args(["-qec", &line, "/dev/null"]);
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    // A terminal of a person, not of a CI job (where bars are off), whatever runs the test.
    command.env_remove("CI").env("TERM", "xterm-256color");
    let output = command
        .current_dir(project)
        .output()
        .unwrap_or_else(|e| panic!("cannot run script: {e}"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "exit {:?}:\n{text}", output.status);
    text
}

/// The lines printed after the last terminal control sequence (the bars' last clear): the
/// grid or list, the libraries, and the summary line.
fn final_lines(raw: &str) -> Vec<String> {
    let start = raw
        .rfind('\x1b')
        .unwrap_or_else(|| panic!("no control sequence:\n{raw}"));
    let rest = &raw[start..];
    let after = rest.find('K').map_or(rest, |end| &rest[end + 1..]);
    after
        .split('\n')
        .map(|line| line.trim_end_matches('\r').to_owned())
        .collect()
}

#[test]
fn the_grid_fits_80_and_120_columns_and_the_progress_bar_clears() {
    let project = copy_example("01-hello");
    for columns in [80u16, 120] {
        let raw = build_in_terminal(project.path(), columns);
        // The bar drew (its counter) and was cleared (erase-line) before the grid.
        assert!(
            raw.contains("/9 targets"),
            "no progress bar at {columns}:\n{raw}"
        );
        assert!(
            raw.contains("\x1b[2K"),
            "the bar was not cleared at {columns}"
        );
        let lines = final_lines(&raw);
        let summary = lines
            .iter()
            .position(|l| l.starts_with("built 9 of 9 targets"));
        let summary = summary.unwrap_or_else(|| panic!("no summary at {columns}:\n{lines:#?}"));
        let report = &lines[..summary];
        assert!(
            report
                .iter()
                .any(|l| l.contains("linux/arm/v7") || l.contains("v7 ok"))
        );
        for line in report {
            assert!(
                line.chars().count() <= usize::from(columns),
                "{} columns > {columns}: {line:?}\n{report:#?}",
                line.chars().count()
            );
        }
        // 120 columns hold the grid (90 wide); 80 get the list.
        let grid = report.iter().any(|l| l.starts_with("linux    ok"));
        let list = report.iter().any(|l| l.starts_with("linux/amd64  "));
        assert_eq!((grid, list), (columns == 120, columns == 80), "{report:#?}");
        // The nine targets' libraries are listed once, below the grid.
        assert!(
            report
                .iter()
                .any(|l| l.starts_with("  kernel32.dll: windows/amd64"))
        );
    }
}
