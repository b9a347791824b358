//! Our own reader of the Go build-info blob (`go:buildinfo`) and of the modinfo text inside it.
//!
//! The format parsers hand over a *search region* (the bytes of `.go.buildinfo`, `__go_buildinfo`,
//! `.data`, ... together with its virtual address) and a [`VaReader`] that maps virtual addresses
//! to file bytes. The blob is found the way Go's `debug/buildinfo` finds it: the 14-byte magic at a
//! 16-byte aligned address with at least 32 bytes left. Go 1.18+ stores both strings inline as
//! uvarint-prefixed bytes; Go 1.13-1.17 stores two pointers to Go string headers, which we follow
//! through the [`VaReader`].

use crate::util::{find, u32_at, u64_at};
use crosscheck_schema::report::{Endian, GoInfo, GoInfoSource, GoModule, GoSettings};

/// `"\xff Go buildinf:"`.
pub(crate) const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// Start sentinel of the modinfo string.
pub(crate) const INFO_START: [u8; 16] = [
    0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
];
/// End sentinel of the modinfo string.
pub(crate) const INFO_END: [u8; 16] = [
    0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
];
/// Prefix of the Go build ID written at the start of the text of non-ELF binaries.
pub(crate) const BUILD_ID_PREFIX: &[u8] = b"\xff Go build ID: \"";

/// Longest string we accept from the blob; real modinfo is a few KiB.
const MAX_STRING: u64 = 4 << 20;
/// Caps on the decoded lists so hostile input cannot make us allocate without bound.
const MAX_DEPS: usize = 100_000;
const MAX_SETTINGS: usize = 10_000;
/// Distinct `go1.*` strings the version scan keeps count of.
const MAX_VERSION_CANDIDATES: usize = 64;

/// Maps target virtual addresses to file bytes.
pub(crate) trait VaReader {
    /// `len` bytes at virtual address `addr`, if they are all backed by the file.
    fn read(&self, addr: u64, len: u64) -> Option<&[u8]>;
}

/// A [`VaReader`] over a list of `(vaddr, file offset, file size)` mappings.
pub(crate) struct Segments<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) maps: Vec<(u64, u64, u64)>,
}

impl VaReader for Segments<'_> {
    fn read(&self, addr: u64, len: u64) -> Option<&[u8]> {
        for &(va, off, size) in &self.maps {
            let end = va.checked_add(size)?;
            if addr >= va && addr < end && addr.checked_add(len)? <= end {
                let start = off.checked_add(addr - va)?;
                return crate::util::slice_at(self.bytes, start, len);
            }
        }
        None
    }
}

/// The two strings of the blob, undecoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawBuildInfo {
    pub(crate) version: String,
    pub(crate) modinfo: String,
    pub(crate) pointer_format: bool,
}

/// Finds and decodes the blob in `region` (whose first byte sits at virtual address `addr`).
pub(crate) fn find_blob(addr: u64, region: &[u8], va: &dyn VaReader) -> Option<RawBuildInfo> {
    // Go only looks at 16-byte aligned addresses.
    let skip = usize::try_from((16 - addr % 16) % 16).ok()?;
    let mut i = skip;
    while i + 32 <= region.len() {
        // Cheap pre-check on the first byte before comparing the whole magic.
        if region[i] == 0xff
            && region[i..].starts_with(MAGIC)
            && let Some(info) = decode_blob(&region[i..], va)
        {
            return Some(info);
        }
        i += 16;
    }
    None
}

