//! crosscheck's release stage: what turns the executor's outputs into a dist directory that
//! can be published as-is. Synchronous, no tokio; it works on files the executor already
//! wrote and on the manifest that describes them.
//!
//! Each module is one job (added as the features land):
//!
//! - `merge`: combines the dist directories of CI shards into one, checking that every
//!   planned target is present exactly once and that artifacts match their manifests.
//! - `package`: the post-build phase run under the dist lock (universal Mach-O binaries,
//!   archives, SBOMs), whose files the checksums cover.
//! - [`sbom`]: a CycloneDX 1.5 JSON SBOM per Go binary ([`cyclonedx`]), from the module list
//!   the inspector read out of the binary's build info.
#![warn(missing_docs)]

pub mod archive;
pub mod merge;
pub mod package;
pub mod sbom;
pub mod universal;

pub use archive::{ArchiveError, write_archive};
pub use merge::{MergeError, MergePlan, MergeRequest, MergeSummary, execute, merge, plan_merge};
pub use package::Packager;
pub use sbom::{SbomError, SbomSubject, cyclonedx};
pub use universal::{UniversalError, build_universal};
