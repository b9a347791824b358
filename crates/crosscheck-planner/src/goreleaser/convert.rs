//! The conversion: GoReleaser's builds become binaries with their targets and settings,
//! then the matrix, overrides, hooks and archive keys are written from them.

use crate::{Catalog, ConfigErrors, Diagnostic, SourceFile, Target};
use crosscheck_schema::is_binary_name;

use super::emit::{Document, TableOut, toml_str};
use super::findings::{Finding, FindingKind, Place};
use super::gotemplate;
use super::model::{At, Build, Project, Reader, VARIANT_KEYS};
use super::targets::{GrTarget, Listed, list_axes, list_explicit, to_crosscheck};
use super::translate::{Built, Scope, Translation, translate};
use super::yaml::{self, Mark};
use super::{matrix, outputs, packages, settings};

/// What the converter needs besides the file.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    /// The file's name in messages: `.goreleaser.yaml`.
    pub file_name: String,
    /// The module path in go.mod, GoReleaser's guess at `project_name` when the file has
    /// none (its last element).
    pub module_path: Option<String>,
    /// The names of the files at the top of the project, which GoReleaser's default archive
    /// files (`LICENSE*`, `README*`, `CHANGELOG*`, lower case too) are matched against.
    pub top_level_files: Vec<String>,
    /// The project directory relative to where matrix.toml is written (`[project] dir`),
    /// when they differ.
    pub dir: Option<String>,
}

/// The converted file and what could not be carried over exactly.
#[derive(Clone, Debug)]
pub struct Conversion {
    /// The matrix.toml text.
    pub matrix_toml: String,
    /// Every key or template not translated exactly, in file order.
    pub findings: Vec<Finding>,
    /// How many binaries (builds GoReleaser runs) the matrix has.
    pub binaries: usize,
    /// The number of distinct targets.
    pub targets: usize,
    /// The ids of the builds the matrix plans (`server:linux/amd64` with several binaries),
    /// universal binaries aside: what GoReleaser builds.
    pub builds: Vec<String>,
}

/// Converts a GoReleaser config (version 1 or 2) to matrix.toml text.
///
/// # Errors
///
/// A file that is not YAML, or a key whose value has the wrong shape (a mapping where
/// GoReleaser wants a list), is an error pointing at the spot.
pub fn convert(text: &str, options: &ConvertOptions) -> Result<Conversion, ConfigErrors> {
    let file = SourceFile::new(options.file_name.clone(), text);
    let root = yaml::parse(text).map_err(|error| {
        config_errors(
            &file,
            vec![(format!("not valid YAML: {}", error.message), error.at)],
        )
    })?;
    let mut reader = Reader::new();
    let project = super::read::read(&root, &mut reader);
    if !reader.errors.is_empty() {
        return Err(config_errors(&file, reader.errors));
    }
    let mut converter = Converter {
        options,
        findings: reader.findings,
        project_name: None,
        catalog: Catalog::embedded_snapshot(),
    };
    let (document, builds) = converter.run(&project);
    let mut findings = converter.findings;
    findings.sort_by_key(|f| (f.line, f.column));
    Ok(Conversion {
        matrix_toml: document.render(&findings),
        findings,
        binaries: builds.binaries,
        targets: builds.targets,
        builds: builds.ids,
    })
}

/// The errors of a file GoReleaser would refuse, each underlining where it is.
fn config_errors(file: &SourceFile, errors: Vec<(String, Mark)>) -> ConfigErrors {
    let diagnostics = errors
        .into_iter()
        .map(|(message, at)| {
            // The value's first line, up to a separator, and not wider than a screen.
            let start = at.index.min(file.text.len());
            let rest = &file.text[start..];
            let width = rest
                .char_indices()
                .take_while(|(i, c)| *i < 60 && !matches!(c, '\n' | ',' | ']' | '}'))
                .last()
                .map_or(1, |(i, c)| i + c.len_utf8());
            Diagnostic::error(message, Some(start..start + width.max(1)))
        })
        .collect();
    ConfigErrors {
        file: file.clone(),
        diagnostics,
    }
}

/// What the converted matrix builds.
#[derive(Default)]
struct Planned {
    binaries: usize,
    targets: usize,
    ids: Vec<String>,
}

