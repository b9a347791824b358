//! `crosscheck report --html FILE`: one self-contained page of a dist directory.
//!
//! The page is the terminal grid (rows GOOS, columns GOARCH, variants and cgo targets listed
//! in their cell) with one `<details>` per target: the summary line shows status, size,
//! linkage, violations and Go version; opening it shows the id, path, sha256, commands, C
//! compiler, inspection facts, failure with hint and the log tail. No JavaScript, no external
//! fonts, styles or images, and a Content-Security-Policy that forbids loading anything, so
//! the file can be archived as a CI artifact and opened anywhere. Every piece of text is
//! escaped: paths, log lines and inspector output are untrusted.

use std::fmt::Write as _;

use crosscheck_schema::{Status, Verdict};

use super::rows::{Row, Rows};
use super::words::plural;

/// Background of a target that built and passed inspection (or was checked).
pub const PASS_BACKGROUND: &str = "#cdeccb";
/// Background of a target whose build failed.
pub const FAILED_BACKGROUND: &str = "#f4c2c2";
/// Background of a built artifact that breaks its target or policy.
pub const VIOLATION_BACKGROUND: &str = "#f6e3a1";
/// Background of a skipped or cancelled target.
pub const SKIPPED_BACKGROUND: &str = "#e2e2e2";

/// The page.
pub fn render(rows: &Rows) -> String {
    let title = format!("crosscheck {} {}", rows.command.name(), rows.project);
    let mut out = String::new();
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may load: the page must look the same offline, from a CI artifact, in ten years.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    out.push_str("<style>\n");
    out.push_str(&style());
    out.push_str("</style>\n</head>\n<body>\n<header>\n");
    let _ = writeln!(
        out,
        "<h1>crosscheck {} <span class=\"project\">{}</span>{}</h1>",
        escape(rows.command.name()),
        escape(&rows.project),
        rows.version
            .as_ref()
            .map(|v| format!(" <span class=\"version\">{}</span>", escape(v)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "<p class=\"headline\">{} · {}</p>\n</header>",
        escape(&rows.headline()),
        escape(&rows.go_version)
    );
    out.push_str(&grid(rows));
    out.push_str(
        "<p class=\"note\">Open a target for its path, checksum, commands, inspection and log. \
         Written by crosscheck report from manifest.json.</p>\n",
    );
    out.push_str("</body>\n</html>\n");
    out
}

fn grid(rows: &Rows) -> String {
    let (oses, arches) = rows.axes();
    let mut out = String::from("<table class=\"grid\">\n<thead><tr><th></th>");
    for arch in &arches {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(arch));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for os in &oses {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(os));
        for arch in &arches {
            let cell: Vec<&Row> = rows.cell(os, arch).collect();
            if cell.is_empty() {
                out.push_str("<td class=\"empty\"></td>");
                continue;
            }
            let _ = write!(
                out,
                "<td class=\"cell\" data-cell=\"{}/{}\">",
                escape(os),
                escape(arch)
            );
            for row in cell {
                out.push_str(&target(row));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The CSS class of a target's box: its colour.
fn class(row: &Row) -> &'static str {
    match row.status {
        Status::Failed => "failed",
        Status::Skipped | Status::Cancelled => "skipped",
        Status::Built | Status::Checked if row.verdict == Some(Verdict::Fail) => "violation",
        Status::Built | Status::Checked => "pass",
    }
}

/// One target's box: a summary line that opens to its details.
fn target(row: &Row) -> String {
    format!(
        "<details class=\"target {}\" data-target=\"{}\" data-status=\"{}\"><summary>{}</summary>\n<div class=\"body\"><dl>{}</dl></div></details>\n",
        class(row),
        escape(&row.id),
        escape(row.status_word()),
        summary(row),
        details(row)
    )
}

/// What the closed box shows: qualifier, status, size · linkage · Go, violations, failure.
fn summary(row: &Row) -> String {
    let mut out = String::new();
    if let Some(qualifier) = &row.qualifier {
        let _ = write!(
            out,
            "<span class=\"qualifier\">{}</span> ",
            escape(qualifier)
        );
    }
    let _ = write!(
        out,
        "<span class=\"status\">{}</span>",
        escape(row.status_word())
    );
    let facts: Vec<String> = [
        row.size.is_some().then(|| row.size_text()),
        row.linkage.clone(),
        row.go_version.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        let _ = write!(
            out,
            "<span class=\"facts\">{}</span>",
            escape(&facts.join(" · "))
        );
    }
    if !row.violations.is_empty() {
        let _ = write!(
            out,
            "<span class=\"violations\">{}</span>",
            plural(row.violations.len(), "violation", "violations")
        );
    }
    if let Some(failure) = &row.failure {
        let _ = write!(out, "<span class=\"failure\">{}</span>", escape(failure));
    }
    out
}

/// What the opened box lists, as `<dt>`/`<dd>` pairs.
fn details(row: &Row) -> String {
    identity(row)
        .into_iter()
        .chain(outcome(row))
        .chain(how_built(row))
        .map(|(name, value)| format!("<dt>{name}</dt><dd>{value}</dd>"))
        .collect()
}

/// Which artifact: id, status, path, checksum, the packaged files, build time.
fn identity(row: &Row) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("target", code(&row.id)),
        ("status", escape(row.status_word())),
        ("path", code(&row.path)),
    ];
    if let Some(sha) = &row.sha256 {
        fields.push(("sha256", code(sha)));
    }
    for file in &row.files {
        fields.push((
            file.kind,
            format!(
                "{} <span class=\"sha\">sha256 {}</span>",
                code(&file.path),
                code(&file.sha256)
            ),
        ));
    }
    let duration = row.duration_text();
    if !duration.is_empty() {
        fields.push(("duration", escape(&duration)));
    }
    fields
}

/// What went wrong: the failure with its hint, the violations.
fn outcome(row: &Row) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    if let Some(failure) = &row.failure {
        fields.push(("failure", escape(failure)));
    }
    if let Some(hint) = &row.hint {
        fields.push(("hint", escape(hint)));
    }
    if let Some(smoke) = &row.smoke {
        fields.push(("smoke", escape(smoke)));
    }
    if !row.smoke_output.is_empty() {
        fields.push(("smoke output", pre("", &row.smoke_output)));
    }
    if !row.violations.is_empty() {
        let items: String = row
            .violations
            .iter()
            .map(|v| format!("<li>{}</li>", escape(v)))
            .collect();
        fields.push(("violations", format!("<ul>{items}</ul>")));
    }
    fields
}

/// How it was built and what came out: commands, C compiler, inspection, log.
fn how_built(row: &Row) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    if !row.commands.is_empty() {
        let lines: Vec<String> = row
            .commands
            .iter()
            .map(|argv| crosscheck_executor::display_command(argv))
            .collect();
        fields.push(("commands", pre("", &lines)));
    }
    if let Some(cc) = &row.c_compiler {
        fields.push(("C compiler", code(cc)));
    }
    if let Some(facts) = &row.inspection {
        fields.push(("inspection", pre("", facts)));
    }
    if let Some(log) = &row.log {
        fields.push(("log", code(log)));
    }
    if !row.log_tail.is_empty() {
        fields.push(("log tail", pre(" class=\"log\"", &row.log_tail)));
    }
    fields
}

