//! `nfpms` to `[packages]`: the formats crosscheck writes (deb, rpm, apk), the descriptive
//! fields, relations, contents and scripts of the first entry.

use super::convert::{Binary, Converter};
use super::emit::{Document, TableOut, toml_list, toml_str};
use super::findings::{FindingKind, Place};
use super::model::{At, Nfpm, NfpmContent, Project};
use super::translate::Scope;

/// nfpm's default file name, which is crosscheck's default too (each format's convention).
const CONVENTIONAL_FILE_NAME: &str = "{{.ConventionalFileName}}";

/// Writes `[packages]` from `nfpms[0]`; the other entries are findings.
pub(crate) fn write(
    cx: &mut Converter<'_>,
    project: &Project,
    binaries: &[Binary<'_>],
    multi: bool,
    document: &mut Document,
) {
    let Some(first) = project.nfpms.first() else {
        return;
    };
    for other in &project.nfpms[1..] {
        cx.note(
            FindingKind::NotTranslated,
            other.at,
            format!("nfpms[{}]", other.index),
            "crosscheck makes one set of packages per binary, from [packages]: only nfpms[0] is translated",
            Place::Packages,
        );
    }
    let mut table = TableOut::new("[packages]", Place::Packages);
    let formats = formats(cx, first);
    table.key("formats", toml_list(&formats));
    let project_name = cx.project_name.clone();
    let scope = Scope {
        project_name: project_name.as_deref(),
        name_value: project_name.as_deref().filter(|_| multi),
        ..Scope::default()
    };
    fields(cx, first, &scope, multi, binaries, &mut table);
    for (key, values) in &first.relations {
        let values: Vec<&str> = values.value.iter().map(|v| v.value.as_str()).collect();
        table.key(key, toml_list(&values));
    }
    contents(cx, first, &mut table);
    if !first.scripts.is_empty() {
        let entries: Vec<String> = first
            .scripts
            .iter()
            .map(|(key, path)| format!("{key} = {}", toml_str(&path.value)))
            .collect();
        table.key("scripts", format!("{{ {} }}", entries.join(", ")));
    }
    if let Some(name) = &first.file_name_template
        && name.value.replace(' ', "") != CONVENTIONAL_FILE_NAME
    {
        cx.note(
            FindingKind::NotTranslated,
            name.at,
            format!("nfpms[{}].file_name_template", first.index),
            "crosscheck names packages as each format's tools do ({name}_{version}-{release}_{arch}.deb, ...); `file_name` in [packages] takes a template over {name}, {version}, {arch} (the format's), {format} and {release}",
            Place::Packages,
        );
    }
    document.tables.push(table);
}

/// The formats crosscheck writes. A deb needs a maintainer and an rpm a license, which
/// GoReleaser only warns about: such a format is left out, with a finding, so that the
/// matrix plans.
fn formats(cx: &mut Converter<'_>, nfpm: &Nfpm) -> Vec<String> {
    let has = |key: &str| nfpm.fields.iter().any(|(ours, _)| *ours == key);
    let mut formats = Vec::new();
    for format in nfpm.formats.iter().flat_map(|f| &f.value) {
        let key = format!("nfpms[{}].formats", nfpm.index);
        let missing = match format.value.as_str() {
            "deb" if !has("maintainer") => {
                Some("a deb needs a maintainer (dpkg's Maintainer field)")
            }
            "rpm" if !has("license") => Some("an rpm needs a license (the License tag)"),
            "deb" | "rpm" | "apk" => None,
            other => {
                cx.note(
                    FindingKind::NotTranslated,
                    format.at,
                    key,
                    format!("{other:?}: crosscheck writes deb, rpm and apk packages only"),
                    Place::Packages,
                );
                continue;
            }
        };
        match missing {
            Some(reason) => cx.note(
                FindingKind::NotTranslated,
                format.at,
                key,
                format!(
                    "{:?} is left out: {reason}; set it in [packages] and add the format",
                    format.value
                ),
                Place::Packages,
            ),
            None => formats.push(format.value.clone()),
        }
    }
    formats
}

/// The descriptive fields, each a template.
fn fields(
    cx: &mut Converter<'_>,
    nfpm: &Nfpm,
    scope: &Scope<'_>,
    multi: bool,
    binaries: &[Binary<'_>],
    table: &mut TableOut,
) {
    let mut named = false;
    for (ours, value) in &nfpm.fields {
        let key = format!("nfpms[{}].{}", nfpm.index, source_key(ours));
        if *ours == "name" && multi {
            // One package per binary: a shared name would give them one path.
            cx.note(
                FindingKind::Approximated,
                value.at,
                key,
                "GoReleaser puts every build's binary into one package; crosscheck makes a package per binary, named after it",
                Place::Packages,
            );
            continue;
        }
        if let Some(text) = cx.template(value, &key, scope, Place::Packages) {
            named |= *ours == "name";
            table.key(ours, toml_str(&text));
        }
    }
    // GoReleaser names the package after the project; crosscheck after the binary.
    let differs = binaries.first().map(|b| b.file_name.as_str()) != scope.project_name;
    if !named
        && !multi
        && differs
        && let Some(project) = scope.project_name
    {
        table.key("name", toml_str(&super::translate::escape(project)));
    }
}

/// The `nfpms` key a `[packages]` key comes from.
fn source_key(ours: &str) -> &str {
    match ours {
        "name" => "package_name",
        other => other,
    }
}

/// `contents`: the entries crosscheck can install (files, configs, docs); directories,
/// symlinks and ghosts are findings.
fn contents(cx: &mut Converter<'_>, nfpm: &Nfpm, table: &mut TableOut) {
    let mut entries = Vec::new();
    for entry in &nfpm.contents {
        if let Some(line) = content(cx, nfpm.index, entry) {
            entries.push(line);
        }
    }
    if !entries.is_empty() {
        table.key("contents", format!("[\n  {},\n]", entries.join(",\n  ")));
    }
}

fn content(cx: &mut Converter<'_>, nfpm: usize, entry: &NfpmContent) -> Option<String> {
    let key = format!("nfpms[{nfpm}].contents[{}]", entry.index);
    let kind = entry.kind.as_ref().map_or("", |k| k.value.as_str());
    let kind = match kind {
        "" | "file" => None,
        "config" | "config|noreplace" | "doc" | "license" | "readme" => Some(kind),
        other => {
            let at = entry.kind.as_ref().map_or(entry.at, |k| k.at);
            let message = format!(
                "type {other:?} has no equivalent: crosscheck's contents are files (file, config, config|noreplace, doc, license, readme)"
            );
            cx.note(
                FindingKind::NotTranslated,
                at,
                key,
                message,
                Place::Packages,
            );
            return None;
        }
    };
    let (Some(src), Some(dst)) = (&entry.src, &entry.dst) else {
        let message = "an entry needs `src` and `dst`";
        cx.note(
            FindingKind::NotTranslated,
            entry.at,
            key,
            message,
            Place::Packages,
        );
        return None;
    };
    let mut fields = vec![
        format!("src = {}", toml_str(src.value.trim_start_matches("./"))),
        format!("dst = {}", toml_str(&dst.value)),
    ];
    if let Some(mode) = entry.mode.as_ref().and_then(|m| octal(m, cx, &key)) {
        fields.push(format!("mode = 0o{mode:o}"));
    }
    if let Some(kind) = kind {
        fields.push(format!("type = {}", toml_str(kind)));
    }
    Some(format!("{{ {} }}", fields.join(", ")))
}

/// A `file_info.mode` as written in YAML (`0644`, `0o644`, or decimal `420`).
fn octal(mode: &At<String>, cx: &mut Converter<'_>, key: &str) -> Option<u32> {
    let text = mode.value.trim();
    let parsed = match text.strip_prefix("0o").or_else(|| text.strip_prefix('0')) {
        Some(digits) if !digits.is_empty() => u32::from_str_radix(digits, 8).ok(),
        _ => text.parse().ok(),
    };
    if parsed.is_none() {
        let message = format!("mode {text:?} is not a number: left to the default (0o644)");
        cx.note(
            FindingKind::NotTranslated,
            mode.at,
            format!("{key}.file_info.mode"),
            message,
            Place::Packages,
        );
    }
    parsed
}