/// The conversion's state: the findings so far and the project name.
pub(crate) struct Converter<'a> {
    pub options: &'a ConvertOptions,
    pub findings: Vec<Finding>,
    pub project_name: Option<String>,
    pub catalog: Catalog,
}

/// A build GoReleaser runs, as one crosscheck binary.
pub(crate) struct Binary<'p> {
    pub build: &'p Build,
    /// `builds[0]`, or `builds` for GoReleaser's default build.
    pub path: String,
    pub place: Place,
    pub id: String,
    /// Its `[[binary]]` name: unique.
    pub name: String,
    /// GoReleaser's `binary`: its artifacts' file name (`{binary}`), `file_name` when it
    /// differs from `name`.
    pub file_name: String,
    /// An `output` of its own, when another binary has the same file name.
    pub output: Option<String>,
    pub main: String,
    /// GoReleaser's targets that crosscheck builds too, each with its crosscheck target.
    pub built: Vec<Built>,
}

impl Binary<'_> {
    /// Where a key of this build sits in the file (the build itself for defaults).
    pub fn at(&self, at: Option<Mark>) -> Mark {
        at.unwrap_or(self.build.at)
    }
}

impl Converter<'_> {
    /// Records a finding.
    pub fn note(
        &mut self,
        kind: FindingKind,
        at: Mark,
        key: impl Into<String>,
        message: impl Into<String>,
        place: Place,
    ) {
        self.findings
            .push(Finding::new(kind, at, key, message, place));
    }

    /// Records a finding unless one with the same message was made: what a placeholder
    /// means, or a matter of the whole matrix, is said once, at its first cause.
    pub fn note_once(
        &mut self,
        kind: FindingKind,
        at: Mark,
        key: impl Into<String>,
        message: impl Into<String>,
        place: Place,
    ) {
        let message = message.into();
        if !self.findings.iter().any(|f| f.message == message) {
            self.note(kind, at, key, message, place);
        }
    }

    /// Translates a template, recording what differs or is missing; `None` when it has no
    /// translation.
    pub fn template(
        &mut self,
        value: &At<String>,
        key: &str,
        scope: &Scope<'_>,
        place: Place,
    ) -> Option<String> {
        match translate(&value.value, scope) {
            Ok(Translation { text, notes }) => {
                for note in notes {
                    self.note_once(FindingKind::Approximated, value.at, key, note, place);
                }
                Some(text)
            }
            Err(reason) => {
                self.note(FindingKind::NotTranslated, value.at, key, reason, place);
                None
            }
        }
    }

    fn run(&mut self, project: &Project) -> (Document, Planned) {
        let mut document = Document::default();
        self.header(project, &mut document);
        self.project_name = self.resolve_project_name(project);
        let default_build = Build::default();
        let builds = self.active_builds(project, &default_build);
        let multi = builds.len() > 1;
        let mut binaries: Vec<Binary<'_>> = builds
            .iter()
            .map(|(build, path)| self.binary(project, build, path.clone(), multi))
            .collect();
        self.unique_names(&mut binaries);
        binaries.retain(|binary| {
            if binary.built.is_empty() {
                self.note(
                    FindingKind::NotTranslated,
                    binary.build.at,
                    binary.path.clone(),
                    "none of its targets can be built by crosscheck: the build is left out",
                    binary.place,
                );
            }
            !binary.built.is_empty()
        });
        let targets = matrix::distinct_targets(&binaries).len();
        if binaries.is_empty() {
            self.note(
                FindingKind::NotTranslated,
                Mark::default(),
                "builds",
                "no build is left to convert",
                Place::Top,
            );
            return (document, Planned::default());
        }
        let multi = binaries.len() > 1;
        self.project_table(project, &binaries, multi, &mut document);
        let form = matrix::decide(self, &mut binaries);
        let overrides = settings::write(self, project, &binaries, multi, &mut document);
        matrix::write(&binaries, form, multi, &mut document);
        packages::write(self, project, &binaries, multi, &mut document);
        outputs::write(self, project, &binaries, overrides, multi, &mut document);
        let ids = binaries
            .iter()
            .flat_map(|binary| {
                binary
                    .built
                    .iter()
                    .map(|built| settings::selector(binary, &built.target.id(), multi))
            })
            .collect();
        let planned = Planned {
            binaries: binaries.len(),
            targets,
            ids,
        };
        (document, planned)
    }

    fn header(&mut self, project: &Project, document: &mut Document) {
        let version = project.version.as_ref().map_or("1", |v| v.value.as_str());
        document.header.push(format!(
            "Converted from {} (GoReleaser config version {version}) by `crosscheck init --from-goreleaser`.",
            self.options.file_name
        ));
        document.header.push(
            "It builds what `goreleaser build` (v2.15.1) builds; each comment says what was not carried over."
                .to_owned(),
        );
        document.header.push(
            "`crosscheck plan` lists the targets; docs/goreleaser.md explains the differences."
                .to_owned(),
        );
        if let Some(version) = &project.version
            && version.value != "1"
            && version.value != "2"
        {
            self.note(
                FindingKind::NotTranslated,
                version.at,
                "version",
                "GoReleaser knows versions 1 and 2; read as version 2",
                Place::Top,
            );
        }
    }

    /// `project_name`, else GoReleaser's guesses: the release repository's name, then the
    /// last element of the module path.
    fn resolve_project_name(&mut self, project: &Project) -> Option<String> {
        if let Some(name) = &project.project_name {
            return Some(name.value.clone());
        }
        if let Some(name) = &project.release_name {
            return Some(name.clone());
        }
        let guess = self
            .options
            .module_path
            .as_deref()
            .and_then(|path| path.rsplit('/').next())
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        if guess.is_none() {
            self.note(
                FindingKind::NotTranslated,
                Mark::default(),
                "project_name",
                "not set, and no go.mod to guess it from as GoReleaser does: set [project] name",
                Place::Project,
            );
        }
        guess
    }

    /// The builds GoReleaser runs (GoReleaser's default build when there is none), with
    /// their paths in the file.
    fn active_builds<'p>(
        &mut self,
        project: &'p Project,
        default_build: &'p Build,
    ) -> Vec<(&'p Build, String)> {
        if project.builds.is_empty() {
            return vec![(default_build, "builds".to_owned())];
        }
        let mut active = Vec::new();
        for build in &project.builds {
            let path = format!("builds[{}]", build.index);
            let place = Place::Binary(build.index);
            if let Some((at, key, reason)) = left_out(build) {
                let message = format!("{reason}, so the build is left out");
                self.note(
                    FindingKind::NotTranslated,
                    at,
                    format!("{path}.{key}"),
                    message,
                    place,
                );
                continue;
            }
            if let Some(skip) = build
                .skip
                .as_ref()
                .filter(|s| super::model::truth(&s.value).is_none())
            {
                let message = "a template decides at run time; the build is converted as if it ran";
                self.note(
                    FindingKind::NotTranslated,
                    skip.at,
                    format!("{path}.skip"),
                    message,
                    place,
                );
            }
            if let Some(command) = build.command.as_ref().filter(|c| c.value != "build") {
                let message = format!(
                    "`go {}`: crosscheck builds with `go build` (`crosscheck test` runs tests); the build is converted as a go build",
                    command.value
                );
                self.note(
                    FindingKind::NotTranslated,
                    command.at,
                    format!("{path}.command"),
                    message,
                    place,
                );
            }
            active.push((build, path));
        }
        active
    }

    /// One build: its name, main package and targets.
    fn binary<'p>(
        &mut self,
        project: &Project,
        build: &'p Build,
        path: String,
        multi: bool,
    ) -> Binary<'p> {
        let place = Place::Binary(build.index);
        let project_name = self.project_name.clone();
        let id = build
            .id
            .as_ref()
            .map(|id| id.value.clone())
            .or_else(|| project_name.clone())
            .unwrap_or_else(|| "app".to_owned());
        let name = self.binary_name(build, &path, &id, place);
        let main = self.main_package(build, &path, place);
        let listed = self.listed_targets(build, &path, place);
        let cgo = settings::cgo_per_target(self, project, build, &path, &listed, multi);
        let built = self.crosscheck_targets(&path, build, listed, &cgo, place);
        Binary {
            build,
            path,
            place,
            id,
            file_name: name.clone(),
            name,
            output: None,
            main,
            built,
        }
    }

    /// `binary` (a template over the project name), as a crosscheck binary name.
    fn binary_name(&mut self, build: &Build, path: &str, id: &str, place: Place) -> String {
        let Some(binary) = &build.binary else {
            return self.project_name.clone().unwrap_or_else(|| id.to_owned());
        };
        let scope = Scope {
            project_name: self.project_name.as_deref(),
            ..Scope::default()
        };
        let evaluated = gotemplate::parse(&binary.value)
            .and_then(|nodes| gotemplate::evaluate(&nodes, &ConstantFields(&scope)));
        let name = match evaluated {
            Ok(name) => name,
            Err(error) => {
                self.note(
                    FindingKind::NotTranslated,
                    binary.at,
                    format!("{path}.binary"),
                    format!(
                        "`{}`: {error}; named {id:?} after the build's id",
                        binary.value
                    ),
                    place,
                );
                return id.to_owned();
            }
        };
        if let Some((_, last)) = name.rsplit_once('/') {
            self.note(
                FindingKind::Approximated,
                binary.at,
                format!("{path}.binary"),
                format!("{name:?} puts the binary in a directory; crosscheck names it {last:?} (archives hold it at their top level)"),
                place,
            );
            return last.to_owned();
        }
        name
    }

    /// `main` joined to `dir`, relative to the module directory.
    fn main_package(&mut self, build: &Build, path: &str, place: Place) -> String {
        let main = build
            .main
            .as_ref()
            .map_or(".", |main| main.value.as_str())
            .to_owned();
        match &build.dir {
            Some(dir) if !matches!(dir.value.as_str(), "" | ".") => {
                let joined = format!(
                    "./{}/{}",
                    dir.value.trim_start_matches("./").trim_end_matches('/'),
                    main.trim_start_matches("./")
                );
                let joined = joined.trim_end_matches("/.").to_owned();
                self.note(
                    FindingKind::Approximated,
                    dir.at,
                    format!("{path}.dir"),
                    format!("GoReleaser runs `go build` in {:?}; crosscheck runs it in the module directory ([project] dir) with main {joined:?}", dir.value),
                    place,
                );
                joined
            }
            _ => main,
        }
    }

    /// The targets GoReleaser builds, with findings for the combinations it rejects.
    fn listed_targets(&mut self, build: &Build, path: &str, place: Place) -> Vec<GrTarget> {
        if let Some(targets) = &build.targets {
            let items: Vec<String> = targets.value.iter().map(|t| t.value.clone()).collect();
            let axes = [("goos", &build.goos), ("goarch", &build.goarch)]
                .into_iter()
                .chain(VARIANT_KEYS.into_iter().zip(build.variants.iter()))
                .find_map(|(key, list)| Some((key, list.as_ref()?.at)));
            let ignore = build.ignore.first().map(|ignore| ("ignore", ignore.at));
            if let Some((key, at)) = axes.or(ignore) {
                self.note(
                    FindingKind::NotTranslated,
                    at,
                    format!("{path}.{key}"),
                    "GoReleaser ignores goos, goarch, the sub-architecture keys and ignore when targets is set, and so does this conversion",
                    place,
                );
            }
            return list_explicit(&items);
        }
        let mut kept = Vec::new();
        for listed in list_axes(build) {
            match listed {
                Listed::Kept(target) => kept.push(target),
                Listed::Rejected(reason) => self.note(
                    FindingKind::NotTranslated,
                    build.goos.as_ref().map_or(build.at, |g| g.at),
                    path.to_owned(),
                    format!("GoReleaser stops with \"{reason}\"; the combination is left out"),
                    place,
                ),
                Listed::Invalid | Listed::Ignored(_) => {}
            }
        }
        kept
    }

    /// Each GoReleaser target as a crosscheck target of the Go catalog; the others are
    /// reported and left out.
    fn crosscheck_targets(
        &mut self,
        path: &str,
        build: &Build,
        listed: Vec<GrTarget>,
        cgo: &[bool],
        place: Place,
    ) -> Vec<Built> {
        let keys = [
            ("targets", &build.targets),
            ("goarch", &build.goarch),
            ("goos", &build.goos),
        ];
        let (key, at) = keys
            .into_iter()
            .find_map(|(key, list)| Some((format!("{path}.{key}"), list.as_ref()?.at)))
            .unwrap_or_else(|| (path.to_owned(), build.at));
        let path = key.as_str();
        let mut built: Vec<Built> = Vec::new();
        for (gr, &cgo) in listed.into_iter().zip(cgo) {
            let (target, notes) = self.target_fate(&gr, cgo, &built);
            for (kind, message) in notes {
                self.note(kind, at, path.to_owned(), message, place);
            }
            let Some(target) = target else { continue };
            if target.cgo && target.goos == "darwin" {
                let message = "darwin targets with cgo need an Apple SDK: set [build] macos_sdk or SDKROOT (docs/matrix.md), as GoReleaser needs a C cross compiler for them";
                self.note_once(
                    FindingKind::Approximated,
                    at,
                    path.to_owned(),
                    message,
                    Place::Matrix,
                );
            }
            built.push(Built { gr, target });
        }
        built
    }

    /// The crosscheck target of one GoReleaser target (`None`: left out), and what to say
    /// about it: not a Go port, cgo on a port without it, a sub-architecture GoReleaser
    /// drops, the same build as one already in `built`.
    fn target_fate(
        &self,
        gr: &GrTarget,
        cgo: bool,
        built: &[Built],
    ) -> (Option<Target>, Vec<(FindingKind, String)>) {
        let mut notes = Vec::new();
        let Some(port) = self.catalog.port(&gr.goos, &gr.goarch) else {
            let message = format!(
                "GoReleaser would try {} and fail: {}/{} is not a port of Go; left out",
                gr.name, gr.goos, gr.goarch
            );
            return (None, vec![(FindingKind::NotTranslated, message)]);
        };
        if cgo && !port.cgo_supported {
            let message = format!(
                "CGO_ENABLED=1 for {}, a port without cgo: built with cgo off",
                gr.name
            );
            notes.push((FindingKind::Approximated, message));
        }
        let dropped = |tail: &str| {
            format!(
                "GoReleaser v2.15.1 builds {} with Go's default sub-architecture (it reads the target name back without it), {tail}",
                gr.name
            )
        };
        match to_crosscheck(gr, cgo && port.cgo_supported) {
            Ok(target) if built.iter().any(|b| b.target == target) => {
                let message = dropped("the same build as another of its targets: built once");
                notes.push((FindingKind::Approximated, message));
                (None, notes)
            }
            Ok(target) => {
                if dropped_variant(gr) {
                    notes.push((
                        FindingKind::Approximated,
                        dropped("and so does this matrix"),
                    ));
                }
                (Some(target), notes)
            }
            Err(reason) => {
                let message = format!("{}: {reason}; left out", gr.name);
                notes.push((FindingKind::NotTranslated, message));
                (None, notes)
            }
        }
    }

    /// `[[binary]]` names must differ and be plain file names. A build whose binary has the
    /// name of an earlier one's (one program built with and without a tag) keeps it as its
    /// `file_name` and is named after its id, with an `output` of its own, as GoReleaser
    /// writes it to `dist/<id>_<target>/`.
    fn unique_names(&mut self, binaries: &mut [Binary<'_>]) {
        for index in 0..binaries.len() {
            let binary = &binaries[index];
            let at = binary.at(binary.build.binary.as_ref().map(|b| b.at));
            let (key, place) = (format!("{}.binary", binary.path), binary.place);
            if !is_binary_name(&binary.file_name) {
                let fixed =
                    crosscheck_schema::to_binary_name(&binary.file_name).unwrap_or_else(|| {
                        crosscheck_schema::to_binary_name(&binary.id)
                            .unwrap_or_else(|| "app".to_owned())
                    });
                let message = format!(
                    "{:?} is not a plain file name (letters, digits, '.', '-', '_'): named {fixed:?}",
                    binary.file_name
                );
                self.note(FindingKind::Approximated, at, key.clone(), message, place);
                binaries[index].file_name.clone_from(&fixed);
                binaries[index].name = fixed;
            }
            let taken = |name: &str, binaries: &[Binary<'_>]| {
                binaries[..index].iter().any(|other| other.name == name)
            };
            if !taken(&binaries[index].name, binaries) {
                continue;
            }
            let mut name =
                crosscheck_schema::to_binary_name(&binaries[index].id).unwrap_or_default();
            if name.is_empty() || taken(&name, binaries) {
                name = format!("{}-{index}", binaries[index].file_name);
            }
            let output = format!("{name}_{{slug}}/{{binary}}{{ext}}");
            let message = format!(
                "an earlier build makes a binary of the same name: this one is the [[binary]] {name:?} with file_name {:?}, written to {output:?} (GoReleaser writes it to dist/{}_<target>/)",
                binaries[index].file_name, binaries[index].id
            );
            self.note(FindingKind::Approximated, at, key, message, place);
            binaries[index].name = name;
            binaries[index].output = Some(output);
        }
    }

    /// `[project]`: the project's (or the one binary's) name and main package.
    fn project_table(
        &mut self,
        project: &Project,
        binaries: &[Binary<'_>],
        multi: bool,
        document: &mut Document,
    ) {
        let mut table = TableOut::new("[project]", Place::Project);
        if let Some(dir) = self
            .options
            .dir
            .as_ref()
            .filter(|dir| !matches!(dir.as_str(), "" | "."))
        {
            table.key("dir", toml_str(dir));
        }
        if multi {
            if let Some(name) = &self.project_name {
                table.key("name", toml_str(name));
            }
        } else {
            table.key("name", toml_str(&binaries[0].file_name));
            table.key("main", toml_str(&binaries[0].main));
            if let (Some(name), Some(at)) = (&self.project_name, &project.project_name)
                && *name != binaries[0].file_name
            {
                self.note(
                        FindingKind::Approximated,
                        at.at,
                        "project_name",
                        format!("with one binary, {{name}} is the binary's name ({:?}); templates that said .ProjectName spell {name:?} out", binaries[0].file_name),
                        Place::Project,
                    );
            }
        }
        document.tables.push(table);
    }
}

/// Why a build has no crosscheck binary, if it has none: where, which key, and the reason.
fn left_out(build: &Build) -> Option<(Mark, &'static str, String)> {
    if let Some(builder) = build
        .builder
        .as_ref()
        .filter(|b| !matches!(b.value.as_str(), "" | "go"))
    {
        let reason = format!("a {} build: crosscheck builds Go only", builder.value);
        return Some((builder.at, "builder", reason));
    }
    let library = |m: &&At<String>| matches!(m.value.as_str(), "c-shared" | "c-archive");
    if let Some(mode) = build.details.buildmode.as_ref().filter(library) {
        let reason = format!(
            "{:?} builds a library; crosscheck builds executables",
            mode.value
        );
        return Some((mode.at, "buildmode", reason));
    }
    if let Some(main) = build.main.as_ref().filter(|m| m.value.ends_with("/...")) {
        let reason = "GoReleaser builds every main package under it; crosscheck builds one package per binary (add a [[binary]] for each)".to_owned();
        return Some((main.at, "main", reason));
    }
    let skip = build.skip.as_ref()?;
    (super::model::truth(&skip.value) == Some(true))
        .then(|| (skip.at, "skip", "skip is true".to_owned()))
}

/// Whether GoReleaser's name for the target asks for a sub-architecture it then does not
/// set (ppc64le and riscv64, see `targets::parse_name`).
fn dropped_variant(target: &GrTarget) -> bool {
    let asked = target.name.splitn(3, '_').nth(2).unwrap_or_default();
    let default = match target.goarch.as_str() {
        "ppc64le" => "power8",
        "riscv64" => "rva20u64",
        _ => return false,
    };
    !asked.is_empty() && asked != default
}

/// Fields known without a target: the project name.
pub(crate) struct ConstantFields<'a>(pub &'a Scope<'a>);

impl gotemplate::Fields for ConstantFields<'_> {
    fn field(&self, path: &[String]) -> Option<gotemplate::Value> {
        match path {
            [name] if name == "ProjectName" => self
                .0
                .project_name
                .map(|name| gotemplate::Value::Str(name.to_owned())),
            _ => None,
        }
    }
}
