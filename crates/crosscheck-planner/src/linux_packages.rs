//! Linux packages (`[packages]`): which a target gets, named and versioned as each format
//! wants, with every file resolved, so that `plan` shows them and a missing field or an
//! architecture a format cannot name is a plan error, not a failure after the builds.
//!
//! Two pure rules live here and are documented in docs/packages.md: [`package_arch`], the
//! architecture table (nfpm's names, which GoReleaser users already publish under), and
//! [`package_version`], which spells a semver version so that a pre-release sorts before its
//! release in dpkg, rpm and apk.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use crosscheck_schema::{
    LinuxPackageFormat, PackageMetadata, PackageRelations, PackageScripts, PlannedLinuxPackage,
    PlannedPackageFile,
};

use crate::archive::{ResolveError, resolve_files};
use crate::config::{Located, PackageScriptsConfig, PackagesSettings};
use crate::diagnostic::Diagnostic;
use crate::template::Placeholder;

/// Where the binary goes unless `bindir` says otherwise.
pub const DEFAULT_BINDIR: &str = "/usr/bin";

/// The release unless `release` says otherwise.
pub const DEFAULT_RELEASE: &str = "1";

/// Permission bits of a `contents` file without `mode`.
const DEFAULT_FILE_MODE: u32 = 0o644;

/// The architecture name `format` uses for GOARCH `goarch` (with `goarm`, the effective
/// GOARM of an arm target), or `None` when the format has no name for it.
///
/// The names are nfpm's (GoReleaser's packager), which are the distributions' own: Debian
/// calls ARMv6 and ARMv7 hard-float both `armhf` (Raspbian's ARMv6 armhf included), rpm
/// and Alpine tell them apart.
pub fn package_arch(
    format: LinuxPackageFormat,
    goarch: &str,
    goarm: Option<&str>,
) -> Option<&'static str> {
    use LinuxPackageFormat::{Apk, Deb, Rpm};
    Some(match (format, goarch, goarm) {
        (Deb, "amd64", _) => "amd64",
        (Deb, "386", _) => "i386",
        (Deb, "arm64", _) => "arm64",
        (Deb, "arm", Some("5")) => "armel",
        (Deb, "arm", Some("6" | "7")) => "armhf",
        (Deb, "ppc64le", _) => "ppc64el",
        (Deb, "s390x", _) => "s390x",
        (Deb, "riscv64", _) => "riscv64",
        (Deb, "loong64", _) => "loong64",
        (Deb, "mips64le", _) => "mips64el",
        (Deb, "mipsle", _) => "mipsel",
        (Rpm, "amd64", _) => "x86_64",
        (Rpm, "386", _) => "i386",
        (Rpm, "arm64", _) => "aarch64",
        (Rpm, "arm", Some("5")) => "armv5tel",
        (Rpm, "arm", Some("6")) => "armv6hl",
        (Rpm, "arm", Some("7")) => "armv7hl",
        (Rpm, "ppc64le", _) => "ppc64le",
        (Rpm, "s390x", _) => "s390x",
        (Rpm, "riscv64", _) => "riscv64",
        (Rpm, "loong64", _) => "loongarch64",
        (Rpm, "mips64le", _) => "mips64el",
        (Apk, "amd64", _) => "x86_64",
        (Apk, "386", _) => "x86",
        (Apk, "arm64", _) => "aarch64",
        (Apk, "arm", Some("6")) => "armhf",
        (Apk, "arm", Some("7")) => "armv7",
        (Apk, "ppc64le", _) => "ppc64le",
        (Apk, "s390x", _) => "s390x",
        (Apk, "riscv64", _) => "riscv64",
        (Apk, "loong64", _) => "loongarch64",
        _ => return None,
    })
}

/// The pre-release words apk orders before a release (`_alpha` < `_beta` < `_pre` <
/// `_rc` < none); apk-tools' version rules have no others.
const APK_PRE_RELEASES: [&str; 4] = ["alpha", "beta", "pre", "rc"];

