//! C and cgo fixtures built with zig (`pip install ziglang`): glibc version pins, musl static
//! linking, Windows DLL imports and macOS Mach-O images. These tests fail, never skip, when zig
//! is missing; the error says how to install it.

mod common;

use common::{TestResult, go_cgo_fixture, readelf, zig_c_fixture};
use crosscheck_inspector::{
    Expectation, Format, Libc, Policy, Rule, StaticPolicy, check, inspect_bytes, inspect_path,
};

/// Every `GLIBC_*` name `readelf -V` prints, sorted.
fn readelf_glibc(path: &std::path::Path) -> TestResult<Vec<String>> {
    let text = readelf(&["-VW"], path)?;
    let mut v: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.starts_with("GLIBC_"))
        .map(str::to_owned)
        .collect();
    v.sort();
    v.dedup();
    Ok(v)
}

#[test]
fn glibc_pins_give_glibc_min() -> TestResult {
    for (name, target, args, want) in [
        ("glibc217", "x86_64-linux-gnu.2.17", &[][..], "2.17"),
        (
            "glibc228",
            "x86_64-linux-gnu.2.28",
            &["-DUSE_STATX"][..],
            "2.28",
        ),
    ] {
        let path = zig_c_fixture(name, "glibc.c", target, args)?;
        let r = inspect_path(&path)?;
        assert_eq!(r.glibc_min.as_deref(), Some(want), "{name}");
        let mut ours: Vec<String> = r
            .symbol_versions
            .iter()
            .filter(|v| v.starts_with("GLIBC_"))
            .cloned()
            .collect();
        ours.sort();
        assert_eq!(ours, readelf_glibc(&path)?, "{name}");
        assert_eq!(r.libc, Libc::Glibc);
        assert!(
            r.libraries.iter().any(|l| l == "libc.so.6"),
            "{:?}",
            r.libraries
        );
        assert_eq!(r.goos.as_deref(), Some("linux"));
        assert!(r.go.is_none(), "C is not Go");
        let ceiling = Policy {
            max_glibc: Some("2.17".into()),
            ..Policy::default()
        };
        let v = check(&r, None, &ceiling);
        if want == "2.17" {
            assert!(v.is_empty(), "{v:?}");
        } else {
            assert_eq!(v.len(), 1, "{v:?}");
            assert!(v[0].rule == Rule::MaxGlibc && v[0].message.contains("GLIBC_2.28"));
        }
    }
    Ok(())
}

/// With the section headers gone (sstrip-style), the version needs come from DT_VERNEED.
#[test]
fn glibc_min_survives_removed_section_headers() -> TestResult {
    let path = zig_c_fixture(
        "glibc228",
        "glibc.c",
        "x86_64-linux-gnu.2.28",
        &["-DUSE_STATX"],
    )?;
    let mut bytes = std::fs::read(&path)?;
    // ELF64: e_shoff at 0x28 (8 bytes), e_shnum at 0x3c, e_shstrndx at 0x3e.
    bytes[0x28..0x30].fill(0);
    bytes[0x3c..0x40].fill(0);
    let r = inspect_bytes("no-sections", &bytes)?;
    assert_eq!(r.glibc_min.as_deref(), Some("2.28"));
    assert!(r.stripped, "no section headers means no symbol table");
    assert_eq!(r.libraries, inspect_path(&path)?.libraries);
    Ok(())
}

#[test]
fn musl_static_c_binary() -> TestResult {
    let path = zig_c_fixture("musl-static", "hello.c", "x86_64-linux-musl", &["-static"])?;
    let r = inspect_path(&path)?;
    assert!(
        r.is_static && r.interpreter.is_none() && r.libraries.is_empty(),
        "{r:?}"
    );
    assert_eq!(r.libc, Libc::None);
    assert_eq!(r.glibc_min, None);
    assert_eq!(r.goarch.as_deref(), Some("amd64"));
    let strict = Policy {
        r#static: Some(StaticPolicy::Required),
        ..Policy::default()
    };
    assert!(check(&r, None, &strict).is_empty());
    Ok(())
}

