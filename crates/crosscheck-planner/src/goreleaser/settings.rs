//! How each build compiles: flags, ldflags, tags, environment (with `CGO_ENABLED` turned
//! into the matrix's cgo axis and `CC`/`CXX` into `cc`/`cxx`), and its `overrides` as
//! `[[override]]` tables. Settings every binary shares go to `[build]`, the rest to each
//! `[[binary]]` (or all to `[build]` when there is one binary).

use std::collections::{BTreeMap, BTreeSet};

use super::convert::{Binary, Converter};
use super::emit::{Document, TableOut, toml_inline_table, toml_list, toml_str};
use super::findings::{FindingKind, Place};
use super::model::{At, Build, Details, Override, Project, Strings};
use super::targets::{GrTarget, fix_name, format_name};
use super::translate::{Scope, evaluate_for};

/// The list keys, in the order `[build]` writes them.
const LIST_KEYS: [&str; 5] = ["flags", "ldflags", "gcflags", "asmflags", "tags"];

/// GoReleaser's ldflags when a build has none.
const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{.Version}} -X main.commit={{.Commit}} -X main.date={{.Date}} -X main.builtBy=goreleaser";

/// Variables that name the target; crosscheck sets them from the target itself.
const TARGET_VARIABLES: [&str; 10] = [
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GO386",
    "GOARM64",
    "GOMIPS",
    "GOMIPS64",
    "GOPPC64",
    "GORISCV64",
];

/// What one build (or override) sets, translated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `flags`, `ldflags`, `gcflags`, `asmflags`, `tags`, indexed like [`LIST_KEYS`].
    pub lists: [Vec<String>; 5],
    pub env: BTreeMap<String, String>,
    pub pass_env: BTreeSet<String>,
    pub cc: Option<String>,
    pub cxx: Option<String>,
    /// Whether `-trimpath` was among the flags (taken out: it is `[build] trimpath`).
    pub trimpath: bool,
    /// An override's `buildmode: pie` (a build's is among its flags).
    pub pie: bool,
}

/// The scope of a binary's templates.
pub(crate) fn scope<'a>(
    project_name: Option<&'a str>,
    binary: &'a Binary<'_>,
    multi: bool,
) -> Scope<'a> {
    Scope {
        targets: &binary.built,
        project_name,
        name_value: if multi {
            project_name
        } else {
            Some(binary.file_name.as_str())
        },
        binary: Some(binary.file_name.as_str()),
        binary_placeholder: multi,
        path: false,
        replacements: false,
    }
}

/// Whether each listed target is built with cgo: the last `CGO_ENABLED` of the project's
/// env, the build's env and the env of the first override that matches the target (the
/// order GoReleaser hands them to `go build`), evaluated for the target.
pub(crate) fn cgo_per_target(
    cx: &mut Converter<'_>,
    project: &Project,
    build: &Build,
    path: &str,
    listed: &[GrTarget],
    multi: bool,
) -> Vec<bool> {
    let project_name = cx.project_name.clone();
    let scope = Scope {
        project_name: project_name.as_deref(),
        ..Scope::default()
    };
    let mut cgo = Vec::with_capacity(listed.len());
    let mut reported: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut failures = Vec::new();
    for target in listed {
        let over = matching_override(build, target);
        let entries = project
            .env
            .iter()
            .chain(&build.details.env)
            .chain(over.iter().flat_map(|o| &o.details.env));
        let setting = entries
            .filter_map(|entry| Some((entry, entry.value.strip_prefix("CGO_ENABLED=")?)))
            .next_back();
        let on = match setting {
            None => false,
            Some((entry, value)) => match evaluate_for(value, Some(target), &scope) {
                Ok(value) => value.trim() == "1",
                Err(reason) => {
                    if reported.insert((entry.at.line, entry.at.column)) {
                        failures.push((entry.at, reason));
                    }
                    false
                }
            },
        };
        cgo.push(on);
    }
    for (at, reason) in failures {
        cx.note(
            FindingKind::NotTranslated,
            at,
            format!("{path}.env"),
            format!("CGO_ENABLED: {reason}; built with cgo off"),
            Place::Matrix,
        );
    }
    let set_anywhere = project
        .env
        .iter()
        .chain(&build.details.env)
        .chain(build.overrides.iter().flat_map(|o| &o.details.env))
        .any(|entry| entry.value.starts_with("CGO_ENABLED="));
    if !set_anywhere {
        let what = if multi { "a build" } else { "the build" };
        cx.note_once(
            FindingKind::Approximated,
            build.at,
            path.to_owned(),
            format!("{what} without CGO_ENABLED: Go turns cgo on for the one target that matches the machine GoReleaser runs on (when it has a C compiler); crosscheck builds every target with cgo off, as GoReleaser does for all the others"),
            Place::Matrix,
        );
    }
    cgo
}

