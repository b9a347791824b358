//! Verdicts: compare a [`Report`] with what the build was supposed to produce ([`Expectation`])
//! and with the project's rules ([`Policy`]), yielding [`Violation`]s named by a [`Rule`] whose
//! kebab-case id is stable (tools may match on it).
//!
//! Each rule family has its own check, run in a fixed order so the list of violations is
//! stable: the expectation's (format, architecture, GOOS, build settings, libc, static), then
//! the policy's, in the order of its fields. [`check_go_release`] is the one rule that needs a
//! pinned toolchain, which only a plan knows.

use globset::{GlobBuilder, GlobMatcher};

use crosscheck_schema::{Expectation, Policy, Rule, StaticPolicy, Violation};

use crate::util::compare_versions;
use crosscheck_schema::report::{Format, GoosSource, Libc, Report};

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

/// Checks that the Go in the build info is the toolchain a plan pinned (`toolchain`, e.g.
/// `go1.25.7`, for the `requested` release `1.25`): a GOTOOLCHAIN that did not take would
/// otherwise pass off a binary built by another Go as this release's.
pub fn check_go_release(report: &Report, toolchain: &str, requested: &str) -> Option<Violation> {
    let found = report.go.as_ref().and_then(|go| go.version.as_deref());
    // The build info may carry experiment suffixes: `go1.25.7 X:nodwarf5`.
    let matches = found
        .and_then(|version| version.split_whitespace().next())
        .is_some_and(|version| version == toolchain);
    (!matches).then(|| {
        Violation::new(
            Rule::GoVersionMismatch,
            format!(
                "built by {} but the plan pins {toolchain} for Go {requested}",
                found.unwrap_or("an unknown Go (no build info)"),
            ),
        )
    })
}

fn list(formats: &[Format]) -> String {
    formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Checks what the build step asked for and returns the image that answers for it (the
/// matching slice of a fat file, else `report`).
fn check_expectation<'a>(
    report: &'a Report,
    e: &Expectation,
    out: &mut Vec<Violation>,
) -> &'a Report {
    if !check_format(report, e, out) {
        return report;
    }
    let subject = expected_image(report, e, out);
    check_goos(subject, e, out);
    check_build_settings(subject, e, out);
    check_libc(subject, e, out);
    check_static_target(subject, e, out);
    subject
}

/// Checks the container format against the GOOS. `false` when the file is of no known
/// format at all, which leaves nothing else worth comparing.
fn check_format(report: &Report, e: &Expectation, out: &mut Vec<Violation>) -> bool {
    let formats = formats_for_goos(&e.goos);
    if formats.is_empty() {
        out.push(Violation::new(
            Rule::InvalidExpectation,
            format!("unknown GOOS {:?} in the expectation", e.goos),
        ));
    } else if !formats.contains(&report.format) {
        out.push(Violation::new(
            Rule::FormatMismatch,
            format!(
                "file is {}, expected {} for GOOS={}",
                report.format,
                list(formats),
                e.goos
            ),
        ));
        return report.format != Format::Unknown;
    }
    true
}

/// The image the expectation is about: the slice of the expected architecture of a fat file,
/// else the report itself, whose architecture is checked on the way.
fn expected_image<'a>(report: &'a Report, e: &Expectation, out: &mut Vec<Violation>) -> &'a Report {
    if report.format == Format::MachoFat {
        return fat_slice_for(report, e, out);
    }
    check_arch(report, e, out);
    report
}

/// The slice of a fat file built for the expected GOARCH; the whole file (and an
/// `arch-mismatch`) when there is none.
fn fat_slice_for<'a>(report: &'a Report, e: &Expectation, out: &mut Vec<Violation>) -> &'a Report {
    if let Some(slice) = report
        .slices
        .iter()
        .find(|s| s.goarch.as_deref() == Some(e.goarch.as_str()))
    {
        return slice;
    }
    let have: Vec<&str> = report
        .slices
        .iter()
        .map(|s| s.goarch.as_deref().unwrap_or("unknown"))
        .collect();
    out.push(Violation::new(
        Rule::ArchMismatch,
        format!(
            "fat file has no {} slice (slices: {})",
            e.goarch,
            have.join(", ")
        ),
    ));
    report
}

fn check_arch(report: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    if report.goarch.as_deref() == Some(e.goarch.as_str()) {
        return;
    }
    out.push(Violation::new(
        Rule::ArchMismatch,
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

fn check_goos(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
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
            Rule::GoosMismatch,
            format!("binary is for GOOS={g}, expected {}", e.goos),
        )),
        None => out.push(Violation::new(
            Rule::GoosMismatch,
            format!(
                "the binary's GOOS cannot be determined, expected {}",
                e.goos
            ),
        )),
    }
}

