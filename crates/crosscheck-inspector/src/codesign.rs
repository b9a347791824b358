//! Apple code signatures: the embedded SuperBlob that `LC_CODE_SIGNATURE` points to, checked
//! against the bytes of the image (one thin Mach-O, or one slice of a fat file).
//!
//! The SuperBlob is an index of blobs: CodeDirectories (slot 0, and alternates in slots
//! `0x1000..0x1005`, since codesign and rcodesign write a SHA-1 directory plus a SHA-256 one),
//! the requirements, the entitlements (XML and DER), launch constraints, and a CMS wrapper
//! (slot `0x10000`) that is empty for ad-hoc signatures. The best CodeDirectory (strongest hash,
//! as the kernel chooses) holds one hash per page of the image up to its code limit, and
//! "special slots" before those that hash the other blobs. [`verify`] recomputes every page
//! hash and every special slot whose blob lives in the signature; slots that hash files outside
//! the binary (Info.plist, the resources directory) cannot be checked from the binary alone and
//! are skipped. A `macho-cms` signature's CMS blob is a detached signature over the primary
//! CodeDirectory (slot 0): it is checked with the same CMS code as Authenticode ([`crate::cms`]),
//! which also gives the signer's certificate facts.
//!
//! Every offset and count comes from a possibly hostile file: each is checked against the blob
//! that holds it before use, nothing is allocated in proportion to a count, and the work is
//! bounded by the file's size.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384};

use crate::cms::{Failure, SignedMessage};
use crate::util::{slice_at, u32_at, u64_at};
use crosscheck_schema::report::{AppleSignature, CodeSignature, Endian, SignatureProblem};

const CSMAGIC_EMBEDDED_SIGNATURE: u32 = 0xfade_0cc0;
const CSMAGIC_CODEDIRECTORY: u32 = 0xfade_0c02;
const CSMAGIC_BLOBWRAPPER: u32 = 0xfade_0b01;
const CSSLOT_CODEDIRECTORY: u32 = 0;
const CSSLOT_ALTERNATE_CODEDIRECTORIES: std::ops::Range<u32> = 0x1000..0x1005;
const CSSLOT_SIGNATURESLOT: u32 = 0x1_0000;

const CS_ADHOC: u32 = 0x2;
const CS_RUNTIME: u32 = 0x1_0000;
const CS_LINKER_SIGNED: u32 = 0x2_0000;

/// The oldest CodeDirectory the kernel accepts, and the versions that added fields.
const CD_EARLIEST_VERSION: u32 = 0x2_0001;
const CD_SCATTER_VERSION: u32 = 0x2_0100;
const CD_TEAM_VERSION: u32 = 0x2_0200;
const CD_CODE_LIMIT_64_VERSION: u32 = 0x2_0300;
const CD_EXEC_SEGMENT_VERSION: u32 = 0x2_0400;

/// A real signature has a handful of blobs; more than this is a crafted index.
const MAX_BLOBS: u32 = 256;
/// Identifiers and team ids are short reverse-DNS names.
const MAX_NAME: usize = 1024;

/// Special slots whose blob sits inside the signature, so their hash can be checked.
const CHECKED_SPECIAL_SLOTS: &[(u32, &str)] = &[
    (2, "requirements"),
    (5, "entitlements"),
    (7, "DER entitlements"),
    (8, "launch constraints (self)"),
    (9, "launch constraints (parent)"),
    (10, "launch constraints (responsible)"),
    (11, "library constraints"),
];

const BE: Endian = Endian::Big;

fn malformed(detail: impl Into<String>) -> Failure {
    Failure::malformed(detail)
}

fn mismatch(detail: impl Into<String>) -> Failure {
    Failure {
        problem: SignatureProblem::DigestMismatch,
        detail: detail.into(),
    }
}

/// The hash functions a CodeDirectory may use (`cs_blobs.h`'s `CS_HASHTYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HashKind {
    Sha1,
    Sha256,
    /// SHA-256 cut to its first 20 bytes.
    Sha256Truncated,
    Sha384,
}

