//! crosscheck's release stage: what turns the executor's outputs into a dist directory that
//! can be published as-is. Synchronous, no tokio; it works on files the executor already
//! wrote and on the manifest that describes them (`crosscheck-schema`'s records; it does not
//! depend on the executor). `docs/architecture.md` shows how the stages fit together.
//!
//! Each module is one job:
//!
//! - [`package`]: [`Packager`], which the CLI plugs into the executor's `Package` hook, run
//!   after the builds under the dist lock: it assembles [`universal`] Mach-O binaries, writes
//!   an [`sbom`] beside every binary and an [`archive`] per target, and returns the files so
//!   that `SHA256SUMS` covers them.
//! - [`universal`]: the fat Mach-O writer ([`build_universal`]).
//! - [`sbom`]: a CycloneDX 1.5 JSON SBOM per Go binary ([`cyclonedx`]), from the module list
//!   the inspector read out of the binary's build info.
//! - [`archive`]: deterministic tar.gz and zip writers ([`write_archive`]).
//! - [`mod@merge`]: combines the dist directories of CI shards into one ([`plan_merge`] decides
//!   and verifies everything before [`execute`] writes), checking that every planned target
//!   is present exactly once and that every file matches its manifest.
//! - [`mod@sign`]: detached signatures of `SHA256SUMS` ([`sign_checksums`]: minisign,
//!   gpg), for `build` and `merge` alike.
//! - [`mod@verify`]: checks a downloaded release ([`verify_release`]): the signatures of
//!   `SHA256SUMS`, every listed file's SHA-256 and the code signatures embedded in its
//!   binaries, archives opened. What `crosscheck verify` runs.
#![warn(missing_docs)]

pub mod archive;
pub mod merge;
pub mod package;
pub mod sbom;
pub mod sign;
pub mod universal;
pub mod verify;

pub use archive::{ArchiveError, write_archive};
pub use merge::{MergeError, MergePlan, MergeRequest, MergeSummary, execute, merge, plan_merge};
pub use package::Packager;
pub use sbom::{SbomError, SbomSubject, cyclonedx, cyclonedx_universal};
pub use sign::{SignError, sign_checksums, trusted_comment};
pub use universal::{UniversalError, build_universal};
pub use verify::{MinisignKey, VerifyError, VerifyOptions, verify_release};
