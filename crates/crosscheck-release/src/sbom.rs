//! CycloneDX 1.5 JSON SBOMs built from a Go binary's embedded module list.
//!
//! [`cyclonedx`] is pure: it reads an inspector [`Report`] (whose [`GoInfo`] holds what
//! `go version -m` prints) and an [`SbomSubject`] (what the binary alone does not say: the
//! artifact's name, its target, the timestamp, crosscheck's version) and returns the document
//! as a [`serde_json::Value`]. The same inputs give the same bytes: no wall clock, no random
//! serial number. [`cyclonedx_universal`] describes a universal Mach-O file from the reports
//! of its thin slices. Field-by-field mapping and limitations: `docs/sbom.md`.

use std::collections::BTreeSet;

use crosscheck_inspector::{Format, GoInfo, GoInfoSource, GoModule, Report};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Prefix of every property crosscheck writes. CycloneDX reserves `cdx:` for its registered
/// taxonomies (`cdx:gomod:` belongs to cyclonedx-gomod, whose exact semantics we do not
/// promise), so our facts live in a namespace we own and document in docs/sbom.md.
pub const PROPERTY_PREFIX: &str = "crosscheck:";

/// What an SBOM needs to know beyond the binary itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomSubject {
    /// The artifact's file name, e.g. `hello_linux_amd64`.
    pub artifact: String,
    /// The target id it was built for, e.g. `linux/amd64+cgo.musl`, when known.
    pub target: Option<String>,
    /// `metadata.timestamp` as seconds since 1970 (SOURCE_DATE_EPOCH or the commit date).
    /// `None` falls back to the binary's `vcs.time` build setting, else no timestamp: never
    /// the wall clock, so the document stays reproducible.
    pub timestamp: Option<i64>,
    /// crosscheck's version, recorded as the tool that wrote the SBOM.
    pub tool_version: String,
}

/// Why no SBOM can be made for a file.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The file is not a Go binary (or not one the inspector recognises).
    #[error(
        "{path}: not a Go binary, so there is no module list to describe (hint: SBOMs are made from the build info that `go build` embeds)"
    )]
    NotGo {
        /// The file.
        path: String,
    },
    /// A Go binary without build info: built before Go 1.13, or stripped of it.
    #[error(
        "{path}: a Go binary without embedded build info (recognised by {found_by}); there is no module list to describe (hint: build with Go 1.18 or later in module mode)"
    )]
    NoBuildInfo {
        /// The file.
        path: String,
        /// How the inspector recognised Go.
        found_by: &'static str,
    },
    /// A universal Mach-O: each slice has its own build info.
    #[error(
        "{path}: a universal (fat) Mach-O file holds one binary per architecture (hint: make an SBOM for each thin binary before merging them with lipo)"
    )]
    Universal {
        /// The file.
        path: String,
    },
    /// The timestamp cannot be written as an RFC 3339 date.
    #[error(
        "timestamp {seconds} is out of range (hint: SOURCE_DATE_EPOCH must be seconds since 1970)"
    )]
    Timestamp {
        /// The rejected value.
        seconds: i64,
    },
}

/// The CycloneDX 1.5 document describing the Go binary that `report` inspected.
pub fn cyclonedx(report: &Report, subject: &SbomSubject) -> Result<Value, SbomError> {
    if report.format == Format::MachoFat {
        return Err(SbomError::Universal {
            path: report.path.clone(),
        });
    }
    let go = go_info(report)?;
    let mut refs = BomRefs::default();
    let application = application(report, go, subject, &mut refs);
    document(application, &[go], subject, refs)
}

