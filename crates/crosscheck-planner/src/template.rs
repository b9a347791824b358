//! `{placeholder}` templates in output paths, ldflags, flags and env values.
//!
//! Templates are parsed when the config is read, so an unknown placeholder is reported with
//! its position before anything is planned; rendering a parsed template cannot fail.
//! `{{` and `}}` stand for literal braces.
//!
//! A placeholder may be followed by filters, each after a `|`, applied in order: `title`,
//! `upper` and `lower` change case, and a value map `from=to,from=to` replaces a value it
//! names (others pass through). `{os|title}_{arch|amd64=x86_64,386=i386}` renders
//! `Linux_x86_64` for linux/amd64: what GoReleaser's `{{ title .Os }}` and
//! `{{ if eq .Arch "amd64" }}x86_64{{ else if ... }}` archive names say.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// A placeholder a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// The project's name (`[project] name`); with one binary, also the binary's.
    Name,
    /// The version (git describe, or an override).
    Version,
    /// The full commit hash.
    Commit,
    /// The first 12 characters of the commit hash.
    ShortCommit,
    /// The build date, RFC 3339 UTC.
    Date,
    /// GOOS.
    Os,
    /// GOARCH.
    Arch,
    /// The variant's id segment (`v7`, `v3`, ...), empty when there is none.
    Variant,
    /// The libc (`gnu`, `gnu2.17`, `musl`), empty when it does not apply.
    Libc,
    /// `.exe`, `.wasm` or nothing.
    Ext,
    /// The canonical target id.
    Id,
    /// The filename-safe target id.
    Slug,
    /// The Go release: as requested with the matrix's `go` axis (`go1.25`), else the exact
    /// version of the Go at hand (`go1.26.8`).
    Go,
    /// Where a `runner` command takes the binary. Only runner commands may use it
    /// ([`Template::parse_runner_word`]); the plan keeps it as `{path}` for the runner to
    /// fill in. An `after_build` hook may use it too: there it is the artifact's path.
    Path,
    /// The binary's name: its `[[binary]]` name, else the project's.
    Binary,
    /// The dist directory, absolute, in an `after` hook.
    Dist,
    /// A Linux package's format (`deb`, `rpm`, `apk`), in `[packages] file_name`.
    Format,
    /// A Linux package's release, in `[packages] file_name`.
    Release,
}

