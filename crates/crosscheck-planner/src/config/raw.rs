//! matrix.toml exactly as written: serde types with spans, no meaning attached yet.
//!
//! Every table denies unknown keys, and every value that a later check may complain about
//! keeps its span, so that the complaint can point at it.

use std::collections::BTreeMap;

use crosscheck_schema::Policy;
use serde::Deserialize;
use toml::Spanned;

pub(crate) type SpannedList<T> = Spanned<Vec<Spanned<T>>>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub version: Option<Spanned<i64>>,
    pub project: Option<Spanned<RawProject>>,
    pub build: Option<Spanned<RawBuild>>,
    pub matrix: Option<Spanned<RawMatrix>>,
    pub policy: Option<Spanned<Policy>>,
    pub smoke: Option<Spanned<RawSmoke>>,
    pub hooks: Option<Spanned<RawHooks>>,
    pub packages: Option<Spanned<RawPackages>>,
    pub sign: Option<Spanned<RawSign>>,
    #[serde(rename = "override", default)]
    pub overrides: Vec<Spanned<RawOverride>>,
    #[serde(rename = "binary", default)]
    pub binaries: Vec<Spanned<RawBinary>>,
}

/// One `[[binary]]`: a main package built for the matrix's targets (or some of them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBinary {
    pub name: Spanned<String>,
    pub file_name: Option<Spanned<String>>,
    pub main: Spanned<String>,
    pub flags: Option<Vec<Spanned<String>>>,
    pub ldflags: Option<Vec<Spanned<String>>>,
    pub gcflags: Option<Vec<Spanned<String>>>,
    pub asmflags: Option<Vec<Spanned<String>>>,
    pub tags: Option<Vec<Spanned<String>>>,
    pub env: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub output: Option<Spanned<String>>,
    pub targets: Option<SpannedList<String>>,
    pub archive: Option<Spanned<bool>>,
    pub archive_name: Option<Spanned<String>>,
    pub packages: Option<Spanned<RawPackages>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProject {
    pub name: Option<Spanned<String>>,
    pub dir: Option<Spanned<String>>,
    pub main: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub commit: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBuild {
    pub go: Option<Spanned<String>>,
    pub flags: Option<Vec<Spanned<String>>>,
    pub ldflags: Option<Vec<Spanned<String>>>,
    pub gcflags: Option<Vec<Spanned<String>>>,
    pub asmflags: Option<Vec<Spanned<String>>>,
    pub tags: Option<Vec<Spanned<String>>>,
    pub env: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub output: Option<Spanned<String>>,
    pub cc: Option<Spanned<String>>,
    pub cxx: Option<Spanned<String>>,
    pub trimpath: Option<bool>,
    pub allow_broken: Option<bool>,
    pub pass_env: Option<Vec<Spanned<String>>>,
    pub macos_sdk: Option<Spanned<String>>,
    pub archive: Option<Spanned<String>>,
    pub archive_name: Option<Spanned<String>>,
    pub archive_files: Option<Vec<Spanned<String>>>,
    pub universal: Option<Spanned<bool>>,
    pub sbom: Option<Spanned<bool>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMatrix {
    pub os: Option<SpannedList<String>>,
    pub arch: Option<SpannedList<String>>,
    pub cgo: Option<SpannedList<bool>>,
    pub libc: Option<SpannedList<String>>,
    pub goarm: Option<SpannedList<String>>,
    pub goamd64: Option<SpannedList<String>>,
    pub go386: Option<SpannedList<String>>,
    pub goarm64: Option<SpannedList<String>>,
    pub gomips: Option<SpannedList<String>>,
    pub gomips64: Option<SpannedList<String>>,
    pub goppc64: Option<SpannedList<String>>,
    pub goriscv64: Option<SpannedList<String>>,
    pub gowasm: Option<SpannedList<String>>,
    pub include: Option<Vec<Spanned<RawTuple>>>,
    pub exclude: Option<Vec<Spanned<RawTuple>>>,
    pub targets: Option<SpannedList<String>>,
    pub go: Option<SpannedList<String>>,
}

/// A partial target: a missing field is a wildcard (in `exclude`) or a default (in `include`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTuple {
    pub os: Option<Spanned<String>>,
    pub arch: Option<Spanned<String>>,
    pub cgo: Option<Spanned<bool>>,
    pub libc: Option<Spanned<String>>,
    pub goarm: Option<Spanned<String>>,
    pub goamd64: Option<Spanned<String>>,
    pub go386: Option<Spanned<String>>,
    pub goarm64: Option<Spanned<String>>,
    pub gomips: Option<Spanned<String>>,
    pub gomips64: Option<Spanned<String>>,
    pub goppc64: Option<Spanned<String>>,
    pub goriscv64: Option<Spanned<String>>,
    pub gowasm: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOverride {
    #[serde(rename = "match")]
    pub selector: Spanned<String>,
    pub env: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub flags: Option<Vec<Spanned<String>>>,
    pub ldflags: Option<Vec<Spanned<String>>>,
    pub gcflags: Option<Vec<Spanned<String>>>,
    pub asmflags: Option<Vec<Spanned<String>>>,
    pub tags: Option<Vec<Spanned<String>>>,
    pub cc: Option<Spanned<String>>,
    pub cxx: Option<Spanned<String>>,
    pub output: Option<Spanned<String>>,
    pub policy: Option<Spanned<Policy>>,
    pub archive: Option<Spanned<String>>,
    pub archive_name: Option<Spanned<String>>,
    pub archive_files: Option<Vec<Spanned<String>>>,
    pub runner: Option<Spanned<String>>,
    pub smoke: Option<Spanned<RawSmokeOverride>>,
    pub sign: Option<Spanned<bool>>,
    pub packages: Option<Spanned<RawPackages>>,
}

/// `[packages]` (and `packages` of a `[[binary]]` or an `[[override]]`): the Linux
/// packages made from each linux artifact. Every key is optional so that a binary or an
/// override can replace some and inherit the rest.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackages {
    pub formats: Option<SpannedList<String>>,
    pub name: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub release: Option<Spanned<String>>,
    pub maintainer: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub homepage: Option<Spanned<String>>,
    pub license: Option<Spanned<String>>,
    pub vendor: Option<Spanned<String>>,
    pub section: Option<Spanned<String>>,
    pub priority: Option<Spanned<String>>,
    pub depends: Option<Vec<Spanned<String>>>,
    pub recommends: Option<Vec<Spanned<String>>>,
    pub suggests: Option<Vec<Spanned<String>>>,
    pub conflicts: Option<Vec<Spanned<String>>>,
    pub provides: Option<Vec<Spanned<String>>>,
    pub replaces: Option<Vec<Spanned<String>>>,
    pub bindir: Option<Spanned<String>>,
    pub contents: Option<Vec<Spanned<RawPackageContent>>>,
    pub scripts: Option<Spanned<RawPackageScripts>>,
    pub file_name: Option<Spanned<String>>,
}

/// One entry of `contents`: a file (or glob) of the module and where it is installed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackageContent {
    pub src: Spanned<String>,
    pub dst: Spanned<String>,
    pub mode: Option<Spanned<i64>>,
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
}

