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
//! A built target shows its linkage in one word as the inspector found it (`static`,
//! `dynamic`, `imports` for wasm), or as planned (`pure Go`, `glibc ≥2.17`) when it was not
//! inspected, then `VIOLATES POLICY`, `reproducible`/`NOT REPRODUCIBLE` and `smoke
//! passed`/`SMOKE FAILED`/`smoke not run` when those apply. The libraries behind `dynamic`
//! are listed once below the grid, each list with the targets that link it, instead of in
//! every cell. `check` shows status alone.
//!
//! The grid fits the width it is given (the terminal's, else 100 columns): when even the
//! compact cells do not fit, the targets are listed one per line instead.

use crosscheck_executor::{RunSummary, TargetResult};

use crosscheck_planner::{Plan, PlannedTarget};
use crosscheck_schema::{SmokeStatus, Status, Verdict};

use super::inspection::inspection_facts;
use super::rows::qualifier;
use super::words::{Verb, human_size, status_word};

/// The width the grid fits when stderr is not a terminal.
pub const DEFAULT_WIDTH: usize = 100;

/// Renders the grid, or the list when the grid is wider than `width` columns, then the
/// libraries of the dynamically linked artifacts.
pub fn render(plan: &Plan, summary: &RunSummary, verb: Verb, width: usize) -> String {
    let mut libraries = Libraries::default();
    let grid = grid(plan, summary, verb, &mut libraries);
    let fits = grid.lines().all(|line| visible_width(line) <= width);
    let mut out = if fits {
        grid
    } else {
        list(plan, summary, verb)
    };
    out.push_str(&libraries.render(width));
    out
}

/// The targets one per line: `linux/arm/v7  ok 1.4 MiB static`.
fn list(plan: &Plan, summary: &RunSummary, verb: Verb) -> String {
    let rows: Vec<Vec<Vec<String>>> = plan
        .targets
        .iter()
        .zip(&summary.results)
        .map(|(target, result)| {
            // The grid already collected the libraries; the id says what a cell's label does.
            let words = outcome_words(target, result, verb, &mut Libraries::default());
            vec![vec![target.id.to_string()], vec![words.join(" ")]]
        })
        .collect();
    render_cells(&rows)
}

/// The os x arch grid, collecting the library lists of its cells into `libraries`.
fn grid(plan: &Plan, summary: &RunSummary, verb: Verb, libraries: &mut Libraries) -> String {
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
                    .map(|(target, result)| cell_line(target, result, verb, libraries))
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
fn cell_line(
    target: &PlannedTarget,
    result: &TargetResult,
    verb: Verb,
    libraries: &mut Libraries,
) -> String {
    let label = qualifier(&target.id.to_string(), &target.goos, &target.goarch);
    let words = outcome_words(target, result, verb, libraries);
    label.into_iter().chain(words).collect::<Vec<_>>().join(" ")
}

/// How a target ended, in a few words: `ok 2.1 MiB static`.
fn outcome_words(
    target: &PlannedTarget,
    result: &TargetResult,
    verb: Verb,
    libraries: &mut Libraries,
) -> Vec<String> {
    let mut words = Vec::new();
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
        words.extend(built_words(target, result, libraries));
    }
    words
}

/// The library lists behind the cells' `dynamic` and `imports`, each with the targets
/// that have it, in first-seen order.
#[derive(Default)]
struct Libraries {
    lists: Vec<(String, Vec<String>)>,
}

impl Libraries {
    /// The one word a cell shows for `linkage`, remembering the list it stands for.
    fn word(&mut self, linkage: String, target: &PlannedTarget) -> String {
        let (word, list) = match linkage.strip_prefix("imports ") {
            Some(modules) => ("imports", modules.to_owned()),
            None if SHORT_LINKAGE.contains(&linkage.as_str()) => return linkage,
            None => ("dynamic", linkage),
        };
        let id = target.id.to_string();
        match self.lists.iter_mut().find(|(known, _)| *known == list) {
            Some((_, ids)) => ids.push(id),
            None => self.lists.push((list, vec![id])),
        }
        word.to_owned()
    }

    /// `libraries:` and one wrapped line per list: the list, then the targets.
    fn render(&self, width: usize) -> String {
        if self.lists.is_empty() {
            return String::new();
        }
        let mut out = String::from(
            "
libraries:
",
        );
        for (list, ids) in &self.lists {
            out.push_str(&wrap(
                &format!("{list}: {}", ids.join(", ")),
                width,
                "  ",
                "    ",
            ));
        }
        out
    }
}

/// Linkage texts short enough for a cell as they are.
const SHORT_LINKAGE: [&str; 5] = [
    "static",
    "dynamic",
    "no imports",
    "-",
    "dynamic loader, no libraries",
];

/// `text` broken at spaces into lines of at most `width` columns, the first indented by
/// `first`, the others by `rest`; a word longer than a line stands alone.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// What a built artifact adds: its linkage, whether it breaks its policy, and whether it
/// was reproduced.
fn built_words(
    target: &PlannedTarget,
    result: &TargetResult,
    libraries: &mut Libraries,
) -> Vec<String> {
    let inspected = result
        .inspection
        .as_ref()
        .and_then(|i| inspection_facts(i).linkage);
    let mut words = vec![match inspected {
        Some(linkage) => libraries.word(linkage, target),
        None => linkage(target),
    }];
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
    fn long_lines_wrap_at_spaces_within_the_width() {
        let text = "libSystem.B.dylib, libresolv.9.dylib: darwin/amd64, darwin/arm64";
        let wrapped = wrap(text, 40, "  ", "    ");
        assert_eq!(
            wrapped,
            "  libSystem.B.dylib, libresolv.9.dylib:\n    darwin/amd64, darwin/arm64\n"
        );
        assert!(wrapped.lines().all(|line| line.chars().count() <= 40));
        // A word longer than the width stands alone rather than being cut.
        assert_eq!(wrap("a verylongword b", 6, "", ""), "a\nverylongword\nb\n");
    }

    #[test]
    fn library_lists_are_one_word_in_cells_and_listed_once() {
        let target = |id: &str| -> PlannedTarget {
            let (goos, goarch) = id.split_once('/').unwrap_or_default();
            serde_json::from_value(serde_json::json!({
                "id": id, "slug": id.replace('/', "_"), "goos": goos, "goarch": goarch,
                "variant": null, "cgo": false, "libc": null, "first_class": true,
                "output": "x", "staging_output": "/d/x", "cwd": "/m", "argv": [],
                "env": {}, "requirements": [], "policy": {}, "shard": null
            }))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let mut libraries = Libraries::default();
        let darwin = "libSystem.B.dylib, libresolv.9.dylib".to_owned();
        assert_eq!(
            libraries.word(darwin.clone(), &target("darwin/amd64")),
            "dynamic"
        );
        assert_eq!(libraries.word(darwin, &target("darwin/arm64")), "dynamic");
        assert_eq!(
            libraries.word("imports gojs".to_owned(), &target("js/wasm")),
            "imports"
        );
        assert_eq!(
            libraries.word("static".to_owned(), &target("linux/amd64")),
            "static"
        );
        assert_eq!(
            libraries.render(100),
            "\nlibraries:\n  libSystem.B.dylib, libresolv.9.dylib: darwin/amd64, darwin/arm64\n  gojs: js/wasm\n"
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
