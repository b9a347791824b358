//! matrix.toml: parsed with spans ([`raw`]), then checked into [`Config`].
//!
//! This stage checks everything that can be checked without knowing the Go toolchain:
//! syntax, types, unknown keys, template placeholders, libc and variant spellings,
//! selector globs. Whether an os/arch pair exists is the expansion's job, because only the
//! catalog of the Go that will build can say.

mod packages;
mod raw;
mod sign;

pub(crate) use sign::code_sign;

use std::ops::Range;

use crosscheck_schema::Policy;
use crosscheck_schema::dist::stays_inside;
use toml::Spanned;

use crate::diagnostic::{ConfigErrors, Diagnostic, SourceFile};
use crate::select::Selector;
use crate::template::{Placeholder, Template};
use crate::{ArchiveFormat, GoVersion, HookKind, Libc, Target, VariantVar, closest, did_you_mean};

pub use packages::{
    PackageContentConfig, PackageScriptsConfig, PackagesSettings,
    Relations as PackageRelationsConfig,
};
use raw::{
    RawBinary, RawBuild, RawConfig, RawHook, RawHooks, RawMatrix, RawOverride, RawProject,
    RawSmoke, RawSmokeOverride, RawTuple,
};

/// The default output path template, relative to the dist directory.
pub const DEFAULT_OUTPUT: &str = "{binary}_{slug}{ext}";

/// The default archive name template; the format's extension is appended.
pub const DEFAULT_ARCHIVE_NAME: &str = "{name}_{version}_{slug}";

/// The matrix used when there is no matrix.toml: the release set, cgo off.
pub const DEFAULT_MATRIX: &str = include_str!("../data/default-matrix.toml");

/// The fully commented matrix.toml that `crosscheck init` writes.
pub const INIT_TEMPLATE: &str = include_str!("../data/init-matrix.toml");

/// A value from the file together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its byte span in the file.
    pub span: Range<usize>,
}

impl<T> Located<T> {
    fn from_spanned(spanned: Spanned<T>) -> Located<T> {
        let span = spanned.span();
        Located {
            value: spanned.into_inner(),
            span,
        }
    }
}

/// A template string and where it was written.
pub type TemplateField = Located<Template>;

/// A `runner` command: its words, each a template that may use `{path}` (at least one
/// does).
pub type RunnerCommand = Located<Vec<Template>>;

/// A checked matrix.toml.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file, for rendering later diagnostics.
    pub file: SourceFile,
    /// `[project]`.
    pub project: ProjectConfig,
    /// `[build]`.
    pub build: BuildConfig,
    /// `[matrix]`.
    pub matrix: MatrixConfig,
    /// `[policy]`: rules every artifact must satisfy (checked by the inspector).
    pub policy: Policy,
    /// `go` of `[matrix]`: the Go releases every target is built with, in file order;
    /// empty without the axis (the Go at hand builds).
    pub go_versions: Vec<Located<GoVersion>>,
    /// `[smoke]`: the run after each build.
    pub smoke: SmokeConfig,
    /// `[hooks]`: commands run before the builds, after each and at the end.
    pub hooks: HooksConfig,
    /// `[packages]`: the Linux packages made from each linux artifact; no formats without
    /// the table.
    pub packages: PackagesSettings,
    /// `[sign]`: what signs the binaries and `SHA256SUMS`; `None` without the table.
    pub sign: Option<crosscheck_schema::PlannedSigning>,
    /// `[[override]]`, in file order.
    pub overrides: Vec<OverrideConfig>,
    /// `[[binary]]`, in file order; empty when `[project]` describes the one binary.
    pub binaries: Vec<BinaryConfig>,
}

/// One `[[binary]]`: a main package and how it differs from `[build]`.
#[derive(Clone, Debug)]
pub struct BinaryConfig {
    /// Its name: the prefix of its builds' ids, and what `--binary` picks.
    pub name: Located<String>,
    /// `{binary}`: its file name without `.exe` (in archives, and in the default output),
    /// `name` unless set: two builds of one program (with and without a tag, say) differ
    /// in name, not in file name.
    pub file_name: Located<String>,
    /// Its main package, relative to the module directory.
    pub main: Located<String>,
    /// Flags added after `[build]`'s (overrides add theirs after these).
    pub flags: Vec<TemplateField>,
    /// Linker flags added after `[build]`'s.
    pub ldflags: Vec<TemplateField>,
    /// Compiler flags added after `[build]`'s.
    pub gcflags: Vec<TemplateField>,
    /// Assembler flags added after `[build]`'s.
    pub asmflags: Vec<TemplateField>,
    /// Tags added after `[build]`'s.
    pub tags: Vec<String>,
    /// Environment added on top of `[build]`'s.
    pub env: Vec<(String, TemplateField)>,
    /// Output path template (replaces `[build]`'s).
    pub output: Option<TemplateField>,
    /// Which of the matrix's targets it is built for; empty: all of them.
    pub targets: Vec<Located<Selector>>,
    /// Whether its artifacts go into the archives (`archive = false`: not).
    pub archive: bool,
    /// Archive name template (replaces `[build]`'s).
    pub archive_name: Option<TemplateField>,
    /// Its `packages` keys, each replacing `[packages]`' for its builds.
    pub packages: Option<PackagesSettings>,
    /// Where the table was written.
    pub span: Range<usize>,
}

/// A hook command: its words, each a template with the placeholders of its kind, and
/// where the list was written. Never empty.
pub type HookConfig = Located<Vec<Template>>;

/// `[hooks]`, each list in file order.
#[derive(Clone, Debug, Default)]
pub struct HooksConfig {
    /// Run once in the module directory before any build (`build` and `check`).
    pub before: Vec<HookConfig>,
    /// Run for each built artifact, before it is hashed and inspected.
    pub after_build: Vec<HookConfig>,
    /// Run once when everything else is written.
    pub after: Vec<HookConfig>,
}

/// `[smoke]`: how each artifact is run once built (`build --smoke`).
#[derive(Clone, Debug, Default)]
pub struct SmokeConfig {
    /// Whether the smoke run happens; `build --smoke` turns it on.
    pub enabled: bool,
    /// What every target's smoke run sets; overrides change it per target.
    pub settings: SmokeSettings,
}

/// The smoke keys an `[[override]]` may set too; each one set replaces the inherited one,
/// `env` adds to it.
#[derive(Clone, Debug, Default)]
pub struct SmokeSettings {
    /// The arguments; `None`: `["--version"]`.
    pub args: Option<Vec<TemplateField>>,
    /// Text the output must contain.
    pub expect: Option<TemplateField>,
    /// How long it may run; `None`: 30s.
    pub timeout: Option<Located<std::time::Duration>>,
    /// Variables set for it, in key order.
    pub env: Vec<(String, TemplateField)>,
}

