//! Verdicts: compare a [`Report`] with what the build was supposed to produce ([`Expectation`])
//! and with the project's rules ([`Policy`]), yielding [`Violation`]s with stable rule ids.
//!
//! Rule ids (stable; tools may match on them):
//! `format-mismatch`, `goos-mismatch`, `arch-mismatch`, `missing-build-info`, `variant-mismatch`,
//! `cgo-mismatch`, `trimpath-mismatch`, `libc-mismatch`, `not-static`, `not-dynamic`, `max-glibc`,
//! `library-not-allowed`, `forbidden-library`, `not-stripped`, `not-pie`, `no-nx`, `max-size`,
//! `macos-min`, `windows-subsystem`, `missing-code-signature`, `wasm-import-not-allowed`,
//! `invalid-policy`, `invalid-expectation`.

use globset::{GlobBuilder, GlobMatcher};
use serde::Serialize;

use crosscheck_schema::{Expectation, Policy, StaticPolicy};

use crate::report::{Format, GoosSource, Libc, Report};
use crate::util::compare_versions;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Violation {
    /// Stable rule id, e.g. `arch-mismatch`.
    pub rule: String,
    /// What was found, naming the fact that broke the rule.
    pub message: String,
}

impl Violation {
    fn new(rule: &str, message: impl Into<String>) -> Violation {
        Violation {
            rule: rule.to_owned(),
            message: message.into(),
        }
    }
}

/// Container formats acceptable for a GOOS.
pub fn formats_for_goos(goos: &str) -> &'static [Format] {
    match goos {
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "solaris"
        | "illumos" => &[Format::Elf],
        "darwin" | "ios" => &[Format::Macho, Format::MachoFat],
        "windows" => &[Format::Pe],
        "js" | "wasip1" => &[Format::Wasm],
        "aix" => &[Format::Xcoff],
        "plan9" => &[Format::Plan9],
        _ => &[],
    }
}

/// Whether a build with this expectation must come out statically linked: pure-Go builds on
/// linux, freebsd, netbsd and dragonfly, and musl builds. A recorded `-buildmode=pie` (or any
/// non-`exe` build mode) lifts the rule, because such binaries need the dynamic loader.
pub fn expects_static(expect: &Expectation, report: &Report) -> bool {
    let buildmode_ok = report
        .build_setting("-buildmode")
        .is_none_or(|m| m == "exe");
    let pure_go = !expect.cgo
        && matches!(
            expect.goos.as_str(),
            "linux" | "freebsd" | "netbsd" | "dragonfly"
        );
    buildmode_ok && (pure_go || expect.libc.as_deref() == Some("musl"))
}