fn decode_blob(blob: &[u8], va: &dyn VaReader) -> Option<RawBuildInfo> {
    let ptr_size = *blob.get(14)?;
    let flags = *blob.get(15)?;
    let (version, modinfo, pointer_format) = if flags & 0x2 != 0 {
        let (version, rest) = read_uvarint_string(blob.get(32..)?)?;
        let (modinfo, _) = read_uvarint_string(rest)?;
        (version.to_vec(), modinfo.to_vec(), false)
    } else {
        let endian = if flags & 0x1 != 0 {
            Endian::Big
        } else {
            Endian::Little
        };
        let read_ptr = |off: usize| -> Option<u64> {
            match ptr_size {
                4 => u32_at(blob, off, endian).map(u64::from),
                8 => u64_at(blob, off, endian),
                _ => None,
            }
        };
        let vers_ptr = read_ptr(16)?;
        let mod_ptr = read_ptr(16 + usize::from(ptr_size))?;
        let version = read_go_string(va, vers_ptr, ptr_size, endian)?;
        let modinfo = read_go_string(va, mod_ptr, ptr_size, endian).unwrap_or_default();
        (version, modinfo, true)
    };
    if version.is_empty() {
        return None;
    }
    Some(RawBuildInfo {
        version: String::from_utf8_lossy(&version).into_owned(),
        modinfo: strip_sentinels(&modinfo),
        pointer_format,
    })
}

/// Reads a Go string header `{data, len}` at `addr` and then the string it points to.
fn read_go_string(va: &dyn VaReader, addr: u64, ptr_size: u8, e: Endian) -> Option<Vec<u8>> {
    let hdr = va.read(addr, u64::from(ptr_size) * 2)?;
    let (data, len) = match ptr_size {
        4 => (u64::from(u32_at(hdr, 0, e)?), u64::from(u32_at(hdr, 4, e)?)),
        _ => (u64_at(hdr, 0, e)?, u64_at(hdr, 8, e)?),
    };
    if len > MAX_STRING {
        return None;
    }
    va.read(data, len).map(<[u8]>::to_vec)
}

/// A uvarint-length-prefixed string and the bytes after it.
fn read_uvarint_string(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, n) = uvarint(b)?;
    if len == 0 || len > MAX_STRING {
        // Go treats a zero length as "not a Go executable" for the version; an empty modinfo is
        // fine and handled by the caller reading `unwrap_or_default` semantics below.
        if len == 0 {
            return Some((&[], b.get(n..)?));
        }
        return None;
    }
    let len = usize::try_from(len).ok()?;
    let end = n.checked_add(len)?;
    Some((b.get(n..end)?, b.get(end..)?))
}

/// LEB128 unsigned varint, at most 10 bytes, as Go's `binary.Uvarint`.
pub(crate) fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    let mut shift = 0u32;
    for (i, &byte) in b.iter().enumerate().take(10) {
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return None;
            }
            return Some((x | (u64::from(byte) << shift), i + 1));
        }
        x |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    None
}

/// Applies Go's `readRawBuildInfo` rule: keep the text between the sentinels only when the
/// framing looks right, else there is no module info.
fn strip_sentinels(m: &[u8]) -> String {
    if m.len() >= 33 && m[m.len() - 17] == b'\n' {
        String::from_utf8_lossy(&m[16..m.len() - 16]).into_owned()
    } else {
        String::new()
    }
}

/// Finds `INFO_START ... INFO_END` anywhere in `bytes` (used for wasm data segments).
pub(crate) fn scan_modinfo(bytes: &[u8]) -> Option<String> {
    let start = find(bytes, &INFO_START)?;
    let body = bytes.get(start + 16..)?;
    let end = find(&body[..body.len().min(MAX_STRING as usize)], &INFO_END)?;
    Some(String::from_utf8_lossy(&body[..end]).into_owned())
}

/// The Go build ID in the first 4 KiB of `bytes` (the start of a text section). The linker puts
/// it in the first text symbol, but alignment padding may come before it.
pub(crate) fn build_id_near(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let at = find(head, BUILD_ID_PREFIX)?;
    build_id_at(bytes.get(at..)?)
}