/// `version` (semver, a leading `v` allowed) as `format` spells it, so that the package
/// manager orders it as semver does: a pre-release before its release.
///
/// `1.2.0-rc.1` is `1.2.0~rc.1` for deb and rpm (`~` sorts before anything, even the end
/// of the string) and `1.2.0_rc1` for apk. Build metadata (`+abc`) stays for deb and rpm
/// and is dropped for apk, which has no place for it (semver ignores it in ordering); a
/// pre-release word apk does not know becomes `_pre` (see `apk_pre_release`).
/// Err: why the version is not a semantic version.
pub fn package_version(format: LinuxPackageFormat, version: &str) -> Result<String, String> {
    let version = match version.strip_prefix('v') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => version,
    };
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let core_ok = core.starts_with(|c: char| c.is_ascii_digit())
        && core.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !core.ends_with('.');
    if !core_ok {
        return Err(format!(
            "version {version:?} does not start with numbers separated by dots (hint: tag releases like v1.2.3, or set `version` in [packages])"
        ));
    }
    let pieces_ok = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    if !pre.is_none_or(pieces_ok) || !build.is_none_or(pieces_ok) {
        return Err(format!(
            "version {version:?} is not a semantic version (hint: pre-release and build parts take letters, digits, `.` and `-`, e.g. 1.2.0-rc.1)"
        ));
    }
    match format {
        LinuxPackageFormat::Deb | LinuxPackageFormat::Rpm => {
            let mut out = core.to_owned();
            if let Some(pre) = pre {
                out.push('~');
                out.push_str(&pre.replace('-', "."));
            }
            if let Some(build) = build {
                out.push('+');
                out.push_str(&build.replace('-', "."));
            }
            Ok(out)
        }
        LinuxPackageFormat::Apk => Ok(match pre {
            None => core.to_owned(),
            Some(pre) => format!("{core}_{}", apk_pre_release(pre)),
        }),
    }
}

/// A semver pre-release as apk's suffix: `rc.1`, `rc1` and `rc-1` are `rc1`, `beta` is
/// `beta`. apk has no other words, so any other pre-release (`dev`, `snapshot.3`, the
/// `0.0.0-dev` crosscheck says without a tag) is `pre`, with its trailing number: it still
/// sorts before the release, which is what matters for a pre-release.
fn apk_pre_release(pre: &str) -> String {
    let known = APK_PRE_RELEASES.into_iter().find(|word| {
        pre.strip_prefix(word).is_some_and(|rest| {
            rest.trim_start_matches(['.', '-'])
                .chars()
                .all(|c| c.is_ascii_digit())
        })
    });
    let (word, rest) = match known {
        Some(word) => (word, &pre[word.len()..]),
        None => ("pre", pre.rsplit(['.', '-']).next().unwrap_or_default()),
    };
    let number = rest.trim_start_matches(['.', '-']);
    let number = if number.chars().all(|c| c.is_ascii_digit()) {
        number
    } else {
        ""
    };
    format!("{word}{number}")
}

/// Whether dpkg, rpm and apk all accept `name` as a package name.
fn is_package_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
}

/// What the package planner needs of one build.
pub(crate) struct PackageRequest<'r, 'v> {
    /// The settings after `[packages]`, the binary's and the overrides'.
    pub settings: &'r PackagesSettings,
    /// GOOS and GOARCH of the target.
    pub goos: &'r str,
    pub goarch: &'r str,
    /// The effective GOARM of an arm target.
    pub goarm: Option<&'r str>,
    /// The target id, for errors.
    pub id: &'r str,
    /// The binary's file name (`{binary}`), installed as `<bindir>/<binary>`.
    pub binary: &'r str,
    /// The target's placeholder values.
    pub values: &'r dyn Fn(Placeholder) -> Cow<'v, str>,
    /// The module directory, where `contents` and `scripts` are read.
    pub module_dir: &'r Path,
}

