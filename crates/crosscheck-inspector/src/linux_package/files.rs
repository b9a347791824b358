//! The file list of a package: install paths normalised and checked, contents hashed as they
//! stream past, entries counted against a cap; and the tar walk deb and apk share.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use crate::error::{Bad, Res};
use crate::util::hex;
use crosscheck_schema::{PackagedFile, PackagedFileKind};

/// The files of one package, keyed by normalised path.
pub(crate) struct FileList {
    files: BTreeMap<String, PackagedFile>,
    max_files: usize,
}

impl FileList {
    pub(crate) fn new(max_files: usize) -> FileList {
        FileList {
            files: BTreeMap::new(),
            max_files,
        }
    }

    /// Adds a file; a path listed twice or one file too many is an error.
    pub(crate) fn insert(&mut self, file: PackagedFile) -> Res<()> {
        if self.files.len() >= self.max_files {
            return Err(Bad::new(format!(
                "more than {} files (hint: raise PackageLimits::max_files if the package is \
                 genuine)",
                self.max_files
            )));
        }
        if self.files.contains_key(&file.path) {
            return Err(Bad::new(format!("{} is listed twice", file.path)));
        }
        self.files.insert(file.path.clone(), file);
        Ok(())
    }

    pub(crate) fn get(&self, path: &str) -> Option<&PackagedFile> {
        self.files.get(path)
    }

    pub(crate) fn get_mut(&mut self, path: &str) -> Option<&mut PackagedFile> {
        self.files.get_mut(path)
    }

    /// The files, sorted by path.
    pub(crate) fn into_sorted(self) -> Vec<PackagedFile> {
        self.files.into_values().collect()
    }
}

/// The absolute install path of an archive name: `./usr/bin/x`, `usr/bin/x` and `/usr/bin/x`
/// all give `/usr/bin/x`; `None` for the root itself (`./`), which packages list but do not
/// install. A `..` component is an error: it would write outside the root.
pub(crate) fn install_path(raw: &str) -> Res<Option<String>> {
    let mut path = String::with_capacity(raw.len() + 1);
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                return Err(Bad::new(format!(
                    "path {raw:?} climbs out of the install root with `..`"
                )));
            }
            name => {
                path.push('/');
                path.push_str(name);
            }
        }
    }
    Ok((!path.is_empty()).then_some(path))
}

/// An install path from raw archive bytes, which must be UTF-8.
pub(crate) fn install_path_bytes(raw: &[u8]) -> Res<Option<String>> {
    let text = std::str::from_utf8(raw).map_err(|_| {
        Bad::new(format!(
            "path {:?} is not UTF-8",
            String::from_utf8_lossy(raw)
        ))
    })?;
    install_path(text)
}

/// Size and lower-case hex SHA-256 of everything `reader` yields.
pub(crate) fn hash_contents(mut reader: impl Read) -> io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// A packaged file with only what every format knows; the readers fill in the rest.
pub(crate) fn packaged(path: String, kind: PackagedFileKind, mode: u32) -> PackagedFile {
    PackagedFile {
        path,
        kind,
        mode: mode & 0o7777,
        size: 0,
        sha256: None,
        link_target: None,
        config: false,
    }
}

/// GNU long names and PAX records are held in memory until the entry they describe; a real
/// one is a few hundred bytes. The tar crate would buffer any size a header claims, so the
/// payload walk reads them itself, within this cap.
const MAX_METADATA_ENTRY: u64 = 1 << 20;

/// Reads every entry of a tar stream into `files`, hashing regular files as they pass, except
/// the entries `skip` names (given the install path). Hard links take the contents of the
/// earlier entry they point to. The stream is read to its very end, past the tar's end
/// blocks, so that a truncated or corrupt compressed stream is an error even there.
pub(crate) fn read_tar_files(
    reader: impl Read,
    files: &mut FileList,
    skip: impl Fn(&str) -> bool,
) -> Res<()> {
    let mut archive = tar::Archive::new(reader);
    let mut names = LongNames::default();
    for entry in archive.entries()?.raw(true) {
        let mut entry = entry?;
        if names.take_metadata(&mut entry)? {
            continue;
        }
        let raw_path = names
            .path
            .take()
            .unwrap_or_else(|| entry.path_bytes().into_owned());
        let link = names
            .link
            .take()
            .or_else(|| entry.link_name_bytes().map(Cow::into_owned));
        let Some(path) = install_path_bytes(&raw_path)? else {
            continue;
        };
        if !skip(&path) {
            let file = packaged_entry(&mut entry, path, link, files)?;
            files.insert(file)?;
        }
    }
    drain(archive.into_inner())
}

