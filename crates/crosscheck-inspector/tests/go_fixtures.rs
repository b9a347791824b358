//! The inspector against real Go output for many GOOS/GOARCH pairs, checked against independent
//! truth: `go version -m -json`, `go tool buildid`, `readelf`, `sha256sum`, and the parameters
//! each fixture was built with.

mod common;

use std::path::Path;

use common::{GO_TARGETS, TestResult, go_fixture, go_target, go_version, go_version_m};
use crosscheck_inspector::{
    Endian, Expectation, Format, GoInfoSource, GoosSource, InspectOptions, Libc, Policy, Relro,
    Report, Rule, SignatureProblem, StaticPolicy, WindowsSubsystem, check, inspect_path,
    inspect_path_with,
};
use serde_json::Value;

/// What the container must say for a GOOS/GOARCH pair.
fn expected_container(goos: &str, goarch: &str) -> (Format, u8, Endian) {
    let format = match goos {
        "windows" => Format::Pe,
        "darwin" => Format::Macho,
        "js" | "wasip1" => Format::Wasm,
        "aix" => Format::Xcoff,
        "plan9" => Format::Plan9,
        _ => Format::Elf,
    };
    let bits = match goarch {
        "386" | "arm" | "mips" | "mipsle" | "wasm" => 32,
        _ => 64,
    };
    let endian = match goarch {
        "mips" | "mips64" | "ppc64" | "s390x" => Endian::Big,
        _ => Endian::Little,
    };
    (format, bits, endian)
}

/// Inspects without SHA-256: hashing megabytes in an unoptimised test build dominates the run
/// time, and `hashes_and_sizes_match_the_file` covers the hash.
fn inspect_file(path: &Path) -> TestResult<Report> {
    let opts = InspectOptions {
        hash: false,
        ..InspectOptions::default()
    };
    Ok(inspect_path_with(path, &opts)?)
}

fn inspect(name: &str) -> TestResult<Report> {
    inspect_file(&go_fixture(name)?)
}