/// The CycloneDX 1.5 document of a universal (fat) Mach-O file, made from the reports of the
/// thin binaries that are its slices (a fat file's slices each carry their own build info).
///
/// `metadata.component` is the fat file (its SHA-256, a purl without `goarch`: a universal
/// binary has none), with one nested application component per slice (its `goarch` and
/// SHA-256); `components` are the modules of all slices, each once.
pub fn cyclonedx_universal(
    fat: &Report,
    slices: &[Report],
    subject: &SbomSubject,
) -> Result<Value, SbomError> {
    let Some(first) = slices.first() else {
        return Err(SbomError::NotGo {
            path: fat.path.clone(),
        });
    };
    let gos = slices.iter().map(go_info).collect::<Result<Vec<_>, _>>()?;
    let mut refs = BomRefs::default();
    // The fat file as a whole: the first slice's module facts, the fat file's identity.
    let whole = Report {
        path: fat.path.clone(),
        sha256: fat.sha256.clone(),
        goarch: None,
        ..first.clone()
    };
    let mut fat_application = application(&whole, gos[0], subject, &mut refs);
    let nested: Vec<Component> = slices
        .iter()
        .zip(&gos)
        .map(|(slice, go)| {
            let slice_subject = SbomSubject {
                target: None,
                ..subject.clone()
            };
            application(slice, go, &slice_subject, &mut refs)
        })
        .collect();
    fat_application.components = Some(nested);
    document(fat_application, &gos, subject, refs)
}

/// The Go facts an SBOM is made from: the build info, not a guess.
fn go_info(report: &Report) -> Result<&GoInfo, SbomError> {
    let Some(go) = &report.go else {
        return Err(SbomError::NotGo {
            path: report.path.clone(),
        });
    };
    match go.source {
        GoInfoSource::Buildinfo | GoInfoSource::BuildinfoPointers | GoInfoSource::WasmModinfo => {}
        GoInfoSource::Heuristic | GoInfoSource::WasmProducers => {
            return Err(SbomError::NoBuildInfo {
                path: report.path.clone(),
                found_by: match go.source {
                    GoInfoSource::Heuristic => "its build id or runtime markers",
                    _ => "its wasm producers section",
                },
            });
        }
    }
    Ok(go)
}

/// The document around `application`: the modules of `gos` (each once), the metadata and the
/// serial number.
fn document(
    application: Component,
    gos: &[&GoInfo],
    subject: &SbomSubject,
    refs: BomRefs,
) -> Result<Value, SbomError> {
    let components = modules(gos, refs);
    let timestamp = match gos.first() {
        Some(go) => timestamp(go, subject)?,
        None => None,
    };
    let tool = Component {
        version: Some(subject.tool_version.clone()),
        ..Component::new(ComponentType::Application, "crosscheck")
    };
    let dependencies = vec![Dependency {
        // Go's build info lists every module linked in but not who requires whom, so the only
        // honest graph is "the application depends on each of them". The modules get no
        // entries of their own: CycloneDX reads a missing entry as "unknown", while an empty
        // `dependsOn` would claim they depend on nothing.
        depends_on: components
            .iter()
            .filter_map(|c| c.bom_ref.clone())
            .collect(),
        reference: application.bom_ref.clone().unwrap_or_default(),
    }];
    let mut bom = Bom {
        bom_format: "CycloneDX",
        components,
        dependencies,
        metadata: Metadata {
            component: application,
            timestamp,
            tools: Tools {
                components: vec![tool],
            },
        },
        serial_number: None,
        spec_version: "1.5",
        version: 1,
    };
    bom.serial_number = Some(serial_number(&bom));
    // Cannot fail: the document has no maps, so no key that is not a string.
    Ok(serde_json::to_value(&bom).unwrap_or_default())
}

/// The standard library and the modules of `gos`, each once, with bom-refs unique across the
/// document (`refs` holds the application's).
fn modules(gos: &[&GoInfo], mut refs: BomRefs) -> Vec<Component> {
    let mut components: Vec<Component> = Vec::new();
    for go in gos {
        let candidates = stdlib(go, &mut BomRefs::default()).into_iter().chain(
            go.deps
                .iter()
                .map(|dep| library(dep, &mut BomRefs::default())),
        );
        for candidate in candidates {
            // The same module in two slices is one component; two modules that share a
            // replacement differ in their properties and stay two.
            if !components.contains(&candidate) {
                components.push(candidate);
            }
        }
    }
    // bom-refs are made unique across the whole document once the set is known.
    for component in &mut components {
        let wanted = component.bom_ref.take().unwrap_or_default();
        component.bom_ref = Some(refs.unique(&wanted));
    }
    components
}

