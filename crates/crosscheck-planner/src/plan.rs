//! The plan: every selected target with the exact `go build` it will run.
//!
//! [`plan`] is the single entry point. Its output, [`Plan`], is complete and serialisable:
//! the executor runs exactly the argv and environment written here and decides nothing on
//! its own. The JSON form is versioned by [`PLAN_SCHEMA_VERSION`] and documented in
//! `docs/plan.md`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crosscheck_schema::dist::stays_inside;
use crosscheck_schema::{
    DEFAULT_SMOKE_ARGS, DEFAULT_SMOKE_TIMEOUT, PlannedSmoke, Policy, duration_ms,
};

use crate::archive::{ResolveError, resolve_files};
use crate::binaries::{
    BinarySpec, binary_specs, picked_binaries, planned_binaries, share_archives,
    unmatched_binary_targets,
};
use crate::catalog::Catalog;
use crate::config::{
    BinaryConfig, Config, Located, OverrideConfig, PackagesSettings, RunnerCommand, SmokeSettings,
    TemplateField,
};
use crate::cross::{debian_cross_compiler, zig_triple};
use crate::diagnostic::{ConfigErrors, Diagnostic, Severity};
use crate::expand::{Expanded, Expansion, expand};
use crate::goversion::{GoAxis, ResolvedGo, expand_per_go};
use crate::linux_packages::{PackageRequest, plan_packages};
use crate::select::{Selector, assign_shards_grouped};
use crate::template::Placeholder;
use crate::{
    ArchiveFile, ArchiveFormat, GoInfo, GoVersion, HookCommand, Libc, PLAN_SCHEMA_VERSION, Plan,
    PlannedArchive, PlannedHooks, PlannedLinuxPackage, PlannedTarget, PlannedUniversal,
    ProjectInfo, Requirement, STAGING_DIR, SelectionInfo, Shard, Target, VariantSetting,
    VariantVar, VcsInfo,
};

/// Facts about the surroundings that the planner does not find out by itself.
#[derive(Clone, Debug)]
pub struct PlanContext {
    /// The directory `[project] dir` is relative to (the matrix file's directory).
    pub base_dir: PathBuf,
    /// The dist directory, absolute.
    pub dist_dir: PathBuf,
    /// Version stamps.
    pub vcs: VcsInfo,
    /// The module path from go.mod, used to name the binary when `main` is `.`.
    pub module_path: Option<String>,
    /// `SDKROOT` from the caller's environment, for darwin cgo targets.
    pub sdkroot: Option<String>,
    /// This crosscheck's version, recorded in the plan.
    pub crosscheck_version: String,
}

/// Which planned targets to keep.
#[derive(Clone, Debug, Default)]
pub struct SelectionRequest {
    /// Keep targets matching any of these (all when empty).
    pub targets: Vec<Selector>,
    /// Then drop targets matching any of these.
    pub exclude: Vec<Selector>,
    /// Then keep one shard.
    pub shard: Option<Shard>,
    /// Keep the builds of these binaries (`--binary`; every binary when empty).
    pub binaries: Vec<String>,
}

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The matrix file is wrong; the diagnostics say where.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// The command-line selection is wrong.
    #[error("{0}")]
    Selection(String),
}

/// Settings of one target after `[build]` and every matching override are applied.
struct Settings<'a> {
    flags: Vec<&'a TemplateField>,
    ldflags: Vec<&'a TemplateField>,
    gcflags: Vec<&'a TemplateField>,
    asmflags: Vec<&'a TemplateField>,
    tags: Vec<&'a str>,
    env: BTreeMap<&'a str, &'a TemplateField>,
    cc: Option<&'a TemplateField>,
    cxx: Option<&'a TemplateField>,
    output: &'a TemplateField,
    policy: Policy,
    archive: Option<&'a Located<ArchiveFormat>>,
    archive_name: &'a TemplateField,
    archive_files: &'a [Located<String>],
    runner: Option<&'a RunnerCommand>,
    smoke: SmokeKeys<'a>,
    packages: PackagesSettings,
    /// Whether `[sign]` signs this build's binary (`sign = false` in an override: not).
    sign: bool,
}

/// The smoke keys of one target: `[smoke]`, then the overrides' `smoke`.
#[derive(Default)]
struct SmokeKeys<'a> {
    args: Option<&'a [TemplateField]>,
    expect: Option<&'a TemplateField>,
    timeout: Option<std::time::Duration>,
    env: BTreeMap<&'a str, &'a TemplateField>,
}

impl<'a> SmokeKeys<'a> {
    /// Each key `settings` sets replaces the inherited one; its `env` adds.
    fn apply(&mut self, settings: &'a SmokeSettings) {
        self.args = settings.args.as_deref().or(self.args);
        self.expect = settings.expect.as_ref().or(self.expect);
        self.timeout = settings.timeout.as_ref().map(|t| t.value).or(self.timeout);
        self.env
            .extend(settings.env.iter().map(|(k, v)| (k.as_str(), v)));
    }

    /// The smoke run, rendered with the target's placeholders.
    fn render<'v>(&self, values: &dyn Fn(Placeholder) -> Cow<'v, str>) -> PlannedSmoke {
        let args = match self.args {
            Some(args) => args.iter().map(|arg| arg.value.render(values)).collect(),
            None => DEFAULT_SMOKE_ARGS
                .iter()
                .map(|&arg| arg.to_owned())
                .collect(),
        };
        PlannedSmoke {
            args,
            expect: self.expect.map(|expect| expect.value.render(values)),
            timeout_ms: duration_ms(self.timeout.unwrap_or(DEFAULT_SMOKE_TIMEOUT)),
            env: self
                .env
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.value.render(values)))
                .collect(),
        }
    }
}

impl<'a> Settings<'a> {
    /// The settings of the build `id`: `[build]`, then its `[[binary]]`, then every
    /// `[[override]]` that matches `id`, in file order, so that a later entry wins. Also
    /// returns the indexes of the entries that matched. Targets and universal binaries both
    /// resolve here, so that an override means the same for both.
    fn resolve(
        config: &'a Config,
        binary: Option<&'a BinaryConfig>,
        id: &str,
    ) -> (Settings<'a>, Vec<usize>) {
        let mut settings = Settings::build(config);
        if let Some(binary) = binary {
            settings.apply_binary(binary);
        }
        let mut matched = Vec::new();
        for (index, entry) in config.overrides.iter().enumerate() {
            if entry.selector.value.matches_id(id) {
                settings.apply(entry);
                matched.push(index);
            }
        }
        (settings, matched)
    }

