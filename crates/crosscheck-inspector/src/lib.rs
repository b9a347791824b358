//! Inspects binaries produced by `go build` for any target and says what they are.
//!
//! Data flow: [`inspect_path`] maps a file (or [`inspect_bytes`] takes a buffer), [`detect`]
//! picks the container [`Format`] from the magic bytes, and one format parser (ELF, Mach-O thin
//! or fat, PE, wasm, XCOFF, Plan 9) runs isolated under `catch_unwind` with size and count caps.
//! It fills a [`Report`]: target (`goos`, `goarch`, `bits`, `endian`), linkage (`static`,
//! `interpreter`, `libraries`, `glibc_min`, `libc`), hardening (`pie`, `nx`, `relro`,
//! `stripped`, `debug_info`, code signature), packing (`packed`, UPX) and the Go build info
//! ([`GoInfo`]) decoded by this crate's own reader of the `go:buildinfo` blob. Code signatures
//! are verified, not only found: `authenticode` recomputes a PE's image digest and checks the
//! PKCS#7 signer with `cms`; `codesign` recomputes an Apple signature's page hashes.
//! [`check`] then compares a report with an [`Expectation`] (what the build step asked for)
//! and a [`Policy`] (project rules) and returns [`Violation`]s, each naming the [`Rule`] it
//! breaks by a stable id; [`check_go_release`] adds the rule for a toolchain a plan pinned.
//! [`locate`] names the section holding a file offset, to say where two builds that should be
//! identical first differ.
//!
//! Linux packages are read too: [`read_linux_package`] sniffs a deb, rpm or apk
//! ([`detect_linux_package`]) and reads its metadata and payload into [`LinuxPackageFacts`],
//! hashing every packaged file itself; [`check_linux_package`] compares the facts with an
//! [`ExpectedLinuxPackage`] (the plan's name, version, architecture name and the artifact's
//! SHA-256), with rules of their own (`package-*`).
//!
//! The crate is synchronous, prints nothing and never panics on file contents: an unknown file
//! is a report with `format: unknown`, a broken file of a known format is
//! [`InspectError::Malformed`]. The report, the expectation, the policy and the rules are
//! `crosscheck-schema`'s records (re-exported here), since the manifest carries them;
//! `docs/architecture.md` shows how the stages fit together.

#![warn(missing_docs)]

mod authenticode;
mod buildinfo;
mod cms;
mod codesign;
mod elf;
mod error;
mod inspect;
mod linux_package;
mod locate;
mod macho;
mod packer;
mod pe;
mod plan9;
mod util;
pub mod verdict;
mod wasm;
mod xcoff;

pub use crosscheck_schema::{Expectation, Policy, PolicyError, StaticPolicy, WindowsSubsystem};
pub use error::InspectError;
pub use inspect::{
    DEFAULT_MAX_FILE_SIZE, InspectOptions, detect, inspect_bytes, inspect_bytes_with, inspect_path,
    inspect_path_with,
};
pub use linux_package::{
    PackageLimits, check_linux_package, detect_linux_package, read_linux_package,
    read_linux_package_with,
};
pub use locate::{Location, locate};
// What `inspect_path` returns is the schema's `Report`, re-exported so that callers of the
// inspector need one import.
pub use crosscheck_schema::report::{
    AppleSignature, CodeSignature, DllCharacteristics, Endian, Format, GoInfo, GoInfoSource,
    GoModule, GoSettings, GoosSource, Libc, MachoDetails, PeDetails, Relro, Report,
    SignatureProblem, Signer, WasmDetails,
};
pub use crosscheck_schema::{
    ExpectedLinuxPackage, LinuxPackageFacts, LinuxPackageFormat, PackagedFile, PackagedFileKind,
    Rule, Violation,
};
pub use util::compare_versions;
pub use verdict::{check, check_go_release};
