//! Debian packages: an `ar` archive of `debian-binary`, `control.tar.{gz,xz,zst}` (the
//! `control` fields and `conffiles`) and `data.tar.{gz,xz,zst}` (the files), in that order.

use std::io::Read;

use super::decompress::{Compression, decompressed, read_all};
use super::files::{FileList, install_path, read_tar_files};
use super::{PackageLimits, facts_from_fields};
use crate::error::{Bad, Res};
use crosscheck_schema::{LinuxPackageFacts, LinuxPackageFormat};

/// The `ar` global header and the name of the member every deb starts with.
pub(crate) fn is_deb(bytes: &[u8]) -> bool {
    bytes.starts_with(b"!<arch>\n") && bytes.get(8..21) == Some(b"debian-binary")
}

/// What the control tar holds that the reader uses.
struct Control {
    fields: Vec<(String, String)>,
    conffiles: Vec<String>,
}

pub(crate) fn read(bytes: &[u8], limits: &PackageLimits) -> Res<LinuxPackageFacts> {
    let mut archive = ar::Archive::new(bytes);
    let mut members: Vec<String> = Vec::new();
    let mut control = None;
    let mut files = None;
    while let Some(entry) = archive.next_entry() {
        let entry = entry.map_err(|e| Bad::new(format!("ar archive: {e}")))?;
        // GNU ar ends member names with `/`; dpkg accepts both spellings.
        let name = String::from_utf8_lossy(entry.header().identifier())
            .trim_end_matches('/')
            .to_owned();
        if members.len() >= 16 {
            return Err(Bad::new("more than 16 ar members; a deb has three"));
        }
        let stem = member_stem(&name);
        if members.iter().any(|m| member_stem(m) == stem) {
            return Err(Bad::new(format!("a second {stem} member ({name})")));
        }
        members.push(name.clone());
        check_member_order(&members)?;
        if name == "debian-binary" {
            check_debian_binary(entry)?;
        } else if name.starts_with("control.tar") {
            control = Some(read_control(&name, entry, limits)?);
        } else if name.starts_with("data.tar") {
            let mut list = FileList::new(limits.max_files);
            let compression = compression(&name, "data.tar")?;
            let reader = decompressed(
                std::io::BufReader::new(entry),
                compression,
                limits.max_unpacked,
                &name,
            )?;
            read_tar_files(reader, &mut list, |_| false)
                .map_err(|Bad(r)| Bad(format!("{name}: {r}")))?;
            files = Some(list);
        }
    }
    let (Some(control), Some(files)) = (control, files) else {
        return Err(Bad::new(format!(
            "no control.tar or data.tar member (members: {})",
            members.join(", ")
        )));
    };
    into_facts(control, files)
}

/// `control` for `control.tar.xz`: members with one stem are one member, compressed or not.
fn member_stem(name: &str) -> &str {
    name.split_once(".tar").map_or(name, |(stem, _)| stem)
}

/// dpkg insists on `debian-binary` first and control before data; checked as each member
/// arrives, before it is read.
fn check_member_order(members: &[String]) -> Res<()> {
    if members.first().map(String::as_str) != Some("debian-binary") {
        return Err(Bad::new("the first ar member is not debian-binary"));
    }
    let position = |stem: &str| members.iter().position(|m| m.starts_with(stem));
    if let (Some(control), Some(data)) = (position("control.tar"), position("data.tar"))
        && data < control
    {
        return Err(Bad::new("data.tar comes before control.tar"));
    }
    Ok(())
}

fn compression(name: &str, stem: &str) -> Res<Compression> {
    Compression::of_member(name, stem).ok_or_else(|| {
        Bad::new(format!(
            "member {name} has a compression dpkg does not write (hint: .gz, .xz, .zst or none)"
        ))
    })
}

fn check_debian_binary(entry: impl Read) -> Res<()> {
    let text = read_all(entry.take(64))?;
    if text.starts_with(b"2.") {
        Ok(())
    } else {
        Err(Bad::new(format!(
            "debian-binary says {:?}, expected format 2.x",
            String::from_utf8_lossy(&text).trim()
        )))
    }
}

fn read_control(name: &str, entry: impl Read, limits: &PackageLimits) -> Res<Control> {
    let compression = compression(name, "control.tar")?;
    let reader = decompressed(
        std::io::BufReader::new(entry),
        compression,
        limits.max_control,
        name,
    )?;
    let tar = read_all(reader)?;
    let mut control_text = None;
    let mut conffiles = Vec::new();
    let mut archive = tar::Archive::new(&tar[..]);
    for entry in archive.entries()? {
        let entry = entry?;
        let path = super::files::install_path_bytes(&entry.path_bytes())?;
        match path.as_deref() {
            Some("/control") => control_text = Some(utf8(entry, "control")?),
            Some("/conffiles") => conffiles = parse_conffiles(&utf8(entry, "conffiles")?)?,
            _ => {}
        }
    }
    let text = control_text.ok_or_else(|| Bad::new(format!("{name} has no control file")))?;
    Ok(Control {
        fields: parse_control(&text)?,
        conffiles,
    })
}

fn utf8(entry: impl Read, what: &str) -> Res<String> {
    String::from_utf8(read_all(entry)?).map_err(|_| Bad::new(format!("{what} is not UTF-8")))
}

