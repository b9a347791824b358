//! Deterministic `.tar.gz` and `.zip` archives: the same inputs give the same bytes on every
//! run and every machine.
//!
//! Everything a tool would normally take from the file system or the clock is fixed here:
//! entries are sorted by name; every mtime is the release date (`SOURCE_DATE_EPOCH` or the
//! commit time); owners are uid/gid 0 with empty names; modes are 0755 for the binary and
//! 0644 for everything else; tar headers are plain ustar (no PAX times, no extended
//! attributes); the gzip header has mtime 0, no file name and OS byte 255 ("unknown").

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use crosscheck_schema::ArchiveFormat;

/// The mode of the executable in an archive.
pub const BINARY_MODE: u32 = 0o755;
/// The mode of every other file in an archive.
pub const FILE_MODE: u32 = 0o644;

/// One file to put into an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where its bytes come from.
    pub source: PathBuf,
    /// Its name inside the archive, `/`-separated.
    pub name: String,
    /// Its unix mode ([`BINARY_MODE`] or [`FILE_MODE`]).
    pub mode: u32,
}

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// An input could not be read.
    #[error("cannot read {path} for the archive: {source}")]
    Read {
        /// The input.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The archive could not be written.
    #[error("cannot write the archive {path}: {source}")]
    Write {
        /// The archive.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Two entries have the same name.
    #[error(
        "two files would be {name:?} in the archive {path} (hint: rename one in `archive_files`)"
    )]
    DuplicateName {
        /// The archive.
        path: PathBuf,
        /// The name.
        name: String,
    },
    /// `archive = "none"` was asked to be written.
    #[error("archive format \"none\" writes no archive")]
    NoFormat,
}

/// Writes `entries` as a `format` archive to `path` (created or truncated), sorted by name,
/// with every mtime set to `epoch` (seconds since 1970).
pub fn write_archive(
    path: &Path,
    format: ArchiveFormat,
    entries: &[Entry],
    epoch: i64,
) -> Result<(), ArchiveError> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(ArchiveError::DuplicateName {
            path: path.to_owned(),
            name: pair[0].name.clone(),
        });
    }
    let write_error = write_error(path);
    let file = File::create(path).map_err(write_error)?;
    match format {
        ArchiveFormat::TarGz => write_tar_gz(BufWriter::new(file), path, &sorted, epoch),
        ArchiveFormat::Zip => write_zip(BufWriter::new(file), path, &sorted, epoch),
        ArchiveFormat::None => Err(ArchiveError::NoFormat),
    }
}

fn open(entry: &Entry) -> Result<(File, u64), ArchiveError> {
    let read_error = read_error(&entry.source);
    let file = File::open(&entry.source).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    Ok((file, size))
}

fn write_tar_gz<W: Write>(
    out: W,
    path: &Path,
    entries: &[&Entry],
    epoch: i64,
) -> Result<(), ArchiveError> {
    let write_error = write_error(path);
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    for entry in entries {
        let (file, size) = open(entry)?;
        let mut header = tar::Header::new_ustar();
        header.set_size(size);
        header.set_mode(entry.mode);
        header.set_uid(0);
        header.set_gid(0);
        // ustar mtimes are unsigned: a date before 1970 is clamped to the epoch.
        header.set_mtime(u64::try_from(epoch).unwrap_or(0));
        header.set_username("").map_err(write_error)?;
        header.set_groupname("").map_err(write_error)?;
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &entry.name, file)
            // append_data also reports read errors of the input; name the entry either way.
            .map_err(|error| {
                write_error(std::io::Error::new(
                    error.kind(),
                    format!("{}: {error}", entry.name),
                ))
            })?;
    }
    let gzip = tar.into_inner().map_err(write_error)?;
    let mut out = gzip.finish().map_err(write_error)?;
    out.flush().map_err(write_error)?;
    Ok(())
}

fn write_zip<W: Write + Seek>(
    out: W,
    path: &Path,
    entries: &[&Entry],
    epoch: i64,
) -> Result<(), ArchiveError> {
    let write_error = write_error(path);
    let zip_error = |error: zip::result::ZipError| write_error(std::io::Error::other(error));
    let mtime = zip_time(epoch);
    let mut zip = zip::ZipWriter::new(out);
    for entry in entries {
        let (mut file, _) = open(entry)?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .system(zip::System::Unix)
            .last_modified_time(mtime)
            .unix_permissions(entry.mode);
        zip.start_file(entry.name.as_str(), options)
            .map_err(zip_error)?;
        std::io::copy(&mut file, &mut zip).map_err(read_error(&entry.source))?;
    }
    let mut out = zip.finish().map_err(zip_error)?;
    out.flush().map_err(write_error)?;
    Ok(())
}

/// The error for a failed read of the input `path`.
fn read_error(path: &Path) -> impl Fn(std::io::Error) -> ArchiveError + Copy + '_ {
    |source| ArchiveError::Read {
        path: path.to_owned(),
        source,
    }
}

/// The error for a failed write of the archive `path`.
fn write_error(path: &Path) -> impl Fn(std::io::Error) -> ArchiveError + Copy + '_ {
    |source| ArchiveError::Write {
        path: path.to_owned(),
        source,
    }
}

