//! The canonical target: what one `go build` is asked to produce, and its id.
//!
//! Grammar of a target id (documented in `docs/targets.md`):
//!
//! ```text
//! id      = [ binary ":" ] goos "/" goarch [ "/" variant ] [ "+cgo" [ "." libc ] ] [ "@go" go ]
//! binary  = the name of a `[[binary]]` table            (only when the matrix has several)
//! variant = the sub-architecture value, "v"-prefixed for GOARM, with "," written as "-"
//! libc    = "gnu" [ major "." minor ] | "musl"          (linux only)
//! go      = "1." minor [ "." patch ]       (only with the Go-version axis of the matrix)
//! ```
//!
//! Examples: `linux/arm/v7`, `linux/amd64/v3`, `linux/arm64+cgo.musl`,
//! `linux/amd64+cgo.gnu2.17`, `windows/amd64+cgo`, `wasip1/wasm`, `linux/amd64@go1.25`,
//! `server:linux/amd64`.
//! `Display` always prints the canonical form and `FromStr` accepts it back, so ids
//! round-trip. The one shorthand the parser accepts is `linux/<arch>+cgo`, which means
//! `+cgo.gnu` (glibc, unpinned).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::go::{GoVersion, GoVersionError};
use crate::variant::{Variant, VariantError};

/// One build target: GOOS × GOARCH × sub-architecture × cgo × libc.
///
/// Serialises as its id string, which is what the plan and the manifest key on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// Go's GOOS, e.g. `linux`.
    pub goos: String,
    /// Go's GOARCH, e.g. `arm64`.
    pub goarch: String,
    /// The sub-architecture (GOARM, GOAMD64, ...), `None` for the toolchain default.
    pub variant: Option<Variant>,
    /// Whether the target is built with `CGO_ENABLED=1`.
    pub cgo: bool,
    /// The C library of a linux cgo target; `None` whenever it does not apply.
    pub libc: Option<Libc>,
    /// The Go release of the matrix's `go` axis (as requested, `1.25`); `None` without
    /// the axis, when the Go at hand builds.
    pub go: Option<GoVersion>,
    /// The `[[binary]]` this build makes, when the matrix has several binaries; `None` for
    /// the one binary of a matrix without them (whose ids are unchanged).
    pub binary: Option<String>,
}

/// The C library a linux cgo target links against.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Libc {
    /// glibc, optionally pinned to the oldest version the binary may require.
    Gnu(Option<GlibcVersion>),
    /// musl, linked statically.
    Musl,
}

/// A glibc version such as 2.17, compared numerically (2.9 < 2.17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GlibcVersion {
    /// Always 2 in practice, kept for honest comparisons.
    pub major: u16,
    /// The series, e.g. 17 in 2.17.
    pub minor: u16,
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for GlibcVersion {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (major, minor) = text.split_once('.').ok_or(())?;
        let parse = |part: &str| {
            if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            part.parse::<u16>().map_err(|_| ())
        };
        Ok(GlibcVersion {
            major: parse(major)?,
            minor: parse(minor)?,
        })
    }
}

impl Libc {
    /// Parses the config spelling (`gnu`, `gnu.2.17`, `gnu2.17`, `musl`).
    pub fn parse(text: &str) -> Option<Libc> {
        match text {
            "gnu" => Some(Libc::Gnu(None)),
            "musl" => Some(Libc::Musl),
            _ => {
                let pin = text.strip_prefix("gnu")?;
                let pin = pin.strip_prefix('.').unwrap_or(pin);
                pin.parse().ok().map(|v| Libc::Gnu(Some(v)))
            }
        }
    }

    /// The libc flavour without a version pin: `gnu` or `musl`.
    pub fn flavour(&self) -> &'static str {
        match self {
            Libc::Gnu(_) => "gnu",
            Libc::Musl => "musl",
        }
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Libc::Gnu(None) => f.write_str("gnu"),
            Libc::Gnu(Some(version)) => write!(f, "gnu{version}"),
            Libc::Musl => f.write_str("musl"),
        }
    }
}

impl Serialize for Libc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why a string is not a target id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetIdError {
    /// Not `os/arch...` at all.
    #[error("target id {0:?} is not of the form os/arch[/variant][+cgo[.libc]]")]
    Shape(String),
    /// Something after `+` other than `cgo`.
    #[error(
        "unknown qualifier {qualifier:?} in target id {id:?} (hint: the only qualifier is \"+cgo\", optionally \"+cgo.gnu\", \"+cgo.gnu2.17\" or \"+cgo.musl\")"
    )]
    Qualifier {
        /// The whole id.
        id: String,
        /// The offending qualifier.
        qualifier: String,
    },
    /// A libc that is not gnu, gnuX.Y or musl.
    #[error(
        "unknown libc {libc:?} in target id {id:?} (hint: use gnu, gnu2.17-style pins or musl)"
    )]
    Libc {
        /// The whole id.
        id: String,
        /// The offending libc text.
        libc: String,
    },
    /// A libc on a target that cannot have one.
    #[error("libc {libc:?} applies only to linux targets built with cgo, not to {id:?}")]
    LibcNotApplicable {
        /// The whole id.
        id: String,
        /// The offending libc text.
        libc: String,
    },
    /// The variant segment is wrong for the arch.
    #[error("{0}")]
    Variant(#[from] VariantError),
    /// The `@go` suffix is not a Go release.
    #[error("in target id {id:?}: {source}")]
    Go {
        /// The whole id.
        id: String,
        /// What is wrong with the version.
        source: GoVersionError,
    },
}

