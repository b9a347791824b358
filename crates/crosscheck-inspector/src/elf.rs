//! ELF: goblin for headers, dynamic section and section names; our own walks for version needs
//! (so stripped section headers do not hide `GLIBC_*`), notes, and the Go build info.

use goblin::elf::Elf;
use goblin::elf::header::{EM_386, EM_AARCH64, EM_ARM, EM_MIPS, EM_PPC64, EM_RISCV, EM_S390};
use goblin::elf::header::{EM_SPARCV9, EM_X86_64, ET_DYN};

use crate::buildinfo::{self, Segments, VaReader};
use crate::error::{Bad, Res};
use crate::util::{compare_versions, endian, is_dwarf_section, slice_at, u16_at, u32_at};
use crosscheck_schema::report::{Endian, GoInfo, Libc, Relro, Report};

const EM_LOONGARCH: u16 = 258;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_NOTE: u32 = 4;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PT_GNU_RELRO: u32 = 0x6474_e552;
const PT_SUNWSTACK: u32 = 0x6fff_fffb;
/// PT_OPENBSD_RANDOMIZE .. PT_OPENBSD_BOOTDATA; only OpenBSD's linkers write these.
const PT_OPENBSD_FIRST: u32 = 0x65a3_dbe5;
const PT_OPENBSD_LAST: u32 = 0x65a4_1be6;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const SHT_SYMTAB: u32 = 2;
const DT_BIND_NOW: u64 = 24;
const DT_FLAGS: u64 = 30;
const DT_FLAGS_1: u64 = 0x6fff_fffb;
const DT_VERNEED: u64 = 0x6fff_fffe;
const DT_VERNEEDNUM: u64 = 0x6fff_ffff;
const DF_BIND_NOW: u64 = 0x8;
const DF_1_NOW: u64 = 0x1;
const DF_1_PIE: u64 = 0x0800_0000;
/// Upper bounds for our own walks over attacker-controlled linked lists.
const MAX_VERNEED: usize = 4096;
const MAX_LIBS: usize = 4096;
const MAX_NOTES: usize = 4096;

/// Fills `r` from an ELF image.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    let elf = Elf::parse(bytes)?;
    let endian = endian(elf.little_endian);
    read_target(&elf, endian, r);
    read_linkage(&elf, r)?;
    let va = Segments {
        bytes,
        maps: elf
            .program_headers
            .iter()
            .filter(|p| p.p_type == PT_LOAD)
            .map(|p| (p.p_vaddr, p.p_offset, p.p_filesz))
            .collect(),
    };
    read_version_needs(&elf, &va, endian, r);
    read_hardening(&elf, r);
    let sections = read_sections(&elf, r);
    let notes = read_notes(bytes, &elf.program_headers, endian);
    r.goos = goos(&elf, &notes, r.interpreter.as_deref(), &elf.program_headers).map(str::to_owned);
    r.libc = libc(r);
    r.go = read_go(bytes, &elf, &va, &notes, sections);
    r.packed = crate::packer::elf(bytes, &elf);
    Ok(())
}

/// Target: class, byte order and machine.
fn read_target(elf: &Elf<'_>, endian: Endian, r: &mut Report) {
    r.bits = Some(if elf.is_64 { 64 } else { 32 });
    r.endian = Some(endian);
    r.goarch = goarch(elf.header.e_machine, elf.is_64, endian).map(str::to_owned);
}

/// Linkage: the interpreter and the needed libraries; static means neither.
fn read_linkage(elf: &Elf<'_>, r: &mut Report) -> Res<()> {
    r.interpreter = elf.interpreter.map(str::to_owned);
    // goblin silently drops an unreadable PT_INTERP; calling that binary static would be wrong.
    if r.interpreter.is_none() && elf.program_headers.iter().any(|p| p.p_type == PT_INTERP) {
        return Err(Bad::new(
            "PT_INTERP lies outside the file or is not a string",
        ));
    }
    r.libraries = elf
        .libraries
        .iter()
        .take(MAX_LIBS)
        .map(|s| (*s).to_owned())
        .collect();
    r.is_static = r.interpreter.is_none() && r.libraries.is_empty();
    Ok(())
}