/// `conffiles` lists one absolute path per line, optionally followed by a flag
/// (`remove-on-upgrade`).
fn parse_conffiles(text: &str) -> Res<Vec<String>> {
    let mut paths = Vec::new();
    for line in text.lines() {
        if let Some(raw) = line.split_whitespace().next() {
            paths.extend(install_path(raw)?);
        }
    }
    Ok(paths)
}

/// The fields of a binary package's control file (deb-control(5)): `Name: value` lines, a
/// line starting with a space or tab continuing the previous value. Values keep their
/// continuation lines as written (leading space included), as `dpkg-deb -f` prints them.
fn parse_control(text: &str) -> Res<Vec<(String, String)>> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            if fields.is_empty() {
                continue;
            }
            // One paragraph: a binary package's control file has no second one.
            break;
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, value)) = fields.last_mut() else {
                return Err(Bad::new(format!(
                    "control line {line_no}: a continuation line before any field"
                )));
            };
            value.push('\n');
            value.push_str(line);
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Bad::new(format!(
                "control line {line_no}, column 1: {line:?} is neither `Field: value` nor a \
                 continuation line"
            )));
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(Bad::new(format!(
                "control line {line_no}, column 1: bad field name {name:?}"
            )));
        }
        if fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(Bad::new(format!(
                "control line {line_no}, column 1: field {name} appears twice"
            )));
        }
        fields.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok(fields)
}

/// `[epoch:]upstream[-revision]`: the revision is what follows the last hyphen.
fn split_version(version: &str) -> (String, Option<String>) {
    match version.rsplit_once('-') {
        Some((upstream, revision)) => (upstream.to_owned(), Some(revision.to_owned())),
        None => (version.to_owned(), None),
    }
}

fn into_facts(control: Control, mut files: FileList) -> Res<LinuxPackageFacts> {
    for path in &control.conffiles {
        let file = files.get_mut(path).ok_or_else(|| {
            Bad::new(format!(
                "conffiles names {path}, which data.tar does not hold"
            ))
        })?;
        file.config = true;
    }
    facts_from_fields(
        LinuxPackageFormat::Deb,
        control.fields.into_iter().collect(),
        ["Package", "Version", "Architecture"],
        split_version,
        "the control file",
        files,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_fields_with_continuations() -> Res<()> {
        let text = "Package: hello\nVersion: 1:1.2.0~rc.1-3\nDescription: greets\n more\n .\n\
                    \x20end\nDepends: libc6 (>= 2.17)\n";
        let fields = parse_control(text)?;
        assert_eq!(fields.len(), 4);
        assert_eq!(
            fields.get(2),
            Some(&(
                "Description".to_owned(),
                "greets\n more\n .\n end".to_owned()
            ))
        );
        assert_eq!(
            split_version("1:1.2.0~rc.1-3"),
            ("1:1.2.0~rc.1".to_owned(), Some("3".to_owned()))
        );
        assert_eq!(
            split_version("1.2-beta-2"),
            ("1.2-beta".to_owned(), Some("2".to_owned()))
        );
        assert_eq!(split_version("1.0"), ("1.0".to_owned(), None));
        Ok(())
    }

    #[test]
    fn bad_control_lines_name_the_line() {
        let err = |text: &str| {
            parse_control(text)
                .err()
                .map(|Bad(r)| r)
                .unwrap_or_default()
        };
        assert!(err("Package: a\nno colon here\n").starts_with("control line 2, column 1:"));
        assert!(err(" leading\n").starts_with("control line 1:"));
        assert!(err("Package: a\npackage: b\n").contains("appears twice"));
    }

    fn ar_archive(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = ar::Builder::new(Vec::new());
        for (name, data) in members {
            let header = ar::Header::new(name.as_bytes().to_vec(), data.len() as u64);
            if builder.append(&header, *data).is_err() {
                return Vec::new();
            }
        }
        builder.into_inner().unwrap_or_default()
    }

    fn reason(bytes: &[u8]) -> String {
        read(bytes, &PackageLimits::default())
            .err()
            .map(|Bad(r)| r)
            .unwrap_or_default()
    }

    #[test]
    fn members_must_be_whole_in_order_and_once() {
        let tar: &[u8] = &[0u8; 1024];
        let twice = ar_archive(&[
            ("debian-binary", b"2.0\n"),
            ("data.tar", tar),
            ("data.tar.xz", tar),
        ]);
        assert_eq!(reason(&twice), "a second data member (data.tar.xz)");
        let swapped = ar_archive(&[("control.tar", tar), ("debian-binary", b"2.0\n")]);
        assert_eq!(reason(&swapped), "the first ar member is not debian-binary");
        let old = ar_archive(&[("debian-binary", b"1.0\n")]);
        assert_eq!(
            reason(&old),
            "debian-binary says \"1.0\", expected format 2.x"
        );
        let bzip = ar_archive(&[("debian-binary", b"2.0\n"), ("data.tar.bz2", tar)]);
        assert!(reason(&bzip).starts_with("member data.tar.bz2 has a compression"));
        let empty = ar_archive(&[("debian-binary", b"2.0\n"), ("data.tar", tar)]);
        assert!(reason(&empty).starts_with("no control.tar or data.tar member"));
    }

    #[test]
    fn conffiles_ignore_flags() -> Res<()> {
        assert_eq!(
            parse_conffiles("/etc/a.conf\n/etc/b.conf remove-on-upgrade\n\n")?,
            ["/etc/a.conf", "/etc/b.conf"]
        );
        Ok(())
    }
}