impl Target {
    /// A pure-Go target with the toolchain's default sub-architecture.
    pub fn new(goos: impl Into<String>, goarch: impl Into<String>) -> Target {
        Target {
            goos: goos.into(),
            goarch: goarch.into(),
            variant: None,
            cgo: false,
            libc: None,
            go: None,
            binary: None,
        }
    }

    /// The canonical id, e.g. `linux/arm64+cgo.musl`.
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// A filename-safe rendering of the id, e.g. `linux_arm64_cgo_musl`.
    ///
    /// Every target id maps to a distinct slug: the components are joined with `_`, and
    /// none of them contains `_` (`-`, `.` and alphanumerics only). A binary's name comes
    /// first and may contain `_`; the planner rejects the (contrived) pairs of builds whose
    /// slugs would still collide.
    pub fn slug(&self) -> String {
        let mut slug = match &self.binary {
            Some(binary) => format!("{binary}_{}_{}", self.goos, self.goarch),
            None => format!("{}_{}", self.goos, self.goarch),
        };
        if let Some(variant) = &self.variant {
            slug.push('_');
            slug.push_str(&variant.id_segment());
        }
        if self.cgo {
            slug.push_str("_cgo");
            if let Some(libc) = &self.libc {
                slug.push('_');
                slug.push_str(&libc.to_string());
            }
        }
        if let Some(go) = &self.go {
            slug.push('_');
            slug.push_str(&go.id_segment());
        }
        slug
    }

    /// `.exe` on windows, `.wasm` on wasm, empty elsewhere.
    pub fn exe_suffix(&self) -> &'static str {
        if self.goos == "windows" {
            ".exe"
        } else if self.goarch == "wasm" {
            ".wasm"
        } else {
            ""
        }
    }

    /// The target without its binary: what every binary built for it shares (its Go
    /// packages, its runner, its archive by default).
    pub fn platform(&self) -> Target {
        Target {
            binary: None,
            ..self.clone()
        }
    }

    /// The same target for `binary`.
    pub fn for_binary(&self, binary: Option<&str>) -> Target {
        Target {
            binary: binary.map(str::to_owned),
            ..self.clone()
        }
    }

    /// The `os/arch` pair, the unit Go's port list speaks of.
    pub fn port(&self) -> String {
        format!("{}/{}", self.goos, self.goarch)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(binary) = &self.binary {
            write!(f, "{binary}:")?;
        }
        write!(f, "{}/{}", self.goos, self.goarch)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{}", variant.id_segment())?;
        }
        if self.cgo {
            f.write_str("+cgo")?;
            if let Some(libc) = &self.libc {
                write!(f, ".{libc}")?;
            }
        }
        if let Some(go) = &self.go {
            write!(f, "@{}", go.id_segment())?;
        }
        Ok(())
    }
}

impl FromStr for Target {
    type Err = TargetIdError;

    fn from_str(id: &str) -> Result<Target, TargetIdError> {
        let shape = || TargetIdError::Shape(id.to_owned());
        let (binary, platform) = match id.split_once(':') {
            Some((binary, platform)) if is_binary_name(binary) => (Some(binary), platform),
            Some(_) => return Err(shape()),
            None => (None, id),
        };
        let (rest, go) = match platform.split_once('@') {
            Some((rest, go)) => {
                // Only the canonical `go1.25` spelling: ids are compared as strings.
                let version = go
                    .strip_prefix("go")
                    .ok_or_else(|| GoVersionError {
                        text: go.to_owned(),
                    })
                    .and_then(str::parse::<GoVersion>)
                    .and_then(|version| {
                        if version.id_segment() == go {
                            Ok(version)
                        } else {
                            Err(GoVersionError {
                                text: go.to_owned(),
                            })
                        }
                    })
                    .map_err(|source| TargetIdError::Go {
                        id: id.to_owned(),
                        source,
                    })?;
                (rest, Some(version))
            }
            None => (platform, None),
        };
        let (path, qualifier) = match rest.split_once('+') {
            Some((path, qualifier)) => (path, Some(qualifier)),
            None => (rest, None),
        };
        let mut parts = path.split('/');
        let goos = parts.next().filter(|s| is_name(s)).ok_or_else(shape)?;
        let goarch = parts.next().filter(|s| is_name(s)).ok_or_else(shape)?;
        let variant = match parts.next() {
            Some(segment) if !segment.is_empty() => {
                Some(Variant::from_id_segment(goarch, segment)?)
            }
            Some(_) => return Err(shape()),
            None => None,
        };
        if parts.next().is_some() {
            return Err(shape());
        }

        let (cgo, libc) = match qualifier {
            None => (false, None),
            Some(qualifier) => {
                let libc_text = match qualifier.split_once('.') {
                    Some(("cgo", libc)) => Some(libc),
                    None if qualifier == "cgo" => None,
                    _ => {
                        return Err(TargetIdError::Qualifier {
                            id: id.to_owned(),
                            qualifier: qualifier.to_owned(),
                        });
                    }
                };
                let libc = match libc_text {
                    Some(text) => {
                        let libc = Libc::parse(text).ok_or_else(|| TargetIdError::Libc {
                            id: id.to_owned(),
                            libc: text.to_owned(),
                        })?;
                        if goos != "linux" {
                            return Err(TargetIdError::LibcNotApplicable {
                                id: id.to_owned(),
                                libc: text.to_owned(),
                            });
                        }
                        Some(libc)
                    }
                    None if goos == "linux" => Some(Libc::Gnu(None)),
                    None => None,
                };
                (true, libc)
            }
        };

        Ok(Target {
            goos: goos.to_owned(),
            goarch: goarch.to_owned(),
            variant,
            cgo,
            libc,
            go,
            binary: binary.map(str::to_owned),
        })
    }
}

