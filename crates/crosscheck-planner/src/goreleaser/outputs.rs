//! What the builds leave behind: archives (`archives`), checksums (`checksum`), SBOMs
//! (`sboms`), universal binaries (`universal_binaries`), and the commands around the
//! builds (`before.hooks`, `builds[].hooks`).

use std::collections::BTreeMap;

use super::convert::{Binary, Converter};
use super::emit::{Document, TableOut, toml_commands, toml_list, toml_str};
use super::findings::{FindingKind, Place};
use super::model::{Archive, At, Hook, Project, truth};
use super::settings;
use super::translate::{Built, Scope, evaluate_for};

/// GoReleaser's archive name when `name_template` is not set.
const DEFAULT_ARCHIVE_NAME: &str = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}";
/// ... and when the format is `binary` (no archive, the binary renamed).
const DEFAULT_BINARY_NAME: &str = "{{ .Binary }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}";
/// GoReleaser's archive files when `files` is not set (globs, matched case-sensitively).
const DEFAULT_FILES: [&str; 6] = [
    "license",
    "LICENSE",
    "readme",
    "README",
    "changelog",
    "CHANGELOG",
];

/// Writes the archive, checksum, SBOM and universal keys, then the `[[override]]` tables
/// (the builds' and the archive formats'), then `[hooks]`.
pub(crate) fn write(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    mut overrides: Vec<TableOut>,
    multi: bool,
    document: &mut Document,
) {
    archives(cx, project, binaries, multi, document, &mut overrides);
    checksum(cx, project, document);
    sbom(cx, project, document);
    universal(cx, project, binaries, multi, document, &mut overrides);
    document.tables.extend(overrides);
    hooks(cx, project, binaries, multi, document);
}

/// The archives each binary is in: those without `ids`, or whose `ids` name its build.
fn holds(archive: &Archive, binary: &Binary<'_>) -> bool {
    match &archive.ids {
        Some(ids) if !ids.value.is_empty() => ids.value.iter().any(|id| id.value == binary.id),
        _ => true,
    }
}

/// A GoReleaser archive format as crosscheck's `archive` value.
fn format_of(format: &str) -> Option<&'static str> {
    match format {
        "tar.gz" | "tgz" => Some("tar.gz"),
        "zip" => Some("zip"),
        "binary" | "none" => Some("none"),
        _ => None,
    }
}

/// The first of an archive's formats (GoReleaser's default `tar.gz`), as crosscheck's value.
fn first_format(
    cx: &mut Converter<'_>,
    formats: Option<&At<Vec<At<String>>>>,
    key: &str,
) -> &'static str {
    let Some(formats) = formats.filter(|f| !f.value.is_empty()) else {
        return "tar.gz";
    };
    for extra in &formats.value[1..] {
        cx.note(
            FindingKind::NotTranslated,
            extra.at,
            key,
            format!(
                "a second format ({}): crosscheck writes one archive format per target",
                extra.value
            ),
            Place::Archive,
        );
    }
    let first = &formats.value[0];
    format_of(&first.value).unwrap_or_else(|| {
        cx.note(
            FindingKind::Approximated,
            first.at,
            key,
            format!(
                "{:?}: crosscheck writes tar.gz and zip archives; tar.gz it is",
                first.value
            ),
            Place::Archive,
        );
        "tar.gz"
    })
}