/// The zip (MS-DOS) timestamp of `epoch`, in UTC. DOS times cover 1980 to 2107 in 2-second
/// steps; dates outside are clamped to the nearest end.
pub fn zip_time(epoch: i64) -> zip::DateTime {
    let (year, month, day, hour, minute, second) = civil(epoch);
    let clamped = if year < 1980 {
        (1980, 1, 1, 0, 0, 0)
    } else if year > 2107 {
        (2107, 12, 31, 23, 59, 58)
    } else {
        (year, month, day, hour, minute, second)
    };
    zip::DateTime::from_date_and_time(
        clamped.0 as u16,
        clamped.1,
        clamped.2,
        clamped.3,
        clamped.4,
        clamped.5,
    )
    .unwrap_or_default()
}

/// Year, month, day, hour, minute, second (UTC) of a Unix time: the days-to-civil
/// algorithm from Howard Hinnant's `date` library, exact for the proleptic Gregorian calendar.
fn civil(epoch: i64) -> (i64, u8, u8, u8, u8, u8) {
    let days = epoch.div_euclid(86_400);
    let seconds = epoch.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month as u8,
        day as u8,
        (seconds / 3600) as u8,
        (seconds / 60 % 60) as u8,
        (seconds % 60) as u8,
    )
}

#[cfg(test)]
fn read_all(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const EPOCH: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

    fn inputs(dir: &Path) -> Vec<Entry> {
        std::fs::write(dir.join("app"), b"\x7fELF pretend binary").unwrap();
        std::fs::write(dir.join("README.md"), b"# readme\n").unwrap();
        std::fs::write(dir.join("LICENSE"), b"MIT\n").unwrap();
        vec![
            Entry {
                source: dir.join("app"),
                name: "app".to_owned(),
                mode: BINARY_MODE,
            },
            Entry {
                source: dir.join("README.md"),
                name: "README.md".to_owned(),
                mode: FILE_MODE,
            },
            Entry {
                source: dir.join("LICENSE"),
                name: "LICENSE".to_owned(),
                mode: FILE_MODE,
            },
        ]
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(EPOCH), (2023, 11, 14, 22, 13, 20));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(-1), (1969, 12, 31, 23, 59, 59));
    }

    #[test]
    fn tar_gz_is_deterministic_sorted_and_fixed() {
        let dir = tempfile::tempdir().unwrap();
        let entries = inputs(dir.path());
        let first = dir.path().join("a.tar.gz");
        let second = dir.path().join("b.tar.gz");
        write_archive(&first, ArchiveFormat::TarGz, &entries, EPOCH).unwrap();
        // Touch an input: file-system times must not leak into the archive.
        let later = std::time::SystemTime::now();
        File::options()
            .write(true)
            .open(dir.path().join("README.md"))
            .unwrap()
            .set_modified(later)
            .unwrap();
        let mut reversed = entries.clone();
        reversed.reverse();
        write_archive(&second, ArchiveFormat::TarGz, &reversed, EPOCH).unwrap();
        let bytes = read_all(&first).unwrap();
        assert_eq!(bytes, read_all(&second).unwrap());
        // gzip header: magic, deflate, no flags (no name), mtime 0, OS 255.
        assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.mtime().unwrap(), EPOCH as u64);
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.gid().unwrap(), 0);
            assert_eq!(header.username().unwrap(), Some(""));
            assert!(header.as_ustar().is_some(), "not a ustar header");
            let name = entry.path().unwrap().display().to_string();
            let mode = header.mode().unwrap();
            seen.push((name, mode));
        }
        assert_eq!(
            seen,
            [
                ("LICENSE".to_owned(), 0o644),
                ("README.md".to_owned(), 0o644),
                ("app".to_owned(), 0o755)
            ]
        );
    }

    #[test]
    fn zip_is_deterministic_and_readable() {
        let dir = tempfile::tempdir().unwrap();
        let entries = inputs(dir.path());
        let first = dir.path().join("a.zip");
        let second = dir.path().join("b.zip");
        write_archive(&first, ArchiveFormat::Zip, &entries, EPOCH).unwrap();
        write_archive(&second, ArchiveFormat::Zip, &entries, EPOCH).unwrap();
        assert_eq!(read_all(&first).unwrap(), read_all(&second).unwrap());

        let mut archive = zip::ZipArchive::new(File::open(&first).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(names, ["LICENSE", "README.md", "app"]);
        let mut app = archive.by_name("app").unwrap();
        assert_eq!(app.unix_mode().map(|m| m & 0o777), Some(0o755));
        let modified = app.last_modified().unwrap();
        assert_eq!(
            (modified.year(), modified.month(), modified.day()),
            (2023, 11, 14)
        );
        assert_eq!(
            (modified.hour(), modified.minute(), modified.second()),
            (22, 13, 20)
        );
        let mut content = Vec::new();
        app.read_to_end(&mut content).unwrap();
        assert_eq!(content, b"\x7fELF pretend binary");
    }

    #[test]
    fn duplicate_names_and_missing_inputs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut entries = inputs(dir.path());
        entries.push(entries[0].clone());
        let path = dir.path().join("x.tar.gz");
        let error = write_archive(&path, ArchiveFormat::TarGz, &entries, EPOCH).unwrap_err();
        assert!(
            error.to_string().contains("two files would be \"app\""),
            "{error}"
        );
        let missing = [Entry {
            source: dir.path().join("nope"),
            name: "nope".to_owned(),
            mode: FILE_MODE,
        }];
        let error = write_archive(&path, ArchiveFormat::Zip, &missing, EPOCH).unwrap_err();
        assert!(error.to_string().starts_with("cannot read"), "{error}");
    }
}
