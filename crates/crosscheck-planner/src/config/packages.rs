//! `[packages]`, and the `packages` of a `[[binary]]` or an `[[override]]`, checked into
//! [`PackagesSettings`]: what can be checked without a target (spellings, templates,
//! paths). What depends on the target (an architecture name, a required field of a format)
//! is the package planner's (`linux_packages.rs`).

use crosscheck_schema::dist::stays_inside;
use crosscheck_schema::{LinuxPackageFormat, PackageFileKind, closest};
use toml::Spanned;

use super::raw::{RawPackageContent, RawPackageScripts, RawPackages, SpannedList};
use super::{Checker, Located, TemplateField};
use crate::template::Placeholder;

/// The Linux packages of `[packages]`, a `[[binary]]` or an `[[override]]`. Every key is
/// optional: a binary's keys replace `[packages]`' and an override's replace what came
/// before, key by key, as with `smoke`. `formats = []` turns packages off.
#[derive(Clone, Debug, Default)]
pub struct PackagesSettings {
    /// The formats, each once, in file order.
    pub formats: Option<Located<Vec<LinuxPackageFormat>>>,
    /// The package name; `None`: `{binary}`.
    pub name: Option<TemplateField>,
    /// The version before conversion; `None`: `{version}`.
    pub version: Option<TemplateField>,
    /// The release; `None`: `1`.
    pub release: Option<Located<String>>,
    /// `Name <email>`; deb needs it.
    pub maintainer: Option<TemplateField>,
    /// The description; `None`: the package name.
    pub description: Option<TemplateField>,
    /// The project's web page.
    pub homepage: Option<TemplateField>,
    /// The license; rpm needs it.
    pub license: Option<TemplateField>,
    /// Who ships it.
    pub vendor: Option<TemplateField>,
    /// deb section, rpm group.
    pub section: Option<TemplateField>,
    /// deb priority.
    pub priority: Option<TemplateField>,
    /// Relations, each a list of package names with optional version constraints.
    pub relations: Relations,
    /// The directory the binary is installed in; `None`: `/usr/bin`.
    pub bindir: Option<Located<String>>,
    /// Other files.
    pub contents: Option<Vec<PackageContentConfig>>,
    /// Maintainer scripts (the table replaces the inherited one as a whole).
    pub scripts: Option<PackageScriptsConfig>,
    /// The file name without extension; `None`: each format's convention.
    pub file_name: Option<TemplateField>,
    /// Where the table was written.
    pub span: std::ops::Range<usize>,
}

/// The relation lists as written; each set replaces the inherited list.
#[derive(Clone, Debug, Default)]
pub struct Relations {
    /// `depends`.
    pub depends: Option<Vec<String>>,
    /// `recommends`.
    pub recommends: Option<Vec<String>>,
    /// `suggests`.
    pub suggests: Option<Vec<String>>,
    /// `conflicts`.
    pub conflicts: Option<Vec<String>>,
    /// `provides`.
    pub provides: Option<Vec<String>>,
    /// `replaces`.
    pub replaces: Option<Vec<String>>,
}

/// One `contents` entry.
#[derive(Clone, Debug)]
pub struct PackageContentConfig {
    /// A path or glob relative to the module directory.
    pub src: Located<String>,
    /// The absolute install path: the file's, or with a glob the directory the matches go
    /// under (keeping their paths below the glob's literal directories).
    pub dst: Located<String>,
    /// Permission bits; `None`: `0o644`.
    pub mode: Option<u32>,
    /// The `type`.
    pub kind: PackageFileKind,
}

/// `scripts`: files of the module, relative to its directory.
#[derive(Clone, Debug, Default)]
pub struct PackageScriptsConfig {
    /// Run before unpacking.
    pub preinstall: Option<Located<String>>,
    /// Run after unpacking.
    pub postinstall: Option<Located<String>>,
    /// Run before removal.
    pub preremove: Option<Located<String>>,
    /// Run after removal.
    pub postremove: Option<Located<String>>,
}

