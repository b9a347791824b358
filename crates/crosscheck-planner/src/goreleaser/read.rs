//! Reads each section of a GoReleaser file into [`Project`], and says for every other key
//! why it is not translated.

use super::findings::{Finding, FindingKind, Place};
use super::model::{
    Archive, ArchiveFile, At, Build, Checksum, FormatOverride, Nfpm, NfpmContent, Override,
    Project, Reader, Sbom, Table, Universal,
};
use super::yaml::{Kind, Node};

/// Top-level sections about publishing rather than building: one line each.
const OUTSIDE_BUILDING: [&str; 36] = [
    "release",
    "changelog",
    "milestones",
    "srpm",
    "snapcrafts",
    "flatpak",
    "brews",
    "homebrew_casks",
    "scoops",
    "nix",
    "winget",
    "aurs",
    "aur_sources",
    "krews",
    "kos",
    "chocolateys",
    "dockers",
    "dockers_v2",
    "docker_manifests",
    "docker_signs",
    "docker_digest",
    "signs",
    "binary_signs",
    "notarize",
    "announce",
    "artifactories",
    "uploads",
    "blobs",
    "publishers",
    "furies",
    "source",
    "makeselfs",
    "mcp",
    "github_urls",
    "gitlab_urls",
    "gitea_urls",
];

/// Top-level keys about building that have no equivalent, with the reason.
const TOP_UNTRANSLATED: [(&str, &str); 12] = [
    (
        "dist",
        "crosscheck writes to dist/ next to matrix.toml (`crosscheck build --dist DIR` for another)",
    ),
    (
        "snapshot",
        "crosscheck's {version} comes from `git describe --tags`, or CROSSCHECK_VERSION",
    ),
    (
        "gomod",
        "crosscheck builds the module in the working tree, never through the module proxy",
    ),
    (
        "metadata",
        "crosscheck sets every artifact's mtime to the commit time (or SOURCE_DATE_EPOCH) itself",
    ),
    (
        "upx",
        "no equivalent; an [hooks] after_build command such as [\"upx\", \"{path}\"] compresses every binary",
    ),
    (
        "env_files",
        "tokens for publishing; crosscheck publishes nothing",
    ),
    (
        "git",
        "crosscheck's {version} comes from `git describe --tags`",
    ),
    (
        "report_sizes",
        "crosscheck's manifest.json records every artifact's size anyway",
    ),
    ("pro", "GoReleaser Pro features have no equivalent"),
    ("includes", "GoReleaser Pro's includes have no equivalent"),
    ("variables", "GoReleaser Pro's variables have no equivalent"),
    (
        "force_token",
        "tokens for publishing; crosscheck publishes nothing",
    ),
];

/// Reads the document.
pub(crate) fn read(root: &Node, reader: &mut Reader) -> Project {
    let mut project = Project::default();
    let Some(mut top) = reader.table(root, "", Place::Top) else {
        return project;
    };
    project.version = reader.text(&mut top, "version");
    project.project_name = reader.text(&mut top, "project_name");
    project.env = reader
        .list(&mut top, "env")
        .map(|list| list.value)
        .unwrap_or_default();
    if let Some(builds) = reader.tables(&mut top, "builds", Place::Binary) {
        project.builds = builds
            .value
            .into_iter()
            .map(|(index, at, table)| read_build(reader, table, index, at))
            .collect();
    }
    if let Some(node) = top.take("before")
        && let Some(mut before) = reader.table(node, "before", Place::Hooks)
    {
        project.before_hooks = reader
            .list(&mut before, "hooks")
            .map(|list| list.value)
            .unwrap_or_default();
        reader.finish(before, &[]);
    }
    project.archives = reader
        .tables(&mut top, "archives", |_| Place::Archive)
        .map(|archives| At {
            value: archives
                .value
                .into_iter()
                .map(|(index, at, table)| read_archive(reader, table, index, at))
                .collect(),
            at: archives.at,
        });
    project.checksum = top.take("checksum").and_then(|node| {
        let table = reader.table(node, "checksum", Place::Archive)?;
        Some(At {
            value: read_checksum(reader, table),
            at: node.at,
        })
    });
    project.sboms = reader
        .tables(&mut top, "sboms", |_| Place::Build)
        .map(|sboms| At {
            value: sboms
                .value
                .into_iter()
                .map(|(_, at, table)| read_sbom(reader, table, at))
                .collect(),
            at: sboms.at,
        });
    if let Some(universal) = reader.tables(&mut top, "universal_binaries", |_| Place::Build) {
        project.universal_binaries = universal
            .value
            .into_iter()
            .map(|(index, at, table)| read_universal(reader, table, index, at))
            .collect();
    }
    if let Some(nfpms) = reader.tables(&mut top, "nfpms", |_| Place::Packages) {
        project.nfpms = nfpms
            .value
            .into_iter()
            .map(|(index, at, table)| read_nfpm(reader, table, index, at))
            .collect();
    }
    project.release_name = release_name(root);
    report_outside(reader, root, &mut top);
    reader.finish(top, &TOP_UNTRANSLATED);
    project
}