/// The path and link target the metadata entries before an entry give it.
#[derive(Default)]
struct LongNames {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
}

impl LongNames {
    /// Takes in a GNU long name or link, or a PAX record (`path`, `linkpath`); `false` for an
    /// entry that is none of these.
    fn take_metadata<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Res<bool> {
        let kind = entry.header().entry_type();
        if !(kind.is_gnu_longname()
            || kind.is_gnu_longlink()
            || kind.is_pax_local_extensions()
            || kind.is_pax_global_extensions())
        {
            return Ok(false);
        }
        let size = entry.header().entry_size()?;
        if size > MAX_METADATA_ENTRY {
            return Err(Bad::new(format!(
                "a {kind:?} entry of {size} bytes, over the reader's {MAX_METADATA_ENTRY}"
            )));
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        let without_nul = |mut bytes: Vec<u8>| {
            while bytes.last() == Some(&0) {
                bytes.pop();
            }
            bytes
        };
        if kind.is_gnu_longname() {
            self.path = Some(without_nul(data));
        } else if kind.is_gnu_longlink() {
            self.link = Some(without_nul(data));
        } else if kind.is_pax_local_extensions() {
            for record in tar::PaxExtensions::new(&data) {
                let record = record?;
                match record.key_bytes() {
                    b"path" => self.path = Some(record.value_bytes().to_vec()),
                    b"linkpath" => self.link = Some(record.value_bytes().to_vec()),
                    // Checksums (APK-TOOLS.checksum.SHA1), times, owners: not facts we keep.
                    _ => {}
                }
            }
        }
        // A global header only sets defaults (times, owners) for the entries after it.
        Ok(true)
    }
}

/// The packaged file of one tar entry at `path`.
fn packaged_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: String,
    link: Option<Vec<u8>>,
    files: &FileList,
) -> Res<PackagedFile> {
    let mode = entry.header().mode()?;
    let link_target = |path: &str| {
        let bytes = link.ok_or_else(|| Bad::new(format!("link {path} has no target")))?;
        String::from_utf8(bytes)
            .map_err(|_| Bad::new(format!("the target of link {path} is not UTF-8")))
    };
    Ok(match entry.header().entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            let (size, sha256) = hash_contents(entry)?;
            PackagedFile {
                size,
                sha256: Some(sha256),
                ..packaged(path, PackagedFileKind::File, mode)
            }
        }
        tar::EntryType::Directory => packaged(path, PackagedFileKind::Dir, mode),
        tar::EntryType::Symlink => PackagedFile {
            link_target: Some(link_target(&path)?),
            ..packaged(path, PackagedFileKind::Symlink, mode)
        },
        tar::EntryType::Link => {
            let target = link_target(&path)?;
            hard_link(files, path, &target, mode)?
        }
        other => {
            return Err(Bad::new(format!(
                "{path} is a {other:?} entry; packages hold only files, directories and links"
            )));
        }
    })
}

/// Reads `reader` to its end, so its decoder checks the stream's trailer (gzip CRC and size,
/// xz index, zstd checksum).
pub(crate) fn drain(mut reader: impl Read) -> Res<()> {
    io::copy(&mut reader, &mut io::sink())?;
    Ok(())
}

