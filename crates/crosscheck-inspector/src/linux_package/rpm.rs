//! RPM packages: the lead, the signature header and the main header, read with the `rpm`
//! crate once their sizes and index entries have been checked here against the bytes really
//! present (the crate allocates what the header claims); then the payload, decompressed and
//! walked as cpio, each file hashed and compared with the header's size and SHA-256 digest.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use rpm::{
    CompressionType, Dependency, DependencyFlags, DigestAlgorithm, FileFlags, FileType, IndexTag,
    PackageMetadata,
};

use super::PackageLimits;
use super::cpio::{CpioEntry, walk_newc};
use super::decompress::{Compression, decompressed};
use super::files::{FileList, hash_contents, install_path, packaged};
use crate::error::{Bad, Res};
use crosscheck_schema::{LinuxPackageFacts, LinuxPackageFormat, PackagedFile, PackagedFileKind};

/// The first bytes of every rpm (the lead).
pub(crate) const LEAD_MAGIC: [u8; 4] = [0xed, 0xab, 0xee, 0xdb];
const LEAD_LEN: usize = 96;
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];
/// rpm's own caps (`hdrchk`): 64 Ki index entries, 256 MiB of header data.
const MAX_INDEX_ENTRIES: u32 = 0xffff;
const MAX_HEADER_DATA: u32 = 256 << 20;

pub(crate) fn read(bytes: &[u8], limits: &PackageLimits) -> Res<LinuxPackageFacts> {
    let payload_offset = check_headers(bytes)?;
    let mut input = bytes;
    let metadata = PackageMetadata::parse(&mut input).map_err(rpm_error)?;
    let payload = bytes
        .get(payload_offset..)
        .ok_or_else(|| Bad::new("the payload starts past the end of the file"))?;
    let (mut files, digests) = header_files(&metadata, limits)?;
    read_payload(&metadata, payload, limits, &mut files, &digests)?;
    check_every_file_has_contents(&metadata, &files)?;
    Ok(LinuxPackageFacts {
        format: LinuxPackageFormat::Rpm,
        name: required(metadata.get_name(), "Name")?,
        version: required(metadata.get_version(), "Version")?,
        release: Some(required(metadata.get_release(), "Release")?),
        arch: required(metadata.get_arch(), "Arch")?,
        fields: fields(&metadata),
        files: files.into_sorted(),
    })
}

fn rpm_error(e: rpm::Error) -> Bad {
    Bad::new(format!("rpm header: {e}"))
}

fn required(value: Result<&str, rpm::Error>, tag: &str) -> Res<String> {
    value
        .map(str::to_owned)
        .map_err(|e| Bad::new(format!("the header has no usable {tag} tag: {e}")))
}

/// Checks the signature and main headers' sizes and index entries before the crate reads
/// them; returns where the payload starts.
fn check_headers(bytes: &[u8]) -> Res<usize> {
    if bytes.len() < LEAD_LEN {
        return Err(Bad::new(format!(
            "{} bytes, shorter than the lead",
            bytes.len()
        )));
    }
    let signature_end = check_header(bytes, LEAD_LEN, "signature header")?;
    // The signature header's data is padded to a multiple of eight bytes.
    let main_start = signature_end.next_multiple_of(8);
    check_header(bytes, main_start, "main header")
}