/// `archives`: the one most binaries are in gives `[build]`'s archive keys; binaries in
/// none get `archive = false`, those in another one its `archive_name`.
fn archives(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    multi: bool,
    document: &mut Document,
    overrides: &mut Vec<TableOut>,
) {
    let default_archive = Archive::default();
    let list: Vec<&Archive> = match &project.archives {
        Some(archives) if !archives.value.is_empty() => archives.value.iter().collect(),
        _ => vec![&default_archive],
    };
    let mut usable = Vec::new();
    for archive in list {
        if let Some(meta) = archive
            .meta
            .as_ref()
            .filter(|m| truth(&m.value) == Some(true))
        {
            cx.note(
                FindingKind::NotTranslated,
                meta.at,
                format!("archives[{}].meta", archive.index),
                "an archive of files only: crosscheck archives binaries",
                Place::Archive,
            );
            continue;
        }
        usable.push(archive);
    }
    let members = |archive: &Archive| binaries.iter().filter(|b| holds(archive, b)).count();
    let primary = usable
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|(index, archive)| (members(archive), std::cmp::Reverse(*index)))
        .map(|(_, archive)| archive)
        .filter(|archive| members(archive) > 0);
    let Some(primary) = primary else {
        if let Some(build) = document.table(Place::Build) {
            build.key("archive", toml_str("none"));
            build.comment("No GoReleaser archive holds these builds.");
        }
        return;
    };
    let in_primary: Vec<&Binary<'_>> = binaries.iter().filter(|b| holds(primary, b)).collect();
    let (base, name) = primary_archive(cx, primary, &in_primary, multi, document, overrides);
    let plan = ArchivePlan {
        usable,
        primary,
        base,
        name,
    };
    for index in 0..binaries.len() {
        other_archives(cx, &plan, binaries, index, multi, document);
    }
}

/// The archives that hold binaries, and the one `[build]` describes (most binaries are in
/// it) with its format and translated name.
struct ArchivePlan<'a> {
    usable: Vec<&'a Archive>,
    primary: &'a Archive,
    base: &'static str,
    name: Option<String>,
}