/// The packages of one build: one per format, none for a non-linux target.
pub(crate) fn plan_packages(
    request: &PackageRequest<'_, '_>,
) -> Result<Vec<PlannedLinuxPackage>, Diagnostic> {
    let settings = request.settings;
    let Some(formats) = &settings.formats else {
        return Ok(Vec::new());
    };
    if request.goos != "linux" || formats.value.is_empty() {
        return Ok(Vec::new());
    }
    let render = |field: &Option<crate::config::TemplateField>| {
        field
            .as_ref()
            .map(|template| template.value.render(request.values))
    };
    let name = render(&settings.name).unwrap_or_else(|| request.binary.to_owned());
    if !is_package_name(&name) {
        return Err(Diagnostic::error(
            format!(
                "package name {name:?} of {} is not one dpkg, rpm and apk accept (hint: lower-case letters, digits, `+`, `-` and `.`, at least two characters; set `name` in [packages])",
                request.id
            ),
            request.span_of(settings.name.as_ref().map(|n| &n.span)),
        ));
    }
    let metadata = PackageMetadata {
        maintainer: render(&settings.maintainer),
        description: render(&settings.description).unwrap_or_else(|| name.clone()),
        homepage: render(&settings.homepage),
        license: render(&settings.license),
        vendor: render(&settings.vendor),
        section: render(&settings.section),
        priority: render(&settings.priority),
    };
    let bindir = settings
        .bindir
        .as_ref()
        .map_or(DEFAULT_BINDIR, |dir| dir.value.as_str());
    let binary_destination = format!("{}/{}", bindir.trim_end_matches('/'), request.binary);
    let contents = resolve_contents(settings, request.module_dir, &binary_destination)?;
    let scripts = resolve_scripts(settings.scripts.as_ref(), request.module_dir)?;
    let relations = relations(settings);
    let raw_version = render(&settings.version)
        .unwrap_or_else(|| request.values(Placeholder::Version).into_owned());
    let release = settings
        .release
        .as_ref()
        .map_or(DEFAULT_RELEASE, |r| r.value.as_str());
    let mut packages = Vec::new();
    for &format in &formats.value {
        let arch = format_arch(request, format, &metadata, release)?;
        let version = package_version(format, &raw_version).map_err(|message| {
            Diagnostic::error(
                format!("the {format} package of {}: {message}", request.id),
                request.span_of(settings.version.as_ref().map(|v| &v.span)),
            )
        })?;
        let path = package_path(settings, request, format, &name, &version, release, arch)?;
        packages.push(PlannedLinuxPackage {
            format,
            path,
            name: name.clone(),
            version,
            release: release.to_owned(),
            arch: arch.to_owned(),
            binary_destination: binary_destination.clone(),
            metadata: metadata.clone(),
            relations: relations.clone(),
            contents: contents.clone(),
            scripts: scripts.clone(),
        });
    }
    Ok(packages)
}

impl PackageRequest<'_, '_> {
    fn values(&self, placeholder: Placeholder) -> Cow<'_, str> {
        (self.values)(placeholder)
    }

    /// Where an error about a key points: the key when it was written, else `formats`,
    /// which asked for the packages.
    fn span_of(&self, key: Option<&Range<usize>>) -> Option<Range<usize>> {
        let formats = self.settings.formats.as_ref().map(|f| f.span.clone());
        key.cloned().or(formats)
    }
}

/// The format's architecture name for the target, once the format has what it requires;
/// Err: why this target cannot have this format.
fn format_arch(
    request: &PackageRequest<'_, '_>,
    format: LinuxPackageFormat,
    metadata: &PackageMetadata,
    release: &str,
) -> Result<&'static str, Diagnostic> {
    let at_formats = |message: String| Diagnostic::error(message, request.span_of(None));
    let arch = package_arch(format, request.goarch, request.goarm).ok_or_else(|| {
        at_formats(format!(
            "{} has no {format} architecture name, so it cannot get {} (hint: docs/packages.md lists the architectures each format names; leave {format} out for this target with an [[override]] that sets `packages = {{ formats = [...] }}`)",
            request.id,
            with_article(format)
        ))
    })?;
    check_required(format, metadata).map_err(at_formats)?;
    if format == LinuxPackageFormat::Apk && !release.chars().all(|c| c.is_ascii_digit()) {
        let span = request.settings.release.as_ref().map(|r| &r.span);
        return Err(Diagnostic::error(
            format!(
                "an apk package needs a numeric release, not {release:?} (hint: apk writes it as -r{release}, which takes digits only)"
            ),
            request.span_of(span),
        ));
    }
    Ok(arch)
}

/// `a deb`, `an rpm`, `an apk`: the format with its article, for messages.
fn with_article(format: LinuxPackageFormat) -> &'static str {
    match format {
        LinuxPackageFormat::Deb => "a deb package",
        LinuxPackageFormat::Rpm => "an rpm package",
        LinuxPackageFormat::Apk => "an apk package",
    }
}

