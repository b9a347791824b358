//! The GoReleaser config as written: the keys the converter translates, read from the
//! marked YAML tree into typed values that remember their position.
//!
//! A key the converter knows but does not translate becomes a finding with the reason
//! ([`Reader::finish`]); a key GoReleaser does not know becomes one with a did-you-mean. A
//! value of the wrong shape (a mapping where a list belongs) is an error: GoReleaser would
//! refuse the file too.

use super::findings::{Finding, FindingKind, Place};
use super::yaml::{Kind, Mark, Node};

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct At<T> {
    pub value: T,
    pub at: Mark,
}

/// A list of strings and where the list was written.
pub(crate) type Strings = At<Vec<At<String>>>;

/// The sub-architecture keys of builds, ignores and overrides, in GoReleaser's order.
pub(crate) const VARIANT_KEYS: [&str; 7] = [
    "goamd64",
    "go386",
    "goarm",
    "goarm64",
    "gomips",
    "goppc64",
    "goriscv64",
];

/// The whole file.
#[derive(Debug, Default)]
pub(crate) struct Project {
    pub version: Option<At<String>>,
    pub project_name: Option<At<String>>,
    /// The first of `release.{github,gitlab,gitea}.name`, GoReleaser's next guess.
    pub release_name: Option<String>,
    pub env: Vec<At<String>>,
    pub builds: Vec<Build>,
    pub before_hooks: Vec<At<String>>,
    /// `archives`, and where the key was written (`None`: absent, GoReleaser's default).
    pub archives: Option<At<Vec<Archive>>>,
    pub checksum: Option<At<Checksum>>,
    pub sboms: Option<At<Vec<Sbom>>>,
    pub universal_binaries: Vec<Universal>,
    /// `nfpms`: Linux packages.
    pub nfpms: Vec<Nfpm>,
}

/// What builds and overrides share (`BuildDetails` in GoReleaser).
#[derive(Clone, Debug, Default)]
pub(crate) struct Details {
    pub buildmode: Option<At<String>>,
    pub ldflags: Option<Strings>,
    pub tags: Option<Strings>,
    pub flags: Option<Strings>,
    pub asmflags: Option<Strings>,
    pub gcflags: Option<Strings>,
    pub env: Vec<At<String>>,
}

/// One entry of `builds`.
#[derive(Debug, Default)]
pub(crate) struct Build {
    pub index: usize,
    pub at: Mark,
    pub id: Option<At<String>>,
    pub main: Option<At<String>>,
    pub dir: Option<At<String>>,
    pub binary: Option<At<String>>,
    pub builder: Option<At<String>>,
    pub tool: Option<At<String>>,
    pub command: Option<At<String>>,
    pub skip: Option<At<String>>,
    pub mod_timestamp: Option<At<String>>,
    pub goos: Option<Strings>,
    pub goarch: Option<Strings>,
    /// `goamd64` .. `goriscv64`, indexed like [`VARIANT_KEYS`].
    pub variants: [Option<Strings>; 7],
    pub targets: Option<Strings>,
    pub ignore: Vec<Partial>,
    pub details: Details,
    pub overrides: Vec<Override>,
    pub pre_hooks: Vec<Hook>,
    pub post_hooks: Vec<Hook>,
}

/// An `ignore` entry or the target part of an override: empty fields match anything
/// (ignore) or take GoReleaser's default (override).
#[derive(Clone, Debug, Default)]
pub(crate) struct Partial {
    pub at: Mark,
    pub goos: Option<At<String>>,
    pub goarch: Option<At<String>>,
    pub variants: [Option<At<String>>; 7],
}

/// One entry of a build's `overrides`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Override {
    pub index: usize,
    pub target: Partial,
    pub details: Details,
}

/// A hook: `cmd` with optional `dir`, `env` and `output`, or a plain string.
#[derive(Clone, Debug)]
pub(crate) struct Hook {
    pub cmd: At<String>,
    pub dir: Option<At<String>>,
    pub env: Vec<At<String>>,
}