/// `scripts`: maintainer scripts, files of the module.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackageScripts {
    pub preinstall: Option<Spanned<String>>,
    pub postinstall: Option<Spanned<String>>,
    pub preremove: Option<Spanned<String>>,
    pub postremove: Option<Spanned<String>>,
}

/// `[smoke]`: the run after each build (`build --smoke`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmoke {
    pub enabled: Option<bool>,
    pub args: Option<Vec<Spanned<String>>>,
    pub expect: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub env: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// `smoke` of an `[[override]]`: what `[smoke]` has but `enabled`, which is one switch for
/// the whole run.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmokeOverride {
    pub args: Option<Vec<Spanned<String>>>,
    pub expect: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub env: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// One hook command as written: a list of words.
pub(crate) type RawHook = SpannedList<String>;

/// `[hooks]`: commands run before the builds, after each, and at the end.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHooks {
    pub before: Option<Vec<RawHook>>,
    pub after_build: Option<Vec<RawHook>>,
    pub after: Option<Vec<RawHook>>,
}

/// `[sign]`: which keys sign `SHA256SUMS` and the binaries. Keys are named by environment
/// variables; the secrets themselves never appear in the file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSign {
    pub minisign: Option<Spanned<RawMinisign>>,
    pub gpg: Option<Spanned<RawGpg>>,
    pub windows: Option<Spanned<RawPkcs12>>,
    pub macos: Option<Spanned<RawMacosSign>>,
}

