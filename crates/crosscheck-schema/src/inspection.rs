//! What the inspector found about one built artifact, as the manifest records it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an inspector found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inspection {
    /// The inspector's report, in its own documented shape.
    pub report: serde_json::Value,
    /// Whether the artifact is what was asked for.
    pub verdict: Verdict,
    /// Why not, one line each (empty when it passed).
    #[serde(default)]
    pub problems: Vec<String>,
}

/// An inspector's verdict on one artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The artifact matches its target.
    Pass,
    /// It does not (wrong architecture, unexpected dynamic libc, ...).
    Fail,
}