/// Whether `text` may name a binary (`[[binary]] name`): a file name of ASCII letters,
/// digits, `.`, `-` and `_`, not starting with `.` or `-`. It appears in ids, slugs and
/// paths, so it may hold nothing that needs quoting in any of them.
pub fn is_binary_name(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(['.', '-'])
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// `text` made a binary name: what [`is_binary_name`] does not allow becomes `-`, leading
/// `.` and `-` go; `None` when nothing is left. For names taken from elsewhere (a
/// directory, a GoReleaser build id).
pub fn to_binary_name(text: &str) -> Option<String> {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = replaced.trim_start_matches(['.', '-']).to_owned();
    is_binary_name(&trimmed).then_some(trimmed)
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Target, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids_round_trip() {
        for id in [
            "linux/amd64",
            "linux/arm/v7",
            "linux/arm/v7-softfloat",
            "linux/amd64/v3",
            "linux/arm64/v8.2-lse-crypto",
            "linux/arm64+cgo.musl",
            "linux/amd64+cgo.gnu",
            "linux/amd64+cgo.gnu2.17",
            "windows/amd64+cgo",
            "wasip1/wasm",
            "js/wasm/satconv-signext",
            "linux/386/softfloat",
            "linux/riscv64/rva22u64",
            "linux/amd64@go1.25",
            "linux/arm64+cgo.musl@go1.26",
            "linux/arm/v7@go1.25.3",
            "windows/amd64+cgo@go1.24",
        ] {
            let target: Target = id.parse().unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(target.to_string(), id);
        }
    }

    #[test]
    fn linux_cgo_shorthand_means_unpinned_glibc() {
        let target: Target = "linux/amd64+cgo".parse().unwrap();
        assert_eq!(target.libc, Some(Libc::Gnu(None)));
        assert_eq!(target.to_string(), "linux/amd64+cgo.gnu");
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "linux/amd64/",
            "linux/amd64/v1/x",
            "Linux/amd64",
            "linux/amd64+cgo.glibc",
            "linux/amd64+static",
            "windows/amd64+cgo.musl",
            "linux/amd64/v9",
            "linux/amd64@",
            "linux/amd64@1.25",
            "linux/amd64@go1.25rc1",
            "linux/amd64@gogo1.25",
            "linux/amd64@go1.25@go1.26",
            "@go1.25",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn binaries_prefix_ids_and_slugs() {
        let target: Target = "server:linux/arm/v7+cgo.musl".parse().unwrap();
        assert_eq!(target.binary.as_deref(), Some("server"));
        assert_eq!(target.id(), "server:linux/arm/v7+cgo.musl");
        assert_eq!(target.slug(), "server_linux_arm_v7_cgo_musl");
        assert_eq!(target.platform().id(), "linux/arm/v7+cgo.musl");
        assert_eq!(
            target.platform().for_binary(Some("cli")).id(),
            "cli:linux/arm/v7+cgo.musl"
        );
        for bad in [
            ":linux/amd64",
            "a b:linux/amd64",
            ".x:linux/amd64",
            "x:y:linux/amd64",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_are_filename_safe() {
        let target: Target = "linux/amd64+cgo.gnu2.17".parse().unwrap();
        assert_eq!(target.slug(), "linux_amd64_cgo_gnu2.17");
        let target: Target = "linux/arm/v7".parse().unwrap();
        assert_eq!(target.slug(), "linux_arm_v7");
        let target: Target = "linux/arm64+cgo.musl@go1.25".parse().unwrap();
        assert_eq!(target.slug(), "linux_arm64_cgo_musl_go1.25");
        assert_eq!(target.go.map(|go| go.to_string()).as_deref(), Some("1.25"));
    }

    #[test]
    fn glibc_versions_compare_numerically() {
        let old: GlibcVersion = "2.9".parse().unwrap();
        let new: GlibcVersion = "2.17".parse().unwrap();
        assert!(old < new);
    }
}
