//! Which part of a binary holds a given file offset: the answer to "where do these two builds
//! first differ?".
//!
//! [`locate`] parses only the container's table of contents (ELF section and program headers,
//! Mach-O load commands, PE section table, wasm section headers), collects the file ranges they
//! describe as [`Region`]s and picks the most specific one that contains the offset. Like the
//! rest of the crate it runs the parser under `catch_unwind` and never panics on hostile input:
//! an offset it cannot place gives `None`.

use std::panic::{self, AssertUnwindSafe};

use goblin::elf::Elf;
use goblin::mach::MachO;
use goblin::pe::PE;

use crate::inspect::detect;
use crate::macho;
use crosscheck_schema::report::Format;

/// Where a file offset lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The section (or segment, or header) holding the offset: `.go.buildinfo`,
    /// `__DATA,__data`, `.rdata`, `data`, `custom:name`, `ELF header`, `LOAD segment 2`.
    /// A slice of a fat Mach-O is prefixed with its index: `arm64 slice: __TEXT,__text`.
    pub section: String,
    /// The offset relative to the start of that section's bytes in the file.
    pub section_offset: u64,
}

/// Finds the section (else segment, else header) of `bytes` that holds file offset `offset`.
///
/// `None` when the format is unknown, the headers cannot be parsed, or nothing described by
/// them covers the offset (padding between sections, bytes past the last one).
pub fn locate(bytes: &[u8], offset: u64) -> Option<Location> {
    if offset >= bytes.len() as u64 {
        return None;
    }
    panic::catch_unwind(AssertUnwindSafe(|| locate_in(bytes, offset)))
        .ok()
        .flatten()
}

fn locate_in(bytes: &[u8], offset: u64) -> Option<Location> {
    let regions = match detect(bytes) {
        Format::Elf => elf_regions(bytes)?,
        Format::Macho => macho_regions(bytes)?,
        Format::Pe => pe_regions(bytes)?,
        Format::Wasm => wasm_regions(bytes)?,
        Format::MachoFat => return fat(bytes, offset),
        Format::Xcoff | Format::Plan9 | Format::Unknown => return None,
    };
    pick(&regions, offset)
}

/// A named range of file bytes; `rank` orders kinds from most specific (0: a section) to least
/// (2: a segment), so a section wins over the segment that contains it.
#[derive(Debug, Clone)]
struct Region {
    name: String,
    start: u64,
    size: u64,
    rank: u8,
}

impl Region {
    fn new(name: impl Into<String>, start: u64, size: u64, rank: u8) -> Region {
        Region {
            name: name.into(),
            start,
            size,
            rank,
        }
    }

    fn contains(&self, offset: u64) -> bool {
        offset >= self.start && offset - self.start < self.size
    }
}

fn pick(regions: &[Region], offset: u64) -> Option<Location> {
    regions
        .iter()
        .filter(|r| r.contains(offset))
        .min_by_key(|r| (r.rank, r.size))
        .map(|r| Location {
            section: r.name.clone(),
            section_offset: offset - r.start,
        })
}

const SECTION: u8 = 0;
const HEADER: u8 = 1;
const SEGMENT: u8 = 2;

fn elf_regions(bytes: &[u8]) -> Option<Vec<Region>> {
    let elf = Elf::parse(bytes).ok()?;
    let header = &elf.header;
    let mut regions = vec![Region::new("ELF header", 0, header.e_ehsize.into(), HEADER)];
    regions.push(Region::new(
        "program headers",
        header.e_phoff,
        u64::from(header.e_phentsize).saturating_mul(header.e_phnum.into()),
        HEADER,
    ));
    regions.push(Region::new(
        "section headers",
        header.e_shoff,
        u64::from(header.e_shentsize).saturating_mul(header.e_shnum.into()),
        HEADER,
    ));
    for sh in &elf.section_headers {
        if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
            continue;
        }
        let name = elf
            .shdr_strtab
            .get_at(sh.sh_name)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("section at {:#x}", sh.sh_offset), str::to_owned);
        regions.push(Region::new(name, sh.sh_offset, sh.sh_size, SECTION));
    }
    for (i, ph) in elf.program_headers.iter().enumerate() {
        let kind = goblin::elf::program_header::pt_to_str(ph.p_type);
        let kind = kind.strip_prefix("PT_").unwrap_or(kind);
        regions.push(Region::new(
            format!("{kind} segment {i}"),
            ph.p_offset,
            ph.p_filesz,
            SEGMENT,
        ));
    }
    Some(regions)
}

fn macho_regions(bytes: &[u8]) -> Option<Vec<Region>> {
    let macho = MachO::parse(bytes, 0).ok()?;
    let header_size: u64 = if macho.is_64 { 32 } else { 28 };
    let mut regions = vec![
        Region::new("Mach-O header", 0, header_size, HEADER),
        Region::new(
            "load commands",
            header_size,
            u64::from(macho.header.sizeofcmds),
            HEADER,
        ),
    ];
    for segment in macho.segments.iter() {
        let segname = segment.name().unwrap_or("?").to_owned();
        regions.push(Region::new(
            segname.clone(),
            segment.fileoff,
            segment.filesize,
            SEGMENT,
        ));
        let Ok(sections) = segment.sections() else {
            continue;
        };
        for (section, _) in sections {
            // Zero-fill sections (__bss) occupy no file bytes.
            if section.offset == 0 {
                continue;
            }
            let name = section.name().unwrap_or("?");
            regions.push(Region::new(
                format!("{segname},{name}"),
                section.offset.into(),
                section.size,
                SECTION,
            ));
        }
    }
    Some(regions)
}

