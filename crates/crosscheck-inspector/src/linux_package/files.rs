//! The file list of a package: install paths normalised and checked, contents hashed as they
//! stream past, entries counted against a cap; and the tar walk deb and apk share.

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
    for entry in archive.entries()? {
        let mut entry = entry?;
        let Some(path) = install_path_bytes(&entry.path_bytes())? else {
            continue;
        };
        if skip(&path) {
            continue;
        }
        let mode = entry.header().mode()?;
        let kind = entry.header().entry_type();
        let file = match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let (size, sha256) = hash_contents(&mut entry)?;
                PackagedFile {
                    size,
                    sha256: Some(sha256),
                    ..packaged(path, PackagedFileKind::File, mode)
                }
            }
            tar::EntryType::Directory => packaged(path, PackagedFileKind::Dir, mode),
            tar::EntryType::Symlink => PackagedFile {
                link_target: Some(link_name(&entry, &path)?),
                ..packaged(path, PackagedFileKind::Symlink, mode)
            },
            tar::EntryType::Link => hard_link(files, path, &link_name(&entry, "")?, mode)?,
            // A PAX global header carries defaults for later entries, not a file.
            tar::EntryType::XGlobalHeader => continue,
            other => {
                return Err(Bad::new(format!(
                    "{path} is a {other:?} entry; packages hold only files, directories and \
                     links"
                )));
            }
        };
        files.insert(file)?;
    }
    drain(archive.into_inner())
}

/// Reads `reader` to its end, so its decoder checks the stream's trailer (gzip CRC and size,
/// xz index, zstd checksum).
pub(crate) fn drain(mut reader: impl Read) -> Res<()> {
    io::copy(&mut reader, &mut io::sink())?;
    Ok(())
}

fn link_name<R: Read>(entry: &tar::Entry<'_, R>, path: &str) -> Res<String> {
    let name = entry
        .link_name_bytes()
        .ok_or_else(|| Bad::new(format!("link {path} has no target")))?;
    String::from_utf8(name.into_owned())
        .map_err(|_| Bad::new(format!("the target of link {path} is not UTF-8")))
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