impl HashKind {
    fn from_type(t: u8) -> Option<HashKind> {
        Some(match t {
            1 => HashKind::Sha1,
            2 => HashKind::Sha256,
            3 => HashKind::Sha256Truncated,
            4 => HashKind::Sha384,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            HashKind::Sha1 | HashKind::Sha256Truncated => 20,
            HashKind::Sha256 => 32,
            HashKind::Sha384 => 48,
        }
    }

    fn name(self) -> &'static str {
        match self {
            HashKind::Sha1 => "sha1",
            HashKind::Sha256 => "sha256",
            HashKind::Sha256Truncated => "sha256-truncated",
            HashKind::Sha384 => "sha384",
        }
    }

    /// The kernel's preference when several CodeDirectories are present (higher wins).
    fn rank(self) -> u8 {
        match self {
            HashKind::Sha1 => 1,
            HashKind::Sha256Truncated => 2,
            HashKind::Sha256 => 3,
            HashKind::Sha384 => 4,
        }
    }

    /// Whether `data` hashes to `want` (which is [`HashKind::size`] bytes long).
    fn matches(self, data: &[u8], want: &[u8]) -> bool {
        match self {
            HashKind::Sha1 => Sha1::digest(data).as_slice() == want,
            HashKind::Sha256 => Sha256::digest(data).as_slice() == want,
            HashKind::Sha256Truncated => Sha256::digest(data).get(..20) == Some(want),
            HashKind::Sha384 => Sha384::digest(data).as_slice() == want,
        }
    }
}

/// One blob of the SuperBlob: its slot type and its bytes (header included).
struct Blob<'a> {
    slot: u32,
    bytes: &'a [u8],
}

/// The index of the SuperBlob, each entry bounds-checked against the SuperBlob's length.
fn parse_superblob(sig: &[u8]) -> Result<Vec<Blob<'_>>, Failure> {
    let magic = u32_at(sig, 0, BE).ok_or_else(|| malformed("the signature is cut off"))?;
    if magic != CSMAGIC_EMBEDDED_SIGNATURE {
        return Err(malformed(format!(
            "the signature starts with {magic:#010x}, not the embedded-signature magic 0xfade0cc0"
        )));
    }
    let (Some(length), Some(count)) = (u32_at(sig, 4, BE), u32_at(sig, 8, BE)) else {
        return Err(malformed("the SuperBlob header is cut off"));
    };
    let sig = sig.get(..length as usize).ok_or_else(|| {
        malformed(format!(
            "the SuperBlob says it is {length} bytes but the signature holds {}",
            sig.len()
        ))
    })?;
    if count > MAX_BLOBS || 12 + u64::from(count) * 8 > u64::from(length) {
        return Err(malformed(format!(
            "the SuperBlob index claims {count} blobs, more than its {length} bytes hold"
        )));
    }
    let mut blobs = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        let (Some(slot), Some(offset)) = (u32_at(sig, 12 + i * 8, BE), u32_at(sig, 16 + i * 8, BE))
        else {
            return Err(malformed(format!("SuperBlob index entry {i} is cut off")));
        };
        let blob_len = u32_at(sig, offset as usize + 4, BE).unwrap_or(0);
        let bytes = slice_at(sig, u64::from(offset), u64::from(blob_len))
            .filter(|_| blob_len >= 8)
            .ok_or_else(|| {
                malformed(format!(
                    "blob {i} (slot {slot:#x}) at offset {offset} runs past the SuperBlob's \
                     {length} bytes"
                ))
            })?;
        blobs.push(Blob { slot, bytes });
    }
    Ok(blobs)
}

/// The facts of one CodeDirectory, every offset already checked against its blob.
struct CodeDirectory<'a> {
    bytes: &'a [u8],
    version: u32,
    flags: u32,
    hash: HashKind,
    hash_offset: usize,
    special_slots: u32,
    code_slots: u32,
    code_limit: u64,
    page_shift: u8,
    identifier: String,
    team_id: Option<String>,
}

