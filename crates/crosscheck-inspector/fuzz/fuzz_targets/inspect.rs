//! Fuzzes the inspector entry point with arbitrary bytes, aborting on panics in the inspector's
//! own sources (`panic_hook.rs`; `CROSSCHECK_FUZZ_ALL_PANICS=1` for goblin's too).
//! Seed the corpus with `tests/corpus/malformed/*.bin` and a few real Go binaries.

#![no_main]

#[path = "panic_hook.rs"]
mod panic_hook;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    panic_hook::install();
    let opts = crosscheck_inspector::InspectOptions {
        hash: false,
        ..Default::default()
    };
    if let Ok(report) = crosscheck_inspector::inspect_bytes_with("fuzz", data, &opts) {
        // Exercise the verdict code on whatever the parser produced.
        let policy = crosscheck_inspector::Policy::default();
        let _ = crosscheck_inspector::check(&report, None, &policy);
    }
});
