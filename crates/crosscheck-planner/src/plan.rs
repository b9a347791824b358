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

use crosscheck_schema::Policy;

use crate::archive::{ResolveError, resolve_files};
use crate::catalog::Catalog;
use crate::config::{Config, Located, TemplateField};
use crate::cross::{debian_cross_compiler, zig_triple};
use crate::diagnostic::{ConfigErrors, Diagnostic, Severity};
use crate::expand::expand;
use crate::goversion::{GoAxis, check_go_mod, expand_per_go};
use crate::select::{Selector, assign_shards_grouped};
use crate::template::Placeholder;
use crate::{
    ArchiveFile, ArchiveFormat, GoInfo, GoVersion, Libc, PLAN_SCHEMA_VERSION, Plan, PlannedArchive,
    PlannedGo, PlannedTarget, PlannedUniversal, ProjectInfo, Requirement, STAGING_DIR,
    SelectionInfo, Shard, Target, VariantSetting, VariantVar, VcsInfo,
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
    let config_errors = |diagnostics: Vec<Diagnostic>| ConfigErrors {
        file: config.file.clone(),
        diagnostics,
    };
    let unresolved: Vec<Diagnostic> = config
        .go_versions
        .iter()
        .filter(|v| !go_axis.toolchains.iter().any(|t| t.requested == v.value))
        .map(|v| {
            Diagnostic::error(
                format!("Go {} was not resolved to a toolchain (hint: this is a bug in the caller of the planner)", v.value),
                Some(v.span.clone()),
            )
        })
        .collect();
    if !unresolved.is_empty() {
        return Err(PlanError::Config(config_errors(unresolved)));
    }
    let expansion = if config.go_versions.is_empty() {
        expand(config, catalog).map_err(config_errors)?
    } else {
        let toolchains: Vec<&str> = config
            .go_versions
            .iter()
            .filter_map(|v| {
                go_axis
                    .toolchains
                    .iter()
                    .find(|t| t.requested == v.value)
                    .map(|t| t.toolchain.as_str())
            })
            .collect();
        check_go_mod(config, &toolchains, go_axis.go_mod.as_ref())?;
        expand_per_go(config, &go_axis.toolchains).map_err(config_errors)?
    };
    let mut warnings = expansion.warnings;
    let name = binary_name(config, context);
    let module_dir = context.base_dir.join(&config.project.dir);

    let mut override_hits = vec![0usize; config.overrides.len()];
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    let mut outputs: BTreeMap<String, (String, Range<usize>)> = BTreeMap::new();
    let mut packer = Packer::new(&module_dir);
    let module_dir_text = path_string(&module_dir);
    targets.reserve(expansion.targets.len());
    for expanded in &expansion.targets {
        let target = &expanded.target;
        // A target of the `go` axis is described by its own release's catalog and built by
        // its toolchain; the others by the Go at hand.
        let release = target.go.and_then(|go| {
            go_axis
                .toolchains
                .iter()
                .find(|resolved| resolved.requested == go)
        });
        let catalog = release.map_or(catalog, |resolved| &resolved.catalog);
        let names = TargetNames::new(target, &name, &context.vcs, &catalog.go_version);
        let mut settings = Settings {
            flags: config.build.flags.iter().collect(),
            ldflags: config.build.ldflags.iter().collect(),
            gcflags: config.build.gcflags.iter().collect(),
            asmflags: config.build.asmflags.iter().collect(),
            tags: config.build.tags.iter().map(String::as_str).collect(),
            env: config
                .build
                .env
                .iter()
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
            cc: config.build.cc.as_ref(),
            cxx: config.build.cxx.as_ref(),
            output: &config.build.output,
            policy: config.policy.clone(),
            archive: config.build.archive.as_ref(),
            archive_name: &config.build.archive_name,
            archive_files: &config.build.archive_files,
        };
        for (index, entry) in config.overrides.iter().enumerate() {
            if !entry.selector.value.matches_id(&names.id) {
                continue;
            }
            override_hits[index] += 1;
            settings.flags.extend(&entry.flags);
            settings.ldflags.extend(&entry.ldflags);
            settings.gcflags.extend(&entry.gcflags);
            settings.asmflags.extend(&entry.asmflags);
            settings.tags.extend(entry.tags.iter().map(String::as_str));
            settings
                .env
                .extend(entry.env.iter().map(|(k, v)| (k.as_str(), v)));
            settings.cc = entry.cc.as_ref().or(settings.cc);
            settings.cxx = entry.cxx.as_ref().or(settings.cxx);
            settings.output = entry.output.as_ref().unwrap_or(settings.output);
            if let Some(policy) = &entry.policy {
                settings.policy = merge_policy(&settings.policy, policy);
            }
            settings.archive = entry.archive.as_ref().or(settings.archive);
            settings.archive_name = entry.archive_name.as_ref().unwrap_or(settings.archive_name);
            if let Some(files) = &entry.archive_files {
                settings.archive_files = files;
            }
        }

        let values = |placeholder: Placeholder| names.value(placeholder);
        let output = settings.output.value.render(&values);
        if output.is_empty() || output.ends_with('/') || output.split('/').any(|part| part == "..")
        {
            errors.push(Diagnostic::error(
                format!(
                    "output path {output:?} of {target} is not a file inside the dist directory"
                ),
                Some(settings.output.span.clone()),
            ));
            continue;
        }
        match outputs.get(&output) {
            Some((other, _)) => {
                errors.push(Diagnostic::error(
                    format!(
                        "{target} and {other} would both write {output:?} (hint: put {{slug}} or {{os}}/{{arch}}/{{variant}}/{{libc}}{} in the output template)",
                        if config.go_versions.is_empty() { "" } else { "/{go}" }
                    ),
                    Some(settings.output.span.clone()),
                ));
                continue;
            }
            None => {
                outputs.insert(
                    output.clone(),
                    (names.id.clone(), settings.output.span.clone()),
                );
            }
        }

        let requirements = match requirements(target, &settings, config, context, &values) {
            Ok(requirements) => requirements,
            Err(message) => {
                errors.push(Diagnostic::error(message, Some(expanded.origin.clone())));
                continue;
            }
        };
        let file_name = output.rsplit('/').next().unwrap_or(&output).to_owned();
        let staging = context
            .dist_dir
            .join(STAGING_DIR)
            .join(&names.slug)
            .join(&file_name);
        let argv = build_argv(config, target, &settings, &staging, &values);
        let mut env = build_env(target, &settings, catalog, &values);
        if let Some(resolved) = release {
            // After `[build] env`: the axis decides which Go builds, not a stray setting.
            env.insert("GOTOOLCHAIN".to_owned(), resolved.toolchain.clone());
        }
        let archive = match packer.archive(
            target,
            &names,
            settings.archive,
            settings.archive_name,
            settings.archive_files,
        ) {
            Ok(archive) => archive,
            Err(diagnostic) => {
                errors.push(diagnostic);
                continue;
            }
        };
        let TargetNames { slug, .. } = names;
        targets.push(PlannedTarget {
            id: target.clone(),
            slug,
            goos: target.goos.clone(),
            goarch: target.goarch.clone(),
            variant: variant_setting(target, &catalog.default_goarm),
            cgo: target.cgo,
            libc: target.libc.as_ref().map(Libc::to_string),
            first_class: catalog
                .port(&target.goos, &target.goarch)
                .is_some_and(|port| port.first_class),
            output,
            staging_output: path_string(&staging),
            cwd: module_dir_text.clone(),
            argv,
            env,
            requirements,
            policy: settings.policy,
            shard: None,
            archive,
            go: release.map(|resolved| PlannedGo {
                requested: resolved.requested,
                toolchain: resolved.toolchain.clone(),
            }),
        });
    }
    let universal =
        match packer.universal(config, &targets, &name, &context.vcs, &catalog.go_version) {
            Ok(universal) => universal,
            Err(diagnostic) => {
                errors.push(diagnostic);
                Vec::new()
            }
        };
    errors.append(&mut packer.errors);
    let archives = targets
        .iter()
        .filter_map(|t| t.archive.as_ref())
        .chain(universal.iter().filter_map(|u| u.archive.as_ref()));
    for archive in archives {
        if let Some((other, span)) = outputs.get(&archive.path) {
            errors.push(Diagnostic::error(
                format!("an archive would overwrite the artifact of {other}, {:?} (hint: change `archive_name` or `output`)", archive.path),
                Some(span.clone()),
            ));
        }
    }
    for (entry, hits) in config.overrides.iter().zip(override_hits) {
        if hits == 0 {
            warnings.push(Diagnostic::warning(
                format!(
                    "override `match = {:?}` matches no target, so it changes nothing",
                    entry.selector.value.as_str()
                ),
                Some(entry.selector.span.clone()),
            ));
        }
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(PlanError::Config(config_errors(errors)));
    }

    let matrix_size = targets.len();
    let (targets, universal) = select(targets, universal, selection)?;
    let rendered_warnings = warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.render(&config.file).trim_end().to_owned())
        .collect();
    Ok(Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        crosscheck_version: context.crosscheck_version.clone(),
        matrix_file: config.file.name.clone(),
        go: GoInfo {
            command: config.build.go.clone(),
            version: catalog.go_version.clone(),
            catalog: catalog.source,
            axis: go_axis
                .toolchains
                .iter()
                .map(|resolved| PlannedGo {
                    requested: resolved.requested,
                    toolchain: resolved.toolchain.clone(),
                })
                .collect(),
        },
        project: ProjectInfo {
            name,
            module_dir: path_string(&module_dir),
            main: config.project.main.clone(),
            vcs: context.vcs.clone(),
        },
        dist_dir: path_string(&context.dist_dir),
        pass_env: config.build.pass_env.clone(),
        selection: SelectionInfo {
            targets: selection
                .targets
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            exclude: selection
                .exclude
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            shard: selection.shard,
        },
        targets,
        matrix_size,
        collapsed: expansion.collapsed,
        skipped: expansion.skipped,
        warnings: rendered_warnings,
        universal,
        sbom: config.build.sbom.as_ref().is_none_or(|flag| flag.value),
    })
}

