//! A Markdown table of a run, one row per target: the GitHub step summary and
//! `crosscheck report --format markdown`.
//!
//! Every cell is escaped: target output and inspector messages are untrusted text, and
//! GitHub renders inline HTML in summaries.

use crosscheck_schema::Status;

use super::rows::{Row, Rows};

/// The table with a heading and the headline.
pub fn render(rows: &Rows) -> String {
    let mut out = format!(
        "### crosscheck {} {}\n\n",
        rows.command.name(),
        escape(&rows.project)
    );
    let mut facts = vec![rows.headline(), escape(&rows.go_version)];
    if let Some(version) = &rows.version {
        facts.push(format!("version {}", escape(version)));
    }
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n| target | status | size | linkage | violations | duration |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for row in &rows.targets {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            row.id.replace('`', "'"),
            status_cell(row),
            row.size_text(),
            escape(row.linkage.as_deref().unwrap_or_default()),
            row.violations
                .iter()
                .map(|v| escape(v))
                .collect::<Vec<_>>()
                .join("<br>"),
            row.duration_text(),
        ));
    }
    out.push('\n');
    out
}

fn status_cell(row: &Row) -> String {
    let icon = match row.status {
        _ if row.is_problem() && row.status != Status::Failed => "⚠️",
        Status::Built | Status::Checked => "✅",
        Status::Failed => "❌",
        Status::Skipped | Status::Cancelled => "⏭️",
    };
    let mut text = format!("{icon} {}", row.status_word());
    if let Some(failure) = &row.failure {
        text.push_str(&format!(": {}", escape(failure)));
    }
    text
}

/// Makes `text` inert in a table cell: one line, Markdown punctuation and HTML
/// backslash-escaped (CommonMark allows that for every ASCII punctuation character).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(
            escape("a|b\n<script>*x*"),
            "a\\|b \\<script\\>\\*x\\*".to_owned()
        );
    }
}
