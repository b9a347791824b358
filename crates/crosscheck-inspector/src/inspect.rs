//! Entry points: read (map) the file, sniff the format, run the format parser in isolation,
//! then derive the facts that need more than one source (GOOS from build info, fat summaries).

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Bad, InspectError, Res};
use crate::util::{catch_parser_panic, sha256_hex, u16_at, u32_at};
use crate::{elf, macho, pe, plan9, wasm, xcoff};
use crosscheck_schema::report::{CodeSignature, Format, GoosSource, Libc, Report};

/// Default cap on the size of an inspected file: 2 GiB, well above any Go binary.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 << 30;

/// Knobs for [`inspect_path_with`] and [`inspect_bytes_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectOptions {
    /// Files bigger than this are refused with [`InspectError::TooLarge`].
    pub max_file_size: u64,
    /// Compute `sha256` (the only step that reads every byte). When false, `sha256` is empty.
    pub hash: bool,
}

impl Default for InspectOptions {
    fn default() -> Self {
        InspectOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            hash: true,
        }
    }
}

/// Inspects the file at `path` with default options.
///
/// Unknown formats give a report with `format: unknown`; a file that starts like a known format
/// but is broken gives [`InspectError::Malformed`].
pub fn inspect_path(path: &Path) -> Result<Report, InspectError> {
    inspect_path_with(path, &InspectOptions::default())
}

/// Inspects the file at `path`, memory-mapping it so only the pages the parsers touch are read.
pub fn inspect_path_with(path: &Path, opts: &InspectOptions) -> Result<Report, InspectError> {
    let io = |source| InspectError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    if meta.len() > opts.max_file_size {
        return Err(InspectError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: opts.max_file_size,
        });
    }
    let label = path.display().to_string();
    if meta.len() == 0 {
        // Mapping an empty file fails on some systems; there is nothing to map anyway.
        return inspect_bytes_with(&label, &[], opts);
    }
    let map = map_file(&file, opts.hash).map_err(io)?;
    inspect_bytes_with(&label, &map, opts)
}

#[expect(
    unsafe_code,
    reason = "memmap2 mapping is unsafe because another process could truncate the file"
)]
fn map_file(file: &File, whole: bool) -> std::io::Result<memmap2::Mmap> {
    let mut options = memmap2::MmapOptions::new();
    if whole {
        // Hashing reads every page: fault them in with one call instead of one fault per page.
        options.populate();
    }
    // SAFETY: the map is read-only and private to this call. If another process truncates the
    // file while we read it the process may get SIGBUS; crosscheck inspects its own freshly
    // written outputs, and callers inspecting files that may shrink should use
    // `inspect_bytes` on a copy instead.
    unsafe { options.map(file) }
}

/// Inspects `bytes`, labelling the report with `path_label`.
pub fn inspect_bytes(path_label: &str, bytes: &[u8]) -> Result<Report, InspectError> {
    inspect_bytes_with(path_label, bytes, &InspectOptions::default())
}

/// Inspects `bytes` with explicit options.
pub fn inspect_bytes_with(
    path_label: &str,
    bytes: &[u8],
    opts: &InspectOptions,
) -> Result<Report, InspectError> {
    if bytes.len() as u64 > opts.max_file_size {
        return Err(InspectError::TooLarge {
            path: PathBuf::from(path_label),
            size: bytes.len() as u64,
            limit: opts.max_file_size,
        });
    }
    let format = detect(bytes);
    let mut report = isolated(path_label, format, || {
        inspect_format(path_label, format, bytes)
    })?;
    if opts.hash {
        report.sha256 = sha256_hex(bytes);
        if report.format == Format::MachoFat
            && let Ok(slices) = macho::fat_slices(bytes)
        {
            for (s, info) in report.slices.iter_mut().zip(slices) {
                let start = usize::try_from(info.offset).unwrap_or(usize::MAX);
                let end = start.saturating_add(usize::try_from(info.size).unwrap_or(0));
                if let Some(b) = bytes.get(start..end) {
                    s.sha256 = sha256_hex(b);
                }
            }
        }
    }
    Ok(report)
}

/// Runs a parser so that neither a panic nor an error escapes as anything but `Malformed`.
fn isolated(
    label: &str,
    format: Format,
    f: impl FnOnce() -> Res<Report>,
) -> Result<Report, InspectError> {
    catch_parser_panic(f).map_err(|Bad(reason)| InspectError::Malformed {
        path: label.to_owned(),
        format,
        reason,
    })
}

