//! What the inspector found about one built artifact, as the manifest records it: the
//! [`Report`] of the file, how it links, and the [`Violation`]s of its expectation and
//! policy, each named by a [`Rule`]. The executor stores an [`Inspection`] per built target,
//! the release stage one per universal binary, and reporters read them back typed.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Report;

/// What an inspector found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inspection {
    /// The inspector's report (its keys are documented in `docs/inspect.md`), or why the
    /// file could not be read.
    pub report: InspectedFile,
    /// Whether the artifact is what was asked for.
    pub verdict: Verdict,
    /// Why not, one line each (empty when it passed): `[rule] message`.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// The report of an inspected file, or why there is none.
//
// Untagged: the manifest has always carried either the report's own keys or `{"error": ..}`.
// This is a record crosscheck writes and reads back, not user configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum InspectedFile {
    /// The inspector read the file.
    Read(Box<InspectedReport>),
    /// It could not.
    Unreadable {
        /// Why, e.g. `malformed ELF: ...`.
        error: String,
    },
}

/// A report with what a build adds to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InspectedReport {
    /// The facts of the file.
    #[serde(flatten)]
    pub report: Report,
    /// How it links, in one phrase for displays: `static`, `libc.so.6 (GLIBC 2.34)`,
    /// `imports wasi_snapshot_preview1`. Absent for universal binaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkage: Option<String>,
    /// What it breaks. Absent for universal binaries, whose `problems` name the slice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
}

impl Inspection {
    /// The inspection of a built artifact: `report`, how it links, and what it breaks; it
    /// passes when nothing does.
    pub fn of_artifact(report: Report, linkage: String, violations: Vec<Violation>) -> Inspection {
        let problems: Vec<String> = violations.iter().map(Violation::problem).collect();
        Inspection {
            report: InspectedFile::Read(Box::new(InspectedReport {
                report,
                linkage: Some(linkage),
                violations: Some(violations),
            })),
            verdict: Verdict::from_problems(&problems),
            problems,
        }
    }

    /// The inspection of a file checked by other means (a universal binary, slice by slice):
    /// `report` and the problems found, one line each.
    pub fn of_file(report: Report, problems: Vec<String>) -> Inspection {
        Inspection {
            report: InspectedFile::Read(Box::new(InspectedReport {
                report,
                linkage: None,
                violations: None,
            })),
            verdict: Verdict::from_problems(&problems),
            problems,
        }
    }

    /// A file the inspector could not read: it fails.
    pub fn unreadable(error: String) -> Inspection {
        Inspection {
            problems: vec![format!("[unreadable] {error}")],
            report: InspectedFile::Unreadable { error },
            verdict: Verdict::Fail,
        }
    }

    /// The report and what the build added, when the file could be read.
    pub fn inspected(&self) -> Option<&InspectedReport> {
        match &self.report {
            InspectedFile::Read(inspected) => Some(inspected),
            InspectedFile::Unreadable { .. } => None,
        }
    }
}

/// An inspector's verdict on one artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The artifact matches its target.
    Pass,
    /// It does not (wrong architecture, unexpected dynamic libc, ...).
    Fail,
}

