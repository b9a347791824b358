//! Mach-O: goblin for thin images; our own fat header parser, because goblin does not know the
//! 64-bit fat magic `0xcafebabf` and because every slice is inspected on its own.

use goblin::mach::MachO;
use goblin::mach::load_command::CommandVariant;

use crate::buildinfo::{self, Segments};
use crate::error::{Bad, Res};
use crate::util::{cstr_at, endian, is_dwarf_section, macho_version, slice_at, u32_at, u64_at};
use crate::{codesign, packer};
use crosscheck_schema::report::{Endian, GoInfo, Libc, MachoDetails, Report};

pub(crate) const FAT_MAGIC: u32 = 0xcafe_babe;
pub(crate) const FAT_MAGIC_64: u32 = 0xcafe_babf;
/// Java class files share `0xcafebabe`; their "arch count" is the class-file major version (>= 45).
pub(crate) const MAX_FAT_ARCHES: u32 = 32;

const MH_PIE: u32 = 0x20_0000;
const MH_ALLOW_STACK_EXECUTION: u32 = 0x2_0000;
const MH_NO_HEAP_EXECUTION: u32 = 0x100_0000;
const MAX_LIBS: usize = 4096;
const MAX_SECTIONS: usize = 4096;

/// One slice of a fat file.
pub(crate) struct FatSlice {
    pub(crate) cputype: u32,
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// Parses a fat header (32- or 64-bit flavour); every slice must lie inside the file.
pub(crate) fn fat_slices(bytes: &[u8]) -> Res<Vec<FatSlice>> {
    let be = Endian::Big;
    let magic = u32_at(bytes, 0, be).ok_or_else(|| Bad::new("truncated fat header"))?;
    let n = u32_at(bytes, 4, be).ok_or_else(|| Bad::new("truncated fat header"))?;
    if n == 0 || n > MAX_FAT_ARCHES {
        return Err(Bad::new(format!("implausible fat arch count {n}")));
    }
    let entry = if magic == FAT_MAGIC_64 { 32 } else { 20 };
    let mut out = Vec::new();
    for i in 0..n as usize {
        let at = 8 + i * entry;
        let cut = || Bad::new(format!("fat arch {i} is cut off"));
        let cputype = u32_at(bytes, at, be).ok_or_else(cut)?;
        let (offset, size) = if magic == FAT_MAGIC_64 {
            (
                u64_at(bytes, at + 8, be).ok_or_else(cut)?,
                u64_at(bytes, at + 16, be).ok_or_else(cut)?,
            )
        } else {
            (
                u64::from(u32_at(bytes, at + 8, be).ok_or_else(cut)?),
                u64::from(u32_at(bytes, at + 12, be).ok_or_else(cut)?),
            )
        };
        if slice_at(bytes, offset, size).is_none() || size == 0 {
            return Err(Bad::new(format!(
                "fat arch {i} (offset {offset}, size {size}) lies outside the file"
            )));
        }
        out.push(FatSlice {
            cputype,
            offset,
            size,
        });
    }
    Ok(out)
}

/// Go name of a Mach-O CPU type.
pub(crate) fn goarch(cputype: u32) -> Option<&'static str> {
    Some(match cputype {
        0x0100_0007 => "amd64",
        0x0100_000c => "arm64",
        7 => "386",
        12 => "arm",
        0x0100_0012 => "ppc64",
        _ => return None,
    })
}

fn platform_name(p: u32) -> &'static str {
    match p {
        1 => "macos",
        2 => "ios",
        3 => "tvos",
        4 => "watchos",
        5 => "bridgeos",
        6 => "maccatalyst",
        7 => "ios-simulator",
        8 => "tvos-simulator",
        9 => "watchos-simulator",
        10 => "driverkit",
        11 => "visionos",
        12 => "visionos-simulator",
        _ => "unknown",
    }
}