/// Decides the format from the first bytes only.
pub fn detect(bytes: &[u8]) -> Format {
    let Some(head) = bytes.get(..4) else {
        // Two-byte magics still identify a (truncated) file.
        return match bytes {
            [b'M', b'Z', ..] => Format::Pe,
            [0x01, 0xdf | 0xf7, ..] => Format::Xcoff,
            _ => Format::Unknown,
        };
    };
    let be32 = u32_at(bytes, 0, crosscheck_schema::report::Endian::Big).unwrap_or(0);
    match head {
        [0x7f, b'E', b'L', b'F'] => return Format::Elf,
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => return Format::Macho,
        [0x00, b'a', b's', b'm'] => return Format::Wasm,
        _ => {}
    }
    if be32 == macho::FAT_MAGIC || be32 == macho::FAT_MAGIC_64 {
        // A Java class file has the same first word; its second word is >= 45.
        return match u32_at(bytes, 4, crosscheck_schema::report::Endian::Big) {
            Some(n) if n > macho::MAX_FAT_ARCHES => Format::Unknown,
            _ => Format::MachoFat,
        };
    }
    if head.starts_with(b"MZ") {
        return match u32_at(bytes, 0x3c, crosscheck_schema::report::Endian::Little) {
            None => Format::Pe,
            Some(off) => match bytes.get(off as usize..(off as usize).saturating_add(4)) {
                Some(sig) if sig == b"PE\0\0" => Format::Pe,
                // The header pointer runs off the end: a truncated PE.
                None => Format::Pe,
                // A plain DOS (or NE/LE) executable.
                Some(_) => Format::Unknown,
            },
        };
    }
    if let Some(xcoff::MAGIC_32 | xcoff::MAGIC_64) =
        u16_at(bytes, 0, crosscheck_schema::report::Endian::Big)
    {
        return Format::Xcoff;
    }
    if plan9::is_magic(bytes) {
        return Format::Plan9;
    }
    Format::Unknown
}

fn inspect_format(label: &str, format: Format, bytes: &[u8]) -> Res<Report> {
    let mut r = Report::empty(label, format, bytes.len() as u64);
    match format {
        Format::Unknown => return Ok(r),
        Format::Elf => elf::inspect(bytes, &mut r)?,
        Format::Macho => macho::inspect(bytes, &mut r)?,
        Format::Pe => pe::inspect(bytes, &mut r)?,
        Format::Wasm => wasm::inspect(bytes, &mut r)?,
        Format::Xcoff => xcoff::inspect(bytes, &mut r)?,
        Format::Plan9 => plan9::inspect(bytes, &mut r)?,
        Format::MachoFat => fat(label, bytes, &mut r)?,
    }
    finish(&mut r);
    Ok(r)
}

/// Cross-source facts: build info beats header guesses for GOOS.
fn finish(r: &mut Report) {
    let settings = r.go.as_ref().map(|g| &g.settings);
    if let Some(goos) = settings.and_then(|s| s.get("GOOS")) {
        r.goos = Some(goos.to_owned());
        r.goos_source = Some(GoosSource::Buildinfo);
    } else if r.goos.is_some() {
        r.goos_source = Some(GoosSource::Binary);
    }
    if r.goarch.is_none() && r.format != Format::MachoFat {
        r.goarch = settings.and_then(|s| s.get("GOARCH")).map(str::to_owned);
    }
}

/// Inspects each slice of a fat Mach-O and summarises them at the top level.
fn fat(label: &str, bytes: &[u8], r: &mut Report) -> Res<()> {
    for (i, s) in macho::fat_slices(bytes)?.into_iter().enumerate() {
        let start = usize::try_from(s.offset)?;
        let end = start.saturating_add(usize::try_from(s.size)?);
        let slice = bytes
            .get(start..end)
            .ok_or_else(|| Bad::new(format!("fat arch {i} lies outside the file")))?;
        let name = macho::goarch(s.cputype).map_or_else(|| i.to_string(), str::to_owned);
        let slice_label = format!("{label}#{name}");
        let slice_format = match detect(slice) {
            Format::Macho => Format::Macho,
            _ => Format::Unknown,
        };
        let mut sr = Report::empty(&slice_label, slice_format, s.size);
        if slice_format == Format::Macho {
            macho::inspect(slice, &mut sr)
                .map_err(|Bad(reason)| Bad(format!("fat arch {i} ({name}): {reason}")))?;
            finish(&mut sr);
        }
        r.slices.push(sr);
    }
    let slices = &r.slices;
    let first = slices.first();
    // The OS is only stated when every slice agrees.
    r.goos = first
        .and_then(|f| f.goos.clone())
        .filter(|g| slices.iter().all(|s| s.goos.as_ref() == Some(g)));
    r.interpreter = first.and_then(|s| s.interpreter.clone());
    for s in slices {
        for l in &s.libraries {
            if !r.libraries.contains(l) {
                r.libraries.push(l.clone());
            }
        }
    }
    r.is_static = false;
    r.libc = if r.libraries.is_empty() {
        Libc::None
    } else {
        Libc::Other
    };
    let all = |f: &dyn Fn(&Report) -> bool| !slices.is_empty() && slices.iter().all(f);
    r.pie = all(&|s| s.pie);
    r.nx = Some(all(&|s| s.nx == Some(true)));
    r.stripped = all(&|s| s.stripped);
    r.debug_info = slices.iter().any(|s| s.debug_info);
    r.code_signature = fat_code_signature(slices);
    r.packed = slices.iter().find_map(|s| s.packed.clone());
    r.macos_min = slices
        .iter()
        .filter_map(|s| s.macos_min.clone())
        .max_by(|a, b| crate::util::compare_versions(a, b));
    // Like Go's debug/buildinfo, the first slice speaks for the file.
    r.go = first.and_then(|s| s.go.clone());
    Ok(())
}

