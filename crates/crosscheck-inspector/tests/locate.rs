//! `locate` on real Go binaries of every container format, checked against where Go is known to
//! put its build info, and on hostile input (the malformed corpus, truncations, bit flips).

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::{TestResult, go_fixture, our_panics, record_our_panics};
use crosscheck_inspector::{Location, locate};
use proptest::prelude::*;

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";

fn find(haystack: &[u8], needle: &[u8]) -> Option<u64> {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p as u64)
}

/// `readelf -S -W`: the file offset of `section`, an independent reading of the section table.
fn readelf_offset(path: &Path, section: &str) -> TestResult<u64> {
    let text = common::readelf(&["-S", "-W"], path)?;
    for line in text.lines() {
        let fields: Vec<&str> = line
            .split(|c: char| c == ']' || c.is_whitespace())
            .filter(|f| !f.is_empty())
            .collect();
        if let Some(i) = fields.iter().position(|f| *f == section) {
            // name, type, address, offset
            let offset = fields.get(i + 3).ok_or("short readelf line")?;
            return Ok(u64::from_str_radix(offset, 16)?);
        }
    }
    Err(format!("readelf shows no {section} in {}", path.display()).into())
}

#[test]
fn the_build_info_blob_is_found_in_its_section_of_every_format() -> TestResult {
    for (fixture, section) in [
        ("linux-amd64", ".go.buildinfo"),
        ("linux-386", ".go.buildinfo"),
        ("linux-ppc64", ".go.buildinfo"),
        ("darwin-arm64", "__DATA,__go_buildinfo"),
        ("windows-amd64", ".data"),
        ("windows-386", ".data"),
    ] {
        let path = go_fixture(fixture)?;
        let bytes = std::fs::read(&path)?;
        let magic = find(&bytes, BUILDINFO_MAGIC).ok_or_else(|| format!("{fixture}: no magic"))?;
        let found = locate(&bytes, magic + 3);
        let Some(Location {
            section: got,
            section_offset,
        }) = found
        else {
            return Err(format!("{fixture}: offset {magic:#x} not located").into());
        };
        assert_eq!(got, section, "{fixture}");
        if section == ".go.buildinfo" {
            // Go puts the blob at the start of its section; readelf agrees on where that is.
            assert_eq!(section_offset, 3, "{fixture}");
            assert_eq!(readelf_offset(&path, section)?, magic, "{fixture}");
        } else {
            assert!(section_offset >= 3, "{fixture}: {section_offset}");
        }
    }
    Ok(())
}

#[test]
fn every_offset_of_an_elf_lands_in_the_section_readelf_lists() -> TestResult {
    let path = go_fixture("linux-amd64")?;
    let bytes = std::fs::read(&path)?;
    for section in [".text", ".rodata", ".gopclntab", ".noptrdata", ".data"] {
        let start = readelf_offset(&path, section)?;
        let located = locate(&bytes, start + 17);
        assert_eq!(
            located,
            Some(Location {
                section: section.to_owned(),
                section_offset: 17
            })
        );
    }
    assert_eq!(
        locate(&bytes, 2).map(|l| l.section),
        Some("ELF header".to_owned())
    );
    assert_eq!(locate(&bytes, bytes.len() as u64), None);
    Ok(())
}

#[test]
fn wasm_data_and_code_are_named() -> TestResult {
    for fixture in ["js-wasm", "wasip1-wasm"] {
        let bytes = std::fs::read(go_fixture(fixture)?)?;
        // The modinfo text sits verbatim in a data segment (Go's wasm linker drops the blob).
        let modinfo = find(&bytes, b"path\t").ok_or_else(|| format!("{fixture}: no modinfo"))?;
        assert_eq!(
            locate(&bytes, modinfo).map(|l| l.section),
            Some("data".to_owned()),
            "{fixture}"
        );
        assert_eq!(
            locate(&bytes, 3).map(|l| l.section),
            Some("wasm header".to_owned())
        );
        let code = (8..bytes.len() as u64)
            .step_by(4096)
            .filter_map(|o| locate(&bytes, o))
            .any(|l| l.section == "code");
        assert!(code, "{fixture}: no offset located in the code section");
    }
    Ok(())
}

fn assert_no_panics() {
    let panics = our_panics();
    assert!(panics.is_empty(), "locate panicked: {panics:#?}");
}

#[test]
fn the_malformed_corpus_never_panics() -> TestResult {
    record_our_panics();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/malformed");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|x| x != "bin") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        for offset in 0..bytes.len() as u64 + 1 {
            let _ = locate(&bytes, offset);
        }
        let _ = locate(&bytes, u64::MAX);
        files += 1;
    }
    assert!(files >= 30, "only {files} corpus files");
    assert_no_panics();
    Ok(())
}

fn fixtures() -> &'static Vec<Vec<u8>> {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        ["linux-amd64", "windows-386", "darwin-arm64", "wasip1-wasm"]
            .iter()
            .map(|name| {
                go_fixture(name)
                    .and_then(|p| Ok(std::fs::read(p)?))
                    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_binaries_never_panic(
        which in 0usize..4,
        cut in 0usize..(1 << 20),
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 0..8),
        probe in any::<u64>(),
    ) {
        record_our_panics();
        let mut bytes = fixtures()[which].clone();
        bytes.truncate(cut.max(4));
        for (at, value) in flips {
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= value;
            }
        }
        let len = bytes.len() as u64;
        for offset in [0, probe % len.max(1), len / 2, len.saturating_sub(1), probe] {
            let _ = locate(&bytes, offset);
        }
        assert_no_panics();
    }
}