/// `release.github.name` (or gitlab's, gitea's): GoReleaser's guess at the project name
/// after `project_name`.
fn release_name(root: &Node) -> Option<String> {
    let release = root.get("release")?;
    ["github", "gitlab", "gitea"].iter().find_map(|scm| {
        release
            .get(scm)?
            .get("name")?
            .as_str()
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    })
}

/// One "not handled by crosscheck" line per publishing section.
fn report_outside(reader: &mut Reader, root: &Node, top: &mut Table<'_>) {
    let Kind::Map(entries) = &root.kind else {
        return;
    };
    for (key, _) in entries {
        let Some(name) = key.as_str() else { continue };
        let Some(&section) = OUTSIDE_BUILDING.iter().find(|s| **s == name) else {
            continue;
        };
        if top.take(section).is_some() {
            reader.findings.push(Finding::new(
                FindingKind::NotHandled,
                key.at,
                section,
                "",
                Place::Outside,
            ));
        }
    }
}

/// Build keys that have no equivalent, with the reason.
const BUILD_UNTRANSLATED: [(&str, &str); 3] = [
    (
        "no_unique_dist_dir",
        "crosscheck's `output` template decides where artifacts go ({binary}_{slug}{ext} by default)",
    ),
    (
        "no_main_check",
        "crosscheck lets `go build` say when the main package is not one",
    ),
    (
        "gobinary",
        "replaced by `tool` in GoReleaser v2; read as `tool`",
    ),
];

fn read_build(
    reader: &mut Reader,
    mut table: Table<'_>,
    index: usize,
    at: super::yaml::Mark,
) -> Build {
    let mut build = Build {
        index,
        at,
        id: reader.text(&mut table, "id"),
        main: reader.text(&mut table, "main"),
        dir: reader.text(&mut table, "dir"),
        binary: reader.text(&mut table, "binary"),
        builder: reader.text(&mut table, "builder"),
        tool: reader.text(&mut table, "tool"),
        command: reader.text(&mut table, "command"),
        skip: reader.text(&mut table, "skip"),
        mod_timestamp: reader.text(&mut table, "mod_timestamp"),
        goos: reader.list(&mut table, "goos"),
        goarch: reader.list(&mut table, "goarch"),
        targets: reader.list(&mut table, "targets"),
        details: reader.details(&mut table),
        ..Build::default()
    };
    if build.tool.is_none() {
        build.tool = reader.text(&mut table, "gobinary");
    }
    for (slot, key) in build.variants.iter_mut().zip(super::model::VARIANT_KEYS) {
        *slot = reader.list(&mut table, key);
    }
    if let Some(ignores) = reader.tables(&mut table, "ignore", |_| Place::Matrix) {
        for (_, at, mut entry) in ignores.value {
            build.ignore.push(reader.partial(&mut entry, at));
            reader.finish(entry, &[]);
        }
    }
    if let Some(overrides) =
        reader.tables(&mut table, "overrides", |i| Place::TargetOverride(index, i))
    {
        for (index, at, mut entry) in overrides.value {
            let target = reader.partial(&mut entry, at);
            let details = reader.details(&mut entry);
            build.overrides.push(Override {
                index,
                target,
                details,
            });
            reader.finish(entry, &[]);
        }
    }
    if let Some(node) = table.take("hooks") {
        let path = table.path_of("hooks");
        if let Some(mut hooks) = reader.table(node, &path, Place::Hooks) {
            build.pre_hooks = reader.hooks(&mut hooks, "pre");
            build.post_hooks = reader.hooks(&mut hooks, "post");
            reader.finish(hooks, &[]);
        }
    }
    reader.finish(table, &BUILD_UNTRANSLATED);
    build
}

