//! Runners: how this host can run each target's binaries ([`resolve_runner`]), from what it
//! has ([`HostRunners::detect`]).
//!
//! Detection runs processes (`which`, `node --version`, ...) once; resolution is a pure
//! function of a target and a [`HostRunners`], so `doctor`, `build --smoke` and `test` agree
//! on what would run, and the manifest records exactly what did.

use crosscheck_planner::PlannedTarget;
use crosscheck_schema::Runnability;
use serde::{Deserialize, Serialize};

/// What this host has to run foreign binaries with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRunners {}

impl HostRunners {
    /// Looks for what can run `targets`' binaries on this machine.
    pub fn detect(targets: &[PlannedTarget]) -> HostRunners {
        let _ = targets;
        HostRunners {}
    }
}

/// How `target`'s binaries run on the host `host` describes, or why they cannot.
pub fn resolve_runner(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    let _ = host;
    Runnability::NotRun {
        reason: format!("no runner for {} yet", target.id),
        install: None,
    }
}