/// `metadata.component`: the binary itself.
fn application(
    report: &Report,
    go: &GoInfo,
    subject: &SbomSubject,
    refs: &mut BomRefs,
) -> Component {
    // The main module names the application; a binary built from files outside any module
    // has only its package path (`command-line-arguments`), and the file name is the last
    // resort.
    let name = go
        .main
        .as_ref()
        .map(|main| main.path.clone())
        .filter(|path| !path.is_empty())
        .or_else(|| go.path.clone().filter(|path| !path.is_empty()))
        .or_else(|| Some(subject.artifact.clone()).filter(|name| !name.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let version = go
        .main
        .as_ref()
        .and_then(|main| real_version(&main.version));

    let mut qualifiers = Vec::new();
    if let Some(goarch) = &report.goarch {
        qualifiers.push(("goarch", goarch.as_str()));
    }
    if let Some(goos) = &report.goos {
        qualifiers.push(("goos", goos.as_str()));
    }
    qualifiers.push(("type", "module"));
    let purl = purl(&name, version, &qualifiers);

    Component {
        bom_ref: Some(refs.unique(&purl)),
        hashes: is_sha256(&report.sha256).then(|| {
            vec![Hash {
                alg: "SHA-256",
                content: report.sha256.clone(),
            }]
        }),
        version: version.map(str::to_owned),
        purl: Some(purl),
        // Written even when empty, unlike a module's, as crosscheck has always written it.
        properties: Some(application_properties(report, go, subject).0),
        ..Component::new(ComponentType::Application, name)
    }
}

/// What the artifact, its target and its build info say about the application.
fn application_properties(report: &Report, go: &GoInfo, subject: &SbomSubject) -> Properties {
    let mut properties = Properties::default();
    if !subject.artifact.is_empty() {
        properties.push("artifact", &subject.artifact);
    }
    if let Some(target) = &subject.target {
        properties.push("target", target);
    }
    if let Some(goos) = &report.goos {
        properties.push("goos", goos);
    }
    if let Some(goarch) = &report.goarch {
        properties.push("goarch", goarch);
    }
    if let Some(version) = &go.version {
        properties.push("go:version", version);
    }
    if let Some(path) = &go.path {
        properties.push("go:path", path);
    }
    if let Some(main) = &go.main {
        // `(devel)` is what Go records for an untagged main module; it is no version, so it
        // stays out of `version` and the purl but is kept here.
        properties.push("go:module:version", &main.version);
        properties.push_nonempty("go:module:sum", &main.sum);
    }
    if let Some(build_id) = &go.build_id {
        properties.push("go:build-id", build_id);
    }
    for (key, value) in &go.settings.0 {
        properties.push(&format!("go:setting:{key}"), value);
    }
    properties
}

/// The Go standard library, as a component of its own so vulnerability scanners match it.
///
/// Name `stdlib` and a purl version without the `go` prefix (`pkg:golang/stdlib@1.26.8`) are
/// what syft writes and grype and the Go vulnerability database match on; the component's
/// `version` keeps Go's own spelling (`go1.26.8`).
fn stdlib(go: &GoInfo, refs: &mut BomRefs) -> Option<Component> {
    let version = go.version.as_deref()?.trim();
    // Toolchains may append experiments (`go1.24.1 X:boringcrypto`); the release is the first word.
    let release = version.split_whitespace().next()?;
    let purl_version = release.strip_prefix("go").unwrap_or(release);
    let purl = purl("stdlib", Some(purl_version), &[]);
    let mut properties = Properties::default();
    properties.push("go:version", version);
    Some(Component {
        bom_ref: Some(refs.unique(&purl)),
        description: Some("the Go standard library"),
        version: Some(version.to_owned()),
        purl: Some(purl),
        properties: Some(properties.0),
        ..Component::new(ComponentType::Library, "stdlib")
    })
}

/// One dependency. A replaced module is described as what was actually linked in (the
/// replacement), with the module the build asked for kept in `pedigree.ancestors` and in
/// properties.
fn library(dep: &GoModule, refs: &mut BomRefs) -> Component {
    let mut properties = Properties::default();
    let mut component = match dep.replace.as_deref() {
        None => {
            properties.push_nonempty("go:sum", &dep.sum);
            with_purl_ref(module_component(&dep.path, &dep.version), refs)
        }
        Some(replacement) if is_directory(&replacement.path) => {
            // Code from a local directory has no version and no registry identity: a purl
            // would claim it is the published module, so there is none. It keeps the module
            // path it stands in for as its name.
            properties.push("go:replace:dir", &replacement.path);
            Component {
                bom_ref: Some(
                    refs.unique(&format!("gomod-dir:{}=>{}", dep.path, replacement.path)),
                ),
                ..Component::new(ComponentType::Library, dep.path.clone())
            }
        }
        Some(replacement) => {
            properties.push_nonempty("go:sum", &replacement.sum);
            with_purl_ref(
                module_component(&replacement.path, &replacement.version),
                refs,
            )
        }
    };
    if let Some(replacement) = dep.replace.as_deref() {
        properties.push("go:replaces", &module_id(&dep.path, &dep.version));
        component.pedigree = Some(Pedigree {
            ancestors: vec![original(dep)],
            notes: format!(
                "go.mod replaces {} with {}",
                module_id(&dep.path, &dep.version),
                module_id(&replacement.path, &replacement.version)
            ),
        });
    }
    component.properties = properties.unless_empty();
    component
}

/// The module a `replace` directive displaced, as a pedigree ancestor. It carries no bom-ref:
/// it is not part of the binary, and bom-refs must stay unique across the document.
fn original(dep: &GoModule) -> Component {
    let mut properties = Properties::default();
    // Go's `h1:` sums are SHA-256 over a sorted list of per-file SHA-256 lines (dirhash
    // "Hash1"), not the digest of any one file or archive, so a CycloneDX `hashes` entry (which
    // claims the digest of the component's bytes) would be false. They stay properties.
    properties.push_nonempty("go:sum", &dep.sum);
    Component {
        properties: properties.unless_empty(),
        ..module_component(&dep.path, &dep.version)
    }
}

/// A library component for the module `path` at `version`, named by its purl; no bom-ref.
fn module_component(path: &str, version: &str) -> Component {
    let version = real_version(version);
    Component {
        version: version.map(str::to_owned),
        purl: Some(purl(path, version, &[])),
        ..Component::new(ComponentType::Library, path)
    }
}

/// `component` with its purl, made unique, as its bom-ref.
fn with_purl_ref(component: Component, refs: &mut BomRefs) -> Component {
    Component {
        bom_ref: component.purl.as_deref().map(|purl| refs.unique(purl)),
        ..component
    }
}

/// `metadata.timestamp`: the subject's, else the commit time Go stamped into the binary.
fn timestamp(go: &GoInfo, subject: &SbomSubject) -> Result<Option<String>, SbomError> {
    if let Some(seconds) = subject.timestamp {
        let at =
            jiff::Timestamp::from_second(seconds).map_err(|_| SbomError::Timestamp { seconds })?;
        return Ok(Some(at.to_string()));
    }
    // `vcs.time` is RFC 3339 already; re-render it so an odd value never reaches the document.
    Ok(go
        .settings
        .get("vcs.time")
        .and_then(|text| text.parse::<jiff::Timestamp>().ok())
        .map(|at| at.to_string()))
}

/// `urn:uuid:` of an RFC 9562 version 8 UUID made from the SHA-256 of the document without its
/// serial number. Content-derived rather than random: the same binary described by the same
/// crosscheck gives the same serial, and any change in what the SBOM says gives a new one.
fn serial_number(bom: &Bom) -> String {
    let canonical = serde_json::to_vec(bom).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A package URL of type `golang` (purl-spec): the module path's segments, each
/// percent-encoded, then `@version` and the qualifiers sorted by key.
pub fn purl(module: &str, version: Option<&str>, qualifiers: &[(&str, &str)]) -> String {
    let path: Vec<String> = module
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_encode)
        .collect();
    let mut out = format!("pkg:golang/{}", path.join("/"));
    if let Some(version) = version {
        out.push('@');
        out.push_str(&percent_encode(version));
    }
    let mut qualifiers: Vec<&(&str, &str)> =
        qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qualifiers.sort();
    for (index, (key, value)) in qualifiers.into_iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters, as purl-spec requires
/// (`+incompatible` becomes `%2Bincompatible`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A version worth publishing: not empty and not Go's `(devel)` placeholder.
fn real_version(version: &str) -> Option<&str> {
    let version = version.trim();
    (!version.is_empty() && version != "(devel)").then_some(version)
}

/// `path@version`, or the bare path when there is no version.
fn module_id(path: &str, version: &str) -> String {
    match real_version(version) {
        Some(version) => format!("{path}@{version}"),
        None => path.to_owned(),
    }
}

/// Whether a `replace` target is a directory rather than a module, by Go's own rule
/// (`modfile.IsDirectoryPath`): relative or absolute file paths, on any OS.
fn is_directory(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path.starts_with(".\\")
        || path.starts_with("..\\")
        || path.starts_with('\\')
        || path == "."
        || path == ".."
        || {
            let bytes = path.as_bytes();
            bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
        }
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Hands out bom-refs, suffixing repeats: two modules replaced by the same fork would
/// otherwise share a purl, and CycloneDX requires bom-refs to be unique.
#[derive(Default)]
struct BomRefs(BTreeSet<String>);

impl BomRefs {
    fn unique(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{wanted}#{n}");
            n += 1;
        }
        candidate
    }
}

/// CycloneDX `properties`, names prefixed with [`PROPERTY_PREFIX`].
#[derive(Default)]
struct Properties(Vec<Property>);

impl Properties {
    fn push(&mut self, name: &str, value: &str) {
        self.0.push(Property {
            name: format!("{PROPERTY_PREFIX}{name}"),
            value: value.to_owned(),
        });
    }

    fn push_nonempty(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.push(name, value);
        }
    }

    /// The list, or `None` for a component that leaves out an empty one.
    fn unless_empty(self) -> Option<Vec<Property>> {
        (!self.0.is_empty()).then_some(self.0)
    }
}

// The document's types. CycloneDX is JSON, so what the spec names is what serde writes; the
// fields are declared in the order the document has always been written in (alphabetical, as
// serde_json's sorted map wrote it), because that order is part of the bytes the serial
// number hashes and of every SBOM already published.

/// A CycloneDX 1.5 BOM.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    metadata: Metadata,
    /// Absent while the serial number is computed over the rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    spec_version: &'static str,
    version: u32,
}

/// `metadata`: the binary described, when, and by which tool.
#[derive(Serialize)]
struct Metadata {
    component: Component,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    tools: Tools,
}

/// `metadata.tools`, in the 1.5 form (components rather than the deprecated tool list).
#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

/// A CycloneDX component: the application, a module, an ancestor or a tool.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Component {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    /// A universal binary's slices.
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<Component>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hashes: Option<Vec<Hash>>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pedigree: Option<Pedigree>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Vec<Property>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "type")]
    kind: ComponentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

