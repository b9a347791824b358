//! PE/PE32+: goblin with the directories we do not need switched off (resources, TLS; the
//! certificate table is read by `authenticode`, which verifies the signature), plus the Go
//! build info in `.data`.

use goblin::pe::PE;
use goblin::pe::optional_header::OptionalHeader;
use goblin::pe::options::ParseOptions;

use crate::authenticode;
use crate::buildinfo::{self, Segments};
use crate::error::{Bad, Res};
use crate::util::{is_dwarf_section, slice_at};
use crosscheck_schema::report::{
    CodeSignature, DllCharacteristics, Endian, EntryPoint, GoInfo, Libc, PeChecksum, PeDetails,
    Report,
};

/// `IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE`.
const DATA_SECTION: u32 = 0xC000_0040;
const SCN_ALIGN_32BYTES: u32 = 0x60_0000;
const MAX_LIBS: usize = 4096;

fn goarch(machine: u16) -> Option<&'static str> {
    Some(match machine {
        0x014c => "386",
        0x8664 => "amd64",
        0x01c4 => "arm",
        0xaa64 => "arm64",
        0x6264 => "loong64",
        0x5064 => "riscv64",
        _ => return None,
    })
}

fn subsystem(v: u16) -> &'static str {
    match v {
        1 => "native",
        2 => "gui",
        3 => "console",
        7 => "posix",
        9 => "windows-ce-gui",
        10 => "efi-application",
        11 => "efi-boot-service-driver",
        12 => "efi-runtime-driver",
        13 => "efi-rom",
        14 => "xbox",
        16 => "boot-application",
        _ => "unknown",
    }
}

/// Whether a DLL name is a C runtime (so the binary links a libc of sorts).
fn is_crt(dll: &str) -> bool {
    dll.starts_with("msvcrt")
        || dll.starts_with("ucrtbase")
        || dll.starts_with("api-ms-win-crt-")
        || dll.starts_with("vcruntime")
        || dll.starts_with("msvcr")
}

/// Fills `r` from a PE image.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    let mut opts = ParseOptions::default()
        .with_parse_resources(false)
        .with_parse_tls_data(false)
        .with_parse_imports(true);
    // `authenticode` reads the certificate table itself, bounds-checked; goblin's parser would
    // copy it into a list we do not need.
    opts.parse_attribute_certificates = false;
    let pe = PE::parse_with_opts(bytes, &opts)?;
    let opt = pe
        .header
        .optional_header
        .ok_or_else(|| Bad::new("image has no optional header"))?;
    read_target(&pe, r);
    read_linkage(&pe, r);
    let chars = dll_characteristics(opt.windows_fields.dll_characteristics);
    read_hardening(&pe, &chars, r);
    r.code_signature = code_signature(bytes, &pe, &opt);
    r.pe = Some(details(bytes, &pe, &opt, chars));
    let sections = read_sections(&pe, r);
    r.go = read_go(bytes, sections);
    r.packed = crate::packer::pe(bytes, &pe);
    Ok(())
}

/// Target: PE32 or PE32+, and the COFF machine. PE is always little-endian Windows.
fn read_target(pe: &PE<'_>, r: &mut Report) {
    r.bits = Some(if pe.is_64 { 64 } else { 32 });
    r.endian = Some(Endian::Little);
    r.goarch = goarch(pe.header.coff_header.machine).map(str::to_owned);
    r.goos = Some("windows".to_owned());
}

/// Linkage: the imported DLLs, lower-cased (Windows ignores case) and deduplicated. A PE is
/// never static: the loader always maps it.
fn read_linkage(pe: &PE<'_>, r: &mut Report) {
    let mut libs: Vec<String> = pe
        .libraries
        .iter()
        .take(MAX_LIBS)
        .map(|l| l.to_ascii_lowercase())
        .collect();
    libs.sort();
    libs.dedup();
    r.libc = if libs.iter().any(|l| is_crt(l)) {
        Libc::Other
    } else {
        Libc::None
    };
    r.libraries = libs;
    r.is_static = false;
}

fn dll_characteristics(dc: u16) -> DllCharacteristics {
    let bit = |b: u16| dc & b != 0;
    DllCharacteristics {
        raw: dc,
        aslr: bit(0x40),
        high_entropy_va: bit(0x20),
        nx_compat: bit(0x100),
        force_integrity: bit(0x80),
        no_seh: bit(0x400),
        guard_cf: bit(0x4000),
        appcontainer: bit(0x1000),
        terminal_server_aware: bit(0x8000),
    }
}

/// Hardening: ASLR stands for PIE, NX_COMPAT for NX; stripped means no COFF symbol table.
fn read_hardening(pe: &PE<'_>, chars: &DllCharacteristics, r: &mut Report) {
    let coff = pe.header.coff_header;
    r.pie = chars.aslr;
    r.nx = Some(chars.nx_compat);
    r.stripped = coff.pointer_to_symbol_table == 0 || coff.number_of_symbol_table == 0;
}

/// The Authenticode signature, verified, when the certificate table is not empty.
fn code_signature(bytes: &[u8], pe: &PE<'_>, opt: &OptionalHeader) -> Option<CodeSignature> {
    let cert = opt.data_directories.get_certificate_table()?;
    if cert.size == 0 {
        return None;
    }
    let optional_header = pe.header.dos_header.pe_pointer as usize + 4 + 20;
    // The data directories follow the Windows-specific fields: 96 bytes into a PE32 optional
    // header, 112 into a PE32+ one; the certificate table is entry 4.
    let directories = optional_header + if pe.is_64 { 112 } else { 96 };
    let layout = authenticode::Layout {
        checksum_field: checksum_field(pe.header.dos_header.pe_pointer),
        certificate_entry: directories + 4 * 8,
        table_offset: cert.virtual_address as usize,
        table_size: cert.size as usize,
    };
    Some(authenticode::verify(bytes, &layout))
}