/// The whole file's signature, as the loader sees it: macOS runs one slice, but a file with a
/// broken slice is a broken release, so the first slice whose signature does not verify speaks
/// for the file (its `detail` names every such slice's arch); otherwise the first slice's
/// signature when every slice is signed, else none.
fn fat_code_signature(slices: &[Report]) -> Option<CodeSignature> {
    let arch = |s: &Report| s.goarch.clone().unwrap_or_else(|| "unknown".to_owned());
    let invalid: Vec<(&Report, &CodeSignature)> = slices
        .iter()
        .filter_map(|s| Some((s, s.code_signature.as_ref().filter(|c| !c.valid)?)))
        .collect();
    if let Some(&(slice, sig)) = invalid.first() {
        let mut sig = sig.clone();
        let named: Vec<String> = invalid.iter().map(|(s, _)| arch(s)).collect();
        let what = sig.detail.as_deref().unwrap_or("does not verify");
        sig.detail = Some(if named.len() > 1 {
            format!(
                "slices {} do not verify; {}: {what}",
                named.join(", "),
                arch(slice)
            )
        } else {
            format!("{} slice: {what}", arch(slice))
        });
        return Some(sig);
    }
    if !slices.is_empty() && slices.iter().all(|s| s.code_signature.is_some()) {
        return slices.first().and_then(|s| s.code_signature.clone());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_magics() {
        assert_eq!(detect(b"\x7fELF\x02\x01"), Format::Elf);
        assert_eq!(detect(b"\xcf\xfa\xed\xfe...."), Format::Macho);
        assert_eq!(detect(b"\xca\xfe\xba\xbe\0\0\0\x02"), Format::MachoFat);
        assert_eq!(detect(b"\xca\xfe\xba\xbf\0\0\0\x02"), Format::MachoFat);
        // Java class file, major version 52.
        assert_eq!(detect(b"\xca\xfe\xba\xbe\0\0\0\x34"), Format::Unknown);
        assert_eq!(detect(b"\0asm\x01\0\0\0"), Format::Wasm);
        assert_eq!(detect(b"\x01\xf7\0\x05"), Format::Xcoff);
        assert_eq!(detect(b"\0\0\x8a\x97"), Format::Plan9);
        assert_eq!(detect(b"MZ"), Format::Pe);
        assert_eq!(detect(b"#!/bin/sh\n"), Format::Unknown);
        assert_eq!(detect(b""), Format::Unknown);
        let mut dos = b"MZ".to_vec();
        dos.resize(0x40, 0);
        dos[0x3c] = 0x10;
        assert_eq!(detect(&dos), Format::Unknown);
    }

    #[test]
    fn unknown_is_not_an_error() {
        let r = inspect_bytes("x", b"hello world");
        assert!(matches!(r, Ok(ref r) if r.format == Format::Unknown && r.size == 11));
        assert!(matches!(r, Ok(ref r) if r.sha256.len() == 64));
    }

    #[test]
    fn truncated_known_magic_is_malformed() {
        for b in [
            &b"\x7fELF\x02\x01\x01"[..],
            b"MZ",
            b"\xca\xfe\xba\xbe\0\0\0\x01",
            b"\0asm\x01\0\0\0\x01",
        ] {
            let r = inspect_bytes("x", b);
            assert!(
                matches!(r, Err(InspectError::Malformed { .. })),
                "{b:?}: {r:?}"
            );
        }
    }

    #[test]
    fn size_cap_is_enforced() {
        let opts = InspectOptions {
            max_file_size: 4,
            hash: false,
        };
        let r = inspect_bytes_with("x", b"12345", &opts);
        assert!(matches!(
            r,
            Err(InspectError::TooLarge {
                size: 5,
                limit: 4,
                ..
            })
        ));
    }

    #[test]
    fn panics_become_malformed() {
        let r = isolated("x", Format::Elf, || panic!("boom"));
        assert!(
            matches!(r, Err(InspectError::Malformed { ref reason, .. }) if reason.contains("boom"))
        );
    }
}