/// The Go build ID near the start of the text of a non-ELF binary, which begins at file offset
/// `text`.
pub(crate) fn build_id_in_text(bytes: &[u8], text: u64) -> Option<String> {
    build_id_near(bytes.get(usize::try_from(text).ok()?..)?)
}

/// The Go build ID that follows [`BUILD_ID_PREFIX`] at the start of `bytes`, if any.
pub(crate) fn build_id_at(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(BUILD_ID_PREFIX)?;
    let rest = &rest[..rest.len().min(512)];
    let end = rest.iter().position(|&b| b == b'"')?;
    std::str::from_utf8(&rest[..end]).ok().map(str::to_owned)
}

/// Parsed module information.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModInfo {
    pub(crate) path: Option<String>,
    pub(crate) main: Option<GoModule>,
    pub(crate) deps: Vec<GoModule>,
    pub(crate) settings: GoSettings,
}

/// Parses the modinfo text (`path`, `mod`, `dep`, `=>`, `build` lines), ignoring unknown lines as
/// Go's `ParseBuildInfo` does for forward compatibility. Malformed lines are skipped.
pub(crate) fn parse_modinfo(text: &str) -> ModInfo {
    let mut info = ModInfo::default();
    // Which module a `=>` line replaces: None, the main module, or the last dep.
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    for line in text.lines() {
        let Some((kind, rest)) = line.split_once('\t') else {
            continue;
        };
        match kind {
            "path" => {
                info.path = Some(rest.to_owned());
                last = Last::None;
            }
            "mod" | "dep" => {
                let Some(m) = parse_module(rest) else {
                    last = Last::None;
                    continue;
                };
                if kind == "mod" {
                    info.main = Some(m);
                    last = Last::Main;
                } else if info.deps.len() < MAX_DEPS {
                    info.deps.push(m);
                    last = Last::Dep;
                } else {
                    last = Last::None;
                }
            }
            "=>" => {
                let Some(m) = parse_module(rest) else {
                    continue;
                };
                let target = match last {
                    Last::Main => info.main.as_mut(),
                    Last::Dep => info.deps.last_mut(),
                    Last::None => None,
                };
                if let Some(t) = target {
                    t.replace = Some(Box::new(m));
                }
                last = Last::None;
            }
            "build" => {
                if info.settings.0.len() < MAX_SETTINGS
                    && let Some((k, v)) = parse_setting(rest)
                {
                    info.settings.0.push((k, v));
                }
                last = Last::None;
            }
            _ => {}
        }
    }
    info
}

fn parse_module(rest: &str) -> Option<GoModule> {
    let cols: Vec<&str> = rest.split('\t').collect();
    if cols.len() < 2 || cols.len() > 3 || cols[0].is_empty() {
        return None;
    }
    Some(GoModule {
        path: cols[0].to_owned(),
        version: cols[1].to_owned(),
        sum: cols.get(2).map(|s| (*s).to_owned()).unwrap_or_default(),
        replace: None,
    })
}

/// `key=value`, where either side may be a Go-quoted string.
fn parse_setting(rest: &str) -> Option<(String, String)> {
    let (key, after) = if rest.starts_with('"') || rest.starts_with('`') {
        let (k, used) = unquote_prefix(rest)?;
        (k, rest.get(used..)?.strip_prefix('=')?)
    } else {
        let (k, v) = rest.split_once('=')?;
        (k.to_owned(), v)
    };
    if key.is_empty() {
        return None;
    }
    let value = if after.starts_with('"') || after.starts_with('`') {
        let (v, used) = unquote_prefix(after)?;
        if used != after.len() {
            return None;
        }
        v
    } else {
        after.to_owned()
    };
    Some((key, value))
}

