//! The one place that decides where output goes.
//!
//! Data a command produces (a plan, a table, JSON) goes to stdout; everything said to the
//! person running the command (status, warnings, errors) goes to stderr. `--quiet` silences
//! status and warnings, `--verbose` enables detail, and colour follows `--color`, NO_COLOR
//! and whether stderr is a terminal.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, GlobalArgs};

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Status and warnings.
    Normal,
    /// Also detail.
    Verbose,
}

/// Writes to stdout and stderr on behalf of every command.
#[derive(Debug, Clone)]
pub struct Printer {
    verbosity: Verbosity,
    color: bool,
    stderr_is_terminal: bool,
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
        }
    }

    /// How much to say.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether stderr is a terminal (progress bars are only drawn there).
    pub fn stderr_is_terminal(&self) -> bool {
        self.stderr_is_terminal
    }

    /// Whether to colour stderr.
    pub fn color(&self) -> bool {
        self.color
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
        if self.verbosity >= Verbosity::Verbose {
            self.stderr(text);
        }
    }

    /// A warning on stderr, unless quiet.
    pub fn warning(&self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            self.stderr(&self.paint_label(text, "warning", "33"));
        }
    }

    /// An error on stderr, always.
    pub fn error(&self, text: &str) {
        self.stderr(&self.paint_label(text, "error", "31"));
    }

    fn paint_label(&self, text: &str, label: &str, code: &str) -> String {
        let prefix = format!("{label}:");
        if !self.color {
            return text.to_owned();
        }
        text.lines()
            .map(|line| match line.strip_prefix(&prefix) {
                Some(rest) => format!("\x1b[1;{code}m{prefix}\x1b[0m{rest}"),
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn stderr(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = err.write_all(b"\n");
        }
    }
}
