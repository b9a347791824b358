//! Apple code signatures on real Go output: Go's linker ad-hoc signs darwin/arm64 (with
//! `cmd/internal/codesign`, the same algorithm as Apple's linker), so a fresh build must verify,
//! and the same build with one byte of `__text` changed must not, with the right page named.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::{TestResult, go_fixture};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crosscheck_inspector::{
    CodeSignature, Expectation, Format, InspectOptions, Policy, Report, Rule, SignatureProblem,
    check, inspect_bytes_with, locate,
};

const PAGE: u64 = 4096;
const CPU_AMD64: u32 = 0x0100_0007;
const CPU_ARM64: u32 = 0x0100_000c;

fn inspect(label: &str, bytes: &[u8]) -> TestResult<Report> {
    let opts = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    Ok(inspect_bytes_with(label, bytes, &opts)?)
}

fn signature(r: &Report) -> TestResult<&CodeSignature> {
    r.code_signature
        .as_ref()
        .ok_or_else(|| format!("{}: no code signature", r.path).into())
}

/// File offset of the embedded signature, found without the inspector: the last SuperBlob
/// magic in the file (Go's linker puts the signature at the very end of `__LINKEDIT`).
fn superblob_offset(bytes: &[u8]) -> TestResult<u64> {
    let at = bytes
        .windows(4)
        .rposition(|w| w == [0xfa, 0xde, 0x0c, 0xc0])
        .ok_or("no SuperBlob magic in the file")?;
    Ok(at as u64)
}

/// An offset well inside `__TEXT,__text` (checked with `locate`): a few pages after the Go
/// build ID, which the linker writes at the start of the text.
fn text_offset(bytes: &[u8]) -> TestResult<usize> {
    let id = bytes
        .windows(16)
        .position(|w| w == b"\xff Go build ID: \"")
        .ok_or("no Go build ID")?;
    let at = id + 5 * PAGE as usize + 123;
    let loc = locate(bytes, at as u64).ok_or("offset in no section")?;
    if loc.section != "__TEXT,__text" {
        return Err(format!("offset {at:#x} is in {}, not __text", loc.section).into());
    }
    Ok(at)
}

fn darwin_arm64() -> TestResult<Vec<u8>> {
    Ok(std::fs::read(go_fixture("darwin-arm64")?)?)
}

/// The darwin/arm64 fixture with one byte of `__text` flipped, and that byte's offset.
fn altered_darwin_arm64() -> TestResult<(Vec<u8>, usize)> {
    let mut bytes = darwin_arm64()?;
    let at = text_offset(&bytes)?;
    bytes[at] ^= 0x40;
    Ok((bytes, at))
}

#[test]
fn go_linker_signature_verifies_as_built() -> TestResult {
    let bytes = darwin_arm64()?;
    let r = inspect("darwin-arm64", &bytes)?;
    let sig = signature(&r)?;
    assert!(sig.valid, "{sig:?}");
    assert_eq!((sig.reason, sig.detail.as_deref()), (None, None));
    assert_eq!(sig.kind, "macho-adhoc");
    assert_eq!(sig.digest_algorithm.as_deref(), Some("sha256"));
    assert_eq!(sig.signer, None);
    let apple = sig.apple.as_ref().ok_or("no apple facts")?;
    // Go's linker names every binary "a.out" (cmd/link/internal/ld/macho.go), whatever -o says.
    assert_eq!(apple.identifier, "a.out");
    assert_eq!(apple.team_id, None);
    assert_eq!(apple.version, "0x20400");
    assert_eq!(apple.flags, "0x20002");
    assert!(apple.adhoc && apple.linker_signed && !apple.hardened_runtime);
    assert_eq!(apple.page_size, PAGE);
    // The linker hashes everything before the signature.
    let sig_at = superblob_offset(&bytes)?;
    assert_eq!(apple.code_limit, sig_at);
    assert_eq!(apple.pages, sig_at.div_ceil(PAGE));
    assert!(apple.pages > 100, "{apple:?}");
    assert_eq!(apple.first_mismatched_page, None);
    let v = check(&r, None, &Policy::default());
    assert!(v.is_empty(), "{v:?}");
    Ok(())
}