/// Checks what only the Go build settings record: the variant, CGO_ENABLED and -trimpath.
fn check_build_settings(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    let has_settings = subject
        .go
        .as_ref()
        .is_some_and(|g| !g.settings.0.is_empty());
    if !has_settings {
        out.push(Violation::new(
            Rule::MissingBuildInfo,
            "no Go build settings found, so GOARCH variant, CGO_ENABLED and -trimpath cannot be \
             verified",
        ));
        return;
    }
    check_variant(subject, e, out);
    check_cgo(subject, e, out);
    check_trimpath(subject, e, out);
}

fn check_variant(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    let Some((key, want)) = &e.variant else {
        return;
    };
    match subject.build_setting(key) {
        Some(v) if v == want => {}
        Some(v) => out.push(Violation::new(
            Rule::VariantMismatch,
            format!("build info records {key}={v}, expected {key}={want}"),
        )),
        None => out.push(Violation::new(
            Rule::VariantMismatch,
            format!("build info has no {key} setting, expected {key}={want}"),
        )),
    }
}

fn check_cgo(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    let want = if e.cgo { "1" } else { "0" };
    let got = subject.build_setting("CGO_ENABLED");
    if got != Some(want) {
        out.push(Violation::new(
            Rule::CgoMismatch,
            format!(
                "build info records CGO_ENABLED={}, expected CGO_ENABLED={want}",
                got.unwrap_or("(absent)")
            ),
        ));
    }
}

fn check_trimpath(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    let trimmed = subject.build_setting("-trimpath") == Some("true");
    if let Some(want) = e.trimpath.filter(|want| *want != trimmed) {
        out.push(Violation::new(
            Rule::TrimpathMismatch,
            if want {
                "build info does not record -trimpath=true, but the build asked for -trimpath"
            } else {
                "build info records -trimpath=true, but the build did not ask for it"
            },
        ));
    }
}

fn check_libc(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
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
                Rule::InvalidExpectation,
                format!("unknown libc {other:?} in the expectation (hint: \"gnu\" or \"musl\")"),
            ));
            None
        }
    };
    if let Some((false, wanted)) = libc_rule {
        out.push(Violation::new(
            Rule::LibcMismatch,
            format!(
                "binary links libc {}, expected {wanted}",
                subject.libc.as_str()
            ),
        ));
    }
}

/// The expectation's own static rule (see [`expects_static`]), which `policy.static = "auto"`
/// applies too.
fn check_static_target(subject: &Report, e: &Expectation, out: &mut Vec<Violation>) {
    if expects_static(e, subject) && !subject.is_static {
        out.push(not_static(subject, "the build target"));
    }
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
        Rule::NotStatic,
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
                Rule::InvalidPolicy,
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

/// The images of a file, each judged on its own: the slices of a fat Mach-O, else the file.
fn images(report: &Report) -> &[Report] {
    if report.slices.is_empty() {
        std::slice::from_ref(report)
    } else {
        &report.slices
    }
}

/// Checks the project's rules, one family after the other. `report` is the whole file;
/// `subject` the image the expectation is about (they differ for a fat file).
fn check_policy(
    report: &Report,
    subject: &Report,
    expect: Option<&Expectation>,
    p: &Policy,
    out: &mut Vec<Violation>,
) {
    check_static_policy(report, subject, expect, p, out);
    check_max_glibc(report, p, out);
    check_allowed_libraries(report, p, out);
    check_forbidden_libraries(report, p, out);
    check_hardening(report, p, out);
    check_max_size(report, p, out);
    check_macos_min(report, p, out);
    check_windows_subsystem(report, p, out);
    check_code_signatures(report, p, out);
    check_pe_integrity(report, p, out);
    check_packed(report, p, out);
    check_wasm_imports(report, p, out);
}

fn check_static_policy(
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
            Rule::NotDynamic,
            "policy.static = false requires a dynamically linked binary, but it has no \
             interpreter and no needed libraries",
        )),
        Some(StaticPolicy::Auto) => {
            if let Some(e) = expect {
                check_static_target(subject, e, out);
            }
        }
        _ => {}
    }
}

fn check_max_glibc(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    if let (Some(max), Some(min)) = (&p.max_glibc, &report.glibc_min)
        && compare_versions(min, max).is_gt()
    {
        out.push(Violation::new(
            Rule::MaxGlibc,
            format!("binary needs GLIBC_{min}, above policy.max_glibc = {max}"),
        ));
    }
}

