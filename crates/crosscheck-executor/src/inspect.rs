//! The hook through which an inspector examines each built artifact.

use std::path::Path;

use crosscheck_planner::PlannedTarget;
use crosscheck_schema::Inspection;

/// Examines a built artifact. Called on a blocking thread, once per built target, after the
/// artifact is in its final place; what it returns goes into the manifest and an
/// [`Event::Inspected`](crate::Event::Inspected).
pub trait Inspect: Send + Sync {
    /// Inspects `artifact`, built for `target`.
    fn inspect(&self, artifact: &Path, target: &PlannedTarget) -> Inspection;

    /// Names the section of a binary (its bytes) that holds file offset `offset`, with the
    /// offset inside that section; `--verify-reproducible` reports where two builds first
    /// differ with it. The default knows no formats.
    fn locate(&self, artifact: &[u8], offset: u64) -> Option<(String, u64)> {
        let _ = (artifact, offset);
        None
    }
}

impl<F> Inspect for F
where
    F: Fn(&Path, &PlannedTarget) -> Inspection + Send + Sync,
{
    fn inspect(&self, artifact: &Path, target: &PlannedTarget) -> Inspection {
        self(artifact, target)
    }
}
