//! UPX-packed Go binaries, packed at test time by the real `upx` (Debian `upx-ucl`), for each
//! format UPX packs: ELF, PE and Mach-O (amd64 and arm64; UPX 4 needs `--force-macos`).

mod common;

use common::{TestResult, go_fixture, upx_fixture};
use crosscheck_inspector::{InspectOptions, Policy, Rule, check, inspect_path_with};

/// Fixtures UPX can pack, and the unpacked originals.
const PACKABLE: &[&str] = &[
    "linux-amd64",
    "windows-amd64",
    "darwin-amd64",
    "darwin-arm64",
];

fn inspect(path: &std::path::Path) -> TestResult<crosscheck_inspector::Report> {
    let opts = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    Ok(inspect_path_with(path, &opts)?)
}

fn forbid_packed() -> Policy {
    Policy {
        forbid_packed: Some(true),
        ..Policy::default()
    }
}

#[test]
fn upx_packed_binaries_are_reported_and_forbidden_on_request() -> TestResult {
    for name in PACKABLE {
        let r = inspect(&upx_fixture(name)?)?;
        assert_eq!(r.packed.as_deref(), Some("upx"), "{name}");
        let v = check(&r, None, &forbid_packed());
        let packed: Vec<_> = v.iter().filter(|v| v.rule == Rule::Packed).collect();
        assert_eq!(packed.len(), 1, "{name}: {v:?}");
        assert_eq!(packed[0].message, "the file is packed with upx");
        // Without the policy, packing alone is no violation.
        let v = check(&r, None, &Policy::default());
        assert!(v.iter().all(|v| v.rule != Rule::Packed), "{name}: {v:?}");
    }
    Ok(())
}

#[test]
fn unpacked_go_binaries_are_not_packed() -> TestResult {
    for name in PACKABLE.iter().chain(&[
        "linux-amd64-stripped",
        "windows-386",
        "darwin-arm64-stripped",
    ]) {
        let r = inspect(&go_fixture(name)?)?;
        assert_eq!(r.packed, None, "{name}");
        let v = check(&r, None, &forbid_packed());
        assert!(v.iter().all(|v| v.rule != Rule::Packed), "{name}: {v:?}");
    }
    Ok(())
}

#[test]
fn packing_darwin_arm64_drops_its_signature() -> TestResult {
    // UPX rewrites the file and leaves no LC_CODE_SIGNATURE: macOS would refuse to run it,
    // and the default policy says so.
    let r = inspect(&upx_fixture("darwin-arm64")?)?;
    assert_eq!(r.packed.as_deref(), Some("upx"));
    assert!(r.code_signature.is_none());
    let v = check(&r, None, &Policy::default());
    assert!(
        v.iter().any(|v| v.rule == Rule::MissingCodeSignature),
        "{v:?}"
    );
    Ok(())
}