/// What a format cannot do without: deb a `Maintainer`, rpm a `License`.
fn check_required(format: LinuxPackageFormat, metadata: &PackageMetadata) -> Result<(), String> {
    match format {
        LinuxPackageFormat::Deb if metadata.maintainer.is_none() => Err(
            "a deb package needs a maintainer (hint: set `maintainer = \"Name <email>\"` in [packages]; dpkg requires the Maintainer field)".to_owned(),
        ),
        LinuxPackageFormat::Rpm if metadata.license.is_none() => Err(
            "an rpm package needs a license (hint: set `license` in [packages] to an SPDX expression such as \"MIT\"; rpm requires the License tag)".to_owned(),
        ),
        _ => Ok(()),
    }
}

fn relations(settings: &PackagesSettings) -> PackageRelations {
    let list = |value: &Option<Vec<String>>| value.clone().unwrap_or_default();
    let relations = &settings.relations;
    PackageRelations {
        depends: list(&relations.depends),
        recommends: list(&relations.recommends),
        suggests: list(&relations.suggests),
        conflicts: list(&relations.conflicts),
        provides: list(&relations.provides),
        replaces: list(&relations.replaces),
    }
}

/// The package's path in dist: `file_name` (or the format's convention) rendered with the
/// package's name, version and architecture, plus the format's extension.
fn package_path(
    settings: &PackagesSettings,
    request: &PackageRequest<'_, '_>,
    format: LinuxPackageFormat,
    name: &str,
    version: &str,
    release: &str,
    arch: &str,
) -> Result<String, Diagnostic> {
    let values = |placeholder: Placeholder| -> Cow<'_, str> {
        match placeholder {
            Placeholder::Name => Cow::Borrowed(name),
            Placeholder::Version => Cow::Borrowed(version),
            Placeholder::Arch => Cow::Borrowed(arch),
            Placeholder::Format => Cow::Borrowed(format.as_str()),
            Placeholder::Release => Cow::Borrowed(release),
            other => request.values(other),
        }
    };
    let stem = match &settings.file_name {
        Some(template) => template.value.render(&values),
        // The names each ecosystem's tools give their packages.
        None => match format {
            LinuxPackageFormat::Deb => format!("{name}_{version}-{release}_{arch}"),
            LinuxPackageFormat::Rpm => format!("{name}-{version}-{release}.{arch}"),
            LinuxPackageFormat::Apk => format!("{name}_{version}-r{release}_{arch}"),
        },
    };
    let path = format!("{stem}.{format}");
    if crosscheck_schema::dist::stays_inside(&path) {
        return Ok(path);
    }
    Err(Diagnostic::error(
        format!(
            "package path {path:?} of {} is not a file inside the dist directory",
            request.id
        ),
        settings.file_name.as_ref().map(|t| t.span.clone()),
    ))
}

/// `contents`, globs expanded, sorted by destination; a destination twice (or the
/// binary's) is an error.
fn resolve_contents(
    settings: &PackagesSettings,
    module_dir: &Path,
    binary_destination: &str,
) -> Result<Vec<PlannedPackageFile>, Diagnostic> {
    let mut files: Vec<PlannedPackageFile> = Vec::new();
    for entry in settings.contents.iter().flatten() {
        let at_src = |message: String| Diagnostic::error(message, Some(entry.src.span.clone()));
        let found = resolve_files(module_dir, &entry.src.value).map_err(|error| match error {
            ResolveError::NoMatch => at_src(format!(
                "package file {:?} matches no file in {}",
                entry.src.value,
                module_dir.display()
            )),
            ResolveError::Unreadable(what) => at_src(format!("cannot read {what}")),
        })?;
        let is_glob = entry.src.value.contains(['*', '?', '[', '{']);
        let literal_dir: Vec<&str> = entry
            .src
            .value
            .split('/')
            .take_while(|part| !part.contains(['*', '?', '[', '{']))
            .collect();
        let literal_dir = literal_dir.join("/");
        for (source, relative) in found {
            let destination = if is_glob {
                let below = relative
                    .strip_prefix(&literal_dir)
                    .unwrap_or(&relative)
                    .trim_start_matches('/');
                format!("{}/{below}", entry.dst.value.trim_end_matches('/'))
            } else if entry.dst.value.ends_with('/') {
                let file = relative.rsplit('/').next().unwrap_or(&relative);
                format!("{}{file}", entry.dst.value)
            } else {
                entry.dst.value.clone()
            };
            let taken = destination == binary_destination
                || files.iter().any(|file| file.destination == destination);
            if taken {
                return Err(Diagnostic::error(
                    format!(
                        "two files would be installed as {destination:?} (hint: give each `contents` entry its own `dst`; the binary goes to {binary_destination:?})"
                    ),
                    Some(entry.dst.span.clone()),
                ));
            }
            files.push(PlannedPackageFile {
                source: clean_path(&source),
                destination,
                mode: entry.mode.unwrap_or(DEFAULT_FILE_MODE),
                kind: entry.kind,
            });
        }
    }
    files.sort_by(|a, b| a.destination.cmp(&b.destination));
    Ok(files)
}