/// Checks `report` against the expectation (if any) and the policy.
pub fn check(report: &Report, expect: Option<&Expectation>, policy: &Policy) -> Vec<Violation> {
    let mut out = Vec::new();
    // For a fat file the slice of the expected architecture is what the expectation is about.
    let mut subject = report;
    if let Some(e) = expect {
        subject = check_expectation(report, e, &mut out);
    }
    check_policy(report, subject, expect, policy, &mut out);
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

fn list(formats: &[Format]) -> String {
    formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn check_expectation<'a>(
    report: &'a Report,
    e: &Expectation,
    out: &mut Vec<Violation>,
) -> &'a Report {
    let formats = formats_for_goos(&e.goos);
    if formats.is_empty() {
        out.push(Violation::new(
            "invalid-expectation",
            format!("unknown GOOS {:?} in the expectation", e.goos),
        ));
    } else if !formats.contains(&report.format) {
        out.push(Violation::new(
            "format-mismatch",
            format!(
                "file is {}, expected {} for GOOS={}",
                report.format,
                list(formats),
                e.goos
            ),
        ));
        if report.format == Format::Unknown {
            return report;
        }
    }

    // Pick the subject: the matching slice of a fat file, else the report itself.
    let subject = if report.format == Format::MachoFat {
        match report
            .slices
            .iter()
            .find(|s| s.goarch.as_deref() == Some(e.goarch.as_str()))
        {
            Some(s) => s,
            None => {
                let have: Vec<&str> = report
                    .slices
                    .iter()
                    .map(|s| s.goarch.as_deref().unwrap_or("unknown"))
                    .collect();
                out.push(Violation::new(
                    "arch-mismatch",
                    format!(
                        "fat file has no {} slice (slices: {})",
                        e.goarch,
                        have.join(", ")
                    ),
                ));
                report
            }
        }
    } else {
        if report.goarch.as_deref() != Some(e.goarch.as_str()) {
            out.push(Violation::new(
                "arch-mismatch",
                format!(
                    "binary is for {} ({} {}-bit), expected {}",
                    report
                        .goarch
                        .as_deref()
                        .unwrap_or("an unknown architecture"),
                    report.format,
                    report
                        .bits
                        .map_or_else(|| "?".to_owned(), |b| b.to_string()),
                    e.goarch
                ),
            ));
        }
        report
    };

    match subject.goos.as_deref() {
        Some(g) if g == e.goos => {}
        // Without build info, illumos looks like solaris and android like linux.
        Some(g)
            if subject.goos_source == Some(GoosSource::Binary)
                && matches!(
                    (e.goos.as_str(), g),
                    ("illumos", "solaris") | ("android", "linux")
                ) => {}
        Some(g) => out.push(Violation::new(
            "goos-mismatch",
            format!("binary is for GOOS={g}, expected {}", e.goos),
        )),
        None => out.push(Violation::new(
            "goos-mismatch",
            format!(
                "the binary's GOOS cannot be determined, expected {}",
                e.goos
            ),
        )),
    }

    let has_settings = subject
        .go
        .as_ref()
        .is_some_and(|g| !g.settings.0.is_empty());
    if !has_settings {
        out.push(Violation::new(
            "missing-build-info",
            "no Go build settings found, so GOARCH variant, CGO_ENABLED and -trimpath cannot be \
             verified",
        ));
    } else {
        if let Some((key, want)) = &e.variant {
            match subject.build_setting(key) {
                Some(v) if v == want => {}
                Some(v) => out.push(Violation::new(
                    "variant-mismatch",
                    format!("build info records {key}={v}, expected {key}={want}"),
                )),
                None => out.push(Violation::new(
                    "variant-mismatch",
                    format!("build info has no {key} setting, expected {key}={want}"),
                )),
            }
        }
        let want = if e.cgo { "1" } else { "0" };
        let got = subject.build_setting("CGO_ENABLED");
        if got != Some(want) {
            out.push(Violation::new(
                "cgo-mismatch",
                format!(
                    "build info records CGO_ENABLED={}, expected CGO_ENABLED={want}",
                    got.unwrap_or("(absent)")
                ),
            ));
        }
        let trimmed = subject.build_setting("-trimpath") == Some("true");
        if let Some(want) = e.trimpath.filter(|want| *want != trimmed) {
            out.push(Violation::new(
                "trimpath-mismatch",
                if want {
                    "build info does not record -trimpath=true, but the build asked for -trimpath"
                } else {
                    "build info records -trimpath=true, but the build did not ask for it"
                },
            ));
        }
    }

    // (libc accepted?, what was expected) for the requested flavour.
    let libc_rule = match e.libc.as_deref() {
        None => None,
        Some("gnu") => Some((subject.libc == Libc::Glibc, "glibc")),
        Some("musl") => Some((
            subject.libc == Libc::Musl || (subject.libc == Libc::None && subject.is_static),
            "musl (or a static binary)",
        )),
        Some(other) => {
            out.push(Violation::new(
                "invalid-expectation",
                format!("unknown libc {other:?} in the expectation (hint: \"gnu\" or \"musl\")"),
            ));
            None
        }
    };
    if let Some((false, wanted)) = libc_rule {
        out.push(Violation::new(
            "libc-mismatch",
            format!(
                "binary links libc {}, expected {wanted}",
                subject.libc.as_str()
            ),
        ));
    }

    if expects_static(e, subject) && !subject.is_static {
        out.push(not_static(subject, "the build target"));
    }
    subject
}

fn not_static(r: &Report, why: &str) -> Violation {
    let mut facts = Vec::new();
    if let Some(i) = &r.interpreter {
        facts.push(format!("has the interpreter {i}"));
    }
    if !r.libraries.is_empty() {
        facts.push(format!("needs {}", r.libraries.join(", ")));
    }
    if facts.is_empty() {
        facts.push(format!("is a {} file, which is never static", r.format));
    }
    Violation::new(
        "not-static",
        format!(
            "{why} requires a static binary, but it {}",
            facts.join(" and ")
        ),
    )
}

fn matcher(pattern: &str, case_insensitive: bool) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .build()?
        .compile_matcher())
}

