//! The final grid: rows are GOOS, columns GOARCH, each cell the targets of that pair with
//! status, size and linkage. People read a grid faster than a list.
//!
//! ```text
//!          amd64                  arm64                      arm
//! linux    ok 2.1 MiB pure Go     ok 2.0 MiB pure Go         v7 ok 2.0 MiB pure Go
//!          +cgo.musl ok static    
//! windows  ok 2.2 MiB pure Go     FAILED
//! ```
//!
//! Linkage comes from the plan for now (cgo, libc); the inspector will report what the
//! binary really links.

use crosscheck_executor::{RunSummary, Status};
use crosscheck_planner::{Plan, PlannedTarget};

use super::{Verb, human_size};

/// Renders the grid.
pub fn render(plan: &Plan, summary: &RunSummary, verb: Verb) -> String {
    let mut oses: Vec<&str> = Vec::new();
    let mut arches: Vec<&str> = Vec::new();
    for target in &plan.targets {
        if !oses.contains(&target.goos.as_str()) {
            oses.push(&target.goos);
        }
        if !arches.contains(&target.goarch.as_str()) {
            arches.push(&target.goarch);
        }
    }
    let mut rows: Vec<Vec<Vec<String>>> = Vec::new();
    let mut header = vec![vec![String::new()]];
    header.extend(arches.iter().map(|arch| vec![(*arch).to_owned()]));
    rows.push(header);
    for os in &oses {
        let mut row = vec![vec![(*os).to_owned()]];
        for arch in &arches {
            let cell = plan
                .targets
                .iter()
                .zip(&summary.results)
                .filter(|(t, _)| t.goos == *os && t.goarch == *arch)
                .map(|(target, result)| {
                    let mut words = Vec::new();
                    if let Some(qualifier) = qualifier(target) {
                        words.push(qualifier);
                    }
                    words.push(
                        match result.status {
                            Status::Built | Status::Checked => "ok",
                            Status::Failed => "FAILED",
                            Status::Skipped => "skipped",
                            Status::Cancelled => "cancelled",
                        }
                        .to_owned(),
                    );
                    if let Some(artifact) = &result.artifact {
                        words.push(human_size(artifact.size));
                    }
                    if verb == Verb::Build && matches!(result.status, Status::Built) {
                        // Linkage as the inspector found it (crate::verify::linkage), else as planned.
                        words.push(
                            result
                                .inspection
                                .as_ref()
                                .and_then(|i| i.report["linkage"].as_str())
                                .map_or_else(|| linkage(target), str::to_owned),
                        );
                        if result
                            .inspection
                            .as_ref()
                            .is_some_and(|i| i.verdict == crosscheck_executor::Verdict::Fail)
                        {
                            words.push("VIOLATES POLICY".to_owned());
                        }
                        match &result.reproducible {
                            Some(r) if r.verified => words.push("reproducible".to_owned()),
                            Some(_) => words.push("NOT REPRODUCIBLE".to_owned()),
                            None => {}
                        }
                    }
                    words.join(" ")
                })
                .collect();
            row.push(cell);
        }
        rows.push(row);
    }
    render_cells(&rows)
}

/// What tells apart targets that share a cell: the variant and the cgo/libc suffix.
fn qualifier(target: &PlannedTarget) -> Option<String> {
    let id = target.id.to_string();
    let prefix = format!("{}/{}", target.goos, target.goarch);
    let rest = id.strip_prefix(&prefix).unwrap_or_default();
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    (!rest.is_empty()).then(|| rest.to_owned())
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

/// A table whose cells may hold several lines; columns padded to their widest line.
fn render_cells(rows: &[Vec<Vec<String>>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .flat_map(|cell| cell.iter().map(|line| line.chars().count()))
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
                let pad = widths[c].saturating_sub(part.chars().count());
                text.push_str(part);
                text.push_str(&" ".repeat(pad + 2));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    out
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
}
