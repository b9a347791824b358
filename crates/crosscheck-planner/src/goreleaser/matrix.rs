//! `[matrix]`: axes when they give exactly the targets GoReleaser builds (checked by
//! expanding them as `crosscheck plan` would, against Go's port list), an explicit
//! `targets` list otherwise; and each binary's `targets` selectors when the builds' target
//! sets differ.

use std::collections::BTreeMap;

use crate::{Config, SourceFile, Target, VariantVar, expand};

use super::convert::{Binary, Converter};
use super::emit::{Document, TableOut, toml_list, toml_str};
use super::findings::Place;
use super::model::Partial;
use super::targets::{Listed, list_axes};

/// Every binary's targets, each once, in the order they first appear.
pub(crate) fn distinct_targets(binaries: &[Binary<'_>]) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    for built in binaries.iter().flat_map(|b| &b.built) {
        if !targets.contains(&built.target) {
            targets.push(built.target.clone());
        }
    }
    targets
}

/// Axis keys and their TOML values, in the order they are written.
type AxisLines = Vec<(String, String)>;

/// How `[matrix]` says the targets.
pub(crate) enum Form {
    /// These axes, which expand to exactly the targets.
    Axes(AxisLines),
    /// An explicit `targets` list.
    Targets,
}

/// Chooses axes when they give exactly the builds' targets, and then writes each target as
/// the expansion does (`linux/amd64/v1` when `goamd64` lists `v1`), so that overrides,
/// selectors and templates name the targets the plan will have.
pub(crate) fn decide(cx: &Converter<'_>, binaries: &mut [Binary<'_>]) -> Form {
    let all = distinct_targets(binaries);
    if !binaries.iter().all(|b| b.built.len() == all.len()) {
        return Form::Targets;
    }
    let Some((lines, expanded)) = axes_for(cx, binaries, &all) else {
        return Form::Targets;
    };
    for built in binaries.iter_mut().flat_map(|b| b.built.iter_mut()) {
        if let Some(target) = expanded
            .iter()
            .find(|t| canonical(t) == canonical(&built.target))
        {
            built.target = target.clone();
        }
    }
    Form::Axes(lines)
}

