//! PE/PE32+: goblin with the directories we do not need switched off (resources, TLS,
//! certificates are only checked for presence), plus the Go build info in `.data`.

use goblin::pe::PE;
use goblin::pe::options::ParseOptions;

use crate::buildinfo::{self, Segments};
use crate::error::{Bad, Res};
use crate::report::{CodeSignature, DllCharacteristics, Endian, Libc, PeDetails, Report};
use crate::util::slice_at;

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
    // Presence of the certificate table is read from the data directory; no need to parse it.
    opts.parse_attribute_certificates = false;
    let pe = PE::parse_with_opts(bytes, &opts)?;
    let coff = pe.header.coff_header;
    let opt = pe
        .header
        .optional_header
        .ok_or_else(|| Bad::new("image has no optional header"))?;
    let wf = opt.windows_fields;

    r.bits = Some(if pe.is_64 { 64 } else { 32 });
    r.endian = Some(Endian::Little);
    r.goarch = goarch(coff.machine).map(str::to_owned);
    r.goos = Some("windows".to_owned());

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

    let dc = wf.dll_characteristics;
    let bit = |b: u16| dc & b != 0;
    let chars = DllCharacteristics {
        raw: dc,
        aslr: bit(0x40),
        high_entropy_va: bit(0x20),
        nx_compat: bit(0x100),
        force_integrity: bit(0x80),
        no_seh: bit(0x400),
        guard_cf: bit(0x4000),
        appcontainer: bit(0x1000),
        terminal_server_aware: bit(0x8000),
    };
    r.pie = chars.aslr;
    r.nx = Some(chars.nx_compat);
    r.stripped = coff.pointer_to_symbol_table == 0 || coff.number_of_symbol_table == 0;

    if let Some(cert) = opt.data_directories.get_certificate_table()
        && cert.size > 0
    {
        r.code_signature = Some(CodeSignature {
            kind: "authenticode".to_owned(),
            size: u64::from(cert.size),
        });
    }
    r.pe = Some(PeDetails {
        subsystem: subsystem(wf.subsystem).to_owned(),
        machine: format!("{:#x}", coff.machine),
        is_dll: pe.is_lib,
        dll_characteristics: chars,
        min_os_version: format!(
            "{}.{}",
            wf.major_operating_system_version, wf.minor_operating_system_version
        ),
        import_count: pe.imports.len(),
    });

    let image_base = pe.image_base;
    let mut maps = Vec::new();
    let mut data_region = None;
    let mut text_offset = None;
    for s in &pe.sections {
        let name = s
            .real_name
            .clone()
            .or_else(|| s.name().ok().map(str::to_owned))
            .unwrap_or_default();
        if name.starts_with(".debug_") || name.starts_with(".zdebug_") {
            r.debug_info = true;
        }
        let file_size = s.size_of_raw_data;
        let addr = image_base.saturating_add(u64::from(s.virtual_address));
        maps.push((addr, u64::from(s.pointer_to_raw_data), u64::from(file_size)));
        if name == ".text" && text_offset.is_none() {
            text_offset = Some(s.pointer_to_raw_data);
        }
        if data_region.is_none()
            && s.virtual_address != 0
            && s.size_of_raw_data != 0
            && s.characteristics & !SCN_ALIGN_32BYTES == DATA_SECTION
        {
            let size = s.virtual_size.min(s.size_of_raw_data);
            data_region = Some((addr, u64::from(s.pointer_to_raw_data), u64::from(size)));
        }
    }
    let build_id = text_offset
        .and_then(|off| bytes.get(usize::try_from(off).ok()?..))
        .and_then(buildinfo::build_id_near);
    let va = Segments { bytes, maps };
    let raw = data_region
        .and_then(|(addr, off, size)| buildinfo::find_blob(addr, slice_at(bytes, off, size)?, &va));
    r.go = match raw {
        Some(raw) => Some(buildinfo::go_info(raw, build_id)),
        None if build_id.is_some() => Some(crate::elf::heuristic_go(bytes, build_id)),
        None => None,
    };
    Ok(())
}
