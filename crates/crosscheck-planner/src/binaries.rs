//! Several binaries (`[[binary]]`): which binary is built for which target, which of them a
//! selection keeps, and the archives their builds share.
//!
//! A build is a (binary, target) pair. Without `[[binary]]`, `[project]` describes one
//! binary and its builds' ids are the targets' ids; with two or more, each id starts with
//! the binary's name (`server:linux/amd64`).

use std::collections::BTreeMap;

use crate::config::{BinaryConfig, Config};
use crate::diagnostic::Diagnostic;
use crate::expand::Expanded;
use crate::plan::PlanError;
use crate::{
    ArchivedBinary, PlannedArchive, PlannedBinary, PlannedTarget, PlannedUniversal, Target,
};

/// One binary of the project, as the planner builds it.
pub(crate) struct BinarySpec<'a> {
    /// Its name: the prefix of its builds' ids (when `in_id`), what `--binary` picks.
    pub name: String,
    /// `{binary}`: the file name of its artifacts, without `.exe`.
    pub file_name: String,
    /// Its main package, relative to the module directory.
    pub main: &'a str,
    /// Its table; `None` for the one binary `[project]` describes.
    pub config: Option<&'a BinaryConfig>,
    /// Whether its name starts its builds' ids: the project has several binaries.
    pub in_id: bool,
}

impl BinarySpec<'_> {
    /// Whether it is built for `target` (its `targets` selectors, all when it has none).
    pub fn builds_for(&self, target: &Target) -> bool {
        self.config.is_none_or(|binary| {
            binary.targets.is_empty()
                || binary
                    .targets
                    .iter()
                    .any(|selector| selector.value.matches(target))
        })
    }

    /// Its build of `target`.
    pub fn build_target(&self, target: &Target) -> Target {
        target.for_binary(self.in_id.then_some(self.name.as_str()))
    }

    /// `diagnostic`, pointing at this binary's table when it points nowhere in particular
    /// (a problem with a default template, which is written nowhere).
    pub fn locate(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        if let Some(binary) = self.config
            && diagnostic.span.as_ref().is_none_or(|span| span.is_empty())
        {
            diagnostic.span = Some(binary.file_name.span.clone());
        }
        diagnostic
    }

    /// Whether its artifacts go into archives (`archive = false` in its table: not).
    pub fn archived(&self) -> bool {
        self.config.is_none_or(|binary| binary.archive)
    }
}

/// The binaries the planner builds: one per `[[binary]]`, or the one `[project]` describes,
/// named `project_name`.
pub(crate) fn binary_specs<'a>(config: &'a Config, project_name: &str) -> Vec<BinarySpec<'a>> {
    if config.binaries.is_empty() {
        return vec![BinarySpec {
            name: project_name.to_owned(),
            file_name: project_name.to_owned(),
            main: &config.project.main,
            config: None,
            in_id: false,
        }];
    }
    let in_id = config.binaries.len() > 1;
    config
        .binaries
        .iter()
        .map(|binary| BinarySpec {
            name: binary.name.value.clone(),
            file_name: binary.file_name.value.clone(),
            main: &binary.main.value,
            config: Some(binary),
            in_id,
        })
        .collect()
}

/// The binaries as the plan records them; empty without `[[binary]]`.
pub(crate) fn planned_binaries(config: &Config) -> Vec<PlannedBinary> {
    config
        .binaries
        .iter()
        .map(|binary| PlannedBinary {
            name: binary.name.value.clone(),
            file_name: binary.file_name.value.clone(),
            main: binary.main.value.clone(),
        })
        .collect()
}

/// A binary's `targets` selector that matches no target of the matrix is most likely a
/// typo, which would silently build the binary for fewer targets: an error.
pub(crate) fn unmatched_binary_targets(
    binaries: &[BinarySpec<'_>],
    targets: &[Expanded],
) -> Vec<Diagnostic> {
    let selectors = binaries
        .iter()
        .filter_map(|binary| Some((binary.name.as_str(), binary.config?)))
        .flat_map(|(name, config)| config.targets.iter().map(move |s| (name, s)));
    selectors
        .filter(|(_, selector)| !targets.iter().any(|t| selector.value.matches(&t.target)))
        .map(|(name, selector)| {
            let ids: Vec<String> = targets.iter().map(|t| t.target.id()).collect();
            Diagnostic::error(
                format!(
                    "selector {:?} of binary {name:?} matches no target of the matrix (hint: the matrix has {})",
                    selector.value.as_str(),
                    ids.join(", ")
                ),
                Some(selector.span.clone()),
            )
        })
        .collect()
}

/// The binaries `--binary` keeps, as they appear in build ids (`None` for the one binary of
/// a project without `[[binary]]`); every binary when `names` is empty.
pub(crate) fn picked_binaries<'b>(
    binaries: &'b [BinarySpec<'_>],
    names: &[String],
) -> Result<Vec<Option<&'b str>>, PlanError> {
    let id_part = |binary: &'b BinarySpec<'_>| binary.in_id.then_some(binary.name.as_str());
    if names.is_empty() {
        return Ok(binaries.iter().map(id_part).collect());
    }
    names
        .iter()
        .map(|name| {
            let found = binaries.iter().find(|binary| binary.name == *name);
            found.map(id_part).ok_or_else(|| {
                let known: Vec<&str> = binaries.iter().map(|b| b.name.as_str()).collect();
                let hint = match crate::closest(name, known.iter().copied()) {
                    Some(suggestion) => format!("did you mean {suggestion:?}?"),
                    None => format!("the project's binaries are {}", known.join(", ")),
                };
                PlanError::Selection(format!(
                    "--binary {name:?} names no binary of the project (hint: {hint})"
                ))
            })
        })
        .collect()
}

/// Tells every build in a shared archive which other builds' binaries go into it: the
/// builds (or universal binaries) whose archives have the same path. Run on the selected
/// builds, so that an archive holds what this run builds.
pub(crate) fn share_archives(targets: &mut [PlannedTarget], universal: &mut [PlannedUniversal]) {
    let builds = targets.iter_mut().map(|t| (t.id.id(), t.archive.as_mut()));
    let universal = universal
        .iter_mut()
        .map(|u| (u.id.clone(), u.archive.as_mut()));
    let mut archives: Vec<(String, &mut PlannedArchive)> = builds
        .chain(universal)
        .filter_map(|(id, archive)| Some((id, archive?)))
        .collect();
    let mut members: BTreeMap<String, Vec<ArchivedBinary>> = BTreeMap::new();
    for (id, archive) in &archives {
        members
            .entry(archive.path.clone())
            .or_default()
            .push(ArchivedBinary {
                id: id.clone(),
                name: archive.binary.clone(),
            });
    }
    for (id, archive) in &mut archives {
        archive.shared_with = members[&archive.path]
            .iter()
            .filter(|member| member.id != *id)
            .cloned()
            .collect();
    }
}
