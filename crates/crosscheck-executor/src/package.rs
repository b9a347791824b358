//! The hook through which the release stage packages a finished build: universal binaries,
//! archives and any other per-target file, all covered by `SHA256SUMS`.

use std::path::Path;

use crosscheck_planner::Plan;

use crate::dist::Artifact;
use crate::event::Event;
use crate::manifest::Manifest;

/// Packages the artifacts of a build. Called once per build run, after every target has
/// ended and before `manifest.json` and `SHA256SUMS` are written, still under the dist lock;
/// skipped when the run was interrupted.
///
/// It fills in the manifest (archive entries, universal binaries, failures) and returns the
/// files it wrote, which the checksums then cover. A packaging problem never removes a built
/// artifact: the packager marks the affected manifest entry failed and reports it in
/// [`PackageOutcome::failures`], which makes the run fail.
pub trait Package: Send + Sync {
    /// Packages what `plan` built into `dist`, reporting progress through `on_event`
    /// ([`Event::Packaged`], [`Event::PackagingFailed`]).
    fn package(
        &self,
        plan: &Plan,
        dist: &Path,
        manifest: &mut Manifest,
        on_event: &mut dyn FnMut(Event),
    ) -> PackageOutcome;
}

/// What a packager did.
#[derive(Clone, Debug, Default)]
pub struct PackageOutcome {
    /// Every file written (archives, universal binaries), for the checksums.
    pub files: Vec<Artifact>,
    /// What could not be packaged.
    pub failures: Vec<PackageFailure>,
}

/// One thing that could not be packaged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageFailure {
    /// The manifest entry it concerns (a target id or `darwin/universal`).
    pub id: String,
    /// What went wrong, one line.
    pub message: String,
}
