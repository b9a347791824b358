//! The compressions packages use (gzip, xz, zstd, none), each decoded as a stream through a
//! reader that refuses to produce more than a set number of bytes, so a decompression bomb
//! ends in an error instead of eating memory or disk.

use std::io::{self, BufRead, Read};

use crate::error::{Bad, Res};

/// xz's dictionary is allocated up front from a size its header states: 256 MiB is four times
/// what `xz -9` uses and refuses the 4 GiB a crafted header may claim.
const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;

/// How a package member or payload is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
}

impl Compression {
    /// The compression of a deb member named `{stem}` plus a suffix: `data.tar.xz` is xz,
    /// `data.tar` is plain; `None` for a suffix dpkg does not write.
    pub(crate) fn of_member(name: &str, stem: &str) -> Option<Compression> {
        match name.strip_prefix(stem)? {
            "" => Some(Compression::None),
            ".gz" => Some(Compression::Gzip),
            ".xz" => Some(Compression::Xz),
            ".zst" => Some(Compression::Zstd),
            _ => None,
        }
    }
}

/// A reader of `input` decompressed, which fails once it has produced more than `limit`
/// bytes; `what` names the stream in that error.
pub(crate) fn decompressed<'a>(
    input: impl BufRead + 'a,
    compression: Compression,
    limit: u64,
    what: &'a str,
) -> Res<Capped<'a, Box<dyn Read + 'a>>> {
    let decoder: Box<dyn Read + 'a> = match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            input,
            true,
            XZ_MEMORY_LIMIT_KIB,
        )),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(input)
                .map_err(|e| Bad::new(format!("{what}: bad zstd stream: {e}")))?,
        ),
    };
    Ok(Capped::new(decoder, limit, what))
}

/// Reads all of a small stream (a control tar) into memory; pass a [`Capped`] reader.
pub(crate) fn read_all(mut reader: impl Read) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}

/// A reader that fails with `InvalidData` as soon as its inner reader would go past `limit`
/// bytes in total.
pub(crate) struct Capped<'a, R> {
    inner: R,
    remaining: u64,
    limit: u64,
    what: &'a str,
}

impl<'a, R: Read> Capped<'a, R> {
    pub(crate) fn new(inner: R, limit: u64, what: &'a str) -> Capped<'a, R> {
        Capped {
            inner,
            remaining: limit,
            limit,
            what,
        }
    }
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // One byte more than allowed tells "exactly at the limit" from "over it".
        let allowed = usize::try_from(self.remaining.saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(allowed);
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.remaining {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} decompresses to more than {} bytes, the reader's limit \
                     (hint: PackageLimits raises it for a genuine package)",
                    self.what, self.limit
                ),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let written = enc.write_all(data).and_then(|()| enc.finish());
        written.unwrap_or_default()
    }

    #[test]
    fn member_suffixes_name_the_compression() {
        let of = Compression::of_member;
        assert_eq!(of("data.tar.xz", "data.tar"), Some(Compression::Xz));
        assert_eq!(of("data.tar.zst", "data.tar"), Some(Compression::Zstd));
        assert_eq!(of("control.tar.gz", "control.tar"), Some(Compression::Gzip));
        assert_eq!(of("data.tar", "data.tar"), Some(Compression::None));
        assert_eq!(of("data.tar.bz2", "data.tar"), None);
        assert_eq!(of("control.tar.gz", "data.tar"), None);
    }

    #[test]
    fn a_bomb_stops_at_the_limit() -> Res<()> {
        let bomb = gzip(&vec![0u8; 1 << 20]);
        let reader = decompressed(&bomb[..], Compression::Gzip, 1000, "data.tar.gz")?;
        let err = read_all(reader).err().map(|Bad(r)| r).unwrap_or_default();
        assert!(
            err.contains("data.tar.gz decompresses to more than 1000 bytes"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn exactly_the_limit_is_allowed() -> Res<()> {
        let data = gzip(b"0123456789");
        let reader = decompressed(&data[..], Compression::Gzip, 10, "x")?;
        assert_eq!(read_all(reader)?, b"0123456789");
        Ok(())
    }
}