    /// `[build]` alone.
    fn build(config: &'a Config) -> Settings<'a> {
        let build = &config.build;
        Settings {
            flags: build.flags.iter().collect(),
            ldflags: build.ldflags.iter().collect(),
            gcflags: build.gcflags.iter().collect(),
            asmflags: build.asmflags.iter().collect(),
            tags: build.tags.iter().map(String::as_str).collect(),
            env: build.env.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            cc: build.cc.as_ref(),
            cxx: build.cxx.as_ref(),
            output: &build.output,
            policy: config.policy.clone(),
            archive: build.archive.as_ref(),
            archive_name: &build.archive_name,
            archive_files: &build.archive_files,
            runner: None,
            smoke: {
                let mut smoke = SmokeKeys::default();
                smoke.apply(&config.smoke.settings);
                smoke
            },
            packages: config.packages.clone(),
            sign: true,
        }
    }

    /// A `[[binary]]` on top of `[build]`: its flags, tags and environment add to what is
    /// there, its output and archive name replace `[build]`'s.
    fn apply_binary(&mut self, binary: &'a BinaryConfig) {
        self.flags.extend(&binary.flags);
        self.ldflags.extend(&binary.ldflags);
        self.gcflags.extend(&binary.gcflags);
        self.asmflags.extend(&binary.asmflags);
        self.tags.extend(binary.tags.iter().map(String::as_str));
        self.env
            .extend(binary.env.iter().map(|(k, v)| (k.as_str(), v)));
        self.output = binary.output.as_ref().unwrap_or(self.output);
        self.archive_name = binary.archive_name.as_ref().unwrap_or(self.archive_name);
        if let Some(packages) = &binary.packages {
            self.packages.overlay(packages);
        }
    }

    /// One override on top: its flags, tags and environment add to what is there, each
    /// other key it sets replaces the inherited value (the policy rule by rule).
    fn apply(&mut self, entry: &'a OverrideConfig) {
        self.flags.extend(&entry.flags);
        self.ldflags.extend(&entry.ldflags);
        self.gcflags.extend(&entry.gcflags);
        self.asmflags.extend(&entry.asmflags);
        self.tags.extend(entry.tags.iter().map(String::as_str));
        self.env
            .extend(entry.env.iter().map(|(k, v)| (k.as_str(), v)));
        self.cc = entry.cc.as_ref().or(self.cc);
        self.cxx = entry.cxx.as_ref().or(self.cxx);
        self.output = entry.output.as_ref().unwrap_or(self.output);
        if let Some(policy) = &entry.policy {
            self.policy = merge_policy(&self.policy, policy);
        }
        self.archive = entry.archive.as_ref().or(self.archive);
        self.archive_name = entry.archive_name.as_ref().unwrap_or(self.archive_name);
        if let Some(files) = &entry.archive_files {
            self.archive_files = files;
        }
        self.runner = entry.runner.as_ref().or(self.runner);
        if let Some(smoke) = &entry.smoke {
            self.smoke.apply(smoke);
        }
        if let Some(packages) = &entry.packages {
            self.packages.overlay(packages);
        }
        if let Some(sign) = &entry.sign {
            self.sign = sign.value;
        }
    }
}

/// Plans `config` against `catalog`, then applies `selection`. A matrix with a `go` axis
/// needs [`plan_with_go`].
pub fn plan(
    config: &Config,
    catalog: &Catalog,
    context: &PlanContext,
    selection: &SelectionRequest,
) -> Result<Plan, PlanError> {
    plan_with_go(config, catalog, &GoAxis::default(), context, selection)
}

/// Plans `config` like [`plan`], with the Go releases of its `go` axis resolved in
/// `go_axis` (one per entry, in order). `catalog` is the Go at hand's, recorded as the
/// plan's `go`; each target of the axis is expanded against its own release's catalog.
pub fn plan_with_go(
    config: &Config,
    catalog: &Catalog,
    go_axis: &GoAxis,
    context: &PlanContext,
    selection: &SelectionRequest,
) -> Result<Plan, PlanError> {
    let expansion = validate(config, catalog, go_axis)?;
    let name = project_name(config, context);
    let binaries = binary_specs(config, &name);
    let module_dir = context.base_dir.join(&config.project.dir);
    let mut planning = Planning::new(config, catalog, go_axis, context, &name, &module_dir);
    planning
        .errors
        .extend(unmatched_binary_targets(&binaries, &expansion.targets));
    // Binary by binary, each over the matrix in order: a binary's builds read together.
    let targets: Vec<PlannedTarget> = binaries
        .iter()
        .flat_map(|binary| {
            expansion
                .targets
                .iter()
                .filter(|expanded| binary.builds_for(&expanded.target))
                .map(move |expanded| (binary, expanded))
        })
        .filter_map(|(binary, expanded)| planning.target(expanded, binary))
        .collect();
    let universal = planning.package(&targets, &binaries);
    let mut warnings = expansion.warnings;
    warnings.extend(unused_overrides(config, &planning.override_hits));
    if !planning.errors.is_empty() {
        let mut diagnostics = planning.errors;
        diagnostics.extend(warnings);
        return Err(PlanError::Config(config_errors(config, diagnostics)));
    }

    let matrix_size = targets.len();
    let (targets, universal) = select(targets, universal, &binaries, selection)?;
    let hooks = once_hooks(config, &name, context);
    Ok(Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        crosscheck_version: context.crosscheck_version.clone(),
        matrix_file: config.file.name.clone(),
        go: go_info(config, catalog, go_axis),
        project: ProjectInfo {
            name,
            module_dir: path_string(&module_dir),
            main: config.project.main.clone(),
            vcs: context.vcs.clone(),
            binaries: planned_binaries(config),
        },
        dist_dir: path_string(&context.dist_dir),
        pass_env: config.build.pass_env.clone(),
        selection: selection_info(selection),
        targets,
        matrix_size,
        collapsed: expansion.collapsed,
        skipped: expansion.skipped,
        warnings: rendered_warnings(config, &warnings),
        universal,
        sbom: config.build.sbom.as_ref().is_none_or(|flag| flag.value),
        hooks,
        sign: config.sign.clone(),
    })
}

/// The `before` and `after` hooks, rendered.
fn once_hooks(config: &Config, name: &str, context: &PlanContext) -> PlannedHooks {
    let names = RunNames {
        name,
        vcs: &context.vcs,
        dist: path_string(&context.dist_dir),
    };
    PlannedHooks {
        before: render_hooks(&config.hooks.before, &|p| once_value(p, &names)),
        after: render_hooks(&config.hooks.after, &|p| once_value(p, &names)),
    }
}

/// What the hooks that run once (`before`, `after`) may fill in: the same for every target.
struct RunNames<'a> {
    name: &'a str,
    vcs: &'a VcsInfo,
    dist: String,
}

/// A placeholder of a `before` or `after` hook; the config admits no other.
fn once_value<'v>(placeholder: Placeholder, names: &'v RunNames<'_>) -> Cow<'v, str> {
    match placeholder {
        Placeholder::Name | Placeholder::Binary => Cow::Borrowed(names.name),
        Placeholder::Version => Cow::Borrowed(&names.vcs.version),
        Placeholder::Commit => Cow::Borrowed(&names.vcs.commit),
        Placeholder::ShortCommit => Cow::Borrowed(names.vcs.short_commit()),
        Placeholder::Date => Cow::Borrowed(&names.vcs.date),
        Placeholder::Dist => Cow::Borrowed(&names.dist),
        // Per-target placeholders are rejected in these hooks when the file is read.
        _ => Cow::Borrowed(""),
    }
}

/// Hook commands with their placeholders filled in.
fn render_hooks<'v>(
    hooks: &[crate::config::HookConfig],
    values: &dyn Fn(Placeholder) -> Cow<'v, str>,
) -> Vec<HookCommand> {
    hooks
        .iter()
        .map(|hook| hook.value.iter().map(|word| word.render(values)).collect())
        .collect()
}

/// The steps before any target is planned: every release of the `go` axis has a toolchain
/// that go.mod allows, and the matrix expands against the catalogs (each target of the
/// axis against its own release's). An axis made by [`GoAxis::resolve`] passed the go.mod
/// check before its catalogs were fetched; one built by hand is checked here.
fn validate(config: &Config, catalog: &Catalog, go_axis: &GoAxis) -> Result<Expansion, PlanError> {
    check_resolved(config, go_axis)?;
    let expansion = if config.go_versions.is_empty() {
        expand(config, catalog)
    } else {
        expand_per_go(config, &go_axis.toolchains)
    };
    expansion.map_err(|diagnostics| PlanError::Config(config_errors(config, diagnostics)))
}

/// Every release of the `go` axis must come with its toolchain: resolving them is the
/// caller's job, so a missing one is a bug there, reported rather than planned with the
/// wrong Go.
fn check_resolved(config: &Config, go_axis: &GoAxis) -> Result<(), ConfigErrors> {
    let unresolved: Vec<Diagnostic> = config
        .go_versions
        .iter()
        .filter(|v| go_axis.release(v.value).is_none())
        .map(|v| {
            Diagnostic::error(
                format!("Go {} was not resolved to a toolchain (hint: this is a bug in the caller of the planner)", v.value),
                Some(v.span.clone()),
            )
        })
        .collect();
    if unresolved.is_empty() {
        Ok(())
    } else {
        Err(config_errors(config, unresolved))
    }
}

fn config_errors(config: &Config, diagnostics: Vec<Diagnostic>) -> ConfigErrors {
    ConfigErrors {
        file: config.file.clone(),
        diagnostics,
    }
}

/// The targets of a plan, planned one by one, and what they share: the output paths taken
/// so far, the archives, how often each override matched and the errors found. A target
/// with an error is left out and planning goes on, so that one run reports every problem.
struct Planning<'a> {
    config: &'a Config,
    /// The Go at hand's catalog; a target of the `go` axis uses its release's.
    catalog: &'a Catalog,
    go_axis: &'a GoAxis,
    context: &'a PlanContext,
    /// The binary name.
    name: &'a str,
    /// The module directory: every build's working directory.
    cwd: String,
    /// How many targets each `[[override]]` matched, by index.
    override_hits: Vec<usize>,
    /// Output paths taken so far, with the target that took each and its template's span.
    outputs: BTreeMap<String, (String, Range<usize>)>,
    packer: Packer<'a>,
    errors: Vec<Diagnostic>,
}

/// What `go build` needs for one target, rendered from its settings.
struct Build {
    requirements: Vec<Requirement>,
    /// Where `go build -o` writes.
    staging: PathBuf,
    argv: Vec<String>,
    env: BTreeMap<String, String>,
}