#[test]
fn every_target_is_identified() -> TestResult {
    let mut failures = Vec::new();
    for t in GO_TARGETS {
        let r = inspect(t.name)?;
        let (format, bits, endian) = expected_container(t.goos, t.goarch);
        let got = (
            r.format,
            r.goos.as_deref(),
            r.goarch.as_deref(),
            r.bits,
            r.endian,
        );
        let want = (
            format,
            Some(t.goos),
            Some(t.goarch),
            Some(bits),
            Some(endian),
        );
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}", t.name));
        }
        if r.goos_source != Some(GoosSource::Buildinfo) {
            failures.push(format!("{}: goos_source {:?}", t.name, r.goos_source));
        }
        if r.go.is_none() {
            failures.push(format!("{}: not recognised as Go", t.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

#[test]
fn linkage_and_hardening_per_os() -> TestResult {
    let mut failures = Vec::new();
    for t in GO_TARGETS {
        let r = inspect(t.name)?;
        let pie_build = t.flags.contains(&"-buildmode=pie");
        // (static, libc, pie, nx)
        let want = match t.goos {
            "linux" if pie_build => (false, Libc::Glibc, true, Some(true)),
            "linux" | "freebsd" => (true, Libc::None, false, Some(true)),
            // No PT_GNU_STACK on these: the binary does not say.
            "netbsd" | "dragonfly" => (true, Libc::None, false, None),
            "openbsd" => (false, Libc::Other, false, None),
            "solaris" | "illumos" => (false, Libc::Other, false, Some(true)),
            "android" => (false, Libc::Other, true, Some(true)),
            "windows" => (false, Libc::None, true, Some(true)),
            "darwin" => (false, Libc::Other, true, Some(true)),
            "js" | "wasip1" => (false, Libc::None, false, None),
            "aix" => (false, Libc::Other, false, None),
            "plan9" => (true, Libc::None, false, None),
            other => return Err(format!("no expectation for {other}").into()),
        };
        let got = (r.is_static, r.libc, r.pie, r.nx);
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}", t.name));
        }
        let want_libs: &[&str] = match t.goos {
            "openbsd" => &["libc.so", "libpthread.so"],
            "solaris" | "illumos" => &["libsendfile.so", "libsocket.so", "libc.so"],
            "windows" => &["kernel32.dll"],
            "js" => &["gojs"],
            "wasip1" => &["wasi_snapshot_preview1"],
            "darwin" => &["/usr/lib/libSystem.B.dylib", "/usr/lib/libresolv.9.dylib"],
            "aix" => &["libc.a(shr_64.o)", "libpthread.a(shr_xpg5_64.o)"],
            _ => &[],
        };
        if r.libraries != want_libs {
            failures.push(format!("{}: libraries {:?}", t.name, r.libraries));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Compares one module of our report with `go version -m -json`'s (which omits empty fields).
fn same_module(ours: Option<&crosscheck_inspector::GoModule>, theirs: &Value) -> bool {
    match (ours, theirs) {
        (None, Value::Null) => true,
        (Some(m), v) if v.is_object() => {
            let replace_ok = same_module(
                m.replace.as_deref(),
                v.get("Replace").unwrap_or(&Value::Null),
            );
            m.path == s(v, "Path")
                && m.version == s(v, "Version")
                && m.sum == s(v, "Sum")
                && replace_ok
        }
        _ => false,
    }
}

#[test]
fn build_info_matches_go_version_m() -> TestResult {
    let mut compared = 0;
    let mut failures = Vec::new();
    for t in GO_TARGETS {
        let path = go_fixture(t.name)?;
        let r = inspect_file(&path)?;
        let Some(go) = &r.go else {
            failures.push(format!("{}: no go info", t.name));
            continue;
        };
        match go_version_m(&path)? {
            Ok(truth) => {
                compared += 1;
                if go.version.as_deref() != Some(s(&truth, "GoVersion")) {
                    failures.push(format!("{}: version {:?}", t.name, go.version));
                }
                if go.path.as_deref() != Some(s(&truth, "Path")) {
                    failures.push(format!("{}: path {:?}", t.name, go.path));
                }
                if !same_module(go.main.as_ref(), &truth["Main"]) {
                    failures.push(format!("{}: main {:?}", t.name, go.main));
                }
                let deps = truth["Deps"].as_array().cloned().unwrap_or_default();
                let deps_ok = deps.len() == go.deps.len()
                    && go
                        .deps
                        .iter()
                        .zip(&deps)
                        .all(|(m, v)| same_module(Some(m), v));
                if !deps_ok {
                    failures.push(format!("{}: deps {:?}", t.name, go.deps));
                }
                let settings: Vec<(String, String)> = truth["Settings"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|kv| (s(kv, "Key").to_owned(), s(kv, "Value").to_owned()))
                    .collect();
                if go.settings.0 != settings {
                    failures.push(format!("{}: settings {:?}", t.name, go.settings));
                }
            }
            Err(why) => {
                // Go cannot read wasm (golang/go#73741) nor plan9/386 (misaligned data offset);
                // the inspector can, so check against the build parameters instead.
                let expected_unreadable =
                    matches!(t.goos, "js" | "wasip1") || t.name == "plan9-386";
                if !expected_unreadable {
                    failures.push(format!("{}: go version -m failed: {why}", t.name));
                }
                let ok = go.version.as_deref() == Some(go_version()?.as_str())
                    && go.path.as_deref() == Some("example.com/hello")
                    && go.settings.get("GOOS") == Some(t.goos)
                    && go.settings.get("GOARCH") == Some(t.goarch)
                    && go.settings.get("CGO_ENABLED") == Some("0")
                    && go.deps.len() == 1;
                if !ok {
                    failures.push(format!("{}: go info {go:?}", t.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        compared >= 25,
        "only {compared} fixtures compared with go version -m"
    );
    Ok(())
}

#[test]
fn build_settings_helper_reads_variants_and_flags() -> TestResult {
    let r = inspect("linux-amd64-v3-trimpath")?;
    assert_eq!(r.build_setting("GOAMD64"), Some("v3"));
    assert_eq!(r.build_setting("-trimpath"), Some("true"));
    assert_eq!(r.build_setting("CGO_ENABLED"), Some("0"));
    let r = inspect("linux-arm")?;
    assert_eq!(r.build_setting("GOARM"), Some("7"));
    assert_eq!(r.build_setting("-trimpath"), None);
    let r = inspect("linux-amd64-pie")?;
    assert_eq!(r.build_setting("-buildmode"), Some("pie"));
    Ok(())
}

#[test]
fn build_ids_match_go_tool_buildid() -> TestResult {
    let mut failures = Vec::new();
    for t in GO_TARGETS {
        let path = go_fixture(t.name)?;
        let r = inspect_file(&path)?;
        let truth = common::go_buildid(&path)?;
        let ours = r.go.as_ref().and_then(|g| g.build_id.clone());
        if ours.as_deref() != Some(truth.as_str()) {
            failures.push(format!(
                "{}: ours {ours:?}, go tool buildid {truth:?}",
                t.name
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

/// The blob's magic overwritten (as obfuscators do): still Go, version from runtime.buildVersion.
#[test]
fn stripped_build_info_is_still_go() -> TestResult {
    for name in ["linux-amd64", "windows-amd64", "darwin-arm64"] {
        let mut bytes = std::fs::read(go_fixture(name)?)?;
        let mut hits = 0;
        while let Some(at) = find(&bytes, b"\xff Go buildinf:") {
            bytes[at..at + 14].fill(0);
            hits += 1;
        }
        assert_eq!(hits, 1, "{name}: blob count");
        let opts = InspectOptions {
            hash: false,
            ..InspectOptions::default()
        };
        let r = crosscheck_inspector::inspect_bytes_with(name, &bytes, &opts)?;
        let go = r.go.as_ref().ok_or("not recognised as Go")?;
        assert_eq!(go.source, GoInfoSource::Heuristic, "{name}");
        assert_eq!(
            go.version.as_deref(),
            Some(go_version()?.as_str()),
            "{name}"
        );
        assert!(go.settings.0.is_empty() && go.path.is_none(), "{name}");
        assert_eq!(r.goos_source, Some(GoosSource::Binary), "{name}");
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn readelf_has(text: &str, needle: &str) -> bool {
    text.lines().any(|l| l.contains(needle))
}

#[test]
fn elf_facts_match_readelf() -> TestResult {
    let mut failures = Vec::new();
    for t in GO_TARGETS
        .iter()
        .filter(|t| expected_container(t.goos, t.goarch).0 == Format::Elf)
    {
        let path = go_fixture(t.name)?;
        let r = inspect_file(&path)?;
        let phdrs = common::readelf(&["-lW"], &path)?;
        let dynamic = common::readelf(&["-dW"], &path)?;
        let sections = common::readelf(&["-SW"], &path)?;
        let header = common::readelf(&["-hW"], &path)?;

        let interp = phdrs
            .lines()
            .find_map(|l| l.split("[Requesting program interpreter: ").nth(1))
            .map(|s| s.trim_end_matches(']').to_owned());
        let needed: Vec<String> = dynamic
            .lines()
            .filter(|l| l.contains("(NEEDED)"))
            .filter_map(|l| {
                l.split('[')
                    .nth(1)
                    .map(|s| s.trim_end_matches(']').to_owned())
            })
            .collect();
        let stack = phdrs
            .lines()
            .find(|l| l.trim_start().starts_with("GNU_STACK"));
        let nx = stack.map(|l| !l.contains("RWE"));
        let relro = if !readelf_has(&phdrs, "GNU_RELRO") {
            Relro::None
        } else if readelf_has(&dynamic, "BIND_NOW")
            || readelf_has(&dynamic, "FLAGS_1") && readelf_has(&dynamic, "NOW")
        {
            Relro::Full
        } else {
            Relro::Partial
        };
        let is_dyn = readelf_has(&header, "DYN (");
        let stripped = !readelf_has(&sections, " .symtab ");
        let debug = readelf_has(&sections, ".debug_") || readelf_has(&sections, ".zdebug_");
        let bits = if readelf_has(&header, "ELF64") {
            64
        } else {
            32
        };

        let ours = (
            r.interpreter.clone(),
            r.libraries.clone(),
            r.nx,
            r.relro,
            r.pie,
            r.stripped,
            r.debug_info,
            r.bits,
        );
        let truth = (
            interp,
            needed,
            nx,
            Some(relro),
            is_dyn,
            stripped,
            debug,
            Some(bits),
        );
        // nx: readelf shows no GNU_STACK on netbsd/dragonfly/openbsd; we say "unknown" there,
        // except that PT_SUNWSTACK counts on solaris (readelf prints it as a raw number).
        let truth = if matches!(t.goos, "solaris" | "illumos") {
            (
                truth.0,
                truth.1,
                Some(true),
                truth.3,
                truth.4,
                truth.5,
                truth.6,
                truth.7,
            )
        } else {
            truth
        };
        if ours != truth {
            failures.push(format!("{}:\n  ours  {ours:?}\n  truth {truth:?}", t.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn stripping_is_detected() -> TestResult {
    let plain = inspect("linux-amd64")?;
    let stripped = inspect("linux-amd64-stripped")?;
    assert!(!plain.stripped && plain.debug_info);
    assert!(stripped.stripped && !stripped.debug_info);
    let plain = inspect("darwin-arm64")?;
    let stripped = inspect("darwin-arm64-stripped")?;
    assert!(!plain.stripped && plain.debug_info, "{plain:?}");
    assert!(stripped.stripped && !stripped.debug_info, "{stripped:?}");
    // Go's windows binaries keep a COFF symbol table and DWARF unless -s -w.
    let win = inspect("windows-amd64")?;
    assert!(!win.stripped && win.debug_info);
    Ok(())
}

#[test]
fn pe_details() -> TestResult {
    for (name, subsystem, raw) in [
        ("windows-amd64", "console", 0x8160),
        ("windows-arm64", "console", 0x8160),
        ("windows-386", "console", 0x8140),
        ("windows-amd64-gui", "gui", 0x8160),
    ] {
        let r = inspect(name)?;
        let pe = r.pe.as_ref().ok_or("no pe details")?;
        assert_eq!(pe.subsystem, subsystem, "{name}");
        assert_eq!(pe.dll_characteristics.raw, raw, "{name}");
        assert!(
            pe.dll_characteristics.aslr && pe.dll_characteristics.nx_compat,
            "{name}"
        );
        assert_eq!(
            pe.dll_characteristics.high_entropy_va,
            raw & 0x20 != 0,
            "{name}"
        );
        assert!(!pe.is_dll && pe.import_count > 30, "{name}: {pe:?}");
        assert!(r.code_signature.is_none(), "{name}");
    }
    Ok(())
}

#[test]
fn macho_details_and_signatures() -> TestResult {
    let arm = inspect("darwin-arm64")?;
    let amd = inspect("darwin-amd64")?;
    let sig = arm
        .code_signature
        .as_ref()
        .ok_or("darwin/arm64 must be signed")?;
    assert_eq!(sig.kind, "macho-adhoc");
    assert!(sig.size > 0);
    assert!(amd.code_signature.is_none());
    for r in [&arm, &amd] {
        assert_eq!(r.interpreter.as_deref(), Some("/usr/lib/dyld"));
        let m = r.macho.as_ref().ok_or("no macho details")?;
        assert_eq!(m.platform.as_deref(), Some("macos"));
        let min = r.macos_min.as_deref().ok_or("no macos_min")?;
        assert!(
            crosscheck_inspector::compare_versions(min, "11.0").is_ge(),
            "{min}"
        );
        assert_eq!(m.min_os.as_deref(), Some(min));
    }
    Ok(())
}

#[test]
fn fat_binaries_are_inspected_slice_by_slice() -> TestResult {
    let amd_path = go_fixture("darwin-amd64")?;
    let arm_path = go_fixture("darwin-arm64")?;
    let amd = std::fs::read(&amd_path)?;
    let arm = std::fs::read(&arm_path)?;
    let dir = common::cache_dir();
    for fat64 in [false, true] {
        let out = dir.join(format!("fat-test-{fat64}-{}", std::process::id()));
        common::write_fat(&out, &[(0x0100_0007, &amd), (0x0100_000c, &arm)], fat64)?;
        let r = inspect_path(&out)?;
        let sha = common::sha256sum(&out)?;
        std::fs::remove_file(&out)?;
        assert_eq!(r.format, Format::MachoFat);
        assert_eq!(r.sha256, sha);
        assert_eq!(r.goos.as_deref(), Some("darwin"));
        assert_eq!(r.goarch, None);
        assert_eq!(r.slices.len(), 2);
        for (slice, thin_path) in r.slices.iter().zip([&amd_path, &arm_path]) {
            let thin = inspect_path(thin_path)?;
            assert_eq!(slice.sha256, common::sha256sum(thin_path)?);
            assert_eq!(slice.goarch, thin.goarch);
            assert_eq!(slice.go, thin.go);
            assert_eq!(slice.libraries, thin.libraries);
            assert_eq!(slice.code_signature, thin.code_signature);
        }
        // Like Go's reader, the first slice speaks for the file.
        assert_eq!(r.build_setting("GOARCH"), Some("amd64"));
        // Not all slices are signed.
        assert!(r.code_signature.is_none());
        let e = Expectation {
            goos: "darwin".into(),
            goarch: "arm64".into(),
            variant: None,
            ..Expectation::default()
        };
        let v = check(&r, Some(&e), &Policy::default());
        assert!(v.is_empty(), "{v:?}");
        let e = Expectation {
            goarch: "386".into(),
            ..e
        };
        let v = check(&r, Some(&e), &Policy::default());
        assert!(v.iter().any(|v| v.rule == Rule::ArchMismatch), "{v:?}");
    }
    Ok(())
}

fn expectation(name: &str) -> TestResult<Expectation> {
    let t = go_target(name)?;
    Ok(Expectation {
        goos: t.goos.into(),
        goarch: t.goarch.into(),
        variant: t.env.first().map(|(k, v)| ((*k).into(), (*v).into())),
        cgo: false,
        libc: None,
        trimpath: Some(t.flags.contains(&"-trimpath")),
    })
}

#[test]
fn every_fixture_meets_its_own_expectation() -> TestResult {
    let mut failures = Vec::new();
    for t in GO_TARGETS {
        let r = inspect(t.name)?;
        let v = check(&r, Some(&expectation(t.name)?), &Policy::default());
        if !v.is_empty() {
            failures.push(format!("{}: {v:?}", t.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    Ok(())
}

#[test]
fn verdicts_name_the_broken_fact() -> TestResult {
    let r = inspect("linux-amd64")?;
    let wrong = Expectation {
        goarch: "arm64".into(),
        variant: Some(("GOAMD64".into(), "v3".into())),
        cgo: true,
        trimpath: Some(true),
        ..expectation("linux-amd64")?
    };
    let v = check(&r, Some(&wrong), &Policy::default());
    let rules: Vec<Rule> = v.iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::ArchMismatch,
            Rule::VariantMismatch,
            Rule::CgoMismatch,
            Rule::TrimpathMismatch
        ]
    );
    assert!(v[0].message.contains("amd64"), "{}", v[0].message);
    assert!(v[1].message.contains("GOAMD64=v1"), "{}", v[1].message);

    // A PIE is not static, which policy.static = true catches, but "auto" accepts.
    let pie = inspect("linux-amd64-pie")?;
    let strict = Policy {
        r#static: Some(StaticPolicy::Required),
        ..Policy::default()
    };
    let v = check(&pie, Some(&expectation("linux-amd64-pie")?), &strict);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].rule == Rule::NotStatic && v[0].message.contains("ld-linux-x86-64"));
    let auto = Policy {
        r#static: Some(StaticPolicy::Auto),
        require_pie: Some(true),
        ..Policy::default()
    };
    assert!(check(&pie, Some(&expectation("linux-amd64-pie")?), &auto).is_empty());

    let gui = inspect("windows-amd64-gui")?;
    let console = Policy {
        windows_subsystem: Some(WindowsSubsystem::Console),
        allowed_libraries: Some(vec!["KERNEL32.dll".into()]),
        ..Policy::default()
    };
    let v = check(&gui, None, &console);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, Rule::WindowsSubsystem);

    let amd = inspect("darwin-amd64")?;
    let sign = Policy {
        require_code_signature: Some(true),
        macos_min: Some("10.15".into()),
        ..Policy::default()
    };
    let rules: Vec<Rule> = check(&amd, None, &sign)
        .into_iter()
        .map(|v| v.rule)
        .collect();
    assert_eq!(rules, [Rule::MacosMin, Rule::MissingCodeSignature]);

    let js = inspect("js-wasm")?;
    let wasm_policy = Policy {
        allowed_wasm_imports: Some(vec!["gojs.runtime.*".into()]),
        ..Policy::default()
    };
    let v = check(&js, None, &wasm_policy);
    assert!(!v.is_empty() && v.iter().all(|v| v.rule == Rule::WasmImportNotAllowed));
    assert!(v.iter().any(|v| v.message.contains("syscall/js")), "{v:?}");
    let all = Policy {
        allowed_wasm_imports: Some(vec!["gojs".into()]),
        ..Policy::default()
    };
    assert!(check(&js, None, &all).is_empty());
    Ok(())
}

#[test]
fn wasm_details() -> TestResult {
    let js = inspect("js-wasm")?;
    let wasi = inspect("wasip1-wasm")?;
    for r in [&js, &wasi] {
        let w = r.wasm.as_ref().ok_or("no wasm details")?;
        assert_eq!(w.kind, "module");
        assert!(
            w.producers.iter().any(|p| p.contains("Go")),
            "{:?}",
            w.producers
        );
        assert_eq!(
            r.go.as_ref().map(|g| g.source),
            Some(GoInfoSource::WasmModinfo)
        );
    }
    assert!(js.exports.iter().any(|e| e == "run"), "{:?}", js.exports);
    assert!(
        wasi.exports.iter().any(|e| e == "_start"),
        "{:?}",
        wasi.exports
    );
    assert!(wasi.wasm.as_ref().is_some_and(|w| {
        w.imports
            .iter()
            .any(|i| i == "wasi_snapshot_preview1.fd_write")
    }));
    Ok(())
}

#[test]
fn hashes_and_sizes_match_the_file() -> TestResult {
    for name in ["linux-amd64", "windows-386", "js-wasm"] {
        let path = go_fixture(name)?;
        let r = inspect_path(&path)?;
        assert_eq!(r.sha256, common::sha256sum(&path)?);
        assert_eq!(r.size, std::fs::metadata(&path)?.len());
        assert_eq!(r.path, path.display().to_string());
    }
    Ok(())
}

#[test]
fn report_json_has_every_documented_key() -> TestResult {
    let r = inspect("linux-amd64-pie")?;
    let v = serde_json::to_value(&r)?;
    let obj = v.as_object().ok_or("report is not an object")?;
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inspect.md"),
    )?;
    for key in [
        "path",
        "format",
        "goos",
        "goarch",
        "bits",
        "endian",
        "static",
        "interpreter",
        "libraries",
        "glibc_min",
        "libc",
        "pie",
        "nx",
        "relro",
        "stripped",
        "debug_info",
        "pe",
        "code_signature",
        "macos_min",
        "exports",
        "slices",
        "go",
        "sha256",
        "size",
    ] {
        assert!(obj.contains_key(key), "JSON lacks {key}");
    }
    for key in obj.keys() {
        assert!(
            docs.contains(&format!("`{key}`")),
            "docs/inspect.md does not document {key}"
        );
    }
    let go = v["go"].as_object().ok_or("go is not an object")?;
    for key in ["version", "path", "main", "deps", "settings"] {
        assert!(go.contains_key(key), "go lacks {key}");
    }
    for key in go.keys() {
        assert!(
            docs.contains(&format!("`go.{key}`")),
            "docs/inspect.md does not document go.{key}"
        );
    }
    assert_eq!(v["format"], "elf");
    assert_eq!(v["relro"], "partial");
    assert_eq!(v["go"]["settings"]["-buildmode"], "pie");
    assert_eq!(v["go"]["deps"][0]["replace"]["path"], "./greet");
    Ok(())
}

/// A certificate table entry is reported as an Authenticode signature, and one whose table
/// holds zeros instead of a signature is a malformed one: present, so not missing, but a
/// violation (`tests/authenticode.rs` signs for real).
#[test]
fn pe_certificate_table_of_zeros_is_a_malformed_signature() -> TestResult {
    for name in ["windows-amd64", "windows-386"] {
        let mut bytes = std::fs::read(go_fixture(name)?)?;
        let lfanew = u32::from_le_bytes(bytes[0x3c..0x40].try_into()?) as usize;
        let opt = lfanew + 24;
        let magic = u16::from_le_bytes(bytes[opt..opt + 2].try_into()?);
        let dirs = opt + if magic == 0x20b { 112 } else { 96 };
        let cert_entry = dirs + 4 * 8;
        let at = u32::try_from(bytes.len())?;
        bytes.extend_from_slice(&[0u8; 24]);
        bytes[cert_entry..cert_entry + 4].copy_from_slice(&at.to_le_bytes());
        bytes[cert_entry + 4..cert_entry + 8].copy_from_slice(&24u32.to_le_bytes());
        let r = crosscheck_inspector::inspect_bytes(name, &bytes)?;
        let sig = r.code_signature.as_ref().ok_or("no signature")?;
        assert_eq!(
            (sig.kind.as_str(), sig.size, sig.valid, sig.reason),
            ("authenticode", 24, false, Some(SignatureProblem::Malformed)),
            "{name}"
        );
        let p = Policy {
            require_code_signature: Some(true),
            ..Policy::default()
        };
        let rules: Vec<Rule> = check(&r, None, &p).into_iter().map(|v| v.rule).collect();
        assert_eq!(rules, [Rule::InvalidSignature], "{name}");
        let unsigned = inspect(name)?;
        let rules: Vec<Rule> = check(&unsigned, None, &p)
            .into_iter()
            .map(|v| v.rule)
            .collect();
        assert_eq!(rules, [Rule::MissingCodeSignature], "{name}");
    }
    Ok(())
}