/// One entry of `archives`.
#[derive(Debug, Default)]
pub(crate) struct Archive {
    pub index: usize,
    pub at: Mark,
    pub ids: Option<Strings>,
    pub name_template: Option<At<String>>,
    pub formats: Option<Strings>,
    pub format_overrides: Vec<FormatOverride>,
    pub files: Option<At<Vec<ArchiveFile>>>,
    pub meta: Option<At<String>>,
    /// v1's `replacements`: values of `.Os`, `.Arch` and `.Arm` renamed in names.
    pub replacements: Vec<(At<String>, At<String>)>,
}

/// `format_overrides` entry.
#[derive(Debug)]
pub(crate) struct FormatOverride {
    pub at: Mark,
    pub goos: Option<At<String>>,
    pub formats: Option<Strings>,
}

/// An `archives.files` entry: a glob, or `src` with options crosscheck lacks.
#[derive(Debug)]
pub(crate) struct ArchiveFile {
    pub src: At<String>,
    /// `dst`, `strip_parent` or `info`, which crosscheck has no equivalent of.
    pub extras: Vec<At<String>>,
}

/// `checksum`.
#[derive(Debug, Default)]
pub(crate) struct Checksum {
    pub algorithm: Option<At<String>>,
    pub disable: Option<At<String>>,
}

/// One entry of `sboms`.
#[derive(Debug, Default)]
pub(crate) struct Sbom {
    pub at: Mark,
    pub artifacts: Option<At<String>>,
    pub disable: Option<At<String>>,
}

