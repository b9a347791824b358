//! `[policy]`: the project's rules for every produced binary, as plain data in its TOML
//! shape, and [`Expectation`], what one planned build must produce.
//!
//! The planner parses a [`Policy`] from matrix.toml and attaches one to each planned target
//! (overrides applied); the inspector checks reports against it (`crosscheck-inspector`'s
//! `check`). Documented key by key in `docs/inspect.md`.

use std::fmt;

use globset::Glob;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::plan::PlannedTarget;
use crate::target::Target;

/// Whether a binary must be statically linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticPolicy {
    /// `true`: must be static.
    Required,
    /// `false`: must be dynamically linked.
    Forbidden,
    /// `"auto"`: static exactly when the expectation implies it (the inspector's
    /// `verdict::expects_static`: pure-Go builds on linux and the BSDs, and musl builds).
    Auto,
}

impl Serialize for StaticPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StaticPolicy::Required => s.serialize_bool(true),
            StaticPolicy::Forbidden => s.serialize_bool(false),
            StaticPolicy::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for StaticPolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StaticPolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"true, false or "auto""#)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StaticPolicy, E> {
                Ok(if v {
                    StaticPolicy::Required
                } else {
                    StaticPolicy::Forbidden
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StaticPolicy, E> {
                match v {
                    "auto" => Ok(StaticPolicy::Auto),
                    "true" => Ok(StaticPolicy::Required),
                    "false" => Ok(StaticPolicy::Forbidden),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Windows subsystem a policy can demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowsSubsystem {
    /// `IMAGE_SUBSYSTEM_WINDOWS_CUI`.
    Console,
    /// `IMAGE_SUBSYSTEM_WINDOWS_GUI` (`-ldflags=-H=windowsgui`).
    Gui,
}

impl WindowsSubsystem {
    /// The name used in matrix.toml and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowsSubsystem::Console => "console",
            WindowsSubsystem::Gui => "gui",
        }
    }
}

/// Project rules every produced binary must satisfy. Every field is optional; absent means
/// "no rule". Deserialises from the `[policy]` table of `matrix.toml` (unknown keys are errors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// `true`, `false` or `"auto"`.
    pub r#static: Option<StaticPolicy>,
    /// Highest acceptable `GLIBC_x.y` requirement, e.g. `"2.17"`.
    pub max_glibc: Option<String>,
    /// Globs; every needed library must match one (file name or full path). Case-insensitive
    /// for PE DLLs.
    pub allowed_libraries: Option<Vec<String>>,
    /// Globs; no needed library may match any.
    pub forbidden_libraries: Option<Vec<String>>,
    /// Require no symbol table.
    pub require_stripped: Option<bool>,
    /// Require a position-independent executable.
    pub require_pie: Option<bool>,
    /// Require non-executable stack/data (an undeterminable NX does not fail).
    pub require_nx: Option<bool>,
    /// Largest acceptable file size in bytes.
    pub max_size: Option<u64>,
    /// Ceiling for the Mach-O minimum macOS version, e.g. `"11.0"`.
    pub macos_min: Option<String>,
    /// Required Windows subsystem.
    pub windows_subsystem: Option<WindowsSubsystem>,
    /// Require a code signature; when absent, required for darwin/arm64 only.
    pub require_code_signature: Option<bool>,
    /// Require a correct PE CheckSum (Go's linker writes 0; some drivers and AV products
    /// insist on one).
    pub require_pe_checksum: Option<bool>,
    /// Refuse packed binaries (UPX): they break code signatures and trip malware scanners.
    pub forbid_packed: Option<bool>,
    /// Globs for wasm imports, matched against the module name and `module.name`.
    pub allowed_wasm_imports: Option<Vec<String>>,
}

/// A policy that cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A glob does not parse.
    #[error("invalid glob {pattern:?} in policy.{field}")]
    Glob {
        /// The policy field.
        field: &'static str,
        /// The offending pattern.
        pattern: String,
        /// What globset said.
        #[source]
        source: globset::Error,
    },
    /// A version is not dotted numbers.
    #[error("invalid version {value:?} in policy.{field} (hint: write it like \"2.17\")")]
    Version {
        /// The policy field.
        field: &'static str,
        /// The offending value.
        value: String,
    },
}

impl Policy {
    /// Checks that globs compile and versions are dotted numbers.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (field, pats) in [
            ("allowed_libraries", &self.allowed_libraries),
            ("forbidden_libraries", &self.forbidden_libraries),
            ("allowed_wasm_imports", &self.allowed_wasm_imports),
        ] {
            for p in pats.iter().flatten() {
                Glob::new(p).map_err(|source| PolicyError::Glob {
                    field,
                    pattern: p.clone(),
                    source,
                })?;
            }
        }
        for (field, v) in [
            ("max_glibc", &self.max_glibc),
            ("macos_min", &self.macos_min),
        ] {
            if let Some(v) = v {
                let ok = !v.is_empty()
                    && v.split('.')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(PolicyError::Version {
                        field,
                        value: v.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// What one build in the plan was supposed to produce.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// Target GOOS.
    pub goos: String,
    /// Target GOARCH.
    pub goarch: String,
    /// Sub-architecture setting, e.g. `("GOAMD64", "v3")`.
    pub variant: Option<(String, String)>,
    /// Built with `CGO_ENABLED=1`.
    pub cgo: bool,
    /// C library flavour for cgo builds: `"gnu"` or `"musl"`.
    pub libc: Option<String>,
    /// Whether the build passed `-trimpath`; `None` when unknown (e.g. `inspect --expect`),
    /// which skips the check.
    pub trimpath: Option<bool>,
}
impl Expectation {
    /// What an artifact built for `target` must be: its platform, its effective
    /// sub-architecture (Go's default when the matrix set none), cgo and libc flavour, and
    /// whether the plan's command passes `-trimpath`. `build` checks every artifact with it,
    /// and the release stage checks each slice of a universal binary with its input's.
    pub fn for_target(target: &PlannedTarget) -> Expectation {
        let variant = target
            .variant
            .as_ref()
            .filter(|variant| !variant.value.is_empty())
            .map(|variant| (variant.var.clone(), variant.value.clone()));
        let trimpath = target.argv.iter().any(|arg| arg == "-trimpath");
        Expectation::for_id(&target.id, variant, Some(trimpath))
    }

    /// What an artifact built for the target `id` must be (`inspect --expect`).
    ///
    /// `variant` is the effective sub-architecture (`("GOAMD64", "v3")`); `None` skips that
    /// check. `trimpath` is what the build passed, when known; `None` skips that check.
    pub fn for_id(
        id: &Target,
        variant: Option<(String, String)>,
        trimpath: Option<bool>,
    ) -> Expectation {
        Expectation {
            goos: id.goos.clone(),
            goarch: id.goarch.clone(),
            variant,
            cgo: id.cgo,
            libc: id.libc.as_ref().map(|libc| libc.flavour().to_owned()),
            trimpath,
        }
    }
}
