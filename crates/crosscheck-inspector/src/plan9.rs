//! Plan 9 a.out, parsed by hand: the big-endian header names the architecture; the Go build
//! info sits in the data segment, addressed by file offset as Go's own reader does.

use crate::buildinfo::{self, Segments};
use crate::error::{Bad, Res};
use crate::util::{slice_at, u32_at};
use crosscheck_schema::report::{Endian, Libc, Report};

/// Set in the magic of 64-bit a.out files, which carry an extra 8-byte entry point.
const HDR_MAGIC: u32 = 0x8000;

/// `(magic, goarch, bits, endian)` for the architectures Plan 9 and Go know.
const ARCHES: &[(u32, &str, u8, Endian)] = &[
    (0x01eb, "386", 32, Endian::Little),
    (0x8a97, "amd64", 64, Endian::Little),
    (0x0647, "arm", 32, Endian::Little),
    (0x8c47, "arm64", 64, Endian::Little),
    (0x8b6b, "ppc64", 64, Endian::Big),
    (0x0407, "mips", 32, Endian::Big),
    (0x0797, "mipsle", 32, Endian::Little),
    (0x8d2b, "riscv64", 64, Endian::Little),
];

/// Whether the first four bytes are a Plan 9 magic number.
pub(crate) fn is_magic(bytes: &[u8]) -> bool {
    u32_at(bytes, 0, Endian::Big).is_some_and(|m| ARCHES.iter().any(|a| a.0 == m))
}

/// Fills `r` from a Plan 9 executable.
pub(crate) fn inspect(bytes: &[u8], r: &mut Report) -> Res<()> {
    let be = Endian::Big;
    let field = |i: usize| {
        u32_at(bytes, i * 4, be)
            .map(u64::from)
            .ok_or_else(|| Bad::new("truncated plan9 header"))
    };
    let magic = u32_at(bytes, 0, be).ok_or_else(|| Bad::new("truncated plan9 header"))?;
    let (text, data, syms, spsz, pcsz) = (field(1)?, field(2)?, field(4)?, field(6)?, field(7)?);
    let hdr: u64 = if magic & HDR_MAGIC != 0 { 40 } else { 32 };
    if (bytes.len() as u64) < hdr {
        return Err(Bad::new("truncated plan9 header"));
    }
    let total = hdr + text + data + syms + spsz + pcsz;
    if total > bytes.len() as u64 {
        return Err(Bad::new(format!(
            "segments need {total} bytes but the file has {}",
            bytes.len()
        )));
    }
    if let Some(&(_, arch, bits, endian)) = ARCHES.iter().find(|a| a.0 == magic) {
        r.goarch = Some(arch.to_owned());
        r.bits = Some(bits);
        r.endian = Some(endian);
    }
    r.goos = Some("plan9".to_owned());
    r.is_static = true;
    r.libc = Libc::None;
    r.stripped = syms == 0;
    r.debug_info = false;
    r.pie = false;
    r.nx = None;

    let data_off = hdr + text;
    // Go's own reader uses file offsets as addresses here, which misses the blob whenever the
    // data segment does not start at a 16-byte aligned file offset (plan9/386). The data segment
    // is page aligned in memory, so alignment is judged relative to its start instead. Only the
    // inline (Go 1.18+) format is read: there is no address map for pointer-format blobs.
    let va = Segments {
        bytes,
        maps: Vec::new(),
    };
    let build_id = buildinfo::build_id_in_text(bytes, hdr);
    let raw = slice_at(bytes, data_off, data).and_then(|d| buildinfo::find_blob(0, d, &va));
    r.go = buildinfo::go_facts(bytes, raw, build_id, false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::report::Format;

    fn header(magic: u32, text: u32, data: u32) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [magic, text, data, 0, 0, 0x200028, 0, 0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        if magic & HDR_MAGIC != 0 {
            b.extend_from_slice(&0x200028u64.to_be_bytes());
        }
        b
    }

    #[test]
    fn identifies_arch_and_checks_sizes() {
        let mut b = header(0x8a97, 16, 16);
        b.resize(40 + 32, 0);
        let mut r = Report::empty("t", Format::Plan9, 0);
        assert!(inspect(&b, &mut r).is_ok());
        assert_eq!(r.goarch.as_deref(), Some("amd64"));
        assert_eq!(r.bits, Some(64));
        assert!(r.stripped);
        let short = &b[..50];
        assert!(inspect(short, &mut r).is_err());
        let h386 = header(0x01eb, 0, 0);
        let mut r = Report::empty("t", Format::Plan9, 0);
        assert!(inspect(&h386, &mut r).is_ok());
        assert_eq!((r.goarch.as_deref(), r.bits), (Some("386"), Some(32)));
    }
}
