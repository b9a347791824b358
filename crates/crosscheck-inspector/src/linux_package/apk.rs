//! Alpine packages (apk-tools v2): two or three gzip streams one after the other: an optional
//! signature stream (a tar holding `.SIGN.*` entries), the control stream (`.PKGINFO` and
//! install scripts) and the data stream (the files, with `APK-TOOLS.checksum.*` PAX records).
//! The signature and control tars have no end-of-archive blocks, so that the streams
//! concatenated read as one tar; the reader still needs the stream boundaries to tell control
//! from data, so it decodes one gzip member at a time.

use std::collections::BTreeMap;

use super::decompress::{Capped, read_all};
use super::files::{FileList, install_path_bytes, read_tar_files};
use super::{PackageLimits, facts_from_fields};
use crate::error::{Bad, Res};
use crosscheck_schema::{LinuxPackageFacts, LinuxPackageFormat};

/// The first bytes of a gzip stream (and of every apk v2).
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

pub(crate) fn read(bytes: &[u8], limits: &PackageLimits) -> Res<LinuxPackageFacts> {
    let (pkginfo, data) = control_stream(bytes, limits)?;
    let fields = parse_pkginfo(&pkginfo)?;
    let mut files = FileList::new(limits.max_files);
    if data.is_empty() {
        return Err(Bad::new("no data stream after the control stream"));
    }
    let reader = Capped::new(
        flate2::bufread::MultiGzDecoder::new(data),
        limits.max_unpacked,
        "the data stream",
    );
    // Control entries (`.PKGINFO`, `.SIGN.*`, `.pre-install`) belong to the earlier streams;
    // a stray one in the data is not a file to install.
    read_tar_files(reader, &mut files, |path| {
        path.starts_with("/.") && path[1..].find('/').is_none()
    })
    .map_err(|Bad(r)| Bad(format!("data stream: {r}")))?;
    into_facts(fields, files)
}

/// Decodes gzip members until the one whose tar holds `.PKGINFO`; returns that file's text
/// and the bytes after the control stream (the data stream).
fn control_stream<'a>(bytes: &'a [u8], limits: &PackageLimits) -> Res<(String, &'a [u8])> {
    let mut rest = bytes;
    // A signature stream, then the control stream: no package has more before its data.
    for index in 0..2 {
        if !rest.starts_with(&GZIP_MAGIC) {
            return Err(Bad::new(format!(
                "gzip stream {} is missing or does not start with 1F 8B",
                index + 1
            )));
        }
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        let tar = read_all(Capped::new(
            &mut decoder,
            limits.max_control,
            "a control stream",
        ))
        .map_err(|Bad(r)| Bad(format!("gzip stream {}: {r}", index + 1)))?;
        rest = decoder.into_inner();
        match control_entries(&tar)
            .map_err(|Bad(r)| Bad(format!("gzip stream {}: {r}", index + 1)))?
        {
            Some(pkginfo) => return Ok((pkginfo, rest)),
            None if index == 0 => {}
            None => break,
        }
    }
    Err(Bad::new(
        "no .PKGINFO in the first two gzip streams (hint: apk v3 packages, which start with \
         `ADB`, are not read)",
    ))
}

/// `.PKGINFO`'s text when this tar is the control stream; `None` for a signature stream.
fn control_entries(tar: &[u8]) -> Res<Option<String>> {
    let mut pkginfo = None;
    let mut signature = false;
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries()? {
        let entry = entry?;
        let path = install_path_bytes(&entry.path_bytes())?.unwrap_or_default();
        if path == "/.PKGINFO" {
            let text = String::from_utf8(read_all(entry)?)
                .map_err(|_| Bad::new(".PKGINFO is not UTF-8"))?;
            pkginfo = Some(text);
        } else if path.starts_with("/.SIGN.") {
            signature = true;
        }
    }
    if pkginfo.is_none() && !signature {
        return Err(Bad::new("holds neither .PKGINFO nor a .SIGN.* signature"));
    }
    Ok(pkginfo)
}

/// `.PKGINFO`: `key = value` lines, `#` comments; keys such as `depend` repeat.
fn parse_pkginfo(text: &str) -> Res<Vec<(String, String)>> {
    let mut fields = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            return Err(Bad::new(format!(
                ".PKGINFO line {}, column 1: {line:?} is not `key = value`",
                index + 1
            )));
        };
        fields.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(fields)
}

/// `pkgver` ends in `-rN`; the version is what comes before, the release is `N`.
fn split_pkgver(pkgver: &str) -> (String, Option<String>) {
    match pkgver.rsplit_once("-r") {
        Some((version, release))
            if !release.is_empty() && release.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (version.to_owned(), Some(release.to_owned()))
        }
        _ => (pkgver.to_owned(), None),
    }
}

fn into_facts(pkginfo: Vec<(String, String)>, files: FileList) -> Res<LinuxPackageFacts> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in pkginfo {
        fields
            .entry(key)
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    facts_from_fields(
        LinuxPackageFormat::Apk,
        fields,
        ["pkgname", "pkgver", "arch"],
        split_pkgver,
        ".PKGINFO",
        files,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkgver_splits_at_the_release() {
        assert_eq!(
            split_pkgver("1.2.0_rc1-r1"),
            ("1.2.0_rc1".to_owned(), Some("1".to_owned()))
        );
        assert_eq!(
            split_pkgver("2.0-r12"),
            ("2.0".to_owned(), Some("12".to_owned()))
        );
        assert_eq!(split_pkgver("2.0-rc"), ("2.0-rc".to_owned(), None));
        assert_eq!(split_pkgver("2.0"), ("2.0".to_owned(), None));
    }

    #[test]
    fn pkginfo_lines_and_repeated_keys() -> Res<()> {
        let text = "# Generated by abuild\npkgname = hello\npkgver = 1.0-r0\narch = x86_64\n\
                    depend = so:libc.musl-x86_64.so.1\ndepend = ca-certificates\n";
        let facts = into_facts(parse_pkginfo(text)?, FileList::new(1))?;
        assert_eq!(facts.name, "hello");
        assert_eq!(facts.release.as_deref(), Some("0"));
        assert_eq!(
            facts.fields.get("depend").map(String::as_str),
            Some("so:libc.musl-x86_64.so.1, ca-certificates")
        );
        let err = parse_pkginfo("pkgname hello\n").err().map(|Bad(r)| r);
        assert!(err.is_some_and(|r| r.starts_with(".PKGINFO line 1, column 1:")));
        Ok(())
    }

    #[test]
    fn a_stream_that_is_not_gzip_is_named() {
        let err = control_stream(b"\x1f\x8bnot really", &PackageLimits::default())
            .err()
            .map(|Bad(r)| r)
            .unwrap_or_default();
        assert!(err.starts_with("gzip stream 1:"), "{err}");
    }
}