/// Checks one header structure at `start`; returns where it ends.
fn check_header(bytes: &[u8], start: usize, what: &str) -> Res<usize> {
    let word = |at: usize| -> Res<u32> {
        let b = bytes
            .get(at..at + 4)
            .ok_or_else(|| Bad::new(format!("{what} is truncated")))?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.get(start..start + 4) != Some(&HEADER_MAGIC[..]) {
        return Err(Bad::new(format!(
            "{what} at offset {start} has a bad magic"
        )));
    }
    let (count, data_len) = (word(start + 8)?, word(start + 12)?);
    if count > MAX_INDEX_ENTRIES || data_len > MAX_HEADER_DATA {
        return Err(Bad::new(format!(
            "{what} claims {count} entries and {data_len} data bytes, over rpm's limits"
        )));
    }
    let index_start = start + 16;
    let data_start = index_start + count as usize * 16;
    let end = data_start + data_len as usize;
    if end > bytes.len() {
        return Err(Bad::new(format!(
            "{what} needs {end} bytes, the file has {}",
            bytes.len()
        )));
    }
    for i in 0..count as usize {
        let entry = index_start + i * 16;
        let tag = word(entry)?;
        check_index_entry(
            word(entry + 4)?,
            word(entry + 8)?,
            word(entry + 12)?,
            data_len,
        )
        .map_err(|Bad(r)| Bad(format!("{what} entry {i} (tag {tag}): {r}")))?;
    }
    Ok(end)
}

/// An index entry's items must fit in the data that follows its offset.
fn check_index_entry(kind: u32, offset: u32, count: u32, data_len: u32) -> Res<()> {
    // Bytes per item; strings take at least their NUL.
    let item_size: u64 = match kind {
        0 => 0,
        1 | 2 | 6..=9 => 1,
        3 => 2,
        4 => 4,
        5 => 8,
        other => return Err(Bad::new(format!("unknown type {other}"))),
    };
    let available = u64::from(data_len).checked_sub(u64::from(offset));
    match available {
        Some(available) if u64::from(count) * item_size <= available => Ok(()),
        _ => Err(Bad::new(format!(
            "{count} items at offset {offset} overrun the {data_len} data bytes"
        ))),
    }
}

/// The file list from the header, and the SHA-256 digests it records by path.
fn header_files(
    metadata: &PackageMetadata,
    limits: &PackageLimits,
) -> Res<(FileList, HashMap<String, String>)> {
    let mut files = FileList::new(limits.max_files);
    let mut digests = HashMap::new();
    let sha256_digests = metadata
        .get_file_digest_algorithm()
        .is_ok_and(|a| a == DigestAlgorithm::Sha2_256);
    for entry in metadata.get_file_entries().map_err(rpm_error)? {
        let raw_path = entry.path();
        let Some(path) = install_path(&raw_path.to_string_lossy())? else {
            continue;
        };
        let mode = u32::from(entry.permissions());
        let mut file = match entry.file_type() {
            FileType::Regular => PackagedFile {
                size: entry.size() as u64,
                ..packaged(path.clone(), PackagedFileKind::File, mode)
            },
            FileType::Dir => packaged(path.clone(), PackagedFileKind::Dir, mode),
            FileType::SymbolicLink => PackagedFile {
                link_target: entry.linkto().map(str::to_owned),
                ..packaged(path.clone(), PackagedFileKind::Symlink, mode)
            },
            other => {
                return Err(Bad::new(format!(
                    "{path} is a {other:?}; packages hold only files, directories and links"
                )));
            }
        };
        file.config = entry.flags().contains(FileFlags::CONFIG);
        if let Some(digest) = entry.digest().filter(|_| sha256_digests)
            && file.kind == PackagedFileKind::File
        {
            digests.insert(path, digest.as_hex().to_ascii_lowercase());
        }
        files.insert(file)?;
    }
    Ok((files, digests))
}

/// Decompresses the payload and fills in each regular file's contents from its cpio member.
fn read_payload(
    metadata: &PackageMetadata,
    payload: &[u8],
    limits: &PackageLimits,
    files: &mut FileList,
    digests: &HashMap<String, String>,
) -> Res<()> {
    if let Ok(format) = metadata
        .header
        .get_entry_data_as_string(IndexTag::RPMTAG_PAYLOADFORMAT)
        && format != "cpio"
    {
        return Err(Bad::new(format!(
            "payload format {format:?}, the inspector reads cpio"
        )));
    }
    let compression = match metadata.get_payload_compressor().map_err(rpm_error)? {
        CompressionType::None => Compression::None,
        CompressionType::Gzip => Compression::Gzip,
        CompressionType::Xz => Compression::Xz,
        CompressionType::Zstd => Compression::Zstd,
        CompressionType::Bzip2 => {
            return Err(Bad::new(
                "bzip2 payloads are not read (hint: gzip, xz or zstd)",
            ));
        }
    };
    let reader = decompressed(payload, compression, limits.max_unpacked, "the payload")?;
    // Hard links share an inode; rpm stores the contents once, with the last link.
    let mut waiting_links: HashMap<u32, Vec<String>> = HashMap::new();
    walk_newc(reader, |entry, data| {
        payload_entry(entry, data, files, digests, &mut waiting_links)
    })
}

fn payload_entry(
    entry: &CpioEntry,
    data: &mut dyn Read,
    files: &mut FileList,
    digests: &HashMap<String, String>,
    waiting_links: &mut HashMap<u32, Vec<String>>,
) -> Res<()> {
    let Some(path) = install_path(&entry.name)? else {
        return Ok(());
    };
    let file = files.get_mut(&path).ok_or_else(|| {
        Bad::new(format!(
            "the payload holds {path}, which the header does not list"
        ))
    })?;
    let payload_kind = match entry.mode & 0o170_000 {
        0o100_000 => Some(PackagedFileKind::File),
        0o040_000 => Some(PackagedFileKind::Dir),
        0o120_000 => Some(PackagedFileKind::Symlink),
        _ => None,
    };
    if payload_kind != Some(file.kind) {
        return Err(Bad::new(format!(
            "{path} is a {:?} in the header but has mode {:o} in the payload",
            file.kind, entry.mode
        )));
    }
    if file.kind != PackagedFileKind::File {
        return Ok(());
    }
    if entry.size == 0 && file.size > 0 && entry.nlink > 1 {
        waiting_links.entry(entry.ino).or_default().push(path);
        return Ok(());
    }
    let (size, sha256) = hash_contents(data)?;
    let mut paths = waiting_links.remove(&entry.ino).unwrap_or_default();
    paths.push(path);
    for path in paths {
        let Some(file) = files.get_mut(&path) else {
            continue;
        };
        if size != file.size {
            return Err(Bad::new(format!(
                "{path} has {size} bytes in the payload, the header says {}",
                file.size
            )));
        }
        if let Some(recorded) = digests.get(&path)
            && *recorded != sha256
        {
            return Err(Bad::new(format!(
                "{path} has SHA-256 {sha256} in the payload, the header records {recorded}"
            )));
        }
        file.sha256 = Some(sha256.clone());
    }
    Ok(())
}

/// Every regular file the header lists must have come with contents, except `%ghost` files,
/// which rpm creates empty at install time.
fn check_every_file_has_contents(metadata: &PackageMetadata, files: &FileList) -> Res<()> {
    for entry in metadata.get_file_entries().map_err(rpm_error)? {
        if entry.file_type() != FileType::Regular || entry.flags().contains(FileFlags::GHOST) {
            continue;
        }
        let path = install_path(&entry.path().to_string_lossy())?.unwrap_or_default();
        if files.get(&path).is_some_and(|f| f.sha256.is_none()) {
            return Err(Bad::new(format!(
                "the header lists {path}, which the payload does not hold"
            )));
        }
    }
    Ok(())
}

/// The other tags, keyed by their lower-case names; dependencies joined with `, `.
fn fields(metadata: &PackageMetadata) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    if let Ok(epoch) = metadata.get_epoch() {
        fields.insert("epoch".to_owned(), epoch.to_string());
    }
    let strings = [
        ("license", metadata.get_license()),
        ("summary", metadata.get_summary()),
        ("description", metadata.get_description()),
        ("vendor", metadata.get_vendor()),
        ("url", metadata.get_url()),
        ("packager", metadata.get_packager()),
        ("group", metadata.get_group()),
    ];
    for (name, value) in strings {
        if let Ok(value) = value.map(str::trim).map(str::to_owned)
            && !value.is_empty()
        {
            fields.insert(name.to_owned(), value);
        }
    }
    let dependencies = [
        ("requires", metadata.get_requires()),
        ("provides", metadata.get_provides()),
        ("conflicts", metadata.get_conflicts()),
        ("obsoletes", metadata.get_obsoletes()),
        ("recommends", metadata.get_recommends()),
        ("suggests", metadata.get_suggests()),
    ];
    for (name, list) in dependencies {
        let list: Vec<String> = list.unwrap_or_default().iter().map(dependency).collect();
        if !list.is_empty() {
            fields.insert(name.to_owned(), list.join(", "));
        }
    }
    fields
}