/// The first override whose target is `target`: GoReleaser applies only that one.
fn matching_override<'b>(build: &'b Build, target: &GrTarget) -> Option<&'b Override> {
    build
        .overrides
        .iter()
        .find(|o| override_name(o).as_deref() == Some(target.name.as_str()))
}

/// The target name an override stands for (`fixTarget(formatBuildTarget(o))`); `None`
/// without goos and goarch, which GoReleaser never matches.
fn override_name(o: &Override) -> Option<String> {
    let goos = o.target.goos.as_ref()?.value.clone();
    let goarch = o.target.goarch.as_ref()?.value.clone();
    if goos.is_empty() || goarch.is_empty() {
        return None;
    }
    let extras = o
        .target
        .variants
        .clone()
        .map(|v| v.map(|v| v.value).unwrap_or_default());
    Some(fix_name(&format_name(&goos, &goarch, &extras)))
}

/// Translates what a build (or, with `is_override`, one of its overrides) sets; GoReleaser's
/// default ldflags stand in for a build without any, reported at `default_at`.
fn details(
    cx: &mut Converter<'_>,
    details: &Details,
    path: &str,
    scope: &Scope<'_>,
    place: Place,
    is_override: bool,
    default_at: super::yaml::Mark,
) -> Settings {
    let mut settings = Settings::default();
    if let Some(mode) = &details.buildmode {
        match mode.value.as_str() {
            "" => {}
            "pie" if is_override => settings.pie = true,
            "pie" => settings.lists[0].push("-buildmode=pie".to_owned()),
            other => cx.note(
                FindingKind::NotTranslated,
                mode.at,
                format!("{path}.buildmode"),
                format!("{other:?} builds a library; crosscheck builds executables"),
                place,
            ),
        }
    }
    let default_ldflags = (!is_override && details.ldflags.is_none()).then(|| At {
        value: vec![At {
            value: DEFAULT_LDFLAGS.to_owned(),
            at: default_at,
        }],
        at: default_at,
    });
    let lists: [&Option<Strings>; 5] = [
        &details.flags,
        if default_ldflags.is_some() {
            &default_ldflags
        } else {
            &details.ldflags
        },
        &details.gcflags,
        &details.asmflags,
        &details.tags,
    ];
    for (index, list) in lists.into_iter().enumerate() {
        let mut key = format!("{path}.{}", LIST_KEYS[index]);
        if index == 1 && default_ldflags.is_some() {
            key.push_str(" (GoReleaser's default)");
        }
        for item in list.iter().flat_map(|list| &list.value) {
            if index == 0 && item.value == "-trimpath" {
                settings.trimpath = true;
                continue;
            }
            let Some(text) = cx.template(item, &key, scope, place) else {
                continue;
            };
            let plain_tag = |tag: &str| {
                tag.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            };
            if index == 4 && !plain_tag(&text) {
                let message = format!(
                    "{:?}: crosscheck's tags are plain names, one per item, without templates",
                    item.value
                );
                cx.note(
                    FindingKind::NotTranslated,
                    item.at,
                    key.clone(),
                    message,
                    place,
                );
                continue;
            }
            settings.lists[index].push(text);
        }
    }
    for (index, entry) in details.env.iter().enumerate() {
        let key = format!("{path}.env[{index}]");
        env_entry(cx, &mut settings, entry, &key, scope, place);
    }
    settings
}