#[test]
fn windows_dll_imports_are_lowercased() -> TestResult {
    let path = zig_c_fixture(
        "windows-c",
        "windows.c",
        "x86_64-windows-gnu",
        &["-luser32", "-ladvapi32"],
    )?;
    let r = inspect_path(&path)?;
    assert_eq!(r.format, Format::Pe);
    for dll in ["user32.dll", "advapi32.dll", "kernel32.dll"] {
        assert!(
            r.libraries.iter().any(|l| l == dll),
            "{dll} not in {:?}",
            r.libraries
        );
    }
    assert!(r.libraries.iter().all(|l| *l == l.to_lowercase()));
    // zig links the UCRT (api-ms-win-crt-*) or msvcrt: a C runtime.
    assert_eq!(r.libc, Libc::Other, "{:?}", r.libraries);
    let policy = Policy {
        allowed_libraries: Some(vec![
            "KERNEL32.DLL".into(),
            "ntdll.dll".into(),
            "api-ms-win-crt-*".into(),
            "msvcrt.dll".into(),
        ]),
        forbidden_libraries: Some(vec!["USER32.dll".into()]),
        ..Policy::default()
    };
    let rules: Vec<Rule> = check(&r, None, &policy)
        .into_iter()
        .map(|v| v.rule)
        .collect();
    assert!(rules.contains(&Rule::ForbiddenLibrary), "{rules:?}");
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == Rule::LibraryNotAllowed)
            .count(),
        2,
        "user32 and advapi32: {rules:?}"
    );
    Ok(())
}

#[test]
fn macos_c_binaries() -> TestResult {
    for (name, target, goarch) in [
        ("macos-arm64", "aarch64-macos", "arm64"),
        ("macos-amd64", "x86_64-macos", "amd64"),
    ] {
        let path = zig_c_fixture(name, "hello.c", target, &[])?;
        let r = inspect_path(&path)?;
        assert_eq!(r.format, Format::Macho, "{name}");
        assert_eq!(r.goos.as_deref(), Some("darwin"), "{name}");
        assert_eq!(r.goarch.as_deref(), Some(goarch), "{name}");
        assert!(
            r.libraries.iter().any(|l| l.contains("libSystem")),
            "{:?}",
            r.libraries
        );
        assert!(!r.is_static);
        assert!(r.macos_min.is_some(), "{name}: {:?}", r.macho);
        assert!(r.go.is_none());
        if goarch == "arm64" {
            // The linker signs arm64 images ad hoc; macOS refuses unsigned arm64 code.
            assert!(r.code_signature.is_some(), "{name}");
            assert!(check(&r, None, &Policy::default()).is_empty());
        }
    }
    Ok(())
}

#[test]
fn cgo_glibc_binary_meets_its_expectation() -> TestResult {
    let path = go_cgo_fixture("cgo-glibc217", "x86_64-linux-gnu.2.17", &[])?;
    let r = inspect_path(&path)?;
    assert_eq!(r.build_setting("CGO_ENABLED"), Some("1"));
    assert_eq!(r.libc, Libc::Glibc);
    assert!(
        r.libraries.iter().any(|l| l == "libc.so.6"),
        "{:?}",
        r.libraries
    );
    assert!(
        r.glibc_min
            .as_deref()
            .is_some_and(|v| crosscheck_inspector::compare_versions(v, "2.17").is_le()),
        "{:?}",
        r.glibc_min
    );
    let e = Expectation {
        goos: "linux".into(),
        goarch: "amd64".into(),
        variant: Some(("GOAMD64".into(), "v1".into())),
        cgo: true,
        libc: Some("gnu".into()),
        trimpath: Some(false),
    };
    let policy = Policy {
        r#static: Some(StaticPolicy::Auto),
        max_glibc: Some("2.17".into()),
        ..Policy::default()
    };
    let v = check(&r, Some(&e), &policy);
    assert!(v.is_empty(), "{v:?}");
    // The same binary is not what a musl build should produce.
    let musl = Expectation {
        libc: Some("musl".into()),
        ..e
    };
    let rules: Vec<Rule> = check(&r, Some(&musl), &policy)
        .into_iter()
        .map(|v| v.rule)
        .collect();
    assert_eq!(rules, [Rule::LibcMismatch, Rule::NotStatic]);
    Ok(())
}

#[test]
fn cgo_musl_static_binary_meets_its_expectation() -> TestResult {
    let path = go_cgo_fixture(
        "cgo-musl-static",
        "x86_64-linux-musl",
        &["-ldflags=-linkmode=external -extldflags=-static"],
    )?;
    let r = inspect_path(&path)?;
    assert!(r.is_static, "{:?} {:?}", r.interpreter, r.libraries);
    assert_eq!(r.build_setting("CGO_ENABLED"), Some("1"));
    let e = Expectation {
        goos: "linux".into(),
        goarch: "amd64".into(),
        variant: None,
        cgo: true,
        libc: Some("musl".into()),
        trimpath: Some(false),
    };
    let v = check(&r, Some(&e), &Policy::default());
    assert!(v.is_empty(), "{v:?}");
    Ok(())
}