/// One entry of `nfpms`.
#[derive(Debug, Default)]
pub(crate) struct Nfpm {
    pub index: usize,
    pub at: Mark,
    pub formats: Option<Strings>,
    /// The fields that become `[packages]` keys of the same meaning, in output order:
    /// (crosscheck key, value).
    pub fields: Vec<(&'static str, At<String>)>,
    /// `dependencies`, `recommends`, ...: (crosscheck key, values).
    pub relations: Vec<(&'static str, Strings)>,
    pub contents: Vec<NfpmContent>,
    /// `scripts`: (key, path).
    pub scripts: Vec<(&'static str, At<String>)>,
    pub file_name_template: Option<At<String>>,
}

/// One entry of an `nfpms` entry's `contents`.
#[derive(Debug, Default)]
pub(crate) struct NfpmContent {
    pub index: usize,
    pub at: Mark,
    pub src: Option<At<String>>,
    pub dst: Option<At<String>>,
    pub kind: Option<At<String>>,
    pub mode: Option<At<String>>,
}

/// One entry of `universal_binaries`.
#[derive(Debug, Default)]
pub(crate) struct Universal {
    pub index: usize,
    pub at: Mark,
    pub id: Option<At<String>>,
    pub ids: Option<Strings>,
    pub name_template: Option<At<String>>,
    pub replace: Option<At<String>>,
}

/// Reads the tree, collecting findings about keys it does not translate and errors about
/// values of the wrong shape.
pub(crate) struct Reader {
    pub findings: Vec<Finding>,
    pub errors: Vec<(String, Mark)>,
}

/// A mapping being read: which of its keys were asked for, so that the rest can be
/// reported.
pub(crate) struct Table<'n> {
    entries: &'n [(Node, Node)],
    path: String,
    place: Place,
    used: Vec<bool>,
    asked: Vec<&'static str>,
}

impl<'n> Table<'n> {
    /// The value of `key`, if written; marks it as read.
    pub fn take(&mut self, key: &'static str) -> Option<&'n Node> {
        self.asked.push(key);
        let index = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        self.used[index] = true;
        let value = &self.entries[index].1;
        (!matches!(value.kind, Kind::Null)).then_some(value)
    }

    /// The path of `key` in this table, as findings name it: `builds[0].goos`.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn place(&self) -> Place {
        self.place
    }
}

impl Reader {
    pub fn new() -> Reader {
        Reader {
            findings: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// A mapping as a [`Table`]; anything else is an error.
    pub fn table<'n>(&mut self, node: &'n Node, path: &str, place: Place) -> Option<Table<'n>> {
        match &node.kind {
            Kind::Map(entries) => Some(Table {
                entries,
                path: path.to_owned(),
                place,
                used: vec![false; entries.len()],
                asked: Vec::new(),
            }),
            Kind::Null => Some(Table {
                entries: &[],
                path: path.to_owned(),
                place,
                used: Vec::new(),
                asked: Vec::new(),
            }),
            _ => {
                self.wrong_shape(node, path, "a mapping");
                None
            }
        }
    }

    /// Reports every key of `table` that was not read: those in `untranslated` with their
    /// reason, the others as unknown (with the closest key GoReleaser knows there).
    pub fn finish(&mut self, table: Table<'_>, untranslated: &[(&str, &str)]) {
        for ((key, value), used) in table.entries.iter().zip(&table.used) {
            if *used {
                continue;
            }
            let name = key.as_str().unwrap_or_default();
            let path = table.path_of(name);
            let (kind, message) = match untranslated.iter().find(|(k, _)| *k == name) {
                Some((_, reason)) => (FindingKind::NotTranslated, (*reason).to_owned()),
                None => {
                    let known = table
                        .asked
                        .iter()
                        .copied()
                        .chain(untranslated.iter().map(|(k, _)| *k));
                    let hint = crate::did_you_mean(crate::closest(name, known));
                    (
                        FindingKind::NotTranslated,
                        format!("unknown key: GoReleaser v2.15.1 does not know it either{hint}"),
                    )
                }
            };
            if matches!(value.kind, Kind::Null) && kind == FindingKind::NotTranslated {
                continue;
            }
            self.findings
                .push(Finding::new(kind, key.at, path, message, table.place));
        }
    }

    fn wrong_shape(&mut self, node: &Node, path: &str, expected: &str) {
        self.errors.push((
            format!("{path}: expected {expected}, found {}", node.describe()),
            node.at,
        ));
    }

    /// A single value (a string, number or bool as written).
    pub fn text(&mut self, table: &mut Table<'_>, key: &'static str) -> Option<At<String>> {
        let node = table.take(key)?;
        let path = table.path_of(key);
        self.scalar(node, &path)
    }

    pub fn scalar(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        match node.as_str() {
            Some(text) => Some(At {
                value: text.to_owned(),
                at: node.at,
            }),
            None => {
                self.wrong_shape(node, path, "a single value");
                None
            }
        }
    }

    /// A list of single values (`[]string`); one value alone is an error, as in GoReleaser.
    pub fn list(&mut self, table: &mut Table<'_>, key: &'static str) -> Option<Strings> {
        let node = table.take(key)?;
        let path = table.path_of(key);
        match &node.kind {
            Kind::Seq(items) => Some(At {
                value: items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| self.scalar(item, &format!("{path}[{i}]")))
                    .collect(),
                at: node.at,
            }),
            _ => {
                self.wrong_shape(node, &path, "a list");
                None
            }
        }
    }

    /// GoReleaser's `StringArray`: a list, or one string standing for a list of one.
    pub fn string_array(&mut self, table: &mut Table<'_>, key: &'static str) -> Option<Strings> {
        let node = table.take(key)?;
        match node.as_str() {
            Some(text) => Some(At {
                value: vec![At {
                    value: text.to_owned(),
                    at: node.at,
                }],
                at: node.at,
            }),
            None => {
                let path = table.path_of(key);
                self.seq_of_scalars(node, &path)
            }
        }
    }

    /// GoReleaser's `FlagArray`: a list, or one string split at whitespace.
    pub fn flag_array(&mut self, table: &mut Table<'_>, key: &'static str) -> Option<Strings> {
        let node = table.take(key)?;
        match node.as_str() {
            Some(text) => Some(At {
                value: text
                    .split_whitespace()
                    .map(|word| At {
                        value: word.to_owned(),
                        at: node.at,
                    })
                    .collect(),
                at: node.at,
            }),
            None => {
                let path = table.path_of(key);
                self.seq_of_scalars(node, &path)
            }
        }
    }

    fn seq_of_scalars(&mut self, node: &Node, path: &str) -> Option<Strings> {
        let Kind::Seq(items) = &node.kind else {
            self.wrong_shape(node, path, "a list or a single value");
            return None;
        };
        Some(At {
            value: items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.scalar(item, &format!("{path}[{i}]")))
                .collect(),
            at: node.at,
        })
    }