/// The archive most binaries are in: `[build]`'s archive keys.
fn primary_archive(
    cx: &mut Converter<'_>,
    archive: &Archive,
    members: &[&Binary<'_>],
    multi: bool,
    document: &mut Document,
    overrides: &mut Vec<TableOut>,
) -> (&'static str, Option<String>) {
    let path = format!("archives[{}]", archive.index);
    let base = first_format(cx, archive.formats.as_ref(), &format!("{path}.formats"));
    let targets: Vec<Built> = members
        .iter()
        .flat_map(|b| b.built.iter().cloned())
        .collect();
    let mut lines: Vec<(String, String)> = Vec::new();
    format_keys(cx, archive, base, &targets, &mut lines, overrides);
    let name = archive_name(cx, archive, base, &targets, members, multi);
    match (base, &name) {
        ("none", Some(name)) if !multi || name.contains("{binary}") => {
            lines.push(("output".to_owned(), toml_str(&format!("{name}{{ext}}"))));
        }
        ("none", _) => {}
        (_, Some(name)) => {
            cgo_apart(cx, archive, members, name, multi, overrides);
            lines.push(("archive_name".to_owned(), toml_str(name)));
        }
        (_, None) => {}
    }
    if let Some(files) = archive_files(cx, archive) {
        lines.push(("archive_files".to_owned(), toml_list(&files)));
        if archive.files.is_none() {
            lines.push((String::new(), "GoReleaser's default archive files (LICENSE*, README*, CHANGELOG*, and lower case) found here.".to_owned()));
        }
    }
    if let Some(build) = document.table(Place::Build) {
        for (key, value) in lines {
            if key.is_empty() {
                build.comment(&value);
            } else {
                build.key(&key, value);
            }
        }
    }
    (base, name)
}

/// GoReleaser puts a platform's binaries in one archive whatever their cgo setting;
/// crosscheck shares an archive only among builds of one target. A cgo build whose
/// platform has builds without cgo in the same archive gets an archive of its own, named
/// with `_<binary's name>` added (its unique `[[binary]]` name: two binaries may share a
/// file name).
fn cgo_apart(
    cx: &mut Converter<'_>,
    archive: &Archive,
    members: &[&Binary<'_>],
    name: &str,
    multi: bool,
    overrides: &mut Vec<TableOut>,
) {
    if !multi || name.contains("{slug}") || name.contains("{id}") {
        return;
    }
    let platform = |t: &crate::Target| (t.goos.clone(), t.goarch.clone(), t.variant.clone());
    for binary in members {
        for built in binary.built.iter().filter(|b| b.target.cgo) {
            let shared = members.iter().any(|other| {
                other
                    .built
                    .iter()
                    .any(|b| !b.target.cgo && platform(&b.target) == platform(&built.target))
            });
            if !shared {
                continue;
            }
            let id = built.target.id();
            let mut table = TableOut::new("[[override]]", Place::Override);
            table.key("match", toml_str(&settings::selector(binary, &id, multi)));
            table.key("archive_name", toml_str(&format!("{name}_{}", binary.name)));
            overrides.push(table);
            let message = format!(
                "GoReleaser puts every binary of {} in one archive; crosscheck shares an archive only among builds of one target, and {}'s is built with cgo: it gets an archive of its own, named with _{}",
                built.gr.name, binary.name, binary.name
            );
            let key = format!("archives[{}].name_template", archive.index);
            cx.note(
                FindingKind::Approximated,
                archive.at,
                key,
                message,
                Place::Archive,
            );
        }
    }
}

/// `archive` in `[build]` and one `[[override]]` per system whose format differs, unless
/// every system gets crosscheck's default (tar.gz, zip for windows).
fn format_keys(
    cx: &mut Converter<'_>,
    archive: &Archive,
    base: &'static str,
    targets: &[Built],
    lines: &mut Vec<(String, String)>,
    overrides: &mut Vec<TableOut>,
) {
    let mut per_os: BTreeMap<String, &'static str> = BTreeMap::new();
    for over in &archive.format_overrides {
        let key = format!("archives[{}].format_overrides", archive.index);
        let Some(goos) = &over.goos else {
            cx.note(
                FindingKind::NotTranslated,
                over.at,
                key,
                "an override without goos applies to nothing",
                Place::Archive,
            );
            continue;
        };
        let format = first_format(cx, over.formats.as_ref(), &key);
        per_os.entry(goos.value.clone()).or_insert(format);
    }
    let systems: Vec<&str> = {
        let mut systems: Vec<&str> = targets.iter().map(|b| b.target.goos.as_str()).collect();
        systems.sort_unstable();
        systems.dedup();
        systems
    };
    let format_for = |os: &str| per_os.get(os).copied().unwrap_or(base);
    let default_for = |os: &str| if os == "windows" { "zip" } else { "tar.gz" };
    if systems.iter().all(|os| format_for(os) == default_for(os)) {
        return;
    }
    lines.push(("archive".to_owned(), toml_str(base)));
    for os in systems {
        if format_for(os) != base {
            let mut table = TableOut::new("[[override]]", Place::Override);
            table.key("match", toml_str(&format!("{os}/*")));
            table.key("archive", toml_str(format_for(os)));
            overrides.push(table);
        }
    }
}

/// The archive's name template, translated for its targets (GoReleaser's default when
/// not set, with v1's `replacements` applied to `.Os`, `.Arch` and `.Arm`).
fn archive_name(
    cx: &mut Converter<'_>,
    archive: &Archive,
    base: &str,
    targets: &[Built],
    members: &[&Binary<'_>],
    multi: bool,
) -> Option<String> {
    let default = if base == "none" {
        DEFAULT_BINARY_NAME
    } else {
        DEFAULT_ARCHIVE_NAME
    };
    let template = archive.name_template.clone().unwrap_or(At {
        value: default.to_owned(),
        at: archive.at,
    });
    let replaced: Vec<Built> = targets
        .iter()
        .map(|built| {
            let mut built = built.clone();
            for (from, to) in &archive.replacements {
                for field in [
                    &mut built.gr.goos,
                    &mut built.gr.goarch,
                    &mut built.gr.extras[2],
                ] {
                    if *field == from.value {
                        field.clone_from(&to.value);
                    }
                }
            }
            built
        })
        .collect();
    let replacing = !archive.replacements.is_empty();
    let project_name = cx.project_name.clone();
    let single_name = (members.len() == 1).then(|| members[0].file_name.as_str());
    let scope = Scope {
        targets: &replaced,
        project_name: project_name.as_deref(),
        name_value: if multi {
            project_name.as_deref()
        } else {
            single_name
        },
        binary: single_name,
        binary_placeholder: multi,
        path: false,
        replacements: replacing,
    };
    let key = format!("archives[{}].name_template", archive.index);
    cx.template(&template, &key, &scope, Place::Archive)
}

/// `files`: each `src` (GoReleaser's default globs resolved against the project's files,
/// since crosscheck rejects a pattern that matches nothing).
fn archive_files(cx: &mut Converter<'_>, archive: &Archive) -> Option<Vec<String>> {
    let Some(files) = &archive.files else {
        let found: Vec<String> = cx
            .options
            .top_level_files
            .iter()
            .filter(|name| DEFAULT_FILES.iter().any(|prefix| name.starts_with(prefix)))
            .cloned()
            .collect();
        return (!found.is_empty()).then_some(found);
    };
    let project_name = cx.project_name.clone();
    let scope = Scope {
        project_name: project_name.as_deref(),
        ..Scope::default()
    };
    let mut sources = Vec::new();
    for (index, file) in files.value.iter().enumerate() {
        let key = format!("archives[{}].files[{index}]", archive.index);
        for extra in &file.extras {
            cx.note(
                FindingKind::NotTranslated,
                extra.at,
                format!("{key}.{}", extra.value),
                "crosscheck keeps each file's path relative to the module directory, mode 0644",
                Place::Archive,
            );
        }
        if !file.src.value.contains("{{") {
            sources.push(file.src.value.clone());
            continue;
        }
        match evaluate_for(&file.src.value, None, &scope) {
            Ok(src) => sources.push(src),
            Err(reason) => cx.note(
                FindingKind::NotTranslated,
                file.src.at,
                key,
                format!("`{}`: {reason}", file.src.value),
                Place::Archive,
            ),
        }
    }
    (!sources.is_empty()).then_some(sources)
}

/// A binary outside the primary archive: in none (`archive = false`), or in another one
/// (its `archive_name`); a finding for each further archive it is in; and an archive name
/// of its own when an earlier binary of the same file name shares its archive.
fn other_archives(
    cx: &mut Converter<'_>,
    plan: &ArchivePlan<'_>,
    binaries: &[Binary<'_>],
    index: usize,
    multi: bool,
    document: &mut Document,
) {
    let binary = &binaries[index];
    let mine: Vec<&Archive> = plan
        .usable
        .iter()
        .copied()
        .filter(|a| holds(a, binary))
        .collect();
    let Some(first) = mine.first() else {
        if let Some(table) = document.table(if multi { binary.place } else { Place::Build }) {
            let none = if multi {
                "false".to_owned()
            } else {
                toml_str("none")
            };
            table.key("archive", none);
        }
        return;
    };
    let in_primary = mine.iter().any(|a| std::ptr::eq(*a, plan.primary));
    let kept = if in_primary { plan.primary } else { first };
    for extra in mine.iter().filter(|a| !std::ptr::eq(**a, kept)) {
        let message = format!(
            "{} is already in archives[{}]: crosscheck puts a binary in one archive per target",
            binary.name, kept.index
        );
        cx.note(
            FindingKind::NotTranslated,
            extra.at,
            format!("archives[{}]", extra.index),
            message,
            Place::Archive,
        );
    }
    let (base, name) = if in_primary {
        (plan.base, plan.name.clone())
    } else {
        own_archive(cx, plan, kept, binary, multi)
    };
    let namesake = binaries[..index].iter().any(|other| {
        other.file_name == binary.file_name
            && holds(kept, other)
            && other
                .built
                .iter()
                .any(|b| binary.built.iter().any(|mine| mine.target == b.target))
    });
    // Without a translated name, crosscheck's default names the archive.
    let name = name.or_else(|| namesake.then(|| crate::DEFAULT_ARCHIVE_NAME.to_owned()));
    let name = match name {
        Some(name) if namesake && base != "none" => {
            let renamed = format!("{name}_{}", binary.name);
            let message = format!(
                "GoReleaser puts both {:?} binaries in one archive; an archive cannot hold one name twice, so {}'s are named {renamed:?}",
                binary.file_name, binary.name
            );
            cx.note(
                FindingKind::Approximated,
                kept.at,
                format!("archives[{}]", kept.index),
                message,
                Place::Archive,
            );
            Some(renamed)
        }
        Some(name) if !in_primary => Some(name),
        _ => None,
    };
    if let Some(name) = name
        && let Some(table) = document.table(binary.place)
    {
        table.key("archive_name", toml_str(&name));
    }
}

/// The format and name of a binary's archive that is not the primary one.
fn own_archive(
    cx: &mut Converter<'_>,
    plan: &ArchivePlan<'_>,
    archive: &Archive,
    binary: &Binary<'_>,
    multi: bool,
) -> (&'static str, Option<String>) {
    let path = format!("archives[{}]", archive.index);
    let base = first_format(cx, archive.formats.as_ref(), &format!("{path}.formats"));
    if base != plan.base || !archive.format_overrides.is_empty() {
        let message = format!(
            "{}'s archives get the formats of archives[{}]",
            binary.name, plan.primary.index
        );
        cx.note(
            FindingKind::NotTranslated,
            archive.at,
            format!("{path}.formats"),
            message,
            Place::Archive,
        );
    }
    let members = [binary];
    let name = archive_name(cx, archive, base, &binary.built, &members, multi);
    (base, name)
}

/// `checksum`: crosscheck always writes `SHA256SUMS`.
fn checksum(cx: &mut Converter<'_>, project: &Project, document: &mut Document) {
    if let Some(checksum) = &project.checksum {
        if let Some(algorithm) = checksum
            .value
            .algorithm
            .as_ref()
            .filter(|a| a.value != "sha256")
        {
            cx.note(
                FindingKind::Approximated,
                algorithm.at,
                "checksum.algorithm",
                format!("{}: crosscheck writes SHA-256 sums", algorithm.value),
                Place::Archive,
            );
        }
        if let Some(disable) = checksum
            .value
            .disable
            .as_ref()
            .filter(|d| truth(&d.value) != Some(false))
        {
            cx.note(
                FindingKind::NotTranslated,
                disable.at,
                "checksum.disable",
                "crosscheck always writes SHA256SUMS",
                Place::Archive,
            );
        }
    }
    if let Some(build) = document.table(Place::Build) {
        build.comment("Checksums: crosscheck writes dist/SHA256SUMS for every binary and archive.");
    }
}

/// `sboms`: GoReleaser writes none unless asked; crosscheck writes one per binary unless
/// `sbom = false`.
fn sbom(cx: &mut Converter<'_>, project: &Project, document: &mut Document) {
    let mut enabled = false;
    for (index, entry) in project
        .sboms
        .iter()
        .flat_map(|s| s.value.iter())
        .enumerate()
    {
        if entry
            .disable
            .as_ref()
            .is_some_and(|d| truth(&d.value) == Some(true))
        {
            continue;
        }
        enabled = true;
        let artifacts = entry
            .artifacts
            .as_ref()
            .map_or("archive", |a| a.value.as_str());
        if artifacts != "binary" {
            let at = entry.artifacts.as_ref().map_or(entry.at, |a| a.at);
            cx.note(
                FindingKind::Approximated,
                at,
                format!("sboms[{index}].artifacts"),
                format!("{artifacts:?}: crosscheck writes one CycloneDX SBOM per binary (<artifact>.cdx.json), from its Go build information"),
                Place::Build,
            );
        }
    }
    if let Some(build) = document.table(Place::Build) {
        build.key("sbom", enabled.to_string());
        if !enabled {
            build.comment("GoReleaser writes SBOMs only when `sboms` asks; crosscheck would write one per binary.");
        }
    }
}

/// `universal_binaries`: `[build] universal = true` when the builds it names have both
/// darwin arches. crosscheck makes one per binary, so only the first entry counts.
fn universal(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    multi: bool,
    document: &mut Document,
    overrides: &mut Vec<TableOut>,
) {
    for entry in &project.universal_binaries {
        let path = format!("universal_binaries[{}]", entry.index);
        let id = entry
            .id
            .as_ref()
            .map(|id| id.value.clone())
            .or_else(|| cx.project_name.clone());
        let ids: Vec<String> = match &entry.ids {
            Some(ids) if !ids.value.is_empty() => {
                ids.value.iter().map(|i| i.value.clone()).collect()
            }
            _ => id.into_iter().collect(),
        };
        let covered: Vec<&Binary<'_>> = binaries.iter().filter(|b| ids.contains(&b.id)).collect();
        let missing = if entry.index > 0 {
            Some("crosscheck makes one universal binary of each binary".to_owned())
        } else if covered.is_empty() {
            Some(format!("its ids ({}) name no build", ids.join(", ")))
        } else if !covered.iter().all(|b| universal_inputs(b).is_some()) {
            Some("the builds it names do not build both darwin/amd64 and darwin/arm64 with the same cgo setting, which crosscheck's universal binaries combine".to_owned())
        } else {
            None
        };
        if let Some(message) = missing {
            cx.note(
                FindingKind::NotTranslated,
                entry.at,
                path,
                message,
                Place::Build,
            );
            continue;
        }
        if binaries
            .iter()
            .any(|b| !ids.contains(&b.id) && universal_inputs(b).is_some())
        {
            let message =
                "crosscheck makes a universal binary of every binary built for both darwin arches";
            cx.note(
                FindingKind::Approximated,
                entry.at,
                format!("{path}.ids"),
                message,
                Place::Build,
            );
        }
        if let Some(replace) = entry
            .replace
            .as_ref()
            .filter(|r| truth(&r.value) == Some(true))
        {
            let message = "GoReleaser drops the darwin/amd64 and darwin/arm64 binaries; crosscheck keeps them in dist and SHA256SUMS, and leaves them out of the archives";
            cx.note(
                FindingKind::Approximated,
                replace.at,
                format!("{path}.replace"),
                message,
                Place::Build,
            );
            for binary in &covered {
                overrides.extend(replaced_inputs(binary, multi));
            }
        }
        universal_name(cx, entry, &covered, &path);
        if let Some(build) = document.table(Place::Build) {
            build.key("universal", "true".to_owned());
        }
    }
}

/// The ids of a binary's darwin/amd64 and darwin/arm64 builds of one cgo setting, which
/// crosscheck combines.
fn universal_inputs(binary: &Binary<'_>) -> Option<[String; 2]> {
    [false, true].into_iter().find_map(|cgo| {
        let input = |arch: &str| {
            binary
                .built
                .iter()
                .find(|b| {
                    b.target.goos == "darwin" && b.target.goarch == arch && b.target.cgo == cgo
                })
                .map(|b| b.target.id())
        };
        Some([input("amd64")?, input("arm64")?])
    })
}

/// `replace: true`: the universal binary's inputs are not archived, as GoReleaser replaces
/// them by it.
fn replaced_inputs(binary: &Binary<'_>, multi: bool) -> Option<TableOut> {
    let [amd64, arm64] = universal_inputs(binary)?;
    let mut table = TableOut::new("[[override]]", Place::Override);
    let glob = format!("{{{amd64},{arm64}}}");
    table.key("match", toml_str(&settings::selector(binary, &glob, multi)));
    table.key("archive", toml_str("none"));
    Some(table)
}

/// What GoReleaser names the universal binary, when crosscheck names it otherwise.
fn universal_name(
    cx: &mut Converter<'_>,
    entry: &super::model::Universal,
    covered: &[&Binary<'_>],
    path: &str,
) {
    if let Some(name) = entry
        .name_template
        .as_ref()
        .filter(|n| n.value.replace(' ', "") != "{{.ProjectName}}")
    {
        let message = "the universal binary is written to `output` rendered with arch `universal`";
        cx.note(
            FindingKind::NotTranslated,
            name.at,
            format!("{path}.name_template"),
            message,
            Place::Build,
        );
        return;
    }
    let names: Vec<&str> = covered.iter().map(|b| b.file_name.as_str()).collect();
    let project_name = cx.project_name.clone().unwrap_or_default();
    if names.iter().any(|name| *name != project_name) {
        let message = format!(
            "GoReleaser names the universal binary's file {project_name:?} (the project's name); crosscheck names it after its binary ({})",
            names.join(", ")
        );
        cx.note(
            FindingKind::Approximated,
            entry.at,
            path.to_owned(),
            message,
            Place::Build,
        );
    }
}

/// `[hooks]`: `before.hooks`, the builds' `pre` hooks that do not depend on the target
/// (run once), and their `post` hooks as `after_build`.
fn hooks(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    multi: bool,
    document: &mut Document,
) {
    let project_name = cx.project_name.clone();
    let constant = Scope {
        project_name: project_name.as_deref(),
        name_value: if multi {
            project_name.as_deref()
        } else {
            binaries.first().map(|b| b.file_name.as_str())
        },
        ..Scope::default()
    };
    let mut before = Vec::new();
    for (index, hook) in project.before_hooks.iter().enumerate() {
        let hook = Hook {
            cmd: hook.clone(),
            dir: None,
            env: Vec::new(),
        };
        before.extend(command(
            cx,
            &hook,
            &format!("before.hooks[{index}]"),
            &constant,
        ));
    }
    for binary in binaries {
        for (index, hook) in binary.build.pre_hooks.iter().enumerate() {
            let key = format!("{}.hooks.pre[{index}]", binary.path);
            if let Some(words) = command(cx, hook, &key, &constant) {
                cx.note(
                    FindingKind::Approximated,
                    hook.cmd.at,
                    key,
                    "runs once, before every build, instead of before each target's build",
                    Place::Hooks,
                );
                if !before.contains(&words) {
                    before.push(words);
                }
            }
        }
    }
    let after_build = post_hooks(cx, binaries, multi);
    if before.is_empty() && after_build.is_empty() {
        return;
    }
    let mut table = TableOut::new("[hooks]", Place::Hooks);
    if !before.is_empty() {
        table.key("before", toml_commands(&before));
    }
    if !after_build.is_empty() {
        table.key("after_build", toml_commands(&after_build));
    }
    document.tables.push(table);
}

/// The builds' `post` hooks, when every binary has the same (crosscheck runs `after_build`
/// for every artifact).
fn post_hooks(cx: &mut Converter<'_>, binaries: &[Binary<'_>], multi: bool) -> Vec<Vec<String>> {
    let mut per_binary: Vec<Vec<Vec<String>>> = Vec::new();
    let project_name = cx.project_name.clone();
    // after_build runs for every binary's artifacts: the template must fit them all.
    let all: Vec<Built> = binaries
        .iter()
        .flat_map(|b| b.built.iter().cloned())
        .collect();
    for binary in binaries {
        let scope = Scope {
            path: true,
            targets: &all,
            ..settings::scope(project_name.as_deref(), binary, multi)
        };
        let mut commands = Vec::new();
        for (index, hook) in binary.build.post_hooks.iter().enumerate() {
            let key = format!("{}.hooks.post[{index}]", binary.path);
            commands.extend(command(cx, hook, &key, &scope));
        }
        per_binary.push(commands);
    }
    if per_binary.windows(2).all(|pair| pair[0] == pair[1]) {
        return per_binary.into_iter().next().unwrap_or_default();
    }
    for binary in binaries {
        for (index, hook) in binary.build.post_hooks.iter().enumerate() {
            cx.note(
                FindingKind::NotTranslated,
                hook.cmd.at,
                format!("{}.hooks.post[{index}]", binary.path),
                "crosscheck runs after_build hooks for every binary; the builds' post hooks differ",
                Place::Hooks,
            );
        }
    }
    Vec::new()
}

/// A hook as argv: the template translated, split as a shell would (GoReleaser splits it
/// the same way and runs no shell), its `env` put in front with `env`.
fn command(
    cx: &mut Converter<'_>,
    hook: &Hook,
    key: &str,
    scope: &Scope<'_>,
) -> Option<Vec<String>> {
    if let Some(dir) = &hook.dir {
        cx.note(
            FindingKind::NotTranslated,
            dir.at,
            format!("{key}.dir"),
            "crosscheck runs hooks in the module directory; the hook is left out",
            Place::Hooks,
        );
        return None;
    }
    let text = cx.template(&hook.cmd, key, scope, Place::Hooks)?;
    let operators = ["&&", "||", "|", ";", ">", "<", "$(", "`"];
    let mut words = if operators.iter().any(|op| text.contains(op)) {
        cx.note(FindingKind::Approximated, hook.cmd.at, key, "GoReleaser runs hooks without a shell (its parser stops at `&&`, `|`, `;`); written as sh -c so the whole line runs", Place::Hooks);
        vec!["sh".to_owned(), "-c".to_owned(), text]
    } else {
        let Some(words) = shlex::split(&text).filter(|w| !w.is_empty()) else {
            cx.note(
                FindingKind::NotTranslated,
                hook.cmd.at,
                key,
                "unbalanced quotes",
                Place::Hooks,
            );
            return None;
        };
        words
    };
    if !hook.env.is_empty() {
        let mut prefix = vec!["env".to_owned()];
        for entry in &hook.env {
            prefix.extend(cx.template(entry, &format!("{key}.env"), scope, Place::Hooks));
        }
        prefix.append(&mut words);
        words = prefix;
    }
    Some(words)
}