/// The value of the first dynamic entry tagged `tag`.
fn dyn_val(elf: &Elf<'_>, tag: u64) -> Option<u64> {
    let dyns = &elf.dynamic.as_ref()?.dyns;
    dyns.iter().find(|d| d.d_tag == tag).map(|d| d.d_val)
}

/// Version needs, walked from DT_VERNEED so stripped section headers do not hide them, and
/// the highest `GLIBC_x.y` among them.
fn read_version_needs(elf: &Elf<'_>, va: &Segments<'_>, endian: Endian, r: &mut Report) {
    if let (Some(addr), Some(num)) = (dyn_val(elf, DT_VERNEED), dyn_val(elf, DT_VERNEEDNUM)) {
        r.symbol_versions = walk_verneed(elf, va, addr, num, endian);
    }
    r.glibc_min = r
        .symbol_versions
        .iter()
        .filter_map(|v| v.strip_prefix("GLIBC_"))
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .max_by(|a, b| compare_versions(a, b))
        .map(str::to_owned);
}

/// Hardening from the headers: PIE, RELRO (full with immediate binding) and NX from the stack
/// segment. Needs the interpreter, which tells an executable PIE from a shared object.
fn read_hardening(elf: &Elf<'_>, r: &mut Report) {
    let flags = dyn_val(elf, DT_FLAGS).unwrap_or(0);
    let flags_1 = dyn_val(elf, DT_FLAGS_1).unwrap_or(0);
    let bind_now =
        dyn_val(elf, DT_BIND_NOW).is_some() || flags & DF_BIND_NOW != 0 || flags_1 & DF_1_NOW != 0;
    let phdrs = &elf.program_headers;
    r.pie = elf.header.e_type == ET_DYN && (flags_1 & DF_1_PIE != 0 || r.interpreter.is_some());
    let has = |t: u32| phdrs.iter().any(|p| p.p_type == t);
    r.relro = Some(match (has(PT_GNU_RELRO), bind_now) {
        (false, _) => Relro::None,
        (true, false) => Relro::Partial,
        (true, true) => Relro::Full,
    });
    r.nx = phdrs
        .iter()
        .find(|p| p.p_type == PT_GNU_STACK || p.p_type == PT_SUNWSTACK)
        .map(|p| p.p_flags & PF_X == 0);
}

/// What the section headers show of Go: the build-info section, and whether a pclntab is there.
struct GoSections {
    /// `.go.buildinfo` as (address, file offset, size).
    buildinfo: Option<(u64, u64, u64)>,
    gopclntab: bool,
}

/// Symbol table and DWARF from the section headers, and where Go left its marks.
fn read_sections(elf: &Elf<'_>, r: &mut Report) -> GoSections {
    let mut go = GoSections {
        buildinfo: None,
        gopclntab: false,
    };
    r.stripped = true;
    for sh in &elf.section_headers {
        if sh.sh_type == SHT_SYMTAB {
            r.stripped = false;
        }
        let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("");
        if is_dwarf_section(name, ".") {
            r.debug_info = true;
        }
        match name {
            ".go.buildinfo" => go.buildinfo = Some((sh.sh_addr, sh.sh_offset, sh.sh_size)),
            ".gopclntab" | ".data.rel.ro.gopclntab" => go.gopclntab = true,
            _ => {}
        }
    }
    go
}

/// The Go facts: the build ID note, and the build info from the named section, else from the
/// first writable, non-executable PT_LOAD.
fn read_go(
    bytes: &[u8],
    elf: &Elf<'_>,
    va: &Segments<'_>,
    notes: &[Note],
    sections: GoSections,
) -> Option<GoInfo> {
    let go_build_id = notes
        .iter()
        .find(|n| n.name == "Go" && n.kind == 4)
        .map(|n| String::from_utf8_lossy(&n.desc).into_owned());
    let region = sections.buildinfo.or_else(|| {
        elf.program_headers
            .iter()
            .find(|p| p.p_type == PT_LOAD && p.p_flags & (PF_X | PF_W) == PF_W)
            .map(|p| (p.p_vaddr, p.p_offset, p.p_filesz))
    });
    let raw = region.and_then(|(addr, off, size)| {
        let data = slice_at(bytes, off, size.min(bytes.len() as u64))
            .or_else(|| bytes.get(usize::try_from(off).ok()?..))?;
        buildinfo::find_blob(addr, data, va)
    });
    buildinfo::go_facts(bytes, raw, go_build_id, sections.gopclntab)
}