#[test]
fn one_changed_text_byte_breaks_the_signature_at_its_page() -> TestResult {
    let (bytes, at) = altered_darwin_arm64()?;
    let r = inspect("altered", &bytes)?;
    let sig = signature(&r)?;
    assert!(!sig.valid);
    assert_eq!(sig.reason, Some(SignatureProblem::DigestMismatch));
    let apple = sig.apple.as_ref().ok_or("no apple facts")?;
    let page = at as u64 / PAGE;
    assert_eq!(apple.first_mismatched_page, Some(page));
    let want = format!(
        "page {page} of {} (bytes {:#x}..{:#x}) does not match its sha256 hash",
        apple.pages,
        page * PAGE,
        (page + 1) * PAGE
    );
    assert_eq!(sig.detail.as_deref(), Some(want.as_str()));
    let v = check(&r, None, &Policy::default());
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, Rule::InvalidSignature);
    assert!(v[0].message.contains(&want), "{}", v[0].message);
    Ok(())
}

#[test]
fn a_change_inside_the_signature_or_past_the_code_limit_is_caught_or_harmless() -> TestResult {
    let bytes = darwin_arm64()?;
    let sig_at = usize::try_from(superblob_offset(&bytes)?)?;
    // A flipped byte in the last page hash: the last page no longer matches.
    let mut last_hash = bytes.clone();
    let end = last_hash.len() - 1;
    last_hash[end] ^= 1;
    let r = inspect("hash", &last_hash)?;
    let sig = signature(&r)?;
    assert_eq!(
        sig.reason,
        Some(SignatureProblem::DigestMismatch),
        "{sig:?}"
    );
    let apple = sig.apple.as_ref().ok_or("no apple facts")?;
    assert_eq!(apple.first_mismatched_page, Some(apple.pages - 1));
    // A SuperBlob whose blob count is absurd: malformed, not a panic and not valid.
    let mut absurd = bytes.clone();
    absurd[sig_at + 8..sig_at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    let r = inspect("absurd", &absurd)?;
    assert_eq!(signature(&r)?.reason, Some(SignatureProblem::Malformed));
    // A CodeDirectory claiming four billion code slots.
    let mut slots = bytes.clone();
    let cd = sig_at + 20;
    slots[cd + 28..cd + 32].copy_from_slice(&u32::MAX.to_be_bytes());
    let r = inspect("slots", &slots)?;
    let sig = signature(&r)?;
    assert_eq!(sig.reason, Some(SignatureProblem::Malformed), "{sig:?}");
    // The file cut inside the signature: the format parser or the verifier says so.
    let cut = &bytes[..sig_at + 40];
    match inspect("cut", cut) {
        Ok(r) => assert_eq!(signature(&r)?.reason, Some(SignatureProblem::Malformed)),
        Err(e) => assert!(e.to_string().contains("malformed"), "{e}"),
    }
    Ok(())
}

fn write_fat(dir: &Path, name: &str, slices: &[(u32, &[u8])]) -> TestResult<Vec<u8>> {
    let out = dir.join(format!("{name}-{}", std::process::id()));
    common::write_fat(&out, slices, false)?;
    let bytes = std::fs::read(&out)?;
    std::fs::remove_file(&out)?;
    Ok(bytes)
}

#[test]
fn a_fat_file_is_invalid_where_one_slice_is() -> TestResult {
    let amd = std::fs::read(go_fixture("darwin-amd64")?)?;
    let arm = darwin_arm64()?;
    let (altered, _) = altered_darwin_arm64()?;
    let dir = common::cache_dir();
    std::fs::create_dir_all(&dir)?;

    // Go signs only arm64: the intact file has no top-level signature (not every slice has
    // one), and nothing fails.
    let intact = inspect(
        "fat",
        &write_fat(&dir, "fat-intact", &[(CPU_AMD64, &amd), (CPU_ARM64, &arm)])?,
    )?;
    assert_eq!(intact.format, Format::MachoFat);
    assert!(intact.code_signature.is_none());
    assert!(signature(&intact.slices[1])?.valid);

    let broken = inspect(
        "fat",
        &write_fat(
            &dir,
            "fat-broken",
            &[(CPU_AMD64, &amd), (CPU_ARM64, &altered)],
        )?,
    )?;
    let top = signature(&broken)?;
    assert!(!top.valid);
    assert_eq!(top.reason, Some(SignatureProblem::DigestMismatch));
    let detail = top.detail.as_deref().unwrap_or_default();
    assert!(detail.starts_with("arm64 slice: page "), "{detail}");
    assert!(broken.slices[0].code_signature.is_none());
    assert!(!signature(&broken.slices[1])?.valid);
    let e = Expectation {
        goos: "darwin".into(),
        goarch: "arm64".into(),
        ..Expectation::default()
    };
    let v = check(&broken, Some(&e), &Policy::default());
    let invalid: Vec<_> = v
        .iter()
        .filter(|v| v.rule == Rule::InvalidSignature)
        .collect();
    assert_eq!(invalid.len(), 1, "{v:?}");
    assert!(
        invalid[0].message.contains("darwin arm64"),
        "{}",
        invalid[0].message
    );
    Ok(())
}

#[test]
fn in_a_fat_file_of_signed_slices_only_the_altered_one_fails() -> TestResult {
    let arm = darwin_arm64()?;
    let stripped = std::fs::read(go_fixture("darwin-arm64-stripped")?)?;
    let (altered, _) = altered_darwin_arm64()?;
    let dir = common::cache_dir();
    std::fs::create_dir_all(&dir)?;
    let good = inspect(
        "fat",
        &write_fat(
            &dir,
            "fat-signed",
            &[(CPU_ARM64, &stripped), (CPU_ARM64, &arm)],
        )?,
    )?;
    let top = signature(&good)?;
    assert!(top.valid, "{top:?}");
    let bad = inspect(
        "fat",
        &write_fat(
            &dir,
            "fat-signed-broken",
            &[(CPU_ARM64, &stripped), (CPU_ARM64, &altered)],
        )?,
    )?;
    assert!(signature(&bad.slices[0])?.valid);
    assert!(!signature(&bad.slices[1])?.valid);
    assert!(!signature(&bad)?.valid);
    Ok(())
}

#[test]
fn every_signature_key_is_documented() -> TestResult {
    let r = inspect("darwin-arm64", &darwin_arm64()?)?;
    let v = serde_json::to_value(signature(&r)?)?;
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inspect.md"),
    )?;
    let sig = v.as_object().ok_or("code_signature is not an object")?;
    let apple = v["apple"].as_object().ok_or("apple is not an object")?;
    let keys = sig
        .keys()
        .map(|k| format!("`code_signature.{k}`"))
        .chain(apple.keys().map(|k| format!("`apple.{k}`")));
    for key in keys {
        assert!(
            docs.contains(&key),
            "docs/inspect.md does not document {key}"
        );
    }
    assert!(docs.contains("### `code_signature`: Apple"));
    assert!(docs.contains("| `packed` |"));
    Ok(())
}