/// `path` without `.` components: nfpm reads a source as a glob, and its glob library cannot
/// stat `/a/./b`.
fn clean_path(path: &Path) -> String {
    path.components()
        .collect::<std::path::PathBuf>()
        .to_string_lossy()
        .into_owned()
}

/// `scripts`, each an existing file of the module, as absolute paths.
fn resolve_scripts(
    scripts: Option<&PackageScriptsConfig>,
    module_dir: &Path,
) -> Result<PackageScripts, Diagnostic> {
    let Some(scripts) = scripts else {
        return Ok(PackageScripts::default());
    };
    let resolve = |script: &Option<Located<String>>| -> Result<Option<String>, Diagnostic> {
        let Some(script) = script else {
            return Ok(None);
        };
        let path = module_dir.join(&script.value);
        if path.is_file() {
            Ok(Some(clean_path(&path)))
        } else {
            Err(Diagnostic::error(
                format!(
                    "script {:?} is not a file in {}",
                    script.value,
                    module_dir.display()
                ),
                Some(script.span.clone()),
            ))
        }
    };
    Ok(PackageScripts {
        preinstall: resolve(&scripts.preinstall)?,
        postinstall: resolve(&scripts.postinstall)?,
        preremove: resolve(&scripts.preremove)?,
        postremove: resolve(&scripts.postremove)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinuxPackageFormat::{Apk, Deb, Rpm};

    /// A row: GOARCH, GOARM, then the deb, rpm and apk names.
    type Row = (
        &'static str,
        Option<&'static str>,
        [Option<&'static str>; 3],
    );

    /// The table of docs/packages.md, row by row.
    const TABLE: [Row; 14] = [
        (
            "amd64",
            None,
            [Some("amd64"), Some("x86_64"), Some("x86_64")],
        ),
        ("386", None, [Some("i386"), Some("i386"), Some("x86")]),
        (
            "arm64",
            None,
            [Some("arm64"), Some("aarch64"), Some("aarch64")],
        ),
        ("arm", Some("5"), [Some("armel"), Some("armv5tel"), None]),
        (
            "arm",
            Some("6"),
            [Some("armhf"), Some("armv6hl"), Some("armhf")],
        ),
        (
            "arm",
            Some("7"),
            [Some("armhf"), Some("armv7hl"), Some("armv7")],
        ),
        (
            "ppc64le",
            None,
            [Some("ppc64el"), Some("ppc64le"), Some("ppc64le")],
        ),
        ("s390x", None, [Some("s390x"), Some("s390x"), Some("s390x")]),
        (
            "riscv64",
            None,
            [Some("riscv64"), Some("riscv64"), Some("riscv64")],
        ),
        (
            "loong64",
            None,
            [Some("loong64"), Some("loongarch64"), Some("loongarch64")],
        ),
        ("mips64le", None, [Some("mips64el"), Some("mips64el"), None]),
        ("mipsle", None, [Some("mipsel"), None, None]),
        ("mips64", None, [None, None, None]),
        ("ppc64", None, [None, None, None]),
    ];

    #[test]
    fn architecture_table_row_by_row() {
        for (goarch, goarm, [deb, rpm, apk]) in TABLE {
            assert_eq!(
                package_arch(Deb, goarch, goarm),
                deb,
                "deb {goarch} {goarm:?}"
            );
            assert_eq!(
                package_arch(Rpm, goarch, goarm),
                rpm,
                "rpm {goarch} {goarm:?}"
            );
            assert_eq!(
                package_arch(Apk, goarch, goarm),
                apk,
                "apk {goarch} {goarm:?}"
            );
        }
    }

    #[test]
    fn versions_per_format() {
        let cases = [
            ("1.2.0", "1.2.0", "1.2.0", "1.2.0"),
            ("v1.2.0", "1.2.0", "1.2.0", "1.2.0"),
            ("1.2.0-rc.1", "1.2.0~rc.1", "1.2.0~rc.1", "1.2.0_rc1"),
            ("v2.0.0-beta", "2.0.0~beta", "2.0.0~beta", "2.0.0_beta"),
            (
                "1.0.0-alpha.2+build.5",
                "1.0.0~alpha.2+build.5",
                "1.0.0~alpha.2+build.5",
                "1.0.0_alpha2",
            ),
            ("1.2.3-rc-4", "1.2.3~rc.4", "1.2.3~rc.4", "1.2.3_rc4"),
        ];
        for (input, deb, rpm, apk) in cases {
            assert_eq!(package_version(Deb, input).unwrap(), deb, "{input}");
            assert_eq!(package_version(Rpm, input).unwrap(), rpm, "{input}");
            assert_eq!(package_version(Apk, input).unwrap(), apk, "{input}");
        }
    }

    #[test]
    fn versions_without_a_form_are_errors() {
        assert!(
            package_version(Deb, "latest")
                .unwrap_err()
                .contains("does not start with numbers")
        );
        assert!(package_version(Deb, "1.2.").is_err());
        assert!(
            package_version(Rpm, "1.2.0-rc_1")
                .unwrap_err()
                .contains("not a semantic version")
        );
        assert_eq!(package_version(Deb, "0.0.0-dev").unwrap(), "0.0.0~dev");
        // Words apk does not know are `_pre`, keeping a trailing number.
        assert_eq!(package_version(Apk, "0.0.0-dev").unwrap(), "0.0.0_pre");
        assert_eq!(
            package_version(Apk, "1.2.0-snapshot.3").unwrap(),
            "1.2.0_pre3"
        );
        assert_eq!(package_version(Apk, "1.2.0-rcx").unwrap(), "1.2.0_pre");
    }

    #[test]
    fn package_names() {
        for good in ["hello", "hello-cli", "lib2.0", "g++"] {
            assert!(is_package_name(good), "{good}");
        }
        for bad in ["Hello", "h", "-x", "hello_world", ""] {
            assert!(!is_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn required_fields_per_format() {
        let bare = PackageMetadata::default();
        assert!(
            check_required(Deb, &bare)
                .unwrap_err()
                .contains("maintainer")
        );
        assert!(check_required(Rpm, &bare).unwrap_err().contains("license"));
        assert!(check_required(Apk, &bare).is_ok());
    }

    fn content(src: &str, dst: &str) -> crate::config::PackageContentConfig {
        crate::config::PackageContentConfig {
            src: Located {
                value: src.to_owned(),
                span: 0..1,
            },
            dst: Located {
                value: dst.to_owned(),
                span: 2..3,
            },
            mode: None,
            kind: crosscheck_schema::PackageFileKind::Doc,
        }
    }

    #[test]
    fn contents_globs_keep_paths_below_their_literal_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs/deep")).unwrap();
        for file in ["docs/a.md", "docs/deep/b.md", "LICENSE"] {
            std::fs::write(dir.path().join(file), "x").unwrap();
        }
        let settings = PackagesSettings {
            contents: Some(vec![
                content("docs/**/*.md", "/usr/share/doc/x"),
                content("LICENSE", "/usr/share/doc/x/"),
            ]),
            ..PackagesSettings::default()
        };
        let files = resolve_contents(&settings, dir.path(), "/usr/bin/x").unwrap();
        let destinations: Vec<&str> = files.iter().map(|f| f.destination.as_str()).collect();
        assert_eq!(
            destinations,
            [
                "/usr/share/doc/x/LICENSE",
                "/usr/share/doc/x/a.md",
                "/usr/share/doc/x/deep/b.md"
            ]
        );
        assert!(files.iter().all(|f| f.mode == 0o644));

        let clash = PackagesSettings {
            contents: Some(vec![content("LICENSE", "/usr/bin/x")]),
            ..PackagesSettings::default()
        };
        let error = resolve_contents(&clash, dir.path(), "/usr/bin/x").unwrap_err();
        assert!(
            error
                .message
                .contains("two files would be installed as \"/usr/bin/x\""),
            "{}",
            error.message
        );
        assert_eq!(error.span, Some(2..3), "points at dst");

        let nothing = PackagesSettings {
            contents: Some(vec![content("*.rst", "/usr/share/doc/x/")]),
            ..PackagesSettings::default()
        };
        let error = resolve_contents(&nothing, dir.path(), "/usr/bin/x").unwrap_err();
        assert!(
            error.message.contains("matches no file"),
            "{}",
            error.message
        );
    }
}
