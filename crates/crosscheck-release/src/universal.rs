//! macOS universal ("fat") binaries: thin Mach-O images behind a `FAT_MAGIC` header, the
//! layout `lipo -create` writes.
//!
//! The header is big-endian: magic `0xcafebabe`, the slice count, then one `fat_arch`
//! (cputype, cpusubtype, offset, size, align) per slice, each copied from the thin image's own
//! header. Slices start on a page boundary of their architecture (2^14 for arm64, 2^12
//! otherwise), as lipo aligns them, and the bytes between are zero. Slices keep the order
//! given. The 32-bit header limits each offset and size to 4 GiB.

/// `FAT_MAGIC`.
pub const FAT_MAGIC: u32 = 0xcafe_babe;
/// `CPU_TYPE_X86_64`.
pub const CPU_TYPE_X86_64: u32 = 0x0100_0007;
/// `CPU_TYPE_ARM64`.
pub const CPU_TYPE_ARM64: u32 = 0x0100_000c;

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_HEADER_SIZE: usize = 8;
const FAT_ARCH_SIZE: usize = 20;

/// Why a universal binary could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UniversalError {
    /// An input is not a thin Mach-O image.
    #[error(
        "{label} is not a thin Mach-O binary (hint: universal binaries are made of darwin builds)"
    )]
    NotMacho {
        /// Which input.
        label: String,
    },
    /// Two inputs have the same CPU type.
    #[error("{label} has the same cpu type ({cputype:#x}) as an earlier slice")]
    DuplicateArch {
        /// Which input.
        label: String,
        /// The CPU type.
        cputype: u32,
    },
    /// A slice would start or end beyond what a 32-bit fat header can address.
    #[error("{label} would end beyond 4 GiB, more than a 32-bit fat header can address")]
    TooLarge {
        /// Which input.
        label: String,
    },
    /// No inputs.
    #[error("a universal binary needs at least one slice")]
    Empty,
}

/// One slice's place in a fat file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FatArch {
    /// The CPU type, from the thin header.
    pub cputype: u32,
    /// The CPU subtype, from the thin header (capability bits included).
    pub cpusubtype: u32,
    /// Offset of the slice in the fat file.
    pub offset: u32,
    /// Size of the slice.
    pub size: u32,
    /// The alignment, as a power of two.
    pub align: u32,
}