impl<'a> Planning<'a> {
    fn new(
        config: &'a Config,
        catalog: &'a Catalog,
        go_axis: &'a GoAxis,
        context: &'a PlanContext,
        name: &'a str,
        module_dir: &'a Path,
    ) -> Planning<'a> {
        Planning {
            config,
            catalog,
            go_axis,
            context,
            name,
            cwd: path_string(module_dir),
            override_hits: vec![0; config.overrides.len()],
            outputs: BTreeMap::new(),
            packer: Packer::new(module_dir),
            errors: Vec::new(),
        }
    }

    /// Plans one build of `binary`, or records why it cannot be.
    fn target(&mut self, expanded: &Expanded, binary: &BinarySpec<'a>) -> Option<PlannedTarget> {
        match self.plan_target(expanded, binary) {
            Ok(planned) => Some(planned),
            Err(diagnostic) => {
                self.errors.push(diagnostic);
                None
            }
        }
    }

    /// The steps of one target: apply the overrides, place its output, render its build,
    /// plan its archive.
    fn plan_target(
        &mut self,
        expanded: &Expanded,
        binary: &BinarySpec<'a>,
    ) -> Result<PlannedTarget, Diagnostic> {
        let target = &binary.build_target(&expanded.target);
        // A target of the `go` axis is described by its own release's catalog and built by
        // its toolchain; the others by the Go at hand.
        let release = target.go.and_then(|go| self.go_axis.release(go));
        let catalog = release.map_or(self.catalog, |resolved| &resolved.catalog);
        let names = TargetNames::new(
            target,
            self.name,
            &binary.file_name,
            &self.context.vcs,
            &catalog.go_version,
        );
        let settings = self.apply_overrides(binary, &names.build_id);
        let output = self.place_output(target, &names, &settings)?;
        let build = self.render(expanded, binary, &names, &settings, &output, release)?;
        let smoke = self.config.smoke.enabled.then(|| {
            settings
                .smoke
                .render(&|placeholder| names.value(placeholder))
        });
        let archive = match binary.archived() {
            true => self
                .packer
                .archive(
                    target,
                    &names,
                    settings.archive,
                    settings.archive_name,
                    settings.archive_files,
                )
                .map_err(|diagnostic| binary.locate(diagnostic))?,
            false => None,
        };
        let after_build = self.after_build(&names, &output);
        let variant = variant_setting(target, &catalog.default_goarm);
        let packages = self.packages(target, binary, &names, &settings, variant.as_ref())?;
        let sign = match (&self.config.sign, settings.sign) {
            (Some(signing), true) => crate::config::code_sign(signing, &target.goos),
            _ => None,
        };
        let runner = settings.runner.map(|command| {
            command
                .value
                .iter()
                .map(|word| word.render(&|placeholder| names.value(placeholder)))
                .collect()
        });
        Ok(PlannedTarget {
            id: target.clone(),
            slug: names.build_slug,
            goos: target.goos.clone(),
            goarch: target.goarch.clone(),
            variant,
            cgo: target.cgo,
            libc: target.libc.as_ref().map(Libc::to_string),
            first_class: catalog
                .port(&target.goos, &target.goarch)
                .is_some_and(|port| port.first_class),
            output,
            staging_output: path_string(&build.staging),
            cwd: self.cwd.clone(),
            argv: build.argv,
            env: build.env,
            requirements: build.requirements,
            policy: settings.policy,
            shard: None,
            archive,
            go: release.map(ResolvedGo::planned),
            runner,
            smoke,
            after_build,
            packages,
            sign,
        })
    }

    /// The target's Linux packages (`[packages]`), each path claimed so that no two
    /// packages, and no package and artifact, share one.
    fn packages(
        &mut self,
        target: &Target,
        binary: &BinarySpec<'a>,
        names: &TargetNames<'_>,
        settings: &Settings<'a>,
        variant: Option<&VariantSetting>,
    ) -> Result<Vec<PlannedLinuxPackage>, Diagnostic> {
        let values = |placeholder: Placeholder| names.value(placeholder);
        let request = PackageRequest {
            settings: &settings.packages,
            goos: &target.goos,
            goarch: &target.goarch,
            goarm: variant
                .filter(|v| v.var == VariantVar::Goarm.env_name())
                // `7,softfloat` is still ARMv7 to a package manager.
                .and_then(|v| v.value.split(',').next()),
            id: &names.build_id,
            binary: &binary.file_name,
            values: &values,
            module_dir: Path::new(&self.cwd),
        };
        let packages = plan_packages(&request).map_err(|diagnostic| binary.locate(diagnostic))?;
        for package in &packages {
            let span = settings.packages.span.clone();
            if let Some((other, _)) = self.outputs.get(&package.path) {
                return Err(Diagnostic::error(
                    format!(
                        "the {} package of {} would be {:?}, which {other} already takes (hint: put {{arch}} and {{name}} in `file_name`)",
                        package.format, names.build_id, package.path
                    ),
                    Some(span),
                ));
            }
            self.outputs
                .insert(package.path.clone(), (names.build_id.clone(), span));
        }
        Ok(packages)
    }

    /// The target's `after_build` hooks: `{path}` is its artifact in dist, `{binary}` the
    /// project's name, `{dist}` the dist directory.
    fn after_build(&self, names: &TargetNames<'_>, output: &str) -> Vec<HookCommand> {
        let hooks = &self.config.hooks.after_build;
        if hooks.is_empty() {
            return Vec::new();
        }
        let path = path_string(&self.context.dist_dir.join(output));
        let dist = path_string(&self.context.dist_dir);
        render_hooks(hooks, &|placeholder| match placeholder {
            Placeholder::Path => Cow::Borrowed(path.as_str()),
            Placeholder::Dist => Cow::Borrowed(dist.as_str()),
            other => names.value(other),
        })
    }

    /// The build's settings, counting the overrides that apply to it.
    fn apply_overrides(&mut self, binary: &BinarySpec<'a>, id: &str) -> Settings<'a> {
        let (settings, matched) = Settings::resolve(self.config, binary.config, id);
        for index in matched {
            self.override_hits[index] += 1;
        }
        settings
    }

    /// Renders the target's output path and claims it: it must be a file inside the dist
    /// directory, and no earlier target may write it.
    fn place_output(
        &mut self,
        target: &Target,
        names: &TargetNames<'_>,
        settings: &Settings<'_>,
    ) -> Result<String, Diagnostic> {
        let template = settings.output;
        let output = template
            .value
            .render(&|placeholder| names.value(placeholder));
        if !stays_inside(&output) || output.ends_with('/') {
            return Err(Diagnostic::error(
                format!(
                    "output path {output:?} of {target} is not a file inside the dist directory"
                ),
                Some(template.span.clone()),
            ));
        }
        if let Some((other, _)) = self.outputs.get(&output) {
            return Err(Diagnostic::error(
                format!(
                    "{target} and {other} would both write {output:?} (hint: put {{slug}} or {{os}}/{{arch}}/{{variant}}/{{libc}}{} in the output template)",
                    if self.config.go_versions.is_empty() {
                        ""
                    } else {
                        "/{go}"
                    }
                ),
                Some(template.span.clone()),
            ));
        }
        self.outputs.insert(
            output.clone(),
            (names.build_id.clone(), template.span.clone()),
        );
        Ok(output)
    }

    /// Renders the target's build from its settings: what the machine needs, then the argv
    /// and environment, `go build -o` writing into the staging directory. `release` is the
    /// `go` axis release that builds it (`None`: the Go at hand).
    fn render(
        &self,
        expanded: &Expanded,
        binary: &BinarySpec<'_>,
        names: &TargetNames<'_>,
        settings: &Settings<'_>,
        output: &str,
        release: Option<&ResolvedGo>,
    ) -> Result<Build, Diagnostic> {
        let catalog = release.map_or(self.catalog, |resolved| &resolved.catalog);
        let target = names.target;
        let values = |placeholder: Placeholder| names.value(placeholder);
        let requirements = requirements(target, settings, self.config, self.context, &values)
            .map_err(|message| Diagnostic::error(message, Some(expanded.origin.clone())))?;
        let file_name = output.rsplit('/').next().unwrap_or(output);
        let staging = self
            .context
            .dist_dir
            .join(STAGING_DIR)
            .join(&names.build_slug)
            .join(file_name);
        let argv = build_argv(
            self.config,
            binary.main,
            target,
            settings,
            &staging,
            &values,
        );
        let mut env = build_env(target, settings, catalog, &values);
        if let Some(resolved) = release {
            // After `[build] env`: the axis decides which Go builds, not a stray setting.
            env.insert("GOTOOLCHAIN".to_owned(), resolved.toolchain.clone());
        }
        Ok(Build {
            requirements,
            staging,
            argv,
            env,
        })
    }

    /// Packaging, once every target is planned: the universal binaries, then the check that
    /// needs every archive (none may overwrite an artifact).
    fn package(
        &mut self,
        targets: &[PlannedTarget],
        binaries: &[BinarySpec<'a>],
    ) -> Vec<PlannedUniversal> {
        let universal = match self.packer.universal(
            self.config,
            targets,
            binaries,
            self.name,
            &self.context.vcs,
            &self.catalog.go_version,
        ) {
            Ok(universal) => universal,
            Err(diagnostic) => {
                self.errors.push(diagnostic);
                Vec::new()
            }
        };
        self.errors.append(&mut self.packer.errors);
        let archives = targets
            .iter()
            .filter_map(|t| t.archive.as_ref())
            .chain(universal.iter().filter_map(|u| u.archive.as_ref()));
        for archive in archives {
            if let Some((other, span)) = self.outputs.get(&archive.path) {
                self.errors.push(Diagnostic::error(
                    format!("an archive would overwrite the artifact of {other}, {:?} (hint: change `archive_name` or `output`)", archive.path),
                    Some(span.clone()),
                ));
            }
        }
        universal
    }
}

/// An override that matches no target changes nothing: most likely its glob is wrong.
fn unused_overrides(config: &Config, hits: &[usize]) -> Vec<Diagnostic> {
    config
        .overrides
        .iter()
        .zip(hits)
        .filter(|(_, hits)| **hits == 0)
        .map(|(entry, _)| {
            Diagnostic::warning(
                format!(
                    "override `match = {:?}` matches no target, so it changes nothing",
                    entry.selector.value.as_str()
                ),
                Some(entry.selector.span.clone()),
            )
        })
        .collect()
}

fn go_info(config: &Config, catalog: &Catalog, go_axis: &GoAxis) -> GoInfo {
    GoInfo {
        command: config.build.go.clone(),
        version: catalog.go_version.clone(),
        catalog: catalog.source,
        axis: go_axis.toolchains.iter().map(ResolvedGo::planned).collect(),
    }
}

fn selection_info(selection: &SelectionRequest) -> SelectionInfo {
    let globs = |selectors: &[Selector]| selectors.iter().map(|s| s.as_str().to_owned()).collect();
    SelectionInfo {
        targets: globs(&selection.targets),
        exclude: globs(&selection.exclude),
        shard: selection.shard,
        binaries: selection.binaries.clone(),
    }
}

fn rendered_warnings(config: &Config, warnings: &[Diagnostic]) -> Vec<String> {
    warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.render(&config.file).trim_end().to_owned())
        .collect()
}