/// Rejects images whose entry point arithmetic overflows: goblin computes
/// `__TEXT.vmaddr - __TEXT.fileoff + LC_MAIN.entryoff` unchecked, which panics in builds with
/// overflow checks and silently wraps in others. Checking first keeps the outcome the same in
/// every build profile (and spares an unwind).
fn check_entry_point(bytes: &[u8]) -> Res<()> {
    let e = match bytes.get(..4) {
        Some([0xcf | 0xce, 0xfa, 0xed, 0xfe]) => Endian::Little,
        _ => Endian::Big,
    };
    let is_64 = matches!(bytes.first(), Some(0xcf)) || matches!(bytes.get(3), Some(0xcf));
    let ncmds = u32_at(bytes, 16, e).unwrap_or(0);
    let mut at: usize = if is_64 { 32 } else { 28 };
    let mut text_base: Option<Option<u64>> = None;
    let mut entryoff = None;
    for _ in 0..ncmds.min(65_536) {
        let (Some(cmd), Some(size)) = (u32_at(bytes, at, e), u32_at(bytes, at + 4, e)) else {
            break;
        };
        let seg = match cmd {
            0x1 => Some((
                u32_at(bytes, at + 24, e).map(u64::from),
                u32_at(bytes, at + 32, e).map(u64::from),
            )),
            0x19 => Some((u64_at(bytes, at + 24, e), u64_at(bytes, at + 40, e))),
            _ => None,
        };
        if let Some((Some(vmaddr), Some(fileoff))) = seg
            && text_base.is_none()
            && bytes.get(at + 8..at + 15) == Some(b"__TEXT\0")
        {
            text_base = Some(vmaddr.checked_sub(fileoff));
        }
        if cmd == 0x8000_0028 {
            entryoff = entryoff.or(u64_at(bytes, at + 8, e));
        }
        if size < 8 {
            break;
        }
        at = at.saturating_add(size as usize);
    }
    match (text_base, entryoff) {
        (Some(None), Some(_)) => Err(Bad::new("__TEXT segment starts below its file offset")),
        (Some(Some(base)), Some(off)) if base.checked_add(off).is_none() => {
            Err(Bad::new("LC_MAIN entry point overflows the address space"))
        }
        _ => Ok(()),
    }
}

/// Fills `r` from a thin Mach-O image.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    check_entry_point(bytes)?;
    let m = MachO::parse(bytes, 0)?;
    read_target(&m, r);
    let mut details = header_details(&m);
    read_load_commands(bytes, &m, &mut details, r);
    read_linkage(&m, r);
    read_hardening(&m, &details, r);
    read_platform(&details, r);
    r.macho = Some(details);
    let sections = read_segments(&m, r)?;
    r.go = read_go(bytes, sections);
    r.packed = packer::macho(bytes, &m);
    Ok(())
}

/// Target: class, byte order and CPU type.
fn read_target(m: &MachO<'_>, r: &mut Report) {
    r.bits = Some(if m.is_64 { 64 } else { 32 });
    r.endian = Some(endian(m.little_endian));
    r.goarch = goarch(m.header.cputype).map(str::to_owned);
}

/// The details the header alone gives; the platform fields come from the load commands.
fn header_details(m: &MachO<'_>) -> MachoDetails {
    let flags = m.header.flags;
    MachoDetails {
        cputype: format!("{:#x}", m.header.cputype),
        flags: format!("{flags:#x}"),
        platform: None,
        min_os: None,
        sdk: None,
        allow_stack_execution: flags & MH_ALLOW_STACK_EXECUTION != 0,
        no_heap_execution: flags & MH_NO_HEAP_EXECUTION != 0,
    }
}

