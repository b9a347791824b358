//! The committed corpus of malformed, truncated and unknown files (written by
//! `scripts/make-malformed-corpus`): each gives the recorded outcome, a `malformed` error, a
//! `format: unknown` report or a Mach-O whose code signature is malformed, and no parser panics on the way (not even one that `catch_unwind`
//! would have turned into an error).

use std::path::Path;
use std::sync::Mutex;

use crosscheck_inspector::{Format, InspectError, SignatureProblem, inspect_path};

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[test]
fn every_corpus_file_is_malformed_or_unknown_without_panicking() -> Result<(), String> {
    // Record every panic, including those the inspector catches internally.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut p) = PANICS.lock() {
            p.push(info.to_string());
        }
    }));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/malformed");
    let manifest = std::fs::read_to_string(dir.join("expected.tsv")).map_err(|e| e.to_string())?;
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (Some(file), Some(outcome)) = (cols.next(), cols.next()) else {
            return Err(format!("bad manifest line {line:?}"));
        };
        let got = match inspect_path(&dir.join(file)) {
            Ok(r) if r.format == Format::Unknown => "unknown".to_owned(),
            Ok(r) if r.code_signature.as_ref().is_some_and(|s| !s.valid) => {
                match r.code_signature.and_then(|s| s.reason) {
                    Some(SignatureProblem::Malformed) => "signature-malformed".to_owned(),
                    Some(SignatureProblem::UnsupportedAlgorithm) => {
                        "signature-unsupported".to_owned()
                    }
                    other => format!("signature {other:?}"),
                }
            }
            Ok(r) => format!("parsed as {}", r.format),
            Err(InspectError::Malformed { .. }) => "malformed".to_owned(),
            Err(e) => format!("error {e}"),
        };
        if got != outcome {
            failures.push(format!("{file}: expected {outcome}, got {got}"));
        }
        checked += 1;
    }
    let files = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .count();
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 30, "only {checked} corpus files");
    assert_eq!(checked, files, "expected.tsv and the .bin files disagree");
    let panics = PANICS.lock().map_err(|e| e.to_string())?;
    assert!(panics.is_empty(), "parsers panicked: {panics:#?}");
    Ok(())
}
