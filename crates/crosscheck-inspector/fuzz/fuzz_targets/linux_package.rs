//! Fuzzes the Linux package reader (deb, rpm, apk) with arbitrary bytes, aborting on panics in
//! the inspector's own sources (`panic_hook.rs`; `CROSSCHECK_FUZZ_ALL_PANICS=1` for those of
//! the rpm, tar, ar and decompression crates too). Seed the corpus with small real packages,
//! e.g. those `tests/linux_packages.rs` builds.

#![no_main]

#[path = "panic_hook.rs"]
mod panic_hook;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    panic_hook::install();
    // Small limits keep each run fast; the caps themselves are under test too.
    let limits = crosscheck_inspector::PackageLimits {
        max_unpacked: 16 << 20,
        max_control: 1 << 20,
        max_files: 10_000,
    };
    let _ = crosscheck_inspector::read_linux_package_with(data, &limits);
});
