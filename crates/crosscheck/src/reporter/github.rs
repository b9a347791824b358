//! GitHub Actions: workflow-command annotations and the job's step summary.
//!
//! When [`GITHUB_ACTIONS`] is `true`, `build` and `check` print one `::error` annotation per
//! compiler error, at its file and line, naming the targets it breaks (or, for a failure
//! without one, per failed target), and one per artifact that breaks its target or policy (`::error` under
//! `--policy error`, `::warning` under `--policy warn`), on stdout, where the runner reads
//! workflow commands. They then append the Markdown table of [`super::markdown`] to the file
//! named by [`GITHUB_STEP_SUMMARY`]. A summary that cannot be written is a warning: the
//! builds themselves went fine and the exit code must say so.
//!
//! `crosscheck test` annotates failing tests at their `file_test.go:NN` and appends its own
//! table (`super::tests`) through [`command_at`] and [`append_summary`].
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`,
//! `\r`, `\n` become `%25`, `%0D`, `%0A`; property values also escape `:` and `,`.

use std::io::Write;
use std::path::Path;

use crosscheck_schema::Status;

use super::markdown;
use super::rows::{Row, Rows};
use super::sources::{CompilerError, Sources};
use crate::printer::Printer;

/// Set to `true` by GitHub Actions on every runner.
pub const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";
/// The file GitHub Actions renders as the job summary; crosscheck appends to it.
pub const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";
/// The checkout's root: annotation paths are relative to it.
pub const GITHUB_WORKSPACE: &str = "GITHUB_WORKSPACE";

/// How many output lines a failure annotation carries.
pub(crate) const ANNOTATION_TAIL: usize = 10;

/// The severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// Whether crosscheck runs inside GitHub Actions.
pub fn enabled() -> bool {
    std::env::var(GITHUB_ACTIONS).is_ok_and(|value| value == "true")
}

/// When on GitHub Actions: prints the annotations and appends the step summary.
/// `violations` is the level of policy violations (`--policy error|warn`); `module_dir` is
/// where the compiler's file names are relative to.
pub fn report(printer: &Printer, rows: &Rows, violations: Level, module_dir: &Path) {
    if !enabled() {
        return;
    }
    let sources = Sources::new(module_dir, std::env::var_os(GITHUB_WORKSPACE).as_deref());
    printer.stdout(&annotations(rows, violations, &sources));
    append_summary(printer, &markdown::render(rows));
}

/// Appends `markdown` to the job summary; a summary that cannot be written is a warning.
pub(crate) fn append_summary(printer: &Printer, markdown: &str) {
    let Some(path) = std::env::var_os(GITHUB_STEP_SUMMARY).filter(|p| !p.is_empty()) else {
        printer.warning(&format!(
            "{GITHUB_ACTIONS} is true but {GITHUB_STEP_SUMMARY} is not set; no job summary written"
        ));
        return;
    };
    let path = Path::new(&path);
    match append(path, markdown) {
        Ok(()) => printer.detail(&format!("appended the job summary to {}", path.display())),
        Err(error) => printer.warning(&format!(
            "cannot append the job summary to {} ({GITHUB_STEP_SUMMARY}): {error}",
            path.display()
        )),
    }
}

/// Appends; never creates or truncates: the runner creates the file, and other steps'
/// summaries are already in it.
fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    // A blank line first: the previous step's Markdown may not end its last block.
    file.write_all(b"\n")?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// One workflow command per compiler error (at its line, naming the targets it breaks), per
/// other failed target and per policy violation, each ending in `\n`.
pub(crate) fn annotations(rows: &Rows, violations: Level, sources: &Sources) -> String {
    let mut out = String::new();
    let mut placed: Vec<(CompilerError, Vec<&str>)> = Vec::new();
    for row in &rows.targets {
        if row.status == Status::Failed {
            let errors = sources.compiler_errors(&row.log_tail);
            if errors.is_empty() {
                out.push_str(&command(
                    Level::Error,
                    &format!("crosscheck: {} failed", row.id),
                    &failure_message(row),
                ));
            }
            for error in errors {
                match placed.iter_mut().find(|(known, _)| *known == error) {
                    Some((_, targets)) => targets.push(&row.id),
                    None => placed.push((error, vec![&row.id])),
                }
            }
        }
        if !row.violations.is_empty() {
            out.push_str(&command(
                violations,
                &format!("crosscheck: {} violates its target or policy", row.id),
                &row.violations.join("\n"),
            ));
        }
    }
    for (error, targets) in placed {
        out.push_str(&command_at(
            Level::Error,
            &format!("crosscheck: does not compile for {}", targets.join(", ")),
            Some((&error.path, error.line)),
            &error.message,
        ));
    }
    out
}

fn failure_message(row: &Row) -> String {
    let mut text = row.failure.clone().unwrap_or_else(|| "failed".to_owned());
    if let Some(hint) = &row.hint {
        text.push_str(&format!(" (hint: {hint})"));
    }
    let tail = &row.log_tail[row.log_tail.len().saturating_sub(ANNOTATION_TAIL)..];
    for line in tail {
        text.push('\n');
        text.push_str(line);
    }
    text
}

/// `::level title=TITLE::MESSAGE\n`.
fn command(level: Level, title: &str, message: &str) -> String {
    command_at(level, title, None, message)
}

/// `::level file=FILE,line=LINE,title=TITLE::MESSAGE\n`: GitHub shows it on that line of
/// the diff when `at` names a file of the repository (relative to its root).
pub(crate) fn command_at(
    level: Level,
    title: &str,
    at: Option<(&str, u32)>,
    message: &str,
) -> String {
    let place = at
        .map(|(file, line)| format!("file={},line={line},", escape_property(file)))
        .unwrap_or_default();
    format!(
        "::{} {place}title={}::{}\n",
        level.command(),
        escape_property(title),
        escape_data(message)
    )
}

/// Escapes an annotation message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`title=`, `file=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_escape_per_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A".to_owned());
        assert_eq!(
            command(Level::Warning, "x: y", "one\ntwo"),
            "::warning title=x%3A y::one%0Atwo\n"
        );
        assert_eq!(
            command_at(Level::Error, "t", Some(("a,b/x_test.go", 12)), "m"),
            "::error file=a%2Cb/x_test.go,line=12,title=t::m\n"
        );
    }
}
