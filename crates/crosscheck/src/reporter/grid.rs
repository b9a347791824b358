//! The final grid: rows are GOOS, columns GOARCH, each cell the targets of that pair with
//! status, size and linkage. People read a grid faster than a list.
//!
//! ```text
//!          amd64                                    arm64              arm
//! linux    ok 1.5 MiB static                        ok 1.4 MiB static  v7 ok 1.4 MiB static
//!          +cgo.musl ok 1.6 MiB static
//! windows  ok 2.4 MiB kernel32.dll VIOLATES POLICY  FAILED
//! ```
//!
//! A built target shows its linkage as the inspector found it (`crate::verify::linkage`),
//! or as planned (`pure Go`, `glibc ≥2.17`) when it was not inspected, then `VIOLATES POLICY`
//! `reproducible`/`NOT REPRODUCIBLE` and `smoke passed`/`SMOKE FAILED`/`smoke not run` when
//! those apply. `check` shows status alone.

use crosscheck_executor::{RunSummary, TargetResult};

use crosscheck_planner::{Plan, PlannedTarget};
use crosscheck_schema::{SmokeStatus, Status, Verdict};

use super::inspection::inspection_facts;
use super::rows::qualifier;
use super::words::{Verb, human_size, status_word};

/// Renders the grid.
pub fn render(plan: &Plan, summary: &RunSummary, verb: Verb) -> String {
    let (oses, arches) = axes(
        plan.targets
            .iter()
            .map(|t| (t.goos.as_str(), t.goarch.as_str())),
    );
    let mut header = vec![vec![String::new()]];
    header.extend(arches.iter().map(|arch| vec![(*arch).to_owned()]));
    let mut rows = vec![header];
    for os in &oses {
        let mut row = vec![vec![(*os).to_owned()]];
        for arch in &arches {
            row.push(
                plan.targets
                    .iter()
                    .zip(&summary.results)
                    .filter(|(t, _)| t.goos == *os && t.goarch == *arch)
                    .map(|(target, result)| cell_line(target, result, verb))
                    .collect(),
            );
        }
        rows.push(row);
    }
    render_cells(&rows)
}

/// GOOS values and GOARCH values of `(goos, goarch)` pairs in first-seen order: a grid's
/// rows and columns.
pub(crate) fn axes<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut oses: Vec<&str> = Vec::new();
    let mut arches: Vec<&str> = Vec::new();
    for (goos, goarch) in pairs {
        if !oses.contains(&goos) {
            oses.push(goos);
        }
        if !arches.contains(&goarch) {
            arches.push(goarch);
        }
    }
    (oses, arches)
}

/// One target in its cell: `+cgo.musl ok 2.1 MiB static`.
fn cell_line(target: &PlannedTarget, result: &TargetResult, verb: Verb) -> String {
    let mut words = Vec::new();
    words.extend(qualifier(
        &target.id.to_string(),
        &target.goos,
        &target.goarch,
    ));
    words.push(
        match result.status {
            Status::Built | Status::Checked => "ok",
            other => status_word(other),
        }
        .to_owned(),
    );
    if let Some(artifact) = &result.artifact {
        words.push(human_size(artifact.size));
    }
    if verb == Verb::Build && result.status == Status::Built {
        words.extend(built_words(target, result));
    }
    words.join(" ")
}

/// What a built artifact adds: its linkage, whether it breaks its policy, and whether it
/// was reproduced.
fn built_words(target: &PlannedTarget, result: &TargetResult) -> Vec<String> {
    let inspected = result
        .inspection
        .as_ref()
        .and_then(|i| inspection_facts(i).linkage);
    let mut words = vec![inspected.unwrap_or_else(|| linkage(target))];
    if result
        .inspection
        .as_ref()
        .is_some_and(|i| i.verdict == Verdict::Fail)
    {
        words.push("VIOLATES POLICY".to_owned());
    }
    match &result.reproducible {
        Some(r) if r.verified => words.push("reproducible".to_owned()),
        Some(_) => words.push("NOT REPRODUCIBLE".to_owned()),
        None => {}
    }
    if let Some(smoke) = &result.smoke {
        words.push(smoke_word(smoke.status).to_owned());
    }
    words
}

/// A smoke outcome in a cell: a failure shouts, like a policy violation.
fn smoke_word(status: SmokeStatus) -> &'static str {
    match status {
        SmokeStatus::Passed => "smoke passed",
        SmokeStatus::Failed => "SMOKE FAILED",
        SmokeStatus::NotRun => "smoke not run",
    }
}

/// Linkage as planned: pure Go, static musl, or dynamic against glibc.
fn linkage(target: &PlannedTarget) -> String {
    match (target.cgo, target.libc.as_deref()) {
        (false, _) => "pure Go".to_owned(),
        (true, Some("musl")) => "static".to_owned(),
        (true, Some(gnu)) if gnu.starts_with("gnu") => {
            match gnu.strip_prefix("gnu").filter(|v| !v.is_empty()) {
                Some(version) => format!("glibc ≥{version}"),
                None => "glibc".to_owned(),
            }
        }
        (true, _) => "cgo".to_owned(),
    }
}

/// A table whose cells may hold several lines; columns padded to their widest line. Cells
/// may be painted: colour codes take no room on the screen, so they do not count.
pub(crate) fn render_cells(rows: &[Vec<Vec<String>>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .flat_map(|cell| cell.iter().map(|line| visible_width(line)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let height = row.iter().map(Vec::len).max().unwrap_or(1).max(1);
        for line in 0..height {
            let mut text = String::new();
            for (c, cell) in row.iter().enumerate() {
                let part = cell.get(line).map(String::as_str).unwrap_or("");
                let pad = widths[c].saturating_sub(visible_width(part));
                text.push_str(part);
                text.push_str(&" ".repeat(pad + 2));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The columns `text` takes on a terminal: its characters less the `ESC[...m` colour
/// sequences the [`Printer`](crate::printer::Printer) paints with.
fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match c {
            '\x1b' => in_escape = true,
            'm' if in_escape => in_escape = false,
            _ if in_escape => {}
            _ => width += 1,
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_cells_align() {
        let cell = |lines: &[&str]| lines.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let rows = vec![
            vec![cell(&[""]), cell(&["amd64"]), cell(&["arm64"])],
            vec![
                cell(&["linux"]),
                cell(&["ok", "+cgo.musl ok"]),
                cell(&["ok"]),
            ],
            vec![cell(&["windows"]), cell(&["FAILED"]), cell(&[])],
        ];
        assert_eq!(
            render_cells(&rows),
            "         amd64         arm64\nlinux    ok            ok\n         +cgo.musl ok\nwindows  FAILED\n"
        );
    }

    #[test]
    fn colour_codes_take_no_room() {
        let painted = "\x1b[1;31mFAILED\x1b[0m";
        assert_eq!(visible_width(painted), 6);
        let rows = vec![
            vec![vec![painted.to_owned()], vec!["1".to_owned()]],
            vec![vec!["passed".to_owned()], vec!["2".to_owned()]],
        ];
        assert_eq!(render_cells(&rows), format!("{painted}  1\npassed  2\n"));
    }
}