impl CodeDirectory<'_> {
    /// The hash stored for code page `page` (0-based).
    fn code_hash(&self, page: usize) -> Option<&[u8]> {
        let size = self.hash.size();
        let at = self.hash_offset.checked_add(page.checked_mul(size)?)?;
        self.bytes.get(at..at.checked_add(size)?)
    }

    /// The hash stored for special slot `slot` (1-based, stored backwards before the code
    /// hashes).
    fn special_hash(&self, slot: u32) -> Option<&[u8]> {
        let size = self.hash.size();
        let at = self
            .hash_offset
            .checked_sub((slot as usize).checked_mul(size)?)?;
        self.bytes.get(at..at.checked_add(size)?)
    }

    /// Bytes covered by one page hash; 0 means a single hash covers everything.
    fn page_size(&self) -> u64 {
        if self.page_shift == 0 {
            0
        } else {
            1u64 << self.page_shift
        }
    }
}

/// The minimum header length a CodeDirectory of `version` needs.
fn header_len(version: u32) -> usize {
    match version {
        v if v >= CD_EXEC_SEGMENT_VERSION => 88,
        v if v >= CD_CODE_LIMIT_64_VERSION => 64,
        v if v >= CD_TEAM_VERSION => 52,
        v if v >= CD_SCATTER_VERSION => 48,
        _ => 44,
    }
}

/// A NUL-terminated name at `offset` inside the CodeDirectory.
fn name_at(cd: &[u8], offset: u32, what: &str) -> Result<String, Failure> {
    let rest = cd
        .get(offset as usize..)
        .filter(|_| offset != 0)
        .ok_or_else(|| {
            malformed(format!(
                "the {what} offset {offset} lies outside the CodeDirectory"
            ))
        })?;
    let rest = &rest[..rest.len().min(MAX_NAME)];
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| malformed(format!("the {what} is not NUL-terminated")))?;
    Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Parses a CodeDirectory blob and checks that its hash table lies inside it.
fn parse_code_directory(cd: &[u8]) -> Result<CodeDirectory<'_>, Failure> {
    let word = |at: usize| u32_at(cd, at, BE).unwrap_or(0);
    let version = word(8);
    if u32_at(cd, 0, BE) != Some(CSMAGIC_CODEDIRECTORY) {
        return Err(malformed("a CodeDirectory slot holds another kind of blob"));
    }
    if version < CD_EARLIEST_VERSION {
        return Err(malformed(format!(
            "CodeDirectory version {version:#x} is older than the oldest one macOS accepts (0x20001)"
        )));
    }
    if cd.len() < header_len(version) {
        return Err(malformed(format!(
            "the CodeDirectory (version {version:#x}) is cut off at {} bytes",
            cd.len()
        )));
    }
    let hash_type = cd[37];
    let hash = HashKind::from_type(hash_type).ok_or_else(|| Failure {
        problem: SignatureProblem::UnsupportedAlgorithm,
        detail: format!("the CodeDirectory uses hash type {hash_type}, which is not known"),
    })?;
    if usize::from(cd[36]) != hash.size() {
        return Err(malformed(format!(
            "the CodeDirectory's hash size {} does not fit {}",
            cd[36],
            hash.name()
        )));
    }
    if version >= CD_SCATTER_VERSION && word(44) != 0 {
        return Err(Failure {
            problem: SignatureProblem::UnsupportedAlgorithm,
            detail: "the CodeDirectory uses a scatter vector, which is not supported".to_owned(),
        });
    }
    let code_limit_64 = if version >= CD_CODE_LIMIT_64_VERSION {
        u64_at(cd, 56, BE).unwrap_or(0)
    } else {
        0
    };
    let team_offset = if version >= CD_TEAM_VERSION {
        word(48)
    } else {
        0
    };
    let dir = CodeDirectory {
        bytes: cd,
        version,
        flags: word(12),
        hash,
        hash_offset: word(16) as usize,
        special_slots: word(24),
        code_slots: word(28),
        code_limit: if code_limit_64 != 0 {
            code_limit_64
        } else {
            u64::from(word(32))
        },
        page_shift: cd[39],
        identifier: name_at(cd, word(20), "identifier")?,
        team_id: match team_offset {
            0 => None,
            off => Some(name_at(cd, off, "team id")?),
        },
    };
    check_hash_table(&dir)?;
    Ok(dir)
}