fn pe_regions(bytes: &[u8]) -> Option<Vec<Region>> {
    let pe = PE::parse(bytes).ok()?;
    let headers = pe
        .header
        .optional_header
        .map_or(0, |o| u64::from(o.windows_fields.size_of_headers));
    let mut regions = vec![Region::new("PE headers", 0, headers, HEADER)];
    for section in &pe.sections {
        let name = section
            .name()
            .map_or_else(|_| "?".to_owned(), str::to_owned);
        regions.push(Region::new(
            name,
            section.pointer_to_raw_data.into(),
            section.size_of_raw_data.into(),
            SECTION,
        ));
    }
    Some(regions)
}

/// Walks the wasm section headers by hand: wasmparser validates section contents on the way,
/// and a difference is often in exactly the part that does not parse the same twice.
fn wasm_regions(bytes: &[u8]) -> Option<Vec<Region>> {
    let mut regions = vec![Region::new("wasm header", 0, 8, HEADER)];
    let mut pos: usize = 8;
    while pos < bytes.len() {
        let start = pos;
        let id = *bytes.get(pos)?;
        let (size, len) = crate::buildinfo::uvarint(bytes.get(pos + 1..)?)?;
        let content = pos.checked_add(1 + len)?;
        let end = content.checked_add(usize::try_from(size).ok()?)?;
        let name = match id {
            0 => {
                let payload = bytes.get(content..end.min(bytes.len()))?;
                let (name_len, n) = crate::buildinfo::uvarint(payload)?;
                let name_len = usize::try_from(name_len).ok()?;
                let name = payload.get(n..n.checked_add(name_len)?)?;
                format!("custom:{}", String::from_utf8_lossy(name))
            }
            1 => "type".to_owned(),
            2 => "import".to_owned(),
            3 => "function".to_owned(),
            4 => "table".to_owned(),
            5 => "memory".to_owned(),
            6 => "global".to_owned(),
            7 => "export".to_owned(),
            8 => "start".to_owned(),
            9 => "element".to_owned(),
            10 => "code".to_owned(),
            11 => "data".to_owned(),
            12 => "datacount".to_owned(),
            13 => "tag".to_owned(),
            other => format!("section {other}"),
        };
        // The header (id and size) belongs to the section too: a size change shows there.
        regions.push(Region::new(
            name,
            content as u64,
            (end - content) as u64,
            SECTION,
        ));
        regions.push(Region::new(
            format!("section header at {start:#x}"),
            start as u64,
            (content - start) as u64,
            HEADER,
        ));
        pos = end;
    }
    Some(regions)
}

fn fat(bytes: &[u8], offset: u64) -> Option<Location> {
    let slices = macho::fat_slices(bytes).ok()?;
    for (i, slice) in slices.iter().enumerate() {
        if offset < slice.offset || offset - slice.offset >= slice.size {
            continue;
        }
        let start = usize::try_from(slice.offset).ok()?;
        let end = start.checked_add(usize::try_from(slice.size).ok()?)?;
        let inner = bytes.get(start..end)?;
        let name = macho::goarch(slice.cputype)
            .map_or_else(|| format!("slice {i}"), |arch| format!("{arch} slice"));
        let found = macho_regions(inner).and_then(|r| pick(&r, offset - slice.offset));
        return Some(match found {
            Some(location) => Location {
                section: format!("{name}: {}", location.section),
                section_offset: location.section_offset,
            },
            None => Location {
                section: name,
                section_offset: offset - slice.offset,
            },
        });
    }
    Some(Location {
        section: "fat header".to_owned(),
        section_offset: offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_out_of_range_offsets_are_none() {
        assert_eq!(locate(b"hello world", 3), None);
        assert_eq!(locate(b"\x7fELF", 100), None);
        assert_eq!(locate(b"", 0), None);
    }

    #[test]
    fn wasm_sections_are_named() {
        // magic, version, a type section of 1 byte (0 types), a custom section "name" of 5 bytes.
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 1, 0]);
        wasm.extend([0, 5, 4, b'n', b'a', b'm', b'e']);
        assert_eq!(
            locate(&wasm, 10),
            Some(Location {
                section: "type".to_owned(),
                section_offset: 0
            })
        );
        assert_eq!(
            locate(&wasm, 15).map(|l| l.section),
            Some("custom:name".to_owned())
        );
        assert_eq!(
            locate(&wasm, 8).map(|l| l.section),
            Some("section header at 0x8".to_owned())
        );
        assert_eq!(
            locate(&wasm, 2).map(|l| l.section),
            Some("wasm header".to_owned())
        );
    }

    /// A data section that claims 4 GiB in a 14-byte file: the header and the section header
    /// are still placed, and nothing panics. `locate_in` is called directly because `locate`
    /// would turn a panic into `None`, which would hide it.
    #[test]
    fn truncated_wasm_is_located_without_panicking() {
        let wasm = b"\0asm\x01\0\0\0\x0b\xff\xff\xff\xff\x0f".to_vec();
        let sections: Vec<Option<String>> = (0..wasm.len() as u64)
            .map(|offset| locate_in(&wasm, offset).map(|l| l.section))
            .collect();
        let mut expected = vec![Some("wasm header".to_owned()); 8];
        expected.extend(vec![Some("section header at 0x8".to_owned()); 6]);
        assert_eq!(sections, expected);
        assert_eq!(locate(&wasm, wasm.len() as u64), None, "past the end");
    }
}
