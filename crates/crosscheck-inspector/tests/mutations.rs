//! Property tests: truncating or bit-flipping real Go binaries of every format at any offset
//! never panics in this crate's code and never yields anything but a report or a `malformed`
//! error. goblin panics are tolerated (they are caught and become `malformed`) but any panic
//! located in this crate's sources fails the test.

mod common;

use std::sync::OnceLock;

use common::{TestResult, go_fixture, our_panics, record_our_panics};
use crosscheck_inspector::{InspectError, InspectOptions, inspect_bytes_with};
use proptest::prelude::*;

/// The fixtures, one per container format (plus a dynamic ELF), read once.
fn fixtures() -> &'static Vec<(String, Vec<u8>)> {
    static F: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    F.get_or_init(|| {
        let mut v = Vec::new();
        for name in [
            "linux-amd64-pie",
            "linux-mips",
            "windows-386",
            "darwin-arm64",
            "js-wasm",
            "aix-ppc64",
            "plan9-amd64",
        ] {
            let bytes = go_fixture(name)
                .and_then(|p| Ok(std::fs::read(p)?))
                .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
            v.push((name.to_owned(), bytes));
        }
        // A fat file made of the two darwin slices' first bytes is not useful; build a real one.
        let amd = go_fixture("darwin-amd64").and_then(|p| Ok(std::fs::read(p)?));
        let arm = v
            .iter()
            .find(|(n, _)| n == "darwin-arm64")
            .map(|(_, b)| b.clone());
        if let (Ok(amd), Some(arm)) = (amd, arm) {
            let out = common::cache_dir().join(format!("mutations-fat-{}", std::process::id()));
            if common::write_fat(&out, &[(0x0100_0007, &amd), (0x0100_000c, &arm)], true).is_ok()
                && let Ok(b) = std::fs::read(&out)
            {
                v.push(("fat64".to_owned(), b));
            }
            let _ = std::fs::remove_file(&out);
        }
        v
    })
}

fn opts() -> InspectOptions {
    InspectOptions {
        hash: false,
        ..InspectOptions::default()
    }
}

/// Inspects `bytes` and checks the outcome is a report or a malformed error, with no panic of ours.
fn check_outcome(what: &str, bytes: &[u8]) -> Result<(), String> {
    match inspect_bytes_with(what, bytes, &opts()) {
        Ok(_) | Err(InspectError::Malformed { .. }) => {}
        Err(e) => return Err(format!("{what}: unexpected error {e}")),
    }
    let panics = our_panics();
    if !panics.is_empty() {
        return Err(format!(
            "{what}: panicked in crosscheck-inspector: {panics:?}"
        ));
    }
    Ok(())
}

#[test]
fn fixtures_are_whole_before_mutation() -> TestResult {
    let f = fixtures();
    assert_eq!(
        f.len(),
        8,
        "every fixture, including the fat one, must be available"
    );
    for (name, bytes) in f {
        let r = inspect_bytes_with(name, bytes, &opts())?;
        assert!(r.go.is_some(), "{name}");
    }
    Ok(())
}

#[test]
fn truncating_headers_at_every_offset_never_panics() -> Result<(), String> {
    record_our_panics();
    for (name, bytes) in fixtures() {
        for cut in (0..bytes.len().min(4096)).step_by(3) {
            check_outcome(&format!("{name} cut at {cut}"), &bytes[..cut])?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip(Vec<(usize, u8)>),
}

/// Offsets in the first 64 KiB (headers, load commands, sections tables) half of the time,
/// anywhere in the file otherwise; expressed as fractions so one strategy fits all sizes.
fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let offset = prop_oneof![
        (0usize..65_536).prop_map(|o| (o, false)),
        (0usize..1_000_000).prop_map(|o| (o, true)),
    ];
    let flips = prop::collection::vec((offset.clone(), 0u8..8), 1..8);
    (
        0usize..8,
        prop_oneof![
            offset.prop_map(|o| Mutation::Truncate(o.0 | usize::from(o.1) << 40)),
            flips.prop_map(|v| Mutation::Flip(
                v.into_iter()
                    .map(|((o, scaled), bit)| (o | usize::from(scaled) << 40, bit))
                    .collect()
            )),
        ],
    )
}

/// Maps an encoded offset (bit 40 set = "fraction of the file in millionths") into `len`.
fn place(encoded: usize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    if encoded >> 40 != 0 {
        let frac = encoded & ((1 << 40) - 1);
        (len as u128 * frac as u128 / 1_000_000) as usize % len
    } else {
        encoded % len
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn truncation_and_bit_flips_never_panic((which, m) in mutation()) {
        record_our_panics();
        let fx = fixtures();
        let (name, original) = &fx[which % fx.len()];
        let mut bytes = original.clone();
        let what = match &m {
            Mutation::Truncate(at) => {
                let at = place(*at, bytes.len());
                bytes.truncate(at);
                format!("{name} truncated at {at}")
            }
            Mutation::Flip(flips) => {
                let len = bytes.len();
                let mut placed = Vec::new();
                for (at, bit) in flips {
                    let at = place(*at, len);
                    bytes[at] ^= 1 << bit;
                    placed.push((at, *bit));
                }
                format!("{name} with bits flipped at {placed:?}")
            }
        };
        let outcome = check_outcome(&what, &bytes);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
    }
}
