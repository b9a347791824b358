//! Environment variables crosscheck reads, declared once.

/// Forces `{version}` in templates.
pub const CROSSCHECK_VERSION: &str = "CROSSCHECK_VERSION";
/// Forces `{commit}` in templates.
pub const CROSSCHECK_COMMIT: &str = "CROSSCHECK_COMMIT";
/// Forces `{date}` in templates (RFC 3339).
pub const CROSSCHECK_DATE: &str = "CROSSCHECK_DATE";
/// Where crosscheck caches the target catalog and build timings.
pub const CROSSCHECK_CACHE_DIR: &str = "CROSSCHECK_CACHE_DIR";
/// The reproducible-builds date, seconds since 1970; used for `{date}` and artifact mtimes.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
/// The Apple SDK for darwin cgo targets.
pub const SDKROOT: &str = "SDKROOT";
/// Disables colour (https://no-color.org).
pub const NO_COLOR: &str = "NO_COLOR";
/// Set by most CI systems; disables progress bars.
pub const CI: &str = "CI";
/// The XDG cache base directory.
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