/// Lines in a `<pre>` with `attributes`.
fn pre(attributes: &str, lines: &[String]) -> String {
    format!("<pre{attributes}>{}</pre>", escape(&lines.join("\n")))
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// Escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters from raw build output (escape sequences) render as boxes.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn style() -> String {
    format!(
        "body {{ font: 14px/1.4 system-ui, sans-serif; color: #1b1b1b; background: #ffffff; margin: 24px; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }}
.version, .headline, .note {{ color: #555555; }}
.headline {{ margin: 0 0 16px; }}
table.grid {{ border-collapse: separate; border-spacing: 6px; }}
.grid th {{ text-align: left; font-weight: 600; padding: 4px 8px; vertical-align: top; }}
.grid td {{ vertical-align: top; min-width: 220px; max-width: 480px; padding: 0; }}
details.target {{ margin: 0 0 6px; border-radius: 4px; }}
details.target > summary {{ display: block; cursor: pointer; padding: 12px 14px; min-height: 40px; border-radius: 4px; }}
details.target > summary::-webkit-details-marker {{ display: none; }}
details.pass > summary {{ background: {PASS_BACKGROUND}; }}
details.failed > summary {{ background: {FAILED_BACKGROUND}; }}
details.violation > summary {{ background: {VIOLATION_BACKGROUND}; }}
details.skipped > summary {{ background: {SKIPPED_BACKGROUND}; }}
summary span {{ display: block; }}
.qualifier {{ font-family: ui-monospace, monospace; }}
.status {{ font-weight: 700; }}
.violations, .failure {{ font-weight: 600; }}
.body {{ padding: 8px 12px; border: 1px solid #cccccc; border-top: 0; background: #fafafa; }}
dl {{ margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }}
dt {{ color: #555555; }}
dd {{ margin: 0; overflow-wrap: anywhere; }}
pre {{ margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }}
ul {{ margin: 0; padding-left: 18px; }}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            escape("<img src=x onerror='a()'>&\"\x1b[31m"),
            "&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;&quot;[31m"
        );
    }
}