impl Component {
    /// A component with only its type and name.
    fn new(kind: ComponentType, name: impl Into<String>) -> Self {
        Component {
            bom_ref: None,
            components: None,
            description: None,
            hashes: None,
            name: name.into(),
            pedigree: None,
            properties: None,
            purl: None,
            kind,
            version: None,
        }
    }
}

/// The component types crosscheck writes.
#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum ComponentType {
    Application,
    Library,
}

/// A file digest (`hashes`): only ever the artifact's own SHA-256.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// `pedigree` of a replaced module: the module it replaced, and how.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Pedigree {
    ancestors: Vec<Component>,
    notes: String,
}

/// A name/value pair in `properties`.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Property {
    name: String,
    value: String,
}

/// One entry of `dependencies`.
#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
    #[serde(rename = "ref")]
    reference: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_inspector::GoSettings;

    fn module(path: &str, version: &str, sum: &str) -> GoModule {
        GoModule {
            path: path.to_owned(),
            version: version.to_owned(),
            sum: sum.to_owned(),
            replace: None,
        }
    }

    fn replaced(original: GoModule, replacement: GoModule) -> GoModule {
        GoModule {
            replace: Some(Box::new(replacement)),
            ..original
        }
    }

    fn report(go: Option<GoInfo>) -> Report {
        Report {
            goos: Some("linux".to_owned()),
            goarch: Some("amd64".to_owned()),
            bits: Some(64),
            is_static: true,
            nx: Some(true),
            go,
            sha256: "ab".repeat(32),
            ..Report::empty("dist/app", Format::Elf, 1234)
        }
    }

    fn go_info() -> GoInfo {
        GoInfo {
            version: Some("go1.26.8".to_owned()),
            path: Some("example.com/app/cmd/app".to_owned()),
            main: Some(module("example.com/app", "v1.2.0", "")),
            deps: vec![
                module("github.com/pkg/errors", "v0.9.1", "h1:abc="),
                module("github.com/old/thing", "v2.0.0+incompatible", "h1:def="),
                replaced(
                    module("rsc.io/sampler", "v1.3.0", ""),
                    module("rsc.io/sampler", "v1.3.1", "h1:ghi="),
                ),
                replaced(
                    module("example.com/local", "v0.0.0", ""),
                    module("../local", "(devel)", ""),
                ),
            ],
            settings: GoSettings(vec![
                ("-trimpath".to_owned(), "true".to_owned()),
                ("CGO_ENABLED".to_owned(), "0".to_owned()),
                ("GOAMD64".to_owned(), "v3".to_owned()),
                ("vcs.time".to_owned(), "2024-01-02T03:04:05Z".to_owned()),
            ]),
            build_id: None,
            source: GoInfoSource::Buildinfo,
        }
    }

    fn subject() -> SbomSubject {
        SbomSubject {
            artifact: "app_linux_amd64".to_owned(),
            target: Some("linux/amd64.v3".to_owned()),
            timestamp: Some(1_700_000_000),
            tool_version: "1.2.3".to_owned(),
        }
    }

    fn sbom() -> Value {
        cyclonedx(&report(Some(go_info())), &subject()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn component<'a>(bom: &'a Value, name: &str) -> &'a Value {
        bom["components"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("no component {name} in {bom:#}"))
    }

    fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
        component["properties"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == format!("crosscheck:{name}"))
            .and_then(|p| p["value"].as_str())
    }

    #[test]
    fn purls_encode_segments_versions_and_sort_qualifiers() {
        assert_eq!(
            purl("github.com/pkg/errors", Some("v0.9.1"), &[]),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
        assert_eq!(
            purl("github.com/old/thing", Some("v2.0.0+incompatible"), &[]),
            "pkg:golang/github.com/old/thing@v2.0.0%2Bincompatible"
        );
        assert_eq!(
            purl(
                "example.com/a b/c@d",
                None,
                &[("type", "module"), ("goos", "linux"), ("goarch", "amd64")]
            ),
            "pkg:golang/example.com/a%20b/c%40d?goarch=amd64&goos=linux&type=module"
        );
        assert_eq!(
            purl("gopkg.in/yaml.v3", Some("v3.0.1"), &[]),
            "pkg:golang/gopkg.in/yaml.v3@v3.0.1"
        );
    }

    #[test]
    fn the_document_has_the_cyclonedx_frame_and_the_application() {
        let bom = sbom();
        assert_eq!(bom["bomFormat"], "CycloneDX");
        assert_eq!(bom["specVersion"], "1.5");
        assert_eq!(bom["version"], 1);
        assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(
            bom["metadata"]["tools"]["components"][0]["version"],
            "1.2.3"
        );
        let app = &bom["metadata"]["component"];
        assert_eq!(app["type"], "application");
        assert_eq!(app["name"], "example.com/app");
        assert_eq!(app["version"], "v1.2.0");
        assert_eq!(
            app["purl"],
            "pkg:golang/example.com/app@v1.2.0?goarch=amd64&goos=linux&type=module"
        );
        assert_eq!(app["hashes"][0]["alg"], "SHA-256");
        assert_eq!(app["hashes"][0]["content"], "ab".repeat(32));
        assert_eq!(property(app, "go:version"), Some("go1.26.8"));
        assert_eq!(property(app, "go:setting:GOAMD64"), Some("v3"));
        assert_eq!(property(app, "go:setting:-trimpath"), Some("true"));
        assert_eq!(property(app, "target"), Some("linux/amd64.v3"));
        assert_eq!(property(app, "artifact"), Some("app_linux_amd64"));
        let serial = bom["serialNumber"].as_str().unwrap_or_default();
        assert!(
            serial.starts_with("urn:uuid:") && serial.len() == 45,
            "{serial}"
        );
    }

    #[test]
    fn stdlib_and_every_dependency_are_components_the_application_depends_on() {
        let bom = sbom();
        let stdlib = component(&bom, "stdlib");
        assert_eq!(stdlib["version"], "go1.26.8");
        assert_eq!(stdlib["purl"], "pkg:golang/stdlib@1.26.8");
        let errors = component(&bom, "github.com/pkg/errors");
        assert_eq!(errors["version"], "v0.9.1");
        assert_eq!(property(errors, "go:sum"), Some("h1:abc="));
        assert!(
            errors.get("hashes").is_none(),
            "h1 sums are not file digests"
        );
        let graph = bom["dependencies"].as_array().cloned().unwrap_or_default();
        assert_eq!(graph.len(), 1, "build info has no graph beyond the root");
        assert_eq!(graph[0]["ref"], bom["metadata"]["component"]["bom-ref"]);
        assert_eq!(graph[0]["dependsOn"].as_array().map(Vec::len), Some(5));
    }

    #[test]
    fn a_version_replacement_is_the_replacement_with_the_original_as_ancestor() {
        let bom = sbom();
        let sampler = component(&bom, "rsc.io/sampler");
        assert_eq!(sampler["version"], "v1.3.1");
        assert_eq!(sampler["purl"], "pkg:golang/rsc.io/sampler@v1.3.1");
        assert_eq!(property(sampler, "go:sum"), Some("h1:ghi="));
        assert_eq!(
            property(sampler, "go:replaces"),
            Some("rsc.io/sampler@v1.3.0")
        );
        let ancestor = &sampler["pedigree"]["ancestors"][0];
        assert_eq!(ancestor["version"], "v1.3.0");
        assert_eq!(ancestor["purl"], "pkg:golang/rsc.io/sampler@v1.3.0");
    }

    #[test]
    fn a_directory_replacement_has_no_version_and_no_purl() {
        let bom = sbom();
        let local = component(&bom, "example.com/local");
        assert!(local.get("version").is_none(), "{local:#}");
        assert!(local.get("purl").is_none(), "{local:#}");
        assert_eq!(property(local, "go:replace:dir"), Some("../local"));
        assert_eq!(
            property(local, "go:replaces"),
            Some("example.com/local@v0.0.0")
        );
        assert!(local["bom-ref"].as_str().is_some_and(|r| !r.is_empty()));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes_and_a_change_gives_a_new_serial() {
        let first = serde_json::to_vec(&sbom()).unwrap_or_default();
        let second = serde_json::to_vec(&sbom()).unwrap_or_default();
        assert_eq!(first, second);
        let mut other = subject();
        other.tool_version = "1.2.4".to_owned();
        let changed = cyclonedx(&report(Some(go_info())), &other).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(changed["serialNumber"], sbom()["serialNumber"]);
    }

    #[test]
    fn the_bytes_of_a_document_change_only_on_purpose() {
        // The serial number hashes the whole document but itself, in the order its fields are
        // declared: a field added, renamed or moved changes it. Published SBOMs carry these
        // bytes; change them knowingly, and say so in docs/sbom.md.
        assert_eq!(
            sbom()["serialNumber"],
            "urn:uuid:caa03ffa-6971-852b-af3c-8b6a359cfd38"
        );
    }

    #[test]
    fn without_a_timestamp_vcs_time_is_used_and_never_the_clock() {
        let mut no_time = subject();
        no_time.timestamp = None;
        let bom = cyclonedx(&report(Some(go_info())), &no_time).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bom["metadata"]["timestamp"], "2024-01-02T03:04:05Z");
        let mut go = go_info();
        go.settings.0.retain(|(key, _)| key != "vcs.time");
        let bom = cyclonedx(&report(Some(go)), &no_time).unwrap_or_else(|e| panic!("{e}"));
        assert!(bom["metadata"].get("timestamp").is_none());
    }

    #[test]
    fn bom_refs_stay_unique_when_two_modules_share_a_replacement() {
        let mut go = go_info();
        go.deps = vec![
            replaced(
                module("example.com/a", "v1.0.0", ""),
                module("example.com/fork", "v1.0.0", ""),
            ),
            replaced(
                module("example.com/b", "v1.0.0", ""),
                module("example.com/fork", "v1.0.0", ""),
            ),
        ];
        let bom = cyclonedx(&report(Some(go)), &subject()).unwrap_or_else(|e| panic!("{e}"));
        let refs: BTreeSet<&str> = bom["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["bom-ref"].as_str())
            .collect();
        assert_eq!(refs.len(), 3, "{bom:#}");
    }

    #[test]
    fn odd_input_is_an_error_or_a_document_never_a_panic() {
        let error = cyclonedx(&report(None), &subject())
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("not a Go binary")));
        let mut heuristic = go_info();
        heuristic.source = GoInfoSource::Heuristic;
        let error = cyclonedx(&report(Some(heuristic)), &subject())
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("without embedded build info")));
        let mut fat = report(Some(go_info()));
        fat.format = Format::MachoFat;
        assert!(matches!(
            cyclonedx(&fat, &subject()),
            Err(SbomError::Universal { .. })
        ));
        let mut far = subject();
        far.timestamp = Some(i64::MAX);
        assert!(matches!(
            cyclonedx(&report(Some(go_info())), &far),
            Err(SbomError::Timestamp { .. })
        ));
        // Empty strings everywhere still give a document.
        let empty = GoInfo {
            version: Some(String::new()),
            path: None,
            main: Some(module("", "", "")),
            deps: vec![
                module("", "", ""),
                replaced(module("", "", ""), module("", "", "")),
            ],
            settings: GoSettings::default(),
            build_id: None,
            source: GoInfoSource::Buildinfo,
        };
        let mut bare = report(Some(empty));
        bare.sha256 = String::new();
        let bom = cyclonedx(&bare, &SbomSubject::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(bom["metadata"]["component"].get("hashes").is_none());
    }
}