const ARCHIVE_UNTRANSLATED: [(&str, &str); 7] = [
    (
        "wrap_in_directory",
        "crosscheck's archives hold their files at the top level, with no enclosing directory",
    ),
    (
        "strip_binary_directory",
        "crosscheck puts each binary at the top level of its archive",
    ),
    (
        "strip_parent_binary_folder",
        "crosscheck puts each binary at the top level of its archive",
    ),
    (
        "builds_info",
        "crosscheck's archives give binaries mode 0755, owner 0 and the commit time",
    ),
    (
        "allow_different_binary_count",
        "crosscheck archives what each target built, whatever the count",
    ),
    (
        "id",
        "crosscheck's archives have no id; `ids` is translated",
    ),
    (
        "rlcp",
        "crosscheck keeps each file's path relative to the module directory",
    ),
];

fn read_archive(
    reader: &mut Reader,
    mut table: Table<'_>,
    index: usize,
    at: super::yaml::Mark,
) -> Archive {
    let mut archive = Archive {
        index,
        at,
        ids: reader.list(&mut table, "ids"),
        name_template: reader.text(&mut table, "name_template"),
        formats: reader.string_array(&mut table, "formats"),
        meta: reader.text(&mut table, "meta"),
        ..Archive::default()
    };
    if archive.ids.is_none() {
        archive.ids = reader.list(&mut table, "builds");
    }
    if let Some(format) = reader.text(&mut table, "format") {
        let list = archive.formats.get_or_insert(At {
            value: Vec::new(),
            at: format.at,
        });
        list.value.push(format);
    }
    if let Some(overrides) = reader.tables(&mut table, "format_overrides", |_| Place::Archive) {
        for (_, at, mut entry) in overrides.value {
            let goos = reader.text(&mut entry, "goos");
            let mut formats = reader.string_array(&mut entry, "formats");
            if let Some(format) = reader.text(&mut entry, "format") {
                formats
                    .get_or_insert(At {
                        value: Vec::new(),
                        at: format.at,
                    })
                    .value
                    .push(format);
            }
            archive
                .format_overrides
                .push(FormatOverride { at, goos, formats });
            reader.finish(entry, &[]);
        }
    }
    archive.files = read_archive_files(reader, &mut table);
    if let Some(node) = table.take("replacements") {
        archive.replacements = read_replacements(reader, node, &table.path_of("replacements"));
    }
    reader.finish(table, &ARCHIVE_UNTRANSLATED);
    archive
}

/// v1's `replacements`: a mapping of values to the names archives use instead.
fn read_replacements(
    reader: &mut Reader,
    node: &Node,
    path: &str,
) -> Vec<(At<String>, At<String>)> {
    let Kind::Map(entries) = &node.kind else {
        reader.errors.push((
            format!("{path}: expected a mapping, found {}", node.describe()),
            node.at,
        ));
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| {
            let from = reader.scalar(key, path)?;
            let to = reader.scalar(value, &format!("{path}.{}", from.value))?;
            Some((from, to))
        })
        .collect()
}