/// Compiles `patterns`, reporting bad globs as `invalid-policy` violations.
fn matchers(
    field: &str,
    patterns: &[String],
    ci: bool,
    out: &mut Vec<Violation>,
) -> Vec<(String, GlobMatcher)> {
    let mut ms = Vec::new();
    for p in patterns {
        match matcher(p, ci) {
            Ok(m) => ms.push((p.clone(), m)),
            Err(err) => out.push(Violation::new(
                "invalid-policy",
                format!("invalid glob {p:?} in policy.{field}: {err}"),
            )),
        }
    }
    ms
}

fn lib_matches(m: &GlobMatcher, lib: &str) -> bool {
    let base = lib.rsplit(['/', '\\']).next().unwrap_or(lib);
    m.is_match(lib) || m.is_match(base)
}

fn check_policy(
    report: &Report,
    subject: &Report,
    expect: Option<&Expectation>,
    p: &Policy,
    out: &mut Vec<Violation>,
) {
    match p.r#static {
        Some(StaticPolicy::Required) if !report.is_static => {
            out.push(not_static(report, "policy.static"));
        }
        Some(StaticPolicy::Forbidden) if report.is_static => out.push(Violation::new(
            "not-dynamic",
            "policy.static = false requires a dynamically linked binary, but it has no \
             interpreter and no needed libraries",
        )),
        Some(StaticPolicy::Auto) => {
            if let Some(e) = expect
                && expects_static(e, subject)
                && !subject.is_static
            {
                out.push(not_static(subject, "the build target"));
            }
        }
        _ => {}
    }

    if let (Some(max), Some(min)) = (&p.max_glibc, &report.glibc_min)
        && compare_versions(min, max).is_gt()
    {
        out.push(Violation::new(
            "max-glibc",
            format!("binary needs GLIBC_{min}, above policy.max_glibc = {max}"),
        ));
    }

    let ci = report.format == Format::Pe;
    if let Some(allowed) = &p.allowed_libraries {
        let ms = matchers("allowed_libraries", allowed, ci, out);
        for lib in &report.libraries {
            if report.format == Format::Wasm {
                break; // wasm import modules have their own rule.
            }
            if !ms.iter().any(|(_, m)| lib_matches(m, lib)) {
                out.push(Violation::new(
                    "library-not-allowed",
                    format!("needs {lib}, which matches no entry of policy.allowed_libraries"),
                ));
            }
        }
    }
    if let Some(forbidden) = &p.forbidden_libraries {
        let ms = matchers("forbidden_libraries", forbidden, ci, out);
        for lib in &report.libraries {
            if let Some((pat, _)) = ms.iter().find(|(_, m)| lib_matches(m, lib)) {
                out.push(Violation::new(
                    "forbidden-library",
                    format!("needs {lib}, forbidden by policy.forbidden_libraries entry {pat:?}"),
                ));
            }
        }
    }

    if p.require_stripped == Some(true) && !report.stripped {
        out.push(Violation::new(
            "not-stripped",
            "binary has a symbol table, but policy.require_stripped is set (hint: -ldflags=\"-s -w\")",
        ));
    }
    if p.require_pie == Some(true) && !report.pie {
        out.push(Violation::new(
            "not-pie",
            "binary is not position independent, but policy.require_pie is set \
             (hint: -buildmode=pie)",
        ));
    }
    if p.require_nx == Some(true) && report.nx == Some(false) {
        out.push(Violation::new(
            "no-nx",
            "binary allows executable stack or data, but policy.require_nx is set",
        ));
    }
    if let Some(max) = p.max_size
        && report.size > max
    {
        out.push(Violation::new(
            "max-size",
            format!(
                "file is {} bytes, above policy.max_size = {max}",
                report.size
            ),
        ));
    }
    if let Some(ceiling) = &p.macos_min {
        let mins: Vec<&Report> = if report.slices.is_empty() {
            vec![report]
        } else {
            report.slices.iter().collect()
        };
        for s in mins {
            if let Some(min) = &s.macos_min
                && compare_versions(min, ceiling).is_gt()
            {
                out.push(Violation::new(
                    "macos-min",
                    format!(
                        "{} requires macOS {min}, above policy.macos_min = {ceiling}",
                        s.goarch.as_deref().unwrap_or("binary")
                    ),
                ));
            }
        }
    }
    if let (Some(want), Some(pe)) = (p.windows_subsystem, &report.pe)
        && pe.subsystem != want.as_str()
    {
        out.push(Violation::new(
            "windows-subsystem",
            format!(
                "PE subsystem is {}, policy.windows_subsystem wants {}",
                pe.subsystem,
                want.as_str()
            ),
        ));
    }

    // Code signatures: per slice for fat files.
    let images: Vec<&Report> = if report.slices.is_empty() {
        vec![report]
    } else {
        report.slices.iter().collect()
    };
    for img in images {
        let darwin_arm64 = matches!(img.goos.as_deref(), Some("darwin" | "ios"))
            && img.goarch.as_deref() == Some("arm64");
        let required = p.require_code_signature.unwrap_or(darwin_arm64);
        if required && img.code_signature.is_none() {
            out.push(Violation::new(
                "missing-code-signature",
                format!(
                    "{} {} image has no code signature{}",
                    img.goos.as_deref().unwrap_or("unknown"),
                    img.goarch.as_deref().unwrap_or("unknown"),
                    if darwin_arm64 {
                        " (darwin/arm64 refuses to run unsigned code)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }

    if let (Some(allowed), Some(w)) = (&p.allowed_wasm_imports, &report.wasm) {
        let ms = matchers("allowed_wasm_imports", allowed, false, out);
        for imp in &w.imports {
            let module = imp.split('.').next().unwrap_or(imp);
            if !ms
                .iter()
                .any(|(_, m)| m.is_match(imp) || m.is_match(module))
            {
                out.push(Violation::new(
                    "wasm-import-not-allowed",
                    format!("imports {imp}, which matches no entry of policy.allowed_wasm_imports"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{GoInfo, GoInfoSource, GoSettings, PeDetails};
    use crosscheck_schema::{PolicyError, WindowsSubsystem};

    fn linux_static() -> Report {
        let mut r = Report::empty("bin", Format::Elf, 1000);
        r.goos = Some("linux".into());
        r.goos_source = Some(GoosSource::Buildinfo);
        r.goarch = Some("amd64".into());
        r.bits = Some(64);
        r.is_static = true;
        r.stripped = true;
        r.nx = Some(true);
        r.go = Some(GoInfo {
            version: Some("go1.26.1".into()),
            path: Some("example.com/x".into()),
            main: None,
            deps: vec![],
            settings: GoSettings(vec![
                ("CGO_ENABLED".into(), "0".into()),
                ("GOARCH".into(), "amd64".into()),
                ("GOOS".into(), "linux".into()),
                ("GOAMD64".into(), "v1".into()),
            ]),
            build_id: None,
            source: GoInfoSource::Buildinfo,
        });
        r
    }

    fn expect() -> Expectation {
        Expectation {
            goos: "linux".into(),
            goarch: "amd64".into(),
            variant: Some(("GOAMD64".into(), "v1".into())),
            cgo: false,
            libc: None,
            trimpath: Some(false),
        }
    }

    fn rules(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.as_str()).collect()
    }

    #[test]
    fn matching_binary_has_no_violations() {
        let v = check(&linux_static(), Some(&expect()), &Policy::default());
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn expectation_mismatches_are_named() {
        let e = Expectation {
            goarch: "arm64".into(),
            variant: Some(("GOAMD64".into(), "v3".into())),
            cgo: true,
            trimpath: Some(true),
            ..expect()
        };
        let v = check(&linux_static(), Some(&e), &Policy::default());
        assert_eq!(
            rules(&v),
            [
                "arch-mismatch",
                "variant-mismatch",
                "cgo-mismatch",
                "trimpath-mismatch"
            ]
        );
        assert!(v[1].message.contains("GOAMD64=v1"), "{}", v[1].message);
        let e = Expectation {
            goos: "windows".into(),
            ..expect()
        };
        let v = check(&linux_static(), Some(&e), &Policy::default());
        assert_eq!(rules(&v), ["format-mismatch", "goos-mismatch"]);
    }

    #[test]
    fn static_expectation_and_policy() {
        let mut r = linux_static();
        r.is_static = false;
        r.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
        r.libraries = vec!["libc.so.6".into()];
        r.libc = Libc::Glibc;
        r.glibc_min = Some("2.34".into());
        let v = check(&r, Some(&expect()), &Policy::default());
        assert_eq!(rules(&v), ["not-static"]);
        assert!(v[0].message.contains("libc.so.6"));
        let p = Policy {
            r#static: Some(StaticPolicy::Required),
            max_glibc: Some("2.17".into()),
            allowed_libraries: Some(vec!["libm.so.*".into()]),
            forbidden_libraries: Some(vec!["libc.*".into()]),
            ..Policy::default()
        };
        let v = check(&r, None, &p);
        assert_eq!(
            rules(&v),
            [
                "not-static",
                "max-glibc",
                "library-not-allowed",
                "forbidden-library"
            ]
        );
        assert!(v[1].message.contains("2.34"));
        let p = Policy {
            r#static: Some(StaticPolicy::Forbidden),
            ..Policy::default()
        };
        assert_eq!(rules(&check(&linux_static(), None, &p)), ["not-dynamic"]);
    }

    #[test]
    fn pie_buildmode_lifts_the_static_rule() {
        let mut r = linux_static();
        r.is_static = false;
        r.pie = true;
        r.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
        if let Some(g) = r.go.as_mut() {
            g.settings.0.push(("-buildmode".into(), "pie".into()));
        }
        assert!(check(&r, Some(&expect()), &Policy::default()).is_empty());
    }

    #[test]
    fn musl_expectation() {
        let e = Expectation {
            cgo: true,
            libc: Some("musl".into()),
            ..expect()
        };
        let mut r = linux_static();
        if let Some(g) = r.go.as_mut() {
            g.settings.0[0].1 = "1".into();
        }
        assert!(check(&r, Some(&e), &Policy::default()).is_empty());
        r.libc = Libc::Glibc;
        r.is_static = false;
        r.libraries = vec!["libc.so.6".into()];
        assert_eq!(
            rules(&check(&r, Some(&e), &Policy::default())),
            ["libc-mismatch", "not-static"]
        );
    }

    #[test]
    fn pe_rules_are_case_insensitive() {
        let mut r = Report::empty("a.exe", Format::Pe, 10);
        r.goos = Some("windows".into());
        r.libraries = vec!["kernel32.dll".into(), "user32.dll".into()];
        r.pe = Some(PeDetails {
            subsystem: "console".into(),
            machine: "0x8664".into(),
            is_dll: false,
            dll_characteristics: Default::default(),
            min_os_version: "6.1".into(),
            import_count: 3,
        });
        let p = Policy {
            allowed_libraries: Some(vec!["KERNEL32.DLL".into()]),
            windows_subsystem: Some(WindowsSubsystem::Gui),
            max_size: Some(5),
            require_pie: Some(true),
            ..Policy::default()
        };
        let v = check(&r, None, &p);
        assert_eq!(
            rules(&v),
            [
                "library-not-allowed",
                "not-pie",
                "max-size",
                "windows-subsystem"
            ]
        );
        assert!(v[0].message.contains("user32.dll"));
    }

    #[test]
    fn darwin_arm64_needs_a_signature_by_default() {
        let mut r = Report::empty("m", Format::Macho, 10);
        r.goos = Some("darwin".into());
        r.goarch = Some("arm64".into());
        r.macos_min = Some("12.0".into());
        let p = Policy {
            macos_min: Some("11.0".into()),
            ..Policy::default()
        };
        assert_eq!(
            rules(&check(&r, None, &p)),
            ["macos-min", "missing-code-signature"]
        );
        let p = Policy {
            require_code_signature: Some(false),
            ..Policy::default()
        };
        assert!(check(&r, None, &p).is_empty());
    }

    #[test]
    fn bad_globs_are_reported_not_panicked() {
        let mut r = linux_static();
        r.libraries = vec!["libc.so.6".into()];
        let p = Policy {
            allowed_libraries: Some(vec!["[".into()]),
            ..Policy::default()
        };
        assert!(p.validate().is_err());
        let v = check(&r, None, &p);
        assert_eq!(rules(&v), ["invalid-policy", "library-not-allowed"]);
        let p = Policy {
            max_glibc: Some("2.x".into()),
            ..Policy::default()
        };
        assert!(matches!(p.validate(), Err(PolicyError::Version { .. })));
    }

    #[test]
    fn policy_deserialises_strictly() -> Result<(), serde_json::Error> {
        let p: Policy = serde_json::from_str(
            r#"{"static":"auto","max_glibc":"2.17","windows_subsystem":"gui","max_size":10}"#,
        )?;
        assert_eq!(p.r#static, Some(StaticPolicy::Auto));
        assert_eq!(p.windows_subsystem, Some(WindowsSubsystem::Gui));
        let p: Policy = serde_json::from_str(r#"{"static":true}"#)?;
        assert_eq!(p.r#static, Some(StaticPolicy::Required));
        assert!(serde_json::from_str::<Policy>(r#"{"statik":true}"#).is_err());
        assert!(serde_json::from_str::<Policy>(r#"{"static":"sometimes"}"#).is_err());
        Ok(())
    }
}