fn select(
    targets: Vec<PlannedTarget>,
    universal: Vec<PlannedUniversal>,
    selection: &SelectionRequest,
) -> Result<(Vec<PlannedTarget>, Vec<PlannedUniversal>), PlanError> {
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
    let mut selected: Vec<PlannedTarget> = targets
        .into_iter()
        .filter(|t| {
            (selection.targets.is_empty() || selection.targets.iter().any(|s| s.matches(&t.id)))
                && !selection.exclude.iter().any(|s| s.matches(&t.id))
        })
        .collect();
    if selected.is_empty() {
        return Err(PlanError::Selection(
            "the selection leaves no target (hint: --exclude removed everything --target chose)"
                .to_owned(),
        ));
    }
    if let Some(shard) = selection.shard {
        let ids: Vec<Target> = selected.iter().map(|t| t.id.clone()).collect();
        // A universal binary is assembled from its inputs' artifacts, so they share a shard.
        let groups: Vec<Vec<usize>> = universal
            .iter()
            .map(|u| {
                u.inputs
                    .iter()
                    .filter_map(|input| ids.iter().position(|id| id.id() == *input))
                    .collect()
            })
            .collect();
        let parts = assign_shards_grouped(&ids, &groups, shard.count);
        for (target, part) in selected.iter_mut().zip(&parts) {
            target.shard = Some(part + 1);
        }
        selected.retain(|t| t.shard == Some(shard.index));
    }
    let kept: Vec<String> = selected.iter().map(|t| t.id.id()).collect();
    let universal = universal
        .into_iter()
        .filter(|u| u.inputs.iter().all(|input| kept.contains(input)))
        .collect();
    Ok((selected, universal))
}

