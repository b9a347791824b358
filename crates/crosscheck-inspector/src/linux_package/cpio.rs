//! The `newc` cpio archive inside an rpm payload (`070701` headers of thirteen 8-digit hex
//! fields, names and data padded to four bytes, ended by `TRAILER!!!`). Hand-written because
//! it is that small and because the reader must cap name sizes before allocating them, which
//! the cpio crates do not.

use std::io::{self, Read};

use crate::error::{Bad, Res};

/// rpm never writes longer names (PATH_MAX); a longer one is a crafted header.
const MAX_NAME: u64 = 4096;
const HEADER_LEN: u64 = 110;
const TRAILER: &str = "TRAILER!!!";

/// One member's header.
#[derive(Debug)]
pub(crate) struct CpioEntry {
    pub(crate) name: String,
    pub(crate) ino: u32,
    pub(crate) mode: u32,
    pub(crate) nlink: u32,
    pub(crate) size: u64,
}

/// Calls `on_entry` with each member and a reader of exactly its data (whatever the callback
/// leaves unread is skipped), until the trailer; then reads the stream to its end, so that the
/// decoder checks the compressed stream's trailer.
pub(crate) fn walk_newc(
    reader: impl Read,
    mut on_entry: impl FnMut(&CpioEntry, &mut dyn Read) -> Res<()>,
) -> Res<()> {
    let mut reader = Counting {
        inner: reader,
        offset: 0,
    };
    loop {
        let entry = read_header(&mut reader)?;
        if entry.name == TRAILER {
            return super::files::drain(reader);
        }
        let mut data = (&mut reader).take(entry.size);
        on_entry(&entry, &mut data)?;
        io::copy(&mut data, &mut io::sink())?;
        if data.limit() != 0 {
            return Err(Bad::new(format!(
                "payload ends inside the data of {}",
                entry.name
            )));
        }
        skip_padding(&mut reader)?;
    }
}

fn read_header(reader: &mut Counting<impl Read>) -> Res<CpioEntry> {
    let mut header = [0u8; HEADER_LEN as usize];
    reader.read_exact(&mut header).map_err(|e| {
        Bad::new(format!(
            "cpio header at payload offset {}: {e}",
            reader.offset
        ))
    })?;
    match &header[..6] {
        b"070701" | b"070702" => {}
        b"07070X" => {
            return Err(Bad::new(
                "the payload uses rpm's stripped cpio headers (files over 4 GiB), which the \
                 inspector does not read",
            ));
        }
        other => {
            return Err(Bad::new(format!(
                "cpio magic {:?} at payload offset {}, expected 070701 (newc)",
                String::from_utf8_lossy(other),
                reader.offset - HEADER_LEN
            )));
        }
    }
    let field = |index: usize| -> Res<u32> {
        let start = 6 + index * 8;
        let text = std::str::from_utf8(&header[start..start + 8]).unwrap_or("");
        u32::from_str_radix(text, 16)
            .map_err(|_| Bad::new(format!("cpio header field {index} is not hex: {text:?}")))
    };
    let name_size = u64::from(field(11)?);
    if name_size == 0 || name_size > MAX_NAME {
        return Err(Bad::new(format!(
            "cpio name size {name_size} is outside 1..={MAX_NAME}"
        )));
    }
    let mut name = Vec::new();
    (&mut *reader).take(name_size).read_to_end(&mut name)?;
    if name.len() as u64 != name_size || name.pop() != Some(0) {
        return Err(Bad::new("cpio name is truncated or not NUL-terminated"));
    }
    skip_padding(reader)?;
    let name = String::from_utf8(name).map_err(|_| Bad::new("cpio name is not UTF-8"))?;
    Ok(CpioEntry {
        name,
        ino: field(0)?,
        mode: field(1)?,
        nlink: field(4)?,
        size: u64::from(field(6)?),
    })
}

/// Names and data are padded with NULs to a multiple of four bytes from the archive start.
fn skip_padding(reader: &mut Counting<impl Read>) -> Res<()> {
    let pad = (4 - reader.offset % 4) % 4;
    let mut buf = [0u8; 3];
    reader
        .read_exact(&mut buf[..pad as usize])
        .map_err(|e| Bad::new(format!("cpio padding: {e}")))
}

/// Counts the bytes read, for the padding rule.
struct Counting<R> {
    inner: R,
    offset: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, mode: u32, data: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "070701{:08x}{mode:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            1,
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        )
        .into_bytes();
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out
    }

    #[test]
    fn walks_members_until_the_trailer() -> Res<()> {
        let mut archive = member("./usr/bin/x", 0o100755, b"hello");
        archive.extend(member("./etc", 0o40755, b""));
        archive.extend(member(TRAILER, 0, b""));
        archive.extend(b"garbage after the trailer");
        let mut seen = Vec::new();
        walk_newc(&archive[..], |entry, data| {
            let mut contents = Vec::new();
            data.read_to_end(&mut contents)?;
            seen.push((entry.name.clone(), entry.mode, contents));
            Ok(())
        })?;
        assert_eq!(
            seen,
            [
                ("./usr/bin/x".to_owned(), 0o100755, b"hello".to_vec()),
                ("./etc".to_owned(), 0o40755, Vec::new()),
            ]
        );
        Ok(())
    }

    #[test]
    fn truncation_and_huge_names_are_errors() {
        let archive = member("./usr/bin/x", 0o100755, b"hello");
        for cut in [0, 50, 115, archive.len() - 4] {
            assert!(walk_newc(&archive[..cut], |_, _| Ok(())).is_err(), "{cut}");
        }
        let mut huge = archive.clone();
        huge[94..102].copy_from_slice(b"ffffffff");
        let err = walk_newc(&huge[..], |_, _| Ok(())).err().map(|Bad(r)| r);
        assert!(err.is_some_and(|r| r.contains("outside 1..=4096")));
    }
}
