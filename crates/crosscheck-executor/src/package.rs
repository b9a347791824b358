//! The hook through which the release stage packages a finished build: universal binaries,
//! archives and any other per-target file, all covered by `SHA256SUMS`.

use std::path::Path;

use crosscheck_schema::{ChecksumSignature, Manifest, PackageOutcome, Plan};

/// Packages the artifacts of a build. Called once per build run, after every target has
/// ended and before `manifest.json` and `SHA256SUMS` are written, still under the dist lock;
/// skipped when the run was interrupted.
///
/// It fills in the manifest (archive entries, universal binaries, failures) and returns the
/// files it wrote, which the checksums then cover. A packaging problem never removes a built
/// artifact: the packager marks the affected manifest entry failed and reports it in
/// [`PackageOutcome::failures`], which makes the run fail.
///
/// What the packager reports while it works (`crosscheck_schema::PackageEvent`) is the
/// release stage's to deliver to its reporters: the executor's events are about builds.
pub trait Package: Send + Sync {
    /// Packages what `plan` built into `dist`.
    fn package(&self, plan: &Plan, dist: &Path, manifest: &mut Manifest) -> PackageOutcome;

    /// Signs `dist/SHA256SUMS` as the plan's `[sign]` says, once it is written, and returns
    /// the signatures written (none without checksum keys), or why it could not. Called
    /// only when the run was not interrupted.
    fn sign_checksums(&self, plan: &Plan, dist: &Path) -> Result<Vec<ChecksumSignature>, String> {
        let _ = (plan, dist);
        Ok(Vec::new())
    }
}