/// The last step: the targets the selection keeps, in matrix order, then one shard of
/// them; a universal binary stays only when all its inputs did.
fn select(
    targets: Vec<PlannedTarget>,
    mut universal: Vec<PlannedUniversal>,
    binaries: &[BinarySpec<'_>],
    selection: &SelectionRequest,
) -> Result<(Vec<PlannedTarget>, Vec<PlannedUniversal>), PlanError> {
    check_selectors(&targets, selection)?;
    let picked = picked_binaries(binaries, &selection.binaries)?;
    let mut selected: Vec<PlannedTarget> = targets
        .into_iter()
        .filter(|t| {
            (selection.targets.is_empty() || selection.targets.iter().any(|s| s.matches(&t.id)))
                && !selection.exclude.iter().any(|s| s.matches(&t.id))
                && picked.contains(&t.id.binary.as_deref())
        })
        .collect();
    if selected.is_empty() {
        return Err(PlanError::Selection(
            "the selection leaves no target (hint: --exclude removed everything --target chose)"
                .to_owned(),
        ));
    }
    // Only now are the members of each shared archive known: the selected builds.
    share_archives(&mut selected, &mut universal);
    if let Some(shard) = selection.shard {
        keep_shard(&mut selected, &universal, shard);
    }
    let kept: Vec<String> = selected.iter().map(|t| t.id.id()).collect();
    let mut universal: Vec<PlannedUniversal> = universal
        .into_iter()
        .filter(|u| u.inputs.iter().all(|input| kept.contains(input)))
        .collect();
    // A shard may keep some universal binaries of a shared archive and not the others.
    share_archives(&mut [], &mut universal);
    Ok((selected, universal))
}

/// A selector that matches nothing is most likely a typo; refuse it rather than build less.
fn check_selectors(
    targets: &[PlannedTarget],
    selection: &SelectionRequest,
) -> Result<(), PlanError> {
    let all_ids: Vec<String> = targets.iter().map(|t| t.id.id()).collect();
    for selector in selection.targets.iter().chain(&selection.exclude) {
        if !all_ids.iter().any(|id| selector.matches_id(id)) {
            return Err(PlanError::Selection(format!(
                "selector {:?} matches no target of the matrix (hint: the matrix has {}; `crosscheck plan` lists them)",
                selector.as_str(),
                all_ids.join(", ")
            )));
        }
    }
    Ok(())
}

/// Numbers each selected target's shard and keeps `shard`'s.
fn keep_shard(selected: &mut Vec<PlannedTarget>, universal: &[PlannedUniversal], shard: Shard) {
    let parts = assign_plan_shards(selected, universal, shard.count);
    for (target, part) in selected.iter_mut().zip(&parts) {
        target.shard = Some(part + 1);
    }
    selected.retain(|t| t.shard == Some(shard.index));
}

/// The 0-based shard of each of `targets` when a plan of them (with its `universal`
/// binaries) is split into `count` shards, as `--shard` splits it: a universal binary is
/// assembled from its inputs' artifacts, and a shared archive from its members', so each
/// such group builds in one shard.
pub fn assign_plan_shards(
    targets: &[PlannedTarget],
    universal: &[PlannedUniversal],
    count: u32,
) -> Vec<u32> {
    let ids: Vec<Target> = targets.iter().map(|t| t.id.clone()).collect();
    let position = |input: &String| ids.iter().position(|id| id.id() == *input);
    let mut groups: Vec<Vec<usize>> = universal
        .iter()
        .map(|u| u.inputs.iter().filter_map(position).collect())
        .collect();
    groups.extend(targets.iter().filter_map(|t| {
        let archive = t.archive.as_ref().filter(|a| !a.shared_with.is_empty())?;
        let mut members = vec![t.id.id()];
        members.extend(archive.shared_with.iter().map(|m| m.id.clone()));
        Some(members.iter().filter_map(position).collect())
    }));
    assign_shards_grouped(&ids, &groups, count)
}

/// An archive path and what its first build decided for it: builds of the same target
/// that render the same path share the archive, and must agree on its extra files.
struct ArchiveClaim {
    /// The target without its binary.
    platform: Target,
    /// The first build's id.
    first: String,
    /// The names of the binaries in the archive so far.
    binaries: Vec<String>,
    /// The extra files.
    files: Vec<ArchiveFile>,
}

/// Plans archives and universal binaries, collecting the errors it finds on the way.
struct Packer<'a> {
    module_dir: &'a Path,
    /// Archive paths taken so far, each with the builds that share it.
    paths: BTreeMap<String, ArchiveClaim>,
    /// Resolved `archive_files` patterns, by pattern (each is resolved once).
    resolved: BTreeMap<String, Vec<ArchiveFile>>,
    errors: Vec<Diagnostic>,
}