/// A hard link is the same file as an earlier entry: same size and contents.
fn hard_link(files: &FileList, path: String, target: &str, mode: u32) -> Res<PackagedFile> {
    let target_path = install_path(target)?.unwrap_or_default();
    let original = files
        .get(&target_path)
        .filter(|f| f.kind == PackagedFileKind::File)
        .ok_or_else(|| {
            Bad::new(format!(
                "hard link {path} points to {target:?}, which is no earlier regular file"
            ))
        })?;
    Ok(PackagedFile {
        size: original.size,
        sha256: original.sha256.clone(),
        ..packaged(path, PackagedFileKind::File, mode)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_paths_are_absolute_and_clean() -> Res<()> {
        assert_eq!(install_path("./usr/bin/x")?.as_deref(), Some("/usr/bin/x"));
        assert_eq!(install_path("usr/bin/")?.as_deref(), Some("/usr/bin"));
        assert_eq!(
            install_path("/etc//x.conf")?.as_deref(),
            Some("/etc/x.conf")
        );
        assert_eq!(install_path("./")?, None);
        assert_eq!(install_path(".")?, None);
        let err = install_path("./usr/../../etc/passwd").err().map(|Bad(r)| r);
        assert!(err.is_some_and(|r| r.contains("climbs out")));
        assert!(install_path_bytes(b"./usr/\xff").is_err());
        Ok(())
    }

    #[test]
    fn a_path_listed_twice_and_too_many_files_are_errors() -> Res<()> {
        let mut list = FileList::new(2);
        list.insert(packaged("/a".into(), PackagedFileKind::Dir, 0o40755))?;
        assert!(
            list.insert(packaged("/a".into(), PackagedFileKind::Dir, 0))
                .is_err()
        );
        list.insert(packaged("/b".into(), PackagedFileKind::Dir, 0))?;
        let err = list.insert(packaged("/c".into(), PackagedFileKind::Dir, 0));
        assert!(
            err.err()
                .is_some_and(|Bad(r)| r.contains("more than 2 files"))
        );
        let sorted = list.into_sorted();
        assert_eq!(sorted.first().map(|f| f.mode), Some(0o755));
        Ok(())
    }

    fn header(kind: tar::EntryType, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(0o755);
        header.set_cksum();
        header
    }

    fn read(tar: &[u8]) -> Res<Vec<PackagedFile>> {
        let mut list = FileList::new(100);
        read_tar_files(tar, &mut list, |_| false)?;
        Ok(list.into_sorted())
    }

    #[test]
    fn long_names_and_pax_paths_name_the_next_entry() -> Res<()> {
        let long = format!("./usr/share/{}/x", "d".repeat(120));
        let mut builder = tar::Builder::new(Vec::new());
        let mut file = header(tar::EntryType::Regular, 3);
        builder.append_data(&mut file, &long, &b"abc"[..])?;
        let mut link = header(tar::EntryType::Symlink, 0);
        builder.append_link(&mut link, "./usr/bin/l", &long)?;
        let record = b"31 path=./usr/bin/from-pax-rec\n";
        builder.append(
            &header(tar::EntryType::XHeader, record.len() as u64),
            &record[..],
        )?;
        builder.append(&header(tar::EntryType::Regular, 0), &b""[..])?;
        let files = read(&builder.into_inner()?)?;
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths.len(), 3, "{paths:?}");
        assert_eq!(paths[0], "/usr/bin/from-pax-rec");
        assert_eq!(paths[2], &long[1..]);
        assert_eq!(files[1].link_target.as_deref(), Some(long.as_str()));
        Ok(())
    }

    #[test]
    fn a_huge_metadata_entry_is_refused_before_it_is_buffered() -> Res<()> {
        let size = MAX_METADATA_ENTRY + 512;
        let mut tar = Vec::new();
        tar.extend_from_slice(header(tar::EntryType::GNULongName, size).as_bytes());
        tar.resize(tar.len() + size as usize, b'a');
        let err = read(&tar).err().map(|Bad(r)| r).unwrap_or_default();
        assert!(err.contains("over the reader's 1048576"), "{err}");
        Ok(())
    }

    #[test]
    fn contents_are_hashed_while_read() -> io::Result<()> {
        let (size, sha) = hash_contents(&b"abc"[..])?;
        assert_eq!(size, 3);
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        Ok(())
    }
}