/// `[project]`: what is built.
#[derive(Clone, Debug)]
pub struct ProjectConfig {
    /// The binary name; `None` means the last element of the package path.
    pub name: Option<Located<String>>,
    /// The module directory, relative to the matrix file.
    pub dir: String,
    /// The main package, relative to the module directory.
    pub main: String,
    /// A fixed `{version}`, overriding git.
    pub version: Option<String>,
    /// A fixed `{commit}`, overriding git.
    pub commit: Option<String>,
    /// A fixed `{date}`, overriding SOURCE_DATE_EPOCH and git.
    pub date: Option<String>,
}

/// `[build]`: how every target is built.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    /// The Go command.
    pub go: String,
    /// Extra `go build` flags.
    pub flags: Vec<TemplateField>,
    /// Linker flags, joined into one `-ldflags`.
    pub ldflags: Vec<TemplateField>,
    /// Compiler flags, joined into one `-gcflags`.
    pub gcflags: Vec<TemplateField>,
    /// Assembler flags, joined into one `-asmflags`.
    pub asmflags: Vec<TemplateField>,
    /// Build tags, joined into one `-tags`.
    pub tags: Vec<String>,
    /// Extra environment, in key order.
    pub env: Vec<(String, TemplateField)>,
    /// The output path template, relative to the dist directory.
    pub output: TemplateField,
    /// The C compiler for every cgo target (overrides may set their own).
    pub cc: Option<TemplateField>,
    /// The C++ compiler for every cgo target.
    pub cxx: Option<TemplateField>,
    /// Whether `-trimpath` is passed (on by default, for reproducible builds).
    pub trimpath: bool,
    /// Whether ports Go marks broken may be built.
    pub allow_broken: bool,
    /// Variables of the caller's environment that builds may see besides the allowlist.
    pub pass_env: Vec<String>,
    /// The Apple SDK for darwin cgo targets.
    pub macos_sdk: Option<String>,
    /// The archive format; `None`: tar.gz, zip for windows targets.
    pub archive: Option<Located<ArchiveFormat>>,
    /// The archive name template, without extension.
    pub archive_name: TemplateField,
    /// Extra files (paths or globs relative to the module directory) put in every archive.
    pub archive_files: Vec<Located<String>>,
    /// Whether darwin/amd64 and darwin/arm64 are combined into a universal binary.
    pub universal: Option<Located<bool>>,
    /// Whether each artifact gets a CycloneDX SBOM beside it; `None`: yes.
    pub sbom: Option<Located<bool>>,
}

/// `[matrix]`: which targets.
#[derive(Clone, Debug)]
pub enum MatrixConfig {
    /// The product of axes, plus `include`, minus `exclude`.
    Axes(Axes),
    /// An explicit list of target ids.
    Targets(Vec<Located<Target>>),
}

/// The axes of a matrix.
#[derive(Clone, Debug)]
pub struct Axes {
    /// GOOS values.
    pub os: Vec<Located<String>>,
    /// GOARCH values.
    pub arch: Vec<Located<String>>,
    /// cgo values.
    pub cgo: Vec<bool>,
    /// libc values (linux cgo targets only).
    pub libc: Vec<Located<Libc>>,
    /// Variant axes that were given, each applying to its own arch.
    pub variants: Vec<(VariantVar, Vec<Located<String>>)>,
    /// Targets added after the product.
    pub include: Vec<Tuple>,
    /// Partial targets removed from the product.
    pub exclude: Vec<Tuple>,
    /// Span of the `[matrix]` table, for errors about the whole matrix.
    pub span: Range<usize>,
}

/// A partial target from `include` or `exclude`.
#[derive(Clone, Debug, Default)]
pub struct Tuple {
    /// GOOS, or any.
    pub os: Option<Located<String>>,
    /// GOARCH, or any.
    pub arch: Option<Located<String>>,
    /// cgo, or any.
    pub cgo: Option<bool>,
    /// libc, or any.
    pub libc: Option<Located<Libc>>,
    /// A variant, or any.
    pub variant: Option<(VariantVar, Located<String>)>,
    /// Span of the whole entry.
    pub span: Range<usize>,
}

/// One `[[override]]` entry.
#[derive(Clone, Debug)]
pub struct OverrideConfig {
    /// Which targets it applies to.
    pub selector: Located<Selector>,
    /// Environment added (later entries win).
    pub env: Vec<(String, TemplateField)>,
    /// Flags appended.
    pub flags: Vec<TemplateField>,
    /// Linker flags appended.
    pub ldflags: Vec<TemplateField>,
    /// Compiler flags appended.
    pub gcflags: Vec<TemplateField>,
    /// Assembler flags appended.
    pub asmflags: Vec<TemplateField>,
    /// Tags appended.
    pub tags: Vec<String>,
    /// C compiler (replaces).
    pub cc: Option<TemplateField>,
    /// C++ compiler (replaces).
    pub cxx: Option<TemplateField>,
    /// Output path template (replaces).
    pub output: Option<TemplateField>,
    /// Policy rules (each rule set here replaces the inherited one).
    pub policy: Option<Policy>,
    /// Archive format (replaces).
    pub archive: Option<Located<ArchiveFormat>>,
    /// Archive name template (replaces).
    pub archive_name: Option<TemplateField>,
    /// Extra archive files (replaces the inherited list).
    pub archive_files: Option<Vec<Located<String>>>,
    /// The command that runs the binaries of matching targets (replaces crosscheck's own
    /// choice of runner).
    pub runner: Option<RunnerCommand>,
    /// Smoke settings (each key set replaces the inherited one; `env` adds).
    pub smoke: Option<SmokeSettings>,
    /// Linux package keys (each key set replaces the inherited one; `formats = []`: none).
    pub packages: Option<PackagesSettings>,
    /// `sign = false`: the matching targets' binaries are not signed (the checksums still
    /// are); `true` undoes an earlier override's `false`.
    pub sign: Option<Located<bool>>,
}

