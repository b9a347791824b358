//! What the conversion could not carry over exactly, and where in the YAML it was written.

use std::fmt;

use serde::Serialize;

use super::yaml::Mark;

/// How a key or template fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Nothing in matrix.toml does what it did: it is left out.
    NotTranslated,
    /// Translated to what comes closest; the message says what differs.
    Approximated,
    /// A section about publishing, not building (release, nfpms, dockers, ...).
    NotHandled,
}

impl FindingKind {
    /// The words printed before the message.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::NotTranslated => "not translated",
            FindingKind::Approximated => "translated with a difference",
            FindingKind::NotHandled => "not handled by crosscheck",
        }
    }
}

/// Where in the written matrix.toml a finding's comment goes: next to what it would have
/// become.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// The head of the file.
    Top,
    /// `[project]`.
    Project,
    /// `[build]`: build settings every binary shares.
    Build,
    /// The settings of the build with this index (its `[[binary]]`, or `[build]` when there
    /// is one binary).
    Binary(usize),
    /// `[matrix]`.
    Matrix,
    /// The `[[override]]` tables.
    Override,
    /// The `[[override]]` of one build's override: build index, override index.
    TargetOverride(usize, usize),
    /// `[hooks]`.
    Hooks,
    /// The archive keys of `[build]`.
    Archive,
    /// `[packages]`.
    Packages,
    /// The list of sections about publishing, at the end.
    Outside,
}

/// One key or template that was not translated exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Not translated, approximated, or outside building.
    pub kind: FindingKind,
    /// 1-based line in the GoReleaser file.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The key's path: `builds[0].buildmode`.
    pub key: String,
    /// What happened and why; a lowercase fragment.
    pub message: String,
    #[serde(skip)]
    pub(crate) place: Place,
}

impl Finding {
    pub(crate) fn new(
        kind: FindingKind,
        at: Mark,
        key: impl Into<String>,
        message: impl Into<String>,
        place: Place,
    ) -> Finding {
        Finding {
            kind,
            line: at.line,
            column: at.column,
            key: key.into(),
            message: message.into(),
            place,
        }
    }
}

impl Finding {
    /// `file:line:column: key: kind: message`, as the CLI lists findings on stderr.
    pub fn render(&self, file: &str) -> String {
        let mut text = format!(
            "{file}:{}:{}: {}: {}",
            self.line,
            self.column,
            self.key,
            self.kind.label()
        );
        if !self.message.is_empty() {
            text.push_str(": ");
            text.push_str(&self.message);
        }
        text
    }
}

impl fmt::Display for Finding {
    /// `line 12: builds[0].buildmode: not translated: ...`, as the comments in the output
    /// say it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.key, self.kind.label())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}