/// The darwin/arm64 fixture and its signature's offset, read once for the property tests.
fn signed_fixture() -> &'static (Vec<u8>, usize) {
    static F: OnceLock<(Vec<u8>, usize)> = OnceLock::new();
    F.get_or_init(|| {
        let bytes = darwin_arm64().unwrap_or_else(|e| panic!("darwin/arm64 fixture: {e}"));
        let sig = superblob_offset(&bytes)
            .ok()
            .and_then(|at| usize::try_from(at).ok())
            .unwrap_or_else(|| panic!("darwin/arm64 fixture has no SuperBlob"));
        (bytes, sig)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any change to the signed bytes past the load commands is found, at the page of the
    /// first changed byte.
    #[test]
    fn any_changed_code_byte_is_found_at_its_page(
        spots in prop::collection::vec((0.0f64..1.0, 0u8..8), 1..4),
    ) {
        let (original, sig_at) = signed_fixture();
        let mut bytes = original.clone();
        let first_signed = PAGE as usize;
        let span = (sig_at - first_signed) as f64;
        let mut offsets = Vec::new();
        for (frac, bit) in spots {
            let at = first_signed + (frac * span) as usize;
            bytes[at] ^= 1 << bit;
            offsets.push(at);
        }
        let first = offsets.iter().min().copied().unwrap_or_default() as u64;
        let r = inspect("mutated", &bytes);
        prop_assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
        let r = r.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sig = r.code_signature.as_ref();
        prop_assert_eq!(sig.and_then(|s| s.reason), Some(SignatureProblem::DigestMismatch));
        let page = sig.and_then(|s| s.apple.as_ref()).and_then(|a| a.first_mismatched_page);
        prop_assert_eq!(page, Some(first / PAGE), "bytes changed at {:?}", offsets);
    }

    /// Bit flips inside the signature never panic (a panic would surface as a `malformed`
    /// error of the whole file): the file is still inspected, whatever the signature says.
    #[test]
    fn bit_flips_in_the_signature_never_panic(
        spots in prop::collection::vec((0.0f64..1.0, 0u8..8), 1..6),
    ) {
        let (original, sig_at) = signed_fixture();
        let mut bytes = original.clone();
        let span = (bytes.len() - sig_at) as f64;
        for (frac, bit) in spots {
            let at = sig_at + ((frac * span) as usize).min(bytes.len() - sig_at - 1);
            bytes[at] ^= 1 << bit;
        }
        let r = inspect("flipped", &bytes);
        prop_assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
    }
}
