//! Executable packers: UPX compresses a binary into a stub that unpacks it in memory, which
//! breaks code signatures, hides the Go build info and trips malware scanners.
//!
//! UPX leaves the same marks in every format it packs: its `UPX!` magic in the packer header
//! right after the file's own headers, and names of its own for the sections it writes. Each
//! format parser calls the function for its format with what it already parsed; a file is
//! called packed only when two independent marks agree, so a Go program that merely contains
//! the string `UPX!` is not.

use goblin::elf::Elf;
use goblin::mach::MachO;
use goblin::pe::PE;

/// The `l_magic` of UPX's `l_info` and `p_info` headers.
const UPX_MAGIC: &[u8; 4] = b"UPX!";
/// The name a packed file reports in `packed`.
const UPX: &str = "upx";
/// How far into the file the packer header may start: UPX puts it right after the headers
/// (ELF program headers, PE section table, Mach-O load commands), which fit in a few KiB.
const HEADER_AREA: usize = 8192;
/// Same cap as the Mach-O parser's on a segment's section count.
const MAX_SECTIONS: usize = 4096;

fn has_magic(area: &[u8]) -> bool {
    memchr::memmem::find(area, UPX_MAGIC).is_some()
}

/// UPX-packed ELF: no section headers, `l_info` (checksum, then `UPX!`) right after the
/// program headers, and the `PackHeader` (`UPX!` again) in the file's last bytes.
pub(crate) fn elf(bytes: &[u8], elf: &Elf<'_>) -> Option<String> {
    if !elf.section_headers.is_empty() {
        return None;
    }
    let phdrs_end = usize::try_from(elf.header.e_phoff).ok()?.checked_add(
        usize::from(elf.header.e_phnum).checked_mul(usize::from(elf.header.e_phentsize))?,
    )?;
    let l_info = bytes.get(phdrs_end.checked_add(4)?..phdrs_end.checked_add(8)?)?;
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    (l_info == UPX_MAGIC && has_magic(tail)).then(|| UPX.to_owned())
}

/// UPX-packed PE: sections named `UPX0` (the empty space the image unpacks into) and `UPX1`
/// (the compressed data), and `UPX!` in the header area before the first section's data.
pub(crate) fn pe(bytes: &[u8], pe: &PE<'_>) -> Option<String> {
    let named = |n: &[u8]| pe.sections.iter().any(|s| s.name.starts_with(n));
    let header = &bytes[..bytes.len().min(HEADER_AREA)];
    (named(b"UPX0") && named(b"UPX1") && has_magic(header)).then(|| UPX.to_owned())
}

/// UPX-packed Mach-O: a `upxTEXT` section (UPX 4) or an `__XHDR` segment (UPX 3), and `UPX!`
/// right after the load commands.
pub(crate) fn macho(bytes: &[u8], m: &MachO<'_>) -> Option<String> {
    let marked = m.segments.iter().any(|seg| {
        // `nsects` comes from the file: stop at the first section goblin cannot read.
        let mut sections = seg.into_iter().take(MAX_SECTIONS).map_while(Result::ok);
        seg.name().is_ok_and(|n| n == "__XHDR")
            || sections.any(|(s, _)| s.name().is_ok_and(|n| n == "upxTEXT"))
    });
    let header = &bytes[..bytes.len().min(HEADER_AREA)];
    (marked && has_magic(header)).then(|| UPX.to_owned())
}