/// Compiles one of the policy's library glob lists; `None` when the policy has none. The
/// globs ignore case for PE, whose DLL names are case-insensitive.
fn library_matchers(
    field: &str,
    patterns: Option<&[String]>,
    report: &Report,
    out: &mut Vec<Violation>,
) -> Option<Vec<(String, GlobMatcher)>> {
    Some(matchers(field, patterns?, report.format == Format::Pe, out))
}

fn check_allowed_libraries(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    let allowed = p.allowed_libraries.as_deref();
    let Some(ms) = library_matchers("allowed_libraries", allowed, report, out) else {
        return;
    };
    if report.format == Format::Wasm {
        return; // wasm import modules have their own rule.
    }
    for lib in &report.libraries {
        if !ms.iter().any(|(_, m)| lib_matches(m, lib)) {
            out.push(Violation::new(
                Rule::LibraryNotAllowed,
                format!("needs {lib}, which matches no entry of policy.allowed_libraries"),
            ));
        }
    }
}

fn check_forbidden_libraries(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    let forbidden = p.forbidden_libraries.as_deref();
    let Some(ms) = library_matchers("forbidden_libraries", forbidden, report, out) else {
        return;
    };
    for lib in &report.libraries {
        if let Some((pat, _)) = ms.iter().find(|(_, m)| lib_matches(m, lib)) {
            out.push(Violation::new(
                Rule::ForbiddenLibrary,
                format!("needs {lib}, forbidden by policy.forbidden_libraries entry {pat:?}"),
            ));
        }
    }
}

/// Stripped, PIE and NX: each demanded by its own `require_*` switch.
fn check_hardening(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    if p.require_stripped == Some(true) && !report.stripped {
        out.push(Violation::new(
            Rule::NotStripped,
            "binary has a symbol table, but policy.require_stripped is set (hint: -ldflags=\"-s -w\")",
        ));
    }
    if p.require_pie == Some(true) && !report.pie {
        out.push(Violation::new(
            Rule::NotPie,
            "binary is not position independent, but policy.require_pie is set \
             (hint: -buildmode=pie)",
        ));
    }
    // An undeterminable NX (`None`) does not fail.
    if p.require_nx == Some(true) && report.nx == Some(false) {
        out.push(Violation::new(
            Rule::NoNx,
            "binary allows executable stack or data, but policy.require_nx is set",
        ));
    }
}

fn check_max_size(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    if let Some(max) = p.max_size
        && report.size > max
    {
        out.push(Violation::new(
            Rule::MaxSize,
            format!(
                "file is {} bytes, above policy.max_size = {max}",
                report.size
            ),
        ));
    }
}

fn check_macos_min(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    let Some(ceiling) = &p.macos_min else {
        return;
    };
    for s in images(report) {
        if let Some(min) = &s.macos_min
            && compare_versions(min, ceiling).is_gt()
        {
            out.push(Violation::new(
                Rule::MacosMin,
                format!(
                    "{} requires macOS {min}, above policy.macos_min = {ceiling}",
                    s.goarch.as_deref().unwrap_or("binary")
                ),
            ));
        }
    }
}

fn check_windows_subsystem(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    if let (Some(want), Some(pe)) = (p.windows_subsystem, &report.pe)
        && pe.subsystem != want.as_str()
    {
        out.push(Violation::new(
            Rule::WindowsSubsystem,
            format!(
                "PE subsystem is {}, policy.windows_subsystem wants {}",
                pe.subsystem,
                want.as_str()
            ),
        ));
    }
}

