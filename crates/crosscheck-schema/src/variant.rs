//! Sub-architecture variants: GOARM, GOAMD64, GO386, GOARM64, GOMIPS, GOMIPS64, GOPPC64,
//! GORISCV64 and GOWASM.
//!
//! The allowed values follow Go's `internal/buildcfg`; they change far less often than the
//! port list, and Go itself only reports a bad value when a build starts, which is exactly
//! the late failure the planner exists to prevent.

use std::fmt;

use serde::Serialize;

use crate::suggest::did_you_mean;

/// Which environment variable carries a sub-architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum VariantVar {
    /// `GOARM` for `arm`.
    #[serde(rename = "GOARM")]
    Goarm,
    /// `GOAMD64` for `amd64`.
    #[serde(rename = "GOAMD64")]
    Goamd64,
    /// `GO386` for `386`.
    #[serde(rename = "GO386")]
    Go386,
    /// `GOARM64` for `arm64`.
    #[serde(rename = "GOARM64")]
    Goarm64,
    /// `GOMIPS` for `mips` and `mipsle`.
    #[serde(rename = "GOMIPS")]
    Gomips,
    /// `GOMIPS64` for `mips64` and `mips64le`.
    #[serde(rename = "GOMIPS64")]
    Gomips64,
    /// `GOPPC64` for `ppc64` and `ppc64le`.
    #[serde(rename = "GOPPC64")]
    Goppc64,
    /// `GORISCV64` for `riscv64`.
    #[serde(rename = "GORISCV64")]
    Goriscv64,
    /// `GOWASM` for `wasm`.
    #[serde(rename = "GOWASM")]
    Gowasm,
}

impl VariantVar {
    /// Every variant variable, in documentation order.
    pub const ALL: [VariantVar; 9] = [
        VariantVar::Goarm,
        VariantVar::Goamd64,
        VariantVar::Go386,
        VariantVar::Goarm64,
        VariantVar::Gomips,
        VariantVar::Gomips64,
        VariantVar::Goppc64,
        VariantVar::Goriscv64,
        VariantVar::Gowasm,
    ];

    /// The variable that refines `goarch`, if any.
    pub fn for_arch(goarch: &str) -> Option<VariantVar> {
        Some(match goarch {
            "arm" => VariantVar::Goarm,
            "amd64" => VariantVar::Goamd64,
            "386" => VariantVar::Go386,
            "arm64" => VariantVar::Goarm64,
            "mips" | "mipsle" => VariantVar::Gomips,
            "mips64" | "mips64le" => VariantVar::Gomips64,
            "ppc64" | "ppc64le" => VariantVar::Goppc64,
            "riscv64" => VariantVar::Goriscv64,
            "wasm" => VariantVar::Gowasm,
            _ => return None,
        })
    }

