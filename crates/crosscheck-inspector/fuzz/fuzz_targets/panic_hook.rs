//! The panic hook both fuzz targets install. The inspector catches parser panics and reports
//! them as malformed input, which would hide them from libFuzzer: this hook aborts on any panic
//! raised in crosscheck-inspector's own sources, making it a crash libFuzzer records. With
//! `CROSSCHECK_FUZZ_ALL_PANICS=1` it aborts on panics in dependencies (goblin, the rpm, tar
//! and decompression crates) too: contained in production, but worth reporting upstream.

use std::sync::Once;

static HOOK: Once = Once::new();

/// Installs the hook, once per process.
pub fn install() {
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
}
