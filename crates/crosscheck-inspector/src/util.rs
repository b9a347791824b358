//! Small helpers shared by the format parsers: bounded byte reads, version comparison, hashing,
//! and containing a parser's panic.

use std::cmp::Ordering;
use std::panic::{self, AssertUnwindSafe};

use sha2::{Digest, Sha256};

use crate::error::{Bad, Res};
use crosscheck_schema::report::Endian;

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Runs a parser so that a panic inside it (ours or a dependency's, on crafted input) comes
/// back as a reason instead of unwinding into the caller.
pub(crate) fn catch_parser_panic<T>(f: impl FnOnce() -> Res<T>) -> Res<T> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Bad(format!("parser panicked: {msg}")))
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `len` bytes at `off`, or `None` when out of range (never panics).
pub(crate) fn slice_at(bytes: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(off).ok()?;
    let len = usize::try_from(len).ok()?;
    let end = start.checked_add(len)?;
    bytes.get(start..end)
}

/// The byte order of a header's "little endian" flag.
pub(crate) fn endian(little: bool) -> Endian {
    if little { Endian::Little } else { Endian::Big }
}

/// Whether a section name is DWARF: `debug_*`, or zlib-compressed `zdebug_*`, after the
/// format's name prefix (`.` for ELF and PE, `__` for Mach-O).
pub(crate) fn is_dwarf_section(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|n| n.starts_with("debug_") || n.starts_with("zdebug_"))
}

pub(crate) fn u16_at(bytes: &[u8], off: usize, e: Endian) -> Option<u16> {
    let b: [u8; 2] = bytes.get(off..off.checked_add(2)?)?.try_into().ok()?;
    Some(match e {
        Endian::Little => u16::from_le_bytes(b),
        Endian::Big => u16::from_be_bytes(b),
    })
}

pub(crate) fn u32_at(bytes: &[u8], off: usize, e: Endian) -> Option<u32> {
    let b: [u8; 4] = bytes.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(match e {
        Endian::Little => u32::from_le_bytes(b),
        Endian::Big => u32::from_be_bytes(b),
    })
}

pub(crate) fn u64_at(bytes: &[u8], off: usize, e: Endian) -> Option<u64> {
    let b: [u8; 8] = bytes.get(off..off.checked_add(8)?)?.try_into().ok()?;
    Some(match e {
        Endian::Little => u64::from_le_bytes(b),
        Endian::Big => u64::from_be_bytes(b),
    })
}

/// A NUL-terminated string starting at `off`, at most `max` bytes long, lossily decoded.
pub(crate) fn cstr_at(bytes: &[u8], off: usize, max: usize) -> Option<String> {
    let rest = bytes.get(off..)?;
    let rest = &rest[..rest.len().min(max)];
    let end = rest.iter().position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Position of `needle` in `hay` (SIMD-accelerated); `None` for an empty needle.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

/// Compares dotted numeric versions (`2.17` < `2.3.4` is false; `2.34` > `2.4`).
///
/// Non-numeric components compare as zero, so the function is total and never panics.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parse = |s: &str| -> Vec<u64> {
        s.trim()
            .trim_start_matches(['v', 'V'])
            .split('.')
            .map(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u64>().unwrap_or(0)
            })
            .collect()
    };
    let (pa, pb) = (parse(a), parse(b));
    let n = pa.len().max(pb.len());
    for i in 0..n {
        let x = pa.get(i).copied().unwrap_or(0);
        let y = pb.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// Formats a Mach-O `xxxx.yy.zz` nibble-packed version as `x.y` or `x.y.z`.
pub(crate) fn macho_version(v: u32) -> String {
    let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
    if patch == 0 {
        format!("{major}.{minor}")
    } else {
        format!("{major}.{minor}.{patch}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("2.34", "2.4"), Ordering::Greater);
        assert_eq!(compare_versions("2.17", "2.17.0"), Ordering::Equal);
        assert_eq!(compare_versions("2.3.2", "2.3.10"), Ordering::Less);
        assert_eq!(compare_versions("11.0", "10.15.7"), Ordering::Greater);
        assert_eq!(compare_versions("junk", "0"), Ordering::Equal);
    }

    #[test]
    fn bounded_reads_never_overflow() {
        let b = [1u8, 2, 3, 4];
        assert_eq!(slice_at(&b, u64::MAX, 2), None);
        assert_eq!(slice_at(&b, 2, u64::MAX), None);
        assert_eq!(slice_at(&b, 2, 2), Some(&b[2..4]));
        assert_eq!(u32_at(&b, usize::MAX, Endian::Little), None);
        assert_eq!(u16_at(&b, 0, Endian::Big), Some(0x0102));
        assert_eq!(cstr_at(b"ab\0cd", 0, 10).as_deref(), Some("ab"));
        assert_eq!(cstr_at(b"abcd", 0, 10), None);
    }

    #[test]
    fn find_locates_needles() {
        assert_eq!(find(b"xxabcabd", b"abd"), Some(5));
        assert_eq!(find(b"xx", b"abd"), None);
        assert_eq!(find(b"xx", b""), None);
    }

    #[test]
    fn macho_versions_format() {
        assert_eq!(macho_version(0x000b_0000), "11.0");
        assert_eq!(macho_version(0x000a_0f07), "10.15.7");
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