    /// The environment variable name, e.g. `GOARM`.
    pub fn env_name(self) -> &'static str {
        match self {
            VariantVar::Goarm => "GOARM",
            VariantVar::Goamd64 => "GOAMD64",
            VariantVar::Go386 => "GO386",
            VariantVar::Goarm64 => "GOARM64",
            VariantVar::Gomips => "GOMIPS",
            VariantVar::Gomips64 => "GOMIPS64",
            VariantVar::Goppc64 => "GOPPC64",
            VariantVar::Goriscv64 => "GORISCV64",
            VariantVar::Gowasm => "GOWASM",
        }
    }

    /// The `[matrix]` key for this axis, e.g. `goarm`.
    pub fn config_key(self) -> &'static str {
        match self {
            VariantVar::Goarm => "goarm",
            VariantVar::Goamd64 => "goamd64",
            VariantVar::Go386 => "go386",
            VariantVar::Goarm64 => "goarm64",
            VariantVar::Gomips => "gomips",
            VariantVar::Gomips64 => "gomips64",
            VariantVar::Goppc64 => "goppc64",
            VariantVar::Goriscv64 => "goriscv64",
            VariantVar::Gowasm => "gowasm",
        }
    }

    /// The arches this variable applies to, for messages.
    pub fn arches(self) -> &'static [&'static str] {
        match self {
            VariantVar::Goarm => &["arm"],
            VariantVar::Goamd64 => &["amd64"],
            VariantVar::Go386 => &["386"],
            VariantVar::Goarm64 => &["arm64"],
            VariantVar::Gomips => &["mips", "mipsle"],
            VariantVar::Gomips64 => &["mips64", "mips64le"],
            VariantVar::Goppc64 => &["ppc64", "ppc64le"],
            VariantVar::Goriscv64 => &["riscv64"],
            VariantVar::Gowasm => &["wasm"],
        }
    }

    /// The value Go uses when the variable is unset.
    ///
    /// GOARM's default is the toolchain's choice; the catalog records the one the
    /// installed Go reports and passes it in.
    pub fn default_value(self, default_goarm: &str) -> String {
        match self {
            VariantVar::Goarm => default_goarm.to_owned(),
            VariantVar::Goamd64 => "v1".to_owned(),
            VariantVar::Go386 => "sse2".to_owned(),
            VariantVar::Goarm64 => "v8.0".to_owned(),
            VariantVar::Gomips | VariantVar::Gomips64 => "hardfloat".to_owned(),
            VariantVar::Goppc64 => "power8".to_owned(),
            VariantVar::Goriscv64 => "rva20u64".to_owned(),
            VariantVar::Gowasm => String::new(),
        }
    }

    /// What the value must look like, in words (the tail of an error message).
    pub fn allowed_description(self) -> &'static str {
        match self {
            VariantVar::Goarm => {
                "5, 6 or 7, optionally followed by \",softfloat\" or \",hardfloat\""
            }
            VariantVar::Goamd64 => "v1, v2, v3 or v4",
            VariantVar::Go386 => "sse2 or softfloat",
            VariantVar::Goarm64 => {
                "v8.0 to v8.9 or v9.0 to v9.5, optionally followed by \",lse\" and/or \",crypto\""
            }
            VariantVar::Gomips | VariantVar::Gomips64 => "hardfloat or softfloat",
            VariantVar::Goppc64 => "power8, power9 or power10",
            VariantVar::Goriscv64 => "rva20u64, rva22u64 or rva23u64",
            VariantVar::Gowasm => "a comma-separated list of satconv and signext",
        }
    }

    /// The simple values, for did-you-mean suggestions.
    pub fn suggestions(self) -> &'static [&'static str] {
        match self {
            VariantVar::Goarm => &["5", "6", "7", "6,softfloat", "7,softfloat"],
            VariantVar::Goamd64 => &["v1", "v2", "v3", "v4"],
            VariantVar::Go386 => &["sse2", "softfloat"],
            VariantVar::Goarm64 => &["v8.0", "v8.1", "v8.2", "v9.0", "v8.0,lse", "v8.0,crypto"],
            VariantVar::Gomips | VariantVar::Gomips64 => &["hardfloat", "softfloat"],
            VariantVar::Goppc64 => &["power8", "power9", "power10"],
            VariantVar::Goriscv64 => &["rva20u64", "rva22u64", "rva23u64"],
            VariantVar::Gowasm => &["satconv", "signext", "satconv,signext"],
        }
    }

    /// Whether `value` is one Go accepts for this variable.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            VariantVar::Goarm => {
                let (level, float) = match value.split_once(',') {
                    Some((level, float)) => (level, Some(float)),
                    None => (value, None),
                };
                matches!(level, "5" | "6" | "7")
                    && matches!(float, None | Some("softfloat") | Some("hardfloat"))
            }
            VariantVar::Goamd64 => matches!(value, "v1" | "v2" | "v3" | "v4"),
            VariantVar::Go386 => matches!(value, "sse2" | "softfloat"),
            VariantVar::Goarm64 => {
                let mut parts = value.split(',');
                let level_ok = match parts.next() {
                    Some(level) => match level.strip_prefix("v8.") {
                        Some(minor) => minor.len() == 1 && minor.as_bytes()[0].is_ascii_digit(),
                        None => {
                            matches!(level, "v9.0" | "v9.1" | "v9.2" | "v9.3" | "v9.4" | "v9.5")
                        }
                    },
                    None => false,
                };
                let extensions: Vec<&str> = parts.collect();
                level_ok && distinct_subset(&extensions, &["lse", "crypto"])
            }
            VariantVar::Gomips | VariantVar::Gomips64 => matches!(value, "hardfloat" | "softfloat"),
            VariantVar::Goppc64 => matches!(value, "power8" | "power9" | "power10"),
            VariantVar::Goriscv64 => matches!(value, "rva20u64" | "rva22u64" | "rva23u64"),
            VariantVar::Gowasm => {
                let features: Vec<&str> = value.split(',').collect();
                !value.is_empty() && distinct_subset(&features, &["satconv", "signext"])
            }
        }
    }
}