/// One `KEY=value` of an env list.
fn env_entry(
    cx: &mut Converter<'_>,
    settings: &mut Settings,
    entry: &At<String>,
    key: &str,
    scope: &Scope<'_>,
    place: Place,
) {
    let Some((name, value)) = entry.value.split_once('=') else {
        cx.note(
            FindingKind::NotTranslated,
            entry.at,
            key,
            format!("{:?} is not KEY=value", entry.value),
            place,
        );
        return;
    };
    if name == "CGO_ENABLED" {
        return;
    }
    if TARGET_VARIABLES.contains(&name) {
        cx.note(
            FindingKind::NotTranslated,
            entry.at,
            key,
            format!("{name} comes from the target; set it with the matrix instead"),
            place,
        );
        return;
    }
    let passed = [
        format!("${name}"),
        format!("${{{name}}}"),
        format!("{{{{ .Env.{name} }}}}"),
        format!("{{{{.Env.{name}}}}}"),
    ];
    if passed.iter().any(|form| form == value.trim()) {
        settings.pass_env.insert(name.to_owned());
        return;
    }
    if value.contains('$') {
        cx.note(
            FindingKind::NotTranslated,
            entry.at,
            key,
            format!("{name}: GoReleaser expands $VARIABLES from its environment; crosscheck builds get a constructed environment (`pass_env` lets a variable through unchanged)"),
            place,
        );
        return;
    }
    let value = At {
        value: value.to_owned(),
        at: entry.at,
    };
    let Some(text) = cx.template(&value, key, scope, place) else {
        return;
    };
    match name {
        "CC" => settings.cc = Some(text),
        "CXX" => settings.cxx = Some(text),
        _ => {
            settings.env.insert(name.to_owned(), text);
        }
    }
}

/// Writes `[build]` and the `[[binary]]` tables; returns the `[[override]]` tables of the
/// builds' overrides, which go after the matrix.
pub(crate) fn write(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    multi: bool,
    document: &mut Document,
) -> Vec<TableOut> {
    let global = global_env(cx, project);
    let mut all: Vec<Settings> = Vec::new();
    let project_name = cx.project_name.clone();
    for binary in binaries {
        let scope = scope(project_name.as_deref(), binary, multi);
        let mut settings = details(
            cx,
            &binary.build.details,
            &binary.path,
            &scope,
            binary.place,
            false,
            binary.build.at,
        );
        for (key, value) in &global.env {
            settings
                .env
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
        all.push(settings);
    }
    let trimpath = trimpath(&mut all);
    let mut build = TableOut::new("[build]", Place::Build);
    if let Some(go) = tool(cx, binaries) {
        build.key("go", toml_str(&go));
    }
    let shared = shared_settings(&all, &global, multi);
    write_settings(&mut build, &shared);
    if !trimpath {
        build.key("trimpath", "false".to_owned());
        build.comment("GoReleaser passes no -trimpath unless asked; crosscheck's default (true) makes builds reproducible.");
    }
    mod_timestamps(cx, binaries, &mut build);
    document.tables.push(build);
    if multi {
        for (binary, settings) in binaries.iter().zip(&all) {
            let mut table = TableOut::new("[[binary]]", binary.place);
            table.key("name", toml_str(&binary.name));
            if binary.file_name != binary.name {
                table.key("file_name", toml_str(&binary.file_name));
            }
            table.key("main", toml_str(&binary.main));
            if let Some(output) = &binary.output {
                table.key("output", toml_str(output));
            }
            write_settings(&mut table, &own_settings(settings, &shared));
            document.tables.push(table);
        }
    }
    let mut overrides = Vec::new();
    for (binary, settings) in binaries.iter().zip(&all) {
        if let Some(table) = compiler_table(binary, settings, &shared, multi) {
            overrides.push(table);
        }
        overrides.extend(override_tables(cx, binary, settings, multi));
    }
    overrides
}

/// `cc`/`cxx` of one binary that differ from `[build]`'s: `[[binary]]` has no such keys, so
/// an override of all its targets sets them.
fn compiler_table(
    binary: &Binary<'_>,
    settings: &Settings,
    shared: &Settings,
    multi: bool,
) -> Option<TableOut> {
    if !multi || (settings.cc == shared.cc && settings.cxx == shared.cxx) {
        return None;
    }
    let mut table = TableOut::new("[[override]]", Place::Override);
    table.key("match", toml_str(&format!("{}:*", binary.name)));
    for (key, value) in [("cc", &settings.cc), ("cxx", &settings.cxx)] {
        if let Some(value) = value {
            table.key(key, toml_str(value));
        }
    }
    Some(table)
}

/// The project's top-level `env`, shared by every build.
fn global_env(cx: &mut Converter<'_>, project: &Project) -> Settings {
    let project_name = cx.project_name.clone();
    let scope = Scope {
        project_name: project_name.as_deref(),
        ..Scope::default()
    };
    let mut settings = Settings::default();
    for (index, entry) in project.env.iter().enumerate() {
        let key = format!("env[{index}]");
        env_entry(cx, &mut settings, entry, &key, &scope, Place::Build);
    }
    settings
}

/// `trimpath`: true when every build passes `-trimpath` (crosscheck's default); else
/// false, with `-trimpath` put back into the flags of the builds that had it.
fn trimpath(all: &mut [Settings]) -> bool {
    if all.iter().all(|s| s.trimpath) {
        return true;
    }
    for settings in all.iter_mut().filter(|s| s.trimpath) {
        settings.lists[0].insert(0, "-trimpath".to_owned());
    }
    false
}

/// `[build] go` from `tool` (or v1's `gobinary`) when every build names the same one.
fn tool(cx: &mut Converter<'_>, binaries: &[Binary<'_>]) -> Option<String> {
    let tools: Vec<&At<String>> = binaries
        .iter()
        .filter_map(|b| b.build.tool.as_ref())
        .collect();
    let first = tools.first()?;
    if first.value == "go" && tools.iter().all(|t| t.value == "go") {
        return None;
    }
    let same = tools.len() == binaries.len() && tools.iter().all(|t| t.value == first.value);
    if !same || first.value.contains("{{") {
        for (binary, tool) in binaries
            .iter()
            .filter_map(|b| Some((b, b.build.tool.as_ref()?)))
        {
            cx.note(
                FindingKind::NotTranslated,
                tool.at,
                format!("{}.tool", binary.path),
                "crosscheck builds every binary with one Go command ([build] go, or the matrix's go axis), and no template",
                binary.place,
            );
        }
        return None;
    }
    Some(first.value.clone())
}