fn goarch(machine: u16, is_64: bool, e: Endian) -> Option<&'static str> {
    let le = e == Endian::Little;
    Some(match (machine, is_64) {
        (EM_386, false) => "386",
        (EM_X86_64, true) => "amd64",
        (EM_ARM, false) => "arm",
        (EM_AARCH64, true) => "arm64",
        (EM_MIPS, false) if le => "mipsle",
        (EM_MIPS, false) => "mips",
        (EM_MIPS, true) if le => "mips64le",
        (EM_MIPS, true) => "mips64",
        (EM_PPC64, true) if le => "ppc64le",
        (EM_PPC64, true) => "ppc64",
        (EM_RISCV, true) => "riscv64",
        (EM_S390, true) => "s390x",
        (EM_LOONGARCH, true) => "loong64",
        (EM_SPARCV9, true) => "sparc64",
        _ => return None,
    })
}

/// Walks the `Elf{32,64}_Verneed` list at virtual address `addr` (both classes share the layout).
fn walk_verneed(elf: &Elf<'_>, va: &Segments<'_>, addr: u64, num: u64, e: Endian) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = addr;
    for _ in 0..num.min(MAX_VERNEED as u64) {
        let Some(vn) = va.read(cur, 16) else { break };
        let (Some(cnt), Some(aux), Some(next)) =
            (u16_at(vn, 2, e), u32_at(vn, 8, e), u32_at(vn, 12, e))
        else {
            break;
        };
        let mut a = cur.saturating_add(u64::from(aux));
        for _ in 0..cnt.min(1024) {
            let Some(vna) = va.read(a, 16) else { break };
            let (Some(name), Some(vna_next)) = (u32_at(vna, 8, e), u32_at(vna, 12, e)) else {
                break;
            };
            if let Some(s) = usize::try_from(name)
                .ok()
                .and_then(|n| elf.dynstrtab.get_at(n))
                && out.len() < MAX_VERNEED
                && !out.iter().any(|o: &String| o == s)
            {
                out.push(s.to_owned());
            }
            if vna_next == 0 {
                break;
            }
            a = a.saturating_add(u64::from(vna_next));
        }
        if next == 0 {
            break;
        }
        cur = cur.saturating_add(u64::from(next));
    }
    out
}

pub(crate) struct Note {
    pub(crate) name: String,
    pub(crate) kind: u32,
    pub(crate) desc: Vec<u8>,
}

/// Notes from every PT_NOTE segment, bounded in count and size.
fn read_notes(bytes: &[u8], phdrs: &[goblin::elf::ProgramHeader], e: Endian) -> Vec<Note> {
    let mut notes = Vec::new();
    for p in phdrs.iter().filter(|p| p.p_type == PT_NOTE) {
        let Some(seg) = slice_at(bytes, p.p_offset, p.p_filesz) else {
            continue;
        };
        let align = if p.p_align == 8 { 8 } else { 4 };
        let pad = |n: usize| n.checked_add(align - 1).map(|x| x & !(align - 1));
        let mut off = 0usize;
        while off + 12 <= seg.len() && notes.len() < MAX_NOTES {
            let (Some(namesz), Some(descsz), Some(kind)) = (
                u32_at(seg, off, e),
                u32_at(seg, off + 4, e),
                u32_at(seg, off + 8, e),
            ) else {
                break;
            };
            let (Ok(namesz), Ok(descsz)) = (usize::try_from(namesz), usize::try_from(descsz))
            else {
                break;
            };
            let name_off = off + 12;
            let Some(desc_off) = pad(namesz).and_then(|n| name_off.checked_add(n)) else {
                break;
            };
            let Some(next) = pad(descsz).and_then(|n| desc_off.checked_add(n)) else {
                break;
            };
            let (Some(name), Some(desc)) = (
                seg.get(name_off..name_off + namesz),
                seg.get(desc_off..desc_off + descsz.min(seg.len().saturating_sub(desc_off))),
            ) else {
                break;
            };
            if desc.len() != descsz {
                break;
            }
            let name = name.split(|&b| b == 0).next().unwrap_or(&[]);
            notes.push(Note {
                name: String::from_utf8_lossy(name).into_owned(),
                kind,
                desc: desc[..desc.len().min(4096)].to_vec(),
            });
            off = next;
        }
    }
    notes
}