/// The special and code hashes must lie inside the CodeDirectory, and there must be exactly
/// one code hash per page up to the code limit.
fn check_hash_table(cd: &CodeDirectory<'_>) -> Result<(), Failure> {
    let size = cd.hash.size() as u64;
    let start = cd.hash_offset as u64;
    let special = u64::from(cd.special_slots) * size;
    let end = start + u64::from(cd.code_slots) * size;
    if special > start || end > cd.bytes.len() as u64 {
        return Err(malformed(format!(
            "the CodeDirectory's {} special and {} code hashes at offset {start} do not fit in \
             its {} bytes",
            cd.special_slots,
            cd.code_slots,
            cd.bytes.len()
        )));
    }
    if cd.page_shift > 30 {
        return Err(malformed(format!(
            "the CodeDirectory's page size 2^{} is implausible",
            cd.page_shift
        )));
    }
    let pages = match cd.page_size() {
        0 => u64::from(cd.code_limit > 0),
        page => cd.code_limit.div_ceil(page),
    };
    if pages != u64::from(cd.code_slots) {
        return Err(malformed(format!(
            "the CodeDirectory has {} page hashes but its code limit {:#x} needs {pages}",
            cd.code_slots, cd.code_limit
        )));
    }
    Ok(())
}

/// Every CodeDirectory of the signature parsed; the one with the strongest hash is returned.
fn best_code_directory<'a>(blobs: &[Blob<'a>]) -> Result<CodeDirectory<'a>, Failure> {
    let mut best: Option<CodeDirectory<'a>> = None;
    let mut unsupported: Option<Failure> = None;
    for blob in blobs {
        if blob.slot != CSSLOT_CODEDIRECTORY
            && !CSSLOT_ALTERNATE_CODEDIRECTORIES.contains(&blob.slot)
        {
            continue;
        }
        match parse_code_directory(blob.bytes) {
            Ok(cd) => {
                if best.as_ref().is_none_or(|b| cd.hash.rank() > b.hash.rank()) {
                    best = Some(cd);
                }
            }
            // An alternate in an unknown hash is skipped while a known one remains.
            Err(f) if f.problem == SignatureProblem::UnsupportedAlgorithm => unsupported = Some(f),
            Err(f) => return Err(f),
        }
    }
    best.ok_or_else(|| {
        unsupported.unwrap_or_else(|| malformed("the signature has no CodeDirectory"))
    })
}