impl<'a> Packer<'a> {
    fn new(module_dir: &'a Path) -> Packer<'a> {
        Packer {
            module_dir,
            paths: BTreeMap::new(),
            resolved: BTreeMap::new(),
            errors: Vec::new(),
        }
    }

    /// The archive of a target or universal binary; `None` with `archive = "none"`.
    fn archive(
        &mut self,
        target: &Target,
        names: &TargetNames<'_>,
        format: Option<&Located<ArchiveFormat>>,
        template: &TemplateField,
        files: &[Located<String>],
    ) -> Result<Option<PlannedArchive>, Diagnostic> {
        let format = format.map_or_else(|| ArchiveFormat::default_for(&target.goos), |f| f.value);
        if format == ArchiveFormat::None {
            return Ok(None);
        }
        let path = self.archive_path(target, names, format, template)?;
        let binary = format!("{}{}", names.binary, target.exe_suffix());
        let files = self.archive_files(target, &binary, files)?;
        self.claim_archive(target, &path, &binary, &files, template)?;
        Ok(Some(PlannedArchive {
            format,
            path,
            binary,
            shared_with: Vec::new(),
            files,
        }))
    }

    /// Claims `path` for the build `target`: a path no build took yet, or one another
    /// binary of the same target took with the same extra files (they share the archive).
    fn claim_archive(
        &mut self,
        target: &Target,
        path: &str,
        binary: &str,
        files: &[ArchiveFile],
        template: &TemplateField,
    ) -> Result<(), Diagnostic> {
        let platform = target.platform();
        let Some(claim) = self.paths.get_mut(path) else {
            self.paths.insert(
                path.to_owned(),
                ArchiveClaim {
                    platform,
                    first: target.id(),
                    binaries: vec![binary.to_owned()],
                    files: files.to_vec(),
                },
            );
            return Ok(());
        };
        let span = Some(template.span.clone());
        if claim.platform != platform {
            return Err(Diagnostic::error(
                format!(
                    "the archives of {target} and {} would both be {path:?} (hint: put {{slug}} in `archive_name`)",
                    claim.first
                ),
                span,
            ));
        }
        if claim.files != files {
            return Err(Diagnostic::error(
                format!(
                    "{target} and {} share the archive {path:?} but not its extra files (hint: give both the same `archive_files`, or put {{binary}} in `archive_name` for an archive each)",
                    claim.first
                ),
                span,
            ));
        }
        if claim.binaries.iter().any(|name| name == binary) {
            return Err(Diagnostic::error(
                format!(
                    "{target} and {} would both put {binary:?} into the archive {path:?} (hint: put {{binary}} in `archive_name` for an archive each, or give them different `file_name`s)",
                    claim.first
                ),
                span,
            ));
        }
        // Each member checked its own name against these files (`archive_files`).
        claim.binaries.push(binary.to_owned());
        Ok(())
    }

    /// Renders the archive's path: it must be a file inside the dist directory.
    fn archive_path(
        &mut self,
        target: &Target,
        names: &TargetNames<'_>,
        format: ArchiveFormat,
        template: &TemplateField,
    ) -> Result<String, Diagnostic> {
        let values = |placeholder: Placeholder| names.value(placeholder);
        let path = format!("{}{}", template.value.render(&values), format.extension());
        if !stays_inside(&path) || path.split('/').any(str::is_empty) {
            return Err(Diagnostic::error(
                format!(
                    "archive path {path:?} of {target} is not a file inside the dist directory"
                ),
                Some(template.span.clone()),
            ));
        }
        Ok(path)
    }

    /// The extra files of an archive, sorted by name, each once. None may take the binary's
    /// name, which would make the archive ambiguous.
    fn archive_files(
        &mut self,
        target: &Target,
        binary: &str,
        patterns: &[Located<String>],
    ) -> Result<Vec<ArchiveFile>, Diagnostic> {
        let mut entries: Vec<ArchiveFile> = Vec::new();
        for pattern in patterns {
            for file in self.resolve(pattern) {
                if file.name == binary {
                    return Err(Diagnostic::error(
                        format!(
                            "archive file {:?} has the name of the binary in the archive of {target}",
                            file.name
                        ),
                        Some(pattern.span.clone()),
                    ));
                }
                if !entries.iter().any(|e| e.name == file.name) {
                    entries.push(file);
                }
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// The files `pattern` names in the module directory, searched once per pattern. One
    /// that names no file is an error, recorded once; the archives go on without it.
    fn resolve(&mut self, pattern: &Located<String>) -> Vec<ArchiveFile> {
        if let Some(resolved) = self.resolved.get(&pattern.value) {
            return resolved.clone();
        }
        let resolved = match resolve_files(self.module_dir, &pattern.value) {
            Ok(found) => found
                .into_iter()
                .map(|(source, name)| ArchiveFile {
                    source: path_string(&source),
                    name,
                })
                .collect(),
            Err(error) => {
                let why = match error {
                    ResolveError::NoMatch => "matches no file".to_owned(),
                    ResolveError::Unreadable(what) => format!("cannot be searched ({what})"),
                };
                self.errors.push(Diagnostic::error(
                    format!(
                        "archive file {:?} {why} in {} (hint: paths and globs are relative to the module directory)",
                        pattern.value,
                        self.module_dir.display()
                    ),
                    Some(pattern.span.clone()),
                ));
                Vec::new()
            }
        };
        self.resolved
            .insert(pattern.value.clone(), resolved.clone());
        resolved
    }

    /// The universal binaries `universal = true` asks for: one per Go release and cgo
    /// setting for which the matrix has both plain darwin/amd64 and darwin/arm64.
    fn universal(
        &mut self,
        config: &'a Config,
        targets: &[PlannedTarget],
        binaries: &[BinarySpec<'a>],
        name: &str,
        vcs: &VcsInfo,
        go_version: &str,
    ) -> Result<Vec<PlannedUniversal>, Diagnostic> {
        let Some(flag) = config.build.universal.as_ref().filter(|flag| flag.value) else {
            return Ok(Vec::new());
        };
        // With a `go` axis, each release gets its own universal binary from its own slices.
        let mut releases: Vec<Option<GoVersion>> = targets.iter().map(|t| t.id.go).collect();
        releases.sort();
        releases.dedup();
        let mut planned: Vec<PlannedUniversal> = Vec::new();
        let pairs = releases.iter().flat_map(|&go| [(go, false), (go, true)]);
        for (binary, (go, cgo)) in binaries
            .iter()
            .flat_map(|b| pairs.clone().map(move |p| (b, p)))
        {
            let target = binary.build_target(&Target {
                goos: "darwin".to_owned(),
                goarch: "universal".to_owned(),
                variant: None,
                cgo,
                libc: None,
                go,
                binary: None,
            });
            let slice = |arch: &str| darwin_slice(targets, arch, &target);
            let (Some(amd64), Some(arm64)) = (slice("amd64"), slice("arm64")) else {
                continue;
            };
            let names = TargetNames::new(&target, name, &binary.file_name, vcs, go_version);
            let resolved = Settings::resolve(config, binary.config, &names.build_id).0;
            let (output, archive) =
                self.universal_output(resolved, binary, targets, &planned, &names)?;
            planned.push(PlannedUniversal {
                id: names.build_id.clone(),
                binary: target.binary.clone(),
                slug: names.build_slug.clone(),
                inputs: vec![amd64.id.id(), arm64.id.id()],
                cgo,
                output,
                archive,
            });
        }
        if planned.is_empty() {
            return Err(no_universal_pair(targets, flag));
        }
        Ok(planned)
    }

    /// A universal binary's output path and archive, with the overrides that match its id
    /// applied as for a target. Its output must not be a target's.
    fn universal_output(
        &mut self,
        settings: Settings<'_>,
        binary: &BinarySpec<'_>,
        targets: &[PlannedTarget],
        universal: &[PlannedUniversal],
        names: &TargetNames<'_>,
    ) -> Result<(String, Option<PlannedArchive>), Diagnostic> {
        let output = settings
            .output
            .value
            .render(&|placeholder| names.value(placeholder));
        let taken = targets.iter().map(|t| &t.output);
        if taken
            .chain(universal.iter().map(|u| &u.output))
            .any(|o| *o == output)
        {
            return Err(Diagnostic::error(
                format!(
                    "the universal binary {} would overwrite another target's output {output:?} (hint: put {{slug}} or {{arch}} in the output template)",
                    names.build_id
                ),
                Some(settings.output.span.clone()),
            ));
        }
        if !binary.archived() {
            return Ok((output, None));
        }
        let archive = self.archive(
            names.target,
            names,
            settings.archive,
            settings.archive_name,
            settings.archive_files,
        )?;
        Ok((output, archive))
    }
}

/// The plain (no variant) darwin build of `arch` with the cgo setting, Go release and binary
/// of `universal`: one of its slices.
fn darwin_slice<'t>(
    targets: &'t [PlannedTarget],
    arch: &str,
    universal: &Target,
) -> Option<&'t PlannedTarget> {
    targets.iter().find(|t| {
        t.goos == "darwin"
            && t.goarch == arch
            && t.cgo == universal.cgo
            && t.id.variant.is_none()
            && t.id.go == universal.go
            && t.id.binary == universal.binary
    })
}

/// Why `universal = true` found no pair of slices, pointing at the flag.
fn no_universal_pair(targets: &[PlannedTarget], flag: &Located<bool>) -> Diagnostic {
    let darwin: Vec<String> = targets
        .iter()
        .filter(|t| t.goos == "darwin")
        .map(|t| t.id.id())
        .collect();
    let has = if darwin.is_empty() {
        "it has no darwin target".to_owned()
    } else {
        format!("it has {}", darwin.join(", "))
    };
    Diagnostic::error(
        format!(
            "`universal = true` needs both darwin/amd64 and darwin/arm64 with the same cgo setting in the matrix, but {has} (hint: add \"darwin\" to `os` and both arches to `arch`, or drop `universal`)"
        ),
        Some(flag.span.clone()),
    )
}

/// `{name}`: `[project] name`, else what `go build` would call the binary of `main`.
fn project_name(config: &Config, context: &PlanContext) -> String {
    if let Some(name) = &config.project.name {
        return name.value.clone();
    }
    let main = config.project.main.trim_end_matches('/');
    let from_main = main
        .rsplit('/')
        .find(|part| !part.is_empty() && *part != "." && *part != "...");
    let from_module = context.module_path.as_deref().and_then(|path| {
        let mut parts = path.rsplit('/');
        let last = parts.next()?;
        // `example.com/tool/v2` builds a binary called `tool`, as `go build` names it.
        let is_major_suffix = last.len() > 1
            && last.starts_with('v')
            && last[1..].bytes().all(|b| b.is_ascii_digit());
        if is_major_suffix {
            parts.next()
        } else {
            Some(last)
        }
    });
    from_main
        .or(from_module)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            context
                .base_dir
                .join(&config.project.dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "app".to_owned())
        })
}

/// A build's names and the project's stamps, computed once per build for its templates.
struct TargetNames<'a> {
    /// `{id}`: the target's id, without the binary.
    id: String,
    /// `{slug}`: the target's slug, without the binary.
    slug: String,
    /// The build's id, as the plan and the manifest name it.
    build_id: String,
    /// The build's slug, for its staging directory and log.
    build_slug: String,
    /// The build.
    target: &'a Target,
    /// `{name}`: the project.
    name: &'a str,
    /// `{binary}`.
    binary: &'a str,
    vcs: &'a VcsInfo,
    /// `{go}`: the axis release (`go1.25`), else the Go at hand's version.
    go: String,
}

impl<'a> TargetNames<'a> {
    fn new(
        target: &'a Target,
        name: &'a str,
        binary: &'a str,
        vcs: &'a VcsInfo,
        go_version: &str,
    ) -> TargetNames<'a> {
        let platform = target.platform();
        TargetNames {
            id: platform.id(),
            slug: platform.slug(),
            build_id: target.id(),
            build_slug: target.slug(),
            target,
            name,
            binary,
            vcs,
            go: target
                .go
                .map_or_else(|| go_version.to_owned(), |go| go.id_segment()),
        }
    }

    fn value(&self, placeholder: Placeholder) -> Cow<'_, str> {
        let target = self.target;
        match placeholder {
            Placeholder::Name => Cow::Borrowed(self.name),
            Placeholder::Version => Cow::Borrowed(&self.vcs.version),
            Placeholder::Commit => Cow::Borrowed(&self.vcs.commit),
            Placeholder::ShortCommit => Cow::Borrowed(self.vcs.short_commit()),
            Placeholder::Date => Cow::Borrowed(&self.vcs.date),
            Placeholder::Os => Cow::Borrowed(&target.goos),
            Placeholder::Arch => Cow::Borrowed(&target.goarch),
            Placeholder::Variant => target
                .variant
                .as_ref()
                .map_or(Cow::Borrowed(""), |v| Cow::Owned(v.id_segment())),
            Placeholder::Libc => target
                .libc
                .as_ref()
                .map_or(Cow::Borrowed(""), |libc| Cow::Owned(libc.to_string())),
            Placeholder::Ext => Cow::Borrowed(target.exe_suffix()),
            Placeholder::Id => Cow::Borrowed(&self.id),
            Placeholder::Slug => Cow::Borrowed(&self.slug),
            Placeholder::Go => Cow::Borrowed(&self.go),
            // Left for the runner, which knows where the binary is when it runs it.
            Placeholder::Path => Cow::Borrowed(crosscheck_schema::PATH_PLACEHOLDER),
            Placeholder::Binary => Cow::Borrowed(self.binary),
            // Only hooks may use it, and they fill it in themselves (`after_build`).
            Placeholder::Dist => Cow::Borrowed(""),
            // Only package file names may use them, and the package planner fills them in.
            Placeholder::Format | Placeholder::Release => Cow::Borrowed(""),
        }
    }
}