/// Writes `[matrix]`, and `targets` into the `[[binary]]` tables that build fewer targets
/// than the matrix has.
pub(crate) fn write(binaries: &[Binary<'_>], form: Form, multi: bool, document: &mut Document) {
    let all = distinct_targets(binaries);
    let mut table = TableOut::new("[matrix]", Place::Matrix);
    match form {
        Form::Axes(lines) => {
            for (key, value) in lines {
                table.key(&key, value);
            }
            table.comment("Pairs Go has no port for are skipped, as GoReleaser skips them; `crosscheck plan` lists them.");
        }
        Form::Targets => {
            let ids: Vec<String> = all.iter().map(Target::id).collect();
            table.key("targets", multiline_list(&ids));
        }
    }
    document.tables.push(table);
    if !multi {
        return;
    }
    for binary in binaries {
        if binary.built.len() == all.len() {
            continue;
        }
        let selectors = selectors(binary, &all);
        if let Some(table) = document.table(binary.place) {
            table.key("targets", toml_list(&selectors));
        }
    }
}

/// The axes (and `exclude` from the build's `ignore`) that expand to exactly `all`, if
/// there are any.
fn axes_for(
    cx: &Converter<'_>,
    binaries: &[Binary<'_>],
    all: &[Target],
) -> Option<(AxisLines, Vec<Target>)> {
    let mut lines = Vec::new();
    let unique = |values: Vec<String>| {
        let mut unique: Vec<String> = Vec::new();
        for value in values {
            if !unique.contains(&value) {
                unique.push(value);
            }
        }
        unique
    };
    let os = unique(all.iter().map(|t| t.goos.clone()).collect());
    let arch = unique(all.iter().map(|t| t.goarch.clone()).collect());
    lines.push(("os".to_owned(), toml_list(&os)));
    lines.push(("arch".to_owned(), toml_list(&arch)));
    if all.iter().all(|t| t.cgo) {
        lines.push(("cgo".to_owned(), "[true]".to_owned()));
    } else if all.iter().any(|t| t.cgo) {
        return None;
    }
    for var in VariantVar::ALL {
        let values = unique(
            all.iter()
                .filter(|t| VariantVar::for_arch(&t.goarch) == Some(var))
                .map(|t| {
                    t.variant
                        .as_ref()
                        .map_or_else(|| var.default_value("7"), |v| v.value.clone())
                })
                .collect(),
        );
        let defaults_only = values.iter().all(|v| *v == var.default_value("7"));
        if !values.is_empty() && (var == VariantVar::Goarm || !defaults_only) {
            lines.push((var.config_key().to_owned(), toml_list(&values)));
        }
    }
    if let Some(expanded) = expands_to(cx, &lines, all) {
        return Some((lines, expanded));
    }
    let [binary] = binaries else { return None };
    let excludes = excludes(binary)?;
    lines.push(("exclude".to_owned(), excludes));
    let expanded = expands_to(cx, &lines, all)?;
    Some((lines, expanded))
}

/// The targets the matrix `lines` expands to with Go's port list, when they are exactly
/// `expected` (sub-architectures equal to Go's default aside) and without warnings.
fn expands_to(
    cx: &Converter<'_>,
    lines: &[(String, String)],
    expected: &[Target],
) -> Option<Vec<Target>> {
    let mut text = "version = 1\n[matrix]\n".to_owned();
    for (key, value) in lines {
        text.push_str(&format!("{key} = {value}\n"));
    }
    let config = Config::parse(SourceFile::new("<candidate>", text)).ok()?;
    let expansion = expand(&config, &cx.catalog).ok()?;
    if !expansion.warnings.is_empty() {
        return None;
    }
    let key = |t: &Target| canonical(t).id();
    let mut got: Vec<String> = expansion.targets.iter().map(|e| key(&e.target)).collect();
    let mut want: Vec<String> = expected.iter().map(key).collect();
    got.sort();
    want.sort();
    (got == want).then(|| expansion.targets.into_iter().map(|e| e.target).collect())
}

/// The target with a sub-architecture equal to Go's default left out (GOARM kept).
fn canonical(target: &Target) -> Target {
    let mut target = target.clone();
    if let Some(variant) = &target.variant
        && variant.var != VariantVar::Goarm
        && variant.value == variant.var.default_value("7")
    {
        target.variant = None;
    }
    target
}

/// `exclude` entries from the build's `ignore` entries that removed something.
fn excludes(binary: &Binary<'_>) -> Option<String> {
    let used: Vec<usize> = list_axes(binary.build)
        .into_iter()
        .filter_map(|listed| match listed {
            Listed::Ignored(index) => Some(index),
            _ => None,
        })
        .collect();
    let mut entries = Vec::new();
    for (index, ignore) in binary.build.ignore.iter().enumerate() {
        if used.contains(&index) {
            entries.push(exclude_entry(ignore)?);
        }
    }
    (!entries.is_empty()).then(|| format!("[{}]", entries.join(", ")))
}

/// One `ignore` entry as a partial target; `None` when crosscheck's tuple cannot say it (a
/// sub-architecture without its arch).
fn exclude_entry(ignore: &Partial) -> Option<String> {
    let mut fields = Vec::new();
    if let Some(goos) = ignore.goos.as_ref().filter(|v| !v.value.is_empty()) {
        fields.push(format!("os = {}", toml_str(&goos.value)));
    }
    let arch = ignore.goarch.as_ref().filter(|v| !v.value.is_empty());
    if let Some(arch) = arch {
        fields.push(format!("arch = {}", toml_str(&arch.value)));
    }
    for (index, value) in ignore.variants.iter().enumerate() {
        let Some(value) = value.as_ref().filter(|v| !v.value.is_empty()) else {
            continue;
        };
        let var = VariantVar::for_arch(&arch?.value)?;
        if variant_slot(var) != index {
            return None;
        }
        fields.push(format!("{} = {}", var.config_key(), toml_str(&value.value)));
    }
    Some(format!("{{ {} }}", fields.join(", ")))
}

/// Which of GoReleaser's sub-architecture keys (`VARIANT_KEYS`) sets `var`.
fn variant_slot(var: VariantVar) -> usize {
    match var {
        VariantVar::Goamd64 => 0,
        VariantVar::Go386 => 1,
        VariantVar::Goarm => 2,
        VariantVar::Goarm64 => 3,
        VariantVar::Gomips | VariantVar::Gomips64 => 4,
        VariantVar::Goppc64 => 5,
        VariantVar::Goriscv64 => 6,
        VariantVar::Gowasm => usize::MAX,
    }
}

/// A binary's targets as selectors: `os/*` for a system whose every matrix target it
/// builds, the ids of the others.
fn selectors(binary: &Binary<'_>, all: &[Target]) -> Vec<String> {
    let mine: Vec<&Target> = binary.built.iter().map(|b| &b.target).collect();
    let mut by_os: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    for target in all {
        let entry = by_os.entry(target.goos.as_str()).or_default();
        entry.0 += 1;
        if mine.contains(&target) {
            entry.1.push(target.id());
        }
    }
    let mut selectors = Vec::new();
    let mut seen = Vec::new();
    for target in all.iter().filter(|t| mine.contains(t)) {
        let os = target.goos.as_str();
        if seen.contains(&os) {
            continue;
        }
        seen.push(os);
        let (total, ids) = &by_os[os];
        if ids.len() == *total {
            selectors.push(format!("{os}/*"));
        } else {
            selectors.extend(ids.iter().cloned());
        }
    }
    selectors
}

/// A list with one item per line when it is long.
fn multiline_list(items: &[String]) -> String {
    if items.len() <= 4 {
        return toml_list(items);
    }
    let lines: Vec<String> = items
        .iter()
        .map(|item| format!("  {},", toml_str(item)))
        .collect();
    format!("[\n{}\n]", lines.join("\n"))
}