/// `name`, or `name >= version`, as `rpm -qR` prints it.
fn dependency(dep: &Dependency) -> String {
    let flags = dep.flags;
    let mut op = String::new();
    if flags.contains(DependencyFlags::LESS) {
        op.push('<');
    }
    if flags.contains(DependencyFlags::GREATER) {
        op.push('>');
    }
    if flags.contains(DependencyFlags::EQUAL) {
        op.push('=');
    }
    if op.is_empty() || dep.version.is_empty() {
        dep.name.clone()
    } else {
        format!("{} {op} {}", dep.name, dep.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_must_fit_their_data() {
        assert!(check_index_entry(4, 0, 2, 8).is_ok());
        assert!(check_index_entry(4, 4, 2, 8).is_err());
        assert!(check_index_entry(5, 0, u32::MAX, 8).is_err());
        assert!(check_index_entry(8, 9, 0, 8).is_err());
        assert!(check_index_entry(42, 0, 1, 8).is_err());
    }

    #[test]
    fn headers_must_fit_the_file() {
        let mut bytes = vec![0u8; LEAD_LEN];
        bytes[..4].copy_from_slice(&LEAD_MAGIC);
        bytes.extend_from_slice(&HEADER_MAGIC);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.extend_from_slice(&(1u32 << 20).to_be_bytes());
        let err = check_headers(&bytes)
            .err()
            .map(|Bad(r)| r)
            .unwrap_or_default();
        assert!(err.starts_with("signature header needs"), "{err}");
        let mut huge = bytes.clone();
        huge[LEAD_LEN + 8..LEAD_LEN + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        let err = check_headers(&huge)
            .err()
            .map(|Bad(r)| r)
            .unwrap_or_default();
        assert!(err.contains("over rpm's limits"), "{err}");
    }
}