/// Walks the load commands: dynamic linker, platform and OS versions, code signature, and the
/// symbol counts that tell whether the image is stripped.
fn read_load_commands(bytes: &[u8], m: &MachO<'_>, details: &mut MachoDetails, r: &mut Report) {
    let mut nsyms_defined: Option<u64> = None;
    let mut nsyms_total: Option<u64> = None;
    for lc in &m.load_commands {
        match &lc.command {
            CommandVariant::LoadDylinker(c) => {
                let at = lc.offset.saturating_add(c.name as usize);
                r.interpreter = cstr_at(bytes, at, 4096);
            }
            CommandVariant::BuildVersion(c) => {
                details.platform = Some(platform_name(c.platform).to_owned());
                details.min_os = Some(macho_version(c.minos));
                details.sdk = Some(macho_version(c.sdk));
            }
            CommandVariant::VersionMinMacosx(c)
            | CommandVariant::VersionMinIphoneos(c)
            | CommandVariant::VersionMinTvos(c)
            | CommandVariant::VersionMinWatchos(c)
                if details.platform.is_none() =>
            {
                let p = match &lc.command {
                    CommandVariant::VersionMinMacosx(_) => "macos",
                    CommandVariant::VersionMinIphoneos(_) => "ios",
                    CommandVariant::VersionMinTvos(_) => "tvos",
                    _ => "watchos",
                };
                details.platform = Some(p.to_owned());
                details.min_os = Some(macho_version(c.version));
                details.sdk = Some(macho_version(c.sdk));
            }
            CommandVariant::CodeSignature(c) => {
                r.code_signature = Some(codesign::verify(bytes, c.dataoff, c.datasize));
            }
            CommandVariant::Symtab(c) => nsyms_total = Some(u64::from(c.nsyms)),
            CommandVariant::Dysymtab(c) => {
                nsyms_defined = Some(u64::from(c.nlocalsym) + u64::from(c.nextdefsym));
            }
            _ => {}
        }
    }
    r.stripped = match (nsyms_defined, nsyms_total) {
        (Some(d), _) => d == 0,
        (None, Some(t)) => t == 0,
        (None, None) => true,
    };
}

/// Linkage: the dylibs. A Mach-O image is never static: it always goes through dyld.
fn read_linkage(m: &MachO<'_>, r: &mut Report) {
    // Element 0 of goblin's list is "self" (or the image's own LC_ID_DYLIB name).
    r.libraries = m
        .libs
        .iter()
        .skip(1)
        .take(MAX_LIBS)
        .map(|s| (*s).to_owned())
        .collect();
    r.is_static = false;
    r.libc = if r.libraries.is_empty() {
        Libc::None
    } else {
        Libc::Other
    };
}

/// Hardening from the header flags: PIE, and NX unless the stack may execute.
fn read_hardening(m: &MachO<'_>, details: &MachoDetails, r: &mut Report) {
    r.pie = m.header.flags & MH_PIE != 0;
    r.nx = Some(!details.allow_stack_execution);
}

/// GOOS and the minimum macOS version from the platform the load commands named.
fn read_platform(details: &MachoDetails, r: &mut Report) {
    r.goos = Some(
        match details.platform.as_deref() {
            Some("ios" | "ios-simulator") => "ios",
            _ => "darwin",
        }
        .to_owned(),
    );
    if details.platform.as_deref() == Some("macos") {
        r.macos_min.clone_from(&details.min_os);
    }
}

/// Where the Go facts may be, as the segments and their sections show it.
struct GoSections {
    /// Virtual address mappings `(vmaddr, fileoff, filesize)` of every segment.
    maps: Vec<(u64, u64, u64)>,
    /// `__go_buildinfo` as (address, file offset, size).
    buildinfo: Option<(u64, u64, u64)>,
    /// The first read-write data segment, searched when there is no `__go_buildinfo`.
    data_segment: Option<(u64, u64, u64)>,
    /// File offset of `__text`, where the Go build ID sits.
    text_offset: Option<u64>,
    gopclntab: bool,
}