impl Placeholder {
    /// Every placeholder with its name, in documentation order.
    pub const ALL: [(&'static str, Placeholder); 14] = [
        ("name", Placeholder::Name),
        ("binary", Placeholder::Binary),
        ("version", Placeholder::Version),
        ("commit", Placeholder::Commit),
        ("short_commit", Placeholder::ShortCommit),
        ("date", Placeholder::Date),
        ("os", Placeholder::Os),
        ("arch", Placeholder::Arch),
        ("variant", Placeholder::Variant),
        ("libc", Placeholder::Libc),
        ("ext", Placeholder::Ext),
        ("id", Placeholder::Id),
        ("slug", Placeholder::Slug),
        ("go", Placeholder::Go),
    ];

    /// What a word of a `runner` command may use: every placeholder, and `{path}`.
    pub const RUNNER: [(&'static str, Placeholder); 15] = {
        let mut all = [("path", Placeholder::Path); 15];
        let mut index = 0;
        while index < Placeholder::ALL.len() {
            all[index] = Placeholder::ALL[index];
            index += 1;
        }
        all
    };

    /// What a `before` hook may use: what is the same for every target.
    pub const HOOK_BEFORE: [(&'static str, Placeholder); 6] = [
        ("name", Placeholder::Name),
        ("binary", Placeholder::Binary),
        ("version", Placeholder::Version),
        ("commit", Placeholder::Commit),
        ("short_commit", Placeholder::ShortCommit),
        ("date", Placeholder::Date),
    ];

    /// What an `after` hook may use: a `before` hook's placeholders and `{dist}`.
    pub const HOOK_AFTER: [(&'static str, Placeholder); 7] = {
        let mut all = [("dist", Placeholder::Dist); 7];
        let mut index = 0;
        while index < Placeholder::HOOK_BEFORE.len() {
            all[index] = Placeholder::HOOK_BEFORE[index];
            index += 1;
        }
        all
    };

    /// What an `after_build` hook may use: every placeholder, `{path}` (the artifact)
    /// and `{dist}`.
    pub const HOOK_AFTER_BUILD: [(&'static str, Placeholder); 16] = {
        let mut all = [("path", Placeholder::Path); 16];
        let mut index = 0;
        while index < Placeholder::ALL.len() {
            all[index] = Placeholder::ALL[index];
            index += 1;
        }
        all[15] = ("dist", Placeholder::Dist);
        all
    };
}

impl Placeholder {
    /// What `[packages] file_name` may use: every placeholder, `{format}` and `{release}`;
    /// there `{name}`, `{version}` and `{arch}` are the package's name, its version in the
    /// format's spelling and the format's architecture name.
    pub const PACKAGE_FILE_NAME: [(&'static str, Placeholder); 16] = {
        let mut all = [("format", Placeholder::Format); 16];
        let mut index = 0;
        while index < Placeholder::ALL.len() {
            all[index] = Placeholder::ALL[index];
            index += 1;
        }
        all[15] = ("release", Placeholder::Release);
        all
    };
}

/// Looks `name` up among `known`.
fn from_name(name: &str, known: &[(&str, Placeholder)]) -> Option<Placeholder> {
    known
        .iter()
        .find(|(candidate, _)| *candidate == name)
        .map(|(_, placeholder)| *placeholder)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(Placeholder, Vec<Filter>),
}

/// What a `|` after a placeholder does to its value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Filter {
    /// The first letter of each word in upper case (`linux` → `Linux`).
    Title,
    /// Every letter in upper case.
    Upper,
    /// Every letter in lower case.
    Lower,
    /// `from=to` pairs: a value equal to a `from` becomes its `to`; others pass through.
    Map(Vec<(String, String)>),
}

impl Filter {
    /// Reads one filter; `Err` says what is wrong with it.
    fn parse(text: &str) -> Result<Filter, String> {
        match text {
            "title" => return Ok(Filter::Title),
            "upper" => return Ok(Filter::Upper),
            "lower" => return Ok(Filter::Lower),
            _ => {}
        }
        if !text.contains('=') {
            return Err(format!(
                "unknown filter {text:?} (hint: filters are title, upper, lower, or a value map such as amd64=x86_64,386=i386)"
            ));
        }
        text.split(',')
            .map(|pair| match pair.split_once('=') {
                Some((from, to)) if !from.is_empty() => Ok((from.to_owned(), to.to_owned())),
                _ => Err(format!(
                    "value map entry {pair:?} is not `from=to` (hint: e.g. amd64=x86_64,386=i386)"
                )),
            })
            .collect::<Result<_, _>>()
            .map(Filter::Map)
    }

    fn apply(&self, value: String) -> String {
        match self {
            Filter::Title => title_case(&value),
            Filter::Upper => value.to_uppercase(),
            Filter::Lower => value.to_lowercase(),
            Filter::Map(pairs) => pairs
                .iter()
                .find(|(from, _)| *from == value)
                .map_or(value, |(_, to)| to.clone()),
        }
    }
}

/// Upper-cases the first letter of each word, as Go's `strings.Title` does.
fn title_case(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut at_word_start = true;
    for c in value.chars() {
        if at_word_start && c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = !c.is_alphanumeric();
    }
    out
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

/// A template that does not parse: what is wrong and where in the template string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// What is wrong, hint included.
    pub message: String,
    /// Byte range inside the template string.
    pub range: Range<usize>,
}

impl Template {
    /// Parses `source`, rejecting unknown placeholders and unbalanced braces.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        Template::parse_with(source, &Placeholder::ALL)
    }

    /// Parses one word of a `runner` command, which may also use `{path}`.
    pub fn parse_runner_word(source: &str) -> Result<Template, TemplateError> {
        Template::parse_with(source, &Placeholder::RUNNER)
    }

    /// Parses `source` with the placeholders `known`.
    pub fn parse_with(
        source: &str,
        known: &[(&'static str, Placeholder)],
    ) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = source.char_indices().peekable();
        while let Some((start, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|(_, c)| *c) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|(_, c)| *c) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    let Some(close) = source[start..].find('}').map(|i| start + i) else {
                        return Err(TemplateError {
                            message:
                                "unclosed `{` in template (hint: write `{{` for a literal brace)"
                                    .to_owned(),
                            range: start..source.len(),
                        });
                    };
                    let mut parts = source[start + 1..close].split('|');
                    let name = parts.next().unwrap_or_default();
                    let filters = parse_filters(parts, placeholder_range(start, close))?;
                    let Some(placeholder) = from_name(name, known) else {
                        let names = known.iter().map(|(name, _)| *name);
                        let hint = match crate::closest(name, names) {
                            Some(suggestion) => format!("did you mean {{{suggestion}}}?"),
                            None => format!(
                                "known placeholders are {}",
                                known
                                    .iter()
                                    .map(|(name, _)| format!("{{{name}}}"))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            ),
                        };
                        return Err(TemplateError {
                            message: format!("unknown placeholder {{{name}}} (hint: {hint})"),
                            range: start..close + 1,
                        });
                    };
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    if placeholder == Placeholder::Path && !filters.is_empty() {
                        return Err(TemplateError {
                            message: "`{path}` takes no filters: it is the binary's path as the runner gets it".to_owned(),
                            range: start..close + 1,
                        });
                    }
                    segments.push(Segment::Placeholder(placeholder, filters));
                    while rest.peek().is_some_and(|(i, _)| *i <= close) {
                        rest.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        message: "unmatched `}` in template (hint: write `}}` for a literal brace)"
                            .to_owned(),
                        range: start..start + 1,
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Template {
            source: source.to_owned(),
            segments,
        })
    }

    /// A template without placeholders.
    pub fn literal(text: &str) -> Template {
        Template {
            source: text.to_owned(),
            segments: vec![Segment::Literal(text.to_owned())],
        }
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template uses `placeholder`.
    pub fn uses(&self, placeholder: Placeholder) -> bool {
        self.segments
            .iter()
            .any(|segment| matches!(segment, Segment::Placeholder(p, _) if *p == placeholder))
    }

    /// Fills the template in.
    pub fn render<'v>(&self, values: &dyn Fn(Placeholder) -> Cow<'v, str>) -> String {
        let mut out = String::with_capacity(self.source.len() + 16);
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Placeholder(placeholder, filters) => {
                    let value = values(*placeholder).into_owned();
                    let value = filters.iter().fold(value, |value, f| f.apply(value));
                    out.push_str(&value);
                }
            }
        }
        out
    }
}

/// The byte range of a `{...}` in its template, for errors.
fn placeholder_range(open: usize, close: usize) -> Range<usize> {
    open..close + 1
}

/// The filters after a placeholder's name.
fn parse_filters<'s>(
    parts: impl Iterator<Item = &'s str>,
    range: Range<usize>,
) -> Result<Vec<Filter>, TemplateError> {
    parts
        .map(|text| {
            Filter::parse(text).map_err(|message| TemplateError {
                message,
                range: range.clone(),
            })
        })
        .collect()
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> String {
        Template::parse(template)
            .unwrap()
            .render(&|p| Cow::Owned(format!("<{p:?}>")))
    }

    #[test]
    fn renders_placeholders_and_escapes() {
        assert_eq!(render("{name}_{os}{ext}"), "<Name>_<Os><Ext>");
        assert_eq!(render("a{{b}}c"), "a{b}c");
        assert_eq!(render("plain"), "plain");
    }

    #[test]
    fn filters_change_case_and_map_values() {
        let template = Template::parse("{name}_{os|title}_{arch|amd64=x86_64,386=i386}").unwrap();
        let value = |os: &'static str, arch: &'static str| {
            move |p: Placeholder| {
                Cow::Borrowed(match p {
                    Placeholder::Os => os,
                    Placeholder::Arch => arch,
                    _ => "tool",
                })
            }
        };
        assert_eq!(
            template.render(&value("linux", "amd64")),
            "tool_Linux_x86_64"
        );
        assert_eq!(template.render(&value("darwin", "386")), "tool_Darwin_i386");
        assert_eq!(
            template.render(&value("windows", "arm64")),
            "tool_Windows_arm64"
        );
        let chained = Template::parse("{os|darwin=macos|upper}").unwrap();
        assert_eq!(chained.render(&value("darwin", "")), "MACOS");
        assert!(template.uses(Placeholder::Arch));
        assert_eq!(title_case("linux-gnu x"), "Linux-Gnu X");
    }

    #[test]
    fn bad_filters_point_at_their_placeholder() {
        let err = Template::parse("a_{os|titel}").unwrap_err();
        assert_eq!(err.range, 2..12);
        assert!(
            err.message.contains("unknown filter \"titel\""),
            "{}",
            err.message
        );
        let err = Template::parse("{arch|amd64=x86_64,386}").unwrap_err();
        assert!(
            err.message.contains("\"386\" is not `from=to`"),
            "{}",
            err.message
        );
        assert!(Template::parse_runner_word("{path|upper}").is_err());
    }

    #[test]
    fn unknown_placeholder_points_at_it() {
        let err = Template::parse("bin/{nmae}_{os}").unwrap_err();
        assert_eq!(err.range, 4..10);
        assert!(
            err.message.contains("did you mean {name}?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn path_is_a_placeholder_of_runner_commands_only() {
        assert!(Template::parse("bin/{path}").is_err());
        let word = Template::parse_runner_word("--bin={path}").unwrap();
        assert!(word.uses(Placeholder::Path));
        let err = Template::parse_runner_word("{pth}").unwrap_err();
        assert!(
            err.message.contains("did you mean {path}?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn each_hook_kind_has_its_own_placeholders() {
        let before = &Placeholder::HOOK_BEFORE;
        let after = &Placeholder::HOOK_AFTER;
        let after_build = &Placeholder::HOOK_AFTER_BUILD;
        assert!(Template::parse_with("{version}", before).is_ok());
        assert!(Template::parse_with("{os}", before).is_err());
        assert!(Template::parse_with("{dist}", before).is_err());
        assert!(Template::parse_with("{dist}/x", after).is_ok());
        assert!(Template::parse_with("{path}", after).is_err());
        let word =
            Template::parse_with("{path}:{binary}:{id}:{os}:{arch}:{dist}", after_build).unwrap();
        assert!(word.uses(Placeholder::Path) && word.uses(Placeholder::Binary));
    }

    #[test]
    fn unbalanced_braces_are_errors() {
        assert!(Template::parse("{name").is_err());
        assert!(Template::parse("name}").is_err());
    }
}
