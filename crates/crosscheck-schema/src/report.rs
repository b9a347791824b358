//! The serialisable result of inspecting one file.
//!
//! Every field here is documented key by key in `docs/inspect.md`; keep the two in step.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Container format of an inspected file, decided from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// ELF (32 or 64 bit, either byte order).
    Elf,
    /// A thin Mach-O image.
    Macho,
    /// A fat ("universal") Mach-O holding one image per architecture.
    MachoFat,
    /// PE32 or PE32+ (Windows).
    Pe,
    /// A WebAssembly module (or component).
    Wasm,
    /// AIX XCOFF (32 or 64 bit).
    Xcoff,
    /// Plan 9 a.out.
    Plan9,
    /// Anything the inspector does not recognise.
    Unknown,
}

impl Format {
    /// The name used in JSON and in messages, e.g. `macho-fat`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Elf => "elf",
            Format::Macho => "macho",
            Format::MachoFat => "macho-fat",
            Format::Pe => "pe",
            Format::Wasm => "wasm",
            Format::Xcoff => "xcoff",
            Format::Plan9 => "plan9",
            Format::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Byte order of the target architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

/// Which C library a binary needs at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    /// GNU libc (interpreter `ld-linux*`/`ld64.so.*`, `libc.so.6`, or `GLIBC_*` version needs).
    Glibc,
    /// musl (interpreter `ld-musl-*` or `libc.musl-*`).
    Musl,
    /// Some other C library: BSD libc, Solaris libc, bionic, libSystem, msvcrt/UCRT, AIX libc.
    Other,
    /// No C library is linked dynamically (static binaries, pure-Go Windows binaries, wasm).
    None,
}

impl Relro {
    /// The name used in JSON and in messages: `none`, `partial`, `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            Relro::None => "none",
            Relro::Partial => "partial",
            Relro::Full => "full",
        }
    }
}

impl Libc {
    /// The name used in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
            Libc::Other => "other",
            Libc::None => "none",
        }
    }
}

/// ELF RELRO level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Relro {
    /// No `PT_GNU_RELRO` segment.
    None,
    /// `PT_GNU_RELRO` without immediate binding.
    Partial,
    /// `PT_GNU_RELRO` plus `DT_BIND_NOW`, `DF_BIND_NOW` or `DF_1_NOW`.
    Full,
}

/// Where the `goos` value of a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GoosSource {
    /// The `GOOS` build setting in the embedded Go build info.
    Buildinfo,
    /// Facts of the binary itself (OS ABI, notes, interpreter, platform, imports).
    Binary,
}

/// A code signature found in the binary, and whether it holds for the file's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CodeSignature {
    /// `macho-adhoc` (no CMS blob), `macho-cms` (a CMS signature blob is present) or
    /// `authenticode` (PE attribute certificate table).
    pub kind: String,
    /// Size in bytes of the signature data.
    pub size: u64,
    /// The signature verifies against the file as it is: the digests it signs match the bytes,
    /// and (when a certificate signed) the signer's signature over them checks with its public
    /// key. Trust in the certificate itself (a chain to a root) is not judged.
    pub valid: bool,
    /// Why the signature is not valid; null when it is.
    pub reason: Option<SignatureProblem>,
    /// One sentence naming what failed, e.g. `page 3 of 12 (bytes 0x3000..0x4000) does not
    /// match its sha256 hash`; null when valid.
    pub detail: Option<String>,
    /// Digest algorithm of the signed content: `sha1`, `sha256`, `sha256-truncated` (Apple's
    /// SHA-256 cut to 20 bytes), `sha384`, `sha512`; null when the signature is too broken to
    /// say.
    pub digest_algorithm: Option<String>,
    /// The certificate that signed; null for ad-hoc Mach-O signatures and malformed ones.
    pub signer: Option<Signer>,
    /// A timestamp countersignature (Authenticode: RFC 3161 or legacy countersignature; Apple:
    /// a timestamp token in the CMS blob) is present. It is reported, not verified.
    pub timestamped: bool,
    /// Apple code signature details; null for Authenticode.
    pub apple: Option<AppleSignature>,
}

impl CodeSignature {
    /// A signature of `kind` and `size` that no check has passed yet: `valid` is false until
    /// a verifier sets it.
    pub fn unchecked(kind: &str, size: u64) -> CodeSignature {
        CodeSignature {
            kind: kind.to_owned(),
            size,
            valid: false,
            reason: None,
            detail: None,
            digest_algorithm: None,
            signer: None,
            timestamped: false,
            apple: None,
        }
    }

