//! Fuzzes the inspector entry point with arbitrary bytes. The inspector catches parser panics
//! and reports them as `malformed`, so a plain run would hide them: this target installs a panic
//! hook that aborts on any panic raised in crosscheck-inspector's own sources, making it a crash
//! libFuzzer records. Set `CROSSCHECK_FUZZ_ALL_PANICS=1` to abort on goblin's panics too (they
//! are contained in production, but worth reporting upstream).
//! Seed the corpus with `tests/corpus/malformed/*.bin` and a few real Go binaries.

#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        let all = std::env::var_os("CROSSCHECK_FUZZ_ALL_PANICS").is_some();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info
                .location()
                .is_some_and(|l| l.file().contains("crosscheck-inspector/src"));
            if all || ours {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
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