impl Config {
    /// Parses and checks a matrix file; every problem found is reported, not just the first.
    pub fn parse(file: SourceFile) -> Result<Config, ConfigErrors> {
        let raw: RawConfig = match toml::from_str(&file.text) {
            Ok(raw) => raw,
            Err(error) => {
                let diagnostic =
                    Diagnostic::error(explain_toml_error(error.message()), error.span());
                return Err(ConfigErrors {
                    file,
                    diagnostics: vec![diagnostic],
                });
            }
        };
        let mut checker = Checker::default();
        let config = checker.config(raw, &file);
        match config {
            Some(config) if checker.errors.is_empty() => Ok(Config { file, ..config }),
            _ => Err(ConfigErrors {
                file,
                diagnostics: checker.errors,
            }),
        }
    }
}

/// Rewrites serde's wording into crosscheck's: did-you-mean for unknown keys, hints for the
/// usual type mistakes.
fn explain_toml_error(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = match closest(field, candidates.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None if candidates.is_empty() => "this table takes no keys".to_owned(),
            None => format!("expected one of {}", candidates.join(", ")),
        };
        return format!("unknown key `{field}` (hint: {hint})");
    }
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        return format!("missing key `{field}`");
    }
    if message.contains("expected a string") && message.starts_with("invalid type: integer") {
        return format!("{message} (hint: quote the value, e.g. goarm = [\"7\"])");
    }
    if message.starts_with("missing comma between array elements") {
        return format!("{message} (hint: is the `]` of an earlier list missing?)");
    }
    if message.contains("expected a sequence") {
        return format!("{message} (hint: this key takes a list, e.g. [\"linux\"])");
    }
    message.to_owned()
}

