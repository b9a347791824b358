//! Errors and warnings that point into matrix.toml.
//!
//! Every problem found in a matrix file becomes a [`Diagnostic`] with the byte span of the
//! offending text. [`ConfigErrors`] carries the file's text along, so that it can render each
//! diagnostic with its line, column and a caret under the text, the way compilers do.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

/// A matrix file's name and text, kept for rendering locations.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name to print, e.g. `matrix.toml` or `<built-in default matrix>`.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source file from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A source file from the bytes of a file, which TOML requires to be UTF-8. When they
    /// are not, the error points at the first bad byte (line and column) in a lossy copy of
    /// the text, so the usual rendering can show the line.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<SourceFile, ConfigErrors> {
        let name = name.into();
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                let bad = error.as_bytes()[at];
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let replacement = char::REPLACEMENT_CHARACTER.len_utf8();
                let message = format!(
                    "the file is not UTF-8: byte 0x{bad:02X} cannot start or continue a character (hint: TOML files are UTF-8; convert it, e.g. `iconv -f latin1 -t utf-8`)"
                );
                Err(ConfigErrors {
                    file: SourceFile::new(name, text),
                    diagnostics: vec![Diagnostic::error(message, Some(at..at + replacement))],
                })
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line - 1).unwrap_or("")
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Planning cannot go on.
    Error,
    /// Worth knowing; the plan is still valid.
    Warning,
}

/// One problem, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A lowercase fragment that reads after "error: ", hint included.
    pub message: String,
    /// Byte range of the offending text, when there is one.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(message: impl Into<String>, span: Option<Range<usize>>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
        }
    }

    /// A warning at `span`.
    pub fn warning(message: impl Into<String>, span: Option<Range<usize>>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            span,
        }
    }

    /// Renders the diagnostic against `file`: the message, `--> file:line:col` and the line
    /// with a caret under the offending text.
    pub fn render(&self, file: &SourceFile) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{label}: {}\n", self.message);
        match &self.span {
            Some(span) => {
                let (line, column) = file.line_col(span.start);
                let text = file.line_text(line);
                let gutter = line.to_string().len();
                let end_line = file.line_col(span.end.max(span.start)).0;
                let width = if end_line == line {
                    let start = floor_char_boundary(&file.text, span.start.min(file.text.len()));
                    let end = floor_char_boundary(&file.text, span.end.min(file.text.len()));
                    file.text[start..end.max(start)].chars().count().max(1)
                } else {
                    text.chars().count().saturating_sub(column - 1).max(1)
                };
                out.push_str(&format!(
                    "{:gutter$}--> {}:{line}:{column}\n{:gutter$} |\n{line} | {text}\n{:gutter$} | {}{}\n",
                    "",
                    file.name,
                    "",
                    "",
                    " ".repeat(column - 1),
                    "^".repeat(width),
                ));
            }
            None => out.push_str(&format!("  --> {}\n", file.name)),
        }
        out
    }
}

/// A matrix file that cannot be planned, with every error found in it.
#[derive(Clone, Debug)]
pub struct ConfigErrors {
    /// The file the diagnostics point into.
    pub file: SourceFile,
    /// The errors (and any warnings found on the way).
    pub diagnostics: Vec<Diagnostic>,
}

impl ConfigErrors {
    /// The first error's message, for tests and one-line summaries.
    pub fn first_message(&self) -> &str {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map_or("", |d| d.message.as_str())
    }

    /// 1-based line and column of the first error, when it has a span.
    pub fn first_location(&self) -> Option<(usize, usize)> {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .and_then(|d| d.span.as_ref())
            .map(|span| self.file.line_col(span.start))
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        for diagnostic in &self.diagnostics {
            writeln!(f, "{}", diagnostic.render(&self.file))?;
        }
        write!(
            f,
            "{} has {errors} error{}",
            self.file.name,
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ConfigErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_utf8_names_the_line_and_column_of_its_first_bad_byte() {
        let bytes = b"version = 1\n[project]\nname = \"caf\xe9\"\n".to_vec();
        let errors = SourceFile::from_bytes("matrix.toml", bytes).unwrap_err();
        let span = errors.diagnostics[0].span.clone().unwrap();
        assert_eq!(errors.file.line_col(span.start), (3, 12));
        assert!(errors.first_message().contains("0xE9"));
        assert!(errors.to_string().contains("matrix.toml:3:12"), "{errors}");
        assert!(SourceFile::from_bytes("m", b"version = 1".to_vec()).is_ok());
    }

    #[test]
    fn renders_line_column_and_caret() {
        let file = SourceFile::new("matrix.toml", "version = 1\n[matrix]\narch = [\"amd46\"]\n");
        let start = file.text.find("\"amd46\"").unwrap();
        let diagnostic = Diagnostic::error("unknown GOARCH", Some(start..start + 7));
        let rendered = diagnostic.render(&file);
        assert_eq!(
            rendered,
            "error: unknown GOARCH\n --> matrix.toml:3:9\n  |\n3 | arch = [\"amd46\"]\n  |         ^^^^^^^\n"
        );
    }

    #[test]
    fn line_col_survives_out_of_range_and_multibyte() {
        let file = SourceFile::new("m", "é\nab");
        assert_eq!(file.line_col(1), (1, 1));
        assert_eq!(file.line_col(100), (2, 3));
    }
}