/// Checks the special slots whose blobs live in the signature.
fn verify_special_slots(cd: &CodeDirectory<'_>, blobs: &[Blob<'_>]) -> Result<(), Failure> {
    for &(slot, what) in CHECKED_SPECIAL_SLOTS {
        let blob = blobs.iter().find(|b| b.slot == slot);
        let stored = (slot <= cd.special_slots)
            .then(|| cd.special_hash(slot))
            .flatten();
        match (blob, stored) {
            (Some(blob), Some(want)) if !cd.hash.matches(blob.bytes, want) => {
                return Err(mismatch(format!(
                    "the {what} blob does not match its {} hash (special slot -{slot})",
                    cd.hash.name()
                )));
            }
            (Some(_), None) => {
                return Err(mismatch(format!(
                    "the {what} blob is not covered by the CodeDirectory (it has {} special slots)",
                    cd.special_slots
                )));
            }
            (None, Some(want)) if want.iter().any(|&b| b != 0) => {
                return Err(mismatch(format!(
                    "the CodeDirectory hashes a {what} blob (special slot -{slot}) that is missing"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Recomputes the page hashes of `image` up to the code limit. On a mismatch, returns the
/// index of the first page that differs with the failure.
fn verify_pages(image: &[u8], cd: &CodeDirectory<'_>) -> Result<(), (u64, Failure)> {
    let code = slice_at(image, 0, cd.code_limit).ok_or_else(|| {
        (
            0,
            malformed(format!(
                "the code limit {:#x} lies beyond the end of the image ({:#x} bytes)",
                cd.code_limit,
                image.len()
            )),
        )
    })?;
    let page = usize::try_from(cd.page_size())
        .ok()
        .filter(|&p| p != 0)
        .unwrap_or(code.len().max(1));
    for (i, chunk) in code.chunks(page).enumerate() {
        let want = cd.code_hash(i).unwrap_or_default();
        if !cd.hash.matches(chunk, want) {
            let start = i * page;
            let detail = format!(
                "page {i} of {} (bytes {start:#x}..{:#x}) does not match its {} hash",
                cd.code_slots,
                start + chunk.len(),
                cd.hash.name()
            );
            return Err((i as u64, mismatch(detail)));
        }
    }
    Ok(())
}

/// The facts reported for a parsed CodeDirectory.
fn apple_facts(cd: &CodeDirectory<'_>) -> AppleSignature {
    AppleSignature {
        identifier: cd.identifier.clone(),
        team_id: cd.team_id.clone(),
        version: format!("{:#x}", cd.version),
        flags: format!("{:#x}", cd.flags),
        adhoc: cd.flags & CS_ADHOC != 0,
        hardened_runtime: cd.flags & CS_RUNTIME != 0,
        linker_signed: cd.flags & CS_LINKER_SIGNED != 0,
        page_size: cd.page_size(),
        code_limit: cd.code_limit,
        pages: u64::from(cd.code_slots),
        first_mismatched_page: None,
    }
}

/// `macho-cms` when the CMS wrapper holds a signature, `macho-adhoc` otherwise (ad-hoc signers
/// leave an empty wrapper, header only, or none).
fn kind_of(blobs: &[Blob<'_>]) -> &'static str {
    let cms = blobs.iter().any(|b| {
        b.slot == CSSLOT_SIGNATURESLOT
            && u32_at(b.bytes, 0, BE) == Some(CSMAGIC_BLOBWRAPPER)
            && b.bytes.len() > 8
    });
    if cms { "macho-cms" } else { "macho-adhoc" }
}

/// Verifies the signature at `dataoff`/`datasize` (from `LC_CODE_SIGNATURE`) of the thin
/// image `image`.
pub(crate) fn verify(image: &[u8], dataoff: u32, datasize: u32) -> CodeSignature {
    let mut out = CodeSignature::unchecked("macho-adhoc", u64::from(datasize));
    let Some(sig) = slice_at(image, u64::from(dataoff), u64::from(datasize)) else {
        return failed(
            out,
            malformed(format!(
                "the signature (offset {dataoff:#x}, {datasize} bytes) lies outside the image"
            )),
        );
    };
    let blobs = match parse_superblob(sig) {
        Ok(blobs) => blobs,
        Err(f) => return failed(out, f),
    };
    out.kind = kind_of(&blobs).to_owned();
    let cd = match best_code_directory(&blobs) {
        Ok(cd) => cd,
        Err(f) => return failed(out, f),
    };
    out.digest_algorithm = Some(cd.hash.name().to_owned());
    let mut apple = apple_facts(&cd);
    let outcome = verify_special_slots(&cd, &blobs)
        .map_err(|f| (None, f))
        .and_then(|()| verify_pages(image, &cd).map_err(|(page, f)| (Some(page), f)));
    if let Err((page, f)) = outcome {
        apple.first_mismatched_page =
            page.filter(|_| f.problem == SignatureProblem::DigestMismatch);
        out.apple = Some(apple);
        return failed(out, f);
    }
    out.apple = Some(apple);
    if let Some(wrapper) = cms_wrapper(&blobs)
        && let Err(f) = verify_cms(wrapper, &blobs, &mut out)
    {
        return failed(out, f);
    }
    out.valid = true;
    out
}

/// The CMS wrapper blob's DER, when it holds a signature (ad-hoc signers leave it empty).
fn cms_wrapper<'a>(blobs: &[Blob<'a>]) -> Option<&'a [u8]> {
    blobs
        .iter()
        .find(|b| b.slot == CSSLOT_SIGNATURESLOT)
        .filter(|b| u32_at(b.bytes, 0, BE) == Some(CSMAGIC_BLOBWRAPPER))
        .and_then(|b| b.bytes.get(8..))
        .filter(|der| !der.is_empty())
}

/// Checks the CMS signature of a `macho-cms` signature: a detached signature whose content is
/// the primary CodeDirectory (slot 0), exactly as stored; records the signer and whether a
/// timestamp is attached.
fn verify_cms(der: &[u8], blobs: &[Blob<'_>], out: &mut CodeSignature) -> Result<(), Failure> {
    let message = SignedMessage::from_content_info(der)?;
    let primary = blobs
        .iter()
        .find(|b| b.slot == CSSLOT_CODEDIRECTORY)
        .ok_or_else(|| malformed("a CMS signature without a CodeDirectory in slot 0 to sign"))?;
    let verdict = message.verify(primary.bytes);
    out.signer = verdict.signer;
    out.timestamped = verdict.timestamped;
    verdict.failure.map_or(Ok(()), Err)
}

fn failed(mut out: CodeSignature, f: Failure) -> CodeSignature {
    out.fail(f.problem, f.detail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE_SHIFT: u8 = 12;

    /// A CodeDirectory (version 0x20400) over `code` with `hash_type`, binding `special`
    /// (slot, blob) pairs.
    fn code_directory(code: &[u8], hash_type: u8, special: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let kind = HashKind::from_type(hash_type).unwrap_or(HashKind::Sha256);
        let digest = |d: &[u8]| -> Vec<u8> {
            let full = match kind {
                HashKind::Sha1 => Sha1::digest(d).to_vec(),
                HashKind::Sha384 => Sha384::digest(d).to_vec(),
                _ => Sha256::digest(d).to_vec(),
            };
            full[..kind.size()].to_vec()
        };
        let n_special = special.iter().map(|(s, _)| *s).max().unwrap_or(0);
        let ident = b"com.example.hello\0";
        let hash_offset = 88 + ident.len() + n_special as usize * kind.size();
        let pages: Vec<&[u8]> = code.chunks(1 << PAGE_SHIFT).collect();
        let mut cd = Vec::new();
        for w in [
            CSMAGIC_CODEDIRECTORY,
            0, // length, patched below
            0x20400,
            CS_ADHOC | CS_LINKER_SIGNED,
            hash_offset as u32,
            88,
            n_special,
            pages.len() as u32,
            code.len() as u32,
        ] {
            cd.extend_from_slice(&w.to_be_bytes());
        }
        cd.extend_from_slice(&[kind.size() as u8, hash_type, 0, PAGE_SHIFT]);
        cd.resize(88, 0);
        cd.extend_from_slice(ident);
        for slot in (1..=n_special).rev() {
            match special.iter().find(|(s, _)| *s == slot) {
                Some((_, blob)) => cd.extend(digest(blob)),
                None => cd.extend(vec![0; kind.size()]),
            }
        }
        for page in pages {
            cd.extend(digest(page));
        }
        let len = cd.len() as u32;
        cd[4..8].copy_from_slice(&len.to_be_bytes());
        cd
    }

    fn superblob(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let header = 12 + 8 * blobs.len();
        let total: usize = header + blobs.iter().map(|(_, b)| b.len()).sum::<usize>();
        let mut sb = CSMAGIC_EMBEDDED_SIGNATURE.to_be_bytes().to_vec();
        sb.extend_from_slice(&(total as u32).to_be_bytes());
        sb.extend_from_slice(&(blobs.len() as u32).to_be_bytes());
        let mut at = header;
        for (slot, b) in blobs {
            sb.extend_from_slice(&slot.to_be_bytes());
            sb.extend_from_slice(&(at as u32).to_be_bytes());
            at += b.len();
        }
        for (_, b) in blobs {
            sb.extend_from_slice(b);
        }
        sb
    }

    /// A generic blob with `magic` and some payload.
    fn blob(magic: u32, payload: &[u8]) -> Vec<u8> {
        let mut b = magic.to_be_bytes().to_vec();
        b.extend_from_slice(&(8 + payload.len() as u32).to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    /// Ten and a half pages of code followed by `sig`; returns the image and the signature's
    /// offset and size.
    fn image(code: &[u8], sig: &[u8]) -> (Vec<u8>, u32, u32) {
        let mut img = code.to_vec();
        img.extend_from_slice(sig);
        (img, code.len() as u32, sig.len() as u32)
    }

    fn code() -> Vec<u8> {
        (0..(10 << PAGE_SHIFT) + 2048)
            .map(|i| (i * 7 % 251) as u8)
            .collect()
    }

    fn verify_image(img: &(Vec<u8>, u32, u32)) -> CodeSignature {
        verify(&img.0, img.1, img.2)
    }

    #[test]
    fn a_fresh_signature_verifies() {
        let code = code();
        let sig = superblob(&[(0, code_directory(&code, 2, &[]))]);
        let s = verify_image(&image(&code, &sig));
        assert!(s.valid, "{s:?}");
        assert_eq!(s.kind, "macho-adhoc");
        assert_eq!(s.digest_algorithm.as_deref(), Some("sha256"));
        let a = s.apple.as_ref();
        assert_eq!(a.map(|a| a.pages), Some(11));
        assert_eq!(a.map(|a| a.identifier.as_str()), Some("com.example.hello"));
        assert_eq!(
            a.map(|a| (a.adhoc, a.linker_signed, a.hardened_runtime)),
            Some((true, true, false))
        );
    }

    #[test]
    fn a_changed_byte_names_its_page() {
        let code = code();
        let sig = superblob(&[(0, code_directory(&code, 2, &[]))]);
        let mut img = image(&code, &sig);
        img.0[3 * 4096 + 17] ^= 1;
        let s = verify_image(&img);
        assert!(!s.valid);
        assert_eq!(s.reason, Some(SignatureProblem::DigestMismatch));
        assert_eq!(s.apple.and_then(|a| a.first_mismatched_page), Some(3));
        assert_eq!(
            s.detail.as_deref(),
            Some("page 3 of 11 (bytes 0x3000..0x4000) does not match its sha256 hash")
        );
    }

    #[test]
    fn team_id_and_flags_are_reported() {
        let code = code();
        let mut cd = code_directory(&code, 2, &[]);
        // A Developer ID CodeDirectory: team id after the hashes, hardened runtime, not ad-hoc.
        let team_at = cd.len() as u32;
        cd.extend_from_slice(b"TEAM123456\0");
        let len = cd.len() as u32;
        cd[4..8].copy_from_slice(&len.to_be_bytes());
        cd[12..16].copy_from_slice(&CS_RUNTIME.to_be_bytes());
        cd[48..52].copy_from_slice(&team_at.to_be_bytes());
        let sig = superblob(&[(0, cd)]);
        let s = verify_image(&image(&code, &sig));
        assert!(s.valid, "{s:?}");
        let a = s.apple.as_ref();
        assert_eq!(a.and_then(|a| a.team_id.as_deref()), Some("TEAM123456"));
        assert_eq!(a.map(|a| a.flags.as_str()), Some("0x10000"));
        assert_eq!(
            a.map(|a| (a.adhoc, a.hardened_runtime, a.linker_signed)),
            Some((false, true, false))
        );
    }

    #[test]
    fn the_strongest_code_directory_wins() {
        let code = code();
        // A SHA-1 primary that no longer matches, and a good SHA-384 alternate: the kernel
        // uses the alternate, so the signature holds.
        let mut stale = code.clone();
        stale[0] ^= 1;
        let sig = superblob(&[
            (0, code_directory(&stale, 1, &[])),
            (0x1000, code_directory(&code, 4, &[])),
        ]);
        let s = verify_image(&image(&code, &sig));
        assert!(s.valid, "{s:?}");
        assert_eq!(s.digest_algorithm.as_deref(), Some("sha384"));
        // SHA-1 alone and SHA-256-truncated alone are verified too.
        for (t, name) in [(1, "sha1"), (3, "sha256-truncated")] {
            let sig = superblob(&[(0, code_directory(&code, t, &[]))]);
            let s = verify_image(&image(&code, &sig));
            assert!(s.valid, "{name}: {s:?}");
            assert_eq!(s.digest_algorithm.as_deref(), Some(name));
        }
    }

    #[test]
    fn special_slots_bind_requirements_and_entitlements() {
        let code = code();
        let reqs = blob(0xfade_0c01, &[0, 0, 0, 0]);
        let ents = blob(0xfade_7171, b"<plist/>");
        let cd = code_directory(&code, 2, &[(2, reqs.clone()), (5, ents.clone())]);
        let cms = blob(CSMAGIC_BLOBWRAPPER, b"not really CMS");
        let sig = superblob(&[
            (0, cd.clone()),
            (2, reqs.clone()),
            (5, ents.clone()),
            (0x1_0000, cms),
        ]);
        let s = verify_image(&image(&code, &sig));
        assert_eq!(s.kind, "macho-cms");
        // The hashes match, but the wrapper's bytes are no CMS message.
        assert_eq!(s.reason, Some(SignatureProblem::Malformed), "{s:?}");
        let sig = superblob(&[(0, cd.clone()), (2, reqs.clone()), (5, ents.clone())]);
        let s = verify_image(&image(&code, &sig));
        assert!(s.valid, "{s:?}");
        assert_eq!(s.kind, "macho-adhoc");
        // Other entitlements than the signed ones.
        let other = blob(0xfade_7171, b"<plist>get-task-allow</plist>");
        let sig = superblob(&[(0, cd.clone()), (2, reqs.clone()), (5, other)]);
        let s = verify_image(&image(&code, &sig));
        assert_eq!(s.reason, Some(SignatureProblem::DigestMismatch), "{s:?}");
        assert!(
            s.detail
                .as_deref()
                .is_some_and(|d| d.contains("entitlements"))
        );
        // The signed entitlements removed.
        let sig = superblob(&[(0, cd), (2, reqs)]);
        let s = verify_image(&image(&code, &sig));
        assert!(
            s.detail.as_deref().is_some_and(|d| d.contains("missing")),
            "{s:?}"
        );
    }

    #[test]
    fn broken_structures_are_malformed_not_panics() {
        let code = code();
        let good = superblob(&[(0, code_directory(&code, 2, &[]))]);
        let mut cases: Vec<Vec<u8>> = Vec::new();
        // Cut at every length: header, index, CodeDirectory, hashes.
        for cut in [0, 3, 11, 15, 19, 40, 100, good.len() - 1] {
            let mut b = good[..cut].to_vec();
            // Keep the claimed lengths, so the cut shows.
            b.resize(cut, 0);
            cases.push(b);
        }
        // Absurd counts: blobs, code slots, special slots; a huge hash offset.
        for (at, value) in [
            (8, u32::MAX),
            (20 + 28, u32::MAX),
            (20 + 24, 1 << 30),
            (20 + 16, u32::MAX),
        ] {
            let mut b = good.clone();
            b[at..at + 4].copy_from_slice(&value.to_be_bytes());
            cases.push(b);
        }
        for b in cases {
            let s = verify_image(&image(&code, &b));
            assert!(!s.valid);
            assert_eq!(s.reason, Some(SignatureProblem::Malformed), "{s:?}");
        }
        // An offset past the image.
        let s = verify(&code, u32::MAX, 16);
        assert_eq!(s.reason, Some(SignatureProblem::Malformed));
        // A code limit past the image.
        let sig = superblob(&[(0, code_directory(&code, 2, &[]))]);
        let short = &code[..4096];
        let img = image(short, &sig);
        let s = verify_image(&img);
        assert_eq!(s.reason, Some(SignatureProblem::Malformed), "{s:?}");
        // An unknown hash type.
        let sig = superblob(&[(0, code_directory(&code, 9, &[]))]);
        let s = verify_image(&image(&code, &sig));
        assert_eq!(
            s.reason,
            Some(SignatureProblem::UnsupportedAlgorithm),
            "{s:?}"
        );
    }
}
