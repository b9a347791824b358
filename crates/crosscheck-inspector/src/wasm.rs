//! WebAssembly: wasmparser for the section structure; the Go facts come from the `producers`
//! custom section and from the modinfo string that sits verbatim in a data segment (Go's wasm
//! linker drops the build-info blob, golang/go#73741).

use wasmparser::{Parser, Payload};

use crate::buildinfo;
use crate::error::Res;
use crosscheck_schema::report::{
    Endian, GoInfo, GoInfoSource, GoSettings, Libc, Report, WasmDetails,
};

const MAX_ITEMS: usize = 100_000;

/// Fills `r` from a wasm binary.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    r.bits = Some(32);
    r.endian = Some(Endian::Little);
    r.goarch = Some("wasm".to_owned());
    r.libc = Libc::None;
    let mut details = WasmDetails {
        kind: "module".to_owned(),
        ..WasmDetails::default()
    };
    // Layer 1 in the version field marks a component; we identify it but do not parse it.
    if bytes.get(6..8) == Some(&[1, 0][..]) {
        details.kind = "component".to_owned();
        r.wasm = Some(details);
        return Ok(());
    }
    let mut found = Sections::default();
    for payload in Parser::new(0).parse_all(bytes) {
        found.read(payload?, &mut details, r)?;
    }
    read_linkage(found.modules, r);
    r.wasm = Some(details);
    r.go = read_go(found.go);
    Ok(())
}

/// What the sections of a module gave, beyond what goes straight into the report.
#[derive(Default)]
struct Sections {
    /// Import modules, in first-seen order.
    modules: Vec<String>,
    go: GoTraces,
}

/// The Go traces in a module.
#[derive(Default)]
struct GoTraces {
    /// From the `go:buildid` custom section.
    build_id: Option<String>,
    /// The modinfo text found in a data segment.
    modinfo: Option<String>,
    /// The `producers` section names Go.
    producer: bool,
    /// The Go version the `producers` section records.
    version: Option<String>,
}

impl Sections {
    /// Takes in one payload: imports, exports, data segments and the custom sections Go writes.
    fn read(&mut self, payload: Payload<'_>, details: &mut WasmDetails, r: &mut Report) -> Res<()> {
        match payload {
            Payload::ImportSection(reader) => {
                for imp in reader.into_imports() {
                    let imp = imp?;
                    if details.imports.len() < MAX_ITEMS {
                        details.imports.push(format!("{}.{}", imp.module, imp.name));
                    }
                    if self.modules.len() < MAX_ITEMS
                        && !self.modules.iter().any(|m| m == imp.module)
                    {
                        self.modules.push(imp.module.to_owned());
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for exp in reader {
                    let exp = exp?;
                    if r.exports.len() < MAX_ITEMS {
                        r.exports.push(exp.name.to_owned());
                    }
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    if self.go.modinfo.is_none() {
                        self.go.modinfo = buildinfo::scan_modinfo(data.data);
                    }
                }
            }
            Payload::CustomSection(c) => match c.name() {
                "producers" => self.go.read_producers(c.data(), details),
                "go:buildid" | "go.buildid" => self.go.build_id = buildinfo::build_id_at(c.data()),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }
}

impl GoTraces {
    /// Lists the `producers` entries and notes whether (and which) Go made the module.
    fn read_producers(&mut self, data: &[u8], details: &mut WasmDetails) {
        for (field, name, version) in parse_producers(data) {
            let is_go = name == "Go" || name.starts_with("Go ");
            if is_go {
                self.producer = true;
                if self.version.is_none() && version.starts_with("go") {
                    self.version = Some(version.clone());
                }
            }
            if details.producers.len() < 64 {
                details.producers.push(format!("{field}: {name} {version}"));
            }
        }
    }
}

/// Linkage from the host modules the module imports (static means none), and GOOS from
/// which host they are for.
fn read_linkage(modules: Vec<String>, r: &mut Report) {
    r.goos = if modules.iter().any(|m| m == "gojs" || m == "go") {
        Some("js".to_owned())
    } else if modules.iter().any(|m| m == "wasi_snapshot_preview1") {
        Some("wasip1".to_owned())
    } else {
        None
    };
    r.is_static = modules.is_empty();
    r.libraries = modules;
}

/// Go's wasm linker drops the build-info blob, so the facts come from the modinfo text in the
/// data and the `producers` section.
fn read_go(go: GoTraces) -> Option<GoInfo> {
    if let Some(text) = go.modinfo {
        let m = buildinfo::parse_modinfo(&text);
        Some(GoInfo {
            version: go.version,
            path: m.path,
            main: m.main,
            deps: m.deps,
            settings: m.settings,
            build_id: go.build_id,
            source: GoInfoSource::WasmModinfo,
        })
    } else if go.producer || go.build_id.is_some() {
        Some(GoInfo {
            version: go.version,
            path: None,
            main: None,
            deps: Vec::new(),
            settings: GoSettings::default(),
            build_id: go.build_id,
            source: GoInfoSource::WasmProducers,
        })
    } else {
        None
    }
}

/// Decodes the `producers` section: fields of (name, version) pairs. Stops quietly on bad data.
fn parse_producers(data: &[u8]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let read_u32 = |pos: &mut usize| -> Option<u64> {
        let (v, n) = buildinfo::uvarint(data.get(*pos..)?)?;
        *pos += n;
        Some(v)
    };
    let read_str = |pos: &mut usize, len: u64| -> Option<String> {
        let len = usize::try_from(len).ok()?;
        let s = data.get(*pos..pos.checked_add(len)?)?;
        *pos += len;
        Some(String::from_utf8_lossy(s).into_owned())
    };
    let Some(fields) = read_u32(&mut pos) else {
        return out;
    };
    'fields: for _ in 0..fields.min(64) {
        let Some(flen) = read_u32(&mut pos) else {
            break;
        };
        let Some(field) = read_str(&mut pos, flen) else {
            break;
        };
        let Some(count) = read_u32(&mut pos) else {
            break;
        };
        for _ in 0..count.min(64) {
            let Some(nlen) = read_u32(&mut pos) else {
                break 'fields;
            };
            let Some(name) = read_str(&mut pos, nlen) else {
                break 'fields;
            };
            let Some(vlen) = read_u32(&mut pos) else {
                break 'fields;
            };
            let Some(version) = read_str(&mut pos, vlen) else {
                break 'fields;
            };
            out.push((field.clone(), name, version));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producers_round_trip() {
        let mut d = vec![1u8];
        d.push(8);
        d.extend_from_slice(b"language");
        d.push(1);
        d.push(2);
        d.extend_from_slice(b"Go");
        d.push(8);
        d.extend_from_slice(b"go1.26.1");
        assert_eq!(
            parse_producers(&d),
            vec![("language".into(), "Go".into(), "go1.26.1".into())]
        );
        assert!(parse_producers(&d[..5]).is_empty());
    }
}