fn read_archive_files(reader: &mut Reader, table: &mut Table<'_>) -> Option<At<Vec<ArchiveFile>>> {
    let node = table.take("files")?;
    let path = table.path_of("files");
    let Kind::Seq(items) = &node.kind else {
        reader.errors.push((
            format!("{path}: expected a list, found {}", node.describe()),
            node.at,
        ));
        return None;
    };
    let mut files = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        if let Some(src) = item.as_str() {
            files.push(ArchiveFile {
                src: At {
                    value: src.to_owned(),
                    at: item.at,
                },
                extras: Vec::new(),
            });
            continue;
        }
        let Some(mut entry) = reader.table(item, &item_path, Place::Archive) else {
            continue;
        };
        let Some(src) = reader.text(&mut entry, "src") else {
            reader
                .errors
                .push((format!("{item_path}: a file needs `src`"), item.at));
            continue;
        };
        let extras = ["dst", "strip_parent", "info"]
            .into_iter()
            .filter_map(|key| {
                entry.take(key).map(|value| At {
                    value: key.to_owned(),
                    at: value.at,
                })
            })
            .collect();
        files.push(ArchiveFile { src, extras });
        reader.finish(entry, &[]);
    }
    Some(At {
        value: files,
        at: node.at,
    })
}

fn read_checksum(reader: &mut Reader, mut table: Table<'_>) -> Checksum {
    let checksum = Checksum {
        algorithm: reader.text(&mut table, "algorithm"),
        disable: reader.text(&mut table, "disable"),
    };
    reader.finish(
        table,
        &[
            (
                "name_template",
                "crosscheck's checksum file is always dist/SHA256SUMS",
            ),
            (
                "split",
                "crosscheck writes one SHA256SUMS for every file it builds",
            ),
            (
                "ids",
                "crosscheck's SHA256SUMS lists every binary and archive",
            ),
            (
                "extra_files",
                "crosscheck's SHA256SUMS lists only what it built",
            ),
        ],
    );
    checksum
}

fn read_sbom(reader: &mut Reader, mut table: Table<'_>, at: super::yaml::Mark) -> Sbom {
    let sbom = Sbom {
        at,
        artifacts: reader.text(&mut table, "artifacts"),
        disable: reader.text(&mut table, "disable"),
    };
    let syft = "crosscheck writes CycloneDX 1.5 JSON itself, from each binary's Go build information, without syft";
    reader.finish(
        table,
        &[
            ("id", "crosscheck's SBOMs have no id"),
            ("cmd", syft),
            ("args", syft),
            ("env", syft),
            (
                "documents",
                "crosscheck names each SBOM <artifact>.cdx.json",
            ),
            ("ids", "crosscheck writes an SBOM for every binary"),
        ],
    );
    sbom
}

fn read_universal(
    reader: &mut Reader,
    mut table: Table<'_>,
    index: usize,
    at: super::yaml::Mark,
) -> Universal {
    let universal = Universal {
        index,
        at,
        id: reader.text(&mut table, "id"),
        ids: reader.list(&mut table, "ids"),
        name_template: reader.text(&mut table, "name_template"),
        replace: reader.text(&mut table, "replace"),
    };
    reader.finish(
        table,
        &[
            (
                "hooks",
                "crosscheck's [hooks] after_build runs for universal binaries too; per-binary hooks have no equivalent",
            ),
            (
                "mod_timestamp",
                "crosscheck sets every artifact's mtime to the commit time (or SOURCE_DATE_EPOCH) itself",
            ),
        ],
    );
    universal
}

/// `nfpms[i]` keys that are `[packages]` keys under the same or another name.
const NFPM_FIELDS: [(&str, &str); 9] = [
    ("package_name", "name"),
    ("maintainer", "maintainer"),
    ("description", "description"),
    ("homepage", "homepage"),
    ("license", "license"),
    ("vendor", "vendor"),
    ("section", "section"),
    ("priority", "priority"),
    ("bindir", "bindir"),
];

/// `nfpms[i]` relation lists and their `[packages]` keys.
const NFPM_RELATIONS: [(&str, &str); 6] = [
    ("dependencies", "depends"),
    ("recommends", "recommends"),
    ("suggests", "suggests"),
    ("conflicts", "conflicts"),
    ("provides", "provides"),
    ("replaces", "replaces"),
];