/// Decodes a Go string literal at the start of `s`; returns the value and the bytes consumed.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if q == '`' {
        let end = s.get(1..)?.find('`')? + 1;
        return Some((s.get(1..end)?.to_owned(), end + 1));
    }
    let mut out = String::new();
    let mut bytes_out: Vec<u8> = Vec::new();
    let flush = |out: &mut String, bytes_out: &mut Vec<u8>| {
        if !bytes_out.is_empty() {
            out.push_str(&String::from_utf8_lossy(bytes_out));
            bytes_out.clear();
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                flush(&mut out, &mut bytes_out);
                return Some((out, i + 1));
            }
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => bytes_out.push(b'\n'),
                    't' => bytes_out.push(b'\t'),
                    'r' => bytes_out.push(b'\r'),
                    'a' => bytes_out.push(0x07),
                    'b' => bytes_out.push(0x08),
                    'f' => bytes_out.push(0x0c),
                    'v' => bytes_out.push(0x0b),
                    '\\' => bytes_out.push(b'\\'),
                    '"' => bytes_out.push(b'"'),
                    '\'' => bytes_out.push(b'\''),
                    'x' => {
                        let h: String = (0..2)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        bytes_out.push(u8::from_str_radix(&h, 16).ok()?);
                    }
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 8 };
                        let h: String = (0..n)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        let cp = u32::from_str_radix(&h, 16).ok()?;
                        flush(&mut out, &mut bytes_out);
                        out.push(char::from_u32(cp)?);
                    }
                    '0'..='7' => {
                        let mut h = String::from(e);
                        for _ in 0..2 {
                            h.push(chars.next()?.1);
                        }
                        bytes_out.push(u8::from_str_radix(&h, 8).ok()?);
                    }
                    _ => return None,
                }
            }
            other => {
                flush(&mut out, &mut bytes_out);
                out.push(other);
            }
        }
    }
    None
}

/// Turns a decoded blob into the report's Go facts.
pub(crate) fn go_info(raw: RawBuildInfo, build_id: Option<String>) -> GoInfo {
    let m = parse_modinfo(&raw.modinfo);
    GoInfo {
        version: Some(raw.version),
        path: m.path,
        main: m.main,
        deps: m.deps,
        settings: m.settings,
        build_id,
        source: if raw.pointer_format {
            GoInfoSource::BuildinfoPointers
        } else {
            GoInfoSource::Buildinfo
        },
    }
}

/// The report's Go facts, whichever way a format parser found them: from the build-info blob
/// when there is one, else by heuristics when a build ID or another Go marker (`marker`, a
/// pclntab section) shows that Go built the file; `None` for a non-Go binary.
pub(crate) fn go_facts(
    bytes: &[u8],
    raw: Option<RawBuildInfo>,
    build_id: Option<String>,
    marker: bool,
) -> Option<GoInfo> {
    match raw {
        Some(raw) => Some(go_info(raw, build_id)),
        None if build_id.is_some() || marker => Some(heuristic_go(bytes, build_id)),
        None => None,
    }
}

/// Go facts for a Go binary whose build info is gone (garble, hand-stripped, very old Go).
fn heuristic_go(bytes: &[u8], build_id: Option<String>) -> GoInfo {
    GoInfo {
        version: scan_runtime_version(bytes),
        path: None,
        main: None,
        deps: Vec::new(),
        settings: GoSettings::default(),
        build_id,
        source: GoInfoSource::Heuristic,
    }
}

/// Recovers the toolchain version of a Go binary without build info from the
/// `runtime.buildVersion` string in its read-only data.
///
/// Go strings are not NUL-terminated, so a candidate `go1.N[.P]` is cut at the first character
/// that cannot belong to a version; the most frequent full candidate wins.
pub(crate) fn scan_runtime_version(bytes: &[u8]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    // memmem's SIMD search skips the bytes that cannot start a match; a hostile file full of
    // "go1." still stops after a bounded number of candidates.
    for at in memchr::memmem::find_iter(bytes, b"go1.").take(100_000) {
        let Some(v) = version_candidate(&bytes[at..]) else {
            continue;
        };
        if let Some((_, n)) = counts.iter_mut().find(|(s, _)| *s == v) {
            *n += 1;
        } else if counts.len() < MAX_VERSION_CANDIDATES {
            // A real binary holds a handful of distinct versions; capping the list keeps the
            // lookup above from going quadratic on crafted input.
            counts.push((v, 1));
        }
    }
    // Prefer three-component versions (a release), then frequency, then length.
    counts
        .into_iter()
        .max_by_key(|(s, n)| (s.matches('.').count() >= 2, *n, s.len()))
        .map(|(s, _)| s)
}