/// Why a hook's word does not parse: a placeholder another kind of hook has gets a hint
/// that says which, since `before` and `after` run once and have no target.
fn hook_placeholder_error(word: &str, kind: HookKind, error: crate::TemplateError) -> String {
    let elsewhere =
        |known: &[(&'static str, Placeholder)]| Template::parse_with(word, known).is_ok();
    let hint = if kind == HookKind::Before && elsewhere(&Placeholder::HOOK_AFTER) {
        Some("{dist} has a value only in `after` and `after_build` hooks")
    } else if kind != HookKind::AfterBuild && elsewhere(&Placeholder::HOOK_AFTER_BUILD) {
        Some("it has a value only in an `after_build` hook, which runs once per target")
    } else {
        None
    };
    match hint {
        Some(hint) => {
            let name = error.message.split(" (hint").next().unwrap_or_default();
            let article = if kind == HookKind::Before { "a" } else { "an" };
            format!("{name} in {article} `{}` hook (hint: {hint})", kind.key())
        }
        None => error.message,
    }
}

#[derive(Default)]
struct Checker {
    errors: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, message: impl Into<String>, span: Range<usize>) {
        self.errors.push(Diagnostic::error(message, Some(span)));
    }

    fn config(&mut self, raw: RawConfig, file: &SourceFile) -> Option<Config> {
        match &raw.version {
            None => self.errors.push(Diagnostic::error(
                "missing `version = 1` at the top of the file (hint: it lets future crosscheck versions read this file safely)",
                Some(0..0),
            )),
            Some(version) if *version.get_ref() != 1 => self.error(
                format!(
                    "unsupported matrix file version {} (hint: this crosscheck reads version 1)",
                    version.get_ref()
                ),
                version.span(),
            ),
            Some(_) => {}
        }
        let main_span = raw
            .project
            .as_ref()
            .and_then(|project| project.get_ref().main.as_ref().map(Spanned::span));
        let project = self.project(raw.project.map(Spanned::into_inner).unwrap_or_default());
        let binaries = self.binaries(raw.binaries, main_span);
        let build = self.build(raw.build.map(Spanned::into_inner).unwrap_or_default());
        let mut go_versions = Vec::new();
        let matrix = match raw.matrix {
            Some(mut matrix) => {
                if let Some(go) = matrix.get_mut().go.take() {
                    go_versions = self.go_versions(go);
                }
                self.matrix(matrix)
            }
            None => {
                self.errors.push(Diagnostic::error(
                    "no [matrix] table (hint: add `[matrix]` with `os` and `arch` lists, or run `crosscheck init`)",
                    Some(0..0),
                ));
                None
            }
        };
        let policy = raw
            .policy
            .and_then(|policy| self.policy(policy))
            .unwrap_or_default();
        let smoke = raw
            .smoke
            .map(|smoke| self.smoke(smoke.into_inner()))
            .unwrap_or_default();
        let hooks = raw
            .hooks
            .map(|hooks| self.hooks(hooks.into_inner()))
            .unwrap_or_default();
        let packages = raw
            .packages
            .map(|packages| self.packages(packages))
            .unwrap_or_default();
        let sign = raw.sign.and_then(|sign| self.sign(sign));
        let overrides = raw
            .overrides
            .into_iter()
            .filter_map(|entry| self.override_entry(entry))
            .collect();
        Some(Config {
            file: file.clone(),
            project,
            build,
            matrix: matrix?,
            policy,
            go_versions,
            smoke,
            hooks,
            packages,
            sign,
            overrides,
            binaries,
        })
    }

    /// `[[binary]]` tables: names unique and usable in paths, each with its main package,
    /// and `[project] main` unset (each binary names its own).
    fn binaries(
        &mut self,
        raw: Vec<Spanned<RawBinary>>,
        project_main: Option<Range<usize>>,
    ) -> Vec<BinaryConfig> {
        if let (Some(span), false) = (project_main, raw.is_empty()) {
            self.error(
                "`[project] main` cannot be used with `[[binary]]` tables (hint: give each `[[binary]]` its own `main`, and drop this key)",
                span,
            );
        }
        let mut binaries: Vec<BinaryConfig> = Vec::new();
        for entry in raw {
            let span = entry.span();
            let raw = entry.into_inner();
            let name = Located::from_spanned(raw.name);
            let explicit_file_name = raw.file_name.map(Located::from_spanned);
            let named = [
                Some(("name", &name)),
                explicit_file_name.as_ref().map(|f| ("file_name", f)),
            ];
            for (key, value) in named.into_iter().flatten() {
                if !crosscheck_schema::is_binary_name(&value.value) {
                    self.error(
                        format!(
                            "binary {key} {:?} is not a plain file name (hint: letters, digits, `.`, `-` and `_`, not starting with `.` or `-`; `.exe` is added for windows)",
                            value.value
                        ),
                        value.span.clone(),
                    );
                }
            }
            if binaries.iter().any(|b| b.name.value == name.value) {
                self.error(
                    format!("binary {:?} is defined twice (hint: every `[[binary]]` needs its own name)", name.value),
                    name.span.clone(),
                );
            }
            let main = Located::from_spanned(raw.main);
            if main.value.trim().is_empty() {
                self.error(
                    "`main` is empty (hint: the main package, e.g. \"./cmd/server\")",
                    main.span.clone(),
                );
            }
            let output = raw.output.and_then(|output| self.template(output));
            if let Some(output) = &output {
                self.check_output_path(output);
            }
            let binary = BinaryConfig {
                file_name: explicit_file_name.unwrap_or_else(|| name.clone()),
                name,
                main,
                flags: self.templates(raw.flags),
                ldflags: self.templates(raw.ldflags),
                gcflags: self.templates(raw.gcflags),
                asmflags: self.templates(raw.asmflags),
                tags: self.tags(raw.tags),
                env: self.env(raw.env),
                output,
                targets: self.binary_targets(raw.targets),
                archive: raw.archive.is_none_or(|archive| archive.into_inner()),
                archive_name: raw.archive_name.and_then(|name| self.archive_name(name)),
                packages: raw.packages.map(|packages| self.packages(packages)),
                span,
            };
            binaries.push(binary);
        }
        binaries
    }

    /// A binary's `targets`: globs over the matrix's target ids, which have no binary.
    fn binary_targets(
        &mut self,
        values: Option<raw::SpannedList<String>>,
    ) -> Vec<Located<Selector>> {
        let Some(values) = values else {
            return Vec::new();
        };
        if values.get_ref().is_empty() {
            self.error(
                "`targets` is empty (hint: drop the key to build this binary for every target)",
                values.span(),
            );
            return Vec::new();
        }
        let mut selectors = Vec::new();
        for value in values.into_inner() {
            let span = value.span();
            if value.get_ref().contains(':') {
                self.error(
                    format!(
                        "selector {:?} names a binary, but `targets` of a `[[binary]]` picks this binary's targets (hint: write the target part alone, e.g. \"linux/*\")",
                        value.get_ref()
                    ),
                    span,
                );
                continue;
            }
            match Selector::new(value.get_ref()) {
                Ok(selector) => selectors.push(Located {
                    value: selector,
                    span,
                }),
                Err(error) => self.error(error.to_string(), span),
            }
        }
        selectors
    }

    /// `[hooks]`: each list's commands, with the placeholders of its kind.
    fn hooks(&mut self, raw: RawHooks) -> HooksConfig {
        let mut kind = |list: Option<Vec<RawHook>>, kind: HookKind| {
            list.unwrap_or_default()
                .into_iter()
                .filter_map(|hook| self.hook(hook, kind))
                .collect()
        };
        HooksConfig {
            before: kind(raw.before, HookKind::Before),
            after_build: kind(raw.after_build, HookKind::AfterBuild),
            after: kind(raw.after, HookKind::After),
        }
    }

    /// One hook command: a non-empty argv whose words are templates over `known`. It runs
    /// without a shell, so a word is never split further.
    fn hook(&mut self, raw: RawHook, kind: HookKind) -> Option<HookConfig> {
        let known: &[(&'static str, Placeholder)] = match kind {
            HookKind::Before => &Placeholder::HOOK_BEFORE,
            HookKind::AfterBuild => &Placeholder::HOOK_AFTER_BUILD,
            HookKind::After => &Placeholder::HOOK_AFTER,
        };
        let span = raw.span();
        let words = raw.into_inner();
        if words.first().is_none_or(|word| word.get_ref().is_empty()) {
            self.error(
                "a hook command needs at least a program (hint: e.g. [\"go\", \"generate\", \"./...\"])",
                words.first().map_or(span.clone(), Spanned::span),
            );
            return None;
        }
        let mut templates = Vec::with_capacity(words.len());
        let mut valid = true;
        for word in words {
            let word_span = word.span();
            match Template::parse_with(word.get_ref(), known) {
                Ok(template) => templates.push(template),
                Err(error) => {
                    // The span covers the quotes; point inside the string at the placeholder.
                    let start = (word_span.start + 1 + error.range.start).min(word_span.end);
                    let end = (word_span.start + 1 + error.range.end).min(word_span.end);
                    self.error(
                        hook_placeholder_error(word.get_ref(), kind, error),
                        start..end,
                    );
                    valid = false;
                }
            }
        }
        valid.then_some(Located {
            value: templates,
            span,
        })
    }

    /// `[smoke]`: off unless `enabled = true` or `build --smoke`.
    fn smoke(&mut self, raw: RawSmoke) -> SmokeConfig {
        SmokeConfig {
            enabled: raw.enabled.unwrap_or(false),
            settings: self.smoke_settings(RawSmokeOverride {
                args: raw.args,
                expect: raw.expect,
                timeout: raw.timeout,
                env: raw.env,
            }),
        }
    }

    /// The smoke keys of `[smoke]` or of an override: templates and a positive timeout.
    fn smoke_settings(&mut self, raw: RawSmokeOverride) -> SmokeSettings {
        SmokeSettings {
            args: raw.args.map(|args| self.templates(Some(args))),
            expect: raw.expect.and_then(|expect| self.template(expect)),
            timeout: raw.timeout.and_then(|timeout| self.smoke_timeout(timeout)),
            env: self.env(raw.env),
        }
    }

    fn smoke_timeout(&mut self, value: Spanned<String>) -> Option<Located<std::time::Duration>> {
        match crosscheck_schema::parse_duration(value.get_ref()) {
            Ok(duration) if !duration.is_zero() => Some(Located {
                value: duration,
                span: value.span(),
            }),
            Ok(_) => {
                self.error(
                    "the smoke timeout must be more than zero (hint: e.g. \"30s\")",
                    value.span(),
                );
                None
            }
            Err(message) => {
                self.error(message, value.span());
                None
            }
        }
    }

    /// `go = ["1.25", "1.26"]`: Go releases, each once.
    fn go_versions(&mut self, list: raw::SpannedList<String>) -> Vec<Located<GoVersion>> {
        if list.get_ref().is_empty() {
            self.error(
                "`go` is empty (hint: list Go releases such as [\"1.25\", \"1.26\"], or drop the key to build with the Go at hand)",
                list.span(),
            );
            return Vec::new();
        }
        let mut versions: Vec<Located<GoVersion>> = Vec::new();
        for item in list.into_inner() {
            let span = item.span();
            match item.get_ref().parse::<GoVersion>() {
                Ok(version) if versions.iter().any(|v| v.value == version) => self.error(
                    format!(
                        "Go {version} is listed twice in `go` (hint: \"1.25\" and \"go1.25\" are the same release)"
                    ),
                    span,
                ),
                Ok(version) => versions.push(Located {
                    value: version,
                    span,
                }),
                Err(error) => self.error(error.to_string(), span),
            }
        }
        versions
    }

    fn project(&mut self, raw: RawProject) -> ProjectConfig {
        let name = raw.name.map(Located::from_spanned);
        if let Some(name) = &name
            && (name.value.is_empty() || name.value.contains(['/', '\\']))
        {
            self.error(
                format!("binary name {:?} must be a non-empty file name", name.value),
                name.span.clone(),
            );
        }
        let text = |value: Option<Spanned<String>>| value.map(Spanned::into_inner);
        ProjectConfig {
            name,
            dir: text(raw.dir).unwrap_or_else(|| ".".to_owned()),
            main: text(raw.main).unwrap_or_else(|| ".".to_owned()),
            version: text(raw.version),
            commit: text(raw.commit),
            date: text(raw.date),
        }
    }

    fn build(&mut self, raw: RawBuild) -> BuildConfig {
        let output = match raw.output {
            Some(output) => self.template(output),
            None => Some(Located {
                value: default_output(),
                span: 0..0,
            }),
        };
        if let Some(output) = &output {
            self.check_output_path(output);
        }
        BuildConfig {
            go: raw
                .go
                .map(Spanned::into_inner)
                .unwrap_or_else(|| "go".to_owned()),
            flags: self.templates(raw.flags),
            ldflags: self.templates(raw.ldflags),
            gcflags: self.templates(raw.gcflags),
            asmflags: self.templates(raw.asmflags),
            tags: self.tags(raw.tags),
            env: self.env(raw.env),
            // A bad template was reported above; the config is discarded then.
            output: output.unwrap_or(Located {
                value: Template::literal(DEFAULT_OUTPUT),
                span: 0..0,
            }),
            cc: raw.cc.and_then(|cc| self.template(cc)),
            cxx: raw.cxx.and_then(|cxx| self.template(cxx)),
            trimpath: raw.trimpath.unwrap_or(true),
            allow_broken: raw.allow_broken.unwrap_or(false),
            pass_env: raw
                .pass_env
                .unwrap_or_default()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            macos_sdk: raw.macos_sdk.map(Spanned::into_inner),
            archive: raw.archive.and_then(|format| self.archive_format(format)),
            archive_name: raw
                .archive_name
                .and_then(|name| self.archive_name(name))
                .unwrap_or_else(|| Located {
                    value: Template::parse(DEFAULT_ARCHIVE_NAME)
                        .unwrap_or_else(|_| Template::literal(DEFAULT_ARCHIVE_NAME)),
                    span: 0..0,
                }),
            archive_files: self.archive_files(raw.archive_files),
            universal: raw.universal.map(Located::from_spanned),
            sbom: raw.sbom.map(Located::from_spanned),
        }
    }

    fn archive_format(&mut self, value: Spanned<String>) -> Option<Located<ArchiveFormat>> {
        match value.get_ref().parse::<ArchiveFormat>() {
            Ok(format) => Some(Located {
                value: format,
                span: value.span(),
            }),
            Err(message) => {
                self.error(message, value.span());
                None
            }
        }
    }

    fn archive_name(&mut self, value: Spanned<String>) -> Option<TemplateField> {
        let template = self.template(value)?;
        let source = template.value.source();
        if !stays_inside(source) {
            self.error(
                format!("archive name {source:?} must be a relative path inside the dist directory (hint: the default is {DEFAULT_ARCHIVE_NAME:?}; the extension is added)"),
                template.span.clone(),
            );
            return None;
        }
        Some(template)
    }

    fn archive_files(&mut self, values: Option<Vec<Spanned<String>>>) -> Vec<Located<String>> {
        let mut files = Vec::new();
        for value in values.unwrap_or_default() {
            let path = value.get_ref();
            if !stays_inside(path) {
                self.error(
                    format!("archive file {path:?} must be a relative path inside the module directory (hint: e.g. \"README.md\" or \"docs/*.md\")"),
                    value.span(),
                );
                continue;
            }
            if let Err(error) = globset::Glob::new(path) {
                self.error(
                    format!(
                        "archive file pattern {path:?} is not a valid glob: {}",
                        error.kind()
                    ),
                    value.span(),
                );
                continue;
            }
            files.push(Located::from_spanned(value));
        }
        files
    }

    fn check_output_path(&mut self, output: &TemplateField) {
        let source = output.value.source();
        if source.is_empty() {
            self.error("the output path template is empty", output.span.clone());
        } else if !stays_inside(source) {
            self.error(
                format!("output path {source:?} must stay inside the dist directory (hint: use a relative path without `..`)"),
                output.span.clone(),
            );
        }
    }

    fn template(&mut self, value: Spanned<String>) -> Option<TemplateField> {
        self.template_with(value, &Placeholder::ALL)
    }

    /// A template over the placeholders `known`; an unknown one is reported where it is.
    fn template_with(
        &mut self,
        value: Spanned<String>,
        known: &[(&'static str, Placeholder)],
    ) -> Option<TemplateField> {
        let span = value.span();
        match Template::parse_with(value.get_ref(), known) {
            Ok(template) => Some(Located {
                value: template,
                span,
            }),
            Err(error) => {
                // The span covers the quotes; point inside the string at the placeholder.
                let start = (span.start + 1 + error.range.start).min(span.end);
                let end = (span.start + 1 + error.range.end).min(span.end);
                self.error(error.message, start..end);
                None
            }
        }
    }

    /// A `runner` command: words split on whitespace (it never goes through a shell), each
    /// a template; one of them must say where the binary goes.
    fn runner(&mut self, value: Spanned<String>) -> Option<RunnerCommand> {
        let span = value.span();
        let source = value.get_ref();
        let mut words = Vec::new();
        let mut valid = true;
        for (offset, word) in words_with_offsets(source) {
            match Template::parse_runner_word(word) {
                Ok(template) => words.push(template),
                Err(error) => {
                    // The span covers the opening quote; point at the placeholder.
                    let start = (span.start + 1 + offset + error.range.start).min(span.end);
                    let end = (span.start + 1 + offset + error.range.end).min(span.end);
                    self.error(error.message, start..end);
                    valid = false;
                }
            }
        }
        if !valid {
            return None;
        }
        if !words.iter().any(|word| word.uses(Placeholder::Path)) {
            let example = format!("{} {{path}}", source.trim());
            self.error(
                format!(
                    "runner {source:?} does not say where the binary goes (hint: add {{path}}, e.g. {:?})",
                    example.trim()
                ),
                span,
            );
            return None;
        }
        Some(Located { value: words, span })
    }

    fn templates(&mut self, values: Option<Vec<Spanned<String>>>) -> Vec<TemplateField> {
        values
            .unwrap_or_default()
            .into_iter()
            .filter_map(|value| self.template(value))
            .collect()
    }

    fn tags(&mut self, values: Option<Vec<Spanned<String>>>) -> Vec<String> {
        let mut tags = Vec::new();
        for tag in values.unwrap_or_default() {
            let valid = !tag.get_ref().is_empty()
                && tag
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if valid {
                tags.push(tag.into_inner());
            } else {
                self.error(
                    format!(
                        "invalid build tag {:?} (hint: one tag per list item, letters, digits, `_`, `.` and `-` only)",
                        tag.get_ref()
                    ),
                    tag.span(),
                );
            }
        }
        tags
    }

    fn env(
        &mut self,
        values: Option<std::collections::BTreeMap<Spanned<String>, Spanned<String>>>,
    ) -> Vec<(String, TemplateField)> {
        let mut env = Vec::new();
        for (key, value) in values.unwrap_or_default() {
            let name = key.get_ref();
            if !is_env_name(name) {
                self.error(
                    format!("invalid environment variable name {name:?}"),
                    key.span(),
                );
                continue;
            }
            if let Some(template) = self.template(value) {
                env.push((key.into_inner(), template));
            }
        }
        env
    }

    fn matrix(&mut self, matrix: Spanned<RawMatrix>) -> Option<MatrixConfig> {
        let span = matrix.span();
        let raw = matrix.into_inner();
        if let Some(targets) = &raw.targets {
            return self.explicit_targets(targets, &raw);
        }
        let os = self.axis("os", raw.os.as_ref(), &span);
        let arch = self.axis("arch", raw.arch.as_ref(), &span);
        let cgo = self.cgo_axis(raw.cgo.as_ref());
        let libc = self.libc_axis(raw.libc.as_ref(), &span);
        let variants = self.variant_axes(&raw);
        let include = self.tuples(raw.include, true);
        let exclude = self.tuples(raw.exclude, false);
        Some(MatrixConfig::Axes(Axes {
            os: os?,
            arch: arch?,
            cgo,
            libc,
            variants,
            include,
            exclude,
            span,
        }))
    }

    /// `targets = [...]`: the ids, parsed. The list replaces the axes, so naming any axis
    /// beside it is an error (which one would win is anyone's guess).
    fn explicit_targets(
        &mut self,
        targets: &raw::SpannedList<String>,
        raw: &RawMatrix,
    ) -> Option<MatrixConfig> {
        let conflicting = [
            ("os", raw.os.is_some()),
            ("arch", raw.arch.is_some()),
            ("cgo", raw.cgo.is_some()),
            ("libc", raw.libc.is_some()),
            ("include", raw.include.is_some()),
            ("exclude", raw.exclude.is_some()),
        ]
        .into_iter()
        .chain(
            raw.variant_axes()
                .into_iter()
                .map(|(var, axis)| (var.config_key(), axis.is_some())),
        )
        .filter(|(_, set)| *set)
        .map(|(key, _)| format!("`{key}`"))
        .collect::<Vec<_>>();
        if !conflicting.is_empty() {
            self.error(
                format!(
                    "`targets` lists every target explicitly, so it cannot be combined with {} (hint: use either `targets` or the axes)",
                    conflicting.join(", ")
                ),
                targets.span(),
            );
            return None;
        }
        let parsed = targets
            .get_ref()
            .iter()
            .filter_map(|id| self.target_id(id))
            .collect();
        if targets.get_ref().is_empty() {
            self.error(
                "`targets` is empty, so the matrix has no targets",
                targets.span(),
            );
        }
        Some(MatrixConfig::Targets(parsed))
    }

    /// One id of `targets`. Go releases belong in `go`, so that every target gets each.
    fn target_id(&mut self, id: &Spanned<String>) -> Option<Located<Target>> {
        match id.get_ref().parse::<Target>() {
            Ok(target) if target.go.is_some() => {
                self.error(
                    format!(
                        "target {:?} names a Go release (hint: list Go releases in `go = [...]` of [matrix]; every target is built with each)",
                        id.get_ref()
                    ),
                    id.span(),
                );
                None
            }
            Ok(target) => Some(Located {
                value: target,
                span: id.span(),
            }),
            Err(error) => {
                self.error(error.to_string(), id.span());
                None
            }
        }
    }

    /// `cgo = [...]`, each value once; `[false]` when absent.
    fn cgo_axis(&mut self, values: Option<&raw::SpannedList<bool>>) -> Vec<bool> {
        match values {
            Some(values) if values.get_ref().is_empty() => {
                self.error(
                    "`cgo` is empty (hint: use [false], [true] or [false, true])",
                    values.span(),
                );
                vec![false]
            }
            Some(values) => dedup(values.get_ref().iter().map(|v| *v.get_ref()).collect()),
            None => vec![false],
        }
    }

    /// `libc = [...]`; glibc, unpinned, when absent.
    fn libc_axis(
        &mut self,
        values: Option<&raw::SpannedList<String>>,
        matrix_span: &Range<usize>,
    ) -> Vec<Located<Libc>> {
        let Some(values) = values else {
            return vec![Located {
                value: Libc::Gnu(None),
                span: matrix_span.clone(),
            }];
        };
        if values.get_ref().is_empty() {
            self.error(
                "`libc` is empty (hint: use [\"gnu\"], [\"musl\"] or a pin like [\"gnu.2.17\"])",
                values.span(),
            );
        }
        values
            .get_ref()
            .iter()
            .filter_map(|value| self.libc(value))
            .collect()
    }

    /// The variant axes that were given (`goarm = [...]`...), each with its valid values.
    fn variant_axes(&mut self, raw: &RawMatrix) -> Vec<(VariantVar, Vec<Located<String>>)> {
        let mut variants = Vec::new();
        for (var, axis) in raw.variant_axes() {
            let Some(axis) = axis else { continue };
            if axis.get_ref().is_empty() {
                self.error(
                    format!(
                        "`{}` is empty (hint: remove it to use Go's default)",
                        var.config_key()
                    ),
                    axis.span(),
                );
                continue;
            }
            let mut values = Vec::new();
            for value in axis.get_ref() {
                if self.variant_value(var, value) {
                    values.push(Located {
                        value: value.get_ref().clone(),
                        span: value.span(),
                    });
                }
            }
            variants.push((var, values));
        }
        variants
    }

    /// The valid entries of `include` or `exclude`.
    fn tuples(&mut self, raw: Option<Vec<Spanned<RawTuple>>>, is_include: bool) -> Vec<Tuple> {
        raw.unwrap_or_default()
            .into_iter()
            .filter_map(|tuple| self.tuple(tuple, is_include))
            .collect()
    }

    fn axis(
        &mut self,
        key: &str,
        values: Option<&raw::SpannedList<String>>,
        matrix_span: &Range<usize>,
    ) -> Option<Vec<Located<String>>> {
        match values {
            None => {
                self.error(
                    format!("[matrix] has no `{key}` list (hint: add e.g. `{key} = [{}]`, or list ids in `targets`)",
                        if key == "os" { "\"linux\", \"darwin\", \"windows\"" } else { "\"amd64\", \"arm64\"" }),
                    matrix_span.start..matrix_span.start + "[matrix]".len().min(matrix_span.len()),
                );
                None
            }
            Some(values) if values.get_ref().is_empty() => {
                self.error(
                    format!("`{key}` is empty, so the matrix has no targets"),
                    values.span(),
                );
                None
            }
            Some(values) => {
                let mut seen: Vec<Located<String>> = Vec::new();
                for value in values.get_ref() {
                    if seen.iter().any(|s| s.value == *value.get_ref()) {
                        continue;
                    }
                    seen.push(Located {
                        value: value.get_ref().clone(),
                        span: value.span(),
                    });
                }
                Some(seen)
            }
        }
    }

    fn libc(&mut self, value: &Spanned<String>) -> Option<Located<Libc>> {
        match Libc::parse(value.get_ref()) {
            Some(libc) => Some(Located {
                value: libc,
                span: value.span(),
            }),
            None => {
                let suggestion = match value.get_ref().as_str() {
                    "glibc" | "gnu-libc" | "libc" => Some("gnu"),
                    other if other.starts_with("glibc") => Some("gnu.2.17"),
                    other => closest(other, ["gnu", "musl"]),
                };
                self.error(
                    format!(
                        "unknown libc {:?}: use \"gnu\", a glibc pin like \"gnu.2.17\", or \"musl\"{}",
                        value.get_ref(),
                        did_you_mean(suggestion)
                    ),
                    value.span(),
                );
                None
            }
        }
    }

    fn variant_value(&mut self, var: VariantVar, value: &Spanned<String>) -> bool {
        if var.accepts(value.get_ref()) {
            return true;
        }
        let suggestion = closest(value.get_ref(), var.suggestions().iter().copied());
        self.error(
            format!(
                "invalid {} {:?}: must be {}{}",
                var.env_name(),
                value.get_ref(),
                var.allowed_description(),
                did_you_mean(suggestion)
            ),
            value.span(),
        );
        false
    }

    fn tuple(&mut self, raw: Spanned<RawTuple>, is_include: bool) -> Option<Tuple> {
        let span = raw.span();
        let raw = raw.into_inner();
        let (variant, variant_ok) = self.tuple_variant(&raw, &span);
        let libc = raw.libc.as_ref().map(|value| self.libc(value));
        let libc_ok = libc.as_ref().is_none_or(Option::is_some);
        let libc = libc.flatten();
        let fields_ok =
            self.tuple_fields_agree(&raw, variant.as_ref(), libc.as_ref(), is_include, &span);
        (variant_ok && libc_ok && fields_ok).then(|| Tuple {
            os: raw.os.map(Located::from_spanned),
            arch: raw.arch.map(Located::from_spanned),
            cgo: raw.cgo.map(Spanned::into_inner),
            libc,
            variant,
            span,
        })
    }

    /// The entry's variant and whether it is valid: at most one, with a value Go accepts.
    fn tuple_variant(
        &mut self,
        raw: &RawTuple,
        span: &Range<usize>,
    ) -> (Option<(VariantVar, Located<String>)>, bool) {
        let variants = raw.variant_values();
        let mut ok = true;
        if variants.len() > 1 {
            let keys: Vec<String> = variants
                .iter()
                .map(|(var, _)| format!("`{}`", var.config_key()))
                .collect();
            self.error(
                format!(
                    "an entry can set only one variant, but this one sets {} (hint: a target has one arch, and each variant belongs to one arch)",
                    keys.join(" and ")
                ),
                span.clone(),
            );
            ok = false;
        }
        let variant = match variants.first() {
            Some((var, value)) => {
                ok &= self.variant_value(*var, value);
                Some((
                    *var,
                    Located {
                        value: value.get_ref().clone(),
                        span: value.span(),
                    },
                ))
            }
            None => None,
        };
        (variant, ok)
    }

    /// Whether the entry's fields fit together: an `include` names a whole target, a
    /// variant belongs to the entry's arch, a libc to linux.
    fn tuple_fields_agree(
        &mut self,
        raw: &RawTuple,
        variant: Option<&(VariantVar, Located<String>)>,
        libc: Option<&Located<Libc>>,
        is_include: bool,
        span: &Range<usize>,
    ) -> bool {
        let mut ok = true;
        if is_include && (raw.os.is_none() || raw.arch.is_none()) {
            self.error(
                "an `include` entry needs both `os` and `arch` (hint: only `exclude` entries may leave fields out as wildcards)",
                span.clone(),
            );
            ok = false;
        }
        if let (Some(arch), Some((var, value))) = (&raw.arch, variant)
            && VariantVar::for_arch(arch.get_ref()) != Some(*var)
        {
            self.error(
                format!(
                    "`{}` applies only to {}, not to {:?}",
                    var.config_key(),
                    var.arches().join(" and "),
                    arch.get_ref()
                ),
                value.span.clone(),
            );
            ok = false;
        }
        if let (Some(os), Some(libc)) = (&raw.os, libc)
            && os.get_ref() != "linux"
        {
            self.error(
                format!(
                    "libc {:?} applies only to linux targets, not to {:?}",
                    libc.value.to_string(),
                    os.get_ref()
                ),
                libc.span.clone(),
            );
            ok = false;
        }
        ok
    }

    /// Checks globs and version numbers; the table's keys and types serde already checked.
    fn policy(&mut self, policy: Spanned<Policy>) -> Option<Policy> {
        let span = policy.span();
        let policy = policy.into_inner();
        match policy.validate() {
            Ok(()) => Some(policy),
            Err(error) => {
                self.error(error.to_string(), span);
                None
            }
        }
    }

    fn override_entry(&mut self, raw: Spanned<RawOverride>) -> Option<OverrideConfig> {
        let raw = raw.into_inner();
        let selector_span = raw.selector.span();
        let selector = match Selector::new(raw.selector.get_ref()) {
            Ok(selector) => Some(Located {
                value: selector,
                span: selector_span,
            }),
            Err(error) => {
                self.error(error.to_string(), selector_span);
                None
            }
        };
        let output = raw.output.and_then(|output| self.template(output));
        if let Some(output) = &output {
            self.check_output_path(output);
        }
        let entry = OverrideConfig {
            selector: selector?,
            env: self.env(raw.env),
            flags: self.templates(raw.flags),
            ldflags: self.templates(raw.ldflags),
            gcflags: self.templates(raw.gcflags),
            asmflags: self.templates(raw.asmflags),
            tags: self.tags(raw.tags),
            cc: raw.cc.and_then(|cc| self.template(cc)),
            cxx: raw.cxx.and_then(|cxx| self.template(cxx)),
            output,
            policy: raw.policy.and_then(|policy| self.policy(policy)),
            archive: raw.archive.and_then(|format| self.archive_format(format)),
            archive_name: raw.archive_name.and_then(|name| self.archive_name(name)),
            archive_files: raw
                .archive_files
                .map(|files| self.archive_files(Some(files))),
            runner: raw.runner.and_then(|runner| self.runner(runner)),
            smoke: raw
                .smoke
                .map(|smoke| self.smoke_settings(smoke.into_inner())),
            packages: raw.packages.map(|packages| self.packages(packages)),
            sign: raw.sign.map(Located::from_spanned),
        };
        Some(entry)
    }
}

/// Whether `name` can name an environment variable: letters, digits and `_`, not starting
/// with a digit.
fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The whitespace-separated words of `text`, each with its byte offset.
fn words_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    // A space after the end closes the last word.
    for (index, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (true, Some(begin)) => {
                words.push((begin, &text[begin..index]));
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    words
}

fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

fn default_output() -> Template {
    // DEFAULT_OUTPUT is a constant checked by a unit test; a literal is the safe fallback.
    Template::parse(DEFAULT_OUTPUT).unwrap_or_else(|_| Template::literal(DEFAULT_OUTPUT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigErrors> {
        Config::parse(SourceFile::new("matrix.toml", text))
    }

    #[test]
    fn default_matrix_and_init_template_parse() {
        parse(DEFAULT_MATRIX).unwrap();
        parse(INIT_TEMPLATE).unwrap();
    }

    #[test]
    fn unknown_key_suggests_the_right_one() {
        let err =
            parse("version = 1\n[matrix]\nos = [\"linux\"]\narhc = [\"amd64\"]\n").unwrap_err();
        assert_eq!(
            err.first_message(),
            "unknown key `arhc` (hint: did you mean `arch`?)"
        );
        assert_eq!(err.first_location(), Some((4, 1)));
    }

    #[test]
    fn unknown_placeholder_points_inside_the_string() {
        let err = parse("version = 1\n[build]\noutput = \"{nme}{ext}\"\n[matrix]\nos = [\"linux\"]\narch = [\"amd64\"]\n").unwrap_err();
        assert!(
            err.first_message().contains("{nme}"),
            "{}",
            err.first_message()
        );
        assert_eq!(err.first_location(), Some((3, 11)));
    }

    const ARM64_RUNNER: &str = "version = 1\n[matrix]\ntargets = [\"linux/arm64\"]\n[[override]]\nmatch = \"linux/arm64\"\n";

    const HOOKS: &str = "version = 1\n[matrix]\ntargets = [\"linux/arm64\"]\n[hooks]\n";

    #[test]
    fn hooks_keep_their_words_and_kinds() {
        let config = parse(&format!(
            "{HOOKS}before = [[\"go\", \"generate\", \"./...\"]]\nafter_build = [[\"gzip\", \"-k\", \"{{path}}\"], [\"true\"]]\n"
        ))
        .unwrap();
        assert_eq!(config.hooks.before.len(), 1);
        assert_eq!(config.hooks.before[0].value.len(), 3);
        assert_eq!(config.hooks.after_build.len(), 2);
        assert!(config.hooks.after_build[0].value[2].uses(Placeholder::Path));
        assert!(config.hooks.after.is_empty());
    }

    #[test]
    fn a_hook_s_errors_point_at_the_word() {
        let err = parse(&format!("{HOOKS}after = [[\"ls\", \"{{path}}\"]]\n")).unwrap_err();
        assert_eq!(err.diagnostics.len(), 1, "{err}");
        assert!(
            err.diagnostics[0].message.contains(
                "{path} in an `after` hook (hint: it has a value only in an `after_build` hook"
            ),
            "{err}"
        );
        let err = parse(&format!("{HOOKS}before = [[\"\", \"x\"]]\n")).unwrap_err();
        assert!(
            err.to_string().contains("needs at least a program"),
            "{err}"
        );
        let err = parse(&format!("{HOOKS}before = [[\"echo\", \"{{dist}}\"]]\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("only in `after` and `after_build`"),
            "{err}"
        );
    }

    #[test]
    fn a_runner_must_say_where_the_binary_goes() {
        let err = parse(&format!(
            "{ARM64_RUNNER}runner = \"qemu-aarch64 -cpu max\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            err.first_message(),
            "runner \"qemu-aarch64 -cpu max\" does not say where the binary goes (hint: add {path}, e.g. \"qemu-aarch64 -cpu max {path}\")"
        );
        assert_eq!(err.first_location(), Some((6, 10)));
    }

    #[test]
    fn a_runner_s_unknown_placeholder_points_at_its_word() {
        let err = parse(&format!("{ARM64_RUNNER}runner = \"box  {{paht}}\"\n")).unwrap_err();
        assert!(
            err.first_message().contains("did you mean {path}?"),
            "{}",
            err.first_message()
        );
        assert_eq!(err.first_location(), Some((6, 16)));
        let config = parse(&format!("{ARM64_RUNNER}runner = \" box\t{{path}} \"\n")).unwrap();
        let words = &config.overrides[0].runner.as_ref().unwrap().value;
        assert_eq!(
            words.iter().map(Template::source).collect::<Vec<_>>(),
            ["box", "{path}"]
        );
    }

    #[test]
    fn targets_and_axes_do_not_mix() {
        let err = parse("version = 1\n[matrix]\nos = [\"linux\"]\ntargets = [\"linux/amd64\"]\n")
            .unwrap_err();
        assert!(
            err.first_message().contains("cannot be combined with `os`"),
            "{}",
            err.first_message()
        );
    }
}