/// Code signatures, per slice for fat files; without a policy, darwin/arm64 images need one.
fn check_code_signatures(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    for img in images(report) {
        let darwin_arm64 = matches!(img.goos.as_deref(), Some("darwin" | "ios"))
            && img.goarch.as_deref() == Some("arm64");
        if let Some(sig) = &img.code_signature
            && !sig.valid
        {
            let why = sig.reason.map_or("invalid", |r| r.as_str());
            let detail = sig
                .detail
                .as_deref()
                .map_or(String::new(), |d| format!(": {d}"));
            out.push(Violation::new(
                Rule::InvalidSignature,
                format!(
                    "{} {} {} signature does not verify ({why}){detail}",
                    img.goos.as_deref().unwrap_or("unknown"),
                    img.goarch.as_deref().unwrap_or("unknown"),
                    sig.kind
                ),
            ));
        }
        let required = p.require_code_signature.unwrap_or(darwin_arm64);
        if required && img.code_signature.is_none() {
            out.push(Violation::new(
                Rule::MissingCodeSignature,
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
}

/// A PE's entry point must be code (always); its CheckSum must be right when the policy asks.
fn check_pe_integrity(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    let Some(pe) = &report.pe else {
        return;
    };
    if let Some(entry) = &pe.entry_point
        && !entry.executable
    {
        let place = match &entry.section {
            Some(name) => format!("in section {name}, which is not executable"),
            None => "outside every section".to_owned(),
        };
        out.push(Violation::new(
            Rule::EntryPointNotInCode,
            format!("entry point {} lies {place}", entry.rva),
        ));
    }
    let sum = &pe.checksum;
    if p.require_pe_checksum == Some(true) && sum.stored != sum.computed {
        let found = if sum.stored == 0 {
            "is not set (0)".to_owned()
        } else {
            format!("is {:#010x}", sum.stored)
        };
        out.push(Violation::new(
            Rule::PeChecksum,
            format!(
                "PE CheckSum {found}; the file's checksum is {:#010x}",
                sum.computed
            ),
        ));
    }
}

fn check_packed(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    if p.forbid_packed == Some(true)
        && let Some(packer) = &report.packed
    {
        out.push(Violation::new(
            Rule::Packed,
            format!("the file is packed with {packer}"),
        ));
    }
}

fn check_wasm_imports(report: &Report, p: &Policy, out: &mut Vec<Violation>) {
    let (Some(allowed), Some(w)) = (&p.allowed_wasm_imports, &report.wasm) else {
        return;
    };
    let ms = matchers("allowed_wasm_imports", allowed, false, out);
    for imp in &w.imports {
        let module = imp.split('.').next().unwrap_or(imp);
        if !ms
            .iter()
            .any(|(_, m)| m.is_match(imp) || m.is_match(module))
        {
            out.push(Violation::new(
                Rule::WasmImportNotAllowed,
                format!("imports {imp}, which matches no entry of policy.allowed_wasm_imports"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::report::{GoInfo, GoInfoSource, GoSettings, PeDetails};
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
            checksum: crosscheck_schema::report::PeChecksum {
                stored: 0,
                computed: 0x1234,
            },
            entry_point: None,
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
    fn rule_ids_are_the_serde_names() -> Result<(), serde_json::Error> {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            let json = serde_json::to_string(&rule)?;
            assert_eq!(json, format!("\"{}\"", rule.as_str()));
            assert_eq!(rule.to_string(), rule.as_str());
            assert_eq!(serde_json::from_str::<Rule>(&json)?, rule);
            assert!(seen.insert(rule), "{rule} is listed twice in Rule::ALL");
        }
        let v = Violation::new(Rule::GoVersionMismatch, "m");
        assert_eq!(
            serde_json::to_string(&v)?,
            r#"{"rule":"go-version-mismatch","message":"m"}"#
        );
        Ok(())
    }

    /// The rule columns of the tables under "## Verdicts" in docs/inspect.md name every rule,
    /// and nothing else.
    #[test]
    fn docs_list_exactly_the_rules() {
        let doc = include_str!("../../../docs/inspect.md");
        let verdicts = doc
            .split("\n## ")
            .find(|s| s.starts_with("Verdicts"))
            .unwrap_or_default();
        let mut documented = std::collections::HashSet::new();
        let mut rule_column = None;
        for line in verdicts.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if !line.starts_with('|') {
                rule_column = None;
            } else if rule_column.is_none() {
                rule_column = cells.iter().position(|c| *c == "rule");
            } else if let Some(cell) = rule_column.and_then(|i| cells.get(i)) {
                for id in cell.split('`').skip(1).step_by(2) {
                    let rule = serde_json::from_str::<Rule>(&format!("\"{id}\""));
                    assert!(rule.is_ok(), "docs/inspect.md lists unknown rule {id:?}");
                    documented.extend(rule.ok());
                }
            }
        }
        for rule in Rule::ALL {
            assert!(documented.contains(&rule), "docs/inspect.md misses {rule}");
        }
    }

    #[test]
    fn go_release_must_be_the_pinned_toolchain() {
        let mut r = linux_static();
        assert_eq!(check_go_release(&r, "go1.26.1", "1.26"), None);
        if let Some(g) = r.go.as_mut() {
            g.version = Some("go1.26.1 X:nodwarf5".into());
        }
        assert_eq!(check_go_release(&r, "go1.26.1", "1.26"), None);
        assert_eq!(
            check_go_release(&r, "go1.25.7", "1.25"),
            Some(Violation::new(
                Rule::GoVersionMismatch,
                "built by go1.26.1 X:nodwarf5 but the plan pins go1.25.7 for Go 1.25"
            ))
        );
        r.go = None;
        assert_eq!(
            check_go_release(&r, "go1.25.7", "1.25").map(|v| v.message),
            Some(
                "built by an unknown Go (no build info) but the plan pins go1.25.7 for Go 1.25"
                    .to_owned()
            )
        );
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