/// Segments and sections: DWARF, and where the Go build info, build ID and pclntab are.
fn read_segments(m: &MachO<'_>, r: &mut Report) -> Res<GoSections> {
    let mut go = GoSections {
        maps: Vec::new(),
        buildinfo: None,
        data_segment: None,
        text_offset: None,
        gopclntab: false,
    };
    for seg in m.segments.iter() {
        let segname = seg.name().unwrap_or("");
        if segname == "__DWARF" {
            r.debug_info = true;
        }
        go.maps.push((seg.vmaddr, seg.fileoff, seg.filesize));
        if go.data_segment.is_none()
            && seg.vmaddr != 0
            && seg.filesize != 0
            && seg.initprot == 3
            && seg.maxprot == 3
        {
            go.data_segment = Some((seg.vmaddr, seg.fileoff, seg.filesize));
        }
        // `nsects` comes from the file and goblin yields one error per missing section header,
        // so a loop that skipped errors would spin for billions of iterations on a crafted count.
        for sect in seg.into_iter().take(MAX_SECTIONS) {
            let (sect, _) = sect?;
            let name = sect.name().unwrap_or("");
            if is_dwarf_section(name, "__") {
                r.debug_info = true;
            }
            match name {
                "__go_buildinfo" => {
                    go.buildinfo = Some((sect.addr, u64::from(sect.offset), sect.size));
                }
                "__text" if go.text_offset.is_none() => {
                    go.text_offset = Some(u64::from(sect.offset));
                }
                "__gopclntab" => go.gopclntab = true,
                _ => {}
            }
        }
    }
    Ok(go)
}

/// The Go facts: the build ID from the text, the build info from `__go_buildinfo`, else from
/// the data segment.
fn read_go(bytes: &[u8], sections: GoSections) -> Option<GoInfo> {
    let build_id = sections
        .text_offset
        .and_then(|off| buildinfo::build_id_in_text(bytes, off));
    let va = Segments {
        bytes,
        maps: sections.maps,
    };
    let raw = sections
        .buildinfo
        .or(sections.data_segment)
        .and_then(|(addr, off, size)| {
            let data = slice_at(bytes, off, size)?;
            buildinfo::find_blob(addr, data, &va)
        });
    buildinfo::go_facts(bytes, raw, build_id, sections.gopclntab)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fat(magic: u32, arches: &[(u32, u64, u64)], len: usize) -> Vec<u8> {
        let mut b = magic.to_be_bytes().to_vec();
        b.extend_from_slice(&(arches.len() as u32).to_be_bytes());
        for &(cpu, off, size) in arches {
            b.extend_from_slice(&cpu.to_be_bytes());
            b.extend_from_slice(&0u32.to_be_bytes());
            if magic == FAT_MAGIC_64 {
                b.extend_from_slice(&off.to_be_bytes());
                b.extend_from_slice(&size.to_be_bytes());
                b.extend_from_slice(&14u32.to_be_bytes());
                b.extend_from_slice(&0u32.to_be_bytes());
            } else {
                b.extend_from_slice(&(off as u32).to_be_bytes());
                b.extend_from_slice(&(size as u32).to_be_bytes());
                b.extend_from_slice(&14u32.to_be_bytes());
            }
        }
        b.resize(len, 0);
        b
    }

    #[test]
    fn parses_both_fat_flavours() {
        for magic in [FAT_MAGIC, FAT_MAGIC_64] {
            let b = fat(magic, &[(0x0100_0007, 64, 16), (0x0100_000c, 80, 16)], 96);
            let s = fat_slices(&b).unwrap_or_default();
            assert_eq!(s.len(), 2, "magic {magic:#x}");
            assert_eq!(goarch(s[1].cputype), Some("arm64"));
            assert_eq!((s[1].offset, s[1].size), (80, 16));
        }
    }

    #[test]
    fn rejects_slices_outside_the_file() {
        let b = fat(FAT_MAGIC, &[(7, 64, 1 << 30)], 96);
        assert!(fat_slices(&b).is_err());
        let b = fat(FAT_MAGIC_64, &[(7, u64::MAX - 1, 4)], 96);
        assert!(fat_slices(&b).is_err());
        assert!(fat_slices(&FAT_MAGIC.to_be_bytes()).is_err());
    }
}