    /// Marks the signature invalid for `problem`, with one sentence saying what failed.
    pub fn fail(&mut self, problem: SignatureProblem, detail: String) {
        self.valid = false;
        self.reason = Some(problem);
        self.detail = Some(detail);
    }
}

/// Why a code signature does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureProblem {
    /// The file's bytes no longer hash to the digest the signature carries (the file changed
    /// after signing).
    DigestMismatch,
    /// The digests match but the signer's signature over them does not verify with the
    /// certificate's public key.
    BadSignature,
    /// A digest or signature algorithm the inspector does not implement.
    UnsupportedAlgorithm,
    /// The signature data does not parse.
    Malformed,
}

impl SignatureProblem {
    /// The stable id, e.g. `digest-mismatch` (the same string serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureProblem::DigestMismatch => "digest-mismatch",
            SignatureProblem::BadSignature => "bad-signature",
            SignatureProblem::UnsupportedAlgorithm => "unsupported-algorithm",
            SignatureProblem::Malformed => "malformed",
        }
    }
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The X.509 certificate that made a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signer {
    /// Subject distinguished name, RFC 4514 style, e.g. `CN=Example Corp,O=Example`.
    pub subject: String,
    /// Issuer distinguished name, same style.
    pub issuer: String,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// Start of validity, RFC 3339 (UTC).
    pub not_before: String,
    /// End of validity, RFC 3339 (UTC).
    pub not_after: String,
    /// Public key algorithm: `rsa`, `ecdsa-p256`, `ecdsa-p384`, or the OID when unknown.
    pub key_algorithm: String,
}

/// Facts of an Apple code signature's CodeDirectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppleSignature {
    /// Signing identifier, e.g. `a.out` or `com.example.tool`.
    pub identifier: String,
    /// Team identifier (Developer ID signatures); null when absent.
    pub team_id: Option<String>,
    /// CodeDirectory version, hex, e.g. `0x20400`.
    pub version: String,
    /// CodeDirectory flags, hex, e.g. `0x20002`.
    pub flags: String,
    /// The `adhoc` flag is set: no certificate signs the CodeDirectory.
    pub adhoc: bool,
    /// The `runtime` flag is set (hardened runtime, required for notarization).
    pub hardened_runtime: bool,
    /// The `linker-signed` flag is set (Go's and Apple's linkers sign this way).
    pub linker_signed: bool,
    /// Size of a hashed page in bytes (4096 for arm64 binaries from Go's linker).
    pub page_size: u64,
    /// Bytes covered by the page hashes (the offset of the signature itself).
    pub code_limit: u64,
    /// Number of page hashes.
    pub pages: u64,
    /// Index of the first page whose hash does not match; null when all match.
    pub first_mismatched_page: Option<u64>,
}

/// The PE optional header's CheckSum and the value computed from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PeChecksum {
    /// The stored CheckSum; 0 means "not set" (what Go's linker writes).
    pub stored: u32,
    /// The checksum computed from the file as Windows' `CheckSumMappedFile` does.
    pub computed: u32,
}

/// Where a PE image starts running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EntryPoint {
    /// `AddressOfEntryPoint`, hex, e.g. `0x6b2a0`.
    pub rva: String,
    /// Name of the section that holds it; null when it lies in none.
    pub section: Option<String>,
    /// That section is executable (`IMAGE_SCN_MEM_EXECUTE` or `IMAGE_SCN_CNT_CODE`).
    pub executable: bool,
}

/// PE DllCharacteristics decoded bit by bit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DllCharacteristics {
    /// Raw value of the field.
    pub raw: u16,
    /// `DYNAMIC_BASE` (0x40): the image can be relocated (ASLR).
    pub aslr: bool,
    /// `HIGH_ENTROPY_VA` (0x20): 64-bit ASLR.
    pub high_entropy_va: bool,
    /// `NX_COMPAT` (0x100): compatible with DEP.
    pub nx_compat: bool,
    /// `FORCE_INTEGRITY` (0x80).
    pub force_integrity: bool,
    /// `NO_SEH` (0x400).
    pub no_seh: bool,
    /// `GUARD_CF` (0x4000): Control Flow Guard.
    pub guard_cf: bool,
    /// `APPCONTAINER` (0x1000).
    pub appcontainer: bool,
    /// `TERMINAL_SERVER_AWARE` (0x8000).
    pub terminal_server_aware: bool,
}

