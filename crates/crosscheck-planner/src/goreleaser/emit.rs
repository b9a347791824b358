//! The matrix.toml text: tables of `key = value` lines, each finding written as a comment
//! in the table where its key would have gone.

use std::collections::BTreeMap;

use super::findings::{Finding, Place};

/// One table of the output.
#[derive(Debug)]
pub(crate) struct TableOut {
    /// `[build]`, `[[binary]]`, ...
    pub header: String,
    pub place: Place,
    /// `key = value` lines and `# comment` lines, in order.
    pub lines: Vec<String>,
}

impl TableOut {
    pub fn new(header: &str, place: Place) -> TableOut {
        TableOut {
            header: header.to_owned(),
            place,
            lines: Vec::new(),
        }
    }

    pub fn key(&mut self, key: &str, value: String) {
        self.lines.push(format!("{} = {value}", toml_key(key)));
    }

    pub fn comment(&mut self, text: &str) {
        self.lines.push(format!("# {text}"));
    }
}

/// The whole output.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// Comment lines at the top.
    pub header: Vec<String>,
    pub tables: Vec<TableOut>,
}

impl Document {
    /// The table with `place` (the first one), if any.
    pub fn table(&mut self, place: Place) -> Option<&mut TableOut> {
        self.tables.iter_mut().find(|table| table.place == place)
    }

    /// The text, with each finding as a comment in its table. Findings whose table is not
    /// written get a commented header of their own, so that they still sit where the key
    /// would go.
    pub fn render(&self, findings: &[Finding]) -> String {
        let mut by_place: BTreeMap<Place, Vec<&Finding>> = BTreeMap::new();
        for finding in findings {
            let place = self.resolve(finding.place);
            by_place.entry(place).or_default().push(finding);
        }
        let mut out = String::new();
        for line in &self.header {
            push_comment(&mut out, line);
        }
        for finding in by_place.remove(&Place::Top).unwrap_or_default() {
            push_comment(&mut out, &finding.to_string());
        }
        out.push_str("version = 1\n");
        for table in &self.tables {
            out.push('\n');
            out.push_str(&table.header);
            out.push('\n');
            for line in &table.lines {
                out.push_str(line);
                out.push('\n');
            }
            let first_of_place = self
                .tables
                .iter()
                .position(|t| t.place == table.place)
                .is_some_and(|index| std::ptr::eq(&self.tables[index], table));
            if first_of_place {
                for finding in by_place.remove(&table.place).unwrap_or_default() {
                    push_comment(&mut out, &finding.to_string());
                }
            }
        }
        let outside = by_place.remove(&Place::Outside).unwrap_or_default();
        for (place, findings) in by_place {
            out.push('\n');
            push_comment(&mut out, unwritten_header(place));
            for finding in findings {
                push_comment(&mut out, &finding.to_string());
            }
        }
        if !outside.is_empty() {
            out.push('\n');
            push_comment(
                &mut out,
                "Sections about publishing, not building (crosscheck builds, checks and packages; it does not publish):",
            );
            for finding in outside {
                push_comment(&mut out, &finding.to_string());
            }
        }
        out
    }

    /// Where a finding of `place` is written: its own table, else the nearest one that is.
    fn resolve(&self, place: Place) -> Place {
        let written = |p: Place| self.tables.iter().any(|table| table.place == p);
        match place {
            Place::Top | Place::Outside => place,
            Place::Binary(_) | Place::Archive if !written(place) => Place::Build,
            Place::TargetOverride(build, _) if !written(place) => {
                self.resolve(Place::Binary(build))
            }
            _ => place,
        }
    }
}

/// The commented header of a table that is not written but has findings.
fn unwritten_header(place: Place) -> &'static str {
    match place {
        Place::Project => "[project]",
        Place::Build | Place::Binary(_) | Place::Archive => "[build]",
        Place::Matrix => "[matrix]",
        Place::Override | Place::TargetOverride(..) => "[[override]]",
        Place::Hooks => "[hooks]",
        Place::Packages => "[packages]",
        Place::Top | Place::Outside => "",
    }
}

fn push_comment(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// A TOML string.
pub(crate) fn toml_str(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A TOML array of strings, on one line.
pub(crate) fn toml_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|item| toml_str(item.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML array of string arrays (hook commands).
pub(crate) fn toml_commands(commands: &[Vec<String>]) -> String {
    if commands.len() == 1 {
        return format!("[{}]", toml_list(&commands[0]));
    }
    let lines: Vec<String> = commands
        .iter()
        .map(|command| format!("  {},", toml_list(command)))
        .collect();
    format!("[\n{}\n]", lines.join("\n"))
}

/// An inline table of strings (`env`).
pub(crate) fn toml_inline_table(entries: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{} = {}", toml_key(key), toml_str(value)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A key, quoted when it is not a bare TOML key.
pub(crate) fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_owned() } else { toml_str(key) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goreleaser::findings::FindingKind;
    use crate::goreleaser::yaml::Mark;

    #[test]
    fn findings_go_to_their_table_or_a_commented_header() {
        let mut document = Document::default();
        document.header.push("Converted.".to_owned());
        let mut build = TableOut::new("[build]", Place::Build);
        build.key("ldflags", toml_list(&["-s", "-w"]));
        document.tables.push(build);
        let at = Mark {
            index: 0,
            line: 3,
            column: 5,
        };
        let findings = [
            Finding::new(
                FindingKind::NotTranslated,
                at,
                "builds[0].buildmode",
                "no",
                Place::Binary(0),
            ),
            Finding::new(
                FindingKind::NotTranslated,
                at,
                "builds[0].hooks.pre[0]",
                "per target",
                Place::Hooks,
            ),
            Finding::new(FindingKind::NotHandled, at, "release", "", Place::Outside),
        ];
        let text = document.render(&findings);
        assert_eq!(
            text,
            "# Converted.\nversion = 1\n\n[build]\nldflags = [\"-s\", \"-w\"]\n\
             # line 3: builds[0].buildmode: not translated: no\n\n# [hooks]\n\
             # line 3: builds[0].hooks.pre[0]: not translated: per target\n\n\
             # Sections about publishing, not building (crosscheck builds, checks and packages; it does not publish):\n\
             # line 3: release: not handled by crosscheck\n"
        );
    }

    #[test]
    fn values_are_toml() {
        assert_eq!(toml_str("a\"b"), "'a\"b'");
        assert_eq!(toml_key("CGO_X"), "CGO_X");
        assert_eq!(toml_key("a.b"), "\"a.b\"");
        let env = BTreeMap::from([("A".to_owned(), "1".to_owned())]);
        assert_eq!(toml_inline_table(&env), "{ A = \"1\" }");
        assert_eq!(
            toml_commands(&[vec!["go".to_owned()], vec!["a".to_owned(), "b".to_owned()]]),
            "[\n  [\"go\"],\n  [\"a\", \"b\"],\n]"
        );
    }
}