/// `mod_timestamp`: crosscheck always sets mtimes to the commit time, which is what
/// `{{ .CommitTimestamp }}` asks for; anything else is reported.
fn mod_timestamps(cx: &mut Converter<'_>, binaries: &[Binary<'_>], build: &mut TableOut) {
    let mut commit_time = false;
    for binary in binaries {
        let Some(stamp) = &binary.build.mod_timestamp else {
            continue;
        };
        if stamp.value.contains(".CommitTimestamp") {
            commit_time = true;
        } else {
            cx.note(
                FindingKind::NotTranslated,
                stamp.at,
                format!("{}.mod_timestamp", binary.path),
                "crosscheck sets every artifact's mtime to the commit time (or SOURCE_DATE_EPOCH)",
                binary.place,
            );
        }
    }
    if commit_time {
        build.comment("mod_timestamp {{ .CommitTimestamp }}: crosscheck sets every artifact's mtime to the commit time itself.");
    }
}

/// What goes to `[build]`: everything with one binary; with several, the lists and env
/// values every binary has alike, the project env, every `pass_env`, and `cc`/`cxx` when
/// equal.
fn shared_settings(all: &[Settings], global: &Settings, multi: bool) -> Settings {
    if !multi {
        return all[0].clone();
    }
    let mut shared = Settings::default();
    for index in 0..LIST_KEYS.len() {
        if all.iter().all(|s| s.lists[index] == all[0].lists[index]) {
            shared.lists[index] = all[0].lists[index].clone();
        }
    }
    for (key, value) in &all[0].env {
        let everywhere = all.iter().all(|s| s.env.get(key) == Some(value));
        if everywhere || global.env.get(key) == Some(value) {
            shared.env.insert(key.clone(), value.clone());
        }
    }
    shared.pass_env = all
        .iter()
        .flat_map(|s| s.pass_env.iter().cloned())
        .collect();
    shared.pass_env.extend(global.pass_env.iter().cloned());
    if all.iter().all(|s| s.cc == all[0].cc) {
        shared.cc = all[0].cc.clone();
    }
    if all.iter().all(|s| s.cxx == all[0].cxx) {
        shared.cxx = all[0].cxx.clone();
    }
    shared
}