fn version_candidate(b: &[u8]) -> Option<String> {
    // go1.<minor>[.<patch>][rcN|betaN]
    let mut end = 4;
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let minor = digits(end);
    if minor == 0 || minor > 3 {
        return None;
    }
    end += minor;
    if b.get(end) == Some(&b'.') {
        let patch = digits(end + 1);
        if patch > 0 && patch <= 3 {
            end += 1 + patch;
        }
    } else {
        for tag in [&b"rc"[..], &b"beta"[..]] {
            if b[end..].starts_with(tag) {
                let n = digits(end + tag.len());
                if n > 0 && n <= 2 {
                    end += tag.len() + n;
                }
                break;
            }
        }
    }
    std::str::from_utf8(&b[..end]).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoVa;
    impl VaReader for NoVa {
        fn read(&self, _: u64, _: u64) -> Option<&[u8]> {
            None
        }
    }

    fn framed(text: &str) -> Vec<u8> {
        let mut m = INFO_START.to_vec();
        m.extend_from_slice(text.as_bytes());
        m.extend_from_slice(&INFO_END);
        m
    }

    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.extend_from_slice(&[0; 16]);
        b.push(version.len() as u8);
        b.extend_from_slice(version.as_bytes());
        let mut n = modinfo.len();
        while n >= 0x80 {
            b.push((n as u8) | 0x80);
            n >>= 7;
        }
        b.push(n as u8);
        b.extend_from_slice(modinfo);
        while !b.len().is_multiple_of(16) {
            b.push(0);
        }
        b
    }

    const TEXT: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n\
        dep\texample.com/greet\tv0.0.0\t\n=>\t./greet\t(devel)\t\n\
        dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n\
        build\t-compiler=gc\nbuild\t-ldflags=\"-s -w -X main.v=1\"\n\
        build\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\nbuild\tGOAMD64=v3\n\
        build\t\"odd key\"=x\nfuture\tline ignored\n";

    #[test]
    fn decodes_inline_blob_at_aligned_offset() {
        let mut region = vec![0u8; 48];
        // A misaligned decoy must be ignored.
        region[3..17].copy_from_slice(MAGIC);
        region.extend(inline_blob("go1.26.1", &framed(TEXT)));
        let raw = find_blob(0x1000, &region, &NoVa);
        let raw = raw.as_ref();
        assert_eq!(raw.map(|r| r.version.as_str()), Some("go1.26.1"));
        assert_eq!(raw.map(|r| r.modinfo.as_str()), Some(TEXT));
        assert_eq!(raw.map(|r| r.pointer_format), Some(false));
    }

    #[test]
    fn alignment_follows_the_virtual_address() {
        let mut region = vec![0u8; 8];
        region.extend(inline_blob("go1.22.0", b""));
        // Region starts at 0x...8, so offset 8 is address 0x...10: aligned.
        let raw = find_blob(0x2008, &region, &NoVa);
        assert_eq!(raw.map(|r| r.version), Some("go1.22.0".to_owned()));
        // At address 0x2000 the same offset is misaligned.
        assert!(find_blob(0x2000, &region, &NoVa).is_none());
    }

    #[test]
    fn missing_sentinel_framing_means_no_modinfo() {
        let raw = find_blob(0, &inline_blob("go1.21.0", b"junk-without-framing"), &NoVa);
        assert_eq!(raw.map(|r| r.modinfo), Some(String::new()));
    }

    #[test]
    fn decodes_pointer_format_through_va_reader() {
        // 32-bit big-endian target (e.g. Go 1.16 linux/mips).
        let mut file = MAGIC.to_vec();
        file.push(4);
        file.push(1);
        file.extend_from_slice(&0x100u32.to_be_bytes());
        file.extend_from_slice(&0x108u32.to_be_bytes());
        file.extend_from_slice(&[0; 8]);
        file.resize(0x100, 0);
        // string headers
        file.extend_from_slice(&0x120u32.to_be_bytes());
        file.extend_from_slice(&7u32.to_be_bytes());
        let mi = framed("path\tx.org/y\nbuild\tGOOS=linux\n");
        file.extend_from_slice(&0x130u32.to_be_bytes());
        file.extend_from_slice(&(mi.len() as u32).to_be_bytes());
        file.resize(0x120, 0);
        file.extend_from_slice(b"go1.16\0");
        file.resize(0x130, 0);
        file.extend_from_slice(&mi);
        let segs = Segments {
            bytes: &file,
            maps: vec![(0, 0, file.len() as u64)],
        };
        let raw = find_blob(0, &file, &segs);
        let info = raw.map(|r| go_info(r, None));
        let info = info.as_ref();
        assert_eq!(info.and_then(|i| i.version.as_deref()), Some("go1.16\0"));
        assert_eq!(info.and_then(|i| i.path.as_deref()), Some("x.org/y"));
        assert_eq!(
            info.map(|i| i.source),
            Some(GoInfoSource::BuildinfoPointers)
        );
    }

    #[test]
    fn parses_modules_replacements_and_quoted_settings() {
        let m = parse_modinfo(TEXT);
        assert_eq!(m.path.as_deref(), Some("example.com/hello"));
        assert_eq!(m.main.as_ref().map(|x| x.version.as_str()), Some("(devel)"));
        assert_eq!(m.deps.len(), 2);
        assert_eq!(
            m.deps[0].replace.as_ref().map(|r| r.path.as_str()),
            Some("./greet")
        );
        assert_eq!(m.deps[1].sum, "h1:abc=");
        assert!(m.deps[1].replace.is_none());
        assert_eq!(m.settings.get("-ldflags"), Some("-s -w -X main.v=1"));
        assert_eq!(m.settings.get("GOAMD64"), Some("v3"));
        assert_eq!(m.settings.get("odd key"), Some("x"));
        assert_eq!(m.settings.0.len(), 7);
    }

    #[test]
    fn unquote_handles_escapes() {
        assert_eq!(
            unquote_prefix(r#""a\tb\x41\u00e9\"q"rest"#),
            Some(("a\tbAé\"q".to_owned(), 19))
        );
        assert_eq!(unquote_prefix("`raw`=1"), Some(("raw".to_owned(), 5)));
        assert_eq!(unquote_prefix("\"unterminated"), None);
    }

    #[test]
    fn uvarint_matches_go() {
        assert_eq!(uvarint(&[0xb2, 0x01]), Some((178, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[0xff; 11]), None);
    }

    #[test]
    fn runtime_version_scan_prefers_full_versions() {
        let data = b"xxgo1.26.8goexitgo1.26.8\x00go1.21 go1.go1.2x";
        assert_eq!(scan_runtime_version(data).as_deref(), Some("go1.26.8"));
        assert_eq!(scan_runtime_version(b"nothing here"), None);
    }

    #[test]
    fn modinfo_scan_and_build_id() {
        let mut data = b"garbage".to_vec();
        data.extend(framed("path\tp\n"));
        assert_eq!(scan_modinfo(&data).as_deref(), Some("path\tp\n"));
        assert_eq!(
            build_id_at(b"\xff Go build ID: \"abc/def\"\n \xff").as_deref(),
            Some("abc/def")
        );
    }
}