/// What crosscheck's packages do not take from an `nfpms` entry, and why.
const NFPM_UNTRANSLATED: [(&str, &str); 15] = [
    (
        "replacements",
        "crosscheck names each format's architectures itself (docs/packages.md)",
    ),
    ("id", "crosscheck's packages have no id"),
    (
        "ids",
        "every binary gets packages; a [[binary]]'s `packages = { formats = [] }` leaves one out",
    ),
    (
        "builds",
        "every binary gets packages; a [[binary]]'s `packages = { formats = [] }` leaves one out",
    ),
    ("meta", "crosscheck's packages always hold the binary"),
    (
        "umask",
        "crosscheck sets each file's mode (`mode` in `contents`, 0o644 by default, 0o755 for the binary)",
    ),
    (
        "mtime",
        "crosscheck dates every file with the release date (SOURCE_DATE_EPOCH or the commit)",
    ),
    (
        "epoch",
        "no equivalent: crosscheck's versions have no epoch",
    ),
    (
        "prerelease",
        "crosscheck takes the pre-release from the version (1.2.0-rc.1 becomes 1.2.0~rc.1)",
    ),
    (
        "version_metadata",
        "crosscheck takes build metadata from the version (after `+`)",
    ),
    (
        "release",
        "set `release` in [packages] (crosscheck's default is 1)",
    ),
    (
        "overrides",
        "per-format settings have no equivalent; a deb, rpm and apk share [packages]",
    ),
    (
        "deb",
        "format-specific settings (signatures, triggers, ...) have no equivalent",
    ),
    (
        "rpm",
        "format-specific settings (signatures, compression, ...) have no equivalent",
    ),
    (
        "apk",
        "format-specific settings (signatures, ...) have no equivalent",
    ),
];

fn read_nfpm(
    reader: &mut Reader,
    mut table: Table<'_>,
    index: usize,
    at: super::yaml::Mark,
) -> Nfpm {
    let mut nfpm = Nfpm {
        index,
        at,
        formats: reader.list(&mut table, "formats"),
        file_name_template: reader.text(&mut table, "file_name_template"),
        ..Nfpm::default()
    };
    for (key, ours) in NFPM_FIELDS {
        if let Some(value) = reader.text(&mut table, key) {
            nfpm.fields.push((ours, value));
        }
    }
    for (key, ours) in NFPM_RELATIONS {
        if let Some(values) = reader.list(&mut table, key) {
            nfpm.relations.push((ours, values));
        }
    }
    if let Some(contents) = reader.tables(&mut table, "contents", |_| Place::Packages) {
        for (index, at, mut entry) in contents.value {
            nfpm.contents.push(NfpmContent {
                index,
                at,
                src: reader.text(&mut entry, "src"),
                dst: reader.text(&mut entry, "dst"),
                kind: reader.text(&mut entry, "type"),
                mode: entry.take("file_info").and_then(|node| {
                    let mut info = reader.table(
                        node,
                        &format!("nfpms[{}].contents[{index}].file_info", nfpm.index),
                        Place::Packages,
                    )?;
                    let mode = reader.text(&mut info, "mode");
                    reader.finish(
                        info,
                        &[
                            ("owner", "crosscheck's packaged files belong to root"),
                            ("group", "crosscheck's packaged files belong to root"),
                            ("mtime", "crosscheck dates every file with the release date"),
                        ],
                    );
                    mode
                }),
            });
            reader.finish(
                entry,
                &[
                    ("packager", "a content entry goes into every format"),
                    (
                        "expand",
                        "no equivalent: crosscheck expands no environment variables in paths",
                    ),
                ],
            );
        }
    }
    if let Some(node) = table.take("scripts")
        && let Some(mut scripts) =
            reader.table(node, &format!("nfpms[{index}].scripts"), Place::Packages)
    {
        for key in ["preinstall", "postinstall", "preremove", "postremove"] {
            if let Some(path) = reader.text(&mut scripts, key) {
                nfpm.scripts.push((key, path));
            }
        }
        reader.finish(scripts, &[]);
    }
    reader.finish(table, &NFPM_UNTRANSLATED);
    nfpm
}