    /// The items of a list of mappings, each as a table.
    pub fn tables<'n>(
        &mut self,
        table: &mut Table<'n>,
        key: &'static str,
        place: impl Fn(usize) -> Place,
    ) -> Option<At<Vec<(usize, Mark, Table<'n>)>>> {
        let node = table.take(key)?;
        let path = table.path_of(key);
        let Kind::Seq(items) = &node.kind else {
            self.wrong_shape(node, &path, "a list");
            return None;
        };
        let tables = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                self.table(item, &format!("{path}[{i}]"), place(i))
                    .map(|table| (i, item.at, table))
            })
            .collect();
        Some(At {
            value: tables,
            at: node.at,
        })
    }

    /// Hooks: a string, a list of strings, or a list of `{cmd, dir, env, output}`.
    pub fn hooks(&mut self, table: &mut Table<'_>, key: &'static str) -> Vec<Hook> {
        let Some(node) = table.take(key) else {
            return Vec::new();
        };
        let path = table.path_of(key);
        let items: Vec<&Node> = match &node.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let place = table.place();
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| self.hook(item, &format!("{path}[{i}]"), place))
            .collect()
    }

    fn hook(&mut self, node: &Node, path: &str, place: Place) -> Option<Hook> {
        if let Some(cmd) = node.as_str() {
            return Some(Hook {
                cmd: At {
                    value: cmd.to_owned(),
                    at: node.at,
                },
                dir: None,
                env: Vec::new(),
            });
        }
        let mut table = self.table(node, path, place)?;
        let Some(cmd) = self.text(&mut table, "cmd") else {
            self.errors
                .push((format!("{path}: a hook needs `cmd`"), node.at));
            return None;
        };
        let dir = self.text(&mut table, "dir");
        let env = self
            .list(&mut table, "env")
            .map(|list| list.value)
            .unwrap_or_default();
        self.finish(
            table,
            &[(
                "output",
                "crosscheck always writes a hook's output to its log in dist/logs/",
            )],
        );
        Some(Hook { cmd, dir, env })
    }

    /// The target part of an `ignore` entry or an override.
    pub fn partial(&mut self, table: &mut Table<'_>, at: Mark) -> Partial {
        let goos = self.text(table, "goos");
        let goarch = self.text(table, "goarch");
        let variants = VARIANT_KEYS.map(|key| self.text(table, key));
        Partial {
            at,
            goos,
            goarch,
            variants,
        }
    }

    /// `BuildDetails`: the keys a build shares with its overrides.
    pub fn details(&mut self, table: &mut Table<'_>) -> Details {
        Details {
            buildmode: self.text(table, "buildmode"),
            ldflags: self.string_array(table, "ldflags"),
            tags: self.flag_array(table, "tags"),
            flags: self.flag_array(table, "flags"),
            asmflags: self.string_array(table, "asmflags"),
            gcflags: self.string_array(table, "gcflags"),
            env: self
                .list(table, "env")
                .map(|list| list.value)
                .unwrap_or_default(),
        }
    }
}

/// A GoReleaser boolean as written (`true`, `yes`, ...), or a template (`None`).
pub(crate) fn truth(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "on" | "On" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "off" | "Off" | "" => Some(false),
        _ => None,
    }
}
