//! AIX XCOFF (32 and 64 bit), parsed by hand: file header, section headers, the loader
//! section's import file IDs (the shared objects the binary needs) and the Go build info in the
//! first `.data` section.

use crate::buildinfo::{self, Segments};
use crate::error::{Bad, Res};
use crate::util::{slice_at, u16_at, u32_at, u64_at};
use crosscheck_schema::report::{Endian, Libc, Report};

pub(crate) const MAGIC_32: u16 = 0x01df;
pub(crate) const MAGIC_64: u16 = 0x01f7;
const STYP_DWARF: u32 = 0x10;
const STYP_TEXT: u32 = 0x20;
const STYP_DATA: u32 = 0x40;
const STYP_LOADER: u32 = 0x1000;
const MAX_SECTIONS: u16 = 1024;
const MAX_IMPORTS: u32 = 4096;

struct Section {
    vaddr: u64,
    size: u64,
    offset: u64,
    flags: u32,
}

/// Fills `r` from an XCOFF image.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    let be = Endian::Big;
    let cut = || Bad::new("truncated xcoff file header");
    let magic = u16_at(bytes, 0, be).ok_or_else(cut)?;
    let is_64 = magic == MAGIC_64;
    let nscns = u16_at(bytes, 2, be).ok_or_else(cut)?;
    let (symptr, nsyms, opthdr, hdr_size) = if is_64 {
        (
            u64_at(bytes, 8, be).ok_or_else(cut)?,
            u32_at(bytes, 20, be).ok_or_else(cut)?,
            u16_at(bytes, 16, be).ok_or_else(cut)?,
            24usize,
        )
    } else {
        (
            u64::from(u32_at(bytes, 8, be).ok_or_else(cut)?),
            u32_at(bytes, 12, be).ok_or_else(cut)?,
            u16_at(bytes, 16, be).ok_or_else(cut)?,
            20usize,
        )
    };
    if nscns > MAX_SECTIONS {
        return Err(Bad::new(format!("implausible xcoff section count {nscns}")));
    }
    let shdr_size = if is_64 { 72 } else { 40 };
    let mut sections = Vec::with_capacity(usize::from(nscns));
    for i in 0..usize::from(nscns) {
        let at = hdr_size + usize::from(opthdr) + i * shdr_size;
        let sh = bytes
            .get(at..at + shdr_size)
            .ok_or_else(|| Bad::new(format!("xcoff section header {i} is cut off")))?;
        let s = if is_64 {
            Section {
                vaddr: u64_at(sh, 16, be).unwrap_or(0),
                size: u64_at(sh, 24, be).unwrap_or(0),
                offset: u64_at(sh, 32, be).unwrap_or(0),
                flags: u32_at(sh, 64, be).unwrap_or(0),
            }
        } else {
            Section {
                vaddr: u64::from(u32_at(sh, 12, be).unwrap_or(0)),
                size: u64::from(u32_at(sh, 16, be).unwrap_or(0)),
                offset: u64::from(u32_at(sh, 20, be).unwrap_or(0)),
                flags: u32_at(sh, 36, be).unwrap_or(0),
            }
        };
        // Sections without file data (bss) have no bounds to check.
        if s.flags & 0x80 == 0 && s.offset != 0 && slice_at(bytes, s.offset, s.size).is_none() {
            return Err(Bad::new(format!("xcoff section {i} lies outside the file")));
        }
        sections.push(s);
    }

    r.goos = Some("aix".to_owned());
    r.bits = Some(if is_64 { 64 } else { 32 });
    r.endian = Some(be);
    r.goarch = is_64.then(|| "ppc64".to_owned());
    r.stripped = symptr == 0 || nsyms == 0;
    r.debug_info = sections.iter().any(|s| s.flags & 0xffff == STYP_DWARF);
    if let Some(loader) = sections.iter().find(|s| s.flags & 0xffff == STYP_LOADER) {
        r.libraries = loader_imports(bytes, loader, is_64);
    }
    r.is_static = r.libraries.is_empty();
    r.libc = if r.libraries.iter().any(|l| l.starts_with("libc.a")) {
        Libc::Other
    } else {
        Libc::None
    };
    // AIX maps text and data wherever the loader likes; Go's aix binaries are not "PIE" in the
    // ELF sense and the stack is non-executable by default, which the file does not record.
    r.pie = false;
    r.nx = None;

    let va = Segments {
        bytes,
        maps: sections
            .iter()
            .map(|s| (s.vaddr, s.offset, s.size))
            .collect(),
    };
    let build_id = sections
        .iter()
        .find(|s| s.flags & 0xffff == STYP_TEXT)
        .and_then(|s| buildinfo::build_id_in_text(bytes, s.offset));
    let raw = sections
        .iter()
        .find(|s| s.flags & 0xffff == STYP_DATA)
        .and_then(|s| buildinfo::find_blob(s.vaddr, slice_at(bytes, s.offset, s.size)?, &va));
    r.go = buildinfo::go_facts(bytes, raw, build_id, false);
    Ok(())
}