/// Plans archives and universal binaries, collecting the errors it finds on the way.
struct Packer<'a> {
    module_dir: &'a Path,
    /// Archive and output paths taken so far, with the target that took each.
    paths: BTreeMap<String, String>,
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
        let values = |placeholder: Placeholder| names.value(placeholder);
        let path = format!("{}{}", template.value.render(&values), format.extension());
        if path.split('/').any(|part| part.is_empty() || part == "..") {
            return Err(Diagnostic::error(
                format!(
                    "archive path {path:?} of {target} is not a file inside the dist directory"
                ),
                Some(template.span.clone()),
            ));
        }
        if let Some(other) = self.paths.get(&path) {
            return Err(Diagnostic::error(
                format!(
                    "the archives of {target} and {other} would both be {path:?} (hint: put {{slug}} in `archive_name`)"
                ),
                Some(template.span.clone()),
            ));
        }
        self.paths.insert(path.clone(), names.id.clone());
        let binary = format!("{}{}", names.name, target.exe_suffix());
        let mut entries: Vec<ArchiveFile> = Vec::new();
        for pattern in files {
            let resolved = match self.resolved.get(&pattern.value) {
                Some(resolved) => resolved.clone(),
                None => {
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
                                ResolveError::Unreadable(what) => {
                                    format!("cannot be searched ({what})")
                                }
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
            };
            for file in resolved {
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
        Ok(Some(PlannedArchive {
            format,
            path,
            binary,
            files: entries,
        }))
    }

    /// The universal binaries `universal = true` asks for: one per cgo setting for which the
    /// matrix has both plain darwin/amd64 and darwin/arm64.
    fn universal(
        &mut self,
        config: &Config,
        targets: &[PlannedTarget],
        name: &str,
        vcs: &VcsInfo,
        go_version: &str,
    ) -> Result<Vec<PlannedUniversal>, Diagnostic> {
        let Some(flag) = config.build.universal.as_ref().filter(|flag| flag.value) else {
            return Ok(Vec::new());
        };
        let find = |arch: &str, cgo: bool, go: Option<GoVersion>| {
            targets.iter().find(|t| {
                t.goos == "darwin"
                    && t.goarch == arch
                    && t.cgo == cgo
                    && t.id.variant.is_none()
                    && t.id.go == go
            })
        };
        // With a `go` axis, each release gets its own universal binary from its own slices.
        let mut releases: Vec<Option<GoVersion>> = targets.iter().map(|t| t.id.go).collect();
        releases.sort();
        releases.dedup();
        let mut planned = Vec::new();
        for (go, cgo) in releases.iter().flat_map(|&go| [(go, false), (go, true)]) {
            let (Some(amd64), Some(arm64)) = (find("amd64", cgo, go), find("arm64", cgo, go))
            else {
                continue;
            };
            let target = Target {
                goos: "darwin".to_owned(),
                goarch: "universal".to_owned(),
                variant: None,
                cgo,
                libc: None,
                go,
            };
            let names = TargetNames::new(&target, name, vcs, go_version);
            let mut output_template = &config.build.output;
            let mut archive_format = config.build.archive.as_ref();
            let mut archive_name = &config.build.archive_name;
            let mut archive_files: &[Located<String>] = &config.build.archive_files;
            for entry in &config.overrides {
                if entry.selector.value.matches_id(&names.id) {
                    output_template = entry.output.as_ref().unwrap_or(output_template);
                    archive_format = entry.archive.as_ref().or(archive_format);
                    archive_name = entry.archive_name.as_ref().unwrap_or(archive_name);
                    if let Some(files) = &entry.archive_files {
                        archive_files = files;
                    }
                }
            }
            let values = |placeholder: Placeholder| names.value(placeholder);
            let output = output_template.value.render(&values);
            if targets.iter().any(|t| t.output == output) {
                return Err(Diagnostic::error(
                    format!(
                        "the universal binary {} would overwrite another target's output {output:?} (hint: put {{slug}} or {{arch}} in the output template)",
                        names.id
                    ),
                    Some(output_template.span.clone()),
                ));
            }
            let archive =
                self.archive(&target, &names, archive_format, archive_name, archive_files)?;
            planned.push(PlannedUniversal {
                id: names.id.clone(),
                slug: names.slug.clone(),
                inputs: vec![amd64.id.id(), arm64.id.id()],
                cgo,
                output,
                archive,
            });
        }
        if planned.is_empty() {
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
            return Err(Diagnostic::error(
                format!(
                    "`universal = true` needs both darwin/amd64 and darwin/arm64 with the same cgo setting in the matrix, but {has} (hint: add \"darwin\" to `os` and both arches to `arch`, or drop `universal`)"
                ),
                Some(flag.span.clone()),
            ));
        }
        Ok(planned)
    }
}

fn binary_name(config: &Config, context: &PlanContext) -> String {
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

/// A target's names and the project's stamps, computed once per target for its templates.
struct TargetNames<'a> {
    id: String,
    slug: String,
    target: &'a Target,
    name: &'a str,
    vcs: &'a VcsInfo,
    /// `{go}`: the axis release (`go1.25`), else the Go at hand's version.
    go: String,
}

impl<'a> TargetNames<'a> {
    fn new(
        target: &'a Target,
        name: &'a str,
        vcs: &'a VcsInfo,
        go_version: &str,
    ) -> TargetNames<'a> {
        TargetNames {
            id: target.id(),
            slug: target.slug(),
            target,
            name,
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
    argv.push(config.project.main.clone());
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