fn requirements<'v>(
    target: &Target,
    settings: &Settings<'_>,
    config: &Config,
    context: &PlanContext,
    values: &dyn Fn(Placeholder) -> Cow<'v, str>,
) -> Result<Vec<Requirement>, String> {
    if !target.cgo {
        return Ok(Vec::new());
    }
    let mut requirements = vec![Requirement::CCompiler {
        configured: settings.cc.map(|cc| cc.value.render(values)),
        zig_target: zig_triple(target),
        debian: debian_cross_compiler(target)
            .map(|(cc, package)| (cc.to_owned(), package.to_owned())),
    }];
    if target.goos == "darwin" || target.goos == "ios" {
        let sdk = config
            .build
            .macos_sdk
            .clone()
            .or_else(|| context.sdkroot.clone());
        match sdk {
            Some(path) => requirements.push(Requirement::MacosSdk { path }),
            None => {
                return Err(format!(
                    "{target} needs an Apple SDK to link with cgo (hint: set `macos_sdk` in [build] or SDKROOT to an unpacked MacOSX.sdk, build it on a macOS runner, or drop cgo for it)"
                ));
            }
        }
    }
    Ok(requirements)
}

fn join_rendered<'v>(
    fields: &[&TemplateField],
    values: &dyn Fn(Placeholder) -> Cow<'v, str>,
) -> String {
    fields
        .iter()
        .map(|field| field.value.render(values))
        .collect::<Vec<_>>()
        .join(" ")
}

fn build_argv<'v>(
    config: &Config,
    main: &str,
    target: &Target,
    settings: &Settings<'_>,
    staging: &Path,
    values: &dyn Fn(Placeholder) -> Cow<'v, str>,
) -> Vec<String> {
    let mut argv = vec![config.build.go.clone(), "build".to_owned()];
    if config.build.trimpath {
        argv.push("-trimpath".to_owned());
    }
    argv.extend(settings.flags.iter().map(|flag| flag.value.render(values)));
    if !settings.tags.is_empty() {
        argv.push(format!("-tags={}", settings.tags.join(",")));
    }
    if !settings.gcflags.is_empty() {
        argv.push(format!(
            "-gcflags={}",
            join_rendered(&settings.gcflags, values)
        ));
    }
    if !settings.asmflags.is_empty() {
        argv.push(format!(
            "-asmflags={}",
            join_rendered(&settings.asmflags, values)
        ));
    }
    // An empty build id keeps artifacts byte-identical across checkouts; musl cgo targets
    // link statically without the user spelling out the external-linker flags.
    let mut ldflags = vec!["-buildid=".to_owned()];
    let user_ldflags = join_rendered(&settings.ldflags, values);
    if !user_ldflags.is_empty() {
        ldflags.push(user_ldflags);
    }
    if target.cgo && target.libc == Some(Libc::Musl) {
        ldflags.push("-linkmode=external -extldflags=-static".to_owned());
    }
    argv.push(format!("-ldflags={}", ldflags.join(" ")));
    argv.push("-o".to_owned());
    argv.push(path_string(staging));
    argv.push(main.to_owned());
    argv
}

fn build_env<'v>(
    target: &Target,
    settings: &Settings<'_>,
    catalog: &Catalog,
    values: &dyn Fn(Placeholder) -> Cow<'v, str>,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("GOOS".to_owned(), target.goos.clone());
    env.insert("GOARCH".to_owned(), target.goarch.clone());
    if let Some(variant) = variant_setting(target, &catalog.default_goarm)
        && !variant.value.is_empty()
    {
        env.insert(variant.var, variant.value);
    }
    env.insert(
        "CGO_ENABLED".to_owned(),
        if target.cgo { "1" } else { "0" }.to_owned(),
    );
    for (key, value) in &settings.env {
        env.insert((*key).to_owned(), value.value.render(values));
    }
    if target.cgo {
        if let Some(cc) = settings.cc {
            env.insert("CC".to_owned(), cc.value.render(values));
        }
        if let Some(cxx) = settings.cxx {
            env.insert("CXX".to_owned(), cxx.value.render(values));
        }
    }
    env
}

/// `over`'s rules replace `base`'s, rule by rule.
fn merge_policy(base: &Policy, over: &Policy) -> Policy {
    fn pick<T: Clone>(over: &Option<T>, base: &Option<T>) -> Option<T> {
        over.clone().or_else(|| base.clone())
    }
    Policy {
        r#static: pick(&over.r#static, &base.r#static),
        max_glibc: pick(&over.max_glibc, &base.max_glibc),
        allowed_libraries: pick(&over.allowed_libraries, &base.allowed_libraries),
        forbidden_libraries: pick(&over.forbidden_libraries, &base.forbidden_libraries),
        require_stripped: pick(&over.require_stripped, &base.require_stripped),
        require_pie: pick(&over.require_pie, &base.require_pie),
        require_nx: pick(&over.require_nx, &base.require_nx),
        max_size: pick(&over.max_size, &base.max_size),
        macos_min: pick(&over.macos_min, &base.macos_min),
        windows_subsystem: pick(&over.windows_subsystem, &base.windows_subsystem),
        require_code_signature: pick(&over.require_code_signature, &base.require_code_signature),
        require_pe_checksum: pick(&over.require_pe_checksum, &base.require_pe_checksum),
        forbid_packed: pick(&over.forbid_packed, &base.forbid_packed),
        allowed_wasm_imports: pick(&over.allowed_wasm_imports, &base.allowed_wasm_imports),
    }
}