/// Import file IDs from the loader section: `path\0base\0member\0` triples; the first names the
/// default library search path and is skipped.
fn loader_imports(bytes: &[u8], loader: &Section, is_64: bool) -> Vec<String> {
    let be = Endian::Big;
    let Some(ld) = slice_at(bytes, loader.offset, loader.size) else {
        return Vec::new();
    };
    let (istlen, nimpid, impoff) = if is_64 {
        (u32_at(ld, 12, be), u32_at(ld, 16, be), u64_at(ld, 24, be))
    } else {
        (
            u32_at(ld, 12, be),
            u32_at(ld, 16, be),
            u32_at(ld, 20, be).map(u64::from),
        )
    };
    let (Some(istlen), Some(nimpid), Some(impoff)) = (istlen, nimpid, impoff) else {
        return Vec::new();
    };
    let Some(table) = slice_at(ld, impoff, u64::from(istlen)) else {
        return Vec::new();
    };
    let mut strings = table.split(|&b| b == 0).map(|s| String::from_utf8_lossy(s));
    let mut out = Vec::new();
    for i in 0..nimpid.min(MAX_IMPORTS) {
        let (Some(_path), Some(base), Some(member)) =
            (strings.next(), strings.next(), strings.next())
        else {
            break;
        };
        if i == 0 || base.is_empty() {
            continue;
        }
        if member.is_empty() {
            out.push(base.into_owned());
        } else {
            out.push(format!("{base}({member})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::report::Format;

    /// A 32-bit XCOFF with one loader section importing `libc.a(shr.o)`.
    fn xcoff32() -> Vec<u8> {
        let mut ld = Vec::new();
        // l_version, l_nsyms, l_nreloc, l_istlen, l_nimpid, l_impoff, l_stlen, l_stoff
        let ids = b"/usr/lib:/lib\0\0\0\0libc.a\0shr.o\0";
        for v in [1u32, 0, 0, ids.len() as u32, 2, 32, 0, 0] {
            ld.extend_from_slice(&v.to_be_bytes());
        }
        ld.extend_from_slice(ids);
        let mut b = Vec::new();
        for v in [MAGIC_32, 1] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for v in [0u32, 0, 0] {
            b.extend_from_slice(&v.to_be_bytes()); // timdat, symptr, nsyms
        }
        b.extend_from_slice(&[0, 0, 0, 0]); // opthdr, flags
        let data_at = 20 + 40;
        b.extend_from_slice(b".loader\0");
        for v in [0u32, 0, ld.len() as u32, data_at as u32, 0, 0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&STYP_LOADER.to_be_bytes());
        b.extend_from_slice(&ld);
        b
    }

    #[test]
    fn reads_32_bit_header_and_loader_imports() {
        let b = xcoff32();
        let mut r = Report::empty("x", Format::Xcoff, b.len() as u64);
        assert!(inspect(&b, &mut r).is_ok());
        assert_eq!(r.bits, Some(32));
        assert_eq!(r.goarch, None, "32-bit POWER is not a Go architecture");
        assert_eq!(r.libraries, ["libc.a(shr.o)"]);
        assert_eq!(r.libc, Libc::Other);
        assert!(r.stripped && !r.is_static);
        assert!(inspect(&b[..70], &mut r).is_err(), "loader section cut off");
    }
}