impl PackagesSettings {
    /// `over` on top of `self`: each key `over` sets replaces the inherited one.
    pub fn overlay(&mut self, over: &PackagesSettings) {
        fn pick<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        pick(&mut self.formats, &over.formats);
        pick(&mut self.name, &over.name);
        pick(&mut self.version, &over.version);
        pick(&mut self.release, &over.release);
        pick(&mut self.maintainer, &over.maintainer);
        pick(&mut self.description, &over.description);
        pick(&mut self.homepage, &over.homepage);
        pick(&mut self.license, &over.license);
        pick(&mut self.vendor, &over.vendor);
        pick(&mut self.section, &over.section);
        pick(&mut self.priority, &over.priority);
        let (mine, theirs) = (&mut self.relations, &over.relations);
        pick(&mut mine.depends, &theirs.depends);
        pick(&mut mine.recommends, &theirs.recommends);
        pick(&mut mine.suggests, &theirs.suggests);
        pick(&mut mine.conflicts, &theirs.conflicts);
        pick(&mut mine.provides, &theirs.provides);
        pick(&mut mine.replaces, &theirs.replaces);
        pick(&mut self.bindir, &over.bindir);
        pick(&mut self.contents, &over.contents);
        pick(&mut self.scripts, &over.scripts);
        pick(&mut self.file_name, &over.file_name);
    }
}

/// Characters a release may have: what dpkg allows in a revision and rpm in a release.
fn is_release(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~'))
}

impl Checker {
    /// A `packages` table wherever it is written.
    pub(super) fn packages(&mut self, raw: Spanned<RawPackages>) -> PackagesSettings {
        let span = raw.span();
        let raw = raw.into_inner();
        let text = |checker: &mut Checker, value: Option<Spanned<String>>| {
            value.and_then(|value| checker.nonempty_template(value))
        };
        PackagesSettings {
            formats: raw.formats.map(|formats| self.package_formats(formats)),
            name: text(self, raw.name),
            version: text(self, raw.version),
            release: raw
                .release
                .and_then(|release| self.package_release(release)),
            maintainer: text(self, raw.maintainer),
            description: text(self, raw.description),
            homepage: text(self, raw.homepage),
            license: text(self, raw.license),
            vendor: text(self, raw.vendor),
            section: text(self, raw.section),
            priority: text(self, raw.priority),
            relations: Relations {
                depends: raw.depends.map(|list| self.relation_list("depends", list)),
                recommends: raw
                    .recommends
                    .map(|list| self.relation_list("recommends", list)),
                suggests: raw
                    .suggests
                    .map(|list| self.relation_list("suggests", list)),
                conflicts: raw
                    .conflicts
                    .map(|list| self.relation_list("conflicts", list)),
                provides: raw
                    .provides
                    .map(|list| self.relation_list("provides", list)),
                replaces: raw
                    .replaces
                    .map(|list| self.relation_list("replaces", list)),
            },
            bindir: raw
                .bindir
                .and_then(|dir| self.install_path("bindir", Located::from_spanned(dir))),
            contents: raw.contents.map(|entries| {
                entries
                    .into_iter()
                    .filter_map(|entry| self.package_content(entry.into_inner()))
                    .collect()
            }),
            scripts: raw
                .scripts
                .map(|scripts| self.package_scripts(scripts.into_inner())),
            file_name: raw.file_name.and_then(|name| self.package_file_name(name)),
            span,
        }
    }

    /// A template that must not be empty: an empty maintainer or license is a typo, not a
    /// way to unset it.
    fn nonempty_template(&mut self, value: Spanned<String>) -> Option<TemplateField> {
        if value.get_ref().trim().is_empty() {
            self.error(
                "this value is empty (hint: drop the key to use the default)",
                value.span(),
            );
            return None;
        }
        self.template(value)
    }

    /// `formats`: deb, rpm and apk, each once; `[]` turns packages off.
    fn package_formats(&mut self, list: SpannedList<String>) -> Located<Vec<LinuxPackageFormat>> {
        let span = list.span();
        let mut formats = Vec::new();
        for item in list.into_inner() {
            let name = item.get_ref();
            let known = LinuxPackageFormat::ALL
                .into_iter()
                .find(|format| format.as_str() == name);
            match known {
                Some(format) if formats.contains(&format) => self.error(
                    format!("package format {name:?} is listed twice"),
                    item.span(),
                ),
                Some(format) => formats.push(format),
                None => {
                    let names = LinuxPackageFormat::ALL.map(LinuxPackageFormat::as_str);
                    let hint = match closest(name, names) {
                        Some(suggestion) => format!("did you mean \"{suggestion}\"?"),
                        None => "use \"deb\", \"rpm\" or \"apk\"".to_owned(),
                    };
                    self.error(
                        format!("unknown package format {name:?} (hint: {hint})"),
                        item.span(),
                    );
                }
            }
        }
        Located {
            value: formats,
            span,
        }
    }