/// PE-specific facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PeDetails {
    /// `console`, `gui`, `native`, `posix`, `efi-application`, `efi-boot-service-driver`,
    /// `efi-runtime-driver`, `efi-rom`, `xbox`, `boot-application`, `windows-ce-gui` or `unknown`.
    pub subsystem: String,
    /// COFF machine field, e.g. `0x8664`.
    pub machine: String,
    /// Whether the image is a DLL.
    pub is_dll: bool,
    /// Decoded DllCharacteristics.
    pub dll_characteristics: DllCharacteristics,
    /// `MajorOperatingSystemVersion.MinorOperatingSystemVersion`, e.g. `6.1`.
    pub min_os_version: String,
    /// Number of imported functions (across all DLLs).
    pub import_count: usize,
    /// Stored and computed CheckSum.
    pub checksum: PeChecksum,
    /// Entry point and the section it lies in; null for a DLL without one.
    pub entry_point: Option<EntryPoint>,
}

/// Mach-O-specific facts of a thin image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MachoDetails {
    /// Raw CPU type, e.g. `0x100000c`.
    pub cputype: String,
    /// Header flags, e.g. `0x200085`.
    pub flags: String,
    /// `macos`, `ios`, `tvos`, `watchos`, `bridgeos`, `maccatalyst`, `ios-simulator`,
    /// `tvos-simulator`, `watchos-simulator`, `driverkit`, `visionos`, `visionos-simulator`, or null
    /// when no LC_BUILD_VERSION / LC_VERSION_MIN_* command is present.
    pub platform: Option<String>,
    /// Minimum OS version for `platform`, e.g. `11.0`.
    pub min_os: Option<String>,
    /// SDK version recorded next to the minimum OS version.
    pub sdk: Option<String>,
    /// `MH_ALLOW_STACK_EXECUTION` is set.
    pub allow_stack_execution: bool,
    /// `MH_NO_HEAP_EXECUTION` is set.
    pub no_heap_execution: bool,
}

/// WebAssembly-specific facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WasmDetails {
    /// `module` or `component` (components are identified, not parsed).
    pub kind: String,
    /// Every import as `module.name`, in file order (capped).
    pub imports: Vec<String>,
    /// The `producers` custom section as `field: name version` strings.
    pub producers: Vec<String>,
}

/// One Go module in the build info.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GoModule {
    /// Module path.
    pub path: String,
    /// Module version, e.g. `v1.2.3` or `(devel)`.
    pub version: String,
    /// go.sum hash, empty when unknown.
    pub sum: String,
    /// The replacement module, when a `replace` directive applied.
    pub replace: Option<Box<GoModule>>,
}

/// Build settings in recorded order; serialised as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSettings(pub Vec<(String, String)>);

impl GoSettings {
    /// The value of the first setting named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for GoSettings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for GoSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = GoSettings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of build settings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<GoSettings, M::Error> {
                let mut settings = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    settings.push(entry);
                }
                Ok(GoSettings(settings))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

impl JsonSchema for GoSettings {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GoSettings".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Build settings in recorded order, name to value.",
            "type": "object",
            "additionalProperties": { "type": "string" }
        })
    }
}

/// How the Go facts were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GoInfoSource {
    /// The build-info blob, inline-string format (Go 1.18+).
    Buildinfo,
    /// The build-info blob, pointer format (Go 1.13-1.17).
    BuildinfoPointers,
    /// wasm: the modinfo sentinels in the data, plus the `producers` section.
    WasmModinfo,
    /// wasm: only the `producers` custom section.
    WasmProducers,
    /// No build info: Go was recognised from its build ID, pclntab or runtime version string.
    Heuristic,
}

/// What the embedded Go build info says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GoInfo {
    /// Toolchain version, e.g. `go1.26.1`; null when it could not be recovered.
    pub version: Option<String>,
    /// Main package import path; null without module info.
    pub path: Option<String>,
    /// Main module; null without module info.
    pub main: Option<GoModule>,
    /// Dependencies in recorded order.
    pub deps: Vec<GoModule>,
    /// Build settings (`-trimpath`, `CGO_ENABLED`, `GOARCH`, `GOAMD64`, `vcs.revision`, ...).
    pub settings: GoSettings,
    /// Go build ID when present.
    pub build_id: Option<String>,
    /// Where these facts came from.
    pub source: GoInfoSource,
}