/// File offset of the optional header's CheckSum: PE signature (4) + COFF header (20) + 64
/// bytes into the optional header, for both PE32 and PE32+.
fn checksum_field(pe_offset: u32) -> usize {
    pe_offset as usize + 4 + 20 + 64
}

fn details(
    bytes: &[u8],
    pe: &PE<'_>,
    opt: &OptionalHeader,
    chars: DllCharacteristics,
) -> PeDetails {
    let wf = &opt.windows_fields;
    PeDetails {
        subsystem: subsystem(wf.subsystem).to_owned(),
        machine: format!("{:#x}", pe.header.coff_header.machine),
        is_dll: pe.is_lib,
        dll_characteristics: chars,
        min_os_version: format!(
            "{}.{}",
            wf.major_operating_system_version, wf.minor_operating_system_version
        ),
        import_count: pe.imports.len(),
        checksum: PeChecksum {
            stored: wf.check_sum,
            computed: checksum(bytes, pe.header.dos_header.pe_pointer),
        },
        entry_point: entry_point(pe, opt),
    }
}

/// The image checksum as `CheckSumMappedFile` computes it: the one's-complement-style sum of
/// the file's little-endian 16-bit words (a trailing odd byte counts as a word), folded to 16
/// bits, with the CheckSum field itself read as zero, plus the file length.
fn checksum(bytes: &[u8], pe_offset: u32) -> u32 {
    let field = checksum_field(pe_offset);
    let mut sum: u64 = 0;
    for (i, pair) in bytes.chunks(2).enumerate() {
        let at = i * 2;
        if (field..field + 4).contains(&at) {
            continue;
        }
        let word = u16::from_le_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]);
        sum += u64::from(word);
        // Fold now and then so the sum never overflows, whatever the file size.
        if sum > 0xffff_ffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    (sum as u32).wrapping_add(bytes.len() as u32)
}

/// `IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE`: either marks a section as code.
const CODE_SECTION: u32 = 0x0000_0020 | 0x2000_0000;

/// The entry point and the section that holds it. An image without one (a resource-only
/// DLL) has none.
fn entry_point(pe: &PE<'_>, opt: &OptionalHeader) -> Option<EntryPoint> {
    let rva = opt.standard_fields.address_of_entry_point;
    if rva == 0 && pe.is_lib {
        return None;
    }
    let holder = pe.sections.iter().find(|s| {
        let span = s.virtual_size.max(s.size_of_raw_data);
        rva >= s.virtual_address && rva - s.virtual_address < span
    });
    Some(EntryPoint {
        rva: format!("{rva:#x}"),
        section: holder.map(|s| {
            s.real_name
                .clone()
                .or_else(|| s.name().ok().map(str::to_owned))
                .unwrap_or_default()
        }),
        executable: holder.is_some_and(|s| s.characteristics & CODE_SECTION != 0),
    })
}

/// Where the Go facts may be, as the section table shows it.
struct GoSections {
    /// Virtual address mappings `(address, file offset, file size)` of every section.
    maps: Vec<(u64, u64, u64)>,
    /// The first initialised read-write data section, where the build info lives.
    data_region: Option<(u64, u64, u64)>,
    /// File offset of `.text`, where the Go build ID sits.
    text_offset: Option<u32>,
}

/// The section table: DWARF, and where the Go build info and build ID are.
fn read_sections(pe: &PE<'_>, r: &mut Report) -> GoSections {
    let mut go = GoSections {
        maps: Vec::new(),
        data_region: None,
        text_offset: None,
    };
    for s in &pe.sections {
        let name = s
            .real_name
            .clone()
            .or_else(|| s.name().ok().map(str::to_owned))
            .unwrap_or_default();
        if is_dwarf_section(&name, ".") {
            r.debug_info = true;
        }
        let file_size = s.size_of_raw_data;
        let addr = pe.image_base.saturating_add(u64::from(s.virtual_address));
        go.maps
            .push((addr, u64::from(s.pointer_to_raw_data), u64::from(file_size)));
        if name == ".text" && go.text_offset.is_none() {
            go.text_offset = Some(s.pointer_to_raw_data);
        }
        if go.data_region.is_none()
            && s.virtual_address != 0
            && s.size_of_raw_data != 0
            && s.characteristics & !SCN_ALIGN_32BYTES == DATA_SECTION
        {
            let size = s.virtual_size.min(s.size_of_raw_data);
            go.data_region = Some((addr, u64::from(s.pointer_to_raw_data), u64::from(size)));
        }
    }
    go
}

/// The Go facts: the build ID from the text, the build info from the data section.
fn read_go(bytes: &[u8], sections: GoSections) -> Option<GoInfo> {
    let build_id = sections
        .text_offset
        .and_then(|off| buildinfo::build_id_in_text(bytes, u64::from(off)));
    let va = Segments {
        bytes,
        maps: sections.maps,
    };
    let raw = sections
        .data_region
        .and_then(|(addr, off, size)| buildinfo::find_blob(addr, slice_at(bytes, off, size)?, &va));
    buildinfo::go_facts(bytes, raw, build_id, false)
}
