//! Go releases as the matrix names them, and as Go writes them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Go release as requested: `1.25` (newest patch) or `1.25.3` (exact).
///
/// Only Go 1 releases exist; pre-releases (`1.26rc1`) are not accepted, because a
/// release matrix should not depend on one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoVersion {
    /// The minor release, e.g. 25 in 1.25.
    pub minor: u32,
    /// The patch release, `None` for "the newest".
    pub patch: Option<u32>,
}

/// Why a string is not a Go version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a Go release (hint: write \"1.25\" for the newest 1.25.x, or an exact release such as \"1.25.3\" or \"go1.25.3\")"
)]
pub struct GoVersionError {
    /// The text as written.
    pub text: String,
}

impl GoVersion {
    /// The id suffix without `@`: `go1.25` or `go1.25.3`.
    pub fn id_segment(&self) -> String {
        format!("go{self}")
    }

    /// The `GOTOOLCHAIN` value of an exact version (`go1.25.3`); `None` for a minor one,
    /// which must be resolved first (`GOTOOLCHAIN=go1.25` names no release).
    pub fn exact_toolchain(&self) -> Option<String> {
        self.patch.map(|_| self.id_segment())
    }

    /// Whether the toolchain `go1.X.Y` (as `go env GOVERSION` prints it) is this version,
    /// or within this minor release when no patch was asked for.
    pub fn matches_toolchain(&self, toolchain: &str) -> bool {
        match ReleaseNumber::parse_toolchain(toolchain) {
            Some(release) => {
                release.major == 1
                    && release.minor == self.minor
                    && self.patch.is_none_or(|patch| release.patch == patch)
                    && release.exact
            }
            None => false,
        }
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

impl FromStr for GoVersion {
    type Err = GoVersionError;

    fn from_str(text: &str) -> Result<GoVersion, GoVersionError> {
        let error = || GoVersionError {
            text: text.to_owned(),
        };
        let bare = text.strip_prefix("go").unwrap_or(text);
        let mut parts = bare.split('.');
        let number = |part: Option<&str>| -> Result<u32, GoVersionError> {
            let part = part.ok_or_else(error)?;
            // No leading zeros and no signs: `1.025` or `1.+25` are typos, not versions.
            let canonical = !part.is_empty()
                && part.len() <= 4
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if !canonical {
                return Err(error());
            }
            part.parse().map_err(|_| error())
        };
        if number(parts.next())? != 1 {
            return Err(error());
        }
        let minor = number(parts.next())?;
        let patch = parts.next().map(|p| number(Some(p))).transpose()?;
        if parts.next().is_some() {
            return Err(error());
        }
        Ok(GoVersion { minor, patch })
    }
}

impl Serialize for GoVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<GoVersion, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A Go release number as Go itself writes them (`go1.25.3`, `1.24`, `1.21rc1`), for
/// comparing a toolchain against a go.mod `go` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseNumber {
    major: u32,
    minor: u32,
    patch: u32,
    /// False for pre-releases (`1.21rc1`), which sort before the release.
    exact: bool,
}

impl ReleaseNumber {
    /// Parses `go1.25.3` (a toolchain name; `go1.26.8 X:nocoverageredesign` suffixes are
    /// ignored) or a go.mod version (`1.24`, `1.24.0`, `1.21rc1`).
    pub fn parse_toolchain(text: &str) -> Option<ReleaseNumber> {
        let text = text.split_whitespace().next()?;
        let text = text.strip_prefix("go").unwrap_or(text);
        let mut parts = text.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor_text = parts.next().unwrap_or("0");
        let digits = minor_text.bytes().take_while(u8::is_ascii_digit).count();
        let minor = minor_text[..digits].parse().ok()?;
        let exact = digits == minor_text.len();
        let patch = match parts.next() {
            Some(patch) => patch.parse().ok()?,
            None => 0,
        };
        Some(ReleaseNumber {
            major,
            minor,
            patch,
            exact,
        })
    }

    fn key(&self) -> (u32, u32, u32, bool) {
        (self.major, self.minor, self.patch, self.exact)
    }
}

impl PartialOrd for ReleaseNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReleaseNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// One Go release of the axis as planned: what was asked for and what builds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedGo {
    /// As the matrix asked (`1.25`); the `@go1.25` of target ids.
    pub requested: GoVersion,
    /// The exact toolchain (`go1.25.7`), set as `GOTOOLCHAIN` for the target's build.
    pub toolchain: String,
}