/// Everything the inspector learned about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The path (or label) the caller gave.
    pub path: String,
    /// Container format.
    pub format: Format,
    /// Go-style operating system name; null when truly unknown.
    pub goos: Option<String>,
    /// Where `goos` came from; null when `goos` is null.
    pub goos_source: Option<GoosSource>,
    /// Go-style architecture name; null for unknown machines and for fat Mach-O files.
    pub goarch: Option<String>,
    /// 32 or 64; null when unknown (fat files).
    pub bits: Option<u8>,
    /// Byte order of the target; null when unknown (fat files).
    pub endian: Option<Endian>,
    /// No interpreter and no needed libraries. Always false for PE and Mach-O.
    #[serde(rename = "static")]
    pub is_static: bool,
    /// ELF `PT_INTERP` path or Mach-O `LC_LOAD_DYLINKER` path.
    pub interpreter: Option<String>,
    /// Needed libraries: ELF `DT_NEEDED`, Mach-O dylibs, PE DLLs (lower-cased), wasm import
    /// modules, XCOFF loader imports.
    pub libraries: Vec<String>,
    /// Every versioned dependency from ELF version needs, e.g. `GLIBC_2.34`.
    pub symbol_versions: Vec<String>,
    /// Highest `GLIBC_x.y` among the version needs.
    pub glibc_min: Option<String>,
    /// C library flavour.
    pub libc: Libc,
    /// Position independent executable.
    pub pie: bool,
    /// Non-executable stack/data; null when the binary does not say (e.g. netbsd ELF).
    pub nx: Option<bool>,
    /// ELF RELRO level; null for other formats.
    pub relro: Option<Relro>,
    /// No symbol table.
    pub stripped: bool,
    /// DWARF (`.debug_*`, `.zdebug_*`, `__DWARF`) present.
    pub debug_info: bool,
    /// PE details; null for other formats.
    pub pe: Option<PeDetails>,
    /// Mach-O details of a thin image; null otherwise.
    pub macho: Option<MachoDetails>,
    /// Code signature, if any.
    pub code_signature: Option<CodeSignature>,
    /// The packer that compressed the file (`upx`); null when not packed.
    pub packed: Option<String>,
    /// Minimum macOS version (Mach-O with platform macos), e.g. `11.0`.
    pub macos_min: Option<String>,
    /// wasm details; null for other formats.
    pub wasm: Option<WasmDetails>,
    /// wasm export names.
    pub exports: Vec<String>,
    /// For `macho-fat`: one report per slice.
    pub slices: Vec<Report>,
    /// Go facts; null for non-Go binaries.
    pub go: Option<GoInfo>,
    /// Lower-case hex SHA-256 of the file (of the slice, for slices).
    pub sha256: String,
    /// Size in bytes (of the slice, for slices).
    pub size: u64,
}

impl Report {
    /// A report with every fact empty, for `format` and `path`: where the inspector's
    /// parsers start.
    pub fn empty(path: &str, format: Format, size: u64) -> Report {
        Report {
            path: path.to_owned(),
            format,
            goos: None,
            goos_source: None,
            goarch: None,
            bits: None,
            endian: None,
            is_static: false,
            interpreter: None,
            libraries: Vec::new(),
            symbol_versions: Vec::new(),
            glibc_min: None,
            libc: Libc::None,
            pie: false,
            nx: None,
            relro: None,
            stripped: false,
            debug_info: false,
            pe: None,
            macho: None,
            code_signature: None,
            packed: None,
            macos_min: None,
            wasm: None,
            exports: Vec::new(),
            slices: Vec::new(),
            go: None,
            sha256: String::new(),
            size,
        }
    }

    /// The value of a Go build setting such as `GOAMD64`, `CGO_ENABLED` or `-trimpath`.
    ///
    /// For a fat Mach-O without top-level build info, the first slice that has the setting answers.
    pub fn build_setting(&self, key: &str) -> Option<&str> {
        if let Some(v) = self.go.as_ref().and_then(|g| g.settings.get(key)) {
            return Some(v);
        }
        self.slices.iter().find_map(|s| s.build_setting(key))
    }

    /// Whether the Go build info (or, failing that, a Go marker) shows this is a Go binary.
    pub fn is_go(&self) -> bool {
        self.go.is_some()
    }
}