/// A binary's settings less what `[build]` has.
fn own_settings(settings: &Settings, shared: &Settings) -> Settings {
    let mut own = Settings::default();
    for index in 0..LIST_KEYS.len() {
        if settings.lists[index] != shared.lists[index] {
            own.lists[index] = settings.lists[index].clone();
        }
    }
    own.env = settings
        .env
        .iter()
        .filter(|(key, value)| shared.env.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    own
}

fn write_settings(table: &mut TableOut, settings: &Settings) {
    for (index, key) in LIST_KEYS.iter().enumerate() {
        if !settings.lists[index].is_empty() {
            table.key(key, toml_list(&settings.lists[index]));
        }
    }
    if !settings.env.is_empty() {
        table.key("env", toml_inline_table(&settings.env));
    }
    if !settings.pass_env.is_empty() {
        let names: Vec<&String> = settings.pass_env.iter().collect();
        table.key("pass_env", toml_list(&names));
    }
    if let Some(cc) = &settings.cc {
        table.key("cc", toml_str(cc));
    }
    if let Some(cxx) = &settings.cxx {
        table.key("cxx", toml_str(cxx));
    }
}

/// The selector of one of a binary's targets in `[[override]] match`.
pub(crate) fn selector(binary: &Binary<'_>, id: &str, multi: bool) -> String {
    if multi {
        format!("{}:{id}", binary.name)
    } else {
        id.to_owned()
    }
}

/// The `[[override]]` tables of a binary's `overrides`, each matching its one target.
fn override_tables(
    cx: &mut Converter<'_>,
    binary: &Binary<'_>,
    base: &Settings,
    multi: bool,
) -> Vec<TableOut> {
    let mut tables = Vec::new();
    let mut matched: Vec<(String, usize)> = Vec::new();
    let project_name = cx.project_name.clone();
    for o in &binary.build.overrides {
        let path = format!("{}.overrides[{}]", binary.path, o.index);
        let place = Place::TargetOverride(binary.build.index, o.index);
        let Some(name) = override_name(o) else {
            cx.note(
                FindingKind::NotTranslated,
                o.target.at,
                path,
                "an override needs goos and goarch; GoReleaser never applies it",
                place,
            );
            continue;
        };
        if let Some((_, first)) = matched.iter().find(|(n, _)| *n == name) {
            cx.note(
                FindingKind::NotTranslated,
                o.target.at,
                path,
                format!("overrides[{first}] applies to {name} first, and GoReleaser applies only the first match"),
                place,
            );
            continue;
        }
        matched.push((name.clone(), o.index));
        let Some(built) = binary.built.iter().find(|b| b.gr.name == name) else {
            cx.note(
                FindingKind::NotTranslated,
                o.target.at,
                path,
                format!("{name} is not one of the build's targets"),
                place,
            );
            continue;
        };
        let one = std::slice::from_ref(built);
        let scope = Scope {
            targets: one,
            ..scope(project_name.as_deref(), binary, multi)
        };
        let over = details(cx, &o.details, &path, &scope, place, true, o.target.at);
        let table = override_table(
            cx,
            &over,
            base,
            &path,
            o,
            place,
            selector(binary, &built.target.id(), multi),
        );
        tables.extend(table);
    }
    tables
}

/// The `[[override]]` for one GoReleaser override, `None` when it changes nothing crosscheck
/// does not already know (its `CGO_ENABLED` is in the target id).
fn override_table(
    cx: &mut Converter<'_>,
    over: &Settings,
    base: &Settings,
    path: &str,
    o: &Override,
    place: Place,
    selector: String,
) -> Option<TableOut> {
    let mut table = TableOut::new("[[override]]", place);
    table.key("match", toml_str(&selector));
    table.comment(&format!("{path} (line {})", o.target.at.line));
    let mut changed = false;
    for (index, key) in LIST_KEYS.iter().enumerate() {
        let mut wanted = over.lists[index].clone();
        let pie = "-buildmode=pie".to_owned();
        if index == 0 && over.pie && !base.lists[0].contains(&pie) {
            wanted.insert(0, pie);
        }
        if wanted.is_empty() {
            continue;
        }
        let inherited = &base.lists[index];
        let added: &[String] = if over.lists[index].is_empty() || wanted.starts_with(inherited) {
            wanted.strip_prefix(inherited.as_slice()).unwrap_or(&wanted)
        } else {
            cx.note(
                FindingKind::Approximated,
                o.target.at,
                format!("{path}.{key}"),
                format!("GoReleaser's override replaces the build's {key}; crosscheck's [[override]] adds to them, so this target gets both"),
                place,
            );
            &wanted
        };
        if !added.is_empty() {
            table.key(key, toml_list(added));
            changed = true;
        }
    }
    let env: BTreeMap<String, String> = over
        .env
        .iter()
        .filter(|(key, value)| base.env.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if !env.is_empty() {
        table.key("env", toml_inline_table(&env));
        changed = true;
    }
    for (key, value, inherited) in [("cc", &over.cc, &base.cc), ("cxx", &over.cxx, &base.cxx)] {
        if let Some(value) = value.as_ref().filter(|v| Some(*v) != inherited.as_ref()) {
            table.key(key, toml_str(value));
            changed = true;
        }
    }
    changed.then_some(table)
}
