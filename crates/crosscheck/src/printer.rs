//! The one place that decides where output goes and how it looks.
//!
//! Data a command produces (a plan, a table, JSON) goes to stdout; everything said to the
//! person running the command (status, warnings, errors) goes to stderr, above the progress
//! bars while they are drawn ([`Printer::above`]). `--quiet` silences status and warnings,
//! `--verbose` enables detail, and colour follows `--color`, NO_COLOR and whether stderr is a
//! terminal. Messages get their `error:` or `warning:` label here and styled words their
//! colour, so commands and reporters only compose text.

use std::io::{IsTerminal, Write};

use indicatif::MultiProgress;

use crate::cli::{ColorChoice, GlobalArgs};

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verbosity {
    /// Errors only.
    Quiet,
    /// Status and warnings.
    Normal,
    /// Also detail.
    Verbose,
}

/// How a word looks when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Something went well: green.
    Success,
    /// Something failed: bold red.
    Failure,
    /// Something to look at: bold yellow.
    Caution,
}

impl Style {
    /// The ANSI SGR parameters.
    fn sgr(self) -> &'static str {
        match self {
            Style::Success => "32",
            Style::Failure => "1;31",
            Style::Caution => "1;33",
        }
    }
}

/// The label that opens a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// `error:`, bold red.
    Error,
    /// `warning:`, bold yellow.
    Warning,
}

impl Label {
    /// The label with its colon, as printed.
    fn text(self) -> &'static str {
        match self {
            Label::Error => "error:",
            Label::Warning => "warning:",
        }
    }

    fn style(self) -> Style {
        match self {
            Label::Error => Style::Failure,
            Label::Warning => Style::Caution,
        }
    }
}

/// Writes to stdout and stderr on behalf of every command.
#[derive(Debug, Clone)]
pub struct Printer {
    verbosity: Verbosity,
    color: bool,
    stderr_is_terminal: bool,
    /// While progress bars are drawn, stderr lines are printed above them.
    bars: Option<MultiProgress>,
}

impl Printer {
    /// A printer for the global options and the current environment.
    pub fn new(global: &GlobalArgs) -> Printer {
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os(crosscheck_planner::env_vars::NO_COLOR)
            .is_some_and(|value| !value.is_empty());
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_is_terminal && !no_color,
        };
        Printer {
            verbosity,
            color,
            stderr_is_terminal,
            bars: None,
        }
    }

    /// The same printer, writing its stderr lines above `bars` (which would otherwise draw
    /// over them).
    pub fn above(&self, bars: &MultiProgress) -> Printer {
        Printer {
            bars: Some(bars.clone()),
            ..self.clone()
        }
    }

    /// Whether `--quiet` asked for errors only.
    pub fn is_quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// Whether `--verbose` asked for detail.
    pub fn is_verbose(&self) -> bool {
        self.verbosity >= Verbosity::Verbose
    }

    /// Whether stderr is a terminal (progress bars are only drawn there).
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_is_terminal
    }

    /// Writes command output to stdout. A closed pipe (`| head`) is not an error.
    pub fn stdout(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// A status line on stderr, unless quiet.
    pub fn status(&self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            self.stderr(text);
        }
    }

    /// A detail line on stderr, only when verbose.
    pub fn detail(&self, text: &str) {
        if self.is_verbose() {
            self.stderr(text);
        }
    }

    /// `warning: {message}` on stderr, unless quiet. The planner renders its diagnostics
    /// label and all (`crate::load` passes them here); those keep their one label.
    pub fn warning(&self, message: &str) {
        if self.verbosity >= Verbosity::Normal {
            let message = message
                .strip_prefix(Label::Warning.text())
                .map_or(message, |rest| rest.strip_prefix(' ').unwrap_or(rest));
            self.stderr(&self.labelled(Label::Warning, message));
        }
    }

    /// `error: {message}` on stderr, always.
    pub fn error(&self, message: &str) {
        self.stderr(&self.labelled(Label::Error, message));
    }

    /// Diagnostics rendered elsewhere (matrix.toml errors, each line with its own label and
    /// source snippet), on stderr, always; only their labels are styled here.
    pub fn diagnostics(&self, rendered: &str) {
        let text = if self.color {
            rendered
                .lines()
                .map(|line| self.style_label(line))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            rendered.to_owned()
        };
        self.stderr(&text);
    }

    /// `{label} {message}` with the label styled: for a line of a display (the live build
    /// log) that is printed at that display's level rather than as a message of its own.
    pub fn labelled(&self, label: Label, message: &str) -> String {
        format!("{} {message}", self.paint(label.text(), label.style()))
    }

    /// `word` in `style`, when colouring.
    pub fn paint(&self, word: &str, style: Style) -> String {
        if self.color {
            format!("\x1b[{}m{word}\x1b[0m", style.sgr())
        } else {
            word.to_owned()
        }
    }

    /// A printer at normal verbosity that colours or not, whatever the environment says:
    /// for reporters' unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests(color: bool) -> Printer {
        Printer {
            verbosity: Verbosity::Normal,
            color,
            stderr_is_terminal: false,
            bars: None,
        }
    }

    /// A rendered line with its leading label, if any, styled.
    fn style_label(&self, line: &str) -> String {
        for label in [Label::Error, Label::Warning] {
            if let Some(rest) = line.strip_prefix(label.text()) {
                return format!("{}{rest}", self.paint(label.text(), label.style()));
            }
        }
        line.to_owned()
    }

    fn stderr(&self, text: &str) {
        if let Some(bars) = &self.bars {
            // The bars end the line themselves.
            let _ = bars.println(text.strip_suffix('\n').unwrap_or(text));
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = err.write_all(b"\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer(color: bool) -> Printer {
        Printer::for_tests(color)
    }

    #[test]
    fn labels_and_words_are_styled_only_when_colouring() {
        assert_eq!(
            printer(false).labelled(Label::Error, "x failed"),
            "error: x failed"
        );
        assert_eq!(
            printer(true).labelled(Label::Warning, "careful"),
            "\x1b[1;33mwarning:\x1b[0m careful"
        );
        assert_eq!(printer(false).paint("built", Style::Success), "built");
        assert_eq!(
            printer(true).paint("FAILED", Style::Failure),
            "\x1b[1;31mFAILED\x1b[0m"
        );
    }

    #[test]
    fn rendered_diagnostics_keep_their_labels_and_text() {
        let printer = printer(true);
        assert_eq!(
            printer.style_label("error: unknown GOARCH"),
            "\x1b[1;31merror:\x1b[0m unknown GOARCH"
        );
        assert_eq!(
            printer.style_label(" --> matrix.toml:4:9"),
            " --> matrix.toml:4:9"
        );
    }
}