fn variant_setting(target: &Target, default_goarm: &str) -> Option<VariantSetting> {
    match &target.variant {
        Some(variant) => Some(VariantSetting {
            var: variant.var.env_name().to_owned(),
            value: variant.value.clone(),
            explicit: true,
        }),
        None => VariantVar::for_arch(&target.goarch).map(|var| VariantSetting {
            var: var.env_name().to_owned(),
            value: var.default_value(default_goarm),
            explicit: false,
        }),
    }
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;

    fn config(body: &str) -> Config {
        Config::parse(SourceFile::new(
            "matrix.toml",
            format!("version = 1\n{body}"),
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn context(base_dir: &Path) -> PlanContext {
        PlanContext {
            base_dir: base_dir.to_owned(),
            dist_dir: base_dir.join("dist"),
            vcs: VcsInfo::fixed("1.0.0", "abc", 0),
            module_path: Some("example.com/app".to_owned()),
            sdkroot: None,
            crosscheck_version: "test".to_owned(),
        }
    }

    fn plan_in(base_dir: &Path, body: &str, selection: &SelectionRequest) -> Result<Plan, String> {
        plan(
            &config(body),
            &Catalog::embedded_snapshot(),
            &context(base_dir),
            selection,
        )
        .map_err(|e| e.to_string())
    }

    fn plan_of(body: &str) -> Result<Plan, String> {
        plan_in(Path::new("/m"), body, &SelectionRequest::default())
    }

    fn selected(
        body: &str,
        targets: &[&str],
        exclude: &[&str],
        shard: Option<&str>,
    ) -> Result<Plan, String> {
        let selectors = |globs: &[&str]| {
            globs
                .iter()
                .map(|glob| Selector::new(glob).unwrap())
                .collect()
        };
        let selection = SelectionRequest {
            targets: selectors(targets),
            exclude: selectors(exclude),
            shard: shard.map(|text| text.parse().unwrap()),
            binaries: Vec::new(),
        };
        plan_in(Path::new("/m"), body, &selection)
    }

    fn ids(plan: &Plan) -> Vec<String> {
        plan.targets.iter().map(|t| t.id.id()).collect()
    }

    fn target<'p>(plan: &'p Plan, id: &str) -> &'p PlannedTarget {
        plan.targets
            .iter()
            .find(|t| t.id.id() == id)
            .unwrap_or_else(|| panic!("no {id} in {:?}", ids(plan)))
    }

    fn ldflags(target: &PlannedTarget) -> &str {
        target
            .argv
            .iter()
            .find_map(|arg| arg.strip_prefix("-ldflags="))
            .unwrap_or_default()
    }

    const TWO_LINUX: &str = "[matrix]\nos = [\"linux\"]\narch = [\"amd64\", \"arm64\"]\n";
    const DARWIN: &str = "[matrix]\nos = [\"darwin\"]\narch = [\"amd64\", \"arm64\"]\n";

    #[test]
    fn packages_merge_binary_and_override_keys_and_skip_non_linux_targets() {
        let plan = plan_of(
            "[matrix]\nos = [\"linux\", \"darwin\"]\narch = [\"amd64\", \"arm64\"]\n\
             [packages]\nformats = [\"deb\", \"rpm\"]\nversion = \"v{version}-rc.1\"\nmaintainer = \"M <m@example.com>\"\nlicense = \"MIT\"\n\
             [[binary]]\nname = \"server\"\nmain = \"./cmd/server\"\npackages = { name = \"greeter-server\" }\n\
             [[binary]]\nname = \"client\"\nmain = \"./cmd/client\"\n\
             [[override]]\nmatch = \"client:linux/arm64\"\npackages = { formats = [] }\n\
             [[override]]\nmatch = \"server:linux/arm64\"\npackages = { formats = [\"rpm\"] }\n",
        )
        .unwrap();
        let packages = |id: &str| -> Vec<(String, String)> {
            target(&plan, id)
                .packages
                .iter()
                .map(|p| (p.path.clone(), p.arch.clone()))
                .collect()
        };
        let pair = |path: &str, arch: &str| (path.to_owned(), arch.to_owned());
        assert_eq!(
            packages("server:linux/amd64"),
            [
                pair("greeter-server_1.0.0~rc.1-1_amd64.deb", "amd64"),
                pair("greeter-server-1.0.0~rc.1-1.x86_64.rpm", "x86_64"),
            ]
        );
        assert_eq!(
            packages("client:linux/amd64"),
            [
                pair("client_1.0.0~rc.1-1_amd64.deb", "amd64"),
                pair("client-1.0.0~rc.1-1.x86_64.rpm", "x86_64"),
            ]
        );
        assert_eq!(
            packages("server:linux/arm64"),
            [pair("greeter-server-1.0.0~rc.1-1.aarch64.rpm", "aarch64")]
        );
        assert!(packages("client:linux/arm64").is_empty());
        assert!(packages("server:darwin/arm64").is_empty());
        let server = &target(&plan, "server:linux/amd64").packages[0];
        assert_eq!(server.binary_destination, "/usr/bin/server");
        assert_eq!(server.metadata.description, "greeter-server");
    }

    #[test]
    fn hooks_are_rendered_once_and_per_target() {
        let plan = plan_of(&format!(
            "{TWO_LINUX}[hooks]\nbefore = [[\"go\", \"generate\", \"{{version}}\"]]\n\
             after_build = [[\"sign\", \"{{path}}\", \"{{id}}\", \"{{binary}}\", \"{{os}}-{{arch}}\"]]\n\
             after = [[\"ls\", \"{{dist}}\"]]\n"
        ))
        .unwrap();
        assert_eq!(plan.hooks.before, vec![vec!["go", "generate", "1.0.0"]]);
        assert_eq!(plan.hooks.after, vec![vec!["ls", "/m/dist"]]);
        assert_eq!(
            target(&plan, "linux/arm64").after_build,
            vec![vec![
                "sign",
                "/m/dist/app_linux_arm64",
                "linux/arm64",
                "app",
                "linux-arm64"
            ]]
        );
        let without = plan_of(TWO_LINUX).unwrap();
        assert!(without.hooks.is_empty());
        let json = serde_json::to_string(&without).unwrap();
        assert!(
            !json.contains("hooks") && !json.contains("after_build"),
            "{json}"
        );
    }

    #[test]
    fn overrides_apply_in_file_order_and_the_later_wins() {
        let body = format!(
            "[build]\nldflags = [\"-s\"]\nenv = {{ MODE = \"base\" }}\n{TWO_LINUX}\
             [[override]]\nmatch = \"linux/*\"\nldflags = [\"-X main.a=1\"]\nenv = {{ MODE = \"all\" }}\noutput = \"all/{{slug}}\"\n\
             [[override]]\nmatch = \"linux/amd64\"\nldflags = [\"-X main.b=2\"]\nenv = {{ MODE = \"amd64\" }}\noutput = \"amd64/{{slug}}\"\ntags = [\"fast\"]\n"
        );
        let plan = plan_of(&body).unwrap();
        let amd64 = target(&plan, "linux/amd64");
        assert_eq!(amd64.env["MODE"], "amd64");
        assert_eq!(amd64.output, "amd64/linux_amd64");
        assert_eq!(ldflags(amd64), "-buildid= -s -X main.a=1 -X main.b=2");
        assert!(
            amd64.argv.contains(&"-tags=fast".to_owned()),
            "{:?}",
            amd64.argv
        );
        let arm64 = target(&plan, "linux/arm64");
        assert_eq!(arm64.env["MODE"], "all");
        assert_eq!(arm64.output, "all/linux_arm64");
        assert_eq!(ldflags(arm64), "-buildid= -s -X main.a=1");
        assert!(!arm64.argv.iter().any(|arg| arg.starts_with("-tags=")));

        let config = config(&body);
        let (settings, matched) = Settings::resolve(&config, None, "linux/amd64");
        assert_eq!(matched, [0, 1]);
        assert_eq!(settings.output.value.source(), "amd64/{slug}");
        let (settings, matched) = Settings::resolve(&config, None, "linux/arm64");
        assert_eq!(matched, [0]);
        assert_eq!(settings.output.value.source(), "all/{slug}");
        let (settings, matched) = Settings::resolve(&config, None, "darwin/arm64");
        assert!(matched.is_empty());
        assert_eq!(
            settings.output.value.source(),
            crate::config::DEFAULT_OUTPUT
        );
    }

    #[test]
    fn a_runner_override_reaches_its_targets_with_placeholders_filled_but_path() {
        let plan = plan_of(&format!(
            "{TWO_LINUX}[[override]]\nmatch = \"linux/arm64\"\nrunner = \"  ssh pi-{{arch}}  run --bin={{path}} \"\n"
        ))
        .unwrap();
        assert_eq!(
            target(&plan, "linux/arm64").runner.as_deref(),
            Some(&["ssh", "pi-arm64", "run", "--bin={path}"].map(String::from)[..])
        );
        assert_eq!(target(&plan, "linux/amd64").runner, None);
        let json = serde_json::to_value(target(&plan, "linux/amd64")).unwrap();
        assert!(json.get("runner").is_none(), "absent from the plan's JSON");
    }

    #[test]
    fn smoke_is_planned_only_when_enabled_with_defaults_and_overrides() {
        let off = plan_of(&format!("[smoke]\nexpect = \"{{name}}\"\n{TWO_LINUX}")).unwrap();
        assert!(off.targets.iter().all(|t| t.smoke.is_none()));

        let body = format!(
            "[smoke]\nenabled = true\nexpect = \"{{name}} {{version}} {{os}}/{{arch}}\"\nenv = {{ A = \"{{arch}}\" }}\n{TWO_LINUX}\
             [[override]]\nmatch = \"linux/arm64\"\n[override.smoke]\nargs = [\"-v\", \"{{slug}}\"]\ntimeout = \"1m\"\nenv = {{ B = \"2\" }}\n"
        );
        let plan = plan_of(&body).unwrap();
        let amd64 = target(&plan, "linux/amd64").smoke.as_ref().unwrap();
        assert_eq!(amd64.args, ["--version"]);
        assert_eq!(amd64.expect.as_deref(), Some("app 1.0.0 linux/amd64"));
        assert_eq!(amd64.timeout_ms, 30_000);
        assert_eq!(
            amd64.env,
            BTreeMap::from([("A".to_owned(), "amd64".to_owned())])
        );
        let arm64 = target(&plan, "linux/arm64").smoke.as_ref().unwrap();
        assert_eq!(arm64.args, ["-v", "linux_arm64"]);
        assert_eq!(arm64.expect.as_deref(), Some("app 1.0.0 linux/arm64"));
        assert_eq!(arm64.timeout_ms, 60_000);
        assert_eq!(arm64.env.len(), 2, "{:?}", arm64.env);
    }

    #[test]
    fn a_zero_smoke_timeout_is_an_error_at_its_value() {
        let err = Config::parse(SourceFile::new(
            "matrix.toml",
            format!("version = 1\n[smoke]\ntimeout = \"0s\"\n{TWO_LINUX}"),
        ))
        .unwrap_err();
        assert!(
            err.first_message().contains("more than zero"),
            "{}",
            err.first_message()
        );
        assert_eq!(err.first_location(), Some((3, 11)));
    }

    #[test]
    fn an_override_that_matches_nothing_is_a_warning() {
        let plan = plan_of(&format!(
            "{TWO_LINUX}[[override]]\nmatch = \"windows/*\"\nenv = {{ A = \"1\" }}\n"
        ))
        .unwrap();
        assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
        assert!(
            plan.warnings[0].contains("override `match = \"windows/*\"` matches no target"),
            "{}",
            plan.warnings[0]
        );
        assert!(plan.targets.iter().all(|t| !t.env.contains_key("A")));
    }

    #[test]
    fn output_collisions_are_reported_for_every_later_target() {
        let error = plan_of(
            "[build]\noutput = \"{name}\"\n[matrix]\nos = [\"linux\"]\narch = [\"amd64\", \"arm64\", \"386\"]\n",
        )
        .unwrap_err();
        assert!(
            error.contains("linux/arm64 and linux/amd64 would both write \"app\"")
                && error.contains("linux/386 and linux/amd64 would both write \"app\""),
            "{error}"
        );
        assert!(error.contains("matrix.toml:3:10"), "{error}");
        assert!(
            !error.contains("{go}"),
            "no go axis, no {{go}} hint: {error}"
        );
    }

    #[test]
    fn output_paths_that_leave_the_dist_directory_are_refused() {
        // `{variant}` renders empty for amd64 without GOAMD64: a directory, not a file.
        let error = plan_of(&format!(
            "[build]\noutput = \"{{name}}/{{variant}}\"\n{TWO_LINUX}"
        ))
        .unwrap_err();
        assert!(
            error.contains(
                "output path \"app/\" of linux/amd64 is not a file inside the dist directory"
            ),
            "{error}"
        );
        // A version stamp is not checked by the config; the rendered path is.
        let mut context = context(Path::new("/m"));
        context.vcs = VcsInfo::fixed("..", "abc", 0);
        let error = plan(
            &config(&format!(
                "[build]\noutput = \"{{version}}/{{name}}\"\n{TWO_LINUX}"
            )),
            &Catalog::embedded_snapshot(),
            &context,
            &SelectionRequest::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains(
                "output path \"../app\" of linux/amd64 is not a file inside the dist directory"
            ),
            "{error}"
        );
    }

    #[test]
    fn builds_are_staged_inside_the_dist_directory() {
        let plan = plan_of(TWO_LINUX).unwrap();
        let amd64 = target(&plan, "linux/amd64");
        assert_eq!(amd64.output, "app_linux_amd64");
        assert_eq!(
            amd64.staging_output,
            "/m/dist/.crosscheck/staging/linux_amd64/app_linux_amd64"
        );
        let o = amd64.argv.iter().position(|arg| arg == "-o").unwrap();
        assert_eq!(amd64.argv[o + 1], amd64.staging_output);
        assert_eq!(amd64.cwd, "/m/.");
        assert_eq!(amd64.env["GOOS"], "linux");
        assert_eq!(amd64.env["CGO_ENABLED"], "0");
    }

    #[test]
    fn archives_are_planned_per_target_with_the_default_name() {
        let plan = plan_of(
            "[matrix]\nos = [\"linux\", \"windows\"]\narch = [\"amd64\"]\n[[override]]\nmatch = \"windows/*\"\nflags = [\"-v\"]\n",
        )
        .unwrap();
        let linux = target(&plan, "linux/amd64").archive.as_ref().unwrap();
        assert_eq!(linux.format, ArchiveFormat::TarGz);
        assert_eq!(linux.path, "app_1.0.0_linux_amd64.tar.gz");
        assert_eq!(linux.binary, "app");
        assert!(linux.files.is_empty());
        let windows = target(&plan, "windows/amd64").archive.as_ref().unwrap();
        assert_eq!(windows.format, ArchiveFormat::Zip);
        assert_eq!(windows.path, "app_1.0.0_windows_amd64.zip");
        assert_eq!(windows.binary, "app.exe");

        let plan = plan_of(&format!(
            "{TWO_LINUX}[[override]]\nmatch = \"linux/arm64\"\narchive = \"none\"\n"
        ))
        .unwrap();
        assert!(target(&plan, "linux/amd64").archive.is_some());
        assert!(target(&plan, "linux/arm64").archive.is_none());
    }

    #[test]
    fn archives_may_not_share_a_path_or_overwrite_an_artifact() {
        let error = plan_of(&format!(
            "[build]\narchive_name = \"{{name}}\"\n{TWO_LINUX}"
        ))
        .unwrap_err();
        assert!(
            error.contains(
                "the archives of linux/arm64 and linux/amd64 would both be \"app.tar.gz\""
            ),
            "{error}"
        );
        let error = plan_of(&format!(
            "[build]\noutput = \"{{slug}}.tar.gz\"\narchive_name = \"{{slug}}\"\n{TWO_LINUX}"
        ))
        .unwrap_err();
        assert!(
            error.contains(
                "an archive would overwrite the artifact of linux/amd64, \"linux_amd64.tar.gz\""
            ),
            "{error}"
        );
    }

    #[test]
    fn archive_files_are_resolved_once_and_may_not_shadow_the_binary() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), "read me").unwrap();
        std::fs::write(dir.path().join("app"), "not the binary").unwrap();
        let none = SelectionRequest::default();
        let plan = plan_in(
            dir.path(),
            &format!("[build]\narchive_files = [\"README.md\", \"README.md\"]\n{TWO_LINUX}"),
            &none,
        )
        .unwrap();
        for t in &plan.targets {
            let files = &t.archive.as_ref().unwrap().files;
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["README.md"], "{}", t.id);
        }
        let error = plan_in(
            dir.path(),
            &format!("[build]\narchive_files = [\"LICENSE\"]\n{TWO_LINUX}"),
            &none,
        )
        .unwrap_err();
        assert_eq!(
            error
                .matches("archive file \"LICENSE\" matches no file")
                .count(),
            1,
            "{error}"
        );
        let error = plan_in(
            dir.path(),
            &format!("[build]\narchive_files = [\"app\"]\n{TWO_LINUX}"),
            &none,
        )
        .unwrap_err();
        assert!(
            error.contains(
                "archive file \"app\" has the name of the binary in the archive of linux/amd64"
            ),
            "{error}"
        );
    }

    #[test]
    fn universal_binaries_pair_darwin_amd64_and_arm64() {
        let plan = plan_of(
            "[build]\nuniversal = true\n[matrix]\nos = [\"darwin\", \"linux\"]\narch = [\"amd64\", \"arm64\"]\n",
        )
        .unwrap();
        assert_eq!(plan.universal.len(), 1, "{:?}", plan.universal);
        let universal = &plan.universal[0];
        assert_eq!(universal.id, "darwin/universal");
        assert_eq!(universal.inputs, ["darwin/amd64", "darwin/arm64"]);
        assert!(!universal.cgo);
        assert_eq!(universal.output, "app_darwin_universal");
        assert_eq!(
            universal.archive.as_ref().map(|a| a.path.as_str()),
            Some("app_1.0.0_darwin_universal.tar.gz")
        );

        let error = plan_of(
            "[build]\nuniversal = true\n[matrix]\nos = [\"darwin\", \"linux\"]\narch = [\"amd64\"]\n",
        )
        .unwrap_err();
        assert!(
            error.contains("`universal = true` needs both darwin/amd64 and darwin/arm64")
                && error.contains("but it has darwin/amd64"),
            "{error}"
        );
    }

    #[test]
    fn overrides_apply_to_universal_binaries_like_targets() {
        let plan = plan_of(&format!(
            "[build]\nuniversal = true\n{DARWIN}[[override]]\nmatch = \"darwin/universal\"\noutput = \"fat/{{name}}\"\narchive = \"zip\"\n"
        ))
        .unwrap();
        let universal = &plan.universal[0];
        assert_eq!(universal.output, "fat/app");
        let archive = universal.archive.as_ref().unwrap();
        assert_eq!(
            (archive.format, archive.path.as_str()),
            (ArchiveFormat::Zip, "app_1.0.0_darwin_universal.zip")
        );
        assert_eq!(target(&plan, "darwin/amd64").output, "app_darwin_amd64");

        let error = plan_of(&format!(
            "[build]\nuniversal = true\n{DARWIN}[[override]]\nmatch = \"darwin/universal\"\noutput = \"app_darwin_amd64\"\n"
        ))
        .unwrap_err();
        assert!(
            error.contains("the universal binary darwin/universal would overwrite another target's output \"app_darwin_amd64\""),
            "{error}"
        );
    }

    #[test]
    fn selection_keeps_matching_targets_then_drops_excluded() {
        let body = "[matrix]\nos = [\"linux\", \"windows\"]\narch = [\"amd64\", \"arm64\"]\n";
        let plan = selected(body, &["linux/*"], &["*/arm64"], None).unwrap();
        assert_eq!(ids(&plan), ["linux/amd64"]);
        assert_eq!(plan.matrix_size, 4);
        assert_eq!(plan.selection.targets, ["linux/*"]);
        assert_eq!(plan.selection.exclude, ["*/arm64"]);

        let error = selected(body, &["linux/arm"], &[], None).unwrap_err();
        assert!(
            error.contains("selector \"linux/arm\" matches no target of the matrix"),
            "{error}"
        );
        let error = selected(body, &["linux/*"], &["linux/*"], None).unwrap_err();
        assert!(error.contains("the selection leaves no target"), "{error}");
    }

    #[test]
    fn shards_partition_the_selection_and_keep_universal_inputs_together() {
        let body = "[build]\nuniversal = true\n[matrix]\nos = [\"darwin\", \"linux\", \"windows\"]\narch = [\"amd64\", \"arm64\"]\n";
        let all = selected(body, &[], &[], None).unwrap();
        let mut seen = Vec::new();
        let mut universal = Vec::new();
        for index in 1..=3 {
            let plan = selected(body, &[], &[], Some(&format!("{index}/3"))).unwrap();
            assert!(!plan.targets.is_empty(), "shard {index} is empty");
            assert!(plan.targets.iter().all(|t| t.shard == Some(index)));
            let shard_ids = ids(&plan);
            assert_eq!(
                shard_ids.contains(&"darwin/amd64".to_owned()),
                shard_ids.contains(&"darwin/arm64".to_owned()),
                "shard {index} splits the universal inputs: {shard_ids:?}"
            );
            for u in &plan.universal {
                assert!(u.inputs.iter().all(|input| shard_ids.contains(input)));
                universal.push(u.id.clone());
            }
            seen.extend(shard_ids);
        }
        seen.sort();
        let mut expected = ids(&all);
        expected.sort();
        assert_eq!(seen, expected, "the shards are a partition");
        assert_eq!(universal, ["darwin/universal"]);
        let universal_only = selected(body, &["linux/*"], &[], None).unwrap();
        assert!(
            universal_only.universal.is_empty(),
            "its inputs were not selected"
        );
    }

    #[test]
    fn an_unresolved_go_release_is_the_callers_bug() {
        let config = config("[matrix]\ngo = [\"1.25\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n");
        let error = plan_with_go(
            &config,
            &Catalog::embedded_snapshot(),
            &GoAxis::default(),
            &context(Path::new("/m")),
            &SelectionRequest::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("Go 1.25 was not resolved to a toolchain")
                && error.contains("matrix.toml:3:7"),
            "{error}"
        );
    }
}