impl Verdict {
    /// Pass when there is nothing to report.
    pub fn from_problems<T>(problems: &[T]) -> Verdict {
        if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

/// The rule a [`Violation`] breaks. The kebab-case id (`arch-mismatch`) is what JSON output,
/// manifests and messages carry; it is stable, and `docs/inspect.md` lists every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The container format is not the one for the expected GOOS.
    FormatMismatch,
    /// The binary's GOOS differs from the expected one, or cannot be determined.
    GoosMismatch,
    /// The machine is not the expected GOARCH, or a fat file has no slice for it.
    ArchMismatch,
    /// There are no Go build settings, so variant, CGO_ENABLED and `-trimpath` cannot be checked.
    MissingBuildInfo,
    /// The sub-architecture setting (`GOAMD64`, `GOARM`, ...) is absent or differs.
    VariantMismatch,
    /// `CGO_ENABLED` is not what the expectation asked for.
    CgoMismatch,
    /// `-trimpath=true` is recorded but was not asked for, or the reverse.
    TrimpathMismatch,
    /// The linked C library is not the expected flavour (glibc, or musl / static).
    LibcMismatch,
    /// The binary must be static (by the expectation or `policy.static`) and is not.
    NotStatic,
    /// `policy.static = false` and the binary is static.
    NotDynamic,
    /// The binary needs a newer glibc than `policy.max_glibc`.
    MaxGlibc,
    /// A needed library matches no glob of `policy.allowed_libraries`.
    LibraryNotAllowed,
    /// A needed library matches a glob of `policy.forbidden_libraries`.
    ForbiddenLibrary,
    /// `policy.require_stripped` is set and the binary has a symbol table.
    NotStripped,
    /// `policy.require_pie` is set and the binary is not position independent.
    NotPie,
    /// `policy.require_nx` is set and the binary allows executable stack or data.
    NoNx,
    /// The file is larger than `policy.max_size`.
    MaxSize,
    /// An image needs a newer macOS than `policy.macos_min`.
    MacosMin,
    /// The PE subsystem is not `policy.windows_subsystem`.
    WindowsSubsystem,
    /// An image has no code signature where one is required (by the policy, or darwin/arm64).
    MissingCodeSignature,
    /// A code signature is present but does not verify (always checked).
    InvalidSignature,
    /// `policy.require_pe_checksum` is set and the PE CheckSum is 0 or wrong.
    PeChecksum,
    /// A PE entry point lies outside every executable section (always checked).
    EntryPointNotInCode,
    /// `policy.forbid_packed` is set and the file is packed (UPX).
    Packed,
    /// A wasm import matches no glob of `policy.allowed_wasm_imports`.
    WasmImportNotAllowed,
    /// The Go version in the build info is not the toolchain the plan pinned.
    GoVersionMismatch,
    /// A policy glob does not compile.
    InvalidPolicy,
    /// The expectation names an unknown GOOS or libc.
    InvalidExpectation,
    /// A Linux package is not of the planned format (deb, rpm, apk).
    PackageFormatMismatch,
    /// A Linux package's name is not the planned one.
    PackageNameMismatch,
    /// A Linux package's version or release is not the planned one.
    PackageVersionMismatch,
    /// A Linux package's architecture field is not the format's name for the target.
    PackageArchMismatch,
    /// A file a Linux package must hold is missing, not a regular file, or has other contents.
    PackageFileMismatch,
}

impl Rule {
    /// Every rule, in the order the checks run.
    pub const ALL: [Rule; 33] = [
        Rule::FormatMismatch,
        Rule::GoosMismatch,
        Rule::ArchMismatch,
        Rule::MissingBuildInfo,
        Rule::VariantMismatch,
        Rule::CgoMismatch,
        Rule::TrimpathMismatch,
        Rule::LibcMismatch,
        Rule::NotStatic,
        Rule::NotDynamic,
        Rule::MaxGlibc,
        Rule::LibraryNotAllowed,
        Rule::ForbiddenLibrary,
        Rule::NotStripped,
        Rule::NotPie,
        Rule::NoNx,
        Rule::MaxSize,
        Rule::MacosMin,
        Rule::WindowsSubsystem,
        Rule::MissingCodeSignature,
        Rule::InvalidSignature,
        Rule::PeChecksum,
        Rule::EntryPointNotInCode,
        Rule::Packed,
        Rule::WasmImportNotAllowed,
        Rule::GoVersionMismatch,
        Rule::InvalidPolicy,
        Rule::InvalidExpectation,
        Rule::PackageFormatMismatch,
        Rule::PackageNameMismatch,
        Rule::PackageVersionMismatch,
        Rule::PackageArchMismatch,
        Rule::PackageFileMismatch,
    ];

    /// The stable id, e.g. `arch-mismatch` (the same string serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::FormatMismatch => "format-mismatch",
            Rule::GoosMismatch => "goos-mismatch",
            Rule::ArchMismatch => "arch-mismatch",
            Rule::MissingBuildInfo => "missing-build-info",
            Rule::VariantMismatch => "variant-mismatch",
            Rule::CgoMismatch => "cgo-mismatch",
            Rule::TrimpathMismatch => "trimpath-mismatch",
            Rule::LibcMismatch => "libc-mismatch",
            Rule::NotStatic => "not-static",
            Rule::NotDynamic => "not-dynamic",
            Rule::MaxGlibc => "max-glibc",
            Rule::LibraryNotAllowed => "library-not-allowed",
            Rule::ForbiddenLibrary => "forbidden-library",
            Rule::NotStripped => "not-stripped",
            Rule::NotPie => "not-pie",
            Rule::NoNx => "no-nx",
            Rule::MaxSize => "max-size",
            Rule::MacosMin => "macos-min",
            Rule::WindowsSubsystem => "windows-subsystem",
            Rule::MissingCodeSignature => "missing-code-signature",
            Rule::InvalidSignature => "invalid-signature",
            Rule::PeChecksum => "pe-checksum",
            Rule::EntryPointNotInCode => "entry-point-not-in-code",
            Rule::Packed => "packed",
            Rule::WasmImportNotAllowed => "wasm-import-not-allowed",
            Rule::GoVersionMismatch => "go-version-mismatch",
            Rule::InvalidPolicy => "invalid-policy",
            Rule::InvalidExpectation => "invalid-expectation",
            Rule::PackageFormatMismatch => "package-format-mismatch",
            Rule::PackageNameMismatch => "package-name-mismatch",
            Rule::PackageVersionMismatch => "package-version-mismatch",
            Rule::PackageArchMismatch => "package-arch-mismatch",
            Rule::PackageFileMismatch => "package-file-mismatch",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Violation {
    /// The rule, serialised as its stable id, e.g. `arch-mismatch`.
    pub rule: Rule,
    /// What was found, naming the fact that broke the rule.
    pub message: String,
}

impl Violation {
    /// A violation of `rule`, with what was found.
    pub fn new(rule: Rule, message: impl Into<String>) -> Violation {
        Violation {
            rule,
            message: message.into(),
        }
    }
}

impl Violation {
    /// The one-line form of `problems` and messages: `[arch-mismatch] ...`.
    pub fn problem(&self) -> String {
        format!("[{}] {}", self.rule, self.message)
    }
}