/// Reads cputype and cpusubtype from a thin Mach-O header, whichever its byte order.
fn thin_header(bytes: &[u8]) -> Option<(u32, u32)> {
    let word = |offset: usize, little: bool| -> Option<u32> {
        let raw: [u8; 4] = bytes.get(offset..offset + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    };
    let little = match word(0, true)? {
        MH_MAGIC | MH_MAGIC_64 => true,
        _ if matches!(word(0, false)?, MH_MAGIC | MH_MAGIC_64) => false,
        _ => return None,
    };
    Some((word(4, little)?, word(8, little)?))
}

/// The page alignment lipo gives a slice of `cputype`.
fn alignment(cputype: u32) -> u32 {
    if cputype == CPU_TYPE_ARM64 { 14 } else { 12 }
}

/// Lays out `slices` (label, bytes) in a fat file.
pub fn layout(slices: &[(&str, &[u8])]) -> Result<Vec<FatArch>, UniversalError> {
    if slices.is_empty() {
        return Err(UniversalError::Empty);
    }
    let mut arches: Vec<FatArch> = Vec::new();
    let mut end = (FAT_HEADER_SIZE + FAT_ARCH_SIZE * slices.len()) as u64;
    for (label, bytes) in slices {
        let (cputype, cpusubtype) = thin_header(bytes).ok_or_else(|| UniversalError::NotMacho {
            label: (*label).to_owned(),
        })?;
        if arches.iter().any(|arch| arch.cputype == cputype) {
            return Err(UniversalError::DuplicateArch {
                label: (*label).to_owned(),
                cputype,
            });
        }
        let align = alignment(cputype);
        let step = 1u64 << align;
        let offset = end.div_ceil(step) * step;
        let too_large = || UniversalError::TooLarge {
            label: (*label).to_owned(),
        };
        let size = u32::try_from(bytes.len()).map_err(|_| too_large())?;
        end = offset + u64::from(size);
        if end > u64::from(u32::MAX) {
            return Err(too_large());
        }
        arches.push(FatArch {
            cputype,
            cpusubtype,
            offset: u32::try_from(offset).map_err(|_| too_large())?,
            size,
            align,
        });
    }
    Ok(arches)
}

/// Assembles a fat Mach-O from thin images `slices` (label, bytes), in the order given.
pub fn build_universal(slices: &[(&str, &[u8])]) -> Result<Vec<u8>, UniversalError> {
    let arches = layout(slices)?;
    let total = arches
        .last()
        .map_or(0, |arch| arch.offset as usize + arch.size as usize);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&FAT_MAGIC.to_be_bytes());
    out.extend_from_slice(&(arches.len() as u32).to_be_bytes());
    for arch in &arches {
        for word in [
            arch.cputype,
            arch.cpusubtype,
            arch.offset,
            arch.size,
            arch.align,
        ] {
            out.extend_from_slice(&word.to_be_bytes());
        }
    }
    for (arch, (_, bytes)) in arches.iter().zip(slices) {
        out.resize(arch.offset as usize, 0);
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal 64-bit little-endian Mach-O header followed by filler.
    fn thin(cputype: u32, cpusubtype: u32, len: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&MH_MAGIC_64.to_le_bytes());
        bytes.extend_from_slice(&cputype.to_le_bytes());
        bytes.extend_from_slice(&cpusubtype.to_le_bytes());
        bytes.extend_from_slice(&2u32.to_le_bytes()); // MH_EXECUTE
        bytes.extend_from_slice(&[0; 16]); // ncmds, sizeofcmds, flags, reserved
        bytes.resize(len, 0xab);
        bytes
    }

    #[test]
    fn header_offsets_and_alignment_follow_lipo() {
        let amd64 = thin(CPU_TYPE_X86_64, 0x8000_0003, 5000);
        let arm64 = thin(CPU_TYPE_ARM64, 0, 7000);
        let fat = build_universal(&[("amd64", &amd64), ("arm64", &arm64)]).unwrap();
        let word = |offset: usize| u32::from_be_bytes(fat[offset..offset + 4].try_into().unwrap());
        assert_eq!(word(0), FAT_MAGIC);
        assert_eq!(word(4), 2);
        assert_eq!(
            [word(8), word(12), word(16), word(20), word(24)],
            [CPU_TYPE_X86_64, 0x8000_0003, 4096, 5000, 12]
        );
        assert_eq!(
            [word(28), word(32), word(36), word(40), word(44)],
            [CPU_TYPE_ARM64, 0, 16384, 7000, 14]
        );
        assert_eq!(&fat[4096..9096], &amd64[..]);
        assert!(fat[9096..16384].iter().all(|&b| b == 0));
        assert_eq!(&fat[16384..], &arm64[..]);
    }

    #[test]
    fn goblin_reads_what_we_write() {
        let amd64 = thin(CPU_TYPE_X86_64, 3, 300);
        let arm64 = thin(CPU_TYPE_ARM64, 0, 200);
        let fat = build_universal(&[("amd64", &amd64), ("arm64", &arm64)]).unwrap();
        let multi = goblin::mach::MultiArch::new(&fat).unwrap();
        let arches = multi.arches().unwrap();
        assert_eq!(arches.len(), 2);
        assert_eq!(arches[0].cputype, CPU_TYPE_X86_64);
        assert_eq!(arches[1].cputype, CPU_TYPE_ARM64);
        assert_eq!(arches[1].slice(&fat), &arm64[..]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let amd64 = thin(CPU_TYPE_X86_64, 3, 64);
        assert_eq!(
            build_universal(&[("elf", b"\x7fELF\x02\x01\x01\0\0\0\0\0")]),
            Err(UniversalError::NotMacho {
                label: "elf".to_owned()
            })
        );
        assert!(matches!(
            build_universal(&[("a", &amd64), ("b", &amd64)]),
            Err(UniversalError::DuplicateArch { .. })
        ));
        assert_eq!(build_universal(&[]), Err(UniversalError::Empty));
        assert!(matches!(
            build_universal(&[("short", &amd64[..6])]),
            Err(UniversalError::NotMacho { .. })
        ));
    }
}