fn distinct_subset(items: &[&str], allowed: &[&str]) -> bool {
    items.iter().all(|item| allowed.contains(item))
        && items
            .iter()
            .enumerate()
            .all(|(i, item)| !items[..i].contains(item))
}

impl fmt::Display for VariantVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.env_name())
    }
}

/// A sub-architecture choice: which variable, and its value as Go spells it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Variant {
    /// The variable, e.g. `GOARM`.
    pub var: VariantVar,
    /// The value as Go reads it, e.g. `7,softfloat`.
    pub value: String,
}

/// A variant value that does not fit its arch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariantError {
    /// The arch has no sub-architecture variable.
    #[error("GOARCH {goarch:?} has no sub-architecture variants, so {value:?} cannot apply")]
    NoVariants {
        /// The arch.
        goarch: String,
        /// The value that was given.
        value: String,
    },
    /// The value is not one Go accepts.
    #[error("invalid {var} {value:?}: must be {}{}", .var.allowed_description(), did_you_mean(.suggestion.as_deref()))]
    Invalid {
        /// The variable.
        var: VariantVar,
        /// The value that was given.
        value: String,
        /// The closest allowed value.
        suggestion: Option<String>,
    },
    /// The variable belongs to other arches.
    #[error("{var} applies only to {}, not to {goarch:?}", .var.arches().join(" and "))]
    WrongArch {
        /// The variable.
        var: VariantVar,
        /// The arch it was given for.
        goarch: String,
    },
}

impl Variant {
    /// Validates `value` for `var` on `goarch`.
    pub fn new(var: VariantVar, goarch: &str, value: &str) -> Result<Variant, VariantError> {
        if VariantVar::for_arch(goarch) != Some(var) {
            return Err(VariantError::WrongArch {
                var,
                goarch: goarch.to_owned(),
            });
        }
        if !var.accepts(value) {
            return Err(VariantError::Invalid {
                var,
                value: value.to_owned(),
                suggestion: crate::suggest::closest(value, var.suggestions().iter().copied())
                    .map(str::to_owned),
            });
        }
        Ok(Variant {
            var,
            value: value.to_owned(),
        })
    }

    /// The id segment: `v` before GOARM levels, `-` for `,`.
    pub fn id_segment(&self) -> String {
        let value = self.value.replace(',', "-");
        match self.var {
            VariantVar::Goarm => format!("v{value}"),
            _ => value,
        }
    }

    /// Parses an id segment back for `goarch`.
    pub fn from_id_segment(goarch: &str, segment: &str) -> Result<Variant, VariantError> {
        let Some(var) = VariantVar::for_arch(goarch) else {
            return Err(VariantError::NoVariants {
                goarch: goarch.to_owned(),
                value: segment.to_owned(),
            });
        };
        let value = segment.replace('-', ",");
        let value = match var {
            VariantVar::Goarm => match value.strip_prefix('v') {
                Some(rest) => rest.to_owned(),
                None => {
                    return Err(VariantError::Invalid {
                        var,
                        value: segment.to_owned(),
                        suggestion: Some(format!("v{segment}")),
                    });
                }
            },
            _ => value,
        };
        Variant::new(var, goarch, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_go_accepts() {
        assert!(VariantVar::Goarm.accepts("7"));
        assert!(VariantVar::Goarm.accepts("6,softfloat"));
        assert!(!VariantVar::Goarm.accepts("8"));
        assert!(!VariantVar::Goarm.accepts("7,soft"));
        assert!(VariantVar::Goarm64.accepts("v8.0"));
        assert!(VariantVar::Goarm64.accepts("v9.5,crypto,lse"));
        assert!(!VariantVar::Goarm64.accepts("v9.6"));
        assert!(!VariantVar::Goarm64.accepts("v8.0,lse,lse"));
        assert!(!VariantVar::Goarm64.accepts("v8.10"));
        assert!(VariantVar::Gowasm.accepts("satconv,signext"));
        assert!(!VariantVar::Gowasm.accepts(""));
        assert!(!VariantVar::Goamd64.accepts("v5"));
    }

    #[test]
    fn wrong_arch_is_named() {
        let err = Variant::new(VariantVar::Goarm, "arm64", "7").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GOARM applies only to arm, not to \"arm64\""
        );
    }

    #[test]
    fn invalid_value_suggests() {
        let err = Variant::new(VariantVar::Goamd64, "amd64", "v5").unwrap_err();
        assert!(
            err.to_string().contains("must be v1, v2, v3 or v4"),
            "{err}"
        );
    }
}