/// `minisign = { key_env = "...", password_env = "..." }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMinisign {
    pub key_env: Spanned<String>,
    pub password_env: Option<Spanned<String>>,
}

/// `gpg = { key = "release@example.com" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGpg {
    pub key: Spanned<String>,
}

/// A PKCS#12 file and its password, each named by a variable, and a time-stamping server:
/// `windows = { pkcs12_env = "...", password_env = "...", timestamp_url = "..." }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPkcs12 {
    pub pkcs12_env: Spanned<String>,
    pub password_env: Spanned<String>,
    pub timestamp_url: Option<Spanned<String>>,
}

/// `macos = "adhoc"` or `macos = { pkcs12_env = "...", password_env = "..." }`. Read by hand
/// rather than `#[serde(untagged)]`, whose errors lose the key that was wrong.
pub(crate) enum RawMacosSign {
    /// A word; only `"adhoc"` means something, which the checker says.
    Word(String),
    /// A certificate.
    Pkcs12(RawPkcs12),
}

impl<'de> Deserialize<'de> for RawMacosSign {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MacosVisitor;
        impl<'de> serde::de::Visitor<'de> for MacosVisitor {
            type Value = RawMacosSign;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"adhoc\" or a table with `pkcs12_env` and `password_env`")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawMacosSign, E> {
                Ok(RawMacosSign::Word(value.to_owned()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawMacosSign, A::Error> {
                let table = serde::de::value::MapAccessDeserializer::new(map);
                RawPkcs12::deserialize(table).map(RawMacosSign::Pkcs12)
            }
        }
        deserializer.deserialize_any(MacosVisitor)
    }
}

impl RawMatrix {
    /// The variant axes, keyed by their variable.
    pub fn variant_axes(&self) -> [(crate::VariantVar, Option<&SpannedList<String>>); 9] {
        use crate::VariantVar as V;
        [
            (V::Goarm, self.goarm.as_ref()),
            (V::Goamd64, self.goamd64.as_ref()),
            (V::Go386, self.go386.as_ref()),
            (V::Goarm64, self.goarm64.as_ref()),
            (V::Gomips, self.gomips.as_ref()),
            (V::Gomips64, self.gomips64.as_ref()),
            (V::Goppc64, self.goppc64.as_ref()),
            (V::Goriscv64, self.goriscv64.as_ref()),
            (V::Gowasm, self.gowasm.as_ref()),
        ]
    }
}

impl RawTuple {
    /// The variant keys that are set.
    pub fn variant_values(&self) -> Vec<(crate::VariantVar, &Spanned<String>)> {
        use crate::VariantVar as V;
        [
            (V::Goarm, self.goarm.as_ref()),
            (V::Goamd64, self.goamd64.as_ref()),
            (V::Go386, self.go386.as_ref()),
            (V::Goarm64, self.goarm64.as_ref()),
            (V::Gomips, self.gomips.as_ref()),
            (V::Gomips64, self.gomips64.as_ref()),
            (V::Goppc64, self.goppc64.as_ref()),
            (V::Goriscv64, self.goriscv64.as_ref()),
            (V::Gowasm, self.gowasm.as_ref()),
        ]
        .into_iter()
        .filter_map(|(var, value)| value.map(|value| (var, value)))
        .collect()
    }
}