    fn package_release(&mut self, value: Spanned<String>) -> Option<Located<String>> {
        if is_release(value.get_ref()) {
            return Some(Located::from_spanned(value));
        }
        self.error(
            format!(
                "release {:?} is not a package release (hint: letters, digits, `.`, `+` and `~`, e.g. \"1\"; apk takes digits only)",
                value.get_ref()
            ),
            value.span(),
        );
        None
    }

    fn relation_list(&mut self, key: &str, list: Vec<Spanned<String>>) -> Vec<String> {
        let mut relations = Vec::new();
        for item in list {
            if item.get_ref().trim().is_empty() {
                self.error(
                    format!("an empty entry in `{key}` (hint: a package name, optionally with a version, e.g. \"libc6 (>= 2.17)\")"),
                    item.span(),
                );
            } else {
                relations.push(item.into_inner());
            }
        }
        relations
    }

    /// An absolute install path without `..`: where a file goes on the installed system.
    fn install_path(&mut self, key: &str, path: Located<String>) -> Option<Located<String>> {
        let inside = path
            .value
            .strip_prefix('/')
            .is_some_and(|rest| rest.is_empty() || stays_inside(rest));
        if inside {
            return Some(path);
        }
        self.error(
            format!(
                "`{key}` {:?} must be an absolute path without `..` (hint: e.g. \"/usr/bin\")",
                path.value
            ),
            path.span.clone(),
        );
        None
    }

    fn package_content(&mut self, raw: RawPackageContent) -> Option<PackageContentConfig> {
        let src = Located::from_spanned(raw.src);
        let mut valid = true;
        if !stays_inside(&src.value) {
            self.error(
                format!("package file {:?} must be a relative path inside the module directory (hint: e.g. \"README.md\" or \"docs/*.md\")", src.value),
                src.span.clone(),
            );
            valid = false;
        } else if let Err(error) = globset::Glob::new(&src.value) {
            self.error(
                format!(
                    "package file pattern {:?} is not a valid glob: {}",
                    src.value,
                    error.kind()
                ),
                src.span.clone(),
            );
            valid = false;
        }
        let dst = self.install_path("dst", Located::from_spanned(raw.dst));
        let mode = match raw.mode {
            Some(mode) => match u32::try_from(*mode.get_ref()) {
                Ok(bits) if bits <= 0o7777 => Some(bits),
                _ => {
                    self.error(
                        "`mode` must be permission bits between 0 and 0o7777 (hint: write it in octal, e.g. mode = 0o644)",
                        mode.span(),
                    );
                    valid = false;
                    None
                }
            },
            None => None,
        };
        let kind = match raw.kind {
            Some(kind) => match PackageFileKind::from_name(kind.get_ref()) {
                Some(parsed) => parsed,
                None => {
                    let hint = match closest(kind.get_ref(), PackageFileKind::NAMES) {
                        Some(suggestion) => format!("did you mean \"{suggestion}\"?"),
                        None => format!("one of {}", PackageFileKind::NAMES.join(", ")),
                    };
                    self.error(
                        format!(
                            "unknown package file type {:?} (hint: {hint})",
                            kind.get_ref()
                        ),
                        kind.span(),
                    );
                    return None;
                }
            },
            None => PackageFileKind::File,
        };
        Some(PackageContentConfig {
            src,
            dst: dst?,
            mode,
            kind,
        })
        .filter(|_| valid)
    }

    fn package_scripts(&mut self, raw: RawPackageScripts) -> PackageScriptsConfig {
        let mut script = |value: Option<Spanned<String>>| {
            let value = Located::from_spanned(value?);
            if stays_inside(&value.value) {
                return Some(value);
            }
            self.error(
                format!("script {:?} must be a relative path inside the module directory (hint: e.g. \"packaging/postinstall.sh\")", value.value),
                value.span.clone(),
            );
            None
        };
        PackageScriptsConfig {
            preinstall: script(raw.preinstall),
            postinstall: script(raw.postinstall),
            preremove: script(raw.preremove),
            postremove: script(raw.postremove),
        }
    }

    /// `file_name`: a template over [`Placeholder::PACKAGE_FILE_NAME`] naming a file inside
    /// the dist directory; the format's extension is added.
    fn package_file_name(&mut self, value: Spanned<String>) -> Option<TemplateField> {
        let template = self.template_with(value, &Placeholder::PACKAGE_FILE_NAME)?;
        if !stays_inside(template.value.source()) {
            self.error(
                format!("package file name {:?} must be a relative path inside the dist directory (hint: e.g. \"{{name}}_{{version}}_{{arch}}\"; the extension is added)", template.value.source()),
                template.span,
            );
            return None;
        }
        Some(template)
    }
}