/// GOOS from the binary alone: OS ABI byte, OS notes, interpreter path, OS-specific segments.
fn goos(
    elf: &Elf<'_>,
    notes: &[Note],
    interp: Option<&str>,
    phdrs: &[goblin::elf::ProgramHeader],
) -> Option<&'static str> {
    match elf.header.e_ident[7] {
        2 => return Some("netbsd"),
        6 => return Some("solaris"),
        9 => return Some("freebsd"),
        12 => return Some("openbsd"),
        _ => {}
    }
    for n in notes {
        match n.name.as_str() {
            "NetBSD" => return Some("netbsd"),
            "OpenBSD" => return Some("openbsd"),
            "FreeBSD" => return Some("freebsd"),
            "DragonFly" => return Some("dragonfly"),
            "Android" => return Some("android"),
            _ => {}
        }
    }
    if let Some(i) = interp {
        let base = i.rsplit('/').next().unwrap_or(i);
        if i.starts_with("/system/bin/linker") {
            return Some("android");
        }
        if base.starts_with("ld-linux")
            || base.starts_with("ld-musl")
            || base.starts_with("ld64.so")
        {
            return Some("linux");
        }
        match i {
            "/libexec/ld-elf.so.1" | "/usr/libexec/ld-elf.so.1" => return Some("freebsd"),
            "/usr/libexec/ld-elf.so.2" => return Some("dragonfly"),
            "/usr/libexec/ld.so" => return Some("openbsd"),
            "/libexec/ld.elf_so" | "/usr/libexec/ld.elf_so" => return Some("netbsd"),
            _ => {}
        }
        if base == "ld.so.1" {
            return Some("solaris");
        }
    }
    if phdrs.iter().any(|p| p.p_type == PT_SUNWSTACK) {
        return Some("solaris");
    }
    if phdrs
        .iter()
        .any(|p| (PT_OPENBSD_FIRST..=PT_OPENBSD_LAST).contains(&p.p_type))
    {
        return Some("openbsd");
    }
    // A GNU ABI tag names the kernel.
    if let Some(n) = notes.iter().find(|n| n.name == "GNU" && n.kind == 1) {
        match u32_at(&n.desc, 0, endian(elf.little_endian)) {
            Some(0) => return Some("linux"),
            Some(2) => return Some("solaris"),
            Some(3) => return Some("freebsd"),
            _ => {}
        }
    }
    // OS ABI 0 (SYSV) or 3 (GNU) with no other evidence: Linux, by far the common case.
    match elf.header.e_ident[7] {
        0 | 3 => Some("linux"),
        _ => None,
    }
}

fn libc(r: &Report) -> Libc {
    let interp_base = r
        .interpreter
        .as_deref()
        .map(|i| i.rsplit('/').next().unwrap_or(i));
    let musl = interp_base.is_some_and(|b| b.starts_with("ld-musl"))
        || r.libraries.iter().any(|l| l.starts_with("libc.musl-"));
    if musl {
        return Libc::Musl;
    }
    let linux_like = matches!(r.goos.as_deref(), Some("linux") | None);
    let glibc = r.symbol_versions.iter().any(|v| v.starts_with("GLIBC_"))
        || r.libraries.iter().any(|l| l == "libc.so.6")
        || (linux_like
            && interp_base.is_some_and(|b| b.starts_with("ld-linux") || b.starts_with("ld64.so")));
    if glibc {
        return Libc::Glibc;
    }
    if r.libraries.is_empty() && r.interpreter.is_none() {
        return Libc::None;
    }
    Libc::Other
}
