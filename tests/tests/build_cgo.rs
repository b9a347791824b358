//! End-to-end tests of cgo cross-compiling with zig, and of `crosscheck doctor`.
//!
//! examples/02-cgo calls a C function; its matrix asks for glibc 2.17 on amd64, static musl
//! on arm64 and Windows. With only zig installed, all three must build. A cold zig cache
//! builds each libc once (minutes); later runs reuse the per-target caches.

mod build_support;

use build_support::*;
use crosscheck_tests::{crosscheck, run};

#[test]
fn cgo_example_builds_for_glibc_musl_and_windows_with_zig() {
    require_zig();
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = build(&["--matrix", "examples/02-cgo/matrix.toml"], dist.path());
    assert_eq!(out.code, 0, "{}", out.snapshot());

    let read = |name: &str| {
        let path = dist.path().join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let gnu = read("cgohello_linux_amd64_cgo_gnu2.17");
    assert_eq!(format_of(&gnu), Format::Elf { machine: EM_X86_64 });
    assert!(
        elf64_has_interpreter(&gnu),
        "the glibc build links dynamically"
    );
    let glibc = max_glibc_version(&gnu);
    assert!(
        glibc.is_some_and(|v| v <= (2, 17)),
        "needs glibc {glibc:?}, more than the 2.17 the target pins"
    );

    let musl = read("cgohello_linux_arm64_cgo_musl");
    assert_eq!(
        format_of(&musl),
        Format::Elf {
            machine: EM_AARCH64
        }
    );
    assert!(
        !elf64_has_interpreter(&musl),
        "the musl build must be static (no PT_INTERP)"
    );

    let windows = read("cgohello_windows_amd64_cgo.exe");
    assert_eq!(
        format_of(&windows),
        Format::Pe {
            machine: IMAGE_FILE_MACHINE_AMD64
        }
    );

    let manifest = manifest(dist.path());
    let mut caches = std::collections::BTreeSet::new();
    for id in [
        "linux/amd64+cgo.gnu2.17",
        "linux/arm64+cgo.musl",
        "windows/amd64+cgo",
    ] {
        let target = manifest_target(&manifest, id);
        assert_eq!(target["status"], "built", "{id}");
        assert_eq!(target["c_compiler"]["kind"], "zig", "{id}");
        let cc = target["env"]["CC"].as_str().unwrap_or_default();
        assert!(cc.contains(" cc -target "), "{id}: CC={cc}");
        caches.insert(
            target["env"]["ZIG_GLOBAL_CACHE_DIR"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(
        caches.len(),
        3,
        "every target has its own zig cache: {caches:?}"
    );
    assert!(
        manifest_target(&manifest, "linux/amd64+cgo.gnu2.17")["env"]["CC"]
            .as_str()
            .is_some_and(|cc| cc.ends_with("x86_64-linux-gnu.2.17")),
        "glibc pin reaches zig"
    );
}

#[test]
fn doctor_says_zig_can_build_the_cgo_example() {
    require_zig();
    let out = run(crosscheck().args(["doctor", "--matrix", "examples/02-cgo/matrix.toml"]));
    assert_eq!(out.code, 0, "{}", out.snapshot());
    assert!(out.stdout.contains("go        go1."), "{}", out.stdout);
    assert!(out.stdout.contains("zig       "), "{}", out.stdout);
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("linux/arm64+cgo.musl"))
        .unwrap_or_default();
    assert!(
        row.contains("yes") && row.contains("zig cc -target aarch64-linux-musl"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("3 of 3 targets can be built on this machine."),
        "{}",
        out.stdout
    );
}

#[test]
fn doctor_fails_and_says_what_to_set_for_a_target_nothing_here_can_build() {
    let project = copy_example("02-cgo");
    write(
        project.path(),
        "matrix.toml",
        "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"netbsd/amd64+cgo\"]\n",
    );
    let out = run(crosscheck()
        .arg("doctor")
        .arg("--matrix")
        .arg(project.path().join("matrix.toml")));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("netbsd/amd64+cgo"))
        .unwrap_or_default();
    assert!(
        row.contains(" no ") && row.contains("set `cc`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("1 of 2 targets can be built"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("cannot be built on this machine"),
        "{}",
        out.stderr
    );
}
